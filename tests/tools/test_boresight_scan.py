"""tools/analysis/boresight_scan.py against independent answers: the blinding
of a head (sun, Earth limb, Moon) against the truth simulation's own star
tracker model (native/sim/src/sim_sensors.c) fed the same world, through the
truth packets a run records; the acquisition delay of a scripted gap; the
choice against a brute-force search over every set of heads."""

from __future__ import annotations

import itertools
import math

import numpy as np
from fsw_tools.analysis.boresight_scan import (
    Geometry,
    HeadLimits,
    blinding,
    choose,
    fibonacci_sphere,
    geometry,
    head_valid,
)

from fsw.packets import DICTIONARY, decode
from hil.sim import packet_layout
from hil.sim._native import ffi, lib
from hil.sim.config import SensorsConfig, SpacecraftConfig, StarTrackerConfig, WorldConfig
from hil.sim.sensors import SensorBank
from hil.sim.world import World

#: large exclusion angles, so that each cause blinds some of the candidates
LIM = HeadLimits(fov_deg=10.0, sun_exclusion_deg=35.0, earth_exclusion_deg=15.0,
                 moon_exclusion_deg=25.0, acquisition_s=0.0)


def _truth_tables(world: World, epochs: int, every: int) -> dict[str, dict[str, list]]:
    """TRUTH_CHASER and TRUTH_ADCS as a run records them (built by the core,
    decoded by the dictionary), one epoch every ``every`` steps."""
    buf = ffi.new("unsigned char[]", packet_layout.MAX_LENGTH)
    n = ffi.new("size_t *")
    tabs: dict[str, dict[str, list]] = {"TRUTH_CHASER": {}, "TRUTH_ADCS": {}}
    for _ in range(epochs):
        for which, name in ((lib.SIM_TRUTH_CHASER, "TRUTH_CHASER"),
                            (lib.SIM_TRUTH_ADCS, "TRUTH_ADCS")):
            assert lib.sim_truth_packet(world.struct, which, 2.2e9 + world.t, 0, buf,
                                        packet_layout.MAX_LENGTH, n) == 0
            p = decode(ffi.buffer(buf, n[0])[:])
            for f in ("t_tai", *(f.name for f in DICTIONARY[name].fields)):
                tabs[name].setdefault(f, []).append(getattr(p, f))
        world.step(every)
    tabs["MODE_STATUS"] = {"t_tai": [0.0], "mode": [0]}
    return tabs


def _world_valid(world: World, bores: np.ndarray, epochs: int, every: int) -> np.ndarray:
    """The world's own flags of heads along ``bores`` at the same epochs."""
    banks = []
    for k in range(0, len(bores), 3):
        heads = [StarTrackerConfig(
            boresight=[float(x) for x in b], acquisition_s=0.0, max_rate_deg_s=90.0,
            sun_exclusion_deg=LIM.fov_deg / 2 + LIM.sun_exclusion_deg,
            earth_exclusion_deg=LIM.fov_deg / 2 + LIM.earth_exclusion_deg,
            moon_exclusion_deg=LIM.fov_deg / 2 + LIM.moon_exclusion_deg)
            for b in bores[k:k + 3]]
        heads += [heads[0]] * (3 - len(heads))
        cfg = SensorsConfig(star_tracker=heads[0], star_tracker_2=heads[1],
                            star_tracker_3=heads[2], star_tracker_heads=3)
        banks.append(SensorBank(cfg, 5))
    ids = (lib.SIM_SENSOR_STAR_TRACKER, lib.SIM_SENSOR_STAR_TRACKER_2,
           lib.SIM_SENSOR_STAR_TRACKER_3)
    vals = ffi.new("double[]", 8)
    out = np.zeros((epochs, len(bores)), bool)
    for e in range(epochs):
        for i in range(len(bores)):
            assert lib.sim_sensor_sample(banks[i // 3].struct, world.struct, ids[i % 3],
                                         vals) == 0
            out[e, i] = vals[4] == 1.0
        world.step(every)
    return out


def test_blinding_agrees_with_the_world_s_star_tracker_model() -> None:
    craft = SpacecraftConfig(rate=[0.004, -0.006, 0.003])  # a slow tumble: epochs differ
    bores = fibonacci_sphere(240)
    epochs, every = 12, 300  # 30 s apart
    tabs = _truth_tables(World(WorldConfig(chaser=craft)), epochs, every)
    g = geometry(tabs)
    why = blinding(g, bores, LIM)
    ours = ~(why["sun"] | why["earth"] | why["moon"])
    theirs = _world_valid(World(WorldConfig(chaser=craft)), bores, epochs, every)
    for cause in ("sun", "earth", "moon"):  # every cause is exercised
        assert why[cause].any(), cause
    assert ours.any() and not ours.all()
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(head_valid(g, bores, LIM), theirs)  # no acquisition delay


def test_acquisition_after_a_gap() -> None:
    t = np.arange(60.0)
    sun = np.tile([0.0, 0.0, 1.0], (t.size, 1))
    sun[10:20] = [1.0, 0.0, 0.0]  # the sun in the +x head's field for 10 s
    far = np.tile([0.0, 1.0, 0.0], (t.size, 1))
    g = Geometry(t=t, sun_body=sun, moon_body=far, nadir_body=-far,
                 earth_radius_rad=np.full(t.size, math.radians(60.0)),
                 eclipse=np.zeros(t.size, bool), phase=np.full(t.size, "PROX_OPS"))
    lim = HeadLimits(acquisition_s=5.0)
    v = head_valid(g, np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0]]), lim)
    assert v[:10, 0].all() and not v[10:25, 0].any() and v[25:, 0].all()
    assert v[:, 1].all()  # never blinded: valid from the first epoch


def _objective(v: np.ndarray, vr: np.ndarray, b: np.ndarray, s: tuple[int, ...],
               pair_min_deg: float) -> float:
    c = math.cos(math.radians(pair_min_deg))
    two = np.zeros(v.shape[0], bool)
    for i, j in itertools.combinations(s, 2):
        if abs(float(b[i] @ b[j])) <= c:
            two |= v[:, i] & v[:, j]
    return (two.mean() + v[:, list(s)].any(axis=1).mean()
            + vr[:, list(s)].any(axis=1).mean())


def test_choice_is_the_brute_force_best_set() -> None:
    rng = np.random.default_rng(4)
    b = fibonacci_sphere(14)
    for trial in range(5):
        v = rng.random((300, b.shape[0])) < rng.uniform(0.3, 0.8, b.shape[0])
        vr = rng.random((500, b.shape[0])) < 0.5
        best = max(_objective(v, vr, b, s, 30.0)
                   for s in itertools.combinations(range(b.shape[0]), 3))
        got = choose(v, b, 3, 30.0, top_pairs=b.shape[0] ** 2, v_run=vr)
        assert len(set(got)) == 3
        assert _objective(v, vr, b, tuple(got), 30.0) == best, trial


def test_fibonacci_sphere_is_unit_and_uniform() -> None:
    p = fibonacci_sphere(2000)
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-12)
    assert np.all(np.abs(p.mean(axis=0)) < 2e-3)
    # a 30 deg cap holds its area's share, (1 - cos 30) / 2, of the points
    cap = np.mean(p @ np.array([0.6, 0.0, 0.8]) > math.cos(math.radians(30)))
    assert abs(cap - (1 - math.cos(math.radians(30))) / 2) < 0.01
