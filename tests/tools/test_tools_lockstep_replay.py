"""Recording a lockstep run through the executive and replaying it through the
same tasks (acceptance 1 on a small composition until the mission lands):
the recording holds exactly the hashed stream; the replay reproduces the
recorded outputs; a changed task is caught at its first diverging packet."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from fsw_tools.archive import ArchiveWriter, read_archive
from fsw_tools.replay.lockstep import ReplayInputs, replay_lockstep
from ground_packets import field_values

from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.packets import DICTIONARY

GYRO, ADCS_HK = DICTIONARY["GYRO"], DICTIONARY["ADCS_HK"]
HOLD = DICTIONARY["SET_HOLD_POINT"]
CONFIG = ExecutiveConfig(seed=11)
TICKS = 60


class ToyWorld:
    name = "world"

    def init(self, ctx) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        w = self.ctx.rng.normal(0.0, 0.01, 3)
        self.ctx.send(GYRO, rate_B=tuple(w), valid=1)


class ToyAdcs(Task):
    name = "adcs"
    rate_group = "attitude"

    def __init__(self, change_at: int | None = None) -> None:
        self.change_at = change_at

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.k = 0
        self.rate = (0.0, 0.0, 0.0)
        self.hold = 0.0
        ctx.subscribe(GYRO, self.on_gyro, parse=True)
        ctx.subscribe(HOLD, self.on_hold, parse=True)

    def on_hold(self, rec) -> None:
        self.hold = rec.along_track

    def on_gyro(self, rec) -> None:
        a = 0.5 if self.change_at is not None and self.k >= self.change_at else 0.2
        self.rate = tuple((1 - a) * r + a * m for r, m in zip(self.rate, rec.rate_B,
                                                                strict=True))

    def step(self, t: float) -> None:
        self.k += 1
        self.ctx.send(ADCS_HK, **{**field_values(ADCS_HK, 0), "rate_B": self.rate,
                                  "cycles": self.k,
                                  "att_error": self.hold})


class ToyGround(Task):
    """Sends a (test, unsigned) command every second, after the tasks' turn."""

    name = "ground"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.n = 0

    def step(self, t: float) -> None:
        self.n += 1
        self.ctx.send(HOLD, along_track=-100.0 * self.n)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("rec") / "run.fswarc"
    bus = Bus.local(name="rec")
    writer = ArchiveWriter(path)
    ex = Executive(bus, CONFIG)
    ex.tap(writer.write)
    ex.add_world(ToyWorld())
    ex.add(ToyAdcs())
    ex.add(ToyGround())
    result = ex.run(ticks=TICKS)
    writer.close()
    bus.close()
    return path, result


def test_recording_is_exactly_the_hashed_stream(recorded) -> None:
    path, result = recorded
    arc = read_archive(path)
    assert len(arc) == result.packets
    assert hashlib.blake2b(arc.data, digest_size=32).hexdigest() == result.stream_hash
    # receive times are the executive's tick times
    dt = 1 / CONFIG.tick_rate
    ticks = (arc.times - CONFIG.t0_tai) / dt
    assert abs(ticks - ticks.round()).max() < 1e-6


def test_lockstep_replay_reproduces_the_outputs(recorded) -> None:
    arc = read_archive(recorded[0])
    sources = [ReplayInputs("world", [GYRO.apid], world=True), ToyAdcs(),
               ReplayInputs("ground", [HOLD.apid])]
    report = replay_lockstep(arc, sources, CONFIG)
    assert report.ok, report.describe()
    assert report.inputs_fed == TICKS + TICKS // 10  # GYRO every tick, a command a second
    assert report.produced[ADCS_HK.apid] == report.recorded[ADCS_HK.apid] == TICKS
    assert report.compared >= TICKS + 6  # ADCS_HK, heartbeats


def test_changed_task_reports_first_diverging_packet(recorded) -> None:
    arc = read_archive(recorded[0])
    sources = [ReplayInputs("world", [GYRO.apid], world=True), ToyAdcs(change_at=25),
               ReplayInputs("ground", [HOLD.apid])]
    report = replay_lockstep(arc, sources, CONFIG)
    d = report.divergence
    assert d is not None and (d.name, d.field) == ("ADCS_HK", "rate_B")
    # the 26th step's gyro update is the first changed one: ADCS_HK #25
    assert (d.index, d.seq) == (25, 25)
    assert d.t_tai == pytest.approx(CONFIG.t0_tai + 25 / CONFIG.tick_rate, abs=1e-4)


def test_a_source_in_the_wrong_place_is_caught(recorded) -> None:
    """A packet's time in the recording is the tick that routed it: the
    ground, last in the tick, has its commands routed in the next one, so
    its stand-in at the last place publishes a tick ahead. Put anything after
    it and its commands reach the task a tick late: the harness shows it (so
    the placement matters and is tested)."""
    arc = read_archive(recorded[0])
    sources = [ReplayInputs("world", [GYRO.apid], world=True), ToyAdcs(),
               ReplayInputs("ground", [HOLD.apid]), ReplayInputs("after", [])]
    report = replay_lockstep(arc, sources, CONFIG)
    d = report.divergence
    assert d is not None and (d.name, d.field) == ("ADCS_HK", "att_error")
    # the first command (the ground's first step, tick 0) is routed at tick 1
    # in the recording, at tick 2 in this replay
    assert (d.index, d.seq) == (1, 1)


def test_last_participant_packets_are_stamped_with_the_tick_that_routes_them(recorded) -> None:
    arc = read_archive(recorded[0])
    holds = np.flatnonzero(arc.apids == HOLD.apid)
    dt = 1 / CONFIG.tick_rate
    # the ground steps at ticks 0, 10, ...: each command is routed a tick later
    ticks = np.round((arc.times[holds] - CONFIG.t0_tai) / dt).astype(int)
    assert ticks.tolist() == [10 * k + 1 for k in range(len(holds))]
    assert len(holds) == TICKS // 10
