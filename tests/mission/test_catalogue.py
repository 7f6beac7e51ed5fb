"""The launch notice's catalogue error (issue #15, build 2): the world draws
it (fsw_tools.mission.catalogue), the flight software assumes its covariance
(gnc_nav's target_sigma, reported by the GPS filter before the camera sees
the target). The two are checked against each other over 4,000 seeds, the
drawn state against the truth through an independent Hill frame written
here, and the drift against a Clohessy-Wiltshire propagation (scipy)."""

from __future__ import annotations

import math

import numpy as np
from fsw_tools.mission.catalogue import catalogue_error, catalogue_state
from scipy.integrate import solve_ivp

from fsw.constants import MU_EARTH
from fsw.core.nav import Nav, NavConfig, NavInput

SIG = (200.0, 2000.0, 150.0)
DRIFT = 0.004
R0 = 6_878_137.0
N = math.sqrt(MU_EARTH / R0**3)


def test_drawn_errors_have_the_covariance_the_navigation_assumes() -> None:
    draws = np.array([catalogue_error(s, SIG, DRIFT, N) for s in range(4000)])
    C = np.cov(draws.T)
    # the navigation's reported covariance of the GPS filter's solution: the
    # notice's (target_sigma) on top of the GPS part (sigma_gps tiny here)
    nav = Nav(NavConfig(target_sigma=(*SIG, DRIFT), sigma_gps_pos=1e-6, sigma_gps_vel=1e-9,
                        n_default=N))
    r, v = np.array([R0, 0.0, 0.0]), np.array([0.0, N * R0, 0.0])
    nav.set_target(r, v, 0.0)
    out = nav.step(NavInput(t=1.0, gps_t=1.0, gps_r_N=r + np.array([0.0, 0.0, 10.0]),
                            gps_v_N=v, q_BN=(1.0, 0.0, 0.0, 0.0)))
    n = float(out.mean_motion)
    pos = np.array(out.cov_pos)[[0, 3, 5]]
    vel = np.array(out.cov_vel)[[0, 3, 5]]
    # each variance within its sampling error (4,000 draws: ~2.2 % 1-sigma; 5 sigma)
    np.testing.assert_allclose(np.diag(C)[:3], pos, rtol=0.11)
    np.testing.assert_allclose(np.diag(C)[3:], vel, rtol=0.11)
    # the along-track rate's bounded part: correlated with the radial error
    assert C[0, 4] == np.clip(C[0, 4], -2 * n * SIG[0] ** 2 * 1.11, -2 * n * SIG[0] ** 2 * 0.89)
    assert abs(np.corrcoef(draws[:, 0], draws[:, 1])[0, 1]) < 0.1


def _hill_basis(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    x = r / np.linalg.norm(r)
    z = np.cross(r, v)
    z /= np.linalg.norm(z)
    return np.array([x, np.cross(z, x), z])


def test_the_notice_state_is_the_truth_displaced_by_the_drawn_error() -> None:
    r = np.array([R0 * 0.6, R0 * 0.8, 0.0])
    v = np.array([-0.8, 0.6, 0.1]) * N * R0 / math.sqrt(1.01)
    rc, vc, err = catalogue_state(r, v, 11, SIG, DRIFT, MU_EARTH)
    C = _hill_basis(r, v)
    w = np.cross(r, v) / (r @ r)
    d = np.array(rc) - r
    np.testing.assert_allclose(C @ d, err[:3], atol=1e-6)
    np.testing.assert_allclose(C @ (np.array(vc) - v - np.cross(w, d)), err[3:], atol=1e-9)
    # no error asked: the truth itself
    r0, v0, e0 = catalogue_state(r, v, 11, (0.0, 0.0, 0.0), 0.0, MU_EARTH)
    assert r0 == tuple(r) and v0 == tuple(v) and e0 == (0.0,) * 6


def test_the_error_drifts_along_track_by_minus_three_times_its_drift_rate() -> None:
    """CW from the drawn error with the drift's part removed stays bounded;
    with it, it drifts by -3 x the rate per second (one orbit, scipy)."""

    def cw(_t: float, s: np.ndarray) -> np.ndarray:
        x, _y, z, vx, vy, vz = s
        return [vx, vy, vz, 3 * N * N * x + 2 * N * vy, -2 * N * vx, -N * N * z]

    T = 2 * math.pi / N
    for seed in (3, 4):
        e = np.array(catalogue_error(seed, SIG, DRIFT, N))
        eps = e[4] + 2 * N * e[0]  # the drift's draw
        end = solve_ivp(cw, (0.0, T), e, rtol=1e-11, atol=1e-9).y[:, -1]
        assert abs(end[1] - e[1] - (-3.0 * eps * T)) < 1e-3 * max(1.0, abs(eps * T))
        e[4] -= eps
        bounded = solve_ivp(cw, (0.0, T), e, rtol=1e-11, atol=1e-9).y[:, -1]
        assert abs(bounded[1] - e[1]) < 1e-3
