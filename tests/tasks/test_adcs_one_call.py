"""The ADCS task's cycle in one native call (issue #18) flies as the path
it replaced: the task on a LocalCore (one call a cycle; the mode and
pointing written only when a request or a navigation solution changed
them) sends the same packets, octet for octet, reports the same bad
packets in the same order and counts the same faults as

- the task on a core whose runner is the two-call path a board keeps
  (the sensor reader's cycle, then ``adcs_cycle``), and
- a task that decides its mode and pointing again at every cycle, as the
  task did before.

The script below changes modes (autonomy and propulsion requests, one
refused), refreshes the navigation solution in TARGET mode, drops the
solution's validity, feeds wheel tachometers and damages sensor packets
(CRC, length, a non-finite gyro, another APID's relabelling).
"""

from __future__ import annotations

import math
from typing import Any

from fsw.core.attitude import AdcsCycle
from fsw.core.guidance import LocalCore
from fsw.packets import DICTIONARY
from fsw.packets.enums import PointingMode
from fsw.scenario import Scenario
from fsw.tasks.adcs import AdcsTask

D = DICTIONARY


class TwoCallCore(LocalCore):
    def adcs_cycle(self, cyc: AdcsCycle, seq: int) -> bytes:
        return super().adcs_cycle(cyc, seq)


class DecidesEveryCycle(AdcsTask):
    def step(self, t: float) -> None:
        self._redecide = True
        super().step(t)


def _damaged(raw: bytes, how: str) -> bytes:
    b = bytearray(raw)
    if how == "crc":
        b[-3] ^= 0x10
    elif how == "cut":
        del b[-5:]
    return bytes(b)


def _fly(task: AdcsTask, fake: type) -> Any:
    ctx = fake()
    task.init(ctx)
    speeds = [0.0, 10.0, -5.0, 3.0]

    def nav(t: float, r: tuple[float, float, float], valid: int = 1) -> None:
        ctx.deliver(D["NAV_STATE"].build(
            t_tai=t, valid=valid, source=2, r_rel_N=r, v_rel_N=(0.1, -0.2, 0.05),
            rho_H=(0.0,) * 3, rho_dot_H=(0.0,) * 3, r_target_N=(7e6, 0.0, 0.0),
            v_target_N=(0.0, 7.5e3, 0.0), sun_N=(0.6, 0.8, 0.0), normal_N=(0.0, -1.0, 0.0),
            mean_motion=1.1e-3, sigma_pos=1.0, sigma_vel=0.01, flags=0,
            cov_pos_H=(1.0, 0.0, 0.0, 1.0, 0.0, 1.0), nis=0.0))

    def request(t: float, mode: int, q: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0),
                source: int = 0, active: int = 1) -> None:
        ctx.deliver(D["ADCS_REQUEST"].build(t_tai=t, source=source, active=active, mode=mode,
                                            q_BN=q))

    q = (math.cos(0.1), 0.0, math.sin(0.1), 0.0)
    for k in range(400):
        ctx.t += 0.1
        t = ctx.t
        gyro = D["GYRO"].build(t_tai=t, rate_B=(1e-3, -2e-3, 5e-4), valid=1)
        if k % 37 == 5:
            gyro = _damaged(gyro, "crc")
        if k % 53 == 7:
            gyro = D["GYRO"].build(t_tai=t, rate_B=(math.nan, 0.0, 0.0), valid=1)
        ctx.deliver(gyro)
        if k % 10 < 6:
            st = D["STAR_TRACKER"].build(t_tai=t - 0.05, q_BN=q, valid=1, head=k % 3)
            ctx.deliver(_damaged(st, "cut") if k % 41 == 3 else st)
        if k % 2 == 0:
            ctx.deliver(D["SUN_SENSOR"].build(t_tai=t, sun_B=(0.6, 0.0, -0.8), valid=1))
        ctx.deliver(D["MAGNETOMETER"].build(t_tai=t, b_B=(2e-5, -1e-5, 3e-5), valid=1))
        if k % 10 == 0:
            ctx.deliver(D["GPS"].build(t_tai=t, r_N=(7e6, 1e5, 0.0), v_N=(0.0, 7.5e3, 0.0),
                                       valid=1, obc_time=t, gps_time=t))
            ctx.deliver(D["WHEEL_TACH"].build(t_tai=t, speed=tuple(speeds)))
            speeds[1] += 0.7
        if k == 20:
            request(t, PointingMode.SUN_SAFE)
        if k == 60:
            request(t, PointingMode.TARGET_TRACK)  # no solution yet: rate damping
        if k in (90, 140, 190, 300):
            nav(t, (1000.0 + k, -300.0, 800.0))
        if k == 230:
            nav(t, (5.0, 5.0, 5.0), valid=0)  # not used for the target
        if k == 250:
            request(t, PointingMode.INERTIAL, q=q, source=1)  # a burn's override
        if k == 265:
            request(t, PointingMode.INERTIAL, q=(math.nan, 0.0, 0.0, 0.0))  # refused
        if k == 280:
            request(t, PointingMode.OFF, source=1, active=0)  # released: TARGET again
        if k == 350:
            request(t, PointingMode.DETUMBLE)
        task.step(t)
    return ctx


def _record(ctx: Any, task: AdcsTask) -> tuple:
    return ([(r.packet.name, *r) for r in ctx.sent], ctx.bad, ctx.events, task.faults,
            task.cycles, task.mode)


def test_one_call_flies_as_the_two_call_path_and_the_every_cycle_decision(ctx) -> None:
    fake = type(ctx)  # the fixture's class (tests/tasks/conftest.py): "conftest" may name
    # another folder's module when several folders run together
    sc = Scenario()
    one = AdcsTask(sc, LocalCore())
    runs = [(_fly(one, fake), one)]
    for task in (AdcsTask(sc, TwoCallCore()), DecidesEveryCycle(sc, LocalCore())):
        runs.append((_fly(task, fake), task))
    recs = [_record(ctx, task) for ctx, task in runs]
    assert recs[0] == recs[1] == recs[2]
    ctx = runs[0][0]
    # the script did what it says
    assert len(ctx.of("WHEEL_CMD")) == 400 and len(ctx.of("ADCS_STATE")) == 40
    assert {name for name, _ in ctx.bad} == {"GYRO", "STAR_TRACKER"}
    # the refused request and each wheel isolated (the script's tachometers
    # do not follow the torques)
    assert one.faults == 1 + sum("wheel" in text for _, _, text in ctx.events)
    modes = {r.mode for r in ctx.of("ADCS_STATE")}
    assert {PointingMode.OFF, PointingMode.SUN_SAFE, PointingMode.TARGET_TRACK,
            PointingMode.INERTIAL, PointingMode.DETUMBLE} <= modes
