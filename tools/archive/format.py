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
VERSION = 1
#: File header: magic, version u16, header size u16, flags u32,
#: creation time (Unix ns, i64), reserved u32, CRC-32 of the preceding 28 bytes.
FILE_HEADER = struct.Struct("<8sHHIqII")
FILE_HEADER_SIZE = FILE_HEADER.size  # 32

#: Record marker: the CCSDS attached sync marker, so a reader can hunt for the
#: next record after a corrupted one.
RECORD_MARKER = b"\x1a\xcf\xfc\x1d"
#: Record header: marker 4s, packet length u32, receive time i64 (TAI ns since
#: 1958-01-01), CRC-32 over header bytes 4..15 and the packet bytes.
RECORD_HEADER = struct.Struct("<4sIqI")
RECORD_HEADER_SIZE = RECORD_HEADER.size  # 20
#: Bounds of one space packet: 6-byte primary header and at least one data
#: octet; at most 65536 data octets.
MIN_PACKET = 7
MAX_PACKET = 6 + 65536

NS_PER_S = 1_000_000_000


class ArchiveError(UserError):
    """The file is not an archive this code can read (bad magic, version or header)."""


def file_header(created_unix_ns: int) -> bytes:
    """The 32-byte file header for a new archive."""
    head = FILE_HEADER.pack(MAGIC, VERSION, FILE_HEADER_SIZE, 0, created_unix_ns, 0, 0)[:28]
    return head + struct.pack("<I", zlib.crc32(head))


def parse_file_header(raw: bytes, name: str = "archive") -> int:
    """Check a file header; return its creation time (Unix ns). Raises ArchiveError."""
    if len(raw) < FILE_HEADER_SIZE:
        raise ArchiveError(f"{name}: too short for an archive header ({len(raw)} bytes)")
    magic, version, size, _flags, created, _res, crc = FILE_HEADER.unpack_from(raw)
    if magic != MAGIC:
        raise ArchiveError(f"{name}: not a packet archive (bad magic {magic!r})")
    if zlib.crc32(raw[:28]) != crc:
        raise ArchiveError(f"{name}: archive header checksum mismatch")
    if version != VERSION or size != FILE_HEADER_SIZE:
        raise ArchiveError(f"{name}: unsupported archive version {version} (header {size} B)")
    return int(created)


def record(packet: bytes | memoryview, recv_time_ns: int) -> bytes:
    """One record (header + packet) ready to append."""
    n = len(packet)
    if not MIN_PACKET <= n <= MAX_PACKET:
        raise ValueError(f"packet of {n} bytes is outside [{MIN_PACKET}, {MAX_PACKET}]")
    body = struct.pack("<Iq", n, recv_time_ns)
    crc = zlib.crc32(packet, zlib.crc32(body))
    return RECORD_MARKER + body + struct.pack("<I", crc) + bytes(packet)
