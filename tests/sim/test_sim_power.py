"""The world's electrical power (issue #15, the power model the far insertion
needs): a body-mounted array by the cosine law, nothing on its back or in the
Earth's shadow, a constant load and a battery kept in [0, capacity]
(native/sim/include/simcore.h), checked against the geometry by hand
(scipy's rotation of the sun into the body), the rectangle rule replayed in
plain floats tick by tick, and the EPS monitor's noise against its
configuration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from fsw.errors import UserError
from hil.sim import constants as k
from hil.sim.config import (
    EnvironmentConfig,
    OrbitConfig,
    PowerConfig,
    SpacecraftConfig,
    WorldConfig,
)
from hil.sim.sensors import SensorBank
from hil.sim.world import World

R = k.R_EARTH + 500e3


def _sun() -> np.ndarray:
    return World(WorldConfig()).sun_n.copy()


def _world(side: float, toward_b=(0.0, 0.0, -1.0), soc0: float = 0.5,
           power: PowerConfig | None = None) -> World:
    """A chaser at 500 km on the sun's side (side = 1) or behind the Earth
    (-1), still, turned so that body axis ``toward_b`` points at the sun."""
    s = _sun()
    v = np.cross(s, [0.0, 0.0, 1.0])
    v *= math.sqrt(k.MU_EARTH / R) / np.linalg.norm(v)
    rot, _ = Rotation.align_vectors([toward_b], [s])  # N -> B
    x, y, z, w = rot.as_quat()
    pw = power or PowerConfig(initial_soc=soc0)
    chaser = SpacecraftConfig(orbit=OrbitConfig(state_n=[*(side * R * s), *v]),
                              attitude_q=[w, x, y, z], power=pw)
    env = EnvironmentConfig(j2=False, gravity_gradient=False, magnetic=False)
    return World(WorldConfig(step=1.0, environment=env, chaser=chaser))


def _cos_by_hand(world: World) -> float:
    """cos of the sun from the array's normal: the truth attitude and the sun
    direction rotated by scipy, not the core."""
    w, x, y, z = world.chaser.q.tolist()
    s_b = Rotation.from_quat([x, y, z, w]).apply(world.sun_n)
    n = np.asarray(world.chaser.config.power.array_normal, float)
    return float(s_b @ n / np.linalg.norm(n))


def test_the_array_follows_the_cosine_law_and_the_battery_the_rectangle_rule() -> None:
    """Sun on the array 30 deg off its normal, 10 min in sunlight: the array's
    power is peak x cos by hand (1e-9), and the battery's energy is the sum
    over the ticks of (power at the tick's start - load) x dt, replayed in
    plain floats: the same bits."""
    off = math.radians(30.0)
    w = _world(1.0, toward_b=(math.sin(off), 0.0, -math.cos(off)))
    pw, c = w.chaser.config.power, w.chaser._c
    assert not w.chaser.eclipse
    assert w.chaser.array_power == pytest.approx(300.0 * math.cos(off), rel=1e-9)
    cap = pw.battery_capacity_wh * 3600.0
    e = 0.5 * cap
    for _ in range(600):
        p = w.chaser.array_power
        assert p == pytest.approx(pw.array_peak_power * _cos_by_hand(w), rel=1e-9, abs=1e-9)
        w.step()
        e = min(max(e + (p - pw.load_power) * 1.0, 0.0), cap)
        assert c.battery_energy == e
    assert w.chaser.battery_soc == e / cap
    # (300 cos 30 - 90) W for 600 s: about 27 Wh more
    assert (e / cap - 0.5) * pw.battery_capacity_wh == pytest.approx(
        (300.0 * math.cos(off) - 90.0) / 6.0, rel=1e-3)


@pytest.mark.parametrize(("side", "toward"), [(-1.0, (0.0, 0.0, -1.0)),   # in the shadow
                                              (1.0, (0.0, 0.0, 1.0))])    # sun on its back
def test_no_power_in_the_shadow_or_on_the_arrays_back(side, toward) -> None:
    w = _world(side, toward_b=toward)
    assert w.chaser.eclipse == (side < 0)
    assert w.chaser.array_power == 0.0
    w.step(360)
    assert w.chaser.array_power == 0.0
    assert w.chaser.battery_soc == pytest.approx(0.5 - 90.0 * 0.1 / 250.0, rel=1e-12)


def test_the_battery_stays_between_empty_and_full() -> None:
    full = _world(1.0, soc0=1.0)
    full.step(100)
    assert full.chaser.battery_soc == 1.0  # the surplus is shed
    empty = _world(-1.0, soc0=0.001)  # 0.9 kJ, 10 s of load
    empty.step(100)
    assert empty.chaser.battery_soc == 0.0
    empty.step(1)
    assert empty.chaser.battery_soc == 0.0


def test_no_power_model_without_one() -> None:
    w = World(WorldConfig(chaser=SpacecraftConfig(power=None)))
    w.step(10)
    assert w.chaser.battery_soc == 0.0 and w.chaser.array_power == 0.0
    assert w.target.battery_soc == 0.0  # the target has none by default


@pytest.mark.parametrize(("field", "value", "message"), [
    ("array_normal", [0.0, 0.0, 0.0], "array_normal must be a non-zero"),
    ("array_peak_power", -1.0, "array_peak_power must be a finite power"),
    ("load_power", math.nan, "load_power must be a finite power"),
    ("battery_capacity_wh", 0.0, "battery_capacity_wh must be > 0"),
    ("initial_soc", 1.5, r"initial_soc must be in \[0, 1\]"),
])
def test_a_bad_power_configuration_is_refused(field, value, message) -> None:
    pw = PowerConfig()
    setattr(pw, field, value)
    with pytest.raises(UserError, match=message):
        World(WorldConfig(chaser=SpacecraftConfig(power=pw)))


def test_the_eps_monitor_reads_truth_with_its_noise() -> None:
    """2000 samples of one state: means within 4 sigma / sqrt(n) of truth,
    standard deviations within 10 % of the configuration's; the state of
    charge clamped to [0, 1] and the powers not negative."""
    w = _world(1.0, soc0=0.7)
    cfg = WorldConfig().sensors
    bank = SensorBank(cfg, 5)
    eps = bank.sensor("eps", cfg.eps)

    def samples(world: World, n: int) -> np.ndarray:
        return np.array([[d["soc"], d["array_power"], d["load_power"]]
                         for d in (eps.sample(world) for _ in range(n))])

    v = samples(w, 2000)
    truth = (w.chaser.battery_soc, w.chaser.array_power, 90.0)
    sig = (cfg.eps.soc_sigma, cfg.eps.power_sigma, cfg.eps.power_sigma)
    for j in range(3):
        assert abs(v[:, j].mean() - truth[j]) < 4 * sig[j] / math.sqrt(len(v))
        assert v[:, j].std() == pytest.approx(sig[j], rel=0.1)
    full = _world(1.0, soc0=1.0)
    dark = _world(-1.0, soc0=0.0)
    vf, vd = samples(full, 200), samples(dark, 200)
    assert vf[:, 0].max() == 1.0 and vf[:, 0].min() < 1.0
    assert vd[:, 0].min() == 0.0 and vd[:, 1].min() == 0.0 and vd[:, 1].max() > 0.0
