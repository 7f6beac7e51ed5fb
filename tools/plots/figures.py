"""The plots of a run (matplotlib, Agg: no display needed). Each function
returns a Figure; :func:`all_figures` gives them by file stem."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from fsw_tools.plots.series import RunSeries, Series
from matplotlib.figure import Figure


def _time_axis(span_s: float) -> tuple[float, str]:
    if span_s > 3 * 3600:
        return 3600.0, "time since start [h]"
    if span_s > 180:
        return 60.0, "time since start [min]"
    return 1.0, "time since start [s]"


def _time_style(ax) -> None:
    ax.ticklabel_format(axis="x", useOffset=False, style="plain")


def _finish_time_plot(fig: Figure, ax, xlabel: str, ylabel: str, title: str,
                      log_grid: bool = False) -> None:
    """The common dressing of a plot over time: labels, title, grid, legend."""
    ax.set_xlabel(xlabel)
    _time_style(ax)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both" if log_grid else "major", alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()


def _empty(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in this run", ha="center", va="center",
            transform=ax.transAxes)


def _style(s: Series) -> dict:
    return {"lw": 1.6 if s.truth else 1.0, "ls": "-" if s.truth else "--"}


def trajectory(rs: RunSeries, keep_out_m: float | None) -> Figure:
    """Chaser about the target in the Hill frame: radial vs along-track, and
    cross-track vs along-track, with the keep-out sphere."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5.5))
    for ax, (i, j), (xl, yl) in ((ax1, (1, 0), ("along-track y [m]", "radial x [m]")),
                                 (ax2, (1, 2), ("along-track y [m]", "cross-track z [m]"))):
        for s in rs.hill:
            ax.plot(s.y[:, i], s.y[:, j], label=s.label, **_style(s))
            ax.plot(s.y[-1:, i], s.y[-1:, j], "o", ms=4, color=ax.lines[-1].get_color())
        if keep_out_m:
            th = np.linspace(0, 2 * np.pi, 361)
            ax.fill(keep_out_m * np.cos(th), keep_out_m * np.sin(th), alpha=0.2, color="red",
                    label=f"keep-out sphere ({keep_out_m:g} m)")
        ax.plot([0], [0], "k+", ms=10, label="target")
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.set_aspect("equal", adjustable="datalim")
        ax.grid(True, alpha=0.3)
        if not rs.hill:
            _empty(ax, "relative position")
        ax.legend(loc="best", fontsize=8)
    ax1.set_title("Chaser about the target, Hill frame (x radial, y along-track)")
    ax2.set_title("Cross-track motion")
    fig.tight_layout()
    return fig


def range_plot(rs: RunSeries, keep_out_m: float | None) -> Figure:
    fig, ax = plt.subplots(figsize=(10, 4.5))
    scale, xlabel = _time_axis(rs.span_s)
    for s in rs.range:
        ax.plot(s.t / scale, s.y, label=f"range, {s.label}", **_style(s))
    if keep_out_m:
        ax.axhline(keep_out_m, color="red", ls=":", label=f"keep-out radius ({keep_out_m:g} m)")
    if rs.range and np.nanmin([np.nanmin(s.y) for s in rs.range]) > 0:
        ax.set_yscale("log")
    if not rs.range:
        _empty(ax, "range")
    _finish_time_plot(fig, ax, xlabel, "range to target [m]", "Range over time", log_grid=True)
    return fig


def attitude_plot(rs: RunSeries) -> Figure:
    fig, ax = plt.subplots(figsize=(10, 4.5))
    scale, xlabel = _time_axis(rs.span_s)
    floor = 1e-6  # deg: exact zeros (no error, e.g. no reference) drawn at the floor
    for s in rs.attitude:
        label = s.label if "error" in s.label else f"attitude error, {s.label}"
        ax.plot(s.t / scale, np.maximum(np.degrees(np.abs(s.y)), floor), label=label,
                **_style(s))
    if rs.attitude:
        ax.set_yscale("log")
    if not rs.attitude:
        _empty(ax, "attitude error")
    _finish_time_plot(fig, ax, xlabel, "error [deg]", "Attitude and pointing error", log_grid=True)
    return fig


def wheels_plot(rs: RunSeries) -> Figure:
    fig, ax = plt.subplots(figsize=(10, 4.5))
    scale, xlabel = _time_axis(rs.span_s)
    for s in rs.wheels[:1]:
        y = s.y if s.y.ndim == 2 else s.y[:, None]
        for k in range(y.shape[1]):
            ax.plot(s.t / scale, y[:, k] * 30 / np.pi, label=f"wheel {k + 1} ({s.label})")
    if not rs.wheels:
        _empty(ax, "wheel speed")
    _finish_time_plot(fig, ax, xlabel, "wheel speed [rpm]", "Reaction wheel speeds")
    return fig


def propellant_plot(rs: RunSeries) -> Figure:
    fig, ax = plt.subplots(figsize=(10, 4.5))
    scale, xlabel = _time_axis(rs.span_s)
    for s in rs.propellant:
        ax.plot(s.t / scale, s.y, label=f"propellant, {s.label}", **_style(s))
    if not rs.propellant:
        _empty(ax, "propellant")
    _finish_time_plot(fig, ax, xlabel, "propellant mass [kg]", "Propellant")
    return fig


def modes_plot(rs: RunSeries) -> Figure:
    fig, ax = plt.subplots(figsize=(10, 3.8))
    scale, xlabel = _time_axis(rs.span_s)
    if rs.modes:
        s = rs.modes[0]
        ax.step(s.t / scale, s.y, where="post", label=f"{s.label} ({s.source})")
        names = rs.mode_names
        ticks = sorted(names) if names else sorted(set(s.y.tolist()))
        ax.set_yticks(ticks)
        ax.set_yticklabels([names.get(v, str(v)) for v in ticks])
        ax.legend(loc="best", fontsize=8)
    else:
        _empty(ax, "mode telemetry")
    ax.set_xlabel(xlabel)
    _time_style(ax)
    ax.set_title("Mode timeline")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def all_figures(rs: RunSeries, keep_out_m: float | None) -> dict[str, Figure]:
    """Every plot of a run, by file stem."""
    return {
        "trajectory_hill": trajectory(rs, keep_out_m),
        "range": range_plot(rs, keep_out_m),
        "attitude": attitude_plot(rs),
        "wheels": wheels_plot(rs),
        "propellant": propellant_plot(rs),
        "modes": modes_plot(rs),
    }
