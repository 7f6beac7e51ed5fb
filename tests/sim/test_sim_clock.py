"""The on-board clock of the world (native/sim/src/sim_sensors.c, read at the
GPS receiver's PPS edge; issue #17): its increments have the two-state clock
model's covariance (a second implementation of Q here), its initial offset
and frequency the configured spread over seeds, and the GPS packet carries
the reading and the fix's GPS time as TAI seconds."""

from __future__ import annotations

import numpy as np
import pytest

from fsw.packets import DICTIONARY
from hil.sim._native import ffi, lib
from hil.sim.config import GpsConfig, SensorsConfig, WorldConfig
from hil.sim.packet_layout import MAX_LENGTH, MAX_VALUES
from hil.sim.sensors import SensorBank, decode_values
from hil.sim.world import World

GPS = DICTIONARY["GPS"]
# a TCXO as the default scenario flies it (Brown and Hwang's h-parameters)
Q_WF, Q_RW = 1e-19, 3.9e-19


def _bank(seed: int = 5, **kw: float) -> tuple[World, SensorBank]:
    world = World(WorldConfig())
    world.struct.craft[0].w = [0.0, 0.0, 0.0]
    return world, SensorBank(SensorsConfig(gps=GpsConfig(**kw)), seed, ("gps",))


def _sample(world: World, bank: SensorBank, vals) -> tuple[float, float]:
    assert lib.sim_sensor_sample(bank.struct, world.struct, lib.SIM_SENSOR_GPS, vals) == 0
    g = bank.struct.gps
    return g.clock_offset, g.clock_freq


def test_clock_increments_have_the_model_covariance() -> None:
    """x_k+1 - F x_k over T = 10 s (100 world ticks between samples) is
    N(0, Q(T)): variances and correlation within their sampling error."""
    world, bank = _bank(clock_offset_sigma=0.01, clock_freq_sigma=1e-6, clock_q_wf=Q_WF,
                        clock_q_rw=Q_RW)
    vals = ffi.new("double[]", MAX_VALUES)
    T, n = 10.0, 20000
    xs = np.empty((n, 2))
    for k in range(n):
        xs[k] = _sample(world, bank, vals)
        assert decode_values(GPS, vals)["obc_time"] == world.t + xs[k, 0]
        world.struct.t += T  # the clock model needs only the time: no physics
    F = np.array([[1.0, T], [0.0, 1.0]])
    w = xs[1:] - xs[:-1] @ F.T
    Q = np.array([[Q_WF * T + Q_RW * T**3 / 3, Q_RW * T**2 / 2],
                  [Q_RW * T**2 / 2, Q_RW * T]])
    C = np.cov(w.T)
    assert C[0, 0] == pytest.approx(Q[0, 0], rel=0.05)
    assert C[1, 1] == pytest.approx(Q[1, 1], rel=0.05)
    corr = C[0, 1] / np.sqrt(C[0, 0] * C[1, 1])
    assert corr == pytest.approx(Q[0, 1] / np.sqrt(Q[0, 0] * Q[1, 1]), abs=0.03)


def test_initial_offset_and_frequency_spread_over_seeds() -> None:
    vals = ffi.new("double[]", MAX_VALUES)
    x = np.array([_sample(*_bank(seed, clock_offset_sigma=0.1, clock_freq_sigma=1e-6), vals)
                  for seed in range(2000)])
    assert np.std(x[:, 0]) == pytest.approx(0.1, rel=0.06)
    assert np.std(x[:, 1]) == pytest.approx(1e-6, rel=0.06)
    assert abs(np.mean(x[:, 0])) < 4 * 0.1 / np.sqrt(2000)
    # a perfect clock stays perfect
    assert _sample(*_bank(3), vals) == (0.0, 0.0)


def test_gps_packet_carries_the_clock_and_the_fix_time_as_tai() -> None:
    world, bank = _bank(clock_offset_sigma=0.1, clock_freq_sigma=1e-6, clock_q_wf=Q_WF,
                        clock_q_rw=Q_RW, pps_sigma=5e-8, ttff_s=3.0, position_sigma=0.0,
                        velocity_sigma=0.0)
    buf, blen = ffi.new("unsigned char[]", MAX_LENGTH), ffi.new("size_t *")
    t0 = 2.1e9
    errs = []
    for k in range(400):
        t_tai = t0 + world.t
        assert lib.sim_sensor_packet(bank.struct, world.struct, lib.SIM_SENSOR_GPS, t_tai, k,
                                     buf, GPS.size, blen) == 0
        p = GPS.parse(bytes(ffi.buffer(buf, blen[0])))
        assert p.t_tai == t_tai
        assert p.obc_time == t_tai + bank.struct.gps.clock_offset  # every message
        if p.valid:
            errs.append(p.gps_time - t_tai)
        else:
            assert world.t < 3.0 and p.gps_time == 0.0
        world.step(10)  # 1 s
    # near 2.1e9 s a double resolves 0.48 us: the 50 ns PPS noise is below
    # it, the time tag is TAI to half of that
    assert len(errs) == 397 and max(abs(e) for e in errs) <= 2.4e-7
