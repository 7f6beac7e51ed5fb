"""Delivery to the turns (issue #18): parse once, batch taps, idle turns.

- Parse once: two subscribers of the same fixed-layout packet get the very
  same record object, equal to an independent parse of the bytes; a packet
  that does not parse is counted and reported by each subscriber (nothing
  cached); a variable-layout packet is parsed for each subscriber.
- A batch tap (``ex.tap(fn, batch=True)``) sees exactly what a per-packet tap
  sees (packets, order, times) and the hash is that of those packets.
- Skipping idle turns changes nothing a participant sees: a 1 Hz task with
  no subscription is stepped at its rate and beats its heartbeat.
- The router hashes what it routes at once in one update: a lockstep sync
  packet among them is neither delivered, nor hashed, nor tapped.
"""

from __future__ import annotations

import hashlib

import pytest
from executive_toys import GYRO, WHEEL_CMD, Controller, Plant

from fsw.bus import Bus, apid_of
from fsw.executive import Executive, ExecutiveConfig, Task, events
from fsw.executive.lockstep import BARRIER, SYNC_APIDS
from fsw.executive.router import Router, Stream
from fsw.packets import DICTIONARY, build_idle, decode

EVENT, HEARTBEAT = DICTIONARY["EVENT"], DICTIONARY["HEARTBEAT"]
MISSION_CMD = DICTIONARY["MISSION_CMD"]


class Keeper(Task):
    """Keeps every GYRO record it is handed (parsed by the executive)."""

    rate_group = "attitude"

    def __init__(self, name: str) -> None:
        self.name = name
        self.recs: list = []

    def init(self, ctx) -> None:
        self.ctx = ctx
        ctx.subscribe(GYRO, self.recs.append, parse=True)


class Corrupter(Task):
    """Publishes one GYRO with a broken CRC at every step."""

    name = "corrupter"

    def init(self, ctx) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        raw = bytearray(GYRO.build(t_tai=t, seq=0, rate_B=(0, 0, 0), valid=1))
        raw[-1] ^= 0xFF
        self.ctx.publish(bytes(raw))


def _run(tasks, ticks: int = 30, **cfg):
    ex = Executive(Bus.local(), ExecutiveConfig(seed=5, **cfg))
    ex.add_world(Plant())
    for t in tasks:
        ex.add(t)
    got: list[tuple[bytes, float]] = []
    batches: list[tuple[list[bytes], float]] = []
    ex.tap(lambda p, t: got.append((p, t)))
    ex.tap(lambda ps, t: batches.append((list(ps), t)), batch=True)
    return ex.run(ticks=ticks), got, batches


def test_subscribers_share_one_record_equal_to_an_independent_parse() -> None:
    a, b = Keeper("a"), Keeper("b")
    _run([a, b])
    assert len(a.recs) == len(b.recs) == 30
    for ra, rb in zip(a.recs, b.recs, strict=True):
        assert ra is rb  # parsed once
    # equal to a parse of the packet's bytes by the dictionary
    stream_gyros = [p for p in _run([Keeper("c")])[1] if apid_of(p[0]) == GYRO.apid]
    assert [GYRO.parse(p) for p, _ in stream_gyros] == a.recs


def test_a_bad_packet_is_counted_by_each_subscriber() -> None:
    a, b = Keeper("a"), Keeper("b")
    r, got, _ = _run([Corrupter(), a, b], ticks=20)
    assert r.tasks["a"].bad_packets == r.tasks["b"].bad_packets == 2  # 1 Hz corrupter
    assert len(a.recs) == len(b.recs) == 20  # the good ones, still shared
    evs = [decode(p) for p, _ in got if apid_of(p) == EVENT.apid]
    assert [(e.source, e.event_id) for e in evs] == [("a", events.BAD_PACKET),
                                                       ("b", events.BAD_PACKET)] * 2


class CommandReader(Task):
    """Subscribes to a variable-layout packet (MISSION_CMD) with parsing."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.recs: list = []

    def init(self, ctx) -> None:
        self.ctx = ctx
        ctx.subscribe(MISSION_CMD, self.recs.append, parse=True)


class CommandSender(Task):
    name = "sender"

    def init(self, ctx) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        self.ctx.publish(_mission_cmd(t))


def _mission_cmd(t: float) -> bytes:
    return MISSION_CMD.build(t_tai=t, seq=0, owner="adcs", command=build_idle())  # whole packet


def test_variable_layout_packets_are_parsed_for_each_subscriber() -> None:
    a, b = CommandReader("a"), CommandReader("b")
    _run([CommandSender(), a, b], ticks=25)
    assert len(a.recs) == len(b.recs) == 3  # steps at ticks 0, 10, 20
    for ra, rb in zip(a.recs, b.recs, strict=True):
        assert ra == rb and ra is not rb


def test_a_batch_tap_sees_what_a_packet_tap_sees() -> None:
    r, got, batches = _run([Controller(), Keeper("k")], ticks=40)
    flat = [(p, t) for ps, t in batches for p in ps]
    assert flat == got and all(ps for ps, _ in batches)
    assert r.packets == len(got)
    assert r.stream_hash == hashlib.blake2b(b"".join(p for p, _ in got),
                                            digest_size=32).hexdigest()


class Quiet(Task):
    """1 Hz, no subscription: most of its turns are idle."""

    name = "quiet"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.at: list[float] = []

    def step(self, t: float) -> None:
        self.at.append(t)


def test_idle_turns_skipped_leave_steps_and_heartbeats() -> None:
    q = Quiet()
    r, got, _ = _run([q], ticks=35, heartbeat_period_s=2.0)
    t0 = ExecutiveConfig().t0_tai
    assert [round((t - t0) * 10) for t in q.at] == [0, 10, 20, 30]
    assert r.tasks["quiet"].steps == 4
    beats = [decode(p) for p, _ in got if apid_of(p) == HEARTBEAT.apid]
    assert [b.counter for b in beats if b.task == "quiet"] == [1, 3]  # ticks 0 and 20


def test_a_routed_batch_skips_sync_packets_and_hashes_the_rest() -> None:
    stream = Stream()
    taps: list[tuple[list[bytes], float]] = []
    stream.add_tap(lambda ps, t: taps.append((list(ps), t)), batch=True)
    router = Router(SYNC_APIDS, stream)
    gyros, sync = [], BARRIER.build(t_tai=1.0, seq=0, node=0, count=1)
    inbox: list[bytes] = []
    router.add_inbox(inbox, 0)
    router.subscribe(inbox, GYRO.apid)
    for i in range(3):
        gyros.append(GYRO.build(t_tai=1.0, seq=i, rate_B=(0, 0, i), valid=1))
    router.route([gyros[0], sync, gyros[1], gyros[2]], 1.5)
    router.route([sync], 1.6)
    router.route([], 1.7)
    assert inbox == gyros
    assert taps == [(gyros, 1.5)]
    assert router.packets == stream.packets == 3
    one_by_one = hashlib.blake2b(digest_size=32)
    for p in gyros:
        one_by_one.update(p)
    assert stream.hexdigest() == one_by_one.hexdigest()
    with pytest.raises(ValueError, match="lockstep"):
        router.subscribe(inbox, BARRIER.apid)


class Echo(Task):
    """Subscribed to WHEEL_CMD and GYRO: each GYRO's handler publishes a
    WHEEL_CMD, which this very task receives (at its next turn)."""

    name = "echo"
    rate_group = "attitude"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.got: list[tuple[int, float]] = []
        ctx.subscribe(GYRO, self.on_gyro, parse=True)
        ctx.subscribe(WHEEL_CMD.apid, lambda raw: self.got.append((apid_of(raw), ctx.t)))

    def on_gyro(self, rec) -> None:
        self.ctx.publish(WHEEL_CMD.build(t_tai=self.ctx.t, seq=0, torque=(0.0,) * 4))


def test_a_handlers_own_packet_waits_for_its_next_turn() -> None:
    """The local bus delivers a packet as it is published, even into the
    inbox being handed on: the packet a handler publishes to its own task
    reaches it at its next turn (as behind a broker, where it comes back
    before that turn), not in the turn that published it, and is not lost."""
    echo = Echo()
    r, got, _ = _run([echo], ticks=20)
    t0 = ExecutiveConfig().t0_tai
    assert [round((t - t0) * 10) for _, t in echo.got] == list(range(1, 20))
    assert r.tasks["echo"].faults == 0
    assert sum(1 for p, _ in got if apid_of(p) == WHEEL_CMD.apid) == 19  # the 20th trails
