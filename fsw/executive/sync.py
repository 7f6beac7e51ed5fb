"""Lockstep across processes: the handshake and the tick protocol.

Nodes share one bus through a broker; node 0 owns the clock, nodes 1.. follow
in stage order. The owner subscribes to everything (it hashes the stream); a
follower subscribes to the APIDs its participants asked for in ``init`` and
to the sync packets it needs, and to EVENT and HEARTBEAT, which every node
publishes: a node keeps its per-APID sequence counters level with the
packets it sees, so these count as in one process. (An APID that tasks in
two different nodes both publish needs the same: subscribe to it.)

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
single process would have published them: the owner, subscribed to all, hashes
them as they come back. Within a node, a participant's turn starts only after
every packet published before it has come back (:meth:`Executive._barrier`:
the node's own BARRIER marker returns last).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fsw.bus.errors import BusTimeoutError
from fsw.packets import PacketError

if TYPE_CHECKING:
    from fsw.executive.executive import Executive

_HELLO_PERIOD_S = 0.02


def _shared() -> tuple[int, ...]:
    from fsw.executive.executive import EVENT, HEARTBEAT

    return (EVENT.apid, HEARTBEAT.apid)


#: APIDs every node publishes (for its own tasks): a follower subscribes to
#: them so that its sequence counters follow the other nodes' packets.
SHARED_APIDS = _shared()


def _apid(p: bytes) -> int:
    return ((p[0] << 8) | p[1]) & 0x7FF


def _probe(ex: Executive) -> bytes:
    from fsw.executive.executive import BARRIER

    return BARRIER.build(t_tai=ex.t, seq=ex._next_seq(BARRIER.apid), node=ex.node, count=0)


def handshake(ex: Executive) -> None:
    """Wait until every node hears every other and holds the subscriptions
    of every other (see the module docstring)."""
    from fsw.executive.executive import BARRIER, HELLO

    bus, n, me = ex.bus, ex.nodes, ex.node
    heard: set[int] = set()  # HELLOs: phase A
    probed: set[int] = set()  # BARRIER probes: phase B
    ready: set[int] = set()
    deadline = time.monotonic() + ex.config.sync_timeout_s
    next_hello = 0.0
    phase_b = False
    while True:
        now = time.monotonic()
        if now > deadline:
            raise BusTimeoutError(
                f"node {me}: lockstep handshake timed out; heard nodes {sorted(heard)} of {n}, "
                f"subscriptions confirmed by {sorted(probed)}, ready {sorted(ready)}")
        if not phase_b and len(heard) == n:
            phase_b = True
            if ex.role == "follower":
                # the pipes are attached now, so these travel in order, after
                # which the BARRIER subscription is the marker of their arrival
                ex._bus_subscribe(a for a in range(len(ex._subs)) if ex._subs[a])
                ex._bus_subscribe(SHARED_APIDS)
                ex._bus_subscribe((BARRIER.apid,))
        done_b = phase_b and len(probed) == n
        if now >= next_hello:
            bus.publish(HELLO.build(t_tai=ex.t, seq=ex._next_seq(HELLO.apid), node=me,
                                    nodes=n, ready=int(done_b)))
            if phase_b:
                bus.publish(_probe(ex))
            next_hello = now + _HELLO_PERIOD_S
        if done_b and (me != 0 or ready >= set(range(1, n))):
            return
        p = bus.recv(_HELLO_PERIOD_S)
        if p is None:
            continue
        apid = _apid(p)
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


def run_stage(ex: Executive, k: int, stage: int) -> None:
    """Owner: hand tick ``k`` to follower ``stage`` and wait until it is done."""
    from fsw.executive.executive import TICK, TICK_DONE

    ex.bus.publish(TICK.build(t_tai=ex.t, seq=ex._next_seq(TICK.apid), tick=k, stage=stage,
                              stop=0))

    def done(p: bytes) -> bool:
        if _apid(p) != TICK_DONE.apid:
            return False
        try:
            r = TICK_DONE.parse(p)
        except PacketError:
            return False
        return r.tick == k and r.stage == stage

    try:
        ex.bus.recv_until(done, ex._sink, ex.config.sync_timeout_s)
    except BusTimeoutError:
        raise BusTimeoutError(f"follower {stage} did not finish tick {k} within "
                         f"{ex.config.sync_timeout_s} s") from None
    ex._dirty = False  # our TICK (and all before it) came back before its TICK_DONE


def stop_followers(ex: Executive, k: int) -> None:
    """Owner: tell every follower the run is over."""
    from fsw.executive.executive import TICK

    for stage in range(1, ex.nodes):
        ex.bus.publish(TICK.build(t_tai=ex.t, seq=ex._next_seq(TICK.apid), tick=k,
                                  stage=stage, stop=1))


def follow(ex: Executive) -> int:
    """Follower: run its turns at each TICK of its stage until told to stop;
    returns the ticks run."""
    from fsw.executive.executive import HELLO, TICK, TICK_DONE

    bus, me = ex.bus, ex.node
    first = True
    ticks = 0

    def mine(p: bytes) -> bool:
        if _apid(p) != TICK.apid:
            return False
        try:
            return TICK.parse(p).stage == me
        except PacketError:
            return False

    while True:
        if first:
            # keep saying hello (ready) until the owner starts
            deadline = time.monotonic() + ex.config.sync_timeout_s
            while True:
                try:
                    p = bus.recv_until(mine, ex._sink, _HELLO_PERIOD_S)
                    break
                except BusTimeoutError:
                    if time.monotonic() > deadline:
                        raise BusTimeoutError(
                            f"follower {me}: the clock owner never started") from None
                    bus.publish(HELLO.build(t_tai=ex.t, seq=ex._next_seq(HELLO.apid), node=me,
                                            nodes=ex.nodes, ready=1))
                    bus.publish(_probe(ex))
            first = False
        else:
            try:
                p = bus.recv_until(mine, ex._sink, ex.config.sync_timeout_s)
            except BusTimeoutError:
                raise BusTimeoutError(f"follower {me}: no TICK from the clock owner within "
                                 f"{ex.config.sync_timeout_s} s") from None
        r = TICK.parse(p)
        ex._dirty = False
        if r.stop:
            ex.tick = r.tick
            return ticks
        ex._run_local_turns(r.tick)
        bus.publish(TICK_DONE.build(t_tai=ex.t, seq=ex._next_seq(TICK_DONE.apid), tick=r.tick,
                                    stage=me))
        ticks += 1
