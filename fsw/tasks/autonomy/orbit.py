"""On-board orbit knowledge of the autonomy task: the target's ephemeris
(from the launch notice) and the Hill frame.

The launch-notice telecommand carries the target's orbit as a GCRF state
vector with its epoch (or a TLE, propagated by ``sgp4`` on board: TEME is
taken as the inertial frame, see :class:`TleEphemeris`). The state vector is
propagated on board with two-body + J2 by a fixed-step RK4 (the same force
model as the truth simulation without drag), so the target's position is
known to metres over a mission of hours; the relative-navigation filter takes
over once the sensor sees the target.

Hill frame of the target (DESIGN.md): x radial out, y along-track, z orbit
normal. ``rho`` is the chaser's position relative to the target in Hill axes,
``rho_dot`` its derivative as seen in the rotating frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "J2",
    "MU",
    "R_EARTH",
    "StateEphemeris",
    "TleEphemeris",
    "hill_basis",
    "hill_to_inertial",
    "inertial_to_hill",
]

MU = 3.986004418e14  # m^3/s^2, EGM96/WGS-84
R_EARTH = 6378137.0  # m
J2 = 1.08262668e-3


def _accel(r: np.ndarray) -> np.ndarray:
    return np.array(_accel3(*r))


def _accel3(x: float, y: float, z: float) -> tuple[float, float, float]:
    """Two-body + J2 acceleration on plain floats."""
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    k = -MU / (r2 * rn)
    f = 1.5 * J2 * MU * R_EARTH**2 / (r2 * r2 * rn)
    zz = 5.0 * z * z / r2
    return k * x + f * x * (zz - 1.0), k * y + f * y * (zz - 1.0), k * z + f * z * (zz - 3.0)


def _rk4(r: np.ndarray, v: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    rr, vv = _rk4f(tuple(map(float, r)), tuple(map(float, v)), h)
    return np.array(rr), np.array(vv)


_F3 = tuple[float, float, float]


def _rk4f(r: _F3, v: _F3, h: float) -> tuple[_F3, _F3]:
    """One RK4 step on plain floats: per component the very operations, in the
    very order, of the numpy form (``r + 0.5 * h * v`` is ``r_i + (0.5 * h) *
    v_i``; ``h / 6.0 * (v + 2 * v2 + 2 * v3 + v4)`` is ``(h / 6.0) * (((v_i +
    2 * v2_i) + 2 * v3_i) + v4_i)``), so the results are bit-identical, without
    numpy's per-call overhead on 3-vectors."""
    hh = 0.5 * h
    rx, ry, rz = r
    vx, vy, vz = v
    a1x, a1y, a1z = _accel3(rx, ry, rz)
    r2x, r2y, r2z = rx + hh * vx, ry + hh * vy, rz + hh * vz
    v2x, v2y, v2z = vx + hh * a1x, vy + hh * a1y, vz + hh * a1z
    a2x, a2y, a2z = _accel3(r2x, r2y, r2z)
    r3x, r3y, r3z = rx + hh * v2x, ry + hh * v2y, rz + hh * v2z
    v3x, v3y, v3z = vx + hh * a2x, vy + hh * a2y, vz + hh * a2z
    a3x, a3y, a3z = _accel3(r3x, r3y, r3z)
    r4x, r4y, r4z = rx + h * v3x, ry + h * v3y, rz + h * v3z
    v4x, v4y, v4z = vx + h * a3x, vy + h * a3y, vz + h * a3z
    a4x, a4y, a4z = _accel3(r4x, r4y, r4z)
    h6 = h / 6.0
    return (
        (rx + h6 * (vx + 2 * v2x + 2 * v3x + v4x),
         ry + h6 * (vy + 2 * v2y + 2 * v3y + v4y),
         rz + h6 * (vz + 2 * v2z + 2 * v3z + v4z)),
        (vx + h6 * (a1x + 2 * a2x + 2 * a3x + a4x),
         vy + h6 * (a1y + 2 * a2y + 2 * a3y + a4y),
         vz + h6 * (a1z + 2 * a2z + 2 * a3z + a4z)),
    )


@dataclass
class StateEphemeris:
    """Target ephemeris from a GCRF state vector at ``epoch_tai``, propagated
    forward with two-body + J2 in steps of at most ``step_s``; queries must
    not go backwards in time by more than the cache (the last state)."""

    epoch_tai: float
    r_N: np.ndarray  # noqa: N815 (frame suffix, DESIGN.md)
    v_N: np.ndarray  # noqa: N815
    step_s: float = 10.0

    def __post_init__(self) -> None:
        self.r_N = np.asarray(self.r_N, dtype=float).copy()
        self.v_N = np.asarray(self.v_N, dtype=float).copy()
        if self.r_N.shape != (3,) or self.v_N.shape != (3,):
            raise ValueError("target state must be two 3-vectors")
        if not (np.all(np.isfinite(self.r_N)) and np.all(np.isfinite(self.v_N))):
            raise ValueError("target state is not finite")
        rn = float(np.linalg.norm(self.r_N))
        if not R_EARTH < rn < 10 * R_EARTH:
            raise ValueError(f"target radius {rn:.0f} m is not a LEO orbit")
        self._t = self.epoch_tai

    def state(self, t_tai: float) -> tuple[np.ndarray, np.ndarray]:
        """Position and velocity (GCRF) at ``t_tai`` (>= the last query)."""
        dt = t_tai - self._t
        if dt < -1e-6:
            # propagate backwards from the cached state (rare: a re-plan in the past)
            n = max(1, math.ceil(-dt / self.step_s))
            r, v = tuple(map(float, self.r_N)), tuple(map(float, self.v_N))
            for _ in range(n):
                r, v = _rk4f(r, v, dt / n)
            return np.array(r), np.array(v)
        n = math.ceil(dt / self.step_s) if dt > 0 else 0
        if n:
            r, v = tuple(map(float, self.r_N)), tuple(map(float, self.v_N))
            for _ in range(n):
                r, v = _rk4f(r, v, dt / n)
            self.r_N, self.v_N = np.array(r), np.array(v)
        self._t = t_tai
        return self.r_N.copy(), self.v_N.copy()

    @property
    def mean_motion(self) -> float:
        """Mean motion [rad/s] from the current osculating semi-major axis."""
        r = float(np.linalg.norm(self.r_N))
        v2 = float(self.v_N @ self.v_N)
        a = 1.0 / (2.0 / r - v2 / MU)
        return math.sqrt(MU / a**3)


def _precession(t_tai: float) -> np.ndarray:
    """IAU 1976 precession matrix P, mean J2000 -> mean of date (r_date = P r)."""
    T = (t_tai - 1325419167.816) / 86400.0 / 36525.0
    as2r = math.pi / 180.0 / 3600.0
    zeta = (2306.2181 * T + 0.30188 * T * T + 0.017998 * T**3) * as2r
    z = (2306.2181 * T + 1.09468 * T * T + 0.018203 * T**3) * as2r
    theta = (2004.3109 * T - 0.42665 * T * T - 0.041833 * T**3) * as2r

    def rz(a: float) -> np.ndarray:
        c, s = math.cos(a), math.sin(a)
        return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])

    c, s = math.cos(theta), math.sin(theta)
    ry = np.array([[c, 0.0, -s], [0.0, 1.0, 0.0], [s, 0.0, c]])
    return rz(-z) @ ry @ rz(-zeta)


class TleEphemeris:
    """Target ephemeris from a TLE through ``sgp4``. Its TEME output is turned
    into GCRF by the IAU 1976 precession alone (nutation, below 20 arcsec,
    i.e. under a kilometre here, is neglected: the relative-navigation sensor
    removes that error once the target is in view)."""

    def __init__(self, line1: str, line2: str, tai_minus_utc: float = 37.0) -> None:
        from sgp4.api import Satrec

        self._sat = Satrec.twoline2rv(line1, line2)
        if self._sat.error:
            raise ValueError(f"TLE rejected by sgp4 (error {self._sat.error})")
        self.tai_minus_utc = tai_minus_utc
        self.mean_motion = self._sat.no_kozai / 60.0

    def state(self, t_tai: float) -> tuple[np.ndarray, np.ndarray]:
        """Position and velocity at ``t_tai`` (m, m/s), GCRF."""
        days = (t_tai - self.tai_minus_utc) / 86400.0  # UTC days since 1958-01-01
        whole = math.floor(days)
        err, r, v = self._sat.sgp4(2436204.5 + whole, days - whole)
        if err:
            raise ValueError(f"sgp4 error {err}")
        pt = _precession(t_tai).T
        return pt @ (np.array(r) * 1e3), pt @ (np.array(v) * 1e3)


def cross(a, b) -> np.ndarray:
    """a x b for 3-vectors (numpy's cross is slow for one pair)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                     a[0] * b[1] - a[1] * b[0]])


def hill_basis(r_t: np.ndarray, v_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows x (radial), y (along-track), z (normal) of the target's Hill frame
    in inertial axes, and the frame's angular velocity (inertial axes)."""
    h = cross(r_t, v_t)
    x = r_t / math.sqrt(float(r_t @ r_t))
    z = h / math.sqrt(float(h @ h))
    y = cross(z, x)
    omega = h / float(r_t @ r_t)
    return np.array([x, y, z]), omega


def inertial_to_hill(
    r_t: np.ndarray, v_t: np.ndarray, r_c: np.ndarray, v_c: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The chaser's relative position and rotating-frame velocity in Hill axes."""
    C, omega = hill_basis(r_t, v_t)
    dr = r_c - r_t
    dv = v_c - v_t - cross(omega, dr)
    return C @ dr, C @ dv


def hill_to_inertial(
    r_t: np.ndarray, v_t: np.ndarray, rho: np.ndarray, rho_dot: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`inertial_to_hill`: chaser position and velocity, GCRF."""
    C, omega = hill_basis(r_t, v_t)
    dr = C.T @ rho
    return r_t + dr, v_t + C.T @ rho_dot + cross(omega, dr)
