"""Orbit elements and the TEME -> N conversion of TLE states (time scales:
:mod:`hil.sim.timescales`).

**Elements -> state** is computed by the simulation core
(``sim_kepler_to_rv``: the project's elementary functions, the same bits on
every machine). :func:`rv_to_kepler` (numpy) is for tests and analysis only:
nothing the packet stream depends on goes through it.

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

TLE inputs stay on sgp4 + ERFA (and numpy) for now: a scenario whose target
is a TLE does not start from the same bits on every machine. The cores will
carry SGP4 (another change); the default scenarios give the target as
elements.
"""

from __future__ import annotations

import math

import erfa
import numpy as np
from sgp4.api import Satrec

from fsw.constants import MU_EARTH
from fsw.errors import UserError
from hil.sim._native import ffi, lib
from hil.sim.timescales import Epoch, epoch_from_jd_utc


def kepler_to_rv(a: float, e: float, inc: float, raan: float, argp: float, nu: float,
                 mu: float = MU_EARTH) -> tuple[np.ndarray, np.ndarray]:
    """Position [m] and velocity [m/s] from osculating elements (angles in rad),
    computed by the simulation core."""
    r, v = ffi.new("double[3]"), ffi.new("double[3]")
    if lib.sim_kepler_to_rv(mu, a, e, inc, raan, argp, nu, r, v):
        raise UserError(f"orbit elements need a > 0 and 0 <= e < 1, finite angles "
                        f"(a={a}, e={e})")
    return np.array(list(r)), np.array(list(v))


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
    """The TLE's own epoch (through ERFA, see :func:`epoch_from_jd_utc`)."""
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
