"""Issue #21, acceptance 1: bad values and bad paths given to every option of
every command end with exit status 2 and one line on stderr, never a
traceback. The commands run in this process (``fsw_tools.cli.main``), so an
exception that escapes is a failure of the test, not a message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fsw_tools.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "short_run"


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("bad")
    run = d / "run"
    shutil.copytree(DATA, run)
    (d / "file").write_text("a file, not a folder\n")
    (d / "binary").write_bytes(bytes(range(256)) * 4)
    (d / "latin1.toml").write_bytes("[mission]\nname = \"caf\xe9\"\n".encode("latin-1"))
    (d / "overflow.toml").write_text("[mission]\nnotice_to_launch_s = 1e12\n")
    (d / "not_archive.fswarc").write_bytes(b"\x89NOTANARCHIVE" + bytes(40))
    (d / "folder").mkdir()
    (d / "keys.key").write_text("{}")
    return {"run": str(run), "file": str(d / "file"), "under": str(d / "file" / "x" / "y"),
            "bin": str(d / "binary"), "latin1": str(d / "latin1.toml"),
            "overflow": str(d / "overflow.toml"), "notarc": str(d / "not_archive.fswarc"),
            "dir": str(d / "folder"), "missing": str(d / "missing"), "keys": str(d / "keys.key"),
            "tmp": str(d)}


CASES = [
    # fsw run
    "run --seed -1", "run --seed x", "run --seed 4294967296", "run --duration nan",
    "run --duration 0", "run --duration 1e400", "run --duration x", "run --transport x",
    "run --ground-port 70000", "run --ground-port 0", "run --realtime -1", "run --realtime inf",
    "run --keys {missing}", "run --keys {bin}", "run --keys {file}", "run no_such_scenario",
    "run {latin1}", "run {overflow}", "run {missing}.toml", "run --out {file}",
    "run --out {under}", "run --out {run}", "run --dispersed", "run --transport ipc --realtime 1",
    "run --bogus",
    # fsw scenarios
    "scenarios nope",
    # fsw campaign
    "campaign --runs 0", "campaign --runs x", "campaign --runs 2 --workers -1",
    "campaign --runs 2 --seed -1", "campaign --runs 2 --confidence 1",
    "campaign --runs 2 --confidence nan", "campaign --runs 2 --duration -5",
    "campaign --runs 2 --runner nonsense", "campaign --runs 2 --runner no.such:f",
    "campaign --rerun -1", "campaign no_such --runs 1", "campaign {latin1} --runs 1",
    "campaign {overflow} --runs 1", "campaign short_inspection --runs 1 --out {file}",
    "campaign short_inspection --runs 1 --out {under}", "campaign short_inspection",
    "campaign --runs 1 --workers 1 --scheduler tcp://127.0.0.1:1",
    # fsw bench
    "bench", "bench --virtual --calls 0", "bench --virtual --calls x",
    "bench --virtual --baud 0", "bench --virtual --timeout nan", "bench --virtual --duration -1",
    "bench --virtual no_such_scenario", "bench --port {missing}", "bench --qemu --virtual",
    # fsw replay
    "replay {missing}", "replay {run} --speed 0", "replay {run} --speed nan",
    "replay {run} --start nan", "replay {run} --stop inf", "replay {run} --settle -1",
    "replay {run} --apid NOPE", "replay {run} --apid 0x800", "replay {run} --ports 1,1",
    "replay {run} --ports x", "replay {run} --start 1e9 --settle 0", "replay {notarc}",
    "replay {dir} --verify", "replay {file}", "replay {run} --fast --speed 2",
    # fsw decode
    "decode {run}", "decode {missing} --csv {tmp}/c1", "decode {run} --apid 0x800 --csv {tmp}/c2",
    "decode {run} --csv {file}", "decode {run} --csv {under}", "decode {run} --parquet {file}",
    "decode {run} --pcap {under}", "decode {run} --pcap {dir}", "decode {run} --ndm {file}",
    "decode {run} --ndm {tmp}/n --step 0", "decode {run} --ndm {tmp}/n --step nan",
    "decode {notarc} --csv {tmp}/c3", "decode {bin} --csv {tmp}/c4",
    # fsw plot, fsw report
    "plot {run} --dpi 0", "plot {run} --dpi 5000", "plot {run} --dpi x", "plot {missing}",
    "plot {dir}", "plot {run} --out {file}", "plot {run} --out {under}",
    "report {missing}", "report {dir}", "report {run} --out {under}", "report {run} --out {dir}",
    # fsw dict
    "dict --packet nope", "dict --packet 0x7ff", "dict --output {under}", "dict --output {dir}",
    "dict --xtce {under}",
    # fsw keys, fsw curve
    "keys", "keys new {keys}", "keys new {tmp}/k1 --ids x", "keys new {tmp}/k2 --ids 5-2",
    "keys new {tmp}/k3 --ids 70000", "keys new {tmp}/k4 --ids 1,1", "keys new {under}",
    "keys show {missing}", "keys show {bin}", "keys show {file}", "keys show {dir}",
    "curve", "curve new {file}", "curve new {under}",
    # fsw ground
    "ground notaurl", "ground tcp://127.0.0.1:70000", "ground --keys {missing}",
    "ground --keys {bin}", "ground --key-id x", "ground --auth-seq -1", "ground --curve {missing}",
    # no command, unknown command
    "no-such-command",
]
# every fsw run case but the key-file ones names its keys: the error is the one meant
CASES = [c.replace("run ", "run --test-keys ", 1) if c.startswith("run ") and "--keys" not in c
         else c for c in CASES]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_status_2(case: str, paths: dict[str, str], capsys,
                                            monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # noqa: SIM115 - the console's stdin
    argv = case.format(**paths).split()
    rc = main(argv)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2, (argv, rc, err)
    assert len(lines) == 1, (argv, err)
    assert lines[0].startswith("fsw") and "error" in lines[0], (argv, err)
    assert "Traceback" not in err
