"""Issue #10: any campaign run is reproducible alone from its row with
``fsw run SCENARIO --seed N --dispersed``, through the command line."""

from __future__ import annotations

import json

from campaign_testutil import DATA
from fsw_tools.campaign.engine import Campaign, run_campaign
from fsw_tools.campaign.scenarios import read_scenario
from fsw_tools.cli import main

MISSION_SHORT = DATA / "mission_short.toml"


def test_fsw_run_dispersed_reproduces_a_campaign_row(tmp_path, capsys) -> None:
    res = run_campaign(Campaign(read_scenario(str(MISSION_SHORT)), 2, seed=5, runner="mission"),
                       tmp_path / "campaign", workers=1, progress=False)
    row = res.rows[1]
    assert row["error"] is None
    out = tmp_path / "run"
    rc = main(["run", str(MISSION_SHORT), "--seed", str(row["seed"]), "--dispersed",
               "--test-keys", "--quiet", "--out", str(out)])
    assert rc == 0
    printed = capsys.readouterr().out
    for key in row["overrides"]:
        assert f"dispersed {key} = " in printed
    summ = json.loads((out / "summary.json").read_text())
    assert summ["packet_hash"] == row["packet_hash"]
    assert summ["min_range_m"] == row["min_range_m"]
    assert summ["delta_v_m_s"] == row["dv_mps"]
    # Without --dispersed the same seed flies the nominal scenario: another stream.
    rc = main(["run", str(MISSION_SHORT), "--seed", str(row["seed"]), "--quiet",
               "--test-keys", "--no-archive", "--out", str(tmp_path / "nominal")])
    assert rc == 0
    nominal = json.loads((tmp_path / "nominal" / "summary.json").read_text())
    assert nominal["packet_hash"] != row["packet_hash"]
    # ... and says so, naming the flag that draws them
    printed = capsys.readouterr().out
    assert "nominal values" in printed and "--dispersed" in printed


def test_dispersed_without_seed_is_a_user_error(tmp_path, capsys) -> None:
    rc = main(["run", "--test-keys", str(MISSION_SHORT), "--dispersed",
               "--out", str(tmp_path / "x")])
    assert rc == 2
    assert "--dispersed needs --seed" in capsys.readouterr().err
