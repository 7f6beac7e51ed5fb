"""Issue #19, build 5 / acceptance 4: operating-system errors in every
command's file options. Every command that writes files is driven into a
read-only tmpfs and into full tmpfs file systems (one with no space left,
one with a little, so that writes start and then fail): one line on stderr,
exit status 2, no traceback; no partial file that looks complete (no output
file under its final name, no ``.part`` leftover, a run directory without
summary.json); nothing already written lost (an older report still whole,
the records of a run's archive still readable).

The file systems are real: ``unshare --user --map-root-user --mount`` (or,
as root, ``unshare --mount``) gives the test a private mount namespace in
which it mounts tmpfs and remounts one read-only -- root gets EROFS too,
which a chmod'ed folder would not give it. Where no namespace can be made,
the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "short_run"


def _unshare() -> list[str] | None:
    if shutil.which("unshare") is None:
        return None
    for cmd in (["unshare", "--user", "--map-root-user", "--mount"], ["unshare", "--mount"]):
        probe = subprocess.run([*cmd, "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt "
                                "2>/dev/null || mount -t tmpfs -o size=64k tmpfs /tmp"],
                               capture_output=True, timeout=30, check=False)
        if probe.returncode == 0:
            return cmd
    return None


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    unshare = _unshare()
    if unshare is None:
        pytest.skip("no mount namespace here (unshare missing or not permitted): cannot make "
                    "a read-only and a full file system")
    base = tmp_path_factory.mktemp("oserr")
    ro, full, some = base / "ro", base / "full", base / "some"
    for d in (ro, full, some):
        d.mkdir()
    scratch = base / "scratch"  # where the commands may read from
    shutil.copytree(DATA, scratch / "run")
    run = scratch / "run"
    ro_run = ro / "run"
    cases = {
        # read-only: every writing option
        "ro run --out": ["run", "--test-keys", "short_inspection",
                         "--duration", "20", "--quiet", "--out",
                         f"{ro}/r1"],
        "ro decode --csv": ["decode", str(run), "--csv", f"{ro}/csv"],
        "ro decode --parquet": ["decode", str(run), "--parquet", f"{ro}/pq"],
        "ro decode --pcap": ["decode", str(run), "--pcap", f"{ro}/x.pcap"],
        "ro decode --ndm": ["decode", str(run), "--ndm", f"{ro}/ndm"],
        "ro plot (into the run)": ["plot", str(ro_run)],
        "ro plot --out": ["plot", str(run), "--out", f"{ro}/plots"],
        "ro report (into the run)": ["report", str(ro_run)],
        "ro report --out": ["report", str(run), "--out", f"{ro}/r.html"],
        "ro dict --output": ["dict", "--output", f"{ro}/d.md"],
        "ro dict --xtce": ["dict", "--xtce", f"{ro}/x.xml"],
        "ro keys new": ["keys", "new", f"{ro}/k.key"],
        "ro curve new": ["curve", "new", f"{ro}/curve"],
        "ro campaign --out": ["campaign", "short_inspection", "--runs", "1", "--workers", "0",
                              "--duration", "10", "--no-progress", "--out", f"{ro}/camp"],
        "ro ground --record": ["ground", "tcp://127.0.0.1:1", "--no-hk", "--record",
                               f"{ro}/rec.fswarc"],
        # no space at all
        "full run --out": ["run", "--test-keys", "short_inspection",
                         "--duration", "20", "--quiet", "--out",
                           f"{full}/r1"],
        "full decode --csv": ["decode", str(run), "--csv", f"{full}/csv"],
        "full decode --pcap": ["decode", str(run), "--pcap", f"{full}/x.pcap"],
        "full report --out": ["report", str(run), "--out", f"{full}/r.html"],
        "full dict --output": ["dict", "--output", f"{full}/d.md"],
        "full keys new": ["keys", "new", f"{full}/k.key"],
        "full curve new": ["curve", "new", f"{full}/curve"],
        "full campaign --out": ["campaign", "short_inspection", "--runs", "1", "--workers", "0",
                                "--duration", "10", "--no-progress", "--out", f"{full}/camp"],
        # a little space: the writes start, then fail
        "some run --out": ["run", "--test-keys", "short_inspection",
                         "--duration", "200", "--quiet", "--out",
                           f"{some}/r1"],
        "some decode --csv": ["decode", str(run), "--csv", f"{some}/csv"],
        "some decode --parquet": ["decode", str(run), "--parquet", f"{some}/pq"],
        "some decode --pcap": ["decode", str(run), "--pcap", f"{some}/x.pcap"],
        "some plot --out": ["plot", str(run), "--out", f"{some}/plots", "--dpi", "300"],
        "some report --out (over an older one)": ["report", str(run), "--out",
                                                  f"{some}/old.html"],
    }
    names = list(cases)
    (base / "cases.json").write_text(json.dumps([cases[n] for n in names]))
    filler = "dd if=/dev/zero of={d}/filler bs=4k status=none 2>/dev/null; true"
    script = " && ".join([
        f"mount -t tmpfs -o size=8m tmpfs {ro}",
        f"cp -r {run} {ro_run}",
        f"mount -o remount,ro {ro}",
        f"mount -t tmpfs -o size=1m tmpfs {full}",
        filler.format(d=full),
        f"mount -t tmpfs -o size=320k tmpfs {some}",
        f"printf 'the older report, whole\\n' > {some}/old.html",
        f"dd if=/dev/zero of={some}/filler bs=4k count=40 status=none",
        f"{shlex.quote(sys.executable)} {HERE / 'oserror_driver.py'} {base / 'cases.json'} "
        f"{base / 'out.json'}",
        # what the failed commands left behind, seen from inside
        f"find {ro} {full} {some} -newer {base / 'cases.json'} > {base / 'left.txt'} || true",
        f"cat {some}/old.html > {base / 'old.html'}",
        f"{shlex.quote(sys.executable)} -c \"import json, sys; from fsw_tools.archive import "
        f"read_archive; a = read_archive('{some}/r1/packets.fswarc'); "
        f"json.dump({{'records': len(a), 'torn': str(a.torn)}}, open('{base}/arc.json', 'w'))\"",
    ])
    env = {**os.environ, "FSW_PROGRESS": "0"}
    proc = subprocess.run([*unshare, "sh", "-c", script], capture_output=True, text=True,
                          timeout=900, env=env, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = json.loads((base / "out.json").read_text())
    res = {n: r for n, r in zip(names, out, strict=True)}
    res["_left"] = (base / "left.txt").read_text().split()
    res["_old"] = (base / "old.html").read_text()
    res["_arc"] = json.loads((base / "arc.json").read_text())
    res["_dirs"] = {"ro": str(ro), "full": str(full), "some": str(some)}
    return res


CASE_NAMES = [
    "ro run --out", "ro decode --csv", "ro decode --parquet", "ro decode --pcap",
    "ro decode --ndm", "ro plot (into the run)", "ro plot --out", "ro report (into the run)",
    "ro report --out", "ro dict --output", "ro dict --xtce", "ro keys new", "ro curve new",
    "ro campaign --out", "ro ground --record",
    "full run --out", "full decode --csv", "full decode --pcap", "full report --out",
    "full dict --output", "full keys new", "full curve new", "full campaign --out",
    "some run --out", "some decode --csv", "some decode --parquet", "some decode --pcap",
    "some plot --out", "some report --out (over an older one)",
]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_one_line_status_2_no_traceback(results: dict, name: str) -> None:
    r = results[name]
    assert r["escaped"] is None, r["escaped"]
    lines = [ln for ln in r["stderr"].splitlines() if ln.strip()]
    assert r["rc"] == 2, (r["argv"], r["rc"], r["stderr"])
    assert len(lines) == 1 and lines[0].startswith("fsw"), r["stderr"]
    assert "Traceback" not in r["stderr"]
    assert any(w in lines[0] for w in ("read-only", "no space", "quota", "cannot")), lines[0]


def test_no_partial_file_that_looks_complete(results: dict) -> None:
    left = results["_left"]
    assert not [p for p in left if p.endswith(".part")], left
    # outputs that failed are absent under their final names
    for final in ("x.pcap", "d.md", "k.key", "r.html", "report.html"):
        assert not [p for p in left if p.endswith("/" + final)], (final, left)
    # a CSV, Parquet or PNG left in the small file system was complete when renamed
    # (atomic writes); the run that filled it has no summary.json
    assert not [p for p in left if p.endswith("r1/summary.json")], left


def test_nothing_already_written_is_lost(results: dict) -> None:
    assert results["_old"] == "the older report, whole\n"
    arc = results["_arc"]
    assert arc["records"] > 100  # the run's records up to the full disk stay readable
