"""Sensor models: truth from the :class:`~hil.sim.world.World` in, measured
values out, with seeded noise. The models live in the simulation core
(native/sim/src/sim_sensors.c; the specification, generator included, in
native/sim/include/simsensors.h): this module configures them and reads a
sample as the field dict of its avionics packet, for tests and tools. The
avionics node (:mod:`hil.avionics`) has the core build the packets directly.

Each sensor draws from its own generator of the core, seeded with
``(scenario seed, sensor number)`` (the numbers of
:data:`hil.sim.config.SENSOR_NAMES`, from 1; the gyro's initial bias from
stream 101, its bias instability 102 and scale factor 103, the GPS errors
104, star-tracker heads 2 and 3 from 202 and 203, the accelerometer's bias
106 and scale factor 107), so runs are reproducible,
the same bits on every machine, and one sensor's rate or dropout does not
shift another's noise.

Models (parameters in :mod:`hil.sim.config`):

- gyro: ``w_m = (1 + s)(w + b + g) + sigma_v / sqrt(T) n``, bias random
  walk ``b += sigma_u sqrt(T) n`` per sample (T the sample period), initial
  bias ``N(0, bias_sigma)`` per axis, ``s`` the scale-factor error, ``g`` the
  bias instability (a sum of Gauss-Markov terms whose Allan deviation is flat
  at 0.664 B from 40 s to 4000 s);
- star tracker, 1 to 3 heads (``star_tracker``, ``star_tracker_2``,
  ``star_tracker_3``; ``SensorsConfig.star_tracker_heads``), each publishing
  STAR_TRACKER with its ``head`` number: ``q_m = dq (x) q_BN`` with a small
  rotation whose components in the tracker frame (z = boresight) are a fixed
  bias plus noise of sigmas (cross, cross, about); invalid when the sun is
  within the sun exclusion angle of the boresight, the Earth's limb within
  the Earth exclusion angle, the Moon within the Moon exclusion angle, or
  ``|w|`` above the rate limit, and for ``acquisition_s`` after such a gap;
- coarse sun sensors: six cosine cells on the +-x, +-y, +-z faces,
  ``I = max(0, n . s_B) + N(0, sigma)`` (dark in eclipse); the estimate is the
  normalised vector of opposite-cell differences, invalid below the threshold;
- magnetometer: ``B_B + bias + N(0, sigma)``;
- GPS receiver: position and velocity in N plus white noise and
  Gauss-Markov errors; no fix before the time to first fix, above a body rate,
  with the antenna too far from the zenith, and while reacquiring;
- relative navigation: line of sight to the target in the **camera frame**
  C: z_C = boresight, x_C = body x projected normal to it (body y if the
  boresight is along x), y_C = z_C x x_C (with the default +z boresight C is
  the body frame). ``azimuth = atan2(x_C, z_C)``, ``elevation =
  asin(y_C / range)``; valid inside the field of view (angle from the
  boresight) and the range limits, and then only while the target can be
  seen (``lidar_range``, ``phase_max_deg``, ``sun_exclusion_deg`` of
  :class:`~hil.sim.config.RelNavConfig`: the lidar in any light within its
  range, beyond it the camera with the target lit, its sun phase angle
  within the limit and the sun off the boresight; by default the sensor
  sees in any light); range noise ``sigma + fraction * range``. Beyond
  ``max_range`` (the ranging limit), with ``angles_only``, bearings only
  (``range`` 0, ``ranged`` 0) while the camera detects the target whatever
  ``lidar_range``: lit, phase angle and sun as above, the line of sight
  ``earth_exclusion_deg`` clear of the Earth's limb, and the target (a
  diffuse sphere of ``target_area`` and ``target_albedo``) no fainter than
  ``limit_mag``; the same bearing noise;
- wheel tachometers and propulsion status (tank pressure, gauged propellant);
- accelerometer (the IMU's delta-velocity channel, ACCEL): the
  non-gravitational velocity increment (thrust, drag, solar pressure; the
  world's ``dv_sensed_B``, body axes) since the previous sample, ``dv_m =
  (1 + s) dv + b T + vrw sqrt(T) n`` over the interval T (the packet's
  ``dt``), ``b`` and ``s`` drawn once per axis.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fsw.errors import UserError
from fsw.packets import DICTIONARY
from fsw.packets.dictionary import PacketDef
from hil.sim._native import ffi, lib
from hil.sim.config import SENSOR_NAMES, SensorsConfig, flown_sensors
from hil.sim.packet_layout import MAX_VALUES
from hil.sim.world import World

#: sensor name -> packet name
PACKETS = {
    "gyro": "GYRO",
    "star_tracker": "STAR_TRACKER",
    "sun_sensor": "SUN_SENSOR",
    "magnetometer": "MAGNETOMETER",
    "gps": "GPS",
    "relnav": "RELNAV",
    "wheel_tach": "WHEEL_TACH",
    "prop_status": "PROP_STATUS",
    "star_tracker_2": "STAR_TRACKER",
    "star_tracker_3": "STAR_TRACKER",
    "accelerometer": "ACCEL",
    "eps": "EPS",
}
assert tuple(PACKETS) == SENSOR_NAMES
#: sensor name -> the core's sensor number (sim_sensor_id: SIM_SENSOR_<NAME>, but
#: SIM_SENSOR_ACCEL for the accelerometer)
_CORE_NAMES = {"accelerometer": "ACCEL"}
SENSOR_ID = {name: getattr(lib, "SIM_SENSOR_" + _CORE_NAMES.get(name, name.upper()))
             for name in SENSOR_NAMES}
assert list(SENSOR_ID.values()) == list(range(lib.SIM_SENSOR_COUNT))

_SEED_MAX = (1 << 64) - 1


def check_seed(seed: int) -> int:
    """The seed as the core takes it; UserError outside 0 .. 2^64 - 1."""
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= _SEED_MAX:
        raise UserError(f"seed {seed!r} must be an integer in 0 .. 2^64 - 1")
    return seed


def _fill(cstruct: Any, cfg: Any, where: str) -> None:
    """Copy a configuration dataclass into the core's struct of the same
    member names (vectors element by element)."""
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        try:
            if isinstance(value, list | tuple):
                n = len(getattr(cstruct, f.name))
                if len(value) != n:
                    raise UserError(f"{where}.{f.name} needs {n} values, got {len(value)}")
                setattr(cstruct, f.name, [float(x) for x in value])
            else:
                setattr(cstruct, f.name, float(value))
        except (TypeError, ValueError) as exc:
            raise UserError(f"{where}.{f.name}: {value!r} is not a number") from exc


def _decoder(pdef: PacketDef) -> list[tuple[str, int, int, bool]]:
    """(field, first value, count, is an octet) of a packet's values."""
    out, k = [], 0
    for f in pdef.fields:
        lay = pdef.layouts[f.name]
        assert lay is not None
        out.append((f.name, k, lay.count, lay.fmt[-1] != "d"))
        k += lay.count
    return out


def decode_values(pdef: PacketDef, values: Any,
                  decoder: list[tuple[str, int, int, bool]] | None = None) -> dict[str, Any]:
    """A packet's values (doubles in field order) as its field dict: vectors
    as tuples, octet fields as ints."""
    out: dict[str, Any] = {}
    for name, k, n, octet in decoder or _decoder(pdef):
        if octet:
            out[name] = int(values[k]) if n == 1 else tuple(int(x) for x in values[k:k + n])
        else:
            out[name] = values[k] if n == 1 else tuple(values[k:k + n])
    return out


class SensorBank:
    """The core's ``sim_sensors``: sensors of the chaser (world craft 0)
    looking at the target (craft 1), each configured from ``cfg`` and seeded
    from ``seed``. ``names`` chooses which sensors to set up (by default the
    ones flown: :func:`hil.sim.config.flown_sensors`)."""

    def __init__(self, cfg: SensorsConfig, seed: int,
                 names: tuple[str, ...] | None = None) -> None:
        check_seed(seed)
        if names is None:
            names = flown_sensors(cfg)
        self.struct = s = ffi.new("sim_sensors *")
        s.chaser, s.target = 0, 1
        self.names = names
        for name in names:
            sub = getattr(cfg, name)
            _fill(getattr(s, name).cfg, sub, f"sensors.{name}")
            if lib.sim_sensor_init(s, SENSOR_ID[name], seed):
                raise UserError(f"sensors.{name}: configuration rejected by the simulation "
                                f"core (rates > 0, sigmas >= 0, non-zero boresights, "
                                f"angles in range)")

    def sensor(self, name: str, cfg: Any) -> Sensor:
        """A :class:`Sensor` view of one sensor of this bank."""
        return Sensor(name, cfg, self)


class Sensor:
    """One sensor model of a bank: ``period`` [s] and ``sample(world)``."""

    def __init__(self, name: str, cfg: Any, bank: SensorBank) -> None:
        self.name = name
        self.cfg = cfg
        self.bank = bank
        self.id = SENSOR_ID[name]
        self.packet = DICTIONARY[PACKETS[name]]
        self.period = 1.0 / cfg.rate_hz
        self._values = ffi.new("double[]", MAX_VALUES)
        self._decoder = _decoder(self.packet)

    def sample(self, world: World) -> dict[str, Any]:
        """One measurement (the noise is drawn) as the packet's field dict."""
        status = lib.sim_sensor_sample(self.bank.struct, world.struct, self.id, self._values)
        if status:
            raise UserError(f"{self.name}: sampling failed (status {status})")
        return decode_values(self.packet, self._values, self._decoder)


def _own_bank(name: str, cfg: Any, seed: int) -> SensorBank:
    """A bank holding only sensor ``name``, configured from ``cfg``."""
    whole = SensorsConfig()
    setattr(whole, name, cfg)
    return SensorBank(whole, seed, (name,))


class _Single(Sensor):
    """A sensor with a bank of its own: ``Model(cfg, seed)``."""

    key = ""

    def __init__(self, cfg: Any, seed: int) -> None:
        super().__init__(self.key, cfg, _own_bank(self.key, cfg, seed))


class Gyro(_Single):
    """Rate gyro; ``bias`` is its current rate bias [rad/s], body axes."""

    key = "gyro"

    @property
    def bias(self) -> tuple[float, float, float]:
        b = self.bank.struct.gyro.bias
        return (b[0], b[1], b[2])

    @bias.setter
    def bias(self, value: Any) -> None:
        self.bank.struct.gyro.bias = [float(x) for x in value]


class StarTracker(_Single):
    key = "star_tracker"


class SunSensor(_Single):
    key = "sun_sensor"


class Magnetometer(_Single):
    key = "magnetometer"


class Gps(_Single):
    key = "gps"


class RelNav(_Single):
    key = "relnav"


class WheelTach(_Single):
    key = "wheel_tach"


class PropStatus(_Single):
    key = "prop_status"


class Accelerometer(_Single):
    """Accelerometer; ``bias`` [m/s^2] and ``scale`` (scale-factor errors) as
    drawn, body axes."""

    key = "accelerometer"

    @property
    def bias(self) -> tuple[float, float, float]:
        b = self.bank.struct.accelerometer.bias
        return (b[0], b[1], b[2])

    @property
    def scale(self) -> tuple[float, float, float]:
        s = self.bank.struct.accelerometer.scale
        return (s[0], s[1], s[2])


def build_sensors(cfg: SensorsConfig, seed: int) -> dict[str, Sensor]:
    """One model per sensor name, all in one bank seeded from the scenario seed."""
    bank = SensorBank(cfg, seed)
    return {name: bank.sensor(name, getattr(cfg, name)) for name in bank.names}
