"""The router of one node: which participant gets which packet, and the
packet stream of the run.

- **Subscriptions**: per APID, the inboxes (plain lists, one per participant)
  a packet of that APID is appended to, in participant order.
- **Inboxes**: a participant's inbox holds the packets of its subscriptions
  routed since its last turn, in routing order; the executive empties it in
  the participant's turn.
- **The stream** (:class:`Stream`): the blake2b-256 hash of every routed
  packet but the lockstep sync ones, in canonical order, and the taps
  (``tap(packet, t)``: a recorder) that see the same packets in the same
  order, stamped with the time of the tick that routed them; a batch tap
  (``tap(packets, t)``, :meth:`Stream.add_tap` with ``batch=True``) gets the
  packets routed at once as one list, in the same order (one call per turn
  instead of one per packet), a joined tap (``joined=True``) the list and
  its concatenation, which the hash made already (``tap(packets, data, t)``:
  the recorder's, an archive writer's bound ``write_batch``, called straight
  from the settle when it is the only tap). One stream may span several
  executives (the legs of a mission): pass it on.

What is in the stream: every packet *routed to the participants' turns*. A
packet published after the last turn of the run's last tick reaches no
participant: it is counted (:attr:`Router.trailing`), not hashed, not
tapped. Routing is therefore in two steps: :meth:`Router.deliver` appends a
packet to the inboxes (and, on the hashing node, holds it), :meth:`Router.commit`
puts what is held into the stream when the next turn begins. In one process
a local bus delivers each packet as it is published, through the router's
subscription :attr:`Router.table` (:meth:`fsw.bus.Bus.deliver_local`), and
the lockstep puts what was published into the stream with
:meth:`Router.stream_delivered` before the turns that follow (the hot path;
:meth:`Router.route` does both steps at once for a batch); behind a broker
the clock owner commits at its own turns and at each follower's hand-over
(:mod:`fsw.executive.lockstep`).

The interface is small on purpose (``subscribe``, ``unsubscribe``,
``route``, ``deliver``, ``commit``, ``subscribed``, ``table``): a router in C, or one
that hands each subscriber the record the first parser made, can take this
one's place without the executive changing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

#: APIDs are 11 bits
APID_COUNT = 0x800
_APID_MASK = APID_COUNT - 1

Tap = Callable[[bytes, float], object]
BatchTap = Callable[[list[bytes], float], object]
JoinedTap = Callable[[list[bytes], bytes, float], object]


class Stream:
    """The packet stream of a run: its hash, its packet count and its taps."""

    __slots__ = ("_hash", "batch_taps", "joined_taps", "packets", "sink", "taps", "update")

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=32)
        #: bound ``update`` of the hash (the hot path calls it per packet)
        self.update = self._hash.update
        #: packets in the stream so far
        self.packets = 0
        #: callables ``tap(packet, t)`` given every packet of the stream
        self.taps: list[Tap] = []
        #: callables ``tap(packets, t)`` given the packets of the stream in
        #: batches (those routed at once), in order
        self.batch_taps: list[BatchTap] = []
        #: callables ``tap(packets, data, t)``: the batches and their
        #: concatenation
        self.joined_taps: list[JoinedTap] = []
        #: what the router calls with ``(packets, data, t)``: None (no tap),
        #: the one joined tap itself, or :meth:`tap_all`
        self.sink: JoinedTap | None = None

    def hexdigest(self) -> str:
        """The blake2b-256 hex digest of the stream so far."""
        return self._hash.hexdigest()

    def add_tap(self, tap: Tap | BatchTap | JoinedTap, *, batch: bool = False,
                joined: bool = False) -> None:
        """Give ``tap(packet, t)`` every packet of the stream from now on
        (``t``: the time of the tick that routed it); with ``batch``,
        ``tap(packets, t)`` gets them as lists (never empty) of the packets
        routed at once, in order; with ``joined``, ``tap(packets, data, t)``
        gets these lists and ``data``, the packets concatenated."""
        if not callable(tap):
            raise TypeError(f"tap {tap!r} is not callable")
        taps = self.joined_taps if joined else self.batch_taps if batch else self.taps
        taps.append(tap)  # type: ignore[arg-type]
        only = not self.taps and not self.batch_taps and len(self.joined_taps) == 1
        self.sink = self.joined_taps[0] if only else self.tap_all

    def tap_all(self, packets: list[bytes], data: bytes, t: float) -> None:
        """Give ``packets`` (streamed at once, in order, routed at ``t``;
        ``data``: their concatenation) to every tap: per-packet taps one by
        one, batch taps as the list, joined taps the list and ``data``."""
        for tap in self.taps:
            for p in packets:
                tap(p, t)
        for btap in self.batch_taps:
            btap(packets, t)
        for jtap in self.joined_taps:
            jtap(packets, data, t)


class Router:
    """Subscriptions, inboxes and the stream of one node (see the module
    docstring). ``skip``: APIDs never routed nor hashed (lockstep sync).
    ``stream``: the stream this node hashes (the clock owner, or the only
    node); None on a follower, which only delivers."""

    def __init__(self, skip: Iterable[int] = (), stream: Stream | None = None) -> None:
        self.skip = [False] * APID_COUNT
        for a in skip:
            self.skip[a] = True
        self.stream = stream
        #: per APID, the inboxes its packets go to (an empty tuple: nobody;
        #: None: a skipped APID, so that routing tests one thing per packet)
        self._subs: list[tuple[list[bytes], ...] | None] = [
            None if s else () for s in self.skip]
        #: inbox -> its order among the node's participants (for sorting)
        self._rank: dict[int, int] = {}
        #: delivered, not yet in the stream (hashing node only)
        self._held: list[bytes] = []
        #: packets this router put in the stream
        self.packets = 0
        #: packets published after the last turn: delivered to nobody's turn,
        #: not in the stream
        self.trailing = 0

    # -- subscriptions --------------------------------------------------------------

    def add_inbox(self, inbox: list[bytes], rank: int) -> None:
        """Register a participant's inbox and its place in the stepping order."""
        self._rank[id(inbox)] = rank

    def subscribe(self, inbox: list[bytes], apid: int) -> None:
        """Route the packets of ``apid`` to ``inbox`` too (once, in rank order)."""
        if self.skip[apid]:
            raise ValueError(f"APID 0x{apid:03X} is reserved for lockstep sync")
        boxes = self._subs[apid] or ()
        if any(b is inbox for b in boxes):
            return
        rank = self._rank
        self._subs[apid] = tuple(sorted((*boxes, inbox), key=lambda b: rank[id(b)]))

    def unsubscribe(self, inbox: list[bytes], apids: Iterable[int]) -> None:
        """Stop routing these APIDs to ``inbox``."""
        for a in apids:
            boxes = self._subs[a]
            if boxes:
                self._subs[a] = tuple(b for b in boxes if b is not inbox)

    @property
    def table(self) -> list[tuple[list[bytes], ...] | None]:
        """The subscriptions as a flat table: per APID, the inboxes its
        packets go to, in rank order (empty: nobody; None: a skipped APID).
        Changed in place by :meth:`subscribe` and :meth:`unsubscribe`, so a
        local bus can route at publish through it
        (:meth:`fsw.bus.Bus.deliver_local`)."""
        return self._subs

    def subscribed(self) -> list[int]:
        """The APIDs some inbox subscribes to, ascending."""
        return [a for a in range(APID_COUNT) if self._subs[a]]

    # -- routing -----------------------------------------------------------------------

    def route(self, packets: list[bytes], t: float) -> None:
        """Deliver ``packets`` (in order) and put them in the stream at once,
        stamped ``t``: a turn follows (one process; nothing is held there)."""
        subs = self._subs
        skipped = False
        for p in packets:
            boxes = subs[((p[0] << 8) | p[1]) & _APID_MASK]
            if boxes is None:  # lockstep sync: neither delivered nor hashed
                skipped = True
                continue
            for box in boxes:
                box.append(p)
        self.stream_delivered(packets, t, skipped)

    def stream_delivered(self, packets: list[bytes], t: float, skipped: bool = False) -> None:
        """Put ``packets``, delivered already (in order, as they were
        published: :attr:`table` routes at publish on a local bus), in the
        stream at once, stamped ``t``; with ``skipped``, some are of a
        skipped APID and are left out. The hash takes them in one update of
        their concatenation (the same digest as one update per packet)."""
        stream = self.stream
        if stream is None:
            return
        if skipped:
            subs = self._subs
            packets = [p for p in packets if subs[((p[0] << 8) | p[1]) & _APID_MASK] is not None]
        if not packets:  # batch taps are given non-empty lists only
            return
        data = packets[0] if len(packets) == 1 else b"".join(packets)
        stream.update(data)
        n = len(packets)
        stream.packets += n
        self.packets += n
        sink = stream.sink
        if sink is not None:
            sink(packets, data, t)

    def deliver(self, p: bytes) -> None:
        """Deliver one packet to its inboxes; the hashing node holds it
        until :meth:`commit` (behind a broker: it arrives when it arrives)."""
        boxes = self._subs[((p[0] << 8) | p[1]) & _APID_MASK]
        if boxes is None:
            return
        for box in boxes:
            box.append(p)
        if self.stream is not None:
            self._held.append(p)

    def commit(self, t: float, keep: int = 0) -> None:
        """Put the held packets but the last ``keep`` in the stream, stamped
        ``t`` (a turn begins; ``keep``: the packets a node published after its
        last turn of the tick, which in one process the next tick routes)."""
        held = self._held
        stream = self.stream
        if stream is None or len(held) <= keep:
            return
        now, self._held = (held[:-keep], held[-keep:]) if keep else (held, [])
        data = b"".join(now)
        stream.update(data)  # the digest of one update per packet
        stream.packets += len(now)
        self.packets += len(now)
        if stream.sink is not None:
            stream.sink(now, data, t)

    def drop_held(self) -> None:
        """The run is over: what is still held reaches nobody (counted)."""
        self.trailing += len(self._held)
        self._held = []

    def count_trailing(self, packets: Iterable[bytes]) -> None:
        """The run is over: ``packets`` (published after the last turn) reach
        nobody; count those that would have been in the stream."""
        skip = self.skip
        self.trailing += sum(1 for p in packets if not skip[((p[0] << 8) | p[1]) & _APID_MASK])
