"""Issue #21, acceptance 2: in a terminal, every long step of the commands
shows its progress. Each command runs in a pseudo-terminal (80 x 24) as a
user would start it; ``FSW_PROGRESS_DELAY=0`` lets the small inputs of a test
draw the bars that a real run draws after a second. The test reads what the
terminal received and looks for each step's bar."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "short_run"


def in_terminal(argv: list[str], cwd: Path, timeout: float = 600.0) -> tuple[int, str]:
    """Run ``fsw argv`` with a pty as its terminal; (exit status, screen bytes)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "FSW_PROGRESS_DELAY": "0", "TERM": "xterm"}
    env.pop("FSW_PROGRESS", None)
    proc = subprocess.Popen([sys.executable, "-m", "fsw_tools.cli", *argv], stdin=slave,
                            stdout=slave, stderr=slave, cwd=cwd, env=env, close_fds=True)
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return rc, out.decode("utf-8", "replace")


def _bars(screen: str) -> str:
    return screen.replace("\r", "\n")


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tty")
    shutil.copytree(DATA, d / "run")
    return d


def test_fsw_run_shows_mission_progress(work: Path) -> None:
    rc, screen = in_terminal(["run", "--test-keys", "short_inspection", "--duration", "60", "--out",
                              str(work / "r")], work)
    assert rc == 0, screen[-2000:]
    assert "sim s" in screen and "COMMISSIONING" in screen


def test_decode_shows_each_step(work: Path) -> None:
    rc, screen = in_terminal(["decode", "run", "--csv", "csv", "--parquet", "pq", "--pcap",
                              "x.pcap"], work)
    assert rc == 0, screen[-2000:]
    for step in ("reading the archive", "writing the pcap", "decoding", "writing CSV",
                 "writing Parquet"):
        assert step in screen, (step, _bars(screen)[-1500:])
    assert "row" in screen  # CSV and Parquet count rows


def test_plot_and_report_show_each_step(work: Path) -> None:
    rc, screen = in_terminal(["plot", "run"], work)
    assert rc == 0, screen[-2000:]
    assert all(s in screen for s in ("reading the archive", "decoding", "drawing")), screen
    assert "plot" in screen
    rc, screen = in_terminal(["report", "run"], work)
    assert rc == 0, screen[-2000:]
    assert all(s in screen for s in ("reading the archive", "decoding", "drawing")), screen


def test_replay_verify_shows_the_ticks(work: Path) -> None:
    import fsw_tools

    fsw_tools.fly("short_inspection", duration_s=30.0, out=work / "fresh")
    rc, screen = in_terminal(["replay", "fresh", "--verify"], work)
    assert rc == 0, screen[-2000:]
    assert "replaying leg 2" in screen and "tick" in screen


def test_campaign_bar_moves_within_runs(work: Path) -> None:
    # runs of a few seconds each (1800 s of orbit), so that the bar's 0.5 s polls land
    # inside a run: at 300 s a run took less than one poll once the loop got faster (#18)
    rc, screen = in_terminal(["campaign", "short_inspection", "--runs", "2", "--workers", "1",
                              "--duration", "1800", "--out", str(work / "camp"),
                              "--no-report"], work)
    assert rc == 0, screen[-2000:]
    counts = {ln.split("|")[-1].split("/")[0].strip() for ln in _bars(screen).splitlines()
              if "short_inspection" in ln and "|" in ln}
    fractions = {c for c in counts if c not in ("0.0", "1.0", "2.0")}
    assert fractions, counts  # e.g. 0.4/2: the bar moved before a run ended


def test_bench_qemu_shows_each_step(work: Path) -> None:
    from hil.board import firmware_tools_missing

    missing = firmware_tools_missing()
    if missing:
        pytest.skip(f"fsw bench --qemu needs the ARM toolchain and QEMU: {missing}")
    rc, screen = in_terminal(["bench", "--qemu", "--calls", "30"], work)
    assert rc == 0, screen[-2000:]
    for step in ("building the firmware", "starting QEMU", "timing 30 guidance calls",
                 "back-to-back comparison"):
        assert step in screen, (step, _bars(screen)[-1500:])
