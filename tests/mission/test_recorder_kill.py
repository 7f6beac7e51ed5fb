"""A run killed with SIGKILL (issue #19, acceptance 3): its archive is an
exact prefix of the uninterrupted run's, the records handed to the recorder
but lost are at most the records of one tick (the stated bound: the writer
hands a tick's records to the operating system when the next tick's first
arrives), and the reader and ``fsw decode`` say that the tail is missing.

How many records the killed process had handed to its recorder is counted
in a shared memory page (a file mapped MAP_SHARED: it outlives the process)
by wrappers around ``ArchiveWriter.write_ns`` and the run's tap
(``batch_tap``: the native one, as a run has it), the batch's packets
counted as it is handed over."""

from __future__ import annotations

import contextlib
import mmap
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from fsw_tools.archive import read_archive
from fsw_tools.cli import main
from fsw_tools.mission import fly

from fsw.scenario import load_builtin

SCENARIO, ORBIT_S = "short_inspection", 120.0

_CHILD = textwrap.dedent("""
    import mmap, sys
    from pathlib import Path
    from fsw_tools.archive import writer as W
    from fsw_tools.mission import fly
    from fsw.scenario import load_builtin
    f = open(sys.argv[1], "r+b")
    handed = mmap.mmap(f.fileno(), 8)
    write_ns = W.ArchiveWriter.write_ns
    def counting(self, packet, t):
        write_ns(self, packet, t)
        handed[:8] = self.records.to_bytes(8, "little")  # accepted by the writer
    W.ArchiveWriter.write_ns = counting
    batch_tap = W.ArchiveWriter.batch_tap.fget
    def counting_tap(self):  # the recorder's joined tap (native or write_batch)
        tap = batch_tap(self)
        def counting_batch(packets, data, t):
            # counted when handed over: a mapped writer's records are in the
            # file while the call is still making the batch's last ones
            handed[:8] = (self.records + len(packets)).to_bytes(8, "little")
            tap(packets, data, t)
        return counting_batch
    W.ArchiveWriter.batch_tap = property(counting_tap)
    fly(load_builtin(sys.argv[3]), archive=Path(sys.argv[2]), duration_s=float(sys.argv[4]))
""")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("ref") / "ref.fswarc"
    fly(load_builtin(SCENARIO), archive=path, duration_s=ORBIT_S)
    arc = read_archive(path)
    assert arc.closed and arc.issues == []
    return arc


@pytest.mark.parametrize("share", [0.3, 0.85])
def test_sigkill_loses_at_most_one_tick_and_says_so(tmp_path: Path, reference,
                                                    share: float, capsys) -> None:
    kill_after = int(share * len(reference))
    counter = tmp_path / "handed"
    counter.write_bytes(bytes(8))
    archive = tmp_path / "killed.fswarc"
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(counter), str(archive),
                             SCENARIO, str(ORBIT_S)], stdin=subprocess.DEVNULL)
    with open(counter, "r+b") as f:
        handed_map = mmap.mmap(f.fileno(), 8)
        try:
            deadline = time.monotonic() + 120
            while int.from_bytes(handed_map[:8], "little") < kill_after:
                assert proc.poll() is None, "the run ended before it was killed"
                assert time.monotonic() < deadline, "the run did not get far enough"
                time.sleep(0.001)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
        handed = int.from_bytes(handed_map[:8], "little")
        handed_map.close()
    assert proc.returncode == -signal.SIGKILL
    arc = read_archive(archive)
    n = len(arc)
    # an exact prefix of the uninterrupted run
    assert n <= len(reference)
    assert arc.data == reference.data[:len(arc.data)]
    assert np.array_equal(arc.times_ns, reference.times_ns[:n])
    # the loss: records handed to the writer but not in the file, all of one tick
    lost = handed - n
    assert lost >= 0
    first_missing_tick = reference.times_ns[n]
    tick_records = int(np.count_nonzero(reference.times_ns == first_missing_tick))
    assert lost <= tick_records, (lost, tick_records)
    assert np.all(reference.times_ns[n:handed] == first_missing_tick)
    # and it is said: no closing record, the last record named
    kinds = [i.kind for i in arc.issues]
    assert kinds in (["unclosed"], ["torn", "unclosed"]), kinds
    assert f"after record {n - 1}" in str(arc.issues[-1])
    assert main(["decode", str(archive), "--csv", str(tmp_path / "csv")]) == 0
    err = capsys.readouterr().err
    assert "closing record missing" in err and "archive incomplete" in err
