"""Acceptance 4: each sensor's sample statistics (mean, standard deviation,
random-walk growth) match its parameters within statistical bounds.

Bounds: a sample mean is within 5 standard errors of its expected value; a
sample standard deviation of N draws within 5 / sqrt(2N) relative (the
standard error of s/sigma is 1/sqrt(2N)). The truth is held fixed while
sampling, so the errors are the noise alone. The models are the simulation
core's (native/sim/src/sim_sensors.c); the frames and quaternion algebra used
to judge them here are this file's own (numpy).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hil.sim import constants as k
from hil.sim.config import EnvironmentConfig, SpacecraftConfig, WorldConfig
from hil.sim.sensors import (
    Gps,
    Gyro,
    Magnetometer,
    PropStatus,
    RelNav,
    StarTracker,
    SunSensor,
    WheelTach,
)
from hil.sim.world import World

N = 20000


def _frame(boresight) -> np.ndarray:
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


def _point_boresight(c, bore: np.ndarray, direction_n: np.ndarray) -> None:
    """Attitude putting the body vector ``bore`` on the inertial ``direction_n``
    (q_BN maps the inertial direction onto it)."""
    axis = np.cross(bore, direction_n)
    ang = math.acos(np.clip(bore @ direction_n, -1, 1))
    if np.linalg.norm(axis) < 1e-12:
        axis = np.array([1.0, 0, 0]) if abs(bore[0]) < 0.9 else np.array([0, 1.0, 0])
    axis /= np.linalg.norm(axis)
    c.q[:] = np.concatenate([[math.cos(ang / 2)], -math.sin(ang / 2) * axis])


def check_mean_std(err: np.ndarray, mean: np.ndarray | float, sigma: np.ndarray | float) -> None:
    n = err.shape[0]
    mean = np.broadcast_to(mean, err.shape[1:])
    sigma = np.broadcast_to(sigma, err.shape[1:])
    assert np.all(np.abs(err.mean(axis=0) - mean) < 5 * sigma / math.sqrt(n))
    assert np.all(np.abs(err.std(axis=0, ddof=1) / sigma - 1) < 5 / math.sqrt(2 * n))


@pytest.fixture(scope="module")
def world() -> World:
    chaser = SpacecraftConfig(rate=[0.01, -0.02, 0.005], hill_position=[0.0, -300.0, 50.0])
    return World(WorldConfig(chaser=chaser, environment=EnvironmentConfig(magnetic=True)))


def test_gyro_white_noise_and_bias(world: World) -> None:
    cfg = WorldConfig().sensors.gyro
    cfg.bias_random_walk = 0.0
    g = Gyro(cfg, seed=3)
    err = np.array([np.subtract(g.sample(world)["rate_B"], world.chaser.w) for _ in range(N)])
    check_mean_std(err, np.array(g.bias), cfg.angle_random_walk / math.sqrt(1 / cfg.rate_hz))
    # the initial bias is drawn N(0, bias_sigma) per axis, seed by seed
    biases = np.array([Gyro(cfg, seed=s).bias for s in range(4000)])
    check_mean_std(biases, 0.0, cfg.bias_sigma)


def test_gyro_bias_random_walk_growth(world: World) -> None:
    """With the white noise off, the output is the bias: its increments over m
    samples have variance m sigma_u^2 T (random-walk growth, m = 1 and 50)."""
    cfg = WorldConfig().sensors.gyro
    cfg.angle_random_walk = 0.0
    cfg.bias_random_walk = 1e-6
    g = Gyro(cfg, seed=4)
    y = np.array([g.sample(world)["rate_B"] for _ in range(N)])
    T = 1 / cfg.rate_hz
    for m in (1, 50):
        d = y[m::m] - y[:-m:m]
        check_mean_std(d, 0.0, cfg.bias_random_walk * math.sqrt(m * T))


def _small_angles(q_m: np.ndarray, q: np.ndarray) -> np.ndarray:
    dq = _qmul(q_m, q * np.array([1, -1, -1, -1]))
    dq = dq if dq[0] >= 0 else -dq
    return 2 * dq[1:]


def test_star_tracker_noise_in_tracker_frame(world: World) -> None:
    cfg = WorldConfig().sensors.star_tracker
    st = StarTracker(cfg, seed=5)
    q = world.chaser.q.copy()
    frame = _frame(cfg.boresight)
    errs = []
    for _ in range(N):
        s = st.sample(world)
        assert s["valid"] == 1
        errs.append(frame @ _small_angles(np.asarray(s["q_BN"]), q))
    arcsec = math.pi / 180 / 3600
    sig = np.array([cfg.cross_boresight_sigma_arcsec] * 2 + [cfg.about_boresight_sigma_arcsec])
    check_mean_std(np.array(errs), 0.0, sig * arcsec)


def test_star_tracker_exclusions() -> None:
    cfg = WorldConfig().sensors.star_tracker
    w = World()
    st = StarTracker(cfg, seed=1)
    c = w.chaser
    bore = _frame(cfg.boresight)[2]

    def point(direction_n: np.ndarray) -> None:
        _point_boresight(c, bore, direction_n)
        w.step()

    sun = w.sun_n.copy()
    point(sun)
    assert not c.eclipse and st.sample(w)["valid"] == 0
    point(-c.r / np.linalg.norm(c.r))  # nadir
    assert st.sample(w)["valid"] == 0
    zenith = c.r / np.linalg.norm(c.r)
    point(zenith)
    if c.sun_body @ bore < math.cos(math.radians(cfg.sun_exclusion_deg)):
        assert st.sample(w)["valid"] == 1
        c.w[:] = [0.0, 0.0, math.radians(cfg.max_rate_deg_s) * 1.5]
        assert st.sample(w)["valid"] == 0


def test_star_tracker_earth_limb_boundary() -> None:
    """Blinded while the boresight is within the exclusion angle of the
    Earth's limb (angle from nadir < asin(Re / r) + exclusion), clear 0.2 deg
    outside it; the sun kept far from the boresight."""
    cfg = WorldConfig().sensors.star_tracker
    w = World()
    st = StarTracker(cfg, seed=2)
    c = w.chaser
    bore = _frame(cfg.boresight)[2]
    r = c.r.copy()
    nadir = -r / np.linalg.norm(r)
    limb = math.asin(k.R_EARTH / np.linalg.norm(r)) + math.radians(cfg.earth_exclusion_deg)
    # tilt away from nadir in the plane holding the sun's far side
    perp = np.cross(nadir, np.cross(w.sun_n, nadir))
    perp = -perp / np.linalg.norm(perp)
    for margin_deg, valid in ((-0.2, 0), (0.2, 1)):
        theta = limb + math.radians(margin_deg)
        _point_boresight(c, bore, math.cos(theta) * nadir + math.sin(theta) * perp)
        w.step(0)  # refresh the outputs without moving
        assert c.sun_body @ bore < math.cos(math.radians(cfg.sun_exclusion_deg + 5))
        assert st.sample(w)["valid"] == valid, margin_deg


def test_sun_sensor_noise_and_eclipse(world: World) -> None:
    cfg = WorldConfig().sensors.sun_sensor
    ss = SunSensor(cfg, seed=6)
    s = world.chaser.sun_body.copy()
    assert not world.chaser.eclipse
    est = np.array([ss.sample(world)["sun_B"] for _ in range(N)])
    # transverse errors: each component of the cell difference has sigma*sqrt(2)
    t1 = np.cross(s, [0.0, 0.0, 1.0])
    t1 /= np.linalg.norm(t1)
    t2 = np.cross(s, t1)
    err = np.stack([est @ t1, est @ t2], axis=1)
    check_mean_std(err, 0.0, cfg.noise_sigma * math.sqrt(2))
    # the normalisation leaves a second-order radial bias only
    assert abs((est @ s).mean() - 1) < 5 * cfg.noise_sigma**2


def test_magnetometer_gps_tach_prop(world: World) -> None:
    sens = WorldConfig().sensors
    sens.magnetometer.bias = [1e-6, -2e-6, 5e-7]
    m = Magnetometer(sens.magnetometer, seed=7)
    b = np.array([m.sample(world)["b_B"] for _ in range(N)]) - world.chaser.b_body
    check_mean_std(b, np.array(sens.magnetometer.bias), sens.magnetometer.noise_sigma)
    g = Gps(sens.gps, seed=8)
    samples = [g.sample(world) for _ in range(N)]
    check_mean_std(np.array([s["r_N"] for s in samples]) - world.chaser.r, 0.0,
                   sens.gps.position_sigma)
    check_mean_std(np.array([s["v_N"] for s in samples]) - world.chaser.v, 0.0,
                   sens.gps.velocity_sigma)
    t = WheelTach(sens.wheel_tach, seed=9)
    check_mean_std(np.array([t.sample(world)["speed"] for _ in range(N)])
                   - world.chaser.wheel_speed, 0.0, sens.wheel_tach.noise_sigma)
    p = PropStatus(sens.prop_status, seed=10)
    samples = [p.sample(world) for _ in range(N)]
    check_mean_std(np.array([s["tank_pressure"] for s in samples]) - world.chaser.tank_pressure,
                   0.0, sens.prop_status.pressure_sigma)


def test_relnav_noise_fov_and_range(world: World) -> None:
    cfg = WorldConfig().sensors.relnav
    c = world.chaser
    q = c.q
    rot = np.array([[1 - 2 * (q[2]**2 + q[3]**2), 2 * (q[1]*q[2] - q[0]*q[3]),
                     2 * (q[1]*q[3] + q[0]*q[2])],
                    [2 * (q[1]*q[2] + q[0]*q[3]), 1 - 2 * (q[1]**2 + q[3]**2),
                     2 * (q[2]*q[3] - q[0]*q[1])],
                    [2 * (q[1]*q[3] - q[0]*q[2]), 2 * (q[2]*q[3] + q[0]*q[1]),
                     1 - 2 * (q[1]**2 + q[2]**2)]])
    los_b = rot @ (world.target.r - c.r)
    rng = np.linalg.norm(los_b)
    # boresight 3 deg off the line of sight: inside the 10 deg field of view
    off = np.cross(los_b, [0.0, 0.0, 1.0])
    cfg.boresight = list(los_b / rng + math.tan(math.radians(3)) * off / np.linalg.norm(off))
    rn = RelNav(cfg, seed=11)
    frame = _frame(cfg.boresight)
    los_c = frame @ los_b
    az, el = math.atan2(los_c[0], los_c[2]), math.asin(los_c[1] / rng)
    assert math.hypot(az, el) == pytest.approx(math.radians(3), rel=0.02)
    samples = [rn.sample(world) for _ in range(N)]
    assert all(s["valid"] == 1 for s in samples)
    meas = np.array([[s["range"], s["azimuth"], s["elevation"]] for s in samples])
    sig = np.array([cfg.range_sigma + cfg.range_sigma_fraction * rng,
                    math.radians(cfg.angle_sigma_deg), math.radians(cfg.angle_sigma_deg)])
    check_mean_std(meas - [rng, az, el], 0.0, sig)
    cfg.fov_half_angle_deg = 2.0
    assert RelNav(cfg, seed=11).sample(world)["valid"] == 0
    cfg.fov_half_angle_deg, cfg.max_range = 10.0, rng * 0.9
    assert RelNav(cfg, seed=11).sample(world)["valid"] == 0


def test_same_seed_same_noise_other_seed_other_noise(world: World) -> None:
    cfg = WorldConfig().sensors.gps
    ga, gb, gc = Gps(cfg, 1), Gps(cfg, 1), Gps(cfg, 2)
    a = [ga.sample(world)["r_N"] for _ in range(300)]
    b = [gb.sample(world)["r_N"] for _ in range(300)]
    c = [gc.sample(world)["r_N"] for _ in range(300)]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_bad_configurations_and_uninitialised_sensors_are_refused(world: World) -> None:
    from fsw.errors import UserError
    from hil.sim._native import ffi, lib
    from hil.sim.sensors import SENSOR_ID, SensorBank

    sens = WorldConfig().sensors
    for name, field, value in (("gyro", "rate_hz", 0.0), ("gps", "position_sigma", -1.0),
                               ("star_tracker", "boresight", [0.0, 0.0, 0.0]),
                               ("star_tracker", "earth_exclusion_deg", 95.0),
                               ("relnav", "max_range", math.nan),
                               ("magnetometer", "bias", [0.0, 1.0])):
        cfg = WorldConfig().sensors
        setattr(getattr(cfg, name), field, value)
        with pytest.raises(UserError, match=name):
            SensorBank(cfg, 1)
    with pytest.raises(UserError, match="seed"):
        SensorBank(sens, -1)
    bank = SensorBank(sens, 1, ("gyro",))
    values = ffi.new("double[]", 21)
    assert lib.sim_sensor_sample(bank.struct, world.struct, SENSOR_ID["gyro"], values) == 0
    assert (lib.sim_sensor_sample(bank.struct, world.struct, SENSOR_ID["gps"], values)
            == lib.SIM_ERR_STATE)


def test_relnav_sees_the_target_only_in_light_beyond_the_lidar() -> None:
    """Hand-built geometries (issues #15, #16): the chaser put at a chosen sun
    phase angle (sun - target - chaser) and range from the target, camera on
    the line of sight. Beyond the lidar's range the camera needs the target
    out of the Earth's shadow, the phase angle at most phase_max_deg (valid
    1 deg inside, not 1 deg outside) and the sun at least sun_exclusion_deg
    from the boresight; inside it the lidar sees in any light. The default
    (infinite lidar range) sees in any light, as before."""
    w = World()
    c, t = w.chaser, w.target
    cfg = WorldConfig().sensors.relnav
    cfg.fov_half_angle_deg, cfg.max_range = 60.0, 5000.0
    cfg.lidar_range, cfg.phase_max_deg, cfg.sun_exclusion_deg = 500.0, 140.0, 20.0
    bore = _frame(cfg.boresight)[2]
    sun = w.sun_n.copy()
    perp = np.cross(sun, [0.0, 0.0, 1.0])
    perp /= np.linalg.norm(perp)
    a = float(np.linalg.norm(t.r))

    def valid(phase_deg: float, rng: float, lit: bool = True, tilt_deg: float = 0.0,
              config=cfg) -> int:
        t.r[:] = (a if lit else -a) * sun  # the sub-solar point or the shadow's axis
        ph = math.radians(phase_deg)
        u = math.cos(ph) * sun + math.sin(ph) * perp  # target -> chaser
        c.r[:] = t.r + rng * u
        # the boresight on the line of sight (-u), tilted towards the sun by tilt_deg
        tl = math.radians(tilt_deg)
        side = sun - (sun @ -u) * -u
        side /= np.linalg.norm(side)
        _point_boresight(c, bore, math.cos(tl) * -u + math.sin(tl) * side)
        w.step(0)
        assert bool(t.eclipse) == (not lit)
        return RelNav(config, seed=3).sample(w)["valid"]

    assert valid(90.0, 2000.0) == 1
    assert valid(139.0, 2000.0) == 1
    assert valid(141.0, 2000.0) == 0
    assert valid(170.0, 2000.0) == 0
    assert valid(170.0, 450.0) == 1  # the lidar
    assert valid(30.0, 2000.0, lit=False) == 0  # the target in the Earth's shadow
    assert valid(30.0, 450.0, lit=False) == 1
    # the sun 50 deg from the line of sight: the boresight 35 deg towards it
    # puts it 15 deg from the boresight (blinded), 35 deg away: 85 deg (clear)
    assert valid(130.0, 2000.0, tilt_deg=35.0) == 0
    assert valid(130.0, 2000.0, tilt_deg=-35.0) == 1
    assert valid(130.0, 2000.0, tilt_deg=25.0) == 1  # 25 deg from the boresight
    anylight = WorldConfig().sensors.relnav
    anylight.fov_half_angle_deg, anylight.max_range = 60.0, 5000.0
    assert math.isinf(anylight.lidar_range)
    assert valid(170.0, 2000.0, config=anylight) == 1
    assert valid(30.0, 2000.0, lit=False, config=anylight) == 1


# ---------------------------------------------------------------- bearing-only
# (issue #15 build 3): beyond max_range, bearings by the camera's visibility model

M_SUN_V = -26.74  # the Sun's apparent V magnitude (NASA Sun Fact Sheet), as the core's


def _phase_function(alpha: float) -> float:
    """A diffuse (Lambertian) sphere's phase function, 1 at alpha = 0."""
    return ((math.pi - alpha) * math.cos(alpha) + math.sin(alpha)) / math.pi


def _magnitude(albedo: float, area: float, alpha: float, rng: float) -> float:
    """Apparent V magnitude of a diffuse sphere of cross-section ``area``."""
    a2 = area / math.pi
    return M_SUN_V - 2.5 * math.log10(albedo * a2 * _phase_function(alpha) / rng ** 2)


def _limit_range(albedo: float, area: float, alpha: float, limit_mag: float) -> float:
    """The range at which the sphere's magnitude equals ``limit_mag``."""
    a2 = area / math.pi
    return math.sqrt(albedo * a2 * _phase_function(alpha) * 10.0 ** ((limit_mag - M_SUN_V) / 2.5))


def _bearing_config():
    cfg = WorldConfig().sensors.relnav
    cfg.fov_half_angle_deg, cfg.max_range = 10.0, 5000.0
    cfg.lidar_range, cfg.phase_max_deg, cfg.sun_exclusion_deg = math.inf, 140.0, 20.0
    cfg.angles_only, cfg.limit_mag, cfg.earth_exclusion_deg = True, 8.5, 10.0
    cfg.target_area, cfg.target_albedo = 1.5, 0.15  # a 1 m cube: (3 x 1 m^2) / 2
    return cfg


def _place(w: World, target_r, los, rng: float, bore, tilt=None, tilt_deg: float = 0.0):
    """Target at ``target_r``, the chaser ``rng`` behind it along the unit
    line of sight ``los`` (chaser -> target), the boresight on the line of
    sight (tilted by tilt_deg towards the unit vector ``tilt``); outputs
    refreshed without moving."""
    c, t = w.chaser, w.target
    t.r[:] = target_r
    c.r[:] = t.r - rng * np.asarray(los)
    b = np.asarray(los, float)
    if tilt is not None:
        side = np.asarray(tilt) - (np.asarray(tilt) @ b) * b
        side /= np.linalg.norm(side)
        tl = math.radians(tilt_deg)
        b = math.cos(tl) * b + math.sin(tl) * side
    _point_boresight(c, bore, b)
    w.step(0)


def test_magnitude_formula_by_hand() -> None:
    """The formula at a few points, by hand: a 1 m cube (mean projected area
    1.5 m^2, a^2 = 1.5 / pi = 0.4775 m^2), p = 0.15: p a^2 = 0.07162; at
    1000 km and phase 0 the flux ratio is 7.162e-14, m = -26.74 + 32.864 =
    6.12; at phase 90 deg Phi = 1 / pi, 1.24 magnitudes fainter; the limit
    8.5 (flux ratio 10^(-35.24 / 2.5) = 8.02e-15) is reached at 2989 km
    (phase 0), 2333 km (60 deg: Phi = (2 pi / 3 x 0.5 + 0.8660) / pi =
    0.6090) and 1686 km (90 deg)."""
    pa2 = 0.15 * 1.5 / math.pi
    assert pa2 == pytest.approx(0.071620, rel=1e-4)
    assert _magnitude(0.15, 1.5, 0.0, 1e6) == pytest.approx(-26.74 - 2.5 * math.log10(pa2 * 1e-12))
    assert _magnitude(0.15, 1.5, 0.0, 1e6) == pytest.approx(6.122, abs=1e-3)
    assert _magnitude(0.15, 1.5, math.pi / 2, 1e6) - _magnitude(0.15, 1.5, 0.0, 1e6) == \
        pytest.approx(2.5 * math.log10(math.pi), abs=1e-12)
    assert _phase_function(math.radians(60)) == pytest.approx(
        (2 * math.pi / 3 * 0.5 + math.sqrt(3) / 2) / math.pi)
    for alpha_deg, km in ((0.0, 2989.0), (60.0, 2333.0), (90.0, 1686.0)):
        r = _limit_range(0.15, 1.5, math.radians(alpha_deg), 8.5)
        assert r / 1e3 == pytest.approx(km, abs=1.0), alpha_deg
        assert _magnitude(0.15, 1.5, math.radians(alpha_deg), r) == pytest.approx(8.5, abs=1e-9)


def _camera_los(w: World, cfg) -> np.ndarray:
    """The line of sight to the target in the camera frame."""
    q = w.chaser.q
    rot = np.array([[1 - 2 * (q[2]**2 + q[3]**2), 2 * (q[1]*q[2] - q[0]*q[3]),
                     2 * (q[1]*q[3] + q[0]*q[2])],
                    [2 * (q[1]*q[2] + q[0]*q[3]), 1 - 2 * (q[1]**2 + q[3]**2),
                     2 * (q[2]*q[3] - q[0]*q[1])],
                    [2 * (q[1]*q[3] - q[0]*q[2]), 2 * (q[2]*q[3] + q[0]*q[1]),
                     1 - 2 * (q[1]**2 + q[2]**2)]])
    return _frame(cfg.boresight) @ (rot @ (w.target.r - w.chaser.r))


def _sun_axes(w: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sun direction s and two unit vectors e1, e2 normal to it."""
    s = w.sun_n.copy()
    e1 = np.cross(s, [0.0, 0.0, 1.0])
    e1 /= np.linalg.norm(e1)
    return s, e1, np.cross(s, e1)


#: a geostationary radius: the Earth subtends 8.7 deg there, so the limb stays
#: far from the lines of sight of the brightness cases
GEO_M = 42164e3


@pytest.mark.parametrize("alpha_deg", [0.0, 60.0, 90.0])
def test_bearing_only_detection_at_the_limiting_magnitude(alpha_deg: float) -> None:
    """A 1 m cube (p 0.15) beyond the ranging limit, seen at sun phase angle
    alpha: bearings only (valid 1, ranged 0, range 0) 0.01 % inside the range
    where its magnitude is the limit 8.5 (computed by hand above), nothing
    0.01 % outside it. The target on a geostationary radius at the
    terminator (lit), the chaser in the sun's plane (the Earth far from the
    line of sight, the sun behind the camera)."""
    cfg = _bearing_config()
    w = World()
    bore = _frame(cfg.boresight)[2]
    s, e1, e2 = _sun_axes(w)
    al = math.radians(alpha_deg)
    u = math.cos(al) * s + math.sin(al) * e1  # target -> chaser
    r_lim = _limit_range(0.15, 1.5, al, 8.5)
    for factor, valid in ((1 - 1e-4, 1), (1 + 1e-4, 0)):
        _place(w, GEO_M * e2, -u, r_lim * factor, bore)
        assert not w.target.eclipse and not w.chaser.eclipse
        out = RelNav(cfg, seed=4).sample(w)
        assert out["valid"] == valid, factor
        assert out["ranged"] == 0 and out["range"] == 0.0
        if valid:
            assert _magnitude(0.15, 1.5, al, r_lim * factor) < 8.5
        else:
            assert out["azimuth"] == 0.0 and out["elevation"] == 0.0
            cfg_off = _bearing_config()
            cfg_off.limit_mag = 8.6  # a tenth of a magnitude deeper sees it
            assert RelNav(cfg_off, seed=4).sample(w)["valid"] == 1


def test_bearing_noise_beyond_the_limit_is_the_ranged_one() -> None:
    """Beyond the ranging limit the azimuth and elevation carry the same
    noise as within it: the same draws (3 a sample, the range's unused), so a
    sensor of the same seed gives the same bearing errors at 4 km (ranged)
    and 10 km (bearing only) along the same line of sight; and the errors'
    statistics are angle_sigma's. The boresight 3 deg off the line of sight
    (non-zero azimuth and elevation)."""
    cfg = _bearing_config()
    w = World()
    bore = _frame(cfg.boresight)[2]
    s, e1, e2 = _sun_axes(w)
    u = math.cos(math.radians(40)) * s + math.sin(math.radians(40)) * e1
    errs = {}
    for rng in (4000.0, 10000.0):
        _place(w, GEO_M * e2, -u, rng, bore, tilt=e2 + s, tilt_deg=3.0)
        los = _camera_los(w, cfg)
        r = float(np.linalg.norm(los))
        az, el = math.atan2(los[0], los[2]), math.asin(los[1] / r)
        assert math.hypot(az, el) == pytest.approx(math.radians(3), rel=0.02)
        rn = RelNav(cfg, seed=21)
        samples = [rn.sample(w) for _ in range(N)]
        assert all(x["valid"] == 1 for x in samples)
        assert all(x["ranged"] == (rng < cfg.max_range) for x in samples)
        meas = np.array([[x["azimuth"], x["elevation"]] for x in samples])
        errs[rng] = meas - [az, el]
        check_mean_std(errs[rng], 0.0, math.radians(cfg.angle_sigma_deg))
        if rng < cfg.max_range:
            ranges = np.array([x["range"] for x in samples])
            check_mean_std(ranges - r, 0.0, cfg.range_sigma + cfg.range_sigma_fraction * r)
        else:
            assert all(x["range"] == 0.0 for x in samples)
    np.testing.assert_allclose(errs[4000.0], errs[10000.0], rtol=0, atol=1e-12)


def test_bearing_only_needs_the_target_lit_whatever_the_lidar() -> None:
    """The target just inside the Earth's (cylindrical) shadow is not
    detected beyond the ranging limit, even with the sensor configured to see
    in any light (infinite lidar range: the scenario's relnav_needs_light
    false); 50 km outside the shadow it is. Phase 0, the camera looking away
    from the Earth; inside the ranging limit the same shadowed target is
    ranged as before (the lidar)."""
    cfg = _bearing_config()
    assert math.isinf(cfg.lidar_range)
    w = World()
    bore = _frame(cfg.boresight)[2]
    s, e1, _ = _sun_axes(w)
    a = 7000e3
    for h, lit in ((k.R_EARTH - 50e3, False), (k.R_EARTH + 50e3, True)):
        _place(w, -a * s + h * e1, -s, 20000.0, bore)
        assert bool(w.target.eclipse) == (not lit)
        out = RelNav(cfg, seed=5).sample(w)
        assert (out["valid"], out["ranged"]) == ((1, 0) if lit else (0, 0))
    _place(w, -a * s + (k.R_EARTH - 50e3) * e1, -s, 3000.0, bore)
    assert w.target.eclipse
    out = RelNav(cfg, seed=5).sample(w)
    assert (out["valid"], out["ranged"]) == (1, 1) and out["range"] > 0.0


def test_bearing_only_blinded_by_the_sun_in_the_field() -> None:
    """Beyond the ranging limit the sun within sun_exclusion_deg (20) of the
    boresight hides the target: phase 130 deg (the sun 50 deg from the line
    of sight), the boresight 35 deg towards the sun puts it 15 deg off
    (nothing), 25 deg towards it 25 deg off and 35 deg away 85 deg off
    (bearings)."""
    cfg = _bearing_config()
    cfg.fov_half_angle_deg = 60.0
    w = World()
    bore = _frame(cfg.boresight)[2]
    s, e1, e2 = _sun_axes(w)
    ph = math.radians(130.0)
    u = math.cos(ph) * s + math.sin(ph) * e1
    for tilt_deg, valid in ((35.0, 0), (25.0, 1), (-35.0, 1)):
        _place(w, GEO_M * e2, -u, 20000.0, bore, tilt=s, tilt_deg=tilt_deg)
        assert not w.chaser.eclipse
        out = RelNav(cfg, seed=6).sample(w)
        assert (out["valid"], out["ranged"]) == (valid, 0), tilt_deg


def test_bearing_only_not_against_the_earth() -> None:
    """Beyond the ranging limit the line of sight must be more than the
    Earth's angular radius asin(Re / r) plus earth_exclusion_deg (10) from
    the direction to the Earth's centre: 0.2 deg inside that angle nothing,
    0.2 deg outside it bearings; within the ranging limit the same geometry
    is ranged as before. The chaser over the terminator, the line of sight
    tilted from nadir away from the sun (phase angle 90 deg - the tilt, the
    sun far from the boresight)."""
    cfg = _bearing_config()
    w = World()
    bore = _frame(cfg.boresight)[2]
    s, _, e2 = _sun_axes(w)
    rc = 7000e3
    limb = math.asin(k.R_EARTH / rc) + math.radians(cfg.earth_exclusion_deg)
    for rng, margin_deg, expect in ((10000.0, -0.2, (0, 0)), (10000.0, 0.2, (1, 0)),
                                    (4000.0, -0.2, (1, 1)), (10000.0, -30.0, (0, 0))):
        th = limb + math.radians(margin_deg)
        los = math.cos(th) * -e2 + math.sin(th) * -s
        _place(w, rc * e2 + rng * los, los, rng, bore)
        c = w.chaser
        nadir = -c.r / np.linalg.norm(c.r)
        assert math.acos(float(nadir @ los)) == pytest.approx(
            math.asin(k.R_EARTH / np.linalg.norm(c.r)) + math.radians(10.0 + margin_deg),
            abs=1e-9)
        assert not w.target.eclipse and not c.eclipse
        out = RelNav(cfg, seed=7).sample(w)
        assert (out["valid"], out["ranged"]) == expect, (rng, margin_deg)


def test_angles_only_off_keeps_nothing_beyond_the_ranging_limit() -> None:
    """angles_only false (the scenario's relnav_angles_only = false): beyond
    max_range nothing, as before; within it ranged."""
    cfg = _bearing_config()
    cfg.angles_only = False
    w = World()
    bore = _frame(cfg.boresight)[2]
    s, _, e2 = _sun_axes(w)
    for rng, expect in ((4999.0, (1, 1)), (5001.0, (0, 0))):
        _place(w, GEO_M * e2, -s, rng, bore)
        out = RelNav(cfg, seed=8).sample(w)
        assert (out["valid"], out["ranged"]) == expect


def test_bad_bearing_only_configurations_are_refused() -> None:
    from fsw.errors import UserError
    from hil.sim.sensors import SensorBank

    for field, value in (("earth_exclusion_deg", 95.0), ("earth_exclusion_deg", -1.0),
                         ("limit_mag", math.nan), ("target_area", 0.0),
                         ("target_albedo", -0.1), ("target_albedo", math.inf)):
        cfg = WorldConfig().sensors
        setattr(cfg.relnav, field, value)
        with pytest.raises(UserError, match="relnav"):
            SensorBank(cfg, 1)
