"""The on-board clock filter of the navigation cycle (native/src/gnc_nav.c,
issue #17): against filterpy's KalmanFilter on the same two-state clock model
(fixes with gaps, the covariance carried through an outage), its gate and
reset on a clock jump, and the cycle itself: on-board times off TAI by a
constant give the relative solution of the same cycle run on TAI."""

from __future__ import annotations

import math

import numpy as np
import pytest
from filterpy.kalman import KalmanFilter
from test_nav import T0, Truth

from fsw.core.nav import Nav, NavClock, NavConfig, NavInput, NavSource

CLOCK = dict(clock_sigma_b0=1.0, clock_sigma_d0=5e-6, clock_q_wf=2e-19, clock_q_rw=8e-19,
             clock_sigma_pps=2e-7)


def _q(cfg: NavConfig, dt: float) -> np.ndarray:
    q1, q2 = cfg.clock_q_wf, cfg.clock_q_rw
    return np.array([[q1 * dt + q2 * dt**3 / 3.0, q2 * dt**2 / 2.0],
                     [q2 * dt**2 / 2.0, q2 * dt]])


def _clock_truth(rng: np.random.Generator, n: int, b0: float, d0: float, cfg: NavConfig):
    """Offset and frequency offset each second, from the same model (its
    own generator and Cholesky factor)."""
    L = np.linalg.cholesky(_q(cfg, 1.0))
    x = np.array([b0, d0])
    out = [x.copy()]
    for _ in range(n - 1):
        x = np.array([[1.0, 1.0], [0.0, 1.0]]) @ x + L @ rng.standard_normal(2)
        out.append(x.copy())
    return np.array(out)


def test_clock_filter_matches_filterpy_through_an_outage() -> None:
    cfg = NavConfig(**CLOCK)
    rng = np.random.default_rng(17)
    truth = _clock_truth(rng, 900, 0.23, 2e-6, cfg)
    nav = Nav(cfg)
    kf = KalmanFilter(dim_x=2, dim_z=1)
    kf.x = np.zeros((2, 1))
    kf.P = np.diag([cfg.clock_sigma_b0**2, cfg.clock_sigma_d0**2])
    kf.H = np.array([[1.0, 0.0]])
    kf.R = np.array([[cfg.clock_sigma_pps**2]])
    t_kf = None
    seen_outage = False
    for k in range(900):
        t = 1000.0 + k  # TAI of this second (small: a double resolves 1e-13 s here)
        met = t + truth[k, 0]
        fix = not (300 <= k < 600)  # a 5-minute outage
        inp = NavInput(t=met)
        if fix:
            gps_t = t + cfg.clock_sigma_pps * rng.standard_normal()
            inp.gps_t, inp.gps_met = gps_t, met
            inp.gps_r_N, inp.gps_v_N = (7.0e6, 0.0, 0.0), (0.0, 7.5e3, 0.0)
            dt = 0.0 if t_kf is None else met - t_kf
            kf.predict(F=np.array([[1.0, dt], [0.0, 1.0]]), Q=_q(cfg, dt))
            kf.update(np.array([[met - gps_t]]))
            t_kf = met
        out = nav.step(inp)
        state = NavClock(int(out.clock_state))
        assert state & NavClock.DISCIPLINED
        assert bool(state & NavClock.UPDATED) == fix
        # the estimate at this cycle: filterpy's carried to met without update
        dt = met - t_kf
        F = np.array([[1.0, dt], [0.0, 1.0]])
        x = F @ kf.x
        P = F @ kf.P @ F.T + _q(cfg, dt)
        assert out.clock_offset == pytest.approx(x[0, 0], rel=0, abs=1e-12)
        assert out.clock_drift == pytest.approx(x[1, 0], rel=0, abs=1e-15)
        assert out.clock_sigma == pytest.approx(math.sqrt(P[0, 0]), rel=1e-9)
        assert out.clock_sigma_drift == pytest.approx(math.sqrt(P[1, 1]), rel=1e-9)
        assert out.t_est == pytest.approx(met - x[0, 0], rel=0, abs=1e-9)
        # and it holds the truth inside its 3 sigma
        assert abs(out.clock_offset - truth[k, 0]) < 3.0 * out.clock_sigma + 1e-12
        if k == 599:
            seen_outage = True
            # 5 minutes without a fix: the sigma grew, the truth still inside
            assert out.clock_sigma > 2.0 * cfg.clock_sigma_pps
    assert seen_outage


def test_clock_runs_free_before_the_first_fix_and_off_without_the_filter() -> None:
    nav = Nav(NavConfig(**CLOCK))
    out = nav.step(NavInput(t=5000.0))
    assert out.t_est == 5000.0 and out.clock_state == 0
    assert out.clock_sigma == CLOCK["clock_sigma_b0"]
    off = Nav(NavConfig())
    out = off.step(NavInput(t=5000.0, gps_t=4999.0, gps_met=4999.3, gps_r_N=(7.0e6, 0, 0),
                            gps_v_N=(0, 7.5e3, 0)))
    assert out.t_est == 5000.0 and out.clock_state == 0 and out.clock_sigma == 0.0


def test_clock_gate_rejects_a_jump_then_resets_to_it() -> None:
    cfg = NavConfig(**CLOCK, clock_gate=25.0, clock_reset_n=3)
    nav = Nav(cfg)
    b = 0.05
    fix = dict(gps_r_N=(7.0e6, 0.0, 0.0), gps_v_N=(0.0, 7.5e3, 0.0))
    for k in range(60):  # converge on a constant offset
        t = 1000.0 + k
        out = nav.step(NavInput(t=t + b, gps_t=t, gps_met=t + b, **fix))
    assert out.clock_offset == pytest.approx(b, abs=1e-9)
    b += 1e-3  # the clock jumps 1 ms
    states = []
    for k in range(60, 64):
        t = 1000.0 + k
        out = nav.step(NavInput(t=t + b, gps_t=t, gps_met=t + b, **fix))
        states.append(NavClock(int(out.clock_state)))
    assert states[0] & NavClock.REJECTED and not states[0] & NavClock.RESET
    assert states[1] & NavClock.REJECTED and not states[1] & NavClock.RESET
    assert states[2] & NavClock.RESET
    assert states[3] & NavClock.UPDATED and not states[3] & NavClock.REJECTED
    assert out.clock_offset == pytest.approx(b, abs=1e-9)


def test_cycle_on_an_offset_clock_equals_the_cycle_on_tai() -> None:
    """Every on-board time 0.37 s ahead of TAI (the GPS fixes tell by how
    much): after the first fix the relative solution, the target ephemeris
    and the sun are those of the same cycle fed TAI times directly."""
    truth = Truth(200.0)
    b = 0.37
    on, off = Nav(NavConfig(**CLOCK)), Nav(NavConfig())
    for nav in (on, off):
        nav.set_target(truth.r0, truth.v0, T0)
    for k in range(1, 120):
        t = T0 + k
        gps_t = t - 0.2
        r_c, v_c = truth.chaser(gps_t)
        a = off.step(NavInput(t=t, gps_t=gps_t, gps_r_N=r_c, gps_v_N=v_c))
        o = on.step(NavInput(t=t + b, gps_t=gps_t, gps_met=gps_t + b, gps_r_N=r_c,
                             gps_v_N=v_c))
        assert o.source == a.source == NavSource.GPS_EPHEMERIS
        # near 2^31 s a double resolves 0.48 us: t_est is TAI to that
        assert abs(o.t_est - t) < 1e-6
        assert o.clock_offset == pytest.approx(b, abs=1e-6)
        assert np.allclose(o.x_H, a.x_H, rtol=0, atol=1e-5)
        assert np.allclose(o.r_target_N, a.r_target_N, rtol=0, atol=1e-2)
        assert np.allclose(o.sun_N, a.sun_N, rtol=0, atol=1e-12)
    # fed on-board times as if they were TAI, the target would be 0.37 s
    # (about 2.8 km) off along its orbit
    wrong = Nav(NavConfig())
    wrong.set_target(truth.r0, truth.v0, T0)
    w = wrong.step(NavInput(t=t + b, gps_t=gps_t + b, gps_r_N=r_c, gps_v_N=v_c))
    assert np.linalg.norm(np.asarray(w.r_target_N) - np.asarray(o.r_target_N)) > 2000.0


def test_sigma_floor_is_added_to_the_reported_sigma_only() -> None:
    """The floor (a time-tag bias) widens the reported sigma in quadrature
    and leaves the estimate, its frequency and the cycle's time as they are."""
    floor = 2.0**-21 / math.sqrt(12.0)
    a, b = Nav(NavConfig(**CLOCK)), Nav(NavConfig(**CLOCK, clock_sigma_floor=floor))
    for k in range(40):
        t = 1000.0 + k
        kw = dict(t=t + 0.01, gps_t=t, gps_met=t + 0.01 + 1e-7 * (k % 3),
                  gps_r_N=(7.0e6, 0.0, 0.0), gps_v_N=(0.0, 7.5e3, 0.0))
        oa, ob = a.step(NavInput(**kw)), b.step(NavInput(**kw))
        assert (ob.clock_offset, ob.clock_drift, ob.t_est) == (oa.clock_offset, oa.clock_drift,
                                                               oa.t_est)
        assert ob.clock_sigma == pytest.approx(math.hypot(oa.clock_sigma, floor), rel=1e-12)


def test_clock_bits_are_the_dictionarys() -> None:
    """NAV_HK.clock_state carries gnc_nav_clock's bits under the names the
    packet dictionary declares (the task uses the dictionary's class)."""
    from fsw.packets import enums

    assert {m.name: m.value for m in NavClock} == {m.name: m.value for m in enums.NavClock}
