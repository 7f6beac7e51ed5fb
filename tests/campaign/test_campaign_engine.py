"""Acceptance of issue #10: the same rows on Dask as on local processes, a run
reproduced alone from its seed, an interrupted campaign resumed running only
what is missing, a crashing run recorded as failed while the campaign goes on."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from campaign_testutil import FRAGILE, SHORT
from fsw_tools.campaign.dispersions import run_seed
from fsw_tools.campaign.engine import Campaign, rerun, run_campaign
from fsw_tools.campaign.scenarios import read_scenario
from fsw_tools.campaign.store import ROWS_FILE
from fsw_tools.cli import main

from fsw.errors import UserError

RUNS = 20
SEED = 3
HERE = Path(__file__).parent


def _mission(source, runs: int, seed: int = SEED) -> Campaign:
    return Campaign(source, runs, seed=seed, runner="mission")


@pytest.fixture(scope="module")
def short():
    return read_scenario(str(SHORT))


@pytest.fixture(scope="module")
def local(tmp_path_factory, short):
    """The reference: 20 short runs on 2 local worker processes."""
    out = tmp_path_factory.mktemp("local")
    return run_campaign(_mission(short, RUNS), out, workers=2, progress=False)


def _lines(out: Path) -> list[bytes]:
    return (out / ROWS_FILE).read_bytes().splitlines()


def test_local_campaign_has_one_row_per_run_with_its_own_seed(local) -> None:
    assert [r["index"] for r in local.rows] == list(range(RUNS))
    assert [r["seed"] for r in local.rows] == [run_seed(SEED, i) for i in range(RUNS)]
    assert sorted(local.executed) == list(range(RUNS)) and local.skipped == 0
    assert all(r["outcome"] != "failed" for r in local.rows)
    # the dispersions differ run to run and are recorded
    masses = {r["overrides"]["chaser.mass_kg"] for r in local.rows}
    assert len(masses) == RUNS
    assert len(_lines(local.out_dir)) == RUNS


def test_dask_local_cluster_gives_exactly_the_rows_of_local_processes(local, short, tmp_path):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        res = run_campaign(_mission(short, RUNS), tmp_path, scheduler=client,
                           progress=False)
    assert res.rows == local.rows
    # byte for byte, up to the order in which runs finished
    assert sorted(_lines(tmp_path)) == sorted(_lines(local.out_dir))


def test_cli_scheduler_address_over_tcp(local, tmp_path, capsys) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        argv = ["campaign", str(SHORT), "--runner", "mission", "--runs", "4", "--seed",
                str(SEED), "--scheduler", address, "--out", str(tmp_path), "--no-progress",
                "--no-report"]
        assert main(argv) == 0
    rows = sorted((json.loads(x) for x in _lines(tmp_path)), key=lambda r: r["index"])
    assert rows == local.rows[:4]


def test_in_process_backend_gives_the_same_rows(local, short, tmp_path) -> None:
    res = run_campaign(_mission(short, 5), tmp_path, workers=0, progress=False)
    assert res.rows == local.rows[:5]


def test_rerunning_one_run_by_its_seed_reproduces_its_row_exactly(local, short, capsys):
    for row in (local.rows[0], local.rows[13]):
        assert rerun(short, row["seed"], "mission", index=row["index"]) == row
    seed = local.rows[13]["seed"]
    argv = ["campaign", str(SHORT), "--runner", "mission", "--seed", str(SEED), "--out",
            str(local.out_dir), "--rerun", str(seed)]
    assert main(argv) == 0
    assert "reproduces run 13" in capsys.readouterr().out


def test_rerun_reports_a_row_that_does_not_match(local, tmp_path, capsys) -> None:
    out = tmp_path / "tampered"
    out.mkdir()
    rows = [json.loads(line) for line in _lines(local.out_dir)]
    rows[0]["min_range_m"] += 1.0
    (out / ROWS_FILE).write_text("".join(json.dumps(r) + "\n" for r in rows))
    argv = ["campaign", str(SHORT), "--runner", "mission", "--out", str(out), "--rerun",
            str(rows[0]["seed"])]
    assert main(argv) == 1
    assert "DIFFERS" in capsys.readouterr().err


def test_killed_campaign_restarted_runs_only_the_missing_runs(local, short, tmp_path) -> None:
    out = tmp_path / "killed"
    runner = "campaign_testutil:slow_mission"
    path = os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fsw_tools.cli", "campaign", str(SHORT), "--runs", str(RUNS),
         "--seed", str(SEED), "--workers", "0", "--runner", runner, "--out", str(out),
         "--no-progress", "--no-report"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline and proc.poll() is None:
            rows = out / ROWS_FILE
            if rows.exists() and rows.read_bytes().count(b"\n") >= 5:
                break
            time.sleep(0.02)
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        proc.kill()  # SIGKILL: no cleanup, maybe mid-line
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stderr.close()
    before = (out / ROWS_FILE).read_bytes()
    whole = before[: before.rfind(b"\n") + 1]
    done = {json.loads(line)["index"] for line in whole.splitlines()}
    assert 5 <= len(done) < RUNS

    res = run_campaign(Campaign(short, RUNS, seed=SEED, runner=runner), out, workers=2,
                       progress=False)
    assert sorted(res.executed) == sorted(set(range(RUNS)) - done)
    assert res.skipped == len(done)
    after = (out / ROWS_FILE).read_bytes()
    assert after.startswith(whole)  # what was recorded stays, byte for byte
    assert len(after.splitlines()) == RUNS
    assert res.rows == local.rows  # as if never interrupted

    again = run_campaign(Campaign(short, RUNS, seed=SEED, runner=runner), out, workers=2,
                         progress=False)
    assert again.executed == [] and again.skipped == RUNS


def test_interrupted_in_process_then_resumed(local, short, tmp_path) -> None:
    seen: list[int] = []

    def stop_after_six(row: dict) -> None:
        seen.append(row["index"])
        if len(seen) == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_campaign(_mission(short, RUNS), tmp_path, workers=2, progress=False,
                     on_row=stop_after_six)
    assert len(_lines(tmp_path)) == 6
    res = run_campaign(_mission(short, RUNS), tmp_path, workers=2, progress=False)
    assert sorted(res.executed) == sorted(set(range(RUNS)) - set(seen))
    assert res.rows == local.rows


def test_a_torn_last_line_is_cut_and_its_run_done_again(local, short, tmp_path) -> None:
    by_index = {json.loads(line)["index"]: line for line in _lines(local.out_dir)}
    lines = [by_index[i] for i in (2, 0, 3, 1)]
    (tmp_path / ROWS_FILE).write_bytes(b"\n".join(lines[:3]) + b"\n" + lines[3][:40])
    res = run_campaign(_mission(short, 4), tmp_path, workers=0, progress=False)
    assert res.torn_tail
    assert res.executed == [1]
    assert res.rows == local.rows[:4]


def test_another_campaign_in_the_same_folder_is_refused(short, tmp_path) -> None:
    run_campaign(_mission(short, 1), tmp_path, workers=0, progress=False)
    with pytest.raises(UserError, match="another campaign"):
        run_campaign(_mission(short, 1, SEED + 1), tmp_path, workers=0, progress=False)


def test_a_run_that_raises_is_recorded_failed_and_the_campaign_goes_on(tmp_path) -> None:
    src = read_scenario(str(FRAGILE))
    res = run_campaign(_mission(src, RUNS), tmp_path, workers=2, progress=False)
    assert len(res.rows) == RUNS
    # a wet mass at or below the 12 kg propellant load does not validate: the
    # run raises at set-up; the others fly
    failed = [r for r in res.rows if r["outcome"] == "failed"]
    assert failed and len(failed) < RUNS
    assert failed == [r for r in res.rows if r["overrides"]["chaser.mass_kg"] <= 12.0]
    for r in failed:
        assert r["error"].startswith("UserError:") and "propellant_kg" in r["error"]
        assert r["min_range_m"] is None and r["where"]
    for r in res.rows:
        if r not in failed:
            assert r["error"] is None and r["min_range_m"] > 0 and r["dv_mps"] == 0.0
            assert r["outcome"] == "ended_in_COMMISSIONING"
    # a failed run is reproduced from its seed too
    assert rerun(src, failed[0]["seed"], "mission", index=failed[0]["index"]) == failed[0]


def test_a_run_that_kills_its_worker_process_is_isolated_and_recorded(local, short, tmp_path):
    runs = 6
    runner = "campaign_testutil:exit_on_odd_seed"
    res = run_campaign(Campaign(short, runs, seed=SEED, runner=runner), tmp_path, workers=2,
                       progress=False)
    assert len(res.rows) == runs
    for row, ref in zip(res.rows, local.rows[:runs], strict=True):
        if row["seed"] % 2:
            assert row["outcome"] == "failed" and "WorkerLostError" in row["error"]
        else:
            assert row == ref  # innocent bystanders of a broken pool are run again


def test_a_runner_breaking_the_interface_gives_failed_rows(short, tmp_path) -> None:
    res = run_campaign(Campaign(short, 2, seed=SEED, runner="campaign_testutil:returns_garbage"),
                       tmp_path, workers=0, progress=False)
    assert [r["outcome"] for r in res.rows] == ["failed", "failed"]
    assert "not a mapping" in res.rows[0]["error"]
    runner = "campaign_testutil:returns_unserialisable"
    res = run_campaign(Campaign(short, 2, seed=SEED, runner=runner), tmp_path / "b", workers=1,
                       progress=False)
    assert [r["outcome"] for r in res.rows] == ["failed", "failed"]
    assert "not JSON-able" in res.rows[0]["error"]


def test_cli_campaign_writes_rows_summary_and_report(tmp_path, capsys) -> None:
    out = tmp_path / "cli"
    argv = ["campaign", str(SHORT), "--runner", "mission", "--runs", "4", "--workers", "0",
            "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "P(success)" in text and "report:" in text
    summary = json.loads((out / "report" / "summary.json").read_text())
    assert summary["runs"] == 4
    page = (out / "report" / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') >= 3  # self-contained: plots embedded
    assert not list((out / "report").glob("*.png"))
    assert len((out / "runs.csv").read_text().splitlines()) == 5


@pytest.mark.parametrize(
    "argv",
    [
        ["--runs", "0"],
        ["--runs", "2", "--workers", "1", "--scheduler", "tcp://127.0.0.1:1"],
        ["--runs", "2", "--runner", "no.such.module:f"],
        ["--runs", "2", "--runner", "nonsense"],
        [],
    ],
)
def test_cli_user_errors_exit_2(argv: list[str], tmp_path, capsys) -> None:
    assert main(["campaign", str(SHORT), "--out", str(tmp_path), *argv]) == 2
    assert "error:" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_a_user_error() -> None:
    pytest.importorskip("distributed")
    from fsw_tools.campaign.backends import DaskBackend

    with pytest.raises(UserError, match="cannot reach the Dask scheduler"):
        DaskBackend("tcp://127.0.0.1:1", connect_timeout_s=1.0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_campaign_leaves_no_worker_running(short, tmp_path, how) -> None:
    """The campaign process stopped (SIGTERM as pkill sends, or SIGKILL) while
    its two local workers fly runs: the workers end within seconds instead
    of flying on (and taking new runs) for nobody."""
    import psutil

    out = tmp_path / f"stopped-{int(how)}"
    path = os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fsw_tools.cli", "campaign", str(SHORT), "--runs", str(RUNS),
         "--seed", str(SEED), "--workers", "2", "--runner", "campaign_testutil:slow_mission",
         "--out", str(out), "--no-progress", "--no-report"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    workers: list = []
    try:
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline and proc.poll() is None:
            rows = out / ROWS_FILE
            if rows.exists() and rows.read_bytes().count(b"\n") >= 1:
                workers = psutil.Process(proc.pid).children(recursive=True)
                if len(workers) >= 2:
                    break
            time.sleep(0.02)
        assert proc.poll() is None and len(workers) >= 2, proc.stderr.read().decode()[-2000:]
        proc.send_signal(how)
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(workers, timeout=15.0)
        assert not alive, [p.cmdline()[-1:] for p in alive]
    finally:
        for p in workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        proc.kill()
        proc.wait(timeout=30)
        proc.stderr.close()
