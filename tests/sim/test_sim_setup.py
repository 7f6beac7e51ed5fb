"""The world's set-up maths in the simulation core (elements -> state, Hill
offset -> inertial state, tilted thruster directions, unit vectors) against
independent numpy formulations."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from fsw.errors import UserError
from hil.sim import constants as k
from hil.sim._native import ffi, lib
from hil.sim.frames import kepler_to_rv, rv_to_kepler
from hil.sim.world import hill_to_inertial


def _rz(t: float) -> np.ndarray:
    return np.array([[math.cos(t), -math.sin(t), 0], [math.sin(t), math.cos(t), 0], [0, 0, 1]])


def _rx(t: float) -> np.ndarray:
    return np.array([[1, 0, 0], [0, math.cos(t), -math.sin(t)], [0, math.sin(t), math.cos(t)]])


def test_elements_to_state_against_numpy_and_back() -> None:
    rng = random.Random(3)
    for _ in range(500):
        a = rng.uniform(6.6e6, 4.5e7)
        e = rng.choice([0.0, rng.uniform(0, 0.9)])
        inc, raan, argp, nu = (rng.uniform(0, math.pi), rng.uniform(0, 2 * math.pi),
                               rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi))
        r, v = kepler_to_rv(a, e, inc, raan, argp, nu)
        p = a * (1 - e * e)
        rot = _rz(raan) @ _rx(inc) @ _rz(argp)
        r_ref = rot @ (p / (1 + e * math.cos(nu)) * np.array([math.cos(nu), math.sin(nu), 0]))
        v_ref = rot @ (math.sqrt(k.MU_EARTH / p) * np.array([-math.sin(nu), e + math.cos(nu), 0]))
        assert np.allclose(r, r_ref, rtol=0, atol=1e-12 * a)
        assert np.allclose(v, v_ref, rtol=0, atol=1e-12 * np.linalg.norm(v_ref))
        el = rv_to_kepler(r, v)
        assert el["a"] == pytest.approx(a, rel=1e-10)
        assert el["e"] == pytest.approx(e, abs=1e-10)
    with pytest.raises(UserError):
        kepler_to_rv(7e6, 1.0, 0, 0, 0, 0)
    with pytest.raises(UserError):
        kepler_to_rv(-7e6, 0.1, 0, 0, 0, 0)


def test_hill_offset_against_numpy_hill_frame() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        r_t, v_t = kepler_to_rv(7e6, 0.01, 0.9, 1.0, 2.0, float(rng.uniform(0, 6.28)))
        rho, rho_dot = rng.normal(0, 1e4, 3), rng.normal(0, 5, 3)
        r, v = hill_to_inertial(r_t, v_t, rho, rho_dot)
        x = r_t / np.linalg.norm(r_t)
        h = np.cross(r_t, v_t)
        z = h / np.linalg.norm(h)
        c = np.array([x, np.cross(z, x), z])
        wz = np.linalg.norm(h) / (r_t @ r_t)
        assert np.allclose(c @ (r - r_t), rho, atol=1e-8)
        w_x_rho = np.cross([0.0, 0.0, wz], rho)
        assert np.allclose(c @ (v - v_t) - w_x_rho, rho_dot, atol=1e-11)
    with pytest.raises(UserError):
        hill_to_inertial([7e6, 0, 0], [7e3, 0, 0], [0, 0, 0], [0, 0, 0])


def test_tilted_direction_cone_and_azimuth() -> None:
    out, unit = ffi.new("double[3]"), ffi.new("double[3]")
    rng = np.random.default_rng(6)
    for _ in range(200):
        d = rng.normal(size=3) * rng.uniform(0.1, 10)
        cone, az = rng.uniform(0, 0.2), rng.uniform(-math.pi, math.pi)
        assert lib.sim_tilted_direction(list(d), cone, az, out) == 0
        o = np.array(list(out))
        u = d / np.linalg.norm(d)
        assert np.linalg.norm(o) == pytest.approx(1.0, abs=1e-15)
        assert math.acos(min(1.0, o @ u)) == pytest.approx(cone, abs=1e-7)
        ref = np.array([1.0, 0, 0]) if abs(u[0]) < 0.9 else np.array([0, 1.0, 0])
        p1 = np.cross(u, ref)
        p1 /= np.linalg.norm(p1)
        p2 = np.cross(u, p1)
        if cone > 1e-6:
            assert math.atan2(o @ p2, o @ p1) == pytest.approx(az, abs=1e-8)
    assert lib.sim_tilted_direction([0.0, 0.0, 0.0], 0.1, 0.0, out) == lib.SIM_ERR_DOMAIN
    assert lib.sim_unit([3.0, 4.0, 12.0], unit) == 0
    assert list(unit) == [3 / 13, 4 / 13, 12 / 13]
    assert lib.sim_unit([math.inf, 0.0, 0.0], unit) == lib.SIM_ERR_DOMAIN
