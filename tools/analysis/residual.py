"""The truth's relative acceleration against a dynamics model: what a
relative-navigation filter's process noise has to cover (issue #15).

::

    from fsw_tools.analysis.residual import residual_acceleration
    run = fsw.open_run("runs/...")
    residual_acceleration(run.table("TRUTH_CHASER"), run.table("TRUTH_TARGET"),
                          run.table("TRUTH_RELATIVE"), model="j2")

From both craft's truth states (GCRF, on the same epochs) the relative
acceleration is taken by central differences of the velocities over
uniformly spaced epochs, and the model's difference of gravity at the two
positions is subtracted: ``"two-body"`` or ``"j2"`` (two-body + J2, the
flight software's relative-navigation EKF about the target's orbit). What is
left is what the model leaves out (differential drag and SRP about
two-body + J2, about 1e-7 m/s^2 in the default mission; differential J2 too
about two-body, 1.5e-6 m/s^2 within 1 km). Epochs whose residual exceeds
``max_accel`` (thrust) are left out. The result is per range bin: the number
of epochs, the rms per inertial axis and the norm of the mean residual
[m/s^2].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from fsw_tools.mission.score_safety import accel_j2

from fsw.constants import MU_EARTH
from fsw.errors import UserError

__all__ = ["MODELS", "RANGE_BINS_M", "gravity", "residual_acceleration"]

MODELS = ("two-body", "j2")
#: default range bins [m]
RANGE_BINS_M = (0.0, 1000.0, 3000.0, 10000.0, 60000.0)


def gravity(r: np.ndarray, model: str) -> np.ndarray:
    """Gravity at the GCRF positions ``r`` (N x 3, m): two-body, or two-body + J2
    (the J2 axis along GCRF z; the truth scoring's own formula,
    :func:`fsw_tools.mission.score_safety.accel_j2`)."""
    r = np.asarray(r, dtype=np.float64).reshape(-1, 3)
    if model == "j2":
        return np.array([accel_j2(*p) for p in r.tolist()], dtype=np.float64).reshape(-1, 3)
    rn = np.linalg.norm(r, axis=1)
    return -MU_EARTH * r / (rn * rn * rn)[:, None]


def residual_acceleration(chaser: Mapping[str, Any], target: Mapping[str, Any],
                          relative: Mapping[str, Any] | None = None, model: str = "j2",
                          bins: Sequence[float] = RANGE_BINS_M,
                          max_accel: float = 1e-4) -> list[dict[str, Any]]:
    """Per range bin ``[lo, hi)``: ``{"range_m": (lo, hi), "epochs", "rms"
    (per GCRF axis), "mean_norm"}`` of the truth's relative acceleration minus
    the model's (module docstring). ``chaser``/``target``: TRUTH_CHASER and
    TRUTH_TARGET tables (``t_tai``, ``r_N``, ``v_N``); ``relative``: the
    TRUTH_RELATIVE table for the range (else |r_c - r_t|)."""
    if model not in MODELS:
        raise UserError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    edges = [float(b) for b in bins]
    if len(edges) < 2 or any(b >= c for b, c in pairwise(edges)):
        raise UserError(f"range bins must be at least two increasing edges, got {list(bins)}")
    try:
        t = np.asarray(chaser["t_tai"], dtype=np.float64)
        rc, vc = (np.asarray(chaser[k], dtype=np.float64).reshape(-1, 3) for k in ("r_N", "v_N"))
        tt = np.asarray(target["t_tai"], dtype=np.float64)
        rt, vt = (np.asarray(target[k], dtype=np.float64).reshape(-1, 3) for k in ("r_N", "v_N"))
    except KeyError as exc:
        raise UserError(f"truth table without the column {exc.args[0]!r}") from None
    if t.shape != tt.shape or not np.array_equal(t, tt) or len(rc) != len(t) or len(rt) != len(t):
        raise UserError("the chaser's and the target's truth states must share their epochs")
    if len(t) < 3:
        return [{"range_m": (lo, hi), "epochs": 0, "rms": None, "mean_norm": None}
                for lo, hi in pairwise(edges)]
    if relative is not None and len(relative.get("t_tai", ())) == len(t):
        rng = np.asarray(relative["range"], dtype=np.float64)
    else:
        rng = np.linalg.norm(rc - rt, axis=1)
    span = t[2:] - t[:-2]
    dt = np.median(np.diff(t))
    uniform = np.abs(span - 2.0 * dt) <= 1e-6 * max(dt, 1.0)
    a_rel = ((vc[2:] - vc[:-2]) - (vt[2:] - vt[:-2])) / span[:, None]
    res = a_rel - (gravity(rc[1:-1], model) - gravity(rt[1:-1], model))
    quiet = uniform & (np.linalg.norm(res, axis=1) < max_accel)
    mid = rng[1:-1]
    out = []
    for lo, hi in pairwise(edges):
        m = quiet & (mid >= lo) & (mid < hi)
        if not m.any():
            out.append({"range_m": (lo, hi), "epochs": 0, "rms": None, "mean_norm": None})
            continue
        r = res[m]
        out.append({"range_m": (lo, hi), "epochs": int(m.sum()),
                    "rms": [float(x) for x in np.sqrt(np.mean(r * r, axis=0))],
                    "mean_norm": float(np.linalg.norm(r.mean(axis=0)))})
    return out
