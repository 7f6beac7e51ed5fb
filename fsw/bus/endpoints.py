"""Transports and endpoints: where the broker binds and the nodes connect.

Three transports, one code path (ZeroMQ URLs):

- ``inproc``: one process, sockets sharing one :class:`zmq.Context`;
- ``ipc``: several processes on one machine, Unix sockets in a private
  temporary directory (removed with the broker);
- ``tcp``: several processes or machines; the broker binds ephemeral ports on
  the given host (``127.0.0.1`` unless told otherwise) and reports them.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

from fsw.bus.errors import BusEndpointError

TRANSPORTS = ("inproc", "ipc", "tcp")
_counter = itertools.count()


@dataclass(frozen=True)
class BusCurveKeys:
    """CurveZMQ keys (Z85) of an authenticated broker: its public key and the
    one key pair its nodes connect with (made fresh for each broker, never
    written anywhere; the broker accepts no other client key)."""

    server_public: bytes
    client_public: bytes
    client_secret: bytes = field(repr=False)


@dataclass(frozen=True)
class BrokerEndpoints:
    """The two sides of a broker: publishers connect to ``frontend`` (its XSUB),
    subscribers to ``backend`` (its XPUB). Picklable, so it can be handed to a
    child process; ``curve`` holds the keys of an authenticated broker
    (``Broker(..., secure=True)``), which :meth:`fsw.bus.Bus.connect` uses."""

    frontend: str
    backend: str
    curve: BusCurveKeys | None = field(default=None, repr=False, compare=False)

    @property
    def transport(self) -> str:
        """``inproc``, ``ipc`` or ``tcp``."""
        return self.frontend.split("://", 1)[0]


def check_transport(transport: str) -> str:
    """Return ``transport`` if known, else raise BusEndpointError."""
    if transport not in TRANSPORTS:
        raise BusEndpointError(
            f"unknown bus transport {transport!r}; use one of {', '.join(TRANSPORTS)}"
        )
    return transport


def unique_inproc(prefix: str = "fsw-bus") -> str:
    """A fresh ``inproc://`` name, unique within this process."""
    return f"inproc://{prefix}-{os.getpid()}-{next(_counter)}"


def bind_specs(transport: str, *, host: str = "127.0.0.1", ipc_dir: str | None = None,
               ports: tuple[int, int] = (0, 0)) -> tuple[str, str]:
    """The (frontend, backend) addresses a broker binds for ``transport``.

    tcp port 0 means "an ephemeral port" (bound as ``*`` and read back).
    ``ipc`` needs ``ipc_dir``, a directory the caller owns.
    """
    check_transport(transport)
    if transport == "inproc":
        return unique_inproc("fsw-broker-front"), unique_inproc("fsw-broker-back")
    if transport == "ipc":
        if not ipc_dir:
            raise BusEndpointError("the ipc transport needs a directory for its socket files")
        return f"ipc://{ipc_dir}/front.sock", f"ipc://{ipc_dir}/back.sock"
    fp, bp = ports
    return (f"tcp://{host}:{fp or '*'}", f"tcp://{host}:{bp or '*'}")
