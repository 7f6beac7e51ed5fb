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
counted from the IMU's accelerometer (below) --> ``done`` (Δv reached), or
``aborted`` (attitude lost while firing, SAFE, or a fault).
Δv measured, not assumed: the accelerometer's velocity increments (ACCEL,
body axes) are turned into inertial axes with the attitude estimate and
summed over the firing, less the bias calibrated over the last
``ACCEL_CAL_S`` of coasting before it. The commanded impulses (thrust scaled
by the measured tank pressure: blowdown, and the mass estimate) are counted
too; their ratio to the measured Δv (the thrust's true scale, taken once the
measurement is ``ACCEL_RATIO_MIN_DV`` along) scales the thrust the on-times
are computed with and the impulses the accelerometer has not yet seen. So a
thrust 10 % short makes a burn 10 % longer, not 10 % short. Without a
calibrated accelerometer, or with one that disagrees with the commands by
more than ``ACCEL_RATIO_RANGE`` (evented), the burn is counted from the
commands alone.
A burn up to the scenario's ``chaser.rcs.translate_max_dv_mps`` whose Δv the
layout can make from the current attitude (groups along orthogonal body axes)
is a *translation*: no burn attitude is requested, the ADCS keeps its pointing
(the camera on the target), and each cycle the Δv still to do, seen in the
current attitude estimate, is split over the groups along it, each firing for
its component (the core's ``prop_translate``).
A burn that has made its Δv (a slewed burn along the order on the
accelerometer, a translation on its commands) waits for the accelerometer to
see its last pulses; if the measured Δv then misses the order by
``TRIM_MIN_DV`` or more (a main group's tilted thrust, short pulses' rise and
tail-off), the miss is *trimmed* once by a translation from the attitude the
burn holds, before the burn is done.
The pairs' own torque about the true centre of mass (the dry centre's offset
from the layout's, which nothing on board measures directly) is learnt from
translations: each one's change of the body's angular momentum less the
torque of the rest of its pulses (a calibrated group's torque at its mean
pulse, every group's differences from its mean through the layout's arms)
is F x offset for the uncalibrated thrusters' impulse F; the offset's least
squares (``COM_PRIOR_M``) sets the off-pulsing of the later translations'
pairs. Impulses there, and in a slewed burn's calibration of its group (the
firing's mean torque), are the pulses' with the thrusters' rise and
tail-off (the core's first-order model, chaser.rcs ``rise_time_s`` and
``tail_off_s``), followed across the cycles. The torque about x that no thruster can cancel decides
whether a small burn is translated at all: its angular impulse at the learnt
offset plus ``COM_ROLL_K_SIGMA`` of the offset's uncertainty (the least
squares' normal matrix) must leave the wheels ``TRANSLATE_ROLL_HEADROOM`` of
their capacity, or the burn is slewed; a burn's trim is judged at the
estimate alone. While the offset is not known well, a translation's firing
cycles are spaced out so that its torque at ``COM_ROLL_K_SIGMA`` averages
within ``TRANSLATE_TORQUE_SHARE`` of a wheel's torque. No pulse is shorter
than the minimum impulse bit's on-time times ``PULSE_MIN_ON_MARGIN`` (the
valve does not open for one under the true thrust's).
Every burn ends disarmed. An order without a valid arming is rejected (event).

Packets in: PROP_ARM, BURN_ORDER, MISSION_CMD (ARM_THRUSTERS, FIRE), ADCS_STATE,
GYRO, ACCEL, PROP_STATUS, MODE_STATUS, NAV_STATE (orbit normal for the burn attitude).
Packets out: THRUSTER_CMD (only while firing
or testing), PROP_VALVES, ADCS_REQUEST (propulsion override while a burn is
pending), BURN_STATUS, PROP_HK, COMMAND_ACK (executed/failed of ground burn
commands), EVENT.

GYRO and ACCEL (10 Hz) are not parsed in Python: the task keeps them as they
arrive and reads them in one native call (``PropSensors``,
native/include/gnc_prop_sensors.h) at the start of its step, or before any
other packet is handled (so every effect keeps its order; ADCS_STATE while
coasting, PROP_STATUS and NAV_STATE commute with the read and do not wait
for it, unless they do not parse): checked as the
dictionary's parser checks them, the latest valid finite rate kept, the
accelerometer's samples checked, kept in the coasting bias window (a ring of
``PROP_CAL_MAX`` samples, its span trimmed to ``ACCEL_CAL_S`` as the Python
deque was; a full ring drops its oldest, counted) or, firing, handed back
in order. A packet the parser refuses is counted and reported as the
executive reports one (BAD_PACKET, the parser's reason), in arrival order.

Faults (detection from residuals, isolation by the latch valves):

- attitude lost while firing (error above ``ABORT_ATTITUDE_DEG`` in a slewed
  burn, or the body rate changing by more than ``FIRING_RATE_LIMIT``): the
  torque of the group does not cancel, so one thruster is not firing (stuck
  closed): the burn is aborted and a thruster test follows (a translation
  fires in whatever attitude the body holds: its attitude error is the
  pointing's);
- uncommanded torque while idle (body rate above ``IDLE_RATE_LIMIT`` with the
  wheels saturated, or propellant used while not firing): a thruster is
  stuck open: every latch valve is closed and a thruster test follows;
- the thruster test opens one valve at a time and fires a short pulse:
  the gyro's rate change is compared with the expected torque impulse of
  that thruster; a thruster whose response is under ``TEST_RESPONSE`` of the
  expected one (closed) or that turns the body with its valve open and no
  command (open) is isolated together with its diagonal partner (so the
  remaining pairs stay torque-free) and the valves of the others reopen.

The arithmetic (groups and torque-free partners, the group and the burn
attitude for a Δv, on-times, Δv and propellant of each cycle, the monitors'
residuals, a test pulse's expected response) is the guidance core's
(native/include/gnc_prop.h); this task keeps the state machine, the arming,
the counters and the isolation decisions.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterator
from typing import Any

from fsw.constants import G0
from fsw.core.errors import GncError
from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.core.prop import PropConfig, PropSensors
from fsw.core.vec import add, cross, dot, norm, sub
from fsw.packets import DICTIONARY, PacketError
from fsw.packets.codec import peek_apid
from fsw.packets.enums import (
    AckStage,
    AdcsRequestSource,
    BurnStatusState,
    EventId,
    MissionMode,
    PointingMode,
    Severity,
)
from fsw.scenario import Scenario
from fsw.tasks.refused import report_refused

FIRE_ATTITUDE_DEG = 2.0
ABORT_ATTITUDE_DEG = 10.0
IDLE_RATE_LIMIT = math.radians(1.0)
#: the burn attitude is inertially fixed: a body rate above this while firing
#: (three gyro samples in a row) means the thrusters' torques do not cancel.
#: A stuck-closed thruster of the main group (0.4 N m) passes it within 0.3 s;
#: a group's first burn with its 1-2 deg tilt not yet learnt (35-70 mN m, the
#: wheels hold 20) passed 0.3 deg/s before the off-pulsing's first estimate
FIRING_RATE_LIMIT = math.radians(0.6)
#: firing starts once the slew has settled below this body rate
QUIET_RATE = math.radians(0.05)
TEST_PULSE_S = 0.1
TEST_RESPONSE = 0.3
#: after a thruster test the idle monitor waits this long [s]
TEST_BACKOFF_S = 300.0
#: the largest Δv of one burn [m/s]
DV_MAX = 20.0
#: body axis turned towards the orbit normal in a burn attitude (the star tracker)
ST_B = (0.0, -1.0, 0.0)
#: off-pulsing while firing (:meth:`PropulsionTask._offpulse_torque`): the
#: fraction of the wheels' momentum taken back per second [1/s] and the most
#: torque spent on it (a fraction of the wheels' torque: the attitude loop is
#: soft, kp 0.08 N m/rad, so every mN m the wheels must first feel costs
#: about 0.7 deg of pointing; 10 mN m turned the burn attitude 3 deg off and
#: aborted burns), and the gain of the filter on the thrust's estimated torque
#: (ADCS_STATE arrives once a second)
OFFPULSE_GAIN = 0.05
OFFPULSE_BACK_MAX = 0.05
OFFPULSE_FILTER = 0.7
#: the accelerometer's bias is the mean of its increments over the last
#: ACCEL_CAL_S of coasting [s] (the sensor's white noise, 1.7e-4 m/s/s^0.5,
#: leaves 1.5e-5 m/s^2 of it: 0.1 % of the 4 N main group's acceleration;
#: over 30 s it left 0.3-0.5 % short or long burns); with less than
#: ACCEL_CAL_MIN_S the burn is counted from the commands (an uncalibrated
#: bias, 100 ug, is 8 % of that acceleration)
ACCEL_CAL_S = 120.0
ACCEL_CAL_MIN_S = 10.0
#: the thrust scale (measured / commanded Δv) is taken once this much Δv has
#: been measured [m/s] (the sensor's noise there, over the 1-2 s of a small
#: translation: 2e-4 m/s, 4 %, falling as the burn goes on; at 0.02 the
#: corrections below it went on the commands alone, one 7 % long), and trusted
#: within this range (a wider disagreement is a sensor or thruster fault)
ACCEL_RATIO_MIN_DV = 0.005
ACCEL_RATIO_RANGE = (0.7, 1.3)
#: firing cycles whose effect the accelerometer has not seen yet (THRUSTER_CMD
#: of a cycle acts in the world's next tick; its ACCEL comes the tick after)
ACCEL_LAG = 1
#: a burn that has reached its Δv (a slewed burn along the order, a
#: translation on its commands) is trimmed by a translation from the attitude
#: it holds when the measured Δv misses the order by more than this [m/s]: a
#: main group's thrust tilted 1 deg (issue #15's execution error, 1 sigma)
#: leaves 17 mm/s across per m/s of a slewed burn, which the pairs along +-y
#: and +-z take out without a slew; a translation's short pulses make more or
#: less than commanded (rise and tail-off: campaign d2, a 0.089 m/s
#: translation made 5 deg off its order, 7.8 mm/s). Below it the measurement
#: is not better than the miss: the accelerometer's white noise over a 75 s
#: (1 m/s) burn is 1.5 mm/s per axis and its bias residual after calibration
#: about 1 mm/s more
TRIM_MIN_DV = 3e-3
#: the dry centre of mass's offset from the layout's (chaser.rcs positions are
#: from the flight software's centre), learnt from translations: each one's
#: change of the body's total angular momentum (ADCS_STATE, before its first
#: pulse and COM_SETTLE_S after its last) less the torque impulse the
#: off-pulsing commanded is F x delta for the impulse F of its uncalibrated
#: thrusters (body); least squares over the translations, with a prior of
#: COM_PRIOR_M per axis (1 sigma, the scenario's dispersion, assumed) against
#: a momentum noise of COM_MOMENTUM_NOISE [N m s]: measured, the change of
#: the body's momentum from ADCS_STATE over 5 to 15 s with no thruster
#: firing is 2.0 to 4.1 mN m s (1 sigma per axis; seeds 595764059 and
#: 190979929, the default and far missions): the rate estimate's noise times
#: the inertia, the magnetorquers' unloading, the gravity gradient. At 1 mN m
#: s (the figure before) three translations of 1.1 to 1.5 N s claimed the
#: offset to 0.5 mm and were 3.5 mm off: a 0.088 m/s translation judged at
#: +0.040 +-0.013 N m s took the wheels to +0.186 and the camera 45 deg off
#: the target for 10 minutes (far_insertion, seed 190979929). The
#: pairs along +-y and +-z cancel the torque of the offset they see from the
#: next translation on (an offset along x unbalances them: 19 mN m per pair at
#: 9.4 mm, the wheels hold 20). The torque about x a pair makes from an offset
#: across it no thruster of the layout can cancel
COM_PRIOR_M = 0.005
COM_MOMENTUM_NOISE = 3e-3
#: the main (+-x) thrusters' direction error, 1-sigma per axis across the
#: thrust (issue #15's +-1 deg, the scenario's main_thrust_tilt dispersion;
#: the pairs along y and z are taken as aligned, as the scenario's are): the
#: torque an uncalibrated main thruster's side force makes at its lever arm
#: is not the offset's, and each translation's equation takes it as noise
#: (with COM_MOMENTUM_NOISE, in quadrature; the largest axis). Without it a
#: 3.1 deg tilt (0.18 N m s in a translation of 6.2 N s along x, where the
#: offset made 0.017) was learnt as an offset 14 mm off, claimed to 0.5 mm
#: (stop 44, seed 2508723782)
COM_DIRECTION_SIGMA = math.radians(1.0)
COM_SETTLE_S = 0.5
#: a translation whose implied offset is beyond this [m] is not learnt from
#: (a thruster fault, not a centre of mass), nor one below this impulse [N s]
COM_MAX_M = 0.05
COM_MIN_IMPULSE = 0.2
#: ... so a small burn is translated only if the torque about x its pairs
#: would make about the learnt centre of mass keeps the wheels' momentum
#: about x within this fraction of their capacity; otherwise it is slewed
#: (the main groups along x make no torque about x). A translation's angular
#: impulse is m dv x offset: 0.085 m/s with 1 cm across took the wheels from
#: -0.01 to -0.185 N m s (capacity 0.18) and the camera 21 deg off the target
#: as an inspection began (campaign d3, seed 1017106202)
TRANSLATE_ROLL_HEADROOM = 0.6
#: ... that torque taken at the learnt offset and this many sigmas of its
#: uncertainty (COM_MOMENTUM_NOISE^2 times the inverse of the least squares'
#: normal matrix, the prior COM_PRIOR_M in it): two translations of 0.017 and
#: 0.030 m/s along nearly the same body direction left the offset across
#: them at 0.07 N m s (1 sigma) of a 0.089 m/s translation's roll; at the
#: estimate alone it was to take the wheels to -0.035 N m s, it took them to
#: -0.19 (capacity 0.18), 9 deg off its order and with no room for its trim
#: (campaign g2, seed 595764059: the transfer it began would have passed 184
#: m from the target, inside the keep-out, had its correction been missed).
#: A burn's trim is judged at the estimate alone (:meth:`PropulsionTask._trim`)
COM_ROLL_K_SIGMA = 2.0
#: a translation's firing cycles are spaced out so that the torque its
#: uncalibrated thrusters' force makes about the centre of mass, at the
#: learnt offset (the part about x: no thruster cancels it) and
#: COM_ROLL_K_SIGMA of its uncertainty (every axis), averages at most this
#: share of a wheel's torque: before any translation is learnt from, the
#: pairs along y and z together (2.8 N across) at the 5 mm prior make up to
#: 28 mN m (2 sigma), more than the wheels' 20. A 42.8 mm/s trim of the first
#: main burn turned the body 0.42 deg/s in 4 s and was aborted as "body
#: turning" (campaign g4, seed 3032835537: offset 10.8 mm along y)
TRANSLATE_TORQUE_SHARE = 0.5
#: no pulse is commanded shorter than the minimum impulse bit's on-time at the
#: rated thrust times this: the valve does not open for a pulse under its
#: minimum on-time, which is that of the true thrust (rated +-5 %, 1 sigma,
#: issue #15: hil.sim's minimum impulse bit over the thruster's true force),
#: so a pulse at the rated figure is lost whenever the thrust is low. Seed
#: 595764059 (campaign g2): the 10 ms pulses of a translation's x group made
#: 6 % of their impulse, and the
#: centre of mass learnt from the commanded impulse was wrong by more than
#: its own sigma. 1.25 keeps pulses above it to a thrust 20 % low (4 sigma)
PULSE_MIN_ON_MARGIN = 1.25
#: thruster slots of THRUSTER_CMD.on_time (the core's GNC_PROP_MAX)
SLOTS = 16
#: thrusters of a translation group fired together (the pairs along ±y and ±z)
TRANSLATE_PAIR = 2

PROP_ARM = DICTIONARY["PROP_ARM"]
BURN_ORDER = DICTIONARY["BURN_ORDER"]
BURN_STATUS = DICTIONARY["BURN_STATUS"]
MISSION_CMD = DICTIONARY["MISSION_CMD"]
ADCS_STATE = DICTIONARY["ADCS_STATE"]
ADCS_REQUEST = DICTIONARY["ADCS_REQUEST"]
GYRO = DICTIONARY["GYRO"]
ACCEL = DICTIONARY["ACCEL"]
PROP_STATUS = DICTIONARY["PROP_STATUS"]
MODE_STATUS = DICTIONARY["MODE_STATUS"]
NAV_STATE = DICTIONARY["NAV_STATE"]
THRUSTER_CMD = DICTIONARY["THRUSTER_CMD"]
PROP_VALVES = DICTIONARY["PROP_VALVES"]
PROP_HK = DICTIONARY["PROP_HK"]
COMMAND_ACK = DICTIONARY["COMMAND_ACK"]
ARM_THRUSTERS = DICTIONARY["ARM_THRUSTERS"]
FIRE = DICTIONARY["FIRE"]

#: COMMAND_ACK reasons of this task
R_NOT_ARMED, R_BAD_ARG, R_ABORTED = 10, 11, 12
_Z3 = (0.0, 0.0, 0.0)
_Q1 = (1.0, 0.0, 0.0, 0.0)
#: a burn in progress
#: the burn states the 10 Hz path compares with, as module constants (an
#: enum member's look-up on its class costs ~0.15 us in Python 3.11)
_PENDING, _FIRING = BurnStatusState.PENDING, BurnStatusState.FIRING
_ACTIVE = (_PENDING, _FIRING)


_ZS = (0.0,) * SLOTS
#: the inputs of PROP_HK's centre-of-mass sigma as bytes (normal matrix, estimate)
_SIGMA_KEY = struct.Struct("<12d")


def _finite(x) -> bool:
    return all(map(math.isfinite, x))



def _offpulse_start(tau: tuple[float, float, float] = _Z3) -> dict:
    """The off-pulsing state at the start of a firing: no ADCS_STATE taken
    yet (t), its total angular momentum (H), the cuts' torque impulse and the
    firing time since (L, on), the thrust's estimated torque (tau: the
    group's calibration from earlier burns, else none) and the estimates made
    in this firing (n); for the group's calibration, the pulses' differential
    torque impulse (:meth:`PropulsionTask._pulse_torque`) and their mean
    pulse at the thrust (N s) since the last state (Lc, fon), and over the
    whole firing since the first state, the momentum's change less the
    former (sum_y) and the latter (sum_fon): the calibration is their ratio."""
    return {"t": None, "H": _Z3, "L": _Z3, "on": 0.0, "Lc": _Z3, "fon": 0.0, "tau": tau,
            "n": 0, "sum_y": _Z3, "sum_fon": 0.0}


def _pulse_centre(on) -> float:
    """The centre in time of a cycle's impulse after the cycle's start: each
    thruster's pulse starts with the cycle, its impulse is its on-time's."""
    s1 = s2 = 0.0
    for x in on:
        if x > 0.0:
            s1 += x
            s2 += x * x
    return s2 / (2.0 * s1) if s1 > 0.0 else 0.0

class PropulsionTask:
    """See the module docstring."""

    name = "propulsion"
    rate_group = "attitude"

    def __init__(self, scenario: Scenario, core: GuidanceCore | None = None) -> None:
        self.sc = scenario
        rcs = scenario.chaser.rcs
        self.n = rcs.count
        if self.n > SLOTS:
            raise ValueError(f"{self.n} thrusters: THRUSTER_CMD carries {SLOTS}")
        self.translate_max = rcs.translate_max_dv_mps
        self.F_ref = self.F = rcs.thrust_n
        self.p_ref = rcs.reference_pressure_pa
        self.pressure = 0.0
        self.dt = 1.0 / scenario.rates.adcs_hz
        self.core = core if core is not None else LocalCore()
        self.hk_every = max(1, round(scenario.rates.housekeeping_s * scenario.rates.adcs_hz))
        #: each thruster's torque per newton about the layout's origin (the
        #: core's arms: position x direction) and the groups of thrusters of
        #: one direction (masks), for :meth:`_pulse_torque`
        self.arm = [cross(tuple(map(float, rcs.positions_b[i])),
                          tuple(map(float, rcs.directions_b[i]))) for i in range(self.n)]
        self.dir_groups = []
        for i in range(self.n):
            if not any(g >> i & 1 for g in self.dir_groups):
                d = rcs.directions_b[i]
                self.dir_groups.append(sum(1 << j for j in range(self.n)
                                           if dot(rcs.directions_b[j], d) > 0.999))
        #: critical data store: survives restarts
        self.cds = {
            "ok": [True] * self.n,
            "propellant": rcs.propellant_kg,
            "dry_mass": scenario.chaser.mass_kg - rcs.propellant_kg,
            "dv_total": 0.0,
            "burns": 0,
            #: the thrust's own torque per newton of each thruster's thrust
            #: (misalignment, centre-of-mass offset), per group mask, as the
            #: off-pulsing of the group's last slewed burn estimated it
            "thrust_torque": {},
            #: the centre-of-mass least squares from translations: normal
            #: matrix (row-major 3x3, the prior on its diagonal), right-hand
            #: side, the estimate [m, body] and the translations used
            "com": {"N": [(COM_MOMENTUM_NOISE / COM_PRIOR_M) ** 2 if i % 4 == 0 else 0.0
                          for i in range(9)],
                    "b": [0.0, 0.0, 0.0], "est": (0.0, 0.0, 0.0), "n": 0},
        }

    def config(self) -> PropConfig:
        """The core's propulsion configuration from the scenario."""
        rcs, ch = self.sc.chaser.rcs, self.sc.chaser
        return PropConfig(
            position_B=[tuple(map(float, p)) for p in rcs.positions_b],
            direction_B=[tuple(map(float, d)) for d in rcs.directions_b],
            inertia=(ch.inertia_kgm2[0], 0.0, 0.0, 0.0, ch.inertia_kgm2[1], 0.0,
                     0.0, 0.0, ch.inertia_kgm2[2]),
            isp=rcs.isp_s, g0=G0,
            min_on=rcs.min_impulse_bit_ns / rcs.thrust_n * PULSE_MIN_ON_MARGIN,
            secondary_B=ST_B)

    # ------------------------------------------------------------------ lifecycle
    def init(self, ctx) -> None:
        self.ctx = ctx
        self.core.prop_configure(self.config())
        self.partner = self.core.prop_partners()
        self.state = BurnStatusState.IDLE
        self.armed_until = -math.inf
        self.burn = None  # dict: id, t_exec, dv, mag, done, ack, purpose, q, axis, ...
        self.att = None  # (valid, q_BN, rate, att_error, |h|, h_B, t)
        self.mode = MissionMode.STANDBY
        self.faults = 0
        self.cycles = 0
        self.valves = self._mask()
        self.test = None
        self.normal = (0.0, 0.0, 1.0)
        self.t = 0.0  # the current cycle's time
        #: each thruster's thrust level (fraction of full) at the end of the
        #: last cycle it was followed to (level_t), for :meth:`_pulses`
        self.level = [0.0] * SLOTS
        self.level_t = -math.inf
        self.idle_rate_count = 0
        self.monitor_after = -math.inf
        self.firing_rate_count = 0
        self.rates_fire0 = _Z3
        #: off-pulsing state of the burn firing (see _offpulse_torque)
        self.offpulse = _offpulse_start()
        self.gauge = None
        #: the IMU's packets read natively: the latest valid rate and the
        #: accelerometer's coasting increments (dv_B, dt) for its bias
        self._sens = PropSensors(ACCEL_CAL_S)
        self._sens_read = self._sens.reader()
        #: GYRO and ACCEL packets arrived since the last read
        self._raw: list[bytes] = []
        self.accel_bad = 0
        #: the last burn's measured thrust scale (0: none yet)
        self.thrust_scale = 0.0
        #: the translation being learnt from (see COM_PRIOR_M): momentum
        #: before it, its uncalibrated impulse and commanded torque impulse
        self.com_rec = None
        self.status_every = max(1, round(1.0 / self.dt))
        #: the last core answers of _duration and _com_sigma_cached, with their inputs
        self._duration_key: tuple | None = None
        self._duration_val = 0.0
        self._sigma_key: bytes | None = None
        self._sigma_val = (math.nan, math.nan, math.nan)
        # Stepping every tick, GYRO and ACCEL wait for the next read (the
        # step's start, or the next other packet), kept as they are (the
        # handler is the list's append); otherwise each is read as it arrives.
        keep = self._raw.append if ctx.period <= ctx.dt else self._read_now
        ctx.subscribe(PROP_ARM, self._parsed(PROP_ARM, self.on_arm))
        ctx.subscribe(BURN_ORDER, self._parsed(BURN_ORDER, self.on_order))
        ctx.subscribe(MISSION_CMD, self._parsed(MISSION_CMD, self.on_command))
        # ADCS_STATE, PROP_STATUS and NAV_STATE commute with the read of the
        # kept GYRO and ACCEL packets (on_adcs only while coasting: a firing's
        # handed-back samples are turned with its attitude): see _parsed
        ctx.subscribe(ADCS_STATE, self._parsed(ADCS_STATE, self.on_adcs, self._coasting))
        ctx.subscribe(GYRO, keep)
        ctx.subscribe(ACCEL, keep)
        ctx.subscribe(PROP_STATUS, self._parsed(PROP_STATUS, self.on_prop_status, self._always))
        ctx.subscribe(MODE_STATUS, self._parsed(MODE_STATUS, self.on_mode))
        ctx.subscribe(NAV_STATE, self._parsed(NAV_STATE, self.on_nav, self._always))
        self._send_valves()

    # ------------------------------------------------------------------ handlers
    def on_arm(self, r) -> None:
        self._arm(r.arm, r.window)

    def _arm(self, arm: int, window: float) -> bool:
        if arm and math.isfinite(window) and 0 < window <= 3600:
            self.armed_until = self.ctx.t + window
            self.ctx.event(Severity.INFO, EventId.THRUSTERS_ARMED,
                           f"thrusters armed for {window:.0f} s")
            return True
        self.armed_until = -math.inf
        return not arm

    def on_order(self, r) -> None:
        self._order(r.burn_id, r.t_exec, r.dv_N, r.purpose, None)

    def _order(self, burn_id: int, t_exec: float, dv, purpose: str, ack) -> bool:
        t = self.ctx.t
        reason = None
        mag = math.sqrt(dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2]) if _finite(dv) \
            else math.inf
        if not (_finite(dv) and math.isfinite(t_exec)):
            reason = "non-finite order"
        elif mag > DV_MAX:
            reason = f"delta-v above {DV_MAX:.0f} m/s per burn"
        elif t > self.armed_until:
            reason = "not armed"
        elif self.mode == MissionMode.SAFE and ack is None and not purpose.startswith("collision"):
            reason = "SAFE mode"
        elif self.burn is not None and self.state in _ACTIVE:
            reason = "a burn is in progress"
        elif self.test is not None:
            reason = "thruster test in progress"
        if reason is not None:
            self.faults += 1
            self.ctx.event(Severity.WARNING, EventId.BURN_REJECTED,
                           f"burn {burn_id} rejected: {reason}")
            self.ctx.send(BURN_STATUS, burn_id=burn_id, state=BurnStatusState.REJECTED, dv_done=0.0,
                          dv_total=self.cds["dv_total"], thrusters_ok=self._mask(),
                          propellant=self.cds["propellant"], dv_N=_Z3, dv_dt=0.0)
            return False
        self.armed_until = -math.inf  # the order consumes the arming
        self.burn = {"id": burn_id, "t_exec": t_exec, "dv": tuple(dv), "done": 0.0, "ack": ack,
                     "purpose": purpose, "q": None, "axis": None, "mag": mag,
                     "translate": None, "skip": 0}
        self.state = BurnStatusState.PENDING
        self.ctx.event(Severity.INFO, EventId.BURN,
                       f"burn {burn_id} pending: {mag:.3f} m/s, {purpose}"[:96])
        self._status()
        return True

    def on_command(self, r) -> None:
        if r.owner != self.name:
            return
        raw = r.command
        apid = peek_apid(raw)
        if apid == ARM_THRUSTERS.apid:
            tc = ARM_THRUSTERS.parse(raw)
            ok = self._arm(tc.arm, tc.window)
            self._ack(tc, AckStage.EXECUTED if ok else AckStage.REJECTED,
                      0 if ok else R_BAD_ARG)
        elif apid == FIRE.apid:
            tc = FIRE.parse(raw)
            ok = self._order(0x80000000 | (tc.auth_seq & 0x7FFFFFFF), self.ctx.t + 300.0,
                             tc.dv_N, "ground FIRE", tc)
            if not ok:
                self._ack(tc, AckStage.REJECTED, R_NOT_ARMED)

    def _ack(self, tc, stage: int, reason: int) -> None:
        self.ctx.send(COMMAND_ACK, command_apid=tc.apid, command_seq=tc.seq,
                      command_auth_seq=tc.auth_seq, stage=stage, reason=reason)

    def on_adcs(self, r) -> None:
        self.att = (r.valid, r.q_BN, r.rate_B, r.att_error, r.h_wheels, r.h_B, r.t_tai)
        rec = self.com_rec
        if rec is not None and rec["t_end"] is not None and r.t_tai >= rec["t_end"] + COM_SETTLE_S:
            self.com_rec = None
            if r.valid and _finite(r.rate_B) and _finite(r.h_B):
                self._com_learn(rec, self._momentum())

    def _direction_torque_var(self, imp) -> float:
        """The variance [(N m s)^2] of the largest axis of the torque impulse
        that the direction errors (COM_DIRECTION_SIGMA across each thrust) of
        the main (+-x) thrusters firing the impulses ``imp`` [N s] make: for
        each, its side force along the two axes across its thrust at its
        lever arm."""
        if not imp:
            return 0.0
        rcs = self.sc.chaser.rcs
        var = [0.0, 0.0, 0.0]
        for i, a in enumerate(imp):
            r, d = rcs.positions_b[i], rcs.directions_b[i]
            if a <= 0.0 or abs(d[0]) < 0.999:
                continue
            # two unit vectors across d: d x (the body axis least along d)
            k = min(range(3), key=lambda j: abs(d[j]))
            e = [0.0, 0.0, 0.0]
            e[k] = 1.0
            e1 = cross(d, e)
            n1 = norm(e1)
            e1 = (e1[0] / n1, e1[1] / n1, e1[2] / n1)
            e2 = cross(d, e1)
            s = a * COM_DIRECTION_SIGMA
            for u in (e1, e2):
                t = cross(r, u)
                for j in range(3):
                    var[j] += (s * t[j]) ** 2
        return max(var)

    def _com_sigma_cached(self) -> tuple[float, float, float]:
        """:meth:`_com_sigma` for PROP_HK, computed again only when the
        least squares' normal matrix or estimate changed (a translation
        learnt from; the core's function is pure). A failed core call is
        not kept."""
        c = self.cds["com"]
        key = _SIGMA_KEY.pack(*c["N"], *c["est"])  # bit for bit (a -0.0 is not a 0.0)
        if key != self._sigma_key:
            sigma = self._com_sigma()
            self._sigma_key = key if sigma[0] == sigma[0] else None  # NaN: the link failed
            self._sigma_val = sigma
        return self._sigma_val

    def _com_sigma(self) -> tuple[float, float, float]:
        """The learnt centre of mass's 1-sigma per body axis (PROP_HK): the
        core's torque uncertainty of a unit force along x (its y and z parts
        are the offset's z and y) and along y (its z part: the offset's x)."""
        c = self.cds["com"]
        try:
            _, sx = self.core.prop_com_torque(c["N"], c["est"], (1.0, 0.0, 0.0),
                                              COM_MOMENTUM_NOISE)
            _, sy = self.core.prop_com_torque(c["N"], c["est"], (0.0, 1.0, 0.0),
                                              COM_MOMENTUM_NOISE)
        except GncError:
            return (math.nan, math.nan, math.nan)
        return (sy[2], sx[2], sx[1])

    def _momentum(self) -> tuple[float, float, float]:
        """The body's total angular momentum I w + h_wheels (body) from the
        latest ADCS_STATE."""
        J = self.sc.chaser.inertia_kgm2
        w, h = self.att[2], self.att[5]
        return (J[0] * w[0] + h[0], J[1] * w[1] + h[1], J[2] * w[2] + h[2])

    def _com_learn(self, rec: dict, H1: tuple[float, float, float]) -> None:
        """One translation's equation F x delta = H1 - H0 - L into the
        centre-of-mass least squares (COM_PRIOR_M) by the core, and the new
        estimate when it gives one."""
        F, L, H0 = rec["F"], rec["L"], rec["H0"]
        y = (H1[0] - H0[0] - L[0], H1[1] - H0[1] - L[1], H1[2] - H0[2] - L[2])
        # weighted by the momentum's noise over the equation's (the direction
        # error's torque too): the normal matrix stays in COM_MOMENTUM_NOISE units
        w = COM_MOMENTUM_NOISE / math.sqrt(COM_MOMENTUM_NOISE * COM_MOMENTUM_NOISE
                                           + self._direction_torque_var(rec.get("I")))
        F = (w * F[0], w * F[1], w * F[2])
        y = (w * y[0], w * y[1], w * y[2])
        c = self.cds["com"]
        try:
            N, b, est, used = self.core.prop_com_update(c["N"], c["b"], F, y,
                                                        w * COM_MIN_IMPULSE, COM_MAX_M)
        except GncError:
            return  # not learnt from (the core's link failed)
        if used:  # accumulated (2: and solved)
            c["N"][:], c["b"][:] = N, b
        if used == 2:
            c["est"] = est
            c["n"] += 1

    def on_nav(self, r) -> None:
        n = r.normal_N
        if _finite(n) and abs(math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]) - 1) < 1e-3:
            self.normal = n

    def _parsed(self, pdef: Any, handler: Callable[[Any], None],
                commutes: Callable[[], bool] | None = None) -> Callable[[bytes], None]:
        """``handler`` behind ``pdef``'s parser, the GYRO and ACCEL packets
        kept so far read first (so every effect keeps its order: the rate
        and the window as they were when the packet came); a packet that
        does not parse is counted and reported as the executive reports one,
        after the kept packets are read (their refusals first, as they came).

        ``commutes``: the handler and the read of the kept packets commute
        while it says so (the handler neither reads nor changes anything the
        read reads or writes, sends nothing, and leaves it saying so): the
        read then waits for the next one (the step's, or another packet's),
        unless the handler raises (the kept packets are read before the
        fault is reported, as when they were read first)."""
        raw = self._raw
        parse = pdef.parse

        def each(p: bytes) -> None:
            try:
                r = parse(p)
            except PacketError as exc:
                if raw:
                    self._read_pending()
                self.ctx.bad_packet(pdef, exc)
                return
            if raw and (commutes is None or not commutes()):
                self._read_pending()
            try:
                handler(r)
            except Exception:
                if raw:
                    self._read_pending()
                raise

        return each

    def _coasting(self) -> bool:
        """The kept packets' read hands no sample back (not FIRING, no
        thruster test): it changes only the rate, the window and the counts."""
        return self.state != _FIRING and self.test is None

    @staticmethod
    def _always() -> bool:
        return True

    def _read_now(self, p: bytes) -> None:
        """A GYRO or ACCEL packet read as it arrives (a task not stepping
        every tick)."""
        self._raw.append(p)
        self._read_pending()

    def _read_pending(self) -> None:
        """The GYRO and ACCEL packets kept so far, read in one native call
        (gnc_prop_sensors_read): the latest valid finite rate kept as the
        rate; an accelerometer sample rejected (not valid, a non-finite
        increment or an interval outside (0, 10] s, a NaN or an infinite one
        included) counted in ``accel_bad`` (PROP_HK.accel_rejected), a valid
        one of zero interval (the sensor's first) skipped uncounted; a good
        one, coasting (not FIRING, no thruster test), kept in the bias window
        (ACCEL_CAL_S of samples, the running span trimmed as it always was),
        otherwise handed to :meth:`_accel_firing`. A packet the parser
        refuses is reported as the executive reports one, in its place."""
        raw = self._raw
        if self._sens_read(raw, self.state != _FIRING and self.test is None):
            self._read_attention(raw)
        else:
            raw.clear()

    def _read_attention(self, raw: list[bytes]) -> None:
        """The rest of a read that has packets to look at (refused,
        rejected or, firing, handed back): ``raw`` emptied, the refused
        reported, the rejected counted, the handed back summed."""
        sens = self._sens
        unread = sens.unread(raw)
        raw.clear()
        if unread:
            self._report(unread)
        self.accel_bad += sens.rejected
        for dv, dt in sens.fired():
            self._accel_firing(dv, dt)

    @property
    def rates(self) -> tuple[float, float, float] | None:
        """The latest valid gyro rate (rad/s, body) read; None before one."""
        return self._sens.rate

    def _report(self, unread: list[bytes]) -> None:
        """The kept packets the reader refused, each counted and reported
        as the executive reports a packet that does not parse, with the
        dictionary parser's own reason, in arrival order (reading the good
        ones sends nothing, so the events keep their place)."""
        report_refused(self.ctx, unread)

    @property
    def accel_cal(self) -> list[tuple[tuple[float, float, float], float]]:
        """The accelerometer's coasting window, ``(dv_B, dt)`` oldest first."""
        return self._sens.window

    @property
    def accel_cal_s(self) -> float:
        """The window's running span (s)."""
        return self._sens.span

    def _accel_firing(self, dv: tuple[float, float, float], dt: float) -> None:
        """A good accelerometer sample while firing (or under a thruster
        test): summed into the firing burn's measured Δv (bias removed,
        inertial axes) once there is a bias, otherwise dropped."""
        b = self.burn
        if self.state == _FIRING and b is not None and b["bias_B"] is not None:
            q = self.att[1] if self.att is not None and self.att[0] else b["q"]
            if q is None:
                return
            try:
                d = self.core.prop_accel(dv, dt, b["bias_B"], q)
            except GncError:
                self.accel_bad += 1
                return
            b["meas_N"] = add(b["meas_N"], d)
            b["n_acc"] += 1

    def _accel_bias(self) -> tuple[float, float, float] | None:
        """The accelerometer's bias: the mean increment over the coasting
        window; None without enough of it."""
        return self._sens.bias(ACCEL_CAL_MIN_S)

    def _measure_start(self) -> None:
        """The burn's Δv accounting at the start of its firing: the
        accelerometer's bias, the measured and commanded Δv (inertial)."""
        b = self.burn
        b["bias_B"] = self._accel_bias()
        b["meas_N"] = b["seen_N"] = b["cmd_N"] = b["done_N"] = _Z3
        b["cmd"] = []
        # since the last status: the sum of the commanded |dv| and of |dv| times
        # its pulses' centre in time after t_ref (BURN_STATUS.dv_dt)
        b["centre"] = [0.0, 0.0]
        b["t_ref"] = self.t
        b["n_acc"] = b["n_seen"] = 0
        b["scale"] = 1.0
        b["acc_ok"] = b["bias_B"] is not None
        if not b["acc_ok"]:
            self.ctx.event(Severity.WARNING, EventId.BURN,
                           f"burn {b['id']}: accelerometer not calibrated, "
                           f"delta-v counted from the commands")
        self._sens.clear()

    def _measured(self, u) -> tuple[float, tuple[float, float, float]]:
        """The burn's Δv so far: ``(along the unit order u, vector N)`` --
        measured plus the commanded impulses the accelerometer has not seen
        yet, scaled by the measured thrust scale; the commands alone without
        a trusted accelerometer. Updates the burn's thrust scale."""
        b = self.burn
        cmd = b["cmd"]
        # the cycles the accelerometer has seen
        while b["n_seen"] < len(cmd) and b["n_seen"] + ACCEL_LAG < b["n_acc"]:
            b["seen_N"] = add(b["seen_N"], cmd[b["n_seen"]])
            b["n_seen"] += 1
        tot = b["cmd_N"]
        if not b["acc_ok"]:
            b["done_N"] = tot
            return dot(tot, u), tot
        m, c = dot(b["meas_N"], u), dot(b["seen_N"], u)
        if m >= ACCEL_RATIO_MIN_DV and c > 0.0:
            scale = m / c
            lo, hi = ACCEL_RATIO_RANGE
            if not lo <= scale <= hi:
                b["acc_ok"] = False
                self.faults += 1
                self.ctx.event(Severity.WARNING, EventId.BURN,
                               f"burn {b['id']}: accelerometer {m:.3f} against commanded "
                               f"{c:.3f} m/s: counted from the commands"[:96])
                b["done_N"] = tot
                return dot(tot, u), tot
            b["scale"] = scale
        # the commanded impulses at the measured scale: along u, the measured
        # Δv plus the scaled impulses not yet seen (a translation steers its
        # cross-track components by the commands: the sensor's noise there
        # would have it chase pulses round the target velocity)
        k = b["scale"]
        # the vector reported (BURN_STATUS.dv_N, for the navigation): the
        # measured Δv in every direction, plus the scaled impulses not yet seen
        rest = sub(tot, b["seen_N"])
        b["done_N"] = add(b["meas_N"], (k * rest[0], k * rest[1], k * rest[2]))
        return m + k * (dot(tot, u) - c), (k * tot[0], k * tot[1], k * tot[2])

    def _commanded(self, dv_N, on=None) -> None:
        """A firing cycle's commanded Δv (inertial), for :meth:`_measured`;
        ``on``: its on-times (the pulses start with the cycle), for the time
        the reported Δv was delivered (BURN_STATUS.dv_dt)."""
        b = self.burn
        b["cmd"].append(tuple(dv_N))
        b["cmd_N"] = add(b["cmd_N"], dv_N)
        if on is not None:
            w = norm(dv_N)
            if w > 0.0:
                c = b["centre"]
                c[0] += w
                c[1] += w * (self.t - b["t_ref"] + _pulse_centre(on))

    def on_prop_status(self, r) -> None:
        if math.isfinite(r.propellant_mass):
            self.gauge = r.propellant_mass
        if math.isfinite(r.tank_pressure) and 0.1 < r.tank_pressure / self.p_ref < 2.0:
            # blowdown: the thrust follows the measured tank pressure
            self.F = self.F_ref * r.tank_pressure / self.p_ref
            self.pressure = r.tank_pressure

    def on_mode(self, r) -> None:
        entering_safe = r.mode == MissionMode.SAFE and self.mode != MissionMode.SAFE
        if entering_safe and self.state in _ACTIVE \
                and not self.burn["purpose"].startswith("collision"):
            self._end(BurnStatusState.ABORTED, "SAFE mode")
        self.mode = r.mode

    # ------------------------------------------------------------------ cycle
    def _mask(self) -> int:
        return sum(1 << i for i, ok in enumerate(self.cds["ok"]) if ok)

    def _mass(self) -> float:
        return self.cds["dry_mass"] + self.cds["propellant"]

    def step(self, t: float) -> None:
        state = self.state
        raw = self._raw
        if raw:  # _read_pending, inlined
            if self._sens_read(raw, state != _FIRING and self.test is None):
                self._read_attention(raw)
                state = self.state  # (a sample handed back never changes it)
            else:
                raw.clear()
        cycles = self.cycles = self.cycles + 1
        self.t = t
        second = cycles % self.status_every == 0
        if self.test is not None:
            self._test_step()
        elif state == _PENDING:
            self._pending(t)
        elif state == _FIRING:
            self._fire(t)
        elif second:
            self._idle_monitor()
        if second and self.state in _ACTIVE:
            self._status()
        if cycles % self.hk_every == 0:
            self.ctx.send(PROP_HK, mode=int(self.state), armed=int(t <= self.armed_until),
                          tank_pressure=self.pressure, propellant_mass=self.cds["propellant"],
                          dv_total=self.cds["dv_total"], burns=self.cds["burns"],
                          faults=self.faults, thrust_scale=self.thrust_scale,
                          accel_rejected=self.accel_bad & 0xFFFFFFFF,
                          com_B=self.cds["com"]["est"], com_sigma_B=self._com_sigma_cached(),
                          com_n=min(self.cds["com"]["n"], 0xFFFF))

    def _duration(self, n_fire: int, mag: float) -> float:
        """The core's duration of a burn of ``mag`` m/s on ``n_fire``
        thrusters at the current thrust and mass, asked again only when one
        of them changed: a pending burn asks every cycle (10 Hz) for minutes,
        and its inputs change once a second at most (the thrust follows
        PROP_STATUS's pressure). The core's function is pure: the same
        arguments, the same bits."""
        # positive numbers (a thrust, a mass, a burn's magnitude): equal
        # floats are the same bits
        key = (n_fire, self.F, self._mass(), mag)
        if key != self._duration_key:
            self._duration_val = self.core.prop_duration(*key)
            self._duration_key = key
        return self._duration_val

    def _pending(self, t: float) -> None:
        b = self.burn
        dv, mag = b["dv"], b["mag"]
        if mag < 1e-9:
            self._end(BurnStatusState.DONE, "zero burn")
            return
        if b["translate"] is None:
            b["translate"] = self._can_translate(dv, mag)
        if b["translate"]:
            self._pending_translation(t)
            return
        if b["q"] is None:
            # the group whose axis is nearest the Δv in the current attitude,
            # then the burn attitude: that axis on the Δv
            q = self.att[1] if self.att is not None else _Q1
            try:
                axis, group, n_fire = self.core.prop_select(self._mask(), q, dv)
                b["q"] = self.core.prop_burn_attitude(axis, dv, self.normal)
            except GncError as exc:
                self._end(BurnStatusState.ABORTED, f"no burn attitude: {exc}")
                return
            b["axis"], b["group"], b["n_fire"] = axis, group, n_fire
            self.ctx.send(ADCS_REQUEST, source=AdcsRequestSource.PROPULSION, active=1,
                          mode=PointingMode.INERTIAL,
                          q_BN=tuple(b["q"]))
        duration = self._duration(b["n_fire"], mag)
        start = b["t_exec"] - duration / 2
        if t < start:
            return
        if self.att is None or not self.att[0]:
            if t > b["t_exec"] + 600:
                self._end(BurnStatusState.ABORTED, "no attitude estimate")
            return
        quiet = self.rates is not None and \
            self.core.prop_rate_residuals(self.rates, _Z3)[0] <= QUIET_RATE
        if math.degrees(self.att[3]) > FIRE_ATTITUDE_DEG or not quiet:
            if t > b["t_exec"] + 900:
                self._end(BurnStatusState.ABORTED, "burn attitude not reached")
            return
        self.state = BurnStatusState.FIRING
        self.firing_rate_count = 0
        self.rates_fire0 = self.rates
        # the group's thrust torque known from its earlier burns is cancelled
        # from the first pulse (a short burn is over, or aborted as "body
        # turning", before the estimate from the body's momentum settles)
        self.com_rec = None  # a translation's momentum is not learnt across a burn
        k = self.cds["thrust_torque"].get(b["group"] & self._mask())
        f = self.F * (self.thrust_scale or 1.0)
        self.offpulse = _offpulse_start(_Z3 if k is None else (k[0] * f, k[1] * f, k[2] * f))
        self._measure_start()
        self.ctx.event(Severity.INFO, EventId.BURN, f"burn {b['id']} firing")

    def _can_translate(self, dv, mag: float, k_sigma: float | None = None) -> bool:
        """A small burn with a valid attitude estimate and a layout that makes
        the Δv from the current attitude, and whose torque about x about the
        learnt centre of mass, and ``k_sigma`` (COM_ROLL_K_SIGMA by default)
        of its uncertainty, leaves the wheels room (TRANSLATE_ROLL_HEADROOM):
        made without slewing."""
        if k_sigma is None:
            k_sigma = COM_ROLL_K_SIGMA
        if not (0.0 < mag <= self.translate_max) or self.att is None or not self.att[0]:
            return False
        try:
            on, _, _ = self.core.prop_translate(self._mask(), self.att[1], dv, self.F,
                                                self._mass(), self.dt)
        except GncError:
            return False
        c = self.cds["com"]
        d = c["est"]
        if any(x > 0.0 for x in on):
            # the whole translation's impulse (body): one cycle's direction
            # (the split keeps it) at m |dv|; its torque -delta x J about x,
            # at the learnt offset and COM_ROLL_K_SIGMA of its uncertainty
            J = self._impulse(on, self.F, 0)
            k = self._mass() * mag / norm(J)
            try:
                known, sigma = self.core.prop_com_torque(c["N"], d, (J[0] * k, J[1] * k, J[2] * k),
                                                         COM_MOMENTUM_NOISE)
            except GncError:
                return False
            hx, sig = known[0], sigma[0]
            h0 = self.att[5][0] if _finite(self.att[5]) else 0.0
            room = TRANSLATE_ROLL_HEADROOM * self.sc.chaser.wheels.max_momentum_nms
            if abs(h0 + hx) + k_sigma * sig > room:
                self.ctx.event(Severity.INFO, EventId.BURN,
                               f"{mag:.3f} m/s slewed: translated, its roll torque could take "
                               f"the wheels to {h0 + hx:+.3f} +-{sig:.3f} N m s"[:96])
                return False
        return True

    def _pending_translation(self, t: float) -> None:
        """A translation keeps the attitude the ADCS flies (the camera on the
        target): no burn attitude is requested; it starts at its time once the
        pointing has settled."""
        b = self.burn
        duration = self._duration(TRANSLATE_PAIR, b["mag"])
        if t < b["t_exec"] - duration / 2:
            return
        settled = self.att is not None and self.att[0] \
            and math.degrees(self.att[3]) <= FIRE_ATTITUDE_DEG
        if not settled:
            if t > b["t_exec"] + 900:
                self._end(BurnStatusState.ABORTED, "pointing not settled for a translation")
            return
        self.state = BurnStatusState.FIRING
        self.firing_rate_count = 0
        self.rates_fire0 = self.rates if self.rates is not None else _Z3
        # the momentum before the first pulse, for the centre of mass
        self.com_rec = {"H0": self._momentum(), "F": _Z3, "L": _Z3, "t_end": None,
                        "I": [0.0] * self.n}
        self._measure_start()
        self.ctx.event(Severity.INFO, EventId.BURN, f"burn {b['id']} firing (translation)")

    def _fire(self, t: float) -> None:
        b = self.burn
        spinning = self.rates is not None and self.core.prop_rate_residuals(
            self.rates, self.rates_fire0)[1] > FIRING_RATE_LIMIT
        self.firing_rate_count = self.firing_rate_count + 1 if spinning else 0
        lost = self.att is not None and math.degrees(self.att[3]) > ABORT_ATTITUDE_DEG
        if lost and b["translate"]:
            # a translation fires in whatever attitude the body holds (each
            # cycle is split over the groups in the current estimate): the
            # error is the pointing's, and a new pointing reference is no
            # fault (the camera's reference turned 53 deg at once as a
            # translation began, which was aborted and the thrusters tested:
            # seed 2680478207 of the curvilinear branch). A body the thrust
            # turns is "body turning"; a lost estimate ends it in
            # _fire_translation. The body's momentum is not learnt from while
            # it slews to the new reference
            lost = False
            self.com_rec = None
        if lost or self.firing_rate_count >= 3:
            self.faults += 1
            why = "attitude lost" if lost else "body turning"
            self._end(BurnStatusState.ABORTED, f"{why} while firing: unbalanced thrust")
            self._start_test(f"{why} while firing")
            return
        if b["translate"]:
            self._fire_translation()
            return
        group = b["group"] & self._mask()
        n_fire = bin(group).count("1")
        if n_fire < 2:
            self._end(BurnStatusState.ABORTED, "no usable thruster pair")
            return
        u = tuple(x / b["mag"] for x in b["dv"])
        done, _ = self._measured(u)
        self._count_done(done)
        if b.get("trim") is not None:
            self._trim(u)
            return
        on, _, _ = self.core.prop_fire(n_fire, self.F * b["scale"], self._mass(),
                                       b["mag"] - done, self.dt)
        if on <= 0.0:
            # reached along the order: the accelerometer sees the last
            # pulses, then the miss across (a tilted thrust) is trimmed
            b["trim"] = {"wait": ACCEL_LAG + 1, "target": None, "cmd0": _Z3}
            self._trim(u)
            return
        # off-pulsing: the shortened pulses cancel the thrust's own torque
        # (misalignment, centre-of-mass offset) and slowly take the wheels'
        # momentum back; the cycle's Delta-v is what they make
        pulses = self._offpulse(tuple(on if group >> i & 1 else 0.0 for i in range(SLOTS)),
                                b["q"])
        if pulses is None:
            return
        on_t, dv_N, dm = pulses
        self.ctx.send(THRUSTER_CMD, on_time=on_t)
        self._calibrate(self._pulses(on_t), group)
        self._commanded(dv_N, on_t)
        self._count_done(self._measured(u)[0])
        self.cds["propellant"] = max(0.0, self.cds["propellant"] - dm)

    def _trim(self, u) -> None:
        """One cycle after a burn reached its Δv (a slewed burn along the
        order ``u``, a translation on its commands): first ``ACCEL_LAG`` + 1
        quiet cycles (the accelerometer sees the last pulses), then, if the
        measured Δv misses the order by TRIM_MIN_DV or more, a translation
        from the attitude held for the miss, fired on its commands at the
        burn's measured thrust scale (once: the sensor's noise is not
        chased); DONE when there is nothing (more) to fire. Without a
        trusted accelerometer there is no miss to see."""
        b = self.burn
        tr = b["trim"]
        if tr["target"] is None:
            if tr["wait"] > 0 and b["acc_ok"]:
                tr["wait"] -= 1
                return
            miss = sub(b["dv"], b["done_N"])
            size = norm(miss)
            # a trim at the estimate alone: it is the burn's last few per
            # cent, and a slewed burn left untrimmed keeps a known miss
            # (campaign g3, seed 2660834368: a 2.36 m/s burn's 79 mm/s trim
            # refused at 2 sigma, and its coast passed 129 m from the target)
            if not b["acc_ok"] or size < TRIM_MIN_DV \
                    or not self._can_translate(miss, size, k_sigma=0.0):
                self._end(BurnStatusState.DONE, "delta-v reached")
                return
            tr["target"], tr["cmd0"] = miss, b["cmd_N"]
            self.ctx.event(Severity.INFO, EventId.BURN,
                           f"burn {b['id']}: trimming {size * 1e3:.1f} mm/s by translation")
        if self.att is None or not self.att[0]:
            self._end(BurnStatusState.DONE, "delta-v reached, trim stopped: no attitude")
            return
        k = b["scale"]
        c = sub(b["cmd_N"], tr["cmd0"])
        t = tr["target"]
        why = self._translation_cycle((t[0] - k * c[0], t[1] - k * c[1], t[2] - k * c[2]), u)
        if why is not None:
            self._end(BurnStatusState.DONE,
                      f"delta-v reached, trim stopped: {why}" if why else
                      "delta-v reached, trimmed")

    def _count_done(self, done: float) -> None:
        """The burn's Δv so far (BURN_STATUS.dv_done) and the total."""
        b = self.burn
        self.cds["dv_total"] += done - b["done"]
        b["done"] = done

    def _offpulse(self, on: tuple[float, ...], q_BN
                  ) -> tuple[tuple[float, ...], tuple[float, float, float], float] | None:
        """The cycle's nominal pulses off-pulsed by the core for the torque
        of :meth:`_offpulse_torque`: ``(on_time, dv_N, dm)``; None when the
        burn was ended (a core error)."""
        q = self.att[1] if self.att is not None and self.att[0] else q_BN
        try:
            on_t, dv_N, dm, made = self.core.prop_offpulse(on, self._offpulse_torque(), self.F,
                                                           self._mass(), q)
        except GncError as exc:
            self._end(BurnStatusState.ABORTED, f"off-pulsing: {exc}")
            return None
        op, span = self.offpulse, max(on)
        op["L"] = (op["L"][0] + made[0] * span, op["L"][1] + made[1] * span,
                   op["L"][2] + made[2] * span)
        op["on"] += span
        return on_t, dv_N, dm

    def _offpulse_torque(self) -> tuple[float, float, float]:
        """The torque the group is asked for while it fires this cycle: the
        thrust's own torque (misalignment, centre-of-mass offset) cancelled
        and the wheels' momentum driven back. The thrust's torque is
        estimated from the body's total angular momentum H = I w + h_wheels
        (ADCS_STATE): its change between two states, less the torque impulse
        the off-pulsing commanded in between, per second of firing, filtered."""
        op = self.offpulse
        if self.att is None or not self.att[0]:
            return op["tau"]
        w, h, t = self.att[2], self.att[5], self.att[6]
        if op["t"] is None or t > op["t"]:  # a new ADCS_STATE
            J = self.sc.chaser.inertia_kgm2
            H = (J[0] * w[0] + h[0], J[1] * w[1] + h[1], J[2] * w[2] + h[2])
            if op["t"] is not None:
                dH = sub(H, op["H"])
                # every interval, fired in or not: the sum's noise is then
                # that of its two ends, not of each interval's
                op["sum_y"] = add(op["sum_y"], sub(dH, op["Lc"]))
                op["sum_fon"] += op["fon"]
                if op["on"] > 0.0:
                    tau = op["tau"]
                    op["tau"] = tuple(tau[k] + OFFPULSE_FILTER * (
                        (dH[k] - op["L"][k]) / op["on"] - tau[k]) for k in range(3))
                    op["n"] += 1
            op["t"], op["H"], op["L"], op["on"] = t, H, _Z3, 0.0
            op["Lc"], op["fon"] = _Z3, 0.0
        # the momentum taken back slowly (the wheels keep the attitude while
        # it goes)
        tau, cap = op["tau"], OFFPULSE_BACK_MAX * self.sc.chaser.wheels.max_torque_nm
        back = [OFFPULSE_GAIN * x for x in h]
        size = math.sqrt(back[0] * back[0] + back[1] * back[1] + back[2] * back[2])
        if size > cap:
            back = [x * (cap / size) for x in back]
        return (-tau[0] - back[0], -tau[1] - back[1], -tau[2] - back[2])

    def _fire_translation(self) -> None:
        """One cycle of a translation: the Δv still to do split over the groups
        in the current attitude estimate (the core), each group for its part."""
        b = self.burn
        dv = b["dv"]
        u = tuple(x / b["mag"] for x in dv)
        done, made = self._measured(u)
        self._count_done(done)
        if b.get("trim") is not None:
            self._trim(u)
            return
        if self.att is None or not self.att[0]:
            self._end(BurnStatusState.ABORTED, "attitude estimate lost while translating")
            return
        why = self._translation_cycle((dv[0] - made[0], dv[1] - made[1], dv[2] - made[2]), u)
        if why == "":
            # made on the commands: the accelerometer then sees what the
            # pulses really made (a short pulse's rise and tail-off, the
            # main groups' tilt), and a miss is trimmed
            b["trim"] = {"wait": ACCEL_LAG + 1, "target": None, "cmd0": _Z3}
            self._trim(u)
        elif why is not None:
            self._end(BurnStatusState.ABORTED, why)

    def _translation_cycle(self, rem, u) -> str | None:
        """One firing cycle of a translation (or a trim) for the Δv ``rem``
        still to do (GCRF) in the current attitude estimate, at the burn's
        measured thrust scale: the core's split over the groups along it,
        off-pulsed for the calibrated torque of the groups that fire (the
        main groups' tilt and centre-of-mass offset, learnt in slewed burns:
        a translation is too short to estimate it while it fires) and for the
        centre of mass learnt from translations; sent, counted and recorded.
        None when it fired, "" when nothing is left to fire (all below the
        minimum impulse), otherwise why it cannot fire."""
        b = self.burn
        if b["skip"] > 0:  # a cycle left out (TRANSLATE_TORQUE_SHARE)
            b["skip"] -= 1
            self._commanded(_Z3)  # one command a cycle, for the accelerometer's lag
            return None
        k = b["scale"]
        try:
            on, dv_N, dm = self.core.prop_translate(self._mask(), self.att[1], rem, self.F * k,
                                                    self._mass(), self.dt)
        except GncError as exc:
            return f"translation not possible: {exc}"
        if not any(x > 0.0 for x in on):
            return ""
        try:
            b["skip"] = self._cycles_left_out(on, self.F * k)
        except GncError as exc:
            return f"centre of mass: {exc}"
        torque = self._translation_torque(on, self.F * k)
        if torque != _Z3:
            try:
                on, dv_N, dm, _ = self.core.prop_offpulse(on, torque, self.F * k,
                                                          self._mass(), self.att[1])
            except GncError as exc:
                return f"off-pulsing: {exc}"
        self.ctx.send(THRUSTER_CMD, on_time=on)
        self._com_record(self._pulses(on), self.F * k)
        # counted at the rated thrust, as a slewed burn's cycles: the core's
        # dv_N is at the scaled thrust the on-times were made for, and the
        # measured scale is the ratio to the rated (counted at the scaled
        # thrust, a translation measured 0.948 for a thrust 0.9 of its rating)
        self._commanded((dv_N[0] / k, dv_N[1] / k, dv_N[2] / k), on)
        self._count_done(self._measured(u)[0])
        self.cds["propellant"] = max(0.0, self.cds["propellant"] - dm)
        return None

    def _cycles_left_out(self, on, f: float) -> int:
        """How many cycles to leave out after one that fires the pulses
        ``on`` at thrust ``f`` (TRANSLATE_TORQUE_SHARE): the torque -delta x
        F of the uncalibrated thrusters' force F while they fire, about x at
        the learnt offset, plus COM_ROLL_K_SIGMA of each axis' uncertainty
        (the core's prop_com_torque), against the share of a wheel's torque;
        0 when it fits. GncError from the core (the least squares broken)."""
        span = max(on)
        J = self._impulse(on, f, self._calibrated())
        c = self.cds["com"]
        known, sigma = self.core.prop_com_torque(c["N"], c["est"],
                                                 (J[0] / span, J[1] / span, J[2] / span),
                                                 COM_MOMENTUM_NOISE)
        k = COM_ROLL_K_SIGMA
        worst = max(abs(known[0]) + k * sigma[0], k * sigma[1], k * sigma[2])
        cap = TRANSLATE_TORQUE_SHARE * self.sc.chaser.wheels.max_torque_nm
        if worst <= cap:
            return 0
        return math.ceil(worst / cap) - 1

    def _calibrated(self) -> int:
        """The thrusters of the groups whose thrust torque a slewed burn
        calibrated (``thrust_torque``: it holds their centre-of-mass part)."""
        m = 0
        for group in self.cds["thrust_torque"]:
            m |= group
        return m

    def _translation_torque(self, on, f: float) -> tuple[float, float, float]:
        """The torque to ask the off-pulsing for in a translation's cycle: the
        calibrated thrust torque (per newton, ``thrust_torque``) of every
        group all of whose thrusters fire, at thrust ``f``, for its share of
        the longest pulse, and the torque -delta x F the other thrusters'
        force F (over the longest pulse) makes about the centre of mass
        estimated from earlier translations (``com``), both cancelled."""
        span = max(on)
        tau = [0.0, 0.0, 0.0]
        for k, pulse in self._firing_groups(on):
            share = pulse / span * f
            for j in range(3):
                tau[j] -= k[j] * share
        d = self.cds["com"]["est"]
        if d != _Z3:
            F = self._impulse(on, f, self._calibrated())
            # cancel -delta x F: ask for +delta x F (per second of the span)
            tau[0] += (d[1] * F[2] - d[2] * F[1]) / span
            tau[1] += (d[2] * F[0] - d[0] * F[2]) / span
            tau[2] += (d[0] * F[1] - d[1] * F[0]) / span
        return (tau[0], tau[1], tau[2])

    def _firing_groups(self, on) -> Iterator[tuple[tuple[float, float, float], float]]:
        """The calibrated groups (``thrust_torque``) all of whose thrusters
        fire in the pulses ``on``: each one's thrust torque per newton and its
        shortest pulse (s)."""
        for group, k in self.cds["thrust_torque"].items():
            pulses = [on[i] for i in range(SLOTS) if group >> i & 1]
            if pulses and min(pulses) > 0.0:
                yield k, min(pulses)

    def _impulse(self, on, f: float, skip: int) -> tuple[float, float, float]:
        """The thrust impulse (body, N s) of the pulses ``on`` at thrust ``f``
        of every thruster not in the mask ``skip``."""
        dirs = self.sc.chaser.rcs.directions_b
        x = y = z = 0.0
        for i in range(self.n):
            if on[i] > 0.0 and not skip >> i & 1:
                d, a = dirs[i], on[i] * f
                x, y, z = x + a * d[0], y + a * d[1], z + a * d[2]
        return (x, y, z)

    def _pulses(self, on) -> tuple[float, ...]:
        """The pulses ``on`` just commanded, with the thrusters' rise and
        tail-off (chaser.rcs rise_time_s, tail_off_s: the core's first-order
        model, the simulation's): each one's impulse in seconds of full
        thrust, its tail after the cycle included. A pulse's impulse is not
        its on-time: an isolated 0.02 s pulse makes 18 % more (its tail), a
        12 ms cut from back-to-back pulses removes only 0.8 of its share (the
        thrust barely falls); taken at the on-times, a translation's record
        and a slewed burn's calibration, fired in different regimes, did not
        agree (stop 45: the offset learnt 1.4-1.9 mm off along x at a
        claimed 0.16-0.24 mm, seeds 595764059 and 3382734729). The levels
        are followed across the cycles without a command."""
        rcs = self.sc.chaser.rcs
        t, dt = self.t, self.dt
        on = tuple(min(x, dt) for x in on)  # the core's split may round a hair over
        level = self.level
        try:
            if t - self.level_t > 0.5 * dt and any(x > 0.0 for x in level):
                level, _ = self.core.prop_pulse_response(level, _ZS, self.n, t - self.level_t,
                                                         rcs.rise_time_s, rcs.tail_off_s)
            level, eff = self.core.prop_pulse_response(level, on, self.n, dt,
                                                       rcs.rise_time_s, rcs.tail_off_s)
        except GncError:  # the core's link failed: the on-times, the levels lost
            self.level, self.level_t = [0.0] * SLOTS, -math.inf
            return on
        self.level, self.level_t = list(level), t + dt
        return eff

    def _calibrate(self, on, group: int) -> None:
        """A slewed burn's cycle firing ``group`` (the impulses ``on``, s of
        full thrust) into its calibration: the differential torque impulse
        and the mean pulse at the thrust (:meth:`_offpulse_torque`)."""
        op = self.offpulse
        Lc, mean = self._group_differential(on, self.F, group)
        op["Lc"] = add(op["Lc"], Lc)
        op["fon"] += self.F * mean

    def _group_mean(self, on, mask: int) -> tuple[list[int], float]:
        """The thrusters of ``mask`` and their mean pulse in ``on`` (0 for none)."""
        idx = [i for i in range(self.n) if mask >> i & 1]
        return idx, (sum(on[i] for i in idx) / len(idx) if idx else 0.0)

    def _group_differential(self, on, f: float, mask: int
                            ) -> tuple[tuple[float, float, float], float]:
        """The thrusters of ``mask`` firing the pulses ``on`` at thrust ``f``:
        the torque impulse [N m s] of their pulses' differences from their
        mean pulse, through the layout's arms (a group's common pulse makes
        the torque its calibration or the centre of mass holds; the
        differences, the off-pulsing's cuts, make this one), and that mean
        pulse [s]."""
        idx, mean = self._group_mean(on, mask)
        if not idx:
            return _Z3, 0.0
        L = [0.0, 0.0, 0.0]
        for i in idx:
            a, x = self.arm[i], f * (on[i] - mean)
            for j in range(3):
                L[j] += a[j] * x
        return (L[0], L[1], L[2]), mean

    def _pulse_torque(self, on, f: float) -> tuple[float, float, float]:
        """The torque impulse [N m s] the pulses ``on`` at thrust ``f`` make
        that is not the uncalibrated thrusters' force about the centre of
        mass (the least squares' F x delta): each calibrated group's torque
        (``thrust_torque``) at its mean pulse, and for it and every group of
        uncalibrated thrusters of one direction, the differential part
        (:meth:`_group_differential`). A group's torque at its cut pulses
        is its torque at their mean plus the cuts' differences: taken at the
        nominal pulses instead, the cuts' share of the calibrated torque (a
        tilt's, an offset's) was left out."""
        cal = self._calibrated()
        L = (0.0, 0.0, 0.0)
        groups = list(self.cds["thrust_torque"].items())
        groups += [(g & ~cal, None) for g in self.dir_groups if g & ~cal]
        for mask, k in groups:
            if not any(on[i] > 0.0 for i in range(self.n) if mask >> i & 1):
                continue
            d, mean = self._group_differential(on, f, mask)
            L = add(L, d)
            if k is not None:
                L = add(L, (k[0] * f * mean, k[1] * f * mean, k[2] * f * mean))
        return L

    def _com_record(self, on, f: float) -> None:
        """A translation cycle into the centre-of-mass record: the impulse of
        its uncalibrated thrusters (the pulses ``on`` at thrust ``f``) and the
        torque impulse of the rest (:meth:`_pulse_torque`). The record's
        torque had counted the calibrated groups' torque at their off-pulsed
        pulses and the cuts besides (the cuts twice: a main group cut from
        0.1 s to 0.0894 s in each of 70 cycles put 0.024 N m s into the
        record that the body never felt, 8 times the momentum noise; stop
        45, seed 1445623094: the offset learnt 4.8 mm off along z at a
        claimed 0.59 mm)."""
        rec = self.com_rec
        if rec is None or not any(x > 0.0 for x in on):
            return
        cal = self._calibrated()
        rec["F"] = add(rec["F"], self._impulse(on, f, cal))
        rec["L"] = add(rec["L"], self._pulse_torque(on, f))
        # the direction errors' torque (_direction_torque_var): of the
        # impulse of an uncalibrated thruster, and of a calibrated one's
        # difference from its group's mean pulse (the group's torque at the
        # mean is measured, the differences' taken along the nominal
        # directions)
        imp = rec["I"]
        for mask in self.cds["thrust_torque"]:
            idx, mean = self._group_mean(on, mask)
            for i in idx:
                imp[i] += abs(on[i] - mean) * f
        for i in range(self.n):
            if on[i] > 0.0 and not cal >> i & 1:
                imp[i] += on[i] * f

    def _end(self, state: BurnStatusState, why: str) -> None:
        b = self.burn
        self.state = state
        if b.get("acc_ok") and b.get("n_seen", 0) > 0 and b["scale"] != 1.0:
            self.thrust_scale = b["scale"]
        op = self.offpulse
        if not b.get("translate") and b.get("group") and op["n"] > 0 and op["sum_fon"] > 0.0:
            # the group's calibration for its next burns (per newton: the
            # thrust falls as the tank blows down): the firing's mean torque,
            # the momentum's change over all of it less the cuts' impulse,
            # per newton-second fired. The filtered estimate of its last
            # seconds (the off-pulsing's, OFFPULSE_FILTER) had the noise of
            # one second's change of momentum, 3 mN m (COM_MOMENTUM_NOISE):
            # a group calibrated at -3.4 mN m/N about x, where it can make
            # none, put 0.024 N m s into a translation's centre-of-mass
            # record that the body never felt (stop 45, seed 1445623094)
            k = b.get("scale", 1.0) * op["sum_fon"]
            self.cds["thrust_torque"][b["group"] & self._mask()] = tuple(
                x / k for x in op["sum_y"])
        self.offpulse = _offpulse_start()
        if self.com_rec is not None and self.com_rec["t_end"] is None:
            # a translation done: learnt from once the momentum has settled;
            # an aborted one may be a thruster fault, not the centre of mass
            self.com_rec["t_end"] = self.ctx.t
            if state != BurnStatusState.DONE:
                self.com_rec = None
        self._sens.clear()  # the thrust's tail-off is no bias
        if state == BurnStatusState.DONE:
            self.cds["burns"] += 1
        self._status()
        self.ctx.send(ADCS_REQUEST, source=AdcsRequestSource.PROPULSION, active=0,
                      mode=PointingMode.OFF, q_BN=_Q1)
        done = state == BurnStatusState.DONE
        self.ctx.event(Severity.INFO if done else Severity.WARNING,
                       EventId.BURN if done else EventId.BURN_ABORTED,
                       f"burn {b['id']} {'done' if done else 'aborted'}: "
                       f"{b['done']:.3f} m/s, {why}"[:96])
        if b.get("ack") is not None:
            self._ack(b["ack"], AckStage.EXECUTED if done else AckStage.FAILED,
                      0 if done else R_ABORTED)
        self.burn = None
        self.state = BurnStatusState.IDLE

    def _status(self) -> None:
        b = self.burn
        dv_dt = 0.0
        c = b.get("centre") if b else None
        if c is not None and c[0] > 0.0:
            # the impulse-weighted centre of the cycles commanded since the
            # last status, against this status's time
            dv_dt = c[1] / c[0] - (self.t - b["t_ref"])
            c[0] = c[1] = 0.0
        self.ctx.send(BURN_STATUS, burn_id=b["id"] if b else 0, state=self.state,
                      dv_done=b["done"] if b else 0.0, dv_total=self.cds["dv_total"],
                      thrusters_ok=self._mask(), propellant=self.cds["propellant"],
                      dv_N=b.get("done_N", _Z3) if b else _Z3, dv_dt=dv_dt)

    def _send_valves(self) -> None:
        self.ctx.send(PROP_VALVES, open=self.valves)

    # ------------------------------------------------------------------ FDIR
    def _idle_monitor(self) -> None:
        """Uncommanded torque while idle: a thruster stuck open."""
        if self.att is None or self.rates is None or self.ctx.t < self.monitor_after:
            return
        # the core's residual (a pure function) is asked for only when it can
        # decide: in PHASING or later with the wheels saturated
        saturated = self.att[4] > 0.9 * self.sc.chaser.wheels.max_momentum_nms
        if self.mode >= MissionMode.PHASING and saturated and \
                self.core.prop_rate_residuals(self.rates, _Z3)[0] > IDLE_RATE_LIMIT:
            self.idle_rate_count += 1
        else:
            self.idle_rate_count = 0
        if self.idle_rate_count >= 2:
            self.idle_rate_count = 0
            self.faults += 1
            self._start_test("uncommanded torque while idle")

    def _start_test(self, why: str) -> None:
        self.ctx.event(Severity.ERROR, EventId.THRUSTER_FAULT,
                       f"thruster fault suspected: {why}; valves closed, test")
        self.valves = 0
        self._send_valves()
        self.com_rec = None
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
        ph = tst["phase"]
        if ph == 0:  # settle with all closed, then open this valve and watch
            tst["w0"] = self.rates
            self.valves = 1 << i
            self._send_valves()
            tst["phase"], tst["wait"] = 1, 5
        elif ph == 1:
            tst["wait"] -= 1
            if tst["wait"] > 0:
                return
            drift = tuple(a - b for a, b in zip(self.rates, tst["w0"], strict=True))
            _, ratio = self.core.prop_test_response(i, self.F, TEST_PULSE_S, drift)
            if ratio > 2 * TEST_RESPONSE:
                tst["found"].append((i, "stuck open"))
                self.valves = 0
                self._send_valves()
                tst["i"], tst["phase"] = i + 1, 0
                return
            tst["w0"] = self.rates
            on = tuple(TEST_PULSE_S if j == i else 0.0 for j in range(SLOTS))
            self.ctx.send(THRUSTER_CMD, on_time=on)
            self._pulses(on)
            tst["phase"], tst["wait"] = 2, 3
        elif ph == 2:
            tst["wait"] -= 1
            if tst["wait"] > 0:
                return
            dw = tuple(a - b for a, b in zip(self.rates, tst["w0"], strict=True))
            _, ratio = self.core.prop_test_response(i, self.F, TEST_PULSE_S, dw)
            if ratio < TEST_RESPONSE:
                tst["found"].append((i, "stuck closed"))
            self.valves = 0
            self._send_valves()
            tst["i"], tst["phase"] = i + 1, 0

    def _finish_test(self) -> None:
        found = self.test["found"]
        for i, what in found:
            for j in (i, self.partner[i]):
                self.cds["ok"][j] = False
            self.ctx.event(Severity.ERROR, EventId.THRUSTER_TEST,
                           f"thruster {i} {what}: isolated with "
                           f"partner {self.partner[i]}")
        if not found:
            self.ctx.event(Severity.WARNING, EventId.THRUSTER_TEST, "thruster test: no fault found")
        self.valves = self._mask()
        self._send_valves()
        self.test = None
        # let the attitude control settle before suspecting the thrusters again
        self.monitor_after = self.ctx.t + TEST_BACKOFF_S
        self._status_idle()

    def _status_idle(self) -> None:
        self.ctx.send(BURN_STATUS, burn_id=0, state=BurnStatusState.IDLE, dv_done=0.0,
                      dv_total=self.cds["dv_total"], thrusters_ok=self._mask(),
                      propellant=self.cds["propellant"], dv_N=_Z3, dv_dt=0.0)
