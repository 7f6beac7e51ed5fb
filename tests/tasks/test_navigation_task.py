"""The navigation task driven by packets alone: the target orbit, GPS fixes,
sensor measurements, attitude and burn reports in; NAV_STATE and NAV_HK out.
Relative states are checked against an independent Hill-frame computation
(numpy) of the inputs the test gave."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsw.core.guidance import LocalCore
from fsw.core.nav import NavFlag
from fsw.packets import DICTIONARY
from fsw.packets.enums import BurnStatusState
from fsw.scenario import Scenario
from fsw.tasks.navigation import NavigationTask

MU = 3.986004418e14
R0 = 6378137.0 + 500e3
INC = math.radians(51.6)
R_T = np.array([R0, 0.0, 0.0])
#: the on-board clock's lead on TAI in these tests (seconds)
CLOCK_AHEAD = 0.02
V_T = math.sqrt(MU / R0) * np.array([0.0, math.cos(INC), math.sin(INC)])


def _hill(r, v) -> np.ndarray:
    x = r / np.linalg.norm(r)
    z = np.cross(r, v)
    z /= np.linalg.norm(z)
    return np.array([x, np.cross(z, x), z])


def _chaser(rho_H, rho_dot_H=(0.0, 0.0, 0.0)):
    """The chaser's inertial state for a Hill offset from the target at R_T, V_T."""
    C = _hill(R_T, V_T)
    omega = np.cross(R_T, V_T) / (R_T @ R_T)
    dr = C.T @ np.asarray(rho_H, float)
    return R_T + dr, V_T + C.T @ np.asarray(rho_dot_H, float) + np.cross(omega, dr)


def _adcs_state(t: float, R_BN, rate_B=(0.0, 0.0, 0.0)) -> bytes:
    """A valid ADCS_STATE at time t for the attitude matrix R_BN (v_B = R_BN v_N)."""
    from scipy.spatial.transform import Rotation

    q = Rotation.from_matrix(R_BN).as_quat()  # x, y, z, w (passive = body coords)
    return DICTIONARY["ADCS_STATE"].build(
        t_tai=t, mode=4, valid=1, q_BN=(q[3], q[0], q[1], q[2]), rate_B=tuple(rate_B),
        att_error=0.0, h_wheels=0.0, h_B=(0.0, 0.0, 0.0),
        wheels_ok=15, flags=1, st_age=0.0, att_sigma=1e-5,
        att_sigma_B=(1e-5,) * 3, heads_used=6, heads_valid=6, st_rejected=0)


class Drive:
    def __init__(self, ctx, exact_target: bool = False) -> None:
        self.ctx = ctx
        self.sc = Scenario()
        if exact_target:  # the notice is the truth: no catalogue error assumed
            self.sc.target.catalogue_sigma_rtn_m = [0.0, 0.0, 0.0]
            self.sc.target.catalogue_drift_sigma_mps = 0.0
        self.core = LocalCore()
        self.task = NavigationTask(self.sc, self.core)
        self.task.init(ctx)

    def target(self, r=R_T, v=V_T) -> None:
        self.ctx.deliver(DICTIONARY["TARGET_ORBIT"].build(
            t_tai=self.ctx.t, form=1, tle1="", tle2="", epoch_tai=self.ctx.t,
            r_N=tuple(r), v_N=tuple(v)))

    def gps(self, r, v) -> None:
        # the on-board clock 20 ms ahead of TAI: the fix's GPS time tells
        self.ctx.deliver(DICTIONARY["GPS"].build(t_tai=self.ctx.t, r_N=tuple(r), v_N=tuple(v),
                                                 valid=1, obc_time=self.ctx.t + CLOCK_AHEAD,
                                                 gps_time=self.ctx.t))

    def no_fix(self) -> None:
        """A receiver message without a fix: the clock is read all the same."""
        self.ctx.deliver(DICTIONARY["GPS"].build(t_tai=self.ctx.t, r_N=(0.0,) * 3,
                                                 v_N=(0.0,) * 3, valid=0,
                                                 obc_time=self.ctx.t + CLOCK_AHEAD,
                                                 gps_time=0.0))

    def step(self) -> object:
        self.task.step(self.ctx.t)
        return self.ctx.of("NAV_STATE")[-1]


@pytest.fixture
def drive(ctx) -> Drive:
    return Drive(ctx)


@pytest.fixture
def drive_exact(ctx) -> Drive:
    return Drive(ctx, exact_target=True)


def test_no_cycle_before_the_first_clock_reading(drive) -> None:
    """The on-board time comes from the clock read at the receiver's PPS:
    before the first receiver message there is none, and no cycle runs."""
    drive.task.step(drive.ctx.t)
    assert not drive.ctx.of("NAV_STATE")
    assert drive.task.counts["no_clock"] == 1


def test_clock_disciplined_by_the_first_fix(drive) -> None:
    drive.target()
    drive.gps(*_chaser((0.0, -3000.0, 0.0)))
    drive.step()
    (ev,) = [e for e in drive.ctx.events if "clock disciplined" in e[2]]
    assert "+0.020000 s" in ev[2]
    for _ in range(drive.task.hk_every - 1):
        drive.ctx.t += 1.0
        drive.gps(*_chaser((0.0, -3000.0, 0.0)))
        drive.step()
    (hk,) = drive.ctx.of("NAV_HK")
    assert hk.clock_state & 1
    assert hk.clock_offset == pytest.approx(CLOCK_AHEAD, abs=1e-6)
    assert 0.0 < hk.clock_sigma < 1e-6
    assert hk.clock_rejected == 0 and hk.clock_resets == 0


def test_without_a_target_the_sun_is_still_published(drive) -> None:
    drive.no_fix()
    nav = drive.step()
    assert nav.valid == 0 and nav.source == 0
    assert NavFlag(nav.flags) & NavFlag.TARGET_UNKNOWN
    # no fix yet: the flight software flies on its free-running clock
    t_obc = drive.ctx.t + CLOCK_AHEAD
    assert nav.sun_N == pytest.approx(drive.core.sun_direction(t_obc), abs=0)
    assert nav.sun_N != pytest.approx(drive.core.sun_direction(drive.ctx.t), abs=1e-10)
    assert math.isclose(np.linalg.norm(nav.sun_N), 1.0, rel_tol=1e-12)


def test_gps_minus_ephemeris_gives_the_hill_state(drive) -> None:
    drive.target()
    rho = (120.0, -3000.0, 40.0)
    r_c, v_c = _chaser(rho, (0.01, 0.2, 0.0))
    drive.gps(r_c, v_c)
    nav = drive.step()
    assert nav.valid == 1 and nav.source == 1  # gps_ephemeris
    assert np.allclose(nav.rho_H, rho, atol=1e-6)
    assert np.allclose(nav.rho_dot_H, (0.01, 0.2, 0.0), atol=1e-9)
    assert np.allclose(nav.r_rel_N, R_T - r_c, atol=1e-6)
    assert np.allclose(nav.r_target_N, R_T, atol=1e-9)
    n = np.cross(r_c, v_c)
    assert np.allclose(nav.normal_N, n / np.linalg.norm(n), atol=1e-12)
    assert nav.sigma_pos > 0


def test_no_gps_makes_the_solution_invalid_after_persistence(drive) -> None:
    drive.target()
    r_c, v_c = _chaser((0.0, -3000.0, 0.0))
    drive.gps(r_c, v_c)
    assert drive.step().valid == 1
    p = drive.sc.fdir.persistence
    for _ in range(p + 6):  # GPS silent: stale after its max age, then lost
        drive.ctx.t += 1.0
        nav = drive.step()
    assert nav.valid == 0
    assert NavFlag(nav.flags) & NavFlag.GPS_STALE
    for _ in range(p):  # fixes again: valid after as many good cycles
        drive.ctx.t += 1.0
        drive.gps(*_chaser((0.0, -3000.0, 0.0)))
        nav = drive.step()
    assert nav.valid == 1


def test_sensor_track_starts_the_relative_filter(drive) -> None:
    drive.target()
    rho = np.array([0.0, -1000.0, 0.0])  # behind the target on V-bar
    drive.gps(*_chaser(rho))
    drive.step()
    # attitude: the camera (+z body) looks along +y Hill (at the target)
    C = _hill(R_T, V_T)
    # body axes in inertial: z_B = +y_H, x_B = x_H, y_B = z_B x x_B
    zb, xb = C[1], C[0]
    R_BN = np.array([xb, np.cross(zb, xb), zb])
    drive.ctx.deliver(_adcs_state(drive.ctx.t, R_BN))
    drive.ctx.t += 1.0
    drive.gps(*_chaser(rho))
    drive.ctx.deliver(DICTIONARY["RELNAV"].build(t_tai=drive.ctx.t, range=1000.0, azimuth=0.0,
                                                 elevation=0.0, valid=1, ranged=1))
    # a bearing-only sample (ranged 0) of the same cycle does not displace
    # the ranged one (the EKF starts on the range and bearing)
    drive.ctx.deliver(DICTIONARY["RELNAV"].build(t_tai=drive.ctx.t, range=0.0, azimuth=0.01,
                                                 elevation=0.0, valid=1, ranged=0))
    nav = drive.step()
    assert drive.task.counts["dropped"] == 0
    assert nav.source == 2
    assert NavFlag(nav.flags) & NavFlag.EKF_STARTED
    assert np.allclose(nav.rho_H, rho, atol=5.0)
    assert any("sensor filter started" in e[2] for e in drive.ctx.events)
    assert not NavFlag(nav.flags) & NavFlag.BEARING_ONLY
    # the next cycle's bearing-only sample alone is used, as a bearing
    drive.ctx.t += 1.0
    drive.gps(*_chaser(rho))
    drive.ctx.deliver(_adcs_state(drive.ctx.t, R_BN))
    drive.ctx.deliver(DICTIONARY["RELNAV"].build(t_tai=drive.ctx.t, range=0.0, azimuth=0.0,
                                                 elevation=0.0, valid=1, ranged=0))
    nav = drive.step()
    assert NavFlag(nav.flags) & NavFlag.BEARING_ONLY
    assert np.allclose(nav.rho_H, rho, atol=5.0)


def test_burns_reach_the_filter_as_delivered(drive) -> None:
    drive.target()
    rho = (0.0, -2000.0, 0.0)
    drive.gps(*_chaser(rho))
    drive.step()
    for _ in range(6):  # the fix goes stale: the filter coasts on CW (and burns)
        drive.ctx.t += 1.0
        before = drive.step()
    assert NavFlag(before.flags) & NavFlag.GPS_STALE
    # a 0.1 m/s burn along Hill +y, reported half then all delivered
    C = _hill(R_T, V_T)
    dv_N = C.T @ np.array([0.0, 0.1, 0.0])
    drive.ctx.deliver(DICTIONARY["BURN_ORDER"].build(t_tai=drive.ctx.t, burn_id=7,
                                                     t_exec=drive.ctx.t, dv_N=tuple(dv_N),
                                                     purpose="test"))
    for done, state in ((0.05, BurnStatusState.FIRING), (0.1, BurnStatusState.DONE)):
        drive.ctx.deliver(DICTIONARY["BURN_STATUS"].build(
            t_tai=drive.ctx.t, burn_id=7, state=state, dv_done=done, dv_total=done,
            thrusters_ok=0xFF, propellant=10.0, dv_N=(0.0, 0.0, 0.0), dv_dt=0.0))
    drive.ctx.t += 1.0
    after = drive.step()
    n = before.mean_motion
    x1 = drive.core.cw_propagate(n, (*before.rho_H, *before.rho_dot_H), 1.0)
    assert np.allclose(np.subtract(after.rho_dot_H, x1[3:]), (0.0, 0.1, 0.0), atol=1e-3)
    # the propulsion's measured vector, when it reports one, wins over the
    # order's direction: ordered along +y, made 0.1 m/s 10 deg towards +x
    before = after
    made = C.T @ (0.1 * np.array([math.sin(math.radians(10)), math.cos(math.radians(10)), 0.0]))
    drive.ctx.deliver(DICTIONARY["BURN_ORDER"].build(t_tai=drive.ctx.t, burn_id=8,
                                                     t_exec=drive.ctx.t, dv_N=tuple(dv_N),
                                                     purpose="test"))
    for frac, state in ((0.4, BurnStatusState.FIRING), (1.0, BurnStatusState.DONE)):
        drive.ctx.deliver(DICTIONARY["BURN_STATUS"].build(
            t_tai=drive.ctx.t, burn_id=8, state=state, dv_done=0.1 * frac, dv_total=0.1,
            thrusters_ok=0xFF, propellant=10.0, dv_N=tuple(frac * made), dv_dt=0.0))
    drive.ctx.t += 1.0
    after = drive.step()
    x1 = drive.core.cw_propagate(n, (*before.rho_H, *before.rho_dot_H), 1.0)
    step = np.subtract(after.rho_dot_H, x1[3:])
    assert np.allclose(step, C @ made, atol=1.5e-3)  # the burn at the cycle's start, CW-coupled
    # the 10 deg are seen: 0.0174 m/s across the order (along it: 0)
    assert step[0] == pytest.approx((C @ made)[0], abs=1.5e-3) and step[0] > 0.015


def test_a_burns_delivery_time_reaches_the_core(drive, monkeypatch) -> None:
    """Three statuses of one cycle, each with the time its increment was
    delivered (BURN_STATUS.dv_dt): the core is given their sum and its
    centre, the increments' mean time weighted along the sum (worked by
    hand here), as the age before the cycle's time; a cycle without a burn
    gives none."""
    seen = []
    real = drive.core.nav_step

    def spy(inp):
        seen.append((tuple(inp.dv_N), inp.dv_age, inp.t))
        return real(inp)

    monkeypatch.setattr(drive.core, "nav_step", spy)
    drive.target()
    drive.gps(*_chaser((0.0, -2000.0, 0.0)))
    drive.step()
    t0 = drive.ctx.t
    drive.ctx.deliver(DICTIONARY["BURN_ORDER"].build(t_tai=t0, burn_id=3, t_exec=t0,
                                                     dv_N=(0.3, 0.0, 0.0), purpose="test"))
    # cumulative vectors 0.1, 0.25 (+ a little across), 0.3 m/s; packet times
    # t0 + 0.2, 0.5, 0.9; their pulses' centres 0.4 s before, 0.1 s after, at
    incs = [(0.1, 0.0, 0.0), (0.15, 0.02, 0.0), (0.05, 0.0, 0.0)]
    times, dts = [0.2, 0.5, 0.9], [-0.4, 0.1, 0.0]
    cum = np.zeros(3)
    for k, (inc, tp, d) in enumerate(zip(incs, times, dts, strict=True)):
        cum += inc
        drive.ctx.deliver(DICTIONARY["BURN_STATUS"].build(
            t_tai=t0 + tp, burn_id=3, state=BurnStatusState.DONE if k == 2 else
            BurnStatusState.FIRING, dv_done=float(np.linalg.norm(cum)), dv_total=0.3,
            thrusters_ok=0xFF, propellant=10.0, dv_N=tuple(cum), dv_dt=d))
    drive.ctx.t = t0 + 1.0
    drive.gps(*_chaser((0.0, -2000.0, 0.0)))
    drive.step()
    dv, age, _ = seen[-1]
    D = np.sum(incs, axis=0)
    centre = sum((np.asarray(i) @ D) * (tp + d) for i, tp, d in zip(incs, times, dts,
                                                                     strict=True)) / (D @ D)
    np.testing.assert_allclose(dv, D, atol=1e-15)
    # (packet times are CUC, to 1/65536 s)
    assert age == pytest.approx(1.0 - centre, abs=2.0 / 65536)
    assert 0.4 < age < 0.8
    drive.ctx.t += 1.0
    drive.gps(*_chaser((0.0, -2000.0, 0.0)))
    drive.step()
    assert seen[-1][:2] == ((0.0, 0.0, 0.0), 0.0)


def test_bad_target_orbit_is_refused(drive) -> None:
    drive.target(r=(R0 / 1e3, 0.0, 0.0), v=(0.0, 7.6, 0.0))  # km
    assert any("target orbit refused" in e[2] for e in drive.ctx.events)
    drive.no_fix()
    assert drive.step().valid == 0


def test_an_element_set_is_read_again_at_the_first_fix(drive) -> None:
    """A TLE notice is read by SGP4 when it arrives and again at the first
    GPS fix: there the target is SGP4's state of that time (checked against
    the sgp4 package), not the notice-time state carried 6 h by the on-board
    model (855 m apart: a TLE's mean elements are SGP4's); once only,
    and never for a state vector."""
    from sgp4.api import Satrec

    from fsw.core import tle
    from fsw.core.ephem import Ephemeris

    t0 = drive.ctx.t
    t1 = t0 + 6 * 3600.0
    line1, line2 = tle.from_state(R_T, V_T, t1, epoch_tai=t0)
    drive.ctx.deliver(DICTIONARY["TARGET_ORBIT"].build(
        t_tai=t0, form=0, tle1=line1, tle2=line2, epoch_tai=t0, r_N=(0.0,) * 3,
        v_N=(0.0,) * 3))
    assert [e[2] for e in drive.ctx.events] == ["target ephemeris loaded"]
    # the same lines read by the sgp4 package (TEME, km), precessed to GCRF
    sat = Satrec.twoline2rv(line1, line2)
    days = (t1 - 37.0) / 86400.0
    err, rp, vp = sat.sgp4(2436204.5 + math.floor(days), days - math.floor(days))
    assert err == 0
    P = np.array(tle.precession(t1))
    r1, v1 = P.T @ (1e3 * np.array(rp)), P.T @ (1e3 * np.array(vp))
    # the notice-time reading carried by the on-board model: not that
    eph = Ephemeris(drive.task.ephem_config())
    eph.set(*tle.state(line1, line2, t0), t0)
    assert np.linalg.norm(eph.state(t1)[0] - r1) > 300.0
    drive.ctx.t = t1
    C = _hill(r1, v1)
    drive.gps(r1 - 3000.0 * C[1], v1)
    nav = drive.step()
    assert [e[2] for e in drive.ctx.events if e[1] == 501][-1] \
        == "target ephemeris read again from the TLE at the first fix"
    # (the on-board clock disciplined at this fix: NAV_STATE is of time t1)
    assert np.linalg.norm(np.subtract(nav.r_target_N, r1)) < 1e-3
    assert drive.task.cds["tle"] is None
    drive.ctx.t += 1.0
    drive.gps(r1 - 3000.0 * C[1], v1)
    drive.step()
    assert sum(e[1] == 501 for e in drive.ctx.events) == 2
    # a state-vector notice is loaded once, with or without a fix
    drive.target()
    assert drive.task.cds["tle"] is None


def test_bearings_beyond_the_relative_reach_are_not_used(drive) -> None:
    """Beyond plan.phasing_cw_range_m (60 km) of the latest estimate a
    bearing-only sample is counted and dropped (the CW angles-only filter is
    not started there); inside it, it is kept for the cycle."""
    reach = drive.sc.plan.phasing_cw_range_m
    drive.target()

    def bearing() -> None:
        drive.ctx.deliver(DICTIONARY["RELNAV"].build(t_tai=drive.ctx.t, range=0.0, azimuth=0.0,
                                                     elevation=0.0, valid=1, ranged=0))

    drive.gps(*_chaser((0.0, -1.5 * reach, 0.0)))
    nav = drive.step()
    assert np.linalg.norm(nav.rho_H) == pytest.approx(1.5 * reach, rel=0.01)
    bearing()
    assert drive.task.counts["far_bearings"] == 1 and drive.task.meas is None
    drive.ctx.t += 1.0
    drive.gps(*_chaser((0.0, -0.5 * reach, 0.0)))
    nav = drive.step()
    assert np.linalg.norm(nav.rho_H) < reach
    bearing()
    assert drive.task.counts["far_bearings"] == 1 and drive.task.meas is not None


def test_target_survives_a_restart(drive, ctx) -> None:
    drive.target()
    drive.task.init(ctx)  # a restart: same object, fresh state but the CDS
    drive.gps(*_chaser((0.0, -3000.0, 0.0)))
    assert drive.step().valid == 1


def test_non_finite_inputs_are_dropped(drive) -> None:
    drive.target()
    drive.gps((float("nan"), 0.0, 0.0), (0.0, 7600.0, 0.0))
    nav = drive.step()
    assert nav.valid == 0
    assert drive.task.counts["dropped"] == 1


def test_housekeeping(drive) -> None:
    drive.target()
    drive.gps(*_chaser((0.0, -3000.0, 0.0)))
    for _ in range(drive.task.hk_every):
        drive.step()
        drive.ctx.t += 1.0
    (hk,) = drive.ctx.of("NAV_HK")
    assert hk.target_known == 1 and hk.source == 1


def test_bearing_taken_with_the_attitude_of_its_own_time(drive) -> None:
    """Through a slew the latest attitude estimate is younger than the camera
    sample: the bearing is turned into Hill axes with the estimate of the
    sample's time (a 5 deg younger attitude would put the target 87 m off at
    1 km)."""
    from scipy.spatial.transform import Rotation

    drive.target()
    rho = np.array([0.0, -1000.0, 0.0])
    drive.gps(*_chaser(rho))
    drive.step()
    C = _hill(R_T, V_T)
    zb, xb = C[1], C[0]
    R_BN = np.array([xb, np.cross(zb, xb), zb])

    def adcs(R, rate):
        drive.ctx.deliver(_adcs_state(drive.ctx.t, R, (0.0, rate, 0.0)))

    drive.ctx.t += 1.0
    t_sample = drive.ctx.t
    adcs(R_BN, math.radians(0.5))  # on the target at the sample's time, slewing
    for k in range(1, 10):  # then 0.5 deg/s for 0.9 s, the camera turning away
        drive.ctx.t = t_sample + 0.1 * k
        turned = Rotation.from_rotvec([0.0, math.radians(5.0) * k / 9, 0.0]).as_matrix()
        adcs(turned @ R_BN, math.radians(0.5))
    drive.gps(*_chaser(rho))
    drive.ctx.deliver(DICTIONARY["RELNAV"].build(t_tai=t_sample, range=1000.0, azimuth=0.0,
                                                 elevation=0.0, valid=1, ranged=1))
    nav = drive.step()
    assert nav.source == 2
    assert np.allclose(nav.rho_H, rho, atol=5.0)
    # the bearing agrees with the estimate: accepted, a small NIS
    assert drive.task.counts["rejected"] == 0 and nav.nis < 3.0


def test_camera_gap_coasts_without_the_biased_gps_fix(drive_exact) -> None:
    """Without a camera measurement the EKF coasts on its dynamics: the GPS fix
    minus the target ephemeris carries the ephemeris error as a bias (here
    30 m along-track), which fused each second as white noise would pull the
    estimate onto it while the covariance shrinks. (The notice exact: with a
    catalogue's velocity uncertainty, five seconds of this test's frozen
    camera geometry would be read as a radial velocity.)"""
    drive = drive_exact

    drive.target()
    rho = np.array([0.0, -1000.0, 0.0])
    drive.gps(*_chaser(rho))
    drive.step()
    C = _hill(R_T, V_T)
    zb, xb = C[1], C[0]
    R_BN = np.array([xb, np.cross(zb, xb), zb])
    for _ in range(5):  # track the target for a few seconds
        drive.ctx.t += 1.0
        drive.ctx.deliver(_adcs_state(drive.ctx.t, R_BN))
        drive.gps(*_chaser(rho))
        drive.ctx.deliver(DICTIONARY["RELNAV"].build(t_tai=drive.ctx.t, range=1000.0,
                                                     azimuth=0.0, elevation=0.0, valid=1, ranged=1))
        nav = drive.step()
    assert nav.source == 2
    before = np.array(nav.rho_H)
    sigma0 = nav.sigma_pos
    for _ in range(30):  # camera gap; the GPS fix is 30 m off along-track
        drive.ctx.t += 1.0
        drive.gps(*_chaser(rho + np.array([0.0, 30.0, 0.0])))
        nav = drive.step()
    assert nav.source == 2
    assert np.linalg.norm(np.array(nav.rho_H) - before) < 1.0  # (CW drift of V-bar: none)
    assert nav.sigma_pos > sigma0  # the covariance grows while coasting


def test_nav_state_and_hk_are_the_keyword_builds_of_the_core_output(drive) -> None:
    """NAV_STATE is built positionally from the core's output read in one
    unpack (Result.flat); it must be, octet for octet, the keyword build of
    the same output read member by member (the properties and Result.values,
    as the task built it before), and NAV_HK the same fields. Through the
    GPS filter, the EKF's start on the sensor and a burn."""
    from scipy.spatial.transform import Rotation

    outs = []
    step = drive.core.nav_step

    def keep(inp):
        out = step(inp)
        outs.append(out)
        return out

    drive.core.nav_step = keep
    raws: list[bytes] = []
    publish = drive.ctx.publish

    def keep_raw(raw: bytes) -> None:
        raws.append(raw)
        publish(raw)

    drive.ctx.publish = keep_raw
    drive.target()
    C = _hill(R_T, V_T)
    q = Rotation.from_matrix(np.array([C[0], np.cross(C[1], C[0]), C[1]])).as_quat()
    drive.ctx.deliver(DICTIONARY["BURN_ORDER"].build(
        t_tai=drive.ctx.t, burn_id=7, t_exec=drive.ctx.t + 20.0, dv_N=(0.0, 0.05, 0.0),
        purpose="test"))
    for k in range(2 * drive.task.hk_every + 3):
        drive.gps(*_chaser((0.0, -1000.0 + k, 0.0)))
        drive.ctx.deliver(DICTIONARY["ADCS_STATE"].build(
            t_tai=drive.ctx.t, mode=4, valid=1, q_BN=(q[3], q[0], q[1], q[2]),
            rate_B=(0.0, 0.0, 0.0), att_error=0.0, h_wheels=0.0, h_B=(0.0, 0.0, 0.0),
            wheels_ok=15, flags=1, st_age=0.0, att_sigma=1e-5, att_sigma_B=(1e-5,) * 3,
            heads_used=6, heads_valid=6, st_rejected=0))
        if k >= 5:
            drive.ctx.deliver(DICTIONARY["RELNAV"].build(
                t_tai=drive.ctx.t, range=1000.0 - k, azimuth=1e-4, elevation=-1e-4,
                valid=1, ranged=1))
        if k == 20:
            drive.ctx.deliver(DICTIONARY["BURN_STATUS"].build(
                t_tai=drive.ctx.t, burn_id=7, state=int(BurnStatusState.DONE), dv_done=0.05,
                dv_N=(0.0, 0.05, 0.0), dv_dt=-0.2, thrusters_ok=0xFF, propellant=1.0,
                **{f: 0 for f in DICTIONARY["BURN_STATUS"].field_names
                   if f not in ("burn_id", "state", "dv_done", "dv_N", "dv_dt",
                                "thrusters_ok", "propellant")}))
        drive.step()
        drive.ctx.t += 1.0
    NAV_STATE = DICTIONARY["NAV_STATE"]
    states = [r for r in raws if NAV_STATE.parse(r).apid == NAV_STATE.apid]
    assert len(states) == len(outs) > 20
    assert {NAV_STATE.parse(r).source for r in states} == {1, 2}  # GPS filter, then the EKF
    for raw, out in zip(states, outs, strict=True):
        rec = NAV_STATE.parse(raw)
        x = out.values("x_H")
        want = NAV_STATE.build(
            t_tai=rec.t_tai, seq=rec.seq, valid=rec.valid, source=int(out.source),
            r_rel_N=tuple(out.r_rel_N), v_rel_N=tuple(out.v_rel_N), rho_H=x[:3],
            rho_dot_H=x[3:], r_target_N=tuple(out.r_target_N),
            v_target_N=tuple(out.v_target_N), sun_N=tuple(out.sun_N),
            normal_N=tuple(out.normal_N), mean_motion=float(out.mean_motion),
            sigma_pos=float(out.sigma_pos), sigma_vel=float(out.sigma_vel),
            flags=int(out.flags) & 0xFF, cov_pos_H=tuple(out.cov_pos), nis=float(out.nis))
        assert raw == want
        assert rec.valid == int(bool(out.valid))  # no persistence trip in this run
    hks = drive.ctx.of("NAV_HK")
    assert len(hks) == 2
    for hk, k in zip(hks, (drive.task.hk_every, 2 * drive.task.hk_every), strict=True):
        out = outs[k - 1]
        assert (hk.source, hk.sigma_pos, hk.nis, hk.sigma_vel, hk.clock_state, hk.clock_offset,
                hk.clock_sigma, hk.clock_drift) == (
            int(out.source), float(out.sigma_pos), float(out.nis), float(out.sigma_vel),
            int(out.clock_state) & 0xFF, float(out.clock_offset), float(out.clock_sigma),
            float(out.clock_drift))
    assert drive.task.counts["ekf_starts"] == 1
    assert any("sensor filter started" in e[2] for e in drive.ctx.events)
