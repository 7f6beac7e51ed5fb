"""Mission packets of the flight-software tasks (issue #7): messages between
the tasks on the bus (0x060-0x06F), the propulsion isolation valves (actuator
0x183), and mission telecommands (0x090-0x09F).

Between tasks:

- ``MODE_STATUS`` (autonomy, on change and every second): mission mode, leg.
- ``ADCS_REQUEST`` (autonomy or propulsion -> adcs): pointing mode and its
  reference; propulsion's request overrides while a burn is pending.
- ``NAV_STATE`` (autonomy -> adcs, propulsion): relative navigation solution
  (target minus chaser, inertial), chaser velocity, sun direction.
- ``ADCS_STATE`` (adcs, every second): estimate, errors, wheel health.
- ``PROP_ARM`` / ``BURN_ORDER`` (autonomy -> propulsion): the internal two-step
  arm and fire; ``BURN_STATUS`` (propulsion) reports progress and the end.
- ``MISSION_CMD`` (comms -> autonomy/propulsion): a verified telecommand,
  forwarded whole to its owner.
"""

from fsw.packets.dictionary import Field, telecommand, telemetry
from fsw.packets.types import F64, MODES, U8, U16, U32, enum, packet, text, vec

#: mission modes (fsw.packets.types.MODES = fsw.tasks.autonomy.modes.Mode)
MISSION_MODE = enum(U8, **MODES)
#: ADCS pointing modes (fsw.tasks.adcs.AdcsMode)
ADCS_MODE = enum(
    U8, off=0, detumble=1, sun_safe=2, inertial=3, target_track=4,
)

MODE_STATUS = telemetry(0x060, "MODE_STATUS", [
    Field("mode", MISSION_MODE, "", "mission mode"),
    Field("activity", U8, "", "activity within the mode (autonomy task's code)"),
    Field("leg", text(24), "", "name of the current leg of the plan"),
    Field("transitions", U32, "", "mode transitions since start"),
], "Mission mode, sent on every change and once per second.")

ADCS_REQUEST = telemetry(0x061, "ADCS_REQUEST", [
    Field("source", enum(U8, autonomy=0, propulsion=1), "", "requesting task"),
    Field("active", U8, "", "0 releases a propulsion override"),
    Field("mode", ADCS_MODE, "", "pointing mode"),
    Field("q_BN", vec(4), "", "inertial mode: commanded attitude, scalar first"),
], "Pointing request to the ADCS task.")

NAV_STATE = telemetry(0x062, "NAV_STATE", [
    Field("valid", U8, "", "1: target-relative solution valid"),
    Field("source", enum(U8, none=0, gps_ephemeris=1, relnav=2), "", "solution source"),
    Field("r_rel_N", vec(3), "m", "target minus chaser, GCRF"),
    Field("v_rel_N", vec(3), "m/s", "target velocity minus chaser velocity, GCRF"),
    Field("rho_H", vec(3), "m", "chaser relative to target, Hill frame"),
    Field("rho_dot_H", vec(3), "m/s", "chaser relative velocity, Hill (rotating) frame"),
    Field("sun_N", vec(3), "", "unit Earth-to-sun direction, GCRF"),
    Field("normal_N", vec(3), "", "unit orbit normal of the chaser, GCRF"),
    Field("mean_motion", F64, "rad/s", "target mean motion"),
    Field("sigma_pos", F64, "m", "1-sigma position uncertainty (0 when unknown)"),
], "Relative navigation solution, once per second.")

ADCS_STATE = telemetry(0x063, "ADCS_STATE", [
    Field("mode", ADCS_MODE, "", "pointing mode flown"),
    Field("valid", U8, "", "1: attitude estimate valid"),
    Field("q_BN", vec(4), "", "estimated attitude"),
    Field("rate_B", vec(3), "rad/s", "estimated body rate"),
    Field("att_error", F64, "rad", "estimate vs commanded attitude"),
    Field("h_wheels", F64, "N m s", "wheel momentum magnitude, body"),
    Field("wheels_ok", U8, "", "bit mask of wheels in use"),
    Field("flags", U16, "", "guidance-core ADCS flags"),
    Field("st_age", F64, "s", "time since the last star-tracker fix"),
    Field("att_sigma", F64, "rad", "largest 1-sigma attitude uncertainty of the estimate"),
], "ADCS state for the other tasks, once per second.")

PROP_ARM = telemetry(0x064, "PROP_ARM", [
    Field("arm", U8, "", "1 arms, 0 disarms"),
    Field("window", F64, "s", "how long the arming holds without an order"),
], "Internal first step of a burn (autonomy -> propulsion).")

BURN_ORDER = telemetry(0x065, "BURN_ORDER", [
    Field("burn_id", U32, "", "identifier, increasing"),
    Field("t_exec", F64, "s", "TAI time of the burn's centre"),
    Field("dv_N", vec(3), "m/s", "impulsive delta-v to deliver, GCRF"),
    Field("purpose", text(32), "", "what the burn is for"),
], "Internal second step of a burn (autonomy -> propulsion).")

BURN_STATUS = telemetry(0x066, "BURN_STATUS", [
    Field("burn_id", U32, "", "burn reported"),
    Field("state", enum(U8, idle=0, pending=1, firing=2, done=3, aborted=4, rejected=5), "",
          "burn state"),
    Field("dv_done", F64, "m/s", "delta-v delivered so far"),
    Field("dv_total", F64, "m/s", "delta-v delivered since launch"),
    Field("thrusters_ok", U8, "", "bit mask of thrusters in use"),
    Field("propellant", F64, "kg", "propellant estimate"),
], "Burn progress, on every change and once per second while pending.")

MISSION_CMD = telemetry(0x067, "MISSION_CMD", [
    Field("owner", text(12), "", "task the command is for"),
    Field("command", packet(), "", "the verified telecommand packet, whole"),
], "A verified telecommand forwarded by the comms task to its owner (who parses it "
   "with the dictionary and acknowledges its execution).")

PROP_VALVES = telemetry(0x183, "PROP_VALVES", [
    Field("open", U8, "", "bit i: isolation (latch) valve of thruster i open"),
], "Thruster isolation valves (fsw -> hil): a closed valve stops its thruster.")

RESUME = telecommand(0x090, "RESUME", [], "Leave SAFE to the interrupted mode (through its gate).")

ROUTE = {
    # telecommand name -> owning task
    "NOOP": "comms", "LAUNCH_NOTICE": "autonomy", "SET_MODE": "autonomy",
    "SET_HOLD_POINT": "autonomy", "ABORT": "autonomy", "RESUME": "autonomy",
    "ARM_THRUSTERS": "propulsion", "FIRE": "propulsion", "TIME_TAGGED": "comms",
    "KEY_ROTATE": "comms",
}
