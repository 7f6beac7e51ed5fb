"""The whole mission as a campaign runner (``--runner mission``): the scenario
of the run flown by :func:`fsw_tools.mission.fly` -- world, flight-software
tasks, ground station, every packet through the bus, in lockstep -- with no
packet archive, scored from the truth telemetry by the mission's monitor.

Row from the mission summary: ``min_range_m``, ``dv_mps`` (truth propellant,
rocket equation), ``time_to_first_track_s`` (from the launch notice),
``faults`` (warning and error events of the flight software, as
``"source#event_id: text"`` so that the statistics group them by event), and the
outcome: ``keep_out`` if the keep-out sphere was entered, ``over_budget`` if
the Δv budget was exceeded, else ``success`` when the mission reached
DEPARTURE, ``safe`` when it ended in SAFE, ``ended_in_<MODE>`` otherwise (a
scenario whose ``mission.max_duration_s`` stops it early). Extras:
``final_mode``, ``packet_hash`` (so a rerun can be checked packet for packet
against ``fsw run --seed``), ``packets``, ``sim_duration_s``, the mission's
phase times and the truth trajectory in the target's Hill frame (one point a
minute, thinned to at most 300), ``dv_to_inspection_mps`` (truth, up to the
inspection's start; None if it never began) and ``hold_corrections`` (correction
legs flown to a hold point not reached at the first attempt), ``clock`` (the
on-board clock estimate against truth: :mod:`fsw_tools.mission.score_clock`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from fsw_tools.campaign.scenarios import build

__all__ = ["run_one"]

TRAJECTORY_PERIOD_S = 60.0
#: issue #16's figures (fsw_tools.mission.score_safety) carried into the row
SAFETY_KEYS = ("missed_burn_min_m", "missed_burn_inside_keep_out",
               "inspection_good_light_fraction", "inspection_sun_phase_median_deg",
               "inspection_eclipse_fraction", "inspection_sun_from_boresight_min_deg",
               "inspection_off_target_fraction", "inspection_sun_in_keepout",
               "inspection_faces_imaged")
MAX_TRAJECTORY_POINTS = 300


def _outcome(summ: dict[str, Any]) -> str:
    if summ["keep_out_violated"]:
        return "keep_out"
    if not summ["delta_v_within_budget"]:
        return "over_budget"
    mode = summ["outcome"]
    if mode == "DEPARTURE":
        return "success"
    if mode == "SAFE":
        return "safe"
    return f"ended_in_{mode}"


def _thin(points: list[list[float]]) -> list[list[float]]:
    if not points:
        return []
    stride = max(1, math.ceil(len(points) / MAX_TRAJECTORY_POINTS))
    out = points[::stride]
    if out[-1] is not points[-1]:
        out.append(points[-1])
    return [[round(v, 3) for v in p] for p in out]


def run_one(scenario_text: str, seed: int, overrides: dict[str, Any],
            progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Fly the run's scenario (the runner interface of :mod:`fsw_tools.campaign`);
    ``progress`` is told the fraction of the scenario's span flown."""
    from fsw_tools.mission import fly, summary
    from fsw_tools.mission.score_attitude import att_row
    from fsw_tools.mission.score_nav import nav_row

    from fsw.packets import DICTIONARY

    truth_relative = DICTIONARY["TRUTH_RELATIVE"]
    sc = build(scenario_text, seed, overrides)
    points: list[list[float]] = []

    def record_trajectory(result: Any) -> None:
        """Tap the monitor's TRUTH_RELATIVE handler (before the executive
        subscribes it) for the truth relative state, one sample a minute."""
        monitor = result.monitor
        handler = monitor.on_truth_relative
        t0 = result.insertion_tai
        next_t = [t0]

        def on_truth_relative(raw: bytes) -> None:
            handler(raw)
            t = monitor.ctx.t
            if t >= next_t[0]:
                r = truth_relative.parse(raw).r_H
                points.append([t - t0, float(r[0]), float(r[1]), float(r[2])])
                next_t[0] = t + TRAJECTORY_PERIOD_S

        monitor.on_truth_relative = on_truth_relative

    update = None
    if progress is not None:
        span = sc.mission.notice_to_launch_s + sc.mission.max_duration_s
        notice = sc.notice_tai

        def update(t: float, mode: str) -> None:
            progress(min(1.0, (t - notice) / span))

    res = fly(sc, archive=None, prepare=record_trajectory, progress=update)
    summ = summary(res)
    return {
        "outcome": _outcome(summ),
        "min_range_m": summ["min_range_m"],
        "dv_mps": summ["delta_v_m_s"],
        "dv_to_inspection_mps": summ["delta_v_to_inspection_m_s"],
        "hold_corrections": summ["hold_corrections"],
        "time_to_first_track_s": summ["notice_to_first_track_s"],
        "faults": [f"{e['source']}#{e['event_id']}: {e['text']}" for e in summ["fault_events"]],
        "stopped_by": summ["stopped_by"],
        "final_mode": summ["outcome"],
        "packet_hash": summ["packet_hash"],
        "packets": summ["packets"],
        "sim_duration_s": summ["sim_duration_s"],
        "launch_to_commissioned_s": summ["launch_to_commissioned_s"],
        "min_range_inspection_m": summ["min_range_inspection_m"],
        "pointing_error_inspection_deg": summ["pointing_error_inspection_deg"],
        "phases": [[p["mode"], p["t_from_notice_s"]] for p in summ["phases"]],
        "nav": nav_row(summ.get("navigation")),
        "att": att_row(summ.get("attitude")),
        "clock": summ.get("clock"),
        "burns": {k: v for k, v in (summ.get("burns") or {}).items() if k != "rows"},
        "trajectory": _thin(points),
        **{k: summ.get(k) for k in SAFETY_KEYS},
    }
