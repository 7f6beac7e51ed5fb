"""The mapped archive writer's native joined tap (``ArchiveWriter.batch_tap``,
``fsw._hotpath.RecordTap``, issue #18): a stream's settle appends a batch's
records from C, with no Python call in between.

Checked against independent truth: the writer's own Python
(:meth:`ArchiveWriter.write_batch`, the reference the tap stands in for) on
the same batches, octet for octet (the file header aside: it carries the
creation time), with the same counters and the same errors -- including the
cases the tap hands back to that Python (the mapping moving on, a packet out
of bounds, a batch too large for one native call, packets or data that are
not ``bytes``, a time that is not a float or not finite), a full disk that
stops the writer through ``on_error``, and a closed writer; and the records'
receive times against ``format.record`` of Python's ``round``, half to
even."""

from __future__ import annotations

import errno
import math
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fsw_tools.archive import ArchiveWriter, read_archive
from fsw_tools.archive import format as fmt
from fsw_tools.archive import writer as writer_mod
from ground_packets import packet_stream

pytestmark = pytest.mark.skipif(
    not writer_mod._MAPPABLE or writer_mod._hotpath is None, reason="no native tap here")

Batch = tuple[list[Any], Any, Any]  # packets, data, t


def _batches(n: int, seed: int) -> list[Batch]:
    """Batches of 1..12 packets (and a few of 70: more than one native call
    takes), some with a bytearray or memoryview among them or as the data,
    some stamped with an int time."""
    rng = random.Random(seed)
    stream = packet_stream(n, seed=seed)
    out: list[Batch] = []
    i = 0
    while i < len(stream):
        k = 70 if rng.random() < 0.05 else rng.randint(1, 12)
        chunk = stream[i:i + k]
        ps: list[Any] = [p for p, _ in chunk]
        t: Any = chunk[0][1]
        data: Any = b"".join(ps)
        r = rng.random()
        if r < 0.05:
            ps[0] = bytearray(ps[0])
        elif r < 0.1:
            data = memoryview(data)
        elif r < 0.15:
            t = int(t)
        out.append((ps, data, t))
        i += k
    return out


def _body(path: Path) -> bytes:
    return path.read_bytes()[fmt.FILE_HEADER_SIZE:]


def _write(path: Path, batches: list[Batch], native: bool,
           **kw: Any) -> tuple[ArchiveWriter, list[str], Any]:
    """The batches through the native tap or write_batch (sync "close", as a
    run's archive); the errors raised."""
    w = ArchiveWriter(path, **{"sync": "close", **kw})
    tap: Callable[..., object] = w.batch_tap if native else w.write_batch
    if native:
        assert type(tap).__name__ == "RecordTap"
    errors = []
    for ps, data, t in batches:
        try:
            tap(ps, data, t)
        except (ValueError, OverflowError, TypeError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    return w, errors, tap


def _same(tmp_path: Path, batches: list[Batch], **kw: Any) -> tuple[ArchiveWriter, list[str]]:
    """Both ways on the same batches: the same files, counters and errors."""
    ref, ref_err, _ = _write(tmp_path / "ref.fswarc", batches, False, **kw)
    nat, nat_err, _ = _write(tmp_path / "nat.fswarc", batches, True, **kw)
    assert nat_err == ref_err
    assert (nat.records, nat.rejected, nat.dropped, nat._number, nat._last_ns) == (
        ref.records, ref.rejected, ref.dropped, ref._number, ref._last_ns)
    ref.close()
    nat.close()
    assert _body(tmp_path / "nat.fswarc") == _body(tmp_path / "ref.fswarc")
    return nat, nat_err


@pytest.mark.parametrize("reserve", [4096, 1 << 20])
def test_the_tap_writes_what_write_batch_writes(tmp_path: Path, reserve: int) -> None:
    batches = _batches(900, seed=21)
    _same(tmp_path, batches, reserve_bytes=reserve)
    arc = read_archive(tmp_path / "nat.fswarc")
    assert arc.issues == [] and arc.closed
    assert list(arc.packets()) == [bytes(p) for ps, _, _ in batches for p in ps]


def test_out_of_size_packets_and_bad_times_as_write_batch(tmp_path: Path) -> None:
    (p0, t0), (p1, _) = packet_stream(2, seed=3)
    short, long_ = b"\x00" * 3, b"\x00" * (fmt.MAX_PACKET + 1)
    batches: list[Batch] = [
        ([p0, p1], p0 + p1, t0),
        ([p0, short, p1], p0 + short + p1, t0),  # the first appended, then refused
        ([long_], long_, t0 + 1),
        ([p1], p1, math.nan),
        ([p1], p1, math.inf),
        ([p1], p1, 9.3e9),  # beyond int64 nanoseconds
        ([p1], p1, -9.3e9),
        ([], b"", t0),  # nothing
        ([p0, p1], p0 + p1, "1.0"),  # not a time
        ([p0], p0, t0 + 2),
    ]
    _, errors = _same(tmp_path, batches)
    assert [e.split(":")[0] for e in errors] == [
        "ValueError", "ValueError", "ValueError", "OverflowError", "OverflowError",
        "OverflowError", "TypeError"]


def test_receive_times_round_half_to_even_as_python(tmp_path: Path) -> None:
    (p0, _), = packet_stream(1, seed=5)
    rng = random.Random(8)
    times = [2.5e-9, 3.5e-9, -2.5e-9, -3.5e-9, 0.5e-9, 1.5e-9, 0.0, -0.0, 1e-10,
             2e9 + 0.123456789, 1.9e9 + 1 / 3]
    times += [rng.uniform(-3e9, 3e9) for _ in range(200)]
    times += [rng.randint(-2 * 10**9, 2 * 10**9) / 2e9 for _ in range(200)]  # halves
    path = tmp_path / "t.fswarc"
    w = ArchiveWriter(path, sync="close")
    tap = w.batch_tap
    for t in times:
        tap([p0], p0, t)
    w.close()
    expected = b"".join(fmt.record(p0, round(t * fmt.NS_PER_S), i) for i, t in enumerate(times))
    assert _body(path)[:len(expected)] == expected


_FALLOCATE = os.posix_fallocate


class _Disk:
    """A posix_fallocate with ``free`` octets of room beyond the file's
    reservations."""

    def __init__(self, free: int) -> None:
        self.free = free
        self._real = _FALLOCATE

    def __call__(self, fd: int, offset: int, length: int) -> None:
        grow = max(0, offset + length - os.fstat(fd).st_size)
        if grow > self.free:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.free -= grow
        self._real(fd, offset, length)


def test_a_full_disk_stops_the_tap_as_write_batch(tmp_path: Path, monkeypatch) -> None:
    batches = _batches(500, seed=22)
    counts = {}
    for native in (False, True):
        monkeypatch.setattr(writer_mod.os, "posix_fallocate", _Disk(free=12_000))
        errs: list[OSError] = []
        w, raised, tap = _write(tmp_path / f"{native}.fswarc", batches, native,
                                reserve_bytes=1 << 16, on_error=errs.append)
        assert len(errs) == 1 and errs[0].errno == errno.ENOSPC
        if native:  # stopped: the tap handed out is switched off
            assert not tap.enabled and w.batch_tap == w.write_batch
        counts[native] = (w.records, w.dropped, w.rejected, raised)
        w.close()
    assert counts[True] == counts[False] and 0 < counts[True][0] < 500
    assert _body(tmp_path / "True.fswarc") == _body(tmp_path / "False.fswarc")
    arc = read_archive(tmp_path / "True.fswarc")
    assert [i.kind for i in arc.issues] == ["unclosed"] and arc.reserve == 0


def test_a_closed_writers_tap_is_write_batchs(tmp_path: Path) -> None:
    (p0, t0), = packet_stream(1, seed=6)
    w = ArchiveWriter(tmp_path / "c.fswarc", sync="close")
    tap = w.batch_tap
    tap([p0], p0, t0)
    assert tap.enabled and w.batch_tap is tap  # one tap per writer
    w.close()
    assert not tap.enabled and w.batch_tap == w.write_batch
    with pytest.raises(ValueError, match="closed"):
        tap([p0], p0, t0)
    with pytest.raises(ValueError, match="closed"):
        w.write_batch([p0], p0, t0)
    assert len(read_archive(tmp_path / "c.fswarc")) == 1


def test_the_tap_only_where_write_batch_is_one_native_append(tmp_path: Path) -> None:
    buffered = ArchiveWriter(tmp_path / "b.fswarc", mapped=False)
    interval = ArchiveWriter(tmp_path / "i.fswarc", sync="interval")
    closing = ArchiveWriter(tmp_path / "m.fswarc", sync="close")
    try:
        assert buffered.batch_tap == buffered.write_batch  # its flush policy: Python
        assert interval.batch_tap == interval.write_batch  # its fsync clock: Python
        assert type(closing.batch_tap).__name__ == "RecordTap"
    finally:
        for w in (buffered, interval, closing):
            w.close()
