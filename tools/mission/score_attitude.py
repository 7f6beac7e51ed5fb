"""Attitude determination scored against truth (issue #17), and a simple power
model judged from truth. Fed by the mission's monitor
(:mod:`fsw_tools.mission.monitor`) or, after the fact, by a run's decoded
tables (:func:`score_tables`).

Pairs: each ``ADCS_STATE`` (estimate ``q_BN``, its own 1-sigma per body axis
``att_sigma_B``) with the ``TRUTH_CHASER`` nearest in time (within
``MATCH_S``; the truth attitude is carried to the estimate's time with its
own rate). The knowledge error is the small rotation ``dtheta`` (body axes)
with ``C_true = (I - [dtheta x]) C_est`` (:func:`knowledge_error`); its norm
in arcsec.

Figures (:meth:`AttitudeScore.figures`):

- ``tracker_availability``: fraction of the inspection (mission mode
  PROX_OPS) with at least one star-tracker head valid: each truth epoch
  counts as covered when a STAR_TRACKER packet of the world with ``valid``
  arrived in the second before it (the sensor's own flag, not the flight
  software's opinion);
- ``err_arcsec_p50`` / ``p95`` / ``max`` during the inspection, and
  ``err_arcsec_p95_all`` over every paired epoch with a valid estimate;
- ``contain_3sigma``: fraction of the valid estimates (whole run) whose error
  is inside 3 sigma about every body axis (a consistent Gaussian filter:
  0.9973^3 = 0.992); ``contain_3sigma_inspection`` likewise;
- ``nees_mean``: average attitude NEES with the diagonal sigmas (3 expected);
- ``st_rejected``: the MEKF's gate rejections (ADCS_STATE, total);
- the breakdown of the inspection's error (issue #17): ``err_arcsec_rms_B``
  (rms per body axis) and, per number of heads the MEKF used in the second
  before the estimate (``heads_used`` of ADCS_STATE; 0..3),
  ``heads_fraction`` and ``err_arcsec_p95_by_heads`` (None where no
  estimate);
- power, from truth: ``soc_min`` and ``soc_end``, the world's battery
  (TRUTH_CHASER ``battery_soc``, where the world models it), and
  ``power_positive``, that minimum at or above the floor
  (:attr:`PowerModel.soc_floor`); ``energy_net_wh`` (the array's energy less
  the load's over the run) and ``model_soc_min`` from :class:`PowerModel`, a
  second implementation on TRUTH_ADCS's sun and the eclipse flag (without
  the world's battery, the model's figures stand in);
- the camera and the sun over the whole run (TRUTH_ADCS, sunlit epochs):
  ``keepout_s``, the time the sun is inside the camera's keep-out (the
  scenario's ``camera_sun_keepout_deg`` from ``camera_boresight_b``), and
  ``sun_boresight_min_deg``, its closest approach (the inspection's alone:
  issue #16's ``inspection_sun_in_keepout``).
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from fsw_tools.mission.npvec import norm

__all__ = ["AttitudeScore", "PowerModel", "att_lines", "att_row", "att_stats",
           "knowledge_error", "score_tables"]

ARCSEC = math.pi / 180.0 / 3600.0
#: mission mode of the inspection (fsw.packets.enums.MissionMode.PROX_OPS)
INSPECTION = "PROX_OPS"
#: doubles kept per pair (AttitudeScore._pair)
PAIR = 19
#: one pair's doubles as the pairs array holds them (native order)
_PAIR_DOUBLES = struct.Struct(f"={PAIR}d")


def _qmul(a: Any, b: Any) -> np.ndarray:
    """Hamilton product; the arithmetic on plain floats (numpy scalars give
    the same bits, several times slower)."""
    w1, x1, y1, z1 = a.tolist() if type(a) is np.ndarray else a
    w2, x2, y2, z2 = b.tolist() if type(b) is np.ndarray else b
    return np.array([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
                     w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                     w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
                     w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2])


def _propagate(q: np.ndarray, w: np.ndarray, dt: float) -> np.ndarray:
    """q_BN after dt at body rate w: exp(-w dt / 2) (x) q (the core's convention)."""
    wn = norm(w)
    if wn * abs(dt) < 1e-15:
        return q
    h = 0.5 * wn * dt
    s = math.sin(h)
    w0, w1, w2 = w.tolist()
    return _qmul((math.cos(h), -w0 / wn * s, -w1 / wn * s, -w2 / wn * s), q)


def knowledge_error(q_true: Any, q_est: Any) -> np.ndarray:
    """The small rotation dtheta (rad, body axes) from the estimate to truth in
    the MEKF's convention ``C_true = (I - [dtheta x]) C_est`` (shortest, any
    sign of the inputs; ``q_true (x) q_est* = (cos, -dtheta/|dtheta| sin)``)."""
    qt = np.asarray(q_true, float)
    qe = np.asarray(q_est, float)
    qe = qe / norm(qe)
    e0, e1, e2, e3 = qe.tolist()
    d = _qmul(qt / norm(qt), (e0, -e1, -e2, -e3))
    if d[0] < 0:
        d = -d
    v = d[1:]
    vn = norm(v)
    if vn < 1e-300:
        return np.zeros(3)
    return v / vn * (-2.0 * math.atan2(vn, d[0]))


@dataclass
class PowerModel:
    """A simple power model judged from truth (assumed figures, Photon class):
    a body-mounted array on ``array_normal_b`` making ``array_peak_w`` at
    normal incidence (cosine law, nothing in eclipse), a constant load, a
    battery of ``battery_wh`` starting at ``soc0``. ``power_positive``: the
    state of charge never falls below ``soc_floor`` and the energy balance
    over the scored span is not negative."""

    array_normal_b: tuple[float, float, float] = (0.0, 0.0, -1.0)
    array_peak_w: float = 300.0
    load_w: float = 90.0
    battery_wh: float = 250.0
    soc0: float = 1.0
    soc_floor: float = 0.3

    def run(self, t: Any, sun_B: Any, eclipse: Any) -> dict[str, Any]:
        t = np.asarray(t, float)
        if t.size < 2:
            return {"power_positive": None, "soc_min": None, "energy_net_wh": None}
        n = np.asarray(self.array_normal_b, float)
        n = n / np.linalg.norm(n)
        cos = np.clip(np.asarray(sun_B, float) @ n, 0.0, None)
        p = self.array_peak_w * cos * (1 - np.asarray(eclipse, float)) - self.load_w
        dt = np.diff(t, prepend=t[0]) / 3600.0
        e = np.cumsum(p * dt)
        soc = np.array(_charge(self.soc0, p * dt / self.battery_wh))  # full: sheds the rest
        return {"power_positive": bool(soc.min() >= self.soc_floor and e[-1] >= 0.0),
                "soc_min": float(soc.min()), "energy_net_wh": float(e[-1]),
                "array_w_mean": float(np.mean(p + self.load_w))}


def _charge(soc0: float, de: np.ndarray) -> list[float]:
    out, s = [], soc0
    for d in de:
        s = min(1.0, s + float(d))
        out.append(s)
    return out


class AttitudeScore:
    """Feeds (monitor): :meth:`on_truth` (TRUTH_CHASER), :meth:`on_adcs`
    (ADCS_STATE), :meth:`on_tracker` (STAR_TRACKER), :meth:`on_sun`
    (TRUTH_ADCS), :meth:`on_mode` (MODE_STATUS names). Estimates and truth
    are paired as they come; each pair's inputs are kept flat and its error
    computed when the figures are asked for (:attr:`rows`)."""

    MATCH_S = 0.5

    def __init__(self, power: PowerModel | None = None,
                 boresight_B: Any = (0.0, 0.0, 1.0), keepout_deg: float = 0.0) -> None:
        self.power = power or PowerModel()
        b = np.asarray(boresight_B, float)
        self.boresight_B = b / np.linalg.norm(b)
        self.keepout_deg = float(keepout_deg)
        self._truth: list[tuple[float, Any, Any]] = []
        #: the world's battery (TRUTH_CHASER battery_soc, from its first value
        #: above 0: a world without the model sends 0 throughout, one with it
        #: starts charged and may be emptied): least and latest
        self._soc_min = math.inf
        self._soc_end: float | None = None
        self._est: list[tuple[float, tuple[Any, ...]]] = []
        #: time of the last STAR_TRACKER sample with a head valid (on_tracker)
        self.last_fix = -math.inf
        self._mode = ""
        #: per pair, what it is scored from (PAIR doubles, flat): t, valid,
        #: inspection, q_BN (4), sigma (3), heads used (-1 unknown) of the
        #: estimate | t, q_BN (4), w_B (3) of the truth; scored in :meth:`arrays`
        self._pairs = array("d")
        #: per truth epoch: t, inspection, a head valid in the last second
        self.cover: list[tuple[float, int, int]] = []
        #: per TRUTH_ADCS epoch: t, sun_B (3), eclipse
        self.sun: list[tuple[float, ...]] = []
        self._eclipse = 0
        self.st_rejected = 0

    # ------------------------------------------------------------------ feed
    def on_mode(self, mode: str) -> None:
        self._mode = mode

    def on_tracker(self, t: float, valid: int) -> None:
        if valid:
            self.last_fix = float(t)

    def on_sun(self, t: float, sun_B: Any) -> None:
        self.on_sun_floats(float(t), tuple(map(float, sun_B)))

    def on_sun_floats(self, t: float, sun_B: tuple[float, ...]) -> None:
        """:meth:`on_sun` of values already plain floats (the monitor's,
        unpacked from the packet)."""
        self.sun.append((t, *sun_B, float(self._eclipse)))

    def on_truth(self, t: float, q_BN: Any, w_B: Any, eclipse: int = 0,
                 soc: float = 0.0) -> None:
        t = float(t)
        self._eclipse = int(eclipse)
        if soc > 0.0 or self._soc_end is not None:
            if soc < self._soc_min:  # min(self._soc_min, soc)
                self._soc_min = soc
            self._soc_end = soc
        insp = int(self._mode == INSPECTION)
        self.cover.append((t, insp, int(t - self.last_fix <= 1.0 + 1e-6)))
        tr = (t, q_BN, w_B)
        if self._est:
            for k, (te, rec) in enumerate(self._est):
                if abs(te - t) <= self.MATCH_S:
                    del self._est[k]
                    self._pair(te, rec, tr)
                    break
        self._truth.append(tr)
        self._truth = [x for x in self._truth if x[0] > t - 3.0]

    def on_adcs(self, t: float, valid: int, q_BN: Any, sigma_B: Any, st_rejected: int = 0,
                heads_used: int = -1) -> None:
        t = float(t)
        rejected = int(st_rejected)
        if rejected > self.st_rejected:  # max(self.st_rejected, rejected)
            self.st_rejected = rejected
        rec = (int(valid), int(self._mode == INSPECTION), q_BN, sigma_B, int(heads_used))
        # the truth nearest in time: min(key=|dt|)'s choice (the first of equals)
        best, gap = None, math.inf
        for x in self._truth:
            d = abs(x[0] - t)
            if best is None or d < gap:
                best, gap = x, d
        if best is not None and gap <= self.MATCH_S:
            self._pair(t, rec, best)
            return
        self._est.append((t, rec))
        self._est = [x for x in self._est if x[0] > t - 3.0]

    def _pair(self, t: float, rec: tuple[Any, ...], tr: tuple[float, Any, Any]) -> None:
        valid, insp, q, sig, heads = rec
        # the doubles array.extend would append (one C conversion each), packed at once
        self._pairs.frombytes(_PAIR_DOUBLES.pack(t, valid, insp, *q, *sig, heads, tr[0], *tr[1],
                                                 *tr[2]))

    @property
    def rows(self) -> list[tuple[float, ...]]:
        """Per pair: t, inspection, valid, err (3), sigma (3), heads used
        (number of heads, -1 unknown): the truth carried to the estimate's
        time (:func:`_propagate`), the error by :func:`knowledge_error`."""
        out = []
        for p in np.array(self._pairs, float).reshape(-1, PAIR).tolist():
            t, valid, insp, heads, tt = p[0], p[1], p[2], int(p[10]), p[11]
            qt = _propagate(np.array(p[12:16]), np.array(p[16:19]), t - tt)
            e = knowledge_error(qt, np.array(p[3:7]))
            n = bin(heads).count("1") if heads >= 0 else -1
            out.append((t, insp, valid, *e, *p[7:10], n))
        return out

    # ------------------------------------------------------------------ figures
    def arrays(self) -> dict[str, np.ndarray]:
        a = np.array(self.rows, float).reshape(-1, 10)
        return {"t": a[:, 0], "inspection": a[:, 1] == 1, "valid": a[:, 2] == 1,
                "err": a[:, 3:6], "sigma": a[:, 6:9], "heads": a[:, 9].astype(int)}

    def figures(self) -> dict[str, Any]:
        """The run's attitude figures against truth (module docstring)."""
        a = self.arrays()
        v = a["valid"]
        err = np.linalg.norm(a["err"], axis=1) / ARCSEC
        vi = v & a["inspection"]

        def q(x: np.ndarray, p: float) -> float | None:
            return float(np.percentile(x, p)) if x.size else None

        def inside(k: np.ndarray) -> float | None:
            if not k.any():
                return None
            return float(np.mean(np.all(np.abs(a["err"][k]) <= 3.0 * a["sigma"][k], axis=1)))

        c = np.array(self.cover, float).reshape(-1, 3)
        ci = c[c[:, 1] == 1]
        sig = a["sigma"][v]
        ok = np.all(sig > 0, axis=1)
        nees = np.sum((a["err"][v][ok] / sig[ok]) ** 2, axis=1)
        out: dict[str, Any] = {
            "epochs": int(v.sum()), "inspection_epochs": int(vi.sum()),
            "tracker_availability": float(ci[:, 2].mean()) if ci.size else None,
            "err_arcsec_p50": q(err[vi], 50), "err_arcsec_p95": q(err[vi], 95),
            "err_arcsec_max": float(err[vi].max()) if vi.any() else None,
            "err_arcsec_p95_all": q(err[v], 95),
            "sigma_arcsec_p50": q(np.max(a["sigma"][vi], axis=1) / ARCSEC, 50) if vi.any()
            else None,
            "contain_3sigma": inside(v), "contain_3sigma_inspection": inside(vi),
            "nees_mean": float(nees.mean()) if nees.size else None,
            "st_rejected": self.st_rejected,
            "err_arcsec_rms_B": ([float(x) for x in np.sqrt(np.mean(a["err"][vi] ** 2, axis=0))
                                  / ARCSEC] if vi.any() else None),
            "heads_fraction": [float(np.mean(a["heads"][vi] == k)) if vi.any() else None
                               for k in range(4)],
            "err_arcsec_p95_by_heads": [q(err[vi & (a["heads"] == k)], 95) for k in range(4)],
        }
        s = np.array(self.sun, float).reshape(-1, 5)
        out["power"] = self._power(s)
        out.update(self._keepout(s))
        return out

    def _power(self, s: np.ndarray) -> dict[str, Any]:
        """The power figures (module docstring) over the TRUTH_ADCS epochs ``s``."""
        model = self.power.run(s[:, 0], s[:, 1:4], s[:, 4])
        out = dict(model, model_soc_min=model["soc_min"], soc_end=None)
        if self._soc_end is not None:
            out.update(soc_min=self._soc_min, soc_end=self._soc_end,
                       power_positive=bool(self._soc_min >= self.power.soc_floor))
        return out

    def _keepout(self, s: np.ndarray) -> dict[str, Any]:
        """The sun against the camera's boresight over the sunlit TRUTH_ADCS
        epochs ``s`` (t, sun_B, eclipse): seconds inside the keep-out (each
        epoch until the next, at most 2 s; None without a keep-out, as in an
        :class:`AttitudeScore` made without the scenario's) and the least
        angle."""
        lit = s[:, 4] == 0.0
        if not lit.any():
            return {"keepout_s": None, "sun_boresight_min_deg": None}
        c = s[:, 1:4] @ self.boresight_B / np.linalg.norm(s[:, 1:4], axis=1)
        ang = np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))
        dt = np.minimum(np.diff(s[:, 0], append=s[-1, 0]), 2.0)
        inside = lit & (ang < self.keepout_deg)
        return {"keepout_s": float(dt[inside].sum()) if self.keepout_deg > 0.0 else None,
                "sun_boresight_min_deg": float(ang[lit].min())}


def score_tables(tables: Mapping[str, Mapping[str, Any]]) -> AttitudeScore:
    """An :class:`AttitudeScore` of a run's decoded tables (``Run.table``),
    fed in time order."""
    from fsw.packets.enums import MissionMode

    s = AttitudeScore()
    ev: list[tuple[float, int, int]] = []
    for k, name in enumerate(("MODE_STATUS", "STAR_TRACKER", "TRUTH_ADCS", "TRUTH_CHASER",
                              "ADCS_STATE")):
        tab = tables.get(name, {})
        for i in range(len(tab.get("t_tai", ()))):
            ev.append((float(tab["t_tai"][i]), k, i))
    ev.sort()
    for t, k, i in ev:
        if k == 0:
            s.on_mode(MissionMode(int(tables["MODE_STATUS"]["mode"][i])).name)
        elif k == 1:
            s.on_tracker(t, int(tables["STAR_TRACKER"]["valid"][i]))
        elif k == 2:
            s.on_sun(t, tables["TRUTH_ADCS"]["sun_B"][i])
        elif k == 3:
            tc = tables["TRUTH_CHASER"]
            s.on_truth(t, tc["q_BN"][i], tc["w_B"][i], int(tc["eclipse"][i]),
                       float(tc["battery_soc"][i]) if "battery_soc" in tc else 0.0)
        else:
            ad = tables["ADCS_STATE"]
            s.on_adcs(t, int(ad["valid"][i]), ad["q_BN"][i], ad["att_sigma_B"][i],
                      int(ad["st_rejected"][i]), int(ad["heads_used"][i]))
    return s


#: the figures a campaign row keeps (``row["att"]``)
ROW_KEYS = ("tracker_availability", "err_arcsec_p95", "err_arcsec_max", "contain_3sigma",
            "contain_3sigma_inspection", "nees_mean", "st_rejected", "keepout_s",
            "sun_boresight_min_deg")


def att_row(fig: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The campaign row's attitude figures from a run summary's ``attitude``."""
    if not fig:
        return None
    row = {k: fig.get(k) for k in ROW_KEYS}
    pw = fig.get("power") or {}
    row["power_positive"] = pw.get("power_positive")
    row["soc_min"] = pw.get("soc_min")
    return row


def att_stats(rows: Any) -> dict[str, Any]:
    """Campaign statistics of the rows' ``att`` figures: tracker availability
    (mean, worst run, runs below 95 %), knowledge error p95 (median and worst
    run), 3-sigma containment (mean, worst run)."""
    atts = [r["att"] for r in rows if isinstance(r.get("att"), Mapping)
            and r["att"].get("err_arcsec_p95") is not None]
    out: dict[str, Any] = {"runs": len(atts)}
    if not atts:
        return out

    def col(k: str) -> np.ndarray:
        return np.array([float(x[k]) for x in atts if x.get(k) is not None], float)

    av, e, c = col("tracker_availability"), col("err_arcsec_p95"), col("contain_3sigma")
    out["tracker_availability_mean"] = float(av.mean()) if av.size else None
    out["tracker_availability_min"] = float(av.min()) if av.size else None
    out["tracker_availability_below_95"] = int(np.sum(av < 0.95))
    out["err_arcsec_p95_median"] = float(np.median(e))
    out["err_arcsec_p95_max"] = float(e.max())
    out["contain_3sigma_mean"] = float(c.mean()) if c.size else None
    out["contain_3sigma_min"] = float(c.min()) if c.size else None
    out["power_positive_runs"] = sum(1 for x in atts if x.get("power_positive"))
    soc = col("soc_min")
    out["soc_min_median"] = float(np.median(soc)) if soc.size else None
    out["soc_min_min"] = float(soc.min()) if soc.size else None
    ko, smin = col("keepout_s"), col("sun_boresight_min_deg")
    out["keepout_runs"] = int(np.sum(ko > 0.0))
    out["keepout_s_max"] = float(ko.max()) if ko.size else None
    out["sun_boresight_min_deg"] = float(smin.min()) if smin.size else None
    return out


def att_lines(fig: Mapping[str, Any] | None) -> list[str]:
    """The run summary's attitude lines (``fsw run``)."""
    if not fig or fig.get("epochs", 0) == 0:
        return []

    def f(v: Any, fmt: str, k: float = 1.0) -> str:
        return "n/a" if v is None else format(k * v, fmt)

    pw = fig.get("power") or {}
    return [
        f"Attitude vs truth: tracker available {f(fig['tracker_availability'], '.1f', 100)} % "
        f"of the inspection; knowledge error p50 {f(fig['err_arcsec_p50'], '.1f')}\", "
        f"p95 {f(fig['err_arcsec_p95'], '.1f')}\", max {f(fig['err_arcsec_max'], '.0f')}\" "
        f"(all: p95 {f(fig['err_arcsec_p95_all'], '.1f')}\")",
        f"Attitude filter: inside 3 sigma {f(fig['contain_3sigma'], '.2f', 100)} % "
        f"(inspection {f(fig['contain_3sigma_inspection'], '.2f', 100)} %), NEES mean "
        f"{f(fig['nees_mean'], '.2f')} (3 expected), gate rejections {fig['st_rejected']}; "
        f"power ({'truth' if pw.get('soc_end') is not None else 'model'}) "
        f"{'positive' if pw.get('power_positive') else 'NOT positive'}, "
        f"battery min {f(pw.get('soc_min'), '.0f', 100)} %"
        + (f" (end {f(pw.get('soc_end'), '.0f', 100)} %; the model's min "
           f"{f(pw.get('model_soc_min'), '.0f', 100)} %)" if pw.get('soc_end') is not None
           else ""),
        f"Camera and sun (truth, whole run, sunlit): inside the keep-out "
        f"{f(fig.get('keepout_s'), '.0f')} s, sun at least "
        f"{f(fig.get('sun_boresight_min_deg'), '.1f')} deg from the boresight",
        *_breakdown_lines(fig),
    ]


def _breakdown_lines(fig: Mapping[str, Any]) -> list[str]:
    """The inspection's error by heads used and per body axis (if scored)."""
    frac, p95, rms = (fig.get("heads_fraction"), fig.get("err_arcsec_p95_by_heads"),
                      fig.get("err_arcsec_rms_B"))
    if not frac or not p95 or rms is None or frac[0] is None:
        return []
    by = ", ".join(f"{k}: {frac[k] * 100:.1f} % (p95 {p95[k]:.1f}\")" for k in range(4)
                   if frac[k] and p95[k] is not None)
    return [f"Attitude error in the inspection by heads used: {by}; rms per body axis "
            f"x {rms[0]:.1f}\", y {rms[1]:.1f}\", z {rms[2]:.1f}\""]
