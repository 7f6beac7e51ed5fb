"""Telecommands (APIDs 0x080-0x0FF, type 1, authenticated: every one carries
key id, anti-replay sequence number and MAC; see fsw.packets.auth)."""

from fsw.packets.dictionary import Field, telecommand
from fsw.packets.types import F64, MISSION_MODE, U8, U16, enum, octets, packet, text, vec

NOOP = telecommand(0x080, "NOOP", [], "Do nothing but acknowledge (link check).")

SET_MODE = telecommand(0x081, "SET_MODE", [
    Field("mode", MISSION_MODE, "",
          "mission mode to enter (the autonomy task accepts safe and departure)"),
], "Mode override (hazardous: armed first, see ARM_THRUSTERS window logic).", hazardous=True)

LAUNCH_NOTICE = telecommand(0x082, "LAUNCH_NOTICE", [
    Field("form", enum(U8, tle=0, state=1), "", "which target description is valid"),
    Field("tle1", text(69, "ascii"), "", "target TLE line 1 (form = tle)"),
    Field("tle2", text(69, "ascii"), "", "target TLE line 2 (form = tle)"),
    Field("epoch_tai", F64, "s", "epoch of the state vector, TAI (form = state)"),
    Field("r_N", vec(3), "m", "target position, GCRF (form = state)"),
    Field("v_N", vec(3), "m/s", "target velocity, GCRF (form = state)"),
], "Target orbit for the launch on notice.")

SET_HOLD_POINT = telecommand(0x083, "SET_HOLD_POINT", [
    Field("along_track", F64, "m", "hold distance along V-bar (Hill y), signed"),
], "Move the hold point.")

ABORT = telecommand(0x084, "ABORT", [
    Field("reason", U16, "", "operator reason code"),
], "Abort the approach: go to DEPARTURE.", hazardous=True)

ARM_THRUSTERS = telecommand(0x085, "ARM_THRUSTERS", [
    Field("arm", U8, "", "1 arms, 0 disarms"),
    Field("window", F64, "s", "how long the arming holds without a FIRE"),
], "First step of a two-step hazardous command.", hazardous=True)

FIRE = telecommand(0x086, "FIRE", [
    Field("dv_N", vec(3), "m/s", "impulsive delta-v to deliver, GCRF"),
], "Execute a burn (needs ARM_THRUSTERS first).", hazardous=True)

TIME_TAGGED = telecommand(0x087, "TIME_TAGGED", [
    Field("exec_tai", F64, "s", "TAI time at which to release the inner command"),
    Field("command", packet(), "", "a complete authenticated telecommand packet"),
], "Stored command. The inner command is verified at upload (key, MAC; its anti-replay "
   "number is consumed then, so it cannot also be sent on its own) and again at release "
   "(key not revoked since, MAC); the outer packet's anti-replay number protects the upload. "
   "It may not hold TIME_TAGGED or KEY_ROTATE.", hazardous=True)

KEY_ROTATE = telecommand(0x088, "KEY_ROTATE", [
    Field("new_key_id", U16, "", "key id of the successor key"),
    Field("wrapped_key", octets(40), "",
          "the successor AES-256 key, wrapped (RFC 3394) under a key derived (HKDF-SHA256) "
          "from the signing key"),
], "Over-the-air key rotation: install the successor key, activate it and revoke the key "
   "that signs this command. A key's last auth_seq (2^32-1) is reserved for it, so an "
   "exhausted key still rotates (fsw keys rotate; console line 'rotate').", hazardous=True)
