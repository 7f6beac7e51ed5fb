"""Navigation scored against truth (issue #15): the flight software's
``NAV_STATE`` (estimate ``rho_H``, position covariance ``cov_pos_H``, NIS)
paired epoch by epoch with the world's ``TRUTH_RELATIVE`` (``r_H``, range) of
the same time tag. Fed by the mission's monitor (:mod:`fsw_tools.mission.monitor`)
or, after the fact, by a run's decoded tables (:func:`score_tables`).

The estimate is in the Hill frame of the flight software's own target orbit
(``NAV_STATE.r_target_N``, ``v_target_N``); the truth's ``r_H`` in the true
target's. With a catalogue-grade launch notice (issue #15) the two frames
differ by the notice's along-track error over the orbit radius, a few
10^-4 rad: metres across the line of sight at 10 km, several times the
filter's own sigma there. So when both are fed, the truth's relative state
(``TRUTH_CHASER`` minus ``TRUTH_TARGET``) is put in the estimate's frame
before the difference: what the estimate claims is a relative vector in that
frame.

Figures (:meth:`NavScore.figures`), the relative-navigation filter's epochs
(``source`` = relnav) unless said otherwise:

- ``nees_mean``: average position NEES (3 dof) ``e' P^-1 e``; consistent
  filter: 3. Its 95 % band for a campaign of M runs is the chi-square band of
  an average of M independent 3-dof samples (Bar-Shalom's ANEES), see
  :func:`nees_band`; one run's time average is one such sample.
- ``contain_3sigma``: fraction of epochs where every Hill axis' error is
  inside 3 sigma of that axis (a consistent Gaussian filter: 0.9973^3 = 0.992).
- ``nis_mean`` and ``nis_in_band``: of the camera updates (3 dof; band
  [0.216, 9.348], 95 %).
- ``err_frac_p99_5km``: p99 of position error / range inside 5 km, the
  solution flown whatever its source.
- error (median, p95) and sigma by range bin, rejected/reset counts are in
  NAV_HK, not here.
- the angles-only phase, from the camera's first detection (RELNAV, fed by
  :meth:`NavScore.on_relnav`) to the handover to measured range:
  ``first_detection_*``, ``handover_*``, ``angles_*``
  (:mod:`fsw_tools.mission.score_angles`).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import struct
from array import array
from collections.abc import Mapping
from typing import Any

import numpy as np
from fsw_tools.mission.score_angles import ROW_KEYS as ANGLES_ROW_KEYS
from fsw_tools.mission.score_angles import AnglesPhase, angles_figures, angles_line, angles_stats

from fsw.core.ephem import hill_basis

__all__ = ["NavScore", "hill_basis_n", "in_estimate_frame", "nav_lines", "nav_row", "nav_stats",
           "nees_band", "score_pairs", "score_tables"]

#: NAV_SOURCE of the relative-navigation EKF (fsw.packets.enums.NavSource)
RELNAV = 2
#: range bins of the error table [m]
RANGE_BINS = (0.0, 300.0, 1000.0, 3000.0, 5000.0, 20000.0, math.inf)
#: chi-square 3 dof, 95 % two-sided (scipy.stats.chi2.ppf(0.025 / 0.975, 3))
NIS_BAND = (0.2158, 9.3484)
#: "inside 5 km" of the acceptance
NEAR_M = 5000.0
#: doubles kept per paired epoch (NavScore._pair_truth): t, valid, source,
#: rho_H (3), cov_pos_H (6), nis, frame, r_t (3), v_t (3) | the truth's t,
#: r_H (3), v_H (3), range, dr (3), dv (3)
PAIR = 34
#: one paired epoch's doubles as the pairs array holds them (native order)
_PAIR_DOUBLES = struct.Struct(f"={PAIR}d")
_ZERO2 = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))


def nees_band(runs: int, dof: int = 3, confidence: float = 0.95) -> tuple[float, float]:
    """95 % band of the average of ``runs`` independent ``dof``-dof NEES samples."""
    from scipy.stats import chi2

    a = (1.0 - confidence) / 2.0
    n = dof * max(1, runs)
    return float(chi2.ppf(a, n) / runs), float(chi2.ppf(1.0 - a, n) / runs)


class NavScore:
    """Pairs NAV_STATE with the TRUTH_RELATIVE nearest in time (within
    ``MATCH_S``; the world's samples may sit a tenth of a second off the
    navigation cycle: the truth is carried to the estimate's time with its
    own velocity). The pairing runs as the packets come; each pair's inputs
    are kept flat and scored all at once in :meth:`arrays`
    (:func:`score_pairs`: the same operations, so the same bits, as the
    per-epoch form through :func:`in_estimate_frame`)."""

    #: largest time difference of a pair [s]
    MATCH_S = 0.5

    def __init__(self) -> None:
        self._truth: list[tuple[float, Any, Any, float]] = []
        self._nav: list[tuple[float, tuple[Any, ...]]] = []
        #: per paired epoch, what it is scored from (PAIR doubles, flat: 272
        #: bytes an epoch), scored all at once in :meth:`arrays`
        self._pairs = array("d")
        #: the camera's first detection and the handover (angles-only phase)
        self.angles = AnglesPhase(self.MATCH_S)

    # ------------------------------------------------------------------ feed
    def on_truth(self, t: float, r_H: Any, v_H: Any, rng: float,
                 rel_N: tuple[Any, Any] | None = None) -> None:
        """One truth sample: the chaser relative to the target in the true
        Hill frame, the range, and (optional) the same relative state in
        inertial axes ``(r, v)`` (chaser minus target, GCRF)."""
        self.on_truth_floats(float(t), tuple(map(float, r_H)), tuple(map(float, v_H)),
                             float(rng), rel_N)

    def on_truth_floats(self, t: float, r_H: tuple[float, ...], v_H: tuple[float, ...],
                        rng: float, rel_N: tuple[Any, Any] | None = None) -> None:
        """:meth:`on_truth` of values already plain floats (``r_H``, ``v_H``:
        tuples of floats; the monitor's, unpacked from the packet)."""
        tr = (t, r_H, v_H, rng, rel_N)
        self.angles.on_truth(t, r_H, v_H)
        if self._nav:
            for k, (tn, rec) in enumerate(self._nav):
                if abs(tn - t) <= self.MATCH_S:
                    del self._nav[k]
                    self._pair_truth(tn, rec, tr)
                    return
        self._truth.append(tr)
        self._truth = [x for x in self._truth if x[0] > t - 3.0]

    def on_relnav(self, t: float, valid: int, ranged: int | None = None) -> None:
        """One RELNAV sample; ``ranged`` None (a record without the field)
        counts as ranged when valid."""
        self.angles.on_relnav(t, valid, ranged)

    def on_nav(self, t: float, valid: int, source: int, rho_H: Any, cov_pos_H: Any,
               nis: float, target_N: tuple[Any, Any] | None = None) -> None:
        """One NAV_STATE; ``target_N``: its target orbit ``(r, v)`` (GCRF),
        the origin and axes of its Hill frame."""
        t = float(t)
        if target_N is not None and not any(map(float, target_N[0])):
            target_N = None  # no target orbit on board yet
        rec = (int(valid), int(source), rho_H, cov_pos_H, float(nis), target_N)
        # the truth nearest in time: min(key=|dt|)'s choice (the first of equals)
        best, gap = None, math.inf
        for x in self._truth:
            d = abs(x[0] - t)
            if best is None or d < gap:
                best, gap = x, d
        if best is not None and gap <= self.MATCH_S:
            self._pair_truth(t, rec, best)
            return
        self._nav.append((t, rec))
        self._nav = [x for x in self._nav if x[0] > t - 3.0]

    def _pair_truth(self, t: float, rec: tuple[Any, ...], tr: tuple[Any, ...]) -> None:
        """Keep one epoch: the estimate ``rec`` (valid, source, rho_H,
        cov_pos_H, nis, its target orbit or None) at ``t`` and the truth ``tr``
        (t, r_H, v_H, range, its inertial relative state or None); scored in
        :meth:`arrays` (:func:`score_pairs`)."""
        valid, source, rho, cov, nis, target = rec
        frame = target is not None and tr[4] is not None
        r_t, v_t = target if frame else _ZERO2
        dr, dv = tr[4] if frame else _ZERO2
        # the doubles array.extend would append (one C conversion each), packed at once
        self._pairs.frombytes(_PAIR_DOUBLES.pack(t, valid, source, *rho, *cov, nis, frame, *r_t,
                                                 *v_t, tr[0], *tr[1], *tr[2], tr[3], *dr, *dv))

    # ------------------------------------------------------------------ figures
    def arrays(self) -> dict[str, np.ndarray]:
        p = np.array(self._pairs, float).reshape(-1, PAIR)  # a copy: the feed may grow
        r_H, rho = score_pairs(p), p[:, 3:6]
        cov = p[:, 6:12]
        err = rho - r_H
        # sqrt(max(c, 0.0)) of each diagonal term (NaN stays NaN, -0.0 stays -0.0)
        d = cov[:, [0, 3, 5]]
        sig = np.sqrt(np.where(d < 0.0, 0.0, d))
        return {"t": p[:, 0], "source": p[:, 2], "valid": p[:, 1], "range": p[:, 27],
                "err": err, "sigma": sig, "nees": _nees(err, cov, np.all(sig > 0, axis=1)),
                "nis": p[:, 12], "rho_norm": _norm3(rho), "range_true": _norm3(r_H)}

    def figures(self) -> dict[str, Any]:
        """The run's navigation figures against truth (module docstring)."""
        a = self.arrays()
        valid = a["valid"] == 1
        rel = valid & (a["source"] == RELNAV)
        err = np.linalg.norm(a["err"], axis=1)
        out: dict[str, Any] = {"epochs": int(valid.sum()), "relnav_epochs": int(rel.sum())}

        def q(x: np.ndarray, p: float) -> float | None:
            return float(np.percentile(x, p)) if x.size else None

        nees = a["nees"][rel]
        nees = nees[np.isfinite(nees)]
        out["nees_mean"] = float(nees.mean()) if nees.size else None
        out["nees_p50"] = q(nees, 50)
        inside = np.all(np.abs(a["err"][rel]) <= 3.0 * a["sigma"][rel], axis=1)
        out["contain_3sigma"] = float(inside.mean()) if inside.size else None
        nis = a["nis"][rel]
        nis = nis[nis > 0]
        out["nis_mean"] = float(nis.mean()) if nis.size else None
        out["nis_in_band"] = (float(np.mean((nis >= NIS_BAND[0]) & (nis <= NIS_BAND[1])))
                              if nis.size else None)
        near = valid & (a["range"] < NEAR_M) & (a["range"] > 0)
        frac = err[near] / a["range"][near]
        out["err_frac_p99_5km"] = q(frac, 99)
        out["err_m_p95_5km"] = q(err[near], 95)
        out["err_m_max_5km"] = float(err[near].max()) if frac.size else None
        bins = []
        for lo, hi in itertools.pairwise(RANGE_BINS):
            k = valid & (a["range"] >= lo) & (a["range"] < hi)
            if k.any():
                kr = k & rel
                bins.append({"range_m": [lo, hi if math.isfinite(hi) else None],
                             "epochs": int(k.sum()), "relnav_fraction": float(kr.sum() / k.sum()),
                             "err_m_p50": q(err[k], 50), "err_m_p95": q(err[k], 95),
                             "sigma_rss_m_p50": q(np.linalg.norm(a["sigma"][k], axis=1), 50),
                             "nees_mean": (float(np.nanmean(a["nees"][kr])) if kr.any()
                                           else None)})
        out["by_range"] = bins
        out.update(angles_figures(self.angles, a["t"], rel, a["rho_norm"], a["range_true"]))
        return out

    def series(self, every: int = 10) -> dict[str, list[float]]:
        """Thinned time series for plots: t, range, error (3), sigma (3), source."""
        a = self.arrays()
        k = slice(None, None, max(1, every))
        return {"t": a["t"][k].tolist(), "range": a["range"][k].tolist(),
                "err": a["err"][k].tolist(), "sigma": a["sigma"][k].tolist(),
                "source": a["source"][k].tolist(), "nis": a["nis"][k].tolist()}


def _nees(err: np.ndarray, cov: np.ndarray, ok_mask: np.ndarray) -> np.ndarray:
    """Per epoch ``e' P^-1 e`` (NaN where ``ok_mask`` is false -- a sigma not
    positive -- or P is singular): every covariance (``cov``: xx xy xz yy yz
    zz) solved in one stacked call, each epoch's solve the one
    np.linalg.solve(P, e) makes alone, each product the same 1-D dot."""
    nees = np.full(len(err), math.nan)
    ok = np.flatnonzero(ok_mask)
    if not ok.size:
        return nees
    c = cov[ok]
    # the symmetric 3x3 matrices of xx xy xz yy yz zz
    P = c[:, [0, 1, 2, 1, 3, 4, 2, 4, 5]].reshape(-1, 3, 3)
    e = err[ok]
    try:
        x = np.linalg.solve(P, e[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # a singular one: each alone, as they came
        for j, i in enumerate(ok):
            with contextlib.suppress(np.linalg.LinAlgError):
                nees[i] = float(e[j] @ np.linalg.solve(P[j], e[j]))
        return nees
    for j, i in enumerate(ok.tolist()):
        nees[i] = float(e[j] @ x[j])
    return nees


def _norm3(x: np.ndarray) -> np.ndarray:
    """Per row ``math.sqrt(x0 * x0 + x1 * x1 + x2 * x2)`` (those operations)."""
    return np.sqrt(x[:, 0] * x[:, 0] + x[:, 1] * x[:, 1] + x[:, 2] * x[:, 2])


def _cross_n(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row the core's ``la_cross`` (a1 b2 - a2 b1, ...)."""
    return np.stack((a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1], a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2],
                     a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]), axis=1)


def hill_basis_n(r_t: np.ndarray, v_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fsw.core.ephem.hill_basis` of every row of ``r_t``, ``v_t``
    (n x 3) at once: the core's ``gnc_hill_basis`` operation for operation
    (it is built without fused multiply-adds, so numpy's elementwise IEEE
    operations give its bits); ``(C (n x 3 x 3), omega (n x 3))``. A row the
    core refuses raises the core's error (it is asked about that row)."""
    h = _cross_n(r_t, v_t)
    r2 = r_t[:, 0] * r_t[:, 0] + r_t[:, 1] * r_t[:, 1] + r_t[:, 2] * r_t[:, 2]
    rn, hn, vn = np.sqrt(r2), _norm3(h), _norm3(v_t)
    with np.errstate(invalid="ignore", over="ignore"):
        good = (np.isfinite(r_t).all(axis=1) & np.isfinite(v_t).all(axis=1) & (rn > 0.0)
                & (hn > 1e-12 * rn * vn))
    if not good.all():
        i = int(np.flatnonzero(~good)[0])
        hill_basis(r_t[i], v_t[i])  # raises the core's error
    x = r_t / rn[:, None]
    z = h / hn[:, None]
    return np.stack((x, _cross_n(z, x), z), axis=1), h / r2[:, None]


def _in_estimate_frame_n(r_t: np.ndarray, v_t: np.ndarray, dr: np.ndarray, dv: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`in_estimate_frame` of every row (n x 3 each), the same
    operations in the same order."""
    C, w = hill_basis_n(r_t, v_t)
    d0, d1, d2 = dr[:, 0:1], dr[:, 1:2], dr[:, 2:3]
    w0, w1, w2 = w[:, 0:1], w[:, 1:2], w[:, 2:3]
    u0 = dv[:, 0:1] - (w1 * d2 - w2 * d1)
    u1 = dv[:, 1:2] - (w2 * d0 - w0 * d2)
    u2 = dv[:, 2:3] - (w0 * d1 - w1 * d0)
    c0, c1, c2 = C[:, :, 0], C[:, :, 1], C[:, :, 2]  # n x 3: column k of every row
    return c0 * d0 + c1 * d1 + c2 * d2, c0 * u0 + c1 * u1 + c2 * u2


def score_pairs(p: np.ndarray) -> np.ndarray:
    """The truth of every paired epoch ``p`` (n x PAIR, :meth:`NavScore._pair_truth`)
    carried to the estimate's time, in the estimate's Hill frame where both
    frames are known (the estimate's target carried back to the truth's
    time: a tenth of a second turns the frame by 1e-4 rad, 5 cm at 500 m):
    the r_H (n x 3) that the estimate's rho_H is compared with."""
    dt = (p[:, 0] - p[:, 20])[:, None]
    r_H, v_H = p[:, 21:24].copy(), p[:, 24:27].copy()
    k = p[:, 13] == 1
    if k.any():
        q = p[k]
        r_t = q[:, 14:17] - q[:, 17:20] * dt[k]
        r_H[k], v_H[k] = _in_estimate_frame_n(r_t, q[:, 17:20], q[:, 28:31], q[:, 31:34])
    return r_H + v_H * dt


def in_estimate_frame(r_t: Any, v_t: Any, dr: Any, dv: Any) -> tuple[tuple[float, ...],
                                                               tuple[float, ...]]:
    """The relative state ``(dr, dv)`` (GCRF) in the rotating Hill frame of the
    orbit ``(r_t, v_t)``: the core's basis and rate, plain float products."""
    C, w = hill_basis(r_t, v_t)
    rows = [tuple(map(float, C[i])) for i in range(3)]
    w0, w1, w2 = (float(c) for c in w)
    d0, d1, d2 = dr
    u = (dv[0] - (w1 * d2 - w2 * d1), dv[1] - (w2 * d0 - w0 * d2), dv[2] - (w0 * d1 - w1 * d0))
    r = tuple(c[0] * d0 + c[1] * d1 + c[2] * d2 for c in rows)
    v = tuple(c[0] * u[0] + c[1] * u[1] + c[2] * u[2] for c in rows)
    return r, v


def _rel_N(tables: Mapping[str, Mapping[str, Any]], j: int, t: float
           ) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """Chaser minus target (GCRF) of the truth tables' sample ``j`` when both
    craft have one at time ``t``."""
    c, g = tables.get("TRUTH_CHASER", {}), tables.get("TRUTH_TARGET", {})
    if j >= len(c.get("t_tai", ())) or j >= len(g.get("t_tai", ())):
        return None
    if float(c["t_tai"][j]) != t or float(g["t_tai"][j]) != t:
        return None
    return (tuple(float(a) - float(b) for a, b in zip(c["r_N"][j], g["r_N"][j], strict=True)),
            tuple(float(a) - float(b) for a, b in zip(c["v_N"][j], g["v_N"][j], strict=True)))


def score_tables(tables: Mapping[str, Mapping[str, Any]]) -> NavScore:
    """A :class:`NavScore` of a run's decoded tables (``Run.table``)."""
    s = NavScore()
    tr, nav = tables.get("TRUTH_RELATIVE", {}), tables.get("NAV_STATE", {})
    tt = np.asarray(tr.get("t_tai", ()), float)
    _relnav_marks(s, tables.get("RELNAV", {}), tr, tt)
    if tt.size == 0:
        return s
    for i in range(len(nav.get("t_tai", ()))):
        t = float(nav["t_tai"][i])
        j = int(np.clip(np.searchsorted(tt, t), 1, tt.size - 1)) if tt.size > 1 else 0
        if tt.size > 1 and abs(tt[j - 1] - t) < abs(tt[j] - t):
            j -= 1
        if abs(tt[j] - t) <= s.MATCH_S:
            tgt = None
            if "r_target_N" in nav:
                tgt = (tuple(map(float, nav["r_target_N"][i])),
                       tuple(map(float, nav["v_target_N"][i])))
            s._pair_truth(t, (int(nav["valid"][i]), int(nav["source"][i]),
                              tuple(map(float, nav["rho_H"][i])),
                              tuple(map(float, nav["cov_pos_H"][i])), float(nav["nis"][i]),
                              tgt if tgt is not None and any(tgt[0]) else None),
                          (float(tt[j]), tuple(map(float, tr["r_H"][j])),
                           tuple(map(float, tr["v_H"][j])), float(tr["range"][j]),
                           _rel_N(tables, j, float(tt[j]))))
    return s


def _relnav_marks(s: NavScore, rel: Mapping[str, Any], tr: Mapping[str, Any],
                  tt: np.ndarray) -> None:
    """The first detection and the handover of a RELNAV table (a table without
    ``ranged``: every valid sample ranged), each offered the truth samples
    around it in time order, as the monitor's feed offers them."""
    t = np.asarray(rel.get("t_tai", ()), float)
    if not t.size:
        return
    valid = np.flatnonzero(np.asarray(rel["valid"]) == 1)
    if not valid.size:
        return
    ranged = (np.asarray(rel["ranged"])[valid] == 1 if "ranged" in rel
              else np.ones(valid.size, bool))
    first = int(valid[0])
    s.on_relnav(float(t[first]), 1, int(ranged[0]))
    hand = valid[ranged]
    if hand.size and int(hand[0]) != first:
        s.on_relnav(float(t[int(hand[0])]), 1, 1)
    a = s.angles
    for m in (a.detection, a.handover if a.handover is not a.detection else None):
        if m is None or not tt.size:
            continue
        j = int(np.searchsorted(tt, m.t))
        for i in range(max(0, j - 2), min(tt.size, j + 2)):
            m.offer(float(tt[i]), tuple(map(float, tr["r_H"][i])),
                    tuple(map(float, tr["v_H"][i])), s.MATCH_S)


#: the figures a campaign row keeps (``row["nav"]``)
ROW_KEYS = ("relnav_epochs", "nees_mean", "contain_3sigma", "nis_mean", "nis_in_band",
            "err_frac_p99_5km", "err_m_p95_5km", *ANGLES_ROW_KEYS)


def nav_row(fig: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The campaign row's navigation figures from a run summary's ``navigation``."""
    if not fig:
        return None
    return {k: fig.get(k) for k in ROW_KEYS}


def nav_stats(rows: Any) -> dict[str, Any]:
    """Campaign statistics of the rows' ``nav`` figures: the average of the
    runs' time-averaged NEES against the chi-square band of that many runs
    (:func:`nees_band`), 3-sigma containment (mean and worst run, runs under
    99 %, and pooled: every epoch of every run, weighted by ``relnav_epochs``), NIS,
    error/range inside 5 km at p99 (the worst run's p99 and the p95 over
    runs); the angles-only phase's in ``angles``
    (:func:`fsw_tools.mission.score_angles.angles_stats`)."""
    navs = [r["nav"] for r in rows if isinstance(r.get("nav"), Mapping)
            and r["nav"].get("nees_mean") is not None]
    out: dict[str, Any] = {"runs": len(navs), "angles": angles_stats(rows)}
    if not navs:
        return out

    def col(k: str) -> np.ndarray:
        return np.array([float(n[k]) for n in navs if n.get(k) is not None], float)

    nees = col("nees_mean")
    lo, hi = nees_band(len(nees))
    out["nees_mean"] = float(nees.mean())
    out["nees_band_95"] = [lo, hi]
    out["nees_in_band"] = bool(lo <= nees.mean() <= hi)
    c = col("contain_3sigma")
    out["contain_3sigma_mean"] = float(c.mean()) if c.size else None
    out["contain_3sigma_min"] = float(c.min()) if c.size else None
    out["contain_3sigma_runs_below_99"] = int((c < 0.99).sum())
    pairs = [(float(n["contain_3sigma"]), float(n["relnav_epochs"])) for n in navs
             if n.get("contain_3sigma") is not None and n.get("relnav_epochs")]
    w = sum(e for _, e in pairs)
    out["contain_3sigma_pooled"] = sum(f * e for f, e in pairs) / w if w > 0 else None
    nis = col("nis_mean")
    out["nis_mean"] = float(nis.mean()) if nis.size else None
    e = col("err_frac_p99_5km")
    out["err_frac_p99_5km_max"] = float(e.max()) if e.size else None
    out["err_frac_p99_5km_p95"] = float(np.percentile(e, 95)) if e.size else None
    return out


def nav_lines(fig: Mapping[str, Any] | None) -> list[str]:
    """The run summary's navigation lines (``fsw run``), the angles-only
    phase's after them."""
    angles = angles_line(fig)
    tail = [angles] if angles else []
    if not fig or fig.get("nees_mean") is None:
        return tail

    def f(v: Any, fmt: str) -> str:
        return "n/a" if v is None else format(v, fmt)

    return [
        f"Relative navigation vs truth ({fig['relnav_epochs']} filter epochs): "
        f"NEES mean {f(fig['nees_mean'], '.2f')} (3 expected), inside 3 sigma "
        f"{f(100 * fig['contain_3sigma'], '.1f')} %, NIS mean {f(fig['nis_mean'], '.2f')}",
        f"Navigation error inside 5 km: p95 {f(fig['err_m_p95_5km'], '.2f')} m, "
        f"p99 {f(100 * (fig['err_frac_p99_5km'] or 0), '.2f')} % of range",
        *tail,
    ]
