"""The bus endpoint of one process: a PUB socket out, a SUB socket in.

Two shapes behind one API:

- :meth:`Bus.local`: the whole bus inside one process (``inproc``): every
  packet published comes back, in publication order, from a loopback queue
  (a plain list bounded by the high-water mark: beyond it a packet is
  dropped and counted), without a ZeroMQ round trip -- the in-process path
  of the lockstep, bit for bit what the ipc and tcp transports deliver. Its
  PUB socket binds an inproc name (:attr:`Bus.endpoint`): from the moment an
  in-process tap (:meth:`Bus.tap`) connects to it, every packet is also sent
  there. Counts are exact: a packet is counted received when it enters the
  queue, dropped when the queue is full. In-process subscribers can have the
  packets appended to their own lists as they enter the queue
  (:meth:`Bus.deliver_local`: the lockstep's inboxes, routed at publish).
  Its publish runs in C (``fsw._hotpath.Loopback``) for the common case and
  falls back to the Python method for every other (see
  :meth:`Bus._publish_local`).
- :meth:`Bus.connect`: the PUB connects to a :class:`~fsw.bus.broker.Broker`'s
  frontend and the SUB to its backend (``inproc``, ``ipc`` or ``tcp``).
  Subscriptions travel upstream to the publishers, which filter by prefix.
  Drops are counted from per-APID sequence-count gaps.

Every socket has a high-water mark; a publisher never blocks (PUB drops for a
subscriber whose queue is full), so a stalled subscriber costs at most its
queue, never unbounded memory in the publisher.
"""

from __future__ import annotations

import struct
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import zmq

from fsw.bus.counters import BusCounters
from fsw.bus.endpoints import BrokerEndpoints, unique_inproc
from fsw.bus.errors import BusEndpointError, BusPacketError, BusTimeoutError
from fsw.bus.topics import APID_COUNT, APID_MAX, MIN_PACKET_LEN, as_apids, prefixes

#: Default high-water mark (packets) of every socket's queue.
DEFAULT_HWM = 10_000
#: Default linger (ms) of a closing socket: bounded, so close never hangs.
DEFAULT_LINGER_MS = 500

_NOBLOCK = zmq.NOBLOCK
#: local buses by endpoint: a tap connecting to one switches its mirror on
_LOCAL_BUSES: weakref.WeakValueDictionary[str, Bus] = weakref.WeakValueDictionary()
#: the primary header's first and third words (APID, data length): ``(w0, w2)``
_unpack_header = struct.Struct(">H2xH").unpack_from
_Again = zmq.Again
#: the primary header's version bits (first word): a space packet has version 0
_VERSION_BITS = 0xE000

try:  # the local publish's fast path in C (native/hotpath); without it, the Python one
    from fsw import _hotpath
except ImportError:  # pragma: no cover - a source tree without build_ext
    _hotpath = None  # type: ignore[assignment]


class Bus:
    """One process's connection to the software bus.

    Construct with :meth:`local`, :meth:`connect` or :meth:`tap`; publish
    whole space packets (``bytes``) with :meth:`publish`; receive with
    :meth:`drain` (non-blocking, all that is queued) or :meth:`recv` (one,
    with a timeout). Per-APID counts are in :attr:`counters`.
    """

    def __init__(self, pub: zmq.Socket | None, sub: zmq.Socket | None, *, local: bool,
                 context: zmq.Context, owns_context: bool = False,
                 endpoint: str | None = None, name: str = "bus", hwm: int = DEFAULT_HWM
                 ) -> None:
        self._pub = pub
        self._sub = sub
        self._local = local
        #: local bus: the packets published and not yet taken, in order
        self.loopback: list[bytes] = []
        self._hwm = hwm
        #: local bus: per APID, the lists a queued packet is also appended to
        #: (:meth:`deliver_local`; empty or None: none)
        self._boxes: list[tuple[list[bytes], ...] | None] = [()] * APID_COUNT
        #: local bus: packets queued whose delivery-table entry is None (not
        #: for in-process delivery), since the owner last set it to 0
        self._undelivered = 0
        self._mirrored = False
        self._context = context
        self._owns_context = owns_context
        self.endpoint = endpoint
        self.name = name
        self.counters = BusCounters()
        self._sent = self.counters.sent
        self._received = self.counters.received
        self._dropped = self.counters.dropped
        self._check_seq = [not local] * APID_COUNT
        self._send = _raw_send(pub) if pub is not None else None
        self._recv = sub.recv if sub is not None else None
        self.closed = False
        #: local bus: the C fast path of :meth:`_publish_local` (None: the
        #: Python method alone). It keeps :attr:`undelivered`, the mirror
        #: flag and the delivery table; any other case it hands, untouched,
        #: to :meth:`_publish_local`
        self._fast: Any = None
        if local:
            self.publish = self._publish_local  # type: ignore[method-assign]
            if _hotpath is not None:
                self._fast = _hotpath.Loopback(
                    self.loopback, hwm, self._sent, self._received, self._dropped,
                    self._boxes, self._publish_local, APID_MAX, _VERSION_BITS,
                    MIN_PACKET_LEN)
                self.publish = self._fast  # type: ignore[method-assign]

    @property
    def undelivered(self) -> int:
        """Local bus: packets queued whose delivery-table entry is None (not
        for in-process delivery), since the owner last set it to 0."""
        fast = self._fast
        return self._undelivered if fast is None else fast.undelivered

    @undelivered.setter
    def undelivered(self, n: int) -> None:
        if self._fast is None:
            self._undelivered = n
        else:
            self._fast.undelivered = n

    @property
    def _mirror(self) -> bool:
        """Local bus: an in-process tap is connected, send to the PUB too."""
        fast = self._fast
        return self._mirrored if fast is None else fast.mirror

    @_mirror.setter
    def _mirror(self, on: bool) -> None:
        if self._fast is None:
            self._mirrored = on
        else:
            self._fast.mirror = on

    # -- construction ---------------------------------------------------------

    @classmethod
    def local(cls, *, name: str = "bus", hwm: int = DEFAULT_HWM,
              context: zmq.Context | None = None) -> Bus:
        """A bus inside this process: a loopback queue of at most ``hwm``
        packets; :attr:`endpoint` is its PUB's inproc address, which
        in-process taps (:meth:`tap`) connect to."""
        ctx = context or zmq.Context.instance()
        endpoint = unique_inproc(f"fsw-bus-{name}")
        pub = _socket(ctx, zmq.PUB, hwm)
        try:
            pub.bind(endpoint)
        except zmq.ZMQError as exc:
            pub.close(0)
            raise BusEndpointError(f"cannot set up the local bus {endpoint}: {exc}") from exc
        bus = cls(pub, None, local=True, context=ctx, endpoint=endpoint, name=name, hwm=hwm)
        _LOCAL_BUSES[endpoint] = bus
        return bus

    @classmethod
    def connect(cls, endpoints: BrokerEndpoints, *, name: str = "bus", hwm: int = DEFAULT_HWM,
                context: zmq.Context | None = None) -> Bus:
        """A bus endpoint behind a broker (any transport). Subscribe with
        :meth:`subscribe`; nothing is received before."""
        owns = context is None and endpoints.transport != "inproc"
        ctx = context or (zmq.Context() if owns else zmq.Context.instance())
        def wire(pub: zmq.Socket, sub: zmq.Socket) -> None:
            keys = endpoints.curve
            if keys is not None:  # an authenticated broker: present the run's key pair
                for s in (pub, sub):
                    s.curve_serverkey = keys.server_public
                    s.curve_publickey = keys.client_public
                    s.curve_secretkey = keys.client_secret
            pub.connect(endpoints.frontend)
            sub.connect(endpoints.backend)

        pub, sub, _ = _pair(ctx, hwm, wire, f"cannot connect to the broker {endpoints}",
                            on_error=ctx.term if owns else None)
        return cls(pub, sub, local=False, context=ctx, owns_context=owns,
                   endpoint=endpoints.backend, name=name)

    @classmethod
    def bind(cls, endpoint: str, *, name: str = "bus", hwm: int = DEFAULT_HWM,
             context: zmq.Context | None = None) -> Bus:
        """A publisher that others reach without a broker: its PUB binds
        ``endpoint`` (``tcp://127.0.0.1:*`` picks a free port; the address
        bound is :attr:`endpoint`) and subscribers connect with :meth:`tap`.
        For one publisher and many subscribers, e.g. a telemetry port. Its own
        SUB hears itself only for APIDs it subscribes to."""
        ctx = context or zmq.Context.instance()
        def wire(pub: zmq.Socket, sub: zmq.Socket) -> str:
            pub.bind(endpoint)
            bound = pub.getsockopt_string(zmq.LAST_ENDPOINT)
            sub.connect(bound)
            return bound

        pub, sub, bound = _pair(ctx, hwm, wire, f"cannot bind a bus publisher at {endpoint}")
        return cls(pub, sub, local=False, context=ctx, endpoint=bound, name=name)

    @classmethod
    def tap(cls, endpoint: str, *, name: str = "tap", hwm: int = DEFAULT_HWM,
            context: zmq.Context | None = None) -> Bus:
        """A receive-only endpoint on a PUB address: a local bus's
        :attr:`endpoint` (same context), a :meth:`bind` publisher's, or a
        broker's backend. Subscribe with :meth:`subscribe`."""
        ctx = context or zmq.Context.instance()
        sub = _socket(ctx, zmq.SUB, hwm)
        try:
            sub.connect(endpoint)
        except zmq.ZMQError as exc:
            sub.close(0)
            raise BusEndpointError(f"cannot connect a tap to {endpoint}: {exc}") from exc
        local = _LOCAL_BUSES.get(endpoint)
        if local is not None:  # from now on the local bus sends to its PUB too
            local._mirror = True
        return cls(None, sub, local=False, context=ctx, endpoint=endpoint, name=name)

    # -- publishing -------------------------------------------------------------

    def publish(self, packet: bytes) -> None:
        """Send one whole space packet to every subscriber of its APID.

        Raises :class:`BusPacketError` (and counts it) if ``packet`` is not one
        space packet. Never blocks; a full subscriber queue drops the packet
        for that subscriber only.
        """
        try:
            w0, w2 = _unpack_header(packet)
        except (struct.error, TypeError):
            self._refuse(packet)
        if w0 & _VERSION_BITS or w2 + MIN_PACKET_LEN != len(packet):
            self._refuse(packet)
        self._send(packet, _NOBLOCK)
        self._sent[w0 & APID_MAX] += 1

    def _publish_local(self, packet: bytes) -> None:
        """:meth:`publish` of a local bus: into the loopback queue (a full
        queue drops the packet, counted), and to the PUB once tapped. (The
        reference and the slow path of the C fast path, ``_fast``, which
        takes the common case: exact ``bytes`` with a valid header, the
        queue not full, no tap.)"""
        try:
            w0, w2 = _unpack_header(packet)
        except (struct.error, TypeError):
            self._refuse(packet)
        if w0 & _VERSION_BITS or w2 + MIN_PACKET_LEN != len(packet):
            self._refuse(packet)
        a = w0 & APID_MAX
        self._sent[a] += 1
        q = self.loopback
        if len(q) < self._hwm:
            q.append(packet)
            self._received[a] += 1
            boxes = self._boxes[a]
            if boxes:
                for box in boxes:
                    box.append(packet)
            elif boxes is None:
                self.undelivered += 1
        else:
            self._dropped[a] += 1
        if self._mirror:
            self._send(packet, _NOBLOCK)

    def deliver_local(self, boxes: list[tuple[list[bytes], ...] | None]) -> None:
        """Local bus: from now on append every packet that enters the
        loopback queue also to each list of ``boxes[apid]`` (a table of
        APID_COUNT entries: a tuple of lists, empty for none; None for an
        APID never delivered in process, whose queued packets are counted in
        :attr:`undelivered`), in publication order, as it is published. The
        table is used as it is, not copied: its owner (the lockstep's router)
        changes its entries in place. A packet dropped by a full queue
        reaches none of them."""
        if not self._local:
            raise BusEndpointError(f"{self.name}: in-process delivery needs a local bus")
        if len(boxes) != APID_COUNT:
            raise ValueError(f"a delivery table has {APID_COUNT} entries, got {len(boxes)}")
        self._boxes = boxes
        if self._fast is not None:
            self._fast.boxes = boxes
        self.undelivered = 0

    def _refuse(self, packet: object) -> None:
        self.counters.invalid += 1
        if self._send is None:
            raise BusPacketError(f"{self.name}: a tap cannot publish")
        if not isinstance(packet, bytes | bytearray | memoryview):
            raise BusPacketError(f"{self.name}: {type(packet).__name__} is not a packet")
        n = len(packet)
        if n < MIN_PACKET_LEN:
            raise BusPacketError(f"{self.name}: {n} octets, a space packet has at least 7")
        if packet[0] & 0xE0:  # type: ignore[index]
            raise BusPacketError(f"{self.name}: packet version {packet[0] >> 5} is not 0")  # type: ignore[index]
        declared = ((packet[4] << 8) | packet[5]) + 7  # type: ignore[index]
        raise BusPacketError(f"{self.name}: length field says {declared} octets, got {n}")

    # -- subscriptions --------------------------------------------------------------

    def subscribe(self, apids: int | Iterable[int] | object) -> None:
        """Receive the packets of these APIDs (ints or packet declarations).
        A local bus already receives everything; this is then a no-op."""
        if self._local:
            return
        for apid in as_apids(apids):
            for p in prefixes(apid):
                self._sub.setsockopt(zmq.SUBSCRIBE, p)

    def unsubscribe(self, apids: int | Iterable[int] | object) -> None:
        """Stop receiving these APIDs (no-op on a local bus)."""
        if self._local:
            return
        for apid in as_apids(apids):
            for p in prefixes(apid):
                self._sub.setsockopt(zmq.UNSUBSCRIBE, p)

    def subscribe_all(self) -> None:
        """Receive every packet (recorders, the lockstep clock owner)."""
        if not self._local:
            self._sub.setsockopt(zmq.SUBSCRIBE, b"")

    def ignore_sequence(self, apids: int | Iterable[int] | object) -> None:
        """Do not count sequence gaps for these APIDs (several sources share
        them by design, e.g. lockstep sync packets)."""
        for apid in as_apids(apids):
            self._check_seq[apid] = False

    # -- receiving -----------------------------------------------------------------

    def _account(self, p: bytes) -> None:
        if len(p) < MIN_PACKET_LEN:
            self.counters.invalid += 1
            return
        apid = ((p[0] << 8) | p[1]) & APID_MAX
        self._received[apid] += 1
        if self._check_seq[apid] and len(p) >= 4:
            self.counters.note_sequence(apid, ((p[2] << 8) | p[3]) & 0x3FFF)

    def drain(self, sink: Callable[[bytes], object], limit: int | None = None) -> int:
        """Hand every queued packet to ``sink`` in arrival order, without
        blocking; returns how many. On a local bus exactly the packets
        published since the last drain are expected (a shortfall is counted
        as dropped per APID)."""
        if self._local:
            q = self.loopback
            n = len(q) if limit is None else min(limit, len(q))
            out = q[:n]
            del q[:n]
            for p in out:
                sink(p)
            return n
        recv = self._recv
        received = self._received
        n = 0
        check = self._check_seq
        last = self.counters.last_seq
        want = -1 if limit is None else limit
        try:
            while n != want:
                p = recv(_NOBLOCK)
                n += 1
                if len(p) < MIN_PACKET_LEN:  # a foreign sender's junk: counted, dropped
                    self.counters.invalid += 1
                    continue
                apid = ((p[0] << 8) | p[1]) & APID_MAX
                received[apid] += 1
                if check[apid]:
                    seq = ((p[2] << 8) | p[3]) & 0x3FFF
                    if seq != (last[apid] + 1) & 0x3FFF:
                        self.counters.note_sequence(apid, seq)
                    else:
                        last[apid] = seq
                sink(p)
        except _Again:
            pass
        return n

    def take(self) -> list[bytes]:
        """Local bus: every packet published since the last ``take`` or
        :meth:`drain`, in publication order, received and counted (a
        shortfall is counted as dropped per APID). The lockstep hot path: one
        call per participant's turn, no failed receive. Behind a broker:
        whatever is queued now, without blocking."""
        if not self._local:
            out: list[bytes] = []
            self.drain(out.append)
            return out
        q = self.loopback
        out = q[:]
        q.clear()
        return out

    def recv(self, timeout_s: float | None = 0.0) -> bytes | None:
        """One packet, waiting up to ``timeout_s`` (None: forever); None on
        timeout. A local bus never waits: nothing can arrive in its queue
        while its thread waits (None at once when it is empty)."""
        if self._local:
            q = self.loopback
            return q.pop(0) if q else None
        sub = self._sub
        assert sub is not None and self._recv is not None
        if timeout_s is None:
            p = self._recv()
        else:
            if not sub.poll(max(0, int(timeout_s * 1000))):
                return None
            p = self._recv(_NOBLOCK)
        self._account(p)
        return p

    def recv_until(self, predicate: Callable[[bytes], bool], sink: Callable[[bytes], object],
                   timeout_s: float) -> bytes:
        """Receive, handing each packet to ``sink``, until one satisfies
        ``predicate``; return that one (not given to ``sink``). Raises
        :class:`BusTimeoutError` if none came within ``timeout_s`` (a local
        bus: at once when its queue holds none)."""
        if self._local:
            q = self.loopback
            while q:
                p = q.pop(0)
                if predicate(p):
                    return p
                sink(p)
            raise BusTimeoutError(f"{self.name}: nothing awaited in the local queue")
        deadline = time.monotonic() + timeout_s
        recv = self._recv
        sub = self._sub
        assert recv is not None and sub is not None
        while True:
            try:
                p = recv(_NOBLOCK)
            except _Again:
                left = deadline - time.monotonic()
                if left <= 0 or not sub.poll(max(1, int(left * 1000))):
                    raise BusTimeoutError(
                        f"{self.name}: nothing awaited within {timeout_s} s") from None
                continue
            self._account(p)
            if predicate(p):
                return p
            sink(p)

    @property
    def is_local(self) -> bool:
        """True for a process-local bus (:meth:`local`)."""
        return self._local

    @property
    def pending_local(self) -> int:
        """Local bus: packets published and not yet drained."""
        return len(self.loopback)

    @property
    def socket_in(self) -> zmq.Socket:
        """The SUB socket (for pollers); a local bus has none (its packets
        are in :attr:`loopback`)."""
        if self._sub is None:
            raise BusEndpointError(f"{self.name}: a local bus has no socket to poll")
        return self._sub

    # -- lifecycle --------------------------------------------------------------------

    def close(self, linger_ms: int = DEFAULT_LINGER_MS) -> None:
        """Close the sockets (pending outbound packets get ``linger_ms``).

        A bus on the shared context (``local``, ``bind``, ``tap``, inproc
        ``connect``) leaves the context alone; a process that publishes and
        then exits calls ``zmq.Context.instance().term()`` to wait for its
        last packets to leave."""
        if self.closed:
            return
        self.closed = True
        if self._pub is not None:
            self._pub.close(linger_ms)
        if self._sub is not None:
            self._sub.close(0)
        self.loopback.clear()
        if self._owns_context:
            self._context.term()

    def __enter__(self) -> Bus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _raw_send(sock: zmq.Socket) -> Callable[..., object]:
    """The socket's compiled ``send``, without pyzmq's Python-level wrapper
    (which costs about 0.7 us per message and adds nothing for bytes
    smaller than its copy threshold)."""
    try:
        raw = super(zmq.Socket, sock).send
    except AttributeError:  # another pyzmq layout: the public method is fine
        return sock.send
    return raw


def _pair(ctx: zmq.Context, hwm: int, wire: Callable[[zmq.Socket, zmq.Socket], Any],
          failure: str, on_error: Callable[[], None] | None = None
          ) -> tuple[zmq.Socket, zmq.Socket, Any]:
    """A PUB and a SUB socket wired by ``wire(pub, sub)``; on a ZeroMQ error
    both are closed, ``on_error`` runs and BusEndpointError says ``failure``."""
    pub = _socket(ctx, zmq.PUB, hwm)
    sub = _socket(ctx, zmq.SUB, hwm)
    try:
        result = wire(pub, sub)
    except zmq.ZMQError as exc:
        pub.close(0)
        sub.close(0)
        if on_error is not None:
            on_error()
        raise BusEndpointError(f"{failure}: {exc}") from exc
    return pub, sub, result


def _socket(ctx: zmq.Context, kind: int, hwm: int) -> zmq.Socket:
    if not isinstance(hwm, int) or hwm <= 0:
        raise BusEndpointError(f"high-water mark must be a positive int, got {hwm!r}")
    s = ctx.socket(kind)
    s.setsockopt(zmq.SNDHWM, hwm)
    s.setsockopt(zmq.RCVHWM, hwm)
    s.setsockopt(zmq.LINGER, DEFAULT_LINGER_MS)
    return s
