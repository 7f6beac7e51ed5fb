"""The mapped archive writer (issue #18): records built by one native call
straight into a shared mapping of the file, the room reserved ahead with
posix_fallocate and cut at close.

Checked against independent truth: the records of ``format.record`` (struct
and zlib) and the buffered writer's file, octet for octet; a killed writer's
zero-filled reserve as the reader reports it (and the same file cut where the
records end, as the buffered writer would have left it); a full disk made by
a posix_fallocate that runs out of room: an OSError (or ``on_error``), every
record before it readable, no zero tail left, never a SIGBUS; through
``fly``, the run stops with the archive's error, as with a real full disk
(tests/cli/test_cli_os_errors.py)."""

from __future__ import annotations

import errno
import os
import random
from pathlib import Path

import pytest
from fsw_tools.archive import ArchiveWriter, parse_archive, read_archive
from fsw_tools.archive import format as fmt
from fsw_tools.archive import writer as writer_mod
from fsw_tools.archive.reader import tail_state
from ground_packets import packet_stream

pytestmark = pytest.mark.skipif(not writer_mod._MAPPABLE, reason="no mapped writer here")


def _batches(n: int, seed: int) -> list[tuple[list[bytes], float]]:
    rng = random.Random(seed)
    stream = packet_stream(n, seed=seed)
    out, i = [], 0
    while i < len(stream):
        k = rng.randint(1, 12)
        chunk = stream[i:i + k]
        out.append(([p for p, _ in chunk], chunk[0][1]))
        i += k
    return out


def _expected(batches: list[tuple[list[bytes], float]], number: int = 0) -> bytes:
    """The records, by format.record (struct and zlib), numbered from ``number``."""
    out = bytearray()
    for ps, t in batches:
        for p in ps:
            out += fmt.record(p, round(t * fmt.NS_PER_S), number)
            number += 1
    return bytes(out)


def _body(path: Path) -> bytes:
    return path.read_bytes()[fmt.FILE_HEADER_SIZE:]


@pytest.mark.parametrize("number", [0, 0xFFFFFFFF - 50])
def test_mapped_records_are_format_records(tmp_path: Path, number: int) -> None:
    batches = _batches(700, seed=4)
    mapped, buffered = tmp_path / "m.fswarc", tmp_path / "b.fswarc"
    # a small reserve: the mapping moves on many times, records across its ends
    with ArchiveWriter(mapped, reserve_bytes=4096) as w:
        assert w.mapped
        w._number = number
        for j, (ps, t) in enumerate(batches):
            if j % 3 == 0:
                w.write_batch(ps, b"".join(ps), t)
            elif j % 3 == 1:
                w.write_many(ps, t)
            else:
                for p in ps:
                    w.write(p, t)
        assert w.records == 700
    with ArchiveWriter(buffered, mapped=False) as w:
        assert not w.mapped
        w._number = number
        for ps, t in batches:
            w.write_many(ps, t)
    records = _expected(batches, number)
    assert _body(mapped)[:len(records)] == records
    assert _body(mapped) == _body(buffered)  # the closing record too; no reserve left
    arc = read_archive(mapped)
    # a file that starts at another number than 0 lacks those (said); nothing else
    assert [i.kind for i in arc.issues] == ([] if number == 0 else ["missing"])
    assert arc.closed and arc.reserve == 0
    assert list(arc.packets()) == [p for ps, _ in batches for p in ps]


def test_mapped_refuses_an_out_of_size_packet_like_the_buffered(tmp_path: Path) -> None:
    (p0, t0), (p1, _) = packet_stream(2, seed=2)
    for mapped in (True, False):
        path = tmp_path / f"{mapped}.fswarc"
        with ArchiveWriter(path, mapped=mapped) as w:
            with pytest.raises(ValueError, match="packet of 3 bytes is outside"):
                w.write_batch([p0, p1, b"\x00" * 3, p1], p0 + p1 + b"\x00" * 3 + p1, t0)
            with pytest.raises(ValueError, match="packet of 65543 bytes is outside"):
                w.write_many([b"\x00" * 65543], t0)
            assert w.rejected == 2 and w.records == 2
        assert list(read_archive(path).packets()) == [p0, p1]


def _killed(tmp_path: Path, batches: list[tuple[list[bytes], float]]) -> tuple[Path, bytes]:
    """The file a mapped writer leaves when its process dies now (what is
    mapped is in the file: read it before close), and its header."""
    path = tmp_path / "killed.fswarc"
    w = ArchiveWriter(path, reserve_bytes=1 << 16)
    for ps, t in batches:
        w.write_batch(ps, b"".join(ps), t)
    raw = path.read_bytes()
    w._close_mapped = lambda complete: None  # type: ignore[method-assign]
    os.close(w._fd)  # no closing record, no cut: as SIGKILL leaves it
    w._fd = -1
    return path, raw


def test_a_killed_writers_zero_tail_is_read_as_a_cut_off_recording(tmp_path: Path) -> None:
    batches = _batches(120, seed=7)
    _, raw = _killed(tmp_path, batches)
    records = _expected(batches)
    end = fmt.FILE_HEADER_SIZE + len(records)
    assert raw[fmt.FILE_HEADER_SIZE:end] == records and len(raw) > end
    assert raw[end:] == bytes(len(raw) - end)  # the reserve: zeros
    arc = parse_archive(raw)
    cut = parse_archive(raw[:end])  # what a buffered writer killed there leaves
    assert [i.kind for i in arc.issues] == [i.kind for i in cut.issues] == ["unclosed"]
    assert arc.issues[0].offset == cut.issues[0].offset == end
    assert f"after record {119}" in str(arc.issues[0]) and "zero octets" in str(arc.issues[0])
    assert arc.reserve == len(raw) - end and cut.reserve == 0
    assert arc.data == cut.data and list(arc.times_ns) == list(cut.times_ns)
    assert arc.closed is False
    # a record cut short by the reserve (killed while making it): torn, as a cut file
    last = len(fmt.record(batches[-1][0][-1], 0))
    torn = raw[:end - last // 2] + bytes(len(raw) - end + last // 2)
    arc, cut = parse_archive(torn), parse_archive(raw[:end - last // 2])
    assert [i.kind for i in arc.issues] == [i.kind for i in cut.issues] == ["torn", "unclosed"]
    assert arc.torn.offset == cut.torn.offset == end - last and len(arc) == len(cut) == 119
    # zeros after a closing record are not a reserve (a closed writer cuts it): damage
    closed = tmp_path / "closed.fswarc"
    with ArchiveWriter(closed) as w:
        w.write_many(*batches[0])
    arc = parse_archive(closed.read_bytes() + bytes(100))
    assert [i.kind for i in arc.issues] == ["corrupt"] and arc.closed


def test_append_cuts_a_killed_writers_reserve_and_numbers_on(tmp_path: Path) -> None:
    batches = _batches(80, seed=9)
    path, raw = _killed(tmp_path, batches[:-3])
    good = fmt.FILE_HEADER_SIZE + len(_expected(batches[:-3]))
    assert tail_state(path)[:2] == (good, sum(len(ps) for ps, _ in batches[:-3]))
    with ArchiveWriter(path, append=True) as w:
        assert w.mapped and w.repaired_bytes == len(raw) - good
        for ps, t in batches[-3:]:
            w.write_many(ps, t)
    arc = read_archive(path)
    assert arc.issues == [] and arc.closed and arc.reserve == 0
    assert _body(path)[:len(_expected(batches))] == _expected(batches)


class _Disk:
    """A posix_fallocate with ``free`` octets of room beyond the file's
    current reservations (the calls are counted)."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.calls: list[int] = []
        self._real = os.posix_fallocate

    def __call__(self, fd: int, offset: int, length: int) -> None:
        self.calls.append(length)
        grow = max(0, offset + length - os.fstat(fd).st_size)
        if grow > self.free:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.free -= grow
        self._real(fd, offset, length)


def test_a_full_disk_is_an_error_and_keeps_every_record_before_it(tmp_path: Path,
                                                                  monkeypatch) -> None:
    batches = _batches(400, seed=12)
    disk = _Disk(free=20_000)
    monkeypatch.setattr(writer_mod.os, "posix_fallocate", disk)
    path = tmp_path / "full.fswarc"
    w = ArchiveWriter(path, reserve_bytes=1 << 16)
    written = 0
    with pytest.raises(OSError) as info:
        for ps, t in batches:
            w.write_batch(ps, b"".join(ps), t)
            written += len(ps)
    assert info.value.errno == errno.ENOSPC
    # the reserve is too large for what is free: only what a batch needs, then none
    assert disk.calls[0] == (1 << 16) - fmt.FILE_HEADER_SIZE and len(set(disk.calls)) > 2
    n = w.records
    assert written <= n < written + 12  # and some of the failing batch (<= 12)
    w._failed = info.value  # as on_error would have it: no closing record
    w.close()
    arc = read_archive(path)
    assert len(arc) == n and [i.kind for i in arc.issues] == ["unclosed"]
    assert arc.reserve == 0  # cut at close
    assert arc.data == b"".join(p for ps, _ in batches for p in ps)[:len(arc.data)]


def test_on_error_stops_the_writer_and_counts_what_it_drops(tmp_path: Path,
                                                             monkeypatch) -> None:
    batches = _batches(400, seed=13)
    monkeypatch.setattr(writer_mod.os, "posix_fallocate", _Disk(free=10_000))
    errors: list[OSError] = []
    path = tmp_path / "full.fswarc"
    w = ArchiveWriter(path, reserve_bytes=1 << 16, on_error=errors.append)
    for ps, t in batches:
        w.write_batch(ps, b"".join(ps), t)  # never raises
    assert len(errors) == 1 and errors[0].errno == errno.ENOSPC
    assert w.records + w.dropped == 400 and w.records > 10
    w.close()  # no closing record after the error: the file says it was cut off
    arc = read_archive(path)
    assert len(arc) == w.records and [i.kind for i in arc.issues] == ["unclosed"]
    assert arc.reserve == 0
    assert list(arc.packets()) == [p for ps, _ in batches for p in ps][:w.records]


def test_a_full_disk_stops_a_run_with_the_archives_error(tmp_path: Path, monkeypatch) -> None:
    from fsw_tools.mission import fly

    from fsw.errors import UserError
    from fsw.scenario import load_builtin

    monkeypatch.setattr(writer_mod.os, "posix_fallocate", _Disk(free=300_000))
    path = tmp_path / "run.fswarc"
    with pytest.raises(UserError, match="cannot write the archive"):
        fly(load_builtin("short_inspection"), archive=path, duration_s=600.0)
    arc = read_archive(path)
    assert len(arc) > 100 and [i.kind for i in arc.issues] == ["unclosed"]
    assert arc.reserve == 0
