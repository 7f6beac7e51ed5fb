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


#: light colours of the mission phases behind the time plots
PHASE_COLOURS = {"standby": "#eeeeee", "launch": "#e8e0f0", "commissioning": "#fff2cc",
                 "phasing": "#ddeeff", "rendezvous": "#d9f2d9", "prox_ops": "#ffe0cc",
                 "departure": "#e6e6e6", "safe": "#ffcccc"}


def shade_phases(ax, rs: RunSeries, scale: float) -> None:
    """Shade the mission phases (MODE_STATUS) behind a time plot, named at the top."""
    from fsw_tools.plots.series import phases

    span = max(rs.span_s, 1e-9)
    for name, t0, t1 in phases(rs):
        ax.axvspan(t0 / scale, t1 / scale, color=PHASE_COLOURS.get(name.lower(), "#f4f4f4"),
                   alpha=0.6, lw=0, zorder=0, label="_phase")
        if (t1 - t0) / span > 0.04:  # name the phases wide enough to hold it
            ax.text((t0 + t1) / 2 / scale, 0.98, name.lower(), transform=ax.get_xaxis_transform(),
                    ha="center", va="top", fontsize=7, color="#666", clip_on=True, zorder=1)


def _gaps(t: np.ndarray, *ys: np.ndarray, gap_s: float = 5.0) -> tuple[np.ndarray, ...]:
    """Series with NaN rows inserted where samples are more than ``gap_s``
    apart, so a line is broken where there is no data."""
    cut = np.flatnonzero(np.diff(t) > gap_s) + 1
    if not len(cut):
        return (t, *ys)
    out = [np.insert(t.astype(float), cut, np.nan)]
    for y in ys:
        out.append(np.insert(np.asarray(y, float), cut, np.nan, axis=0))
    return tuple(out)


def _empty(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in this run", ha="center", va="center",
            transform=ax.transAxes)


def _style(s: Series) -> dict:
    """Truth: a solid dark line drawn on top; estimates: thinner, dashed,
    coloured and beneath it, so neither hides the other."""
    if s.truth:
        return {"lw": 1.6, "ls": "-", "zorder": 3}
    return {"lw": 0.9, "ls": "--", "alpha": 0.75, "zorder": 2}


def _keep_out(ax, keep_out_m: float | None) -> None:
    if keep_out_m:
        th = np.linspace(0, 2 * np.pi, 361)
        ax.fill(keep_out_m * np.cos(th), keep_out_m * np.sin(th), alpha=0.2, color="red",
                label=f"keep-out sphere ({keep_out_m:g} m)")


def trajectory(rs: RunSeries, keep_out_m: float | None, zoom_m: float | None = None) -> Figure:
    """Chaser about the target in the Hill frame: the whole approach (radial
    vs along-track, scaled to the data), then a zoom of ``zoom_m`` about the
    target at equal scale (radial and cross-track vs along-track) with the
    keep-out sphere, where the inspection is seen."""
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 5.2),
                                        gridspec_kw={"width_ratios": [1.5, 1, 1]})
    zoom = zoom_m or 6.0 * (keep_out_m or 100.0)
    panels = ((ax1, (1, 0), ("along-track y [m]", "radial x [m]"), None),
              (ax2, (1, 0), ("along-track y [m]", "radial x [m]"), zoom),
              (ax3, (1, 2), ("along-track y [m]", "cross-track z [m]"), zoom))
    for ax, (i, j), (xl, yl), lim in panels:
        for s in rs.hill:
            ax.plot(s.y[:, i], s.y[:, j], label=s.label, **_style(s))
            ax.plot(s.y[-1:, i], s.y[-1:, j], "o", ms=4, color=ax.lines[-1].get_color())
        _keep_out(ax, keep_out_m)
        ax.plot([0], [0], "k+", ms=10, label="target")
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        if lim is not None:
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.set_aspect("equal", adjustable="box")
        ax.grid(True, alpha=0.3)
        if not rs.hill:
            _empty(ax, "relative position")
    ax1.legend(loc="best", fontsize=8)
    ax1.set_title("Chaser about the target, Hill frame (x radial, y along-track)")
    ax2.set_title(f"Inspection zoom, ±{zoom:g} m (radial)")
    ax3.set_title(f"Inspection zoom, ±{zoom:g} m (cross-track)")
    fig.tight_layout()
    return fig


def navigation_plot(rs: RunSeries) -> Figure:
    """Navigation error (estimate minus truth, Hill frame) per axis with the
    flight software's own ±3σ (NAV_STATE.sigma_pos), over the mission phases."""
    fig, axes = plt.subplots(3, 1, figsize=(10, 7), sharex=True)
    scale, xlabel = _time_axis(rs.span_s)
    nav = rs.nav_error
    for k, (ax, name) in enumerate(zip(axes, ("radial x", "along-track y", "cross-track z"),
                                       strict=True)):
        shade_phases(ax, rs, scale)
        if nav is not None and len(nav.t):
            sigma = nav.sigma if nav.sigma is not None else np.full(len(nav.t), np.nan)
            t, y, sig = _gaps(nav.t, nav.y[:, k], sigma)
            ax.plot(t / scale, y, lw=0.8, color="tab:blue", label="estimate - truth", zorder=3)
            if nav.sigma is not None:
                ax.fill_between(t / scale, -3 * sig, 3 * sig, color="tab:orange",
                                alpha=0.3, lw=0, zorder=2, label="±3σ (on-board sigma_pos)")
            if k == 0:
                ax.legend(loc="upper right", fontsize=8)
        elif k == 0:
            _empty(ax, "valid navigation solution")
        ax.set_ylabel(f"{name} [m]")
        ax.grid(True, alpha=0.3)
    axes[-1].set_xlabel(xlabel)
    _time_style(axes[-1])
    axes[0].set_title("Navigation error against truth, Hill frame")
    fig.tight_layout()
    return fig


def range_plot(rs: RunSeries, keep_out_m: float | None) -> Figure:
    fig, ax = plt.subplots(figsize=(10, 4.5))
    scale, xlabel = _time_axis(rs.span_s)
    shade_phases(ax, rs, scale)
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
    shade_phases(ax, rs, scale)
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
    shade_phases(ax, rs, scale)
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
    shade_phases(ax, rs, scale)
    for s in sorted(rs.propellant, key=lambda s: s.truth):  # truth last, on top
        style = ({"lw": 2.0, "color": "black", "zorder": 4} if s.truth else
                 {"lw": 0.7, "alpha": 0.5, "color": "tab:orange", "zorder": 2})
        ax.plot(s.t / scale, s.y, label=f"propellant, {s.label}", **style)
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


def all_figures(rs: RunSeries, keep_out_m: float | None,
                zoom_m: float | None = None) -> dict[str, Figure]:
    """Every plot of a run, by file stem (``zoom_m``: half-width of the
    inspection zoom of the trajectory, default six keep-out radii)."""
    return {
        "trajectory_hill": trajectory(rs, keep_out_m, zoom_m),
        "navigation": navigation_plot(rs),
        "range": range_plot(rs, keep_out_m),
        "attitude": attitude_plot(rs),
        "wheels": wheels_plot(rs),
        "propellant": propellant_plot(rs),
        "modes": modes_plot(rs),
    }
