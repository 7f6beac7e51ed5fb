"""Mission packets of the flight-software tasks (issue #7): messages between
the tasks on the bus (0x060-0x06F), the propulsion isolation valves (actuator
0x183), and mission telecommands (0x090-0x09F).

Between tasks:

- ``MODE_STATUS`` (autonomy, on change and every 10th cycle: 10 s at 1 Hz): mission mode, leg.
- ``ADCS_REQUEST`` (autonomy or propulsion -> adcs): pointing mode and its
  reference; propulsion's request overrides while a burn is pending.
- ``NAV_STATE`` (autonomy -> adcs, propulsion): relative navigation solution
  (target minus chaser, inertial), chaser velocity, sun direction.
- ``ADCS_STATE`` (adcs, every second): estimate, errors, wheel health.
- ``PROP_ARM`` / ``BURN_ORDER`` (autonomy -> propulsion): the internal two-step
  arm and fire; ``BURN_STATUS`` (propulsion) reports progress and the end.
- ``MISSION_CMD`` (comms -> autonomy/propulsion): a verified telecommand,
  forwarded whole to its owner.
- ``HOLD_ARRIVAL`` (autonomy, at the end of every transfer): the point planned
  and the estimate there, for judging the arrival against truth.
"""

from fsw.packets.defs import _limits as lim
from fsw.packets.dictionary import Field, telecommand, telemetry
from fsw.packets.limits import Limits
from fsw.packets.types import F64, MISSION_MODE, U8, U16, U32, enum, flags, packet, text, vec

#: the ADCS task's pointing modes (fsw.packets.enums.PointingMode; not the
#: guidance core's control modes, fsw.core.attitude.AdcsMode)
POINTING_MODE = enum(
    U8, off=0, detumble=1, sun_safe=2, inertial=3, target_track=4,
)
#: status bits of the guidance core's ADCS step (gnc_adcs_flag,
#: native/include/gnc_attitude.h; fsw.packets.enums.AdcsFlag)
ADCS_FLAG = flags(
    U16, est_valid=1, wheel_torque_sat=2, wheel_momentum_limit=4, dipole_sat=8, keepout=16,
    slewing=32, no_mag=64, fallback=128, coarse=256,
)

#: where the navigation solution comes from (gnc_nav_source, native/include/gnc_nav.h)
NAV_SOURCE = enum(U8, none=0, gps_ephemeris=1, relnav=2)
#: status bits of a navigation cycle (gnc_nav_flag, native/include/gnc_nav.h)
NAV_FLAG = flags(
    U8, target_unknown=1, gps_stale=2, ekf_started=4, ekf_failed=8, rejected=16, coasting=32,
    gps_reset=64, bearing_only=128,
)
#: state bits of the on-board clock estimate (gnc_nav_clock, native/include/gnc_nav.h)
NAV_CLOCK = flags(U8, disciplined=1, updated=2, rejected=4, reset=8)

MODE_STATUS = telemetry(0x060, "MODE_STATUS", [
    Field("mode", MISSION_MODE, "", "mission mode", limits=lim.MODE),
    Field("activity", U8, "", "activity within the mode (autonomy task's code)"),
    Field("leg", text(24), "", "name of the current leg of the plan"),
    Field("transitions", U32, "", "mode transitions since start"),
], "Mission mode, sent on every change and every 10th autonomy cycle (10 s at the default "
   "1 Hz).")

ADCS_REQUEST = telemetry(0x061, "ADCS_REQUEST", [
    Field("source", enum(U8, autonomy=0, propulsion=1), "", "requesting task"),
    Field("active", U8, "", "0 releases a propulsion override"),
    Field("mode", POINTING_MODE, "", "pointing mode"),
    Field("q_BN", vec(4), "", "inertial mode: commanded attitude, scalar first"),
], "Pointing request to the ADCS task.")

NAV_STATE = telemetry(0x062, "NAV_STATE", [
    Field("valid", U8, "", "1: target-relative solution valid"),
    Field("source", NAV_SOURCE, "", "solution source"),
    Field("r_rel_N", vec(3), "m", "target minus chaser, GCRF"),
    Field("v_rel_N", vec(3), "m/s", "target velocity minus chaser velocity, GCRF"),
    Field("rho_H", vec(3), "m", "chaser relative to target, Hill frame"),
    Field("rho_dot_H", vec(3), "m/s", "chaser relative velocity, Hill (rotating) frame"),
    Field("r_target_N", vec(3), "m", "target position (on-board ephemeris), GCRF"),
    Field("v_target_N", vec(3), "m/s", "target velocity (on-board ephemeris), GCRF"),
    Field("sun_N", vec(3), "", "unit Earth-to-sun direction, GCRF"),
    Field("normal_N", vec(3), "", "unit orbit normal of the chaser, GCRF (0 before a GPS fix)"),
    Field("mean_motion", F64, "rad/s", "target mean motion"),
    Field("sigma_pos", F64, "m", "1-sigma position uncertainty (RSS of the axes)",
          limits=Limits(warning=(None, 50.0), critical=(None, 200.0))),
    Field("sigma_vel", F64, "m/s", "1-sigma velocity uncertainty (RSS of the axes)"),
    Field("flags", NAV_FLAG, "", "navigation flags of the cycle"),
    Field("cov_pos_H", vec(6), "m^2", "position covariance, Hill: xx xy xz yy yz zz"),
    Field("nis", F64, "", "relative-navigation NIS of this cycle's measurement (0: none)"),
], "Navigation solution (navigation task), once per second; the sun and the orbit "
   "normal are valid whatever ``valid`` says.")

TARGET_ORBIT = telemetry(0x068, "TARGET_ORBIT", [
    Field("form", enum(U8, tle=0, state=1), "", "which target description is valid"),
    Field("tle1", text(69, "ascii"), "", "target TLE line 1 (form = tle)"),
    Field("tle2", text(69, "ascii"), "", "target TLE line 2 (form = tle)"),
    Field("epoch_tai", F64, "s", "epoch of the state vector, TAI (form = state)"),
    Field("r_N", vec(3), "m", "target position, GCRF (form = state)"),
    Field("v_N", vec(3), "m/s", "target velocity, GCRF (form = state)"),
], "The target's orbit from an accepted launch notice (autonomy -> navigation).")

ADCS_STATE = telemetry(0x063, "ADCS_STATE", [
    Field("mode", POINTING_MODE, "", "pointing mode flown"),
    Field("valid", U8, "", "1: attitude estimate valid"),
    Field("q_BN", vec(4), "", "estimated attitude"),
    Field("rate_B", vec(3), "rad/s", "estimated body rate", limits=lim.BODY_RATE),
    # pointing error while tracking the target: a warning beyond 5 deg (re-acquisition
    # slews after a burn cross it for a minute or two)
    Field("att_error", F64, "rad", "estimate vs commanded attitude",
          limits=Limits(warning=(None, 0.0873), when=("mode", "target_track"))),
    # 90 % and 100 % of the wheels' 0.18 N m s
    Field("h_wheels", F64, "N m s", "wheel momentum magnitude, body",
          limits=Limits(warning=(None, 0.162), critical=(None, 0.18))),
    Field("h_B", vec(3), "N m s", "wheel momentum, body (the propulsion task's "
          "off-pulsing drives it back during a burn)"),
    Field("wheels_ok", U8, "", "bit mask of wheels in use"),
    Field("flags", ADCS_FLAG, "", "guidance-core ADCS flags"),
    Field("st_age", F64, "s", "time since the last star-tracker fix",
          limits=Limits(warning=(None, 60.0), critical=(None, 600.0))),
    # 0.5 deg warning, 2 deg critical
    Field("att_sigma", F64, "rad", "largest 1-sigma attitude uncertainty of the estimate",
          limits=Limits(warning=(None, 0.00873), critical=(None, 0.0349))),
    Field("att_sigma_B", vec(3), "rad", "1-sigma attitude uncertainty about each body axis"),
    Field("heads_used", U8, "", "star-tracker heads whose fix the MEKF used in the last "
          "second (bit mask)"),
    Field("heads_valid", U8, "", "star-tracker heads with a valid fix in the last second "
          "(bit mask)"),
    Field("st_rejected", U32, "", "star-tracker updates rejected by the MEKF's gate (total)"),
], "ADCS state for the other tasks, once per second.")

PROP_ARM = telemetry(0x064, "PROP_ARM", [
    Field("arm", U8, "", "1 arms, 0 disarms"),
    Field("window", F64, "s", "how long the arming holds without an order"),
], "Internal first step of a burn (autonomy -> propulsion).")

BURN_ORDER = telemetry(0x065, "BURN_ORDER", [
    Field("burn_id", U32, "", "identifier, increasing"),
    Field("t_exec", F64, "s", "TAI time of the burn's centre"),
    Field("dv_N", vec(3), "m/s", "impulsive delta-v to deliver, GCRF"),
    Field("purpose", text(48), "", "what the burn is for (the longest, \"correction to far "
          "hold: arrival burn\", fits)"),
], "Internal second step of a burn (autonomy -> propulsion).")

BURN_STATUS = telemetry(0x066, "BURN_STATUS", [
    Field("burn_id", U32, "", "burn reported"),
    Field("state", enum(U8, idle=0, pending=1, firing=2, done=3, aborted=4, rejected=5), "",
          "burn state", limits=Limits(states={"aborted": lim.WARNING, "rejected": lim.WARNING})),
    Field("dv_done", F64, "m/s", "delta-v delivered so far"),
    Field("dv_total", F64, "m/s", "delta-v delivered since launch"),
    Field("thrusters_ok", U16, "", "bit mask of thrusters in use"),
    Field("propellant", F64, "kg", "propellant estimate", limits=lim.PROPELLANT),
    Field("dv_N", vec(3), "m/s", "the burn's delta-v so far as a vector, GCRF: the "
          "accelerometer's, plus the commanded impulses it has not seen yet at the measured "
          "thrust scale (the commands alone without it)"),
    Field("dv_dt", F64, "s", "when the delta-v added to dv_N since the previous status was "
          "delivered, against this packet's time: the centre of its commanded pulses "
          "(positive: pulses commanded to fire after it)"),
], "Burn progress, on every change and once per second while pending.")

MISSION_CMD = telemetry(0x067, "MISSION_CMD", [
    Field("owner", text(12), "", "task the command is for"),
    Field("command", packet(), "", "the verified telecommand packet, whole"),
], "A verified telecommand forwarded by the comms task to its owner (who parses it "
   "with the dictionary and acknowledges its execution).")

HOLD_ARRIVAL = telemetry(0x069, "HOLD_ARRIVAL", [
    Field("leg", text(32), "", "the transfer that arrived (\"correction to far hold\" fits)"),
    Field("rho_planned_H", vec(3), "m", "the point it was planned to reach, Hill (chaser "
          "w.r.t. target)"),
    Field("rho_est_H", vec(3), "m", "the navigation's estimate after the arrival burn, Hill"),
    Field("correction", U8, "", "1: a correction leg (the hold was missed before)"),
], "A transfer's arrival: the planned point and the estimate, once per transfer "
   "(the report judges the miss against TRUTH_RELATIVE).")

PROP_VALVES = telemetry(0x183, "PROP_VALVES", [
    Field("open", U16, "", "bit i: isolation (latch) valve of thruster i open"),
], "Thruster isolation valves (fsw -> hil): a closed valve stops its thruster.")

RESUME = telecommand(0x090, "RESUME", [], "Leave SAFE to the interrupted mode (through its gate).")

ROUTE = {
    # telecommand name -> owning task
    "NOOP": "comms", "LAUNCH_NOTICE": "autonomy", "SET_MODE": "autonomy",
    "SET_HOLD_POINT": "autonomy", "ABORT": "autonomy", "RESUME": "autonomy",
    "ARM_THRUSTERS": "propulsion", "FIRE": "propulsion", "TIME_TAGGED": "comms",
    "KEY_ROTATE": "comms",
}
