"""The world's attitude sensors as flown (issue #17): the Moon's position
against ERFA's (a second implementation), the gyro's Allan deviation
recovering its angle random walk and bias instability (computed here and
checked against allantools), star-tracker heads (own streams, head numbers,
acquisition after a gap, Moon exclusion)."""

from __future__ import annotations

import math

import erfa
import numpy as np
import pytest

from hil.sim._native import ffi, lib
from hil.sim.config import GyroConfig, SensorsConfig, StarTrackerConfig, WorldConfig
from hil.sim.packet_layout import MAX_VALUES
from hil.sim.sensors import SensorBank
from hil.sim.world import World

DEG = math.pi / 180.0


def _moon(jd_tt: float) -> np.ndarray:
    out = ffi.new("double[3]")
    assert lib.sim_moon(jd_tt, 6378137.0, out) == 0
    return np.array(list(out))


@pytest.mark.parametrize("year", [2000.0, 2013.3, 2026.4, 2026.9, 2035.7, 2049.5])
def test_moon_matches_erfa_to_the_formula_s_stated_accuracy(year: float) -> None:
    """Astronomical Almanac low-precision Moon: 0.3 deg in longitude, 0.2 deg in
    latitude (so at most 0.36 deg in direction), parallax 0.003 deg (0.6 % of
    the distance at 0.95 deg). ERFA's moon98 (Meeus, arcseconds) is the
    reference; sampled over a month around each date."""
    for day in np.linspace(0.0, 27.3, 12):
        jd = 2451545.0 + (year - 2000.0) * 365.25 + day
        mine = _moon(jd)
        pv = erfa.moon98(jd, 0.0)
        ref = np.asarray(pv["p"], float) * 149597870700.0
        ang = math.degrees(math.acos(np.clip(mine @ ref / np.linalg.norm(mine)
                                             / np.linalg.norm(ref), -1, 1)))
        assert ang < 0.36, (year, day, ang)
        assert abs(np.linalg.norm(mine) / np.linalg.norm(ref) - 1) < 0.006


def _oadev(x: np.ndarray, rate: float, m: np.ndarray) -> np.ndarray:
    """Overlapping Allan deviation of rate samples x at cluster sizes m
    (IEEE 952: from the integrated angle theta)."""
    theta = np.concatenate(([0.0], np.cumsum(x))) / rate
    tau0 = 1.0 / rate
    out = []
    for k in m:
        d = theta[2 * k:] - 2 * theta[k:-k] + theta[:-2 * k]
        out.append(math.sqrt(np.mean(d * d) / (2.0 * (k * tau0) ** 2)))
    return np.array(out)


def _static_record(cfg: GyroConfig, seconds: float, seed: int = 7) -> np.ndarray:
    """A static gyro record (body at rest: the world is not stepped)."""
    world = World(WorldConfig())
    world.struct.craft[0].w = [0.0, 0.0, 0.0]
    sensors = SensorsConfig(gyro=cfg)
    bank = SensorBank(sensors, seed, ("gyro",))
    n = int(seconds * cfg.rate_hz)
    vals = ffi.new("double[]", 8)
    out = np.empty((n, 3))
    sample = lib.sim_sensor_sample
    for i in range(n):
        sample(bank.struct, world.struct, 0, vals)
        out[i] = (vals[0], vals[1], vals[2])
    return out


def test_gyro_allan_deviation_recovers_arw_and_bias_instability() -> None:
    """6 h static record at 10 Hz of the default mission's gyro (ARW 0.15
    deg/sqrt(h), bias instability 0.5 deg/h, rate random walk and scale
    factor as the scenario has them): a weighted least-squares fit of
    N^2 / tau + (0.664 B)^2 + K^2 tau / 3 to the overlapping Allan variance of
    the three axes recovers N and B within 10 %."""
    from fsw.scenario import load_builtin
    from hil.sim.from_scenario import world_config

    cfg = world_config(load_builtin("victus_haze")).sensors.gyro
    assert cfg.bias_instability > 0 and cfg.scale_factor_ppm > 0
    rec = _static_record(cfg, 6 * 3600.0)
    m = np.unique(np.logspace(0, math.log10(rec.shape[0] // 6), 40).astype(int))
    tau = m / cfg.rate_hz
    avar = np.mean([_oadev(rec[:, i] - rec[:, i].mean(), cfg.rate_hz, m) ** 2
                    for i in range(3)], axis=0)
    # relative variance of an Allan variance estimate ~ 1 / (clusters); 3 axes
    w = np.sqrt(3.0 * (rec.shape[0] / m)) / avar
    basis = np.stack([1.0 / tau, np.ones_like(tau), tau / 3.0], axis=1)
    coef, *_ = np.linalg.lstsq(basis * w[:, None], avar * w, rcond=None)
    n_fit = math.sqrt(coef[0])
    b_fit = math.sqrt(max(coef[1], 0.0)) / 0.664
    assert n_fit == pytest.approx(cfg.angle_random_walk, rel=0.10)
    assert b_fit == pytest.approx(cfg.bias_instability, rel=0.10)


def test_allan_deviation_agrees_with_allantools() -> None:
    allantools = pytest.importorskip("allantools")
    cfg = GyroConfig(rate_hz=10.0, angle_random_walk=1e-4, bias_random_walk=1e-8,
                     bias_instability=2e-5)
    rec = _static_record(cfg, 1800.0)[:, 0]
    m = np.array([1, 3, 10, 30, 100, 300, 1000])
    mine = _oadev(rec, 10.0, m)
    taus, ref, _, _ = allantools.oadev(rec, rate=10.0, data_type="freq", taus=m / 10.0)
    np.testing.assert_allclose(mine, ref, rtol=1e-9)
    np.testing.assert_allclose(taus, m / 10.0)


def test_gyro_scale_factor_and_instability_streams_leave_the_white_noise_alone() -> None:
    """New noise processes take new streams (102, 103): the white noise and
    bias walk of stream 1 are the same draws with and without them."""
    base = GyroConfig(rate_hz=10.0, bias_sigma=0.0)
    more = GyroConfig(rate_hz=10.0, bias_sigma=0.0, bias_instability=1e-6,
                      scale_factor_ppm=0.0)
    a, b = _static_record(base, 60.0), _static_record(more, 60.0)
    drift = b - a  # the instability alone: six Gauss-Markov terms of 0.6826 B
    assert np.all(np.abs(drift) < 6 * 0.6826e-6 * 4)
    # its step-to-step change: sqrt(sum_k c_k^2), c_k = 0.6826 B sqrt(1 - a_k^2)
    a_k = np.exp(-0.1 / (10.0 * 4.0 ** np.arange(6)))
    expected = 0.6826e-6 * math.sqrt(np.sum(1 - a_k * a_k))
    assert np.std(np.diff(drift, axis=0)) == pytest.approx(expected, rel=0.1)


def _tracker_world(boresight: list[float], acquisition_s: float = 0.0,
                   moon_deg: float = 0.0) -> tuple[World, SensorBank]:
    world = World(WorldConfig())
    head = StarTrackerConfig(boresight=boresight, acquisition_s=acquisition_s,
                             moon_exclusion_deg=moon_deg, sun_exclusion_deg=0.0,
                             earth_exclusion_deg=0.0, max_rate_deg_s=90.0)
    cfg = SensorsConfig(star_tracker=head, star_tracker_2=head, star_tracker_heads=2)
    return world, SensorBank(cfg, 3)


def _sample(bank: SensorBank, world: World, sensor: int) -> list[float]:
    vals = ffi.new("double[]", 8)
    assert lib.sim_sensor_sample(bank.struct, world.struct, sensor, vals) == 0
    return list(vals)[:6]


def test_heads_publish_their_number_and_draw_from_their_own_streams() -> None:
    world, bank = _tracker_world([0.0, -1.0, 0.0])
    a = _sample(bank, world, lib.SIM_SENSOR_STAR_TRACKER)
    b = _sample(bank, world, lib.SIM_SENSOR_STAR_TRACKER_2)
    assert a[4] == 1 and b[4] == 1 and a[5] == 0 and b[5] == 1
    assert a[:4] != b[:4]  # same configuration, other stream: other noise


def test_acquisition_time_after_a_gap() -> None:
    world, bank = _tracker_world([0.0, -1.0, 0.0], acquisition_s=2.0)
    valid = []
    for _ in range(40):  # 4 s at 10 Hz
        valid.append(_sample(bank, world, lib.SIM_SENSOR_STAR_TRACKER)[4])
        world.step(1)
    first = valid.index(1.0)
    assert 19 <= first <= 21 and all(valid[first:])


def test_moon_in_the_field_of_view_blinds_the_head() -> None:
    world = World(WorldConfig())
    t = world.struct.t
    jd = world.struct.env.jd_tt0 + t / 86400.0
    moon = _moon(jd) - np.array(list(world.struct.craft[0].r))
    q = np.array(list(world.struct.craft[0].q))
    # the Moon's direction in the body (v_B = R(q_BN) v_N)
    w, u = q[0], q[1:]
    v = moon / np.linalg.norm(moon)
    tt = 2 * np.cross(u, v)
    mb = v + w * tt + np.cross(u, tt)
    _, bank = _tracker_world(mb.tolist(), moon_deg=10.0)
    assert _sample(bank, world, lib.SIM_SENSOR_STAR_TRACKER)[4] == 0
    # the zenith (clear of the Earth) seen from the craft, away from the Moon
    r = np.array(list(world.struct.craft[0].r))
    z = r / np.linalg.norm(r)
    tz = 2 * np.cross(u, z)
    zb = z + w * tz + np.cross(u, tz)
    assert math.degrees(math.acos(np.clip(zb @ mb, -1, 1))) > 15.0
    _, bank = _tracker_world(zb.tolist(), moon_deg=10.0)
    assert _sample(bank, world, lib.SIM_SENSOR_STAR_TRACKER)[4] == 1


def _gps_bank(**kw: float) -> tuple[World, SensorBank]:
    from hil.sim.config import GpsConfig

    world = World(WorldConfig())
    world.struct.craft[0].w = [0.0, 0.0, 0.0]
    return world, SensorBank(SensorsConfig(gps=GpsConfig(**kw)), 5, ("gps",))


def _gps(bank: SensorBank, world: World) -> list[float]:
    vals = ffi.new("double[]", MAX_VALUES)
    assert lib.sim_sensor_sample(bank.struct, world.struct, lib.SIM_SENSOR_GPS, vals) == 0
    return list(vals)[:7]


def test_gps_first_fix_and_outage_above_the_rate_limit() -> None:
    world, bank = _gps_bank(ttff_s=3.0, reacquisition_s=1.0, max_rate_deg_s=2.0)
    valid = []
    for _ in range(50):  # 5 s at 10 Hz, sampled every tick
        valid.append(_gps(bank, world)[6])
        world.step(1)
    assert valid.index(1.0) in (29, 30, 31) and all(valid[31:])
    world.struct.craft[0].w = [0.0, math.radians(3.0), 0.0]  # over the limit
    assert _gps(bank, world)[6] == 0
    world.struct.craft[0].w = [0.0, 0.0, 0.0]
    after = []
    for _ in range(20):
        world.step(1)
        after.append(_gps(bank, world)[6])
    assert after.index(1.0) in (9, 10, 11)  # reacquisition 1 s


def test_gps_antenna_away_from_zenith_loses_the_fix() -> None:
    world, _ = _gps_bank(max_zenith_deg=80.0, antenna_B=[0.0, 0.0, 1.0])
    c = world.struct.craft[0]
    r = np.array(list(c.r))
    zen = r / np.linalg.norm(r)
    q = np.array(list(c.q))
    w_, u = q[0], q[1:]  # zenith in body axes
    tt = 2 * np.cross(u, zen)
    zb = zen + w_ * tt + np.cross(u, tt)
    world2, bank2 = _gps_bank(max_zenith_deg=80.0, antenna_B=zb.tolist())
    world3, bank3 = _gps_bank(max_zenith_deg=80.0, antenna_B=(-zb).tolist())
    assert _gps(bank2, world2)[6] == 1 and _gps(bank3, world3)[6] == 0


def test_gps_errors_are_gauss_markov_with_the_configured_sigma_and_time() -> None:
    """Pure correlated error (no white noise): steady sigma and the
    autocorrelation exp(-lag / tau) at lag tau (1 Hz samples)."""
    world, bank = _gps_bank(position_sigma=0.0, velocity_sigma=0.0, gm_tau_s=20.0,
                            gm_position_sigma=3.0, gm_velocity_sigma=0.01)
    r0 = np.array(list(world.struct.craft[0].r))
    e = np.array([np.array(_gps(bank, world)[:3]) - r0 for _ in range(40000)])
    assert np.std(e) == pytest.approx(3.0, rel=0.05)
    x = e - e.mean(axis=0)
    rho = np.mean(x[20:] * x[:-20]) / np.mean(x * x)
    assert rho == pytest.approx(math.exp(-1.0), abs=0.04)
