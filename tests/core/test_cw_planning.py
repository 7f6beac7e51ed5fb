"""On-board relative-motion planning (native/src/gnc_relative.c): CW
transfers with in-plane and cross-track solved apart, the least-Delta-v
transfer time, the constant-range circumnavigation and collision avoidance,
against scipy (matrix exponential of the CW system, solve_ivp, brute force)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm
from scipy.optimize import brentq, minimize_scalar

from fsw.core import relative
from fsw.core.errors import GncDomainError, GncSingularError
from fsw.core.relative import CwFlag

N = 0.0011
A = np.zeros((6, 6))
A[:3, 3:] = np.eye(3)
A[3, 0], A[3, 4], A[4, 3], A[5, 2] = 3 * N * N, 2 * N, -2 * N, -N * N
RNG = np.random.default_rng(77)


def phi(t: float) -> np.ndarray:
    return expm(A * t)


def test_transfer_reaches_the_target_under_expm_propagation() -> None:
    for _ in range(100):
        x0 = np.r_[RNG.uniform(-3e3, 3e3, 3), RNG.uniform(-1, 1, 3)]
        r_f = RNG.uniform(-500, 500, 3)
        tof = RNG.uniform(200.0, 0.95 * 2 * math.pi / N)
        if abs(math.sin(N * tof)) < 2e-3:
            continue
        v_dep, v_arr, flags = relative.cw_transfer(N, x0, r_f, tof)
        assert flags == 0
        xf = phi(tof) @ np.r_[x0[:3], v_dep]
        assert np.allclose(xf[:3], r_f, rtol=0, atol=1e-6)
        assert np.allclose(xf[3:], v_arr, rtol=0, atol=1e-9)
        dv1, dv2 = relative.cw_two_impulse(N, x0, r_f, tof, v_f=(0.1, 0.0, 0.0))
        assert np.allclose(dv1, v_dep - x0[3:], rtol=0, atol=1e-12)
        assert np.allclose(dv2, np.array([0.1, 0.0, 0.0]) - v_arr, rtol=0, atol=1e-12)


def test_half_orbit_transfer_works_and_flags_the_cross_track_part() -> None:
    tof = math.pi / N
    x0 = np.array([50.0, -2000.0, 30.0, 0.01, 0.0, -0.02])
    r_f = np.array([0.0, -300.0, 80.0])
    v_dep, v_arr, flags = relative.cw_transfer(N, x0, r_f, tof)
    assert flags == CwFlag.CROSS_UNCONTROLLED
    assert v_dep[2] == x0[5]  # the cross-track velocity is kept
    xf = phi(tof) @ np.r_[x0[:3], v_dep]
    assert np.allclose(xf[:2], r_f[:2], rtol=0, atol=1e-6)  # in plane: reached
    assert xf[2] == pytest.approx(-x0[2], abs=1e-6)          # z_f = cos(pi) z0
    assert np.allclose(xf[3:], v_arr, rtol=0, atol=1e-9)
    # the classic half-orbit hop along V-bar: a radial impulse only
    dv1, _ = relative.cw_two_impulse(N, [0, -1000.0, 0, 0, 0, 0], [0, -100.0, 0], tof)
    assert dv1 == pytest.approx([-900.0 * N / 4.0, 0.0, 0.0], abs=1e-9)


def _inplane_det(theta: float) -> float:
    return float(np.linalg.det(phi(theta / N)[:2, 3:5]))


@pytest.mark.parametrize("bracket", [(5.5, 7.0), (7.5, 9.5), (12.0, 13.5)])
def test_near_singular_times_of_flight_are_refused(bracket) -> None:
    """Where the in-plane block of the STM is singular (found here by Brent on
    its determinant: 2 pi k, and 8.43 rad, ...) the transfer is refused within
    1e-3 rad and solved outside 2e-3 rad."""
    root = brentq(_inplane_det, *bracket, xtol=1e-13)
    x0 = np.array([100.0, -1500.0, 0.0, 0.0, 0.1, 0.0])
    for off in (0.0, 4e-4, -4e-4, 9e-4):
        with pytest.raises(GncSingularError):
            relative.cw_transfer(N, x0, [0.0, -200.0, 0.0], (root + off) / N)
    for off in (2e-3, -2e-3):
        v_dep, _, _ = relative.cw_transfer(N, x0, [0.0, -200.0, 0.0], (root + off) / N)
        xf = phi((root + off) / N) @ np.r_[x0[:3], v_dep]
        assert np.allclose(xf[:3], [0.0, -200.0, 0.0], rtol=0, atol=1e-4)


def _min_distance(y0: np.ndarray, tof: float) -> float:
    """Closest approach to the origin over [0, tof]: dense samples (the STM of
    one sample step applied repeatedly), then a bounded scalar minimisation."""
    m = 400
    step = phi(tof / m)
    ys = [y0]
    for _ in range(m):
        ys.append(step @ ys[-1])
    d = np.linalg.norm(np.array(ys)[:, :3], axis=1)
    k = int(np.argmin(d))
    lo, hi = tof * max(k - 1, 0) / m, tof * min(k + 1, m) / m
    res = minimize_scalar(lambda t: float(np.linalg.norm((phi(t) @ y0)[:3])),
                          bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    return min(float(d[k]), float(res.fun))


def _brute_best(x0, r_f, v_f, grid, min_range):
    """Independent search: the 3x3 position/velocity block of expm solved
    with numpy, cost |dv1| + |dv2|, range constraint by :func:`_min_distance`."""
    best = None
    for tof in grid:
        P = phi(tof)
        rv = P[:3, 3:]
        if np.linalg.cond(rv) > 1e6:
            continue
        v = np.linalg.solve(rv, r_f - P[:3, :3] @ x0[:3])
        arr = P[3:, :3] @ x0[:3] + P[3:, 3:] @ v
        cost = np.linalg.norm(v - x0[3:]) + np.linalg.norm(v_f - arr)
        if best is not None and cost >= best[1]:
            continue
        if min_range > 0 and _min_distance(np.r_[x0[:3], v], tof) <= min_range:
            continue
        best = (tof, cost, v - x0[3:], v_f - arr)
    return best


def test_best_transfer_matches_a_brute_force_search() -> None:
    # from behind the target to ahead of it: the cheapest transfers pass near it
    x0 = np.array([0.0, -3000.0, 50.0, 0.0, 0.0, 0.0])
    r_f = np.array([0.0, 3000.0, 0.0])
    v_f = np.zeros(3)
    grid = np.arange(600.0, 9000.0 + 1e-9, 300.0)
    chosen = set()
    for min_range in (0.0, 1500.0):
        tof, dv1, dv2 = relative.cw_best_transfer(N, x0, r_f, v_f, 600.0, 9000.0, 300.0,
                                                  min_range)
        ref = _brute_best(x0, r_f, v_f, grid, min_range)
        assert tof == ref[0], min_range
        assert np.allclose(dv1, ref[2], atol=1e-9) and np.allclose(dv2, ref[3], atol=1e-9)
        chosen.add(tof)
    assert len(chosen) == 2  # the range constraint changed the choice
    with pytest.raises(GncDomainError):
        relative.cw_best_transfer(N, x0, r_f, v_f, 600.0, 900.0, 300.0, 1e6)


def test_nmc_keeps_its_range_over_an_orbit_and_its_velocity_is_consistent() -> None:
    period = 2 * math.pi / N
    for radius, phase in ((200.0, math.pi / 2), (75.0, 0.3), (1000.0, -2.0)):
        x = relative.nmc_state(N, radius, phase)
        assert np.linalg.norm(x[:3]) == pytest.approx(radius, rel=1e-14)
        for t in np.linspace(0.0, period, 37):
            y = phi(t) @ x
            assert np.linalg.norm(y[:3]) == pytest.approx(radius, rel=1e-9)
            # the velocity through each point of the circle is the circle's own
            assert np.allclose(relative.nmc_velocity(N, y[:3]), y[3:], rtol=0,
                               atol=1e-9 * radius * N)
    # from any position: a drift-free orbit centred on the target (periodic)
    r = np.array([120.0, -300.0, 45.0])
    x0 = np.r_[r, relative.nmc_velocity(N, r)]
    assert np.allclose(phi(period) @ x0, x0, rtol=0, atol=1e-7)
    ys = [(phi(t) @ x0)[1] for t in np.linspace(0, period, 200, endpoint=False)]
    assert abs(np.mean(ys)) < 1e-6 * 300.0


def _cw_rhs(_t, y):
    return A @ y


def test_avoidance_impulse_matches_brute_force_with_integrated_cw() -> None:
    horizon = 2 * math.pi / N
    for x0 in (np.array([0.0, -300.0, 0.0, 0.0, 0.3, 0.0]),
               np.array([40.0, 200.0, 10.0, -0.05, -0.25, 0.0])):
        dv, d_min = relative.cw_avoidance(N, x0, 0.3, horizon)
        best, best_d = None, -1.0
        for axis in range(3):
            for sign in (1.0, -1.0):
                imp = np.zeros(3)
                imp[axis] = sign * 0.3
                sol = solve_ivp(_cw_rhs, (0.0, horizon), np.r_[x0[:3], x0[3:] + imp],
                                method="DOP853", rtol=1e-11, atol=1e-9, dense_output=True)
                ts = np.linspace(0.0, horizon, 20001)
                d = float(np.min(np.linalg.norm(sol.sol(ts)[:3], axis=0)))
                if d > best_d:
                    best, best_d = imp, d
        assert np.array_equal(dv, best)
        assert d_min == pytest.approx(best_d, rel=1e-4)
