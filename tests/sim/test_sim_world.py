"""World construction: Hill-frame placement, Kepler round trip, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsw.errors import UserError
from hil.sim.config import FaultConfig, OrbitConfig, SpacecraftConfig, WorldConfig
from hil.sim.faults import FaultSchedule
from hil.sim.frames import kepler_to_rv, rv_to_kepler
from hil.sim.world import World


def test_hill_placement_round_trip() -> None:
    rho, rho_dot = [120.0, -2500.0, 40.0], [0.1, -0.2, 0.05]
    w = World(WorldConfig(chaser=SpacecraftConfig(hill_position=rho, hill_velocity=rho_dot)))
    assert np.allclose(w.hill_r, rho, atol=1e-6)
    assert np.allclose(w.hill_v, rho_dot, atol=1e-9)
    # released 100 m above at rest in the Hill frame: Clohessy-Wiltshire
    # y(t) = 6 x0 (sin nt - nt), x(t) = x0 (4 - 3 cos nt)
    w = World(WorldConfig(chaser=SpacecraftConfig(hill_position=[100.0, 0.0, 0.0])))
    n = math.sqrt(3.986004418e14 / np.linalg.norm(w.target.r) ** 3)
    w.step(10000)
    nt = n * w.t
    assert w.hill_r[1] == pytest.approx(600.0 * (math.sin(nt) - nt), rel=0.01)
    assert w.hill_r[0] == pytest.approx(100.0 * (4 - 3 * math.cos(nt)), rel=0.01)


def test_kepler_round_trip() -> None:
    el = (7.0e6, 0.05, 0.9, 1.2, 0.4, 2.0)
    r, v = kepler_to_rv(*el)
    back = rv_to_kepler(r, v)
    assert [back[x] for x in ("a", "e", "inc", "raan", "argp", "nu")] == pytest.approx(el)


@pytest.mark.parametrize("change", [
    lambda c: setattr(c, "step", -0.1),
    lambda c: setattr(c, "epoch_utc", "yesterday"),
    lambda c: setattr(c.chaser, "dry_mass", -5.0),
    lambda c: setattr(c.chaser, "inertia", [1.0, 2.0]),
    lambda c: setattr(c.chaser.wheels[0], "axis", [0.0, 0.0, 0.0]),
    lambda c: setattr(c.target, "orbit", OrbitConfig(tle_line1="1 bad", tle_line2="2 bad")),
    lambda c: setattr(c.target, "orbit", OrbitConfig(ecc=1.5)),
    lambda c: setattr(c.chaser, "hill_position", [1.0, 2.0]),
    lambda c: setattr(c.chaser, "attitude_q", [0.0, 0.0, 0.0, 0.0]),
])
def test_bad_configuration_is_a_user_error(change) -> None:
    cfg = WorldConfig()
    change(cfg)
    with pytest.raises(UserError):
        World(cfg)


@pytest.mark.parametrize("fault", [
    FaultConfig(kind="meteor"),
    FaultConfig(kind="wheel_fail", index=9),
    FaultConfig(kind="thruster_stuck_open", index=-1),
    FaultConfig(kind="sensor_dropout", sensor="radar"),
    FaultConfig(kind="link_silent", duration=-1.0),
])
def test_bad_fault_is_a_user_error(fault) -> None:
    with pytest.raises(UserError):
        FaultSchedule([fault], World())


def test_thruster_and_wheel_fault_clear_after_duration() -> None:
    w = World()
    fs = FaultSchedule([FaultConfig(time=1.0, kind="thruster_stuck_open", index=3,
                                    duration=2.0)], w)
    assert fs.update(0.5) == []
    assert [e.started for e in fs.update(1.0)] == [True]
    assert w.struct.craft[0].thr_state[3] == 1
    assert [e.started for e in fs.update(3.0)] == [False]
    assert w.struct.craft[0].thr_state[3] == 0
