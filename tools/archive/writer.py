"""Append-only, crash-safe archive writer.

Records are built in memory and handed to the operating system (``os.write``)
whenever ``buffer_bytes`` are pending, at the first write after
``flush_interval_s`` (the clock is read every 32 records; 0 = every record)
and on :meth:`ArchiveWriter.flush`/``close``, so a process killed (even by
SIGKILL) loses at most its pending buffer; every record already written stays
readable because a record is only valid with its own length and CRC-32. ``fsync`` adds durability
against power loss: every ``fsync_interval_s`` (policy "interval"), after
every record ("record"), or only at close ("close").
"""

from __future__ import annotations

import contextlib
import os
import struct
import time
import zlib
from pathlib import Path
from typing import Literal

from fsw_tools.archive import format as fmt

SyncPolicy = Literal["record", "interval", "close"]
_BODY = struct.Struct("<Iq").pack
_CRC = struct.Struct("<I").pack
#: a whole record header at once: marker, length, time, CRC
_HEAD = fmt.RECORD_HEADER.pack
_crc32 = zlib.crc32
#: records between two looks at the clock (the time-based flush/fsync policy)
_CHECK_EVERY = 32


class ArchiveWriter:
    """Appends packets with their receive time to an archive file.

    ``append=False`` (default) refuses to overwrite an existing file;
    ``append=True`` continues an existing archive after cutting a torn last
    record (the number of bytes cut is kept in ``repaired_bytes``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        append: bool = False,
        sync: SyncPolicy = "interval",
        flush_interval_s: float = 0.1,
        fsync_interval_s: float = 1.0,
        buffer_bytes: int = 1 << 16,
    ) -> None:
        if sync not in ("record", "interval", "close"):
            raise ValueError(f"unknown sync policy {sync!r}")
        self.path = Path(path)
        self.sync_policy = sync
        self.flush_interval_s = flush_interval_s
        self.fsync_interval_s = fsync_interval_s
        self.buffer_bytes = buffer_bytes
        self.records = 0
        self.bytes_written = 0
        self.rejected = 0
        self.repaired_bytes = 0
        self._buf = bytearray()
        self._since_check = 0
        self._fd = self._open(append)
        now = time.monotonic()
        self._last_flush = now
        self._last_fsync = now

    def _open(self, append: bool) -> int:
        if append and self.path.exists() and self.path.stat().st_size > 0:
            from fsw_tools.archive.reader import good_length

            with open(self.path, "rb") as f:
                fmt.parse_file_header(f.read(fmt.FILE_HEADER_SIZE), str(self.path))
            good = good_length(self.path)
            size = self.path.stat().st_size
            fd = os.open(self.path, os.O_WRONLY)
            if good < size:
                os.ftruncate(fd, good)
                self.repaired_bytes = size - good
            os.lseek(fd, 0, os.SEEK_END)
            return fd
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        if append:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileExistsError:
            from fsw.errors import UserError

            raise UserError(f"{self.path} exists; choose another path or append") from None
        os.write(fd, fmt.file_header(time.time_ns()))
        os.fsync(fd)
        return fd

    def write(self, packet: bytes | memoryview, recv_time: float) -> None:
        """Append one packet received at ``recv_time`` (TAI seconds since 1958).

        A packet outside the space-packet size bounds is not archived; it is
        counted in ``rejected`` and raises ValueError.
        """
        self.write_ns(packet, round(recv_time * fmt.NS_PER_S))

    def write_many(self, packets: list[bytes], recv_time: float) -> None:
        """Append ``packets`` (in order), all received at ``recv_time`` (TAI
        seconds since 1958): the same records as :meth:`write` one by one,
        with one call (a recorder's batch tap). A packet outside the size
        bounds raises ValueError after the packets before it are appended."""
        ns = round(recv_time * fmt.NS_PER_S)
        if self._fd < 0 or self.sync_policy == "record":
            for p in packets:
                self.write_ns(p, ns)
            return
        buf = self._buf
        marker, lo, hi = fmt.RECORD_MARKER, fmt.MIN_PACKET, fmt.MAX_PACKET
        done = 0
        try:
            for p in packets:
                n = len(p)
                if not lo <= n <= hi:
                    self.rejected += 1
                    raise ValueError(f"packet of {n} bytes is outside [{lo}, {hi}]: "
                                     "not archived")
                buf += _HEAD(marker, n, ns, _crc32(p, _crc32(_BODY(n, ns))))
                buf += p
                done += 1
        finally:
            self.records += done
            if len(buf) >= self.buffer_bytes:
                self.flush()
            self._since_check += done
            if self._since_check >= _CHECK_EVERY or self.flush_interval_s <= 0:
                self._since_check = 0
                self._timed()

    def write_ns(self, packet: bytes | memoryview, recv_time_ns: int) -> None:
        """Append one packet with its receive time in integer nanoseconds."""
        if self._fd < 0:
            raise ValueError("archive writer is closed")
        n = len(packet)
        if not fmt.MIN_PACKET <= n <= fmt.MAX_PACKET:
            self.rejected += 1
            raise ValueError(f"packet of {n} bytes is outside [{fmt.MIN_PACKET}, "
                             f"{fmt.MAX_PACKET}]: not archived")
        body = _BODY(n, recv_time_ns)
        buf = self._buf
        buf += fmt.RECORD_MARKER
        buf += body
        buf += _CRC(_crc32(packet, _crc32(body)))
        buf += packet
        self.records += 1
        if self.sync_policy == "record":
            self.flush()
            os.fsync(self._fd)
            return
        if len(buf) >= self.buffer_bytes:
            self.flush()
        self._since_check += 1
        if self._since_check >= _CHECK_EVERY or self.flush_interval_s <= 0:
            self._since_check = 0
            self._timed()

    def _timed(self) -> None:
        """The time-based part of the policy: flush and fsync when due."""
        now = time.monotonic()
        if now - self._last_flush >= self.flush_interval_s:
            self.flush()
        if self.sync_policy == "interval" and now - self._last_fsync >= self.fsync_interval_s:
            self.flush()
            os.fsync(self._fd)
            self._last_fsync = now

    def flush(self) -> None:
        """Hand every pending record to the operating system."""
        buf = self._buf
        if buf:
            view = memoryview(buf)
            while view:
                k = os.write(self._fd, view)
                view = view[k:]
            view.release()
            self.bytes_written += len(buf)
            del buf[:]
        self._last_flush = time.monotonic()

    def close(self) -> None:
        """Flush, fsync and close (idempotent)."""
        if self._fd >= 0:
            self.flush()
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # best effort: never lose pending records silently
        with contextlib.suppress(Exception):
            self.close()
