"""The C fast paths (fsw._hotpath, issue #18) against the Python code they
stand in for: the local bus's publish (:meth:`fsw.bus.Bus._publish_local`)
and the executive's delivery loop (:meth:`Executive._deliver`).

The truth is the Python path itself, run on the same input with the fast
path switched off (the modules' ``_hotpath`` set to None before the bus or
the executive is made):

- publish: valid packets of delivered, undelivered and unsubscribed APIDs,
  bytearray and memoryview packets, a bad version, a wrong length field, a
  packet too short, things that are not packets at all, a full queue and a
  connected tap: the same queue, inboxes, counters, refusals (type and text)
  and tapped packets;
- delivery: a small mission with good packets, a broken CRC, a wrong
  length, non-finite values, a handler that raises PacketError, one that
  raises PacketBuildError, one that raises anything else (faults, restarts),
  two handlers of one APID, a variable-layout packet, a bytearray packet:
  the same stream (every packet, events included, and the hash), the same
  per-task counts, the same bus counts;
- what the fast path leaves to Python: a BaseException goes through, an
  inbox that shrinks under it stops it.
"""

from __future__ import annotations

import math
import random

import pytest
from executive_toys import GYRO, WHEEL_CMD, Controller, Plant

import fsw.bus.bus as bus_module
import fsw.executive.executive as executive_module
from fsw.bus import Bus, BusPacketError
from fsw.bus.topics import APID_COUNT, APID_MAX
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.executive import events as ev
from fsw.packets import DICTIONARY, PacketBuildError, PacketError, build_idle, decode

_hotpath = pytest.importorskip("fsw._hotpath")

EVENT, HEARTBEAT = DICTIONARY["EVENT"], DICTIONARY["HEARTBEAT"]
MISSION_CMD = DICTIONARY["MISSION_CMD"]


def _python_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bus_module, "_hotpath", None)
    monkeypatch.setattr(executive_module, "_hotpath", None)


# -- publish ---------------------------------------------------------------------------


def _inputs(rng: random.Random) -> list[object]:
    """Packets and non-packets, in a seeded random order."""
    good = [GYRO.build(t_tai=1.0 + i, seq=i, rate_B=(0.1 * i, 0.0, -1.0), valid=1)
            for i in range(40)]
    good += [WHEEL_CMD.build(t_tai=2.0, seq=i, torque=(0.0, 1.0, 2.0, 3.0)) for i in range(20)]
    good += [EVENT.build(t_tai=3.0, seq=i, severity=1, event_id=7, source="x", text="y" * i)
             for i in range(20)]
    gyro = good[0]
    bad_version = bytes([gyro[0] | 0x20]) + gyro[1:]
    long_field = gyro[:4] + bytes([gyro[4], gyro[5] + 1]) + gyro[6:]
    odd: list[object] = [bytearray(gyro), memoryview(gyro), bad_version, long_field, gyro[:6],
                         gyro[:3], b"", 17, "text", None, gyro + b"\x00"]
    seq = good + odd * 2
    rng.shuffle(seq)
    return seq


def _bus_pair(monkeypatch: pytest.MonkeyPatch, hwm: int) -> tuple[Bus, Bus, list, list]:
    fast = Bus.local(name="fast", hwm=hwm)
    with monkeypatch.context() as m:
        m.setattr(bus_module, "_hotpath", None)
        slow = Bus.local(name="slow", hwm=hwm)
    assert fast._fast is not None and slow._fast is None
    tables = []
    for bus in (fast, slow):
        table: list = [()] * APID_COUNT
        a, b = [], []
        table[GYRO.apid] = (a, b)
        table[WHEEL_CMD.apid] = (b,)
        table[EVENT.apid] = None  # never delivered in process: counted as undelivered
        bus.deliver_local(table)
        tables.append((a, b))
    return fast, slow, tables[0], tables[1]


def _publish(bus: Bus, item: object) -> tuple[str, str] | None:
    try:
        bus.publish(item)  # type: ignore[arg-type]
    except BusPacketError as exc:
        return type(exc).__name__, str(exc).replace(bus.name, "BUS")
    return None


def _state(bus: Bus, boxes: tuple[list, list]) -> tuple:
    c = bus.counters
    return ([bytes(p) for p in bus.loopback], [[bytes(p) for p in x] for x in boxes],
            list(c.sent), list(c.received), list(c.dropped), c.invalid, bus.undelivered,
            [type(p).__name__ for p in bus.loopback])


@pytest.mark.parametrize("hwm", [10_000, 7])
def test_the_c_publish_does_what_the_python_publish_does(monkeypatch: pytest.MonkeyPatch,
                                                          hwm: int) -> None:
    fast, slow, fast_boxes, slow_boxes = _bus_pair(monkeypatch, hwm)
    rng = random.Random(11)
    mirrored: dict[str, list[bytes]] = {"fast": [], "slow": []}
    try:
        for round_ in range(6):
            if round_ == 3:  # from now on every packet also goes to the PUB (a tap)
                for bus in (fast, slow):
                    bus._send = lambda p, flags, out=mirrored[bus.name]: out.append(bytes(p))
                    bus._mirror = True
            for item in _inputs(rng):
                assert _publish(fast, item) == _publish(slow, item)
            assert _state(fast, fast_boxes) == _state(slow, slow_boxes)
            fast.undelivered = slow.undelivered = 0  # as the lockstep does at a settle
            for bus, boxes in ((fast, fast_boxes), (slow, slow_boxes)):
                bus.take()
                for box in boxes:
                    box.clear()
        assert mirrored["fast"] == mirrored["slow"] and mirrored["fast"]
    finally:
        for bus in (fast, slow):
            bus.close()


def test_the_c_publish_keeps_the_buses_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, _, _, _ = _bus_pair(monkeypatch, 100)
    try:
        assert fast.undelivered == 0 and fast._mirror is False
        fast.publish(EVENT.build(t_tai=1.0, seq=0, severity=1, event_id=1, source="a", text="b"))
        assert fast.undelivered == 1 == fast._fast.undelivered
        fast.undelivered = 0
        assert fast._fast.undelivered == 0
        tap = Bus.tap(fast.endpoint)
        assert fast._mirror is True and fast._fast.mirror is True
        tap.close()
        with pytest.raises(ValueError):
            fast._fast.boxes = [()] * 3  # a table of the wrong size is refused
    finally:
        fast.close()


# -- delivery ----------------------------------------------------------------------------


def _gyro(t: float, x: float = 0.0) -> bytes:
    return GYRO.build(t_tai=t, seq=0, rate_B=(x, 0.0, 0.0), valid=1)


class Mischief(Task):
    """1 Hz, publishes what the subscribers below must cope with, in turn:
    a broken CRC, a wrong length, non-finite values, a packet its raw
    handler refuses with PacketError, one whose handler builds a bad packet,
    a bytearray packet, a broken variable-layout packet, a good command."""

    name = "mischief"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.n = 0

    def step(self, t: float) -> None:
        self.n += 1
        kind = self.n % 8
        good = _gyro(t, 0.5)
        if kind == 0:
            bad = bytearray(good)
            bad[-1] ^= 0xFF
            self.ctx.publish(bytes(bad))
        elif kind == 1:  # one octet more, its length field and CRC consistent
            body = bytearray(good[:-2] + b"\x00")
            body[5] += 1
            import binascii
            self.ctx.publish(bytes(body) + binascii.crc_hqx(bytes(body), 0xFFFF).to_bytes(2, "big"))
        elif kind == 2:
            self.ctx.publish(_gyro(t, math.nan))
        elif kind == 3:
            self.ctx.publish(_gyro(t, 7.0))  # the Picky task's raw handler refuses x == 7
        elif kind == 4:
            self.ctx.publish(_gyro(t, 9.0))  # the Picky task builds a bad packet on x == 9
        elif kind == 5:
            self.ctx.publish(bytearray(_gyro(t, 0.25)))  # not bytes: the Python path's
        elif kind == 6:
            cmd = bytearray(MISSION_CMD.build(t_tai=t, seq=0, owner="adcs", command=build_idle()))
            cmd[-1] ^= 0x55
            self.ctx.publish(bytes(cmd))
        else:
            self.ctx.publish(MISSION_CMD.build(t_tai=t, seq=0, owner="adcs",
                                               command=build_idle()))


class Finite(Task):
    """10 Hz: two parsing handlers of GYRO (a fan-out); the second raises on
    a non-finite rate (a fault, then a restart)."""

    name = "finite"
    rate_group = "attitude"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.seen: list[float] = []
        ctx.subscribe(GYRO, lambda rec: self.seen.append(rec.rate_B[0]), parse=True)
        ctx.subscribe(GYRO, self.check, parse=True)
        ctx.subscribe(MISSION_CMD, lambda rec: self.seen.append(-1.0), parse=True)

    def check(self, rec) -> None:
        if not all(math.isfinite(v) for v in rec.rate_B):
            raise ValueError(f"non-finite rate {rec.rate_B}")


class Picky(Task):
    """10 Hz: a raw GYRO handler that refuses x == 7 with PacketError and
    builds a bad packet on x == 9 (PacketBuildError: its own bug), and a
    parsing WHEEL_CMD handler."""

    name = "picky"
    rate_group = "attitude"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.raw: list[bytes] = []
        ctx.subscribe(GYRO.apid, self.on_raw)
        ctx.subscribe(WHEEL_CMD, lambda rec: self.raw.append(b"w"), parse=True)

    def on_raw(self, raw) -> None:
        rec = GYRO.parse(bytes(raw))
        if rec.rate_B[0] == 7.0:
            raise PacketError("x is seven")
        if rec.rate_B[0] == 9.0:
            GYRO.build(t_tai=rec.t_tai, seq=-1, rate_B=(0, 0, 0), valid=1)
        self.raw.append(bytes(raw))


class Listener(Task):
    """1 Hz: only parsed GYROs, kept (a task with a single parsing handler)."""

    name = "listener"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.recs: list = []
        ctx.subscribe(GYRO, self.recs.append, parse=True)


def _mission(ticks: int = 400) -> tuple:
    ex = Executive(Bus.local(), ExecutiveConfig(seed=3, backoff_s=0.5, backoff_max_s=2.0))
    ex.add_world(Plant())
    tasks = [Controller(), Mischief(), Finite(), Picky(), Listener()]
    for t in tasks:
        ex.add(t)
    got: list[tuple[bytes, float]] = []
    ex.tap(lambda p, t: got.append((bytes(p), t)))
    r = ex.run(ticks=ticks)
    return r, got, tasks, ex


def test_the_c_delivery_does_what_the_python_delivery_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    r_fast, got_fast, tasks_fast, ex_fast = _mission()
    assert ex_fast._fast_deliver is not None and ex_fast.bus._fast is not None
    _python_only(monkeypatch)
    r_py, got_py, tasks_py, ex_py = _mission()
    assert ex_py._fast_deliver is None and ex_py.bus._fast is None
    assert got_fast == got_py
    assert r_fast.stream_hash == r_py.stream_hash and r_fast.packets == r_py.packets
    assert r_fast.tasks == r_py.tasks
    assert r_fast.bus == r_py.bus
    # (repr: a NaN equals no NaN)
    assert repr(tasks_fast[2].seen) == repr(tasks_py[2].seen)
    assert tasks_fast[3].raw == tasks_py[3].raw
    assert repr(tasks_fast[4].recs) == repr(tasks_py[4].recs)
    # and the mission did meet every case: bad packets counted and reported
    # (parser and raw handler), handler faults reported, restarts
    evs = [decode(p) for p, _ in got_fast if p[1] == EVENT.apid]
    kinds = {(e.source, int(e.event_id)) for e in evs}
    assert ("finite", ev.BAD_PACKET) in kinds and ("listener", ev.BAD_PACKET) in kinds
    assert ("picky", ev.BAD_PACKET) in kinds  # its own PacketError: "APID 0x100 dropped"
    assert ("finite", ev.TASK_EXCEPTION) in kinds and ("finite", ev.TASK_RESTARTED) in kinds
    assert ("picky", ev.TASK_EXCEPTION) in kinds
    texts = {e.text for e in evs}
    assert any(t.startswith("APID 0x100 dropped: x is seven") for t in texts)
    assert any("PacketBuildError" in t for t in texts)
    assert any("ValueError: non-finite rate" in t for t in texts)
    assert any(t.startswith("GYRO dropped") and "CRC" in t for t in texts)
    assert any(t.startswith("GYRO dropped") and "octets" in t for t in texts)
    assert any(t.startswith("MISSION_CMD dropped") for t in texts)
    assert r_fast.tasks["listener"].bad_packets > 0 and r_fast.tasks["finite"].restarts > 0


# -- what the fast path leaves to Python ------------------------------------------------


def _dispatcher() -> tuple:
    seen = ([None] * APID_COUNT, [None] * APID_COUNT, [None] * APID_COUNT)
    return _hotpath.Dispatcher(*seen, APID_MAX), seen


def test_a_base_exception_goes_through_and_an_exception_is_kept() -> None:
    d, _ = _dispatcher()
    dispatch: list = [None] * APID_COUNT
    parsers: list = [None] * APID_COUNT
    got: list[bytes] = []

    def handler(p: bytes) -> None:
        if p[-1] == 1:
            raise KeyboardInterrupt
        if p[-1] == 2:
            raise ValueError("two")
        got.append(p)

    dispatch[GYRO.apid] = handler
    pk = [bytes([GYRO.apid >> 8, GYRO.apid & 0xFF, 0, 0, 0, 0, k]) for k in (0, 2, 0, 1, 0)]
    assert d(pk, 0, 5, dispatch, parsers) == 1  # stopped at the ValueError
    exc, in_parse = d.take_error()
    assert isinstance(exc, ValueError) and not in_parse and exc.__traceback__ is not None
    assert d.take_error() == (None, False)
    with pytest.raises(KeyboardInterrupt):
        d(pk, 2, 5, dispatch, parsers)
    assert got == [pk[0], pk[2]]
    assert d(pk, 4, 5, dispatch, parsers) == 5


def test_the_parse_once_cache_and_a_parser_error() -> None:
    d, (seen_p, seen_by, seen_rec) = _dispatcher()
    dispatch: list = [None] * APID_COUNT
    parsers: list = [None] * APID_COUNT
    recs: list = []
    dispatch[GYRO.apid], parsers[GYRO.apid] = recs.append, GYRO.parse
    good = _gyro(5.0, 1.5)
    bad = bytearray(good)
    bad[-1] ^= 1
    inbox = [good, good, bytes(bad), good]
    assert d(inbox, 0, 4, dispatch, parsers) == 2
    exc, in_parse = d.take_error()
    assert isinstance(exc, PacketError) and in_parse
    assert recs[0] is recs[1] == GYRO.parse(good)  # parsed once
    assert seen_p[GYRO.apid] is good and seen_by[GYRO.apid] is GYRO.parse
    assert seen_rec[GYRO.apid] is recs[0]
    assert d(inbox, 3, 4, dispatch, parsers) == 4 and recs[2] is recs[0]


def test_what_the_fast_path_does_not_take_it_leaves_to_python() -> None:
    d, _ = _dispatcher()
    dispatch: list = [None] * APID_COUNT
    parsers: list = [None] * APID_COUNT
    inbox: list = []
    dispatch[GYRO.apid] = lambda p: inbox.clear()  # the inbox shrinks under the loop
    g = _gyro(1.0)
    inbox += [g, g, g]
    assert d(inbox, 0, 3, dispatch, parsers) == 1 and d.take_error() == (None, False)
    odd = [g, bytearray(g), g]
    dispatch[GYRO.apid] = lambda p: None
    assert d(odd, 0, 3, dispatch, parsers) == 1  # not bytes
    assert d([g, b"\x01", g], 0, 3, dispatch, parsers) == 1  # too short for an APID
    assert d([g], 0, 1, dispatch[:5], parsers) == 0  # a table too short for the APID


def test_a_python_only_run_is_what_the_guard_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing or broken build would fall back silently: the fast path is
    really used here, and the executive without it is the same run."""
    r_fast = _mission(60)[0]
    _python_only(monkeypatch)
    assert r_fast.stream_hash == _mission(60)[0].stream_hash


def test_the_heartbeat_is_the_declared_build() -> None:
    for name in ("adcs", "a-name-longer-than-sixteen", "né" * 9):
        task = ev.clip(name, HEARTBEAT.layouts["task"].size)
        assert executive_module._build_heartbeat(12.5, 77, task, 5, 1) == HEARTBEAT.build(
            t_tai=12.5, seq=77, task=ev.clip(name, HEARTBEAT.layouts["task"].size), counter=5,
            state=1)


def test_publish_refuses_what_it_refused() -> None:
    bus = Bus.local()
    try:
        with pytest.raises(BusPacketError, match="at least 7"):
            bus.publish(b"\x01\x00\x00")
        with pytest.raises(PacketBuildError):
            GYRO.build(t_tai=1.0, seq=-1, rate_B=(0, 0, 0), valid=1)
        assert bus.counters.invalid == 1
    finally:
        bus.close()
