"""The bus endpoint of one process: a PUB socket out, a SUB socket in.

Two shapes behind one API:

- :meth:`Bus.local`: the whole bus inside one process (``inproc``): the PUB
  binds an inproc name and the process's own SUB is connected to it and
  subscribed to everything, so every packet published comes back, in
  publication order, through ZeroMQ. Delivery is synchronous within the
  thread, so :meth:`Bus.drain` knows how many packets to expect and never pays
  for a failed non-blocking receive; a shortfall is an exact drop count.
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
from collections.abc import Callable, Iterable
from typing import Any

import zmq

from fsw.bus.counters import BusCounters
from fsw.bus.endpoints import BrokerEndpoints, unique_inproc
from fsw.bus.errors import BusEndpointError, BusPacketError, BusTimeoutError
from fsw.bus.topics import APID_COUNT, APID_MAX, MIN_PACKET_LEN, apid_of, as_apids, prefixes

#: Default high-water mark (packets) of every socket's queue.
DEFAULT_HWM = 10_000
#: Default linger (ms) of a closing socket: bounded, so close never hangs.
DEFAULT_LINGER_MS = 500

_NOBLOCK = zmq.NOBLOCK
_unpack_header = struct.Struct(">HHH").unpack_from
_Again = zmq.Again


class Bus:
    """One process's connection to the software bus.

    Construct with :meth:`local`, :meth:`connect` or :meth:`tap`; publish
    whole space packets (``bytes``) with :meth:`publish`; receive with
    :meth:`drain` (non-blocking, all that is queued) or :meth:`recv` (one,
    with a timeout). Per-APID counts are in :attr:`counters`.
    """

    def __init__(self, pub: zmq.Socket | None, sub: zmq.Socket, *, local: bool,
                 context: zmq.Context, owns_context: bool = False,
                 endpoint: str | None = None, name: str = "bus") -> None:
        self._pub = pub
        self._sub = sub
        self._local = local
        self._context = context
        self._owns_context = owns_context
        self.endpoint = endpoint
        self.name = name
        self.counters = BusCounters()
        self._sent = self.counters.sent
        self._received = self.counters.received
        self._outstanding = 0  # local mode: published, not yet drained
        self._check_seq = [not local] * APID_COUNT
        self._send = _raw_send(pub) if pub is not None else None
        self._recv = sub.recv
        self.closed = False

    # -- construction ---------------------------------------------------------

    @classmethod
    def local(cls, *, name: str = "bus", hwm: int = DEFAULT_HWM,
              context: zmq.Context | None = None) -> Bus:
        """A bus inside this process over ``inproc``; :attr:`endpoint` is the
        PUB's inproc address, which in-process taps (:meth:`tap`) connect to."""
        ctx = context or zmq.Context.instance()
        endpoint = unique_inproc(f"fsw-bus-{name}")
        def wire(pub: zmq.Socket, sub: zmq.Socket) -> None:
            pub.bind(endpoint)
            sub.connect(endpoint)
            sub.setsockopt(zmq.SUBSCRIBE, b"")

        pub, sub, _ = _pair(ctx, hwm, wire, f"cannot set up the local bus {endpoint}")
        return cls(pub, sub, local=True, context=ctx, endpoint=endpoint, name=name)

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
        return cls(None, sub, local=False, context=ctx, endpoint=endpoint, name=name)

    # -- publishing -------------------------------------------------------------

    def publish(self, packet: bytes) -> None:
        """Send one whole space packet to every subscriber of its APID.

        Raises :class:`BusPacketError` (and counts it) if ``packet`` is not one
        space packet. Never blocks; a full subscriber queue drops the packet
        for that subscriber only.
        """
        try:
            w0, _, w2 = _unpack_header(packet)
        except (struct.error, TypeError):
            self._refuse(packet)
        if w0 & 0xE000 or w2 + 7 != len(packet):
            self._refuse(packet)
        self._send(packet, _NOBLOCK)
        self._sent[w0 & APID_MAX] += 1
        self._outstanding += 1

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
        recv = self._recv
        received = self._received
        n = 0
        if self._local:
            want = self._outstanding if limit is None else min(limit, self._outstanding)
            i = 0
            try:
                for i in range(want):  # noqa: B007 - i counts what arrived
                    p = recv(_NOBLOCK)
                    received[((p[0] << 8) | p[1]) & APID_MAX] += 1
                    sink(p)
            except _Again:
                self._reconcile_drops()
                self._outstanding = 0
                return i
            self._outstanding -= want
            return want
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
        want = self._outstanding
        recv = self._recv
        received = self._received
        out = []
        append = out.append
        try:
            for _ in range(want):
                p = recv(_NOBLOCK)
                received[((p[0] << 8) | p[1]) & APID_MAX] += 1
                append(p)
        except _Again:
            self._reconcile_drops()
        finally:
            self._outstanding = 0
        return out

    def _reconcile_drops(self) -> None:
        c = self.counters
        for a in range(APID_COUNT):
            missing = c.sent[a] - c.received[a] - c.dropped[a]
            if missing > 0:
                c.dropped[a] += missing

    def recv(self, timeout_s: float | None = 0.0) -> bytes | None:
        """One packet, waiting up to ``timeout_s`` (None: forever); None on
        timeout."""
        sub = self._sub
        if timeout_s is None:
            p = self._recv()
        else:
            if not sub.poll(max(0, int(timeout_s * 1000))):
                return None
            p = self._recv(_NOBLOCK)
        if self._local:
            self._outstanding = max(0, self._outstanding - 1)
            self._received[apid_of(p)] += 1
        else:
            self._account(p)
        return p

    def recv_until(self, predicate: Callable[[bytes], bool], sink: Callable[[bytes], object],
                   timeout_s: float) -> bytes:
        """Receive, handing each packet to ``sink``, until one satisfies
        ``predicate``; return that one (not given to ``sink``). Raises
        :class:`BusTimeoutError` if none came within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        recv = self._recv
        sub = self._sub
        while True:
            try:
                p = recv(_NOBLOCK)
            except _Again:
                left = deadline - time.monotonic()
                if left <= 0 or not sub.poll(max(1, int(left * 1000))):
                    raise BusTimeoutError(
                        f"{self.name}: nothing awaited within {timeout_s} s") from None
                continue
            if self._local:
                self._outstanding = max(0, self._outstanding - 1)
                self._received[apid_of(p)] += 1
            else:
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
        return self._outstanding

    @property
    def socket_in(self) -> zmq.Socket:
        """The SUB socket (for pollers)."""
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
        self._sub.close(0)
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
