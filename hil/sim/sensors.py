"""Sensor models: truth from the :class:`~hil.sim.world.World` in, measured
values out (as the field dicts of the avionics packets), with seeded noise.

Each sensor draws from its own ``numpy.random.Generator`` seeded with
``(scenario seed, sensor number)``, so runs are reproducible and one sensor's
rate or dropout does not shift another's noise. Noise is drawn in blocks to
keep the per-sample Python cost small.

Models (parameters in :mod:`hil.sim.config`):

- gyro: ``w_m = w + b + sigma_v / sqrt(T) n``, bias random walk
  ``b += sigma_u sqrt(T) n`` per sample (T the sample period), initial bias
  ``N(0, bias_sigma)`` per axis;
- star tracker: ``q_m = dq (x) q_BN`` with a small rotation whose components
  in the tracker frame (z = boresight) have sigmas (cross, cross, about);
  invalid when the sun is within the sun exclusion angle of the boresight,
  the Earth's limb within the Earth exclusion angle, or ``|w|`` above the rate
  limit;
- coarse sun sensors: six cosine cells on the +-x, +-y, +-z faces,
  ``I = max(0, n . s_B) + N(0, sigma)`` (dark in eclipse); the estimate is the
  normalised vector of opposite-cell differences, invalid below the threshold;
- magnetometer: ``B_B + bias + N(0, sigma)``;
- GPS: position and velocity in N plus white noise;
- relative navigation: line of sight to the target in the **camera frame**
  C: z_C = boresight, x_C = body x projected normal to it (body y if the
  boresight is along x), y_C = z_C x x_C (with the default +z boresight C is
  the body frame). ``azimuth = atan2(x_C, z_C)``, ``elevation =
  asin(y_C / range)``; valid inside the field of view (angle from the
  boresight) and the range limits; range noise ``sigma + fraction * range``;
- wheel tachometers and propulsion status (tank pressure, gauged propellant).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hil.sim.config import SENSOR_NAMES, SensorsConfig
from hil.sim.world import World

_ARCSEC = math.pi / 180 / 3600


class _Noise:
    """Standard normal draws in blocks from one seeded generator."""

    def __init__(self, seed: int, stream: int, width: int, block: int = 256) -> None:
        self.rng = np.random.default_rng([seed, stream])
        self.width, self.block = width, block
        self._buf = np.empty((0, width))
        self._i = 0

    def draw(self) -> np.ndarray:
        if self._i >= len(self._buf):
            self._buf = self.rng.standard_normal((self.block, self.width))
            self._i = 0
        row = self._buf[self._i]
        self._i += 1
        return row


def _frame(boresight: Any) -> np.ndarray:
    """Rows x, y, z of a sensor frame with z along ``boresight`` (body)."""
    z = np.asarray(boresight, float)
    z = z / np.linalg.norm(z)
    ref = np.array([1.0, 0, 0]) if abs(z[0]) < 0.9 else np.array([0, 1.0, 0])
    x = ref - (ref @ z) * z
    x /= np.linalg.norm(x)
    return np.array([x, np.cross(z, x), z])


def _qmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    aw, ax, ay, az = a
    bw, bx, by, bz = b
    return np.array([aw * bw - ax * bx - ay * by - az * bz,
                     aw * bx + ax * bw + ay * bz - az * by,
                     aw * by - ax * bz + ay * bw + az * bx,
                     aw * bz + ax * by - ay * bx + az * bw])


def _rot(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


class Gyro:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 1, 6)
        rng = np.random.default_rng([seed, 101])
        self.bias = rng.normal(0.0, cfg.bias_sigma, 3)
        self.period = 1.0 / cfg.rate_hz
        self._sv = cfg.angle_random_walk / math.sqrt(self.period)
        self._su = cfg.bias_random_walk * math.sqrt(self.period)

    def sample(self, world: World) -> dict[str, Any]:
        n = self.noise.draw()
        self.bias = self.bias + self._su * n[3:]
        return {"rate_B": world.chaser.w + self.bias + self._sv * n[:3], "valid": 1}


class StarTracker:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 2, 3)
        self.frame = _frame(cfg.boresight)
        self.sig = np.array([cfg.cross_boresight_sigma_arcsec] * 2
                            + [cfg.about_boresight_sigma_arcsec]) * _ARCSEC
        self._cos_sun = math.cos(math.radians(cfg.sun_exclusion_deg))
        self._earth = math.radians(cfg.earth_exclusion_deg)
        self._max_rate = math.radians(cfg.max_rate_deg_s)
        self.period = 1.0 / cfg.rate_hz

    def blinded(self, world: World) -> bool:
        """True when the sun, the Earth or the rate makes a solution impossible."""
        c = world.chaser
        bore = self.frame[2]
        if not c.eclipse and c.sun_body @ bore > self._cos_sun:
            return True
        rn = float(np.linalg.norm(c.r))
        nadir_b = _rot(c.q) @ (-c.r / rn)
        earth_radius = math.asin(min(1.0, 6378137.0 / rn))
        if math.acos(max(-1.0, min(1.0, nadir_b @ bore))) < earth_radius + self._earth:
            return True
        return float(np.linalg.norm(c.w)) > self._max_rate

    def sample(self, world: World) -> dict[str, Any]:
        e = self.frame.T @ (self.sig * self.noise.draw())  # small rotation, body axes
        if self.blinded(world):
            return {"q_BN": (1.0, 0.0, 0.0, 0.0), "valid": 0}
        dq = np.array([1.0, 0.5 * e[0], 0.5 * e[1], 0.5 * e[2]])
        q = _qmul(dq / np.linalg.norm(dq), world.chaser.q)
        return {"q_BN": q if q[0] >= 0 else -q, "valid": 1}


class SunSensor:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 3, 6)
        self.period = 1.0 / cfg.rate_hz

    def sample(self, world: World) -> dict[str, Any]:
        c = world.chaser
        n = self.cfg.noise_sigma * self.noise.draw()
        s = np.zeros(3) if c.eclipse else c.sun_body
        cells = np.concatenate([np.maximum(s, 0.0), np.maximum(-s, 0.0)]) + n
        est = cells[:3] - cells[3:]
        norm = float(np.linalg.norm(est))
        if norm < self.cfg.threshold:
            return {"sun_B": (0.0, 0.0, 0.0), "valid": 0}
        return {"sun_B": est / norm, "valid": 1}


class Magnetometer:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 4, 3)
        self.bias = np.asarray(cfg.bias, float)
        self.period = 1.0 / cfg.rate_hz

    def sample(self, world: World) -> dict[str, Any]:
        b = world.chaser.b_body + self.bias + self.cfg.noise_sigma * self.noise.draw()
        return {"b_B": b, "valid": 1}


class Gps:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 5, 6)
        self.period = 1.0 / cfg.rate_hz

    def sample(self, world: World) -> dict[str, Any]:
        n = self.noise.draw()
        c = world.chaser
        return {"r_N": c.r + self.cfg.position_sigma * n[:3],
                "v_N": c.v + self.cfg.velocity_sigma * n[3:], "valid": 1}


class RelNav:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 6, 3)
        self.frame = _frame(cfg.boresight)
        self._cos_fov = math.cos(math.radians(cfg.fov_half_angle_deg))
        self._sig_ang = math.radians(cfg.angle_sigma_deg)
        self.period = 1.0 / cfg.rate_hz

    def line_of_sight(self, world: World) -> np.ndarray:
        """Target position relative to the chaser, camera frame [m]."""
        c = world.chaser
        return self.frame @ (_rot(c.q) @ (world.target.r - c.r))

    def sample(self, world: World) -> dict[str, Any]:
        n = self.noise.draw()
        los = self.line_of_sight(world)
        rng = float(np.linalg.norm(los))
        cfg = self.cfg
        if not (cfg.min_range <= rng <= cfg.max_range) or los[2] < self._cos_fov * rng:
            return {"range": 0.0, "azimuth": 0.0, "elevation": 0.0, "valid": 0}
        az = math.atan2(los[0], los[2])
        el = math.asin(los[1] / rng)
        return {"range": rng + (cfg.range_sigma + cfg.range_sigma_fraction * rng) * n[0],
                "azimuth": az + self._sig_ang * n[1], "elevation": el + self._sig_ang * n[2],
                "valid": 1}


class WheelTach:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 7, 4)
        self.period = 1.0 / cfg.rate_hz

    def sample(self, world: World) -> dict[str, Any]:
        speed = np.zeros(4)
        nw = min(4, world.chaser.n_wheels)
        speed[:nw] = world.chaser.wheel_speed[:nw]
        return {"speed": speed + self.cfg.noise_sigma * self.noise.draw()}


class PropStatus:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 8, 2)
        self.period = 1.0 / cfg.rate_hz

    def sample(self, world: World) -> dict[str, Any]:
        n = self.noise.draw()
        c = world.chaser
        return {"tank_pressure": c.tank_pressure + self.cfg.pressure_sigma * n[0],
                "propellant_mass": max(0.0, c.prop_mass + self.cfg.mass_sigma * n[1])}


#: sensor name -> (model class, packet name)
MODELS = {
    "gyro": (Gyro, "GYRO"),
    "star_tracker": (StarTracker, "STAR_TRACKER"),
    "sun_sensor": (SunSensor, "SUN_SENSOR"),
    "magnetometer": (Magnetometer, "MAGNETOMETER"),
    "gps": (Gps, "GPS"),
    "relnav": (RelNav, "RELNAV"),
    "wheel_tach": (WheelTach, "WHEEL_TACH"),
    "prop_status": (PropStatus, "PROP_STATUS"),
}
assert tuple(MODELS) == SENSOR_NAMES


def build_sensors(cfg: SensorsConfig, seed: int) -> dict[str, Any]:
    """One model per sensor name, seeded from the scenario seed."""
    return {name: cls(getattr(cfg, name), seed) for name, (cls, _) in MODELS.items()}
