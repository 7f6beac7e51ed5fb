"""The campaign report: one self-contained HTML page (``OUT/report/report.html``,
plots embedded) from the ``campaign_report.html.j2`` template, and the
summary as ``OUT/report/summary.json``.

Plots: the minimum range (histogram, keep-out radius), the Δv (empirical CDF,
budget), the relative trajectories in the target's Hill frame (the whole
flight and a close-up), and input-versus-outcome sensitivity: every dispersed
input against every outcome metric, ranked by Spearman's rank correlation
(``scipy.stats.spearmanr``), the strongest drawn.

Figures are drawn on Agg canvases (no global pyplot state, no display).
"""

from __future__ import annotations

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


def _done(fig: Figure) -> Figure:
    fig.tight_layout()
    return fig


def plot_min_range(rows: Sequence[Mapping[str, Any]], keep_out_m: float | None) -> Figure:
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
    return _done(fig)


def plot_dv_cdf(rows: Sequence[Mapping[str, Any]], budget_mps: float | None) -> Figure:
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
    return _done(fig)


def plot_trajectories(rows: Sequence[Mapping[str, Any]], keep_out_m: float | None,
                      close_m: float | None = None) -> Figure:
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
    return _done(fig)


#: outcome metrics the sensitivity is measured on
METRICS = (("min_range_m", "minimum range [m]"), ("dv_mps", "Δv [m/s]"),
           ("time_to_first_track_s", "time to first track [s]"))
MAX_SENSITIVITY_PLOTS = 6


def _inputs(rows: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Every dispersed scalar (list values one per component) over the runs
    (NaN where a run lacks it); constant inputs left out."""
    keys: dict[str, None] = {}
    for r in rows:
        for k, v in (r.get("overrides") or {}).items():
            if isinstance(v, list):
                for i in range(len(v)):
                    keys[f"{k}[{i}]"] = None
            elif isinstance(v, int | float) and not isinstance(v, bool):
                keys[k] = None
    out = {}
    for key in keys:
        base, _, idx = key.partition("[")
        vals = []
        for r in rows:
            v = (r.get("overrides") or {}).get(base)
            if idx and isinstance(v, list):
                v = v[int(idx[:-1])] if int(idx[:-1]) < len(v) else None
            vals.append(float(v) if isinstance(v, int | float) else np.nan)
        a = np.asarray(vals)
        if np.isfinite(a).sum() >= 3 and np.nanstd(a) > 0:
            out[key] = a
    return out


def sensitivity(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Spearman's rank correlation of each dispersed input with each outcome
    metric (finished runs), strongest first."""
    from scipy import stats

    done = [r for r in rows if r.get("outcome") != "failed"]
    inputs = _inputs(done)
    out = []
    for metric, label in METRICS:
        y = np.asarray([r.get(metric) if isinstance(r.get(metric), int | float) else np.nan
                        for r in done], float)
        for key, x in inputs.items():
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.sum() < 3 or np.std(y[ok]) == 0:
                continue
            rho, p = stats.spearmanr(x[ok], y[ok])
            out.append({"input": key, "metric": metric, "label": label, "rho": float(rho),
                        "p": float(p), "n": int(ok.sum()), "x": x[ok], "y": y[ok],
                        "outcomes": [r["outcome"] for r, k in zip(done, ok, strict=True) if k]})
    return sorted(out, key=lambda d: -abs(d["rho"]))


def plot_sensitivity(entry: Mapping[str, Any]) -> Figure:
    fig, ax = _figure()
    colours = [_COLOURS.get(o, "tab:orange") for o in entry["outcomes"]]
    ax.scatter(entry["x"], entry["y"], c=colours, s=14, alpha=0.8)
    ax.set_xlabel(entry["input"])
    ax.set_ylabel(entry["label"])
    ax.set_title(f"{entry['label']} vs {entry['input']}: Spearman ρ = {entry['rho']:+.2f} "
                 f"(p = {entry['p']:.2g}, n = {entry['n']})", fontsize=10)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def write_report(rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any],
                 out_dir: str | Path, *, title: str, keep_out_m: float | None = None,
                 budget_mps: float | None = None, rerun_hint: str = "") -> Path:
    """Write ``report.html`` (self-contained) and ``summary.json`` into
    ``out_dir``/report; returns the HTML path."""
    from fsw_tools.files import atomic_write, output_dir
    from fsw_tools.report.render import png_data, render

    folder = output_dir(Path(out_dir) / "report")
    figures = [("Minimum range", plot_min_range(rows, keep_out_m)),
               ("Δv", plot_dv_cdf(rows, budget_mps)),
               ("Relative trajectories", plot_trajectories(rows, keep_out_m))]
    sens = sensitivity(rows)
    plots = [{"title": t, "src": png_data(f, 100)} for t, f in figures]
    sens_plots = [{"title": f"{e['label']} vs {e['input']}", "src": png_data(
        plot_sensitivity(e), 100)} for e in sens[:MAX_SENSITIVITY_PLOTS]]
    atomic_write(folder / "summary.json", json.dumps(summary, indent=2) + "\n")
    failed = [r for r in rows if r["outcome"] != "success"][:50]
    page = render("campaign_report.html.j2", title=title, summary=summary, rows=rows,
                  failed=failed, plots=plots, sensitivity=sens, sensitivity_plots=sens_plots,
                  rerun_hint=rerun_hint, keep_out_m=keep_out_m, budget_mps=budget_mps,
                  dispersed=bool(_inputs(rows)))
    return atomic_write(folder / "report.html", page)
