"""The report's hold-arrival table (issue #15, build 5) against hand-computed
misses: the true miss from TRUTH_RELATIVE carried to the arrival's time with
its own rate, the estimate's miss, and the retries of each hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fsw_tools.report import sections


def _tables(truth: bool = True) -> dict:
    arr = {
        "t_tai": np.array([1000.0, 5000.3, 6000.0]),
        "leg": ["to far hold", "correction to far hold", "to near hold"],
        "rho_planned_H": np.array([[0.0, -2000.0, 0.0], [0.0, -2000.0, 0.0],
                                   [0.0, -500.0, 0.0]]),
        "rho_est_H": np.array([[3.0, -2004.0, 0.0], [0.0, -2001.0, 0.0], [0.0, -500.0, 2.0]]),
        "correction": np.array([0, 1, 0]),
    }
    tr = {"t_tai": np.array([1000.0, 5000.0, 5001.0, 6000.0]),
          "r_H": np.array([[6.0, -2008.0, 0.0], [1.0, -2000.0, 0.0], [9.0, 9.0, 9.0],
                           [0.0, -500.0, -12.0]]),
          "v_H": np.array([[0.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 0.0],
                           [0.0, 0.0, 0.0]])}
    return {"HOLD_ARRIVAL": arr, **({"TRUTH_RELATIVE": tr} if truth else {})}


def test_true_miss_retries_and_estimate() -> None:
    rows = sections.holds(_tables(), t0=500.0)
    assert [r["leg"] for r in rows] == ["to far hold", "correction to far hold", "to near hold"]
    assert [r["hold"] for r in rows] == ["far hold", "far hold", "near hold"]
    assert rows[0]["t_s"] == 500.0
    assert rows[0]["est_miss_m"] == pytest.approx(5.0)          # (3, -4, 0)
    assert rows[0]["true_miss_m"] == pytest.approx(10.0)        # (6, -8, 0)
    # 0.3 s after the truth sample at 5000: carried by 10 m/s along-track
    assert rows[1]["true_miss_m"] == pytest.approx(math.hypot(1.0, 3.0))
    assert rows[2]["true_miss_m"] == pytest.approx(12.0)
    assert [r["retries"] for r in rows] == [1, 1, 0]
    assert rows[1]["correction"] and not rows[0]["correction"]


def test_no_truth_or_no_arrivals() -> None:
    rows = sections.holds(_tables(truth=False), t0=0.0)
    assert [r["true_miss_m"] for r in rows] == [None, None, None]
    assert rows[0]["est_miss_m"] == pytest.approx(5.0)
    assert sections.holds({}, t0=0.0) == []
    far = _tables()
    far["TRUTH_RELATIVE"]["t_tai"] = far["TRUTH_RELATIVE"]["t_tai"] + 10.0  # none within 0.5 s
    assert all(r["true_miss_m"] is None for r in sections.holds(far, t0=0.0))
