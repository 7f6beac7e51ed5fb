"""``fsw run`` as the ground tools see it: a run directory that ``fsw replay
--verify`` reproduces exactly, and a live run paced to the wall clock that a
scripted ``fsw ground`` console commands over the ground link."""

from __future__ import annotations

import io
import socket
import sys
import threading
import time
from pathlib import Path

from fsw_tools.cli import main

from fsw.packets.auth import new_key_file


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
        if port >= 65534:
            continue
        with socket.socket() as b:
            try:
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of ports")


def test_a_fsw_run_directory_replays_exactly(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert main(["run", "short_inspection", "--duration", "30", "--quiet", "--out", str(run),
                 "--test-keys"]) == 0
    assert (run / "composition.json").exists()
    capsys.readouterr()
    assert main(["replay", str(run), "--verify"]) == 0
    assert "replay reproduces the recording exactly" in capsys.readouterr().out


def test_live_console_commands_a_realtime_run(tmp_path: Path, monkeypatch, capsys) -> None:
    keyfile = tmp_path / "tc.keys"
    new_key_file(keyfile, [1, 2])
    port = _free_port_pair()
    rc: list[int] = []
    runner = threading.Thread(target=lambda: rc.append(main([
        "run", "short_inspection", "--duration", "40", "--quiet", "--no-archive",
        "--out", str(tmp_path / "run"), "--keys", str(keyfile),
        "--ground-port", str(port), "--insecure-ground", "--realtime", "4"])), daemon=True)
    runner.start()
    try:
        time.sleep(1.0)
        monkeypatch.setattr(sys, "stdin", io.StringIO("wait 0.5\nnoop\nwait-ack 15\n"))
        rc_console = main(["ground", f"tcp://127.0.0.1:{port}", "--keys", str(keyfile),
                           "--key-id", "2", "--no-hk"])
    finally:
        runner.join(60)
    out = capsys.readouterr().out
    assert rc_console == 0
    assert "> sent NOOP seq=0 auth_seq=1" in out
    assert "ACK NOOP seq=0 accepted" in out and "ACK NOOP seq=0 executed" in out
    assert rc == [0]


def test_live_options_refuse_bad_values(tmp_path: Path, capsys) -> None:
    assert main(["run", "--test-keys", "short_inspection", "--realtime", "0",
                 "--out", str(tmp_path / "a")]) == 2
    assert "--realtime" in capsys.readouterr().err
    assert main(["run", "--test-keys", "short_inspection", "--transport", "tcp", "--realtime", "2",
                 "--duration", "5", "--quiet", "--out", str(tmp_path / "b")]) == 2
    assert "inproc" in capsys.readouterr().err
