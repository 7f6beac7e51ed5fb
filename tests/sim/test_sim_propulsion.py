"""Propulsion plant: rocket equation, blowdown pressure, minimum impulse bit,
multi-tick pulses, stuck thrusters, misalignment torque, thrust rise and
tail-off against the closed-form impulse of a first-order valve response."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hil.sim import constants as k
from hil.sim.config import EnvironmentConfig, SpacecraftConfig, WorldConfig
from hil.sim.world import World


def prop_world(**chaser_kw) -> World:
    chaser = SpacecraftConfig(hill_position=[0.0, 0.0, 0.0], **chaser_kw)
    for wh in chaser.wheels:
        wh.coulomb_friction = wh.viscous_friction = 0.0
    target = SpacecraftConfig(name="target", attitude=False, thrusters=[], wheels=[])
    env = EnvironmentConfig(gravity_gradient=False, magnetic=False)
    return World(WorldConfig(environment=env, chaser=chaser, target=target))


def test_rocket_equation_and_blowdown() -> None:
    """Four +x thrusters for 4 s: the velocity gained relative to an
    identical unpowered target is Isp g0 ln(m0/m1) along body +x (exact for any
    thrust profile), and the tank pressure follows p V_gas = const. (The
    burn is short so that the differential gravity of the growing separation,
    ~n^2 dr, stays below 1e-5 of the velocity gained; it grows as t^2.)"""
    w = prop_world()
    c, cfg = w.chaser, w.config.chaser
    m0 = c.mass
    w.set_thruster_on_times([4.0] * 4 + [0.0] * 4)
    w.step(40)
    m1 = c.mass
    assert m0 - m1 == pytest.approx(4 * 1.0 * 4.0 / (220.0 * k.G0), rel=0.01)  # ~ blowdown
    dv = np.linalg.norm(c.v - w.target.v)
    assert dv == pytest.approx(220.0 * k.G0 * math.log(m0 / m1), rel=3e-5)
    x_n = c.v - w.target.v
    q = c.q  # body +x in N is the first row of R(q_BN)
    x_body_n = [1 - 2 * (q[2] ** 2 + q[3] ** 2), 2 * (q[1] * q[2] - q[0] * q[3]),
                2 * (q[1] * q[3] + q[0] * q[2])]
    assert x_n @ x_body_n / dv > 1 - 1e-8
    tank = cfg.tank
    gas0 = tank.volume - cfg.propellant_mass / tank.propellant_density
    gas1 = tank.volume - c.prop_mass / tank.propellant_density
    assert c.tank_pressure == pytest.approx(tank.initial_pressure * gas0 / gas1, rel=1e-12)
    assert c.tank_pressure < tank.initial_pressure
    assert c.thr_total_on[:4] == pytest.approx([4.0] * 4)
    assert np.linalg.norm(c.w) < 1e-9  # symmetric set: no torque


def test_minimum_impulse_bit_and_multi_tick_pulses() -> None:
    w = prop_world()
    c = w.chaser
    m0 = c.mass
    w.set_thruster_on_times([0.005] + [0.0] * 7)  # below 10 ms: not executed
    w.step(2)
    assert c.mass == m0 and c.thr_pulses[0] == 0
    w.set_thruster_on_times([0.35] + [0.0] * 7)  # spans four ticks
    w.step(10)
    assert c.thr_total_on[0] == pytest.approx(0.35, abs=1e-12)
    assert c.thr_pulses[0] == 1
    assert c.mass < m0


def test_stuck_open_and_stuck_closed() -> None:
    w = prop_world()
    c = w.chaser
    c.set_thruster_state(5, "stuck_open")
    c.set_thruster_state(0, "stuck_closed")
    w.set_thruster_on_times([1.0] + [0.0] * 7)
    w.step(10)
    assert c.thr_total_on[0] == 0.0
    assert c.thr_total_on[5] == pytest.approx(1.0)
    assert np.linalg.norm(c.w) > 0  # one offset thruster: a torque


def test_misalignment_makes_a_torque_and_off_axis_force() -> None:
    w0 = prop_world()
    cfg = SpacecraftConfig().thrusters
    for th in cfg:
        th.misalignment_deg = 1.0
    w1 = prop_world(thrusters=cfg)
    for w in (w0, w1):
        w.set_thruster_on_times([5.0] * 4 + [0.0] * 4)
        w.step(50)
    assert np.linalg.norm(w0.chaser.w) < 1e-9
    assert np.linalg.norm(w1.chaser.w) > 1e-6


def test_optional_main_engine() -> None:
    from hil.sim.config import main_engine

    cfg = [*SpacecraftConfig().thrusters, main_engine()]
    w = prop_world(thrusters=cfg)
    c = w.chaser
    m0 = c.mass
    w.set_thruster_on_times([0.0] * 8 + [1.0])
    w.step(10)
    dv = np.linalg.norm(c.v - w.target.v)
    assert dv == pytest.approx(320.0 * k.G0 * math.log(m0 / c.mass), rel=1e-4)
    assert dv == pytest.approx(120.0 / 300.0, rel=0.01)


def _rcs_with(rise: float, tail: float) -> list:
    from hil.sim.config import ThrusterConfig

    out = []
    for x, d in ((-0.5, 1.0), (0.5, -1.0)):
        for y in (0.3, -0.3):
            for z in (0.3, -0.3):
                out.append(ThrusterConfig(position=[x, y, z], direction=[d, 0.0, 0.0],
                                          rise_time=rise, tail_off=tail))
    return out


@pytest.mark.parametrize("pulse", [0.03, 0.1, 0.35, 0.5, 1.0])
def test_rise_and_tail_off_impulse_matches_the_closed_form(pulse: float) -> None:
    """A square valve pulse of T seconds through a first-order thrust response
    (time constants tr opening, tf closing) gives the impulse
    F [T - tr (1 - exp(-T/tr)) + tf (1 - exp(-T/tr))]: the build-up lost, the
    tail-off after the valve closes gained. Measured from the propellant used
    (mass flow follows thrust) against the same pulse with square thrust, both
    over enough ticks for the tail to die out. (0.5 and 1.0 s: a pulse of k
    ticks counted down k times leaves a rounding residue, which once held the
    valve open for one more whole tick.)"""
    tr, tf = 0.015, 0.020
    used = []
    for rise, tail in ((tr, tf), (0.0, 0.0)):
        w = prop_world(thrusters=_rcs_with(rise, tail))
        m0 = w.chaser.mass
        w.set_thruster_on_times([pulse] * 4 + [0.0] * 4)
        w.step(int(pulse / 0.1) + 10)  # 1 s of tail at least: 50 time constants
        used.append(m0 - w.chaser.mass)
    e = 1.0 - math.exp(-pulse / tr)
    want = (pulse - tr * e + tf * e) / pulse
    assert used[0] / used[1] == pytest.approx(want, rel=1e-6)
    assert np.linalg.norm(w.chaser.w) < 1e-9  # still torque-free


def test_tail_off_fires_after_the_valve_closes() -> None:
    w = prop_world(thrusters=_rcs_with(0.015, 0.020))
    c = w.chaser
    w.set_thruster_on_times([0.1] * 4 + [0.0] * 4)  # closes at the end of the tick
    w.step(1)
    m1 = c.mass
    w.step(1)  # valve closed: the tail-off still uses propellant
    tail = m1 - c.mass
    e = 1.0 - math.exp(-0.1 / 0.015)  # the level when the valve closed
    want = 4 * e * 0.020 * (1.0 - math.exp(-0.1 / 0.020)) / (220.0 * k.G0)
    assert tail == pytest.approx(want, rel=1e-4)  # (blowdown: thrust at the pressure)
    assert c.thr_total_on[0] == pytest.approx(0.1)  # valve time is not thrust time
    w.step(20)
    m2 = c.mass
    w.step(5)
    assert c.mass == m2  # tailed off completely: no propellant used


@pytest.mark.parametrize("rise_tail", [(0.0, 0.0), (0.015, 0.020)])
def test_on_times_a_rounding_apart_close_together(rise_tail) -> None:
    """Two thrusters of a balanced group commanded for on-times a few 1e-17 s
    apart (as an off-pulsing's arithmetic leaves them) burn the propellant of
    those on-times and turn the body no more than equal on-times do. The tick
    is stepped between the valve closings; an interval below its resolution
    is not, and the valve closing there once counted as open for the rest of
    the tick: one thruster of the pair fired ten times too long (issue #15's
    translations aborted as 'body turning')."""
    pulse = 0.010223897250212553
    near = 0.010223897250212546
    assert 0.0 < pulse - near < 1e-16
    out = []
    for on in ([pulse] * 4, [pulse, near, pulse, near]):
        w = prop_world(thrusters=_rcs_with(*rise_tail))
        m0 = w.chaser.mass
        for _ in range(10):
            w.set_thruster_on_times(on + [0.0] * 4)
            w.step(1)
        w.step(10)  # the tail dies out
        out.append((m0 - w.chaser.mass, np.array(w.chaser.w)))
    (used_eq, w_eq), (used_near, w_near) = out
    assert used_near == pytest.approx(used_eq, rel=1e-9)
    assert np.linalg.norm(w_eq) < 1e-9
    assert np.linalg.norm(w_near) < 1e-9
