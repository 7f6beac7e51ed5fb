"""Issue #17 (the truth world): the centre of mass and the inertia follow the
propellant (a hand-computed two-body case: the dry body and the propellant as
a point mass), the dynamics use them (thruster torques about the moving
centre of mass), and the total angular momentum is conserved without
external torques with an offset tank."""

from __future__ import annotations

import numpy as np
import pytest

from hil.sim._native import ffi, lib
from hil.sim.config import EnvironmentConfig, SpacecraftConfig, ThrusterConfig, WorldConfig
from hil.sim.world import World

DRY = 100.0
PROP = 20.0
TANK = [0.5, 0.0, 0.0]
I_DRY = [10.0, 0.0, 0.0, 0.0, 11.0, 0.0, 0.0, 0.0, 12.0]


def _hand(prop: float, tank=TANK, dry=DRY, inertia=I_DRY):
    """Two bodies: the dry body (its inertia about its own centre, the body
    origin) and a point mass ``prop`` at ``tank``. Centre of mass
    c = prop tank / m; about c the two parallel-axis terms add up to the
    reduced mass times the separation: mu (|d|^2 E - d d^T),
    mu = dry prop / (dry + prop), d = tank."""
    m = dry + prop
    d = np.asarray(tank, float)
    c = prop * d / m
    mu = dry * prop / m
    inertia_cm = np.asarray(inertia, float).reshape(3, 3) + mu * (d @ d * np.eye(3)
                                                                   - np.outer(d, d))
    return c, inertia_cm


def _world(tank=TANK, prop=PROP, rate=(0.05, -0.03, 0.02), thrusters=None) -> World:
    chaser = SpacecraftConfig(dry_mass=DRY, propellant_mass=prop, inertia=list(I_DRY),
                              tank_position=list(tank), rate=list(rate),
                              attitude_q=[0.9, 0.1, -0.3, 0.2], hill_position=[0.0, -100.0, 0.0])
    for wh in chaser.wheels:
        wh.coulomb_friction = 0.0
        wh.viscous_friction = 0.0
    if thrusters is not None:
        chaser.thrusters = thrusters
    env = EnvironmentConfig(gravity_gradient=False, magnetic=False)
    return World(WorldConfig(environment=env, chaser=chaser))


@pytest.mark.parametrize("tank", [TANK, [0.2, -0.3, 0.4]])
def test_mass_properties_two_body_by_hand(tank) -> None:
    com, icm = ffi.new("double[3]"), ffi.new("double[9]")
    w = _world(tank=tank)
    craft = w.chaser._c
    for prop in (PROP, 7.5, 0.0):
        assert lib.sim_mass_properties(craft, prop, com, icm) == 0
        c, inertia = _hand(prop, tank)
        np.testing.assert_allclose(list(com), c, atol=1e-15)
        np.testing.assert_allclose(np.array(list(icm)).reshape(3, 3), inertia, atol=1e-12)
    # the numbers of the first case: c = 20 * 0.5 / 120 m; Iyy, Izz grow by
    # (100 * 20 / 120) * 0.25 = 4.1667 kg m^2, Ixx does not
    if tank == TANK:
        assert lib.sim_mass_properties(craft, PROP, com, icm) == 0
        assert com[0] == pytest.approx(1.0 / 12.0)
        assert (icm[0], icm[4], icm[8]) == pytest.approx((10.0, 11.0 + 25.0 / 6.0,
                                                          12.0 + 25.0 / 6.0))


def test_inertia_and_centre_follow_the_propellant_used() -> None:
    """Fire a thruster through the tank's axis for 60 s: the propellant mass
    drops, and the craft's centre of mass and inertia (outputs) are the hand
    values at the new propellant mass."""
    thr = [ThrusterConfig(position=[-0.6, 0.0, 0.0], direction=[1.0, 0.0, 0.0], thrust=5.0,
                          isp=200.0)]
    w = _world(thrusters=thr, rate=(0.0, 0.0, 0.0))
    c = w.chaser
    c0, i0 = c.com.copy(), c.inertia_cm.copy()
    np.testing.assert_allclose(c0, _hand(PROP)[0], atol=1e-15)
    w.set_thruster_on_times([60.0])
    w.step(600)
    used = PROP - c.prop_mass
    # at most the full-pressure flow (the blowdown tank's thrust falls as it empties)
    assert 0.05 < used <= 5.0 * 60.0 / (200.0 * 9.80665)
    w.step(1)  # the properties are refreshed at a tick's start
    com, inertia = _hand(c.prop_mass)
    np.testing.assert_allclose(c.com, com, atol=1e-12)
    np.testing.assert_allclose(c.inertia_cm, inertia, atol=1e-9)
    assert c.com[0] < c0[0]
    assert c.inertia_cm[1, 1] < i0[1, 1]


def test_thruster_torque_is_about_the_moving_centre_of_mass() -> None:
    """A thruster along x through the dry centre (y = z = 0) gives no torque
    about it; with the tank offset along y the centre of mass sits at
    y_c = prop 0.3 / m and the same thruster turns the craft about z:
    r = pos - c = (-0.6, -y_c, 0), F = (F, 0, 0), torque = r x F = (0, 0, y_c F).
    At rest with idle wheels, dw/dt = (I_cm - sum J a a^T)^-1 torque."""
    thr = [ThrusterConfig(position=[-0.6, 0.0, 0.0], direction=[1.0, 0.0, 0.0], thrust=5.0,
                          isp=200.0)]
    w = _world(tank=[0.0, 0.3, 0.0], thrusters=thr, rate=(0.0, 0.0, 0.0))
    c, craft = w.chaser, w.chaser._c
    nw = c.n_wheels
    x = [*c.r, *c.v, *c.q, *c.w, *c.wheel_speed, c.prop_mass]
    out = ffi.new("double[]", len(x))
    assert lib.sim_craft_derivative(ffi.addressof(w.struct.env), craft, 0.0, x,
                                    ffi.new("double[]", [1.0]), out) == 0
    yc = PROP * 0.3 / (DRY + PROP)
    _, i_eff = _hand(PROP, [0.0, 0.3, 0.0])
    for wh in w.config.chaser.wheels:
        a = np.asarray(wh.axis, float) / np.linalg.norm(wh.axis)
        i_eff = i_eff - wh.inertia * np.outer(a, a)
    wdot = np.linalg.solve(i_eff, [0.0, 0.0, yc * 5.0])
    np.testing.assert_allclose([out[10], out[11], out[12]], wdot, rtol=1e-9, atol=1e-15)
    assert nw == 4 and abs(out[12]) > 1e-3


def test_momentum_conserved_without_torques_with_an_offset_tank() -> None:
    """Tumbling, wheels trading momentum with the body, no external torque
    and an offset tank: the inertial angular momentum about the centre of
    mass holds within 1e-10 relative over 1000 s, while the body rate changes."""
    w = _world(tank=[0.2, -0.3, 0.4])
    c = w.chaser
    h0, w0 = c.h_n.copy(), c.w.copy()
    w.set_wheel_torque([0.01, -0.005, 0.008, 0.0])
    w.step(5000)
    w.set_wheel_torque([-0.01, 0.0, 0.002, 0.004])
    w.step(5000)
    assert np.linalg.norm(c.h_n - h0) / np.linalg.norm(h0) < 1e-10
    assert np.linalg.norm(c.w - w0) > 1e-3
