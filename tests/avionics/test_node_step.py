"""The avionics node's per-tick shortcuts against the plain computation
they replace: the faults asked only when one is due (their own test), the
world stepped past its density nodes in one call when none is reached, the
sensor packets of a turn published from the due pattern's slots."""

from __future__ import annotations

from array import array
from typing import Any

import pytest

from fsw.packets import DICTIONARY, decode
from hil.avionics import AvionicsNode
from hil.sim.config import EnvironmentConfig, FaultConfig, WorldConfig
from hil.sim.faults import FaultSchedule
from hil.sim.world import World

TRUTH_FAULT = DICTIONARY["TRUTH_FAULT"]


class Ctx:
    """Just enough of a TaskContext: keeps what the node publishes, in order."""

    def __init__(self) -> None:
        self.t = 0.0
        self.seq = array("H", bytes(2 * 2048))
        self.out: list[tuple[str, Any]] = []

    def subscribe(self, *_a: Any, **_k: Any) -> None:
        pass

    def next_seq(self, apid: int) -> int:
        s = self.seq[apid]
        self.seq[apid] = (s + 1) & 0x3FFF
        return s

    def publish(self, raw: bytes) -> None:
        self.out.append(("raw", bytes(raw)))

    def send(self, pdef: Any, **fields: Any) -> bytes:
        self.out.append((pdef.name, tuple(sorted(fields.items()))))
        raw: bytes = pdef.build(t_tai=self.t, seq=self.next_seq(pdef.apid), **fields)
        return raw


FAULTS = [
    FaultConfig(time=0.3, kind="sensor_dropout", sensor="gyro", duration=0.4),
    FaultConfig(time=0.5 + 4e-7, kind="link_silent", duration=0.2),  # inside the 1e-6 margin
    FaultConfig(time=0.55, kind="wheel_fail", index=1, duration=0.25),  # between ticks
    FaultConfig(time=0.9 + 3e-6, kind="thruster_stuck_open", index=0),  # outside the margin
    FaultConfig(time=1.2, kind="sensor_dropout", sensor="gps", duration=0.0),  # for good
]


def test_faults_are_asked_exactly_when_their_schedule_would_change() -> None:
    """Tick by tick, the node's TRUTH_FAULT packets and fault states equal a
    schedule updated at every tick (FaultSchedule.update called each time)."""
    cfg = WorldConfig(seed=2, faults=list(FAULTS))
    node, ctx = AvionicsNode(cfg), Ctx()
    node.init(ctx)
    ref = FaultSchedule(list(FAULTS), World(WorldConfig(seed=2)))
    t0 = node.world.tai
    for k in range(25):
        t = t0 + k * node.world.dt
        ctx.t = t
        ctx.out.clear()
        node.step(t)
        sent = [fields for name, fields in ctx.out if name == "TRUTH_FAULT"]
        expected = [tuple(sorted({"kind": e.fault.kind, "index": max(0, min(255, e.fault.index)),
                                  "sensor": e.fault.sensor or "none",
                                  "started": int(e.started)}.items()))
                    for e in ref.update(node.world.t)]
        assert sent == expected, k
        assert (node.faults.link_silent, node.faults.dropped) == (ref.link_silent, ref.dropped)
        assert node.faults.next_time == ref.next_time
    assert node.stats.truth_packets >= 8  # every start and end above was published


def test_world_steps_past_density_nodes_as_tick_by_tick() -> None:
    """An NRLMSIS world stepped in chunks that stop short of, land on and
    cross its density nodes has the same bits as one stepped tick by tick."""
    env = EnvironmentConfig(drag=True, atmosphere="nrlmsis", density_period=6.0)
    chunked, single = World(WorldConfig(environment=env)), World(WorldConfig(environment=env))
    assert chunked._atmos is not None and chunked._atmos.node_ticks == 60
    for n in (1, 3, 55, 1, 60, 59, 61, 120, 2, 0, 178):
        chunked.step(n)
        for _ in range(n):
            single.step(1)
        assert chunked.ticks == single.ticks
        assert chunked._atmos.next_tick == single._atmos.next_tick
        for a, b in ((chunked.chaser, single.chaser), (chunked.target, single.target)):
            assert (a.r.tobytes(), a.v.tobytes(), a.q.tobytes()) == (
                b.r.tobytes(), b.v.tobytes(), b.q.tobytes())


@pytest.mark.parametrize("native", [True, False])
def test_sensor_packets_in_schedule_order_with_the_clock_after_the_gps(native: bool) -> None:
    """Turn by turn the node publishes every sensor due in schedule order,
    TRUTH_CLOCK right after a GPS packet, nothing lost or repeated: the
    one-call turn (native) and the Python path (its reference: the general
    path, the other turns' packets from the due pattern's slots)."""
    node, ctx = AvionicsNode(WorldConfig(seed=4)), Ctx()
    node.native_turn = native
    node.init(ctx)
    order = {s.apid: i for i, s in enumerate(node._schedule)}
    gps_apid = DICTIONARY["GPS"].apid
    t0 = node.world.tai
    for k in range(40):
        ctx.t = t0 + k * node.world.dt
        ctx.out.clear()
        node.step(ctx.t)
        names, slots = [], []
        for kind, item in ctx.out:
            if kind == "raw":  # a TRUTH_CLOCK built by the core comes raw too
                apid = ((item[0] << 8) | item[1]) & 0x7FF
                if apid in order:
                    slots.append(order[apid])
                names.append(decode(item).packet.name)
            else:
                names.append(kind)
        assert slots == sorted(slots), k
        if gps_apid in [node._schedule[i].apid for i in slots]:
            assert names[names.index("GPS") + 1] == "TRUTH_CLOCK"
    assert node.stats.sensor_packets > 40
    assert native or len(node._slots_of) > 1
