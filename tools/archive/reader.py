"""Archive reader: returns every complete, checksummed record and reports (never
fails on) a torn last record or a corrupted record in the middle, after which
it hunts for the next record marker.

The packets come out as one contiguous buffer (the packets concatenated, as a
bulk decoder wants them) plus per-packet offsets, lengths, receive times and
APIDs as numpy arrays.
"""

from __future__ import annotations

import mmap
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from fsw_tools.archive import format as fmt


@dataclass(frozen=True)
class ArchiveIssue:
    """A stretch of the file that held no valid record.

    ``kind`` is "torn" (the file ends inside a record, as after a crash) or
    "corrupt" (bytes that fail the marker, length or CRC check; skipped).
    """

    kind: str
    offset: int
    nbytes: int
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} record at byte {self.offset} ({self.nbytes} B): {self.detail}"


@dataclass
class Archive:
    """The packets of an archive in receive order."""

    data: bytes
    offsets: np.ndarray  # int64, start of each packet in ``data``
    lengths: np.ndarray  # int64, bytes of each packet
    times_ns: np.ndarray  # int64, receive time, TAI ns since 1958-01-01
    issues: list[ArchiveIssue] = field(default_factory=list)
    created_unix_ns: int = 0
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def times(self) -> np.ndarray:
        """Receive times in TAI seconds since 1958-01-01 (float64)."""
        return self.times_ns / fmt.NS_PER_S

    @property
    def torn(self) -> ArchiveIssue | None:
        """The torn last record, if the file ends inside one."""
        if self.issues and self.issues[-1].kind == "torn":
            return self.issues[-1]
        return None

    @property
    def apids(self) -> np.ndarray:
        """APID of every packet (uint16), from the primary headers."""
        return primary_apids(self.data, self.offsets)

    def packet(self, i: int) -> bytes:
        """The raw bytes of packet ``i``."""
        o = int(self.offsets[i])
        return self.data[o : o + int(self.lengths[i])]

    def packets(self) -> Iterator[bytes]:
        """Every packet, in order."""
        data = self.data
        for o, n in zip(self.offsets.tolist(), self.lengths.tolist(), strict=True):
            yield data[o : o + n]

    def select(
        self,
        apids: Iterable[int] | None = None,
        start: float | None = None,
        stop: float | None = None,
    ) -> Archive:
        """A new Archive with the packets of ``apids`` received in [start, stop)
        (TAI seconds; None = unbounded). Vectorised; copies the selected bytes."""
        mask = np.ones(len(self), dtype=bool)
        if apids is not None:
            mask &= np.isin(self.apids, np.fromiter(apids, dtype=np.int64))
        if start is not None:
            mask &= self.times_ns >= round(start * fmt.NS_PER_S)
        if stop is not None:
            mask &= self.times_ns < round(stop * fmt.NS_PER_S)
        return self.take(np.flatnonzero(mask))

    def take(self, index: np.ndarray) -> Archive:
        """A new Archive holding the packets at ``index`` (in that order)."""
        offs = self.offsets[index]
        lens = self.lengths[index]
        new_offs = np.zeros(len(index), dtype=np.int64)
        if len(index):
            np.cumsum(lens[:-1], out=new_offs[1:])
        gathered = _gather(self.data, offs, lens)
        return Archive(
            data=gathered,
            offsets=new_offs,
            lengths=lens.copy(),
            times_ns=self.times_ns[index].copy(),
            issues=list(self.issues),
            created_unix_ns=self.created_unix_ns,
            path=self.path,
        )


def _gather(data: bytes, offs: np.ndarray, lens: np.ndarray) -> bytes:
    """The byte ranges (offs, lens) of ``data`` concatenated, in order."""
    n = len(offs)
    if n > 256 and bool(np.all(offs[1:] >= offs[:-1] + lens[:-1])):
        # ascending, non-overlapping ranges: one vectorised mask over the buffer
        src = np.frombuffer(data, dtype=np.uint8)
        edge = np.zeros(len(src) + 1, dtype=np.int8)
        edge[offs] = 1
        edge[offs + lens] -= 1
        inside = np.cumsum(edge[:-1], dtype=np.int8).view(bool)
        return src[inside].tobytes()
    view = memoryview(data)
    return b"".join([view[o : o + k] for o, k in zip(offs.tolist(), lens.tolist(), strict=True)])


def primary_apids(data: bytes, offsets: np.ndarray) -> np.ndarray:
    """The 11-bit APIDs at ``offsets`` of a buffer of space packets (vectorised)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    if len(offsets) == 0:
        return np.zeros(0, dtype=np.uint16)
    hi = buf[offsets].astype(np.uint16) & 0x07
    lo = buf[offsets + 1].astype(np.uint16)
    return (hi << 8) | lo


def _scan(buf: bytes | mmap.mmap, start: int) -> tuple[list[int], list[int], list[int],
                                                       list[ArchiveIssue], int]:
    """Walk the records from ``start``: (packet file offsets, lengths, times,
    issues, end of the last good record)."""
    size = len(buf)
    unpack = fmt.RECORD_HEADER.unpack_from
    hsize = fmt.RECORD_HEADER_SIZE
    marker = fmt.RECORD_MARKER
    crc32 = zlib.crc32
    offs: list[int] = []
    lens: list[int] = []
    times: list[int] = []
    issues: list[ArchiveIssue] = []
    pos = start
    good_end = start
    bad_from = -1  # start of a run of unusable bytes
    bad_why = ""
    while pos < size:
        why = ""
        if size - pos < hsize:
            why = "torn"
        else:
            mk, n, t, crc = unpack(buf, pos)
            if mk != marker:
                why = "bad record marker"
            elif not fmt.MIN_PACKET <= n <= fmt.MAX_PACKET:
                why = f"bad packet length {n}"
            elif pos + hsize + n > size:
                why = "torn"
            elif crc32(buf[pos + hsize : pos + hsize + n], crc32(buf[pos + 4 : pos + 16])) != crc:
                why = "CRC-32 mismatch"
        if why == "torn":
            # only a real tear if no valid record follows; a bad length mid-file
            # is corruption, and the hunt below finds the next record
            nxt = _find_marker(buf, pos + 1)
            if nxt < 0:
                if bad_from >= 0:
                    issues.append(ArchiveIssue("corrupt", bad_from, pos - bad_from, bad_why))
                    bad_from = -1
                issues.append(ArchiveIssue("torn", pos, size - pos,
                                           "file ends inside a record (interrupted write)"))
                pos = size
                break
            why = "record overruns the next record"
        if why:
            if bad_from < 0:
                bad_from, bad_why = pos, why
            nxt = _find_marker(buf, pos + 1)
            pos = size if nxt < 0 else nxt
            if nxt < 0:
                issues.append(ArchiveIssue("corrupt", bad_from, size - bad_from, bad_why))
                bad_from = -1
            continue
        if bad_from >= 0:
            issues.append(ArchiveIssue("corrupt", bad_from, pos - bad_from, bad_why))
            bad_from = -1
        offs.append(pos + hsize)
        lens.append(n)
        times.append(t)
        pos += hsize + n
        good_end = pos
    return offs, lens, times, issues, good_end


def _find_marker(buf: bytes | mmap.mmap, pos: int) -> int:
    return buf.find(fmt.RECORD_MARKER, pos)


def read_archive(path: str | os.PathLike[str]) -> Archive:
    """Read every complete record of an archive file (see module docstring).

    Raises :class:`fmt.ArchiveError` only when the file header is not that of
    an archive; damaged records are listed in ``Archive.issues``.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise fmt.ArchiveError(f"{p}: no such archive") from None
    except IsADirectoryError:
        raise fmt.ArchiveError(f"{p}: is a directory, not an archive") from None
    return parse_archive(raw, name=str(p), path=p)


def parse_archive(raw: bytes, name: str = "archive", path: Path | None = None) -> Archive:
    """Like :func:`read_archive` for archive bytes already in memory."""
    created = fmt.parse_file_header(raw, name)
    offs, lens, times, issues, _ = _scan(raw, fmt.FILE_HEADER_SIZE)
    off_arr = np.asarray(offs, dtype=np.int64)
    len_arr = np.asarray(lens, dtype=np.int64)
    src = Archive(raw, off_arr, len_arr, np.asarray(times, dtype=np.int64), issues, created, path)
    # drop the record headers: one contiguous buffer of packets
    return src.take(np.arange(len(off_arr)))


def good_length(path: str | os.PathLike[str]) -> int:
    """Bytes of the file up to the end of its last valid record (for repair)."""
    raw = Path(path).read_bytes()
    fmt.parse_file_header(raw, str(path))
    return _scan(raw, fmt.FILE_HEADER_SIZE)[4]
