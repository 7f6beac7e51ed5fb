"""The campaign report: dispersion plots (PNG) and one small HTML page.

* ``min_range.png``: histogram of the minimum range with the keep-out radius;
* ``dv_cdf.png``: empirical CDF of the Δv with the budget;
* ``trajectories.png``: the relative trajectories in the target's Hill frame
  (along-track vs radial, the classic V-bar/R-bar view), the keep-out circle.

Figures are drawn on Agg canvases (no global pyplot state, no display).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["MAX_TRAJECTORIES", "write_report"]

MAX_TRAJECTORIES = 200
_COLOURS = {"success": "tab:green", "failed": "tab:red"}


def _figure() -> tuple[Figure, Any]:
    fig = Figure(figsize=(7.0, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(1, 1, 1)


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_min_range(rows: Sequence[Mapping[str, Any]], keep_out_m: float | None, path: Path) -> Path:
    fig, ax = _figure()
    values = [r["min_range_m"] for r in rows if r.get("min_range_m") is not None]
    if values:
        ax.hist(values, bins=min(50, max(5, len(values) // 4)), color="tab:blue", alpha=0.8)
    if keep_out_m:
        ax.axvline(keep_out_m, color="tab:red", linestyle="--", label=f"keep-out {keep_out_m:g} m")
        ax.legend()
    ax.set_xlabel("minimum range [m]")
    ax.set_ylabel("runs")
    ax.set_title(f"Minimum range, {len(values)} runs")
    return _save(fig, path)


def plot_dv_cdf(rows: Sequence[Mapping[str, Any]], budget_mps: float | None, path: Path) -> Path:
    fig, ax = _figure()
    values = np.sort([r["dv_mps"] for r in rows if r.get("dv_mps") is not None])
    if values.size:
        ax.step(values, np.arange(1, values.size + 1) / values.size, where="post")
    if budget_mps:
        ax.axvline(budget_mps, color="tab:red", linestyle="--", label=f"budget {budget_mps:g} m/s")
        ax.legend(loc="lower right")
    ax.set_xlabel("Δv [m/s]")
    ax.set_ylabel("fraction of runs")
    ax.set_ylim(0.0, 1.02)
    ax.set_title(f"Δv CDF, {values.size} runs")
    return _save(fig, path)


def plot_trajectories(rows: Sequence[Mapping[str, Any]], keep_out_m: float | None,
                      path: Path, close_m: float | None = None) -> Path:
    """Overlay of the runs' trajectories: the whole flight, and a close-up of
    ``close_m`` (default: 6 keep-out radii) around the target."""
    fig = Figure(figsize=(11.0, 4.8), dpi=100)
    FigureCanvasAgg(fig)
    whole, close = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    drawn = 0
    for r in rows:
        traj = r.get("trajectory")
        if not traj or drawn >= MAX_TRAJECTORIES:
            continue
        a = np.asarray(traj, dtype=float)
        colour = _COLOURS.get(r["outcome"], "tab:orange")
        for ax in (whole, close):
            ax.plot(a[:, 2], a[:, 1], color=colour, linewidth=0.6, alpha=0.5)
        drawn += 1
    half = close_m or 6.0 * (keep_out_m or 100.0)
    close.set_xlim(-half, half)
    close.set_ylim(-half, half)
    close.set_aspect("equal")
    for ax in (whole, close):
        if keep_out_m:
            t = np.linspace(0, 2 * np.pi, 200)
            ax.plot(keep_out_m * np.cos(t), keep_out_m * np.sin(t), "r--", linewidth=1.0,
                    label=f"keep-out {keep_out_m:g} m")
        ax.plot([0.0], [0.0], "k+", markersize=10)
        ax.set_xlabel("along-track y [m]")
        ax.set_ylabel("radial x [m]")
    if keep_out_m:
        close.legend(loc="upper left")
    whole.set_title(f"Relative trajectories (Hill frame), {drawn} runs")
    close.set_title("close-up; green success, orange other outcomes")
    return _save(fig, path)


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return html.escape(str(v))


def _metric_table(summary: Mapping[str, Any]) -> str:
    lines = ["<table><tr><th>metric</th><th>n</th><th>mean [CI]</th><th>median</th>"
             "<th>quantiles [CI]</th><th>min</th><th>max</th></tr>"]
    for key in ("min_range_m", "dv_mps", "time_to_first_track_s"):
        d = summary.get(key, {})
        quants = " ".join(f"{q}={_fmt(d[q])} {_fmt(d.get(q + '_ci'))}"
                          for q in sorted(d) if q.startswith("p") and not q.endswith("_ci"))
        lines.append(f"<tr><td>{key}</td><td>{d.get('n', 0)}</td>"
                     f"<td>{_fmt(d.get('mean'))} {_fmt(d.get('mean_ci'))}</td>"
                     f"<td>{_fmt(d.get('median'))}</td><td>{quants}</td>"
                     f"<td>{_fmt(d.get('min'))}</td><td>{_fmt(d.get('max'))}</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


def write_report(rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any],
                 out_dir: str | Path, *, title: str, keep_out_m: float | None = None,
                 budget_mps: float | None = None, rerun_hint: str = "") -> Path:
    """Write the plots, ``summary.json`` and ``report.html`` into ``out_dir``/report;
    returns the HTML path."""
    folder = Path(out_dir) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    plot_min_range(rows, keep_out_m, folder / "min_range.png")
    plot_dv_cdf(rows, budget_mps, folder / "dv_cdf.png")
    plot_trajectories(rows, keep_out_m, folder / "trajectories.png")
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    conf = summary.get("confidence", 0.95)
    p = summary.get("p_success")
    p_text = "–" if p is None else f"{p:.3f} {_fmt(summary.get('p_success_ci'))}"
    failed = [r for r in rows if r["outcome"] != "success"][:50]
    fail_rows = "\n".join(
        f"<tr><td>{r['index']}</td><td>{r['seed']}</td><td>{_fmt(r['outcome'])}</td>"
        f"<td>{_fmt(r.get('min_range_m'))}</td>"
        f"<td>{_fmt(r.get('error') or r.get('faults'))}</td></tr>"
        for r in failed)
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{summary.get('runs', 0)} runs; outcomes {_fmt(json.dumps(summary.get('outcomes', {})))};
P(success) = {p_text} ({conf:.0%} Wilson interval).
Faults: {_fmt(json.dumps(summary.get('fault_counts', {})))}.</p>
<h2>Metrics ({conf:.0%} intervals: Student t for means, order statistics for quantiles)</h2>
{_metric_table(summary)}
<h2>Plots</h2>
<p><img src="min_range.png" alt="minimum range histogram"></p>
<p><img src="dv_cdf.png" alt="delta-v CDF"></p>
<p><img src="trajectories.png" alt="trajectory overlay"></p>
<h2>Runs not successful (first 50)</h2>
<p>{html.escape(rerun_hint)}</p>
<table><tr><th>index</th><th>seed</th><th>outcome</th><th>min range [m]</th>
<th>error / faults</th></tr>
{fail_rows}
</table></body></html>
"""
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
