"""Summary statistics of a campaign, each with a confidence interval from
``scipy.stats``, or "n too small" when the sample cannot give one:

* probability of success: Wilson score interval (Wilson 1927; scipy's
  ``binomtest(...).proportion_ci(method="wilson")``), good at small counts and
  at 0 or n successes where the normal interval collapses;
* means: Student-t interval (``scipy.stats.t.interval``), given from
  ``MIN_N_MEAN`` values on (below, a t interval of a skewed quantity such as a
  range is wider than the data and may leave its physical domain);
* quantiles (a low percentile of the minimum range, a high one of Δv):
  distribution-free order-statistic interval [x_(l), x_(u)] whose ranks
  bracket the quantile with binomial probability >= the confidence
  (``scipy.stats.binom``; Conover, Practical Nonparametric Statistics, 3.2);
  the estimate is the order statistic x_(ceil(n q)), which always lies inside
  it. A sample too small for both ranks gives no interval.
* faults: grouped by event (``source#id``), counted once per run they
  happened in, with their occurrences and the first message seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from fsw_tools.mission.score_safety import campaign_stats
from scipy import stats

__all__ = ["MIN_N_MEAN", "fault_groups", "quantile_ci", "summarize", "t_interval", "wilson"]

#: fewest values a mean's interval is given for
MIN_N_MEAN = 5
#: what a summary holds in place of an interval the sample cannot give
TOO_SMALL = "n too small"


def _check(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes}/{n}")
    _check(confidence)
    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence,
                                                     method="wilson")
    return float(ci.low), float(ci.high)


def t_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): Student-t interval of the mean (needs 2 values)."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        raise ValueError("a t interval needs at least 2 values")
    _check(confidence)
    mean = float(x.mean())
    if float(x.std(ddof=1)) == 0.0:
        return mean, mean, mean
    lo, hi = stats.t.interval(confidence, x.size - 1, loc=mean, scale=stats.sem(x))
    return mean, float(lo), float(hi)


def quantile_ci(values: Sequence[float], q: float, confidence: float = 0.95
                ) -> tuple[float, float | None, float | None]:
    """(estimate, low, high) of the ``q`` quantile: the interval is
    [x_(l), x_(u)] (order statistics, 1-based) with l the largest rank with
    P(B <= l-1) <= alpha/2 and u the smallest with P(B <= u-1) >= 1-alpha/2,
    B ~ Bin(n, q), so it covers the quantile with probability >= ``confidence``;
    a bound is None when the sample is too small to give it. The estimate is
    x_(ceil(n q)), inside the interval whenever both bounds exist."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0 or not 0.0 < q < 1.0:
        raise ValueError("need values and 0 < q < 1")
    _check(confidence)
    estimate = float(np.quantile(x, q, method="inverted_cdf"))
    alpha = 1.0 - confidence
    cdf = stats.binom.cdf(np.arange(n), n, q)  # P(B <= rank - 1) for rank = 1..n
    low_rank = int(np.count_nonzero(cdf <= alpha / 2))
    above = np.flatnonzero(cdf >= 1 - alpha / 2)
    low = float(x[low_rank - 1]) if low_rank >= 1 else None
    high = float(x[above[0]]) if above.size else None
    return estimate, low, high


def fault_key(fault: str) -> tuple[str, str]:
    """(group, message) of a row's fault: ``"autonomy#404: text"`` groups by
    event (``autonomy#404``); an older ``"kind@time"`` by its kind."""
    text = str(fault)
    head, sep, rest = text.partition(": ")
    if sep and "#" in head:
        return head, rest
    return text.split("@", 1)[0], text


def fault_groups(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Faults by group: runs affected, occurrences, the first message, the
    first few seeds (most frequent first)."""
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        seen = set()
        for f in r.get("faults") or []:
            key, msg = fault_key(f)
            g = groups.setdefault(key, {"runs": 0, "occurrences": 0, "message": msg,
                                        "seeds": []})
            g["occurrences"] += 1
            if key not in seen:
                seen.add(key)
                g["runs"] += 1
                if len(g["seeds"]) < 5:
                    g["seeds"].append(r.get("seed"))
    return dict(sorted(groups.items(), key=lambda kv: (-kv[1]["runs"], kv[0])))


def _numbers(rows: Sequence[Mapping[str, Any]], key: str) -> list[float]:
    return [float(r[key]) for r in rows if isinstance(r.get(key), int | float)
            and not isinstance(r.get(key), bool)]


def _describe(values: list[float], quantiles: Sequence[float], confidence: float
              ) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(values)}
    if not values:
        return out
    out.update(min=min(values), max=max(values), median=float(np.median(values)),
               mean=float(np.mean(values)),
               std=float(np.std(values, ddof=1)) if len(values) >= 2 else None)
    out["mean_ci"] = (list(t_interval(values, confidence)[1:]) if len(values) >= MIN_N_MEAN
                      else TOO_SMALL)
    for q in quantiles:
        est, lo, hi = quantile_ci(values, q, confidence)
        out[f"p{round(q * 100):02d}"] = est
        out[f"p{round(q * 100):02d}_ci"] = [lo, hi] if lo is not None and hi is not None \
            else TOO_SMALL
    return out


def summarize(rows: Sequence[Mapping[str, Any]], confidence: float = 0.95,
              success: str = "success") -> dict[str, Any]:
    """Statistics of campaign rows: outcome counts, success probability
    (failed runs count as unsuccessful), and the metrics of finished runs."""
    n = len(rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    groups = fault_groups(rows)
    out: dict[str, Any] = {"runs": n, "confidence": confidence, "outcomes": counts,
                           "fault_counts": {k: g["runs"] for k, g in groups.items()},
                           "faults": groups}
    if n:
        k = counts.get(success, 0)
        lo, hi = wilson(k, n, confidence)
        out["p_success"] = k / n
        out["p_success_ci"] = [lo, hi]
    finished = [r for r in rows if r["outcome"] != "failed"]
    out["min_range_m"] = _describe(_numbers(finished, "min_range_m"), (0.01, 0.05), confidence)
    out["dv_mps"] = _describe(_numbers(finished, "dv_mps"), (0.95, 0.99), confidence)
    tracked = _numbers(finished, "time_to_first_track_s")
    out["time_to_first_track_s"] = _describe(tracked, (0.5, 0.95), confidence)
    out["time_to_first_track_s"]["never"] = len(finished) - len(tracked)
    # issue #15: Δv from insertion to the inspection's start, holds reached at
    # the first attempt (no correction leg flown)
    out["dv_to_inspection_mps"] = _describe(_numbers(finished, "dv_to_inspection_mps"),
                                            (0.5, 0.95), confidence)
    # (a run that never reached the inspection reached not every hold: it
    # does not count, whatever its corrections)
    out["holds_first_attempt_runs"] = sum(
        1 for r in finished
        if r.get("hold_corrections") == 0 and r.get("dv_to_inspection_mps") is not None)
    out["holds_runs"] = len(finished)
    from fsw_tools.mission.score_nav import nav_stats  # one-line hook (issue #15)

    out["navigation"] = nav_stats(finished)
    out["safety"] = campaign_stats(finished)
    from fsw_tools.mission.score_attitude import att_stats  # one-line hook (issue #17)

    out["attitude"] = att_stats(finished)
    from fsw_tools.mission.score_clock import clock_stats  # one-line hook (issue #17)

    out["clock"] = clock_stats(finished)
    return out
