"""Archive reader: returns every complete, checksummed record and reports (never
fails on) a torn last record or a corrupted record in the middle, after which
it hunts for the next record marker.

What is missing is said exactly (version 2 archives): record numbers name
the records lost in a corrupted stretch and any gap between two good records
(even one cut cleanly on record boundaries); a file that does not end with
its closing record lost its tail (the recorder was killed: at most what it
had not yet handed to the operating system); the closing record also says
whether the run ended or was interrupted.

A mapped writer (:mod:`fsw_tools.archive.writer`) reserves the file's room
ahead, zero-filled, and cuts it at close; a killed one leaves it. Zero octets
from the end of a record (not a closing one) to the end of the file are that
reserve, not damage: the file is read as one cut off there ("unclosed", the
reserve's size in ``Archive.reserve``); a record cut short by them is a
"torn" one, as a file that ends inside a record.

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
    """Something missing from the archive.

    ``kind``: "torn" (the file ends inside a record, as after a crash),
    "corrupt" (bytes that fail the marker, length or CRC check; skipped),
    "missing" (record numbers skipped between two good records), "unclosed"
    (no closing record at the end: the recording was cut off; what it had
    not written is lost), "interrupted" (the closing record says the run was
    stopped early; nothing handed to the recorder was lost) or "count" (the
    closing record's packet count disagrees with the packets read).
    ``records``: how many records are lost, when the record numbers say
    (None: unknown, e.g. a version 1 archive or a lost tail).
    """

    kind: str
    offset: int
    nbytes: int
    detail: str
    records: int | None = None

    def __str__(self) -> str:
        if self.kind in ("corrupt", "torn"):
            return f"{self.kind} record at byte {self.offset} ({self.nbytes} B): {self.detail}"
        return f"{self.kind}: {self.detail}"


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
    #: format version of the file (1: no record numbers, no closing record)
    version: int = fmt.VERSION
    #: the file ends with its closing record (None: version 1, unknown)
    closed: bool | None = None
    #: zero octets at the end of the file: a killed mapped writer's reserve
    reserve: int = 0

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def times(self) -> np.ndarray:
        """Receive times in TAI seconds since 1958-01-01 (float64)."""
        return self.times_ns / fmt.NS_PER_S

    @property
    def torn(self) -> ArchiveIssue | None:
        """The torn last record, if the file ends inside one."""
        return next((i for i in self.issues if i.kind == "torn"), None)

    @property
    def records_lost(self) -> int:
        """Records known to be missing (from the record numbers); a lost tail
        ("unclosed") is not counted: its size is unknown."""
        return sum(i.records or 0 for i in self.issues)

    def completeness(self) -> str:
        """One line: whether the archive is whole, or what is missing."""
        if self.version == 1:
            return ("version 1 archive (no record numbers, no closing record): "
                    + (f"{len(self.issues)} damaged stretch(es)" if self.issues
                       else "no damage seen; a lost tail cannot be told"))
        if not self.issues:
            return f"complete: {len(self)} packets, closing record present"
        parts = [f"{len(self)} packets read"]
        if self.records_lost:
            parts.append(f"{self.records_lost} records known lost")
        kinds = sorted({i.kind for i in self.issues})
        parts.append("issues: " + ", ".join(kinds))
        return "incomplete: " + "; ".join(parts)

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
            version=self.version,
            closed=self.closed,
            reserve=self.reserve,
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


@dataclass
class _Scan:
    """What a walk over the records found."""

    offs: list[int] = field(default_factory=list)
    lens: list[int] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    issues: list[ArchiveIssue] = field(default_factory=list)
    good_end: int = 0  # end of the last good record
    next_number: int = 0  # record number after the last good record
    last_ns: int = 0  # receive time of the last good record
    packets: int = 0  # packet records read
    closing: tuple[int, int, int, int] | None = None  # (offset, number, packets, status)
    last_was_closing: bool = False
    reserve: int = 0  # zero octets ending the file after the last record (v2)


def _scan(buf: bytes | mmap.mmap, start: int, version: int = fmt.VERSION) -> _Scan:
    """Walk the records from ``start`` (see the module docstring)."""
    v2 = version >= 2
    size = len(buf)
    unpack = (fmt.RECORD_HEADER if v2 else fmt.RECORD_HEADER_V1).unpack_from
    hsize = fmt.RECORD_HEADER_SIZE if v2 else fmt.RECORD_HEADER_SIZE_V1
    cend = hsize - 4  # header octets under the CRC: 4..cend
    marker = fmt.RECORD_MARKER
    crc32 = zlib.crc32
    min_packet, max_packet = fmt.MIN_PACKET, fmt.MAX_PACKET
    control, closing_size = fmt.CONTROL, fmt.CLOSING.size
    sc = _Scan(good_end=start)
    offs, lens, times, issues = sc.offs, sc.lens, sc.times, sc.issues
    add_off, add_len, add_t = offs.append, lens.append, times.append
    pos = good_end = start
    expected = 0  # record number expected next (v2)
    bad_from = -1  # start of a run of unusable bytes
    bad_why = ""
    num = t = last_t = 0
    last_closing = False
    zeros = -1  # where the zero octets that end the file begin (looked for once)
    while pos < size:
        if v2 and bad_from < 0 and size - pos >= hsize:
            # the common case, first: a good packet record with the expected number
            mk, n, num, t, crc = unpack(buf, pos)
            end = pos + hsize + n
            if (num == expected and mk == marker and min_packet <= n <= max_packet
                    and end <= size and crc32(buf[pos + hsize:end], crc32(buf[pos + 4:pos + 20]))
                    == crc):
                add_off(pos + hsize)
                add_len(n)
                add_t(t)
                expected = num + 1 if num != 0xFFFFFFFF else 0
                last_t = t
                last_closing = False
                pos = good_end = end
                continue
        why = ""
        is_control = False
        if size - pos < hsize:
            why = "torn"
        else:
            if v2:
                mk, n, num, t, crc = unpack(buf, pos)
                is_control = bool(n & control)
                if is_control:
                    n &= ~control
            else:
                mk, n, t, crc = unpack(buf, pos)
            if mk != marker:
                why = "bad record marker"
            elif not (n == closing_size if is_control else min_packet <= n <= max_packet):
                why = f"bad {'control record' if is_control else 'packet'} length {n}"
            elif pos + hsize + n > size:
                why = "torn"
            elif crc32(buf[pos + hsize : pos + hsize + n], crc32(buf[pos + 4 : pos + cend])) \
                    != crc:
                why = "CRC-32 mismatch"
        if why and v2 and bad_from < 0 and not last_closing:
            # a mapped writer's zero-filled reserve, left by a killed writer?
            if zeros < 0:
                zeros = _zeros_from(buf, pos)
            if pos >= zeros:  # only zeros from here: the reserve, not damage
                sc.reserve = size - pos
                break
            if _find_marker(buf, pos + 1) < 0:  # a record cut short by the reserve
                issues.append(ArchiveIssue(
                    "torn", pos, zeros - pos, "file ends inside a record (interrupted "
                    "write; the writer's zero-filled reserve follows it)"))
                sc.reserve = size - zeros
                pos = size
                break
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
        lost = num - expected if v2 and num >= expected else 0
        if bad_from >= 0:
            detail = bad_why + (f"; records {expected}..{num - 1} lost ({lost})" if lost else "")
            issues.append(ArchiveIssue("corrupt", bad_from, pos - bad_from, detail,
                                       lost if v2 else None))
            bad_from = -1
        elif v2 and num != expected:
            if lost:
                issues.append(ArchiveIssue(
                    "missing", pos, 0, f"records {expected}..{num - 1} ({lost}) absent before "
                    f"byte {pos} (no damaged bytes there: cut out on record boundaries)", lost))
            else:
                issues.append(ArchiveIssue(
                    "missing", pos, 0, f"record {num} at byte {pos} out of order (expected "
                    f"{expected}): a duplicate or a spliced file"))
        if v2:
            expected = (num + 1) & 0xFFFFFFFF
        last_closing = is_control
        if is_control:
            magic, count, status = fmt.CLOSING.unpack_from(buf, pos + hsize)
            sc.closing = (pos, num, count, status) if magic == fmt.CLOSING_MAGIC else None
        else:
            add_off(pos + hsize)
            add_len(n)
            add_t(t)
        last_t = t
        pos = good_end = pos + hsize + n
    sc.good_end, sc.next_number, sc.last_ns = good_end, expected, last_t
    sc.last_was_closing = last_closing
    sc.packets = len(offs)
    if v2:
        _tail_issues(sc, pos)
    return sc


def _zeros_from(buf: bytes | mmap.mmap, start: int) -> int:
    """Where the run of zero octets that ends ``buf`` begins (not before
    ``start``), looking back from the end in growing chunks."""
    end, step = len(buf), 4096
    while end > start:
        lo = max(start, end - step)
        kept = len(buf[lo:end].rstrip(b"\x00"))
        if kept:
            return lo + kept
        end, step = lo, step * 2
    return start


def _tail_issues(sc: _Scan, size: int) -> None:
    """The closing record's verdict (version 2)."""
    last = sc.next_number - 1
    t = sc.last_ns / fmt.NS_PER_S
    if not sc.last_was_closing or sc.closing is None:
        where = (f"after record {last} (t={t:.3f} s TAI)" if sc.offs or sc.closing
                 else "before its first record")
        reserve = (f" ({sc.reserve} zero octets of reserved room follow)" if sc.reserve
                   else "")
        sc.issues.append(ArchiveIssue(
            "unclosed", size, 0, f"closing record missing: the recording stopped {where}"
            f"{reserve}; whatever the recorder had not yet written is lost (a run's recorder "
            "hands its records to the operating system every tick: at most the last tick's)"))
        return
    _off, _num, count, status = sc.closing
    if status != fmt.STATUS_COMPLETE:
        sc.issues.append(ArchiveIssue(
            "interrupted", _off, 0, f"the run was interrupted at t={t:.3f} s TAI (Ctrl-C or an "
            "error); every record handed to the recorder is here"))
    if count != len(sc.offs) and not any(i.records for i in sc.issues):
        sc.issues.append(ArchiveIssue(
            "count", _off, 0, f"the closing record counts {count} packets, {len(sc.offs)} read",
            max(0, count - len(sc.offs))))


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
    except OSError as exc:
        raise fmt.ArchiveError(f"{p}: cannot read the archive: {exc.strerror}") from None
    return parse_archive(raw, name=str(p), path=p)


def parse_archive(raw: bytes, name: str = "archive", path: Path | None = None) -> Archive:
    """Like :func:`read_archive` for archive bytes already in memory."""
    created, version = fmt.read_file_header(raw, name)
    sc = _scan(raw, fmt.FILE_HEADER_SIZE, version)
    off_arr = np.asarray(sc.offs, dtype=np.int64)
    len_arr = np.asarray(sc.lens, dtype=np.int64)
    src = Archive(raw, off_arr, len_arr, np.asarray(sc.times, dtype=np.int64), sc.issues,
                  created, path, version,
                  None if version < 2 else sc.last_was_closing and sc.closing is not None,
                  sc.reserve)
    # drop the record headers: one contiguous buffer of packets
    return src.take(np.arange(len(off_arr)))


def good_length(path: str | os.PathLike[str]) -> int:
    """Bytes of the file up to the end of its last valid record (for repair)."""
    return tail_state(path)[0]


def tail_state(path: str | os.PathLike[str]) -> tuple[int, int, int, int]:
    """(bytes up to the end of the last valid record, the next record number,
    the last receive time in ns, packet records): where an append continues."""
    raw = Path(path).read_bytes()
    _, version = fmt.read_file_header(raw, str(path))
    sc = _scan(raw, fmt.FILE_HEADER_SIZE, version)
    return sc.good_end, sc.next_number, sc.last_ns, sc.packets
