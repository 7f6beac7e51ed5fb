"""Serial-link framing: the CCSDS attached sync marker (ASM) 0x1ACFFC1D
followed by one space packet (DESIGN.md, "Serial link").

The packet's own data-length field delimits the frame and its CRC-16 (the
last two octets) validates it. :class:`Deframer` hunts for the marker; on a
bad CRC, a length out of range or a partial frame that stalls past its
timeout it slides one byte past the rejected marker and hunts again, so a
noisy line costs only the frames it actually corrupted. Nothing is consumed
past a candidate marker until a frame is accepted, so an intact frame that
follows a damaged one is always found.

Every byte is accounted for: ``bytes_rx == bytes_accepted + bytes_discarded
+ pending``; every lost frame shows up in the per-APID sequence-gap count,
and each rejection in exactly one of ``crc_errors``, ``length_errors`` and
``timeouts`` (a frame whose marker itself was hit is found only as skipped
bytes, i.e. a sequence gap without a rejection).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from hil.serial.packetcodec import crc16, packet_apid_seq, packet_length

__all__ = ["ASM", "DEFAULT_MAX_PACKET", "MIN_PACKET", "Deframer", "LinkStats", "frame"]

ASM = bytes.fromhex("1ACFFC1D")
PRIMARY_HEADER = 6
MIN_PACKET = PRIMARY_HEADER + 2  # a header and the CRC at least
DEFAULT_MAX_PACKET = 2048  # octets of one space packet (FW_MAX_PACKET of the firmware)
_SEQ_MOD = 1 << 14


def frame(packet: bytes) -> bytes:
    """One frame on the line: the marker followed by the packet as it is."""
    return ASM + bytes(packet)


@dataclass
class LinkStats:
    """Counters of one serial link (receive and transmit side)."""

    bytes_rx: int = 0
    bytes_tx: int = 0
    frames_rx: int = 0  # frames accepted (CRC good)
    frames_tx: int = 0
    payload_bytes_rx: int = 0  # octets of accepted packets (without the markers)
    crc_errors: int = 0
    length_errors: int = 0  # length field below MIN_PACKET or above the maximum
    timeouts: int = 0  # partial frames abandoned after the inter-byte timeout
    resyncs: int = 0  # hunting episodes: runs of bytes skipped to reach a marker
    bytes_discarded: int = 0  # bytes skipped while hunting
    seq_gaps: int = 0  # packets missing according to the per-APID sequence counts
    link_losses: int = 0  # the port went away (closed, unplugged, peer killed)
    reconnects: int = 0  # the port came back after a loss
    stale_answers: int = 0  # answers dropped: they echo an earlier request's sequence count
    answers_dropped: int = 0  # answers dropped unread (more than the link holds)
    by_apid_gaps: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The counters as a plain dict (for reports and JSON)."""
        return asdict(self)

    def rejected(self) -> int:
        """Frames rejected after their marker was found."""
        return self.crc_errors + self.length_errors + self.timeouts


class Deframer:
    """Incremental receiver: bytes in (:meth:`feed`), whole packets out.

    ``max_packet`` bounds the packet length accepted (octets, header and CRC
    included); ``timeout`` (s) bounds how long a partial frame may wait for
    its remaining bytes: an inter-byte timeout, as on the board (checked by
    :meth:`expire` with the caller's clock).
    ``on_packet`` is called for each accepted packet when given.
    ``seq_start`` is the sequence count a peer that starts with the link
    sends first on every APID (so a loss before the first packet counts as a
    gap); None when the first packet seen sets the reference.
    ``sequenced(apid)`` says which APIDs the peer numbers itself (their
    sequence gaps count as losses); None: all. Answers that echo a request's
    sequence count are not.
    """

    def __init__(
        self,
        max_packet: int = DEFAULT_MAX_PACKET,
        timeout: float = 0.5,
        stats: LinkStats | None = None,
        on_packet: Callable[[bytes], None] | None = None,
        seq_start: int | None = None,
        sequenced: Callable[[int], bool] | None = None,
    ) -> None:
        if max_packet < MIN_PACKET:
            raise ValueError(f"max_packet must be at least {MIN_PACKET}, got {max_packet}")
        self.max_packet = max_packet
        self.timeout = timeout
        self.stats = stats if stats is not None else LinkStats()
        self._buf = bytearray()
        self._hunting = False  # inside a run of skipped bytes (one resync per run)
        self._partial_since: float | None = None
        self._last_seq: dict[int, int] = {}
        self._on_packet = on_packet
        self._seq_start = seq_start
        self._sequenced = sequenced

    @property
    def pending(self) -> int:
        """Bytes held waiting for the rest of a frame or a marker."""
        return len(self._buf)

    def wanted(self) -> int:
        """Bytes still missing to complete the frame at the head of the
        buffer (at least 1): lets a reader block for the whole rest of a
        frame in one call instead of one call per byte."""
        buf, m = self._buf, len(ASM)
        if len(buf) < m or buf[:m] != ASM:
            return 1
        if len(buf) < m + PRIMARY_HEADER:
            return m + PRIMARY_HEADER - len(buf)
        n = packet_length(buf[m : m + PRIMARY_HEADER])
        return max(1, min(m + n, m + self.max_packet) - len(buf))

    def reset(self) -> None:
        """Drop everything pending and forget the sequence counts (after a
        reconnect: the peer may have restarted); pending bytes are counted as
        discarded."""
        self._discard(len(self._buf))
        self._partial_since = None
        self._hunting = False
        self._last_seq.clear()

    def feed(self, data: bytes, now: float = 0.0) -> list[bytes]:
        """Add received bytes; return the packets completed by them, in order."""
        self.stats.bytes_rx += len(data)
        self._buf += data
        out: list[bytes] = []
        while True:
            pkt = self._next()
            if pkt is None:
                break
            out.append(pkt)
        self._partial_since = now if self._buf else None  # time of the last byte
        return out

    def expire(self, now: float) -> list[bytes]:
        """Abandon a partial frame that has waited longer than ``timeout``
        (counted in ``timeouts``) and hunt again in what follows it."""
        out: list[bytes] = []
        while (
            self._partial_since is not None
            and now - self._partial_since > self.timeout
            and self._buf[: len(ASM)] == ASM
        ):
            self.stats.timeouts += 1
            self._reject()
            while (pkt := self._next()) is not None:
                out.append(pkt)
            self._partial_since = now if self._buf else None
        return out

    # -- internals ---------------------------------------------------------

    def _discard(self, n: int) -> None:
        if n <= 0:
            return
        del self._buf[:n]
        self.stats.bytes_discarded += n
        if not self._hunting:
            self._hunting = True
            self.stats.resyncs += 1

    def _reject(self) -> None:
        """Slide one byte past the rejected marker (and hunt on)."""
        self._discard(1)

    def _next(self) -> bytes | None:
        """Extract one packet from the head of the buffer, or None when more
        bytes are needed."""
        buf = self._buf
        while True:
            i = buf.find(ASM)
            if i < 0:
                # keep a possible marker prefix at the end
                self._discard(len(buf) - (len(ASM) - 1))
                return None
            self._discard(i)
            if len(buf) < len(ASM) + PRIMARY_HEADER:
                return None
            n = packet_length(buf[len(ASM) : len(ASM) + PRIMARY_HEADER])
            if n < MIN_PACKET or n > self.max_packet:
                self.stats.length_errors += 1
                self._reject()
                continue
            end = len(ASM) + n
            if len(buf) < end:
                return None
            pkt = bytes(buf[len(ASM) : end])
            if crc16(pkt[:-2]) != struct.unpack_from(">H", pkt, n - 2)[0]:
                self.stats.crc_errors += 1
                self._reject()
                continue
            del buf[:end]
            self._hunting = False
            self._partial_since = None
            self._accept(pkt)
            return pkt

    def _accept(self, pkt: bytes) -> None:
        s = self.stats
        s.frames_rx += 1
        s.payload_bytes_rx += len(pkt)
        apid, seq = packet_apid_seq(pkt)
        if self._sequenced is not None and not self._sequenced(apid):
            if self._on_packet is not None:
                self._on_packet(pkt)
            return
        last = self._last_seq.get(apid)
        if last is None and self._seq_start is not None:
            last = self._seq_start - 1
        if last is not None:
            gap = (seq - last - 1) % _SEQ_MOD
            if gap:
                s.seq_gaps += gap
                s.by_apid_gaps[apid] = s.by_apid_gaps.get(apid, 0) + gap
        self._last_seq[apid] = seq
        if self._on_packet is not None:
            self._on_packet(pkt)
