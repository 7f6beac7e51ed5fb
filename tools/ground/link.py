"""The ground link: telemetry down, telecommands up, over ZeroMQ tcp.

Two sockets on consecutive ports of the emulator side (the gateway binds)::

    tcp://HOST:PORT      telemetry  (gateway PUB  -> console SUB)
    tcp://HOST:PORT+1    telecommands (console PUSH -> gateway PULL)

Each message is one space packet. With CurveZMQ keys (:mod:`.curve`) both
sockets are encrypted and the gateway accepts only authorized consoles: a
client without an authorized key reads nothing and sends nothing (``fsw
run --ground-port`` requires them unless told ``--insecure-ground``). The
telecommand socket queues at most :data:`TC_HWM` messages of at most
:data:`TC_MAX_OCTETS` octets: a flooding client is held back by TCP, and the
bridge admits a bounded number per tick (:mod:`.bridge`). The
command authentication of the packets themselves (key id, anti-replay
sequence, MAC) is independent of, and in addition to, the link encryption.

The gateway is what ``fsw run`` (the composition root) starts to expose a
running emulator: it calls :meth:`GroundGateway.downlink` for the telemetry
it forwards and publishes onto the bus what :meth:`GroundGateway.uplink`
returns (the comms task verifies and acknowledges it).
"""

from __future__ import annotations

from dataclasses import dataclass

import zmq
from fsw_tools.ground.curve import CurveClientKeys, CurveServerKeys

from fsw.errors import UserError

DEFAULT_PORT = 7700
HWM = 10_000
LINGER_MS = 200
#: the gateway's telecommand queue (messages) and the largest message it
#: takes (octets; a peer sending more is disconnected): a flood costs bounded
#: memory, and the sender is held back (TCP back-pressure) once it is full
TC_HWM = 1000
TC_MAX_OCTETS = 4096


@dataclass(frozen=True)
class GroundEndpoints:
    """Telemetry and telecommand addresses of one ground link."""

    tm: str
    tc: str

    @classmethod
    def parse(cls, url: str) -> GroundEndpoints:
        """``tcp://HOST:PORT`` -> telemetry on PORT, telecommands on PORT+1."""
        if not url.startswith("tcp://") or ":" not in url[6:]:
            raise UserError(f"ground link {url!r}: expected tcp://HOST:PORT")
        host, _, port = url[6:].rpartition(":")
        try:
            p = int(port)
        except ValueError:
            raise UserError(f"ground link {url!r}: port {port!r} is not a number") from None
        if not 0 < p < 65535:
            raise UserError(f"ground link {url!r}: port outside 1..65534")
        return cls(f"tcp://{host}:{p}", f"tcp://{host}:{p + 1}")

    @property
    def url(self) -> str:
        return self.tm


def _socket(ctx: zmq.Context, kind: int) -> zmq.Socket:
    s = ctx.socket(kind)
    s.setsockopt(zmq.SNDHWM, HWM)
    s.setsockopt(zmq.RCVHWM, HWM)
    s.setsockopt(zmq.LINGER, LINGER_MS)
    return s


class GroundGateway:
    """Emulator side of the ground link (binds). ``port=0`` picks free ports
    (``tm`` and ``tc`` are then not consecutive; read :attr:`endpoints`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *,
                 curve: CurveServerKeys | None = None,
                 context: zmq.Context | None = None) -> None:
        self._ctx = context or zmq.Context.instance()
        self._auth = None
        if curve is not None:
            from zmq.auth.thread import ThreadAuthenticator

            self._auth = ThreadAuthenticator(self._ctx)
            self._auth.start()
            self._auth.configure_curve(domain="*", location=str(curve.authorized_dir))
        self._pub = _socket(self._ctx, zmq.PUB)
        self._pull = _socket(self._ctx, zmq.PULL)
        self._pull.setsockopt(zmq.RCVHWM, TC_HWM)
        self._pull.setsockopt(zmq.MAXMSGSIZE, TC_MAX_OCTETS)
        for s in (self._pub, self._pull):
            if curve is not None:
                s.curve_server = True
                s.curve_publickey = curve.public
                s.curve_secretkey = curve.secret
        try:
            if port:
                self._pub.bind(f"tcp://{host}:{port}")
                self._pull.bind(f"tcp://{host}:{port + 1}")
            else:
                self._pub.bind(f"tcp://{host}:*")
                self._pull.bind(f"tcp://{host}:*")
        except zmq.ZMQError as exc:
            self.close()
            raise UserError(f"ground gateway cannot bind {host}:{port}: {exc}") from None
        self.endpoints = GroundEndpoints(
            self._pub.getsockopt_string(zmq.LAST_ENDPOINT),
            self._pull.getsockopt_string(zmq.LAST_ENDPOINT))
        self.sent = 0
        self.received = 0

    def downlink(self, packet: bytes) -> None:
        """Send one telemetry packet to every connected console (never blocks)."""
        try:
            self._pub.send(packet, zmq.NOBLOCK)
            self.sent += 1
        except zmq.Again:  # a full queue drops for that console only
            pass

    def uplink(self, timeout_s: float = 0.0, limit: int | None = None) -> list[bytes]:
        """Telecommands received (waits up to ``timeout_s`` for the first); at
        most ``limit`` (the rest stays queued, bounded by :data:`TC_HWM`)."""
        out: list[bytes] = []
        if timeout_s > 0 and not self._pull.poll(int(timeout_s * 1000)):
            return out
        n = -1 if limit is None else limit
        while len(out) != n:
            try:
                out.append(self._pull.recv(zmq.NOBLOCK))
            except zmq.Again:
                break
        self.received += len(out)
        return out

    def close(self) -> None:
        for s in (self._pub, self._pull):
            s.close(0)
        if self._auth is not None:
            self._auth.stop()
            self._auth = None

    def __enter__(self) -> GroundGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class GroundClient:
    """Console side of the ground link (connects)."""

    def __init__(self, endpoints: GroundEndpoints, *, curve: CurveClientKeys | None = None,
                 context: zmq.Context | None = None) -> None:
        self._ctx = context or zmq.Context.instance()
        self._sub = _socket(self._ctx, zmq.SUB)
        self._push = _socket(self._ctx, zmq.PUSH)
        for s in (self._sub, self._push):
            if curve is not None:
                s.curve_serverkey = curve.server_public
                s.curve_publickey = curve.public
                s.curve_secretkey = curve.secret
        self._push.setsockopt(zmq.IMMEDIATE, 1)  # queue only on a live connection
        try:
            self._sub.connect(endpoints.tm)
            self._push.connect(endpoints.tc)
        except zmq.ZMQError as exc:
            self.close()
            raise UserError(f"cannot connect to the ground link {endpoints.tm}: {exc}") from None
        self._sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.endpoints = endpoints

    @property
    def socket_in(self) -> zmq.Socket:
        return self._sub

    def recv(self, timeout_s: float = 0.0) -> bytes | None:
        """One telemetry packet, or None after ``timeout_s``."""
        if not self._sub.poll(int(max(0.0, timeout_s) * 1000)):
            return None
        return self._sub.recv(zmq.NOBLOCK)

    def send(self, packet: bytes, timeout_s: float = 2.0) -> None:
        """Send one telecommand; UserError if the link is not up in time."""
        if not self._push.poll(int(timeout_s * 1000), zmq.POLLOUT):
            raise UserError(f"ground link {self.endpoints.tc} is not connected (no emulator, "
                            "or CurveZMQ keys not accepted)")
        self._push.send(packet, zmq.NOBLOCK)

    def close(self) -> None:
        for s in (self._sub, self._push):
            s.close(0)
