"""The ADCS task driven by packets alone: sensors, pointing requests and the
navigation state in; wheel and magnetorquer commands, ADCS_STATE and ADCS_HK
out. Pointing errors are checked against independent geometry (numpy)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsw.core.errors import GncDomainError
from fsw.core.guidance import LocalCore
from fsw.packets import DICTIONARY
from fsw.packets.enums import PointingMode
from fsw.scenario import Scenario
from fsw.tasks.adcs import WHEEL_PERSISTENCE, AdcsTask

Q1 = (1.0, 0.0, 0.0, 0.0)


class Drive:
    def __init__(self, ctx, core=None) -> None:
        self.ctx = ctx
        self.sc = Scenario()
        self.task = AdcsTask(self.sc, core or LocalCore())
        self.task.init(ctx)
        self.speeds = [0.0] * 4

    def request(self, mode: PointingMode, q=Q1, source: int = 0, active: int = 1) -> None:
        self.ctx.deliver(DICTIONARY["ADCS_REQUEST"].build(t_tai=self.ctx.t, source=source,
                                                          active=active, mode=mode, q_BN=q))

    def nav(self, r_rel=(0.0, 0.0, 1000.0), sun=(1.0, 0.0, 0.0), normal=(0.0, -1.0, 0.0)) -> None:
        """NAV_STATE; the default orbit normal is -y, where the star tracker (-y
        body) already points at the identity attitude."""
        self.ctx.deliver(DICTIONARY["NAV_STATE"].build(
            t_tai=self.ctx.t, valid=1, source=2, r_rel_N=r_rel, v_rel_N=(0.0,) * 3,
            rho_H=(0.0,) * 3, rho_dot_H=(0.0,) * 3, r_target_N=(7e6, 0.0, 0.0),
            v_target_N=(0.0, 7.5e3, 0.0), sun_N=sun, normal_N=normal, mean_motion=1.1e-3,
            sigma_pos=1.0, sigma_vel=0.01, flags=0, cov_pos_H=(1.0, 0.0, 0.0, 1.0, 0.0, 1.0),
            nis=0.0))

    def tick(self, n: int = 1, q=Q1, st: bool = True, tach: bool = False) -> None:
        for _ in range(n):
            self.ctx.t += 0.1
            c = self.ctx
            c.deliver(DICTIONARY["GYRO"].build(t_tai=c.t, rate_B=(0.0,) * 3, valid=1))
            if st:
                c.deliver(DICTIONARY["STAR_TRACKER"].build(t_tai=c.t, q_BN=q, valid=1, head=0))
            c.deliver(DICTIONARY["MAGNETOMETER"].build(t_tai=c.t, b_B=(2e-5, 0.0, 3e-5),
                                                       valid=1))
            if tach:
                c.deliver(DICTIONARY["WHEEL_TACH"].build(t_tai=c.t, speed=tuple(self.speeds)))
            self.task.step(c.t)

    def state(self):
        return self.ctx.of("ADCS_STATE")[-1]


@pytest.fixture
def drive(ctx) -> Drive:
    return Drive(ctx)


def _angle(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return math.acos(max(-1.0, min(1.0, a @ b / np.linalg.norm(a) / np.linalg.norm(b))))


def test_off_estimates_only(drive) -> None:
    drive.tick(20)
    assert all(c.torque == (0.0,) * 4 for c in drive.ctx.of("WHEEL_CMD"))
    assert len(drive.ctx.of("WHEEL_CMD")) == 20
    states = drive.ctx.of("ADCS_STATE")
    assert len(states) == 2  # once per second
    assert states[-1].valid == 1 and states[-1].mode == PointingMode.OFF


def test_no_star_tracker_no_estimate(drive) -> None:
    drive.tick(10, st=False)
    assert drive.state().valid == 0


def test_sun_safe_points_the_array_at_the_sun(drive) -> None:
    drive.nav(sun=(1.0, 0.0, 0.0))
    drive.request(PointingMode.SUN_SAFE)
    drive.tick(10)
    # identity attitude: the array normal (-z body) is -z inertial, 90 deg from the
    # sun; the star tracker (-y body) is already on the orbit normal
    assert drive.state().att_error == pytest.approx(_angle((0, 0, -1.0), (1.0, 0, 0)), abs=1e-6)
    assert drive.state().mode == PointingMode.SUN_SAFE
    assert any(any(abs(t) > 0 for t in c.torque) for c in drive.ctx.of("WHEEL_CMD"))


def test_sun_safe_without_a_sun_damps_the_rate(drive) -> None:
    drive.request(PointingMode.SUN_SAFE)
    drive.tick(10)
    assert drive.state().att_error == 0.0


def test_target_track_points_the_camera_at_the_target(drive) -> None:
    los = (1000.0, 0.0, 1000.0)
    drive.nav(r_rel=los)
    drive.request(PointingMode.TARGET_TRACK)
    drive.tick(10)
    assert drive.state().att_error == pytest.approx(_angle((0, 0, 1.0), los), abs=1e-6)


def test_propulsion_override_then_release(drive) -> None:
    drive.request(PointingMode.SUN_SAFE)
    q = (math.cos(0.25), math.sin(0.25), 0.0, 0.0)  # 0.5 rad about x
    drive.request(PointingMode.INERTIAL, q=q, source=1)
    drive.tick(10)
    assert drive.state().mode == PointingMode.INERTIAL
    assert drive.state().att_error == pytest.approx(0.5, abs=1e-9)
    drive.request(PointingMode.OFF, source=1, active=0)
    drive.tick(10)
    assert drive.state().mode == PointingMode.SUN_SAFE


def test_bad_request_is_counted_and_ignored(drive) -> None:
    drive.request(PointingMode.INERTIAL, q=(float("nan"), 0.0, 0.0, 0.0))
    drive.tick(10)
    assert drive.task.faults == 1 and drive.state().mode == PointingMode.OFF


def test_failed_wheel_is_isolated(drive) -> None:
    drive.request(PointingMode.INERTIAL, q=(math.cos(0.5), 0.0, math.sin(0.5), 0.0))
    k = drive.task.k
    # wheel 1 does not turn whatever it is told; the others follow exactly
    J = drive.sc.chaser.wheels.max_momentum_nms / drive.task.w_max
    for _ in range(20 * WHEEL_PERSISTENCE):
        drive.tick(5)
        cmds = drive.ctx.of("WHEEL_CMD")[-5:]
        for i in range(k):
            if i != 1:
                drive.speeds[i] += sum(c.torque[i] for c in cmds) * 0.1 / J
        drive.tick(tach=True)
        if drive.task.cds["wheel_ok"][1] is False:
            break
    assert drive.task.cds["wheel_ok"] == [True, False, True, True]
    assert any("wheel 1 not following" in e[2] for e in drive.ctx.events)
    drive.tick(10)
    assert drive.state().wheels_ok == 0b1101
    assert all(c.torque[1] == 0.0 for c in drive.ctx.of("WHEEL_CMD")[-10:])


def test_core_error_zeroes_the_commands_and_is_evented(ctx) -> None:
    class Broken(LocalCore):
        def adcs_cycle(self, cyc, seq):
            raise GncDomainError("adcs_cycle: input outside the domain (status 2)", 2)

    drive = Drive(ctx, core=Broken())
    drive.tick(3)
    assert all(c.torque == (0.0,) * 4 for c in ctx.of("WHEEL_CMD"))
    assert drive.task.faults == 3
    assert any("core step" in e[2] for e in ctx.events)


def test_camera_sun_keep_out_is_configured_from_the_scenario() -> None:
    """The core's TARGET-mode sun keep-out is the scenario's camera figure
    (it was configured as 0: no keep-out), and the pointing core keeps the
    sun that far from the boresight when the target is in front of the sun."""
    from fsw.scenario import override

    sc = override(Scenario(), chaser__camera_sun_keepout_deg=40.0)
    cfg = AdcsTask(sc, LocalCore()).config()
    assert cfg.sun_keepout == pytest.approx(math.radians(40.0))
    from fsw.core import attitude, quaternion

    los = np.array([1.0, 0.0, 0.0])
    sun = np.array([math.cos(0.2), math.sin(0.2), 0.0])   # 11.5 deg from the target
    q, active = attitude.target_pointing(np.asarray(sc.chaser.camera_boresight_b, float),
                                      np.array([1.0, 0.0, 0.0]), los, sun, cfg.sun_keepout)
    b_N = quaternion.rotate(quaternion.conj(q), np.asarray(sc.chaser.camera_boresight_b, float))
    assert active
    assert math.degrees(math.acos(float(b_N @ sun))) == pytest.approx(40.0, abs=1e-6)
