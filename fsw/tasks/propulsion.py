"""The propulsion task (10 Hz, rate group ``attitude``): burn execution,
two-step arm/fire, propellant bookkeeping, thruster fault detection and
isolation.

Burns (the same state machine for the autonomy task and the ground):

``disarmed`` -- ARM (``PROP_ARM`` from the autonomy task, or the
``ARM_THRUSTERS`` telecommand) --> ``armed`` (for its window) -- order
(``BURN_ORDER``, or the ``FIRE`` telecommand within the window) --> ``pending``:
the burn attitude (thrust axis on the Δv, computed by the guidance core's
pointing function) is requested from the ADCS task; when the attitude error
is below ``FIRE_ATTITUDE_DEG`` and the burn's start time (centre minus half
its duration) has come --> ``firing``: each cycle the thrusters of the group
along the Δv get an on-time (the same for all, so their torques cancel) up to
the cycle, never a pulse below the minimum impulse bit; the Δv delivered is
counted from the commanded impulses (thrust scaled by the measured tank
pressure: blowdown) and the mass estimate --> ``done`` (Δv
reached), or ``aborted`` (attitude lost while firing, SAFE, or a fault).
Every burn ends disarmed. An order without a valid arming is rejected (event).

Packets in: PROP_ARM, BURN_ORDER, MISSION_CMD (ARM_THRUSTERS, FIRE), ADCS_STATE,
GYRO, PROP_STATUS, MODE_STATUS, NAV_STATE. Packets out: THRUSTER_CMD (only while firing
or testing), PROP_VALVES, ADCS_REQUEST (propulsion override while a burn is
pending), BURN_STATUS, PROP_HK, COMMAND_ACK (executed/failed of ground burn
commands), EVENT.

Faults (detection from residuals, isolation by the latch valves):

- attitude lost while firing (error above ``ABORT_ATTITUDE_DEG``, or the body
  rate changing by more than ``FIRING_RATE_LIMIT`` in an inertially fixed
  burn attitude): the torque of the group does not cancel, so one thruster is not
  firing (stuck closed): the burn is aborted and a thruster test follows;
- uncommanded torque while idle (body rate above ``IDLE_RATE_LIMIT`` with the
  wheels saturated, or propellant used while not firing): a thruster is
  stuck open: every latch valve is closed and a thruster test follows;
- the thruster test opens one valve at a time and fires a short pulse:
  the gyro's rate change is compared with the expected torque impulse of
  that thruster; a thruster whose response is under ``TEST_RESPONSE`` of the
  expected one (closed) or that turns the body with its valve open and no
  command (open) is isolated together with its diagonal partner (so the
  remaining pairs stay torque-free) and the valves of the others reopen.
"""

from __future__ import annotations

import math

import numpy as np

from fsw.core import quaternion
from fsw.core.attitude import target_pointing
from fsw.core.errors import GncError
from fsw.packets import DICTIONARY
from fsw.scenario import Scenario

G0 = 9.80665
FIRE_ATTITUDE_DEG = 2.0
ABORT_ATTITUDE_DEG = 10.0
IDLE_RATE_LIMIT = math.radians(1.0)
#: the burn attitude is inertially fixed: a body rate above this while firing
#: (three gyro samples in a row) means the thrusters' torques do not cancel
FIRING_RATE_LIMIT = math.radians(0.3)
#: firing starts once the slew has settled below this body rate
QUIET_RATE = math.radians(0.05)
TEST_PULSE_S = 0.1
TEST_RESPONSE = 0.3
#: after a thruster test the idle monitor waits this long [s]
TEST_BACKOFF_S = 300.0

PROP_ARM = DICTIONARY["PROP_ARM"]
BURN_ORDER = DICTIONARY["BURN_ORDER"]
BURN_STATUS = DICTIONARY["BURN_STATUS"]
MISSION_CMD = DICTIONARY["MISSION_CMD"]
ADCS_STATE = DICTIONARY["ADCS_STATE"]
ADCS_REQUEST = DICTIONARY["ADCS_REQUEST"]
GYRO = DICTIONARY["GYRO"]
PROP_STATUS = DICTIONARY["PROP_STATUS"]
MODE_STATUS = DICTIONARY["MODE_STATUS"]
NAV_STATE = DICTIONARY["NAV_STATE"]
THRUSTER_CMD = DICTIONARY["THRUSTER_CMD"]
PROP_VALVES = DICTIONARY["PROP_VALVES"]
PROP_HK = DICTIONARY["PROP_HK"]
COMMAND_ACK = DICTIONARY["COMMAND_ACK"]
ARM_THRUSTERS = DICTIONARY["ARM_THRUSTERS"]
FIRE = DICTIONARY["FIRE"]

IDLE, PENDING, FIRING, DONE, ABORTED, REJECTED = range(6)
SAFE_MODE = 7
EV_ARMED, EV_REJECTED, EV_BURN, EV_ABORT, EV_FAULT, EV_TEST = 301, 302, 303, 304, 305, 306
#: COMMAND_ACK stages and reasons
ACK_EXECUTED, ACK_REJECTED, ACK_FAILED = 1, 2, 3
R_NOT_ARMED, R_BAD_ARG, R_ABORTED = 10, 11, 12


class PropulsionTask:
    """See the module docstring."""

    name = "propulsion"
    rate_group = "attitude"

    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        rcs = scenario.chaser.rcs
        self.pos = np.array(rcs.positions_b, float)
        self.dirs = np.array(rcs.directions_b, float)
        self.n = len(self.pos)
        self.F_ref = self.F = rcs.thrust_n
        self.p_ref = rcs.reference_pressure_pa
        self.pressure = 0.0
        self.isp = rcs.isp_s
        self.min_on = rcs.min_impulse_bit_ns / rcs.thrust_n
        self.dt = 1.0 / scenario.rates.adcs_hz
        self.inertia = np.diag(scenario.chaser.inertia_kgm2)
        self.torque = np.cross(self.pos, self.dirs)  # per thruster, body
        self.partner = self._partners()
        self.hk_every = max(1, round(scenario.rates.housekeeping_s * scenario.rates.adcs_hz))
        #: critical data store: survives restarts
        self.cds = {
            "ok": [True] * self.n,
            "propellant": rcs.propellant_kg,
            "dry_mass": scenario.chaser.mass_kg - rcs.propellant_kg,
            "dv_total": 0.0,
            "burns": 0,
        }

    def _partners(self) -> list[int]:
        """For each thruster, the one in its group whose torque cancels it best."""
        out = []
        for i in range(self.n):
            best, bn = i, math.inf
            for j in range(self.n):
                if j != i and np.allclose(self.dirs[i], self.dirs[j]):
                    r = float(np.linalg.norm(self.torque[i] + self.torque[j]))
                    if r < bn:
                        best, bn = j, r
            out.append(best)
        return out

    # ------------------------------------------------------------------ lifecycle
    def init(self, ctx) -> None:
        self.ctx = ctx
        self.state = IDLE
        self.armed_until = -math.inf
        self.burn = None  # dict: id, t_exec, dv_N, done, ground, q
        self.att = None  # (valid, q_BN, rate, att_error, h, st_age)
        self.mode = 0
        self.faults = 0
        self.cycles = 0
        self.firing_now = False
        self._rate_B = None  # the latest valid gyro rate, as parsed (tuple)
        self._rates = None   # its numpy array, made when first needed
        self.valves = (1 << self.n) - 1
        for i, ok in enumerate(self.cds["ok"]):
            if not ok:
                self.valves &= ~(1 << i)
        self.test = None
        self.normal = np.array([0.0, 0.0, 1.0])
        self.idle_rate_count = 0
        self.monitor_after = -math.inf
        self.firing_rate_count = 0
        self.rates_fire0 = np.zeros(3)
        self.gauge = None
        self.gauge_ref = None
        self.status_every = max(1, round(1.0 / self.dt))
        ctx.subscribe(PROP_ARM, self.on_arm, parse=True)
        ctx.subscribe(BURN_ORDER, self.on_order, parse=True)
        ctx.subscribe(MISSION_CMD, self.on_command, parse=True)
        ctx.subscribe(ADCS_STATE, self.on_adcs, parse=True)
        ctx.subscribe(GYRO, self.on_gyro, parse=True)
        ctx.subscribe(PROP_STATUS, self.on_prop_status, parse=True)
        ctx.subscribe(MODE_STATUS, self.on_mode, parse=True)
        ctx.subscribe(NAV_STATE, self.on_nav, parse=True)
        self._send_valves()

    # ------------------------------------------------------------------ handlers
    def on_arm(self, r) -> None:
        self._arm(r.arm, r.window)

    def _arm(self, arm: int, window: float) -> bool:
        if arm and math.isfinite(window) and 0 < window <= 3600:
            self.armed_until = self.ctx.t + window
            self.ctx.event(1, EV_ARMED, f"thrusters armed for {window:.0f} s")
            return True
        self.armed_until = -math.inf
        return not arm

    def on_order(self, r) -> None:
        self._order(r.burn_id, r.t_exec, np.asarray(r.dv_N, float), r.purpose, None)

    def _order(self, burn_id: int, t_exec: float, dv: np.ndarray, purpose: str, ack) -> bool:
        t = self.ctx.t
        reason = None
        if not (np.all(np.isfinite(dv)) and math.isfinite(t_exec)):
            reason = "non-finite order"
        elif float(np.linalg.norm(dv)) > 20.0:
            reason = "delta-v above 20 m/s per burn"
        elif t > self.armed_until:
            reason = "not armed"
        elif self.mode == SAFE_MODE and ack is None and not purpose.startswith("collision"):
            reason = "SAFE mode"
        elif self.burn is not None and self.state in (PENDING, FIRING):
            reason = "a burn is in progress"
        elif self.test is not None:
            reason = "thruster test in progress"
        if reason is not None:
            self.faults += 1
            self.ctx.event(2, EV_REJECTED, f"burn {burn_id} rejected: {reason}")
            self.ctx.send(BURN_STATUS, burn_id=burn_id, state=REJECTED, dv_done=0.0,
                          dv_total=self.cds["dv_total"], thrusters_ok=self._mask(),
                          propellant=self.cds["propellant"])
            return False
        self.armed_until = -math.inf  # the order consumes the arming
        # |dv| once per order: _pending and _fire need it every cycle
        self.burn = {"id": burn_id, "t_exec": t_exec, "dv": dv, "done": 0.0, "ack": ack,
                     "purpose": purpose, "q": None, "axis": None,
                     "mag": float(np.linalg.norm(dv))}
        self.state = PENDING
        self.ctx.event(1, EV_BURN, f"burn {burn_id} pending: {np.linalg.norm(dv):.3f} m/s, "
                       f"{purpose}"[:96])
        self._status()
        return True

    def on_command(self, r) -> None:
        if r.owner != self.name:
            return
        raw = r.command
        apid = ((raw[0] << 8) | raw[1]) & 0x7FF
        if apid == ARM_THRUSTERS.apid:
            tc = ARM_THRUSTERS.parse(raw)
            ok = self._arm(tc.arm, tc.window)
            self._ack(tc, ACK_EXECUTED if ok else ACK_REJECTED, 0 if ok else R_BAD_ARG)
        elif apid == FIRE.apid:
            tc = FIRE.parse(raw)
            ok = self._order(0x80000000 | (tc.auth_seq & 0x7FFFFFFF), self.ctx.t + 300.0,
                             np.asarray(tc.dv_N, float), "ground FIRE", tc)
            if not ok:
                self._ack(tc, ACK_REJECTED, R_NOT_ARMED)

    def _ack(self, tc, stage: int, reason: int) -> None:
        self.ctx.send(COMMAND_ACK, command_apid=tc.apid, command_seq=tc.seq,
                      command_auth_seq=tc.auth_seq, stage=stage, reason=reason)

    def on_adcs(self, r) -> None:
        self.att = (r.valid, np.asarray(r.q_BN), np.asarray(r.rate_B), r.att_error, r.h_wheels)

    def on_nav(self, r) -> None:
        if all(map(math.isfinite, r.normal_N)) and abs(math.hypot(*r.normal_N) - 1) < 1e-3:
            self.normal = np.asarray(r.normal_N, float)

    def on_gyro(self, r) -> None:
        if r.valid:
            # 10 Hz: keep the tuple; ``rates`` makes the array only when used
            self._rate_B = r.rate_B
            self._rates = None

    @property
    def rates(self) -> np.ndarray | None:
        """The latest valid gyro rate (rad/s, body), None before the first."""
        if self._rates is None and self._rate_B is not None:
            self._rates = np.asarray(self._rate_B, float)
        return self._rates

    def on_prop_status(self, r) -> None:
        if math.isfinite(r.propellant_mass):
            self.gauge = r.propellant_mass
        if math.isfinite(r.tank_pressure) and 0.1 < r.tank_pressure / self.p_ref < 2.0:
            # blowdown: the thrust follows the measured tank pressure
            self.F = self.F_ref * r.tank_pressure / self.p_ref
            self.pressure = r.tank_pressure

    def on_mode(self, r) -> None:
        entering_safe = r.mode == SAFE_MODE and self.mode != SAFE_MODE
        if entering_safe and self.state in (PENDING, FIRING) and not self.burn[
                "purpose"].startswith("collision"):
            self._end(ABORTED, "SAFE mode")
        self.mode = r.mode

    # ------------------------------------------------------------------ cycle
    def _mask(self) -> int:
        return sum(1 << i for i, ok in enumerate(self.cds["ok"]) if ok)

    def _mass(self) -> float:
        return self.cds["dry_mass"] + self.cds["propellant"]

    def step(self, t: float) -> None:
        self.cycles += 1
        if self.test is not None:
            self._test_step()
        elif self.state == PENDING:
            self._pending(t)
        elif self.state == FIRING:
            self._fire(t)
        elif self.cycles % self.status_every == 0:
            self._idle_monitor()
        if self.state in (PENDING, FIRING) and self.cycles % self.status_every == 0:
            self._status()
        if self.cycles % self.hk_every == 0:
            self.ctx.send(PROP_HK, mode=self.state, armed=int(t <= self.armed_until),
                          tank_pressure=self.pressure, propellant_mass=self.cds["propellant"],
                          dv_total=self.cds["dv_total"], burns=self.cds["burns"],
                          faults=self.faults)

    def _group(self, dv_B: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """Thrust axis closest to the Δv among groups with a usable pair."""
        best, best_ids, best_c = None, [], -2.0
        for d in {tuple(x) for x in self.dirs}:
            ids = [i for i in range(self.n) if tuple(self.dirs[i]) == d and self.cds["ok"][i]]
            if len(ids) < 2:
                continue
            c = float(np.dot(d, dv_B))
            if c > best_c:
                best, best_ids, best_c = np.array(d), ids, c
        return best, best_ids

    def _pending(self, t: float) -> None:
        b = self.burn
        dv, mag = b["dv"], b["mag"]
        if mag < 1e-9:
            self._end(DONE, "zero burn")
            return
        if b["q"] is None:
            # choose the group whose axis is nearest the Δv in the current attitude
            q = self.att[1] if self.att is not None else np.array([1.0, 0, 0, 0])
            dv_B = _rotate(q, dv / mag)
            axis, _ids = self._group(dv_B)
            if axis is None:
                self._end(ABORTED, "no usable thruster pair")
                return
            ref = self.normal
            if abs(float(ref @ dv) / mag) > 0.99:
                ref = np.cross(dv / mag, [0.0, 0.0, 1.0])
            try:
                # thrust axis on the Δv, the star tracker (-y) towards the orbit normal
                b["q"], _ = target_pointing(axis, (0.0, -1.0, 0.0), dv / mag, ref, 0.0)
            except GncError as exc:
                self._end(ABORTED, f"burn attitude: {exc}")
                return
            b["axis"] = axis
            self.ctx.send(ADCS_REQUEST, source=1, active=1, mode=3, q_BN=tuple(b["q"]))
        if "n_fire" not in b:
            b["n_fire"] = len(self._group(np.asarray(b["axis"]))[1])
        accel = b["n_fire"] * self.F / self._mass()
        duration = mag / max(accel, 1e-9)
        start = b["t_exec"] - duration / 2
        if t < start:
            return
        if self.att is None or not self.att[0]:
            if t > b["t_exec"] + 600:
                self._end(ABORTED, "no attitude estimate")
            return
        turning = self.rates is None or float(np.linalg.norm(self.rates)) > QUIET_RATE
        if math.degrees(self.att[3]) > FIRE_ATTITUDE_DEG or turning:
            if t > b["t_exec"] + 900:
                self._end(ABORTED, "burn attitude not reached")
            return
        self.state = FIRING
        self.firing_rate_count = 0
        self.rates_fire0 = self.rates.copy()
        self.ctx.event(1, EV_BURN, f"burn {b['id']} firing")

    def _fire(self, t: float) -> None:
        b = self.burn
        mag = b["mag"]
        spinning = self.rates is not None and float(
            np.linalg.norm(self.rates - self.rates_fire0)) > FIRING_RATE_LIMIT
        self.firing_rate_count = self.firing_rate_count + 1 if spinning else 0
        lost = self.att is not None and math.degrees(self.att[3]) > ABORT_ATTITUDE_DEG
        if lost or self.firing_rate_count >= 3:
            self.faults += 1
            why = "attitude lost" if lost else "body turning"
            self._end(ABORTED, f"{why} while firing: unbalanced thrust")
            self._start_test(f"{why} while firing")
            return
        if "ids" not in b:
            b["ids"] = self._group(np.asarray(b["axis"]))[1]
        ids = b["ids"]
        if len(ids) < 2:
            self._end(ABORTED, "no usable thruster pair")
            return
        remaining = mag - b["done"]
        on = min(self.dt, remaining * self._mass() / (len(ids) * self.F))
        if on < self.min_on:
            self._end(DONE, "delta-v reached")
            return
        cmd = [0.0] * self.n
        for i in ids:
            cmd[i] = on
        self.ctx.send(THRUSTER_CMD, on_time=tuple(cmd))
        impulse = len(ids) * self.F * on
        dm = impulse / (self.isp * G0)
        b["done"] += impulse / self._mass()
        self.cds["dv_total"] += impulse / self._mass()
        self.cds["propellant"] = max(0.0, self.cds["propellant"] - dm)

    def _end(self, state: int, why: str) -> None:
        b = self.burn
        self.state = state
        if state == DONE:
            self.cds["burns"] += 1
        self._status()
        self.ctx.send(ADCS_REQUEST, source=1, active=0, mode=0, q_BN=(1.0, 0.0, 0.0, 0.0))
        sev = 1 if state == DONE else 2
        self.ctx.event(sev, EV_BURN if state == DONE else EV_ABORT,
                       f"burn {b['id']} {'done' if state == DONE else 'aborted'}: "
                       f"{b['done']:.3f} m/s, {why}"[:96])
        if b.get("ack") is not None:
            self._ack(b["ack"], ACK_EXECUTED if state == DONE else ACK_FAILED,
                      0 if state == DONE else R_ABORTED)
        self.burn = None
        self.state = IDLE

    def _status(self) -> None:
        b = self.burn
        self.ctx.send(BURN_STATUS, burn_id=b["id"] if b else 0, state=self.state,
                      dv_done=b["done"] if b else 0.0, dv_total=self.cds["dv_total"],
                      thrusters_ok=self._mask(), propellant=self.cds["propellant"])

    def _send_valves(self) -> None:
        self.ctx.send(PROP_VALVES, open=self.valves)

    # ------------------------------------------------------------------ FDIR
    def _idle_monitor(self) -> None:
        """Uncommanded torque while idle: a thruster stuck open."""
        if self.att is None or self.rates is None or self.ctx.t < self.monitor_after:
            return
        spinning = float(np.linalg.norm(self.rates)) > IDLE_RATE_LIMIT
        saturated = self.att[4] > 0.9 * self.sc.chaser.wheels.max_momentum_nms
        if self.mode >= 3 and spinning and saturated:
            self.idle_rate_count += 1
        else:
            self.idle_rate_count = 0
        if self.idle_rate_count >= 2:
            self.idle_rate_count = 0
            self.faults += 1
            self._start_test("uncommanded torque while idle")

    def _start_test(self, why: str) -> None:
        self.ctx.event(3, EV_FAULT, f"thruster fault suspected: {why}; valves closed, test")
        self.valves = 0
        self._send_valves()
        self.test = {"i": 0, "phase": 0, "w0": None, "wait": 0, "found": []}

    def _test_step(self) -> None:
        """One thruster at a time: open its valve, watch (stuck open?), pulse
        (stuck closed?), close."""
        tst = self.test
        i = tst["i"]
        if i >= self.n:
            self._finish_test()
            return
        if not self.cds["ok"][i]:
            tst["i"] += 1
            return
        if self.rates is None:
            return
        expected = np.linalg.solve(self.inertia, self.torque[i] * self.F * TEST_PULSE_S)
        ph = tst["phase"]
        if ph == 0:  # settle with all closed, then open this valve and watch
            tst["w0"] = self.rates.copy()
            self.valves = 1 << i
            self._send_valves()
            tst["phase"], tst["wait"] = 1, 5
        elif ph == 1:
            tst["wait"] -= 1
            if tst["wait"] > 0:
                return
            drift = self.rates - tst["w0"]
            if float(np.dot(drift, expected)) > 2 * TEST_RESPONSE * float(expected @ expected):
                tst["found"].append((i, "stuck open"))
                self.valves = 0
                self._send_valves()
                tst["i"], tst["phase"] = i + 1, 0
                return
            tst["w0"] = self.rates.copy()
            cmd = [0.0] * self.n
            cmd[i] = TEST_PULSE_S
            self.ctx.send(THRUSTER_CMD, on_time=tuple(cmd))
            tst["phase"], tst["wait"] = 2, 3
        elif ph == 2:
            tst["wait"] -= 1
            if tst["wait"] > 0:
                return
            got = float(np.dot(self.rates - tst["w0"], expected) / (expected @ expected))
            if got < TEST_RESPONSE:
                tst["found"].append((i, "stuck closed"))
            self.valves = 0
            self._send_valves()
            tst["i"], tst["phase"] = i + 1, 0

    def _finish_test(self) -> None:
        found = self.test["found"]
        for i, what in found:
            for j in (i, self.partner[i]):
                self.cds["ok"][j] = False
            self.ctx.event(3, EV_TEST, f"thruster {i} {what}: isolated with partner "
                           f"{self.partner[i]}")
        if not found:
            self.ctx.event(2, EV_TEST, "thruster test: no fault found")
        self.valves = self._mask()
        self._send_valves()
        self.test = None
        # let the attitude control settle before suspecting the thrusters again
        self.monitor_after = self.ctx.t + TEST_BACKOFF_S
        self._status_idle()

    def _status_idle(self) -> None:
        self.ctx.send(BURN_STATUS, burn_id=0, state=IDLE, dv_done=0.0,
                      dv_total=self.cds["dv_total"], thrusters_ok=self._mask(),
                      propellant=self.cds["propellant"])


def _rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """R(q) v for q = q_BN: inertial coordinates into body ones."""
    return quaternion.rotate(q, v)
