"""A small, fast, real rendezvous simulation that stands in for the full
mission in campaign tests and benchmarks (``--runner standin``).

It flies the plan of a :mod:`fsw.scenario` scenario from insertion in the
target's Hill frame, with nothing of the flight software's packets, tasks or
attitude loop:

* truth: exact nonlinear relative motion about a circular target orbit (two
  body), integrated with RK4 at the navigation rate (``rates.nav_hz``, or
  ``rates.sim_step_s`` when set);
* navigation: truth plus noise, GPS-differenced beyond the relative-navigation
  range, range/angle noise of the relative sensor inside it; the velocity
  estimate of the relative sensor is assumed filtered over 600 s;
* guidance: Clohessy-Wiltshire two-impulse transfers to the far and near hold
  points and to the entry of the natural-motion circumnavigation, each with a
  mid-course correction (the phasing leg drifts first, for the least Δv), the
  circumnavigation re-centred every quarter orbit, then departure to
  ``plan.departure_range_m`` behind the target; planned with the *nominal*
  chaser (mass, thrust) while the truth burns with the *dispersed* one;
  impulses quantised to the minimum impulse bit; propellant by the rocket
  equation;
* FDIR: a burn (ten times above the velocity noise) whose measured Δv misses
  the command by more than ``fdir.thruster_residual_frac`` is a ``thruster_residual`` fault;
* first good track: range below ``plan.track_range_m`` and the camera's
  pointing error (navigation line-of-sight error plus star-tracker noise)
  below ``plan.track_pointing_deg``; its time is counted from the launch
  notice, with commissioning assumed to take ``plan.checkout_s``.

Scheduled faults and telecommands of the scenario are not modelled here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from fsw_tools.campaign.scenarios import build

__all__ = ["run_one"]

MU_EARTH = 3.986004418e14  # m^3/s^2, EGM96 / WGS 84
R_EARTH = 6378137.0  # m, WGS 84 equatorial radius
G0 = 9.80665  # m/s^2, standard gravity
ARCSEC = math.pi / (180.0 * 3600.0)
NAV_VEL_FILTER_S = 600.0  # assumed time constant of the relative velocity estimate
MAX_TRAJECTORY_POINTS = 300
NOISE_STREAM = 0x5EED


def cw_stm(n: float, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Clohessy-Wiltshire state transition blocks (rr, rv, vr, vv), Hill frame
    x radial, y along-track, z orbit normal."""
    c, s, nt = math.cos(n * t), math.sin(n * t), n * t
    rr = np.array([[4 - 3 * c, 0, 0], [6 * (s - nt), 1, 0], [0, 0, c]])
    rv = np.array([[s / n, 2 * (1 - c) / n, 0], [2 * (c - 1) / n, (4 * s - 3 * nt) / n, 0],
                   [0, 0, s / n]])
    vr = np.array([[3 * n * s, 0, 0], [6 * n * (c - 1), 0, 0], [0, 0, -n * s]])
    vv = np.array([[c, 2 * s, 0], [-2 * s, 4 * c - 3, 0], [0, 0, c]])
    return rr, rv, vr, vv


def cw_transfer(
    n: float, r0: np.ndarray, v0: np.ndarray, rf: np.ndarray, vf: np.ndarray, t: float
) -> tuple[np.ndarray, np.ndarray]:
    """The two impulses (departure, arrival) that take (r0, v0) to (rf, vf) in t."""
    rr, rv, vr, vv = cw_stm(n, t)
    v0_req = np.linalg.solve(rv, rf - rr @ r0)
    v_arrive = vr @ r0 + vv @ v0_req
    return v0_req - v0, vf - v_arrive


class _Truth:
    """Nonlinear relative motion about a circular orbit of radius ``a``."""

    def __init__(self, a: float, state: list[float]) -> None:
        self.a, self.n = a, math.sqrt(MU_EARTH / a**3)
        self.s = [float(v) for v in state]

    def _f(self, s: list[float]) -> list[float]:
        a, n = self.a, self.n
        x, y, z, vx, vy, vz = s
        ax = a + x
        k = MU_EARTH / (ax * ax + y * y + z * z) ** 1.5
        return [vx, vy, vz, 2 * n * vy + n * n * ax - k * ax, -2 * n * vx + n * n * y - k * y,
                -k * z]

    def step(self, h: float) -> None:
        s = self.s
        k1 = self._f(s)
        k2 = self._f([si + 0.5 * h * ki for si, ki in zip(s, k1, strict=True)])
        k3 = self._f([si + 0.5 * h * ki for si, ki in zip(s, k2, strict=True)])
        k4 = self._f([si + h * ki for si, ki in zip(s, k3, strict=True)])
        self.s = [si + h / 6.0 * (a + 2 * b + 2 * c + d)
                  for si, a, b, c, d in zip(s, k1, k2, k3, k4, strict=True)]


class _Flight:
    """One flight of the plan: truth, navigation, burns and the metrics."""

    def __init__(self, sc: Any, nom: Any, rng: np.random.Generator) -> None:
        self.sc, self.nom, self.rng = sc, nom, rng
        a = R_EARTH + sc.target.altitude_km * 1e3
        n = math.sqrt(MU_EARTH / a**3)
        r0 = list(sc.insertion.position_hill_m)
        v0 = list(sc.insertion.velocity_hill_mps) or [0.0, -1.5 * n * r0[0], 0.0]
        self.truth = _Truth(a, r0 + v0)
        self.n = n
        self.dt = sc.rates.sim_step_s if sc.rates.sim_step_s > 0 else 1.0 / sc.rates.nav_hz
        self.t = 0.0
        self.mass_true, self.mass_est = sc.chaser.mass_kg, nom.chaser.mass_kg
        self.dv = 0.0
        self.faults: list[str] = []
        self.min_range = math.inf
        self.track_t: float | None = None
        self.samples: list[tuple[float, float, float, float]] = []
        self._sample()

    # ---------------------------------------------------------------- sensing

    def nav(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Estimated relative position and velocity, and the velocity noise."""
        s, sen = self.truth.s, self.sc.chaser.sensors
        r, v = np.array(s[:3]), np.array(s[3:])
        rng = float(np.linalg.norm(r))
        if rng <= sen.relnav_range_max_m:
            u = r / rng
            e1 = np.cross(u, [0.0, 0.0, 1.0])
            if np.linalg.norm(e1) < 1e-6:
                e1 = np.cross(u, [0.0, 1.0, 0.0])
            e1 /= np.linalg.norm(e1)
            e2 = np.cross(u, e1)
            dr, d1, d2 = self.rng.normal(0.0, 1.0, 3)
            ang = math.radians(sen.relnav_angle_noise_deg) * rng
            err = u * dr * sen.relnav_range_noise_frac * rng + (e1 * d1 + e2 * d2) * ang
            sig_v = float(np.linalg.norm(err)) / NAV_VEL_FILTER_S
        else:
            err = self.rng.normal(0.0, sen.gps_noise_m * math.sqrt(2.0), 3)
            sig_v = sen.gps_vel_noise_mps * math.sqrt(2.0)
        return r + err, v + self.rng.normal(0.0, sig_v, 3), sig_v

    def _sample(self) -> None:
        x, y, z = self.truth.s[:3]
        rng = math.sqrt(x * x + y * y + z * z)
        self.min_range = min(self.min_range, rng)
        self.samples.append((self.t, x, y, z))
        plan = self.sc.plan
        if self.track_t is None and rng < plan.track_range_m:
            est, _, _ = self.nav()
            cosang = float(np.dot(est, self.truth.s[:3]) / (np.linalg.norm(est) * rng))
            nav_err = math.acos(max(-1.0, min(1.0, cosang)))
            st = self.sc.chaser.sensors.star_tracker_noise_arcsec * ARCSEC
            att_err = abs(float(self.rng.normal(0.0, st)))
            if math.degrees(math.hypot(nav_err, att_err)) < plan.track_pointing_deg:
                self.track_t = self.t

    def coast(self, duration: float) -> None:
        steps = max(0, round(duration / self.dt))
        for _ in range(steps):
            self.truth.step(self.dt)
            self.t += self.dt
            self._sample()

    # ---------------------------------------------------------------- burning

    def burn(self, dv_cmd: np.ndarray) -> None:
        """Execute a commanded Δv: quantised to the minimum impulse bit with the
        nominal mass, delivered with the true thrust and mass."""
        rcs_nom, rcs = self.nom.chaser.rcs, self.sc.chaser.rcs
        quantum = rcs_nom.min_impulse_bit_ns / self.mass_est
        dv_cmd = np.round(dv_cmd / quantum) * quantum
        mag = float(np.linalg.norm(dv_cmd))
        if mag == 0.0:
            return
        _, v_before, sig_v = self.nav()
        scale = (rcs.thrust_n / rcs_nom.thrust_n) * (self.mass_est / self.mass_true)
        dv_true = dv_cmd * scale
        prop_used = self.mass_true * (1.0 - math.exp(-mag * scale / (rcs.isp_s * G0)))
        self.mass_true -= prop_used
        self.mass_est *= math.exp(-mag / (rcs_nom.isp_s * G0))
        if self.sc.chaser.mass_kg - self.mass_true > rcs.propellant_kg:
            raise RuntimeError(f"propellant exhausted at t = {self.t:.0f} s")
        s = self.truth.s
        self.truth.s = s[:3] + [s[3 + i] + float(dv_true[i]) for i in range(3)]
        self.dv += float(np.linalg.norm(dv_true))
        _, v_after, _ = self.nav()
        residual = float(np.linalg.norm((v_after - v_before) - dv_cmd))
        if residual > self.sc.fdir.thruster_residual_frac * mag and mag > 10.0 * sig_v:
            self.faults.append(f"thruster_residual@{self.t:.0f}s")

    def phase(self, rf: list[float], duration: float) -> None:
        """Phasing: drift, then a CW transfer, split to minimise the planned Δv
        (a scan of the transfer time over 30-100 % of ``duration``)."""
        r, v, _ = self.nav()
        rf_a, zero = np.array(rf), np.zeros(3)
        best = (math.inf, duration)
        for frac in np.linspace(0.3, 1.0, 36):
            t_xfer = float(frac) * duration
            rr, rv, vr, vv = cw_stm(self.n, duration - t_xfer)
            r1, v1 = rr @ r + rv @ v, vr @ r + vv @ v
            dv1, dv2 = cw_transfer(self.n, r1, v1, rf_a, zero, t_xfer)
            cost = float(np.linalg.norm(dv1) + np.linalg.norm(dv2))
            if cost < best[0]:
                best = (cost, t_xfer)
        t_xfer = max(2, round(best[1] / self.dt)) * self.dt
        self.coast(duration - t_xfer)
        self.transfer(rf, [0.0, 0.0, 0.0], t_xfer)

    def inspect(self, duration: float) -> None:
        """Fly the constant-range circumnavigation, re-centring it every quarter
        orbit: the velocity of the centred ellipse through the estimated
        position is (n y/2, -2 n x, sqrt(3) n y/2)."""
        quarter = max(1, round(0.5 * math.pi / self.n / self.dt)) * self.dt
        left = round(duration / self.dt) * self.dt
        while left > 0:
            r, v, _ = self.nav()
            x, y = float(r[0]), float(r[1])
            n = self.n
            self.burn(np.array([n * y / 2.0, -2.0 * n * x, math.sqrt(3.0) * n * y / 2.0]) - v)
            self.coast(min(quarter, left))
            left -= quarter

    def transfer(self, rf: list[float], vf: list[float], duration: float) -> None:
        """CW two-impulse transfer with a mid-course correction at half time."""
        duration = max(2, round(duration / self.dt)) * self.dt
        rf_a, vf_a = np.array(rf), np.array(vf)
        r, v, _ = self.nav()
        dv1, _ = cw_transfer(self.n, r, v, rf_a, vf_a, duration)
        self.burn(dv1)
        half = round(duration / self.dt / 2) * self.dt
        self.coast(half)
        r, v, _ = self.nav()
        dv1, _ = cw_transfer(self.n, r, v, rf_a, vf_a, duration - half)
        self.burn(dv1)
        self.coast(duration - half)
        _, v, _ = self.nav()
        self.burn(vf_a - v)


def _downsample(samples: list[tuple[float, float, float, float]]) -> list[list[float]]:
    stride = max(1, math.ceil(len(samples) / MAX_TRAJECTORY_POINTS))
    picked = samples[::stride]
    if picked[-1] is not samples[-1]:
        picked.append(samples[-1])
    return [[round(v, 3) for v in s] for s in picked]


def run_one(scenario_text: str, seed: int, overrides: dict[str, Any]) -> dict[str, Any]:
    """Fly the scenario's plan once (the runner interface of
    :mod:`fsw_tools.campaign`); deterministic in (text, seed, overrides)."""
    nom = build(scenario_text, seed, {})
    sc = build(scenario_text, seed, overrides)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(NOISE_STREAM,)))
    fl = _Flight(sc, nom, rng)
    p, n = sc.plan, fl.n
    fl.phase([0.0, -p.hold_far_m, 0.0], p.phasing_transfer_s)
    fl.coast(p.hold_duration_s)
    fl.transfer([0.0, -p.hold_near_m, 0.0], [0.0, 0.0, 0.0], p.transfer_s)
    fl.coast(p.hold_duration_s)
    rad = p.inspection_radius_m
    v_nmc = [-rad * n / 2.0, 0.0, -rad * n * math.sqrt(3.0) / 2.0]
    fl.transfer([0.0, -rad, 0.0], v_nmc, p.transfer_s)
    fl.inspect(p.inspection_orbits * 2.0 * math.pi / n)
    departure = sc.mission.departure_duration_s
    fl.transfer([0.0, -p.departure_range_m, 0.0], [0.0, 0.0, 0.0], min(p.transfer_s, departure))
    fl.coast(max(0.0, departure - p.transfer_s))

    faults = list(fl.faults)
    if fl.min_range < p.keep_out_m:
        outcome = "keep_out"
    elif fl.dv > p.delta_v_budget_mps:
        outcome = "over_budget"
    elif fl.track_t is None:
        outcome = "no_track"
    else:
        outcome = "success"
    commissioning = sc.mission.notice_to_launch_s + sc.insertion.ascent_s + p.checkout_s
    return {
        "outcome": outcome,
        "min_range_m": fl.min_range,
        "dv_mps": fl.dv,
        "time_to_first_track_s": None if fl.track_t is None else commissioning + fl.track_t,
        "faults": faults,
        "final_range_m": math.sqrt(sum(c * c for c in fl.truth.s[:3])),
        "propellant_used_kg": sc.chaser.mass_kg - fl.mass_true,
        "trajectory": _downsample(fl.samples),
    }
