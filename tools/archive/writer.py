"""Append-only, crash-safe archive writer.

Records are built in memory and handed to the operating system (``os.write``)
whenever ``buffer_bytes`` are pending, at the first write after
``flush_interval_s`` (the clock is read every 32 records; 0 = every record),
with ``flush_each_time`` before the first record of a later receive time (a
lockstep run stamps records with its tick: every tick's records are handed
over when the next tick's first arrives), and on
:meth:`ArchiveWriter.flush`/``close``, so a process killed (even by SIGKILL)
loses at most its pending buffer -- with ``flush_each_time``, at most the
records of its last receive time; every record already written stays
readable because a record is only valid with its own length and CRC-32.
Every record carries its number (0, 1, 2, ...), so a reader finds any gap;
``close`` ends the file with a closing record (packets written, and whether
the run ended or was interrupted), so a reader knows a file without one lost
its tail. ``fsync`` adds durability against power loss: every
``fsync_interval_s`` (policy "interval"), after every record ("record"), or
only at close ("close").
"""

from __future__ import annotations

import contextlib
import os
import struct
import time
import zlib
from pathlib import Path
from typing import Any, Literal

from fsw_tools.archive import format as fmt

try:  # a batch's records built in one native call (native/scan/records.c)
    from fsw.packets._scan import ffi as _ffi  # type: ignore[attr-defined]
    from fsw.packets._scan import lib as _lib  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - not built: the Python loop builds them
    _ffi = _lib = None
#: records.c writes this layout: another declaration takes the Python loop
_NATIVE = _lib is not None and fmt.RECORD_HEADER.format == "<4sIIqI"

SyncPolicy = Literal["record", "interval", "close"]
_BODY = struct.Struct("<IIq").pack
_CRC = struct.Struct("<I").pack
#: a whole record header at once: marker, length, time, CRC
_HEAD = fmt.RECORD_HEADER.pack
_crc32 = zlib.crc32
#: records between two looks at the clock (the time-based flush/fsync policy)
_CHECK_EVERY = 32
#: octets of records one native call builds at most (a larger batch: the loop)
_NATIVE_BYTES = 1 << 16


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
        flush_each_time: bool = False,
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
        self.flush_each_time = flush_each_time
        self._buf = bytearray()
        self._since_check = 0
        self._number = 0  # of the next record
        self._last_ns = 0  # receive time of the last record
        self._packets = 0  # packet records in the file before this writer opened it
        #: the native record builder's bounds, output buffer (and a view of
        #: it) and counts (records, octets); None: the Python loop
        self._native: tuple[Any, Any, Any, Any] | None = None
        if _NATIVE:
            out = _ffi.new("uint8_t[]", _NATIVE_BYTES)
            bounds = _ffi.new("pkt_record_bounds *", {
                "marker": list(fmt.RECORD_MARKER), "min_len": fmt.MIN_PACKET,
                "max_len": fmt.MAX_PACKET})
            self._native = (bounds, out, _ffi.buffer(out), _ffi.new("size_t[2]"))
        self._fd = self._open(append)
        now = time.monotonic()
        self._last_flush = now
        self._last_fsync = now

    def _open(self, append: bool) -> int:
        if append and self.path.exists() and self.path.stat().st_size > 0:
            from fsw_tools.archive.reader import tail_state

            with open(self.path, "rb") as f:
                _, version = fmt.read_file_header(f.read(fmt.FILE_HEADER_SIZE), str(self.path))
            if version != fmt.VERSION:
                raise fmt.ArchiveError(f"{self.path}: a version {version} archive; appending "
                                       f"writes version {fmt.VERSION} records: start a new file")
            good, self._number, self._last_ns, self._packets = tail_state(self.path)
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
        if self._fd < 0 or self.sync_policy == "record" or not packets:
            for p in packets:
                self.write_ns(p, ns)
            return
        buf = self._buf
        if self.flush_each_time and ns != self._last_ns and buf:
            self.flush()  # the previous time's records, handed over
        self._last_ns = ns
        marker, lo, hi = fmt.RECORD_MARKER, fmt.MIN_PACKET, fmt.MAX_PACKET
        number = self._number
        done = 0
        try:
            native = self._native
            if native is not None:  # one call for the batch, unless it is too large
                lens = list(map(len, packets))
                joined = b"".join(packets)
                if len(joined) + fmt.RECORD_HEADER_SIZE * len(lens) <= _NATIVE_BYTES:
                    bounds, out, view, counts = native
                    status = _lib.pkt_archive_records(joined, len(joined), lens, len(lens),
                                                      bounds, number & 0xFFFFFFFF, ns, out,
                                                      _NATIVE_BYTES, counts)
                    done = counts[0]
                    buf += view[:counts[1]]
                    if status == _lib.PKT_EBOUNDS:
                        self.rejected += 1
                        raise ValueError(f"packet of {lens[done]} bytes is outside [{lo}, "
                                         f"{hi}]: not archived")
                    if status:  # pragma: no cover - the lengths are the packets' own
                        raise RuntimeError(f"pkt_archive_records: status {status}")
                    return
            for p in packets:
                n = len(p)
                if not lo <= n <= hi:
                    self.rejected += 1
                    raise ValueError(f"packet of {n} bytes is outside [{lo}, {hi}]: "
                                     "not archived")
                k = (number + done) & 0xFFFFFFFF
                buf += _HEAD(marker, n, k, ns, _crc32(p, _crc32(_BODY(n, k, ns))))
                buf += p
                done += 1
        finally:
            self._number = number + done
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
        buf = self._buf
        if self.flush_each_time and recv_time_ns != self._last_ns and buf:
            self.flush()  # the previous time's records, handed over
        self._last_ns = recv_time_ns
        number = self._number
        self._number = number + 1
        body = _BODY(n, number & 0xFFFFFFFF, recv_time_ns)
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
        """Hand every pending record to the operating system. On an error
        (a full disk) what was not written stays pending and the error is
        raised; no buffer is left exported."""
        buf = self._buf
        while buf:
            k = os.write(self._fd, buf)  # a short write is rare: the rest is tried again
            self.bytes_written += k
            del buf[:k]
        self._last_flush = time.monotonic()

    def close(self, complete: bool = True) -> None:
        """Write the closing record (``complete``: the run ended; False: it was
        interrupted, every record handed over is written), flush, fsync and
        close (idempotent; the file is closed even when writing fails, and the
        error is raised)."""
        if self._fd >= 0:
            status = fmt.STATUS_COMPLETE if complete else fmt.STATUS_INTERRUPTED
            self._buf += fmt.closing_record(self._number, self._last_ns,
                                            self._packets + self.records, status)
            self._number += 1
            try:
                self.flush()
                os.fsync(self._fd)
            finally:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(complete=exc_type is None)

    def __del__(self) -> None:  # best effort: never lose pending records silently
        with contextlib.suppress(Exception):
            self.close(complete=False)
