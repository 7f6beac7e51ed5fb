"""The numbers of a run report, each section computed from the run's archive
(truth telemetry for the judgement, flight telemetry beside it), its
summary and the scenario as flown. Plain data (dicts and lists) for the
template; no HTML here.

Sections: :func:`requirements` (the scenario's limits as pass/fail/margin),
:func:`burns` (one row per burn, on-board Δv and truth Δv), :func:`navigation`
(estimate minus truth against the on-board ±3σ, per phase),
:func:`pointing` (camera pointing error from truth, per phase),
:func:`holds` (each transfer's arrival: planned point, true miss, retries),
:func:`angles` (the angles-only acquisition: first detection to handover),
:func:`events` (the event log), :func:`inputs` (the scenario as flown).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from typing import Any

import numpy as np
from fsw_tools.mission.score_safety import requirement_rows
from fsw_tools.plots.series import RunSeries, phases

G0 = 9.80665
#: BURN_STATUS.state values (fsw/packets/defs/mission.py)
_FIRING, _ENDS = 2, (3, 4, 5)


def _stats(x: np.ndarray) -> dict[str, float | None]:
    if not len(x):
        return {"n": 0, "median": None, "p95": None, "max": None, "rms": None}
    return {"n": len(x), "median": float(np.median(x)), "p95": float(np.quantile(x, 0.95)),
            "max": float(np.max(x)), "rms": float(np.sqrt(np.mean(x * x)))}


def _row(name: str, requirement: str, value: float | None, limit: float | None,
         unit: str, ok: bool | None, margin: float | None, source: str) -> dict[str, Any]:
    status = "N/A" if ok is None else ("PASS" if ok else "FAIL")
    return {"name": name, "requirement": requirement, "value": value, "limit": limit,
            "unit": unit, "margin": margin, "status": status, "source": source}


def requirements(summary: Mapping[str, Any], scenario: Any) -> list[dict[str, Any]]:
    """The scenario's requirements checked against the run (truth-based
    figures of the summary): status PASS, FAIL or N/A (not reached in this
    run), and the margin (positive: inside the limit)."""
    s = summary
    rows = []
    if scenario is None:
        return rows
    p, m, f = scenario.plan, scenario.mission, scenario.fdir
    done = s.get("outcome") == "DEPARTURE" and s.get("stopped_by") in (None, "departure")
    left = (m.max_duration_s - (s.get("sim_duration_s", 0.0) - s.get("notice_to_launch_s", 0.0))
            if s.get("sim_duration_s") is not None else None)
    flown = (m.max_duration_s - left) if left is not None else None
    rows.append(_row("Mission completed", "DEPARTURE reached before the hard stop "
                     "(launch to the end of the run <= mission.max_duration_s)", flown,
                     m.max_duration_s, "s", done, left if done else None,
                     "mission.max_duration_s"))
    rng = s.get("min_range_m")
    if rng is not None and math.isfinite(rng):
        rows.append(_row("Keep-out sphere", "minimum range (truth) >= plan.keep_out_m", rng,
                         p.keep_out_m, "m", rng >= p.keep_out_m, rng - p.keep_out_m,
                         "plan.keep_out_m"))
    dv = s.get("delta_v_m_s")
    if dv is not None:
        rows.append(_row("Δv budget", "Δv used (truth propellant, rocket equation) <= "
                         "plan.delta_v_budget_mps", dv, p.delta_v_budget_mps, "m/s",
                         dv <= p.delta_v_budget_mps, p.delta_v_budget_mps - dv,
                         "plan.delta_v_budget_mps"))
    used = s.get("propellant_used_kg")
    if used is not None:
        load = scenario.chaser.rcs.propellant_kg
        rows.append(_row("Propellant", "propellant used (truth) <= chaser.rcs.propellant_kg",
                         used, load, "kg", used <= load, load - used,
                         "chaser.rcs.propellant_kg"))
    track = s.get("notice_to_first_track_s")
    rows.append(_row("Target tracked", f"a good track: range < plan.track_range_m "
                     f"({p.track_range_m:g} m) and pointing < plan.track_pointing_deg "
                     f"({p.track_pointing_deg:g}°)", track, None, "s from notice",
                     track is not None if done else (True if track is not None else None),
                     None, "plan.track_range_m, plan.track_pointing_deg"))
    insp = s.get("min_range_inspection_m")
    if insp is not None:
        rows.append(_row("Inspection clear of the keep-out sphere", "minimum range during "
                         "PROX_OPS (truth) >= plan.keep_out_m", insp, p.keep_out_m, "m",
                         insp >= p.keep_out_m, insp - p.keep_out_m, "plan.keep_out_m"))
    pe = s.get("pointing_error_inspection_deg") or {}
    if pe.get("p95") is not None:
        rows.append(_row("Pointing while tracking", "95th percentile of the camera pointing "
                         "error during the inspection (truth) <= fdir.attitude_error_deg",
                         pe["p95"], f.attitude_error_deg, "deg",
                         pe["p95"] <= f.attitude_error_deg, f.attitude_error_deg - pe["p95"],
                         "fdir.attitude_error_deg"))
    rows += requirement_rows(dict(s), p, _row)
    return rows


def burns(tables: Mapping[str, Mapping[str, np.ndarray]], t0: float,
          isp_s: float | None) -> list[dict[str, Any]]:
    """One row per burn of BURN_STATUS: start (first firing report), end, final
    state, Δv the flight software reports, and the truth Δv over the same
    span (TRUTH_CHASER mass, rocket equation with the scenario's Isp)."""
    from fsw.packets import DICTIONARY

    b = tables.get("BURN_STATUS")
    if not b or not len(b.get("t_tai", ())):
        return []
    names = DICTIONARY["BURN_STATUS"].enum_names("state")
    truth = tables.get("TRUTH_CHASER")
    out = []
    ids = np.asarray(b["burn_id"])
    for bid in sorted(set(ids.tolist()) - {0}):
        k = np.flatnonzero(ids == bid)
        t, state = np.asarray(b["t_tai"])[k], np.asarray(b["state"])[k]
        firing = t[state == _FIRING]
        ended = t[np.isin(state, _ENDS)]
        start = float(firing[0]) if len(firing) else float(t[0])
        end = float(ended[0]) if len(ended) else float(t[-1])
        dv_truth = None
        if truth and isp_s and len(truth.get("t_tai", ())):
            tt, mass = np.asarray(truth["t_tai"]), np.asarray(truth["mass"], float)
            i0 = max(0, int(np.searchsorted(tt, start, "right")) - 1)
            i1 = min(len(tt) - 1, int(np.searchsorted(tt, end + 1.0, "left")))
            if mass[i1] > 0 and i1 > i0:
                dv_truth = isp_s * G0 * math.log(mass[i0] / mass[i1])
        final = int(state[-1])
        out.append({"id": int(bid), "start_s": start - t0, "end_s": end - t0,
                    "duration_s": end - start, "state": names.get(final, str(final)),
                    "dv_fsw": float(np.asarray(b["dv_done"])[k].max()),
                    "dv_truth": dv_truth,
                    "propellant_kg": float(np.asarray(b["propellant"])[k][-1])})
    return out


def _phase_slices(rs: RunSeries, t: np.ndarray) -> list[tuple[str, np.ndarray]]:
    return [(name, (t >= a) & (t < b if b > a else t <= b)) for name, a, b in phases(rs)]


def navigation(rs: RunSeries) -> dict[str, Any] | None:
    """Per phase: samples, RMS and largest position error (estimate minus
    truth, m), median on-board 1σ, and the share of samples whose error lies
    within ±3σ on every axis. None without a valid navigation solution."""
    nav = rs.nav_error
    if nav is None:
        return None
    norm = np.linalg.norm(nav.y, axis=1)
    inside = (np.all(np.abs(nav.y) <= 3 * nav.sigma[:, None], axis=1)
              if nav.sigma is not None else None)
    rows = []
    for name, sel in [*_phase_slices(rs, nav.t), ("whole run", np.ones(len(nav.t), bool))]:
        if not sel.any():
            continue
        st = _stats(norm[sel])
        rows.append({"phase": name, "n": st["n"], "rms_m": st["rms"], "max_m": st["max"],
                     "sigma_m": float(np.median(nav.sigma[sel])) if nav.sigma is not None
                     else None,
                     "within_3sigma": float(inside[sel].mean()) if inside is not None else None})
    constant = nav.sigma is not None and len(np.unique(nav.sigma)) <= 2
    return {"rows": rows, "sigma_constant": constant}


def _hold_of(leg: str) -> str:
    """The hold a transfer is for: "to far hold" and "correction to far hold"
    are both for "far hold"."""
    for prefix in ("correction to ", "to "):
        if leg.startswith(prefix):
            return leg[len(prefix):]
    return leg


def holds(tables: Mapping[str, Mapping[str, np.ndarray]], t0: float,
          match_s: float = 0.5) -> list[dict[str, Any]]:
    """One row per transfer's arrival (HOLD_ARRIVAL): the leg, its time from
    the run start, the planned point (Hill), the miss the flight software
    saw (its estimate) and the true miss (TRUTH_RELATIVE nearest in time,
    within ``match_s``, carried to the arrival with its own rate; None
    without truth), whether it was a correction leg, and the correction legs
    its hold needed in the whole run (``retries``: 0 = reached at the first
    attempt)."""
    a = tables.get("HOLD_ARRIVAL")
    if not a or not len(a.get("t_tai", ())):
        return []
    tr = tables.get("TRUTH_RELATIVE") or {}
    tt = np.asarray(tr.get("t_tai", ()), float)
    legs = [str(x) for x in a["leg"]]
    corr = np.asarray(a["correction"]).astype(bool)
    retries: dict[str, int] = {}
    for leg, c in zip(legs, corr, strict=True):
        if c:
            retries[_hold_of(leg)] = retries.get(_hold_of(leg), 0) + 1
    rows = []
    for i, t in enumerate(np.asarray(a["t_tai"], float)):
        planned = np.asarray(a["rho_planned_H"][i], float)
        est = np.asarray(a["rho_est_H"][i], float)
        true_miss = None
        if tt.size:
            j = int(np.argmin(np.abs(tt - t)))
            if abs(tt[j] - t) <= match_s:
                r = np.asarray(tr["r_H"][j], float) + np.asarray(tr["v_H"][j], float) * (t - tt[j])
                true_miss = float(np.linalg.norm(r - planned))
        rows.append({"leg": legs[i], "hold": _hold_of(legs[i]), "t_s": float(t - t0),
                     "planned_m": [float(v) for v in planned],
                     "est_miss_m": float(np.linalg.norm(est - planned)),
                     "true_miss_m": true_miss, "correction": bool(corr[i]),
                     "retries": retries.get(_hold_of(legs[i]), 0)})
    return rows


def angles(tables: Mapping[str, Mapping[str, np.ndarray]], t0: float) -> dict[str, Any] | None:
    """The angles-only acquisition from the archive (RELNAV, NAV_STATE and
    TRUTH_RELATIVE, scored by :func:`fsw_tools.mission.score_nav.score_tables`):
    first detection and handover (time from the run start, truth range),
    range error / range (p95, max) of the filter's epochs in between and per
    truth-range bin; ``phase`` False when the first detection was ranged.
    None without a detection."""
    from fsw_tools.mission.score_nav import score_tables

    f = score_tables(tables).figures()
    if f["first_detection_t"] is None:
        return None
    def km(m: float | None) -> float | None:
        return None if m is None else m / 1000.0

    hand = f["handover_t"]
    by_range = [{**b, "range_km": [km(b["range_m"][0]), km(b["range_m"][1])]}
                for b in f["angles_by_range"] or []]
    return {"phase": f["angles_epochs"] is not None,
            "detection_s": f["first_detection_t"] - t0,
            "detection_range_km": km(f["first_detection_range_m"]),
            "handover_s": None if hand is None else hand - t0,
            "handover_range_km": km(f["handover_range_m"]),
            "epochs": f["angles_epochs"], "err_p95": f["angles_range_err_p95"],
            "err_max": f["angles_range_err_max"], "by_range": by_range}


def pointing(rs: RunSeries) -> list[dict[str, Any]]:
    """Per phase: the camera pointing error from truth (boresight against the
    true line of sight), median / 95 % / max in degrees."""
    s = next((s for s in rs.attitude if s.label.startswith("pointing error")), None)
    if s is None:
        return []
    deg = np.degrees(np.asarray(s.y, float))
    rows = []
    for name, sel in _phase_slices(rs, s.t):
        if sel.any():
            rows.append({"phase": name, **_stats(deg[sel])})
    return rows


def events(tables: Mapping[str, Mapping[str, np.ndarray]], t0: float,
           limit: int = 1000) -> tuple[list[dict[str, Any]], int]:
    """The first ``limit`` events (time from the run start, UTC, severity,
    source, id, text) and the total count."""
    from fsw_tools.analysis.export import utc_strings

    from fsw.packets import DICTIONARY

    e = tables.get("EVENT")
    if not e or not len(e.get("t_tai", ())):
        return [], 0
    sev = DICTIONARY["EVENT"].enum_names("severity")
    n = len(e["t_tai"])
    t = np.asarray(e["t_tai"])[:limit]
    utc = utc_strings(t)
    rows = [{"t_s": float(ti - t0), "utc": str(u)[:19] + "Z",
             "severity": sev.get(int(v), str(v)), "source": str(src), "id": int(i),
             "text": str(txt)}
            for ti, u, v, src, i, txt in zip(t, utc, e["severity"][:limit], e["source"][:limit],
                                             e["event_id"][:limit], e["text"][:limit],
                                             strict=True)]
    return rows, n


def inputs(scenario_text: str | None, overrides: Mapping[str, Any] | None = None
           ) -> list[dict[str, Any]]:
    """The scenario as flown, one row per key (``section.key = value``), the
    overridden keys marked."""
    if not scenario_text:
        return []
    try:
        doc = tomllib.loads(scenario_text)
    except tomllib.TOMLDecodeError:
        return []
    over = set(overrides or ())
    rows: list[dict[str, Any]] = []

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{prefix}.{k}" if prefix else k)
        elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
            for i, item in enumerate(node):
                walk(item, f"{prefix}[{i}]")
        else:
            rows.append({"key": prefix, "value": node, "overridden": prefix in over})

    walk(doc, "")
    return rows
