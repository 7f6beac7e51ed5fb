"""The ADCS task (10 Hz, rate group ``attitude``): attitude determination and
control through the guidance core's ADCS step (:class:`fsw.core.guidance.
GuidanceCore`, local or on a board), one core call per cycle.

Modes (``ADCS_REQUEST.mode``, set by the autonomy task; while a burn is
pending the propulsion task's request overrides it):

- ``off``: estimation only (STANDBY, LAUNCH);
- ``detumble``: magnetorquer rate damping (B-dot without a gyro) down to
  ``DETUMBLE_WHEELS``, then the wheels null the rate (magnetorquers unload);
- ``sun_safe``: the solar-array face (-z, away from the camera) on the sun
  (``NAV_STATE.sun_N``, the navigation task's sun ephemeris), wheels; rate
  damping while the estimate is invalid or the sun is not yet known; in every
  pointing mode the star tracker (-y) is turned towards the orbit normal
  (``NAV_STATE.normal_N``) as far as the primary axis allows;
- ``inertial``: slew to and hold a commanded attitude (burn attitudes);
- ``target_track``: the camera boresight (+z) on the target, from the
  relative navigation solution (``NAV_STATE``) extrapolated to each cycle.

Packets in: GYRO, STAR_TRACKER (one per head and sample, ``head`` 0..2),
SUN_SENSOR, MAGNETOMETER, GPS (the chaser's position for the field model),
WHEEL_TACH, ADCS_REQUEST, NAV_STATE.
Packets out: WHEEL_CMD (every cycle), MTQ_CMD (at most once a second: the
magnetorquers are slow), ADCS_STATE (1 Hz), ADCS_HK
(housekeeping period), EVENT.

Attitude determination (issue #17): the MEKF fuses whichever star-tracker
heads have a fresh valid fix, each with its own noise (across and about its
boresight, ``chaser.sensors.star_trackers``), every update gated on its NIS
(``ST_GATE``, chi-square 3 dof, 99.9 %; rejections counted in ADCS_STATE);
gyro bias in its state. With no head valid the core's coarse attitude (sun
sensor + magnetometer against the sun and its own dipole field model, TRIAD,
1-sigma ``COARSE_SIGMA_RAD``) initialises the MEKF and bounds its sigma, so
sun-safe is reached from tip-off with every tracker failed. ADCS_STATE
reports the estimate's own 1-sigma per body axis (``att_sigma_B``).

Star-tracker heads (the default design, ``fsw.scenario.StarTrackers``): +y
canted 12 deg towards +z, -y canted 49 deg towards -z and -y canted 21 deg
towards +z, all near the y-z plane (clear of the thrust axis) and at least
69 deg from the camera. Every pointing mode turns -y towards the orbit normal
as far as its primary axis allows; in the inspection the camera (+z) follows
the target round the safety ellipse (issue #16), so the heads sweep either side
of the orbit plane and the Earth's limb, not the sun, blinds them most.
Chosen by ``tools/analysis/boresight_scan.py`` on the truth of the default
mission (seed 1, 2 deg of margin on the exclusion angles): a head valid all
of the inspection, two heads at least 30 deg from colinear 94 % of it (two
heads fix the rotation about either boresight to a few arcsec; one head
alone leaves it to its 55 arcsec roll noise, ~20 arcsec filtered). The
previous design (-y; +y canted +-35 deg towards +-z, chosen against the
attitude profile before the safety ellipse) had no head valid 5.7 % of the
inspection and two well-separated heads 29 % of it. Redo the scan whenever
the attitude profile changes (the boresights are scenario keys).

Everything numerical happens in the core's ADCS step (native/include/
gnc_attitude.h): estimation (MEKF), guidance (slews, target pointing, the
sun-safe attitude), control, the allocation of the body torque to the
scenario's wheels (any 3-4 axes: the packets carry 4, the core takes up to 6;
minimum-norm pseudo-inverse over the wheels in use), the body momentum from
the tachometers, and the wheel check. This
task keeps the inputs' latest valid samples, the pointing requests, the
wheels in use and the persistence of wheel faults, and writes the packets.
One cycle is one call (``GuidanceCore.adcs_runner``, made at init): the
sensor packets since the last cycle read into the core's input struct
(``AdcsCycle``, kept from cycle to cycle), the cycle's sensor flags, time and
target age set, and the core's cycle, which writes the outputs and the
cycle's WHEEL_CMD packet, which the task publishes as it is (the other
packets are read from the outputs only on the cycles that send them). With
the core local that is one native call (gnc_adcs_sensors_step); a board core
reads the packets here and runs the cycle over its link. The mode and
pointing (``q_target_BN``, ``r_target_N``, ``v_target_N``, ``mode``) are
decided from the requests and the navigation solution and written into the
input struct only when one of those changed; the age of the solution the
target pointing flies is each cycle's.

The sensor packets (GYRO, STAR_TRACKER, SUN_SENSOR, MAGNETOMETER, GPS,
WHEEL_TACH: two or three a tick) are not parsed in Python: the task keeps
them as they arrive, and the cycle reads them all right before the core's
step, in the same call (``AdcsCycle.sense``, native/include/gnc_adcs_sensors.h):
checked as the dictionary's parser checks them (length, CRC, header), each
valid and finite sample written into the input struct, the heads' fix times,
the fresh heads and the sun sample's age kept there. A packet the parser
refuses is counted and reported as the executive reports one
(``BAD_PACKET``, "<NAME> dropped: <reason>", the parser's own reason), in
arrival order: the pending sensor packets are read before a bad
ADCS_REQUEST or NAV_STATE is reported, and at every packet when the task
does not step every tick.

Faults: the core's wheel check flags a wheel whose speed change between two
tachometer samples misses its commanded torque's by over half; after
``WHEEL_PERSISTENCE`` such samples in a row the wheel is declared
failed and removed from the allocation (EVENT); with fewer than three wheels
left ADCS_STATE reports it and the autonomy task goes SAFE. The star tracker's
age is reported (the MEKF propagates on the gyro meanwhile). A non-finite
input or a core error skips the cycle's actuation (commands zeroed) and is
counted, never raised.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fsw.core.attitude import (
    AdcsConfig,
    AdcsCycle,
    AdcsMode,
    MekfConfig,
    slew_rate_max,
)
from fsw.core.errors import GncError
from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.core.vec import norm
from fsw.packets import DICTIONARY, PacketError
from fsw.packets.enums import AdcsFlag, AdcsRequestSource, EventId, PointingMode, Severity
from fsw.scenario import Scenario
from fsw.tasks.autonomy.modes import Persistence
from fsw.tasks.refused import report_refused

if TYPE_CHECKING:
    from fsw.core._struct import Result
    from fsw.packets.dictionary import PacketDef

GYRO = DICTIONARY["GYRO"]
STAR_TRACKER = DICTIONARY["STAR_TRACKER"]
SUN_SENSOR = DICTIONARY["SUN_SENSOR"]
GPS = DICTIONARY["GPS"]
MAGNETOMETER = DICTIONARY["MAGNETOMETER"]
WHEEL_TACH = DICTIONARY["WHEEL_TACH"]
WHEEL_CMD = DICTIONARY["WHEEL_CMD"]
MTQ_CMD = DICTIONARY["MTQ_CMD"]
ADCS_REQUEST = DICTIONARY["ADCS_REQUEST"]
ADCS_STATE = DICTIONARY["ADCS_STATE"]
ADCS_HK = DICTIONARY["ADCS_HK"]
NAV_STATE = DICTIONARY["NAV_STATE"]

WHEEL_PERSISTENCE = 10
#: detumble hands over from the magnetorquers to the wheels below this rate [rad/s]
DETUMBLE_WHEELS = math.radians(0.8)
#: star-tracker boresight in the body: turned towards the orbit normal in every
#: pointing mode (as far as the primary axis allows)
ST_B = (0.0, -1.0, 0.0)
#: wheel speed limit [rad/s] (6000 rpm)
WHEEL_MAX_SPEED = 6000 * 2 * math.pi / 60
#: a star-tracker sample older than this is not used [s]
ST_MAX_AGE_S = 0.25
#: a sun-sensor sample older than this is not used [s]
SUN_MAX_AGE_S = 0.25
#: MEKF gate: chi-square, 3 dof, 99.9 % (NIS above it: the update is rejected)
ST_GATE = 16.27
#: updates rejected in a row that restart the MEKF from the next fix
ST_GATE_RESET = 40
#: head alignment / calibration residual known on board [arcsec], added in
#: quadrature to each head's noise: the world's heads carry fixed errors of
#: 2-6 arcsec per axis (chaser.sensors.star_trackers.bias_arcsec, rms 3.5);
#: 10 made the MEKF pessimistic (NEES 2.39 on a campaign seed, 2.80 with 5)
#: and weighted the heads' noise less than it is
ST_ALIGN_ARCSEC = 5.0
#: coarse attitude 1-sigma per axis [rad] (sun sensor + magnetometer + the
#: on-board dipole, TRIAD). Measured against truth in sunlight over a day of
#: the default orbit: error p50 1.1 deg, p95 3.0 deg, rms per axis 1.0 deg;
#: in sun-safe after tip-off (fault_star_trackers_failed): p50 0.7, p95 1.3 deg
COARSE_SIGMA_RAD = math.radians(2.0)
#: bias instability -> the MEKF's bias random walk: the drift B over the
#: correlation times of a few hundred seconds that matter across tracker gaps
GYRO_DRIFT_TIME_S = 300.0
#: the pointing mode asked for (ADCS_REQUEST.mode) -> the core's mode
_CORE_MODE = {
    PointingMode.OFF: AdcsMode.OFF, PointingMode.DETUMBLE: AdcsMode.DETUMBLE,
    PointingMode.SUN_SAFE: AdcsMode.SUN, PointingMode.INERTIAL: AdcsMode.POINT,
    PointingMode.TARGET_TRACK: AdcsMode.TARGET,
}
_Z3 = (0.0, 0.0, 0.0)
_Q1 = (1.0, 0.0, 0.0, 0.0)
#: the target inputs outside TARGET mode (r_target_N, v_target_N, no time: age 0)
_NO_TARGET = ((1.0, 0.0, 0.0), _Z3, None)
_WHEEL_APID = WHEEL_CMD.apid
_MTQ_APID, _STATE_APID, _HK_APID = MTQ_CMD.apid, ADCS_STATE.apid, ADCS_HK.apid
_EST_VALID = int(AdcsFlag.EST_VALID)
#: the pointing modes each cycle compares with, as module constants (an enum
#: member's look-up on its class costs ~0.15 us in Python 3.11)
_INERTIAL, _TARGET_TRACK = PointingMode.INERTIAL, PointingMode.TARGET_TRACK


#: the sensor packets read natively at the cycle (AdcsCycle.sense)
SENSORS = (GYRO, STAR_TRACKER, SUN_SENSOR, GPS, MAGNETOMETER, WHEEL_TACH)


#: the 1 Hz packets and the housekeeping from their fields in this order
#: (what ctx.send builds from the same values as keywords)
_build_mtq = MTQ_CMD.builder_in(("dipole_B",))
_build_state = ADCS_STATE.builder_in((
    "mode", "valid", "q_BN", "rate_B", "att_error", "h_wheels", "h_B", "wheels_ok", "flags",
    "st_age", "att_sigma", "att_sigma_B", "heads_used", "heads_valid", "st_rejected"))
_build_hk = ADCS_HK.builder_in(("mode", "q_BN", "rate_B", "att_error", "cycles", "faults"))


def _finite(x: tuple[float, ...]) -> bool:
    return all(map(math.isfinite, x))


class AdcsTask:
    """See the module docstring."""

    name = "adcs"
    rate_group = "attitude"

    def __init__(self, scenario: Scenario, core: GuidanceCore | None = None,
                 wheel_max_speed: float = WHEEL_MAX_SPEED) -> None:
        self.sc = scenario
        self.k = len(scenario.chaser.wheels.axes_b)
        self.w_max = wheel_max_speed
        self.core = core if core is not None else LocalCore()
        self.hk_every = max(1, round(scenario.rates.housekeeping_s * scenario.rates.adcs_hz))
        self.state_every = max(1, round(scenario.rates.adcs_hz))
        #: critical data: survives a restart (wheels declared failed stay failed)
        self.cds = {"wheel_ok": [True] * self.k}

    def config(self) -> AdcsConfig:
        """The core's ADCS configuration from the scenario."""
        ch, r = self.sc.chaser, self.sc.rates
        s, w = ch.sensors, ch.wheels
        st = s.star_trackers
        arw = math.radians(s.gyro_arw_deg_rthr) / 60.0
        rrw = math.radians(s.gyro_bias_instability_deg_hr) / 3600.0 / math.sqrt(
            GYRO_DRIFT_TIME_S)
        arcsec = math.pi / 180.0 / 3600.0
        cross = math.sqrt(s.star_tracker_noise_arcsec ** 2 + ST_ALIGN_ARCSEC ** 2) * arcsec
        about = math.sqrt(s.star_tracker_roll_noise_arcsec ** 2 + ST_ALIGN_ARCSEC ** 2) * arcsec
        bores = [float(c) for b in st.boresights_b[:st.count] for c in b]
        axes = [float(c) for axis in w.axes_b for c in axis]
        return AdcsConfig(
            dt=1.0 / r.adcs_hz,
            inertia=(ch.inertia_kgm2[0], 0.0, 0.0, 0.0, ch.inertia_kgm2[1], 0.0,
                     0.0, 0.0, ch.inertia_kgm2[2]),
            kp=0.08, kd=1.4,
            wheel_torque_max=w.max_torque_nm,
            wheel_momentum_max=w.max_momentum_nms,
            dipole_max=w.mtq_dipole_am2,
            unload_gain=0.002,
            slew_rate_max=slew_rate_max(ch),
            slew_accel_max=0.5 * w.max_torque_nm / max(ch.inertia_kgm2),
            boresight_B=tuple(ch.camera_boresight_b),
            secondary_B=ST_B,
            solar_B=tuple(x / norm(ch.power.array_normal_b) for x in ch.power.array_normal_b),
            sun_keepout=math.radians(ch.camera_sun_keepout_deg),
            detumble_wheel_rate=DETUMBLE_WHEELS,
            wheel_count=self.k,
            wheel_axes_B=tuple(axes + [0.0] * (18 - len(axes))),
            wheel_inertia=w.max_momentum_nms / self.w_max,
            wheel_speed_max=self.w_max,
            check_min_dspeed=0.5, check_speed_frac=0.9, check_miss=0.5,
            mekf=MekfConfig(
                gyro_arw=max(arw, 1e-7),
                gyro_rrw=max(rrw, 1e-8),
                st_sigma=about,
                p0_att=0.05, p0_bias=math.radians(s.gyro_bias_deg_hr) / 3600.0 * 3,
                st_cross_sigma=cross, st_about_sigma=about,
                st_boresight_B=tuple(bores + [0.0] * (9 - len(bores))),
                gate=ST_GATE, gate_reset=float(ST_GATE_RESET), st_heads=int(st.count),
            ),
            coarse_sigma=COARSE_SIGMA_RAD,
        )

    # ------------------------------------------------------------------ lifecycle
    def init(self, ctx) -> None:
        self.ctx = ctx
        self.core.adcs_configure(self.config())
        self.cycles = 0
        self.faults = 0
        self.n_heads = int(self.sc.chaser.sensors.star_trackers.count)
        self.heads_used = 0     # mask over the current second
        self.st_rejected = 0
        self.wheel_p = [Persistence(WHEEL_PERSISTENCE) for _ in range(self.k)]
        self.req = {0: (PointingMode.OFF, None), 1: None}  # autonomy base, propulsion override
        self.nav = None         # (r_rel_N, v_rel_N, t)
        self.mode = PointingMode.OFF
        #: the mode and pointing are decided again at the next cycle (a
        #: request or a navigation solution came in since the last decision)
        self._redecide = True
        #: time of the relative navigation solution the TARGET pointing flies
        #: (None: no target pointing; its age is the cycle's input)
        self._t_nav: float | None = None
        self.last_mtq = None
        # The core's inputs live in its input struct, kept from cycle to
        # cycle: the sensor reader writes each valid sample in place (and
        # keeps the heads' times, the fresh heads, the sun sample's age: its
        # state, sens), _decide writes the mode and pointing when they
        # change, the cycle the target's age, and the core writes the
        # outputs and the WHEEL_CMD packet.
        cyc = self._cyc = AdcsCycle()
        cyc.sensors(self.n_heads, self.k, ST_MAX_AGE_S, SUN_MAX_AGE_S)
        self._sens = cyc.sens
        #: sensor packets arrived since the cycle (or the last read)
        self._raw: list[bytes] = []
        self._set_sun_N, self._set_normal_N = cyc.setter("sun_N"), cyc.setter("normal_N")
        self._set_wheels = cyc.setter("wheel_ok")
        self._set_pointing = cyc.setter("q_target_BN", "v_target_N")
        self._set_mode = cyc.setter("mode")
        self._get_ints = cyc.getter("wheel_checked", "st_rejected")
        self._get_dipole = cyc.getter("dipole_B")
        self._get_q_w = cyc.getter("q_BN", "w_B")
        self._get_error = cyc.getter("att_error")
        self._get_h = cyc.getter("h_body", "h_norm")
        self._get_sigma = cyc.getter("sigma", "flags")
        self._set_wheels(self._wheel_mask())  # the wheels in use: changed by _wheel_fdir
        #: the whole cycle, one call: the sensor packets read, the cycle's
        #: flags, time and target age set, the core's cycle (and WHEEL_CMD)
        self._run = self.core.adcs_runner(cyc, self._report)
        self._out_ok = False    # a cycle has run
        # Stepping every tick, the sensor packets wait for the cycle, kept as
        # they are (the handler is the list's append); otherwise each is read
        # as it arrives, so that a bad one is reported in its own tick.
        keep = self._raw.append if ctx.period <= ctx.dt else self._read_now
        for pdef in SENSORS:
            ctx.subscribe(pdef, keep)
        ctx.subscribe(ADCS_REQUEST, self._on_request_packet)
        ctx.subscribe(NAV_STATE, self._on_nav_packet)

    @property
    def heads_valid(self) -> int:
        """Heads with a valid fix since the latest ADCS_STATE (mask)."""
        return int(self._sens.heads_valid)

    @property
    def st_t(self) -> float:
        """Time of the latest valid star-tracker fix (-inf: none yet), s."""
        s = self._sens
        return float(s.st_t) if s.st_seen else -math.inf

    @property
    def out(self) -> Result | None:
        """The outputs of the latest cycle the core ran (tests, tools; a
        cycle the core refused leaves the previous ones, or what it wrote)."""
        return self._cyc.result() if self._out_ok else None

    def _wheel_mask(self) -> int:
        mask = 0
        for i, ok in enumerate(self.cds["wheel_ok"]):
            if ok:
                mask |= 1 << i
        return mask

    # ------------------------------------------------------------------ handlers
    def _read_now(self, p: bytes) -> None:
        """A sensor packet read as it arrives (a task not stepping every tick)."""
        self._raw.append(p)
        self._read_pending()

    def _read_pending(self) -> None:
        """Read the sensor packets kept so far (and report the bad ones)."""
        raw = self._raw
        if raw:
            unread = self._cyc.read(raw)
            raw.clear()
            if unread:
                self._report(unread)

    def _report(self, unread: list[bytes]) -> None:
        """Sensor packets the reader refused: each counted and reported as
        the executive reports a packet that does not parse, with the
        dictionary parser's own reason."""
        report_refused(self.ctx, unread)

    def _on_request_packet(self, p: bytes) -> None:
        self._parsed(ADCS_REQUEST, p, self.on_request)

    def _on_nav_packet(self, p: bytes) -> None:
        self._parsed(NAV_STATE, p, self.on_nav)

    def _parsed(self, pdef: PacketDef, p: bytes, handler: Callable[[Any], None]) -> None:
        """``handler`` on the record of ``p``, or ``p`` reported as the
        executive reports a packet that does not parse; either way in its
        place among the sensor packets kept (read first when it is
        reported or the handler raises)."""
        try:
            r = pdef.parse(p)
        except PacketError as exc:
            self._read_pending()
            self.ctx.bad_packet(pdef, exc)
            return
        try:
            handler(r)
        except Exception:
            self._read_pending()
            raise

    def on_request(self, r) -> None:
        if not _finite(r.q_BN) or r.mode not in _CORE_MODE:
            self.faults += 1
            return
        mode = PointingMode(r.mode)
        if r.source == AdcsRequestSource.PROPULSION:
            self.req[1] = (mode, r.q_BN) if r.active else None
        else:
            self.req[0] = (mode, r.q_BN)
        self._redecide = True

    def on_nav(self, r) -> None:
        if r.valid and _finite(r.r_rel_N) and _finite(r.v_rel_N):
            self.nav = (r.r_rel_N, r.v_rel_N, r.t_tai)
            self._redecide = True
        if _finite(r.sun_N):
            self._set_sun_N(*r.sun_N)
        if _finite(r.normal_N):
            self._set_normal_N(*r.normal_N)

    # ------------------------------------------------------------------ cycle
    def _decide(self) -> None:
        """The mode and pointing flown from the requests and the navigation
        solution, written into the core's inputs (kept there until the next
        decision; the target's age is each cycle's)."""
        self._redecide = False
        mode, q_cmd = self.req[1] if self.req[1] is not None else self.req[0]
        core_mode = _CORE_MODE[mode]
        if mode == _INERTIAL and q_cmd is None:
            core_mode = AdcsMode.OFF
        r_t, v_t, t_nav = _NO_TARGET
        if mode == _TARGET_TRACK:
            if self.nav is None:
                core_mode = AdcsMode.RATE_DAMP
            else:
                r_t, v_t, t_nav = self.nav
        self._t_nav = t_nav
        self._set_pointing(*(q_cmd if q_cmd is not None else _Q1), *r_t, *v_t)
        self._set_mode(core_mode)
        self.mode = mode

    def step(self, t: float) -> None:
        cycles = self.cycles = self.cycles + 1
        if self._redecide:
            self._decide()
        t_nav = self._t_nav
        ctx = self.ctx
        seqs = ctx.seq
        seq = seqs[_WHEEL_APID]
        # one call: the sensor packets since the last cycle read into the
        # inputs (the refused ones reported), the cycle's sensor flags, time
        # and target age, then the core's cycle and its WHEEL_CMD
        raw = self._raw
        try:
            pkt = self._run(raw, t, 0.0 if t_nav is None else t - t_nav, seq)
        except GncError as exc:
            raw.clear()
            self.faults += 1
            ctx.event(Severity.ERROR, EventId.ADCS_CORE_ERROR, f"core step: {exc}")
            ctx.send(WHEEL_CMD, torque=(0.0,) * 4)
            return
        raw.clear()
        seqs[_WHEEL_APID] = (seq + 1) & 0x3FFF
        ctx.publish(pkt)
        self._out_ok = True
        checked, bad, used, rejected = self._get_ints()
        if used:
            self.heads_used |= used
        if rejected:
            self.st_rejected += rejected
        every = self.state_every
        # magnetorquers act slowly: their dipole is refreshed once per second
        if (cycles - 1) % every == 0:
            d = self._get_dipole()
            if d != self.last_mtq:
                self.last_mtq = d
                ctx.send_values(_MTQ_APID, _build_mtq, d)
        if checked:
            self._wheel_fdir(checked, bad)
        state = cycles % every == 0
        hk = cycles % self.hk_every == 0
        if state or hk:
            self._telemetry(t, self.mode, state, hk)

    def _telemetry(self, t: float, mode: PointingMode, state: bool, hk: bool) -> None:
        """ADCS_STATE (``state``) and ADCS_HK (``hk``) of this cycle, each
        built from its fields in order (``ctx.send_values``)."""
        ctx = self.ctx
        qw = self._get_q_w()
        q, w = qw[:4], qw[4:]
        (att_error,) = self._get_error()
        if state:
            hb = self._get_h()
            s = self._get_sigma()  # sigma[6], mode, flags
            flags = s[7]
            sens = self._sens
            heads_valid = sens.heads_valid
            sens.heads_valid = 0
            ctx.send_values(_STATE_APID, _build_state, int(mode), int(bool(flags & _EST_VALID)),
                            q, w, att_error, hb[3], hb[:3], self._wheel_mask(), flags & 0xFFFF,
                            float(min(t - self.st_t, 1e9)), max(s[0], s[1], s[2]), s[:3],
                            self.heads_used & 0xFF, heads_valid & 0xFF,
                            self.st_rejected & 0xFFFFFFFF)
            self.heads_used = 0
        if hk:
            ctx.send_values(_HK_APID, _build_hk, int(mode), q, w, att_error,
                            self.cycles & 0xFFFFFFFF, self.faults & 0xFFFFFFFF)

    def _wheel_fdir(self, checked: int, bad: int) -> None:
        """Persistence of the core's wheel check: a wheel failing it
        ``WHEEL_PERSISTENCE`` tested samples in a row is isolated."""
        ok = self.cds["wheel_ok"]
        for i in range(self.k):
            if ok[i] and checked >> i & 1 and self.wheel_p[i].update(bool(bad >> i & 1)):
                ok[i] = False
                self._set_wheels(self._wheel_mask())
                self.faults += 1
                self.ctx.event(Severity.ERROR, EventId.WHEEL_FAILED,
                               f"wheel {i} not following its torque: isolated, "
                               f"{sum(ok)} left")
