"""Confidence intervals checked against SciPy and against their coverage."""

from __future__ import annotations

import numpy as np
import pytest
from fsw_tools.campaign.stats import (
    quantile_ci,
    student_t_cdf,
    student_t_ppf,
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


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 8, 19, 30, 99, 100, 101, 500, 10**6])
def test_student_t_matches_scipy(df: int) -> None:
    if df <= 500:  # the closed-form CDF (df/2 terms) serves the quantile up to df 100
        for t in (-3.0, -0.4, 0.0, 0.7, 2.5):
            assert student_t_cdf(t, df) == pytest.approx(stats.t.cdf(t, df), abs=1e-12)
    for p in (0.6, 0.95, 0.975, 0.995, 0.01):
        assert student_t_ppf(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)


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
    assert lo is None and hi is not None and est == pytest.approx(0.09)


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
