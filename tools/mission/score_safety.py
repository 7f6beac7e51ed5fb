"""Issue #16's figures of a run, from truth (the monitor's packets): the
missed-burn table and the inspection's lighting and pointing.

- Missed-burn table: at the start of every burn (BURN_STATUS turning to
  firing) the truth states of both craft are kept; each is then integrated
  24 h without control (scipy DOP853, point mass + J2, written here apart from
  the flight software's screen and the world's dynamics) and the closest
  approach of that free drift is the row: what happens if that burn is
  missed. The run's last state (the departure's drift) is the last row.
- Lighting over the inspection (PROX_OPS): the sun phase angle (target-to-sun
  against target-to-chaser) at every truth sample where the chaser is not in
  the Earth's shadow (TRUTH_CHASER.eclipse; at a few hundred metres the target
  shares it), its histogram in 30-degree bins, the fraction below 60 deg, the
  eclipse fraction, the largest angle of the sun from the camera boresight's
  opposite (the sun never in the camera keep-out) and the camera off-target
  fraction (pointing error above 1 deg, all samples, burns and slews included).
- Faces imaged: the target is a box whose attitude is the scenario's
  (``target.attitude``: nadir-pointing, its body axes its own Hill frame from
  the truth state, or inertial at ``target.attitude_q_bn``; the world has no
  target attitude dynamics: it is prescribed). A face is seen at a sample
  when the chaser is in sunlight, the camera is on target (pointing error
  <= 1 deg), the camera is within FACE_VIEW_DEG of the face's normal and the
  sun within FACE_SUN_DEG of it (lit); it counts as imaged after FACE_MIN_S of
  such time. The sun's closest angle to the boresight is checked against the
  camera's keep-out (``chaser.camera_sun_keepout_deg``).
  The sun is the Astronomical Almanac's low-precision formula (mean equator of
  date: within a few tenths of a degree of GCRF in the 2020s).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from fsw_tools.mission.npvec import cross, norm

__all__ = ["FACE_NAMES", "SafetyScore", "drift_closest_approach", "faces_seen",
           "phase_angle_deg", "sun_direction", "target_axes"]

MU, RE, J2 = 3.986004418e14, 6378137.0, 1.08262668e-3
#: free drift of the missed-burn table [s] and its sampling [s]
DRIFT_S = 86400.0
SAMPLE_S = 30.0
GOOD_PHASE_DEG = 60.0
OFF_TARGET_DEG = 1.0
HIST_EDGES = (0, 30, 60, 90, 120, 150, 180)
#: a face is seen with the camera within this angle of its normal [deg] ...
FACE_VIEW_DEG = 60.0
#: ... lit with the sun within this angle of its normal [deg] ...
FACE_SUN_DEG = 80.0
#: ... and imaged after this long seen and lit with the camera on target [s]
FACE_MIN_S = 30.0
#: the longest gap between two samples that counts as imaging time [s]
FACE_GAP_S = 10.0
FACE_NAMES = ("+x", "-x", "+y", "-y", "+z", "-z")


def target_axes(attitude: str, q_BN: Any, r_N: Any, v_N: Any) -> np.ndarray:
    """The target's body axes in GCRF (rows x, y, z): ``"nadir"``, its
    Hill frame from ``r_N``, ``v_N`` (x zenith, z orbit normal, y = z x x);
    ``"inertial"``, fixed at ``q_BN`` (scalar first, the project's
    convention: ``quaternion.rotate(q_BN, v_N)`` is ``v`` in the body)."""
    if attitude == "nadir":
        r, v = np.asarray(r_N, float), np.asarray(v_N, float)
        x = r / norm(r)
        h = cross(r, v)
        z = h / norm(h)
        return np.array([x, cross(z, x), z])
    from fsw.core import quaternion

    qc = quaternion.conj(np.asarray(q_BN, float))
    return np.array([quaternion.rotate(qc, e) for e in np.eye(3)])


def faces_seen(axes: Any, los_N: Any, sun_N: Any) -> list[int]:
    """Indices into FACE_NAMES of the faces that the camera, along ``los_N``
    from the target (target to chaser), sees within FACE_VIEW_DEG of their
    normal while the sun (``sun_N``) is within FACE_SUN_DEG of it."""
    u = np.asarray(los_N, float)
    u = u / norm(u)
    s = np.asarray(sun_N, float)
    s = s / norm(s)
    cv, cs = math.cos(math.radians(FACE_VIEW_DEG)), math.cos(math.radians(FACE_SUN_DEG))
    out = []
    for k in range(6):
        n = (1.0 if k % 2 == 0 else -1.0) * np.asarray(axes[k // 2], float)
        if float(n @ u) >= cv and float(n @ s) >= cs:
            out.append(k)
    return out


def sun_direction(t_tai: float) -> np.ndarray:
    """Unit Earth-to-sun vector (Astronomical Almanac low precision, mean
    equator and equinox of date) at TAI seconds since 1958."""
    d = 2436204.5 + (t_tai + 32.184) / 86400.0 - 2451545.0
    g = math.radians(357.528 + 0.9856003 * d)
    lam = math.radians(280.460 + 0.9856474 * d + 1.915 * math.sin(g) + 0.020 * math.sin(2 * g))
    eps = math.radians(23.439 - 4e-7 * d)
    return np.array([math.cos(lam), math.cos(eps) * math.sin(lam),
                     math.sin(eps) * math.sin(lam)])


def phase_angle_deg(r_target: Any, r_chaser: Any, sun: Any) -> float:
    """Sun phase angle at the target: between target-to-sun (the sun at
    infinity along ``sun``) and target-to-chaser [deg]."""
    los = np.asarray(r_chaser, float) - np.asarray(r_target, float)
    s = np.asarray(sun, float)
    c = float(los @ s) / (norm(los) * norm(s))
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def accel_j2(x: float, y: float, z: float) -> tuple[float, float, float]:
    """Point mass + J2 acceleration at (x, y, z) [m, GCRF ~ ITRF axes about z]:
    -mu r / |r|^3 + 3/2 J2 mu Re^2 / |r|^5 (x (5 z2 - 1), y (5 z2 - 1), z (5 z2 - 3)),
    z2 = (z / |r|)^2; on floats (it runs some 10^4 times per missed-burn row)."""
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    z2 = z * z / r2
    fj = 1.5 * J2 * MU * RE * RE / (r2 * r2 * rn)
    c = -MU / (r2 * rn) + fj * (5.0 * z2 - 1.0)
    return c * x, c * y, (c - 2.0 * fj) * z


def drift_closest_approach(r_t: Any, v_t: Any, r_c: Any, v_c: Any,
                           horizon: float = DRIFT_S) -> tuple[float, float]:
    """``(d_min m, t_min s)`` of both craft drifting free (two-body + J2)."""
    from scipy.integrate import solve_ivp

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        s = y.tolist()
        return np.array((*s[3:6], *accel_j2(*s[0:3]), *s[9:12], *accel_j2(*s[6:9])))

    t = np.arange(0.0, horizon + 0.5 * SAMPLE_S, SAMPLE_S)
    y0 = np.r_[r_t, v_t, r_c, v_c].astype(float)
    sol = solve_ivp(f, (0.0, horizon), y0, method="DOP853", t_eval=t, rtol=1e-10, atol=1e-4)
    d = np.linalg.norm(sol.y[6:9] - sol.y[:3], axis=0)
    i = int(np.argmin(d))
    return float(d[i]), float(t[i])


class SafetyScore:
    """Fed by the monitor (truth, burns, mode, pointing); :meth:`figures`."""

    def __init__(self, keep_out_m: float, target_attitude: str = "nadir",
                 target_q_BN: Any = (1.0, 0.0, 0.0, 0.0),
                 camera_sun_keepout_deg: float = 0.0) -> None:
        self.keep_out_m = keep_out_m
        self.attitude = target_attitude
        self.q_BN = tuple(target_q_BN)
        self.keepout_deg = camera_sun_keepout_deg
        self.face_s = [0.0] * 6
        self._t_face: float | None = None
        self.chaser: tuple | None = None   # (r, v, eclipse)
        self.target: tuple | None = None   # (r, v)
        self.burns: list[tuple[float, int, tuple, tuple]] = []
        self._firing: set[int] = set()
        self.phase: list[float] = []
        self.eclipsed = 0
        self.samples = 0
        self.sun_boresight_min = math.inf
        self.pointing_all: list[float] = []
        #: the last sun_direction asked for: (t, its vector), shared by the
        #: lighting and the pointing of one inspection sample
        self._sun: tuple[float, np.ndarray | None] = (math.nan, None)

    def _sun_at(self, t: float) -> np.ndarray:
        """``sun_direction(t)``, computed once per sample time (read only)."""
        if t != self._sun[0]:
            self._sun = (t, sun_direction(t))
        return self._sun[1]

    def on_chaser(self, rec: Any) -> None:
        """One TRUTH_CHASER record (``r_N``, ``v_N``, ``eclipse``)."""
        self.on_chaser_state(rec.r_N, rec.v_N, rec.eclipse)

    def on_chaser_state(self, r_N: Any, v_N: Any, eclipse: int) -> None:
        self.chaser = (tuple(r_N), tuple(v_N), int(eclipse))

    def on_target(self, t: float, rec: Any, mode: str) -> None:
        """One TRUTH_TARGET record (``r_N``, ``v_N``) in mission mode ``mode``."""
        self.on_target_state(t, rec.r_N, rec.v_N, mode)

    def on_target_state(self, t: float, r_N: Any, v_N: Any, mode: str) -> None:
        self.target = (tuple(r_N), tuple(v_N))
        if mode != "PROX_OPS" or self.chaser is None:
            return
        self.samples += 1
        if self.chaser[2]:
            self.eclipsed += 1
            return
        self.phase.append(phase_angle_deg(r_N, self.chaser[0], self._sun_at(t)))

    def on_burn(self, t: float, burn_id: int, firing: bool) -> None:
        if firing and burn_id not in self._firing and self.chaser and self.target:
            self._firing.add(burn_id)
            self.burns.append((t, burn_id, self.target, self.chaser[:2]))

    def on_pointing(self, err_deg: float, boresight_N: Any, t: float) -> None:
        """One inspection sample of the camera: its pointing error and the
        sun's angle from the boresight."""
        self.pointing_all.append(err_deg)
        s = self._sun_at(t)
        b = np.asarray(boresight_N, float)
        c = float(b @ s) / norm(b)
        self.sun_boresight_min = min(self.sun_boresight_min,
                                     math.degrees(math.acos(max(-1.0, min(1.0, c)))))
        prev, self._t_face = self._t_face, t
        if (self.chaser is None or self.target is None or self.chaser[2]
                or err_deg > OFF_TARGET_DEG or prev is None):
            return
        dt = min(t - prev, FACE_GAP_S)
        los = np.asarray(self.chaser[0], float) - np.asarray(self.target[0], float)
        axes = target_axes(self.attitude, self.q_BN, *self.target)
        for k in faces_seen(axes, los, s):
            self.face_s[k] += dt

    def thrust_after(self, t: float | None) -> float | None:
        """Seconds from ``t`` (the avoidance decision, on board) to the first
        thrust start at or after it (truth); None without either."""
        if t is None:
            return None
        starts = [b[0] for b in self.burns if b[0] >= t]
        return min(starts) - t if starts else None

    def figures(self, t0: float) -> dict[str, Any]:
        """The run's #16 figures (times from ``t0``, the launch notice)."""
        rows = []
        cases = list(self.burns)
        if self.chaser and self.target:
            cases.append((math.nan, -1, self.target, self.chaser[:2]))
        for t, bid, (rt, vt), (rc, vc) in cases:
            d, tm = drift_closest_approach(rt, vt, rc, vc)
            rows.append({"burn_id": bid, "t_from_notice_s": t - t0 if bid >= 0 else None,
                         "closest_approach_m": d, "t_closest_s": tm})
        ph = np.asarray(self.phase)
        hist = np.histogram(ph, bins=HIST_EDGES)[0].tolist() if ph.size else []
        pa = np.asarray(self.pointing_all)
        return {
            "missed_burn_table": rows,
            "missed_burn_min_m": min((r["closest_approach_m"] for r in rows), default=None),
            "missed_burn_inside_keep_out": sum(r["closest_approach_m"] < self.keep_out_m
                                               for r in rows),
            "inspection_sun_phase_hist": {"edges_deg": list(HIST_EDGES), "counts": hist},
            "inspection_good_light_fraction": (float(np.mean(ph < GOOD_PHASE_DEG))
                                               if ph.size else None),
            "inspection_sun_phase_median_deg": float(np.median(ph)) if ph.size else None,
            "inspection_eclipse_fraction": (self.eclipsed / self.samples
                                            if self.samples else None),
            "inspection_sun_from_boresight_min_deg": (self.sun_boresight_min
                                                      if pa.size else None),
            "inspection_off_target_fraction": (float(np.mean(pa > OFF_TARGET_DEG))
                                               if pa.size else None),
            "inspection_sun_in_keepout": (self.sun_boresight_min < self.keepout_deg
                                          if pa.size else None),
            "inspection_face_seconds": dict(zip(FACE_NAMES, self.face_s, strict=True)),
            "inspection_faces_imaged": sum(v >= FACE_MIN_S for v in self.face_s),
        }


def format_lines(s: dict[str, Any]) -> list[str]:
    """The summary's #16 lines: the missed-burn table and the lighting."""
    rows = s.get("missed_burn_table")
    if rows is None:
        return []
    out = [f"Missed-burn table (truth, free drift 24 h, two-body + J2; keep-out "
           f"{s['keep_out_radius_m']:.0f} m): {len(rows)} cases, minimum "
           f"{_f(s.get('missed_burn_min_m'))} m, {s['missed_burn_inside_keep_out']} inside"]
    for r in rows:
        when = ("end of run" if r["t_from_notice_s"] is None
                else f"burn {r['burn_id']:>3} at {r['t_from_notice_s']:8.0f} s")
        out.append(f"  {when}: closest {r['closest_approach_m']:8.1f} m "
                   f"after {r['t_closest_s'] / 3600:5.2f} h")
    h = s.get("inspection_sun_phase_hist") or {}
    if h.get("counts"):
        tot = sum(h["counts"])
        bins = ", ".join(f"{a}-{b}: {100 * c / tot:.0f}%" for a, b, c in
                         zip(h["edges_deg"][:-1], h["edges_deg"][1:], h["counts"],
                             strict=True))
        out.append(f"Inspection light (truth): sun phase < {GOOD_PHASE_DEG:.0f} deg "
                   f"{100 * s['inspection_good_light_fraction']:.0f}% of the sunlit time "
                   f"(median {s['inspection_sun_phase_median_deg']:.0f} deg; {bins}); "
                   f"eclipse {100 * s['inspection_eclipse_fraction']:.0f}%")
    if s.get("inspection_off_target_fraction") is not None:
        out.append(f"Camera: off target (> {OFF_TARGET_DEG:.0f} deg) "
                   f"{100 * s['inspection_off_target_fraction']:.1f}% of the inspection; "
                   f"sun at least {s['inspection_sun_from_boresight_min_deg']:.0f} deg "
                   "from the boresight"
                   + (" (INSIDE the keep-out)" if s.get("inspection_sun_in_keepout") else ""))
    fs = s.get("inspection_face_seconds")
    if fs:
        seen = ", ".join(f"{k} {v:.0f} s" for k, v in fs.items())
        out.append(f"Target faces imaged (truth, seen and lit >= {FACE_MIN_S:.0f} s): "
                   f"{s['inspection_faces_imaged']} of 6 ({seen})")
    return out


def _f(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}"


def campaign_stats(finished: list[dict[str, Any]]) -> dict[str, Any]:
    """The #16 statistics of a campaign's finished rows: runs whose every
    missed burn keeps out of the keep-out, the worst missed-burn approach,
    runs with >= 50 % of the sunlit inspection at a phase below 60 deg, and
    the off-target fraction's largest value."""
    def vals(key: str) -> list[float]:
        return [float(r[key]) for r in finished if r.get(key) is not None]

    mb, light, off = (vals("missed_burn_min_m"), vals("inspection_good_light_fraction"),
                      vals("inspection_off_target_fraction"))
    return {
        "missed_burn_runs_clear": sum(int(r.get("missed_burn_inside_keep_out") or 0) == 0
                                      for r in finished if "missed_burn_min_m" in r),
        "missed_burn_min_m": min(mb) if mb else None,
        "good_light_runs": sum(v >= 0.5 for v in light),
        "good_light_min": min(light) if light else None,
        "off_target_max": max(off) if off else None,
        "faces4_runs": sum(int(r.get("inspection_faces_imaged") or 0) >= 4 for r in finished),
        "sun_in_keepout_runs": sum(bool(r.get("inspection_sun_in_keepout")) for r in finished),
        "rows_scored": len(mb),
    }


def requirement_rows(s: dict[str, Any], plan: Any, row: Any) -> list[dict[str, Any]]:
    """The report's #16 requirement rows (``row``: the report's row maker)."""
    out = []
    mb = s.get("missed_burn_min_m")
    if mb is not None:
        out.append(row("Missed burns passively safe", "closest approach of a 24 h free drift "
                       "from every burn's start (truth, J2) >= plan.keep_out_m", mb,
                       plan.keep_out_m, "m", mb >= plan.keep_out_m, mb - plan.keep_out_m,
                       "plan.keep_out_m"))
    g = s.get("inspection_good_light_fraction")
    if g is not None:
        out.append(row("Inspection in good light", "fraction of the sunlit inspection at a sun "
                       f"phase angle < {GOOD_PHASE_DEG:.0f} deg (truth) >= 0.5", g, 0.5, "",
                       g >= 0.5, g - 0.5, "plan.sun_phase_max_deg"))
    off = s.get("inspection_off_target_fraction")
    if off is not None:
        out.append(row("Camera on target", f"fraction of the inspection with pointing error "
                       f"> {OFF_TARGET_DEG:.0f} deg (truth) < 0.05", off, 0.05, "",
                       off < 0.05, 0.05 - off, "issue #16"))
    nf = s.get("inspection_faces_imaged")
    if nf is not None:
        out.append(row("Target faces imaged", f"faces seen and lit >= {FACE_MIN_S:.0f} s "
                       "with the camera on target (truth) >= 4", nf, 4, "", nf >= 4, nf - 4,
                       "target.attitude"))
    return out
