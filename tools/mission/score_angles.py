"""The angles-only phase scored against truth (issue #15, acceptance 2): from
the camera's first detection of the target to the handover, the first sample
whose range is measured. Part of :class:`fsw_tools.mission.score_nav.NavScore`,
which feeds it the sensor's samples (RELNAV) and the truth (TRUTH_RELATIVE).

A RELNAV sample is a detection when ``valid`` is 1; it is ranged when its
``ranged`` field is 1. A record without ``ranged`` (the dictionary before the
field) counts as ranged when valid: the sensor measured range whenever it
saw the target.

Figures (:func:`angles_figures`):

- ``first_detection_t``, ``first_detection_range_m``: TAI time of the first
  valid sample, and the truth range then (the TRUTH_RELATIVE sample nearest
  in time, within the pairing's window, carried to that time with its own
  rate: ``|r_H + v_H dt|``; None without a truth sample in the window).
- ``handover_t``, ``handover_range_m``: the same at the first valid sample
  with ``ranged`` = 1 (None when the run ends before it).
- ``angles_epochs``: the relative filter's valid NAV_STATE epochs strictly
  after the first detection and strictly before the handover (to the end of
  the run without a handover).
- ``angles_range_err_p95``, ``angles_range_err_max``: p95 (numpy's linear
  interpolation) and largest of ``| |rho_est| - range_true | / range_true``
  over those epochs, the truth range being the pairing's truth carried to
  the epoch (``|r_H|``: the Hill frame is rectilinear, so it is the distance).
- ``angles_over_limit``: how many of those epochs are at or over
  :data:`ERR_LIMIT` (so a campaign pools the acceptance's share exactly).
- ``angles_by_range``: the same error per truth-range bin (report).

With no bearing-only phase (the first detection was ranged, or no
detection) every ``angles_*`` figure is None.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["ERR_LIMIT", "ROW_KEYS", "AnglesPhase", "angles_figures", "angles_line",
           "angles_stats", "angles_stats_line"]

#: acceptance 2: range error under 10 % of range at p95 before the handover
ERR_LIMIT = 0.10
#: truth-range bins of the angles-only error table [m]
RANGE_BINS_M = (0.0, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, math.inf)
#: the figures a campaign row keeps (``row["nav"]``, beside score_nav's)
ROW_KEYS = ("first_detection_t", "first_detection_range_m", "handover_t", "handover_range_m",
            "angles_epochs", "angles_range_err_p95", "angles_range_err_max",
            "angles_over_limit")


class _Mark:
    """A RELNAV sample's time and the truth range nearest to it."""

    __slots__ = ("dt", "range_m", "t")

    def __init__(self, t: float) -> None:
        self.t = t
        self.dt = math.inf
        self.range_m: float | None = None

    def offer(self, tt: float, r_H: Any, v_H: Any, match_s: float) -> None:
        dt = self.t - tt
        if abs(dt) <= match_s and abs(dt) < abs(self.dt):
            self.dt = dt
            self.range_m = math.sqrt(sum((r + v * dt) ** 2 for r, v in zip(r_H, v_H,
                                                                            strict=True)))


class AnglesPhase:
    """First detection and handover from the sensor's samples, each with the
    truth range nearest in time (within ``match_s``, whichever of the two
    arrives first)."""

    def __init__(self, match_s: float) -> None:
        self.match_s = match_s
        self.detection: _Mark | None = None
        self.handover: _Mark | None = None
        #: truth samples of the last few seconds: (t, r_H, v_H)
        self._recent: deque[tuple[float, Any, Any]] = deque()

    @property
    def done(self) -> bool:
        """Both marks set: later samples change nothing."""
        return self.handover is not None

    def on_relnav(self, t: float, valid: int, ranged: int | None = None) -> None:
        """One sensor sample; ``ranged`` None (a record without the field)
        counts as ranged when valid."""
        if not valid or self.handover is not None:
            return
        t = float(t)
        if ranged is None:
            ranged = 1
        if self.detection is None:
            self.detection = self._mark(t)
            if ranged:
                self.handover = self.detection
        elif ranged:
            self.handover = self._mark(t)

    def _mark(self, t: float) -> _Mark:
        m = _Mark(t)
        for tt, r, v in self._recent:
            m.offer(tt, r, v, self.match_s)
        return m

    def on_truth(self, t: float, r_H: Any, v_H: Any) -> None:
        t = float(t)
        for m in (self.detection, self.handover):
            if m is not None and m.t - self.match_s <= t <= m.t + self.match_s:
                m.offer(t, r_H, v_H, self.match_s)
        if self.handover is None:
            self._recent.append((t, r_H, v_H))
            while self._recent[0][0] < t - 3.0:
                self._recent.popleft()

    def window(self) -> tuple[float, float] | None:
        """The bearing-only phase (first detection, handover or +inf), or
        None without one."""
        d, h = self.detection, self.handover
        if d is None or h is d:
            return None
        return d.t, (h.t if h is not None else math.inf)


def _q(x: np.ndarray, p: float) -> float | None:
    return float(np.percentile(x, p)) if x.size else None


def angles_figures(phase: AnglesPhase, t: np.ndarray, in_filter: np.ndarray,
                   rho_norm: np.ndarray, range_true: np.ndarray) -> dict[str, Any]:
    """The figures of the module docstring from the phase's marks and the
    paired epochs (time, valid filter epoch, ``|rho_est|``, truth range)."""
    d, h = phase.detection, phase.handover
    out: dict[str, Any] = {
        "first_detection_t": d.t if d else None,
        "first_detection_range_m": d.range_m if d else None,
        "handover_t": h.t if h else None, "handover_range_m": h.range_m if h else None,
        "angles_epochs": None, "angles_range_err_p95": None, "angles_range_err_max": None,
        "angles_over_limit": None, "angles_by_range": None}
    w = phase.window()
    if w is None:
        return out
    k = in_filter & (t > w[0]) & (t < w[1]) & (range_true > 0)
    rng = range_true[k]
    frac = np.abs(rho_norm[k] - rng) / rng
    out["angles_epochs"] = int(k.sum())
    out["angles_range_err_p95"] = _q(frac, 95)
    out["angles_range_err_max"] = float(frac.max()) if frac.size else None
    out["angles_over_limit"] = int((frac >= ERR_LIMIT).sum())
    bins = []
    for lo, hi in itertools.pairwise(RANGE_BINS_M):
        b = (rng >= lo) & (rng < hi)
        if b.any():
            bins.append({"range_m": [lo, hi if math.isfinite(hi) else None],
                         "epochs": int(b.sum()), "err_p50": _q(frac[b], 50),
                         "err_p95": _q(frac[b], 95), "err_max": float(frac[b].max())})
    out["angles_by_range"] = bins
    return out


def angles_stats(rows: Any) -> dict[str, Any]:
    """Campaign statistics of the rows' ``nav`` angles figures: first
    detection range (median, p5) and handover range (median) over the runs
    that have them; over the runs with a bearing-only phase and filter
    epochs in it, the range error's p95 averaged with each run's
    ``angles_epochs`` as weight (a weighted mean of the runs' p95, not the
    p95 of the pooled epochs, which the rows do not carry), the worst run's
    p95 (and its seed), and the pooled share of epochs at or over
    :data:`ERR_LIMIT` (exact: p95 < 10 % is this share under 5 %, up to
    the percentile's interpolation)."""
    navs = [(r.get("seed"), r["nav"]) for r in rows if isinstance(r.get("nav"), Mapping)]

    def col(k: str) -> np.ndarray:
        return np.array([float(n[k]) for _, n in navs if n.get(k) is not None], float)

    det, hand = col("first_detection_range_m"), col("handover_range_m")
    phased = [(s, n) for s, n in navs if n.get("angles_epochs") is not None]
    scored = [(s, n) for s, n in phased
              if n.get("angles_epochs") and n.get("angles_range_err_p95") is not None]
    out: dict[str, Any] = {
        "first_detection_runs": int(det.size),
        "first_detection_range_m_median": float(np.median(det)) if det.size else None,
        "first_detection_range_m_p5": _q(det, 5),
        "handover_range_m_median": float(np.median(hand)) if hand.size else None,
        "angles_runs": len(phased), "angles_runs_scored": len(scored),
        "angles_range_err_p95_weighted": None, "angles_range_err_p95_max": None,
        "angles_range_err_p95_max_seed": None, "angles_over_limit_pooled": None}
    if scored:
        ep = np.array([float(n["angles_epochs"]) for _, n in scored])
        p95 = np.array([float(n["angles_range_err_p95"]) for _, n in scored])
        out["angles_range_err_p95_weighted"] = float((p95 * ep).sum() / ep.sum())
        worst = int(np.argmax(p95))
        out["angles_range_err_p95_max"] = float(p95[worst])
        out["angles_range_err_p95_max_seed"] = scored[worst][0]
        over = [(float(n["angles_over_limit"]), float(n["angles_epochs"])) for _, n in scored
                if n.get("angles_over_limit") is not None]
        if over:
            out["angles_over_limit_pooled"] = (sum(o for o, _ in over)
                                               / sum(e for _, e in over))
    return out


def _km(v: float | None) -> str:
    return "n/a" if v is None else f"{v / 1000.0:.2f} km"


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100.0 * v:.2f} %"


def angles_line(fig: Mapping[str, Any] | None) -> str | None:
    """The run summary's angles-only line (``fsw run``), None without a detection."""
    if not fig or fig.get("first_detection_t") is None:
        return None
    det = _km(fig.get("first_detection_range_m"))
    if fig.get("angles_epochs") is None:
        return (f"Angles-only phase: none (the first detection, at {det}, was already "
                "ranged)")
    hand = ("no handover in this run" if fig.get("handover_t") is None else
            f"handover at {_km(fig.get('handover_range_m'))} "
            f"({fig['handover_t'] - fig['first_detection_t']:.0f} s later)")
    return (f"Angles-only phase: first detection at {det}, {hand}; range error/range "
            f"p95 {_pct(fig.get('angles_range_err_p95'))}, max "
            f"{_pct(fig.get('angles_range_err_max'))} over {fig['angles_epochs']} filter "
            "epochs")


def angles_stats_line(st: Mapping[str, Any]) -> str | None:
    """``fsw campaign``'s angles-only line, None when no run detected the target."""
    if not st.get("first_detection_runs"):
        return None
    head = (f"angles-only: first detection {_km(st['first_detection_range_m_median'])} "
            f"median, {_km(st['first_detection_range_m_p5'])} p5 "
            f"({st['first_detection_runs']} runs)")
    if not st.get("angles_runs"):
        return f"{head}; no bearing-only phase in any run (every first detection ranged)"
    if not st.get("angles_runs_scored"):
        return (f"{head}; {st['angles_runs']} runs with a bearing-only phase, none with "
                "a filter epoch in it")
    seed = st.get("angles_range_err_p95_max_seed")
    return (f"{head}; range error/range p95 {_pct(st['angles_range_err_p95_weighted'])} "
            f"(epoch-weighted over {st['angles_runs_scored']} runs; worst run "
            f"{_pct(st['angles_range_err_p95_max'])}{'' if seed is None else f', seed {seed}'}"
            f"), epochs at or over {ERR_LIMIT:.0%}: {_pct(st['angles_over_limit_pooled'])} "
            f"pooled; handover at {_km(st['handover_range_m_median'])} median")
