"""Flight-software telemetry (APIDs 0x010-0x07F): command acks, housekeeping
of each task (owners extend theirs), memory dumps and images (segmented)."""

from fsw.packets.defs import _limits as lim
from fsw.packets.defs.mission import NAV_CLOCK, NAV_SOURCE
from fsw.packets.dictionary import Field, telemetry
from fsw.packets.limits import Limits
from fsw.packets.types import F64, MISSION_MODE, U8, U16, U32, GreedyBytes, enum, vec

#: stages of a command's life (COMMAND_ACK.stage)
ACK_STAGE = enum(U8, accepted=0, executed=1, rejected=2, failed=3)

COMMAND_ACK = telemetry(0x010, "COMMAND_ACK", [
    Field("command_apid", U16, "", "APID of the telecommand acknowledged"),
    Field("command_seq", U16, "", "packet sequence count of that telecommand"),
    Field("command_auth_seq", U32, "", "anti-replay sequence number of that telecommand"),
    Field("stage", ACK_STAGE, "", "accepted, executed, rejected or failed",
          limits=Limits(states={"rejected": lim.WARNING, "failed": lim.CRITICAL})),
    Field("reason", U16, "", "reason code (0 = none; see the owning task)"),
], "Verification report of one telecommand at one stage.")

ADCS_HK = telemetry(0x020, "ADCS_HK", [
    Field("mode", U8, "", "ADCS mode (owned by the ADCS task)"),
    Field("q_BN", vec(4), "", "estimated attitude, scalar first"),
    Field("rate_B", vec(3), "rad/s", "estimated body rate", limits=lim.BODY_RATE),
    Field("att_error", F64, "rad", "angle between estimated and commanded attitude"),
    Field("cycles", U32, "", "control cycles run"),
    Field("faults", U32, "", "sensor/actuator faults counted", limits=lim.FAULT_COUNT),
], "Attitude determination and control housekeeping.")

PROP_HK = telemetry(0x030, "PROP_HK", [
    Field("mode", U8, "", "propulsion mode (owned by the propulsion task)"),
    Field("armed", U8, "", "1 while the thrusters are armed"),
    Field("tank_pressure", F64, "Pa", "tank pressure", limits=lim.TANK_PRESSURE),
    Field("propellant_mass", F64, "kg", "estimated propellant left", limits=lim.PROPELLANT),
    Field("dv_total", F64, "m/s", "delta-v delivered since launch"),
    Field("burns", U32, "", "burns executed"),
    Field("faults", U32, "", "faults counted", limits=lim.FAULT_COUNT),
    Field("thrust_scale", F64, "", "the last burn's thrust scale measured by the accelerometer "
          "(measured / commanded delta-v; 1: as rated; 0: none measured yet)"),
    Field("accel_rejected", U32, "", "accelerometer samples dropped (invalid, non-finite, bad "
          "interval)"),
    Field("com_B", vec(3), "m", "the centre-of-mass offset learnt from translations (body; 0 "
          "until learnt)"),
    Field("com_sigma_B", vec(3), "m", "its 1-sigma per body axis (the prior's before any "
          "translation; NaN: the least squares broken)"),
    Field("com_n", U16, "", "translations the centre of mass was learnt from"),
], "Propulsion housekeeping.")

AUTONOMY_HK = telemetry(0x040, "AUTONOMY_HK", [
    Field("mode", MISSION_MODE, "", "mission mode (as MODE_STATUS.mode)", limits=lim.MODE),
    Field("hold_point", F64, "m", "along-track hold distance commanded"),
    Field("range", F64, "m", "estimated range to the target (-1: unknown)",
          limits=Limits(lim.RANGE.warning, lim.RANGE.critical, valid=(0.0, None))),
    Field("transitions", U32, "", "mode transitions since start"),
    Field("aborts", U32, "", "aborts since start", limits=Limits(warning=(None, 0))),
], "Autonomy (mission manager) housekeeping.")

NAV_HK = telemetry(0x048, "NAV_HK", [
    Field("source", NAV_SOURCE, "", "solution source"),
    Field("target_known", U8, "", "1: a target ephemeris is loaded"),
    Field("sigma_pos", F64, "m", "1-sigma position uncertainty (RSS)"),
    Field("nis", F64, "", "last relative-navigation NIS (3 dof)"),
    Field("ekf_starts", U32, "", "relative-navigation filter starts"),
    Field("ekf_failures", U32, "", "relative-navigation filter failures"),
    Field("rejected", U32, "", "measurements rejected by the gate"),
    Field("gps_stale", U32, "", "cycles without a fresh GPS fix"),
    Field("inflations", U32, "", "relative-navigation covariance inflations (rejections in a row)"),
    Field("resets", U32, "", "relative-navigation resets from the measurement"),
    Field("sigma_vel", F64, "m/s", "1-sigma velocity uncertainty (RSS)"),
    Field("clock_state", NAV_CLOCK, "", "on-board clock: disciplined by GPS; this cycle a fix "
          "updated it, was rejected, reset it"),
    Field("clock_offset", F64, "s", "estimated on-board clock minus TAI"),
    Field("clock_sigma", F64, "s", "1-sigma of clock_offset"),
    Field("clock_drift", F64, "", "estimated frequency offset of the on-board clock"),
    Field("clock_rejected", U32, "", "GPS fixes the clock filter rejected"),
    Field("clock_resets", U32, "", "clock offset resets (the clock jumped)"),
], "Navigation housekeeping.")

COMMS_HK = telemetry(0x050, "COMMS_HK", [
    Field("mode", U8, "", "comms mode (owned by the comms task)"),
    Field("tc_received", U32, "", "telecommands received"),
    Field("tc_accepted", U32, "", "telecommands that passed authentication"),
    Field("tc_rejected", U32, "", "telecommands rejected (any reason)",
          limits=lim.ERROR_COUNT),
    Field("tm_sent", U32, "", "telemetry packets sent"),
    Field("crc_errors", U32, "", "packets dropped on a CRC error", limits=lim.ERROR_COUNT),
    Field("seq_gaps", U32, "", "sequence gaps seen on received APIDs", limits=lim.ERROR_COUNT),
], "Communications housekeeping.")

MEMORY_DUMP = telemetry(0x070, "MEMORY_DUMP", [
    Field("data", GreedyBytes, "", "a segment of the dump (sequence flags mark the segments)"),
], "Memory dump, segmented across packets (fsw.packets.segment).")

IMAGE = telemetry(0x071, "IMAGE", [
    Field("data", GreedyBytes, "", "a segment of the encoded image"),
], "Inspection image, segmented across packets (fsw.packets.segment).")
