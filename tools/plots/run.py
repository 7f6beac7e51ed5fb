"""From a run directory to figures, PNG files and the HTML report."""

from __future__ import annotations

import base64
import html
import io
import json
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsw_tools.archive import Archive, read_archive
from fsw_tools.archive.tables import DecodeResult, decode_archive
from fsw_tools.plots.figures import all_figures
from fsw_tools.plots.series import RunSeries, mode_timeline, run_series
from fsw_tools.rundir import RunDir
from matplotlib.figure import Figure


@dataclass
class RunData:
    """A run loaded for plotting: its archive, tables, series and summary."""

    run: RunDir
    archive: Archive
    decoded: DecodeResult
    series: RunSeries
    summary: dict[str, Any]
    keep_out_m: float | None


def _find_key(doc: Any, key: str) -> Any:
    if isinstance(doc, dict):
        if key in doc:
            return doc[key]
        for v in doc.values():
            found = _find_key(v, key)
            if found is not None:
                return found
    return None


def scenario_facts(run: RunDir, summary: dict[str, Any]
                   ) -> tuple[float | None, tuple[float, float, float]]:
    """(keep-out radius in m or None, camera boresight in body axes) from the
    summary, else the scenario as flown (RUN/scenario.toml)."""
    keep = summary.get("keep_out_radius_m", summary.get("keep_out_m"))
    boresight: tuple[float, float, float] = (0.0, 0.0, 1.0)
    if run.scenario.is_file():
        try:
            from fsw.scenario import load

            sc = load(run.scenario)
            keep = keep if keep is not None else sc.plan.keep_out_m
            boresight = tuple(float(x) for x in sc.chaser.camera_boresight_b)  # type: ignore[assignment]
        except Exception:  # an older or foreign scenario file: look for the key alone
            try:
                doc = tomllib.loads(run.scenario.read_text())
            except (OSError, tomllib.TOMLDecodeError):
                doc = {}
            if keep is None:
                keep = _find_key(doc, "keep_out_m")
    try:
        return (float(keep) if keep is not None else None), boresight
    except (TypeError, ValueError):
        return None, boresight


def load_run(path: str | Path) -> RunData:
    """Read and decode a run directory (UserError if it is not one)."""
    run = RunDir.of(path).check()
    archive = read_archive(run.archive)
    decoded = decode_archive(archive)
    summary = run.read_summary()
    keep_out, boresight = scenario_facts(run, summary)
    return RunData(run, archive, decoded, run_series(decoded, boresight), summary, keep_out)


def figures(data: RunData) -> dict[str, Figure]:
    return all_figures(data.series, data.keep_out_m)


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def write_plots(data: RunData, out: Path | None = None, dpi: int = 100) -> list[Path]:
    """PNG files of every plot (default RUN/plots/); returns their paths."""
    import matplotlib.pyplot as plt

    out = out or data.run.plots
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, fig in figures(data).items():
        path = out / f"{stem}.png"
        path.write_bytes(png_bytes(fig, dpi))
        plt.close(fig)
        paths.append(path)
    return paths


_CSS = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; font-size: 14px; }
th { background: #f0f0f0; }
img { max-width: 100%; border: 1px solid #ddd; margin: 0.5em 0; }
.warn { color: #a00; }
"""


def _rows(items: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_show(v))}</td></tr>"
                   for k, v in items)


def _show(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, dict | list):
        return json.dumps(v)
    return str(v)


def report_html(data: RunData, dpi: int = 90) -> str:
    """The self-contained report: summary, timeline, packets, plots (base64 PNG)."""
    import matplotlib.pyplot as plt

    import fsw

    s = data.summary
    title = f"Run report: {s.get('scenario', data.run.root.name)}"
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             f"</title><style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p>Run directory <code>{html.escape(str(data.run.root))}</code>; "
             f"fsw {html.escape(fsw.__version__)}.</p>", "<h2>Summary</h2>"]
    if s:
        key = [(label, s[k]) for k, label in KEY_RESULTS if k in s]
        if key:
            parts.append(f"<h3>Key results</h3><table>{_rows(key)}</table>")
        tasks = s.get("tasks") if isinstance(s.get("tasks"), dict) else None
        if tasks:
            parts.append(_tasks_table(tasks))
        rest = [(k, v) for k, v in sorted(s.items()) if k not in ("phases", "tasks")]
        parts.append(f"<h3>Everything in summary.json</h3><table>{_rows(rest)}</table>")
    else:
        parts.append("<p class='warn'>No summary.json: the run did not finish.</p>")
    timeline = mode_timeline(data.series)
    phases = s.get("phases") if isinstance(s.get("phases"), list) else None
    parts.append("<h2>Mode timeline</h2>")
    if timeline:
        parts.append("<table><tr><th>mode</th><th>from [s since start]</th></tr>"
                     + "".join(f"<tr><td>{html.escape(m)}</td><td>{t:.1f}</td></tr>"
                               for m, t in timeline) + "</table>")
    elif phases:
        parts.append(f"<table>{_rows([(p.get('mode'), p.get('t')) for p in phases])}</table>")
    else:
        parts.append("<p>No mode telemetry.</p>")
    parts.append(_packets_section(data))
    parts.append(_limits_section(data))
    parts.append("<h2>Plots</h2>")
    for stem, fig in figures(data).items():
        b64 = base64.b64encode(png_bytes(fig, dpi)).decode("ascii")
        parts.append(f"<h3>{html.escape(fig.axes[0].get_title() or stem)}</h3>"
                     f"<img alt='{stem}' src='data:image/png;base64,{b64}'>")
        plt.close(fig)
    parts.append("</body></html>")
    return "\n".join(parts)


#: summary keys shown first, with their labels
KEY_RESULTS = (
    ("outcome", "outcome (final mode)"),
    ("scenario", "scenario"),
    ("seed", "seed"),
    ("sim_duration_s", "simulated time [s]"),
    ("wall_time_s", "wall time [s]"),
    ("delta_v_m_s", "delta-v used [m/s]"),
    ("delta_v_budget_m_s", "delta-v budget [m/s]"),
    ("min_range_m", "minimum range [m]"),
    ("keep_out_radius_m", "keep-out radius [m]"),
    ("keep_out_violated", "keep-out violated"),
    ("notice_to_launch_s", "launch notice to launch [s]"),
    ("launch_to_commissioned_s", "launch to commissioned [s]"),
    ("notice_to_first_track_s", "launch notice to first good track [s]"),
    ("pointing_error_inspection_deg", "pointing error during inspection [deg]"),
    ("packets", "packets"),
    ("packet_hash", "packet-stream hash"),
)


def _tasks_table(tasks: dict[str, Any]) -> str:
    cols = sorted({k for v in tasks.values() if isinstance(v, dict) for k in v} - {"name"})
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th>"
        + "".join(f"<td>{html.escape(_show(v.get(c, '')))}</td>" for c in cols) + "</tr>"
        for name, v in sorted(tasks.items()) if isinstance(v, dict))
    return f"<h3>Tasks</h3><table><tr><th>task</th>{head}</tr>{rows}</table>"


def _packets_section(data: RunData) -> str:
    from fsw.packets import DICTIONARY

    arc = data.archive
    counts = Counter(arc.apids.tolist())
    rows = []
    for apid, n in sorted(counts.items()):
        pdef = DICTIONARY.by_apid.get(apid)
        rows.append((f"0x{apid:03X} {pdef.name if pdef else '?'}", n))
    span = data.series.span_s
    out = [f"<h2>Packets</h2><p>{len(arc)} packets over {span:.1f} s of packet time.</p>",
           f"<table><tr><th>APID</th><th>packets</th></tr>{_rows(rows)}</table>"]
    for issue in arc.issues:
        out.append(f"<p class='warn'>archive: {html.escape(str(issue))}</p>")
    for reason, n in sorted(data.decoded.errors.items()):
        out.append(f"<p class='warn'>{n} packets not decoded: {html.escape(reason)}</p>")
    return "\n".join(out)


def _limits_section(data: RunData) -> str:
    """Every limit violation of the run (fsw_tools.limits), with its time."""
    from fsw_tools.limits import violations

    found = violations(data.decoded)
    out = [f"<h2>Limit violations</h2><p>{len(found)} episodes out of the dictionary's "
           "limits (see docs/packets.md), on-board time.</p>"]
    if found:
        out.append("<table><tr><th>level</th><th>parameter</th><th>start (UTC)</th>"
                   "<th>duration [s]</th><th>packets</th><th>worst</th><th>limits</th></tr>")
        out += [f"<tr><td class='{'warn' if v.level > 1 else ''}'>{v.level_name}</td>"
                f"<td>{html.escape(v.parameter)}</td><td>{v.start_utc}</td>"
                f"<td>{v.duration_s:.1f}</td><td>{v.samples}</td>"
                f"<td>{html.escape(_show(v.worst))} {html.escape(v.unit)}</td>"
                f"<td>{html.escape(v.limits)}</td></tr>" for v in found]
        out.append("</table>")
    return "\n".join(out)


def write_report(data: RunData, out: Path | None = None) -> Path:
    path = out or data.run.report
    path.write_text(report_html(data), encoding="utf-8")
    return path
