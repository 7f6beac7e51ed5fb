"""Lockstep across processes: the handshake and the tick protocol.

Nodes share one bus through a broker; node 0 owns the clock, nodes 1.. follow
in stage order. Every node subscribes to everything (one subscription, so no
subscription can arrive at a publisher out of order) and drops locally what no
participant of its own wants.

Start-up (``HELLO``): each node publishes HELLO every 20 ms. A node that has
heard all ``nodes`` HELLOs (its own included) knows that every publisher
holds its subscription and says so (``ready=1``). The owner starts tick 0
once every follower is ready; a follower keeps saying hello until its first
TICK arrives.

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


def _apid(p: bytes) -> int:
    return ((p[0] << 8) | p[1]) & 0x7FF


def handshake(ex: Executive) -> None:
    """Wait until every node hears every other (see the module docstring)."""
    from fsw.executive.executive import HELLO

    bus, n, me = ex.bus, ex.nodes, ex.node
    heard: set[int] = set()
    ready: set[int] = set()
    deadline = time.monotonic() + ex.config.sync_timeout_s
    next_hello = 0.0
    while True:
        now = time.monotonic()
        if now > deadline:
            raise BusTimeoutError(f"node {me}: lockstep handshake timed out; heard nodes "
                             f"{sorted(heard)} of {n}, ready {sorted(ready)}")
        if now >= next_hello:
            bus.publish(HELLO.build(t_tai=ex.t, seq=ex._next_seq(HELLO.apid), node=me,
                                    nodes=n, ready=int(len(heard) == n)))
            next_hello = now + _HELLO_PERIOD_S
        p = bus.recv(_HELLO_PERIOD_S)
        if p is None or _apid(p) != HELLO.apid:
            continue
        try:
            r = HELLO.parse(p)
        except PacketError:
            continue
        if r.nodes != n:
            raise BusTimeoutError(f"node {me}: node {r.node} expects {r.nodes} nodes, I expect {n}")
        heard.add(r.node)
        if r.ready:
            ready.add(r.node)
        if len(heard) == n and (me != 0 or ready >= set(range(1, n))):
            return


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
