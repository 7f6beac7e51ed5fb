"""Avionics sensor packets (APIDs 0x100-0x17F), sent by hil to the flight software."""

from fsw.packets.defs import _limits as lim
from fsw.packets.dictionary import Field, telemetry
from fsw.packets.limits import Limits
from fsw.packets.types import F64, U8, vec

VALID = "1 when the measurement is valid"

GYRO = telemetry(0x100, "GYRO", [
    Field("rate_B", vec(3), "rad/s", "angular rate of the body w.r.t. inertial, body axes",
          limits=lim.BODY_RATE),
    Field("valid", U8, "", VALID),
], "Gyro measurement.")

STAR_TRACKER = telemetry(0x101, "STAR_TRACKER", [
    Field("q_BN", vec(4), "", "measured attitude, scalar first [w, x, y, z]"),
    Field("valid", U8, "", VALID),
    Field("head", U8, "", "optical head (0, 1, 2): each head publishes its own solution"),
], "Star tracker attitude solution of one optical head (several heads share the APID).")

SUN_SENSOR = telemetry(0x102, "SUN_SENSOR", [
    Field("sun_B", vec(3), "", "unit vector to the Sun, body axes"),
    Field("valid", U8, "", VALID + " (Sun in view)"),
], "Coarse sun sensor.")

MAGNETOMETER = telemetry(0x103, "MAGNETOMETER", [
    Field("b_B", vec(3), "T", "magnetic field, body axes"),
    Field("valid", U8, "", VALID),
], "Magnetometer.")

GPS = telemetry(0x104, "GPS", [
    Field("r_N", vec(3), "m", "position, GCRF"),
    Field("v_N", vec(3), "m/s", "velocity, GCRF"),
    Field("valid", U8, "", VALID + " (fix)"),
    Field("obc_time", F64, "s", "on-board clock at the PPS edge of this solution (its own "
          "idea of TAI; every message, fix or not)"),
    Field("gps_time", F64, "s", "GPS time of that PPS edge as TAI (0 without a fix)"),
], "GNSS receiver navigation solution, with the on-board clock latched at its PPS.")

RELNAV = telemetry(0x105, "RELNAV", [
    Field("range", F64, "m", "range to the target (0 when not ranged)",
          limits=Limits(lim.RANGE.warning, lim.RANGE.critical, when=("ranged", 1))),
    Field("azimuth", F64, "rad", "azimuth of the line of sight, body axes"),
    Field("elevation", F64, "rad", "elevation of the line of sight, body axes"),
    Field("valid", U8, "", VALID + " (target tracked)"),
    Field("ranged", U8, "", "1: range measured (within the ranging limit), 0: bearing only "
          "(beyond it; also 0 when not valid)"),
], "Relative-navigation sensor (camera/lidar): range and bearing within the ranging "
   "limit, bearing only beyond it.")

WHEEL_TACH = telemetry(0x106, "WHEEL_TACH", [
    Field("speed", vec(4), "rad/s", "reaction wheel speeds",
          limits=Limits(warning=(-500.0, 500.0), critical=(-600.0, 600.0))),  # 6000 rpm = 628
], "Reaction wheel tachometers.")

PROP_STATUS = telemetry(0x107, "PROP_STATUS", [
    Field("tank_pressure", F64, "Pa", "tank pressure", limits=lim.TANK_PRESSURE),
    Field("propellant_mass", F64, "kg", "propellant mass (gauging)", limits=lim.PROPELLANT),
], "Propulsion system sensors.")

ACCEL = telemetry(0x108, "ACCEL", [
    Field("dv_B", vec(3), "m/s", "velocity increment sensed over the sample interval "
          "(non-gravitational: thrust, drag, solar pressure), body axes",
          # per axis and sample; at the default 10 Hz 0.5 and 2 m/s^2, beyond what the
          # thrusters can do (4 N main group; the optional 120 N engine 0.41 m/s^2)
          limits=Limits(warning=(-0.05, 0.05), critical=(-0.2, 0.2), when=("valid", 1))),
    Field("dt", F64, "s", "the sample interval the increment covers"),
    Field("valid", U8, "", VALID),
], "Accelerometer (the IMU's delta-velocity channel): the velocity increment since the "
   "previous sample.")

EPS = telemetry(0x109, "EPS", [
    Field("soc", F64, "", "battery state of charge, 0..1 (the battery monitor's charge count)",
          limits=Limits(warning=(0.4, None), critical=(0.25, None))),
    Field("array_power", F64, "W", "power from the body-mounted solar array"),
    Field("load_power", F64, "W", "power drawn by the spacecraft's loads"),
], "Electrical power system: battery state of charge and the power in and out.")
