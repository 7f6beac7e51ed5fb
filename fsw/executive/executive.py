"""The executive: steps participants tick by tick, in a fixed order, over the bus.

See :mod:`fsw.executive` for the contract. Its parts: the :class:`Router`
(subscriptions, inboxes, the stream), a lockstep strategy
(:mod:`fsw.executive.lockstep`: local or behind a broker) and this module's
participant bookkeeping and health policy. Hot-path notes: per tick it costs
a few list operations per participant; every packet is received once and
appended to the inbox of each local subscriber (on a local bus as it is
published; the stream is then settled at the start of a tick and before its
last turn); a turn with nothing to do (nominal, empty inbox, no step or
heartbeat due) is skipped; a fixed-layout packet is parsed once for all its
parsing subscribers, by :meth:`Executive._deliver` itself for a
participant's only handler of an APID (:meth:`Executive._parsing`). The
delivery loop and the local bus's publish run in C (``fsw._hotpath``,
native/hotpath) where they can, and hand every unusual case (an exception,
a packet that is not ``bytes``, a full queue, a tap) to the Python code
they stand in for, which stays the reference
(tests/executive/test_hotpath.py runs both). So do the turns of a tick on
a local lockstep without pacing (``_hotpath.Ticker``, :meth:`_make_ticker`:
a nominal participant's turn in C, any other through :meth:`_turn`; a
fault goes the Python way; ``Ticker.run``: the loop over whole ticks, TIME
built in Python when due), a nominal participant's HEARTBEAT
(``_hotpath.Heartbeat``, :meth:`_make_heartbeat`: the dictionary's packet
with its counts, time, state and CRC set in C) and the local settle
(``_hotpath.Settle``); tests/executive/test_ticker.py,
test_ticker_run.py and test_heartbeat.py run them against the Python.
"""

from __future__ import annotations

import math
import re
import struct
import time
import traceback
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fsw.bus import Bus
from fsw.bus.errors import BusError
from fsw.bus.topics import APID_COUNT, as_apids
from fsw.executive import events as ev
from fsw.executive.config import ExecutiveConfig
from fsw.executive.lockstep import HEARTBEAT, SYNC_APIDS, TIME, strategy
from fsw.executive.router import BatchTap, Router, Stream, Tap
from fsw.executive.task import CRITICAL, ERROR, INFO, WARNING, TaskContext
from fsw.packets import DICTIONARY, PacketBuildError, PacketError
from fsw.packets.codec import APID_MAX
from fsw.packets.enums import TaskState

try:  # the delivery loop's fast path in C (native/hotpath); without it, the Python one
    from fsw import _hotpath
except ImportError:  # pragma: no cover - a source tree without build_ext
    _hotpath = None  # type: ignore[assignment]

#: octets of HEARTBEAT.task (from the declaration)
_TASK_LEN = HEARTBEAT.layouts["task"].size
_HEARTBEAT_APID = HEARTBEAT.apid
#: HEARTBEAT from (t, seq, task, counter, state): positional, the same bytes
_build_heartbeat = HEARTBEAT.builder_in(("task", "counter", "state"))


def _heartbeat_layout() -> tuple[int, ...] | None:
    """HEARTBEAT's size and the octets where its sequence count, CUC coarse
    and fine time, counter and state lie, from the dictionary's struct
    format (the C heartbeat, ``_hotpath.Heartbeat``, patches them into a
    packet the dictionary built); None when the declaration is not of the
    shape it patches (a 16-bit sequence word, a 32-bit coarse and a 16-bit
    fine time, a 32-bit counter, an 8-bit state, a 16-bit CRC last)."""
    fmt = HEARTBEAT.struct.format if HEARTBEAT.struct is not None else ""
    items = re.findall(r"\d*[A-Za-z]", fmt[1:])
    names = ("w0", "seq", "length", "coarse", "fine", *HEARTBEAT.field_names, "crc")
    if fmt[:1] != ">" or HEARTBEAT.is_tc or len(items) != len(names):
        return None
    kind = dict(zip(names, items, strict=True))
    if (kind["seq"], kind["coarse"], kind["fine"], kind["counter"], kind["state"],
            kind["crc"]) != ("H", "I", "H", "L", "B", "H"):
        return None
    at = {n: struct.calcsize(">" + "".join(items[:i])) for i, n in enumerate(names)}
    if at["crc"] + 2 != HEARTBEAT.size:
        return None
    return (HEARTBEAT.size, at["seq"], at["coarse"], at["fine"], at["counter"], at["state"])


#: see :func:`_heartbeat_layout` (None: heartbeats built in Python alone)
_HEARTBEAT_LAYOUT = _heartbeat_layout()
#: per value 0..255: 1 where it is one of the HEARTBEAT state enum's
_HEARTBEAT_STATES = bytes(int(v in set((HEARTBEAT.layouts["state"].enum or {}).values()))
                          for v in range(256))
# Task states (the HEARTBEAT ``state`` enum), as plain ints: the hot path compares them.
INIT, NOMINAL, FAULTED, STOPPED = (int(s) for s in (TaskState.INIT, TaskState.NOMINAL,
                                                    TaskState.FAULTED, TaskState.STOPPED))
STATE_NAMES = {INIT: "init", NOMINAL: "nominal", FAULTED: "faulted", STOPPED: "failed"}


class ExecutiveError(BusError):
    """The run cannot go on (a world participant raised, a peer vanished)."""


@dataclass
class TaskStatus:
    """Health and activity of one participant at the end of a run."""

    name: str
    state: str
    steps: int
    faults: int
    restarts: int
    bad_packets: int
    discarded: int


@dataclass
class RunResult:
    """What a run returns (picklable: child processes send it back)."""

    role: str
    ticks: int
    t_end: float
    wall_s: float
    #: blake2b-256 hex digest of the packet stream in canonical order, this
    #: executive's packets appended to those of any executive before it that
    #: shared its :class:`Stream` (clock owner or single process; None on
    #: followers)
    stream_hash: str | None
    #: packets this executive added to the stream
    packets: int
    overruns: int
    tasks: dict[str, TaskStatus] = field(default_factory=dict)
    bus: dict[str, int] = field(default_factory=dict)
    #: next sequence count per APID numbered here (lockstep sync APIDs
    #: aside): the ``seq_start`` of a following leg
    next_seq: dict[int, int] = field(default_factory=dict)

    #: simulated seconds run
    sim_s: float = 0.0
    #: process CPU time of the run (``time.process_time``), s: for benchmarks
    #: on a shared machine, where wall time depends on the load
    cpu_s: float = 0.0

    @property
    def rtf(self) -> float:
        """Real-time factor: simulated seconds per wall-clock second."""
        return self.sim_s / max(self.wall_s, 1e-9)


class _Slot:
    """The executive's bookkeeping of one participant."""

    __slots__ = ("apids", "bad_packets", "calls", "consecutive", "ctx", "discarded",
                 "dispatch", "every", "faults", "hb_every", "hb_task", "inbox", "init_error",
                 "monitored", "name", "obj", "opened", "parsers", "pdefs", "restart_at",
                 "restarted_tick", "restarts", "state", "steps")

    def __init__(self, obj: Any, name: str, every: int, monitored: bool, hb_every: int) -> None:
        self.obj = obj
        self.name = name
        self.every = every
        self.monitored = monitored
        self.hb_every = hb_every
        #: its name as its HEARTBEAT's ``task`` field carries it (cut to the field)
        self.hb_task = ev.clip(name, _TASK_LEN)
        #: packets routed to it since its last turn (the router appends)
        self.inbox: list[bytes] = []
        #: APIDs it subscribes to
        self.apids: set[int] = set()
        #: APID -> the callables a packet of it goes to (parsing wrapped in)
        self.calls: dict[int, tuple[Callable[[bytes], object], ...]] = {}
        #: per APID (a flat list, None where it does not subscribe): one
        #: callable (the only one, or all of ``calls`` in order): the delivery
        #: hot path indexes it and makes one call per packet
        self.dispatch: list[Callable[[Any], object] | None] = [None] * APID_COUNT
        #: per APID: the parser the delivery applies (parse once) before
        #: calling ``dispatch``'s handler with the record, or None (the
        #: handler takes the bytes: a raw handler, or ``calls`` behind a fan-out)
        self.parsers: list[Callable[[bytes], Any] | None] = [None] * APID_COUNT
        #: APID -> the declaration of a ``parsers`` entry (named in events)
        self.pdefs: dict[int, Any] = {}
        self.ctx: TaskContext | None = None
        #: its context publishes straight to the bus (after its first turn)
        self.opened = False
        self.state = INIT
        self.steps = self.faults = self.restarts = self.consecutive = 0
        self.bad_packets = self.discarded = 0
        self.restart_at = 0
        self.restarted_tick = 0
        self.init_error: BaseException | None = None

    def status(self) -> TaskStatus:
        return TaskStatus(self.name, STATE_NAMES[self.state], self.steps, self.faults,
                          self.restarts, self.bad_packets, self.discarded)


class Executive:
    """Runs participants over one :class:`~fsw.bus.Bus` endpoint.

    ``role``: ``"solo"`` (the whole run in this executive), ``"owner"`` (the
    clock owner of a multi-process run, node 0) or ``"follower"`` (node
    ``node`` >= 1, runs when the owner's TICK for its stage arrives).
    ``nodes`` is the number of processes in the run. ``stream``: the
    :class:`Stream` to append to (a previous leg's, :attr:`stream`), else a
    new one.
    """

    def __init__(self, bus: Bus, config: ExecutiveConfig | None = None, *, role: str = "solo",
                 node: int = 0, nodes: int = 1, stream: Stream | None = None) -> None:
        if role not in ("solo", "owner", "follower"):
            raise ValueError(f"role {role!r}: solo, owner or follower")
        if role == "follower" and not 1 <= node < nodes:
            raise ValueError(f"follower node {node} outside 1..{nodes - 1}")
        if role != "follower" and node != 0:
            raise ValueError("the clock owner is node 0")
        self.bus = bus
        self.config = config or ExecutiveConfig()
        self.role = role
        self.node = node
        self.nodes = nodes if role != "solo" else 1
        self.tick = 0
        self.t = self.config.t0_tai
        #: next 14-bit sequence count per APID (of this node): a flat array of
        #: unsigned 16-bit counts, which a native packet builder can number
        #: packets in (:attr:`TaskContext.seq`)
        self.seq = array("H", bytes(2 * APID_COUNT))
        for apid, count in self.config.seq_start.items():
            self.seq[apid] = count
        #: the packet stream (hashed here: clock owner or single process)
        self.stream: Stream | None = None if role == "follower" else (stream or Stream())
        self.router = Router(SYNC_APIDS, self.stream)
        #: per APID: the last packet parsed for a subscriber, its parser and
        #: the record (parse once: see :meth:`_parsing`)
        self._parsed_p: list[bytes | None] = [None] * APID_COUNT
        self._parsed_by: list[Any] = [None] * APID_COUNT
        self._parsed_rec: list[Any] = [None] * APID_COUNT
        #: the C fast path of :meth:`_deliver`'s loop over these very caches
        #: (None: the Python loop alone)
        self._fast_deliver: Any = (
            None if _hotpath is None else
            _hotpath.Dispatcher(self._parsed_p, self._parsed_by, self._parsed_rec, APID_MAX))
        #: the turns of a tick run by the C fast path (``_hotpath.Ticker``)
        #: where :meth:`_lead` allows it; False: the Python loop alone
        self.fast_turns = self._fast_deliver is not None
        #: with a clock (``time.perf_counter_ns``), the Ticker times the
        #: turns it runs (:meth:`_make_ticker`; tools/bench/breakdown.py)
        self._ticker_clock: Callable[[], int] | None = None
        #: the Ticker of the last :meth:`_lead` (None: the Python loop ran)
        self._ticker: Any = None
        self.lockstep = strategy(self, bus, self.router)
        self._dt = self.config.dt
        self._slots: list[_Slot] = []
        self._names: set[str] = set()
        self._world = False
        self._time_every = (self.config.ticks_of(self.config.time_period_s)
                            if self.config.time_period_s > 0 else 1)
        self._overruns = 0
        self._last_overrun_event = -math.inf
        self._stop_requested = False
        self._started = False

    # -- composition ------------------------------------------------------------

    def add_world(self, world: Any) -> None:
        """Add the world simulation: the first participant of every tick,
        stepped at every tick, not health-monitored (an exception in it ends
        the run with :class:`ExecutiveError`)."""
        if self._world:
            raise ValueError("one world per executive")
        slot = self._make_slot(world, every=1, monitored=False)
        self._slots.insert(0, slot)
        self._world = True

    def add(self, task: Any, *, rate_group: str | None = None) -> None:
        """Add a task; it runs after the world and after the tasks added
        before it, every ``tick_rate / rates[rate_group]`` ticks (the group
        defaults to the task's ``rate_group`` attribute, else ``default``)."""
        group = rate_group or getattr(task, "rate_group", None) or "default"
        self._slots.append(self._make_slot(task, every=self.config.every(group), monitored=True))

    def tap(self, tap: Tap | BatchTap, *, batch: bool = False) -> None:
        """Give ``tap(packet, t)`` every packet of the stream, in order, with
        the time of the tick that routed it (a recorder: ``ex.tap(writer.write)``);
        with ``batch``, ``tap(packets, t)`` gets them as lists of the packets
        routed at once (``ex.tap(writer.write_many, batch=True)``: one call
        per turn). On the clock owner or a single process. The tap belongs
        to the stream: it goes on into a next executive sharing the stream."""
        if self.stream is None:
            raise ValueError("a follower has no stream to tap: tap the clock owner")
        self.stream.add_tap(tap, batch=batch)

    def _make_slot(self, obj: Any, *, every: int, monitored: bool) -> _Slot:
        if self._started:
            raise RuntimeError("participants are added before run()")
        for attr in ("init", "step"):
            if not callable(getattr(obj, attr, None)):
                raise TypeError(f"{obj!r} has no {attr}() method: not a participant")
        name = str(getattr(obj, "name", "") or type(obj).__name__.lower())
        if name in self._names:
            raise ValueError(f"two participants named {name!r}")
        self._names.add(name)
        hb = self.config.heartbeat_period_s
        hb_every = max(every, self.config.ticks_of(hb)) if hb > 0 else every
        return _Slot(obj, name, every, monitored, hb_every)

    def request_stop(self) -> None:
        """Ask a running executive to end after the current tick."""
        self._stop_requested = True

    # -- services for contexts (the TaskContext host) -------------------------------

    def subscribe(self, token: Any, apid: Any, handler: Callable[[Any], object],
                  parse: bool) -> None:
        """Route ``apid`` to the participant ``token`` (its context's), to
        ``handler`` (behind the declaration's parser with ``parse``)."""
        slot: _Slot = token
        if not callable(handler):
            raise TypeError(f"{slot.name}: handler {handler!r} is not callable")
        pdef = None
        if parse:
            pdef = apid if hasattr(apid, "parse") else DICTIONARY.by_apid.get(int(apid))
            if pdef is None:
                raise ValueError(f"{slot.name}: APID {apid!r} has no declaration to parse with")
        (a,) = as_apids(apid)
        try:
            self.router.subscribe(slot.inbox, a)
        except ValueError as exc:
            raise ValueError(f"{slot.name}: {exc}") from None
        call = handler if pdef is None else self._parsing(slot, handler, pdef)
        before = slot.calls.get(a, ())
        slot.calls[a] = (*before, call)
        if before:  # several handlers: each behind its own parsing, in order
            slot.dispatch[a], slot.parsers[a] = _fan_out(slot.calls[a]), None
        elif pdef is not None and getattr(pdef, "fixed", False):  # parsed by _deliver
            slot.dispatch[a], slot.parsers[a] = handler, pdef.parse
            slot.pdefs[a] = pdef
        else:
            slot.dispatch[a], slot.parsers[a] = call, None
        if a not in slot.apids:
            slot.apids.add(a)
            self.lockstep.subscribed(a)

    def next_seq(self, apid: int) -> int:
        """The next 14-bit sequence count of ``apid`` on this node."""
        s = self.seq[apid]
        self.seq[apid] = (s + 1) & 0x3FFF
        return s

    def _parsing(self, slot: _Slot, handler: Callable[[Any], object],
                 pdef: Any) -> Callable[[bytes], None]:
        """``handler`` behind ``pdef.parse``; a packet that does not parse is
        counted and reported, never handed on.

        Parse once: the router hands every subscriber the same ``bytes``
        object, so the record the first subscriber's parse made is kept
        beside that object (one per APID: the last packet parsed) and the
        next subscribers of the same packet get it. Only for fixed-layout
        packets, whose records are immutable (tuples of numbers, tuples,
        strings and bytes); the check is by identity of the packet object the
        cache itself keeps alive, and the parser must be the same: nothing
        can go stale. A packet that does not parse is not kept: each
        subscriber counts and reports it. (A participant's only handler of
        an APID is not wrapped: :meth:`_deliver` does the same inline.)"""
        parse = pdef.parse
        if not getattr(pdef, "fixed", False):
            def each(p: bytes) -> None:
                try:
                    rec = parse(p)
                except PacketError as exc:
                    self._bad_parse(slot, pdef, exc)
                    return
                handler(rec)

            return each
        seen_p, seen_by, seen_rec = self._parsed_p, self._parsed_by, self._parsed_rec
        apid = pdef.apid

        def call(p: bytes) -> None:
            if seen_p[apid] is p and seen_by[apid] is parse:
                rec = seen_rec[apid]
            else:
                try:
                    rec = parse(p)
                except PacketError as exc:
                    self._bad_parse(slot, pdef, exc)
                    return
                seen_p[apid], seen_by[apid], seen_rec[apid] = p, parse, rec
            handler(rec)

        return call

    def _bad_parse(self, slot: _Slot, pdef: Any, exc: PacketError) -> None:
        """A packet of ``pdef`` that did not parse for ``slot``: counted, reported."""
        slot.bad_packets += 1
        self._event(slot, WARNING, ev.BAD_PACKET, f"{pdef.name} dropped: {exc}")

    def bad_packet(self, token: Any, pdef: Any, exc: PacketError) -> None:
        """A packet of ``pdef`` that the participant ``token`` subscribed raw
        (``parse=False``) and found malformed (``exc``: its parser's error):
        counted and reported as a parsing subscription's (:meth:`_bad_parse`)."""
        self._bad_parse(token, pdef, exc)

    def _event(self, slot: _Slot | None, severity: int, event_id: int, text: str) -> None:
        """An event of the executive about ``slot`` (its source) or itself."""
        raw = ev.event_packet(self.t, self.next_seq(ev.EVENT.apid), severity, event_id,
                              slot.name if slot else "executive", text)
        if slot is not None and slot.ctx is not None and not slot.opened:
            slot.ctx.publish(raw)  # held with the participant's own start-up packets
        else:
            self.lockstep.publish(raw)

    # -- one participant's turn ---------------------------------------------------------------

    def _open(self, slot: _Slot) -> None:
        """A participant's first turn after its (re)start: what it published
        in ``init`` goes out now, and from now on straight to the bus."""
        slot.opened = True
        if slot.ctx is not None:
            for p in slot.ctx.open(self.lockstep.fast_publish):
                self.lockstep.publish(p)

    def _turn(self, slot: _Slot, k: int) -> None:
        if not slot.opened:
            self._open(slot)
            if slot.init_error is not None:
                exc, slot.init_error = slot.init_error, None
                self._fault(slot, exc, k, "init")
                return
            slot.state = NOMINAL
        if slot.state != NOMINAL:
            if slot.inbox:
                slot.discarded += len(slot.inbox)
                slot.inbox.clear()
            if slot.state == FAULTED and k >= slot.restart_at:
                self._restart(slot, k)
            if slot.state != NOMINAL:
                if k % slot.hb_every == 0:
                    self._heartbeat(slot)
                return
        if slot.inbox and not self._deliver(slot, k):
            return
        if k % slot.every == 0:
            try:
                slot.obj.step(self.t)
            except Exception as exc:
                if not slot.monitored:
                    raise ExecutiveError(f"{slot.name} raised at t={self.t}: {exc!r}") from exc
                self._fault(slot, exc, k, "step")
                return
            slot.steps += 1
            if slot.consecutive and k - slot.restarted_tick >= self.config.ticks_of(
                    self.config.stable_s):
                slot.consecutive = 0
                self._event(slot, INFO, ev.TASK_STABLE, "stable again: faults forgiven")
        if slot.monitored and k % slot.hb_every == 0:
            self._heartbeat(slot)

    def _deliver(self, slot: _Slot, k: int) -> bool:
        # The router holds this very list: the packets handed on are removed
        # in place (a handler may publish one that the bus appends to it: it
        # waits for the next turn). The C fast path hands them on exactly as
        # the Python loop of _deliver_from does, and stops at a packet that
        # raised (the exception kept) or that it does not take (not bytes,
        # ...): the Python loop goes on from there.
        inbox = slot.inbox
        n = len(inbox)
        try:
            fast = self._fast_deliver
            if fast is None:
                return self._deliver_from(slot, k, 0, n)
            i = fast(inbox, 0, n, slot.dispatch, slot.parsers)
            return True if i >= n else self._deliver_from(slot, k, i, n)
        finally:
            del inbox[:n]

    def _deliver_rest(self, slot: _Slot, k: int, start: int, n: int) -> bool:
        """The Ticker's delivery stopped at packet ``start`` of ``n``: the
        rest of :meth:`_deliver` (the Python loop from there, the ``n``
        packets removed whatever happens)."""
        try:
            return self._deliver_from(slot, k, start, n)
        finally:
            del slot.inbox[:n]

    def _step_failed(self, slot: _Slot, exc: Exception, k: int) -> None:
        """The Ticker's step raised ``exc``: :meth:`_turn`'s ``except``."""
        if not slot.monitored:
            raise ExecutiveError(f"{slot.name} raised at t={self.t}: {exc!r}") from exc
        self._fault(slot, exc, k, "step")

    def _deliver_from(self, slot: _Slot, k: int, start: int, n: int) -> bool:
        """Hand ``slot.inbox[start:n]`` on in Python (the caller removes
        them): where the fast path stopped (packet ``start``'s exception, if
        it kept one, is taken here first), or all of them without it."""
        inbox = slot.inbox
        dispatch, parsers = slot.dispatch, slot.parsers
        seen_p, seen_by, seen_rec = self._parsed_p, self._parsed_by, self._parsed_rec
        stopped = self._fast_deliver
        while start < n:
            i = start
            try:
                if stopped is not None:
                    exc, in_parse = stopped.take_error()
                    stopped = None
                    if exc is not None:
                        if in_parse and isinstance(exc, PacketError):  # as the parse below
                            p = inbox[i]
                            self._bad_parse(slot, slot.pdefs[((p[0] << 8) | p[1]) & APID_MAX],
                                            exc)
                            start = i + 1
                            continue
                        raise exc  # as if raised here, in the loop below
                for i in range(start, n):  # i names the packet that raised
                    p = inbox[i]
                    a = ((p[0] << 8) | p[1]) & APID_MAX  # peek_apid, inlined
                    h = dispatch[a]
                    if h is None:
                        continue
                    parse = parsers[a]
                    if parse is None:
                        h(p)
                    elif seen_p[a] is p and seen_by[a] is parse:  # parse once
                        h(seen_rec[a])
                    else:
                        try:
                            rec = parse(p)
                        except PacketError as exc:  # counted, reported, not handed on
                            self._bad_parse(slot, slot.pdefs[a], exc)
                            continue
                        seen_p[a], seen_by[a], seen_rec[a] = p, parse, rec
                        h(rec)
                break
            except PacketBuildError as exc:  # the handler's own bug, not its input's
                return self._handler_fault(slot, exc, k, n - i - 1)
            except PacketError as exc:  # malformed input: counted, reported, dropped
                slot.bad_packets += 1
                p = inbox[i]
                self._event(slot, WARNING, ev.BAD_PACKET,
                            f"APID 0x{((p[0] << 8) | p[1]) & APID_MAX:03X} dropped: {exc}")
                start = i + 1
            except Exception as exc:
                return self._handler_fault(slot, exc, k, n - i - 1)
        return True

    def _handler_fault(self, slot: _Slot, exc: Exception, k: int, rest: int) -> bool:
        if not slot.monitored:
            raise ExecutiveError(f"{slot.name} handler raised: {exc!r}") from exc
        slot.discarded += rest
        self._fault(slot, exc, k, "handler")
        return False

    def _heartbeat(self, slot: _Slot) -> None:
        # HEARTBEAT.build's body under the declared field order (task, counter, state)
        self.lockstep.publish(_build_heartbeat(self.t, self.next_seq(_HEARTBEAT_APID),
                                               slot.hb_task, slot.steps & 0xFFFFFFFF,
                                               slot.state))

    # -- health ---------------------------------------------------------------------------------

    def _fault(self, slot: _Slot, exc: BaseException, k: int, where: str) -> None:
        if not slot.monitored:
            raise ExecutiveError(f"{slot.name} raised in {where}: {exc!r}") from exc
        slot.faults += 1
        slot.consecutive += 1
        slot.inbox.clear()
        self._unsubscribe(slot)
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" @{frame.name}:{frame.lineno}" if frame else ""
        self._event(slot, ERROR, ev.TASK_EXCEPTION, f"{where}: {type(exc).__name__}: {exc}{at}")
        cfg = self.config
        if slot.consecutive > cfg.max_restarts:
            slot.state = STOPPED
            self._event(slot, CRITICAL, ev.TASK_FAILED,
                        f"failed after {slot.restarts} restarts; stopped, the rest runs on")
            return
        delay = min(cfg.backoff_s * cfg.backoff_factor ** (slot.consecutive - 1),
                    cfg.backoff_max_s)
        slot.state = FAULTED
        slot.restart_at = k + max(1, round(delay * cfg.tick_rate))

    def _unsubscribe(self, slot: _Slot) -> None:
        self.router.unsubscribe(slot.inbox, slot.apids)
        slot.apids = set()
        slot.calls = {}
        slot.dispatch = [None] * APID_COUNT
        slot.parsers = [None] * APID_COUNT
        slot.pdefs = {}

    def _start(self, slot: _Slot) -> BaseException | None:
        """A fresh context and ``init``; the exception it raised, if any."""
        slot.ctx = TaskContext(self, slot, slot.name, slot.every)
        slot.opened = False
        try:
            slot.obj.init(slot.ctx)
        except Exception as exc:
            if not slot.monitored:
                raise ExecutiveError(f"{slot.name} init raised: {exc!r}") from exc
            self._unsubscribe(slot)
            return exc
        return None

    def _restart(self, slot: _Slot, k: int) -> None:
        slot.restarts += 1
        slot.restarted_tick = k
        error = self._start(slot)
        self._open(slot)
        if error is not None:
            self._fault(slot, error, k, "init")
            return
        slot.state = NOMINAL
        self._event(slot, WARNING, ev.TASK_RESTARTED,
                    f"restarted (restart {slot.restarts}, fault streak {slot.consecutive})")

    # -- the run ------------------------------------------------------------------------------

    def _setup(self) -> None:
        self._started = True
        for rank, slot in enumerate(self._slots):
            self.router.add_inbox(slot.inbox, rank)
        for slot in self._slots:
            slot.init_error = self._start(slot)

    def run(self, duration_s: float | None = None, *, ticks: int | None = None) -> RunResult:
        """Run for ``duration_s`` of simulated time (or ``ticks`` ticks); a
        follower runs until the owner says stop. Returns the :class:`RunResult`."""
        if self.role != "follower" and ticks is None:
            if duration_s is None:
                raise ValueError("run() needs duration_s or ticks")
            ticks = max(0, round(duration_s * self.config.tick_rate))
        self._setup()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        done = 0
        try:
            self.lockstep.start()
            done = self.lockstep.follow() if self.role == "follower" else self._lead(ticks or 0)
        finally:
            for slot in self._slots:
                stop = getattr(slot.obj, "stop", None)
                if callable(stop):
                    try:
                        stop()
                    except Exception:  # a task's cleanup cannot fail the run
                        slot.faults += 1
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        return RunResult(
            role=self.role, ticks=done, t_end=self.t, wall_s=wall,
            stream_hash=self.stream.hexdigest() if self.stream is not None else None,
            packets=self.router.packets, overruns=self._overruns,
            tasks={s.name: s.status() for s in self._slots},
            bus=self.bus.counters.totals(), sim_s=done * self._dt, cpu_s=cpu,
            next_seq={a: n for a, n in enumerate(self.seq) if n and a not in SYNC_APIDS},
        )

    def _lead(self, ticks: int) -> int:
        """The clock owner's loop (solo or owner)."""
        cfg = self.config
        realtime = cfg.mode == "realtime"
        period = self._dt / cfg.speed
        t0 = cfg.t0_tai
        dt = self._dt
        time_every = self._time_every
        slots = self._slots
        clock = 1 if realtime else 0
        lockstep = self.lockstep
        settle, turn, publish, intake = lockstep.settle, self._turn, lockstep.publish, \
            lockstep.intake  # intake: None when nothing comes from outside the lockstep
        hand_over = lockstep.hand_over if self.nodes > 1 else None
        # behind a broker: settle before every turn; a local bus (which
        # delivers as packets are published): at the start of each tick and
        # before the last turn, where the stream's time stamps change
        each = lockstep.settle_each_turn
        last = slots[-1] if slots else None
        # per participant what does not change in a run: its inbox (the very
        # list the router fills), its step period, its heartbeat period (0:
        # not monitored), and whether the stream is settled before its turn
        plan = [(s, s.inbox, s.every, s.hb_every if s.monitored else 0, each or s is last)
                for s in slots]
        ticker = self._ticker = self._make_ticker(plan, settle, turn) if (
            self.fast_turns and not each and not realtime and hand_over is None
            and intake is None) else None
        def clock_packet(k: int, t: float) -> None:
            publish(TIME.build(t_tai=t, seq=self.next_seq(TIME.apid), tick=k,
                               tick_period=dt, tai_utc=cfg.tai_utc, clock=clock))

        wall0 = time.perf_counter()
        k = 0
        if ticker is not None and type(t0) is float and type(dt) is float:
            # the loop below over whole ticks, in C (no intake, no hand-over,
            # no pacing; each False: a settle at the start of every tick);
            # the Python loop then has no tick left to run
            k = ticks = ticker.run(self, ticks, t0, dt, time_every, clock_packet)
        while k < ticks and not self._stop_requested:
            self.tick = k
            self.t = t = t0 + k * dt
            if intake is not None:
                intake()
            if k % time_every == 0:
                clock_packet(k, t)
            if not each:
                settle()
            if ticker is not None:  # the loop below, in C
                ticker(k, t)
            else:
                for slot, inbox, every, hb_every, settle_first in plan:
                    if settle_first:
                        settle()
                    # an idle turn does nothing: nothing in its inbox, no step and
                    # no heartbeat due, nominal (the hot path skips the call)
                    if (not inbox and k % every and not (hb_every and k % hb_every == 0)
                            and slot.state == NOMINAL and slot.opened):
                        continue
                    turn(slot, k)
            if hand_over is not None:
                hand_over(k)
            k += 1
            if realtime:
                self._pace(wall0 + k * period, k)
        lockstep.finish(k)
        return k

    def _make_ticker(self, plan: list[tuple[_Slot, list[bytes], int, int, bool]],
                     settle: Callable[[], None], turn: Callable[[_Slot, int], None]) -> Any:
        """The C fast path of :meth:`_lead`'s loop over ``plan`` (one call a
        tick: ``ticker(k, t)``), or None without the extension. For a
        participant nominal and opened with no fault streak it runs the
        turn itself: settles where ``plan`` says, skips an idle turn,
        delivers the inbox through the Dispatcher (where that stops,
        :meth:`_deliver_rest`), calls ``step(t)`` when due and counts it
        (an Exception: :meth:`_step_failed`), publishes the heartbeat when
        due (:meth:`_heartbeat`). Every other turn is ``turn(slot, k)``
        (:meth:`_turn`, the reference). Used on a local lockstep paced by
        nothing (see :meth:`_lead`)."""
        if _hotpath is None or self._fast_deliver is None:
            return None
        return _hotpath.Ticker(
            [(s, s.obj, inbox, every, hb_every, first)
             for s, inbox, every, hb_every, first in plan],
            self._fast_deliver, settle, turn, self._deliver_rest,
            self._step_failed, self._make_heartbeat(), NOMINAL, self._ticker_clock)

    def _make_heartbeat(self) -> Callable[[_Slot], None]:
        """The C fast path of :meth:`_heartbeat` (``_hotpath.Heartbeat``):
        each participant's HEARTBEAT built once by the dictionary with its
        task name, then per heartbeat its sequence count, time, counter,
        state and CRC set in C (where :data:`_HEARTBEAT_LAYOUT` says) and
        published; any case it does not take is :meth:`_heartbeat` itself,
        the reference (tests/executive/test_heartbeat.py compares them).
        The method itself without the extension, with a layout it cannot
        patch, where :meth:`_heartbeat` or :meth:`next_seq` is another's (a
        subclass's, an instance's own), or if its packet differs from the
        dictionary's (checked here on a probe)."""
        mro = type(self).__mro__
        # the classes above Executive (subclasses) and the instance itself
        # must not define their own: looked up by name, as attribute look-up does
        own = [vars(self), *map(vars, mro[:mro.index(Executive)])]
        if (_hotpath is None or not hasattr(_hotpath, "Heartbeat") or _HEARTBEAT_LAYOUT is None
                or any(name in d for d in own for name in ("_heartbeat", "next_seq"))):
            return self._heartbeat
        templates: dict[str, bytes] = {}
        for s in self._slots:
            try:  # a name the packet cannot carry: its heartbeat raises in Python
                templates[s.hb_task] = _build_heartbeat(0.0, 0, s.hb_task, 0, INIT)
            except PacketError:
                continue
        hb = _hotpath.Heartbeat(self, _HEARTBEAT_APID, templates, _HEARTBEAT_LAYOUT,
                                _HEARTBEAT_STATES, self._heartbeat)
        t, seq, counter = 2.0e9 + 0.3, 0x1234, 0xA5C3E1F7
        for task in templates:  # the C packet is the dictionary's, or C is not used
            if (hb.build(task, t, seq, counter, NOMINAL)
                    != _build_heartbeat(t, seq, task, counter, NOMINAL)):
                return self._heartbeat
        return hb  # type: ignore[no-any-return]

    def run_turns(self, k: int) -> None:
        """A follower's share of tick ``k``: its participants, in order."""
        self.tick = k
        self.t = self.config.t0_tai + k * self._dt
        for slot in self._slots:
            self.lockstep.settle()
            self._turn(slot, k)

    def _pace(self, deadline: float, k: int) -> None:
        now = time.perf_counter()
        if now > deadline:
            self._overruns += 1
            if self.t - self._last_overrun_event >= 1.0:
                self._last_overrun_event = self.t
                self._event(None, WARNING, ev.DEADLINE_OVERRUN,
                            f"tick {k - 1} late by {(now - deadline) * 1e3:.1f} ms; "
                            f"{self._overruns} overruns so far")
        else:
            time.sleep(deadline - now)


def _fan_out(calls: tuple[Callable[[bytes], object], ...]) -> Callable[[bytes], None]:
    """One callable handing a packet to each of ``calls`` in order (an
    exception stops the packet there, as a loop over them would)."""
    def each(p: bytes) -> None:
        for c in calls:
            c(p)

    return each
