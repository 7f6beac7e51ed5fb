"""The turns of a tick in C (``fsw._hotpath.Ticker``, issue #18) against the
Python loop of :meth:`Executive._lead` and :meth:`Executive._turn`, which
stay the reference; and the local bus's batch publish
(``Loopback.publish_many``, :meth:`TaskContext.publish_many`) against one
publish per packet.

The truth is the Python path run on the same input: the same executive
with ``fast_turns`` False (the delivery still in C), and with no extension
at all (the modules' ``_hotpath`` None). A mission of toy participants meets
what the Ticker hands back to Python or must reproduce: participants at
several rates and heartbeat periods, bad packets (a broken CRC, a wrong
length, non-finite values, a handler's PacketError), handler and step
faults, restarts and a participant stopped for good, an init that fails
once, a fault streak forgiven (TASK_STABLE), a stop requested in a step.
Compared: every packet with its time, the hash, the per-task counts, the
bus counts, the ticks run. Then what must leave the run the same way: a
BaseException from a handler or a step, a world that raises.
"""

from __future__ import annotations

import time

import pytest
from executive_toys import GYRO, WHEEL_CMD, Controller, Flaky, Monitor, Plant
from test_hotpath import Finite, Listener, Mischief, Picky

import fsw.bus.bus as bus_module
import fsw.executive.executive as executive_module
import fsw.executive.lockstep as lockstep_module
from fsw.bus import Bus, BusPacketError
from fsw.bus.topics import APID_COUNT
from fsw.executive import Executive, ExecutiveConfig, ExecutiveError, Task
from fsw.executive import events as ev
from fsw.executive.task import TaskContext
from fsw.packets import DICTIONARY, decode

_hotpath = pytest.importorskip("fsw._hotpath")

EVENT = DICTIONARY["EVENT"]


class ShakyStart(Task):
    """10 Hz: its first init raises (a fault before its first turn), then
    it steps and publishes a command now and then."""

    name = "shaky"
    rate_group = "attitude"

    def __init__(self) -> None:
        self.inits = 0

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.inits += 1
        if self.inits == 1:
            raise RuntimeError("not ready yet")

    def step(self, t: float) -> None:
        if self.ctx.tick % 7 == 0:
            self.ctx.send(WHEEL_CMD, torque=(0.0, 0.0, 0.0, 1.0))


class Once(Task):
    """1 Hz: fails at its third step only (a streak of one, forgiven once
    stable_s has passed: TASK_STABLE)."""

    name = "once"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.n = getattr(self, "n", 0)

    def step(self, t: float) -> None:
        self.n += 1
        if self.n == 3:
            raise KeyError("three")


class Stopper(Task):
    """1 Hz: asks the executive to stop at its step of tick ``at``."""

    name = "stopper"

    def __init__(self, at: int) -> None:
        self.at = at
        self.stop_now = None

    def step(self, t: float) -> None:
        if self.ctx.tick >= self.at and self.stop_now is not None:
            self.stop_now()


def _executive(tasks: list, **cfg) -> tuple[Executive, list]:
    config = dict(seed=5, backoff_s=0.5, backoff_max_s=2.0, max_restarts=3, stable_s=4.0,
                  heartbeat_period_s=0.5, rates={"attitude": 10.0, "default": 1.0,
                                                 "fivehz": 5.0})
    config.update(cfg)
    ex = Executive(Bus.local(), ExecutiveConfig(**config))
    ex.add_world(Plant())
    for t in tasks:
        ex.add(t)
    got: list = []
    ex.tap(lambda p, t: got.append((bytes(p), t)))
    return ex, got


def _tasks() -> list:
    stopper = Stopper(at=330)
    return [Controller(), Monitor(), Mischief(), Finite(), Picky(), Listener(),
            Flaky(fail_every=25), ShakyStart(), Once(), stopper]


def _run(mode: str, monkeypatch: pytest.MonkeyPatch, ticks: int = 420) -> tuple:
    """The mission under one of the three paths: ``fast`` (the Ticker),
    ``turns`` (the Python loop, the C delivery), ``python`` (no C at all)."""
    with monkeypatch.context() as m:
        if mode == "python":
            m.setattr(bus_module, "_hotpath", None)
            m.setattr(executive_module, "_hotpath", None)
            m.setattr(lockstep_module, "_hotpath", None)
        tasks = _tasks()
        ex, got = _executive(tasks)
        ex.fast_turns = mode == "fast"
        tasks[-1].stop_now = ex.request_stop
        if mode == "fast":
            ex._ticker_clock = time.perf_counter_ns  # and the C turns are counted
        r = ex.run(ticks=ticks)
    assert (ex._ticker is not None) == (mode == "fast")
    assert (type(ex.lockstep.settle).__name__ == "Settle") == (mode != "python")
    return r, got, tasks, ex


def test_the_c_turns_do_what_the_python_turns_do(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = {mode: _run(mode, monkeypatch) for mode in ("fast", "turns", "python")}
    r_fast, got_fast, tasks_fast, ex_fast = runs["fast"]
    for mode in ("turns", "python"):
        r, got, tasks, _ = runs[mode]
        assert got_fast == got, mode
        assert r_fast.stream_hash == r.stream_hash and r_fast.packets == r.packets
        assert r_fast.ticks == r.ticks and r_fast.t_end == r.t_end
        assert r_fast.tasks == r.tasks
        assert r_fast.bus == r.bus and r_fast.next_seq == r.next_seq
        assert repr(tasks_fast[3].seen) == repr(tasks[3].seen)  # (a NaN equals no NaN)
        assert tasks_fast[4].raw == tasks[4].raw
        assert tasks_fast[6].total_steps == tasks[6].total_steps
    # the run met every case the Ticker hands on or must reproduce
    assert r_fast.ticks == 331  # stopped after the tick of the request
    st = r_fast.tasks
    assert st["flaky"].state == "failed" and st["flaky"].restarts == 3
    assert st["shaky"].restarts == 1 and st["shaky"].faults == 1 and st["shaky"].steps > 200
    assert st["finite"].restarts > 0 and st["picky"].faults > 0
    assert st["listener"].bad_packets > 0 and st["finite"].bad_packets > 0
    evs = [decode(p) for p, _ in got_fast if p[1] == EVENT.apid]
    kinds = {(e.source, int(e.event_id)) for e in evs}
    for kind in (("once", ev.TASK_EXCEPTION), ("once", ev.TASK_RESTARTED),
                 ("once", ev.TASK_STABLE), ("flaky", ev.TASK_FAILED),
                 ("shaky", ev.TASK_EXCEPTION), ("picky", ev.BAD_PACKET),
                 ("listener", ev.BAD_PACKET)):
        assert kind in kinds
    texts = [e.text for e in evs if e.source == "flaky" and int(e.event_id) ==
             ev.TASK_EXCEPTION]
    assert texts and all(t.startswith("step: RuntimeError: deliberate failure") and
                         "@step:" in t for t in texts)
    hbs = sum(1 for p, _ in got_fast if p[1] == DICTIONARY["HEARTBEAT"].apid)
    assert hbs > 0
    # and the C turns did run (the Python turns took the rest)
    stats = dict(zip((s.name for s in ex_fast._slots), ex_fast._ticker.stats(), strict=True))
    assert stats["ctrl"][0] == st["ctrl"].steps - 1 > 300  # its first turn opens it: Python
    assert stats["world"][2] > 0 and stats["finite"][2] > 0  # packets delivered in C
    assert all(row[3] >= row[4] >= 0 for row in stats.values())  # a turn's ns hold its delivery
    assert 0 < stats["flaky"][0] < r_fast.ticks


def test_a_heartbeat_without_a_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task stepped every 2 ticks with heartbeats every 5: turns with a
    heartbeat and no step."""

    class Slow(Monitor):
        name = "slow"
        rate_group = "fivehz"

    outs = []
    for fast in (True, False):
        ex, got = _executive([Controller(), Slow()])
        ex.fast_turns = fast
        r = ex.run(ticks=95)
        outs.append((got, r.tasks, r.stream_hash))
    assert outs[0] == outs[1]
    assert outs[0][1]["slow"].steps == 48
    beats = [decode(p) for p, _ in outs[0][0] if p[1] == DICTIONARY["HEARTBEAT"].apid]
    assert sum(1 for b in beats if b.task == "slow") == 19  # ticks 0, 5, .., 90


@pytest.mark.parametrize("where", ["handler", "step"])
def test_a_base_exception_leaves_the_run_as_in_python(monkeypatch: pytest.MonkeyPatch,
                                                      where: str) -> None:
    class Bail(Task):
        name = "bail"
        rate_group = "attitude"

        def init(self, ctx) -> None:
            self.ctx = ctx
            ctx.subscribe(GYRO, self.on_gyro, parse=True)

        def on_gyro(self, rec) -> None:
            if where == "handler" and self.ctx.tick == 17:
                raise KeyboardInterrupt

        def step(self, t: float) -> None:
            if where == "step" and self.ctx.tick == 17:
                raise KeyboardInterrupt

    outs = []
    for fast in (True, False):
        ex, got = _executive([Controller(), Bail(), Monitor()])
        ex.fast_turns = fast
        with pytest.raises(KeyboardInterrupt):
            ex.run(ticks=40)
        outs.append((got, [s.status() for s in ex._slots], [list(s.inbox) for s in ex._slots],
                     ex.bus.loopback[:], ex.tick))
    assert outs[0] == outs[1]
    assert outs[0][4] == 17 and outs[0][2][2] == []  # the inbox handed on is emptied


@pytest.mark.parametrize("where", ["handler", "step"])
def test_a_world_that_raises_ends_the_run_as_in_python(where: str) -> None:
    class BadPlant(Plant):
        def on_cmd(self, rec) -> None:
            if where == "handler" and self.ctx.tick == 12:
                raise ValueError("bad command")
            super().on_cmd(rec)

        def step(self, t: float) -> None:
            if where == "step" and self.ctx.tick == 12:
                raise ValueError("bad step")
            super().step(t)

    outs = []
    for fast in (True, False):
        ex = Executive(Bus.local(), ExecutiveConfig(seed=2))
        ex.fast_turns = fast
        ex.add_world(BadPlant())
        ex.add(Controller())
        with pytest.raises(ExecutiveError) as err:
            ex.run(ticks=30)
        outs.append((str(err.value), repr(err.value.__cause__), ex.tick))
    assert outs[0] == outs[1]
    assert outs[0][2] == 12 and "bad" in outs[0][0]


def test_the_ticker_stays_off_where_python_runs_the_loop() -> None:
    """Realtime pacing and a broker's lockstep (settle before every turn)
    keep the Python loop."""
    ex, _ = _executive([Controller()], mode="realtime", speed=1000.0)
    ex.run(ticks=5)
    assert ex._ticker is None
    ex, _ = _executive([Controller()])
    ex.run(ticks=5)
    assert ex._ticker is not None


# -- the batch publish ------------------------------------------------------------------


def _packets() -> list[bytes]:
    return [GYRO.build(t_tai=1.0 + i, seq=i, rate_B=(0.1 * i, 0.0, -1.0), valid=1)
            for i in range(5)] + [WHEEL_CMD.build(t_tai=2.0, seq=1, torque=(0.0, 1.0, 2.0, 3.0))]


def _pair(monkeypatch: pytest.MonkeyPatch, hwm: int) -> tuple[Bus, Bus, list, list]:
    fast = Bus.local(name="fast", hwm=hwm)
    with monkeypatch.context() as m:
        m.setattr(bus_module, "_hotpath", None)
        slow = Bus.local(name="slow", hwm=hwm)
    boxes = []
    for bus in (fast, slow):
        table: list = [()] * APID_COUNT
        box: list = []
        table[GYRO.apid] = (box,)
        table[WHEEL_CMD.apid] = None
        bus.deliver_local(table)
        boxes.append(box)
    return fast, slow, boxes[0], boxes[1]


def _state(bus: Bus, box: list) -> tuple:
    c = bus.counters
    return (bus.loopback[:], [type(p) for p in bus.loopback], box[:], list(c.sent),
            list(c.received), list(c.dropped), c.invalid, bus.undelivered)


def _each(bus: Bus, data, lengths, which) -> None:
    """What the node did before: one publish per packet, sliced."""
    off = 0
    for i in which:
        end = off + lengths[i]
        bus.publish(data[off:end])
        off = end


def _outcome(f) -> object:
    try:
        f()
    except (BusPacketError, IndexError, TypeError, ValueError) as exc:
        return type(exc).__name__, str(exc).replace("fast", "BUS").replace("slow", "BUS")
    return None


@pytest.mark.parametrize("hwm", [10_000, 4])
def test_publish_many_is_one_publish_per_packet(monkeypatch: pytest.MonkeyPatch,
                                                hwm: int) -> None:
    packets = _packets()
    data = b"".join(packets)
    lens = [len(p) for p in packets]
    n_view = memoryview(bytearray(memoryview(bytes(8 * len(lens))))).cast("N")
    for i, n in enumerate(lens):
        n_view[i] = n
    wrong = lens[:]
    wrong[2] += 1  # a slice one octet long: refused by the bus, the rest shifted
    negative = lens[:]
    negative[1] = -3  # an empty slice: refused
    cases = [
        (data, n_view, tuple(range(6))),
        (data, lens, (0, 1, 2)),  # a plain list of lengths
        (memoryview(data), n_view, [0, 1]),
        (data, wrong, tuple(range(6))),
        (data, negative, (0, 1, 2)),
        (data[:-10], lens, tuple(range(6))),  # the last packet cut by the buffer's end
        (data, n_view, (0, -1)),  # a negative index, as a slice's loop takes it
        (data, n_view, (0, 7)),  # an index beyond the lengths
        (data, n_view, ()),
    ]
    fast, slow, fbox, sbox = _pair(monkeypatch, hwm)
    try:
        assert fast._fast is not None and slow._fast is None
        for k, (d, ln, which) in enumerate(cases):
            if k == 6:  # a tap from now on: every packet is sent to the PUB too
                sent: dict[str, list] = {"fast": [], "slow": []}
                for bus in (fast, slow):
                    bus._send = lambda p, flags, out=sent[bus.name]: out.append(bytes(p))
                    bus._mirror = True
            a = _outcome(lambda d=d, ln=ln, which=which: fast.publish.publish_many(d, ln, which))
            b = _outcome(lambda d=d, ln=ln, which=which: _each(slow, d, ln, which))
            assert a == b, k
            assert _state(fast, fbox) == _state(slow, sbox), k
        assert sent["fast"] == sent["slow"] and sent["fast"]
        assert fast.counters.invalid > 0 and sum(fast.counters.received) > 0
    finally:
        fast.close()
        slow.close()


def test_a_context_publishes_many_as_it_publishes_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before its first turn a context holds them (copies, in order); once
    open on a local bus the bus's C publish_many takes them; on the Python
    bus, one publish each."""

    class Host:
        config = ExecutiveConfig()
        t, tick = 0.0, 0
        seq = [0] * APID_COUNT

        def next_seq(self, apid: int) -> int:
            return 0

    packets = _packets()[:3]
    data = memoryview(b"".join(packets))
    lens = memoryview(bytearray(8 * 3)).cast("N")
    for i, p in enumerate(packets):
        lens[i] = len(p)
    got = []
    for python in (False, True):
        with monkeypatch.context() as m:
            if python:
                m.setattr(bus_module, "_hotpath", None)
            bus = Bus.local()
        ctx = TaskContext(Host(), None, "x", 1)
        ctx.publish_many(data, lens, (0, 1))
        held = ctx.open(bus.publish)
        assert held == packets[:2] and all(type(p) is bytes for p in held)
        many = getattr(bus.publish, "publish_many", None)
        assert (many is not None and ctx.publish_many == many) is not python
        ctx.publish_many(data, lens, (0, 1, 2))
        got.append(bus.take())
        bus.close()
    assert got[0] == got[1] == packets


def test_the_node_publishes_its_sensors_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The avionics node's sensor packets through publish_many: the same
    stream as the node publishing each (the Python context's loop)."""
    from hil.avionics.node import AvionicsNode

    hashes = []
    for many in (True, False):
        with monkeypatch.context() as m:
            if not many:
                m.setattr(TaskContext, "open", _open_without_many)
            ex = Executive(Bus.local(), ExecutiveConfig(seed=1))
            node = AvionicsNode()
            ex.add_world(node)
            got: list = []
            ex.tap(lambda p, t, got=got: got.append((bytes(p), t)))
            r = ex.run(ticks=40)
        hashes.append((r.stream_hash, r.packets, got, node.stats))
    assert hashes[0] == hashes[1] and hashes[0][3].sensor_packets > 40


def _open_without_many(self: TaskContext, publish) -> list[bytes]:
    held, self._held = self._held, []
    self.publish = publish
    return held


# -- the settle ---------------------------------------------------------------------------


def test_the_c_settle_does_what_the_closure_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """LocalLockstep's settle in C (``_hotpath.Settle``) against its Python
    closure: packets delivered in process, lockstep sync packets (never
    hashed: the Python method's filter), one packet or several, nothing,
    no tap, a batch tap, a tap that raises; the same stream, counts, taps."""
    from fsw.executive.lockstep import HELLO, SYNC_APIDS, LocalLockstep
    from fsw.executive.router import Router, Stream

    class Node:
        t = 0.0

    def lockstep(python: bool) -> tuple:
        with monkeypatch.context() as m:
            if python:
                m.setattr(bus_module, "_hotpath", None)
            bus = Bus.local()
        router = Router(SYNC_APIDS, Stream())
        box: list = []
        router.add_inbox(box, 0)
        router.subscribe(box, GYRO.apid)
        node = Node()
        return LocalLockstep(node, bus, router), bus, router, node, box

    hello = HELLO.build(t_tai=0.0, seq=0, node=0, nodes=1, ready=0)
    rounds = [[_packets()[0]], _packets(), [], [hello, _packets()[1]], [hello],
              _packets()[2:4], ["raise", _packets()[4]]]
    outs = []
    for python in (False, True):
        ls, bus, router, node, box = lockstep(python)
        assert (type(ls.settle).__name__ == "Settle") is not python
        taps: list = []

        def tap(packets, t, taps=taps):
            if len(taps) > 1:
                raise RuntimeError("tap full")
            taps.append((list(packets), t))

        errors = []
        for k, packets in enumerate(rounds):
            if k == 3:
                router.stream.add_tap(tap, batch=True)
            node.t = 10.0 + k
            for p in packets:
                if p != "raise":
                    bus.publish(p)
            try:
                ls.settle()
            except RuntimeError as exc:
                errors.append(str(exc))
        outs.append((router.stream.hexdigest(), router.stream.packets, router.packets, taps,
                     box, bus.loopback[:], bus.undelivered, errors))
        bus.close()
    assert outs[0] == outs[1]
    assert outs[0][7] == ["tap full"] and outs[0][1] == 11  # every packet but the HELLOs
