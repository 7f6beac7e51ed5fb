"""The recorder's native record builder (issue #18): a batch's records made
in one call of ``pkt_archive_records`` (native/scan/records.c) are, octet for
octet, those of the writer's Python loop (``struct`` and ``zlib.crc32``),
including the record number's wrap at 2^32 and a batch too large for the
native buffer (which takes the loop); an out-of-size packet is refused after
the ones before it, as the loop does."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fsw_tools.archive import ArchiveWriter, read_archive
from fsw_tools.archive import format as fmt
from fsw_tools.archive import writer as writer_mod
from ground_packets import packet_stream

pytestmark = pytest.mark.skipif(not writer_mod._NATIVE, reason="native scanner not built")


def _body(path: Path) -> bytes:
    return path.read_bytes()[fmt.FILE_HEADER_SIZE:]


def _write(path: Path, batches: list[tuple[list[bytes], float]], native: bool,
           number: int = 0) -> ArchiveWriter:
    with ArchiveWriter(path, buffer_bytes=4096, mapped=False) as w:  # the buffered builder
        assert w._native is not None
        if not native:
            w._native = None
        w._number = number
        for ps, t in batches:
            w.write_many(ps, t)
    return w


def test_native_records_are_the_loops(tmp_path: Path) -> None:
    rng = random.Random(5)
    stream = packet_stream(600, seed=3)
    batches, i = [], 0
    while i < len(stream):
        n = rng.randint(1, 12)
        chunk = stream[i:i + n]
        batches.append(([p for p, _ in chunk], chunk[0][1] - 1e6 * rng.random()))
        i += n
    largest = bytes([0x08, 0x10, 0xC0, 0x00, 0xFF, 0xFF]) + bytes(65536)  # 65542 octets
    batches.append(([largest, largest], 12.5))  # beyond the native buffer: the loop
    for number in (0, 0xFFFFFFFF - 100):
        a, b = tmp_path / f"native{number}.fswarc", tmp_path / f"loop{number}.fswarc"
        wa = _write(a, batches, native=True, number=number)
        wb = _write(b, batches, native=False, number=number)
        assert wa.records == wb.records == 602 and _body(a) == _body(b)
    arc = read_archive(tmp_path / "native0.fswarc")
    assert arc.issues == [] and list(arc.packets()) == [p for ps, _ in batches for p in ps]


def test_native_records_refuse_like_the_loop(tmp_path: Path) -> None:
    (p0, t0), (p1, _) = packet_stream(2, seed=2)
    for native in (True, False):
        path = tmp_path / f"{native}.fswarc"
        with ArchiveWriter(path, mapped=False) as w:
            if not native:
                w._native = None
            with pytest.raises(ValueError, match="packet of 3 bytes is outside"):
                w.write_many([p0, p1, b"\x00" * 3, p1], t0)
            assert w.rejected == 1 and w.records == 2
        assert list(read_archive(path).packets()) == [p0, p1]
