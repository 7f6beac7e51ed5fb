"""Space packet primitives: primary header (CCSDS 133.0-B-2), CUC 4+2 time code
(CCSDS 301.0-B-4, TAI, epoch 1958-01-01), CRC-16-CCITT trailer and idle packets.

These are the pieces every packet shares; the per-packet codecs generated in
:mod:`fsw.packets.dictionary` inline the same layout for speed and are checked
against these functions in the tests.
"""

from __future__ import annotations

import binascii
import math
import struct
from typing import NamedTuple

from fsw.packets.errors import (
    PacketBuildError,
    PacketCrcError,
    PacketHeaderError,
    PacketLengthError,
)

PRIMARY_HEADER_LEN = 6
CUC_LEN = 6
SECONDARY_HEADER_LEN = CUC_LEN
CRC_LEN = 2
#: Largest space packet: 6-octet header plus 65536 octets of data field.
MAX_PACKET_LEN = PRIMARY_HEADER_LEN + 65536

TM = 0  #: packet type of telemetry
TC = 1  #: packet type of telecommands

SEQ_CONTINUATION = 0b00
SEQ_FIRST = 0b01
SEQ_LAST = 0b10
SEQ_UNSEGMENTED = 0b11

APID_MAX = 0x7FF
APID_IDLE = 0x7FF
SEQ_MODULO = 1 << 14
FINE_PER_SECOND = 65536
#: Largest TAI time a CUC 4+2 code holds.
TAI_MAX = (1 << 32) - 1 / FINE_PER_SECOND

_HEADER = struct.Struct(">HHH")
_CUC = struct.Struct(">IH")
_crc = binascii.crc_hqx


def crc16(data: bytes | bytearray | memoryview, value: int = 0xFFFF) -> int:
    """CRC-16-CCITT (poly 0x1021, init 0xFFFF, no reflection, no final xor).

    Running it over a packet including its own big-endian CRC trailer gives 0.
    """
    return _crc(data, value)


class PrimaryHeader(NamedTuple):
    """The six octets every space packet starts with."""

    version: int
    type: int
    sec_hdr: int
    apid: int
    seq_flags: int
    seq: int
    data_len: int  # octets in the packet data field minus one

    @property
    def packet_len(self) -> int:
        """Total octets of the packet this header announces."""
        return self.data_len + 7


def pack_header(
    apid: int,
    seq: int,
    data_len: int,
    type: int = TM,
    sec_hdr: int = 1,
    seq_flags: int = SEQ_UNSEGMENTED,
    version: int = 0,
) -> bytes:
    """The primary header octets; raises PacketBuildError on out-of-range fields."""
    if not (
        0 <= apid <= APID_MAX
        and 0 <= seq < SEQ_MODULO
        and 0 <= data_len <= 0xFFFF
        and type in (0, 1)
        and sec_hdr in (0, 1)
        and 0 <= seq_flags <= 3
        and 0 <= version <= 7
    ):
        raise PacketBuildError(
            f"primary header field out of range: apid={apid} seq={seq} data_len={data_len} "
            f"type={type} sec_hdr={sec_hdr} seq_flags={seq_flags} version={version}"
        )
    return _HEADER.pack(
        (version << 13) | (type << 12) | (sec_hdr << 11) | apid,
        (seq_flags << 14) | seq,
        data_len,
    )


def unpack_header(raw: bytes | bytearray | memoryview) -> PrimaryHeader:
    """Decode the first six octets of ``raw``; raises PacketLengthError if short."""
    if len(raw) < PRIMARY_HEADER_LEN:
        raise PacketLengthError(f"{len(raw)} octets, a primary header needs {PRIMARY_HEADER_LEN}")
    w0, w1, w2 = _HEADER.unpack_from(raw)
    return PrimaryHeader(w0 >> 13, (w0 >> 12) & 1, (w0 >> 11) & 1, w0 & APID_MAX, w1 >> 14,
                         w1 & 0x3FFF, w2)


def peek_apid(raw: bytes | bytearray | memoryview) -> int:
    """The APID of a packet without decoding the rest (for routing)."""
    if len(raw) < 2:
        raise PacketLengthError(f"{len(raw)} octets, too short for an APID")
    return ((raw[0] << 8) | raw[1]) & APID_MAX


def tai_to_cuc(t_tai: float) -> tuple[int, int]:
    """TAI seconds since 1958-01-01 -> (coarse seconds, fine 1/65536 s),
    rounded to the nearest fine tick."""
    try:
        ticks = round(t_tai * FINE_PER_SECOND)
    except (TypeError, ValueError, OverflowError) as exc:
        raise PacketBuildError(f"t_tai={t_tai!r} is not a finite number of seconds") from exc
    if not 0 <= ticks < (1 << 48):
        raise PacketBuildError(f"t_tai={t_tai!r} s is outside the CUC 4+2 range [0, 2^32) s")
    return ticks >> 16, ticks & 0xFFFF


def cuc_to_tai(coarse: int, fine: int) -> float:
    """(coarse, fine) -> TAI seconds as a float."""
    return coarse + fine / FINE_PER_SECOND


def pack_cuc(t_tai: float) -> bytes:
    """The six octets of the CUC 4+2 secondary header (implicit P-field)."""
    return _CUC.pack(*tai_to_cuc(t_tai))


def unpack_cuc(raw: bytes | bytearray | memoryview, offset: int = PRIMARY_HEADER_LEN) -> float:
    """TAI seconds of the CUC time code at ``offset``."""
    if len(raw) < offset + CUC_LEN:
        raise PacketLengthError(f"{len(raw)} octets, too short for a CUC time code at {offset}")
    coarse, fine = _CUC.unpack_from(raw, offset)
    return coarse + fine / FINE_PER_SECOND


def check_frame(raw: bytes | bytearray | memoryview) -> PrimaryHeader:
    """Validate length and CRC of one whole packet; return its header.

    Raises PacketLengthError when ``raw`` is not exactly the announced length
    (or too short to hold a CRC), PacketCrcError on a CRC mismatch.
    """
    hdr = unpack_header(raw)
    if len(raw) != hdr.packet_len:
        raise PacketLengthError(
            f"APID 0x{hdr.apid:03X}: {len(raw)} octets, header announces {hdr.packet_len}"
        )
    if hdr.packet_len < PRIMARY_HEADER_LEN + CRC_LEN:
        raise PacketLengthError(f"APID 0x{hdr.apid:03X}: packet too short to hold a CRC")
    if _crc(raw, 0xFFFF):
        raise PacketCrcError(f"APID 0x{hdr.apid:03X} seq {hdr.seq}: CRC mismatch")
    return hdr


def frame(header_fields: bytes, body: bytes) -> bytes:
    """Append the CRC trailer to header+body (helper for hand-made packets)."""
    b = header_fields + body
    return b + _crc(b, 0xFFFF).to_bytes(2, "big")


def build_idle(packet_len: int = 16, seq: int = 0) -> bytes:
    """An idle packet (APID 0x7FF, no secondary header, fill 0x55, CRC
    trailer) of ``packet_len`` octets, at least 9 (one fill octet)."""
    if not PRIMARY_HEADER_LEN + 1 + CRC_LEN <= packet_len <= MAX_PACKET_LEN:
        raise PacketBuildError(f"idle packet length {packet_len} outside [9, {MAX_PACKET_LEN}]")
    hdr = pack_header(APID_IDLE, seq, packet_len - 7, type=TM, sec_hdr=0)
    return frame(hdr, b"\x55" * (packet_len - PRIMARY_HEADER_LEN - CRC_LEN))


def is_idle(raw: bytes | bytearray | memoryview) -> bool:
    """True for an idle packet (APID 0x7FF)."""
    return len(raw) >= 2 and peek_apid(raw) == APID_IDLE


def split_stream(buf: bytes | bytearray | memoryview) -> tuple[list[memoryview], int]:
    """Split concatenated packets by their length fields (per packet, for
    small buffers; see :mod:`fsw.packets.bulk` for archives).

    Returns the packets as memoryviews and the number of trailing octets that
    do not form a whole packet. Raises nothing: CRCs are checked by the caller.
    """
    mv = memoryview(buf)
    n = len(mv)
    out: list[memoryview] = []
    pos = 0
    while pos + PRIMARY_HEADER_LEN <= n:
        plen = ((mv[pos + 4] << 8) | mv[pos + 5]) + 7
        if pos + plen > n:
            break
        out.append(mv[pos : pos + plen])
        pos += plen
    return out, n - pos


def check_header(raw: bytes | bytearray | memoryview, apid: int, type: int) -> None:
    """Raise PacketHeaderError unless ``raw`` is version 0 with a secondary
    header, of ``type`` and ``apid``."""
    hdr = unpack_header(raw)
    if hdr.version != 0 or hdr.sec_hdr != 1 or hdr.type != type or hdr.apid != apid:
        raise PacketHeaderError(
            f"header {hdr} does not match APID 0x{apid:03X} type {type} with secondary header"
        )


def is_finite(x: float) -> bool:
    """math.isfinite that never raises on non-numbers."""
    try:
        return math.isfinite(x)
    except TypeError:
        return False
