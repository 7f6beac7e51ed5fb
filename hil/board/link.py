"""The host's handle on a guidance-core board (real, QEMU or virtual).

:class:`BoardLink` is the link object the board back end of the guidance
core uses: ``transact(request, timeout) -> response`` sends one request
packet and returns the board's answer. It also keeps the board's heartbeat
(BOARD_STATUS, every 200 ms), declares the link lost when the port goes away
or the board falls silent for ``loss_timeout`` (LinkLost, a
``ConnectionError``), and on the next call reconnects and waits for the
board's heartbeat before sending, so a run resumes when the board is back;
while the board is away each call fails at once (one attempt to open).
A board that booted again shows it in its heartbeat: its uptime or its
count of executed calls goes back (each only grows on a living board; the
count catches a young board seen after longer than the old one had run,
since the host sends nothing before the first heartbeat of a reconnection).
``restarts`` counts those boots, so a caller knows the board has lost its
contexts (and its kept last response) rather than merely been slow.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any, Protocol

from fsw.packets import DICTIONARY
from fsw.packets.errors import PacketError
from hil.serial import LinkLost, LinkTimeout, SerialLink
from hil.serial.link import GUIDANCE_APIDS
from hil.serial.packetcodec import packet_apid_seq

__all__ = ["BOARD_PING", "BOARD_PONG", "BOARD_STATUS", "BoardLink", "connected_link"]

BOARD_PING = DICTIONARY["BOARD_PING"]
BOARD_PONG = DICTIONARY["BOARD_PONG"]
BOARD_STATUS = DICTIONARY["BOARD_STATUS"]


def _numbered(apid: int) -> bool:
    """The board numbers its own packets (BOARD_STATUS and anything outside
    the guidance block); answers echo the request's count."""
    return apid not in GUIDANCE_APIDS or apid == BOARD_STATUS.apid


def _is_answer(packet: bytes) -> bool:
    apid = packet_apid_seq(packet)[0]
    return apid in GUIDANCE_APIDS and apid != BOARD_STATUS.apid


class BoardLink:
    """A board behind a framed serial link at ``url`` (any pyserial URL).

    ``loss_timeout`` (s): silence after which the link is declared lost
    (the board's heartbeat comes every 0.2 s). ``connect_timeout`` (s): how
    long a (re)connection waits for the board's first heartbeat.
    """

    def __init__(self, url: str, *, baudrate: int = 115200, loss_timeout: float = 0.6,
                 connect_timeout: float = 3.0) -> None:
        self.url = url
        self.loss_timeout = loss_timeout
        self.connect_timeout = connect_timeout
        self.serial = SerialLink(url, baudrate=baudrate, is_response=_is_answer,
                                 on_telemetry=self._on_telemetry, sequenced=_numbered)
        self.status: Any = None  # the last BOARD_STATUS record
        self.status_count = 0
        self.bad_telemetry = 0
        self.restarts = 0  # boots seen after the first heartbeat (the uptime went back)
        self._last_boot_marks: tuple[int, int] | None = None  # (uptime_ms, calls)
        self._status_at: float | None = None
        self._ping_seq = 0

    # -- connection ---------------------------------------------------------

    @property
    def stats(self) -> Any:
        """The serial link's statistics (:class:`hil.serial.LinkStats`)."""
        return self.serial.stats

    def _on_telemetry(self, packet: bytes) -> None:
        if packet_apid_seq(packet)[0] != BOARD_STATUS.apid:
            return
        try:
            self.status = BOARD_STATUS.parse(packet)
        except PacketError:
            self.bad_telemetry += 1
            return
        self.status_count += 1
        self._status_at = time.monotonic()
        marks = (int(self.status.uptime_ms), int(self.status.calls))
        last = self._last_boot_marks
        if last is not None and (marks[0] < last[0] or marks[1] < last[1]):
            self.restarts += 1  # the board booted again: its contexts are gone
        self._last_boot_marks = marks

    def connect(self, timeout: float | None = None, *, retry: bool = True) -> None:
        """Open the port and wait for a heartbeat; LinkLost if none comes.
        ``retry``: keep trying to open the port until ``timeout`` (else one
        attempt, so a caller running at a fixed rate is never held up)."""
        timeout = self.connect_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        if retry:
            self.serial.reconnect(timeout)
        else:
            self.serial.open()
        seen = self.status_count
        while self.status_count == seen:
            left = deadline - time.monotonic()
            if left <= 0:
                self.serial.close()
                raise LinkLost(f"no heartbeat from the board on {self.url} within {timeout:.1f} s")
            self.serial.poll(min(left, 0.05))

    def close(self) -> None:
        """Close the port."""
        self.serial.close()

    def __enter__(self) -> BoardLink:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def silence(self) -> float:
        """Seconds since the last heartbeat (inf before the first)."""
        return float("inf") if self._status_at is None else time.monotonic() - self._status_at

    def alive(self) -> bool:
        """True while connected and the heartbeat is recent."""
        return self.serial.connected and self.silence() <= self.loss_timeout

    def check(self, wait: float = 0.0) -> None:
        """Read pending traffic for up to ``wait`` s; LinkLost if the port is
        gone or the board has been silent longer than ``loss_timeout``."""
        if not self.serial.connected:
            self.connect(retry=False)
        self.serial.poll(wait)
        if self.silence() > self.loss_timeout:
            self._declare_lost("no heartbeat")

    def fresh_status(self, timeout: float = 30.0) -> Any:
        """The first BOARD_STATUS sent after everything received so far
        (it counts every call answered before it: the line keeps the board's
        order), waiting up to ``timeout`` s however slow the board; None if
        none comes. Declares no loss: for checks after a run."""
        seen = self.status_count
        deadline = time.monotonic() + timeout
        while self.status_count == seen and time.monotonic() < deadline:
            self.serial.poll(0.1)
        return self.status if self.status_count != seen else None

    def _declare_lost(self, why: str) -> None:
        self.serial.stats.link_losses += 1
        self.serial.close()
        raise LinkLost(f"link lost on {self.url}: {why} for {self.silence():.2f} s")

    # -- traffic -----------------------------------------------------------

    def transact(self, request: bytes, timeout: float) -> bytes:
        """Send one guidance request packet, return the board's response.

        LinkLost (ConnectionError) when the port is gone or the board is
        silent; LinkTimeout (TimeoutError) when the board is alive but did
        not answer in time.
        """
        if not self.serial.connected:
            self.connect(retry=False)
        try:
            return self.serial.transact(request, timeout)
        except LinkTimeout:
            if self.silence() > self.loss_timeout:
                self._declare_lost("no answer and no heartbeat")
            raise

    def ping(self, payload: bytes = b"", timeout: float = 1.0) -> float:
        """Round trip of one BOARD_PING (s); checks the echo."""
        req = BOARD_PING.build(t_tai=0.0, seq=self._ping_seq, payload=payload)
        self._ping_seq = (self._ping_seq + 1) % 16384
        t0 = time.perf_counter()
        ans = self.transact(req, timeout)
        dt = time.perf_counter() - t0
        rec = BOARD_PONG.parse(ans)
        if rec.payload != payload:
            raise LinkTimeout(f"ping echo mismatch on {self.url}")
        return dt


class _Board(Protocol):
    @property
    def url(self) -> str: ...

    def start(self) -> str: ...

    def close(self) -> None: ...


@contextlib.contextmanager
def connected_link(board: _Board, timeout: float = 10.0) -> Iterator[BoardLink]:
    """Start ``board`` (a QemuBoard or VirtualBoard), connect a BoardLink to
    it within ``timeout`` s and yield the link; on leaving, close the link,
    then the board."""
    board.start()
    link = BoardLink(board.url)
    try:
        link.connect(timeout=timeout)
        yield link
    finally:
        link.close()
        board.close()
