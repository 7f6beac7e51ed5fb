"""Star-tracker boresight scan against a run's truth (issue #17).

Chooses the star-tracker heads' boresights (body axes) for the attitude profile
a run actually flew: for every truth epoch (``TRUTH_CHASER``: position and
attitude; ``TRUTH_ADCS``: sun and Moon in the body) of the scored phase (by
default the inspection, mission mode PROX_OPS) and every candidate boresight
on a near-uniform grid of the sphere (Fibonacci points), a head is clear when,
as the world's model has it (native/sim/src/sim_sensors.c):

- the sun is farther than fov/2 + sun exclusion from the boresight (or the
  craft is in eclipse);
- the Earth's limb is farther than fov/2 + Earth exclusion (the angle from
  nadir to the boresight above asin(R_E / r) + the exclusion);
- the Moon is farther than fov/2 + Moon exclusion;

and it is valid once clear for ``acquisition_s`` (a lost-in-space solution
after every gap). The exclusion angles and field of view are the scenario's
(``chaser.sensors.star_trackers``), plus an optional margin for robustness
against other seeds and dispersions. The attitude profile must not depend on
the boresights (the guidance's secondary axis is the ADCS task's ``ST_B``,
not a head), so one run's truth serves for every candidate.

Candidates are kept physically plausible: at least ``camera_clear_deg`` from
the camera boresight (a head does not look through the camera's field) and
``thruster_clear_deg`` from the RCS thrust axis either way (plumes). The
choice (:func:`choose`) maximises the sum of three fractions: epochs of the
phase with two heads valid whose boresights are at least ``pair_min_deg``
from colinear (two heads fix the roll about either boresight; one head leaves
it to its about-boresight noise), epochs of the phase with a head valid, and
epochs of the whole run after launch with a head valid; the pairs
exhaustively, then the best third head for each of the best pairs.

Run it on a default mission's archive (seed 1; any heads: the attitude
profile does not depend on them)::

    fsw run --test-keys --out runs/base
    python -m fsw_tools.analysis.boresight_scan runs/base --margin-deg 2 --grid 2000

(the command that chose the default heads, ``fsw.scenario.StarTrackers``, on
the run of the heads before them). The optimum is flat: on another run of the
same profile (arcseconds of attitude apart) the scan may return another set
of nearly equal figures, so compare with ``--evaluate`` before changing heads.
It prints the run's own heads' figures (from its scenario) and the chosen set's
(or, with ``--evaluate``, a given set's): per head the fraction valid in the
phase and what blinds it, the angles to the camera, the thrust axis and each
other, and per mission phase the fractions with one, two (well separated)
and three heads valid. Redo the choice whenever the attitude profile changes.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fsw.constants import R_EARTH

__all__ = ["Geometry", "HeadLimits", "blinding", "choose", "fibonacci_sphere", "geometry",
           "head_valid", "main", "plausible"]


@dataclass(frozen=True)
class HeadLimits:
    """A head's optics: full field of view and exclusion angles from the edge
    of the field (degrees), acquisition time after a gap (s)."""

    fov_deg: float = 15.0
    sun_exclusion_deg: float = 25.0
    earth_exclusion_deg: float = 10.0
    moon_exclusion_deg: float = 5.0
    acquisition_s: float = 10.0

    @classmethod
    def of_scenario(cls, sc: Any, margin_deg: float = 0.0) -> HeadLimits:
        st = sc.chaser.sensors.star_trackers
        return cls(st.fov_deg, st.sun_exclusion_deg + margin_deg,
                   st.earth_exclusion_deg + margin_deg, st.moon_exclusion_deg + margin_deg,
                   st.acquisition_s)


@dataclass
class Geometry:
    """Truth directions per epoch, body axes (unit vectors, n x 3)."""

    t: np.ndarray
    sun_body: np.ndarray
    moon_body: np.ndarray
    nadir_body: np.ndarray
    earth_radius_rad: np.ndarray  # angular radius of the Earth
    eclipse: np.ndarray
    phase: np.ndarray  # mission mode name per epoch


def _rot(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """v_B = R(q_BN) v_N for rows of q (scalar first) and v, as the truth
    simulation rotates (native/sim/src/sim_env.c, sim_rotate):
    ``v + 2 w (u x v) + 2 u x (u x v)``, u the vector part."""
    w, u = q[:, 0:1], q[:, 1:4]
    c = np.cross(u, v)
    return v + 2.0 * w * c + 2.0 * np.cross(u, c)


def geometry(tables: Mapping[str, Mapping[str, Any]]) -> Geometry:
    """The truth directions of a run's decoded tables (``Run.table``), one
    epoch per TRUTH_CHASER packet, with the TRUTH_ADCS of the same time and
    the mission mode in force."""
    from fsw.packets.enums import MissionMode

    tc, ta, ms = tables["TRUTH_CHASER"], tables["TRUTH_ADCS"], tables["MODE_STATUS"]
    t = np.asarray(tc["t_tai"], float)
    ta_t = np.asarray(ta["t_tai"], float)
    k = np.clip(np.searchsorted(ta_t, t - 1e-3), 0, len(ta_t) - 1)
    if not np.allclose(ta_t[k], t, atol=1e-3):
        raise ValueError("TRUTH_ADCS and TRUTH_CHASER epochs differ")
    q = np.asarray(tc["q_BN"], float)
    q = q / np.linalg.norm(q, axis=1)[:, None]
    r = np.asarray(tc["r_N"], float)
    rn = np.linalg.norm(r, axis=1)
    nadir = _rot(q, -r / rn[:, None])
    ms_t = np.asarray(ms["t_tai"], float)
    names = np.array([MissionMode(int(m)).name for m in ms["mode"]] + [""])
    j = np.searchsorted(ms_t, t, side="right") - 1
    phase = np.where(j >= 0, names[np.clip(j, 0, None)], "")

    def unit(v: Any) -> np.ndarray:
        v = np.asarray(v, float)
        return v / np.linalg.norm(v, axis=1)[:, None]

    return Geometry(t=t, sun_body=unit(ta["sun_B"])[k], moon_body=unit(ta["moon_B"])[k],
                    nadir_body=nadir, earth_radius_rad=np.arcsin(np.minimum(R_EARTH / rn, 1.0)),
                    eclipse=np.asarray(tc["eclipse"]) != 0, phase=phase)


def fibonacci_sphere(n: int) -> np.ndarray:
    """n near-uniform unit vectors (n x 3)."""
    k = np.arange(n) + 0.5
    z = 1.0 - 2.0 * k / n
    phi = math.pi * (1.0 + math.sqrt(5.0)) * k
    s = np.sqrt(1.0 - z * z)
    return np.stack([s * np.cos(phi), s * np.sin(phi), z], axis=1)


def plausible(b: np.ndarray, camera_B: Sequence[float], thrust_B: Sequence[float],
              camera_clear_deg: float, thruster_clear_deg: float) -> np.ndarray:
    """Mask of candidate boresights (rows of b) clear of the camera's
    boresight and of the thrust axis (both ways)."""
    cam = np.asarray(camera_B, float) / np.linalg.norm(camera_B)
    thr = np.asarray(thrust_B, float) / np.linalg.norm(thrust_B)
    return ((b @ cam < math.cos(math.radians(camera_clear_deg)))
            & (np.abs(b @ thr) < math.cos(math.radians(thruster_clear_deg))))


def blinding(g: Geometry, b: np.ndarray, lim: HeadLimits) -> dict[str, np.ndarray]:
    """Heads along the rows of b blinded (epochs x candidates, bool) by the
    sun (not in eclipse), the Earth's limb and the Moon."""
    half = 0.5 * lim.fov_deg
    cs = math.cos(math.radians(half + lim.sun_exclusion_deg))
    cm = math.cos(math.radians(half + lim.moon_exclusion_deg))
    ex = math.radians(half + lim.earth_exclusion_deg)
    return {"sun": (g.sun_body @ b.T > cs) & ~g.eclipse[:, None],
            "earth": g.nadir_body @ b.T > np.cos(g.earth_radius_rad + ex)[:, None],
            "moon": g.moon_body @ b.T > cm}


def head_valid(g: Geometry, b: np.ndarray, lim: HeadLimits) -> np.ndarray:
    """Validity (epochs x candidates, bool) of heads along the rows of b:
    not blinded (:func:`blinding`) for ``acquisition_s`` (the world's
    ``clear_since``)."""
    c = blinding(g, b, lim)
    blind = c["sun"] | c["earth"] | c["moon"]
    clear_since = np.full(b.shape[0], -np.inf)
    out = np.zeros(blind.shape, bool)
    for i, ti in enumerate(g.t):
        clear_since = np.where(blind[i], np.nan, np.where(np.isnan(clear_since), ti,
                                                              clear_since))
        out[i] = ~blind[i] & (ti - np.nan_to_num(clear_since, nan=np.inf) >= lim.acquisition_s)
    return out


def _figures(v: np.ndarray, b: np.ndarray, pair_min_deg: float) -> dict[str, float]:
    """At least one / two (well-separated) / three heads valid, fractions."""
    n = v.sum(axis=1)
    c = math.cos(math.radians(pair_min_deg))
    two = np.zeros(v.shape[0], bool)
    for i in range(b.shape[0]):
        for j in range(i + 1, b.shape[0]):
            if abs(float(b[i] @ b[j])) <= c:
                two |= v[:, i] & v[:, j]
    return {"one": float(np.mean(n >= 1)), "two": float(np.mean(two)),
            "three": float(np.mean(n >= 3)) if b.shape[0] >= 3 else 0.0}


def choose(v: np.ndarray, b: np.ndarray, heads: int = 3, pair_min_deg: float = 30.0,
           top_pairs: int = 300, v_run: np.ndarray | None = None) -> list[int]:
    """Indices of the chosen candidates (columns of v, rows of b) maximising
    the sum of three fractions: epochs of the phase (rows of v) with two heads
    valid whose boresights are at least ``pair_min_deg`` from colinear, epochs
    of the phase with a head valid, and epochs of the whole run (rows of
    ``v_run``, default v) with a head valid. The pairs exhaustively; a third
    head added to each of the ``top_pairs`` best pairs."""
    if v_run is None:
        v_run = v
    vf, rf = v.astype(np.float64), v_run.astype(np.float64)
    n, m = float(v.shape[0]), float(v_run.shape[0])
    ones, ones_r = vf.sum(axis=0), rf.sum(axis=0)
    both, both_r = vf.T @ vf, rf.T @ rf
    ok = np.abs(b @ b.T) <= math.cos(math.radians(pair_min_deg))
    if heads == 1:
        return [int(np.argmax(ones / n + ones_r / m))]
    score = (np.where(ok, both, 0.0) + ones[:, None] + ones[None, :] - both) / n \
        + (ones_r[:, None] + ones_r[None, :] - both_r) / m
    score = np.triu(score + 1.0, 1)  # > 0 above the diagonal
    flat = np.argsort(score, axis=None)[::-1][:top_pairs]
    pairs = [divmod(int(f), score.shape[1]) for f in flat]
    if heads == 2:
        return list(pairs[0])
    best, best_s = list(pairs[0]), -1.0
    for i, j in pairs:
        vi, vj = v[:, i], v[:, j]
        two_ij = vi & vj & ok[i, j]
        two = (two_ij[:, None] | (v & vi[:, None] & ok[i][None, :])
               | (v & vj[:, None] & ok[j][None, :])).sum(axis=0)
        one = ((vi | vj)[:, None] | v).sum(axis=0)
        one_r = ((v_run[:, i] | v_run[:, j])[:, None] | v_run).sum(axis=0)
        s = (two + one) / n + one_r / m
        s[[i, j]] = -1.0
        k = int(np.argmax(s))
        if s[k] > best_s:
            best, best_s = [i, j, k], float(s[k])
    return best


def _deg(a: np.ndarray, b: np.ndarray) -> float:
    c = float(a @ b) / float(np.linalg.norm(a) * np.linalg.norm(b))
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def _fmt(b: np.ndarray) -> str:
    return "[" + ", ".join(f"{x:.10f}" for x in b) + "]"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: see the module docstring."""
    from fsw_tools.analysis.run import Run

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="run directory (fsw run --out)")
    p.add_argument("--heads", type=int, default=3)
    p.add_argument("--phase", default="PROX_OPS",
                   help="mission mode scored (default PROX_OPS, the inspection; 'all')")
    p.add_argument("--grid", type=int, default=1500, help="candidate boresights on the sphere")
    p.add_argument("--margin-deg", type=float, default=0.0,
                   help="added to every exclusion angle (robustness)")
    p.add_argument("--camera-clear-deg", type=float, default=40.0)
    p.add_argument("--thruster-clear-deg", type=float, default=30.0)
    p.add_argument("--pair-min-deg", type=float, default=30.0)
    p.add_argument("--evaluate", metavar="JSON", default=None,
                   help="evaluate these boresights instead of choosing, e.g. "
                        "'[[0,1,0],[0,-0.6,-0.8],[-0.7,-0.7,0]]' (normalised)")
    a = p.parse_args(argv)
    run = Run(a.run)
    sc = run.scenario
    g = geometry({n: run.table(n) for n in ("TRUTH_CHASER", "TRUTH_ADCS", "MODE_STATUS")})
    lim = HeadLimits.of_scenario(sc, a.margin_deg)
    cam = np.asarray(sc.chaser.camera_boresight_b, float)
    thr = np.asarray(sc.chaser.rcs.directions_b[0], float)
    cand = fibonacci_sphere(a.grid)
    cand = cand[plausible(cand, cam, thr, a.camera_clear_deg, a.thruster_clear_deg)]
    sel = np.ones(g.t.size, bool) if a.phase == "all" else g.phase == a.phase
    if not sel.any():
        raise SystemExit(f"no epoch in phase {a.phase}")
    st = sc.chaser.sensors.star_trackers
    cur = np.asarray(st.boresights_b[:st.count], float)
    v_cur = head_valid(g, cur, lim)
    run_sel = g.phase != "LAUNCH"  # on the launcher: no attitude determination needed
    if a.evaluate:
        new = np.asarray(json.loads(a.evaluate), float)
        new = new / np.linalg.norm(new, axis=1)[:, None]
        v_new = head_valid(g, new, lim)
    else:
        v = head_valid(g, cand, lim)
        pick = choose(v[sel], cand, a.heads, a.pair_min_deg, v_run=v[run_sel])
        new = cand[pick]
        v_new = v[:, pick]
    phases = ["all", *sorted({str(x) for x in g.phase if x})]
    print(f"{int(sel.sum())} epochs of {a.phase}; {cand.shape[0]} plausible candidates; "
          f"limits {lim}")
    for name, bb, vv in (("current", cur, v_cur),
                         ("evaluated" if a.evaluate else "chosen", new, v_new)):
        print(f"{name} heads:")
        why = blinding(g, bb, lim)
        for k, x in enumerate(bb):
            print(f"  {_fmt(x)}  valid {100 * vv[sel, k].mean():.1f} % (blinded by the sun "
                  f"{100 * why['sun'][sel, k].mean():.1f} %, the Earth "
                  f"{100 * why['earth'][sel, k].mean():.1f} %, the Moon "
                  f"{100 * why['moon'][sel, k].mean():.1f} %), "
                  f"{_deg(x, cam):.0f} deg from the camera, {_deg(x, thr):.0f} from the "
                  f"thrust axis")
        print("  angles between heads: " + ", ".join(
            f"{i}-{j} {_deg(bb[i], bb[j]):.0f}" for i in range(len(bb))
            for j in range(i + 1, len(bb))))
        for ph in phases:
            m = np.ones(g.t.size, bool) if ph == "all" else g.phase == ph
            f = _figures(vv[m], bb, a.pair_min_deg)
            print(f"  {ph:14s} >=1 {100 * f['one']:5.1f} %  >=2 {100 * f['two']:5.1f} %  "
                  f"3 {100 * f['three']:5.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
