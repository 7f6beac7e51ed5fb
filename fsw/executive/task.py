"""What the executive runs: participants (the world, tasks) and their context.

A participant is any object with ``name``, ``init(ctx)`` and ``step(t)``; it
may set ``rate_group`` (a key of the executive's rate table, default
``"default"``). The optional base class :class:`Task` documents the contract.
Participants talk only through the bus, via their :class:`TaskContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableSequence, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from fsw.executive.config import ExecutiveConfig
from fsw.executive.events import EVENT, event_packet
from fsw.packets.enums import Severity

if TYPE_CHECKING:
    import numpy as np

    from fsw.packets.dictionary import PacketDef

#: Event severities (the EVENT packet's enum, :class:`fsw.packets.enums.Severity`).
DEBUG, INFO, WARNING, ERROR, CRITICAL = (Severity.DEBUG, Severity.INFO, Severity.WARNING,
                                         Severity.ERROR, Severity.CRITICAL)


class Host(Protocol):
    """What a :class:`TaskContext` asks of its executive (public methods and
    attributes only): the clock, the node's sequence counters, subscriptions."""

    config: ExecutiveConfig
    #: on-board time and index of the current tick
    t: float
    tick: int
    #: next 14-bit sequence count per APID (one counter per APID per node):
    #: a flat array of unsigned 16-bit counts (``array("H")``, 2048 of them)
    seq: MutableSequence[int]

    def next_seq(self, apid: int) -> int: ...

    def subscribe(self, token: Any, apid: Any, handler: Callable[[Any], object],
                  parse: bool) -> None: ...

    def bad_packet(self, token: Any, pdef: PacketDef, exc: Exception) -> None: ...
@runtime_checkable
class Participant(Protocol):
    """The shape the executive steps: a task, or the world simulation."""

    name: str

    def init(self, ctx: TaskContext) -> None:
        """(Re)initialise all state; subscribe to packets with ``ctx.subscribe``."""

    def step(self, t: float) -> None:
        """Run one cycle at on-board time ``t`` (TAI seconds)."""


class Task:
    """Optional base class of a flight-software task.

    Subclasses set ``name`` and ``rate_group`` and override :meth:`init`
    (called at start and again at every restart: reset *all* state there) and
    :meth:`step`. Packet handlers are plain methods registered in ``init``::

        class Adcs(Task):
            name, rate_group = "adcs", "attitude"
            def init(self, ctx):
                self.ctx = ctx
                ctx.subscribe(GYRO, self.on_gyro, parse=True)   # handler gets a Record
            def on_gyro(self, rec): self.rate = rec.rate_B
            def step(self, t):
                self.ctx.send(WHEEL_CMD, torque=(0.0, 0.0, 0.0, 0.0))
    """

    name: str = "task"
    rate_group: str = "default"

    def init(self, ctx: TaskContext) -> None:
        """(Re)initialise; the default keeps the context as ``self.ctx``."""
        self.ctx = ctx

    def step(self, t: float) -> None:
        """One cycle at time ``t`` (TAI seconds); the default does nothing."""

    def stop(self) -> None:
        """Called once when the run ends (release resources); optional."""


Handler = Callable[[Any], object]


class TaskContext:
    """A participant's handle on the executive and the bus (one per (re)start).

    Attributes: ``name``, ``seed`` (run seed), ``dt`` (tick period, s),
    ``period`` (this participant's step period, s), ``t`` (time of the
    current tick, TAI s), ``tick`` (current tick index).

    Until the executive :meth:`open` s it (the participant's first turn),
    what the participant publishes is held, so that even start-up traffic
    has a fixed place in the stream.
    """

    def __init__(self, host: Host, token: Any, name: str, every: int) -> None:
        self._host = host
        self._token = token
        self.name: str = name
        self.seed: int = host.config.seed
        self.dt: float = host.config.dt
        self.period: float = every * host.config.dt
        self._rng: np.random.Generator | None = None
        self._held: list[bytes] = []
        #: publish one whole space packet (bytes) on the bus
        self.publish: Callable[[bytes], None] = self._hold
        #: the next 14-bit sequence count of an APID (one counter per APID per
        #: process, shared by every participant: CCSDS counts per APID): the
        #: host's own method, bound here (no extra call on the hot path)
        self.next_seq: Callable[[int], int] = host.next_seq
        #: the node's per-APID sequence counters themselves (the next count of
        #: APID ``a`` is ``seq[a]``): a flat array of unsigned 16-bit counts,
        #: so that a native builder (the avionics node's simulation core)
        #: numbers its packets in place. Advance a count only by publishing
        #: the packet that carries it.
        self.seq: MutableSequence[int] = host.seq

    def _hold(self, packet: bytes) -> None:
        self._held.append(bytes(packet))

    def publish_many(self, data: Any, lengths: Sequence[int], which: Iterable[int]) -> None:
        """Publish the packets lying back to back in ``data`` (a buffer:
        a cffi buffer, bytes): for ``i`` in ``which``, in order, the next
        ``lengths[i]`` octets, as ``publish(data[off:off + lengths[i]])``
        would. (Once open on a local bus, the bus's own ``publish_many``,
        in C, does exactly that, with ``lengths`` a size_t buffer: a
        memoryview cast to ``"N"``.)"""
        publish = self.publish
        off = 0
        for i in which:
            end = off + lengths[i]
            publish(data[off:end])
            off = end

    def open(self, publish: Callable[[bytes], None]) -> list[bytes]:
        """For the executive: from now on publish through ``publish`` (and
        :meth:`publish_many` through its ``publish_many``, if it has one);
        returns the packets held until now, in order."""
        held, self._held = self._held, []
        self.publish = publish  # type: ignore[method-assign]
        many = getattr(publish, "publish_many", None)
        if callable(many):
            self.publish_many = many  # type: ignore[method-assign]
        return held

    @property
    def t(self) -> float:
        """On-board time of the current tick (TAI seconds since 1958)."""
        return self._host.t

    @property
    def tick(self) -> int:
        """Index of the current tick."""
        return self._host.tick

    @property
    def rng(self) -> np.random.Generator:
        """This participant's random generator: seeded from the run seed and
        the participant's name only, so it is the same in every process and
        every transport; a restart gets a fresh one."""
        if self._rng is None:
            import zlib

            import numpy as np

            self._rng = np.random.default_rng([self.seed, zlib.crc32(self.name.encode())])
        return self._rng

    def subscribe(self, apid: int | PacketDef, handler: Handler, *, parse: bool = False) -> None:
        """Call ``handler(packet_bytes)`` for every packet of ``apid`` (an int
        or a packet declaration). With ``parse=True`` the handler gets the
        parsed Record instead; a packet that does not parse is counted and
        reported as an event, and the handler is not called.

        Handlers run in this participant's turn of each tick, before its step,
        in arrival order; never concurrently with anything."""
        self._host.subscribe(self._token, apid, handler, parse)

    def bad_packet(self, pdef: PacketDef, exc: Exception) -> None:
        """Report a packet of ``pdef`` that this participant subscribed raw
        (``parse=False``) and found malformed, ``exc`` being the error
        ``pdef.parse`` raises for it: counted and reported exactly as a
        ``parse=True`` subscription would (the participant's bad_packets, an
        EVENT BAD_PACKET "<NAME> dropped: <reason>")."""
        self._host.bad_packet(self._token, pdef, exc)

    def send(self, pdef: PacketDef, /, **fields: Any) -> bytes:
        """Build ``pdef`` stamped with the current time and the APID's next
        sequence count, publish it and return its bytes."""
        host = self._host
        seqs = host.seq
        apid = pdef.apid
        seq = seqs[apid]
        seqs[apid] = (seq + 1) & 0x3FFF
        raw = pdef.build_mapping(host.t, seq, fields)
        self.publish(raw)
        return raw

    def send_values(self, apid: int, build: Callable[..., bytes], /, *values: Any) -> bytes:
        """:meth:`send` for a builder of positional values (``build(t_tai,
        seq, *values)``: a packet's ``build_ordered``, or
        :meth:`~fsw.packets.dictionary.PacketDef.builder_in` for another
        order): stamped, numbered on ``apid``, published and returned as
        :meth:`send` does (no mapping of the fields built per packet)."""
        host = self._host
        seqs = host.seq
        seq = seqs[apid]
        seqs[apid] = (seq + 1) & 0x3FFF
        raw = build(host.t, seq, *values)
        self.publish(raw)
        return raw

    def event(self, severity: int, event_id: int, text: str) -> None:
        """Publish an EVENT packet from this participant (severity 0 debug ..
        4 critical; ``text`` is truncated to the packet's field)."""
        host = self._host
        self.publish(event_packet(host.t, host.next_seq(EVENT.apid), severity, event_id,
                                  self.name, text))
