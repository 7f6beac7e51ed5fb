"""The avionics node in the executive's lockstep tick: sensor rates, command
application, faults, truth packets, determinism."""

from __future__ import annotations

from array import array
from collections import Counter

import numpy as np
import pytest

from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.packets import DICTIONARY, decode
from hil.avionics import AvionicsNode
from hil.sim.config import FaultConfig, SpacecraftConfig, WorldConfig

WHEEL_CMD, THRUSTER_CMD = DICTIONARY["WHEEL_CMD"], DICTIONARY["THRUSTER_CMD"]


class Recorder(Task):
    """Records every sensor and truth packet; commands wheel 0 and, once, thruster 0."""

    name, rate_group = "recorder", "attitude"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.got: list = []
        for apid in list(range(0x100, 0x108)) + list(range(0x400, 0x404)):
            ctx.subscribe(apid, self.got.append, parse=False)
        self.fired = False

    def step(self, t: float) -> None:
        self.ctx.send(WHEEL_CMD, torque=(0.01, 0.0, 0.0, 0.0))
        if not self.fired:
            self.ctx.send(THRUSTER_CMD, on_time=(0.5,) + (0.0,) * 15)
            self.fired = True


def run(faults=(), seconds=10.0, seed=3):
    cfg = WorldConfig(seed=seed, faults=list(faults),
                      chaser=SpacecraftConfig(hill_position=[0.0, -200.0, 0.0]))
    node = AvionicsNode(cfg)
    ex = Executive(Bus.local(), ExecutiveConfig(seed=seed, t0_tai=node.world.tai,
                                                rates={"default": 1.0, "attitude": 10.0}))
    ex.add_world(node)
    rec = Recorder()
    ex.add(rec)
    result = ex.run(duration_s=seconds)
    return node, rec, result


def test_rates_commands_truth_and_determinism() -> None:
    node, rec, result = run()
    names = Counter(decode(raw).packet.name for raw in rec.got)
    assert names["GYRO"] == 100 and names["WHEEL_TACH"] == 100
    assert names["STAR_TRACKER"] == 20
    assert names["GPS"] == names["RELNAV"] == names["PROP_STATUS"] == 10
    assert names["TRUTH_CHASER"] == names["TRUTH_TARGET"] == names["TRUTH_RELATIVE"] == 10
    assert node.world.t == pytest.approx(9.9)  # ticks 0..99
    c = node.world.chaser
    assert c.wheel_speed[0] > 1.0  # the wheel command acted
    assert c.thr_total_on[0] == pytest.approx(0.5)  # the thruster command acted
    assert node.stats.commands_rejected == 0 and node.stats.commands_lost == 0
    last = [decode(r) for r in rec.got if decode(r).packet.name == "TRUTH_RELATIVE"][-1]
    assert last.r_H[1] == pytest.approx(-200.0, abs=1.0)
    gyro = [decode(r) for r in rec.got if decode(r).packet.name == "GYRO"]
    assert gyro[0].t_tai == pytest.approx(node.world.epoch.tai_s, abs=1e-4)
    # same seed, same stream; another seed, another stream
    assert run()[2].stream_hash == result.stream_hash
    assert run(seed=4)[2].stream_hash != result.stream_hash


def test_faults_dropout_silent_link_wheel() -> None:
    faults = [FaultConfig(time=2.0, kind="sensor_dropout", sensor="gps", duration=3.0),
              FaultConfig(time=6.0, kind="link_silent", duration=2.0),
              FaultConfig(time=1.0, kind="wheel_fail", index=0)]
    node, rec, _ = run(faults)
    recs = [decode(r) for r in rec.got]
    names = Counter(r.packet.name for r in recs)
    # gps: t = 0, 1, then dropped 2..4, back 5, silent 6, 7, back 8, 9
    assert names["GPS"] == 5
    assert names["GYRO"] == 80  # 2 s of silence
    assert node.stats.commands_lost > 0
    fault_recs = [r for r in recs if r.packet.name == "TRUTH_FAULT"]
    assert [(r.kind, r.started) for r in fault_recs] == [(0, 1), (3, 1), (3, 0), (4, 1), (4, 0)]
    # wheel 0 failed after 1 s: it spun up for 1 s only, then friction
    assert node.world.chaser.wheel_torque_applied[0] == 0.0


def test_bad_commands_are_rejected_and_counted() -> None:
    node = AvionicsNode(WorldConfig())

    class Rec:
        torque = (float("nan"), 0.0, 0.0, 0.0)
        on_time = (-1.0,) + (0.0,) * 7

    node._on_wheel(Rec)
    node._on_thruster(Rec)
    assert node.stats.commands_rejected == 2
    assert np.all(node.world.chaser.wheel_torque_cmd == 0.0)


class FakeCtx:
    """Just enough of a TaskContext to drive the node by hand."""

    def __init__(self) -> None:
        self.sent: list = []
        self.t = 0.0
        #: per-APID sequence counters, as the executive's (the core numbers
        #: the sensor packets in them)
        self.seq = array("H", bytes(2 * 2048))

    def subscribe(self, *_a, **_k) -> None:
        pass

    def next_seq(self, apid: int) -> int:
        return 0

    def publish(self, raw: bytes) -> None:
        self.sent.append(decode(raw).packet.name)

    def send(self, pdef, **fields) -> bytes:
        self.sent.append(pdef.name)
        return b""


def test_coarse_and_uneven_turns_step_whole_ticks_without_drift() -> None:
    node = AvionicsNode(WorldConfig())
    ctx = FakeCtx()
    node.init(ctx)
    t0 = node.world.tai
    for t in (t0, t0 + 1.0, t0 + 601.0, t0 + 601.32, t0 + 601.44):
        ctx.t = t
        node.step(t)
    # the world is at the tick nearest each turn's time, counted from the first
    assert node.world.ticks == 6014
    assert node.world.t == pytest.approx(601.4, abs=1e-6)
    # one GYRO per turn at most, even after a 600 s turn
    assert Counter(ctx.sent)["GYRO"] == 5


def test_one_sensors_dropout_or_rate_leaves_the_others_noise_alone() -> None:
    """Each sensor draws from its own stream, and a dropped sample is drawn
    all the same: with the GPS dropped for 3 s, or at another rate, every
    other sensor's packets are the same bytes, and the GPS samples after the
    dropout carry the same values as without it."""
    def packets(faults=(), gps_hz=1.0):
        cfg = WorldConfig(seed=3, faults=list(faults),
                          chaser=SpacecraftConfig(hill_position=[0.0, -200.0, 0.0]))
        cfg.sensors.gps.rate_hz = gps_hz
        node = AvionicsNode(cfg)
        ex = Executive(Bus.local(), ExecutiveConfig(seed=3, t0_tai=node.world.tai,
                                                    rates={"default": 1.0, "attitude": 10.0}))
        ex.add_world(node)
        rec = Recorder()
        ex.add(rec)
        ex.run(duration_s=10.0)
        return [r for r in rec.got if 0x100 <= ((r[0] << 8) | r[1]) & 0x7FF < 0x180]

    def split(raws):
        gps = [decode(r) for r in raws if decode(r).packet.name == "GPS"]
        return [r for r in raws if decode(r).packet.name != "GPS"], gps

    base_other, base_gps = split(packets())
    drop_other, drop_gps = split(packets([FaultConfig(time=2.0, kind="sensor_dropout",
                                                      sensor="gps", duration=3.0)]))
    fast_other, _ = split(packets(gps_hz=5.0))
    assert drop_other == base_other and fast_other == base_other
    assert len(drop_gps) == len(base_gps) - 3
    after = {round(r.t_tai, 3): (r.r_N, r.v_N) for r in drop_gps}
    assert all(after[round(r.t_tai, 3)] == (r.r_N, r.v_N) for r in base_gps
               if round(r.t_tai, 3) in after)
    assert len(after) == 7
