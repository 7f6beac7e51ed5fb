"""A participant's HEARTBEAT built in C (``fsw._hotpath.Heartbeat``,
:meth:`Executive._make_heartbeat`, issue #18) against the executive's
Python (:meth:`Executive._heartbeat`, the dictionary's ``build_ordered``),
which stays the reference.

The truth: the dictionary's build of the same values (random times -- with
halves of the CUC's fine tick, which round to even --, sequence counts,
counters beyond 32 bits and below zero, every state, task names cut to the
field, multi-octet text), and the Python heartbeat on twin executives for
the cases the C hands back (a state outside the enum or not an int, a task
name without a template, a time the CUC cannot carry, a sequence count
beyond 14 bits): the same packets published, the same sequence counts
after, the same exceptions. A whole run of toy participants with faults and
restarts compares C and Python turns in tests/executive/test_ticker.py.
"""

from __future__ import annotations

import math
import random
from array import array
from types import SimpleNamespace
from typing import Any

import pytest

import fsw.executive.executive as executive_module
from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.executive import events as ev
from fsw.executive.lockstep import HEARTBEAT
from fsw.packets import PacketError
from fsw.packets.enums import TaskState

_hotpath = pytest.importorskip("fsw._hotpath")
_build = executive_module._build_heartbeat


class Idle(Task):
    rate_group = "default"

    def __init__(self, name: str) -> None:
        self.name = name

    def init(self, ctx) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        pass


NAMES = ["adcs", "navigation", "a_rather_long_task_name_cut", "ünïcode-naïve-name", "x"]


def _executive() -> Executive:
    ex = Executive(Bus.local(), ExecutiveConfig(seed=1))
    for name in NAMES:
        ex.add(Idle(name))
    ex._setup()
    return ex


def test_the_layout_is_the_dictionarys() -> None:
    size, seq, coarse, fine, counter, state = executive_module._HEARTBEAT_LAYOUT
    rec = HEARTBEAT.parse(_build(1.5, 0x2AAA, "abc", 0x01020304, 1))
    raw = _build(1.5, 0x2AAA, "abc", 0x01020304, 1)
    assert size == HEARTBEAT.size == len(raw)
    assert int.from_bytes(raw[seq:seq + 2], "big") & 0x3FFF == rec.seq == 0x2AAA
    assert int.from_bytes(raw[coarse:coarse + 4], "big") == 1
    assert int.from_bytes(raw[fine:fine + 2], "big") == 0x8000
    assert int.from_bytes(raw[counter:counter + 4], "big") == rec.counter == 0x01020304
    assert raw[state] == rec.state == 1
    enum = set(HEARTBEAT.layouts["state"].enum.values())
    assert [v for v in range(256) if executive_module._HEARTBEAT_STATES[v]] == sorted(enum)


def test_the_c_packet_is_the_dictionarys() -> None:
    ex = _executive()
    hb = ex._make_heartbeat()
    assert type(hb).__name__ == "Heartbeat"
    rng = random.Random(3)
    states = sorted(HEARTBEAT.layouts["state"].enum.values())
    times = [0.0, 2.0e9, 1.0 / 131072, 3.0 / 131072, 2.0e9 + 5.0 / 131072,
             2.0e9 + 7.0 / 131072, 4294967295.99999]
    times += [rng.uniform(0.0, 4.2e9) for _ in range(300)]
    times += [rng.randint(0, 2**40) / 131072 for _ in range(300)]  # halves of a fine tick
    for t in times:
        for s in ex._slots:
            seq = rng.randrange(0x4000)
            counter = rng.choice([0, 1, 0xFFFFFFFF, 2**32 + 5, -1, -(2**40), rng.getrandbits(70)])
            state = rng.choice(states)
            got = hb.build(s.hb_task, t, seq, counter, state)
            assert got == _build(t, seq, s.hb_task, counter & 0xFFFFFFFF, state), (t, s.name)


def _outcome(ex: Executive, beat: Any, slot: Any) -> tuple:
    """What one heartbeat does: the packets published, the sequence counts
    after, the exception raised."""
    out: list[bytes] = []
    ex.lockstep.publish = out.append  # looked up at each heartbeat
    try:
        beat(slot)
        err = None
    except Exception as exc:  # the outcome compared
        err = f"{type(exc).__name__}: {exc}"
    return out, list(ex.seq), err


@pytest.mark.parametrize("case", [
    "nominal", "every_state", "state_outside", "state_enum", "state_bool", "state_negative",
    "steps_float", "steps_huge", "renamed", "t_negative", "t_nan", "t_int", "t_too_late",
    "seq_wraps", "seq_beyond_14_bits", "seq_replaced", "seq_a_list", "lockstep_replaced",
])
def test_the_c_heartbeat_does_what_python_does(case: str) -> None:
    outcomes = []
    for native in (True, False):
        ex = _executive()
        beat = ex._make_heartbeat() if native else ex._heartbeat
        assert (type(beat).__name__ == "Heartbeat") == native
        slot = ex._slots[3]
        slot.steps, slot.state = 41, executive_module.NOMINAL
        ex.t = 2.0e9 + 0.25
        if case == "every_state":
            for v in HEARTBEAT.layouts["state"].enum.values():
                slot.state = v
                outcomes.append((native, v, _outcome(ex, beat, slot)))
            continue
        if case == "state_outside":
            slot.state = 77
        elif case == "state_enum":
            slot.state = TaskState.NOMINAL
        elif case == "state_bool":
            slot.state = True
        elif case == "state_negative":
            slot.state = -1
        elif case == "steps_float":
            slot.steps = 3.0
        elif case == "steps_huge":
            slot.steps = 2**80 + 17
        elif case == "renamed":
            slot.hb_task = "not-a-template"
        elif case == "t_negative":
            ex.t = -1.0
        elif case == "t_nan":
            ex.t = math.nan
        elif case == "t_int":
            ex.t = 2_000_000_000
        elif case == "t_too_late":
            ex.t = 2.0**32
        elif case == "seq_wraps":
            ex.seq[HEARTBEAT.apid] = 0x3FFF
        elif case == "seq_beyond_14_bits":
            ex.seq[HEARTBEAT.apid] = 0x4001
        elif case == "seq_replaced":  # a new array: counted there (looked up each time)
            ex.seq = array("H", ex.seq)
            ex.seq[HEARTBEAT.apid] = 1234
        elif case == "seq_a_list":  # not a buffer: the Python method counts it
            ex.seq = list(ex.seq)
            ex.seq[HEARTBEAT.apid] = 99
        elif case == "lockstep_replaced":
            ex.lockstep = SimpleNamespace()
        first = _outcome(ex, beat, slot)
        outcomes.append((native, case, first, _outcome(ex, beat, slot)))  # and the next
    half = len(outcomes) // 2
    assert [o[1:] for o in outcomes[:half]] == [o[1:] for o in outcomes[half:]]
    if case in ("state_outside", "state_negative", "steps_float", "t_negative", "t_nan",
                "t_too_late", "seq_beyond_14_bits"):
        assert outcomes[0][2][2] is not None  # the Python build's error, both ways
    elif case not in ("every_state",):
        assert outcomes[0][2][2] is None and len(outcomes[0][2][0]) == 1


def test_python_heartbeats_where_the_c_cannot_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    class Renumbered(Executive):
        def next_seq(self, apid: int) -> int:
            return super().next_seq(apid)

    ex = Renumbered(Bus.local(), ExecutiveConfig(seed=1))
    ex.add(Idle("a"))
    ex._setup()
    assert ex._make_heartbeat() == ex._heartbeat
    ex = _executive()
    own = []
    ex._heartbeat = own.append  # an instance's own: used as is
    assert ex._make_heartbeat() == own.append
    del ex._heartbeat
    monkeypatch.setattr(executive_module, "_HEARTBEAT_LAYOUT", None)
    assert ex._make_heartbeat() == ex._heartbeat
    monkeypatch.undo()
    # a layout that puts the counter elsewhere: the probe finds it out
    size, seq, coarse, fine, counter, state = executive_module._HEARTBEAT_LAYOUT
    monkeypatch.setattr(executive_module, "_HEARTBEAT_LAYOUT",
                        (size, seq, coarse, fine, counter - 1, state))
    assert ex._make_heartbeat() == ex._heartbeat


def test_a_name_the_packet_cannot_carry_raises_as_in_python() -> None:
    outs = []
    for native in (True, False):
        ex = _executive()
        slot = ex._slots[0]
        slot.hb_task = "nul\0inside"  # never made by ev.clip; the build refuses it
        beat = ex._make_heartbeat() if native else ex._heartbeat
        outs.append(_outcome(ex, beat, slot))
    assert outs[0] == outs[1] and outs[0][2].startswith("PacketBuildError")
    assert issubclass(executive_module.PacketBuildError, PacketError)
    assert ev.clip("x" * 40, 16) == "x" * 16
