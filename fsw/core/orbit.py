"""Two-body orbit mechanics through the guidance core.

Argument order everywhere: the state, then the time, then ``mu`` and the
other body constants (as the C functions, gnc_orbit.h).

Units follow ``mu``: with ``mu`` in m^3/s^2 (default, Earth :data:`MU_EARTH`)
positions are m and velocities m/s; with km^3/s^2, km and km/s. Times s,
angles rad, vectors inertial (GCRF/J2000). Inputs whose units do not fit
``mu`` (a state in km with the metre default) raise
:class:`~fsw.core.errors.GncUnitsError` (dimensionless checks, gnc_orbit.h).
A failed Lambert call names its cause: the transfer angle at 0 or 180 deg,
the minimum time of flight of a multi-revolution transfer
(``GncError.detail``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from fsw.core._ffi import check, error, ffi, lib, out, ptr, vec
from fsw.core.errors import GncDomainError, GncError, GncSingularError

__all__ = ["J2_EARTH", "MU_EARTH", "R_EARTH", "coe_from_rv", "j2_rates", "kepler", "lambert",
           "lambert_cause", "lambert_min_tof", "rv_from_coe", "transfer_angle_deg"]

MU_EARTH = 3.986004418e14  #: m^3/s^2 (EGM2008 / WGS 84)
R_EARTH = 6378137.0        #: m, equatorial radius (WGS 84)
J2_EARTH = 1.08262668e-3   #: second zonal harmonic (EGM2008)


def kepler(r0: ArrayLike, v0: ArrayLike, dt: float, mu: float = MU_EARTH
           ) -> tuple[np.ndarray, np.ndarray]:
    """State ``(r, v)`` after ``dt`` s (either sign) on the two-body conic
    through ``(r0, v0)``: elliptic, parabolic or hyperbolic (universal variables)."""
    a, b, r, v = vec(r0, 3, "r0"), vec(v0, 3, "v0"), out(3), out(3)
    check(lib.gnc_kepler(ptr(a), ptr(b), float(dt), float(mu), ptr(r), ptr(v)), "kepler")
    return r, v


def transfer_angle_deg(r1: Sequence[float], r2: Sequence[float], long_way: bool = False
                       ) -> float:
    """The transfer angle (deg, [0, 360]) from r1 to r2 (plain float arithmetic)."""
    a = [float(x) for x in r1]
    b = [float(x) for x in r2]
    c = (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
    ang = math.degrees(math.atan2(math.sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]),
                                  a[0] * b[0] + a[1] * b[1] + a[2] * b[2]))
    return 360.0 - ang if long_way else ang


def lambert_cause(exc: GncError, r1: ArrayLike, r2: ArrayLike, tof: float, nrev: int,
                  long_way: bool, min_tof: Callable[[], float]) -> GncError:
    """The error of a failed Lambert call with its cause named: the transfer
    angle of a singular geometry, the minimum time of flight (``min_tof()``,
    a core call) of a too-short multi-revolution transfer; ``exc`` itself for
    other failures. The same for LocalCore and PacketCore."""
    if isinstance(exc, GncSingularError):
        ang = transfer_angle_deg(np.ravel(r1).tolist(), np.ravel(r2).tolist(), long_way)
        return error(exc.status, "lambert",
                     f"transfer angle {ang:.4f} deg: at 0 or 180 deg the transfer plane "
                     "is undefined", {"transfer_angle_deg": ang})
    if isinstance(exc, GncDomainError) and nrev >= 1:
        try:
            t_min = float(min_tof())
        except GncError:
            return exc
        if float(tof) < t_min:
            return error(exc.status, "lambert",
                         f"time of flight {float(tof):.6g} s is below the minimum "
                         f"{t_min:.6g} s of a {int(nrev)}-revolution transfer",
                         {"tof": float(tof), "tof_min": t_min})
    return exc


def lambert(r1: ArrayLike, r2: ArrayLike, tof: float, mu: float = MU_EARTH, nrev: int = 0,
            long_way: bool = False, branch: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Velocities ``(v1, v2)`` of the conic from ``r1`` to ``r2`` in ``tof`` s
    with ``nrev`` whole revolutions. ``long_way``: transfer angle above pi
    (motion about ``-(r1 x r2)``). For ``nrev >= 1`` ``branch`` 0/1 picks the
    solution below/above the minimum-time point (GncDomainError when
    ``tof`` is below :func:`lambert_min_tof`). GncSingularError for a
    transfer angle of 0 or pi (plane undefined)."""
    a, b, v1, v2 = vec(r1, 3, "r1"), vec(r2, 3, "r2"), out(3), out(3)
    st = lib.gnc_lambert(ptr(a), ptr(b), float(tof), float(mu), int(nrev), int(bool(long_way)),
                         int(branch), ptr(v1), ptr(v2))
    if st:
        raise lambert_cause(error(st, "lambert"), a, b, tof, nrev, long_way,
                            lambda: lambert_min_tof(a, b, nrev, mu, long_way))
    return v1, v2


def lambert_min_tof(r1: ArrayLike, r2: ArrayLike, nrev: int, mu: float = MU_EARTH,
                    long_way: bool = False) -> float:
    """Minimum time of flight (s) of an ``nrev``-revolution transfer (0 for nrev 0)."""
    a, b, t = vec(r1, 3, "r1"), vec(r2, 3, "r2"), ffi.new("double *")
    check(lib.gnc_lambert_min_tof(ptr(a), ptr(b), float(mu), int(nrev), int(bool(long_way)), t),
          "lambert_min_tof")
    return float(t[0])


def coe_from_rv(r: ArrayLike, v: ArrayLike, mu: float = MU_EARTH) -> np.ndarray:
    """Classical elements ``[a, e, i, raan, argp, nu]`` (a negative for a
    hyperbola; angles rad in [0, 2 pi)). Circular: argp 0, nu the argument of
    latitude; equatorial: raan 0, angles from the x axis."""
    a, b, c = vec(r, 3, "r"), vec(v, 3, "v"), out(6)
    check(lib.gnc_coe_from_rv(ptr(a), ptr(b), float(mu), ptr(c)), "coe_from_rv")
    return c


def rv_from_coe(coe: ArrayLike, mu: float = MU_EARTH) -> tuple[np.ndarray, np.ndarray]:
    """Cartesian ``(r, v)`` of classical elements ``[a, e, i, raan, argp, nu]``."""
    c, r, v = vec(coe, 6, "coe"), out(3), out(3)
    check(lib.gnc_rv_from_coe(ptr(c), float(mu), ptr(r), ptr(v)), "rv_from_coe")
    return r, v


def j2_rates(a: float, e: float, i: float, mu: float = MU_EARTH, j2: float = J2_EARTH,
             r_eq: float = R_EARTH) -> np.ndarray:
    """J2 secular rates ``[raan_dot, argp_dot, M_dot]`` (rad/s; M_dot includes
    the mean motion) of an elliptic orbit with semi-major axis a, eccentricity
    e, inclination i (rad)."""
    r = out(3)
    check(lib.gnc_j2_rates(float(a), float(e), float(i), float(mu), float(j2), float(r_eq),
                           ptr(r)), "j2_rates")
    return r
