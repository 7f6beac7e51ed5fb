"""The accelerometer (the IMU's delta-velocity channel, ACCEL) against
independent truth: its increments add up to the rocket equation (thruster
constants only) and to the truth's change of velocity less gravity's part
(integrated here, Simpson's rule over the truth positions); drag and SRP are
felt in body axes; its noise, bias and scale-factor statistics match the
configuration; bad configurations are refused like the other sensors'; a
dropout silences it like the others.

Rotations here are scipy's (``v_B = R(q_BN) v_N``, q scalar first), gravity
is two-body (J2 off in these worlds), the statistics bounds those of
tests/sim/test_sim_sensors.py (a mean within 5 standard errors, a standard
deviation within 5 / sqrt(2N) relative).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from fsw import scenario
from fsw.bus import Bus
from fsw.errors import UserError
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.packets import DICTIONARY, decode
from hil.avionics import AvionicsNode
from hil.sim import constants as k
from hil.sim._native import lib
from hil.sim.config import (
    SENSOR_NAMES,
    AccelConfig,
    EnvironmentConfig,
    FaultConfig,
    SensorsConfig,
    SpacecraftConfig,
    ThrusterConfig,
    WorldConfig,
)
from hil.sim.from_scenario import world_config
from hil.sim.sensors import SENSOR_ID, Accelerometer, SensorBank
from hil.sim.world import World

ACCEL = DICTIONARY["ACCEL"]
#: noise, bias and scale factor off: the sensed increments themselves
QUIET = AccelConfig(velocity_random_walk=0.0, bias_sigma=0.0, scale_factor_ppm=0.0)
#: a fixed attitude of the chaser (attitude off: q_BN held)
Q_BN = np.array([0.9, 0.2, -0.3, 0.25]) / np.linalg.norm([0.9, 0.2, -0.3, 0.25])
ISP, THRUST = 220.0, 1.0  # the default thrusters (hil.sim.config.ThrusterConfig)
N = 20000


def _body_to_n(q: np.ndarray) -> Rotation:
    """The rotation taking body coordinates to inertial ones (R(q_BN)^T)."""
    return Rotation.from_quat([q[1], q[2], q[3], q[0]]).inv()


def _world(*, attitude: bool = False, blowdown: bool = True, lateral: bool = False,
           rise: float = 0.0, tail: float = 0.0, misalign: float = 0.0,
           env: EnvironmentConfig | None = None, faces: list[float] | None = None) -> World:
    """A chaser 500 m behind the target, two-body gravity (J2, gravity
    gradient, field off unless ``env`` says otherwise); ``blowdown`` False holds
    the tank at the rated pressure (constant thrust)."""
    chaser = SpacecraftConfig(hill_position=[0.0, -500.0, 0.0], attitude=attitude,
                              attitude_q=Q_BN.tolist(), face_areas=faces or [])
    if lateral:
        chaser.thrusters += [ThrusterConfig(position=[0.0, -s * 0.5, 0.0], direction=[0.0, s, 0.0])
                             for s in (1.0, -1.0)]
        chaser.thrusters += [ThrusterConfig(position=[0.0, 0.0, -s * 0.5], direction=[0.0, 0.0, s])
                             for s in (1.0, -1.0)]
    for i, th in enumerate(chaser.thrusters):
        th.rise_time, th.tail_off = rise, tail
        th.misalignment_deg, th.misalignment_azimuth_deg = misalign, 40.0 * i
    env = env or EnvironmentConfig(j2=False, gravity_gradient=False, magnetic=False)
    w = World(WorldConfig(environment=env, chaser=chaser))
    if not blowdown:
        w.struct.craft[0].tank_pv = 0.0  # the core then holds the tank at p_ref
        assert lib.sim_world_prepare(w.struct) == 0
    return w


def _gravity(r: np.ndarray) -> np.ndarray:
    """Two-body acceleration [m/s^2] at positions r (n x 3)."""
    rn = np.linalg.norm(r, axis=1)[:, None]
    return -k.MU_EARTH * r / rn**3


def _simpson(f: np.ndarray, h: float) -> np.ndarray:
    """Simpson's rule over equally spaced rows of f (an even number of intervals)."""
    assert (len(f) - 1) % 2 == 0
    return h / 3.0 * (f[0] + 4.0 * f[1:-1:2].sum(0) + 2.0 * f[2:-1:2].sum(0) + f[-1])


def _fly(w: World, acc: Accelerometer, ticks: int, on_times) -> tuple[list[dict], np.ndarray]:
    """Sample at the start, then step tick by tick (thruster on-times from
    ``on_times(tick)`` when not None) sampling after each; the samples and
    the chaser's positions at every tick."""
    samples, r = [acc.sample(w)], [w.chaser.r.copy()]
    for tick in range(ticks):
        ot = on_times(tick)
        if ot is not None:
            w.set_thruster_on_times(ot)
        w.step()
        samples.append(acc.sample(w))
        r.append(w.chaser.r.copy())
    return samples, np.array(r)


def test_thrust_increments_add_up_to_the_rocket_equation() -> None:
    """Four +x thrusters pulsed (on-times off the tick grid, different per
    thruster) at constant thrust: the increments summed and turned into
    inertial axes are Isp g0 ln(m0/m1) along body +x, m1 = m0 - F t_on / (Isp
    g0) from the thruster constants alone, within 1e-6; the dt add up to the
    time flown."""
    w = _world(blowdown=False)
    acc = Accelerometer(QUIET, seed=1)
    on = [0.73, 0.41, 0.58, 0.2]
    samples, _ = _fly(w, acc, 300, lambda t: on + [0.0] * 4 if t % 10 == 0 else None)
    m0 = 288.0 + 12.0  # SpacecraftConfig's dry and propellant masses
    m1 = m0 - THRUST * 30 * sum(on) / (ISP * k.G0)
    dv_x = ISP * k.G0 * math.log(m0 / m1)
    dv_n = _body_to_n(Q_BN).apply(np.sum([s["dv_B"] for s in samples], axis=0))
    expected = _body_to_n(Q_BN).apply([dv_x, 0.0, 0.0])
    assert np.linalg.norm(dv_n - expected) < 1e-6 * dv_x
    assert w.chaser.mass == pytest.approx(m1, rel=1e-12)  # the plant burnt what was asked
    dts = np.array([s["dt"] for s in samples])
    assert dts[0] == 0.0 and np.allclose(dts[1:], 0.1, rtol=1e-9)
    assert dts.sum() == pytest.approx(w.t, rel=1e-12)
    assert all(s["valid"] == 1 for s in samples)


@pytest.mark.parametrize("blowdown, rtol", [(False, 1e-6), (True, 3e-5)])
def test_increments_are_the_truths_velocity_change_less_gravity(blowdown: bool,
                                                                rtol: float) -> None:
    """Twelve thrusters on every axis, misaligned, with thrust rise and
    tail-off, pulsed at random (those along +x, +y, +z more often, for a net
    velocity change): the increments in inertial axes equal the
    truth's change of velocity less gravity's part (Simpson's rule over the
    truth positions, two-body). Within 1e-6 at constant thrust; with the
    blowdown within 3e-5: the increment takes the tank pressure at each RK4
    segment's start (simcore.h), about half a segment's fractional pressure
    drop (1e-5 for four thrusters on the default tank) above the truth."""
    w = _world(blowdown=blowdown, lateral=True, rise=0.015, tail=0.02, misalign=0.7)
    acc = Accelerometer(QUIET, seed=2)
    rng = np.random.default_rng(5)
    nt = w.chaser.n_thrusters
    odds = np.full(nt, 0.15)
    odds[[0, 1, 2, 3, 8, 10]] = 0.8  # the +x group, +y, +z

    def on_times(tick: int):
        if tick % 10 or tick >= 360:
            return None
        return (rng.uniform(0.02, 0.95, nt) * (rng.uniform(size=nt) < odds)).tolist()

    v0 = w.chaser.v.copy()
    samples, r = _fly(w, acc, 400, on_times)
    dv_truth = w.chaser.v - v0 - _simpson(_gravity(r), w.dt)
    dv_n = _body_to_n(Q_BN).apply(np.sum([s["dv_B"] for s in samples], axis=0))
    assert np.linalg.norm(dv_truth) > 0.1
    assert np.linalg.norm(dv_n - dv_truth) < rtol * np.linalg.norm(dv_truth)


def test_drag_and_srp_are_felt_in_body_axes() -> None:
    """No thrust, a dense atmosphere and SRP on a box: (1) attitude held, the
    increments in inertial axes are the truth's velocity change less gravity
    (within 2e-4: the core takes each tick's drag at its start, and the drag
    turns with the orbit by n dt = 1.1e-4 rad a tick); (2) tumbling,
    each tick's increment is dt R(q) (a_drag + a_srp) at the tick's start, as
    the world reports them; (3) stepping 200 ticks in one call gives the same
    sensed velocity, bit for bit, as 200 calls of one tick."""
    env = EnvironmentConfig(j2=False, gravity_gradient=False, magnetic=False, drag=True,
                            srp=True, rho0=2e-10)
    faces = [1.0, 1.5, 2.0]
    w = _world(env=env, faces=faces)
    acc = Accelerometer(QUIET, seed=3)
    v0 = w.chaser.v.copy()
    samples, r = _fly(w, acc, 400, lambda t: None)
    dv_truth = w.chaser.v - v0 - _simpson(_gravity(r), w.dt)
    dv_n = _body_to_n(Q_BN).apply(np.sum([s["dv_B"] for s in samples], axis=0))
    assert np.linalg.norm(dv_truth) > 1e-3
    assert np.linalg.norm(dv_n - dv_truth) < 2e-4 * np.linalg.norm(dv_truth)

    tumbling = _world(attitude=True, env=env, faces=faces)
    tumbling.struct.craft[0].w = [0.02, -0.03, 0.01]
    assert lib.sim_world_prepare(tumbling.struct) == 0
    c = tumbling.chaser
    acc = Accelerometer(QUIET, seed=3)
    acc.sample(tumbling)
    for _ in range(200):
        a_n = c.drag_accel + c.srp_accel  # the outputs at this tick's start
        expected = Rotation.from_quat([c.q[1], c.q[2], c.q[3], c.q[0]]).apply(a_n) * tumbling.dt
        tumbling.step()
        got = np.array(acc.sample(tumbling)["dv_B"])
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-20)
    at_once = _world(attitude=True, env=env, faces=faces)
    at_once.struct.craft[0].w = [0.02, -0.03, 0.01]
    assert lib.sim_world_prepare(at_once.struct) == 0
    at_once.step(200)
    assert at_once.chaser.dv_sensed_B.tobytes() == c.dv_sensed_B.tobytes()
    assert np.linalg.norm(c.dv_sensed_B) > 0


def test_first_sample_covers_the_time_since_the_worlds_start() -> None:
    """At t = 0 the increment is 0 over dt = 0 (noise and bias then vanish);
    a sensor first sampled later covers everything since the start."""
    w = _world(blowdown=False)
    first = Accelerometer(AccelConfig(), seed=4).sample(w)
    assert first["dt"] == 0.0 and first["dv_B"] == (0.0, 0.0, 0.0)
    w.set_thruster_on_times([2.0] * 4 + [0.0] * 4)
    w.step(30)
    late = Accelerometer(QUIET, seed=4).sample(w)
    assert late["dt"] == pytest.approx(3.0, rel=1e-12)
    assert late["dv_B"] == tuple(w.chaser.dv_sensed_B)


def test_white_noise_is_the_velocity_random_walk() -> None:
    """Bias and scale off, no thrust, no drag: the increments are white noise
    of sigma vrw sqrt(T), T the sample interval (10 Hz and 2 Hz)."""
    cfg = AccelConfig(bias_sigma=0.0, scale_factor_ppm=0.0)
    vrw = cfg.velocity_random_walk
    assert vrw == pytest.approx(0.01 / 60.0)
    w = _world()
    acc = Accelerometer(cfg, seed=5)
    acc.sample(w)
    dv = np.empty((N, 3))
    for i in range(N):
        w.step()
        s = acc.sample(w)
        dv[i] = s["dv_B"]
    assert np.all(w.chaser.dv_sensed_B == 0.0)  # nothing sensed: the output is the noise
    sig = vrw * math.sqrt(0.1)
    assert np.all(np.abs(dv.mean(0)) < 5 * sig / math.sqrt(N))
    assert np.all(np.abs(dv.std(0, ddof=1) / sig - 1) < 5 / math.sqrt(2 * N))
    slow = Accelerometer(AccelConfig(rate_hz=2.0, bias_sigma=0.0, scale_factor_ppm=0.0), 6)
    slow.sample(w)
    n = N // 5
    dv = np.empty((n, 3))
    for i in range(n):
        w.step(5)
        s = slow.sample(w)
        assert s["dt"] == pytest.approx(0.5, rel=1e-9)
        dv[i] = s["dv_B"]
    sig = vrw * math.sqrt(0.5)
    assert np.all(np.abs(dv.std(0, ddof=1) / sig - 1) < 5 / math.sqrt(2 * n))


def test_bias_and_scale_factor_are_drawn_once_with_their_sigmas() -> None:
    """Over seeds, the bias is N(0, bias_sigma) and the scale-factor error
    N(0, scale_factor_ppm 1e-6) per axis; in a run the mean of dv / T
    recovers the drawn bias within its standard error; with thrust the
    increments are (1 + s) times a perfect sensor's."""
    cfg = AccelConfig()
    assert cfg.bias_sigma == pytest.approx(100e-6 * 9.80665)
    bias = np.array([Accelerometer(cfg, seed=s).bias for s in range(4000)])
    scale = np.array([Accelerometer(cfg, seed=s).scale for s in range(4000)])
    for x, sig in ((bias, cfg.bias_sigma), (scale, cfg.scale_factor_ppm * 1e-6)):
        assert np.all(np.abs(x.mean(0)) < 5 * sig / math.sqrt(len(x)))
        assert np.all(np.abs(x.std(0, ddof=1) / sig - 1) < 5 / math.sqrt(2 * len(x)))
    # the bias recovered from a coasting run
    w = _world()
    acc = Accelerometer(AccelConfig(scale_factor_ppm=0.0), seed=7)
    acc.sample(w)
    a = np.empty((N, 3))
    for i in range(N):
        w.step()
        s = acc.sample(w)
        a[i] = np.array(s["dv_B"]) / s["dt"]
    se = cfg.velocity_random_walk / math.sqrt(0.1) / math.sqrt(N)
    assert np.all(np.abs(a.mean(0) - np.array(acc.bias)) < 5 * se)
    assert np.all(np.abs(np.array(acc.bias)) > 10 * se)  # a bias worth recovering
    # the scale factor against a perfect twin on the same world
    w = _world(lateral=True)
    scaled = Accelerometer(AccelConfig(velocity_random_walk=0.0, bias_sigma=0.0,
                                       scale_factor_ppm=5000.0), seed=8)
    perfect = Accelerometer(QUIET, seed=8)
    scaled.sample(w), perfect.sample(w)
    w.set_thruster_on_times([0.5, 0.0, 0.0, 0.0, 0.0, 0.3, 0.0, 0.0, 0.4, 0.0, 0.0, 0.6])
    for _ in range(10):
        w.step()
        got, ref = np.array(scaled.sample(w)["dv_B"]), np.array(perfect.sample(w)["dv_B"])
        np.testing.assert_allclose(got, (1.0 + np.array(scaled.scale)) * ref, rtol=1e-14)
    assert np.all(np.abs(np.array(scaled.scale)) > 0.0)


def test_bad_configurations_are_refused_like_the_other_sensors() -> None:
    """Rate <= 0 or not finite, a negative sigma: the bank's UserError naming
    the sensor; the scenario's keys are checked on load."""
    for field, value in (("rate_hz", 0.0), ("rate_hz", math.nan),
                         ("velocity_random_walk", -1e-4), ("bias_sigma", -1e-3),
                         ("scale_factor_ppm", -1.0)):
        cfg = SensorsConfig()
        setattr(cfg.accelerometer, field, value)
        with pytest.raises(UserError, match="accelerometer"):
            SensorBank(cfg, 1)
        with pytest.raises(UserError, match="accelerometer"):
            Accelerometer(cfg.accelerometer, 1)
    sc = scenario.load_builtin("victus_haze")
    for key, value, what in (("accel_rate_hz", 0.0, "> 0"), ("accel_vrw_mps_rthr", -1.0, ">= 0"),
                             ("accel_bias_ug", -1.0, ">= 0"),
                             ("accel_scale_factor_ppm", -1.0, ">= 0")):
        with pytest.raises(UserError, match=rf"chaser\.sensors\.{key}' must be {what}"):
            scenario.override(sc, **{f"chaser__sensors__{key}": value})


def test_scenario_keys_map_onto_the_world() -> None:
    """[chaser.sensors] accel_* in the scenario's units become the world's SI
    configuration; the accelerometer is sensor 10 of the core, the last of
    SENSOR_NAMES and TRUTH_FAULT's sensor 11."""
    sc = scenario.override(scenario.load_builtin("victus_haze"),
                           chaser__sensors__accel_rate_hz=20.0,
                           chaser__sensors__accel_vrw_mps_rthr=0.03,
                           chaser__sensors__accel_bias_ug=50.0,
                           chaser__sensors__accel_scale_factor_ppm=80.0)
    a = world_config(sc).sensors.accelerometer
    assert a.rate_hz == 20.0 and a.scale_factor_ppm == 80.0
    assert a.velocity_random_walk == pytest.approx(0.03 / 60.0, rel=1e-15)
    assert a.bias_sigma == pytest.approx(50e-6 * 9.80665, rel=1e-15)
    default = world_config(scenario.load_builtin("victus_haze")).sensors.accelerometer
    assert default.rate_hz == 10.0 and default.scale_factor_ppm == 150.0
    assert SENSOR_NAMES[-2:] == ("accelerometer", "eps")
    assert SENSOR_ID["accelerometer"] == lib.SIM_SENSOR_ACCEL == 10
    assert lib.SIM_SENSOR_COUNT == 12
    sensor = DICTIONARY["TRUTH_FAULT"].fields[2]
    assert sensor.name == "sensor" and sensor.type.encmapping["accelerometer"] == 11
    assert ACCEL.apid == 0x108 and [f.name for f in ACCEL.fields] == ["dv_B", "dt", "valid"]


class _Recorder(Task):
    """Records the sensor and TRUTH_FAULT packets."""

    name, rate_group = "recorder", "attitude"

    def init(self, ctx) -> None:
        self.got: list = []
        for apid in [*range(0x100, 0x109), 0x403]:
            ctx.subscribe(apid, self.got.append, parse=False)

    def step(self, t: float) -> None:
        pass


def _run(faults=()) -> tuple[AvionicsNode, list[tuple[bytes, object]]]:
    cfg = WorldConfig(seed=3, faults=list(faults),
                      chaser=SpacecraftConfig(hill_position=[0.0, -200.0, 0.0]))
    node = AvionicsNode(cfg)
    ex = Executive(Bus.local(), ExecutiveConfig(seed=3, t0_tai=node.world.tai,
                                                rates={"default": 1.0, "attitude": 10.0}))
    ex.add_world(node)
    rec = _Recorder()
    ex.add(rec)
    ex.run(duration_s=10.0)
    return node, [(bytes(r), decode(r)) for r in rec.got]


def test_dropout_silences_the_accelerometer_like_the_others() -> None:
    """A sensor_dropout of the accelerometer from 2 s for 3 s: 30 of its 100
    packets are not published (sampled all the same), TRUTH_FAULT names it,
    every other sensor's packets are unchanged, and the first packet after
    the dropout covers its own interval only (the dropped increments are
    lost with their packets)."""
    node0, base = _run()
    node, recs = _run([FaultConfig(time=2.0, kind="sensor_dropout", sensor="accelerometer",
                                   duration=3.0)])
    names = Counter(r.packet.name for _, r in recs)
    assert Counter(r.packet.name for _, r in base)["ACCEL"] == 100 and names["ACCEL"] == 70
    assert node.stats.samples_dropped - node0.stats.samples_dropped == 30
    faults = [r for _, r in recs if r.packet.name == "TRUTH_FAULT"]
    enum = DICTIONARY["TRUTH_FAULT"].fields[2].type.encmapping
    assert [(r.kind, r.sensor, r.started) for r in faults] == [
        (3, enum["accelerometer"], 1), (3, enum["accelerometer"], 0)]
    others = [raw for raw, r in recs if r.packet.name not in ("ACCEL", "TRUTH_FAULT")]
    assert others == [raw for raw, r in base if r.packet.name != "ACCEL"]
    accel = [r for _, r in recs if r.packet.name == "ACCEL"]
    t_back = next(r for r in accel if r.t_tai > node.world.epoch.tai_s + 4.95)
    assert t_back.dt == pytest.approx(0.1, rel=1e-9) and t_back.valid == 1
