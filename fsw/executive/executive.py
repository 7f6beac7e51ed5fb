"""The executive: steps participants tick by tick, in a fixed order, over the bus.

See :mod:`fsw.executive` for the contract. Hot-path notes: per tick it costs a
few list operations per participant; every packet is received once through
ZeroMQ and appended to the inbox of each local subscriber; a local bus is
drained only when something was published (no failed non-blocking receives).
"""

from __future__ import annotations

import hashlib
import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import zmq

from fsw.bus import Bus
from fsw.bus.errors import BusError
from fsw.bus.topics import APID_COUNT, as_apids
from fsw.executive import events as ev
from fsw.executive.config import ExecutiveConfig
from fsw.executive.task import CRITICAL, ERROR, INFO, WARNING, TaskContext
from fsw.packets import DICTIONARY, PacketBuildError, PacketError

TIME = DICTIONARY["TIME"]
EVENT = DICTIONARY["EVENT"]
HEARTBEAT = DICTIONARY["HEARTBEAT"]
HELLO = DICTIONARY["HELLO"]
TICK = DICTIONARY["TICK"]
TICK_DONE = DICTIONARY["TICK_DONE"]
BARRIER = DICTIONARY["BARRIER"]
#: APIDs of the lockstep protocol: never delivered, never hashed.
SYNC_APIDS = (HELLO.apid, TICK.apid, TICK_DONE.apid, BARRIER.apid)
_NOBLOCK = zmq.NOBLOCK

# Task states (the HEARTBEAT ``state`` enum).
INIT, NOMINAL, FAULTED, STOPPED = 0, 1, 5, 4
STATE_NAMES = {INIT: "init", NOMINAL: "nominal", FAULTED: "faulted", STOPPED: "failed"}
_EVENT_TEXT = 96
_SOURCE_TEXT = 16


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
    #: blake2b-256 hex digest of the packet stream in canonical order (clock
    #: owner or single process; None on followers).
    stream_hash: str | None
    packets: int
    overruns: int
    tasks: dict[str, TaskStatus] = field(default_factory=dict)
    bus: dict[str, int] = field(default_factory=dict)

    #: simulated seconds run
    sim_s: float = 0.0

    @property
    def rtf(self) -> float:
        """Real-time factor: simulated seconds per wall-clock second."""
        return self.sim_s / max(self.wall_s, 1e-9)


class _Slot:
    """The executive's bookkeeping of one participant."""

    __slots__ = ("bad_packets", "calls", "consecutive", "ctx", "discarded", "dispatch", "every",
                 "faults",
                 "handlers", "hb_every", "inbox", "init_error", "monitored", "name",
                 "obj", "pending", "restart_at", "restarted_tick", "restarts", "state",
                 "steps")

    def __init__(self, obj: Any, name: str, every: int, monitored: bool, hb_every: int) -> None:
        self.obj = obj
        self.name = name
        self.every = every
        self.monitored = monitored
        self.hb_every = hb_every
        self.inbox: list[bytes] = []
        self.handlers: dict[int, list[tuple[Callable[[Any], object], Any]]] = {}
        #: APID -> the callables a packet of it goes to (parsing wrapped in)
        self.calls: dict[int, tuple[Callable[[bytes], object], ...]] = {}
        #: APID -> one callable per APID (the only one, or all of ``calls``
        #: in order): the delivery hot path makes one call per packet
        self.dispatch: dict[int, Callable[[bytes], object]] = {}
        self.pending: list[bytes] | None = None
        self.ctx: TaskContext | None = None
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
    ``nodes`` is the number of processes in the run.
    """

    def __init__(self, bus: Bus, config: ExecutiveConfig | None = None, *, role: str = "solo",
                 node: int = 0, nodes: int = 1) -> None:
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
        self._dt = self.config.dt
        self._slots: list[_Slot] = []
        self._names: set[str] = set()
        self._world = False
        self._subs: list[list[_Slot] | None] = [None] * APID_COUNT
        self._seq = [0] * APID_COUNT
        self._skip = [False] * APID_COUNT
        for a in SYNC_APIDS:
            self._skip[a] = True
        self._hash = hashlib.blake2b(digest_size=32)
        self._hash_update = self._hash.update
        self._hashing = role != "follower"
        self._packets = 0
        self._dirty = False  # broker mode: published since the last echo
        self._barriers = 0
        self._local = bus.is_local
        self._time_every = (self.config.ticks_of(self.config.time_period_s)
                            if self.config.time_period_s > 0 else 1)
        self._overruns = 0
        self._last_overrun_event = -math.inf
        self._stop_requested = False
        self._started = False
        self._sink = self._on_packet
        #: what a context's publish becomes after the first turn: straight to
        #: the bus on a local bus, else also marking the node dirty
        self._fast_publish: Callable[[bytes], None] = bus.publish if bus.is_local \
            else self._publish
        #: APIDs this node's SUB subscribes to behind a broker (followers)
        self._bus_subs: set[int] = set()
        self._handshaken = False
        if not self._local:
            bus.ignore_sequence(SYNC_APIDS)
            if role == "follower":  # only what it needs: see sync.handshake
                self._bus_subscribe((HELLO.apid, TICK.apid))
            else:  # the clock owner hashes the whole stream
                bus.subscribe_all()
            self._sink = self._on_packet_synced

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
        hb_every = every if hb == 0 else self.config.ticks_of(hb)
        return _Slot(obj, name, every, monitored, hb_every)

    @property
    def participants(self) -> list[str]:
        """Names in stepping order."""
        return [s.name for s in self._slots]

    def request_stop(self) -> None:
        """Ask a running executive to end after the current tick."""
        self._stop_requested = True

    def _bus_subscribe(self, apids: Any) -> None:
        new = [a for a in apids if a not in self._bus_subs]
        if new:
            self.bus.subscribe(new)
            self._bus_subs.update(new)

    # -- services for contexts --------------------------------------------------------

    def _subscribe(self, slot: _Slot, apid: Any, handler: Callable[[Any], object],
                   parse: bool) -> None:
        if not callable(handler):
            raise TypeError(f"{slot.name}: handler {handler!r} is not callable")
        pdef = None
        if parse:
            pdef = apid if hasattr(apid, "parse") else DICTIONARY.by_apid.get(int(apid))
            if pdef is None:
                raise ValueError(f"{slot.name}: APID {apid!r} has no declaration to parse with")
        (a,) = as_apids(apid)
        if self._skip[a]:
            raise ValueError(f"{slot.name}: APID 0x{a:03X} is reserved for lockstep sync")
        slot.handlers.setdefault(a, []).append((handler, pdef))
        call = handler if pdef is None else self._parsing(slot, handler, pdef)
        before = slot.calls.get(a, ())
        slot.calls[a] = (*before, call)
        slot.dispatch[a] = call if not before else _fan_out(slot.calls[a])
        if self._handshaken and self.role == "follower" and a not in self._bus_subs:
            # a new APID after start-up (e.g. at a restart): effective once the
            # subscription has reached the publishers, not synchronised
            self._bus_subscribe((a,))
        subs = self._subs[a]
        if subs is None:
            self._subs[a] = [slot]
        elif slot not in subs:
            subs.append(slot)
            subs.sort(key=self._slots.index)

    def _parsing(self, slot: _Slot, handler: Callable[[Any], object],
                 pdef: Any) -> Callable[[bytes], None]:
        """``handler`` behind ``pdef.parse``; a packet that does not parse is
        counted and reported, never handed on."""
        parse = pdef.parse

        def call(p: bytes) -> None:
            try:
                rec = parse(p)
            except PacketError as exc:
                slot.bad_packets += 1
                self._event(slot, WARNING, ev.BAD_PACKET, f"{pdef.name} dropped: {exc}")
                return
            handler(rec)

        return call

    def _publish_from(self, slot: _Slot, packet: bytes) -> None:
        if slot.pending is not None:
            slot.pending.append(bytes(packet))
            return
        self.bus.publish(packet)
        self._dirty = True

    def _publish(self, packet: bytes) -> None:
        self.bus.publish(packet)
        self._dirty = True

    def _next_seq(self, apid: int) -> int:
        s = self._seq[apid]
        self._seq[apid] = (s + 1) & 0x3FFF
        return s

    def _event(self, slot: _Slot | None, severity: int, event_id: int, text: str) -> None:
        source = slot.name if slot else "executive"
        raw = EVENT.build(t_tai=self.t, seq=self._next_seq(EVENT.apid), severity=severity,
                          event_id=event_id, source=_clip(source, _SOURCE_TEXT),
                          text=_clip(text, _EVENT_TEXT))
        if slot is not None:
            self._publish_from(slot, raw)
        else:
            self._publish(raw)

    # -- packet intake ----------------------------------------------------------------------

    def _on_packet(self, p: bytes) -> None:
        apid = ((p[0] << 8) | p[1]) & 0x7FF
        if self._skip[apid]:
            return
        if self._hashing:
            self._hash_update(p)
            self._packets += 1
        subs = self._subs[apid]
        if subs is not None:
            for s in subs:
                s.inbox.append(p)

    def _on_packet_synced(self, p: bytes) -> None:
        """Broker mode: also keep this node's per-APID sequence counters level
        with the stream, so that an APID published from several nodes (EVENT,
        HEARTBEAT) is counted exactly as in one process. Lockstep delivers
        every earlier packet before a node's turn; its own echoes never move
        a counter back (forward moves only, by less than half the space)."""
        apid = ((p[0] << 8) | p[1]) & 0x7FF
        if self._skip[apid]:
            return
        nxt = (((p[2] << 8) | p[3]) + 1) & 0x3FFF
        if 0 < ((nxt - self._seq[apid]) & 0x3FFF) < 0x2000:
            self._seq[apid] = nxt
        if self._hashing:
            self._hash_update(p)
            self._packets += 1
        subs = self._subs[apid]
        if subs is not None:
            for s in subs:
                s.inbox.append(p)

    def _sync_local(self) -> None:
        """Before a participant's turn: every packet published so far is in
        the inboxes."""
        if self._local:
            if self.bus._outstanding:
                self._drain_local()
        elif self._dirty:
            self._barrier()

    def _drain_local(self) -> None:
        """:meth:`Bus.drain` and :meth:`_on_packet` fused for a local bus
        (the lockstep hot path: one receive, one counter, one hash update and
        an append per subscriber for each packet)."""
        bus = self.bus
        want = bus._outstanding
        recv = bus._recv
        received = bus._received
        skip = self._skip
        subs_of = self._subs
        update = self._hash_update
        i = 0
        try:
            for i in range(want):  # noqa: B007 - i counts what arrived
                p = recv(_NOBLOCK)
                apid = ((p[0] << 8) | p[1]) & 0x7FF
                received[apid] += 1
                if skip[apid]:
                    continue
                update(p)
                subs = subs_of[apid]
                if subs is not None:
                    for s in subs:
                        s.inbox.append(p)
        except zmq.Again:
            bus._reconcile_drops()
        finally:
            bus._outstanding = 0

    def _hashed_count(self) -> int:
        """Packets in the stream hash (a local bus hashes all it receives
        but sync packets, counted per APID by the bus, not per packet here)."""
        if not self._local:
            return self._packets
        rec = self.bus.counters.received
        return sum(rec[a] for a in range(APID_COUNT) if not self._skip[a])

    def _barrier(self) -> None:
        self._barriers += 1
        n = self._barriers
        self.bus.publish(BARRIER.build(t_tai=self.t, seq=self._next_seq(BARRIER.apid),
                                       node=self.node, count=n))
        me = self.node

        def mine(p: bytes) -> bool:
            if ((p[0] << 8) | p[1]) & 0x7FF != BARRIER.apid:
                return False
            try:
                r = BARRIER.parse(p)
            except PacketError:
                return False
            return r.node == me and r.count == n

        self.bus.recv_until(mine, self._sink, self.config.sync_timeout_s)
        self._dirty = False

    # -- one participant's turn ---------------------------------------------------------------

    def _turn(self, slot: _Slot, k: int) -> None:
        if slot.pending is not None:
            pending, slot.pending = slot.pending, None
            for p in pending:
                self._publish(p)
            if slot.init_error is not None:
                exc, slot.init_error = slot.init_error, None
                self._fault(slot, exc, k, "init")
                return
            slot.state = NOMINAL
            if slot.ctx is not None:
                slot.ctx.publish = self._fast_publish  # type: ignore[method-assign]
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
        inbox, slot.inbox = slot.inbox, []
        get = slot.dispatch.get
        start, n = 0, len(inbox)
        while start < n:
            i = start
            try:
                for i in range(start, n):  # i names the packet that raised
                    p = inbox[i]
                    h = get(((p[0] << 8) | p[1]) & 0x7FF)
                    if h is not None:
                        h(p)
                return True
            except PacketBuildError as exc:  # the handler's own bug, not its input's
                return self._handler_fault(slot, exc, k, n - i - 1)
            except PacketError as exc:  # malformed input: counted, reported, dropped
                slot.bad_packets += 1
                p = inbox[i]
                self._event(slot, WARNING, ev.BAD_PACKET,
                            f"APID 0x{((p[0] << 8) | p[1]) & 0x7FF:03X} dropped: {exc}")
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
        self._publish(HEARTBEAT.build(t_tai=self.t, seq=self._next_seq(HEARTBEAT.apid),
                                      task=_clip(slot.name, _SOURCE_TEXT),
                                      counter=slot.steps & 0xFFFFFFFF, state=slot.state))

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
        for a in slot.handlers:
            subs = self._subs[a]
            if subs is not None and slot in subs:
                subs.remove(slot)
                if not subs:
                    self._subs[a] = None
        slot.handlers = {}
        slot.calls = {}
        slot.dispatch = {}

    def _restart(self, slot: _Slot, k: int) -> None:
        slot.restarts += 1
        slot.restarted_tick = k
        slot.ctx = TaskContext(self, slot)
        try:
            slot.obj.init(slot.ctx)
        except Exception as exc:
            self._fault(slot, exc, k, "init")
            return
        slot.state = NOMINAL
        slot.ctx.publish = self._fast_publish  # type: ignore[method-assign]
        self._event(slot, WARNING, ev.TASK_RESTARTED,
                    f"restarted (restart {slot.restarts}, fault streak {slot.consecutive})")

    # -- the run ------------------------------------------------------------------------------

    def _setup(self) -> None:
        self._started = True
        for slot in self._slots:
            slot.ctx = TaskContext(self, slot)
            slot.pending = []
            try:
                slot.obj.init(slot.ctx)
            except Exception as exc:
                if not slot.monitored:
                    raise ExecutiveError(f"{slot.name} init raised: {exc!r}") from exc
                slot.init_error = exc
                self._unsubscribe(slot)

    def run(self, duration_s: float | None = None, *, ticks: int | None = None) -> RunResult:
        """Run for ``duration_s`` of simulated time (or ``ticks`` ticks); a
        follower runs until the owner says stop. Returns the :class:`RunResult`."""
        if self.role != "follower" and ticks is None:
            if duration_s is None:
                raise ValueError("run() needs duration_s or ticks")
            ticks = max(0, round(duration_s * self.config.tick_rate))
        from fsw.executive import sync

        self._setup()
        wall0 = time.perf_counter()
        done = 0
        try:
            if not self._local:
                sync.handshake(self)
            self._handshaken = True
            done = sync.follow(self) if self.role == "follower" else self._lead(ticks or 0)
        finally:
            for slot in self._slots:
                stop = getattr(slot.obj, "stop", None)
                if callable(stop):
                    try:
                        stop()
                    except Exception:  # a task's cleanup cannot fail the run
                        slot.faults += 1
        wall = time.perf_counter() - wall0
        return RunResult(
            role=self.role, ticks=done, t_end=self.t, wall_s=wall,
            stream_hash=self._hash.hexdigest() if self._hashing else None,
            packets=self._hashed_count(), overruns=self._overruns,
            tasks={s.name: s.status() for s in self._slots},
            bus=self.bus.counters.totals(), sim_s=done * self._dt,
        )

    def _lead(self, ticks: int) -> int:
        """The clock owner's loop (solo or owner)."""
        from fsw.executive import sync

        cfg = self.config
        realtime = cfg.mode == "realtime"
        period = self._dt / cfg.speed
        t0 = cfg.t0_tai
        dt = self._dt
        time_every = self._time_every
        slots = self._slots
        followers = self.nodes - 1
        clock = 1 if realtime else 0
        local, bus, drain, turn = self._local, self.bus, self._drain_local, self._turn
        wall0 = time.perf_counter()
        k = 0
        while k < ticks and not self._stop_requested:
            self.tick = k
            self.t = t = t0 + k * dt
            if not local:
                # packets from outside the lockstep (a ground console on the
                # broker): taken in here, so no queue fills while nobody waits
                bus.drain(self._sink)
            if k % time_every == 0:
                self._publish(TIME.build(t_tai=t, seq=self._next_seq(TIME.apid), tick=k,
                                         tick_period=dt, tai_utc=cfg.tai_utc, clock=clock))
            for slot in slots:
                if local:
                    if bus._outstanding:
                        drain()
                elif self._dirty:
                    self._barrier()
                turn(slot, k)
            if followers:
                for stage in range(1, followers + 1):
                    sync.run_stage(self, k, stage)
            k += 1
            if realtime:
                self._pace(wall0 + k * period, k)
        self._sync_local()
        if followers:
            sync.stop_followers(self, k)
        return k

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

    def _run_local_turns(self, k: int) -> None:
        """A follower's share of tick ``k``: its participants, in order."""
        self.tick = k
        self.t = self.config.t0_tai + k * self._dt
        for slot in self._slots:
            self._sync_local()
            self._turn(slot, k)


def _fan_out(calls: tuple[Callable[[bytes], object], ...]) -> Callable[[bytes], None]:
    """One callable handing a packet to each of ``calls`` in order (an
    exception stops the packet there, as a loop over them would)."""
    def each(p: bytes) -> None:
        for c in calls:
            c(p)

    return each


def _clip(text: str, size: int) -> str:
    raw = text.encode("utf-8")[:size]
    return raw.decode("utf-8", "ignore")
