"""The broker of a multi-process bus: a ZeroMQ XSUB/XPUB proxy.

Publishers connect to its frontend (XSUB), subscribers to its backend (XPUB).
Subscriptions flow upstream to the publishers, so filtering happens at the
source. The backend is ``XPUB_VERBOSE`` so that every subscription reaches the
publishers in the order it was made (the lockstep handshake relies on it).
Messages from one publisher reach each subscriber in order (per-connection
FIFO); messages of different publishers interleave.

``Broker(transport, secure=True)`` (ipc/tcp) authenticates its peers with
CurveZMQ: fresh keys per broker, the client key pair handed out only in
:attr:`Broker.endpoints` (which :meth:`fsw.bus.Bus.connect` uses), so a
process that was not given them reads nothing and publishes nothing. A
multi-process run (``fsw run --transport ipc|tcp``) uses it.

Run it in a thread of any process (:class:`Broker`) or as its own process::

    python -m fsw.bus.broker --transport tcp   # prints the endpoints as JSON
"""

from __future__ import annotations

import argparse
import hmac
import json
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from typing import Any

import zmq

from fsw.bus.bus import DEFAULT_HWM
from fsw.bus.endpoints import BrokerEndpoints, BusCurveKeys, bind_specs, check_transport
from fsw.bus.errors import BusEndpointError


class Broker:
    """An XSUB/XPUB proxy running in a background thread.

    ``with Broker("tcp") as broker: ... broker.endpoints ...``; the thread and
    the sockets (and the ipc directory it made) are gone after :meth:`stop`.
    """

    def __init__(self, transport: str = "tcp", *, host: str = "127.0.0.1",
                 hwm: int = DEFAULT_HWM, context: zmq.Context | None = None,
                 ports: tuple[int, int] = (0, 0), secure: bool = False) -> None:
        self.transport = check_transport(transport)
        self.host = host
        self.hwm = hwm
        self.ports = ports
        #: CurveZMQ on both sides with fresh keys: only nodes given this
        #: broker's ``endpoints`` (which carry the client key pair) connect;
        #: a plain ZeroMQ peer reads and publishes nothing (ipc/tcp only:
        #: inproc never leaves the process)
        self.secure = secure and self.transport != "inproc"
        self._own_context = self.secure and context is None
        self._context = context or (zmq.Context() if self._own_context
                                    else zmq.Context.instance())
        self._auth: Any = None
        self._thread: threading.Thread | None = None
        self._ipc_dir: str | None = None
        self._ctl_addr = ""
        self.endpoints: BrokerEndpoints | None = None
        self._error: BaseException | None = None

    def start(self) -> BrokerEndpoints:
        """Bind both sides and start forwarding; returns the endpoints."""
        if self._thread is not None:
            raise BusEndpointError("broker already started")
        if self.transport == "ipc":
            self._ipc_dir = tempfile.mkdtemp(prefix="fsw-bus-")
        front_spec, back_spec = bind_specs(self.transport, host=self.host,
                                           ipc_dir=self._ipc_dir, ports=self.ports)
        ctx = self._context
        front = ctx.socket(zmq.XSUB)
        back = ctx.socket(zmq.XPUB)
        ctl = ctx.socket(zmq.PAIR)
        for s in (front, back):
            s.setsockopt(zmq.SNDHWM, self.hwm)
            s.setsockopt(zmq.RCVHWM, self.hwm)
            s.setsockopt(zmq.LINGER, 0)
        back.setsockopt(zmq.XPUB_VERBOSE, 1)
        ctl.setsockopt(zmq.LINGER, 0)
        curve = self._curve(front, back) if self.secure else None
        self._ctl_addr = f"inproc://fsw-broker-ctl-{id(self)}"
        try:
            front.bind(front_spec)
            back.bind(back_spec)
            ctl.bind(self._ctl_addr)
        except zmq.ZMQError as exc:
            for s in (front, back, ctl):
                s.close(0)
            self._cleanup_dir()
            self._stop_auth()
            raise BusEndpointError(f"broker cannot bind {front_spec} / {back_spec}: {exc}") from exc
        self.endpoints = BrokerEndpoints(
            front.getsockopt_string(zmq.LAST_ENDPOINT), back.getsockopt_string(zmq.LAST_ENDPOINT),
            curve)

        def run() -> None:
            try:
                zmq.proxy_steerable(front, back, None, ctl)
            except zmq.ContextTerminated:
                pass
            except BaseException as exc:  # reported by stop()
                self._error = exc
            finally:
                for s in (front, back, ctl):
                    s.close(0)

        self._thread = threading.Thread(target=run, name="fsw-bus-broker", daemon=True)
        self._thread.start()
        return self.endpoints

    def _curve(self, front: zmq.Socket, back: zmq.Socket) -> BusCurveKeys:
        """Make both sides CURVE servers with fresh keys; a ZAP handler admits
        only the one client key handed out in the endpoints."""
        from zmq.auth.thread import ThreadAuthenticator

        if not zmq.has("curve"):
            raise BusEndpointError("this libzmq has no CURVE support: an authenticated bus "
                                   "over ipc/tcp needs it (libsodium)")
        server_public, server_secret = zmq.curve_keypair()
        client_public, client_secret = zmq.curve_keypair()
        self._auth = ThreadAuthenticator(self._context)
        self._auth.start()
        self._auth.configure_curve_callback("*", _OneKey(client_public))
        for s in (front, back):
            s.curve_server = True
            s.curve_publickey = server_public
            s.curve_secretkey = server_secret
        return BusCurveKeys(server_public, client_public, client_secret)

    def _stop_auth(self) -> None:
        if self._auth is not None:
            self._auth.stop()
            self._auth = None
        if self._own_context:
            self._context.term()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop forwarding, close the sockets, remove the ipc directory."""
        if self._thread is None:
            return
        cmd = self._context.socket(zmq.PAIR)
        cmd.setsockopt(zmq.LINGER, 0)
        cmd.connect(self._ctl_addr)
        cmd.send(b"TERMINATE")
        self._thread.join(timeout_s)
        cmd.close(0)
        alive = self._thread.is_alive()
        self._thread = None
        self._cleanup_dir()
        if not alive:
            self._stop_auth()
        if alive:
            raise BusEndpointError("broker thread did not stop")

    def _cleanup_dir(self) -> None:
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None

    def __enter__(self) -> Broker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _OneKey:
    """ZAP credentials provider admitting one CURVE client key."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def callback(self, domain: str, key: bytes) -> bool:
        return hmac.compare_digest(key, self.key)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a broker in the foreground until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m fsw.bus.broker",
                                     description="Software-bus broker (XSUB/XPUB proxy).")
    parser.add_argument("--transport", choices=("ipc", "tcp"), default="tcp",
                        help="transport to bind (default tcp)")
    parser.add_argument("--host", default="127.0.0.1", help="tcp host to bind (default 127.0.0.1)")
    parser.add_argument("--ports", type=int, nargs=2, default=(0, 0), metavar=("FRONT", "BACK"),
                        help="tcp ports of the frontend and backend (0: ephemeral)")
    parser.add_argument("--hwm", type=int, default=DEFAULT_HWM, help="high-water mark (packets)")
    args = parser.parse_args(argv)
    broker = Broker(args.transport, host=args.host, hwm=args.hwm, ports=tuple(args.ports))
    endpoints = broker.start()
    print(json.dumps({"frontend": endpoints.frontend, "backend": endpoints.backend}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
