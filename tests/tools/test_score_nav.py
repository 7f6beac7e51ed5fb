"""tools/mission/score_nav.py against known statistics: errors drawn from the
covariance the estimate reports give an average NEES of 3 and 3-sigma
containment of 0.9973^3; errors twice too large give an NEES near 12; truth
samples a tenth of a second off the navigation cycle are paired and carried
by their velocity; the campaign statistics use the chi-square band of the
number of runs."""

from __future__ import annotations

import numpy as np
import pytest
from fsw_tools.mission.score_nav import NavScore, nav_stats, nees_band
from scipy.stats import chi2


def _feed(scale: float, n: int = 4000, seed: int = 2) -> NavScore:
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(3, 3))
    P = A @ A.T + np.eye(3)
    L = np.linalg.cholesky(P)
    cov = (P[0, 0], P[0, 1], P[0, 2], P[1, 1], P[1, 2], P[2, 2])
    s = NavScore()
    for k in range(n):
        t = 1000.0 + k
        r = np.array([10.0, -2000.0 + k * 0.1, 5.0])
        v = np.array([0.0, 0.1, 0.0])
        e = scale * (L @ rng.normal(size=3))
        s.on_nav(t, 1, 2, r + e, cov, 3.0)
        # the truth 0.1 s later, carried back by its velocity
        s.on_truth(t + 0.1, r + 0.1 * v, v, float(np.linalg.norm(r)))
    return s


def test_consistent_errors_give_nees_three_and_expected_containment() -> None:
    f = _feed(1.0).figures()
    assert f["relnav_epochs"] == 4000
    assert f["nees_mean"] == pytest.approx(3.0, abs=0.15)
    assert f["contain_3sigma"] == pytest.approx(0.9973**3, abs=0.005)
    assert f["nis_mean"] == 3.0


def test_overconfident_errors_are_caught() -> None:
    f = _feed(2.0).figures()
    assert f["nees_mean"] == pytest.approx(12.0, rel=0.06)
    assert f["contain_3sigma"] < 0.9


def test_campaign_band_and_stats() -> None:
    lo, hi = nees_band(100)
    assert lo == pytest.approx(chi2.ppf(0.025, 300) / 100)
    assert hi == pytest.approx(chi2.ppf(0.975, 300) / 100)
    rows = [{"nav": {"nees_mean": 3.0 + 0.01 * k, "contain_3sigma": 0.99, "nis_mean": 3.0,
                     "err_frac_p99_5km": 0.005}} for k in range(10)]
    st = nav_stats([*rows, {"nav": None}])
    assert st["runs"] == 10 and st["nees_in_band"]
    assert st["nees_band_95"] == pytest.approx(list(nees_band(10)))
    # pooled containment weights each run by its epochs
    rows = [{"nav": {"nees_mean": 3.0, "contain_3sigma": 1.0, "relnav_epochs": 300}},
            {"nav": {"nees_mean": 3.0, "contain_3sigma": 0.96, "relnav_epochs": 100}}]
    st = nav_stats(rows)
    assert st["contain_3sigma_pooled"] == pytest.approx((300 + 96) / 400)
    assert st["contain_3sigma_mean"] == pytest.approx(0.98)
    assert st["contain_3sigma_runs_below_99"] == 1 and st["contain_3sigma_min"] == 0.96
