"""sim_node_turn (an avionics node's common turn in one core call) in its own
terms, against independent truth: its clock rounds as Python's round does
(ties to even), it leaves a density node's turn and a fault's to the
caller, refuses bad arguments, and its TRUTH_ADCS (whose Moon it may take
from the star trackers' copy, keyed by that copy's inputs) is
sim_truth_packet's octet for octet whatever the copy holds. The node-level
comparison with the Python path is tests/avionics/test_node_native_turn.py."""

from __future__ import annotations

import math
from typing import Any

import pytest

from hil.avionics import AvionicsNode
from hil.sim._native import ffi, lib
from hil.sim.config import WorldConfig
from hil.sim.packet_layout import MAX_LENGTH

INF = math.inf
NO_LIMIT = 2**31 - 1


class Turn:
    """A node's core structs and buffers, for calling sim_node_turn directly."""

    def __init__(self, seed: int = 3) -> None:
        self.node = AvionicsNode(WorldConfig(seed=seed))
        self.seq = ffi.new("uint16_t[]", 2048)
        self.cap = 20 * MAX_LENGTH
        self.buf = ffi.new("unsigned char[]", self.cap)

    @property
    def nc(self) -> Any:
        return self.node._node_c

    def __call__(self, t: float, next_fault: float = INF, limit: int = NO_LIMIT) -> int:
        n = self.node
        return int(lib.sim_node_turn(n._node_c, n._world_c, n._sensors_c, t, next_fault, limit,
                                     self.seq, self.buf, self.cap))

    def packets(self) -> list[bytes]:
        out, off = [], 0
        for i in range(self.nc.n_packets):
            end = off + self.nc.len[i]
            out.append(bytes(ffi.buffer(self.buf)[off:end]))
            off = end
        return out


@pytest.mark.parametrize("q", [0.5, 1.5, 2.5, 3.5, -0.5, 2.4999999999999996,
                               2.5000000000000004, 7.0, 1e6 + 0.5, 1e6 + 1.5])
def test_the_clock_rounds_as_pythons_round(q: float) -> None:
    """Steps taken = round((t - t_first) / dt) - (ticks - ticks_first), round
    to nearest with ties to even as Python's: the ticks taken so far are
    set so that Python's round asks for exactly one step (a core rounding
    otherwise would take none or two)."""
    turn = Turn()
    dt = turn.node.world.dt
    assert turn(100.0) == 0 and turn.nc.started == 1
    t = 100.0 + q * dt
    ticks = turn.node.world.ticks
    turn.nc.ticks_first = ticks - (round((t - 100.0) / dt) - 1)
    assert turn(t) == 0 and turn.nc.outcome == lib.SIM_NODE_DONE
    assert turn.node.world.ticks == ticks + 1


def test_a_density_node_in_reach_and_a_fault_due_are_the_callers() -> None:
    turn = Turn()
    w = turn.node.world
    dt = w.dt
    assert turn(50.0) == 0 and turn.nc.outcome == lib.SIM_NODE_DONE
    ticks = w.ticks
    # three ticks to go, the limit at the third: nothing done
    assert turn(50.0 + 3 * dt, limit=ticks + 3) == 0
    assert turn.nc.outcome == lib.SIM_NODE_UNSTEPPED and w.ticks == ticks
    assert turn(50.0 + 3 * dt, limit=ticks + 4) == 0
    assert turn.nc.outcome == lib.SIM_NODE_DONE and w.ticks == ticks + 3
    # a fault due within its margin at the new world time: stepped, no packet
    tw = w.t + dt
    assert turn(50.0 + 4 * dt, next_fault=tw + 5e-7) == 0
    assert turn.nc.outcome == lib.SIM_NODE_STEPPED and turn.nc.n_packets == 0
    assert w.ticks == ticks + 4
    tw = w.t + dt
    assert turn(50.0 + 5 * dt, next_fault=tw + 2e-6) == 0  # outside the margin
    assert turn.nc.outcome == lib.SIM_NODE_DONE
    # a clock beyond the core's arithmetic: nothing done
    for t in (math.nan, 1e300):
        assert turn(t) == 0 and turn.nc.outcome == lib.SIM_NODE_UNSTEPPED


def test_bad_arguments_are_refused() -> None:
    turn = Turn()
    n = turn.node
    assert lib.sim_node_turn(ffi.NULL, n._world_c, n._sensors_c, 1.0, INF, NO_LIMIT, turn.seq,
                             turn.buf, turn.cap) == lib.SIM_ERR_NULL
    for field, value in (("n", 33), ("n", -1), ("clock", turn.nc.n)):
        keep = getattr(turn.nc, field)
        setattr(turn.nc, field, value)
        assert turn(1.0) == lib.SIM_ERR_RANGE and turn.nc.outcome == lib.SIM_NODE_UNSTEPPED
        setattr(turn.nc, field, keep)
    assert turn(1.0) == 0


def _truth_adcs(turn: Turn, moon: Any) -> tuple[bytes, bytes]:
    """TRUTH_ADCS from a truth-only turn with the bank's Moon copy set by
    ``moon(struct)``, and from sim_truth_packet (its own sim_moon)."""
    nc, s = turn.nc, turn.node._sensors_c
    for i in range(nc.n):
        nc.due[i] = 1e12  # no sensor due
    nc.next_truth = 0.0
    moon(s)
    seq_adcs = turn.seq[0x408]
    t = turn.node.world.tai  # the world's own time: no step
    ticks = turn.node.world.ticks
    assert turn(t) == 0 and turn.node.world.ticks == ticks
    assert nc.outcome == lib.SIM_NODE_DONE and nc.n_packets == 4 and nc.n_truth == 4
    built = turn.packets()[3]
    ref = ffi.new("unsigned char[]", MAX_LENGTH)
    length = ffi.new("size_t *")
    assert lib.sim_truth_packet(turn.node._world_c, lib.SIM_TRUTH_ADCS,
                                t, seq_adcs, ref,
                                MAX_LENGTH, length) == 0
    return built, bytes(ffi.buffer(ref)[:length[0]])


def test_truth_adcs_takes_the_trackers_moon_only_for_its_very_inputs() -> None:
    """The star trackers' Moon copy is used only when every input it was
    computed from (the date, r_earth) is this turn's, bit for bit, and it
    was set; any other copy (another date, another r_earth, a zero date,
    not set) is ignored: TRUTH_ADCS is sim_truth_packet's in every case."""
    turn = Turn(seed=11)
    w = turn.node.world
    s = turn.node._sensors_c
    moon = ffi.new("double[3]")
    env = w.struct.env

    def now() -> float:
        return float(env.jd_tt0 + w.t / 86400.0)

    def good(st: Any) -> None:  # the copy sim_moon would make now
        assert lib.sim_moon(now(), env.r_earth, moon) == 0
        st.moon_jd, st.moon_r_earth, st.moon_valid = now(), env.r_earth, 1
        st.moon_n = list(moon)

    def garbage(**fields: Any) -> Any:
        def set_(st: Any) -> None:
            good(st)
            st.moon_n = [1.0e9, -2.0e9, 3.0e9]  # what must never reach the packet
            for k, v in fields.items():
                setattr(st, k, v)
        return set_

    w.step(5)
    built, ref = _truth_adcs(turn, good)
    assert built == ref
    # a wrong copy held under this turn's inputs is used: the key is what decides
    changed = garbage()
    built, ref = _truth_adcs(turn, changed)
    assert built != ref
    for case in (garbage(moon_jd=now() + 1e-9), garbage(moon_jd=math.nextafter(now(), 0.0)),
                 garbage(moon_r_earth=env.r_earth * (1 + 2**-52)), garbage(moon_valid=0)):
        w.step(1)
        built, ref = _truth_adcs(turn, case)
        assert built == ref
    # a zero date is never taken from the copy
    keep = env.jd_tt0
    env.jd_tt0 = -w.t / 86400.0
    assert env.jd_tt0 + w.t / 86400.0 == 0.0
    built, ref = _truth_adcs(turn, garbage(moon_jd=0.0))
    env.jd_tt0 = keep
    assert built == ref
    assert s.moon_valid in (0, 1)
