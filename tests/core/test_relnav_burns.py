"""The relative-navigation EKF of issue #15 against an independent
implementation and against truth: filterpy's ExtendedKalmanFilter on the
same measurements (range noise constant + fraction of range, azimuth noise
over cos(elevation), burns with execution-error process noise, one draw per
burn), a Monte Carlo through burns at kilometre range whose truth carries
drawn execution errors and camera gaps (NEES inside its chi-square band),
and the gating's recovery (inflate, then reset from the measurement)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from filterpy.kalman import ExtendedKalmanFilter
from fsw_tools.analysis.angles_bank import accel_noise as _q_accel
from scipy.stats import chi2

from fsw.core import relative as rel
from fsw.core import relnav
from fsw.core.errors import GncDomainError

N = 0.0011068
FRAC, DIR = 0.05, math.radians(1.0)


def _h(x: np.ndarray) -> np.ndarray:
    rho = -np.asarray(x[:3], float)
    return np.array([np.linalg.norm(rho), math.atan2(rho[1], rho[0]),
                     math.atan2(rho[2], math.hypot(rho[0], rho[1]))])


def _H(x: np.ndarray) -> np.ndarray:
    """Analytic Jacobian written here (not the core's)."""
    rho = -np.asarray(x[:3], float)
    s2 = rho[0] ** 2 + rho[1] ** 2
    s, R2 = math.sqrt(s2), s2 + rho[2] ** 2
    R = math.sqrt(R2)
    d = np.array([rho / R,
                  [-rho[1] / s2, rho[0] / s2, 0.0],
                  [-rho[0] * rho[2] / (R2 * s), -rho[1] * rho[2] / (R2 * s), s / R2]])
    H = np.zeros((3, 6))
    H[:, :3] = -d
    return H


def _R(cfg: relnav.RelnavConfig, h: np.ndarray) -> np.ndarray:
    sr = cfg.sigma_range + cfg.sigma_range_frac * h[0]
    s_el = cfg.sigma_angle_el if cfg.sigma_angle_el > 0 else cfg.sigma_angle
    return np.diag([sr**2, cfg.sigma_angle**2 / math.cos(h[2]) ** 2, s_el**2])


def _q_burn(D: np.ndarray) -> np.ndarray:
    """Execution-error covariance of a burn of Delta-v D (issue #15: 5 %, 1 deg)."""
    D = np.asarray(D, float)
    return FRAC**2 * np.outer(D, D) + DIR**2 * (D @ D * np.eye(3) - np.outer(D, D))


def _cfg(**kw: float) -> relnav.RelnavConfig:
    base = dict(n=N, sigma_range=0.05, sigma_range_frac=0.005, sigma_angle=4e-4,
                accel_psd=1e-9, gate=0.0, dv_sigma_frac=FRAC, dv_sigma_dir=DIR)
    base.update(kw)
    return relnav.RelnavConfig(**base)


def _wrap(y: np.ndarray) -> np.ndarray:
    y = np.array(y, float)
    y[1] = (y[1] + math.pi) % (2 * math.pi) - math.pi
    return y


@pytest.mark.parametrize("sigma_el", [0.0, 1.5e-4])
def test_matches_filterpy_ekf_through_a_burn_with_range_fraction_noise(sigma_el) -> None:
    cfg = _cfg(sigma_angle_el=sigma_el)
    dt = 1.0
    rng = np.random.default_rng(15)
    x_true = np.array([150.0, -2500.0, 80.0, 0.0, -2 * N * 150.0, 0.0])
    P0 = np.diag([100.0, 100.0, 100.0, 1e-3, 1e-3, 1e-3])
    x0 = x_true + rng.normal(size=6) * np.sqrt(np.diag(P0))
    core = relnav.Relnav(cfg)
    core.reset(x0, P0)
    ref = ExtendedKalmanFilter(dim_x=6, dim_z=3)
    ref.x, ref.P = x0.copy(), P0.copy()
    ref.F = rel.cw_stm(N, dt)
    burn = {20: [0.0, 0.05, 0.01], 21: [0.0, 0.05, 0.01], 22: [0.0, 0.05, 0.01]}
    D = np.zeros(3)
    phi = rel.cw_stm(N, dt)
    for k in range(80):
        dv = np.array(burn.get(k, [0.0, 0.0, 0.0]))
        x_true[3:] += dv
        x_true = phi @ x_true
        z = _h(x_true) + rng.normal(size=3) * [0.05 + 0.005 * 2500, 4e-4, 4e-4]
        meas = None if k in burn else z  # the camera looks away during the burn
        # the reference: burn (one draw per burn + timing), CW, update
        Qb = np.zeros((6, 6))
        if dv.any():
            Qb[3:, 3:] = _q_burn(D + dv) - _q_burn(D)
            D = D + dv
        else:
            D = np.zeros(3)
        ref.x[3:] += dv
        ref.P = ref.P + Qb
        ref.Q = _q_accel(cfg.accel_psd, dt)
        ref.predict()
        if meas is not None:
            ref.update(meas, _H, _h, R=_R(cfg, _h(ref.x)), residual=lambda a, b: _wrap(a - b))
        out = core.step(dt, meas, dv=dv)
        assert out.updated == (meas is not None)
        np.testing.assert_allclose(out.x, ref.x, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(out.P.reshape(6, 6), ref.P, rtol=1e-7, atol=1e-12)


def test_a_burn_split_in_increments_carries_one_execution_error() -> None:
    cfg = _cfg(accel_psd=0.0)
    f = relnav.Relnav(cfg)
    P0 = np.diag([1.0, 1.0, 1.0, 1e-6, 1e-6, 1e-6])
    f.reset([0.0, -1000.0, 0.0, 0.0, 0.0, 0.0], P0)
    inc = np.array([0.003, 0.004, 0.0])
    for _ in range(100):
        out = f.step(0.0, None, dv=inc)
    D = 100 * inc  # |D| = 0.5 m/s
    expect = P0[3:, 3:] + _q_burn(D)
    np.testing.assert_allclose(out.P.reshape(6, 6)[3:, 3:], expect, rtol=1e-9)
    # along the burn: (5 % of 0.5 m/s)^2; across in-plane: (1 deg x 0.5)^2
    u = D / np.linalg.norm(D)
    assert u @ _q_burn(D) @ u == pytest.approx((0.05 * 0.5) ** 2)
    # a step without a Delta-v ends the burn: the next one starts afresh
    f.step(0.0, None)
    before = f.step(0.0, None).P.reshape(6, 6)[3:, 3:]
    after = f.step(0.0, None, dv=inc).P.reshape(6, 6)[3:, 3:]
    np.testing.assert_allclose(after - before, _q_burn(inc), rtol=1e-9)


@pytest.mark.parametrize("dv_dt", [-0.6, 0.35, -3.0])
def test_an_impulse_is_carried_from_its_delivery_time(dv_dt) -> None:
    """``dv_dt``: the step's start minus the time the impulse was delivered.
    The EKF's state after the step is the CW solution with the impulse at its
    own time, integrated here by scipy (the CW equations of motion, the
    impulse added between two integrations): delivered 0.6 or 3 s after the
    start or 0.35 s before it. The impulse at the start instead (the old
    reading) is metres off after 400 s; the covariance is the same."""
    from scipy.integrate import solve_ivp

    def cw(_t, x):
        return [x[3], x[4], x[5], 3 * N * N * x[0] + 2 * N * x[4], -2 * N * x[3],
                -N * N * x[2]]

    def fly(x, t):
        if t == 0.0:
            return np.asarray(x, float)
        return solve_ivp(cw, (0.0, t), x, rtol=1e-12, atol=1e-12, method="DOP853").y[:, -1]

    cfg = _cfg(accel_psd=1e-10)
    x0 = np.array([120.0, -900.0, 40.0, 0.05, 0.2, -0.03])
    P0 = np.diag([1.0, 1.0, 1.0, 1e-6, 1e-6, 1e-6])
    dv = np.array([0.4, -1.1, 0.3])
    dt = 400.0
    f, g = relnav.Relnav(cfg), relnav.Relnav(cfg)
    f.reset(x0, P0)
    g.reset(x0, P0)
    out = f.step(dt, None, dv=dv, dv_dt=dv_dt)
    old = g.step(dt, None, dv=dv)
    tau = -dv_dt  # the delivery after the start
    if tau >= 0.0:
        x = fly(x0, tau)
        x[3:] += dv
        truth = fly(x, dt - tau)
    else:  # delivered before the start: x0 is the state without it
        x = fly(np.r_[0.0, 0.0, 0.0, dv], -tau)
        truth = fly(x0 + x, dt)
    np.testing.assert_allclose(out.x, truth, rtol=0, atol=1e-8)
    assert np.linalg.norm(old.x[:3] - truth[:3]) > 0.3 * np.linalg.norm(dv) * abs(dv_dt)
    np.testing.assert_allclose(out.P, old.P, rtol=1e-12)
    with pytest.raises(GncDomainError):
        f.step(1.0, None, dv=dv, dv_dt=math.nan)


def test_the_floor_of_the_execution_error_is_drawn_once_per_burn() -> None:
    """dv_sigma_floor (m/s per axis, whatever the burn's size: the small
    thrusters' translations miss their direction by 1-2 deg) enters the
    velocity covariance once per burn, at its first increment."""
    fl = 1e-3
    cfg = _cfg(accel_psd=0.0, dv_sigma_floor=fl)
    f = relnav.Relnav(cfg)
    P0 = np.diag([1.0, 1.0, 1.0, 1e-6, 1e-6, 1e-6])
    f.reset([0.0, -1000.0, 0.0, 0.0, 0.0, 0.0], P0)
    inc = np.array([0.0002, -0.0001, 0.00005])
    first = f.step(0.0, None, dv=inc).P.reshape(6, 6)[3:, 3:]
    np.testing.assert_allclose(first, P0[3:, 3:] + _q_burn(inc) + fl**2 * np.eye(3),
                               rtol=1e-9)
    for _ in range(49):
        out = f.step(0.0, None, dv=inc)
    np.testing.assert_allclose(out.P.reshape(6, 6)[3:, 3:],
                               P0[3:, 3:] + _q_burn(50 * inc) + fl**2 * np.eye(3), rtol=1e-9)
    # a coast ends the burn; the next burn draws the floor again
    f.step(0.0, None)
    before = f.step(0.0, None).P.reshape(6, 6)[3:, 3:]
    after = f.step(0.0, None, dv=inc).P.reshape(6, 6)[3:, 3:]
    np.testing.assert_allclose(after - before, _q_burn(inc) + fl**2 * np.eye(3), rtol=1e-9)
    with pytest.raises(GncDomainError):
        relnav.Relnav(_cfg(dv_sigma_floor=-1e-3))


def _mc_through_burns(runs: int, seed: int, told: bool = True) -> np.ndarray:
    """Position NEES per run and step: truth CW + white acceleration, three
    burns per run each spread over 30 s with a drawn execution error
    (magnitude 5 %, direction 1 deg, one draw per burn), the camera off during
    each burn and 60 s after it (slew back), range 1.5-3 km. ``told``: the
    filter knows the execution-error statistics (else it assumes none)."""
    cfg = _cfg(accel_psd=1e-9) if told else _cfg(accel_psd=1e-9, dv_sigma_frac=0.0,
                                                   dv_sigma_dir=0.0)
    dt, steps = 1.0, 900
    rng = np.random.default_rng(seed)
    phi = rel.cw_stm(N, dt)
    Lq = np.linalg.cholesky(_q_accel(cfg.accel_psd, dt) + 1e-30 * np.eye(6))
    P0 = np.diag([25.0, 100.0, 25.0, 1e-4, 1e-4, 1e-4])
    L0 = np.linalg.cholesky(P0)
    nees = np.zeros((runs, steps))
    starts = (100, 400, 650)
    for r in range(runs):
        x = np.array([0.0, -3000.0, 0.0, 0.0, 0.0, 0.0])
        f = relnav.Relnav(cfg)
        f.reset(x + L0 @ rng.normal(size=6), P0)
        plan = {}
        for s in starts:
            dv = rng.normal(size=3) * 0.05 + [0.0, 0.15, 0.0]
            # truth: one magnitude and one direction error for the whole burn
            mag = 1.0 + FRAC * rng.normal()
            axis = np.cross(dv, rng.normal(size=3))
            axis /= np.linalg.norm(axis)
            ang = DIR * rng.normal()
            rot = (np.cos(ang) * np.eye(3) + np.sin(ang) * np.array(
                [[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
                + (1 - np.cos(ang)) * np.outer(axis, axis))
            for k in range(30):
                plan[s + k] = (dv / 30, mag * rot @ (dv / 30))
        for j in range(steps):
            cmd, act = plan.get(j, (np.zeros(3), np.zeros(3)))
            x[3:] += act
            x = phi @ x + Lq @ rng.normal(size=6)
            gap = any(s <= j < s + 90 for s in starts)
            h = _h(x)
            z = None if gap else h + rng.normal(size=3) * [
                cfg.sigma_range + cfg.sigma_range_frac * h[0], cfg.sigma_angle / math.cos(h[2]),
                cfg.sigma_angle]
            out = f.step(dt, z, dv=cmd)
            e = out.x[:3] - x[:3]
            nees[r, j] = e @ np.linalg.solve(out.P.reshape(6, 6)[:3, :3], e)
    return nees


def test_consistent_through_burns_and_camera_gaps_at_km_range() -> None:
    runs = 40
    nees = _mc_through_burns(runs, seed=1515)
    lo, hi = chi2.ppf(0.025, 3 * runs) / runs, chi2.ppf(0.975, 3 * runs) / runs
    avg = nees.mean(axis=0)
    inside = np.mean((avg >= lo) & (avg <= hi))
    # a consistent filter keeps the average NEES in its 95 % band at ~95 % of epochs
    assert inside >= 0.90, (inside, avg.min(), avg.max())
    assert 2.7 < nees.mean() < 3.3
    assert np.all(np.isfinite(nees))


def test_execution_noise_is_needed_for_consistency() -> None:
    """The same truth, the filter told of no execution error: the average NEES
    after the later burns leaves its band (the model is what keeps it in)."""
    runs = 20
    nees = _mc_through_burns(runs, seed=7, told=False)
    hi = chi2.ppf(0.975, 3 * runs) / runs
    assert nees.mean(axis=0)[660:900].mean() > 2 * hi


def test_gating_recovers_inflate_then_reset_from_the_measurement() -> None:
    cfg = _cfg(gate=16.27, reject_inflate_n=5, reject_reset_n=15, inflate=10.0)
    f = relnav.Relnav(cfg)
    x = np.array([0.0, -2000.0, 0.0, 0.0, 0.0, 0.0])
    P0 = np.diag([1.0, 1.0, 1.0, 1e-6, 1e-6, 1e-6])
    f.reset(x, P0)
    # the target is really 300 m farther along-track than the estimate says
    z = _h(np.array([0.0, -2300.0, 0.0]))
    recov = []
    for k in range(15):
        p_before = f.step(0.0, None).P.reshape(6, 6)
        out = f.step(0.0, z)
        recov.append(int(out.recovery))
        assert out.rejected == 1
        if k == 4:
            d = np.diag([10.0**0.5] * 3 + [1.0] * 3)
            np.testing.assert_allclose(out.P.reshape(6, 6), d @ p_before @ d, rtol=1e-12)
    assert recov[4] == 1 and recov[14] == 2 and recov.count(1) == 1 and recov.count(2) == 1
    assert out.consecutive == 0
    np.testing.assert_allclose(out.x[:3], [0.0, -2300.0, 0.0], atol=1e-6)
    # the position covariance is the measurement's: range sigma along y
    sr = cfg.sigma_range + cfg.sigma_range_frac * 2300.0
    assert out.P[7] == pytest.approx(sr**2, rel=1e-9)
    assert out.P[0] == pytest.approx((2300.0 * cfg.sigma_angle) ** 2 / math.cos(0.0) ** 2,
                                     rel=1e-9)
    # and the next measurement is accepted
    nxt = f.step(1.0, _h(np.array([0.0, -2300.0, 0.0])))
    assert nxt.updated == 1 and nxt.rejected == 0
