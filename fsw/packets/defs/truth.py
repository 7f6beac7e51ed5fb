"""Truth telemetry (APIDs 0x400-0x4FF), published by the world simulation
(``hil.avionics``) for plots, scoring and replay. The protocol is shared so
it is declared here, but flight software never subscribes to these APIDs."""

from fsw.packets.defs import _limits as lim
from fsw.packets.dictionary import Field, telemetry
from fsw.packets.types import F64, U8, enum, vec

TRUTH_CHASER = telemetry(0x400, "TRUTH_CHASER", [
    Field("r_N", vec(3), "m", "position, GCRF"),
    Field("v_N", vec(3), "m/s", "velocity, GCRF"),
    Field("q_BN", vec(4), "", "attitude, scalar first, inertial to body"),
    Field("w_B", vec(3), "rad/s", "angular rate w.r.t. inertial, body axes"),
    Field("wheel_speed", vec(4), "rad/s", "reaction wheel speeds relative to the body"),
    Field("mass", F64, "kg", "total mass"),
    Field("propellant_mass", F64, "kg", "propellant mass"),
    Field("tank_pressure", F64, "Pa", "propellant tank pressure"),
    Field("eclipse", U8, "", "1 in the Earth's (cylindrical) shadow"),
    Field("battery_soc", F64, "", "battery state of charge, 0..1 (0: no power model)"),
    Field("array_power", F64, "W", "power from the solar array"),
], "Truth state of the chaser.")

TRUTH_TARGET = telemetry(0x401, "TRUTH_TARGET", [
    Field("r_N", vec(3), "m", "position, GCRF"),
    Field("v_N", vec(3), "m/s", "velocity, GCRF"),
], "Truth state of the target.")

TRUTH_RELATIVE = telemetry(0x402, "TRUTH_RELATIVE", [
    Field("r_H", vec(3), "m", "chaser w.r.t. target, target Hill frame (radial, along-track, "
          "orbit normal)"),
    Field("v_H", vec(3), "m/s", "rate of r_H in the rotating Hill frame"),
    Field("range", F64, "m", "distance chaser to target", limits=lim.RANGE),
], "Truth relative state of the chaser w.r.t. the target.")

TRUTH_FAULT = telemetry(0x403, "TRUTH_FAULT", [
    Field("kind", enum(U8, wheel_fail=0, thruster_stuck_open=1, thruster_stuck_closed=2,
                       sensor_dropout=3, link_silent=4), "", "fault kind"),
    Field("index", U8, "", "wheel or thruster index"),
    Field("sensor", enum(U8, none=0, gyro=1, star_tracker=2, sun_sensor=3, magnetometer=4,
                         gps=5, relnav=6, wheel_tach=7, prop_status=8,
                         star_tracker_2=9, star_tracker_3=10,
                         accelerometer=11, eps=12), "", "dropped sensor"),
    Field("started", U8, "", "1 when the fault starts, 0 when it clears"),
], "An injected fault starting or clearing in the world.")

TRUTH_ADCS = telemetry(0x408, "TRUTH_ADCS", [
    Field("sun_B", vec(3), "", "unit Earth-to-sun direction, chaser body axes"),
    Field("moon_B", vec(3), "", "unit direction from the chaser to the Moon, body axes"),
], "Truth directions for attitude scoring: the sun (power, star-tracker exclusion) and "
   "the Moon (star-tracker exclusion) in the chaser's body axes.")

TRUTH_CLOCK = telemetry(0x409, "TRUTH_CLOCK", [
    Field("offset", F64, "s", "on-board clock minus TAI"),
    Field("freq", F64, "", "frequency offset of the on-board clock"),
], "Truth of the on-board clock, at each GPS receiver message (the clock is read at its "
   "PPS edge): scores the flight software's clock estimate (NAV_HK).")
