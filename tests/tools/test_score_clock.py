"""The clock scoring of a run (tools/mission/score_clock.py): estimates
paired with truth at equal times in either stream order, undisciplined
estimates left out, figures against a hand computation."""

from __future__ import annotations

import math

import pytest
from fsw_tools.mission.score_clock import ClockScore, clock_lines, clock_stats


def test_pairs_at_equal_times_in_either_order() -> None:
    s = ClockScore()
    s.on_truth(0.0, 0.0100)
    s.on_hk(0.0, 0, 0.0, 1.0)         # free running: not scored
    s.on_truth(10.0, 0.0101)
    s.on_hk(10.0, 1, 0.0101 + 2e-7, 1e-7)   # after its truth: 2 sigma
    s.on_hk(20.0, 3, 0.0102 - 4e-7, 1e-7)   # before its truth: 4 sigma
    s.on_truth(20.0, 0.0102)
    s.on_hk(30.0, 1, 0.0, 1e-7)       # no truth at 30 s: never paired
    f = s.figures()
    assert f["epochs"] == 2 and f["truth_offset0_s"] == 0.0100
    assert f["sync_after_s"] == 10.0
    assert f["err_abs_max_s"] == pytest.approx(4e-7, rel=1e-6)
    assert f["err_rms_s"] == pytest.approx(math.sqrt((4e-14 + 16e-14) / 2), rel=1e-6)
    assert f["contain_3sigma"] == 0.5
    assert f["nees"] == pytest.approx((4.0 + 16.0) / 2, rel=1e-6)
    (line,) = clock_lines(f)
    assert "+10.000 ms" in line and "after 10 s" in line
    st = clock_stats([{"clock": f}, {"clock": {"epochs": 0}}, {}])
    assert st["runs"] == 1 and st["contain_3sigma_min"] == 0.5


def test_nothing_to_score() -> None:
    f = ClockScore().figures()
    assert f["epochs"] == 0 and clock_lines(f) == []
    assert clock_stats([]) == {"runs": 0}
