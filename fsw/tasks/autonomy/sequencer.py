"""The rendezvous sequencer: what the autonomy task does inside the phases
PHASING, RENDEZVOUS, PROX_OPS and DEPARTURE, and the collision-avoidance
check, as pure logic on the relative state (Hill frame of the target).

The plan is a list of legs made from the scenario's :class:`~fsw.scenario.Plan`:

- PHASING: transfer from the insertion point to the far hold point (V-bar,
  ``-hold_far_m``), its time chosen up to ``phasing_transfer_s`` for the least
  Δv (on-board planning from the estimate), with a mid-course correction;
- RENDEZVOUS: hold far, transfer to the near hold point, hold near, transfer
  to the entry of the inspection circle (arriving with its velocity);
- PROX_OPS: inspect, coasting on the constant-range natural-motion
  circumnavigation for ``inspection_orbits`` with the camera on the target,
  its velocity corrected ``NMC_CORRECTIONS_PER_ORBIT`` times per orbit (the
  navigation's velocity error would otherwise make the circle drift);
- DEPARTURE: a transfer towards ``-departure_range_m`` on V-bar without an
  arrival burn (the chaser drifts away).

Each transfer is a CW two-impulse transfer re-planned from the latest estimate
at every burn: first burn, mid-course corrections at ``CORRECTIONS`` of the
transfer time (skipped when below ``MIN_DV``), arrival burn. A burn is ordered
``lead_s`` ahead (time to
slew to the burn attitude) from the state predicted at that time; the
sequencer waits for the propulsion task to report it done before going on.
At the end of a hold the position is checked against ``hold_tolerance_m``; a
miss re-targets the same hold point.

Collision avoidance: every tick the coasting trajectory is predicted over
``ca_horizon_s`` (cut ``CA_MARGIN_S`` after the next planned burn, the pending
one or a transfer's arrival burn); a closest approach inside the
keep-out sphere orders an avoidance burn: the one of six Hill-axis impulses of
``CAM_DV`` that maximises the minimum range over one orbit; the autonomy task
then goes to SAFE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from fsw.scenario import Plan
from fsw.tasks.autonomy.cw import RelGuidance, nmc_state

__all__ = ["CAM_DV", "MIN_DV", "BurnOrder", "Leg", "Sequencer", "Step"]

#: burns smaller than this are skipped [m/s] (below a few minimum impulse bits)
MIN_DV = 0.005
#: collision avoidance impulse [m/s]
CAM_DV = 0.3
#: a planned phasing coast keeps this many keep-out radii from the target
PLAN_SAFETY = 2.0
#: the collision check looks this far past the next planned burn [s]: a burn
#: that does not happen is seen in time for the avoidance manoeuvre
CA_MARGIN_S = 300.0
#: mid-course corrections at these fractions of a transfer's time
CORRECTIONS = (0.5, 0.8)
#: velocity corrections per orbit that keep the inspection circle centred
NMC_CORRECTIONS_PER_ORBIT = 3


@dataclass(frozen=True)
class BurnOrder:
    """An impulsive Δv (Hill axes at the burn time) to execute at ``t_exec``."""

    id: int
    t_exec: float
    dv_hill: tuple[float, float, float]
    purpose: str


@dataclass
class Leg:
    """One leg of the plan: ``kind`` is transfer, hold, inspect or depart."""

    kind: str
    name: str
    rho_f: np.ndarray = field(default_factory=lambda: np.zeros(3))
    v_f: np.ndarray = field(default_factory=lambda: np.zeros(3))
    duration: float = 0.0
    arrive_burn: bool = True
    #: choose the transfer time up to ``duration`` for the least total Δv
    optimize: bool = False
    # progress
    t_start: float | None = None
    t_arrive: float | None = None
    stage: int = 0  # transfer: 0 first burn, 1 coasting (corrections), 4 arrival burn ordered
    checkpoints: list[float] = field(default_factory=list)


@dataclass
class Step:
    """What the sequencer asks for at one tick."""

    burn: BurnOrder | None = None
    phase_done: bool = False
    pointing: str = "inertial"  # inertial | target | burn
    events: list[str] = field(default_factory=list)
    cam: bool = False


class Sequencer:
    """Plans and flies the legs of the current phase; see the module doc."""

    def __init__(self, plan: Plan, guidance: RelGuidance, lead_s: float = 300.0) -> None:
        self.plan = plan
        self.g = guidance
        self.lead_s = lead_s
        self.legs: list[Leg] = []
        self.phase = ""
        self._burn_id = 0
        self.pending: BurnOrder | None = None
        self.hold_point_m = plan.hold_near_m
        self.far_m = plan.hold_far_m
        self.cam_count = 0
        #: no new burn before this time (back-off after a failed burn)
        self.wait_until = -math.inf

    # ------------------------------------------------------------------ plan
    def start_phase(self, phase: str, t: float) -> None:
        """Load the legs of ``phase`` (PHASING, RENDEZVOUS, PROX_OPS, DEPARTURE)."""
        p = self.plan
        self.phase = phase
        self.pending = None
        far = np.array([0.0, -self.far_m, 0.0])
        near = np.array([0.0, -self.hold_point_m, 0.0])
        if phase == "PHASING":
            self.legs = [
                Leg("transfer", "to far hold", far, duration=p.phasing_transfer_s, optimize=True)
            ]
        elif phase == "RENDEZVOUS":
            self.legs = [
                Leg("hold", "far hold", far, duration=p.hold_duration_s),
                Leg("transfer", "to near hold", near, duration=p.transfer_s),
                Leg("hold", "near hold", near, duration=p.hold_duration_s),
                Leg(
                    "transfer",
                    "to inspection",
                    np.array([0.0, -p.inspection_radius_m, 0.0]),
                    duration=p.transfer_s,
                ),
            ]
        elif phase == "PROX_OPS":
            self.legs = [Leg("inspect", "inspection", duration=0.0)]
        elif phase == "DEPARTURE":
            away = np.array([0.0, -p.departure_range_m, 0.0])
            self.legs = [
                Leg("transfer", "departure", away, duration=p.transfer_s, arrive_burn=False)
            ]
        else:
            self.legs = []

    def set_hold_point(self, along_m: float) -> None:
        """Move the near hold point (ground order); applies to legs not begun."""
        self.hold_point_m = abs(along_m)
        for leg in self.legs:
            if leg.t_start is None and leg.name in ("to near hold", "near hold"):
                leg.rho_f = np.array([0.0, -self.hold_point_m, 0.0])

    # ------------------------------------------------------------------ burns
    def _order(self, t_exec: float, dv: np.ndarray, purpose: str) -> BurnOrder:
        self._burn_id += 1
        order = BurnOrder(
            self._burn_id, t_exec, (float(dv[0]), float(dv[1]), float(dv[2])), purpose
        )
        self.pending = order
        return order

    def burn_done(self, burn_id: int) -> None:
        """The propulsion task reports burn ``burn_id`` finished (or failed)."""
        if self.pending is not None and burn_id >= self.pending.id:
            self.pending = None

    # ------------------------------------------------------------------ tick
    def step(self, t: float, rho: np.ndarray, v: np.ndarray, n: float) -> Step:
        """One tick with the current relative-state estimate."""
        out = Step()
        if self.pending is not None:
            out.pointing = "burn"
            return out
        if t < self.wait_until:
            out.pointing = "target" if self.phase == "PROX_OPS" else "inertial"
            return out
        if not self.legs:
            out.phase_done = True
            return out
        leg = self.legs[0]
        if leg.t_start is None:
            leg.t_start = t
            out.events.append(f"leg start: {leg.name}")
        if leg.kind == "hold":
            self._hold(leg, t, rho, v, n, out)
        elif leg.kind == "transfer":
            self._transfer(leg, t, rho, v, n, out)
        elif leg.kind == "wait":
            out.pointing = "target"
            if t - leg.t_start >= leg.duration:
                self.legs.pop(0)
        elif leg.kind == "inspect":
            out.pointing = "target"
            period = 2 * math.pi / n
            end = leg.t_start + self.plan.inspection_orbits * period
            if t >= end:
                self.legs.pop(0)
                out.events.append("inspection complete")
            elif t >= leg.t_start + (leg.stage + 1) * period / NMC_CORRECTIONS_PER_ORBIT \
                    and end - t > period / NMC_CORRECTIONS_PER_ORBIT:
                leg.stage += 1
                self._nmc_correction(t, rho, v, n, out)
        if not self.legs and self.pending is None:
            out.phase_done = True
        if self.phase == "PROX_OPS" or (self.legs and self.legs[0].kind == "inspect"):
            out.pointing = "target"
        return out

    def _best_tof(self, r1: np.ndarray, v1: np.ndarray, leg: Leg, n: float) -> float:
        """Transfer time in [2 lead, duration] of least total Δv (scan, 60 s grid)
        among those whose coast stays ``PLAN_SAFETY`` keep-out radii away."""
        best_t, best_dv = leg.duration, math.inf
        for tof in np.arange(2 * self.lead_s, leg.duration + 1.0, 60.0):
            try:
                v_req, v_f = self.g.transfer(r1, v1, leg.rho_f, n, float(tof))
            except ValueError:
                continue
            dv = float(np.linalg.norm(v_req - v1) + np.linalg.norm(leg.v_f - v_f))
            if dv < best_dv and self.g.closest_approach(r1, v_req, n, float(tof))[1] \
                    > PLAN_SAFETY * self.plan.keep_out_m:
                best_t, best_dv = float(tof), dv
        return best_t

    def _hold(self, leg: Leg, t: float, rho, v, n: float, out: Step) -> None:
        out.pointing = "target" if np.linalg.norm(rho) < self.plan.hold_far_m * 1.5 else "inertial"
        if t - leg.t_start < leg.duration:
            return
        err = float(np.linalg.norm(rho - leg.rho_f))
        if err <= self.plan.hold_tolerance_m:
            self.legs.pop(0)
            out.events.append(f"{leg.name} complete, {err:.0f} m from the hold point")
            return
        out.events.append(f"{leg.name}: {err:.0f} m off, re-targeting")
        self.legs.insert(
            0,
            Leg(
                "transfer",
                f"correction to {leg.name}",
                leg.rho_f.copy(),
                duration=self.plan.transfer_s / 2,
            ),
        )
        leg.t_start = None

    def _transfer(self, leg: Leg, t: float, rho, v, n: float, out: Step) -> None:
        lead = self.lead_s
        if leg.stage == 0 and leg.optimize and float(
                np.linalg.norm(rho - leg.rho_f)) < self.plan.hold_tolerance_m / 2:
            self.legs.pop(0)
            out.events.append(f"{leg.name}: already there")
            return
        if leg.stage == 0:
            t_exec = t + lead
            r1, v1 = self.g.propagate(rho, v, n, lead)
            tof = self._best_tof(r1, v1, leg, n) if leg.optimize else leg.duration
            leg.t_arrive = t_exec + tof
            # mid-course corrections at these fractions of the transfer, while
            # they leave time for a slew before the arrival burn
            leg.checkpoints = [t_exec + f * tof for f in CORRECTIONS
                               if (1 - f) * tof > 2 * lead + 60]
            v_req, _ = self.g.transfer(r1, v1, leg.rho_f, n, tof)
            if leg.optimize:
                out.events.append(f"{leg.name}: transfer time {tof:.0f} s chosen")
            leg.stage = 1
            out.burn = self._order(t_exec, v_req - v1, f"{leg.name}: first burn")
            out.pointing = "burn"
            return
        if leg.stage == 1 and leg.checkpoints and t >= leg.checkpoints[0] - lead:
            leg.checkpoints.pop(0)
            t_exec = t + lead
            r1, v1 = self.g.propagate(rho, v, n, lead)
            v_req, _ = self.g.transfer(r1, v1, leg.rho_f, n, leg.t_arrive - t_exec)
            dv = v_req - v1
            if float(np.linalg.norm(dv)) >= MIN_DV:
                out.burn = self._order(t_exec, dv, f"{leg.name}: correction")
                out.pointing = "burn"
                return
        if leg.stage == 1 and t >= leg.t_arrive - lead:
            leg.stage = 4
            if not leg.arrive_burn:
                self.legs.pop(0)
                out.events.append(f"{leg.name}: coasting away")
                return
            t_exec = max(leg.t_arrive, t + 1.0)
            r1, v1 = self.g.propagate(rho, v, n, t_exec - t)
            v_des = leg.v_f
            if leg.name == "to inspection":
                _, v_des = nmc_state(self.plan.inspection_radius_m, math.pi / 2, n)
            out.burn = self._order(t_exec, v_des - v1, f"{leg.name}: arrival burn")
            out.pointing = "burn"
            return
        if leg.stage == 4:
            self.legs.pop(0)
            out.events.append(f"{leg.name}: arrived, {np.linalg.norm(rho - leg.rho_f):.0f} m off")

    def _nmc_correction(self, t: float, rho, v, n: float, out: Step) -> None:
        """Keep the circumnavigation: at the burn time, the velocity of the
        drift-free relative orbit centred on the target through the predicted
        position (in-plane: y' = -2 n x, x' = n y / 2: the ellipse x = A cos th,
        y = -2 A sin th), and the cross-track rate of the circle's motion
        z = sqrt(3) A cos th at that phase (so the cross-track oscillation stays
        in phase with the radial one: the range stays near 2 A)."""
        lead = min(self.lead_s, 240.0)
        r1, v1 = self.g.propagate(rho, v, n, lead)
        a = math.hypot(r1[0], r1[1] / 2)
        th = math.atan2(-r1[1] / 2, r1[0])
        v_des = np.array([n * r1[1] / 2, -2 * n * r1[0], -math.sqrt(3) * a * n * math.sin(th)])
        dv = v_des - v1
        if float(np.linalg.norm(dv)) >= MIN_DV:
            out.burn = self._order(t + lead, dv, "inspection: circle correction")
            out.pointing = "burn"

    def retry(self, phase: str, rho: np.ndarray) -> None:
        """The next phase's gate said no-go at the end of ``phase``: PHASING
        re-targets the far hold point (a correction transfer), the others wait
        a minute (pointing at the target) and ask again."""
        if phase == "PHASING":
            far = np.array([0.0, -self.far_m, 0.0])
            self.legs = [Leg("transfer", "correction to far hold", far,
                             duration=self.plan.transfer_s / 2)]
        else:
            self.legs = [Leg("wait", "gate wait", duration=60.0)]

    # ------------------------------------------------------------------ safety
    def collision_check(
        self, t: float, rho: np.ndarray, v: np.ndarray, n: float
    ) -> tuple[float, float]:
        """Predicted (time from now, distance) of the closest approach of the
        coasting trajectory, over the horizon cut at the next planned burn."""
        horizon = self.plan.ca_horizon_s
        if self.pending is not None:
            horizon = min(horizon, max(0.0, self.pending.t_exec - t) + CA_MARGIN_S)
        elif self.legs and self.legs[0].kind == "transfer" and self.legs[0].stage == 1 \
                and self.legs[0].arrive_burn and self.legs[0].t_arrive is not None:
            # coasting on a transfer: the arrival burn ends this trajectory
            horizon = min(horizon, max(0.0, self.legs[0].t_arrive - t) + CA_MARGIN_S)
        return self.g.closest_approach(rho, v, n, horizon)

    def avoidance(self, t: float, rho: np.ndarray, v: np.ndarray, n: float) -> BurnOrder:
        """The avoidance burn: of the six Hill-axis impulses of CAM_DV applied
        as soon as the burn attitude can be reached, the one whose coasting
        trajectory keeps the largest minimum range over one orbit."""
        lead = min(self.lead_s, 120.0)
        r1, v1 = self.g.propagate(rho, v, n, lead)
        period = 2 * math.pi / n
        best, best_d = None, -1.0
        for axis in range(3):
            for sign in (1.0, -1.0):
                dv = np.zeros(3)
                dv[axis] = sign * CAM_DV
                _, d = self.g.closest_approach(r1, v1 + dv, n, period)
                if d > best_d:
                    best, best_d = dv, d
        self.legs = []
        self.cam_count += 1
        return self._order(t + lead, best, f"collision avoidance (min range {best_d:.0f} m)")
