"""``fsw run``: the run directory (archive readable by the archive reader,
summary.json with the documented keys, the scenario as flown, re-loadable),
the printed summary, and user errors as one-line messages."""

from __future__ import annotations

import json

from fsw_tools.archive import read_archive
from fsw_tools.cli import main

from fsw import scenario


def test_fsw_run_writes_the_run_directory(tmp_path, capsys) -> None:
    out = tmp_path / "run1"
    rc = main(["run", "short_inspection", "--duration", "200", "--out", str(out), "--quiet",
               "--test-keys"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "Phase timeline" in printed and "Packet-stream hash" in printed
    summ = json.loads((out / "summary.json").read_text())
    for key in ("outcome", "phases", "delta_v_m_s", "min_range_m", "packet_hash", "packets",
                "notice_to_launch_s", "pointing_error_inspection_deg", "keep_out_radius_m"):
        assert key in summ
    arc = read_archive(out / "packets.fswarc")
    assert len(arc) == summ["packets"]
    assert arc.torn is None
    flown = scenario.load(out / "scenario.toml")
    assert flown.plan == scenario.load_builtin("short_inspection").plan


def test_fsw_run_user_errors(tmp_path, capsys) -> None:
    assert main(["run", "--test-keys", "no_such_scenario", "--out", str(tmp_path / "x")]) == 2
    assert "no built-in scenario" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[plan]\nkeep_out_m = -5\n")
    assert main(["run", "--test-keys", str(bad), "--out", str(tmp_path / "y")]) == 2
    assert "plan.keep_out_m" in capsys.readouterr().err
    assert main(["run", "--test-keys", "--duration", "-1", "--out", str(tmp_path / "z")]) == 2
