"""Append-only, crash-safe archive writer.

**Mapped** (the default where it can be: a regular file, ``os.posix_fallocate``
and the native record builder): the records are built by one native call per
batch straight into a shared mapping of the file, so every record is in the
operating system's page cache as soon as the call returns -- a process killed
(even by SIGKILL) loses at most the records of the batch it was building (one
may be left cut short), and no system call is made per batch. The room is reserved ahead with
``posix_fallocate`` (``reserve_bytes`` at a time, or only what a batch needs
when that much is not free), so a full disk is an OSError when the room is
reserved, never a SIGBUS on a store; ``close`` cuts the file to its records
and the closing record. A killed run's file ends with the reserved octets
still zero after its last record: the reader takes such a zero-filled tail
for what it is (see :mod:`fsw_tools.archive.reader`). The flush settings
below do nothing in this mode (nothing waits in a user-space buffer);
``fsync`` works as described.

**Buffered** (``mapped=False``, ``sync="record"``, and anything that is not a
regular file):
records are built in memory and handed to the operating system (``os.write``)
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
import errno
import mmap
import os
import stat
import struct
import time
import weakref
import zlib
from collections.abc import Callable
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
try:  # the mapped writer's joined tap in C (fsw._hotpath.RecordTap: records.c too)
    from fsw import _hotpath
except ImportError:  # pragma: no cover - a source tree without build_ext
    _hotpath = None  # type: ignore[assignment]

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
#: a mapped archive is possible here (the native builder, posix_fallocate)
_MAPPABLE = _NATIVE and hasattr(os, "posix_fallocate")
#: errors of a file system without room: reserve less, then give up
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


class ArchiveWriter:
    """Appends packets with their receive time to an archive file.

    ``append=False`` (default) refuses to overwrite an existing file;
    ``append=True`` continues an existing archive after cutting a torn last
    record (the number of bytes cut is kept in ``repaired_bytes``; a killed
    mapped writer's zero-filled reserve is cut the same way).

    ``mapped``: write through a shared mapping (see the module docstring;
    None: wherever it can be, except with ``sync="record"``).
    ``on_error``: called with the OSError (a full disk, ...) that stops a
    mapped writer while it writes records; the writer then archives nothing
    more (the packets it is given are counted in ``dropped``) and the error
    is not raised -- a recorder's tap that stops its run through this hook
    needs no wrapper of its own. Without it the error is raised.
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
        mapped: bool | None = None,
        reserve_bytes: int = 1 << 20,
        on_error: Callable[[OSError], object] | None = None,
    ) -> None:
        if sync not in ("record", "interval", "close"):
            raise ValueError(f"unknown sync policy {sync!r}")
        self.path = Path(path)
        self.sync_policy = sync
        self.flush_interval_s = flush_interval_s
        self.fsync_interval_s = fsync_interval_s
        self.buffer_bytes = buffer_bytes
        self._records = 0
        self._bytes = 0
        self.rejected = 0
        #: packets given after an error that ``on_error`` was told of
        self.dropped = 0
        self.reserve_bytes = max(int(reserve_bytes), mmap.ALLOCATIONGRANULARITY)
        self.on_error = on_error
        self.repaired_bytes = 0
        self.flush_each_time = flush_each_time
        self._buf = bytearray()
        self._since_check = 0
        self._next = 0  # number of the next record (buffered)
        self._last = 0  # receive time of the last record (buffered)
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
        #: mapped: the native cursor (output, position, next number, ...), the
        #: mapping, its exported buffer, the file offset the mapping starts at,
        #: the file's reserved size and the native append (None: buffered,
        #: closed or stopped by an error: the general path)
        self._cur: Any = None
        self._mm: mmap.mmap | None = None
        self._out: Any = None
        self._map_off = 0
        self._reserved = 0
        self._append: Any = None
        #: mapped, sync "interval": the clock is looked at every _CHECK_EVERY records
        self._interval = False
        #: the error that stopped a mapped writer (``on_error`` was told)
        self._failed: OSError | None = None
        #: the native joined tap handed out by :attr:`batch_tap` (weakly: it
        #: holds this writer; it is switched off when the writer stops)
        self._tap: weakref.ref[Any] | None = None
        self._fd = self._open(append)
        self._start = os.lseek(self._fd, 0, os.SEEK_CUR)  # where this writer's records begin
        if mapped is None:
            mapped = (_MAPPABLE and sync != "record"
                      and stat.S_ISREG(os.fstat(self._fd).st_mode))
        if mapped:
            if not _MAPPABLE:
                raise ValueError("a mapped archive needs the native record builder and "
                                 "os.posix_fallocate")
            assert self._native is not None
            bounds = self._native[0]
            cur = _ffi.new("pkt_archive_cursor *")
            if _lib.pkt_archive_cursor_init(cur, bounds):  # pragma: no cover - not NULL
                raise RuntimeError("pkt_archive_cursor_init failed")
            cur.number, cur.last_ns = self._next, self._last
            self._cur = cur
            self._map_off = self._start
            self._reserved = self._start
            self._append = _lib.pkt_archive_append
            self._interval = sync == "interval"
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
            good, self._next, self._last, self._packets = tail_state(self.path)
            size = self.path.stat().st_size
            fd = os.open(self.path, os.O_RDWR)
            if good < size:
                os.ftruncate(fd, good)
                self.repaired_bytes = size - good
            os.lseek(fd, 0, os.SEEK_END)
            return fd
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL  # read too: a shared mapping needs it
        if append:
            flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC
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
        if self._append is not None:
            self.write_batch(packets, b"".join(packets), recv_time)
            return
        self._write_many_general(packets, recv_time)

    def write_batch(self, packets: list[bytes], data: bytes, recv_time: float) -> None:
        """:meth:`write_many` of ``packets`` given with ``data``, their
        concatenation (which the stream's hash made already: a stream's
        joined tap, :meth:`fsw.executive.Stream.add_tap`). Mapped: one native
        call straight into the file's mapping."""
        append = self._append
        if append is None:  # buffered, closed or stopped: the general path
            self._write_many_general(packets, recv_time)
            return
        ns = round(recv_time * fmt.NS_PER_S)
        try:
            status = append(self._cur, data, len(data), list(map(len, packets)), len(packets),
                            ns)
        except TypeError:  # not bytes (a bytearray, a memoryview): as a copy
            data = bytes(data)
            status = append(self._cur, data, len(data), list(map(len, packets)), len(packets),
                            ns)
        if status:
            self._append_rest(packets, data, ns)
        if self._interval:
            self._synced(len(packets))

    @property
    def batch_tap(self) -> Callable[[list[bytes], bytes, float], object]:
        """The joined tap to give a stream (``tap(packets, data, t)``: what
        :meth:`write_batch` does). Mapped without the "interval" policy, a
        ``fsw._hotpath.RecordTap``: the records of a batch appended by one
        native call from C (a stream's settle calls it with no Python in
        between), every case it does not take (more room, a packet out of
        bounds, not ``bytes``, ...) handed to this writer's Python, which is
        the reference (tests/archive/test_record_tap.py runs both); else the
        bound :meth:`write_batch`."""
        if (_hotpath is None or self._append is None or self._interval
                or not hasattr(_hotpath, "RecordTap")):
            return self.write_batch
        tap = self._tap() if self._tap is not None else None
        if tap is None:
            cur = self._cur
            tap = _hotpath.RecordTap(int(_ffi.cast("uintptr_t", cur)), cur, self.write_batch,
                                     self._append_rest)
            self._tap = weakref.ref(tap)
        return tap  # type: ignore[no-any-return]

    def _tap_off(self) -> None:
        """The native append is over (stopped, closed): a tap handed out
        calls :meth:`write_batch` from now on."""
        tap = self._tap() if self._tap is not None else None
        if tap is not None:
            tap.enabled = False

    def _synced(self, n: int) -> None:
        """Mapped: ``n`` records more; fsync when the "interval" policy says
        (the records are in the page cache already: nothing to flush)."""
        if self.sync_policy != "interval":
            return
        self._since_check += n
        if self._since_check >= _CHECK_EVERY or self.flush_interval_s <= 0:
            self._since_check = 0
            now = time.monotonic()
            if now - self._last_fsync >= self.fsync_interval_s:
                os.fsync(self._fd)
                self._last_fsync = now

    def _append_rest(self, packets: list[bytes], data: bytes, ns: int) -> None:
        """Mapped, after the native append stopped early: reserve more room
        and go on, or refuse an out-of-size packet (ValueError, the packets
        before it appended); an OSError goes to ``on_error`` if there is one."""
        cur = self._cur
        ptr = _ffi.from_buffer(data)
        lens = list(map(len, packets))
        off = i = 0
        while True:
            done = cur.done
            off += sum(lens[i:i + done])
            i += done
            if i == len(lens):
                return
            n = lens[i]
            lo, hi = fmt.MIN_PACKET, fmt.MAX_PACKET
            if not lo <= n <= hi:
                self.rejected += 1
                raise ValueError(f"packet of {n} bytes is outside [{lo}, {hi}]: not archived")
            try:
                self._reserve(fmt.RECORD_HEADER_SIZE * (len(lens) - i) + len(data) - off)
            except OSError as exc:
                if self.on_error is None:
                    raise
                self._stop(exc, len(lens) - i)
                return
            status = _lib.pkt_archive_append(cur, ptr + off, len(data) - off, lens[i:],
                                             len(lens) - i, ns)
            if status == _lib.PKT_OK:
                return
            if status not in (_lib.PKT_ECAPACITY, _lib.PKT_EBOUNDS):  # pragma: no cover
                raise RuntimeError(f"pkt_archive_append: status {status}")

    def _stop(self, exc: OSError, lost: int) -> None:
        """An error stops the mapped writer: ``on_error`` is told, what it is
        given from now on is counted in ``dropped``."""
        self._append = None
        self._tap_off()
        self.dropped += lost
        self._failed = exc
        assert self.on_error is not None
        self.on_error(exc)

    def _reserve(self, need: int) -> None:
        """Mapped: room for ``need`` more octets at the cursor, reserved in
        the file (posix_fallocate: a full disk is an OSError here, never a
        SIGBUS later) and mapped; ``reserve_bytes`` at a time, or just
        ``need`` when that much is not free."""
        cur = self._cur
        pos = self._map_off + cur.pos  # the file offset of the next record
        if self._mm is not None and cur.cap - cur.pos >= need:
            return
        gran = mmap.ALLOCATIONGRANULARITY
        off = pos - pos % gran
        for length in (max(self.reserve_bytes, pos - off + need), pos - off + need):
            end = off + length
            try:
                if end > self._reserved:
                    os.posix_fallocate(self._fd, self._reserved, end - self._reserved)
                    self._reserved = end
                break
            except OSError as exc:
                if exc.errno not in _NO_ROOM or length == pos - off + need:
                    raise
        self._unmap()
        mm = mmap.mmap(self._fd, self._reserved - off, flags=mmap.MAP_SHARED,
                       prot=mmap.PROT_READ | mmap.PROT_WRITE, offset=off)
        out = _ffi.from_buffer(mm)
        self._mm, self._out, self._map_off = mm, out, off
        cur.out, cur.cap, cur.pos = out, self._reserved - off, pos - off

    def _unmap(self) -> None:
        """Release the mapping (the cursor keeps its file position)."""
        cur = self._cur
        if self._mm is None:
            return
        pos = self._map_off + cur.pos
        cur.out, cur.cap, cur.pos = _ffi.NULL, 0, 0
        self._map_off = pos
        _ffi.release(self._out)
        self._out = None
        self._mm.close()
        self._mm = None

    @property
    def mapped(self) -> bool:
        """The records go through a shared mapping of the file."""
        return self._cur is not None

    @property
    def records(self) -> int:
        """Packet records this writer wrote."""
        return int(self._cur.records) if self._cur is not None else self._records

    @property
    def bytes_written(self) -> int:
        """Octets of records this writer handed to the operating system."""
        if self._cur is not None:
            return self._map_off + int(self._cur.pos) - self._start
        return self._bytes

    @property
    def _number(self) -> int:
        """The number of the next record."""
        return int(self._cur.number) if self._cur is not None else self._next

    @_number.setter
    def _number(self, value: int) -> None:
        if self._cur is not None:
            self._cur.number = value
        else:
            self._next = value

    @property
    def _last_ns(self) -> int:
        """The receive time of the last record (ns)."""
        return int(self._cur.last_ns) if self._cur is not None else self._last

    @_last_ns.setter
    def _last_ns(self, value: int) -> None:
        if self._cur is not None:
            self._cur.last_ns = value
        else:
            self._last = value

    def _write_many_general(self, packets: list[bytes], recv_time: float) -> None:
        """write_many, buffered (or after the mapped writer stopped)."""
        ns = round(recv_time * fmt.NS_PER_S)
        if self._cur is not None:  # mapped, closed or stopped
            if self._fd < 0:
                raise ValueError("archive writer is closed")
            self.dropped += len(packets)
            return
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
            self._records += done
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
        if self._cur is not None:  # mapped
            if self._append is None:
                self.dropped += 1
                return
            p = bytes(packet)
            if self._append(self._cur, p, len(p), [len(p)], 1, recv_time_ns):
                self._append_rest([p], p, recv_time_ns)
            self._synced(1)
            return
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
        self._records += 1
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
            self._bytes += k
            del buf[:k]
        self._last_flush = time.monotonic()

    def close(self, complete: bool = True) -> None:
        """Write the closing record (``complete``: the run ended; False: it was
        interrupted, every record handed over is written), flush, fsync and
        close (idempotent; the file is closed even when writing fails, and the
        error is raised)."""
        if self._fd >= 0 and self._cur is not None:
            self._close_mapped(complete)
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

    def _close_mapped(self, complete: bool) -> None:
        """close, mapped: the closing record (none after an error stopped
        the writer: the file then says it was cut off after its last record),
        the file cut to its records, fsync, close."""
        cur = self._cur
        try:
            try:
                if self._failed is None:
                    status = fmt.STATUS_COMPLETE if complete else fmt.STATUS_INTERRUPTED
                    rec = fmt.closing_record(self._number, self._last_ns,
                                             self._packets + self.records, status)
                    self._reserve(len(rec))
                    assert self._mm is not None
                    self._mm[cur.pos:cur.pos + len(rec)] = rec
                    cur.pos += len(rec)
                    cur.number += 1
            finally:
                self._append = None
                self._tap_off()
                end = self._map_off + cur.pos
                self._unmap()
                os.ftruncate(self._fd, end)  # the unused reserve goes
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
