"""Time series of a run, taken from its decoded packets: truth telemetry
(APIDs 0x400-0x4FF, written by the simulation) first, flight-software
telemetry (estimates, measurements) beside it.

Fields are found by what the dictionary declares (name pattern, unit, array
length), not by hard-coded packet layouts, so the plots follow the
declarations as their owners extend them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from fsw_tools.archive.tables import DecodeResult

from fsw.packets import APID_AREAS

TRUTH_APIDS = APID_AREAS["truth"].apids


@dataclass(frozen=True)
class Series:
    """One plotted quantity: times (s since the run's first packet), values."""

    label: str
    source: str  # "PACKET.field"
    t: np.ndarray
    y: np.ndarray  # 1-D, or 2-D (samples x components)
    unit: str
    truth: bool


@dataclass
class RunSeries:
    """Everything the plots and the report need from a run."""

    hill: list[Series]  # chaser position about the target, Hill frame (n x 3), m
    range: list[Series]  # m
    attitude: list[Series]  # attitude / pointing errors, rad
    wheels: list[Series]  # wheel speeds (n x k), rad/s
    propellant: list[Series]  # kg
    modes: list[Series]  # mission mode (integer), with names in mode_names
    mode_names: dict[int, str]
    t0: float  # TAI of the run's first packet
    span_s: float
    #: navigation error (estimate - truth, Hill frame) where the solution is valid
    nav_error: NavError | None = None


@dataclass(frozen=True)
class NavError:
    """NAV_STATE.rho_H minus TRUTH_RELATIVE.r_H at the packet times both hold
    (valid solutions only), with the flight software's own 1-sigma."""

    t: np.ndarray  # s since the run start
    y: np.ndarray  # n x 3, m
    sigma: np.ndarray | None  # n, m (NAV_STATE.sigma_pos; None when not sent)
    estimate: np.ndarray  # n x 3, the estimate, m


FieldPred = Callable[[Any, Any], bool]  # (PacketDef, Field) -> bool


def _fields(result: DecodeResult, truth: bool, pred: FieldPred) -> list[tuple[Any, Any]]:
    from fsw.packets import DICTIONARY

    out = []
    for name in sorted(result.tables, key=lambda n: DICTIONARY[n].apid):
        pdef = DICTIONARY[name]
        if (pdef.apid in TRUTH_APIDS) != truth:
            continue
        for f in pdef.fields:
            if pred(pdef, f):
                out.append((pdef, f))
    return out


def _count(pdef: Any, f: Any) -> int:
    lay = pdef.layouts.get(f.name)
    return lay.count if lay is not None and lay.kind == "array" else 1


def _pred(pattern: str, unit: str | None, count: int | None = None,
          exclude: str = r"(dot|^v_|vel|rate|cmd|sigma)") -> FieldPred:
    rx, ex = re.compile(pattern, re.I), re.compile(exclude, re.I)

    def pred(pdef: Any, f: Any) -> bool:
        lay = pdef.layouts.get(f.name)
        if lay is None or lay.kind not in ("scalar", "array"):
            return False
        if unit is not None and f.unit != unit:
            return False
        if count is not None and _count(pdef, f) != count:
            return False
        return bool(rx.search(f.name)) and not ex.search(f.name)

    return pred


def _series(result: DecodeResult, pdef: Any, f: Any, t0: float, label: str,
            truth: bool) -> Series:
    table = result.tables[pdef.name]
    y = np.asarray(table[f.name], dtype=float)
    return Series(label, f"{pdef.name}.{f.name}", table["t_tai"] - t0, y, f.unit, truth)


def _collect(result: DecodeResult, t0: float, truth_pred: FieldPred | None,
             fsw_pred: FieldPred | None, fsw_label: str) -> list[Series]:
    out = []
    if truth_pred is not None:
        for pdef, f in _densest(result, _fields(result, True, truth_pred)):
            out.append(_series(result, pdef, f, t0, "truth", True))
    if fsw_pred is not None:
        for pdef, f in _densest(result, _fields(result, False, fsw_pred)):
            out.append(_series(result, pdef, f, t0, f"{fsw_label} ({pdef.name})", False))
    return out


def _densest(result: DecodeResult, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The candidate field with the most samples (the lowest APID on a tie)."""
    if not found:
        return []
    return [max(found, key=lambda pf: (len(result.tables[pf[0].name]["t_tai"]), -pf[0].apid))]


def run_series(result: DecodeResult,
               boresight_B: tuple[float, float, float] = (0.0, 0.0, 1.0)) -> RunSeries:
    """Pick the series of every plot from the decoded tables of a run
    (``boresight_B``: the camera axis, body frame, for the pointing error)."""
    t_all = [t["t_tai"] for t in result.tables.values() if len(t.get("t_tai", ()))]
    t0 = float(min(t.min() for t in t_all)) if t_all else 0.0
    t1 = float(max(t.max() for t in t_all)) if t_all else 0.0
    hill_pos = _pred(r"(^rho|^r_?rel|^pos|^r)_?H$|_H$", "m", 3)
    hill = _collect(result, t0, hill_pos, hill_pos, "estimate")
    rng = [Series(s.label, s.source + " |.|", s.t, np.linalg.norm(s.y, axis=1), "m", s.truth)
           for s in hill if s.y.ndim == 2]
    if not any(s.truth for s in rng):
        rng = _collect(result, t0, _pred(r"range", "m", 1), None, "") + rng
    if not rng:
        rng = _collect(result, t0, None, _pred(r"^range$", "m", 1), "measured")
    attitude = (_truth_attitude(result, t0, boresight_B)
                + _collect(result, t0, None, _pred(r"att.*err", "rad", 1),
                           "control error, flight estimate"))
    wheels = _collect(result, t0, _pred(r"wheel|speed", "rad/s", None, r"cmd|rate_B"),
                      _pred(r"speed|wheel", "rad/s", None, r"cmd|rate_B"), "measured")
    propellant = _collect(result, t0, _pred(r"prop", "kg", 1),
                          _pred(r"prop", "kg", 1, r"^$"), "flight software")
    modes, names = _modes(result, t0)
    return RunSeries(hill, rng, attitude, wheels, propellant, modes, names, t0, t1 - t0,
                     navigation_error(result, t0))


def navigation_error(result: DecodeResult, t0: float) -> NavError | None:
    """The relative navigation error against truth (see :class:`NavError`)."""
    nav, truth = result.tables.get("NAV_STATE"), result.tables.get("TRUTH_RELATIVE")
    if not nav or not truth or "rho_H" not in nav or "r_H" not in truth:
        return None
    valid = np.asarray(nav.get("valid", np.ones(len(nav["t_tai"]))), dtype=int) == 1
    ia, ib = _common(np.asarray(nav["t_tai"])[valid], np.asarray(truth["t_tai"]))
    if not len(ia):
        return None
    est = np.asarray(nav["rho_H"], float)[valid][ia]
    true_H = np.asarray(truth["r_H"], float)[ib]
    t_nav = np.asarray(nav["t_tai"])[valid][ia]
    own = _truth_in_own_frame(result, nav, valid, ia, t_nav)
    if own is not None:  # rows without a target orbit on board: the true frame
        true_H = np.where(np.isnan(own), true_H, own)
    err = est - true_H
    sigma = np.asarray(nav["sigma_pos"], float)[valid][ia] if "sigma_pos" in nav else None
    return NavError(t_nav - t0, err, sigma, est)


def _truth_in_own_frame(result: DecodeResult, nav: Any, valid: np.ndarray, ia: np.ndarray,
                        t_nav: np.ndarray) -> np.ndarray | None:
    """The truth (TRUTH_CHASER minus TRUTH_TARGET) in the Hill frame of the
    flight software's own target orbit (NAV_STATE.r_target_N, v_target_N), as
    :mod:`fsw_tools.mission.score_nav` scores it; None when a table lacks it
    (every sample must have its truth at the same time)."""
    from fsw_tools.mission.score_nav import in_estimate_frame

    c, g = result.tables.get("TRUTH_CHASER"), result.tables.get("TRUTH_TARGET")
    if not c or not g or "r_target_N" not in nav:
        return None
    jc, kc = _common(t_nav, np.asarray(c["t_tai"]))
    jg, kg = _common(t_nav, np.asarray(g["t_tai"]))
    if len(jc) != len(t_nav) or len(jg) != len(t_nav):
        return None
    kc = kc[np.argsort(jc)]
    kg = kg[np.argsort(jg)]
    r_t = np.asarray(nav["r_target_N"], float)[valid][ia]
    v_t = np.asarray(nav["v_target_N"], float)[valid][ia]
    dr = np.asarray(c["r_N"], float)[kc] - np.asarray(g["r_N"], float)[kg]
    dv = np.asarray(c["v_N"], float)[kc] - np.asarray(g["v_N"], float)[kg]
    out = np.empty((len(t_nav), 3))
    for i in range(len(t_nav)):
        if not r_t[i].any():
            out[i] = np.nan
            continue
        out[i] = in_estimate_frame(tuple(r_t[i]), tuple(v_t[i]), tuple(dr[i]), tuple(dv[i]))[0]
    return out


def phases(rs: RunSeries) -> list[tuple[str, float, float]]:
    """(mode name, start, end) of each mission phase, s since the run start."""
    timeline = mode_timeline(rs)
    if not timeline:  # an archive without mode telemetry has no phases
        return []
    ends = [t for _, t in timeline[1:]] + [rs.span_s]
    return [(m, t, max(t, e)) for (m, t), e in zip(timeline, ends, strict=True)]


def quat_angle(q1: np.ndarray, q2: np.ndarray) -> np.ndarray:
    """Rotation angle (rad) between attitude quaternions (rows, scalar first)."""
    q1 = q1 / np.linalg.norm(q1, axis=1, keepdims=True)
    q2 = q2 / np.linalg.norm(q2, axis=1, keepdims=True)
    dot = np.abs(np.einsum("ij,ij->i", q1, q2))
    return 2.0 * np.arccos(np.clip(dot, 0.0, 1.0))


def rotate_to_inertial(q_BN: np.ndarray, v_B: np.ndarray) -> np.ndarray:
    """v_N = R(q_BN)^T v_B for rows of scalar-first quaternions (Hamilton)."""
    q = q_BN / np.linalg.norm(q_BN, axis=1, keepdims=True)
    w, x, y, z = q.T
    # R(q_BN) maps N to B (the project's convention, scipy's active matrix of
    # [x, y, z, w]); its transpose maps B to N
    R = np.empty((len(q), 3, 3))
    R[:, 0, 0] = 1 - 2 * (y * y + z * z)
    R[:, 0, 1] = 2 * (x * y - w * z)
    R[:, 0, 2] = 2 * (x * z + w * y)
    R[:, 1, 0] = 2 * (x * y + w * z)
    R[:, 1, 1] = 1 - 2 * (x * x + z * z)
    R[:, 1, 2] = 2 * (y * z - w * x)
    R[:, 2, 0] = 2 * (x * z - w * y)
    R[:, 2, 1] = 2 * (y * z + w * x)
    R[:, 2, 2] = 1 - 2 * (x * x + y * y)
    return np.einsum("nji,j->ni", R, np.asarray(v_B, float))


def slerp_at(t_src: np.ndarray, q_src: np.ndarray, t_dst: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Quaternions of a sampled attitude at other times (spherical linear
    interpolation between the neighbouring samples); ``ok`` marks the times
    inside the sampled span."""
    t_src = np.asarray(t_src, float)
    t_dst = np.asarray(t_dst, float)
    q = np.asarray(q_src, float)
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    eps = 1e-6
    ok = (t_dst >= t_src[0] - eps) & (t_dst <= t_src[-1] + eps)
    if len(t_src) == 1:
        return np.repeat(q, len(t_dst), axis=0), ok & (np.abs(t_dst - t_src[0]) <= eps)
    i = np.clip(np.searchsorted(t_src, t_dst, side="right") - 1, 0, len(t_src) - 2)
    span = t_src[i + 1] - t_src[i]
    f = np.clip((t_dst - t_src[i]) / np.where(span > 0, span, 1.0), 0.0, 1.0)[:, None]
    q0, q1 = q[i], q[i + 1]
    dot = np.einsum("ij,ij->i", q0, q1)
    q1 = np.where(dot[:, None] < 0, -q1, q1)
    theta = np.arccos(np.clip(np.abs(dot), 0.0, 1.0))[:, None]
    sin = np.sin(theta)
    small = sin < 1e-9
    w0 = np.where(small, 1.0 - f, np.sin((1.0 - f) * theta) / np.where(small, 1.0, sin))
    w1 = np.where(small, f, np.sin(f * theta) / np.where(small, 1.0, sin))
    out = w0 * q0 + w1 * q1
    return out / np.linalg.norm(out, axis=1, keepdims=True), ok


def _common(t_a: np.ndarray, t_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of samples taken at the same packet time in two tables."""
    ka = np.round(t_a * 65536).astype(np.int64)
    kb = np.round(t_b * 65536).astype(np.int64)
    _, ia, ib = np.intersect1d(ka, kb, assume_unique=False, return_indices=True)
    return ia, ib


def _truth_attitude(result: DecodeResult, t0: float,
                    boresight_B: tuple[float, float, float]) -> list[Series]:
    """Attitude knowledge error (truth vs the flight estimate) and the camera
    pointing error (boresight vs the true line of sight to the target)."""
    out = []
    chaser = result.tables.get("TRUTH_CHASER")
    if not chaser or "q_BN" not in chaser:
        return out
    tc, q_true = chaser["t_tai"], np.asarray(chaser["q_BN"], float)
    candidates = [n for n in ("ADCS_STATE", "ADCS_HK")
                  if result.tables.get(n) and len(result.tables[n].get("q_BN", ()))]
    if candidates and len(tc) >= 1:
        name = max(candidates, key=lambda n: len(result.tables[n]["t_tai"]))
        est = result.tables[name]
        q_at, ok = slerp_at(tc, q_true, est["t_tai"])
        if ok.any():
            err = quat_angle(q_at[ok], np.asarray(est["q_BN"], float)[ok])
            out.append(Series(f"knowledge error, truth vs {name}",
                              f"TRUTH_CHASER.q_BN (slerp) - {name}.q_BN",
                              est["t_tai"][ok] - t0, err, "rad", True))
    target = result.tables.get("TRUTH_TARGET")
    if target and "r_N" in target and "r_N" in chaser:
        ia, ib = _common(tc, target["t_tai"])
        if len(ia):
            los = np.asarray(target["r_N"], float)[ib] - np.asarray(chaser["r_N"], float)[ia]
            los /= np.linalg.norm(los, axis=1, keepdims=True)
            axis = rotate_to_inertial(q_true[ia], np.asarray(boresight_B, float)
                                      / np.linalg.norm(boresight_B))
            ang = np.arccos(np.clip(np.einsum("ij,ij->i", axis, los), -1.0, 1.0))
            out.append(Series("pointing error (truth)", "TRUTH_CHASER/TRUTH_TARGET",
                              tc[ia] - t0, ang, "rad", True))
    return out


def _modes(result: DecodeResult, t0: float) -> tuple[list[Series], dict[int, str]]:
    from fsw.packets import DICTIONARY

    for name in ("MODE_STATUS", "AUTONOMY_HK"):
        table = result.tables.get(name)
        if table and "mode" in table:
            pdef = DICTIONARY[name]
            s = Series("mission mode", f"{name}.mode", table["t_tai"] - t0,
                       np.asarray(table["mode"], dtype=int), "", False)
            return [s], pdef.enum_names("mode")
    return [], {}


def mode_timeline(series: RunSeries) -> list[tuple[str, float]]:
    """(mode name, start time in s since the run start) at every change."""
    if not series.modes:
        return []
    s = series.modes[0]
    out: list[tuple[str, float]] = []
    last = None
    for t, m in zip(s.t.tolist(), s.y.tolist(), strict=True):
        if m != last:
            out.append((series.mode_names.get(m, str(m)), t))
            last = m
    return out
