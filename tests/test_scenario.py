"""Scenario loader: defaults, built-ins, and clear errors naming the key."""

from __future__ import annotations

import re

import numpy as np
import pytest

from fsw import scenario
from fsw.errors import UserError


def test_builtin_default_loads_and_matches_code_defaults() -> None:
    sc = scenario.load_builtin()
    assert sc.source == "builtin:victus_haze"
    # the file repeats the code defaults: the data sheet and the code agree
    d = scenario.Scenario()
    assert sc.plan == d.plan
    assert np.allclose(sc.chaser.wheels.axes_b, d.chaser.wheels.axes_b, atol=1e-11)
    assert sc.chaser.rcs == d.chaser.rcs
    assert sc.mission.notice_to_launch_s == 16 * 3600 + 42 * 60


def test_every_builtin_is_valid() -> None:
    names = scenario.builtin_names()
    assert "victus_haze" in names
    for name in names:
        scenario.load_builtin(name)


def test_epoch_to_tai_against_mjd() -> None:
    # MJD 61192 (2026-06-01) - MJD 36204 (1958-01-01) = 24988 days; TAI-UTC = 37 s
    assert scenario.utc_to_tai("2026-06-01T00:00:00Z") == 24988 * 86400 + 37


def test_empty_dict_gives_defaults() -> None:
    sc = scenario.from_dict({})
    assert sc.plan.keep_out_m == 100.0
    assert sc.faults == []


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"plan": {"keep_outm": 1.0}}, "plan.keep_outm"),
        ({"plan": {"keep_out_m": "far"}}, "plan.keep_out_m"),
        ({"plan": {"keep_out_m": -1.0}}, "plan.keep_out_m"),
        ({"plan": {"inspection_radius_m": 110.0}}, "plan.inspection_radius_m"),
        ({"rates": {"nav_hz": 3.0}}, "rates.nav_hz"),
        ({"insertion": {"position_hill_m": [1.0, 2.0]}}, "insertion.position_hill_m"),
        ({"faults": [{"kind": "meteor"}]}, "faults[0].kind"),
        ({"faults": [{"kind": "wheel_fail", "index": 9}]}, "faults[0].index"),
        (
            {"chaser": {"wheels": {"axes_b": [[1.0, 0, 0], [0, 2.0, 0], [0, 0, 1.0]]}}},
            "chaser.wheels.axes_b[1]",
        ),
        ({"mission": {"epoch_utc": "yesterday"}}, "yesterday"),
        ({"mission": {"seed": True}}, "mission.seed"),
        ({"dispersions": [{"key": "plan.nope"}]}, "dispersions[0].key"),
    ],
)
def test_bad_values_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(UserError, match=re.escape(key)):
        scenario.from_dict(data)


def test_file_errors(tmp_path) -> None:
    with pytest.raises(UserError, match="not found"):
        scenario.load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[plan\nkeep_out_m = 1\n")
    with pytest.raises(UserError, match="not valid TOML"):
        scenario.load(bad)
    with pytest.raises(UserError, match="no built-in scenario"):
        scenario.resolve("no_such_scenario")


def test_override_replaces_and_validates() -> None:
    sc = scenario.override(scenario.load_builtin(), plan__keep_out_m=50.0)
    assert sc.plan.keep_out_m == 50.0
    with pytest.raises(UserError, match=r"plan\.nope"):
        scenario.override(sc, plan__nope=1)
    with pytest.raises(UserError, match=r"plan\.keep_out_m"):
        scenario.override(sc, plan__keep_out_m=0.0)
