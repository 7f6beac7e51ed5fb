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
transfer time (skipped when below ``MIN_DV``), arrival burn. Beyond
``CURVILINEAR_MIN_M`` a transfer is planned in curvilinear coordinates about
the target's orbit radius (the core's ``curvilinear_from_hill``), where the
CW equations hold to tens of kilometres, and its burn turned back into Hill
axes (``curvilinear_dv_to_hill``). A burn is ordered
``lead_s`` ahead (time to
slew to the burn attitude) from the state predicted at that time; the
sequencer waits for the propulsion task to report it done before going on.
At the end of a hold the position is checked against ``hold_tolerance_m``; a
miss re-targets the same hold point.

The relative-motion maths (CW propagation, two-impulse transfers, the choice
of a transfer time, the circumnavigation, closest approach and the avoidance
impulse) is the guidance core's (native/include/gnc_relative.h), called
through :class:`~fsw.core.guidance.GuidanceCore`; the sequencer keeps the legs,
their stages and times, and decides. Only its own methods change its state.

Collision avoidance: every tick the coasting trajectory is predicted over
``ca_horizon_s`` (cut ``CA_MARGIN_S`` after the next planned burn, the pending
one or a transfer's arrival burn): the CW closest approach of the estimate,
or, with ``ca_k_sigma`` > 0, the distance from the target to the estimate's
``ca_k_sigma`` position ellipsoid (J2, the navigation's covariance) when
smaller; a closest approach inside the
keep-out sphere orders an avoidance burn: the one of six Hill-axis impulses of
``CAM_DV`` that maximises the minimum range over one orbit; the autonomy task
then goes to SAFE.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field, replace

from fsw.core.ephem import EphemConfig, inertial_from_hill
from fsw.core.errors import GncError
from fsw.core.guidance import GuidanceCore
from fsw.core.phasing import PhasingPlan
from fsw.core.safety import DriftModel, FacePlan
from fsw.core.vec import cross, dist, dot, norm, sub
from fsw.scenario import Plan

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
#: a correction on the safety ellipse re-centres it only if its screened free
#: drift stays this many keep-out radii away (otherwise it only stops the drift)
CORRECTION_MARGIN = 1.2
#: a planned burn's execution error (1 sigma) in its missed-burn screen: a
#: fraction of its Δv and a direction, deliberately 3-7 times what the
#: navigation assumes from the truth (fsw.tasks.navigation.DV_SIGMA_FRAC,
#: _DIR_RAD: a consistent filter, not a safety margin), and a floor per axis [m/s]
#: (the accelerometer's white noise over a 2 s translation, 2.4e-4 m/s, and a
#: pair's minimum impulse, 6.7e-5): the screen's k sigma covers the burn
#: itself, not only the navigation (campaign c42: a 9 mm/s correction made
#: 0.7 mm/s long took a screen clear at 200 m to 197.6 m in truth)
EXEC_SIGMA_FRAC = 0.01
EXEC_SIGMA_DIR_RAD = math.radians(1.0)
EXEC_SIGMA_FLOOR = 3e-4
#: a screened alternative to a least-Δv transfer's time (SCREEN_TOF_FACTORS)
#: is flown only if its first burn costs at most this many times the least-Δv
#: one's: near half an orbit the CW transfer of any cross-track offset needs
#: a Δv without bound (its out-of-plane part, sin(n t) / n, vanishes), and such
#: a coast "screens clear" only because it flies away (campaigns c3 and d1:
#: three runs ordered first burns above 20 m/s, rejected by the propulsion)
SCREEN_DV_FACTOR = 2.0
#: longest lead of a small burn on a safety ellipse or a hold (no long slew) [s]
SMALL_BURN_LEAD_S = 240.0
#: step of the search for the radial oscillation's middle [s]
CROSSING_STEP_S = 60.0
#: mid-course corrections at these fractions of a transfer's time
CORRECTIONS = (0.5, 0.8)
#: a transfer also corrects as soon as the navigation's position and velocity
#: sigmas are both below this fraction of what they were when its last burn
#: was planned: the handover from angles-only to ranged navigation takes the
#: position sigma from about 500 m to metres within a minute, and the
#: estimate then shows where the coast planned on the old one really goes
#: (campaign b1, seed 1598941262: a far-hold transfer planned on a 440 m
#: along-track error passed 90 m from the target; seen 86 s after the
#: handover, 1,000 s before the next scheduled correction, it went SAFE);
#: only while the sigma it was planned with was at least a third of the hold
#: tolerance (a ranged filter converging from 17 m to 3 m is not news)
RETARGET_FACTOR = 0.25
#: a scheduled mid-course correction due while the chaser is about to come
#: inside the ranging sensor's reach (the coast crosses it within the
#: correction's lead and this long after) waits for the ranged navigation:
#: its slew would turn the camera away just as the range becomes measurable,
#: and the chaser would cross on its angles-only estimate (campaign b4: each
#: of the 5 runs whose error inside 5 km exceeded 1 % of range at p99 handed
#: over at 2.8-4.4 km, after a correction made there). The handover's own
#: re-target (RETARGET_FACTOR) then corrects on the ranged estimate; a
#: re-target on the angles-only estimate waits the same way.
DEFER_WINDOW_S = 300.0
#: a transfer is planned in curvilinear coordinates (radius difference, arc
#: lengths along-track and across) beyond this range [m]; inside it the
#: rectilinear Hill coordinates differ from them by less than 0.7 m (the
#: curvature y^2 / 2R). CW in rectilinear coordinates from 42 km behind and
#: 4.3 km under predicted the coast 4.2 km along-track and 530 m radially off
#: after 4,134 s (truth of far_insertion seed 3032835537), curvilinear 640 m
#: and 60 m: the far-hold leg's three corrections cost 1.65 m/s there
CURVILINEAR_MIN_M = 3000.0
#: a scheduled correction of a least-delta-v transfer re-chooses its arrival
#: time only when that saves at least this much (first plus arrival burn) [m/s]
RECHOOSE_MIN_SAVING_MPS = 0.05
#: an inspection correction is cut to this fraction of the translation limit
TRANSLATE_FRACTION = 0.95
#: velocity corrections per orbit that keep the inspection circle centred
NMC_CORRECTIONS_PER_ORBIT = 3
#: grid of the transfer-time search [s]
TOF_STEP_S = 60.0
#: back-off before re-planning after a burn that did not complete [s]
REPLAN_BACKOFF_S = 60.0
#: transfer times tried by the missed-burn screen, in order (x the leg's duration)
SCREEN_TOF_FACTORS = (1.0, 0.75, 1.25, 0.5, 1.5)
#: a hold's ellipse leg (to the near hold) tries these: the same span on a
#: 5 % grid, and flies the least Δv that passes (a hold is not imaged, so the
#: light does not count). On the five factors alone the passing times sat
#: either side of the half-orbit singularity at 1500-2250 s, 2.0-2.6 m/s, where
#: 3900-4500 s passed at 0.6-0.75 m/s (seeds 2036637175 and 712930986)
HOLD_TOF_FACTORS = SCREEN_TOF_FACTORS + tuple(
    f / 20 for f in range(10, 31) if f / 20 not in SCREEN_TOF_FACTORS)
#: step of the collision check's k-sigma prediction [s]
CA_STEP_S = 10.0
#: grid of the departure burn's time search [s]
DEPART_GRID_S = 30.0
#: postponements of an ellipse leg's start tried for the light [orbits] (the
#: chaser coasts on its passively safe ellipse meanwhile)
ENTRY_DELAYS = (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875)
#: an ellipse leg's transfer times whose well-lit inspection is within this
#: many 5 % steps of the best (same faces) are equal for the light: the least
#: Δv of them is flown (issue #15: half the transfer time for 5 % more light
#: cost 1.5 m/s)
LIGHT_SLACK_STEPS = 2

Vec3 = tuple[float, float, float]
State = tuple[float, float, float, float, float, float]
_Z3: Vec3 = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class BurnOrder:
    """An impulsive Δv (Hill axes at the burn time) to execute at ``t_exec``."""

    id: int
    t_exec: float
    dv_hill: Vec3
    purpose: str


@dataclass
class Leg:
    """One leg of the plan: ``kind`` is transfer, hold, inspect, wait or depart."""

    kind: str
    name: str
    rho_f: Vec3 = _Z3
    v_f: Vec3 = _Z3
    duration: float = 0.0
    arrive_burn: bool = True
    #: choose the transfer time up to ``duration`` for the least total Δv
    optimize: bool = False
    #: the transfer time is chosen among SCREEN_TOF_FACTORS x ``duration`` by
    #: the missed-burn screen (first passing); ``ellipse``: it arrives on the
    #: inspection's safety ellipse at the phase chosen from the light
    screened: bool = False
    ellipse: bool = False
    #: along-track centre of the arrival ellipse [m] (0: centred on the target)
    centre: float = 0.0
    #: an ``ellipse`` leg may be postponed (ENTRY_DELAYS) once, for the light
    postponed: bool = False
    # progress
    t_start: float | None = None
    t_arrive: float | None = None
    #: transfer: 0 first burn, 1 coasting (corrections), 4 arrival burn ordered;
    #: wait: 0 not yet screened, 1 screened
    stage: int = 0
    t_burn: float | None = None  # wait: time of a planned drift arrest
    #: wait: what follows is timed (the inspection, for the light), so a drift
    #: arrest is made at once, never stretching the wait
    timed: bool = False
    checkpoints: list[float] = field(default_factory=list)
    #: the navigation's RSS position and velocity sigmas when the transfer's
    #: last burn was planned (RETARGET_FACTOR)
    sigma_planned: tuple[float, float] | None = None
    #: drift: the burns planned (time, Δv along the velocity)
    burns: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Step:
    """What the sequencer asks for at one tick."""

    burn: BurnOrder | None = None
    phase_done: bool = False
    pointing: str = "inertial"  # inertial | target | burn | sun
    events: list[str] = field(default_factory=list)
    cam: bool = False
    #: transfers that arrived this tick: (leg name, planned point, estimate), Hill
    arrivals: list[tuple[str, Vec3, Vec3]] = field(default_factory=list)


def _v(x) -> Vec3:
    return (float(x[0]), float(x[1]), float(x[2]))


class Sequencer:
    """Plans and flies the legs of the current phase; see the module doc."""

    def __init__(self, plan: Plan, core: GuidanceCore, lead_s: float = 300.0,
                 translate_max_dv: float = 0.0, ranging_reach_m: float = 0.0,
                 ephem: EphemConfig | None = None) -> None:
        self.plan = plan
        self.core = core
        #: the on-board orbit model of the far-range phasing (core.phasing_plan)
        self.ephem = ephem if ephem is not None else EphemConfig()
        self.lead_s = lead_s
        #: the relative-navigation sensor's ranging reach (chaser.sensors.
        #: relnav_range_max_m; DEFER_WINDOW_S; 0: corrections never wait)
        self.ranging_reach_m = ranging_reach_m
        #: the largest burn the propulsion makes without slewing (the camera
        #: kept on the target; chaser.rcs.translate_max_dv_mps; 0: no limit)
        self.translate_max_dv = translate_max_dv
        self.legs: list[Leg] = []
        self.phase = ""
        #: the next step decides whether PHASING begins with a drift (range)
        self.drift_check = False
        self._burn_id = 0
        self.pending: BurnOrder | None = None
        self.hold_point_m = plan.hold_near_m
        self.far_m = plan.hold_far_m
        self.cam_count = 0
        #: no new burn before this time (back-off after a failed burn)
        self.wait_until = -math.inf
        #: the navigation's target state, sun and uncertainty (set_context)
        self.ctx: tuple | None = None
        #: the missed-burn screen's verdicts: (purpose, d_ca, d_k) of every burn
        self.screens: list[tuple[str, float, float]] = []
        p = plan
        self.drift_model = DriftModel(
            horizon=p.screen_horizon_s, step=p.screen_step_s,
            bc_target=p.screen_bc_target_kgm2, bc_chaser=p.screen_bc_chaser_kgm2,
            rho0=p.screen_rho0_kgm3, h0=p.screen_h0_m, scale_h=p.screen_scale_height_m,
            k_sigma=p.screen_k_sigma)

    # ------------------------------------------------------------------ views
    @property
    def leg_name(self) -> str:
        """Name of the current leg ("" when none)."""
        return self.legs[0].name if self.legs else ""

    @property
    def avoiding(self) -> bool:
        """An avoidance burn is ordered and not yet reported done."""
        return self.pending is not None and self.pending.purpose.startswith("collision")

    def far_point(self) -> Vec3:
        """The far hold point (Hill, m)."""
        return (0.0, -self.far_m, 0.0)

    # ------------------------------------------------------------------ plan
    def start_phase(self, phase: str, t: float) -> None:
        """Load the legs of ``phase`` (PHASING, RENDEZVOUS, PROX_OPS, DEPARTURE)."""
        p = self.plan
        self.phase = phase
        self.pending = None
        self.drift_check = False
        far = self.far_point()
        near = (0.0, -self.hold_point_m, 0.0)
        ell = p.inspection_radial_m > 0
        if phase == "PHASING":
            # far away (seen at the first step) a drift to the aim comes first
            self.drift_check = True
            self.legs = [
                Leg("transfer", "to far hold", far, duration=p.phasing_transfer_s, optimize=True,
                    ellipse=ell, centre=-self.far_m)
            ]
        elif phase == "RENDEZVOUS":
            self.legs = [
                # on a safety ellipse about the far hold point the hold is a coast
                Leg("wait" if ell else "hold", "far hold", far, duration=p.hold_duration_s),
                Leg("transfer", "to near hold", near, duration=p.near_transfer_s, screened=ell,
                    ellipse=ell, centre=-self.hold_point_m, postponed=True),
                # on a safety ellipse about the hold point the hold is a coast
                Leg("wait" if ell else "hold", "near hold", near, duration=p.hold_duration_s),
                Leg("transfer", "to inspection", (0.0, -p.inspection_radius_m, 0.0),
                    duration=p.transfer_s, screened=ell, ellipse=ell),
            ]
        elif phase == "PROX_OPS":
            self.legs = [Leg("inspect", "inspection", duration=0.0)]
        elif phase == "DEPARTURE":
            if p.inspection_radial_m > 0:
                self.legs = [Leg("depart", "departure")]
            else:
                self.legs = [Leg("transfer", "departure", (0.0, -p.departure_range_m, 0.0),
                                 duration=p.transfer_s, arrive_burn=False)]
        else:
            self.legs = []

    def clear(self) -> None:
        """Drop the plan (SAFE): no leg, nothing new ordered."""
        self.legs = []
        self.drift_check = False

    def set_hold_point(self, along_m: float) -> None:
        """Move the near hold point (ground order); applies to legs not begun."""
        self.hold_point_m = abs(along_m)
        for leg in self.legs:
            if leg.t_start is None and leg.name in ("to near hold", "near hold"):
                leg.rho_f = (0.0, -self.hold_point_m, 0.0)
                leg.centre = -self.hold_point_m

    def retry(self, phase: str) -> None:
        """The next phase's gate said no-go at the end of ``phase``: PHASING
        re-targets the far hold point (a correction transfer), the others wait
        a minute (pointing at the target) and ask again."""
        if phase == "PHASING":
            self.legs = [Leg("transfer", "correction to far hold", self.far_point(),
                             duration=self.plan.transfer_s / 2,
                             ellipse=self.plan.inspection_radial_m > 0, centre=-self.far_m)]
        else:
            self.legs = [Leg("wait", "gate wait", duration=60.0, timed=True)]

    # ------------------------------------------------------------------ burns
    def _order(self, t_exec: float, dv, purpose: str) -> BurnOrder:
        self._burn_id += 1
        order = BurnOrder(self._burn_id, t_exec, _v(dv), purpose)
        self.pending = order
        return order

    def burn_done(self, burn_id: int) -> None:
        """The propulsion task reports burn ``burn_id`` finished (or failed),
        or it could not be ordered."""
        if self.pending is not None and burn_id >= self.pending.id:
            self.pending = None

    def burn_failed(self, t: float) -> None:
        """A burn did not complete: back off, then restart the current leg
        (a transfer from its first burn) from the estimate."""
        self.wait_until = t + REPLAN_BACKOFF_S
        if self.legs:
            leg = self.legs[0]
            if leg.kind == "transfer":
                leg.stage, leg.t_start = 0, None

    # ------------------------------------------------------------------ tick
    def step(self, t: float, x: State, n: float) -> Step:
        """One tick with the current relative-state estimate ``x`` (Hill)."""
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
        if self.drift_check:
            self.drift_check = False
            if self.phase == "PHASING" and norm(x[:3]) > self.plan.phasing_cw_range_m:
                self.legs.insert(0, Leg("drift", "phasing drift",
                                        duration=self.plan.phasing_drift_s))
        leg = self.legs[0]
        if leg.t_start is None:
            leg.t_start = t
            out.events.append(f"leg start: {leg.name}")
        if leg.kind == "hold":
            self._hold(leg, t, x, out)
        elif leg.kind == "transfer":
            self._transfer_at_range(leg, t, x, n, out)
        elif leg.kind == "depart":
            self._depart(leg, t, x, n, out)
        elif leg.kind == "drift":
            self._drift(leg, t, x, n, out)
        elif leg.kind == "wait":
            out.pointing = "target"
            if leg.stage == 0:
                leg.stage = 1
                self._hold_screen(leg, t, x, n, out)
            elif leg.t_burn is not None and t >= leg.t_burn - self._small_lead:
                self._drift_arrest(leg, t, x, n, out)
            if leg.t_burn is None and out.burn is None and t - leg.t_start >= leg.duration:
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
                self._nmc_correction(t, x, n, out, end)
        if not self.legs and self.pending is None:
            out.phase_done = True
        if self.phase == "PROX_OPS" or (self.legs and self.legs[0].kind == "inspect"):
            out.pointing = "target"
        return out

    # ------------------------------------------------------------------ drift
    def _inertial(self, x: State) -> tuple | None:
        """(t_nav, r_c, v_c, r_t, v_t): the chaser's and the target's GCRF
        states of the navigation's context (None without one)."""
        if self.ctx is None:
            return None
        t_nav, r_t, v_t = self.ctx[0], self.ctx[1], self.ctx[2]
        r_c, v_c = inertial_from_hill(r_t, v_t, x)
        return t_nav, _v(r_c), _v(v_c), _v(r_t), _v(v_t)

    def _drift_plan(self, x: State, t_first: float, t_arrive: float) -> PhasingPlan:
        t_nav, r_c, v_c, r_t, v_t = self._inertial(x)
        radial, along = self.plan.phasing_aim_hill_m
        return self.core.phasing_plan(self.ephem, r_c, v_c, r_t, v_t, t_nav,
                                      max(t_first, t_nav), t_arrive, -along, -radial,
                                      self.plan.phasing_max_delta_a_m)

    def _drift(self, leg: Leg, t: float, x: State, n: float, out: Step) -> None:
        """Far-range phasing (module doc): four tangential burns of the plan,
        the second pair's made again from the estimate then (its measured
        rate to the aim's); the leg ends at the arrival. The chaser faces the
        sun (its power) until the last orbit or the relative guidance's reach
        (plan.phasing_cw_range_m), where the camera looks for the target: the
        angles-only filter is a CW (rectilinear) one, and started from first
        detection at 275-290 km it left truth outside its 3 sigma in 8 of 10
        runs (campaign far10: NEES 13.3, worst run 54.6 % inside)."""
        lead = self.lead_s
        period = 2.0 * math.pi / n
        look = norm(x[:3]) < self.plan.phasing_cw_range_m \
            or (leg.t_arrive is not None and leg.t_arrive - t < period)
        out.pointing = "inertial" if look else "sun"
        if self.ctx is None:
            return
        if leg.stage == 0:
            try:
                pl = self._drift_plan(x, t + lead, leg.t_start + leg.duration)
            except GncError as exc:
                self.legs.pop(0)
                out.events.append(f"phasing drift not planned: {exc}"[:96])
                return
            leg.burns = list(zip(pl.t_burn, pl.dv, strict=True))
            leg.t_arrive = pl.t_burn[3]
            out.events.append(
                f"phasing drift: {pl.phase * norm(self.ctx[1]) / 1e3:.0f} km behind, "
                f"da {pl.delta_a / 1e3:+.2f} km, {pl.dv_total:.2f} m/s, "
                f"arrival in {(pl.t_burn[3] - t) / 3600:.1f} h")
        elif leg.stage >= len(leg.burns):
            if t >= leg.t_arrive:
                self.legs.pop(0)
                out.events.append(f"phasing drift: arrived, range {norm(x[:3]) / 1e3:.1f} km")
            return
        t_b, dv = leg.burns[leg.stage]
        if t < t_b - lead:
            return
        if leg.stage == 2:
            # the second pair from the estimate now: the measured rate to the aim's
            try:
                # (only the rates are used: an arrival a period and a half on,
                # the period grown by the first pair's semi-major axis)
                pl = self._drift_plan(x, t_b, t_b + 3.0 * (leg.t_arrive - t_b))
            except GncError as exc:
                out.events.append(f"phasing drift: second pair as planned ({exc})"[:96])
            else:
                a = norm(self.ctx[1])
                dv = 0.5 * a * (pl.aim_rate - pl.phase_rate) / 3.0
                leg.burns[3] = (leg.burns[3][0], dv)
        # the chaser's along-track direction in the target's Hill axes (the
        # phase angle moves by a few 1e-5 rad in the lead: metres of the burn)
        _, r_c, _, r_t, v_t = self._inertial(x)
        h = cross(r_t, v_t)
        y, xx = dot(cross(r_c, r_t), h) / norm(h), dot(r_c, r_t)
        rr = math.sqrt(y * y + xx * xx)
        s_phi, c_phi = y / rr, xx / rr
        leg.stage += 1
        out.burn = self._order(max(t_b, t + 1.0), (dv * s_phi, dv * c_phi, 0.0),
                               f"phasing drift: burn {leg.stage} of 4")

    def _coast(self, x: State, n: float, dt: float) -> State:
        return self.core.cw_propagate(n, x, dt)

    def _hold(self, leg: Leg, t: float, x: State, out: Step) -> None:
        rho = x[:3]
        out.pointing = "target" if norm(rho) < self.plan.hold_far_m * 1.5 else "inertial"
        if t - leg.t_start < leg.duration:
            return
        err = dist(rho, leg.rho_f)
        if err <= self.plan.hold_tolerance_m:
            self.legs.pop(0)
            out.events.append(f"{leg.name} complete, {err:.0f} m from the hold point")
            return
        out.events.append(f"{leg.name}: {err:.0f} m off, re-targeting")
        self.legs.insert(0, Leg("transfer", f"correction to {leg.name}", leg.rho_f,
                                duration=self.plan.transfer_s / 2))
        leg.t_start = None

    def at_far_hold(self, x: State, n: float, tolerances: float = 1.0) -> bool:
        """``x`` holds at the far hold point, within ``tolerances`` hold
        tolerances: at the point itself, or, when the plan flies safety
        ellipses (``inspection_radial_m`` > 0), on a drift-free relative orbit
        centred there whose radial and cross-track amplitudes both keep the
        keep-out radius (the centre of CW motion: radial 4x + 2vy/n, along-track
        y - 2vx/n; amplitudes sqrt((x - x_c)^2 + (vx/n)^2), sqrt(z^2 + (vz/n)^2))."""
        p = self.plan
        tol = tolerances * p.hold_tolerance_m
        if p.inspection_radial_m <= 0:
            return dist(x[:3], self.far_point()) <= tol
        xc = 4.0 * x[0] + 2.0 * x[4] / n
        yc = x[1] - 2.0 * x[3] / n
        a_r = math.sqrt((x[0] - xc) ** 2 + (x[3] / n) ** 2)
        a_c = math.sqrt(x[2] ** 2 + (x[5] / n) ** 2)
        return (math.sqrt(xc * xc + (yc + self.far_m) ** 2) <= tol
                and min(a_r, a_c) >= p.keep_out_m)

    def _transfer_at_range(self, leg: Leg, t: float, x: State, n: float, out: Step) -> None:
        """A transfer's step, planned in curvilinear coordinates about the
        target's orbit radius (the navigation's context) beyond
        CURVILINEAR_MIN_M, its burn turned back into Hill axes at the burn's
        predicted position; in Hill coordinates inside it (or without a
        context)."""
        R = norm(self.ctx[1]) if self.ctx is not None else 0.0
        if not (norm(x[:3]) > CURVILINEAR_MIN_M and R > 0.0):
            self._transfer(leg, t, x, n, out)
            return
        try:
            xc = self.core.curvilinear_from_hill(R, x)
        except GncError:
            self._transfer(leg, t, x, n, out)
            return
        self._transfer(leg, t, xc, n, out)
        b = out.burn
        if b is not None:
            xb = self._coast(xc, n, b.t_exec - t)
            try:
                dv = self.core.curvilinear_dv_to_hill(R, xb[:3], b.dv_hill)
            except GncError:
                return  # (a position at the Earth's centre: the order as planned)
            out.burn = self.pending = replace(b, dv_hill=_v(dv))

    def _transfer(self, leg: Leg, t: float, x: State, n: float, out: Step) -> None:
        lead = self.lead_s
        if leg.stage == 0 and leg.ellipse and not leg.screened:
            # the far hold's safety ellipse (the inspection's amplitudes) at
            # the default phase: radial and cross-track separated from the
            # target whatever the along-track drift if a later burn is missed
            xe = self.core.safety_ellipse(n, self.plan.inspection_radial_m,
                                          self.plan.inspection_cross_m, leg.centre, math.pi / 2)
            leg.rho_f, leg.v_f = _v(xe[:3]), _v(xe[3:])
            if leg.optimize and self.at_far_hold(x, n, 0.5):
                self.legs.pop(0)
                out.events.append(f"{leg.name}: already there")
                return
        elif leg.stage == 0 and leg.optimize \
                and dist(x[:3], leg.rho_f) < self.plan.hold_tolerance_m / 2:
            self.legs.pop(0)
            out.events.append(f"{leg.name}: already there")
            return
        if leg.stage == 0:
            t_exec = t + lead
            x1 = self._coast(x, n, lead)
            tof = leg.duration
            if leg.optimize:
                try:
                    tof, _, _ = self.core.cw_best_transfer(
                        n, x1, leg.rho_f, leg.v_f, 2 * lead, leg.duration, TOF_STEP_S,
                        PLAN_SAFETY * self.plan.keep_out_m)
                except GncError:
                    tof = leg.duration  # no safe time on the grid: the longest
                out.events.append(f"{leg.name}: transfer time {tof:.0f} s chosen")
                tof = self._screen_optimized(leg, x1, n, tof, out)
                if out.events and "NO SAFE TIME" in out.events[-1] and self.ctx is not None \
                        and self.ctx[4] > 2 * self.plan.keep_out_m:
                    t0 = getattr(leg, "t_try", None) or t
                    leg.t_try = t0
                    if t - t0 < 3600.0:
                        self.wait_until = t + 120.0
                        leg.t_start = None
                        out.events.append(f"{leg.name}: first burn waits for the navigation "
                                          f"({self.ctx[4]:.0f} m)")
                        return
            if leg.screened:
                tof, delay = self._screened_tof(leg, t, x, n, out)
                if delay > 0:
                    # wait for the light on the passively safe ellipse, then plan again
                    leg.postponed = True
                    self.wait_until = t + delay
                    leg.t_start = None
                    out.events.append(f"{leg.name}: postponed {delay:.0f} s for the light")
                    return
            leg.t_arrive = t_exec + tof
            # mid-course corrections at these fractions of the transfer, while
            # they leave time for a slew before the arrival burn
            leg.checkpoints = [t_exec + f * tof for f in CORRECTIONS
                               if (1 - f) * tof > 2 * lead + 60]
            v_dep, _, _ = self.core.cw_transfer(n, x1, leg.rho_f, tof)
            leg.stage = 1
            leg.sigma_planned = self._nav_sigmas()
            out.burn = self._order(t_exec, sub(v_dep, x1[3:]), f"{leg.name}: first burn")
            out.pointing = "burn"
            return
        due = leg.stage == 1 and bool(leg.checkpoints) and t >= leg.checkpoints[0] - lead
        if due:
            leg.checkpoints.pop(0)
            if self._crossing_reach(x, n, lead):
                due = False
                out.events.append(f"{leg.name}: correction deferred: the range crosses the "
                                  f"ranging reach ({self.ranging_reach_m:.0f} m) within its slew")
        retarget = False
        if not due and (leg.stage == 1 and self._nav_improved(leg, t, lead)
                        and not self._crossing_reach(x, n, lead)):
            due = retarget = True
            old, now = leg.sigma_planned, self._nav_sigmas()
            out.events.append(f"{leg.name}: navigation {old[0]:.0f} m {old[1]:.3f} m/s -> "
                              f"{now[0]:.0f} m {now[1]:.3f} m/s (1-sigma): correction")
        if due:
            leg.sigma_planned = self._nav_sigmas()
            t_exec = t + lead
            x1 = self._coast(x, n, lead)
            old_arrive, old_checks = leg.t_arrive, list(leg.checkpoints)
            if leg.optimize:
                self._rechoose_arrival(leg, t_exec, x1, n, retarget, out)
            v_dep, _, _ = self.core.cw_transfer(n, x1, leg.rho_f, leg.t_arrive - t_exec)
            dv = sub(v_dep, x1[3:])
            if norm(dv) >= MIN_DV and self._correction_screens(leg, x1, dv, out):
                out.burn = self._order(t_exec, dv, f"{leg.name}: correction")
                out.pointing = "burn"
                return
            leg.t_arrive, leg.checkpoints = old_arrive, old_checks
        if leg.stage == 1 and t >= leg.t_arrive - lead:
            leg.stage = 4
            if not leg.arrive_burn:
                self.legs.pop(0)
                out.events.append(f"{leg.name}: coasting away")
                return
            t_exec = max(leg.t_arrive, t + 1.0)
            x1 = self._coast(x, n, t_exec - t)
            v_des = leg.v_f
            if leg.ellipse and leg.centre != 0.0:
                v_des = self._ellipse_through(x1, n, leg)  # a hold's ellipse
            if leg.name == "to inspection" and not leg.ellipse:
                v_des = self.core.nmc_state(n, self.plan.inspection_radius_m, math.pi / 2)[3:]
            out.burn = self._order(t_exec, sub(v_des, x1[3:]), f"{leg.name}: arrival burn")
            out.pointing = "burn"
            return
        if leg.stage == 4:
            self.legs.pop(0)
            out.events.append(f"{leg.name}: arrived, {dist(x[:3], leg.rho_f):.0f} m off")
            out.arrivals.append((leg.name, leg.rho_f, _v(x[:3])))

    def _rechoose_arrival(self, leg: Leg, t_exec: float, x1: State, n: float,
                          retarget: bool, out: Step) -> None:
        """A correction of a least-delta-v transfer chooses the rest of its time
        again (least delta-v, as the first burn did) instead of keeping the
        arrival planned on an older estimate. The re-target at the handover
        always does (campaign x1, delta-v p95 7.04 -> 6.67 m/s on the same
        100 seeds); a scheduled correction does when that costs less in all
        (first and arrival burns) than keeping the arrival time (campaign
        d4, seed 3373282830: the angles-only estimate moved the target 5 km
        along-track, and a correction at the planned arrival cost 2.93 m/s).
        The caller restores the old arrival when the screen refuses it."""
        try:
            tof, d1, d2 = self.core.cw_best_transfer(
                n, x1, leg.rho_f, leg.v_f, 2 * self.lead_s,
                max(leg.duration - (t_exec - leg.t_start if leg.t_start else 0.0),
                    leg.t_arrive - t_exec),
                TOF_STEP_S, PLAN_SAFETY * self.plan.keep_out_m)
        except GncError:
            return
        if not retarget:
            try:
                v_dep, v_arr, _ = self.core.cw_transfer(n, x1, leg.rho_f, leg.t_arrive - t_exec)
            except GncError:
                v_dep = None
            if v_dep is not None:
                saving = norm(sub(v_dep, x1[3:])) + norm(sub(leg.v_f, v_arr)) \
                    - norm(d1) - norm(d2)
                if saving < RECHOOSE_MIN_SAVING_MPS:
                    return
                out.events.append(f"{leg.name}: arrival in {tof:.0f} s, not "
                                  f"{leg.t_arrive - t_exec:.0f} s: {saving:.2f} m/s less")
        leg.t_arrive = t_exec + tof
        leg.checkpoints = [t_exec + f * tof for f in CORRECTIONS
                           if (1 - f) * tof > 2 * self.lead_s + 60]

    def _depart(self, leg: Leg, t: float, x: State, n: float, out: Step) -> None:
        """A drifting departure that keeps the chaser passively safe: when it is
        highest above the target on its ellipse (the largest radial coordinate
        x_max over the next orbit, CW prediction every DEPART_GRID_S), a
        tangential burn dv raises the centre of the in-plane motion to
        x_c = 2 dv/n and leaves x = x_c + (x_max - x_c) cos(n t): with
        x_c >= x_max the chaser stays at least x_max above the target's orbit
        whatever the along-track drift, which takes it behind at 3 pi x_c an
        orbit (dv = max(departure_range_m n / 6 pi, x_max n / 2): at least
        ``departure_range_m`` an orbit); the leg ends half an orbit after the
        burn."""
        out.pointing = "target"
        if leg.stage == 0:
            lead = self.lead_s
            period = 2 * math.pi / n
            best_t, best_x = t + lead, -math.inf
            k = 0
            while k * DEPART_GRID_S <= period:
                dt = lead + k * DEPART_GRID_S
                xr = self._coast(x, n, dt)[0]
                if xr > best_x:
                    best_t, best_x = t + dt, xr
                k += 1
            leg.t_arrive = best_t
            leg.rho_f = (best_x, 0.0, 0.0)
            leg.stage = 1
            out.events.append(f"departure: burn in {best_t - t:.0f} s, {best_x:.0f} m above")
            return
        if leg.stage == 1 and t >= leg.t_arrive - self.lead_s:
            t_exec = max(leg.t_arrive, t + 1.0)
            x1 = self._coast(x, n, t_exec - t)
            dv_y = max(self.plan.departure_range_m * n / (6 * math.pi), leg.rho_f[0] * n / 2)
            post = (*x1[:3], x1[3], x1[4] + dv_y, x1[5])
            scr = self.screen(post, (0.0, dv_y, 0.0))
            if scr is not None:
                self.screens.append((leg.name, scr[1], 0.0))
                out.events.append(f"departure: screen {scr[1]:.0f} m at k sigma")
            leg.stage = 2
            leg.t_arrive = t_exec + math.pi / n
            out.burn = self._order(t_exec, (0.0, dv_y, 0.0), "departure: drift burn")
            out.pointing = "burn"
            return
        if leg.stage == 2 and t >= leg.t_arrive:
            # half an orbit of drift after the burn: departed
            self.legs.pop(0)
            out.events.append(f"{leg.name}: drifting away, {norm(x[:3]):.0f} m")

    def _nmc_correction(self, t: float, x: State, n: float, out: Step, end: float) -> None:
        """Keep the circumnavigation: at the burn time, the velocity of the
        drift-free constant-range circle through the predicted position
        (:meth:`GuidanceCore.nmc_velocity`). On the safety ellipse the
        correction is skipped while the centre of the CW motion (radial
        x_c = 4x + 2vy/n, along-track y_c = y - 2vx/n, drifting -1.5 n x_c),
        predicted to the inspection's ``end``, stays within
        ``plan.inspection_drift_tol_m`` of the target along-track; when made,
        it is the screened choice of :meth:`_ellipse_correction`."""
        lead = self._small_lead
        x1 = self._coast(x, n, lead)
        if self.plan.inspection_radial_m > 0:
            xc = 4.0 * x1[0] + 2.0 * x1[4] / n
            yc_end = x1[1] - 2.0 * x1[3] / n - 1.5 * n * xc * max(0.0, end - t - lead)
            if abs(yc_end) <= self.plan.inspection_drift_tol_m:
                out.events.append(f"inspection: no correction, centre {yc_end:.0f} m "
                                  "along-track at the end")
                return
            dv = self._ellipse_correction(x1, n, out)
            dv = self._within_translation(x1, dv, out)
        else:
            dv = sub(self.core.nmc_velocity(n, x1[:3]), x1[3:])
        if norm(dv) >= MIN_DV:
            out.burn = self._order(t + lead, dv, "inspection: circle correction")
            out.pointing = "burn"

    def _within_translation(self, x1: State, dv: Vec3, out: Step) -> Vec3:
        """An inspection correction above the translation limit would slew
        the camera off the target for minutes (the x thrusters): it is cut
        to TRANSLATE_FRACTION of the limit along its direction (the next
        correction time takes the rest), unless the cut one screens worse
        than no burn at all (then no burn: the safety ellipse coasts)."""
        cap = TRANSLATE_FRACTION * self.translate_max_dv
        mag = norm(dv)
        if cap <= 0.0 or mag <= cap:
            return dv
        cut = (dv[0] * cap / mag, dv[1] * cap / mag, dv[2] * cap / mag)
        after, before = self._screen_after(x1, cut), self.screen(x1)
        if after is not None and before is not None and after < before[1]:
            out.events.append(f"inspection: correction {mag:.3f} m/s above the translation "
                              f"limit; cut to {cap:.3f} m/s it screens {after:.0f} m, worse "
                              "than coasting: none")
            return _Z3
        out.events.append(f"inspection: correction {mag:.3f} m/s cut to {cap:.3f} m/s, "
                          "made in translation (the camera kept on the target)")
        return cut

    @property
    def _small_lead(self) -> float:
        """Lead time of a small burn on a safety ellipse or a hold [s]."""
        return min(self.lead_s, SMALL_BURN_LEAD_S)

    def _ellipse_through(self, x1: State, n: float, leg: Leg) -> Vec3:
        """The arrival velocity onto ``leg``'s safety ellipse from where the
        chaser is (``x1``), not where it was planned to be: drift-free (the
        CW centre's radial offset zero, vy = -2 n x), centred ``leg.centre``
        along-track (vx = n (y - centre) / 2) and with the plan's cross-track
        amplitude B (vz = n sqrt(B^2 - z^2), the sign of the planned vz; 0
        beyond B). At the planned point it is the planned velocity. Matching
        the planned velocity off the point instead keeps a centre offset of
        about 4 x the radial miss, which walks the ellipse along-track onto the
        target: a far hold reached 85 m off before the camera's track drifted
        at 0.6 m/s, and no drift arrest could keep its missed-burn drift out of
        the keep-out (issue #16)."""
        b = self.plan.inspection_cross_m
        vz2 = b * b - x1[2] * x1[2]
        vz = math.copysign(n * math.sqrt(vz2), leg.v_f[2]) if vz2 > 0 else 0.0
        return (0.5 * n * (x1[1] - leg.centre), -2.0 * n * x1[0], vz)

    @staticmethod
    def _arrest(x1: State, n: float) -> Vec3:
        """The Δv that removes the CW drift at ``x1`` (vy = -2 n x: the
        centre's radial offset x_c to zero), nothing else changed."""
        return (0.0, -2.0 * n * x1[0] - x1[4], 0.0)

    def _crossing_reach(self, x: State, n: float, lead: float) -> bool:
        """Whether the coast from ``x`` comes inside the ranging reach within
        ``lead`` + DEFER_WINDOW_S from outside it. Outside means: by more
        than three navigation sigmas (RSS) inside it or not at all, since an
        angles-only estimate can be a few per cent of the range short
        (campaign f3, seed 2067925853: an estimate inside at 5.1 km true
        range made its correction, and the camera was away as the range came
        in: the handover at 4.2 km)."""
        reach = self.ranging_reach_m
        if not reach > 0.0:
            return False
        sig = self._nav_sigmas()
        margin = 3.0 * sig[0] if sig is not None else 0.0
        if norm(x[:3]) <= reach - margin:
            return False
        return norm(self._coast(x, n, lead + DEFER_WINDOW_S)[:3]) <= reach

    def _nav_sigmas(self) -> tuple[float, float] | None:
        """The navigation's RSS position and velocity sigmas (set_context)."""
        return None if self.ctx is None else (self.ctx[4], self.ctx[5])

    def _nav_improved(self, leg: Leg, t: float, lead: float) -> bool:
        """Whether the navigation knows the relative state much better than
        when the transfer's last burn was planned (RETARGET_FACTOR on both
        sigmas, the old position sigma a third of the hold tolerance or
        more), with time for a correction's slew before the arrival burn."""
        now, then = self._nav_sigmas(), leg.sigma_planned
        if now is None or then is None or leg.t_arrive is None:
            return False
        return (3.0 * then[0] > self.plan.hold_tolerance_m
                and now[0] < RETARGET_FACTOR * then[0] and now[1] < RETARGET_FACTOR * then[1]
                and leg.t_arrive - (t + lead) > lead + 60)

    def _correction_screens(self, leg: Leg, x1: State, dv: Vec3, out: Step) -> bool:
        """Whether a transfer's mid-course correction ``dv`` at ``x1`` may be
        made: its coast, if the arrival burn is then missed, must stay out of
        the keep-out at k sigma, or screen no worse than the coast without it
        (issue #16: the first burn's coast was screened, the correction's was
        not; a 0.021 m/s correction took a missed arrival from 225 m to
        171 m). A refused correction is evented; the arrival burn is then
        planned from where the chaser is."""
        after, before = self._screen_after(x1, dv), self.screen(x1)
        if after is None or before is None or after >= self.plan.keep_out_m or after >= before[1]:
            return True
        out.events.append(f"{leg.name}: correction {norm(dv):.3f} m/s not made: a missed "
                          f"arrival would screen {after:.0f} m, {before[1]:.0f} m without it")
        return False

    def _screen_after(self, x1: State, dv: Vec3) -> float | None:
        """The screen's k-sigma distance of ``x1`` with ``dv`` applied (None
        without a navigation context)."""
        res = self.screen((x1[0], x1[1], x1[2], x1[3] + dv[0], x1[4] + dv[1], x1[5] + dv[2]),
                          dv)
        return None if res is None else res[1]

    def _hold_screen(self, leg: Leg, t: float, x: State, n: float, out: Step) -> None:
        """A hold on a safety ellipse is a coast, so it must itself be safe if
        the next burn is missed: its 24 h free drift is screened when it
        starts. Short of ``CORRECTION_MARGIN`` keep-out radii at k sigma, a
        drift-arrest burn (vy = -2 n x: the CW centre's radial offset x_c,
        which walks the ellipse along-track and shifts its radial oscillation
        towards the target on one side, removed) is ordered at the next time
        the radial oscillation about x_c crosses its middle, where removing
        x_c leaves its amplitude whole, or at once if that screens better
        (the drift goes on until the middle; always at once for a ``timed``
        wait, before an inspection timed for the light); kept if it screens
        better than no burn."""
        if self.plan.inspection_radial_m <= 0:
            return
        now = self.screen(x)
        need = CORRECTION_MARGIN * self.plan.keep_out_m
        if now is None or now[1] >= need:
            if now is not None:
                out.events.append(f"{leg.name}: screen clear {now[1]:.0f} m")
            return
        lead = self._small_lead
        xc = 4.0 * x[0] + 2.0 * x[4] / n
        # the middle keeps the amplitude, but the drift goes on until then:
        # arresting at once is screened too, the middle kept when it passes
        best = None
        when = (lead,) if leg.timed else (self._middle_crossing(x, n, xc, lead), lead)
        for dt in when:
            x1 = self._coast(x, n, dt)
            dv = self._arrest(x1, n)
            d_k = self._screen_after(x1, dv)
            if d_k is None or abs(dv[1]) < MIN_DV:
                continue
            if best is None or (best[0] < need and d_k > best[0]):
                best = (d_k, dt)
        if best is None or best[0] <= now[1]:
            out.events.append(f"{leg.name}: screen {now[1]:.0f} m, no better drift arrest")
            return
        after, dt = best
        out.events.append(f"{leg.name}: screen {now[1]:.0f} m, drift arrest in {dt:.0f} s "
                          f"(screen {after:.0f} m)")
        leg.t_burn = t + dt
        if dt <= lead:
            self._drift_arrest(leg, t, x, n, out)

    def _screen_optimized(self, leg: Leg, x1: State, n: float, tof: float, out: Step) -> float:
        """The missed-burn screen of a least-Δv transfer (``leg.optimize``):
        its coast after the first burn, should the corrections and the
        arrival burn be missed, drifts a day. Kept when it stays
        ``keep_out_m`` away at k sigma (or without a navigation context);
        otherwise the time of SCREEN_TOF_FACTORS x ``tof`` whose coast stays
        farthest (the first clear one) among those whose first burn costs at
        most SCREEN_DV_FACTOR times ``tof``'s, with an event."""
        def margin(tof_s: float, dv_max: float) -> tuple[float | None, float]:
            """(the screen's distance, None when not screened; the first
            burn's size) of the transfer of time tof_s, not screened when
            that burn is above dv_max or there is no transfer."""
            try:
                v_dep, _, _ = self.core.cw_transfer(n, x1, leg.rho_f, tof_s)
            except GncError:
                return None, math.inf
            dv = sub(v_dep, x1[3:])
            size = norm(dv)
            if size > dv_max:
                return None, size
            res = self.screen((x1[0], x1[1], x1[2], v_dep[0], v_dep[1], v_dep[2]), dv)
            return (None if res is None else res[1]), size

        first, size = margin(tof, math.inf)
        dv_max = SCREEN_DV_FACTOR * size
        if first is None or first >= self.plan.keep_out_m:
            return tof
        best = (first, tof)
        for f in SCREEN_TOF_FACTORS[1:]:
            m, _ = margin(f * tof, dv_max)
            if m is not None and m > best[0]:
                best = (m, f * tof)
                if m >= self.plan.keep_out_m:
                    break
        verdict = "clear" if best[0] >= self.plan.keep_out_m else "NO SAFE TIME, best"
        out.events.append(f"{leg.name}: coast screened {first:.0f} m at {tof:.0f} s; "
                          f"{verdict} {best[0]:.0f} m at {best[1]:.0f} s")
        return best[1]

    def _middle_crossing(self, x: State, n: float, xc: float, t0: float) -> float:
        """The first time from ``t0`` (s from now) at which the CW radial
        oscillation of ``x`` about its centre ``xc`` crosses the middle (it
        does twice an orbit): stepped on the core's CW propagation, then
        bisected to a millisecond."""
        def f(dt: float) -> float:
            return self._coast(x, n, dt)[0] - xc

        lo, f_lo = t0, f(t0)
        end = t0 + math.pi / n + CROSSING_STEP_S
        while f_lo != 0.0 and lo < end:
            hi = lo + CROSSING_STEP_S
            f_hi = f(hi)
            if (f_lo < 0.0) != (f_hi < 0.0):
                while hi - lo > 1e-3:
                    mid = 0.5 * (lo + hi)
                    f_mid = f(mid)
                    if (f_lo < 0.0) != (f_mid < 0.0):
                        hi = mid
                    else:
                        lo, f_lo = mid, f_mid
                return hi
            lo, f_lo = hi, f_hi
        return lo

    def _drift_arrest(self, leg: Leg, t: float, x: State, n: float, out: Step) -> None:
        """Order the drift arrest planned for ``leg.t_burn`` (vy = -2 n x
        there, from the estimate now)."""
        t_b, leg.t_burn = leg.t_burn, None
        dv = self._arrest(self._coast(x, n, max(0.0, t_b - t)), n)
        if abs(dv[1]) >= MIN_DV:
            out.burn = self._order(max(t_b, t), dv, f"{leg.name}: drift arrest")
            out.pointing = "burn"

    def _ellipse_correction(self, x1: State, n: float, out: Step) -> Vec3:
        """The Δv (Hill) of a correction on the safety ellipse at the state
        ``x1``, the better of two, judged by the missed-burn screen:

        - re-centre: the in-plane drift removed and the ellipse centred on the
          target (vx = n y/2, vy = -2 n x), the cross-track motion kept;
        - arrest: only the drift removed (vy = -2 n x), the radial
          oscillation's amplitude and phase (so the e/i separation) kept where
          it is, the centre left where it has come to.

        Re-centring moves the radial oscillation's phase against the
        cross-track one and can shrink the radial/cross-track separation, so it
        is taken only when its 24 h free drift keeps the k-sigma ellipsoid
        ``CORRECTION_MARGIN`` keep-out radii from the target; otherwise the
        candidate of the larger screened distance. No navigation context: re-centre."""
        arrest = self._arrest(x1, n)
        recentre = (n * x1[1] / 2 - x1[3], arrest[1], 0.0)
        verdicts = []
        for name, dv in (("re-centre", recentre), ("arrest", arrest)):
            d_k = self._screen_after(x1, dv)
            if d_k is None:
                return recentre
            verdicts.append((d_k, name, dv))
        need = CORRECTION_MARGIN * self.plan.keep_out_m
        d_k, name, dv = verdicts[0] if verdicts[0][0] >= need else max(verdicts)
        out.events.append(f"inspection: {name}, screen {d_k:.0f} m "
                          f"(re-centre {verdicts[0][0]:.0f}, arrest {verdicts[1][0]:.0f})")
        return dv

    # ------------------------------------------------------------------ screen
    def set_context(self, t_nav: float, r_t: Vec3, v_t: Vec3, sun_N: Vec3,
                    sigma_pos: float, sigma_vel: float) -> None:
        """The navigation's target state (GCRF) at ``t_nav``, the sun direction
        and the RSS 1-sigma uncertainties, for the screen and the light."""
        self.ctx = (t_nav, r_t, v_t, sun_N, sigma_pos, sigma_vel)

    def screen(self, x_post: State, dv: Vec3 | None = None) -> tuple[float, float] | None:
        """The missed-burn screen of a post-burn state: ``(d_ca, d_k)`` of its
        free drift over ``screen_horizon_s`` (nominal closest approach, and the
        distance from the target to the k-sigma position ellipsoid, the
        covariance diagonal from the navigation's RSS sigmas shared equally
        among the axes, plus the execution error of the burn ``dv`` that made
        the state: EXEC_SIGMA_*); None without a navigation context. The
        target's state is the navigation's latest (a burn's lead time earlier:
        the relative motion is what matters)."""
        if self.ctx is None:
            return None
        _, r_t, v_t, _, sp, sv = self.ctx
        vp, vv = sp * sp / 3.0, sv * sv / 3.0
        P = [0.0] * 36
        for i in range(3):
            P[7 * i] = vp
            P[7 * (i + 3)] = vv
        if dv is not None:
            # frac^2 D D' + dir^2 (|D|^2 I - D D'), as the navigation's
            # burns, and the floor
            a, b = EXEC_SIGMA_FRAC * EXEC_SIGMA_FRAC, EXEC_SIGMA_DIR_RAD * EXEC_SIGMA_DIR_RAD
            d2 = dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2]
            for i in range(3):
                for j in range(3):
                    P[6 * (3 + i) + 3 + j] += (a - b) * dv[i] * dv[j] + (
                        b * d2 + EXEC_SIGMA_FLOOR * EXEC_SIGMA_FLOOR if i == j else 0.0)
        try:
            res = self.core.drift_screen(self.drift_model, r_t, v_t, x_post, P)
        except GncError:
            return None
        return res.d_ca, res.d_k

    def _screened_tof(self, leg: Leg, t: float, x: State, n: float, out: Step
                      ) -> tuple[float, float]:
        """``(tof, delay)`` of ``leg`` from the state ``x`` now: the transfer
        starts ``lead_s`` (+ ``delay``) from now, and lasts one of
        SCREEN_TOF_FACTORS x duration. Those whose coast keeps the target out
        of the keep-out at k sigma for a day if the arrival burn is missed, and
        whose arrival state does too, pass the screen. A transfer's first
        passing time is kept; an ``ellipse`` leg (arriving on a safety ellipse
        at the phase chosen from the light) keeps the passing time, and the
        start postponed by ENTRY_DELAYS orbits (once), imaging the most target
        faces, then of the most well-lit inspection time: of those within
        LIGHT_SLACK_STEPS of it, the least Δv (first on ties); a hold's
        ellipse leg (``centre`` off the target) tries HOLD_TOF_FACTORS and
        flies the least Δv that passes. None passing: the one of the largest
        margin, and a warning event."""
        p = self.plan
        if self.ctx is None:
            # no navigation context: no screen, the ellipse's default phase
            if leg.ellipse:
                r_f, v_f, _, _, _ = self._ellipse_entry(t, t + self.lead_s + leg.duration, n,
                                                        leg.centre)
                leg.rho_f, leg.v_f = r_f, v_f
            return leg.duration, 0.0
        period = 2 * math.pi / n
        delays = ENTRY_DELAYS if leg.ellipse and not leg.postponed else (0.0,)
        hold = leg.ellipse and leg.centre != 0.0
        cands: list[tuple[tuple[int, int, float], float, float, float, float, Vec3, Vec3,
                          str]] = []
        for dly in delays:
            delay = dly * period
            t_exec = t + self.lead_s + delay
            x1 = self._coast(x, n, self.lead_s + delay)
            for f in HOLD_TOF_FACTORS if hold else SCREEN_TOF_FACTORS:
                tof = f * leg.duration
                r_f, v_f, note, light, faces = leg.rho_f, leg.v_f, "", 0.0, 0
                if leg.ellipse:
                    r_f, v_f, note, light, faces = self._ellipse_entry(t, t_exec + tof, n,
                                                                       leg.centre)
                try:
                    v_dep, v_arr, _ = self.core.cw_transfer(n, x1, r_f, tof)
                except GncError:
                    continue
                dv = norm(sub(v_dep, x1[3:])) + (norm(sub(v_f, v_arr)) if leg.arrive_burn
                                                 else 0.0)
                coast = self.screen((*x1[:3], *v_dep), sub(v_dep, x1[3:]))
                if coast is None:
                    return leg.duration, 0.0
                margin = coast[1]
                if leg.arrive_burn:
                    arrive = self.screen((*r_f, *v_f))
                    if arrive is not None:
                        margin = min(margin, arrive[1])
                ok = margin >= p.keep_out_m
                # more faces first; a later start must buy a face or clearly
                # more light (5 % of the span)
                key = (1, faces, (0 if hold else round(light * 20)) - dly) if ok \
                    else (0, 0, margin)
                cands.append((key, dv, margin, tof, delay, r_f, v_f, note))
                if ok and not leg.ellipse:
                    break
            if cands and max(c[0] for c in cands)[0] == 1 and not leg.ellipse:
                break
        if not cands:
            return leg.duration, 0.0
        top = max(cands, key=lambda c: c[0])  # the first of the best key
        if top[0][0] == 1:
            near = [c for c in cands if c[0][0] == 1 and c[0][1] == top[0][1]
                    and c[0][2] >= top[0][2] - LIGHT_SLACK_STEPS]
            top = min(near, key=lambda c: c[1])  # the first of the least Δv
        _, _, margin, tof, delay, r_f, v_f, note = top
        if delay > 0:
            return tof, delay
        leg.rho_f, leg.v_f = r_f, v_f
        self.screens.append((leg.name, margin, tof))
        verdict = "clear" if margin >= p.keep_out_m else "NO SAFE TIME, best"
        out.events.append(f"{leg.name}: screen {verdict} {margin:.0f} m, tof {tof:.0f} s{note}")
        return tof, 0.0

    def _ellipse_entry(self, t: float, t_arrive: float, n: float, centre: float
                       ) -> tuple[Vec3, Vec3, str, float, int]:
        """The state at ``t_arrive`` on the safety ellipse (the inspection's
        amplitudes) centred ``centre`` m along-track, its phase chosen from the
        sun over the inspection's span (:meth:`GuidanceCore.inspection_phase`;
        on the inspection's own ellipse, ``centre`` 0, also for the target's
        faces), the event note, the well-lit fraction of that span (good x
        lit) and the faces the phase images (0 off the inspection's ellipse)."""
        p = self.plan
        th0, good, lit, faces = math.pi / 2, 0.0, 0.0, 0
        # the target's faces are planned on the inspection's own ellipse
        # (centred on the target), not on a hold's
        plan = FacePlan(math.radians(p.face_view_deg), math.radians(p.face_sun_deg),
                        p.face_min_s, p.sun_good_min) \
            if centre == 0.0 and p.face_view_deg > 0 else None
        if self.ctx is not None:
            t_nav, r_t, v_t, sun, _, _ = self.ctx
            span = p.inspection_orbits * 2 * math.pi / n
            with contextlib.suppress(GncError):
                th0, good, lit, faces = self.core.inspection_phase(
                    n, p.inspection_radial_m, p.inspection_cross_m, r_t, v_t, t_arrive - t_nav,
                    span, sun, math.radians(p.sun_phase_max_deg), faces=plan)
        x = self.core.safety_ellipse(n, p.inspection_radial_m, p.inspection_cross_m, centre, th0)
        note = f", phase {math.degrees(th0):.0f} deg, lit {lit:.0%}, {good:.0%} of it well"
        if plan is not None:
            note += f", {faces} faces"
        return _v(x[:3]), _v(x[3:]), note, good * lit, faces

    # ------------------------------------------------------------------ safety
    def collision_check(self, t: float, x: State, n: float) -> tuple[float, float]:
        """Predicted (time from now, distance) of the closest approach of the
        coasting trajectory, over the horizon cut at the next planned burn."""
        horizon = self.plan.ca_horizon_s
        if self.pending is not None:
            horizon = min(horizon, max(0.0, self.pending.t_exec - t) + CA_MARGIN_S)
        elif self.legs and self.legs[0].kind == "transfer" and self.legs[0].stage == 1 \
                and self.legs[0].arrive_burn and self.legs[0].t_arrive is not None:
            # coasting on a transfer: the arrival burn ends this trajectory
            horizon = min(horizon, max(0.0, self.legs[0].t_arrive - t) + CA_MARGIN_S)
        if horizon <= 0:
            return 0.0, norm(x[:3])
        t_ca, d_ca, _ = self.core.closest_approach(n, x, horizon)
        k = self._k_sigma_approach(x, horizon)
        if k is not None and k[1] < d_ca:
            return k
        return float(t_ca), float(d_ca)

    def _k_sigma_approach(self, x: State, horizon: float) -> tuple[float, float] | None:
        """The coast over ``horizon`` from the estimate with its covariance (the
        screen's model, J2, no drag over so short a time): time and distance
        from the target to the k-sigma position ellipsoid; None without a
        navigation context."""
        if self.ctx is None or self.plan.ca_k_sigma <= 0:
            return None
        _, r_t, v_t, _, sp, sv = self.ctx
        vp, vv = sp * sp / 3.0, sv * sv / 3.0
        P = [0.0] * 36
        for i in range(3):
            P[7 * i] = vp
            P[7 * (i + 3)] = vv
        model = DriftModel(horizon=horizon, step=CA_STEP_S, k_sigma=self.plan.ca_k_sigma)
        try:
            res = self.core.drift_screen(model, r_t, v_t, x, P)
        except GncError:
            return None
        return res.t_k, res.d_k

    def avoidance(self, t: float, x: State, n: float) -> BurnOrder:
        """The avoidance burn: of the six Hill-axis impulses of CAM_DV applied
        as soon as the burn attitude can be reached, the one whose coasting
        trajectory keeps the largest minimum range over one orbit. The plan is
        dropped; the order is pending."""
        lead = min(self.lead_s, 120.0)
        x1 = self._coast(x, n, lead)
        dv, d_min = self.core.cw_avoidance(n, x1, CAM_DV, 2 * math.pi / n)
        self.legs = []
        self.cam_count += 1
        return self._order(t + lead, dv, f"collision avoidance (min range {d_min:.0f} m)")
