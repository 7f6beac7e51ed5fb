"""The run summary as text, for the terminal (``fsw run``)."""

from __future__ import annotations

from typing import Any

from fsw_tools.mission.score_attitude import att_lines
from fsw_tools.mission.score_burns import burn_lines
from fsw_tools.mission.score_clock import clock_lines
from fsw_tools.mission.score_nav import nav_lines
from fsw_tools.mission.score_safety import format_lines


def _dur(s: float | None) -> str:
    if s is None:
        return "not reached"
    h, rem = divmod(round(s), 3600)
    m, sec = divmod(rem, 60)
    return f"{h:d} h {m:02d} min {sec:02d} s"


def _num(v: Any, fmt: str = ".1f") -> str:
    return "n/a" if v is None else format(v, fmt)


#: how a run that did not reach its end is marked (summary.json "stopped_by")
STOPPED_BY = {
    "duration": "cut short by --duration",
    "max_duration": "hard stop: mission.max_duration_s",
    "mode": "stopped at the requested mode",
    "interrupted": "interrupted",
}


def _stopped(s: dict[str, Any]) -> str:
    why = STOPPED_BY.get(s.get("stopped_by", ""))
    return f"  ({why}, not a completed mission)" if why else ""


def format_summary(s: dict[str, Any]) -> str:
    """Phase timeline, Δv, ranges, pointing, TacRS times, stream hash."""
    out = [f"Mission: {s['scenario']}  (seed {s['seed']}, {s['source']})",
           f"Outcome: {s['outcome']}{_stopped(s)}", "",
           "Phase timeline (from the launch notice):"]
    for p in s["phases"]:
        out.append(f"  {_dur(p['t_from_notice_s']):>20}  {p['mode']}")
    pe = s["pointing_error_inspection_deg"]
    out += [
        "",
        f"Delta-v used:        {s['delta_v_m_s']:.2f} m/s (truth, propellant "
        f"{s['propellant_used_kg']:.2f} kg; on-board estimate {s['delta_v_fsw_m_s']:.2f} m/s;"
        f" budget {s['delta_v_budget_m_s']:.1f} m/s: "
        f"{'within' if s['delta_v_within_budget'] else 'OVER'})",
        f"  to the inspection: {_num(s.get('delta_v_to_inspection_m_s'), '.2f')} m/s; "
        f"hold corrections flown: {s.get('hold_corrections', 0)}",
        f"Minimum range:       {s['min_range_m']:.1f} m (keep-out sphere "
        f"{s['keep_out_radius_m']:.0f} m: {'VIOLATED' if s['keep_out_violated'] else 'clear'})",
        f"Inspection range:    {_num(s['min_range_inspection_m'])} .. "
        f"{_num(s['max_range_inspection_m'])} m",
        f"Pointing error during inspection (tracking, "
        f"{_num((s.get('inspection_tracking_fraction') or 0) * 100, '.0f')}% of the time): "
        f"median {_num(pe['median'], '.3f')} deg, "
        f"95% {_num(pe['p95'], '.3f')} deg, max {_num(pe['max'], '.3f')} deg",
        f"Notice to launch:         {_dur(s['notice_to_launch_s'])}",
        f"Launch to commissioned:   {_dur(s['launch_to_commissioned_s'])}",
        f"Notice to first track:    {_dur(s['notice_to_first_track_s'])}",
    ]
    out += nav_lines(s.get("navigation"))
    out += att_lines(s.get("attitude"))
    out += clock_lines(s.get("clock"))
    out += burn_lines(s.get("burns"))
    if s.get("collision_avoidance_t_from_notice_s") is not None:
        out.append(f"Collision avoidance at:   {_dur(s['collision_avoidance_t_from_notice_s'])}"
                   f" (thrust {_num(s.get('collision_avoidance_to_thrust_s'), '.0f')} s later)")
    out += format_lines(s)
    out += [
        f"Simulated {_dur(s['sim_duration_s'])} in {s['wall_time_s']:.1f} s wall: "
        f"{s['mission_rtf']:.0f}x real time (in orbit {s['orbit_rtf']:.0f}x), "
        f"{s['packets']} packets",
        f"Packet-stream hash:  {s['packet_hash']}",
    ]
    if s["warnings"]:
        out.append(f"Warnings and faults ({len(s['warnings'])}):")
        out += [f"  {w}" for w in s["warnings"][:15]]
    return "\n".join(out)
