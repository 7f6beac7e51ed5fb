"""The recorder's batch write (issue #18): ``ArchiveWriter.write_many``
writes exactly the file that ``write`` packet by packet writes (same records,
same times), reads back whole, and rejects an out-of-size packet as ``write``
does, keeping the packets before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fsw_tools.archive import ArchiveWriter, read_archive
from ground_packets import packet_stream


def _body(path: Path) -> bytes:
    from fsw_tools.archive import format as fmt

    return path.read_bytes()[fmt.FILE_HEADER_SIZE:]  # the header holds the creation time


def test_write_many_writes_what_write_writes(tmp_path: Path) -> None:
    stream = packet_stream(400, seed=11)
    # batches of packets sharing a time, as the executive's turns route them
    batches: list[tuple[list[bytes], float]] = []
    for i in range(0, len(stream), 7):
        chunk = stream[i:i + 7]
        batches.append(([p for p, _ in chunk], chunk[0][1]))
    one, many = tmp_path / "one.fswarc", tmp_path / "many.fswarc"
    with ArchiveWriter(one, buffer_bytes=512) as w:
        for ps, t in batches:
            for p in ps:
                w.write(p, t)
    with ArchiveWriter(many, buffer_bytes=512) as w:
        for ps, t in batches:
            w.write_many(ps, t)
        assert w.records == len(stream)
    assert _body(one) == _body(many)
    arc = read_archive(many)
    assert arc.issues == [] and list(arc.packets()) == [p for ps, _ in batches for p in ps]
    assert arc.times_ns.tolist() == [round(t * 1e9) for ps, t in batches for _ in ps]


def test_write_many_rejects_a_bad_packet_after_the_good_ones(tmp_path: Path) -> None:
    (p0, t0), (p1, _) = packet_stream(2, seed=1)
    path = tmp_path / "a.fswarc"
    with ArchiveWriter(path) as w:
        with pytest.raises(ValueError, match="outside"):
            w.write_many([p0, b"\x00" * 3, p1], t0)
        assert w.rejected == 1 and w.records == 1
    assert list(read_archive(path).packets()) == [p0]
