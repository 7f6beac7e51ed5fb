"""The run report page: every section of :mod:`fsw_tools.report.sections`,
the plots embedded, rendered with ``run_report.html.j2``."""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from typing import Any

from fsw_tools.report import sections
from fsw_tools.report.render import dur, num, png_data, render

#: summary keys shown first, with their labels and how they are shown
KEY_RESULTS = (
    ("outcome", "outcome (final mode)", str),
    ("scenario", "scenario", str),
    ("seed", "seed", str),
    ("sim_duration_s", "simulated time", dur),
    ("wall_time_s", "wall time", lambda v: f"{v:.1f} s"),
    ("delta_v_m_s", "Δv used (truth)", lambda v: f"{v:.3f} m/s"),
    ("delta_v_fsw_m_s", "Δv used (on-board estimate)", lambda v: f"{v:.3f} m/s"),
    ("delta_v_budget_m_s", "Δv budget", lambda v: f"{v:.1f} m/s"),
    ("propellant_used_kg", "propellant used (truth)", lambda v: f"{v:.3f} kg"),
    ("min_range_m", "minimum range (truth)", lambda v: f"{v:.1f} m"),
    ("keep_out_radius_m", "keep-out radius", lambda v: f"{v:g} m"),
    ("notice_to_launch_s", "launch notice to launch", dur),
    ("launch_to_commissioned_s", "launch to commissioned", dur),
    ("notice_to_first_track_s", "launch notice to first good track", dur),
    ("collision_avoidance_t_from_notice_s", "collision avoidance (from the notice)", dur),
    ("packets", "packets", str),
    ("packet_hash", "packet-stream hash", str),
)


def _key(summary: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for k, label, show in KEY_RESULTS:
        v = summary.get(k)
        if v is None and k not in ("notice_to_first_track_s", "launch_to_commissioned_s"):
            continue
        out.append((label, "not reached" if v is None else show(v)))
    return out


def _limits(data: Any) -> list[dict[str, Any]] | None:
    """Every limit violation episode of the run (``fsw_tools.limits.violations``,
    issue #20), or None in a build without limit checking."""
    try:
        from fsw_tools.limits import violations  # type: ignore[import-not-found]
    except ImportError:
        return None
    return [{"level": v.level_name, "parameter": v.parameter, "start_utc": str(v.start_utc),
             "duration_s": v.duration_s, "samples": v.samples, "worst": v.worst,
             "unit": v.unit, "limits": v.limits, "critical": v.level > 1}
            for v in violations(data.decoded)]


def run_report(data: Any, dpi: int = 90, quiet: bool = True) -> str:
    """The report of a loaded run (:class:`fsw_tools.plots.run.RunData`)."""
    import matplotlib.pyplot as plt
    from fsw_tools.analysis.export import utc_strings
    from fsw_tools.plots.run import figures
    from fsw_tools.progress import step
    from fsw_tools.report.page_data import packets_rows, tasks_rows

    import fsw
    from fsw.packets import DICTIONARY

    s, rs, tables = data.summary, data.series, data.decoded.tables
    from fsw_tools.mission.report import STOPPED_BY

    sc = data.scenario
    isp = sc.chaser.rcs.isp_s if sc is not None else None
    burns = sections.burns(tables, rs.t0, isp)
    events, n_events = sections.events(tables, rs.t0)
    text = data.run.scenario.read_text(encoding="utf-8") if data.run.scenario.is_file() else None
    phases = [dict(p) for p in s.get("phases", []) if isinstance(p, dict) and "t" in p]
    if phases:
        for p, u in zip(phases, utc_strings([p["t"] for p in phases]), strict=True):
            p["utc"] = str(u)[:19] + "Z"
    plots = []
    with step("drawing", total=8, unit="plot", quiet=quiet) as bar:
        for stem, fig in figures(data).items():
            plots.append({"stem": stem, "title": fig.axes[0].get_title() or stem,
                          "src": png_data(fig, dpi)})
            plt.close(fig)
            bar.update(1)
    counts = Counter(data.archive.apids.tolist())
    tasks, task_columns = tasks_rows(s.get("tasks"))
    return render(
        "run_report.html.j2",
        title=f"Run report: {s.get('scenario', data.run.root.name)}",
        run_dir=str(data.run.root), version=fsw.__version__,
        written=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        summary=s, stopped=STOPPED_BY.get(s.get("stopped_by", "")), key=_key(s),
        phases=phases,
        requirements=sections.requirements(s, sc),
        burns=burns, isp=isp,
        dv_truth_total=(sum(b["dv_truth"] for b in burns)
                        if burns and all(b["dv_truth"] is not None for b in burns) else None),
        navigation=sections.navigation(rs), pointing=sections.pointing(rs),
        holds=sections.holds(tables, rs.t0), angles=sections.angles(tables, rs.t0),
        events=events, events_total=n_events,
        limits=_limits(data),
        plots=plots,
        inputs=sections.inputs(text, s.get("overrides")), overrides=s.get("overrides"),
        n_packets=len(data.archive), span_s=rs.span_s,
        issues=[str(i) for i in data.archive.issues],
        decode_errors=sorted(data.decoded.errors.items()),
        packets=packets_rows(counts, DICTIONARY), tasks=tasks, task_columns=task_columns,
        num=num,
    )
