"""The on-disk layout of a packet archive (see docs/archive.md): one file header,
then records of [record header | space packet]. All integers little-endian.

Declared here once; the writer, the reader and the documentation follow it.
"""

from __future__ import annotations

import struct
import zlib

from fsw.errors import UserError

#: First 8 bytes of every archive (PNG-style: a high byte, a name, a newline
#: that catches text-mode mangling).
MAGIC = b"\x89FSWARC\n"
#: Format version written by this code; readers accept only versions they know.
VERSION = 2
#: Versions this code reads (1: no record numbers, no closing record).
READ_VERSIONS = (1, 2)
#: File header: magic, version u16, header size u16, flags u32,
#: creation time (Unix ns, i64), reserved u32, CRC-32 of the preceding 28 bytes.
FILE_HEADER = struct.Struct("<8sHHIqII")
FILE_HEADER_SIZE = FILE_HEADER.size  # 32

#: Record marker: the CCSDS attached sync marker, so a reader can hunt for the
#: next record after a corrupted one.
RECORD_MARKER = b"\x1a\xcf\xfc\x1d"
#: Record header (version 2): marker 4s, payload length u32 (bit 31 set: a
#: control record), record number u32 (0, 1, 2, ... over every record of the
#: file, so a missing record is a gap), receive time i64 (TAI ns since
#: 1958-01-01), CRC-32 over header bytes 4..19 and the payload.
RECORD_HEADER = struct.Struct("<4sIIqI")
RECORD_HEADER_SIZE = RECORD_HEADER.size  # 24
#: Version 1 record header: marker, packet length u32, receive time i64, CRC-32
#: over bytes 4..15 and the packet.
RECORD_HEADER_V1 = struct.Struct("<4sIqI")
RECORD_HEADER_SIZE_V1 = RECORD_HEADER_V1.size  # 20
#: Bounds of one space packet: 6-byte primary header and at least one data
#: octet; at most 65536 data octets.
MIN_PACKET = 7
MAX_PACKET = 6 + 65536
#: Length-field flag of a control record (not a packet).
CONTROL = 0x80000000
#: The closing record's payload: magic, packet records written (u64), status
#: (u8: 0 the run ended, 1 interrupted -- Ctrl-C or an error -- after every
#: record handed over was written), 7 reserved octets.
CLOSING = struct.Struct("<8sQB7x")
CLOSING_MAGIC = b"FSWEND\x00\x00"
STATUS_COMPLETE, STATUS_INTERRUPTED = 0, 1

NS_PER_S = 1_000_000_000


class ArchiveError(UserError):
    """The file is not an archive this code can read (bad magic, version or header)."""


def file_header(created_unix_ns: int, version: int = VERSION) -> bytes:
    """The 32-byte file header for a new archive."""
    head = FILE_HEADER.pack(MAGIC, version, FILE_HEADER_SIZE, 0, created_unix_ns, 0, 0)[:28]
    return head + struct.pack("<I", zlib.crc32(head))


def read_file_header(raw: bytes, name: str = "archive") -> tuple[int, int]:
    """Check a file header; return (creation time in Unix ns, format version).
    Raises ArchiveError."""
    if len(raw) < FILE_HEADER_SIZE:
        raise ArchiveError(f"{name}: too short for an archive header ({len(raw)} bytes)")
    magic, version, size, _flags, created, _res, crc = FILE_HEADER.unpack_from(raw)
    if magic != MAGIC:
        raise ArchiveError(f"{name}: not a packet archive (bad magic {magic!r})")
    if zlib.crc32(raw[:28]) != crc:
        raise ArchiveError(f"{name}: archive header checksum mismatch")
    if version not in READ_VERSIONS or size != FILE_HEADER_SIZE:
        raise ArchiveError(f"{name}: unsupported archive version {version} (header {size} B)")
    return int(created), int(version)


def parse_file_header(raw: bytes, name: str = "archive") -> int:
    """Check a file header; return its creation time (Unix ns). Raises ArchiveError."""
    return read_file_header(raw, name)[0]


def record(packet: bytes | memoryview, recv_time_ns: int, number: int = 0) -> bytes:
    """One record (header + packet) ready to append."""
    n = len(packet)
    if not MIN_PACKET <= n <= MAX_PACKET:
        raise ValueError(f"packet of {n} bytes is outside [{MIN_PACKET}, {MAX_PACKET}]")
    body = struct.pack("<IIq", n, number & 0xFFFFFFFF, recv_time_ns)
    crc = zlib.crc32(packet, zlib.crc32(body))
    return RECORD_MARKER + body + struct.pack("<I", crc) + bytes(packet)


def closing_record(number: int, recv_time_ns: int, packets: int, status: int) -> bytes:
    """The control record a writer ends a file with on a clean stop."""
    payload = CLOSING.pack(CLOSING_MAGIC, packets, status)
    body = struct.pack("<IIq", CONTROL | len(payload), number & 0xFFFFFFFF, recv_time_ns)
    crc = zlib.crc32(payload, zlib.crc32(body))
    return RECORD_MARKER + body + struct.pack("<I", crc) + payload
