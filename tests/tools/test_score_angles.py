"""The angles-only phase's figures (tools/mission/score_angles.py, issue #15
acceptance 2) against hand-computed values, fed live (as the mission's
monitor feeds NavScore) and from a run's tables (score_tables): the first
detection is the first valid RELNAV sample (not the first sample), the
handover the first ranged one, each with the truth range carried to its
time; the range error's p95 and max over the filter's epochs strictly in
between; a sensor without the ``ranged`` field gives no angles-only phase;
the campaign's pooled figures from three rows by hand."""

from __future__ import annotations

import numpy as np
import pytest
from fsw_tools.mission.score_angles import angles_stats, angles_stats_line
from fsw_tools.mission.score_nav import NavScore, nav_lines, nav_row, nav_stats, score_tables

#: truth: 20 km behind at t = 100, closing at 10 m/s along-track
V = (0.0, 10.0, 0.0)


def _r(t: float) -> tuple[float, float, float]:
    return (0.0, -(20000.0 - 10.0 * (t - 100.0)), 0.0)


#: the range error fraction of each filter epoch strictly inside the phase
#: (t = 111 ... 150: 40 epochs): 1 ... 38 per mille (every other one short),
#: then 11 % and 25 %
INSIDE = [(-1) ** k * k / 1000.0 for k in range(1, 39)] + [0.11, 0.25]


def _feed() -> dict[str, dict[str, list]]:
    """The synthetic run as tables: truth at every whole second 100-160,
    RELNAV 0.2 s after it (invalid until 110.2, bearing-only until 150.2,
    ranged from then), NAV_STATE of the filter every second with the range
    off by the fraction chosen (50 % outside the phase), and a GPS-sourced
    epoch at 130.5 wildly off (not the filter's: not scored)."""
    tr: dict[str, list] = {"t_tai": [], "r_H": [], "v_H": [], "range": []}
    rel: dict[str, list] = {"t_tai": [], "valid": [], "ranged": []}
    nav: dict[str, list] = {"t_tai": [], "valid": [], "source": [], "rho_H": [],
                            "cov_pos_H": [], "nis": []}
    inside = iter(INSIDE)
    for k in range(61):
        t = 100.0 + k
        r = _r(t)
        tr["t_tai"].append(t)
        tr["r_H"].append(r)
        tr["v_H"].append(V)
        tr["range"].append(-r[1])
        rel["t_tai"].append(t + 0.2)
        rel["valid"].append(int(t >= 110.0))
        rel["ranged"].append(int(t >= 150.0))
        f = next(inside) if 110.2 < t < 150.2 else 0.5
        nav["t_tai"].append(t)
        nav["valid"].append(1)
        nav["source"].append(2)
        nav["rho_H"].append((0.0, r[1] * (1.0 + f), 0.0))
        nav["cov_pos_H"].append((1.0, 0.0, 0.0, 1.0, 0.0, 1.0))
        nav["nis"].append(3.0)
        if t == 130.0:
            nav["t_tai"].append(130.5)
            nav["valid"].append(1)
            nav["source"].append(1)
            nav["rho_H"].append((0.0, 0.0, 0.0))
            nav["cov_pos_H"].append((1.0, 0.0, 0.0, 1.0, 0.0, 1.0))
            nav["nis"].append(0.0)
    return {"TRUTH_RELATIVE": tr, "RELNAV": rel, "NAV_STATE": nav}


def _live(tables: dict[str, dict[str, list]], ranged: bool = True) -> NavScore:
    """The tables fed in time order as the monitor sees the packets: each
    sensor sample before the truth that pairs it."""
    tr, rel, nav = tables["TRUTH_RELATIVE"], tables["RELNAV"], tables["NAV_STATE"]
    events = [(t, 1, i) for i, t in enumerate(tr["t_tai"])]
    events += [(t - 0.3, 0, i) for i, t in enumerate(rel["t_tai"])]  # arrives early
    events += [(t, 2, i) for i, t in enumerate(nav["t_tai"])]
    s = NavScore()
    for _, kind, i in sorted(events):
        if kind == 0:
            s.on_relnav(rel["t_tai"][i], rel["valid"][i], rel["ranged"][i] if ranged else None)
        elif kind == 1:
            s.on_truth(tr["t_tai"][i], tr["r_H"][i], tr["v_H"][i], tr["range"][i])
        else:
            s.on_nav(nav["t_tai"][i], nav["valid"][i], nav["source"][i], nav["rho_H"][i],
                     nav["cov_pos_H"][i], nav["nis"][i])
    return s


@pytest.mark.parametrize("path", ["live", "tables"])
def test_detection_handover_and_range_error(path: str) -> None:
    tables = _feed()
    f = (_live(tables) if path == "live" else score_tables(tables)).figures()
    assert f["first_detection_t"] == pytest.approx(110.2)  # not 100.2: invalid
    # truth at 110 carried 0.2 s at 10 m/s: 19900 - 2
    assert f["first_detection_range_m"] == pytest.approx(19898.0)
    assert f["handover_t"] == pytest.approx(150.2)
    assert f["handover_range_m"] == pytest.approx(19498.0)
    assert f["angles_epochs"] == 40  # 111 ... 150; the GPS epoch at 130.5 is not the filter's
    # numpy's linear p95 of 40 values: index 39 * 0.95 = 37.05 of the sorted list,
    # whose 38th and 39th are 0.038 and 0.11
    assert f["angles_range_err_p95"] == pytest.approx(0.038 + 0.05 * (0.11 - 0.038))
    assert f["angles_range_err_max"] == pytest.approx(0.25)
    assert f["angles_over_limit"] == 2
    (b,) = f["angles_by_range"]  # every epoch between 19.4 and 19.9 km
    assert b["range_m"] == [1e4, 2e4] and b["epochs"] == 40 and b["err_max"] == f[
        "angles_range_err_max"]
    line = nav_lines(f)[-1]
    assert line.startswith("Angles-only phase: first detection at 19.90 km, handover at "
                           "19.50 km (40 s later)")
    assert "p95 4.16 %" in line and "max 25.00 %" in line
    row = nav_row(f)
    assert row["angles_epochs"] == 40 and row["handover_range_m"] == pytest.approx(19498.0)
    assert "angles_by_range" not in row


def test_without_the_ranged_field_there_is_no_angles_phase() -> None:
    """Today's sensor: every valid sample measures range."""
    tables = _feed()
    del tables["RELNAV"]["ranged"]
    for s in (_live(_feed(), ranged=False), score_tables(tables)):
        f = s.figures()
        assert f["first_detection_t"] == pytest.approx(110.2)
        assert f["handover_t"] == f["first_detection_t"]
        assert f["first_detection_range_m"] == f["handover_range_m"] == pytest.approx(19898.0)
        for k in ("angles_epochs", "angles_range_err_p95", "angles_range_err_max",
                  "angles_over_limit", "angles_by_range"):
            assert f[k] is None
        assert nav_lines(f)[-1] == ("Angles-only phase: none (the first detection, at "
                                    "19.90 km, was already ranged)")


def test_no_handover_scores_to_the_end_and_no_detection_scores_nothing() -> None:
    tables = _feed()
    tables["RELNAV"]["ranged"] = [0] * len(tables["RELNAV"]["ranged"])
    f = score_tables(tables).figures()
    assert f["handover_t"] is None and f["handover_range_m"] is None
    assert f["angles_epochs"] == 50  # 111 ... 160
    assert "no handover in this run" in nav_lines(f)[-1]
    tables["RELNAV"]["valid"] = [0] * len(tables["RELNAV"]["valid"])
    f = score_tables(tables).figures()
    assert f["first_detection_t"] is None and f["angles_epochs"] is None
    assert not any(x.startswith("Angles-only") for x in nav_lines(f))


def test_the_nearest_truth_sample_wins_whichever_arrives_first() -> None:
    s = NavScore()
    s.on_truth(10.0, (0.0, -1000.0, 0.0), V, 1000.0)   # 0.3 s before the sample
    s.on_relnav(10.3, 1, 0)
    s.on_truth(10.5, (0.0, -2000.0, 0.0), V, 2000.0)   # 0.2 s after: nearer
    s.on_truth(10.9, (0.0, -3000.0, 0.0), V, 3000.0)   # 0.6 s: outside the window
    s.on_relnav(11.0, 1, 1)
    assert s.angles.detection.range_m == pytest.approx(2000.0 + 2.0)   # carried back 0.2 s
    assert s.angles.handover.range_m == pytest.approx(3000.0 - 1.0)    # carried 0.1 s on


def _row(seed: int, det: float, hand: float, epochs: int | None, p95: float | None,
         over: int | None) -> dict:
    return {"seed": seed, "nav": {"nees_mean": 3.0, "first_detection_range_m": det,
                                  "handover_range_m": hand, "angles_epochs": epochs,
                                  "angles_range_err_p95": p95, "angles_over_limit": over}}


def test_campaign_figures_by_hand() -> None:
    rows = [_row(11, 40000.0, 5000.0, 300, 0.04, 6),
            _row(12, 20000.0, 4800.0, 100, 0.08, 4),
            _row(13, 5000.0, 5000.0, None, None, None),   # first detection ranged
            {"seed": 14, "nav": None}]
    st = angles_stats(rows)
    assert st["first_detection_runs"] == 3
    assert st["first_detection_range_m_median"] == 20000.0
    # linear p5 of 5, 20, 40 km: 5 + 0.1 * (20 - 5)
    assert st["first_detection_range_m_p5"] == pytest.approx(6500.0)
    assert st["handover_range_m_median"] == 5000.0
    assert st["angles_runs"] == 2 and st["angles_runs_scored"] == 2
    assert st["angles_range_err_p95_weighted"] == pytest.approx((0.04 * 300 + 0.08 * 100) / 400)
    assert st["angles_range_err_p95_max"] == 0.08 and st["angles_range_err_p95_max_seed"] == 12
    assert st["angles_over_limit_pooled"] == pytest.approx(10 / 400)
    assert nav_stats(rows)["angles"] == st
    line = angles_stats_line(st)
    assert line.startswith("angles-only: first detection 20.00 km median, 6.50 km p5 (3 runs)")
    assert "p95 5.00 % (epoch-weighted over 2 runs; worst run 8.00 %, seed 12)" in line
    assert "2.50 % pooled; handover at 5.00 km median" in line


def test_campaign_without_angles_phase_or_detection() -> None:
    st = angles_stats([_row(1, 5000.0, 5000.0, None, None, None)])
    assert st["angles_runs"] == 0 and st["angles_range_err_p95_weighted"] is None
    assert angles_stats_line(st).endswith("; no bearing-only phase in any run (every first "
                                          "detection ranged)")
    st = angles_stats([_row(1, 9000.0, 5000.0, 0, None, 0)])   # a phase, no filter epoch
    assert st["angles_runs"] == 1 and st["angles_runs_scored"] == 0
    assert angles_stats_line(st).endswith("1 runs with a bearing-only phase, none with a "
                                          "filter epoch in it")
    old = [{"seed": 2, "nav": {"nees_mean": 3.0, "contain_3sigma": 0.99}}]  # rows of before
    st = angles_stats(old)
    assert st["first_detection_runs"] == 0 and angles_stats_line(st) is None
    assert np.isfinite(nav_stats(old)["nees_mean"])


def test_the_monitor_feeds_relnav_with_or_without_the_field(monkeypatch) -> None:
    """The mission monitor passes RELNAV's ``ranged`` when the dictionary has
    it, None (ranged when valid) when it does not, and stops parsing once the
    handover is seen."""
    from types import SimpleNamespace

    import fsw_tools.mission.monitor as mon

    from fsw.packets import DICTIONARY
    from fsw.scenario import load_builtin

    relnav = DICTIONARY["RELNAV"]
    m = mon.Monitor(load_builtin("short_inspection"))
    extra = {"ranged": 0} if "ranged" in {f.name for f in relnav.fields} else {}
    m.on_packet(relnav.build(t_tai=5.0, range=0.0, azimuth=0.0, elevation=0.0, valid=0,
                             **extra))
    m.on_packet(relnav.build(t_tai=6.0, range=0.0, azimuth=0.0, elevation=0.0, valid=1,
                             **extra))
    if not extra:  # a dictionary without the field: a valid sample is ranged
        assert m.nav.angles.detection.t == 6.0 and m.nav.angles.handover.t == 6.0
    else:  # a bearing-only sample: detected, no handover yet
        assert m.nav.angles.detection.t == 6.0 and m.nav.angles.handover is None
    parsed = iter([SimpleNamespace(t_tai=7.0, valid=1, ranged=0),
                   SimpleNamespace(t_tai=8.0, valid=1, ranged=1)])
    monkeypatch.setattr(mon, "RELNAV", SimpleNamespace(apid=relnav.apid,
                                                       parse=lambda raw: next(parsed)))
    m = mon.Monitor(load_builtin("short_inspection"))
    raw = relnav.build(t_tai=0.0, range=0.0, azimuth=0.0, elevation=0.0, valid=1, **extra)
    for _ in range(3):  # the third is not parsed: the iterator would raise
        m.on_packet(raw)
    assert m.nav.angles.detection.t == 7.0 and m.nav.angles.handover.t == 8.0
