"""Acceptance 2 (attitude): torque-free motion, wheel momentum exchange;
plus the wheel limits and the external torque models."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hil.sim import constants as k
from hil.sim._native import ffi, lib
from hil.sim.config import EnvironmentConfig, SpacecraftConfig, WheelConfig, WorldConfig
from hil.sim.world import World

INERTIA = [10.0, 0.3, -0.2, 0.3, 12.0, 0.4, -0.2, 0.4, 15.0]


def attitude_world(rate=(0.1, 0.05, -0.08), gg=False, mag=False, friction=True,
                   inertia=INERTIA, wheels=None) -> World:
    chaser = SpacecraftConfig(inertia=list(inertia), rate=list(rate),
                              attitude_q=[0.9, 0.1, -0.3, 0.2], hill_position=[0.0, -100.0, 0.0])
    if wheels is not None:
        chaser.wheels = wheels
    for wh in chaser.wheels:
        if not friction:
            wh.coulomb_friction = 0.0
            wh.viscous_friction = 0.0
    env = EnvironmentConfig(gravity_gradient=gg, magnetic=mag)
    return World(WorldConfig(environment=env, chaser=chaser))


def test_torque_free_conserves_momentum_and_energy() -> None:
    """Tumbling about no principal axis for 1000 s at 0.1 s: inertial angular
    momentum and kinetic energy within 1e-10 relative; the rate does change."""
    w = attitude_world(friction=False)
    c = w.chaser
    h0, t0, w0 = c.h_n.copy(), c.kinetic_energy(), c.w.copy()
    w.step(10000)
    assert np.linalg.norm(c.h_n - h0) / np.linalg.norm(h0) < 1e-10
    assert abs(c.kinetic_energy() - t0) / t0 < 1e-10
    assert np.linalg.norm(c.w - w0) > 1e-3  # it really tumbles
    assert abs(np.linalg.norm(c.q) - 1.0) < 1e-12


def test_spin_kinematics_sign() -> None:
    """A spin w about body z (= N z at t0) turns the body x axis, seen in N,
    by +w t about z: checks dq_BN/dt = -1/2 [0, w] (x) q_BN."""
    rate = 0.05
    w = attitude_world(rate=(0.0, 0.0, rate), inertia=[10, 0, 0, 0, 12, 0, 0, 0, 15])
    w.chaser.q[:] = [1.0, 0.0, 0.0, 0.0]
    w.step(200)
    q = w.chaser.q
    # body x axis in N: R(q)^T e_x = first row of R(q)
    x_n = np.array([1 - 2 * (q[2] ** 2 + q[3] ** 2), 2 * (q[1] * q[2] - q[0] * q[3]),
                    2 * (q[1] * q[3] + q[0] * q[2])])
    ang = rate * 20.0
    assert np.allclose(x_n, [math.cos(ang), math.sin(ang), 0.0], atol=1e-9)


def test_wheel_momentum_exchange_conserves_total_momentum() -> None:
    """Wheels driven by changing commands, with friction, and no external
    torque: total inertial momentum holds within 1e-10 relative while the
    body and wheels trade momentum."""
    w = attitude_world(rate=(0.01, -0.02, 0.015))
    c = w.chaser
    h0 = c.h_n.copy()
    body0 = c.inertia @ c.w
    for step in range(200):
        w.set_wheel_torque([0.01 * math.sin(0.05 * step + i) for i in range(c.n_wheels)])
        w.step(10)
    assert np.linalg.norm(c.h_n - h0) / np.linalg.norm(h0) < 1e-10
    assert np.linalg.norm(c.wheel_speed) > 1.0
    assert np.linalg.norm(c.inertia @ c.w - body0) > 1e-3


def test_wheel_torque_and_speed_saturation_and_failure() -> None:
    wheel = WheelConfig(axis=[0.0, 0.0, 1.0], coulomb_friction=0.0, viscous_friction=0.0)
    w = attitude_world(rate=(0, 0, 0), wheels=[wheel])
    c = w.chaser
    w.set_wheel_torque([1.0])  # 50x the limit
    w.step(10)
    assert c.wheel_torque_applied[0] == pytest.approx(wheel.max_torque)
    # after 1 s at the torque limit (total momentum stays zero, so no
    # gyroscopic term): dW/dt = u (1/J + a^T I_eff^-1 a)
    a = np.array([0.0, 0.0, 1.0])
    i_eff = np.array(INERTIA).reshape(3, 3) - wheel.inertia * np.outer(a, a)
    expected = wheel.max_torque * (1.0 / wheel.inertia + a @ np.linalg.solve(i_eff, a))
    assert c.wheel_speed[0] == pytest.approx(expected, rel=1e-9)
    w.step(3000)  # well past the time to reach maximum speed
    # the limit is enforced at each RK4 stage: overshoot under one step's gain
    assert wheel.max_speed <= c.wheel_speed[0] < wheel.max_speed + expected * w.dt
    assert c.wheel_torque_applied[0] == 0.0
    # a failed wheel with friction coasts down and takes no command
    c.fail_wheel(0)
    wf = attitude_world(rate=(0, 0, 0), wheels=[WheelConfig(axis=[0, 0, 1.0],
                                                            initial_speed=300.0)])
    wf.chaser.fail_wheel(0)
    wf.set_wheel_torque([0.02])
    wf.step(100)
    assert wf.chaser.wheel_speed[0] < 300.0
    assert wf.chaser.wheel_torque_applied[0] == 0.0


def _wdot(w: World) -> np.ndarray:
    c = w.struct.craft[0]
    n = 14 + c.n_wheels
    x = ffi.new("double[]", n)
    dx = ffi.new("double[]", n)
    wheels = [c.wheel_speed[i] for i in range(c.n_wheels)]
    vals = list(c.r) + list(c.v) + list(c.q) + list(c.w) + wheels + [c.prop_mass]
    for i, v in enumerate(vals):
        x[i] = v
    env = ffi.addressof(w.struct.env)
    assert lib.sim_craft_derivative(env, ffi.addressof(c), w.t, x, ffi.NULL, dx) == 0
    return np.array([dx[10], dx[11], dx[12]])


def _rot(q: np.ndarray) -> np.ndarray:
    w_, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - w_ * z), 2 * (x * z + w_ * y)],
        [2 * (x * y + w_ * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w_ * x)],
        [2 * (x * z - w_ * y), 2 * (y * z + w_ * x), 1 - 2 * (x * x + y * y)]])


def test_gravity_gradient_and_magnetorquer_torques() -> None:
    """At rest with idle, frictionless wheels: dw/dt equals I_eff^-1 times
    3 mu / r^3 (r_B x I r_B) and then also m x B_B."""
    w = attitude_world(rate=(0, 0, 0), gg=True, mag=True, friction=False)
    c = w.chaser
    inertia = np.array(INERTIA).reshape(3, 3)
    i_eff = inertia - sum(wh.inertia * np.outer(wh.axis, wh.axis) / np.dot(wh.axis, wh.axis)
                          for wh in w.config.chaser.wheels)
    r_b = _rot(c.q) @ c.r
    rn = np.linalg.norm(r_b)
    tau = 3 * k.MU_EARTH / rn**5 * np.cross(r_b, inertia @ r_b)
    assert np.allclose(_wdot(w), np.linalg.solve(i_eff, tau), rtol=1e-9, atol=1e-15)
    w.set_mtq_dipole([3.0, -2.0, 9.0])  # z saturates at 5 A m^2
    tau_m = np.cross([3.0, -2.0, 5.0], c.b_body)
    assert np.allclose(_wdot(w), np.linalg.solve(i_eff, tau + tau_m), rtol=1e-9, atol=1e-15)
