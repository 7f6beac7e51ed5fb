"""Per-run seeds and dispersion draws: distinct, deterministic, with the
declared distributions, independent per key."""

from __future__ import annotations

import math

import numpy as np
import pytest
from campaign_testutil import SHORT
from fsw_tools.campaign.dispersions import apply_overrides, run_seed, sample
from fsw_tools.campaign.scenarios import build, dispersed, nominal, read_scenario
from scipy import stats

from fsw.errors import UserError

NOMINAL = {"a": {"x_m": 10.0, "v": [1.0, 2.0, 3.0], "count": 4, "name": "n"}, "b": 5.0}


def test_run_seeds_are_distinct_32_bit_and_keyed_by_the_campaign_seed() -> None:
    seeds = [run_seed(7, i) for i in range(20000)]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**32 for s in seeds)
    assert seeds[:50] == [run_seed(7, i) for i in range(50)]
    other = [run_seed(8, i) for i in range(50)]
    assert len(set(seeds[:50]) & set(other)) == 0


def test_run_seed_rejects_bad_input() -> None:
    with pytest.raises(UserError):
        run_seed(-1, 0)
    with pytest.raises(UserError):
        run_seed(1, 2**32)


def test_normal_dispersion_adds_zero_mean_noise_of_sigma() -> None:
    spec = [{"key": "a.x_m", "dist": "normal", "sigma": 2.0}]
    draws = np.array([sample(spec, NOMINAL, s)["a.x_m"] for s in range(4000)]) - 10.0
    # Kolmogorov-Smirnov against N(0, 2): the draws are what was declared
    assert stats.kstest(draws, "norm", args=(0.0, 2.0)).pvalue > 1e-3


def test_a_normal_dispersion_may_give_each_element_its_sigma() -> None:
    """``sigma`` as a list (the default mission's insertion: radial,
    along-track, cross-track): each element N(0, its sigma), independent; a
    scalar sigma on the same key draws the same standard normals."""
    spec = [{"key": "a.v", "dist": "normal", "sigma": [0.5, 20.0, 0.0]}]
    draws = np.array([sample(spec, NOMINAL, s)["a.v"] for s in range(4000)]) - [1.0, 2.0, 3.0]
    assert stats.kstest(draws[:, 0], "norm", args=(0.0, 0.5)).pvalue > 1e-3
    assert stats.kstest(draws[:, 1], "norm", args=(0.0, 20.0)).pvalue > 1e-3
    assert np.all(draws[:, 2] == 0.0)
    assert abs(np.corrcoef(draws[:, 0], draws[:, 1])[0, 1]) < 0.1
    one = sample([{"key": "a.v", "sigma": 1.0}], NOMINAL, 9)["a.v"]
    per = sample([{"key": "a.v", "sigma": [1.0, 1.0, 1.0]}], NOMINAL, 9)["a.v"]
    assert per == one


def test_uniform_dispersion_is_element_wise_within_bounds() -> None:
    spec = [{"key": "a.v", "dist": "uniform", "low": -0.5, "high": 0.25}]
    draws = np.array([sample(spec, NOMINAL, s)["a.v"] for s in range(3000)]) - [1.0, 2.0, 3.0]
    assert draws.min() >= -0.5 and draws.max() <= 0.25
    for col in draws.T:
        assert stats.kstest(col, "uniform", args=(-0.5, 0.75)).pvalue > 1e-3
    # the three elements are independent draws, not one draw repeated
    assert abs(np.corrcoef(draws[:, 0], draws[:, 1])[0, 1]) < 0.1


def test_adding_a_dispersion_leaves_the_other_draws_unchanged() -> None:
    one = [{"key": "a.x_m", "sigma": 1.0}]
    two = [{"key": "b", "dist": "uniform", "low": 0.0, "high": 1.0}, *one]
    for s in range(20):
        assert sample(one, NOMINAL, s)["a.x_m"] == sample(two, NOMINAL, s)["a.x_m"]


def test_same_seed_same_draws_other_seed_other_draws() -> None:
    spec = [{"key": "a.x_m", "sigma": 1.0}]
    assert sample(spec, NOMINAL, 3) == sample(spec, NOMINAL, 3)
    assert sample(spec, NOMINAL, 3) != sample(spec, NOMINAL, 4)


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"key": "a.count", "sigma": 1.0}, "only real numbers"),
        ({"key": "a.name", "sigma": 1.0}, "only real numbers"),
        ({"key": "a.nope", "sigma": 1.0}, "no scenario key"),
        ({"key": "a.x_m", "dist": "weibull"}, "dist must be"),
        ({"key": "a.x_m", "sigma": -1.0}, "sigma must be >= 0"),
        ({"key": "a.x_m", "dist": "uniform", "low": 1.0, "high": 0.0}, "must not exceed"),
        ({"key": "", "sigma": 1.0}, "dotted scenario key"),
        ({"key": "a.v", "sigma": [1.0, 2.0]}, "lists 2 values for 3 elements"),
        ({"key": "a.v", "sigma": [1.0, -2.0, 0.0]}, "sigma must be >= 0"),
        ({"key": "a.v", "sigma": [1.0, "x", 0.0]}, r"sigma\[1\] must be a finite number"),
    ],
)
def test_bad_dispersions_are_user_errors(spec: dict, match: str) -> None:
    with pytest.raises(UserError, match=match):
        sample([spec], NOMINAL, 1)


def test_apply_overrides_copies_and_rejects_unknown_keys() -> None:
    out = apply_overrides(NOMINAL, {"a.x_m": 11.0, "b": 6.0})
    assert out["a"]["x_m"] == 11.0 and out["b"] == 6.0
    assert NOMINAL["a"]["x_m"] == 10.0
    with pytest.raises(UserError, match="no scenario key"):
        apply_overrides(NOMINAL, {"a.y": 1.0})


def test_scenario_dispersions_reach_the_built_scenario() -> None:
    src = read_scenario(str(SHORT))
    ov = dispersed(src.text, 42)
    assert set(ov) == {d["key"] for d in nominal(src.text)["dispersions"]}
    sc = build(src.text, 42, ov)
    assert sc.mission.seed == 42
    assert sc.chaser.mass_kg == ov["chaser.mass_kg"]
    assert sc.insertion.position_hill_m == ov["insertion.position_hill_m"]
    assert not math.isclose(sc.chaser.mass_kg, 300.0, abs_tol=1e-12)


def test_missing_scenario_is_a_user_error(tmp_path) -> None:
    with pytest.raises(UserError, match="not found"):
        read_scenario(str(tmp_path / "nope.toml"))
    with pytest.raises(UserError, match="no scenario file or built-in"):
        read_scenario("no_such_builtin")
    bad = tmp_path / "bad.toml"
    bad.write_text("[plan]\nkeep_out_m = -3\n")
    with pytest.raises(UserError, match="keep_out_m"):
        read_scenario(str(bad))
