"""The scenario's environment keys (issue #17): [environment] and [craft.*]
reach the truth world, [onboard_drag] the flight software, every mistake is a
UserError naming the key."""

from __future__ import annotations

import pytest

from fsw.errors import UserError
from fsw.scenario import load_builtin, override
from hil.sim.from_scenario import world_config


@pytest.mark.parametrize(("name", "drag"), [("victus_haze", True), ("short_inspection", False)])
def test_shipped_scenarios_environment(name: str, drag: bool) -> None:
    """The default mission flies with NRLMSIS drag and SRP; the short variant
    with SRP, surfaces and the offset tank, its drag off (see its file)."""
    sc = load_builtin(name)
    cfg = world_config(sc)
    env = cfg.environment
    assert env.drag is drag and env.srp and env.atmosphere == "nrlmsis"
    assert (env.f107, env.f107a, env.ap) == (sc.environment.f107_sfu, sc.environment.f107a_sfu,
                                             sc.environment.ap)
    assert cfg.chaser.face_areas == sc.craft.chaser.face_areas_m2
    assert cfg.target.face_areas == sc.craft.target.face_areas_m2
    assert cfg.chaser.tank_position == sc.craft.chaser.tank_position_b_m
    assert sc.onboard_drag.enabled is drag  # the flight software's model where the truth has drag


def test_fault_scenarios_keep_drag_off_by_default() -> None:
    env = world_config(load_builtin("fault_wheel")).environment
    assert not env.drag and not env.srp


_MIS = "craft.chaser.thruster_misalignment_deg"


@pytest.mark.parametrize(("key", "value", "named"), [
    ("environment__atmosphere", "jacchia", "environment.atmosphere"),
    ("environment__f107_sfu", 10.0, "environment.f107_sfu"),
    ("environment__ap", -1.0, "environment.ap"),
    ("environment__density_digits", 1, "environment.density_digits"),
    ("environment__density_period_s", 0.0, "environment.density_period_s"),
    ("craft__chaser__face_areas_m2", [1.0, 1.0], "craft.chaser.face_areas_m2"),
    ("craft__target__face_areas_m2", [0.0, 0.0, 0.0], "craft.target.face_areas_m2"),
    ("craft__chaser__cr", 2.5, "craft.chaser.cr"),
    ("craft__chaser__tank_position_b_m", [9.0, 0.0, 0.0], "craft.chaser.tank_position_b_m"),
    ("craft__chaser__thrust_scale_error", 0.6, "craft.chaser.thrust_scale_error"),
    ("craft__chaser__thruster_misalignment_deg", [1.0, 2.0], _MIS),
    ("craft__chaser__thruster_misalignment_deg", [45.0] * 16, _MIS),
    ("craft__chaser__thruster_misalignment_azimuth_deg", [float("nan")] * 16,
     "craft.chaser.thruster_misalignment_azimuth_deg"),
    ("craft__target__thruster_misalignment_deg", [1.0], "craft.target.thruster_misalignment_deg"),
    ("craft__chaser__main_thrust_tilt_deg", 45.0, "craft.chaser.main_thrust_tilt_deg"),
    ("craft__chaser__main_thrust_tilt_azimuth_deg", float("inf"),
     "craft.chaser.main_thrust_tilt_azimuth_deg"),
    ("craft__chaser__com_offset_b_m", [0.6, 0.0, 0.0], "craft.chaser.com_offset_b_m"),
    ("craft__chaser__com_offset_b_m", [0.0, 0.0], "craft.chaser.com_offset_b_m"),
    ("onboard_drag__scale_height_km", 0.0, "onboard_drag.scale_height_km"),
    ("onboard_drag__target_ballistic_m2kg", -0.1, "onboard_drag.target_ballistic_m2kg"),
])
def test_bad_environment_keys_are_named(key: str, value, named: str) -> None:
    with pytest.raises(UserError, match=named.replace(".", r"\.")):
        override(load_builtin("victus_haze"), **{key: value})


def test_burn_execution_errors_reach_the_world_only() -> None:
    """craft.chaser.thrust_scale_error scales every thruster of the world,
    thruster_misalignment_* tilt each one; the flight software's thrusters
    (chaser.rcs) keep the rated thrust and nominal directions."""
    import math

    import numpy as np

    from hil.sim._native import ffi, lib

    sc = load_builtin("victus_haze")
    n = sc.chaser.rcs.count
    cone = [0.5 * (i % 3) for i in range(n)]
    az = [22.5 * i for i in range(n)]
    sc2 = override(sc, craft__chaser__thrust_scale_error=-0.05,
                   craft__chaser__thruster_misalignment_deg=cone,
                   craft__chaser__thruster_misalignment_azimuth_deg=az)
    nominal, flown = world_config(sc).chaser.thrusters, world_config(sc2).chaser.thrusters
    assert sc2.chaser.rcs == sc.chaser.rcs  # the flight software's view unchanged
    for i, (a, b) in enumerate(zip(nominal, flown, strict=True)):
        assert a.thrust == sc.chaser.rcs.thrust_n and a.misalignment_deg == 0.0
        assert b.thrust == pytest.approx(0.95 * sc.chaser.rcs.thrust_n, rel=1e-15)
        assert (b.misalignment_deg, b.misalignment_azimuth_deg) == (cone[i], az[i])
        # the world's actual direction: the nominal one tilted by the cone angle
        d, u = ffi.new("double[3]", list(b.direction)), ffi.new("double[3]")
        assert lib.sim_tilted_direction(d, math.radians(b.misalignment_deg),
                                        math.radians(b.misalignment_azimuth_deg), u) == 0
        cosang = float(np.dot(np.asarray(b.direction) / np.linalg.norm(b.direction), list(u)))
        assert math.degrees(math.acos(min(1.0, cosang))) == pytest.approx(cone[i], abs=1e-6)


def test_centre_of_mass_offset_moves_the_worlds_thrusters_and_tank_only() -> None:
    """craft.chaser.com_offset_b_m: the world's thrusters and tank are placed
    from the true dry centre of mass (the scenario's positions less the
    offset), so each thruster's torque changes by -offset x force; the flight
    software's thrusters (chaser.rcs) keep their positions."""
    import numpy as np

    sc = load_builtin("victus_haze")
    off = [0.004, -0.003, 0.006]
    sc2 = override(sc, craft__chaser__com_offset_b_m=off)
    assert sc2.chaser.rcs == sc.chaser.rcs
    w0, w1 = world_config(sc), world_config(sc2)
    for a, b in zip(w0.chaser.thrusters, w1.chaser.thrusters, strict=True):
        assert b.position == pytest.approx(np.subtract(a.position, off).tolist(), abs=1e-15)
        t0 = np.cross(a.position, a.direction)
        t1 = np.cross(b.position, b.direction)
        assert t1 - t0 == pytest.approx(-np.cross(off, a.direction), abs=1e-15)
    assert w1.chaser.tank_position == pytest.approx(
        np.subtract(w0.chaser.tank_position, off).tolist(), abs=1e-15)
    # the target has no thrusters; its offset moves nothing of the chaser
    sc3 = override(sc, craft__target__com_offset_b_m=off)
    assert [t.position for t in world_config(sc3).chaser.thrusters] == \
        [t.position for t in w0.chaser.thrusters]


def test_main_thrust_tilt_reaches_the_main_thrusters_of_the_world_only() -> None:
    """craft.chaser.main_thrust_tilt_*: every world thruster along body +-x
    tilted by the same cone and azimuth, the others and the flight
    software's thrusters untouched; not together with per-thruster tilts."""
    sc = load_builtin("victus_haze")
    sc2 = override(sc, craft__chaser__main_thrust_tilt_deg=1.5,
                   craft__chaser__main_thrust_tilt_azimuth_deg=30.0)
    assert sc2.chaser.rcs == sc.chaser.rcs
    for th, d in zip(world_config(sc2).chaser.thrusters, sc.chaser.rcs.directions_b, strict=True):
        main = abs(d[0]) == 1.0
        assert (th.misalignment_deg, th.misalignment_azimuth_deg) == \
            ((1.5, 30.0) if main else (0.0, 0.0))
    with pytest.raises(UserError, match=r"craft\.chaser\.main_thrust_tilt_deg"):
        override(sc2, craft__chaser__thruster_misalignment_deg=[0.5] * sc.chaser.rcs.count)
