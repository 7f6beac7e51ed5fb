"""The world's reused values (issue #18) against the same computations done
afresh: the drag and SRP of a tick's start taken from the last outputs
(sim_craft.pert_key), and the Moon shared by the star-tracker heads sampled
at one time (sim_sensors.moon_*). Each is checked bit for bit against a twin
whose copy is discarded before every use, so it computes everything again:
with each input of the copy changed in turn between two steps, and over a
stretch of flight with commands, faults and density nodes."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

import pytest

from fsw import scenario
from hil.sim._native import ffi, lib
from hil.sim.from_scenario import world_config
from hil.sim.packet_layout import MAX_VALUES
from hil.sim.sensors import SENSOR_ID, SensorBank
from hil.sim.world import World


def _bits(values: Any, n: int) -> bytes:
    return struct.pack(f"<{n}d", *(values[i] for i in range(n)))


def _outputs(w: Any) -> bytes:
    """Every value a step writes for both craft, as bytes."""
    out = [_bits(w.sun_n, 3), _bits(w.hill_r, 3), _bits(w.hill_v, 3)]
    for i in range(int(w.n_craft)):
        c = w.craft[i]
        for name, n in (("r", 3), ("v", 3), ("q", 4), ("w", 3), ("dv_sensed_B", 3),
                        ("drag_accel", 3), ("srp_accel", 3), ("b_body", 3), ("sun_body", 3),
                        ("h_n", 3), ("wheel_speed", 6), ("wheel_torque_applied", 6),
                        ("thr_level", 16)):
            out.append(_bits(getattr(c, name), n))
        out.append(struct.pack("<6di", c.prop_mass, c.density, c.array_power,
                               c.battery_energy, c.battery_soc, c.tank_pressure, c.eclipse))
    return b"".join(out)


def _twins() -> tuple[World, World]:
    cfg = world_config(scenario.resolve("victus_haze"))
    return World(cfg), World(cfg)


def _node(w: Any, scale: float) -> None:
    """A density node one minute on, at the chaser's radius."""
    c = w.craft[0]
    r = (c.r[0] ** 2 + c.r[1] ** 2 + c.r[2] ** 2) ** 0.5
    assert lib.sim_atmos_set_node(w, 0, w.t + 60.0, r, 1000.0, 2e-12 * scale,
                                  1.8e-12 * scale) == 0


# one change of each input of the drag and SRP accelerations, made between two
# one-tick steps (Python writes these fields directly)
CHANGES: dict[str, Callable[[Any], None]] = {
    "r": lambda w: w.craft[0].r.__setitem__(2, w.craft[0].r[2] + 1.0),
    "v": lambda w: w.craft[0].v.__setitem__(0, w.craft[0].v[0] + 0.01),
    "q": lambda w: w.craft[0].q.__setitem__(1, w.craft[0].q[1] + 1e-9),
    "prop_mass": lambda w: setattr(w.craft[0], "prop_mass", w.craft[0].prop_mass - 0.5),
    "dry_mass": lambda w: setattr(w.craft[0], "dry_mass", w.craft[0].dry_mass + 1.0),
    "face_area": lambda w: w.craft[0].face_area.__setitem__(1, w.craft[0].face_area[1] * 2),
    "cd": lambda w: setattr(w.craft[0], "cd", w.craft[0].cd * 1.1),
    "cr": lambda w: setattr(w.craft[0], "cr", w.craft[0].cr * 1.1),
    "density_node": lambda w: _node(w, 1.0),
    "atm_valid": lambda w: setattr(w.craft[0], "atm_valid", 0),
    "rho0": lambda w: setattr(w.env, "rho0", w.env.rho0 * 3.0),
    "scale_height": lambda w: setattr(w.env, "scale_height", w.env.scale_height * 1.5),
    "omega_earth": lambda w: setattr(w.env, "omega_earth", w.env.omega_earth * 1.01),
    "srp_pressure": lambda w: setattr(w.env, "srp_pressure", w.env.srp_pressure * 2.0),
    "sun_distance": lambda w: setattr(w.env, "sun_distance", w.env.sun_distance * 0.5),
    "sun_n": lambda w: w.env.sun_n.__setitem__(0, -w.env.sun_n[0]),
    "drag_off": lambda w: setattr(w.env, "drag_on", 0),
    "srp_off": lambda w: setattr(w.env, "srp_on", 0),
    "t": lambda w: setattr(w, "t", w.t + 0.05),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_input_is_computed_again(change: str) -> None:
    a, b = _twins()
    wa, wb = a.struct, b.struct
    for _ in range(3):
        a.step()
        b.step()
    assert wa.craft[0].pert_valid == 1  # the outputs left their inputs and sums
    CHANGES[change](wa)
    CHANGES[change](wb)
    for i in range(int(wb.n_craft)):  # the twin keeps no copy: all computed afresh
        wb.craft[i].pert_valid = 0
    a.step()
    b.step()
    assert _outputs(wa) == _outputs(wb)


def test_the_copy_is_what_a_fresh_computation_gives_over_a_flight() -> None:
    a, b = _twins()
    wa, wb = a.struct, b.struct
    ca, cb = wa.craft[0], wb.craft[0]
    for k in range(900):
        for c in (ca, cb):  # the same commands for both: wheels, torquers, pulses
            for i in range(int(c.n_wheels)):
                c.wheel_torque_cmd[i] = 0.01 * ((k * (i + 3)) % 7 - 3) / 3.0
            for i in range(3):
                c.mtq_dipole_cmd[i] = 2.0 * ((k + i) % 5 - 2) if k % 300 > 150 else 0.0
            if k % 97 == 0:
                c.thr_on_time[k % 16] = 0.03 + 0.01 * (k % 5)
            if k == 400:
                c.wheel_failed[2] = 1
        for i in range(int(wb.n_craft)):
            wb.craft[i].pert_valid = 0
        n = 1 if k % 40 else 3  # now and then a call of several ticks
        a.step(n)
        b.step(n)
        assert _outputs(wa) == _outputs(wb), k
    assert ca.thr_pulses[0] > 0.0  # the pulses were flown


def test_the_heads_share_the_moon_bit_for_bit() -> None:
    cfg = world_config(scenario.resolve("victus_haze"))
    world = World(cfg)
    a = SensorBank(cfg.sensors, cfg.seed)
    b = SensorBank(cfg.sensors, cfg.seed)
    heads = [SENSOR_ID[n] for n in ("star_tracker", "star_tracker_2", "star_tracker_3")
             if n in a.names]
    assert len(heads) >= 2
    va, vb = ffi.new("double[]", MAX_VALUES), ffi.new("double[]", MAX_VALUES)
    w = world.struct
    c = w.craft[0]
    moon = ffi.new("double[3]")
    checked = 0
    for k in range(200):
        world.step()
        if k % 50 == 0:  # turn the craft about: the heads see the sky move
            c.q[0], c.q[1], c.q[2], c.q[3] = c.q[2], c.q[0], c.q[3], c.q[1]
        if k == 120:  # another Earth radius at the same time: not the copy's
            w.env.r_earth = w.env.r_earth + 1000.0
        for h in heads:
            b.struct.moon_valid = 0  # the twin computes the Moon afresh every time
            assert lib.sim_sensor_sample(a.struct, w, h, va) == 0
            assert lib.sim_sensor_sample(b.struct, w, h, vb) == 0
            assert _bits(va, MAX_VALUES) == _bits(vb, MAX_VALUES)
        s = a.struct
        if s.moon_valid:  # the copy is sim_moon's own answer for its inputs
            assert lib.sim_moon(s.moon_jd, s.moon_r_earth, moon) == 0
            assert _bits(moon, 3) == _bits(s.moon_n, 3)
            checked += 1
    assert checked > 0
