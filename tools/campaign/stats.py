"""Summary statistics of a campaign, each with a confidence interval.

* probability of success: Wilson score interval (Wilson 1927), good at small
  counts and at 0 or n successes where the normal interval collapses;
* means: Student-t interval; the t quantile from the closed-form CDF for
  integer degrees of freedom (Abramowitz & Stegun 26.7.3-4) inverted by
  bisection, or the Cornish-Fisher series (26.7.5) for many degrees of freedom,
  so no SciPy is needed at run time;
* quantiles (a low percentile of the minimum range, a high one of Δv):
  distribution-free order-statistic interval (the ranks whose binomial
  probabilities bracket the quantile; e.g. Conover, Practical Nonparametric
  Statistics, 3.2), exact and with no resampling noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

__all__ = ["quantile_ci", "student_t_cdf", "student_t_ppf", "summarize", "t_interval", "wilson"]


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes}/{n}")
    z = _z(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def student_t_cdf(t: float, df: int) -> float:
    """CDF of Student's t with integer ``df`` >= 1 (closed form, a sum of df/2
    terms: accurate to 1e-12 up to several hundred degrees of freedom)."""
    if df < 1:
        raise ValueError(f"df must be >= 1, got {df}")
    theta = math.atan(abs(t) / math.sqrt(df))
    c, s = math.cos(theta), math.sin(theta)
    if df % 2 == 1:
        total, term = 0.0, c
        if df > 1:
            total = term
            for k in range(3, df - 1, 2):
                term *= c * c * (k - 1) / k
                total += term
        a = 2.0 / math.pi * (theta + s * total)
    else:
        total, term = 1.0, 1.0
        for k in range(2, df - 1, 2):
            term *= c * c * (k - 1) / k
            total += term
        a = s * total
    return 0.5 + 0.5 * a if t >= 0 else 0.5 - 0.5 * a


def student_t_ppf(p: float, df: int) -> float:
    """Quantile of Student's t: bisection on :func:`student_t_cdf`, or beyond
    100 degrees of freedom the Cornish-Fisher series of A&S 26.7.5 (error
    below 1e-10 there)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    if p < 0.5:
        return -student_t_ppf(1.0 - p, df)
    if df > 100:
        z = NormalDist().inv_cdf(p)
        g1 = (z**3 + z) / 4
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
        g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
        g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
        return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
    lo, hi = 0.0, 1.0
    while student_t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if student_t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def t_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): Student-t interval of the mean (needs 2 values)."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        raise ValueError("a t interval needs at least 2 values")
    mean = float(x.mean())
    t = student_t_ppf(0.5 + confidence / 2.0, x.size - 1)
    half = t * float(x.std(ddof=1)) / math.sqrt(x.size)
    return mean, mean - half, mean + half


def _binom_cdf_all(n: int, p: float) -> np.ndarray:
    """P(B <= k) for k = 0..n, B ~ Bin(n, p) (pmf in log space, O(n))."""
    k = np.arange(n + 1)
    lgam = np.frompyfunc(math.lgamma, 1, 1)
    logpmf = (math.lgamma(n + 1) - lgam(k + 1).astype(float) - lgam(n - k + 1).astype(float)
              + k * math.log(p) + (n - k) * math.log1p(-p))
    return np.minimum(1.0, np.cumsum(np.exp(logpmf)))


def quantile_ci(values: Sequence[float], q: float, confidence: float = 0.95
                ) -> tuple[float, float | None, float | None]:
    """(estimate, low, high) of the ``q`` quantile. The interval is
    [x_(l), x_(u)] (order statistics, 1-based) with l the largest rank with
    P(B <= l-1) <= alpha/2 and u the smallest with P(B <= u-1) >= 1-alpha/2,
    B ~ Bin(n, q), so it covers the quantile with probability >= ``confidence``;
    a bound is None when the sample is too small to give it."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0 or not 0.0 < q < 1.0:
        raise ValueError("need values and 0 < q < 1")
    estimate = float(np.quantile(x, q))
    alpha = 1.0 - confidence
    cdf = _binom_cdf_all(n, q)[:n]  # P(B <= rank - 1) for rank = 1..n
    low_rank = int(np.count_nonzero(cdf <= alpha / 2))
    above = np.flatnonzero(cdf >= 1 - alpha / 2)
    low = float(x[low_rank - 1]) if low_rank >= 1 else None
    high = float(x[above[0]]) if above.size else None
    return estimate, low, high


def _numbers(rows: Sequence[Mapping[str, Any]], key: str) -> list[float]:
    return [float(r[key]) for r in rows if isinstance(r.get(key), int | float)
            and not isinstance(r.get(key), bool)]


def _describe(values: list[float], quantiles: Sequence[float], confidence: float
              ) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(values)}
    if not values:
        return out
    out.update(min=min(values), max=max(values), median=float(np.median(values)))
    if len(values) >= 2:
        mean, lo, hi = t_interval(values, confidence)
        out.update(mean=mean, mean_ci=[lo, hi], std=float(np.std(values, ddof=1)))
    else:
        out.update(mean=values[0], mean_ci=[None, None], std=None)
    for q in quantiles:
        est, lo, hi = quantile_ci(values, q, confidence)
        out[f"p{round(q * 100):02d}"] = est
        out[f"p{round(q * 100):02d}_ci"] = [lo, hi]
    return out


def summarize(rows: Sequence[Mapping[str, Any]], confidence: float = 0.95,
              success: str = "success") -> dict[str, Any]:
    """Statistics of campaign rows: outcome counts, success probability
    (failed runs count as unsuccessful), and the metrics of finished runs."""
    n = len(rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    faults: dict[str, int] = {}
    for r in rows:
        for f in r.get("faults") or []:
            kind = str(f).split("@", 1)[0]
            faults[kind] = faults.get(kind, 0) + 1
    out: dict[str, Any] = {"runs": n, "confidence": confidence, "outcomes": counts,
                           "fault_counts": faults}
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
    return out
