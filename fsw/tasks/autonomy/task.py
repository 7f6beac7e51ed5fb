"""What the autonomy task does each cycle (the package docstring,
:mod:`fsw.tasks.autonomy`, tells the whole story): run the mode machine,
commissioning, the sequencer's legs, burn orders, FDIR and the collision
screen, and report.
"""

from __future__ import annotations

import math

from fsw.core.attitude import slew_rate_max
from fsw.core.errors import GncError
from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.core.vec import norm
from fsw.packets import DICTIONARY
from fsw.packets.enums import AdcsRequestSource, BurnStatusState, EventId, PointingMode, Severity
from fsw.scenario import Scenario
from fsw.tasks.autonomy import commands
from fsw.tasks.autonomy.dispatch import Inputs
from fsw.tasks.autonomy.fdir import Fdir
from fsw.tasks.autonomy.modes import (
    NO_TRACK,
    Health,
    Mode,
    ModeMachine,
    Persistence,
    TransitionRefusedError,
)
from fsw.tasks.autonomy.sequencer import BurnOrder, Sequencer

MISSION_CMD = DICTIONARY["MISSION_CMD"]
GPS = DICTIONARY["GPS"]
RELNAV = DICTIONARY["RELNAV"]
ADCS_STATE = DICTIONARY["ADCS_STATE"]
BURN_STATUS = DICTIONARY["BURN_STATUS"]
NAV_STATE = DICTIONARY["NAV_STATE"]
COMMS_HK = DICTIONARY["COMMS_HK"]
MODE_STATUS = DICTIONARY["MODE_STATUS"]
ADCS_REQUEST = DICTIONARY["ADCS_REQUEST"]
PROP_ARM = DICTIONARY["PROP_ARM"]
BURN_ORDER = DICTIONARY["BURN_ORDER"]
HOLD_ARRIVAL = DICTIONARY["HOLD_ARRIVAL"]
AUTONOMY_HK = DICTIONARY["AUTONOMY_HK"]
TARGET_ORBIT = DICTIONARY["TARGET_ORBIT"]
EPS = DICTIONARY["EPS"]

#: the camera tracks the target between burns inside this fraction of the
#: relative-navigation sensor's range
TRACK_RANGE_FRACTION = 0.9
#: the collision check runs every CA_EVERY cycles (motion at metres per second
#: against a horizon of minutes)
CA_EVERY = 5
#: the collision check runs inside this range [m]
CA_RANGE_M = 20000.0
#: a sensor measurement within this time counts as a track (PROX_OPS gate) [s]
TRACK_MAX_AGE_S = 5.0
#: no charge turn on the sun before the first ranged measurement inside this
#: many times the ranging sensor's reach: the camera stays on the target so
#: that the first ranged measurement comes as soon as it is in reach (a turn
#: across the handover kept the angles-only error, 1-3 % of range, up to 1000 s
#: inside 5 km: campaign c47, 5 of 20 runs over 1 % at p99)
HANDOVER_WATCH = 1.5
#: how long an arming holds for an order [s]
ARM_WINDOW_S = 1200.0
#: the hold gate: within this many hold tolerances of the far hold point
AT_HOLD_TOLERANCES = 3.0
#: a gate refused only for the sensor's track (the camera turning back to the
#: target after the arrival burn's slew: 1-3 minutes in campaign g2, 13 runs
#: of 100) is an INFO event for this many retries (a minute each, the
#: sequencer's gate wait), a WARNING from then on
GATE_QUIET_RETRIES = 5
#: MODE_STATUS is repeated every this many cycles when nothing changes
MODE_STATUS_EVERY = 10
#: the sun acquisition is done when the attitude error is below this [deg] ...
SUN_ACQUIRED_DEG = 5.0
#: ... after at least this long in sun acquisition [s]
SUN_ACQUIRE_MIN_S = 30.0

# commissioning activities (MODE_STATUS.activity)
ACT_NONE, ACT_DETUMBLE, ACT_SUN, ACT_CHECKOUT = 0, 1, 2, 3
_Q1 = (1.0, 0.0, 0.0, 0.0)
#: the modes the sequencer flies legs in; the modes before the spacecraft is
#: free flying (no FDIR, no collision screen): made once, not per cycle
_LEGS = (Mode.PHASING, Mode.RENDEZVOUS, Mode.PROX_OPS, Mode.DEPARTURE)
_BEFORE_ORBIT = (Mode.STANDBY, Mode.LAUNCH)


class AutonomyTask:
    """See :mod:`fsw.tasks.autonomy`."""

    name = "autonomy"
    rate_group = "default"

    def __init__(self, scenario: Scenario, core: GuidanceCore | None = None) -> None:
        from fsw.tasks.navigation import ephem_config  # (navigation imports autonomy.modes)

        self.sc = scenario
        self.core = core if core is not None else LocalCore()
        self.plan = scenario.plan
        self.hk_every = max(1, round(scenario.rates.housekeeping_s * scenario.rates.nav_hz))
        #: the ranging sensor's reach [m]
        self.ranging_reach_m = scenario.chaser.sensors.relnav_range_max_m
        #: a charge turn's time off the target [s]: the turn, then a half-turn
        #: slew back at the attitude controller's rate limit
        self.turn_gap_s = scenario.chaser.power.charge_turn_s \
            + math.pi / slew_rate_max(scenario.chaser)
        #: between burns the camera is on the target inside this range [m]: the
        #: ranging sensor's reach, or the camera's search (plan.acquisition_range_m)
        self.track_range_m = max(
            TRACK_RANGE_FRACTION * self.ranging_reach_m,
            scenario.plan.acquisition_range_m)
        #: critical data store: mission state survives a restart of the task
        self.cds: dict = {
            "machine": ModeMachine(),
            "sequencer": Sequencer(self.plan, self.core,
                                   translate_max_dv=scenario.chaser.rcs.translate_max_dv_mps,
                                   ranging_reach_m=scenario.chaser.sensors.relnav_range_max_m,
                                   ephem=ephem_config(scenario)),
            "target_known": False,
            "target_orbit": None,
            "times": {},
            "activity": ACT_NONE,
            "act_since": 0.0,
        }

    # ------------------------------------------------------------------ lifecycle
    def init(self, ctx) -> None:
        self.ctx = ctx
        self.m: ModeMachine = self.cds["machine"]
        self.seq: Sequencer = self.cds["sequencer"]
        self.inp = Inputs()
        self.fdir = Fdir(self.sc)
        self.detumbled = Persistence(self.sc.fdir.persistence)
        self.cycles = 0
        self.aborts = 0
        #: gate refusals in a row for the sensor's track alone (GATE_QUIET_RETRIES)
        self.track_waits = 0
        self.ordered: BurnOrder | None = None
        self.last_adcs_req = None
        self.last_mode_sent = None
        #: a charge spell is on (_charge); when its current turn on the sun
        #: began (None: on the plan's pointing), and when the last turn ended
        self.charging = False
        self.sun_since: float | None = None
        self.track_since = -math.inf
        inp = self.inp
        ctx.subscribe(MISSION_CMD, self.on_command, parse=True)
        ctx.subscribe(NAV_STATE, inp.on_nav, parse=True)
        ctx.subscribe(GPS, inp.on_gps, parse=True)
        ctx.subscribe(RELNAV, inp.on_relnav, parse=True)
        ctx.subscribe(ADCS_STATE, inp.on_adcs, parse=True)
        ctx.subscribe(BURN_STATUS, self.on_burn, parse=True)
        ctx.subscribe(COMMS_HK, inp.on_comms, parse=True)
        ctx.subscribe(EPS, inp.on_eps, parse=True)

    # ------------------------------------------------------------------ handlers
    def on_command(self, r) -> None:
        commands.handle(self, r)

    def on_burn(self, r) -> None:
        self.inp.on_burn(r)
        if Inputs.burn_ended(r):
            self.seq.burn_done(r.burn_id)
            if r.state != BurnStatusState.DONE and r.burn_id:  # aborted or rejected
                self.ctx.event(Severity.WARNING, EventId.LEG,
                               f"burn {r.burn_id} not completed: re-planning")
                self.seq.burn_failed(self.ctx.t)

    # ------------------------------------------------------------------ modes
    def _health(self) -> Health:
        a, inp, nav = self.inp.adcs, self.inp, self.inp.nav
        t = self.ctx.t
        thr = inp.thr_mask if inp.thr_mask is not None else (1 << self.sc.chaser.rcs.count) - 1
        return Health(
            target_known=self.cds["target_known"],
            separated=inp.separated,
            attitude_valid=bool(a and a.valid),
            rate_rad_s=norm(a.rate_B) if a else math.inf,
            nav_valid=nav is not None and not self.fdir.nav.tripped,
            relnav_valid=t - inp.relnav_t < TRACK_MAX_AGE_S,
            wheels_ok=bin(a.wheels_ok).count("1") if a else 0,
            thrusters_ok=bin(thr).count("1"),
            thrusters_min=2,
            propellant_kg=inp.propellant if inp.propellant is not None
            else self.sc.chaser.rcs.propellant_kg,
            at_hold=nav is not None and self.seq.at_far_hold(nav.x, nav.n, AT_HOLD_TOLERANCES),
            range_m=norm(nav.x[:3]) if nav is not None else math.inf,
            keep_out_m=self.plan.keep_out_m,
            detumble_rate_rad_s=math.radians(self.plan.detumble_rate_deg_s),
            checkout_done=self.cds["activity"] == ACT_CHECKOUT
            and t - self.cds["act_since"] >= self.plan.checkout_s,
        )

    def _event_mode(self, tr) -> None:
        if tr is not None:
            self.ctx.event(Severity.INFO if tr.to is not Mode.SAFE else Severity.ERROR,
                           EventId.MODE_CHANGED, f"{tr.frm.name} -> {tr.to.name}: {tr.reason}"[:96])

    def advance(self, t: float, reason: str) -> bool:
        """The nominal next mode through its gate; False (evented) on no-go."""
        try:
            tr = self.m.advance(t, self._health(), reason)
        except TransitionRefusedError as exc:
            track = exc.reasons == [NO_TRACK]
            self.track_waits = self.track_waits + 1 if track else 0
            quiet = track and self.track_waits <= GATE_QUIET_RETRIES
            self.ctx.event(Severity.INFO if quiet else Severity.WARNING, EventId.COMMAND_REFUSED,
                           (f"{exc}: waiting ({self.track_waits} of {GATE_QUIET_RETRIES})"
                            if quiet else str(exc))[:96])
            return False
        self.track_waits = 0
        self._event_mode(tr)
        self._enter(tr.to, t)
        return True

    def safe(self, t: float, reason: str) -> None:
        """SAFE from any mode (nothing if already SAFE)."""
        tr = self.m.safe(t, reason)
        if tr is not None:
            self._event_mode(tr)
            self._enter(Mode.SAFE, t)

    def abort(self, t: float, reason: str) -> None:
        """Abort to DEPARTURE (TransitionRefusedError where not free flying)."""
        tr = self.m.abort(t, reason)
        self.aborts += 1
        self._event_mode(tr)
        self._enter(Mode.DEPARTURE, t)

    def resume(self, t: float, reason: str) -> None:
        """Leave SAFE through the interrupted mode's gate (TransitionRefusedError)."""
        self.m.resume(t, self._health(), reason)
        self._enter(self.m.mode, t)

    def _enter(self, mode: Mode, t: float) -> None:
        self.cds["times"].setdefault(mode.name, t)
        if mode is Mode.COMMISSIONING:
            self._activity(ACT_DETUMBLE, t)
        if mode in _LEGS:
            self.seq.start_phase(mode.name, t)
        if mode is Mode.SAFE:
            self.seq.clear()
            self.ctx.send(PROP_ARM, arm=0, window=0.0)
        self._send_mode(force=True)

    def _activity(self, act: int, t: float) -> None:
        self.cds["activity"], self.cds["act_since"] = act, t
        self._send_mode(force=True)

    def _send_mode(self, force: bool = False) -> None:
        leg = self.seq.leg_name
        key = (self.m.mode, self.cds["activity"], leg)
        if force or key != self.last_mode_sent or self.cycles % MODE_STATUS_EVERY == 0:
            self.last_mode_sent = key
            self.ctx.send(MODE_STATUS, mode=int(self.m.mode), activity=self.cds["activity"],
                          leg=leg[:24], transitions=len(self.m.history))

    def _point(self, mode: PointingMode, q=_Q1) -> None:
        key = (mode, tuple(q))
        if key != self.last_adcs_req:
            self.last_adcs_req = key
            self.ctx.send(ADCS_REQUEST, source=AdcsRequestSource.AUTONOMY, active=1, mode=mode,
                          q_BN=tuple(q))

    # ------------------------------------------------------------------ cycle
    def step(self, t: float) -> None:
        self.cycles += 1
        if self.cds["target_orbit"] is not None and self.inp.nav_target_unknown:
            # the navigation task has not loaded the target yet (it started
            # after the notice, or restarted): tell it again
            self.ctx.send(TARGET_ORBIT, **self.cds["target_orbit"])
        mode = self.m.mode
        if mode is Mode.LAUNCH:
            self._point(PointingMode.OFF)
            if self.inp.separated:
                self.cds["times"]["separation"] = t
                self.advance(t, "separation detected")
        elif mode is Mode.COMMISSIONING:
            self._commission(t)
        elif mode in _LEGS:
            self._fly(t)
        elif mode is Mode.SAFE:
            self._point(PointingMode.SUN_SAFE)
        if self.m.mode not in _BEFORE_ORBIT:
            reason = self.fdir.check(t, self.m.mode, self.inp)
            if reason is not None:
                self.safe(t, reason)
            if self.fdir.link_silent(t, self.inp):
                self.ctx.event(Severity.WARNING, EventId.LINK,
                               f"no telecommand for {self.sc.fdir.link_loss_report_s:.0f} s: "
                               "ground link lost, the mission goes on")
            self._collision(t)
        self._send_mode()
        if self.cycles % self.hk_every == 0:
            nav = self.inp.nav
            self.ctx.send(AUTONOMY_HK, mode=int(self.m.mode), hold_point=-self.seq.hold_point_m,
                          range=norm(nav.x[:3]) if nav is not None else -1.0,
                          transitions=len(self.m.history), aborts=self.aborts)

    def _commission(self, t: float) -> None:
        act = self.cds["activity"]
        a = self.inp.adcs
        since = t - self.cds["act_since"]
        if act == ACT_DETUMBLE:
            self._point(PointingMode.DETUMBLE)
            slow = a is not None and norm(a.rate_B) < math.radians(self.plan.detumble_rate_deg_s)
            p = self.detumbled
            if p.update(not slow) is False and slow and p.count == 0 \
                    and since > 10 * self.sc.fdir.persistence:
                self._activity(ACT_SUN, t)
                self.ctx.event(Severity.INFO, EventId.LEG, "detumbled: sun acquisition")
        elif act == ACT_SUN:
            self._point(PointingMode.SUN_SAFE)
            if a is not None and a.valid and math.degrees(a.att_error) < SUN_ACQUIRED_DEG \
                    and since > SUN_ACQUIRE_MIN_S:
                self._activity(ACT_CHECKOUT, t)
                self.ctx.event(Severity.INFO, EventId.LEG, "sun acquired: checkouts")
        elif act == ACT_CHECKOUT:
            self._point(PointingMode.SUN_SAFE)
            if since >= self.plan.checkout_s and self.advance(t, "commissioned"):
                self.cds["times"]["commissioned"] = t
                self._activity(ACT_NONE, t)

    def _fly(self, t: float) -> None:
        nav = self.inp.nav
        if nav is None or self.fdir.nav.tripped:
            self._point(PointingMode.SUN_SAFE)
            return
        self.seq.set_context(nav.t, nav.r_target_N, nav.v_target_N, nav.sun_N, nav.sigma_pos,
                             nav.sigma_vel)
        step = self.seq.step(t, nav.x, nav.n)
        for e in step.events:
            self.ctx.event(Severity.INFO, EventId.LEG, e[:96])
        for name, planned, est in step.arrivals:
            self.ctx.send(HOLD_ARRIVAL, leg=name[:32], rho_planned_H=planned, rho_est_H=est,
                          correction=int(name.startswith("correction to")))
        if step.burn is not None:
            self._order(step.burn)
        # between burns the camera stays on the target while the sensor can see
        # it (the relative-navigation filter keeps its measurements), and
        # searches for it (angles-only acquisition) within the camera's reach
        rng = norm(nav.x[:3])
        in_view = rng < self.track_range_m
        watch = self.inp.relnav_t == -math.inf and rng < HANDOVER_WATCH * self.ranging_reach_m
        if step.pointing != "burn" and self._charge(t, in_view, watch,
                                                    not self._turn_keeps_nav(nav, rng)):
            self._point(PointingMode.SUN_SAFE)
        elif step.pointing in ("target", "inertial") and in_view:
            self._point(PointingMode.TARGET_TRACK)
        elif step.pointing != "burn":
            self._point(PointingMode.SUN_SAFE)
        if step.phase_done:
            mode = self.m.mode
            if mode is Mode.DEPARTURE:
                self.cds["times"].setdefault("departed", t)
                return
            if mode is Mode.PROX_OPS:
                self.advance(t, "inspection complete")
            elif not self.advance(t, f"{mode.name.lower()} complete"):
                self.seq.retry(mode.name)

    def _turn_keeps_nav(self, nav, rng: float) -> bool:
        """Whether a charge turn on the sun may start as far as the relative
        navigation goes: beyond the ranging reach always; within it while
        the navigation's 3-sigma position, coasting without measurements to
        the turn's end and the slew back (``turn_gap_s``), stays within
        ``chaser.power.charge_nav_frac`` of the range."""
        if rng >= self.ranging_reach_m:
            return True
        sp, sv = nav.sigma_pos, nav.sigma_vel * self.turn_gap_s
        grown = math.sqrt(sp * sp + sv * sv)
        return 3.0 * grown <= self.sc.chaser.power.charge_nav_frac * rng

    def _charge(self, t: float, in_view: bool, watch: bool = False,
                hold_off: bool = False) -> bool:
        """Whether a charge spell holds the array on the sun this cycle: it
        starts when the battery's state of charge falls below
        ``chaser.power.charge_below_soc`` and lasts until it is back at
        ``charge_until_soc`` (each an event). With the target within the
        camera's reach (``in_view``) it takes turns: at most
        ``charge_turn_s`` on the sun, then at least ``charge_track_s`` on the
        target, so the relative navigation keeps its measurements; while
        ``watch`` (the handover to ranging is near) no turn on the sun
        starts and one under way ends; while ``hold_off`` (the navigation
        cannot coast through a turn, :meth:`_turn_keeps_nav`) none starts.
        The caller asks only between burns: a
        burn's attitude comes first, and the spell resumes after it while the
        battery is still low."""
        soc, pw = self.inp.soc, self.sc.chaser.power
        if soc is None:
            return False
        if not self.charging and soc < pw.charge_below_soc:
            self.charging = True
            self.ctx.event(Severity.INFO, EventId.LEG,
                           f"battery at {100 * soc:.0f} %: the array on the sun "
                           f"until {100 * pw.charge_until_soc:.0f} %")
        elif self.charging and soc >= pw.charge_until_soc:
            self.charging = False
            self.ctx.event(Severity.INFO, EventId.LEG,
                           f"battery at {100 * soc:.0f} %: charged, back to the plan's pointing")
        if not self.charging:
            if self.sun_since is not None:
                self.sun_since, self.track_since = None, t
            return False
        if not in_view:
            if self.sun_since is None:
                self.sun_since = t
            return True
        if self.sun_since is None:
            if t - self.track_since >= pw.charge_track_s and not (watch or hold_off):
                self.sun_since = t
        elif t - self.sun_since >= pw.charge_turn_s or watch:
            self.sun_since, self.track_since = None, t
        return self.sun_since is not None

    def _order(self, b: BurnOrder) -> None:
        """Order burn ``b``: its Δv (Hill axes at the burn time) in GCRF from
        the target's state in NAV_STATE, then arm and order."""
        nav = self.inp.nav
        try:
            if nav is None:
                raise GncError("no navigation solution")
            dv_N = self.core.hill_to_inertial_at(nav.r_target_N, nav.v_target_N, nav.n,
                                                 b.t_exec - nav.t, b.dv_hill)
        except GncError as exc:
            self.ctx.event(Severity.WARNING, EventId.COMMAND_REFUSED,
                           f"burn {b.id} not ordered: {exc}"[:96])
            self.seq.burn_done(b.id)
            return
        self.ordered = b
        self.ctx.send(PROP_ARM, arm=1, window=ARM_WINDOW_S)
        self.ctx.send(BURN_ORDER, burn_id=b.id, t_exec=b.t_exec, dv_N=tuple(dv_N),
                      purpose=b.purpose[:48])

    # ------------------------------------------------------------------ safety
    def _collision(self, t: float) -> None:
        if self.cycles % CA_EVERY:
            return
        nav = self.inp.nav
        if nav is None or self.fdir.nav.tripped or norm(nav.x[:3]) > CA_RANGE_M:
            return
        if self.seq.avoiding:
            return
        self.seq.set_context(nav.t, nav.r_target_N, nav.v_target_N, nav.sun_N, nav.sigma_pos,
                             nav.sigma_vel)
        _, d = self.seq.collision_check(t, nav.x, nav.n)
        if self.fdir.collision(d, self.plan.keep_out_m):
            order = self.seq.avoidance(t, nav.x, nav.n)
            self.ctx.event(Severity.ERROR, EventId.COLLISION_AVOIDANCE,
                           f"predicted closest approach {d:.0f} m inside the keep-out sphere: "
                           "avoidance burn")
            self.cds["times"].setdefault("cam", t)
            self._order(order)
            self.safe(t, "collision avoidance")
