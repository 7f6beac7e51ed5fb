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
from hil.sim.constants import R_EARTH
from hil.sim.world import World

_ARCSEC = math.pi / 180 / 3600


class _Noise:
    """Standard normal draws in blocks from one seeded generator."""

    def __init__(self, seed: int, stream: int, width: int, block: int = 256) -> None:
        self.rng = np.random.default_rng([seed, stream])
        self.width, self.block = width, block
        self._buf = np.empty((0, width))
        self._rows: list[list[float]] | None = None
        self._i = 0

    def draw(self) -> np.ndarray:
        if self._i >= len(self._buf):
            self._refill()
        row = self._buf[self._i]
        self._i += 1
        return row

    def draw_list(self) -> list[float]:
        """The next row as plain floats (the same draws as :meth:`draw`)."""
        if self._i >= len(self._buf):
            self._refill()
        rows = self._rows
        if rows is None:
            rows = self._rows = self._buf.tolist()
        row = rows[self._i]
        self._i += 1
        return row

    def _refill(self) -> None:
        self._buf = self.rng.standard_normal((self.block, self.width))
        self._rows: list[list[float]] | None = None
        self._i = 0


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


def _rotate(q: list[float], v: list[float]) -> tuple[float, float, float]:
    """R(q) v in plain floats (q_BN: inertial to body), for per-sample speed."""
    w, x, y, z = q
    tx = 2.0 * (y * v[2] - z * v[1])
    ty = 2.0 * (z * v[0] - x * v[2])
    tz = 2.0 * (x * v[1] - y * v[0])
    return (v[0] + w * tx + (y * tz - z * ty), v[1] + w * ty + (z * tx - x * tz),
            v[2] + w * tz + (x * ty - y * tx))


class Gyro:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 1, 6)
        rng = np.random.default_rng([seed, 101])
        self._b = rng.normal(0.0, cfg.bias_sigma, 3).tolist()
        self.period = 1.0 / cfg.rate_hz
        self._sv = cfg.angle_random_walk / math.sqrt(self.period)
        self._su = cfg.bias_random_walk * math.sqrt(self.period)

    @property
    def bias(self) -> np.ndarray:
        """Current rate bias [rad/s], body axes (a random walk)."""
        return np.array(self._b)

    @bias.setter
    def bias(self, value: Any) -> None:
        self._b = np.asarray(value, float).reshape(3).tolist()

    def sample(self, world: World) -> dict[str, Any]:
        # plain floats at the gyro's rate (every tick): the same IEEE operations,
        # in the same order, as the numpy expression w + bias + sv * n
        n0, n1, n2, n3, n4, n5 = self.noise.draw_list()
        su, sv = self._su, self._sv
        b0, b1, b2 = self._b
        b0, b1, b2 = b0 + su * n3, b1 + su * n4, b2 + su * n5
        self._b = [b0, b1, b2]
        w0, w1, w2 = world.chaser.w.tolist()
        return {"rate_B": (w0 + b0 + sv * n0, w1 + b1 + sv * n1, w2 + b2 + sv * n2),
                "valid": 1}


class StarTracker:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 2, 3)
        self.frame = _frame(cfg.boresight)
        self.sig = np.array([cfg.cross_boresight_sigma_arcsec] * 2
                            + [cfg.about_boresight_sigma_arcsec]) * _ARCSEC
        self._frame_t = self.frame.T.copy()
        self._bore = self.frame[2].tolist()
        self._cos_sun = math.cos(math.radians(cfg.sun_exclusion_deg))
        self._earth = math.radians(cfg.earth_exclusion_deg)
        self._max_rate2 = math.radians(cfg.max_rate_deg_s) ** 2
        self.period = 1.0 / cfg.rate_hz

    def blinded(self, world: World) -> bool:
        """True when the sun, the Earth or the rate makes a solution impossible."""
        c = world.chaser
        bx, by, bz = self._bore
        sb = c.sun_body
        if not c.eclipse and sb[0] * bx + sb[1] * by + sb[2] * bz > self._cos_sun:
            return True
        r = c.r.tolist()
        rn = math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
        nb = _rotate(c.q.tolist(), [-r[0] / rn, -r[1] / rn, -r[2] / rn])
        cos_nadir = max(-1.0, min(1.0, nb[0] * bx + nb[1] * by + nb[2] * bz))
        if math.acos(cos_nadir) < math.asin(min(1.0, R_EARTH / rn)) + self._earth:
            return True
        w = c.w.tolist()
        return w[0] * w[0] + w[1] * w[1] + w[2] * w[2] > self._max_rate2

    def sample(self, world: World) -> dict[str, Any]:
        n = self.noise.draw()
        if self.blinded(world):
            return {"q_BN": (1.0, 0.0, 0.0, 0.0), "valid": 0}
        e = (self._frame_t @ (self.sig * n)).tolist()  # small rotation, body axes
        hx, hy, hz = 0.5 * e[0], 0.5 * e[1], 0.5 * e[2]
        k = 1.0 / math.sqrt(1.0 + hx * hx + hy * hy + hz * hz)
        a0, a1, a2, a3 = k, k * hx, k * hy, k * hz
        b0, b1, b2, b3 = world.chaser.q.tolist()
        q = (a0 * b0 - a1 * b1 - a2 * b2 - a3 * b3, a0 * b1 + a1 * b0 + a2 * b3 - a3 * b2,
             a0 * b2 - a1 * b3 + a2 * b0 + a3 * b1, a0 * b3 + a1 * b2 - a2 * b1 + a3 * b0)
        if q[0] < 0:
            q = (-q[0], -q[1], -q[2], -q[3])
        return {"q_BN": q, "valid": 1}


class SunSensor:
    def __init__(self, cfg: Any, seed: int) -> None:
        self.cfg = cfg
        self.noise = _Noise(seed, 3, 6)
        self.period = 1.0 / cfg.rate_hz

    def sample(self, world: World) -> dict[str, Any]:
        c = world.chaser
        n = (self.cfg.noise_sigma * self.noise.draw()).tolist()
        s = (0.0, 0.0, 0.0) if c.eclipse else c.sun_body.tolist()
        # cell on +axis sees max(0, s), on -axis max(0, -s); estimate = difference
        est = [max(s[i], 0.0) + n[i] - max(-s[i], 0.0) - n[i + 3] for i in range(3)]
        norm = math.sqrt(est[0] * est[0] + est[1] * est[1] + est[2] * est[2])
        if norm < self.cfg.threshold:
            return {"sun_B": (0.0, 0.0, 0.0), "valid": 0}
        return {"sun_B": (est[0] / norm, est[1] / norm, est[2] / norm), "valid": 1}


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
        return self.frame @ np.array(_rotate(c.q.tolist(), (world.target.r - c.r).tolist()))

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
