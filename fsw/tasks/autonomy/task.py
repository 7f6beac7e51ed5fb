"""The autonomy task (1 Hz, rate group ``default``): the mission mode manager,
on-board navigation relative to the target, rendezvous sequencing, FDIR and
collision avoidance.

Modes (:mod:`fsw.tasks.autonomy.modes`) and what the task does in each:

- STANDBY: hot standby; only the comms task answers health checks. The
  ``LAUNCH_NOTICE`` telecommand (target orbit: GCRF state vector with epoch,
  or a TLE) -> LAUNCH (gate: target known). The notice time is recorded.
- LAUNCH: waits for separation (the first valid GPS fix) -> COMMISSIONING.
- COMMISSIONING: detumble (wheels null the rate, magnetorquers unload) until
  the rate stays below ``plan.detumble_rate_deg_s``; sun acquisition (sun-safe
  attitude, estimate valid); checkouts (``plan.checkout_s`` of inertial hold
  with GPS, star tracker, wheels and thrusters healthy) -> PHASING (gate).
- PHASING, RENDEZVOUS, PROX_OPS, DEPARTURE: the legs of the
  :class:`~fsw.tasks.autonomy.sequencer.Sequencer`; each phase's end passes
  the next phase's gate (RENDEZVOUS: at the far hold point; PROX_OPS: the
  relative-navigation sensor tracks the target).
- SAFE: sun-safe attitude, thrusters disarmed, no burn but collision
  avoidance; left by the ``RESUME`` telecommand (through the gate of the
  interrupted mode) or ``ABORT`` (to DEPARTURE).

Navigation (1 Hz): the chaser's GPS fix and the target's on-board ephemeris
give the Hill state, smoothed by a constant-gain filter propagated with the
CW model (``NAV_GAIN_*``). Once the relative-navigation sensor tracks the
target, its range and bearing (camera frame, rotated with the ADCS attitude
estimate into Hill axes) feed the guidance core's relative-navigation EKF,
started from the GPS solution (it coasts ``RELNAV_COAST_S`` without a
measurement, then the GPS filter takes over again). Both are told of every
burn's Δv as it is delivered. Published as ``NAV_STATE``.

FDIR (persistence counters, ``fdir.persistence`` samples): fewer than three
wheels -> SAFE; attitude knowledge (MEKF 1-sigma) worse than ``ATT_SIGMA_SAFE``
or no star-tracker fix for ``STAR_TRACKER_SAFE_S`` -> SAFE (star-tracker gaps,
by Earth blinding or a dropout, are ridden through on the gyro: recovered); no usable thruster
pair -> SAFE; no navigation fix for ``NAV_LOSS_SAFE_S`` during proximity
operations -> SAFE. Ground silence longer than ``fdir.link_loss_report_s``
is evented (the mission goes on). Collision avoidance: see the sequencer;
an avoidance burn is followed by SAFE.

Packets in: MISSION_CMD (LAUNCH_NOTICE, SET_MODE, SET_HOLD_POINT, ABORT,
RESUME), GPS, RELNAV, ADCS_STATE, BURN_STATUS. Packets out: MODE_STATUS,
NAV_STATE, ADCS_REQUEST, PROP_ARM, BURN_ORDER, AUTONOMY_HK, COMMAND_ACK, EVENT.
"""

from __future__ import annotations

import math

import numpy as np

from fsw.core import quaternion
from fsw.core.errors import GncError
from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.core.relnav import RelnavConfig
from fsw.packets import DICTIONARY, PacketError
from fsw.scenario import Scenario
from fsw.tasks.autonomy import orbit
from fsw.tasks.autonomy.cw import CwGuidance, RelGuidance
from fsw.tasks.autonomy.modes import (
    Health,
    Mode,
    ModeMachine,
    Persistence,
    TransitionRefusedError,
)
from fsw.tasks.autonomy.sequencer import Sequencer
from fsw.tasks.sun import sun_direction

MISSION_CMD = DICTIONARY["MISSION_CMD"]
GPS = DICTIONARY["GPS"]
RELNAV = DICTIONARY["RELNAV"]
ADCS_STATE = DICTIONARY["ADCS_STATE"]
BURN_STATUS = DICTIONARY["BURN_STATUS"]
MODE_STATUS = DICTIONARY["MODE_STATUS"]
NAV_STATE = DICTIONARY["NAV_STATE"]
ADCS_REQUEST = DICTIONARY["ADCS_REQUEST"]
PROP_ARM = DICTIONARY["PROP_ARM"]
BURN_ORDER = DICTIONARY["BURN_ORDER"]
AUTONOMY_HK = DICTIONARY["AUTONOMY_HK"]
COMMAND_ACK = DICTIONARY["COMMAND_ACK"]

#: the camera tracks the target between burns inside this fraction of the
#: relative-navigation sensor's range
TRACK_RANGE_FRACTION = 0.9
#: the collision check runs every CA_EVERY cycles (motion at metres per second
#: against a horizon of minutes)
CA_EVERY = 5
#: constant gains of the GPS + ephemeris filter (position, velocity)
NAV_GAIN_POS = 0.2
NAV_GAIN_VEL = 0.02
#: relative-navigation EKF (guidance core): range 1-sigma [m] (0.5 % at ~200 m
#: and more), attitude knowledge added to the bearing noise [rad], unmodelled
#: acceleration PSD [m^2/s^3], initial covariance, coasting limit without a
#: measurement [s]
RELNAV_SIGMA_RANGE_M = 2.0
RELNAV_ATTITUDE_RAD = 1e-4
RELNAV_ACCEL_PSD = 1e-9
EKF_P0 = (100.0, 100.0, 100.0, 1e-3, 1e-3, 1e-3)
RELNAV_COAST_S = 120.0
#: bearing sigma floor [rad]. It was added because the core's 3x3 inverse
#: tested its determinant against the largest element cubed, so metres and
#: radians mixed in S read as singular. The core no longer needs it: it now
#: inverts S by an equilibrated Cholesky (scale-invariant, see la_inv3_spd in
#: native/src/gnc_la.h; tests/core/test_relnav.py flies 0.5 m / 1e-4 rad).
#: It is kept because removing it would change the EKF's behaviour, the
#: mission's packet stream and the recorded data.
RELNAV_SIGMA_ANGLE_MIN = 2e-3
#: after an EKF failure the GPS filter flies alone this long [s]
EKF_RETRY_S = 60.0
#: after a burn that did not complete, wait this long before re-planning [s]
REPLAN_BACKOFF_S = 60.0
#: attitude knowledge (1-sigma) worse than this for ``fdir.persistence`` s -> SAFE
ATT_SIGMA_SAFE = math.radians(0.5)
#: no star-tracker fix for this long -> SAFE (the gyro alone drifts)
STAR_TRACKER_SAFE_S = 3 * 3600.0
NAV_LOSS_SAFE_S = 120.0
ARM_WINDOW_S = 1200.0

# ADCS modes (ADCS_REQUEST.mode)
A_OFF, A_DETUMBLE, A_SUN, A_INERTIAL, A_TRACK = range(5)
# commissioning activities (MODE_STATUS.activity)
ACT_NONE, ACT_DETUMBLE, ACT_SUN, ACT_CHECKOUT = 0, 1, 2, 3
# COMMAND_ACK
EXECUTED, REJECTED = 1, 2
R_WRONG_MODE, R_BAD_ARG, R_GATE = 20, 21, 22
# events
EV_MODE, EV_REFUSED, EV_FDIR, EV_CAM, EV_LEG, EV_LINK, EV_NOTICE = 401, 402, 403, 404, 405, 406, 407

#: SET_MODE telecommand values (fsw.packets.types.MODES = Mode) the ground may order
_TC_SAFE, _TC_DEPART = int(Mode.SAFE), int(Mode.DEPARTURE)


class AutonomyTask:
    """See the module docstring."""

    name = "autonomy"
    rate_group = "default"

    def __init__(self, scenario: Scenario, core: GuidanceCore | None = None,
                 guidance: RelGuidance | None = None) -> None:
        self.sc = scenario
        self.core = core if core is not None else LocalCore()
        self.plan = scenario.plan
        self.g = guidance or CwGuidance(self.core)
        self.dt = 1.0 / scenario.rates.nav_hz
        self.cam_frame = camera_frame(scenario.chaser.camera_boresight_b)
        self.hk_every = max(1, round(scenario.rates.housekeeping_s * scenario.rates.nav_hz))
        #: critical data store: mission state survives a restart of the task
        self.cds: dict = {
            "machine": ModeMachine(),
            "sequencer": Sequencer(self.plan, self.g),
            "ephemeris": None,
            "times": {},
            "activity": ACT_NONE,
            "act_since": 0.0,
            "x": None,
        }

    # ------------------------------------------------------------------ lifecycle
    def init(self, ctx) -> None:
        self.ctx = ctx
        self.m: ModeMachine = self.cds["machine"]
        self.seq: Sequencer = self.cds["sequencer"]
        self.cycles = 0
        self.gps = None
        self.gps_t = -math.inf
        self.relnav = None
        self.relnav_t = -math.inf
        self.adcs = None
        self.burn_status = None
        self.thr_mask = (1 << self.sc.chaser.rcs.count) - 1
        self.propellant = self.sc.chaser.rcs.propellant_kg
        self.dv_total = 0.0
        self.aborts = 0
        self.rate_p = Persistence(self.sc.fdir.persistence)
        self.p_wheels = Persistence(self.sc.fdir.persistence)
        self.p_st = Persistence(self.sc.fdir.persistence)
        self.p_thr = Persistence(self.sc.fdir.persistence)
        self.p_nav = Persistence(self.sc.fdir.persistence)
        self.p_ca = Persistence(2)
        self.last_adcs_req = None
        self.nav_valid = False
        self.nav_source = 0
        self.last_mode_sent = None
        self.dv_acc = np.zeros(3)
        self._hill = None
        self.ekf_on = False
        self.ekf_t = 0.0
        self.ekf_retry = -math.inf
        n = self.cds["ephemeris"].mean_motion if self.cds["ephemeris"] is not None else 1.1e-3
        self._configure_ekf(n)
        ctx.subscribe(MISSION_CMD, self.on_command, parse=True)
        ctx.subscribe(GPS, self.on_gps, parse=True)
        ctx.subscribe(RELNAV, self.on_relnav, parse=True)
        ctx.subscribe(ADCS_STATE, self.on_adcs, parse=True)
        ctx.subscribe(BURN_STATUS, self.on_burn, parse=True)

    # ------------------------------------------------------------------ handlers
    def on_gps(self, r) -> None:
        if r.valid and all(map(math.isfinite, r.r_N + r.v_N)):
            self.gps = (np.asarray(r.r_N), np.asarray(r.v_N))
            self.gps_t = r.t_tai

    def on_relnav(self, r) -> None:
        if r.valid and all(map(math.isfinite, (r.range, r.azimuth, r.elevation))):
            self.relnav = (r.range, r.azimuth, r.elevation)
            self.relnav_t = r.t_tai

    def on_adcs(self, r) -> None:
        self.adcs = r

    def on_burn(self, r) -> None:
        self.burn_status = r
        self.thr_mask = r.thrusters_ok
        self.propellant = r.propellant
        self.dv_total = r.dv_total
        ordered = self.cds.get("ordered")
        x = self.cds["x"]
        if ordered is not None and ordered[0] == r.burn_id and x is not None \
                and r.state in (2, 3, 4):
            # the filter learns the burn as it is delivered (the GPS velocity
            # alone lags): the Δv done since the last report, along the order
            dv = np.asarray(ordered[1])
            mag = float(np.linalg.norm(dv))
            if mag > 0:
                self.dv_acc += dv * ((r.dv_done - ordered[2]) / mag)
            self.cds["ordered"] = (ordered[0], ordered[1], r.dv_done)
        if r.state in (3, 4, 5):  # done, aborted, rejected
            self.cds["ordered"] = None
            self.seq.burn_done(r.burn_id)
            if r.state != 3 and r.burn_id:
                self.ctx.event(2, EV_LEG, f"burn {r.burn_id} not completed: re-planning")
                self._replan_after_abort()

    def _replan_after_abort(self) -> None:
        """A burn that did not complete: restart the current leg from the estimate."""
        self.seq.wait_until = self.ctx.t + REPLAN_BACKOFF_S
        if self.seq.legs:
            leg = self.seq.legs[0]
            if leg.kind == "transfer":
                leg.stage, leg.t_start = 0, None

    # ------------------------------------------------------------------ commands
    def on_command(self, r) -> None:
        if r.owner != self.name:
            return
        try:
            tc = DICTIONARY.decode(r.command)
        except PacketError as exc:
            self.ctx.event(2, EV_REFUSED, f"forwarded command undecodable: {exc}"[:96])
            return
        name = tc.packet.name
        t = self.ctx.t
        ok, reason = True, 0
        try:
            if name == "LAUNCH_NOTICE":
                ok, reason = self._launch_notice(tc)
            elif name == "ABORT":
                self._abort(t, f"ground abort (reason {tc.reason})")
            elif name == "RESUME":
                self.m.resume(t, self._health(), "ground order")
                self._enter(self.m.mode, t)
            elif name == "SET_MODE":
                if tc.mode == _TC_SAFE:
                    self._safe(t, "ground order")
                elif tc.mode == _TC_DEPART:
                    self._abort(t, "ground order")
                else:
                    ok, reason = False, R_BAD_ARG
            elif name == "SET_HOLD_POINT":
                d = abs(tc.along_track)
                if not (math.isfinite(d) and self.plan.inspection_radius_m < d
                        < self.plan.hold_far_m):
                    ok, reason = False, R_BAD_ARG
                elif self.m.mode in (Mode.PROX_OPS, Mode.DEPARTURE):
                    ok, reason = False, R_WRONG_MODE
                else:
                    self.seq.set_hold_point(d)
                    self.ctx.event(1, EV_LEG, f"near hold point moved to {d:.0f} m")
            else:
                ok, reason = False, R_BAD_ARG
        except TransitionRefusedError as exc:
            ok, reason = False, R_GATE
            self.ctx.event(2, EV_REFUSED, f"{name}: {exc}"[:96])
        self.ctx.send(COMMAND_ACK, command_apid=tc.apid, command_seq=tc.seq,
                      command_auth_seq=tc.auth_seq, stage=EXECUTED if ok else REJECTED,
                      reason=reason)
        if not ok:
            self.ctx.event(2, EV_REFUSED, f"{name} rejected (reason {reason})")

    def _launch_notice(self, tc) -> tuple[bool, int]:
        if self.m.mode is not Mode.STANDBY:
            return False, R_WRONG_MODE
        try:
            if tc.form == 1:
                eph = orbit.StateEphemeris(tc.epoch_tai, np.asarray(tc.r_N), np.asarray(tc.v_N))
            else:
                eph = orbit.TleEphemeris(tc.tle1, tc.tle2)
                eph.state(self.ctx.t)
        except (ValueError, RuntimeError) as exc:
            self.ctx.event(2, EV_REFUSED, f"launch notice: bad target orbit: {exc}"[:96])
            return False, R_BAD_ARG
        self.cds["ephemeris"] = eph
        self.cds["times"]["notice"] = self.ctx.t
        self.ctx.event(1, EV_NOTICE, "launch notice: target orbit received, planning")
        self._advance(self.ctx.t, "launch notice")
        return True, 0

    # ------------------------------------------------------------------ helpers
    def _health(self) -> Health:
        a = self.adcs
        rcs_ok = bin(self.thr_mask).count("1")
        return Health(
            target_known=self.cds["ephemeris"] is not None,
            separated=self.gps is not None,
            attitude_valid=bool(a and a.valid),
            rate_rad_s=float(np.linalg.norm(a.rate_B)) if a else math.inf,
            nav_valid=self.nav_valid,
            relnav_valid=self.relnav is not None and self.ctx.t - self.relnav_t < 5.0,
            wheels_ok=bin(a.wheels_ok).count("1") if a else 0,
            thrusters_ok=rcs_ok,
            thrusters_min=2,
            propellant_kg=self.propellant,
            at_hold=self._at_hold(),
            range_m=float(np.linalg.norm(self.cds["x"][:3])) if self.cds["x"] is not None
            else math.inf,
            keep_out_m=self.plan.keep_out_m,
            detumble_rate_rad_s=math.radians(self.plan.detumble_rate_deg_s),
            checkout_done=self.cds["activity"] == ACT_CHECKOUT
            and self.ctx.t - self.cds["act_since"] >= self.plan.checkout_s,
        )

    def _at_hold(self) -> bool:
        x = self.cds["x"]
        if x is None:
            return False
        far = np.array([0.0, -self.seq.far_m, 0.0])
        return float(np.linalg.norm(x[:3] - far)) <= 3 * self.plan.hold_tolerance_m

    def _event_mode(self, tr) -> None:
        if tr is not None:
            self.ctx.event(1 if tr.to is not Mode.SAFE else 3, EV_MODE,
                           f"{tr.frm.name} -> {tr.to.name}: {tr.reason}"[:96])

    def _advance(self, t: float, reason: str) -> bool:
        try:
            tr = self.m.advance(t, self._health(), reason)
        except TransitionRefusedError as exc:
            self.ctx.event(2, EV_REFUSED, str(exc)[:96])
            return False
        self._event_mode(tr)
        self._enter(tr.to, t)
        return True

    def _safe(self, t: float, reason: str) -> None:
        tr = self.m.safe(t, reason)
        if tr is not None:
            self._event_mode(tr)
            self._enter(Mode.SAFE, t)

    def _abort(self, t: float, reason: str) -> None:
        tr = self.m.abort(t, reason)
        self.aborts += 1
        self._event_mode(tr)
        self._enter(Mode.DEPARTURE, t)

    def _enter(self, mode: Mode, t: float) -> None:
        self.cds["times"].setdefault(mode.name, t)
        if mode is Mode.COMMISSIONING:
            self._activity(ACT_DETUMBLE, t)
        if mode in (Mode.PHASING, Mode.RENDEZVOUS, Mode.PROX_OPS, Mode.DEPARTURE):
            self.seq.start_phase(mode.name, t)
        if mode is Mode.SAFE:
            self.seq.legs = []
            self.ctx.send(PROP_ARM, arm=0, window=0.0)
        self._send_mode(force=True)

    def _activity(self, act: int, t: float) -> None:
        self.cds["activity"], self.cds["act_since"] = act, t
        self._send_mode(force=True)

    def _send_mode(self, force: bool = False) -> None:
        leg = self.seq.legs[0].name if self.seq.legs else ""
        key = (self.m.mode, self.cds["activity"], leg)
        if force or key != self.last_mode_sent or self.cycles % 10 == 0:
            self.last_mode_sent = key
            self.ctx.send(MODE_STATUS, mode=int(self.m.mode), activity=self.cds["activity"],
                          leg=leg[:24], transitions=len(self.m.history))

    def _adcs(self, mode: int, q=(1.0, 0.0, 0.0, 0.0)) -> None:
        key = (mode, tuple(np.round(q, 9)))
        if key != self.last_adcs_req:
            self.last_adcs_req = key
            self.ctx.send(ADCS_REQUEST, source=0, active=1, mode=mode, q_BN=tuple(q))

    # ------------------------------------------------------------------ navigation
    def _navigate(self, t: float) -> None:
        eph = self.cds["ephemeris"]
        if eph is None or self.gps is None or t - self.gps_t > 5.0:
            self.p_nav.update(True)
            self.nav_valid = self.cds["x"] is not None and not self.p_nav.tripped
            if self.cds["x"] is not None:
                n = self._n()
                r, v = self.g.propagate(self.cds["x"][:3], self.cds["x"][3:], n, self.dt)
                self.cds["x"] = np.concatenate((r, v))
            return
        self.p_nav.update(False)
        # the relative state at the GPS fix's time, carried to t by the CW model
        n = self._n()
        r_c, v_c = self.gps
        r_t, v_t = eph.state(self.gps_t)
        rho, rho_dot = orbit.inertial_to_hill(r_t, v_t, r_c, v_c)
        h_c = orbit.cross(r_c, v_c)
        if t > self.gps_t:
            rho, rho_dot = self.g.propagate(rho, rho_dot, n, t - self.gps_t)
            r_t, v_t = eph.state(t)
        z = np.concatenate((rho, rho_dot))
        x = self.cds["x"]
        meas = self._relnav_meas(r_t, v_t)
        dv, self.dv_acc = self.dv_acc, np.zeros(3)
        use_ekf = meas is not None and t >= self.ekf_retry
        if use_ekf or (self.ekf_on and t - self.relnav_t < RELNAV_COAST_S):
            # relative navigation sensor: the guidance core's EKF
            if not self.ekf_on:
                if abs(n - self.ekf_n) > 1e-7:
                    self._configure_ekf(n)
                x0 = z if x is None else x + np.concatenate((np.zeros(3), dv))
                self.core.relnav_reset(x0, np.diag(EKF_P0))
                self.ekf_on, self.ekf_t, dv = True, t, np.zeros(3)
            try:
                out = self.core.relnav_step(t - self.ekf_t, meas, dv)
                x = np.asarray(out.x, float).copy()
                self.nav_source = 2
            except GncError as exc:
                self.ctx.event(2, EV_FDIR, f"relnav EKF: {exc}"[:96])
                self.ekf_on = False
                self.ekf_retry = t + EKF_RETRY_S
            self.ekf_t = t
        else:
            self.ekf_on = False
            self.nav_source = 1
            if x is None or np.linalg.norm(x[:3] - rho) > 5000.0:
                x = z
            else:
                r, v = self.g.propagate(x[:3], x[3:] + dv, n, self.dt)
                x = np.concatenate((r, v))
                x[:3] += NAV_GAIN_POS * (z[:3] - x[:3])
                x[3:] += NAV_GAIN_VEL * (z[3:] - x[3:])
        self.cds["x"] = x
        self.nav_valid = True
        C, omega = orbit.hill_basis(r_t, v_t)
        # the filtered relative state, back to inertial: target minus chaser
        r_rel_N = -(C.T @ x[:3])
        v_rel_N = -(C.T @ x[3:] + orbit.cross(omega, C.T @ x[:3]))
        self.ctx.send(NAV_STATE, valid=1, source=self.nav_source, r_rel_N=tuple(r_rel_N),
                      v_rel_N=tuple(v_rel_N), rho_H=tuple(x[:3]), rho_dot_H=tuple(x[3:]),
                      sun_N=tuple(sun_direction(t)), normal_N=tuple(h_c / np.linalg.norm(h_c)),
                      mean_motion=n,
                      sigma_pos=1.0 if self.nav_source == 2 else 10.0)
        self._hill = C

    def _configure_ekf(self, n: float) -> None:
        s = self.sc.chaser.sensors
        self.core.relnav_configure(RelnavConfig(
            n=n, sigma_range=RELNAV_SIGMA_RANGE_M,
            sigma_angle=max(math.radians(s.relnav_angle_noise_deg) + RELNAV_ATTITUDE_RAD,
                            RELNAV_SIGMA_ANGLE_MIN),
            accel_psd=RELNAV_ACCEL_PSD, gate=16.27))
        self.ekf_n = n
        self.ekf_on = False

    def _relnav_meas(self, r_t, v_t) -> np.ndarray | None:
        """[range, azimuth, elevation] of the target in Hill axes (the EKF's
        convention) from the sensor's camera-frame measurement."""
        if not (self.relnav is not None and self.ctx.t - self.relnav_t < 2.0
                and self.adcs is not None and self.adcs.valid):
            return None
        rng, az, el = self.relnav
        # the sensor's frame: z on the boresight; az = atan2(x, z), el = asin(y / r)
        los_C = np.array([math.cos(el) * math.sin(az), math.sin(el),
                          math.cos(el) * math.cos(az)])
        los_N = quaternion.rotate(quaternion.conj(self.adcs.q_BN), self.cam_frame.T @ los_C)
        C, _ = orbit.hill_basis(r_t, v_t)
        h = C @ los_N
        return np.array([rng, math.atan2(h[1], h[0]), math.atan2(h[2], math.hypot(h[0], h[1]))])

    def _n(self) -> float:
        eph = self.cds["ephemeris"]
        return eph.mean_motion if eph is not None else 1.1e-3

    # ------------------------------------------------------------------ cycle
    def step(self, t: float) -> None:
        self.cycles += 1
        mode = self.m.mode
        if mode is not Mode.STANDBY:
            self._navigate(t)
        if mode is Mode.LAUNCH:
            self._adcs(A_OFF)
            if self.gps is not None:
                self.cds["times"]["separation"] = t
                self._advance(t, "separation detected")
        elif mode is Mode.COMMISSIONING:
            self._commission(t)
        elif mode in (Mode.PHASING, Mode.RENDEZVOUS, Mode.PROX_OPS, Mode.DEPARTURE):
            self._fly(t)
        elif mode is Mode.SAFE:
            self._adcs(A_SUN)
        if self.m.mode not in (Mode.STANDBY, Mode.LAUNCH):
            self._fdir(t)
            self._collision(t)
        self._send_mode()
        if self.cycles % self.hk_every == 0:
            x = self.cds["x"]
            self.ctx.send(AUTONOMY_HK, mode=int(self.m.mode),
                          hold_point=-self.seq.hold_point_m,
                          range=float(np.linalg.norm(x[:3])) if x is not None else -1.0,
                          transitions=len(self.m.history), aborts=self.aborts)

    def _commission(self, t: float) -> None:
        act = self.cds["activity"]
        a = self.adcs
        since = t - self.cds["act_since"]
        if act == ACT_DETUMBLE:
            self._adcs(A_DETUMBLE)
            slow = a is not None and float(np.linalg.norm(a.rate_B)) < math.radians(
                self.plan.detumble_rate_deg_s)
            if self.rate_p.update(not slow) is False and slow and self.rate_p.count == 0 \
                    and since > 10 * self.sc.fdir.persistence:
                self._activity(ACT_SUN, t)
                self.ctx.event(1, EV_LEG, "detumbled: sun acquisition")
        elif act == ACT_SUN:
            self._adcs(A_SUN)
            if a is not None and a.valid and math.degrees(a.att_error) < 5.0 and since > 30:
                self._activity(ACT_CHECKOUT, t)
                self.ctx.event(1, EV_LEG, "sun acquired: checkouts")
        elif act == ACT_CHECKOUT:
            self._adcs(A_SUN)
            if since >= self.plan.checkout_s and self._advance(t, "commissioned"):
                self.cds["times"]["commissioned"] = t
                self._activity(ACT_NONE, t)

    def _fly(self, t: float) -> None:
        x = self.cds["x"]
        if x is None or not self.nav_valid:
            self._adcs(A_SUN)
            return
        n = self._n()
        step = self.seq.step(t, x[:3], x[3:], n)
        for e in step.events:
            self.ctx.event(1, EV_LEG, e[:96])
        if step.burn is not None:
            self._order(step.burn)
        # between burns the camera stays on the target while the sensor can see
        # it (the relative-navigation EKF keeps its measurements)
        in_view = np.linalg.norm(x[:3]) < TRACK_RANGE_FRACTION * self.sc.chaser.sensors \
            .relnav_range_max_m
        if step.pointing in ("target", "inertial") and in_view:
            self._adcs(A_TRACK)
        elif step.pointing != "burn":
            self._adcs(A_SUN)
        if step.phase_done:
            mode = self.m.mode
            if mode is Mode.DEPARTURE:
                self.cds["times"].setdefault("departed", t)
                return
            if mode is Mode.PROX_OPS:
                self._advance(t, "inspection complete")
            elif not self._advance(t, f"{mode.name.lower()} complete"):
                self.seq.retry(mode.name, x[:3])

    def _order(self, b) -> None:
        if self._hill is None:  # no navigation fix since a restart: no burn
            self.ctx.event(2, EV_REFUSED, f"burn {b.id} not ordered: no navigation fix yet")
            self.seq.burn_done(b.id)
            return
        # the Δv is in the Hill axes at the burn time: turn today's axes forward
        # by the orbit's rotation until then (about the orbit normal)
        C = self._hill
        a = self._n() * (b.t_exec - self.ctx.t)
        ca, sa = math.cos(a), math.sin(a)
        C = np.vstack((ca * C[0] + sa * C[1], -sa * C[0] + ca * C[1], C[2]))
        dv_N = C.T @ np.asarray(b.dv_hill)
        self.cds["ordered"] = (b.id, b.dv_hill, 0.0)
        self.ctx.send(PROP_ARM, arm=1, window=ARM_WINDOW_S)
        self.ctx.send(BURN_ORDER, burn_id=b.id, t_exec=b.t_exec, dv_N=tuple(dv_N),
                      purpose=b.purpose[:48])

    # ------------------------------------------------------------------ FDIR
    def _fdir(self, t: float) -> None:
        a = self.adcs
        if a is None:
            return
        if self.p_wheels.update(bin(a.wheels_ok).count("1") < 3):
            self._safe(t, "fewer than three wheels")
        tracking_phase = self.m.mode in (Mode.PHASING, Mode.RENDEZVOUS, Mode.PROX_OPS)
        lost = a.st_age > STAR_TRACKER_SAFE_S or (a.valid and a.att_sigma > ATT_SIGMA_SAFE)
        if self.p_st.update(tracking_phase and lost):
            self._safe(t, "attitude knowledge lost (star tracker)")
        pairs = bin(self.thr_mask).count("1") >= 2
        if self.p_thr.update(tracking_phase and not pairs):
            self._safe(t, "no usable thruster pair")
        if tracking_phase and self.p_nav.tripped:
            self._safe(t, "navigation lost")

    def _collision(self, t: float) -> None:
        if self.cycles % CA_EVERY:
            return
        x = self.cds["x"]
        if x is None or not self.nav_valid or self._hill is None \
                or np.linalg.norm(x[:3]) > 20000.0:
            return
        if self.seq.pending is not None and self.seq.pending.purpose.startswith("collision"):
            return
        _, d = self.seq.collision_check(t, x[:3], x[3:], self._n())
        if self.p_ca.update(d < self.plan.keep_out_m):
            order = self.seq.avoidance(t, x[:3], x[3:], self._n())
            self.ctx.event(3, EV_CAM, f"predicted closest approach {d:.0f} m inside the "
                           f"keep-out sphere: avoidance burn")
            self.cds["times"].setdefault("cam", t)
            self._order(order)
            self._safe(t, "collision avoidance")
            self.seq.pending = order


def camera_frame(boresight) -> np.ndarray:
    """Rows x, y, z of the relative-navigation sensor's frame in the body: z on
    the boresight, x the body x axis (y when the boresight is near x) made
    perpendicular to it (the sensor's interface convention)."""
    z = np.asarray(boresight, float)
    z = z / np.linalg.norm(z)
    ref = np.array([1.0, 0, 0]) if abs(z[0]) < 0.9 else np.array([0, 1.0, 0])
    x = ref - (ref @ z) * z
    x /= np.linalg.norm(x)
    return np.array([x, orbit.cross(z, x), z])
