"""Time scales, orbit elements and the TEME -> N conversion of TLE states.

**The N frame** is the GCRF (the IAU 2006/2000A realisation through ERFA's
bias-precession-nutation matrix, ``erfa.pnm06a``); J2000 differs from it by the
frame bias, 23 mas at most (0.8 m at 7,000 km), which the rest of the world
model ignores.

**TEME -> N** (for TLE states from ``sgp4``): TEME is the true equator of date
with the x axis on the "uniform" equinox of GMST82. Following Vallado et al.
(2006, "Revisiting Spacetrack Report #3") and skyfield's ``TEME`` frame:

    r_TOD = Rz(-(GAST - GMST82)) r_TEME  (active rotation by +(GAST - GMST82))
    r_N   = NPB(TT)^T r_TOD,             NPB = erfa.pnm06a

with GAST = ``erfa.gst06a`` and GMST82 = ``erfa.gmst82``; UT1 is taken equal to
UTC (|DUT1| < 0.9 s moves the rotation angle difference by far less than a
micro-arcsecond). Velocities rotate by the same matrix (the rate of the
precession-nutation matrix is ~1e-11 rad/s, below 0.1 mm/s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import erfa
import numpy as np
from sgp4.api import Satrec

from fsw.constants import DAY_S, JD_TAI_EPOCH, MU_EARTH
from fsw.errors import UserError


@dataclass(frozen=True)
class Epoch:
    """One instant in the scales the world needs (two-part Julian dates)."""

    utc1: float
    utc2: float
    tt1: float
    tt2: float
    #: TAI seconds since 1958-01-01 (on-board time)
    tai_s: float
    #: Greenwich mean sidereal angle (IAU 2006, UT1 = UTC) [rad]
    gmst: float

    @property
    def jd_tt(self) -> float:
        """TT Julian date as one double (~20 µs resolution)."""
        return self.tt1 + self.tt2

    def shifted(self, seconds: float) -> Epoch:
        """This epoch plus ``seconds`` of elapsed (SI) time."""
        d = seconds / DAY_S
        return _from_parts(self.utc1, self.utc2 + d)


def _from_parts(u1: float, u2: float) -> Epoch:
    tai1, tai2 = erfa.utctai(u1, u2)
    tt1, tt2 = erfa.taitt(tai1, tai2)
    tai_s = ((tai1 - JD_TAI_EPOCH) + tai2) * DAY_S
    gmst = float(erfa.gmst06(u1, u2, tt1, tt2))
    return Epoch(float(u1), float(u2), float(tt1), float(tt2), float(tai_s), gmst)


def epoch_from_utc(text: str) -> Epoch:
    """Parse an ISO 8601 UTC time (``2026-06-01T00:00:00Z``); UserError if bad."""
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError) as exc:
        raise UserError(f"epoch {text!r} is not an ISO 8601 UTC time") from exc
    if t.tzinfo is not None:
        t = t.astimezone(UTC)
    sec = t.second + t.microsecond * 1e-6
    u1, u2 = erfa.dtf2d("UTC", t.year, t.month, t.day, t.hour, t.minute, sec)
    return _from_parts(float(u1), float(u2))


def epoch_from_jd_utc(jd1: float, jd2: float) -> Epoch:
    """Epoch from a two-part UTC Julian date (e.g. a TLE's epoch)."""
    return _from_parts(jd1, jd2)


def kepler_to_rv(a: float, e: float, inc: float, raan: float, argp: float, nu: float,
                 mu: float = MU_EARTH) -> tuple[np.ndarray, np.ndarray]:
    """Position [m] and velocity [m/s] from osculating elements (angles in rad)."""
    if not (a > 0.0) or not (0.0 <= e < 1.0):
        raise UserError(f"orbit elements need a > 0 and 0 <= e < 1 (a={a}, e={e})")
    p = a * (1.0 - e * e)
    r = p / (1.0 + e * math.cos(nu))
    r_pf = np.array([r * math.cos(nu), r * math.sin(nu), 0.0])
    v_pf = math.sqrt(mu / p) * np.array([-math.sin(nu), e + math.cos(nu), 0.0])
    rot = _rz(raan) @ _rx(inc) @ _rz(argp)
    return rot @ r_pf, rot @ v_pf


def rv_to_kepler(r: np.ndarray, v: np.ndarray, mu: float = MU_EARTH) -> dict[str, float]:
    """Osculating elements of a state: a, e, inc, raan, argp, nu, u (rad)."""
    r = np.asarray(r, float)
    v = np.asarray(v, float)
    h = np.cross(r, v)
    rn, hn = np.linalg.norm(r), np.linalg.norm(h)
    n = np.cross([0.0, 0.0, 1.0], h)
    nn = np.linalg.norm(n)
    ev = np.cross(v, h) / mu - r / rn
    e = float(np.linalg.norm(ev))
    a = 1.0 / (2.0 / rn - v @ v / mu)
    inc = math.acos(max(-1.0, min(1.0, h[2] / hn)))
    raan = math.atan2(n[1], n[0]) if nn > 0 else 0.0
    u = math.atan2((r @ np.cross(h, n)) / (hn * nn), (r @ n) / nn) if nn > 0 else 0.0
    argp = math.atan2((ev @ np.cross(h, n)) / (hn * nn), (ev @ n) / nn) if e > 1e-12 else 0.0
    return {"a": float(a), "e": e, "inc": inc, "raan": raan, "argp": argp,
            "nu": (u - argp) % (2 * math.pi), "u": u % (2 * math.pi)}


def _rz(t: float) -> np.ndarray:
    c, s = math.cos(t), math.sin(t)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _rx(t: float) -> np.ndarray:
    c, s = math.cos(t), math.sin(t)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def teme_to_n_matrix(epoch: Epoch) -> np.ndarray:
    """The rotation M with r_N = M r_TEME at ``epoch`` (see the module doc)."""
    gast = erfa.gst06a(epoch.utc1, epoch.utc2, epoch.tt1, epoch.tt2)
    gmst82 = erfa.gmst82(epoch.utc1, epoch.utc2)
    eq = math.remainder(float(gast - gmst82), 2 * math.pi)
    npb = erfa.pnm06a(epoch.tt1, epoch.tt2)
    return npb.T @ _rz(eq)


def parse_tle(line1: str, line2: str) -> Satrec:
    """An sgp4 satellite record; UserError on a malformed TLE."""
    try:
        sat = Satrec.twoline2rv(line1.strip(), line2.strip())
    except (ValueError, IndexError) as exc:
        raise UserError(f"malformed TLE: {exc}") from exc
    if sat.error:
        raise UserError(f"malformed TLE (sgp4 error {sat.error})")
    return sat


def tle_epoch(line1: str, line2: str) -> Epoch:
    """The TLE's own epoch."""
    sat = parse_tle(line1, line2)
    return epoch_from_jd_utc(sat.jdsatepoch, sat.jdsatepochF)


def tle_state_teme(line1: str, line2: str, epoch: Epoch) -> tuple[np.ndarray, np.ndarray]:
    """sgp4's TEME position [m] and velocity [m/s] at ``epoch``."""
    sat = parse_tle(line1, line2)
    err, r, v = sat.sgp4(epoch.utc1, epoch.utc2)
    if err:
        raise UserError(f"sgp4 failed at the epoch (error {err})")
    return np.array(r) * 1e3, np.array(v) * 1e3


def tle_state(line1: str, line2: str, epoch: Epoch) -> tuple[np.ndarray, np.ndarray]:
    """The TLE's state in N at ``epoch``: sgp4's output rotated TEME -> N."""
    r, v = tle_state_teme(line1, line2, epoch)
    m = teme_to_n_matrix(epoch)
    return m @ r, m @ v
