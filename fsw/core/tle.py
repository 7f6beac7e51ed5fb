"""A target orbit from a two-line element set: SGP4 (the ``sgp4`` package)
gives the TEME state, turned into GCRF by the IAU 1976 precession alone
(nutation, below 20 arcsec, i.e. under a kilometre in LEO, is neglected: the
relative-navigation sensor removes that error once the target is in view).

The navigation task loads the result into the core's ephemeris (RK4 two-body
+ J2), which carries it from there. Plain Python floats throughout.

Known gap (issue #15): SGP4 runs in the ``sgp4`` package here, not in the
guidance core, so a TLE notice is not yet bit-identical across machines and
does not run on the board.
"""

from __future__ import annotations

import math

__all__ = ["precession", "state"]

#: TAI seconds since 1958-01-01 of J2000.0 (2000-01-01T12:00:00 TT)
_J2000_TAI = 1325419167.816
#: UTC days since 1958-01-01 at JD 0 offset: JD of 1958-01-01T00:00 UTC
_JD_1958 = 2436204.5

Mat = tuple[tuple[float, float, float], ...]


def _rz(a: float) -> Mat:
    c, s = math.cos(a), math.sin(a)
    return ((c, s, 0.0), (-s, c, 0.0), (0.0, 0.0, 1.0))


def _ry(a: float) -> Mat:
    c, s = math.cos(a), math.sin(a)
    return ((c, 0.0, -s), (0.0, 1.0, 0.0), (s, 0.0, c))


def _mm(a: Mat, b: Mat) -> Mat:
    return tuple(tuple(a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j]
                       for j in range(3)) for i in range(3))


def precession(t_tai: float) -> Mat:
    """IAU 1976 precession matrix P, mean J2000 -> mean of date (r_date = P r)."""
    T = (t_tai - _J2000_TAI) / 86400.0 / 36525.0
    as2r = math.pi / 180.0 / 3600.0
    zeta = (2306.2181 * T + 0.30188 * T * T + 0.017998 * T**3) * as2r
    z = (2306.2181 * T + 1.09468 * T * T + 0.018203 * T**3) * as2r
    theta = (2004.3109 * T - 0.42665 * T * T - 0.041833 * T**3) * as2r
    return _mm(_mm(_rz(-z), _ry(theta)), _rz(-zeta))


def state(line1: str, line2: str, t_tai: float, tai_minus_utc: float = 37.0
          ) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """GCRF position (m) and velocity (m/s) at ``t_tai`` from the TLE.
    ValueError for a TLE that SGP4 refuses or cannot propagate to ``t_tai``."""
    from sgp4.api import Satrec

    sat = Satrec.twoline2rv(line1, line2)
    if sat.error:
        raise ValueError(f"TLE rejected by sgp4 (error {sat.error})")
    days = (t_tai - tai_minus_utc) / 86400.0  # UTC days since 1958-01-01
    whole = math.floor(days)
    err, r, v = sat.sgp4(_JD_1958 + whole, days - whole)
    if err:
        raise ValueError(f"sgp4 error {err} at t={t_tai:.0f}")
    P = precession(t_tai)
    # GCRF = P^T TEME (mean of date taken as TEME)
    rr = tuple(1e3 * (P[0][i] * r[0] + P[1][i] * r[1] + P[2][i] * r[2]) for i in range(3))
    vv = tuple(1e3 * (P[0][i] * v[0] + P[1][i] * v[1] + P[2][i] * v[2]) for i in range(3))
    return rr, vv  # type: ignore[return-value]
