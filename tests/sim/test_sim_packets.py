"""The world's packets built by the simulation core: layouts generated from
the packet dictionary (not stale), and every octet equal to the dictionary's
own codec (fsw.packets: struct + binascii CRC) for the same values, time and
sequence count; sensor and truth packets carry exactly their models' values."""

from __future__ import annotations

import math
import random

import pytest

from fsw.packets import DICTIONARY, decode
from hil.sim import packet_layout
from hil.sim._native import ffi, lib
from hil.sim.config import SENSOR_NAMES, SpacecraftConfig, WorldConfig
from hil.sim.sensors import PACKETS, SENSOR_ID, SensorBank, decode_values
from hil.sim.world import World

PKTS = packet_layout.world_packets()


def encode(index: int, values: list[float], t_tai: float, seq: int,
           cap: int = packet_layout.MAX_LENGTH) -> tuple[int, bytes]:
    buf = ffi.new("unsigned char[]", max(cap, 1))
    n = ffi.new("size_t *")
    vals = ffi.new("double[]", values or [0.0])
    status = lib.sim_packet_encode(index, vals, t_tai, seq, buf, cap, n)
    return status, ffi.buffer(buf, n[0])[:]


def random_values(pdef, rng: random.Random) -> tuple[list[float], dict]:
    values: list[float] = []
    for f in pdef.fields:
        lay = pdef.layouts[f.name]
        for _ in range(lay.count):
            if lay.fmt[-1] == "d":
                values.append(rng.choice([rng.uniform(-1e7, 1e7), rng.gauss(0, 1e-6), -0.0,
                                          math.inf, 5e-324, rng.uniform(-1, 1)]))
            else:
                values.append(float(rng.randrange(256) if lay.kind != "enum"
                                    else rng.choice(sorted(lay.enum.values()))))
    return values, decode_values(pdef, values)


def test_generated_header_is_current() -> None:
    assert packet_layout.HEADER_PATH.read_text() == packet_layout.c_header(), (
        "native/sim/src/sim_packets.h is stale: run python -m hil.sim.packet_layout")


def test_packet_table_matches_the_dictionary() -> None:
    names = [p.name for p in PKTS]
    # in APID order: heads 2, 3 share STAR_TRACKER; the accelerometer's ACCEL is
    # 0x108, the EPS monitor's EPS 0x109
    assert names[:10] == [PACKETS[n] for n in SENSOR_NAMES[:8] + SENSOR_NAMES[10:]]
    assert names[10:] == ["TRUTH_CHASER", "TRUTH_TARGET", "TRUTH_RELATIVE", "TRUTH_FAULT",
                         "TRUTH_ADCS", "TRUTH_CLOCK"]
    apid, length, nv = ffi.new("int *"), ffi.new("int *"), ffi.new("int *")
    for i, p in enumerate(PKTS):
        assert lib.sim_packet_info(i, apid, length, nv) == 0
        assert (apid[0], length[0], nv[0]) == (p.apid, p.size, packet_layout.value_count(p))
    assert lib.sim_packet_info(len(PKTS), apid, length, nv) == lib.SIM_ERR_RANGE
    packet = ffi.new("int *")
    for name in SENSOR_NAMES:
        assert lib.sim_sensor_packet_id(SENSOR_ID[name], packet) == 0
        assert PKTS[packet[0]].name == PACKETS[name]


@pytest.mark.parametrize("index", range(len(PKTS)))
def test_encoding_equals_the_dictionary_codec(index: int) -> None:
    pdef = PKTS[index]
    rng = random.Random(index)
    times = [0.0, 2.1e9 + 0.5 / 65536, 2.1e9 + 1.5 / 65536, 2.1e9 + 2.5 / 65536,
             2100000123.123456, (1 << 32) - 1.0]
    for k in range(60):
        values, fields = random_values(pdef, rng)
        t = times[k % len(times)] if k < len(times) else rng.uniform(0, 4.2e9)
        seq = rng.choice([0, 16383, rng.randrange(16384)])
        status, raw = encode(index, values, t, seq)
        assert status == 0
        assert raw == pdef.build(t_tai=t, seq=seq, **fields), (pdef.name, t, seq)


def test_encoding_rejects_bad_input() -> None:
    gyro = [0.0, 0.0, 0.0, 1.0]
    assert encode(0, gyro, 2e9, 16384)[0] == lib.SIM_ERR_DOMAIN
    assert encode(0, gyro, 2e9, -1)[0] == lib.SIM_ERR_DOMAIN
    assert encode(0, gyro, -1.0, 0)[0] == lib.SIM_ERR_DOMAIN
    assert encode(0, gyro, float(1 << 32), 0)[0] == lib.SIM_ERR_DOMAIN
    assert encode(0, gyro, math.nan, 0)[0] == lib.SIM_ERR_DOMAIN
    assert encode(0, gyro, 2e9, 0, cap=38)[0] == lib.SIM_ERR_RANGE
    assert encode(0, [0.0, 0.0, 0.0, 256.0], 2e9, 0)[0] == lib.SIM_ERR_RANGE
    assert encode(0, [0.0, 0.0, 0.0, 0.5], 2e9, 0)[0] == lib.SIM_ERR_RANGE
    assert encode(len(PKTS), gyro, 2e9, 0)[0] == lib.SIM_ERR_RANGE


@pytest.fixture(scope="module")
def world() -> World:
    chaser = SpacecraftConfig(rate=[0.01, -0.02, 0.005], hill_position=[0.0, -300.0, 50.0])
    w = World(WorldConfig(chaser=chaser))
    w.chaser.wheel_speed[:] = [10.0, -20.0, 30.0, -40.0]
    w.step(3)
    return w


def test_sensor_packets_carry_the_sampled_values(world: World) -> None:
    """Two banks with one seed: the packet one builds is the dictionary's
    packet of the values the other samples, sample after sample."""
    cfg = WorldConfig().sensors
    a, b = SensorBank(cfg, 9), SensorBank(cfg, 9)
    vals = ffi.new("double[]", packet_layout.MAX_VALUES)
    buf = ffi.new("unsigned char[]", packet_layout.MAX_LENGTH)
    n = ffi.new("size_t *")
    for k in range(40):
        for name in a.names:
            sid, pdef = SENSOR_ID[name], DICTIONARY[PACKETS[name]]
            t, seq = 2.1e9 + 0.1 * k, k
            assert lib.sim_sensor_sample(a.struct, world.struct, sid, vals) == 0
            assert lib.sim_sensor_packet(b.struct, world.struct, sid, t, seq, buf,
                                         packet_layout.MAX_LENGTH, n) == 0
            raw = ffi.buffer(buf, n[0])[:]
            d = decode_values(pdef, vals)
            if name == "gps":  # sampled: times from the world's; in the packet: TAI
                d["obc_time"] = t + (d["obc_time"] - world.t)
                if d["valid"]:
                    d["gps_time"] = t + (d["gps_time"] - world.t)
            assert raw == pdef.build(t_tai=t, seq=seq, **d), name
            assert decode(raw).packet is pdef
    # a packet that cannot be built draws no noise: the banks stay in step
    assert lib.sim_sensor_packet(b.struct, world.struct, 0, -1.0, 0, buf, 64, n) != 0
    assert lib.sim_sensor_sample(a.struct, world.struct, 0, vals) == 0
    assert lib.sim_sensor_packet(b.struct, world.struct, 0, 2e9, 0, buf, 64, n) == 0
    assert decode(ffi.buffer(buf, n[0])[:]).rate_B == tuple(vals[0:3])


def test_truth_packets_carry_the_world_state(world: World) -> None:
    c, g = world.chaser, world.target
    x, y, z = world.hill_r.tolist()
    expected = {
        "TRUTH_CHASER": dict(r_N=c.r.tolist(), v_N=c.v.tolist(), q_BN=c.q.tolist(),
                             w_B=c.w.tolist(), wheel_speed=c.wheel_speed[:4].tolist(),
                             mass=c.mass, propellant_mass=c.prop_mass,
                             tank_pressure=c.tank_pressure, eclipse=int(c.eclipse),
                             battery_soc=c.battery_soc, array_power=c.array_power),
        "TRUTH_TARGET": dict(r_N=g.r.tolist(), v_N=g.v.tolist()),
        "TRUTH_RELATIVE": dict(r_H=[x, y, z], v_H=world.hill_v.tolist(),
                               range=math.sqrt(x * x + y * y + z * z)),
    }
    buf = ffi.new("unsigned char[]", packet_layout.MAX_LENGTH)
    n = ffi.new("size_t *")
    for which, name in enumerate(expected):
        assert lib.sim_truth_packet(world.struct, which, 2.2e9, 7, buf,
                                    packet_layout.MAX_LENGTH, n) == 0
        assert ffi.buffer(buf, n[0])[:] == DICTIONARY[name].build(t_tai=2.2e9, seq=7,
                                                                  **expected[name])
