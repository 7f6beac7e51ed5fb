"""Burn execution judged from truth: for every burn that fired, the Δv the
chaser really got (the world's ``TRUTH_CHASER`` velocity change over the
firing, less the two-body + J2 gravity integrated along the truth's own
positions) against the Δv ordered (``BURN_ORDER``), and against the Δv the
flight software says it made (``BURN_STATUS.dv_done``).

The firing window of a burn runs from the last truth sample before its
first FIRING status to the first one after its final status (DONE or
ABORTED) plus ``TAIL_S`` (the thrusters' tail-off and the world's truth
period); gravity over it by the trapezoid rule on the truth samples (at 1 Hz
the rule's error is below 1e-4 m/s over a 100 s burn; drag and solar
pressure, 1e-7 m/s^2, are left in the "truth" Δv as the accelerometer sees
them too).
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Mapping
from typing import Any

import numpy as np
from fsw_tools.mission.score_safety import accel_j2

__all__ = ["TAIL_S", "BurnScore", "burn_lines", "burn_rows", "burn_stats"]

#: seconds of truth after a burn's final status counted into its window
TAIL_S = 2.0
#: BurnStatusState values (fsw.packets.enums)
_FIRING, _DONE, _ABORTED = 2, 3, 4
#: one truth sample's doubles (t, r_N, v_N) as BurnScore keeps them (native order)
_TRUTH_DOUBLES = struct.Struct("=7d")


def _gravity_dv(t: np.ndarray, r: np.ndarray) -> np.ndarray:
    a = np.array([accel_j2(*map(float, x)) for x in r])
    dt = np.diff(t)[:, None]
    return (0.5 * (a[1:] + a[:-1]) * dt).sum(axis=0)


def burn_rows(tables: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per fired burn: ``burn_id``, ``purpose``, ``t_fire``,
    ``ordered`` and ``true`` |Δv| (m/s), ``reported`` (dv_done), the true
    magnitude error against the order (``mag_err``, fraction) and the
    direction error (``dir_err_deg``); when the final status carries the
    measured Δv vector (``dv_N``: what the navigation applies), the truth
    minus it along that vector (``rep_err_along``, m/s) and across it
    (``rep_err_across``, m/s, the size of the rest): the execution error the
    navigation's burn model stands for (fsw.tasks.navigation.DV_SIGMA_*)."""
    order, status, truth = (tables.get(k, {}) for k in ("BURN_ORDER", "BURN_STATUS",
                                                        "TRUTH_CHASER"))
    if not len(order.get("t_tai", ())) or not len(truth.get("t_tai", ())):
        return []
    tt = np.asarray(truth["t_tai"], dtype=float)
    r, v = np.asarray(truth["r_N"], dtype=float), np.asarray(truth["v_N"], dtype=float)
    st_t = np.asarray(status["t_tai"], dtype=float)
    st_id = np.asarray(status["burn_id"])
    st_state = np.asarray(status["state"])
    rows = []
    for k in range(len(order["t_tai"])):
        bid = int(order["burn_id"][k])
        dv_o = np.asarray(order["dv_N"][k], dtype=float)
        sel = (st_id == bid) & (st_t >= float(order["t_tai"][k]))
        firing = sel & (st_state == _FIRING)
        final = sel & ((st_state == _DONE) | (st_state == _ABORTED))
        if not firing.any() or not final.any():
            continue
        t0 = st_t[firing][0] - 1.0  # the status comes once a second
        t1 = st_t[final][0] + TAIL_S
        i0 = int(np.searchsorted(tt, t0, side="right")) - 1
        i1 = int(np.searchsorted(tt, t1, side="left"))
        if i0 < 0 or i1 >= len(tt):
            continue
        dv_t = v[i1] - v[i0] - _gravity_dv(tt[i0:i1 + 1], r[i0:i1 + 1])
        mo, mt = float(np.linalg.norm(dv_o)), float(np.linalg.norm(dv_t))
        cosang = float(dv_o @ dv_t) / (mo * mt) if mo > 0 and mt > 0 else 1.0
        purpose = order["purpose"][k]
        rep_along = rep_across = None
        rep = status["dv_N"][int(np.flatnonzero(final)[0])] if "dv_N" in status else None
        if rep is not None:
            rep = np.asarray(rep, dtype=float)
            mr = float(np.linalg.norm(rep))
            if mr > 0 and np.isfinite(mr):
                e = dv_t - rep
                rep_along = float(e @ rep) / mr
                rep_across = float(np.linalg.norm(e - rep_along * rep / mr))
        rows.append({
            "burn_id": bid,
            "purpose": purpose.decode() if isinstance(purpose, bytes) else str(purpose),
            "t_fire": float(st_t[firing][0]),
            "ordered": mo, "true": mt,
            "reported": float(np.asarray(status["dv_done"])[final][0]),
            "aborted": bool(st_state[final][0] == _ABORTED),
            "mag_err": (mt - mo) / mo if mo > 0 else math.nan,
            "dir_err_deg": math.degrees(math.acos(max(-1.0, min(1.0, cosang)))),
            "rep_err_along": rep_along, "rep_err_across": rep_across,
        })
    return rows


def burn_stats(rows: list[dict[str, Any]], min_dv: float = 0.05) -> dict[str, Any]:
    """Figures of a run's completed burns of at least ``min_dv``: the worst
    and the rms true magnitude error (fraction), the worst direction error."""
    done = [r for r in rows if not r["aborted"] and r["ordered"] >= min_dv]
    if not done:
        return {"burns": 0}
    err = np.array([r["mag_err"] for r in done])
    return {"burns": len(done), "mag_err_worst": float(err[np.argmax(np.abs(err))]),
            "mag_err_rms": float(np.sqrt(np.mean(err * err))),
            "dir_err_worst_deg": max(r["dir_err_deg"] for r in done)}


class BurnScore:
    """The mission monitor's feed of :func:`burn_rows`: truth chaser states,
    burn orders and burn statuses as they fly."""

    def __init__(self) -> None:
        #: t, r_N, v_N of every truth sample, flat (7 doubles each: a day at
        #: 1 Hz is 5 MB, against 35 MB as tuples)
        self._truth = array("d")
        self._order: list[tuple[float, int, Any, str]] = []
        self._status: list[tuple[float, int, int, float, Any]] = []

    def on_truth(self, t: float, r_N: Any, v_N: Any) -> None:
        # the doubles append and extend would add, packed at once
        self._truth.frombytes(_TRUTH_DOUBLES.pack(t, *r_N, *v_N))

    def on_order(self, t: float, burn_id: int, dv_N: Any, purpose: str) -> None:
        self._order.append((t, burn_id, dv_N, purpose))

    def on_status(self, t: float, burn_id: int, state: int, dv_done: float,
                  dv_N: Any = None) -> None:
        """One BURN_STATUS; ``dv_N``: the Δv vector it reports (None: none)."""
        self._status.append((t, burn_id, state, dv_done,
                             None if dv_N is None else tuple(map(float, dv_N))))

    def tables(self) -> dict[str, dict[str, Any]]:
        """The fed records as :func:`burn_rows`' tables."""
        def cols(recs: list[tuple], names: tuple[str, ...]) -> dict[str, Any]:
            return {n: [rec[i] for rec in recs] for i, n in enumerate(names)}

        tr = np.frombuffer(self._truth, dtype=float).reshape(-1, 7).copy()  # no buffer lock
        return {"TRUTH_CHASER": {"t_tai": tr[:, 0], "r_N": tr[:, 1:4], "v_N": tr[:, 4:7]},
                "BURN_ORDER": cols(self._order, ("t_tai", "burn_id", "dv_N", "purpose")),
                "BURN_STATUS": cols(self._status, ("t_tai", "burn_id", "state", "dv_done",
                                                   "dv_N"))}

    def figures(self) -> dict[str, Any]:
        """:func:`burn_stats` of the run and its rows."""
        rows = burn_rows(self.tables())
        return {**burn_stats(rows), "rows": rows}


def burn_lines(fig: Mapping[str, Any] | None) -> list[str]:
    """The report's lines: the burns against truth."""
    if not fig or not fig.get("rows"):
        return []
    out = [f"Burns against truth (velocity change less gravity; {fig['burns']} completed "
           f"of >= 0.05 m/s: magnitude error rms {100 * fig.get('mag_err_rms', 0.0):.2f} %, "
           f"worst {100 * fig.get('mag_err_worst', 0.0):+.2f} %, direction worst "
           f"{fig.get('dir_err_worst_deg', 0.0):.2f} deg):"]
    for r in fig["rows"]:
        out.append(f"  burn {r['burn_id']:3d} {r['purpose'][:34]:34s} ordered "
                   f"{r['ordered']:7.4f}  true {r['true']:7.4f}  reported "
                   f"{r['reported']:7.4f} m/s  ({100 * r['mag_err']:+6.2f} %, "
                   f"{r['dir_err_deg']:5.2f} deg){'  aborted' if r['aborted'] else ''}")
    return out
