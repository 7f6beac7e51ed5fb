"""Actuator command packets (APIDs 0x180-0x1FF), sent by the flight software to hil."""

from fsw.packets.dictionary import Field, telemetry
from fsw.packets.types import vec

WHEEL_CMD = telemetry(0x180, "WHEEL_CMD", [
    Field("torque", vec(4), "N m", "commanded motor torque of each reaction wheel"),
], "Reaction wheel torque command.")

MTQ_CMD = telemetry(0x181, "MTQ_CMD", [
    Field("dipole_B", vec(3), "A m^2", "commanded magnetic dipole, body axes"),
], "Magnetorquer command.")

THRUSTER_CMD = telemetry(0x182, "THRUSTER_CMD", [
    Field("on_time", vec(16), "s", "on time of each thruster in the coming control period"),
], "Thruster on-times for the next control period.")
