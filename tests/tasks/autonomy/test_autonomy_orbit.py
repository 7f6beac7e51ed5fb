"""On-board orbit knowledge against independent references: the J2 ephemeris
against scipy's integration, the TLE ephemeris against the world's ERFA
TEME->GCRF conversion of sgp4, Hill-frame round trips."""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import solve_ivp

from fsw.scenario import utc_to_tai
from fsw.tasks.autonomy import orbit
from hil.sim.frames import tle_state
from hil.sim.timescales import epoch_from_utc

ISS1 = "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991"
ISS2 = "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482"


def test_state_ephemeris_matches_scipy_j2() -> None:
    r0 = np.array([6878137.0, 0.0, 0.0])
    v0 = np.array([0.0, 5378.0, 5378.0])
    eph = orbit.StateEphemeris(0.0, r0, v0, step_s=10.0)

    def f(_t, y):
        return np.concatenate((y[3:], orbit._accel(y[:3])))

    sol = solve_ivp(f, (0, 6000.0), np.concatenate((r0, v0)), method="DOP853", rtol=1e-12,
                    atol=1e-6, dense_output=True)
    r, _ = eph.state(6000.0)
    assert np.linalg.norm(r - sol.y[:3, -1]) < 0.1  # RK4 at 10 s over 100 min
    rb, _ = eph.state(3000.0)  # backwards from the cache
    assert np.linalg.norm(rb - sol.sol(3000.0)[:3]) < 0.1


def test_tle_ephemeris_against_erfa_teme_to_gcrf() -> None:
    utc = "2019-12-09T18:00:00Z"
    r_ref, v_ref = tle_state(ISS1, ISS2, epoch_from_utc(utc))
    eph = orbit.TleEphemeris(ISS1, ISS2)
    r, v = eph.state(utc_to_tai(utc))
    # precession only on board: nutation (< 20 arcsec, ~0.65 km at this radius) neglected
    assert np.linalg.norm(r - r_ref) < 800.0
    assert np.linalg.norm(v - v_ref) < 1.0
    assert math.isclose(eph.mean_motion, 2 * math.pi * 15.50103472 / 86400, rel_tol=1e-3)


def test_hill_round_trip() -> None:
    rt = np.array([6878137.0, 1000.0, -500.0])
    vt = np.array([10.0, 5378.0, 5378.0])
    rho, rho_dot = np.array([120.0, -2000.0, 35.0]), np.array([0.1, -0.2, 0.05])
    rc, vc = orbit.hill_to_inertial(rt, vt, rho, rho_dot)
    r2, v2 = orbit.inertial_to_hill(rt, vt, rc, vc)
    assert np.allclose(r2, rho, atol=1e-6) and np.allclose(v2, rho_dot, atol=1e-9)
