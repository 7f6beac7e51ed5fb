"""Confidence intervals checked against SciPy and against their coverage."""

from __future__ import annotations

import numpy as np
import pytest
from fsw_tools.campaign.stats import (
    TOO_SMALL,
    fault_groups,
    quantile_ci,
    summarize,
    t_interval,
    wilson,
)
from scipy import stats


@pytest.mark.parametrize(("k", "n"), [(0, 20), (7, 20), (20, 20), (1, 3), (950, 1000)])
@pytest.mark.parametrize("conf", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy(k: int, n: int, conf: float) -> None:
    ref = stats.binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
    lo, hi = wilson(k, n, conf)
    assert lo == pytest.approx(ref.low, abs=1e-12)
    assert hi == pytest.approx(ref.high, abs=1e-12)


def test_t_interval_matches_scipy() -> None:
    x = np.random.default_rng(3).normal(5.0, 2.0, 17)
    mean, lo, hi = t_interval(x, 0.95)
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (lo, hi) == pytest.approx(ref, rel=1e-10)
    assert mean == pytest.approx(x.mean())


@pytest.mark.parametrize(("q", "n"), [(0.05, 80), (0.5, 25), (0.95, 120)])
def test_quantile_interval_covers_as_the_binomial_law_says(q: float, n: int) -> None:
    # exact coverage of the chosen ranks from scipy's binomial law; the
    # simulated coverage must agree with it and be >= the confidence level
    rng = np.random.default_rng(11)
    true_q = stats.expon.ppf(q)
    trials, hits, exact = 2000, 0, None
    for _ in range(trials):
        x = rng.exponential(size=n)
        _, lo, hi = quantile_ci(x, q, 0.9)
        if exact is None:
            xs = np.sort(x)
            l_rank = 0 if lo is None else int(np.searchsorted(xs, lo)) + 1
            u_rank = n + 1 if hi is None else int(np.searchsorted(xs, hi)) + 1
            exact = stats.binom.cdf(u_rank - 1, n, q) - stats.binom.cdf(l_rank - 1, n, q)
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
        hits += lo <= true_q <= hi
    assert exact >= 0.9
    sigma = np.sqrt(exact * (1 - exact) / trials)
    assert abs(hits / trials - exact) < 4 * sigma + 1e-9


def test_quantile_interval_open_when_the_sample_is_too_small() -> None:
    est, lo, hi = quantile_ci(np.arange(10.0), 0.01, 0.95)
    assert lo is None and hi is not None and est == 0.0


@pytest.mark.parametrize("n", [2, 3, 5, 20, 200])
@pytest.mark.parametrize("q", [0.01, 0.05, 0.5, 0.95, 0.99])
def test_intervals_contain_their_estimates_or_say_n_too_small(n: int, q: float) -> None:
    rng = np.random.default_rng(n)
    x = rng.lognormal(5.0, 0.6, n)  # positive and skewed, like a minimum range
    est, lo, hi = quantile_ci(x, q)
    if lo is not None and hi is not None:
        assert lo <= est <= hi
    rows = [{"index": i, "seed": i, "outcome": "success", "min_range_m": float(v),
             "dv_mps": float(v), "time_to_first_track_s": None, "faults": []}
            for i, v in enumerate(x)]
    d = summarize(rows)["min_range_m"]
    for key in ("p01", "p05"):
        ci = d[f"{key}_ci"]
        assert ci == TOO_SMALL or ci[0] <= d[key] <= ci[1]
    if n < 5:
        assert d["mean_ci"] == TOO_SMALL  # the issue's n = 2: no [-2408, 3111] m for a range
    else:
        assert d["mean_ci"][0] <= d["mean"] <= d["mean_ci"][1]


def test_faults_group_by_event_whatever_their_time_and_numbers() -> None:
    rows = [{"seed": 1, "faults": ["autonomy#404: predicted closest approach 20 m inside",
                                   "autonomy#401: COMMISSIONING -> SAFE: collision avoidance"]},
            {"seed": 2, "faults": ["autonomy#404: predicted closest approach 31 m inside",
                                   "autonomy#404: predicted closest approach 12 m inside"]},
            {"seed": 3, "faults": []}]
    g = fault_groups(rows)
    assert list(g) == ["autonomy#404", "autonomy#401"]
    assert (g["autonomy#404"]["runs"], g["autonomy#404"]["occurrences"]) == (2, 3)
    assert g["autonomy#404"]["seeds"] == [1, 2]


def _row(i: int, outcome: str, rng_m: float | None, dv: float | None) -> dict:
    return {"index": i, "seed": i, "outcome": outcome, "min_range_m": rng_m, "dv_mps": dv,
            "time_to_first_track_s": None if rng_m is None else 100.0 + i,
            "faults": ["thruster_residual@5s"] if i == 2 else [], "error": None}


def test_summarize_counts_failed_runs_as_unsuccessful_and_skips_their_metrics() -> None:
    rows = [_row(0, "success", 150.0, 8.0), _row(1, "success", 170.0, 9.0),
            _row(2, "keep_out", 60.0, 9.5), _row(3, "failed", None, None)]
    s = summarize(rows)
    assert s["outcomes"] == {"success": 2, "keep_out": 1, "failed": 1}
    assert s["p_success"] == 0.5
    assert s["p_success_ci"] == pytest.approx(list(wilson(2, 4)))
    assert s["min_range_m"]["n"] == 3 and s["min_range_m"]["min"] == 60.0
    assert s["dv_mps"]["mean"] == pytest.approx(26.5 / 3)
    assert s["time_to_first_track_s"]["never"] == 0
    assert s["fault_counts"] == {"thruster_residual": 1}


def test_summarize_gives_issue_15s_delta_v_and_first_attempt_holds() -> None:
    """Δv to the inspection (median, p95 by the same order statistics as the
    other metrics) and the runs whose every hold was reached at the first
    attempt (no correction leg), failed runs left out."""
    rows = [{**_row(i, "success", 250.0, 6.0), "dv_to_inspection_mps": 5.0 + 0.1 * i,
             "hold_corrections": 1 if i == 3 else 0} for i in range(40)]
    rows.append({**_row(40, "failed", None, None), "hold_corrections": 0})
    # a run that went safe before the inspection: no corrections, yet not
    # every hold reached (campaign c1 printed "100/99")
    rows.append({**_row(41, "safe", 900.0, 3.0), "dv_to_inspection_mps": None,
                 "hold_corrections": 0})
    s = summarize(rows)
    d = s["dv_to_inspection_mps"]
    assert d["n"] == 40 and d["median"] == pytest.approx(5.0 + 0.1 * 19.5)
    assert d["p95"] == pytest.approx(quantile_ci([5.0 + 0.1 * i for i in range(40)], 0.95)[0])
    assert s["holds_first_attempt_runs"] == 39 and s["holds_runs"] == 41
