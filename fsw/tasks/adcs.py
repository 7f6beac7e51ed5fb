"""The ADCS task (10 Hz, rate group ``attitude``): attitude determination and
control through the guidance core's ADCS step (:class:`fsw.core.guidance.
GuidanceCore`, local or on a board), one core call per cycle.

Modes (``ADCS_REQUEST.mode``, set by the autonomy task; while a burn is
pending the propulsion task's request overrides it):

- ``off``: estimation only (STANDBY, LAUNCH);
- ``detumble``: magnetorquer rate damping (B-dot without a gyro) down to
  ``DETUMBLE_WHEELS``, then the wheels null the rate (magnetorquers unload);
- ``sun_safe``: the solar-array face (-z, away from the camera) on the sun
  (on-board sun ephemeris), wheels; rate damping while the estimate is invalid;
  in every pointing mode the star tracker (-y) is turned towards the orbit
  normal (from ``NAV_STATE``) as far as the primary axis allows;
- ``inertial``: slew to and hold a commanded attitude (burn attitudes);
- ``target_track``: the camera boresight (+z) on the target, from the
  relative navigation solution (``NAV_STATE``) extrapolated to each cycle.

Packets in: GYRO, STAR_TRACKER, MAGNETOMETER, WHEEL_TACH, ADCS_REQUEST, NAV_STATE.
Packets out: WHEEL_CMD (every cycle), MTQ_CMD (at most once a second: the
magnetorquers are slow), ADCS_STATE (1 Hz), ADCS_HK
(housekeeping period), EVENT.

Wheels: the core controls three body-axis momentum components; this task
allocates them to the scenario's wheels (any 3-6 axes) by the minimum-norm
pseudo-inverse over the wheels in use, and measures the body momentum from
the tachometers. Momentum management: magnetorquer unloading in the core.

Faults: a wheel whose speed does not follow its torque command (between two
tachometer samples, the change misses the commanded torque's by over half,
``WHEEL_PERSISTENCE`` samples in a row) is declared
failed and removed from the allocation (EVENT); with fewer than three wheels
left ADCS_STATE reports it and the autonomy task goes SAFE. The star tracker's
age is reported (the MEKF propagates on the gyro meanwhile). A non-finite
input or a core error skips the cycle's actuation (commands zeroed) and is
counted, never raised.
"""

from __future__ import annotations

import math

import numpy as np

from fsw.core.attitude import AdcsConfig, AdcsInput, AdcsMode, MekfConfig, target_pointing
from fsw.core.errors import GncError
from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.packets import DICTIONARY
from fsw.scenario import Scenario
from fsw.tasks.autonomy.modes import Persistence
from fsw.tasks.sun import sun_direction

GYRO = DICTIONARY["GYRO"]
STAR_TRACKER = DICTIONARY["STAR_TRACKER"]
MAGNETOMETER = DICTIONARY["MAGNETOMETER"]
WHEEL_TACH = DICTIONARY["WHEEL_TACH"]
WHEEL_CMD = DICTIONARY["WHEEL_CMD"]
MTQ_CMD = DICTIONARY["MTQ_CMD"]
ADCS_REQUEST = DICTIONARY["ADCS_REQUEST"]
ADCS_STATE = DICTIONARY["ADCS_STATE"]
ADCS_HK = DICTIONARY["ADCS_HK"]
NAV_STATE = DICTIONARY["NAV_STATE"]

OFF, DETUMBLE, SUN_SAFE, INERTIAL, TARGET_TRACK = range(5)
MODE_NAMES = ("off", "detumble", "sun_safe", "inertial", "target_track")
WHEEL_PERSISTENCE = 10
#: detumble hands over from the magnetorquers to the wheels below this rate [rad/s]
DETUMBLE_WHEELS = math.radians(0.8)
#: event ids of this task
EV_WHEEL_FAILED, EV_CORE_ERROR, EV_BAD_INPUT, EV_MODE = 201, 202, 203, 204
#: solar-array normal in the body (sun-safe points it at the sun)
SOLAR_B = np.array([0.0, 0.0, -1.0])
#: star-tracker boresight in the body: turned towards the orbit normal in every
#: pointing mode (the Earth, 68 deg + 15 deg exclusion from nadir at 500 km,
#: never blinds it there)
ST_B = np.array([0.0, -1.0, 0.0])
#: the core's unused targets (AdcsInput's defaults)
_Q_TARGET0 = AdcsInput.q_target_BN
_R_TARGET0 = AdcsInput.r_target_N


def _finite(x: tuple[float, ...]) -> bool:
    return all(map(math.isfinite, x))


class AdcsTask:
    """See the module docstring."""

    name = "adcs"
    rate_group = "attitude"

    def __init__(self, scenario: Scenario, core: GuidanceCore | None = None,
                 wheel_max_speed: float = 6000 * 2 * math.pi / 60) -> None:
        self.sc = scenario
        ch = scenario.chaser
        self.axes = np.array(ch.wheels.axes_b, dtype=float).T  # 3 x k
        self.k = self.axes.shape[1]
        self.J = ch.wheels.max_momentum_nms / wheel_max_speed
        self.w_max = wheel_max_speed
        self.tau_max = ch.wheels.max_torque_nm
        self.boresight = np.asarray(ch.camera_boresight_b, float)
        self.boresight /= np.linalg.norm(self.boresight)
        self.core = core if core is not None else LocalCore()
        self.hk_every = max(1, round(scenario.rates.housekeeping_s * scenario.rates.adcs_hz))
        self.dt = 1.0 / scenario.rates.adcs_hz
        self.state_every = max(1, round(scenario.rates.adcs_hz))
        #: critical data: survives a restart (wheels declared failed stay failed)
        self.cds = {"wheel_ok": [True] * self.k}

    def _config(self) -> AdcsConfig:
        """The core's ADCS configuration from the scenario."""
        ch, r = self.sc.chaser, self.sc.rates
        s = ch.sensors
        arw = math.radians(s.gyro_arw_deg_rthr) / 60.0
        cfg = AdcsConfig(
            dt=1.0 / r.adcs_hz,
            inertia=np.diag(ch.inertia_kgm2),
            kp=0.08, kd=1.4,
            wheel_torque_max=self.tau_max,
            wheel_momentum_max=ch.wheels.max_momentum_nms,
            dipole_max=ch.wheels.mtq_dipole_am2,
            unload_gain=0.002,
            slew_rate_max=0.8 * ch.wheels.max_momentum_nms / max(ch.inertia_kgm2),
            slew_accel_max=0.5 * self.tau_max / max(ch.inertia_kgm2),
            boresight_B=tuple(self.boresight),
            secondary_B=tuple(ST_B),
            sun_keepout=0.0,
            mekf=MekfConfig(
                gyro_arw=max(arw, 1e-7),
                gyro_rrw=1e-8,
                st_sigma=math.radians(s.star_tracker_roll_noise_arcsec / 3600.0) / 2,
                p0_att=0.05, p0_bias=math.radians(s.gyro_bias_deg_hr) / 3600.0 * 3,
            ),
        )
        return cfg

    # ------------------------------------------------------------------ lifecycle
    def init(self, ctx) -> None:
        self.ctx = ctx
        self.core.adcs_configure(self._config())
        self.cycles = 0
        self.faults = 0
        self.gyro = None
        self.q_st = None
        self.st_t = -math.inf
        self.mag = None
        self.speeds = np.zeros(self.k)
        #: body momentum of the wheels: changes only with a tachometer sample
        self.h_body = self.axes @ (self.J * self.speeds)
        self.prev_speeds = None
        self.wheel_p = [Persistence(WHEEL_PERSISTENCE) for _ in range(self.k)]
        self.req = {0: (OFF, None), 1: None}  # autonomy base, propulsion override
        self.nav = None
        self.nav_t = 0.0
        self.out = None
        self.est_valid = False
        self.flags = 0
        self.mode = OFF
        self.last_mtq = None
        self.normal = np.array([0.0, 0.0, 1.0])
        self.sun_N = None
        self.q_sun = None
        self.u_int = np.zeros(self.k)
        self._inp = AdcsInput()
        self._alloc()
        ctx.subscribe(GYRO, self.on_gyro, parse=True)
        ctx.subscribe(STAR_TRACKER, self.on_st, parse=True)
        ctx.subscribe(MAGNETOMETER, self.on_mag, parse=True)
        ctx.subscribe(WHEEL_TACH, self.on_tach, parse=True)
        ctx.subscribe(ADCS_REQUEST, self.on_request, parse=True)
        ctx.subscribe(NAV_STATE, self.on_nav, parse=True)

    def _alloc(self) -> None:
        ok = np.array(self.cds["wheel_ok"], dtype=bool)
        A = self.axes * ok
        self.pinv = np.linalg.pinv(A) if ok.sum() >= 3 else np.zeros((self.k, 3))

    # ------------------------------------------------------------------ handlers
    def on_gyro(self, r) -> None:
        self.gyro = r.rate_B if r.valid and _finite(r.rate_B) else None

    def on_st(self, r) -> None:
        if r.valid and _finite(r.q_BN):
            self.q_st = r.q_BN
            self.st_t = r.t_tai

    def on_mag(self, r) -> None:
        self.mag = r.b_B if r.valid and _finite(r.b_B) else None

    def on_tach(self, r) -> None:
        speed = r.speed[: self.k]
        if all(map(math.isfinite, speed)):
            self.speeds = sp = np.asarray(speed, float)
            self.h_body = self.axes @ (self.J * sp)
            self._check_wheels()

    def on_request(self, r) -> None:
        if not all(map(math.isfinite, r.q_BN)) or r.mode > TARGET_TRACK:
            self.faults += 1
            return
        q = np.asarray(r.q_BN, float)
        if r.source == 1:
            self.req[1] = (r.mode, q) if r.active else None
        else:
            self.req[0] = (r.mode, q)

    def on_nav(self, r) -> None:
        if r.valid and _finite(r.r_rel_N) and _finite(r.v_rel_N):
            self.nav = (np.asarray(r.r_rel_N), np.asarray(r.v_rel_N))
            self.nav_t = r.t_tai
        if _finite(r.normal_N) and abs(math.hypot(*r.normal_N) - 1.0) < 1e-3:
            self.normal = np.asarray(r.normal_N, float)

    # ------------------------------------------------------------------ cycle
    def _sun_quat(self, sun_N: np.ndarray) -> np.ndarray:
        ref = self.normal
        if abs(float(ref @ sun_N)) > 0.99:
            ref = np.cross(sun_N, [0.0, 0.0, 1.0])
        q, _ = target_pointing(SOLAR_B, ST_B, sun_N, ref, 0.0)
        return q

    def step(self, t: float) -> None:
        self.cycles += 1
        mode, q_cmd = self.req[1] if self.req[1] is not None else self.req[0]
        h_body = self.h_body
        second = (self.cycles - 1) % self.state_every == 0
        if second or self.sun_N is None:
            self.sun_N = sun_direction(t)
        sun_N = self.sun_N
        # the core turns its secondary axis (the star tracker) towards "sun_N":
        # give it the orbit normal (see ST_B)
        # one input object reused: every field is set afresh each cycle (the
        # core copies the values during the call)
        inp = self._inp
        inp.mode = AdcsMode.OFF
        inp.gyro_B = self.gyro
        inp.mag_B = self.mag
        inp.h_wheel = h_body
        inp.sun_N = self.normal
        inp.q_target_BN = _Q_TARGET0
        inp.r_target_N = _R_TARGET0
        inp.q_st_BN = self.q_st if self.q_st is not None and t - self.st_t < 0.25 else None
        self.q_st = None
        est_valid = self.est_valid
        if mode == DETUMBLE:
            # magnetorquers while the rate is above what the wheels can absorb
            fast = self.gyro is None or float(np.linalg.norm(self.gyro)) > DETUMBLE_WHEELS
            inp.mode = AdcsMode.DETUMBLE if fast else AdcsMode.RATE_DAMP
        elif mode == SUN_SAFE:
            if est_valid:
                inp.mode = AdcsMode.POINT
                if second or self.q_sun is None:
                    self.q_sun = self._sun_quat(sun_N)
                inp.q_target_BN = self.q_sun
            else:
                inp.mode = AdcsMode.RATE_DAMP
        elif mode == INERTIAL and q_cmd is not None:
            inp.mode = AdcsMode.POINT if est_valid else AdcsMode.RATE_DAMP
            inp.q_target_BN = q_cmd
        elif mode == TARGET_TRACK and self.nav is not None:
            r_rel, v_rel = self.nav
            inp.mode = AdcsMode.TARGET if est_valid else AdcsMode.RATE_DAMP
            inp.r_target_N = r_rel + v_rel * (t - self.nav_t)
        elif mode == TARGET_TRACK:
            inp.mode = AdcsMode.RATE_DAMP
        self.mode = mode
        try:
            out = self.core.adcs_step(inp)
        except GncError as exc:
            self.faults += 1
            self.ctx.event(3, EV_CORE_ERROR, f"core step: {exc}")
            self._actuate(np.zeros(3), np.zeros(3))
            self.est_valid = False
            return
        self.out = out
        self.flags = flags = out.flags
        self.est_valid = bool(flags & 1)
        self._actuate(out.wheel_torque, out.dipole_B if second else None)
        state = self.cycles % self.state_every == 0
        hk = self.cycles % self.hk_every == 0
        if not (state or hk):
            return
        # each output member decoded once for both packets
        q_BN, w_B, att_error = tuple(out.q_BN), tuple(out.w_B), float(out.att_error)
        if state:
            self._send_state(t, flags, q_BN, w_B, att_error, out.sigma, h_body)
        if hk:
            self.ctx.send(ADCS_HK, mode=self.mode, q_BN=q_BN,
                          rate_B=w_B, att_error=att_error,
                          cycles=self.cycles & 0xFFFFFFFF, faults=self.faults & 0xFFFFFFFF)

    def _actuate(self, tau_w: np.ndarray, dipole: np.ndarray | None) -> None:
        # minimum/maximum: the same values as np.clip, without its dispatch overhead
        u = np.minimum(np.maximum(self.pinv @ tau_w, -self.tau_max), self.tau_max)
        self.u_int += u * self.dt
        self.ctx.send(WHEEL_CMD, torque=u.tolist())
        # magnetorquers act slowly: their dipole is refreshed once per second
        if dipole is not None:
            d = dipole.tolist()
            if d != self.last_mtq:
                self.last_mtq = d
                self.ctx.send(MTQ_CMD, dipole_B=d)

    def _check_wheels(self) -> None:
        """Wheel FDIR: speed change between two tachometer samples against the
        torque commanded in between."""
        if self.prev_speeds is not None:
            expected = self.u_int / self.J
            got = self.speeds - self.prev_speeds
            for i in range(self.k):
                if not self.cds["wheel_ok"][i]:
                    continue
                # a command well above tachometer noise and friction, on a wheel
                # away from its speed limit (where the drive stops accelerating)
                big = abs(expected[i]) > 0.5 and abs(self.speeds[i]) < 0.9 * self.w_max
                bad = big and abs(got[i] - expected[i]) > 0.5 * abs(expected[i])
                if self.wheel_p[i].update(bad) if big else False:
                    self.cds["wheel_ok"][i] = False
                    self._alloc()
                    self.faults += 1
                    n_ok = sum(self.cds["wheel_ok"])
                    self.ctx.event(3, EV_WHEEL_FAILED,
                                   f"wheel {i} not following its torque: isolated, {n_ok} left")
        self.prev_speeds = self.speeds.copy()
        self.u_int = np.zeros(self.k)

    def _send_state(self, t: float, flags: int, q_BN: tuple, w_B: tuple, att_error: float,
                    sigma: np.ndarray, h_body: np.ndarray) -> None:
        mask = sum(1 << i for i, ok in enumerate(self.cds["wheel_ok"]) if ok)
        age = min(t - self.st_t, 1e9)
        self.ctx.send(ADCS_STATE, mode=self.mode, valid=int(bool(flags & 1)),
                      q_BN=q_BN, rate_B=w_B,
                      att_error=att_error, h_wheels=float(np.linalg.norm(h_body)),
                      wheels_ok=mask, flags=int(flags) & 0xFFFF, st_age=float(age),
                      att_sigma=float(max(sigma[:3])))
