"""A framed packet link over any pyserial URL: a device (``/dev/ttyACM0``), a
pty, ``socket://host:port`` (QEMU, a remote bench) or ``loop://``.

:class:`SerialLink` sends and receives whole space packets (framing in
:mod:`hil.serial.framing`), keeps the link statistics, reports a vanished
port as :class:`~hil.serial.errors.LinkLost` at once and reopens it on the
next call (``reconnect``), so a run resumes when the board comes back.
``transact(request, timeout)`` is what the board back end of the guidance
core (``PacketCore``) uses.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable

import serial

from fsw.packets import APID_AREAS
from hil.serial.errors import FrameTooLong, LinkLost, LinkTimeout
from hil.serial.framing import DEFAULT_MAX_PACKET, Deframer, LinkStats, frame
from hil.serial.packetcodec import packet_apid_seq

__all__ = ["GUIDANCE_APIDS", "SerialLink"]

GUIDANCE_APIDS = APID_AREAS["guidance"].apids  # guidance-core requests/responses (board link)
_READ_SLICE = 0.05  # s: longest single blocking read, so timeouts stay responsive


def _numbered_by_peer(apid: int) -> bool:
    """Answers echo the request's sequence count: only other packets count
    sequence gaps."""
    return apid not in GUIDANCE_APIDS


def _is_guidance(packet: bytes) -> bool:
    return packet_apid_seq(packet)[0] in GUIDANCE_APIDS


class SerialLink:
    """One framed serial link.

    ``url`` is passed to ``serial.serial_for_url`` as it is. ``baudrate``
    matters for real ports only. ``max_packet`` bounds packets both ways;
    ``frame_timeout`` (s) bounds the wait for the rest of a partial frame.
    Packets that are not answers (heartbeats, time, events) go to
    ``on_telemetry`` and the ``telemetry`` queue, which keeps the latest
    ``telemetry_depth`` (a view for polling callers; ``on_telemetry`` sees
    every one). ``sequenced(apid)``:
    the APIDs whose sequence gaps count as losses (default: all but the
    guidance block, whose answers echo the request's count).
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 115200,
        max_packet: int = DEFAULT_MAX_PACKET,
        frame_timeout: float = 0.25,
        is_response: Callable[[bytes], bool] = _is_guidance,
        on_telemetry: Callable[[bytes], None] | None = None,
        telemetry_depth: int = 64,
        sequenced: Callable[[int], bool] | None = None,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.max_packet = max_packet
        self.stats = LinkStats()
        self.deframer = Deframer(max_packet, frame_timeout, self.stats,
                                 sequenced=sequenced or _numbered_by_peer)
        self.is_response = is_response
        self.on_telemetry = on_telemetry
        self.telemetry: deque[bytes] = deque(maxlen=telemetry_depth)
        self.last_rx: float | None = None  # monotonic time of the last byte received
        self._port: serial.SerialBase | None = None
        self._was_open = False
        self._answers: deque[bytes] = deque()
        self.max_answers = 64  # answers held unread; more are dropped and counted

    # -- connection --------------------------------------------------------

    @property
    def connected(self) -> bool:
        """True while the port is open."""
        return self._port is not None

    def open(self) -> None:
        """Open the port (LinkLost when it cannot be opened)."""
        if self._port is not None:
            return
        try:
            port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=_READ_SLICE)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise LinkLost(f"cannot open {self.url}: {exc}") from exc
        if self._was_open:
            self.stats.reconnects += 1
        self._was_open = True
        self._port = port
        self.deframer.reset()
        self._answers.clear()
        self.last_rx = time.monotonic()

    def reconnect(self, timeout: float) -> None:
        """Retry opening the port until ``timeout`` (s); LinkLost if it stays away."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.open()
                return
            except LinkLost:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        """Close the port (idempotent)."""
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    def __enter__(self) -> SerialLink:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _lost(self, exc: BaseException) -> LinkLost:
        self.stats.link_losses += 1
        self.close()
        return LinkLost(f"link lost on {self.url}: {exc}")

    def _require(self) -> serial.SerialBase:
        if self._port is None:
            self.open()  # one attempt: reconnect when the port is back
        assert self._port is not None
        return self._port

    # -- traffic -----------------------------------------------------------

    def send(self, packet: bytes) -> None:
        """Frame and write one packet."""
        if len(packet) > self.max_packet:
            raise FrameTooLong(f"packet of {len(packet)} octets exceeds {self.max_packet}")
        port = self._require()
        data = frame(packet)
        try:
            port.write(data)
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc
        self.stats.bytes_tx += len(data)
        self.stats.frames_tx += 1

    def _pump(self, wait: float) -> None:
        """Read what arrives within ``wait`` seconds (at least one poll) and
        sort the packets into answers and telemetry."""
        port = self._require()
        try:
            port.timeout = max(0.0, min(wait, _READ_SLICE))
            data = port.read(max(self.deframer.wanted(), port.in_waiting))
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc
        now = time.monotonic()
        packets = self.deframer.expire(now)
        if data:
            self.last_rx = now
            packets += self.deframer.feed(data, now)
        for pkt in packets:
            if self.is_response(pkt):
                if len(self._answers) >= self.max_answers:
                    self._answers.popleft()
                    self.stats.answers_dropped += 1
                self._answers.append(pkt)
            else:
                self.telemetry.append(pkt)
                if self.on_telemetry is not None:
                    self.on_telemetry(pkt)

    def receive(self, timeout: float) -> bytes | None:
        """The next answer packet, or None when none arrives within ``timeout``."""
        deadline = time.monotonic() + timeout
        while not self._answers:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._pump(left)
        return self._answers.popleft()

    def poll(self, timeout: float = 0.0) -> None:
        """Read and sort whatever arrives within ``timeout`` (telemetry only
        callers, e.g. waiting for a heartbeat)."""
        deadline = time.monotonic() + timeout
        while True:
            self._pump(max(0.0, deadline - time.monotonic()))
            if time.monotonic() >= deadline:
                return

    def transact(self, request: bytes, timeout: float) -> bytes:
        """Send one request packet and return the board's answer.

        Raises LinkLost when the port is gone (the next call tries to
        reconnect) and LinkTimeout when no answer comes within ``timeout``.
        The answer echoes the request's sequence count; late answers to
        earlier (timed-out) requests are dropped and counted.
        """
        if self._port is not None and self._answers:
            self.stats.stale_answers += len(self._answers)
            self._answers.clear()
        self.send(request)
        seq = packet_apid_seq(request)[1]
        deadline = time.monotonic() + timeout
        while True:
            answer = self.receive(max(0.0, deadline - time.monotonic()))
            if answer is None:
                raise LinkTimeout(f"no answer on {self.url} within {timeout:.3f} s")
            if packet_apid_seq(answer)[1] == seq:
                return answer
            self.stats.stale_answers += 1  # the late answer to an earlier request
