"""The mission scenario (TOML) mapped onto the world's configuration."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsw import scenario
from hil.sim.config import OrbitConfig, WorldConfig, target_default
from hil.sim.from_scenario import _iso, world_config
from hil.sim.timescales import epoch_from_utc
from hil.sim.world import World


def test_builtin_scenario_maps_insertion_masses_and_faults() -> None:
    sc = scenario.from_dict({
        "insertion": {"ascent_s": 1800.0, "position_hill_m": [-1000.0, -20000.0, 50.0]},
        "faults": [{"at_s": 3600.0, "kind": "star_tracker_dropout", "duration_s": 60.0},
                   {"at_s": 100.0, "kind": "wheel_fail", "index": 2}],
    })
    cfg = world_config(sc)
    w = World(cfg)
    assert np.allclose(w.hill_r, [-1000.0, -20000.0, 50.0], atol=1e-6)
    r, v = np.array(cfg.target.orbit.state_n[:3]), np.array(cfg.target.orbit.state_n[3:])
    sma = 1.0 / (2.0 / np.linalg.norm(r) - v @ v / 3.986004418e14)  # vis-viva
    n = math.sqrt(3.986004418e14 / sma**3)
    assert w.hill_v[1] == pytest.approx(1.5 * n * 1000.0, rel=1e-3)  # natural drift
    assert w.chaser.mass == pytest.approx(sc.chaser.mass_kg)
    assert w.chaser.n_wheels == len(sc.chaser.wheels.axes_b)
    assert w.chaser.n_thrusters == sc.chaser.rcs.count
    notice = epoch_from_utc(sc.mission.epoch_utc)
    assert w.tai - notice.tai_s == pytest.approx(sc.mission.notice_to_launch_s + 1800.0, abs=1e-3)
    assert [(f.kind, f.sensor, f.time) for f in cfg.faults] == [
        ("sensor_dropout", "star_tracker", 1800.0), ("wheel_fail", "", 0.0)]


def test_target_elements_at_launch_are_carried_to_insertion() -> None:
    """The target built from the mapped (insertion) elements is where a world
    started at launch with the scenario's elements is after the ascent."""
    sc = scenario.from_dict({"insertion": {"ascent_s": 600.0}})
    cfg = world_config(sc)
    w = World(cfg)
    t = sc.target
    probe = target_default()
    probe.orbit = OrbitConfig(sma=6378137.0 + t.altitude_km * 1e3, ecc=t.ecc,
                              inc_deg=t.inc_deg, raan_deg=t.raan_deg, argp_deg=t.argp_deg,
                              true_anomaly_deg=t.ta_deg)
    launch = _iso(sc.mission.epoch_utc, sc.mission.notice_to_launch_s)
    ref = World(WorldConfig(epoch_utc=launch, step=0.1, target=probe,
                            chaser=target_default()))
    ref.step(6000)
    assert np.linalg.norm(w.target.r - ref.target.r) < 1e-3


def test_relnav_visibility_parameters_are_mapped() -> None:
    """The camera's bearing-only model from the scenario (issue #15 build 3):
    on by default and in the default mission, the limiting magnitude and
    Earth exclusion as given, the target's mean projected area
    (Ax + Ay + Az) / 2 and its albedo; off with relnav_angles_only = false."""
    assert world_config(scenario.from_dict({})).sensors.relnav.angles_only is True
    cfg = world_config(scenario.load_builtin("victus_haze")).sensors.relnav
    assert cfg.angles_only is True
    assert (cfg.limit_mag, cfg.earth_exclusion_deg) == (8.5, 10.0)
    assert (cfg.target_area, cfg.target_albedo) == (1.5, 0.15)
    sc = scenario.from_dict({
        "chaser": {"sensors": {"relnav_angles_only": False, "relnav_limit_mag": 7.0,
                               "relnav_earth_exclusion_deg": 15.0}},
        "craft": {"target": {"face_areas_m2": [2.0, 1.0, 0.5], "geometric_albedo": 0.3}},
    })
    cfg = world_config(sc).sensors.relnav
    assert cfg.angles_only is False
    assert (cfg.limit_mag, cfg.earth_exclusion_deg) == (7.0, 15.0)
    assert (cfg.target_area, cfg.target_albedo) == (1.75, 0.3)


def test_a_curvilinear_insertion_is_hundreds_of_km_along_the_orbit() -> None:
    """insertion.curvilinear: 300 km behind along the target's own orbit,
    4 km under it and 500 m out of its plane, drifting as a 4 km lower orbit
    does: the arc within 1 %, the cross-track offset within 10 m, the mean
    phase rate over one orbit of the world within 3 % of -1.5 n 4000 / a.
    The rectilinear reading of the same numbers would put the chaser 6.5 km
    higher (300 km along the tangent) and drift it the other way."""
    ins = {"position_hill_m": [-4000.0, -300000.0, 500.0], "curvilinear": True}
    w = World(world_config(scenario.from_dict({"insertion": ins})))

    def phase() -> float:
        r_t, v_t, r_c = np.array(w.target.r), np.array(w.target.v), np.array(w.chaser.r)
        h = np.cross(r_t, v_t)
        h /= np.linalg.norm(h)
        return math.atan2(np.cross(r_c, r_t) @ h, r_c @ r_t), float(r_c @ h)

    a = np.linalg.norm(w.target.r)
    phi0, out_of_plane = phase()
    assert phi0 * a == pytest.approx(300000.0, rel=0.01)
    assert out_of_plane == pytest.approx(500.0, abs=10.0)  # (J2 turns the osculating plane)
    n = math.sqrt(3.986004418e14 / a**3)
    steps = round(2 * math.pi / n / w.dt)
    w.step(steps)
    rate = (phase()[0] - phi0) / (steps * w.dt)
    assert rate == pytest.approx(-1.5 * n * 4000.0 / a, rel=0.03)
    with pytest.raises(scenario.UserError, match="curvilinear"):
        scenario.from_dict({"insertion": {**ins, "velocity_hill_mps": [0.0, 1.0, 0.0]}})
    with pytest.raises(scenario.UserError, match=r"more than insertion\.ascent_s"):
        world_config(scenario.from_dict({"insertion": {**ins, "ascent_s": 30.0}}))
