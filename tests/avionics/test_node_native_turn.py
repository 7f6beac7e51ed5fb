"""The avionics node's one-call turn (``sim_node_turn``: the world stepped,
the sensors due, TRUTH_CLOCK after the GPS's, the truth packets, one
``publish_many``) against the independent truth of its Python path (the
reference, ``node.native_turn = False``), on the same runs: every octet
published and its order, the per-APID sequence counters, the node's
counters, its schedule and clock, the world's state bit for bit, and the
errors raised (type and message) -- with faults starting and ending
(dropped sensors, a silent link, wheels and thrusters), NRLMSIS density
nodes, coarse, uneven and repeated turn times, a context with and without
``publish_many``, a sensor that fails, a truth packet that fails, a state
gone non-finite, and in an executive, the whole stream."""

from __future__ import annotations

import math
from array import array
from dataclasses import asdict
from typing import Any

import pytest

from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.packets import DICTIONARY
from hil.avionics import AvionicsNode
from hil.sim._native import SimError, ffi, lib
from hil.sim.config import EnvironmentConfig, FaultConfig, SpacecraftConfig, WorldConfig

WHEEL_CMD = DICTIONARY["WHEEL_CMD"]


class Ctx:
    """Just enough of a TaskContext: every packet published, as bytes, in
    order (``send`` builds and publishes as TaskContext.send does)."""

    def __init__(self) -> None:
        self.t = 0.0
        self.seq = array("H", bytes(2 * 2048))
        self.out: list[bytes] = []

    def subscribe(self, *_a: Any, **_k: Any) -> None:
        pass

    def next_seq(self, apid: int) -> int:
        s = self.seq[apid]
        self.seq[apid] = (s + 1) & 0x3FFF
        return s

    def publish(self, raw: Any) -> None:
        self.out.append(bytes(raw))

    def send(self, pdef: Any, **fields: Any) -> bytes:
        raw: bytes = pdef.build_mapping(self.t, self.next_seq(pdef.apid), fields)
        self.publish(raw)
        return raw


class ManyCtx(Ctx):
    """With TaskContext's publish_many (the packets back to back)."""

    def publish_many(self, data: Any, lengths: Any, which: Any) -> None:
        off = 0
        for i in which:
            end = off + lengths[i]
            self.publish(data[off:end])
            off = end


FAULTS = [
    FaultConfig(time=0.3, kind="sensor_dropout", sensor="gyro", duration=0.4),
    FaultConfig(time=0.95, kind="sensor_dropout", sensor="gps", duration=1.3),
    FaultConfig(time=1.5 + 4e-7, kind="link_silent", duration=0.6),
    FaultConfig(time=2.55, kind="wheel_fail", index=1, duration=0.25),
    FaultConfig(time=2.9 + 3e-6, kind="thruster_stuck_open", index=0),  # for good
    FaultConfig(time=4.2, kind="sensor_dropout", sensor="star_tracker", duration=0.5),
]


def _pair(cfg: WorldConfig, ctx_cls: type[Ctx] = ManyCtx,
          truth_period: float = 1.0) -> list[tuple[AvionicsNode, Ctx]]:
    """The same node twice: the one-call turn, and the Python path alone."""
    out = []
    for native in (True, False):
        node, ctx = AvionicsNode(cfg, truth_period=truth_period), ctx_cls()
        node.native_turn = native
        node.init(ctx)
        out.append((node, ctx))
    return out


def _state(node: AvionicsNode, ctx: Ctx) -> tuple[Any, ...]:
    """Everything a turn leaves behind, bit for bit."""
    nc, w = node._node_c, node.world
    craft = tuple(getattr(c, a).tobytes() for c in (w.chaser, w.target)
                  for a in ("r", "v", "q", "w", "wheel_speed"))
    return (ctx.out, ctx.seq.tobytes(), asdict(node.stats), w.ticks, w.t.hex(), craft,
            bytes(ffi.buffer(nc.due, 8 * node._n)), nc.next_truth.hex(), nc.started,
            nc.t_first.hex(), nc.ticks_first, node.faults.link_silent,
            sorted(node.faults.dropped), bytes(ffi.buffer(node.sensors.struct)))


def _fly(pair: list[tuple[AvionicsNode, Ctx]], times: list[float],
         each: Any = None) -> None:
    for k, t in enumerate(times):
        for node, ctx in pair:
            ctx.t = t
            if each is not None:
                each(node, ctx, k)
            node.step(t)
        assert _state(*pair[0]) == _state(*pair[1]), k


@pytest.mark.parametrize("ctx_cls", [ManyCtx, Ctx])
def test_turns_with_faults_gps_and_truth_equal_the_python_path(ctx_cls: type[Ctx]) -> None:
    """Fifty seconds of 10 Hz turns with faults starting and ending (the
    Python path's turns) between common ones (the core's), every sensor,
    TRUTH_CLOCK, TRUTH_FAULT and truth packet, commands applied between
    turns: the same octets in the same order, the same counters."""
    cfg = WorldConfig(seed=7, faults=list(FAULTS),
                      chaser=SpacecraftConfig(hill_position=[0.0, -150.0, 0.0]))
    pair = _pair(cfg, ctx_cls)
    t0 = pair[0][0].world.tai
    dt = pair[0][0].world.dt

    def command(node: AvionicsNode, ctx: Ctx, k: int) -> None:
        raw = WHEEL_CMD.build(t_tai=ctx.t, seq=k & 0x3FFF,
                              torque=(1e-3 * math.sin(k), 0.0, -2e-4, 1e-4))
        node._read_wheel(raw)

    native, ref = pair[0][0], pair[1][0]
    calls = {"native": 0, "reference": 0}
    real = native._step_reference

    def counted(t: float) -> None:
        calls["reference"] += 1
        real(t)

    native._step_reference = counted  # type: ignore[method-assign]
    _fly(pair, [t0 + k * dt for k in range(500)], command)
    assert native.stats.truth_packets > 4 * 50 and native.stats.samples_dropped > 0
    names = {DICTIONARY.by_apid[((p[0] << 8) | p[1]) & 0x7FF].name for p in pair[0][1].out}
    assert {"TRUTH_CLOCK", "TRUTH_FAULT", "TRUTH_ADCS", "GPS", "GYRO"} <= names
    # the faults' turns and the muted ones went the Python way, the rest the core's
    assert 0 < calls["reference"] < 100
    assert ref.stats.ticks == native.stats.ticks == 500


def test_coarse_uneven_and_repeated_turns() -> None:
    """Turns that skip ticks, repeat a time, fall between ticks and jump:
    the clock, the steps and the schedule as the Python path's."""
    cfg = WorldConfig(seed=3)
    pair = _pair(cfg, truth_period=0.7)
    t0, dt = pair[0][0].world.tai, pair[0][0].world.dt
    offsets = [0.0, 0.0, 0.1, 0.35, 0.35, 0.36, 1.0, 3.05, 3.1, 2.0, 7.75, 7.8, 60.0, 60.1]
    _fly(pair, [t0 + x for x in offsets])
    _fly(pair, [t0 + 60.1 + k * 3 * dt for k in range(1, 30)])


def test_density_nodes_are_left_to_the_world_step() -> None:
    """An NRLMSIS world: the turns that would reach a density node go the
    Python way (World.step stops at each), the others the core's; the same
    bits either way."""
    env = EnvironmentConfig(drag=True, atmosphere="nrlmsis", density_period=2.0)
    pair = _pair(WorldConfig(seed=5, environment=env))
    t0, dt = pair[0][0].world.tai, pair[0][0].world.dt
    times = [t0 + k * dt for k in range(45)] + [t0 + 4.4 + k * 0.7 for k in range(12)]
    _fly(pair, times)
    assert pair[0][0].world._atmos.next_tick == pair[1][0].world._atmos.next_tick


def _raised(node: AvionicsNode, t: float) -> tuple[str, str, int]:
    with pytest.raises(SimError) as info:
        node.step(t)
    return type(info.value).__name__, str(info.value), info.value.status


def test_a_failing_sensor_raises_and_counts_as_the_python_path() -> None:
    """A sensor the core refuses (not initialised): the same error, named
    after it, the same counters, sequence counts and nothing published."""
    pair = _pair(WorldConfig(seed=2))
    t0, dt = pair[0][0].world.tai, pair[0][0].world.dt
    _fly(pair, [t0 + k * dt for k in range(12)])  # past a GPS sample (TRUTH_CLOCK)
    gps = lib.SIM_SENSOR_GPS
    for node, _ in pair:
        node.sensors.struct.ready &= ~(1 << gps)
    t = t0 + 20 * dt  # the GPS due again
    errors = []
    for node, ctx in pair:
        ctx.t = t
        errors.append(_raised(node, t))
    assert errors[0] == errors[1] and "sim_sensor_turn(gps)" in errors[0][1]
    assert _state(*pair[0]) == _state(*pair[1])


def test_a_failing_truth_packet_raises_and_counts_as_the_python_path() -> None:
    """A truth packet that cannot be stamped (a time outside the CUC range,
    no sensor due): the same error, the same counts taken."""
    pair = _pair(WorldConfig(seed=2))
    t = float(2**33)
    errors = []
    for node, ctx in pair:
        for i in range(node._n):
            node._node_c.due[i] = 1e12
        ctx.t = t
        errors.append(_raised(node, t))
    assert errors[0] == errors[1] and "sim_truth_packet" in errors[0][1]
    assert _state(*pair[0]) == _state(*pair[1])
    assert pair[0][1].seq[DICTIONARY["TRUTH_CHASER"].apid] == 1


def test_a_state_gone_non_finite_raises_as_the_python_path() -> None:
    """A chaser rate gone non-finite: the world step's SimStateError, the
    node's counters as the Python path leaves them."""
    pair = _pair(WorldConfig(seed=2))
    t0, dt = pair[0][0].world.tai, pair[0][0].world.dt
    _fly(pair, [t0, t0 + dt])
    errors = []
    for node, ctx in pair:
        node.world.chaser.w[1] = math.nan
        ctx.t = t0 + 3 * dt
        errors.append(_raised(node, ctx.t))
    assert errors[0] == errors[1] and errors[0][0] == "SimStateError"
    assert _state(*pair[0]) == _state(*pair[1])


class Commander(Task):
    """Commands the wheels every tick (the node's commands between its turns)."""

    name, rate_group = "commander", "attitude"

    def step(self, t: float) -> None:
        self.ctx.send(WHEEL_CMD, torque=(2e-3, -1e-3, 0.0, 5e-4))


@pytest.mark.parametrize("native", [True, False])
def test_in_an_executive_the_stream_is_the_python_paths(native: bool) -> None:
    """In an executive on a local bus (publish_many in C), with faults: the
    stream's hash and counters of the one-call turn equal the Python
    path's."""
    results = []
    for flag in (native, False):
        cfg = WorldConfig(seed=9, faults=list(FAULTS))
        node = AvionicsNode(cfg)
        node.native_turn = flag
        ex = Executive(Bus.local(), ExecutiveConfig(seed=9, t0_tai=node.world.tai,
                                                    rates={"default": 1.0, "attitude": 10.0}))
        ex.add_world(node)
        ex.add(Commander())
        res = ex.run(duration_s=8.0)
        results.append((res.stream_hash, res.packets, res.next_seq, asdict(node.stats)))
    assert results[0] == results[1]
