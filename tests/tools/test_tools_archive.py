"""Packet archive: round trip, torn and corrupted records, append, and the
crash-safety acceptance (a recorder killed with SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from fsw_tools.archive import ArchiveError, ArchiveWriter, parse_archive, read_archive
from fsw_tools.archive import format as fmt
from ground_packets import make_packet, packet_stream


def _write(path: Path, stream: list[tuple[bytes, float]]) -> None:
    with ArchiveWriter(path) as w:
        for pkt, t in stream:
            w.write(pkt, t)


def test_round_trip_packets_times_apids(tmp_path: Path, stream) -> None:
    path = tmp_path / "a.fswarc"
    _write(path, stream)
    arc = read_archive(path)
    assert arc.issues == []
    assert len(arc) == len(stream)
    assert list(arc.packets()) == [p for p, _ in stream]
    # contiguous buffer: the packets concatenated, offsets into it
    assert arc.data == b"".join(p for p, _ in stream)
    assert np.array_equal(arc.offsets[1:], np.cumsum(arc.lengths)[:-1])
    assert arc.times_ns.tolist() == [round(t * 1e9) for _, t in stream]
    assert arc.apids.tolist() == [((p[0] & 7) << 8) | p[1] for p, _ in stream]


def test_select_by_apid_and_time_window(tmp_path: Path, stream) -> None:
    path = tmp_path / "a.fswarc"
    _write(path, stream)
    arc = read_archive(path)
    t0, t1 = stream[100][1], stream[300][1]
    sub = arc.select(apids=[0x010, 0x400], start=t0, stop=t1)
    want = [p for p, t in stream if ((p[0] & 7) << 8 | p[1]) in (0x010, 0x400) and t0 <= t < t1]
    assert list(sub.packets()) == want
    assert len(want) > 10


CLOSING_SIZE = fmt.RECORD_HEADER_SIZE + fmt.CLOSING.size


def test_every_truncation_reads_complete_records_and_reports_tear(tmp_path: Path) -> None:
    stream = packet_stream(12, seed=3)
    path = tmp_path / "a.fswarc"
    _write(path, stream)
    raw = path.read_bytes()
    # byte offsets where each record ends; the closing record ends the file
    ends = np.cumsum([fmt.RECORD_HEADER_SIZE + len(p) for p, _ in stream]) + fmt.FILE_HEADER_SIZE
    assert len(raw) == ends[-1] + CLOSING_SIZE
    for cut in range(fmt.FILE_HEADER_SIZE, len(raw) + 1):
        cut_path = tmp_path / "cut.fswarc"
        cut_path.write_bytes(raw[:cut])
        arc = read_archive(cut_path)
        complete = int(np.searchsorted(ends, cut, side="right"))
        assert list(arc.packets()) == [p for p, _ in stream[:complete]], cut
        kinds = [i.kind for i in arc.issues]
        if cut == len(raw):
            assert kinds == [] and arc.closed
        elif cut in ends or cut == fmt.FILE_HEADER_SIZE:  # cut on a boundary: still seen
            assert kinds == ["unclosed"] and not arc.closed
        else:
            assert arc.torn is not None and arc.torn.offset == (ends[complete - 1]
                                                                if complete else 32)
            assert kinds == ["torn", "unclosed"]


def test_records_missing_on_record_boundaries_are_counted(tmp_path: Path, stream) -> None:
    """Records cut out cleanly (no damaged byte left) are found by their
    numbers, and counted exactly."""
    path = tmp_path / "a.fswarc"
    _write(path, stream)
    raw = path.read_bytes()
    starts = np.cumsum([0] + [fmt.RECORD_HEADER_SIZE + len(p) for p, _ in stream]) \
        + fmt.FILE_HEADER_SIZE
    cut = raw[:starts[100]] + raw[starts[137]:]
    arc = parse_archive(cut)
    assert list(arc.packets()) == [p for p, _ in stream[:100] + stream[137:]]
    (issue,) = arc.issues
    assert (issue.kind, issue.records) == ("missing", 37)
    assert "records 100..136 (37) absent" in str(issue)
    assert arc.records_lost == 37 and "37 records known lost" in arc.completeness()


def test_closing_record_says_complete_or_interrupted(tmp_path: Path, stream) -> None:
    path = tmp_path / "a.fswarc"
    _write(path, stream)
    arc = read_archive(path)
    assert arc.closed and arc.issues == [] and arc.completeness().startswith("complete")
    path2 = tmp_path / "b.fswarc"
    with pytest.raises(KeyboardInterrupt), ArchiveWriter(path2) as w:
        for pkt, t in stream[:10]:
            w.write(pkt, t)
        raise KeyboardInterrupt
    arc = read_archive(path2)
    assert len(arc) == 10 and arc.closed
    assert [i.kind for i in arc.issues] == ["interrupted"]


def test_corrupted_record_is_skipped_and_reported(tmp_path: Path, stream) -> None:
    path = tmp_path / "a.fswarc"
    _write(path, stream)
    raw = bytearray(path.read_bytes())
    # flip one bit inside the packet of record 10, and the length of record 20
    pos = fmt.FILE_HEADER_SIZE
    starts = []
    for p, _ in stream:
        starts.append(pos)
        pos += fmt.RECORD_HEADER_SIZE + len(p)
    raw[starts[10] + fmt.RECORD_HEADER_SIZE + 3] ^= 0x10
    raw[starts[20] + 4 : starts[20] + 8] = (60000).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    arc = read_archive(path)
    want = [p for i, (p, _) in enumerate(stream) if i not in (10, 20)]
    assert list(arc.packets()) == want
    assert [(i.kind, i.offset, i.records) for i in arc.issues] == [
        ("corrupt", starts[10], 1), ("corrupt", starts[20], 1)]
    assert "CRC" in arc.issues[0].detail and "records 10..10 lost (1)" in str(arc.issues[0])


def test_not_an_archive_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.fswarc"
    bad.write_bytes(b"hello world, not an archive at all........")
    with pytest.raises(ArchiveError, match="not a packet archive"):
        read_archive(bad)
    with pytest.raises(ArchiveError, match="no such archive"):
        read_archive(tmp_path / "missing.fswarc")


def test_writer_refuses_to_overwrite_and_append_repairs_a_tear(tmp_path: Path, stream) -> None:
    path = tmp_path / "a.fswarc"
    _write(path, stream[:50])
    with pytest.raises(Exception, match="exists"):
        ArchiveWriter(path)
    raw = path.read_bytes()
    path.write_bytes(raw[:-(CLOSING_SIZE + 7)])  # cut the closing record, tear the last one
    with ArchiveWriter(path, append=True) as w:
        assert w.repaired_bytes == fmt.RECORD_HEADER_SIZE + len(stream[49][0]) - 7
        for pkt, t in stream[50:]:
            w.write(pkt, t)
    arc = read_archive(path)
    assert arc.issues == []
    assert list(arc.packets()) == [p for p, _ in stream[:49] + stream[50:]]


def test_writer_rejects_and_counts_impossible_packets(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path / "a.fswarc") as w:
        with pytest.raises(ValueError):
            w.write(b"\x00" * 3, 0.0)
        w.write(make_packet(0x10, 0, b"\x01"), 1.0)
        assert (w.rejected, w.records) == (1, 1)


_RECORDER = textwrap.dedent(
    """
    import sys
    from fsw_tools.archive import ArchiveWriter
    from ground_packets import make_packet
    w = ArchiveWriter(sys.argv[1], sync="interval", flush_interval_s=0.0, buffer_bytes=4096)
    i = 0
    while True:
        w.write(make_packet(0x010 + i % 3, i, i.to_bytes(4, "big") * (1 + i % 50)), i * 0.01)
        i += 1
        if i % 1000 == 0:
            w.flush()
            print(i, flush=True)
    """
)


def test_sigkill_mid_run_leaves_every_complete_record_readable(tmp_path: Path) -> None:
    """Acceptance 2: a recorder killed with SIGKILL mid-run."""
    path = tmp_path / "killed.fswarc"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    proc = subprocess.Popen([sys.executable, "-c", _RECORDER, str(path)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        flushed = 0
        deadline = time.monotonic() + 30
        while flushed < 5000 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            flushed = int(line)
        assert flushed >= 5000, "recorder did not start"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    arc = read_archive(path)
    n = len(arc)
    assert n >= flushed  # everything flushed before the kill is there
    for i, pkt in enumerate(arc.packets()):
        assert pkt == make_packet(0x010 + i % 3, i, i.to_bytes(4, "big") * (1 + i % 50))
    assert np.allclose(arc.times, np.arange(n) * 0.01)
    kinds = [issue.kind for issue in arc.issues]  # at most a torn tail, and it is said
    assert kinds in (["unclosed"], ["torn", "unclosed"])


def test_damaged_archives_never_raise_and_never_return_bad_records(tmp_path: Path) -> None:
    """Property: any damage after the header (random bytes, flipped bits, cut,
    spliced) gives records that are each one of the written packets, with
    every damaged stretch reported."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    stream = packet_stream(40, seed=5)
    path = tmp_path / "a.fswarc"
    _write(path, stream)
    raw = path.read_bytes()
    written = {bytes(p) for p, _ in stream}
    ends = np.cumsum([fmt.RECORD_HEADER_SIZE + len(p) for p, _ in stream]) + fmt.FILE_HEADER_SIZE

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), max_size=8),
           st.integers(fmt.FILE_HEADER_SIZE, len(raw)), st.binary(max_size=64))
    def check(edits, cut, junk) -> None:
        data = bytearray(raw)
        for pos, value in edits:
            if pos >= fmt.FILE_HEADER_SIZE:
                data[pos] = value
        kept_changed = bytes(data[:cut]) != raw[:cut]
        data = bytes(data[:cut]) + junk
        arc = parse_archive(data)
        got = list(arc.packets())
        assert all(p in written for p in got)  # never a damaged packet
        if kept_changed or junk or cut < len(raw):
            assert arc.issues  # every damage is reported, a clean cut too
        if not kept_changed and not junk:  # a clean cut: the complete records, a tear iff
            n = int(np.searchsorted(ends, cut, side="right"))  # inside one
            assert got == [bytes(p) for p, _ in stream[:n]]
            inside = cut not in ends and cut != fmt.FILE_HEADER_SIZE and cut < len(raw)
            assert (arc.torn is not None) == inside

    check()
