"""Lockstep: how a node makes sure every packet published before a
participant's turn is in the inboxes when the turn begins. Two strategies
behind one interface, chosen by the bus:

- :class:`LocalLockstep` (one process, :meth:`fsw.bus.Bus.local`): before a
  turn, take what was published since the last one off the bus's loopback
  queue and route it (no socket hop: the packets, their order and the stream
  are those of the broker strategy over ipc or tcp, bit for bit).
- :class:`BrokerLockstep` (several processes behind a broker): a start-up
  handshake, a barrier before a turn, and the tick protocol between the clock
  owner (node 0) and the followers (nodes 1.., in stage order).

The interface the executive uses: ``publish(packet)``, ``fast_publish`` (what
a context publishes through once its participant has had its first turn),
``start()``, ``settle()`` (before each turn; with ``settle_each_turn``
False at the start of each tick and before its last turn only), ``intake``
(owner, at the start of a tick: packets from outside the lockstep; None if
there are none), ``hand_over(k)`` (owner, after its own turns), ``finish(k)``
(owner, after the last tick), ``follow()`` (follower: the whole run) and
``subscribed(apid)`` (a participant subscribed to a new APID).

Broker protocol. The owner subscribes to everything (it hashes the stream);
a follower subscribes to the APIDs its participants asked for in ``init``,
to the sync packets it needs, and to EVENT and HEARTBEAT, which every node
publishes: a node keeps its per-APID sequence counters level with the packets
it sees, so these count as in one process. (An APID that tasks in two
different nodes both publish needs the same: subscribe to it.)

Start-up. Phase A: every node publishes HELLO every 20 ms; the followers are
subscribed to HELLO and TICK only. A node that has heard the HELLOs of all
``nodes`` nodes (its own included) knows every publisher is attached to the
broker and its own pipes are up, so subscriptions it makes from now on reach
every publisher in the order made. Phase B: a follower subscribes to its
participants' APIDs, then to BARRIER, the marker; every node publishes a
BARRIER probe (count 0) every 20 ms. A node that has received the probes of
all nodes knows every publisher holds all its subscriptions, and says so
(HELLO ``ready=1``). The owner starts tick 0 once every follower is ready; a
follower keeps up its HELLOs and probes until its first TICK arrives. (The
broker's XPUB is verbose, so no subscription is dropped as a duplicate.)

Each tick k::

    owner:    TIME, its participants' turns ............ TICK(k, 1) ... wait TICK_DONE(k, 1)
    follower 1:                       wait TICK(k, 1) -> its turns -> TICK_DONE(k, 1)
    (then stage 2, ... ; after the last tick TICK(stop=1) to each follower)

Only one node publishes at a time, and messages of one publisher stay in order
through the broker, so the broker forwards the packets in exactly the order a
single process would have published them: the owner, subscribed to all,
hashes them as they come back. Within a node, a participant's turn starts
only after every packet published before it has come back (the node's own
BARRIER marker returns last). TICK_DONE says how many packets the follower
published after its last turn began (``trailing``): in one process the next
tick routes those, so the owner puts them in the stream at its next turn
(with the next tick's time), or never if the run ends (see
:mod:`fsw.executive.router`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, MutableSequence
from typing import Protocol

from fsw.bus import Bus
from fsw.bus.errors import BusTimeoutError
from fsw.executive.config import ExecutiveConfig
from fsw.executive.router import Router
from fsw.packets import DICTIONARY, PacketError, peek_apid

try:  # the local settle's fast path in C (native/hotpath); without it, the closure
    from fsw import _hotpath
except ImportError:  # pragma: no cover - a source tree without build_ext
    _hotpath = None  # type: ignore[assignment]

TIME = DICTIONARY["TIME"]
EVENT = DICTIONARY["EVENT"]
HEARTBEAT = DICTIONARY["HEARTBEAT"]
HELLO = DICTIONARY["HELLO"]
TICK = DICTIONARY["TICK"]
TICK_DONE = DICTIONARY["TICK_DONE"]
BARRIER = DICTIONARY["BARRIER"]
#: APIDs of the lockstep protocol: never delivered, never hashed.
SYNC_APIDS = (HELLO.apid, TICK.apid, TICK_DONE.apid, BARRIER.apid)
#: APIDs every node publishes (for its own tasks): a follower subscribes to
#: them so that its sequence counters follow the other nodes' packets.
SHARED_APIDS = (EVENT.apid, HEARTBEAT.apid)
_HELLO_PERIOD_S = 0.02


class Node(Protocol):
    """What a strategy needs of its executive (all public)."""

    config: ExecutiveConfig
    role: str
    node: int
    nodes: int
    t: float
    tick: int
    seq: MutableSequence[int]

    def next_seq(self, apid: int) -> int: ...

    def run_turns(self, k: int) -> None: ...


def strategy(node: Node, bus: Bus, router: Router) -> LocalLockstep | BrokerLockstep:
    """The strategy of a node on ``bus``."""
    if bus.is_local:
        return LocalLockstep(node, bus, router)
    return BrokerLockstep(node, bus, router)


class LocalLockstep:
    """One process over a local bus: every packet published comes back in
    order, and exactly as many as were published. The bus delivers each one
    to its inboxes as it is published (the router's table); :meth:`settle`
    only puts what was published since the last settle into the stream.

    When the stream is settled does not change what a turn receives (the
    inboxes are always up to date) but stamps the packets: those published
    in tick k before the last participant's turn with tick k's time, the
    last participant's with the next tick's (routed there, in the broker
    strategy). So the executive settles at the start of each tick and
    before the last participant's turn only (:attr:`settle_each_turn`
    False), not before every turn. The bus's high-water mark bounds what
    is published between two settles (beyond it a packet is dropped,
    counted, and reaches nobody). The settle runs in C
    (``fsw._hotpath.Settle``) where the bus's publish does; the closure
    written here is its reference (and its path for packets not delivered
    in process, through :meth:`Router.stream_delivered`).
    """

    #: no other publisher: nothing to take in at the start of a tick
    intake = None
    #: the stream is settled at the start of a tick and before the last turn
    settle_each_turn = False

    def __init__(self, node: Node, bus: Bus, router: Router) -> None:
        self.node, self.bus, self.router = node, bus, router
        self.publish: Callable[[bytes], None] = bus.publish
        self.fast_publish = bus.publish
        bus.deliver_local(router.table)
        stream_delivered, queue = router.stream_delivered, bus.loopback

        def settle() -> None:
            """Put what was published since the last settle (delivered
            already) in the stream, stamped with the current tick's time
            (the hot path: a closure, no attribute look-ups; the local bus's
            loopback queue is a list, tested for emptiness in place)."""
            if queue:  # bus.take() written out: a copy, the queue emptied in place
                packets = queue[:]
                queue.clear()
                skipped = bus.undelivered != 0
                if skipped:
                    bus.undelivered = 0
                stream_delivered(packets, node.t, skipped)

        self.settle: Callable[[], None] = settle
        fast = getattr(bus, "_fast", None)
        if _hotpath is not None and fast is not None:  # the closure above, in C
            self.settle = _hotpath.Settle(fast, router, router.stream, node,
                                          router.stream_delivered)

    def start(self) -> None:
        """Nothing to agree on."""

    def hand_over(self, k: int) -> None:
        """No followers."""

    def finish(self, k: int) -> None:
        """After the last tick: what was published since the last turn began
        reaches nobody (taken off the bus and counted)."""
        bus = self.bus
        if bus.pending_local:
            self.router.count_trailing(bus.take())

    def follow(self) -> int:
        raise RuntimeError("a follower runs behind a broker")

    def subscribed(self, apid: int) -> None:
        """A local bus receives everything."""


class BrokerLockstep:
    """Several processes behind a broker (see the module docstring)."""

    def __init__(self, node: Node, bus: Bus, router: Router) -> None:
        self.node, self.bus, self.router = node, bus, router
        self.dirty = False  # published since the last echo
        self.barriers = 0
        #: packets of this node's participants published so far, and at the
        #: start of the last turn (their difference: TICK_DONE's ``trailing``)
        self.published = 0
        self._mark = 0
        self._bus_subs: set[int] = set()
        self._started = False
        self.fast_publish = self.publish
        #: :meth:`settle` runs before every turn
        self.settle_each_turn = True
        bus.ignore_sequence(SYNC_APIDS)
        if node.role == "follower":  # only what it needs: see handshake
            self._bus_subscribe((HELLO.apid, TICK.apid))
        else:  # the clock owner hashes the whole stream
            bus.subscribe_all()

    # -- packets ---------------------------------------------------------------------

    def publish(self, packet: bytes) -> None:
        self.bus.publish(packet)
        self.dirty = True
        self.published += 1

    def sink(self, p: bytes) -> None:
        """Every packet received: keep this node's per-APID sequence counters
        level with the stream, so that an APID published from several nodes
        (EVENT, HEARTBEAT) is counted exactly as in one process (lockstep
        delivers every earlier packet before a node's turn; its own echoes
        never move a counter back: forward moves only, by less than half the
        count space), then route it."""
        apid = peek_apid(p)
        if self.router.skip[apid]:
            return
        seq = self.node.seq
        nxt = (((p[2] << 8) | p[3]) + 1) & 0x3FFF
        if 0 < ((nxt - seq[apid]) & 0x3FFF) < 0x2000:
            seq[apid] = nxt
        self.router.deliver(p)

    def _bus_subscribe(self, apids: Iterable[int]) -> None:
        new = [a for a in apids if a not in self._bus_subs]
        if new:
            self.bus.subscribe(new)
            self._bus_subs.update(new)

    def subscribed(self, apid: int) -> None:
        """A new APID after start-up (e.g. at a restart): effective once the
        subscription has reached the publishers, not synchronised."""
        if self._started and self.node.role == "follower":
            self._bus_subscribe((apid,))

    # -- turns -------------------------------------------------------------------------

    def settle(self) -> None:
        """Before a turn: every packet published so far has come back."""
        if self.dirty:
            self._barrier()
        self.router.commit(self.node.t)
        self._mark = self.published

    def _barrier(self) -> None:
        self.barriers += 1
        n = self.barriers
        node = self.node
        self.bus.publish(BARRIER.build(t_tai=node.t, seq=node.next_seq(BARRIER.apid),
                                       node=node.node, count=n))
        me = node.node

        def mine(p: bytes) -> bool:
            if peek_apid(p) != BARRIER.apid:
                return False
            try:
                r = BARRIER.parse(p)
            except PacketError:
                return False
            return r.node == me and r.count == n

        self.bus.recv_until(mine, self.sink, node.config.sync_timeout_s)
        self.dirty = False

    def intake(self) -> None:
        """Owner: packets from outside the lockstep (a ground console on the
        broker), taken in here so no queue fills while nobody waits."""
        self.bus.drain(self.sink)

    def hand_over(self, k: int) -> None:
        """Owner: run tick ``k`` on each follower in stage order."""
        last = self.node.nodes - 1
        for stage in range(1, last + 1):
            trailing = self._run_stage(k, stage)
            self.router.commit(self.node.t, keep=trailing if stage == last else 0)

    def _run_stage(self, k: int, stage: int) -> int:
        node = self.node
        self.bus.publish(TICK.build(t_tai=node.t, seq=node.next_seq(TICK.apid), tick=k,
                                    stage=stage, stop=0))
        done: list[int] = []

        def finished(p: bytes) -> bool:
            if peek_apid(p) != TICK_DONE.apid:
                return False
            try:
                r = TICK_DONE.parse(p)
            except PacketError:
                return False
            if r.tick == k and r.stage == stage:
                done.append(r.trailing)
                return True
            return False

        timeout = node.config.sync_timeout_s
        try:
            self.bus.recv_until(finished, self.sink, timeout)
        except BusTimeoutError:
            raise BusTimeoutError(f"follower {stage} did not finish tick {k} within "
                                  f"{timeout} s") from None
        self.dirty = False  # our TICK (and all before it) came back before its TICK_DONE
        return done[0]

    def finish(self, k: int) -> None:
        """Owner, after the last tick: collect what is still in flight (it
        reaches nobody) and tell every follower the run is over."""
        if self.dirty:
            self._barrier()
        self.router.drop_held()
        node = self.node
        for stage in range(1, node.nodes):
            self.bus.publish(TICK.build(t_tai=node.t, seq=node.next_seq(TICK.apid), tick=k,
                                        stage=stage, stop=1))

    # -- start-up ------------------------------------------------------------------------

    def _probe(self) -> bytes:
        node = self.node
        return BARRIER.build(t_tai=node.t, seq=node.next_seq(BARRIER.apid), node=node.node,
                             count=0)

    def _hello(self, ready: bool) -> bytes:
        node = self.node
        return HELLO.build(t_tai=node.t, seq=node.next_seq(HELLO.apid), node=node.node,
                           nodes=node.nodes, ready=int(ready))

    def start(self) -> None:
        """The handshake: wait until every node hears every other and holds
        the subscriptions of every other (see the module docstring)."""
        node, bus = self.node, self.bus
        n, me = node.nodes, node.node
        heard: set[int] = set()  # HELLOs: phase A
        probed: set[int] = set()  # BARRIER probes: phase B
        ready: set[int] = set()
        deadline = time.monotonic() + node.config.sync_timeout_s
        next_hello = 0.0
        phase_b = False
        while True:
            now = time.monotonic()
            if now > deadline:
                raise BusTimeoutError(
                    f"node {me}: lockstep handshake timed out; heard nodes {sorted(heard)} "
                    f"of {n}, subscriptions confirmed by {sorted(probed)}, ready "
                    f"{sorted(ready)}")
            if not phase_b and len(heard) == n:
                phase_b = True
                if node.role == "follower":
                    # the pipes are attached now, so these travel in order, after
                    # which the BARRIER subscription is the marker of their arrival
                    self._bus_subscribe(self.router.subscribed())
                    self._bus_subscribe(SHARED_APIDS)
                    self._bus_subscribe((BARRIER.apid,))
            done_b = phase_b and len(probed) == n
            if now >= next_hello:
                bus.publish(self._hello(done_b))
                if phase_b:
                    bus.publish(self._probe())
                next_hello = now + _HELLO_PERIOD_S
            if done_b and (me != 0 or ready >= set(range(1, n))):
                self._started = True
                return
            p = bus.recv(_HELLO_PERIOD_S)
            if p is None:
                continue
            apid = peek_apid(p)
            try:
                if apid == HELLO.apid:
                    r = HELLO.parse(p)
                    if r.nodes != n:
                        raise BusTimeoutError(
                            f"node {me}: node {r.node} expects {r.nodes} nodes, I expect {n}")
                    heard.add(r.node)
                    if r.ready:
                        ready.add(r.node)
                elif apid == BARRIER.apid and phase_b:
                    r = BARRIER.parse(p)
                    if r.count == 0:
                        probed.add(r.node)
            except PacketError:
                continue

    # -- follower ----------------------------------------------------------------------------

    def follow(self) -> int:
        """Follower: run its turns at each TICK of its stage until told to
        stop; returns the ticks run."""
        node, bus, me = self.node, self.bus, self.node.node
        timeout = node.config.sync_timeout_s
        first = True
        ticks = 0

        def mine(p: bytes) -> bool:
            if peek_apid(p) != TICK.apid:
                return False
            try:
                return TICK.parse(p).stage == me
            except PacketError:
                return False

        while True:
            if first:
                p = self._first_tick(mine)
                first = False
            else:
                try:
                    p = bus.recv_until(mine, self.sink, timeout)
                except BusTimeoutError:
                    raise BusTimeoutError(f"follower {me}: no TICK from the clock owner within "
                                          f"{timeout} s") from None
            r = TICK.parse(p)
            self.dirty = False
            if r.stop:
                node.tick = r.tick
                return ticks
            self._mark = self.published
            node.run_turns(r.tick)
            bus.publish(TICK_DONE.build(t_tai=node.t, seq=node.next_seq(TICK_DONE.apid),
                                        tick=r.tick, stage=me,
                                        trailing=self.published - self._mark))
            ticks += 1

    def _first_tick(self, mine: Callable[[bytes], bool]) -> bytes:
        """Keep saying hello (ready) until the owner starts."""
        node, me = self.node, self.node.node
        deadline = time.monotonic() + node.config.sync_timeout_s
        while True:
            try:
                return self.bus.recv_until(mine, self.sink, _HELLO_PERIOD_S)
            except BusTimeoutError:
                if time.monotonic() > deadline:
                    raise BusTimeoutError(
                        f"follower {me}: the clock owner never started") from None
                self.bus.publish(self._hello(True))
                self.bus.publish(self._probe())
