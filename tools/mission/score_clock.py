"""The on-board clock against truth (issue #17): the navigation core's
estimate of the on-board clock's offset from TAI (NAV_HK ``clock_offset``,
``clock_sigma``, ``clock_state``) against the world's oscillator
(TRUTH_CLOCK ``offset``), paired at equal packet times. Only epochs where the
flight software says its clock is disciplined (``clock_state`` bit 1) are
scored; before that, the free-running offset is what the flight software
flies with, reported as ``truth_offset0_s``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["ClockScore", "clock_lines", "clock_stats"]


class ClockScore:
    """Pairs NAV_HK clock estimates with TRUTH_CLOCK at the same time."""

    def __init__(self) -> None:
        self._truth: dict[float, float] = {}
        self._first_truth: float | None = None
        self.truth_offset0: float | None = None
        self.first_sync_t: float | None = None
        #: (t, error s, 1-sigma s)
        self.pairs: list[tuple[float, float, float]] = []
        self._pending: list[tuple[float, float, float]] = []

    def on_truth(self, t: float, offset: float) -> None:
        if self._first_truth is None:
            self._first_truth, self.truth_offset0 = t, offset
        self._truth[t] = offset
        # an estimate may come before the truth of its tick in the stream
        if self._pending:
            keep = []
            for p in self._pending:
                if p[0] == t:
                    self.pairs.append((t, p[1] - offset, p[2]))
                elif p[0] > t:
                    keep.append(p)
            self._pending = keep

    def on_hk(self, t: float, state: int, offset: float, sigma: float) -> None:
        if not state & 1:
            return
        if self.first_sync_t is None:
            self.first_sync_t = t
        truth = self._truth.pop(t, None)
        if truth is None:
            self._pending.append((t, offset, sigma))
        else:
            self.pairs.append((t, offset - truth, sigma))
        # truth older than this estimate is never needed again
        if len(self._truth) > 64:
            self._truth = {k: v for k, v in self._truth.items() if k >= t}

    def figures(self) -> dict[str, Any]:
        """epochs, error |e| p95 and max (s), rms (s), 3-sigma containment,
        NEES (1 dof: mean (e/sigma)^2), time from the first clock reading to
        the first disciplined estimate (s), the truth's first offset (s)."""
        n = len(self.pairs)
        out: dict[str, Any] = {
            "epochs": n,
            "truth_offset0_s": self.truth_offset0,
            "sync_after_s": (None if self.first_sync_t is None or self._first_truth is None
                             else self.first_sync_t - self._first_truth),
        }
        if n == 0:
            return out
        errs = sorted(abs(e) for _, e, _ in self.pairs)
        nees = [(e / s) ** 2 for _, e, s in self.pairs if s > 0.0]
        out.update(
            err_abs_p95_s=errs[min(n - 1, int(0.95 * n))],
            err_abs_max_s=errs[-1],
            err_rms_s=math.sqrt(sum(e * e for _, e, _ in self.pairs) / n),
            contain_3sigma=sum(1 for x in nees if x <= 9.0) / max(1, len(nees)),
            nees=sum(nees) / max(1, len(nees)),
        )
        return out


def clock_lines(c: dict[str, Any] | None) -> list[str]:
    """The run summary's clock line (``fsw run``)."""
    if not c or not c.get("epochs"):
        return []
    return [f"On-board clock (truth): off TAI by {c['truth_offset0_s'] * 1e3:+.3f} ms at the "
            f"start, disciplined by GPS after {c['sync_after_s']:.0f} s; then error "
            f"p95 {c['err_abs_p95_s'] * 1e9:.0f} ns, max {c['err_abs_max_s'] * 1e9:.0f} ns, "
            f"inside 3 sigma {100 * c['contain_3sigma']:.2f} %, NEES {c['nees']:.2f}"]


def clock_stats(rows: Any) -> dict[str, Any]:
    """Campaign statistics of the rows' ``clock`` figures: runs scored, the
    worst run's error maximum and 3-sigma containment, the NEES range, the
    latest first discipline."""
    cl = [r["clock"] for r in rows if isinstance(r.get("clock"), dict)
          and r["clock"].get("epochs")]
    out: dict[str, Any] = {"runs": len(cl)}
    if cl:
        out.update(
            err_abs_max_s=max(c["err_abs_max_s"] for c in cl),
            err_abs_p95_max_s=max(c["err_abs_p95_s"] for c in cl),
            contain_3sigma_min=min(c["contain_3sigma"] for c in cl),
            nees_min=min(c["nees"] for c in cl),
            nees_max=max(c["nees"] for c in cl),
            sync_after_max_s=max(c["sync_after_s"] for c in cl if c["sync_after_s"] is not None),
            truth_offset0_abs_max_s=max(abs(c["truth_offset0_s"]) for c in cl),
        )
    return out
