"""The burn-execution score (tools/mission/score_burns.py) against an
independent propagation: scipy's solve_ivp flies a chaser under two-body + J2
gravity with a known thrust over a known window; the score, fed the 1 Hz
samples as the world's TRUTH_CHASER would give them, recovers the Δv."""

from __future__ import annotations

import numpy as np
import pytest
from fsw_tools.mission.score_burns import BurnScore, burn_lines, burn_stats
from scipy.integrate import solve_ivp

MU, J2, RE = 3.986004418e14, 1.08262668e-3, 6378137.0


def _accel(r: np.ndarray) -> np.ndarray:
    x, y, z = r
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    k = 1.5 * J2 * MU * RE * RE / (r2 * r2 * rn)
    f = 5.0 * z * z / r2
    return -MU / (r2 * rn) * r + np.array([k * x * (f - 1), k * y * (f - 1), k * z * (f - 3)])


def test_the_score_recovers_a_known_burn() -> None:
    r0 = np.array([6778e3, 0.0, 0.0])
    v0 = np.array([0.0, 5000.0, 5500.0])
    a_thrust = np.array([0.004, -0.009, 0.002])  # m/s^2, inertial
    t_on, t_off = 100.0, 180.5

    def f(t, x):
        a = _accel(x[:3]) + (a_thrust if t_on <= t < t_off else 0.0)
        return np.concatenate([x[3:], a])

    ts = np.arange(0.0, 300.0, 1.0)
    sol = solve_ivp(f, (0, 299), np.concatenate([r0, v0]), t_eval=ts, rtol=1e-12, atol=1e-9,
                    max_step=0.5)
    score = BurnScore()
    t0 = 1e9
    for k, t in enumerate(ts):
        score.on_truth(t0 + t, tuple(sol.y[:3, k]), tuple(sol.y[3:, k]))
    dv = a_thrust * (t_off - t_on)
    score.on_order(t0 + 50.0, 7, tuple(dv), "test burn")
    for t in np.arange(101.0, 181.0, 1.0):  # BURN_STATUS once a second while firing
        score.on_status(t0 + t, 7, 2, 0.0)
    # the final status's measured vector: 0.1 % short and 2 mm/s across
    across = np.cross(dv, [0.0, 0.0, 1.0])
    across *= 2e-3 / np.linalg.norm(across)
    score.on_status(t0 + 181.0, 7, 3, float(np.linalg.norm(dv)) * 0.999, 0.999 * dv + across)
    fig = score.figures()
    (row,) = fig["rows"]
    assert row["ordered"] == pytest.approx(np.linalg.norm(dv), rel=1e-12)
    assert row["true"] == pytest.approx(np.linalg.norm(dv), rel=1e-4)
    assert abs(row["mag_err"]) < 1e-4 and row["dir_err_deg"] < 0.01
    assert row["reported"] == pytest.approx(0.999 * np.linalg.norm(dv))
    rep = 0.999 * dv + across
    e = dv - rep
    assert row["rep_err_along"] == pytest.approx(e @ rep / np.linalg.norm(rep), abs=1e-4)
    assert row["rep_err_along"] == pytest.approx(0.001 * np.linalg.norm(dv), rel=0.2)
    assert row["rep_err_across"] == pytest.approx(2e-3, rel=0.05)
    assert fig["burns"] == 1 and not row["aborted"]
    assert any("burn   7" in line for line in burn_lines(fig))


def test_a_short_burn_is_seen_short_and_unfinished_burns_are_left_out() -> None:
    rows = [{"aborted": False, "ordered": 1.0, "mag_err": -0.1, "dir_err_deg": 0.2},
            {"aborted": True, "ordered": 1.0, "mag_err": -0.5, "dir_err_deg": 9.0},
            {"aborted": False, "ordered": 0.01, "mag_err": 0.3, "dir_err_deg": 3.0}]
    st = burn_stats(rows)
    assert st == {"burns": 1, "mag_err_worst": -0.1, "mag_err_rms": pytest.approx(0.1),
                  "dir_err_worst_deg": 0.2}
    assert burn_stats([]) == {"burns": 0}
    assert BurnScore().figures() == {"burns": 0, "rows": []}
