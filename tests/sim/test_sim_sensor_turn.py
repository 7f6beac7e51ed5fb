"""sim_sensor_turn (one core call per avionics turn) against the per-sensor
calls it stands for: the same due times, the same packets byte for byte, the
same sequence counts, and a muted sensor sampled (its noise drawn) but not
built."""

from __future__ import annotations

import math

from fsw.packets import DICTIONARY
from hil.sim._native import ffi, lib
from hil.sim.config import WorldConfig
from hil.sim.packet_layout import MAX_LENGTH, MAX_VALUES
from hil.sim.sensors import PACKETS, SENSOR_ID, SensorBank
from hil.sim.world import World


def _bank_and_world(cfg: WorldConfig) -> tuple[SensorBank, World]:
    return SensorBank(cfg.sensors, cfg.seed), World(cfg)


def test_one_turn_call_is_the_per_sensor_calls() -> None:
    cfg = WorldConfig(seed=7)
    bank_a, world_a = _bank_and_world(cfg)
    bank_b, world_b = _bank_and_world(cfg)
    names = bank_a.names
    n = len(names)
    periods = [1.0 / getattr(cfg.sensors, s).rate_hz for s in names]
    ids = [SENSOR_ID[s] for s in names]
    apids = [DICTIONARY[PACKETS[s]].apid for s in names]
    lengths = [DICTIONARY[PACKETS[s]].size for s in names]
    # A: the per-sensor calls (the schedule kept here, as the node kept it)
    due_a = [0.0] * n
    seq_a = [0] * 2048
    buf, blen = ffi.new("unsigned char[]", MAX_LENGTH), ffi.new("size_t *")
    values = ffi.new("double[]", MAX_VALUES)
    # B: one call a turn
    c_ids, c_apids = ffi.new("int[]", ids), ffi.new("int[]", apids)
    c_periods, c_due = ffi.new("double[]", periods), ffi.new("double[]", n)
    c_seq = ffi.new("uint16_t[]", 2048)
    c_buf = ffi.new("unsigned char[]", n * MAX_LENGTH)
    c_len, c_mask = ffi.new("size_t[]", n), ffi.new("unsigned int *")
    t0 = 2.1e9
    muted_name = "gps"
    for k in range(60):
        world_a.step()
        world_b.step()
        t = world_a.t
        mute = (1 << names.index(muted_name)) if 20 <= k < 35 else 0
        built, due_bits = [], 0
        for i in range(n):
            if t < due_a[i] - 1e-9:
                continue
            step = math.floor((t - due_a[i]) / periods[i] + 1e-9) + 1
            due_a[i] = due_a[i] + periods[i] * (step if step > 1 else 1)
            due_bits |= 1 << i
            if mute >> i & 1:
                assert lib.sim_sensor_sample(bank_a.struct, world_a.struct, ids[i], values) == 0
                continue
            s = seq_a[apids[i]]
            seq_a[apids[i]] = (s + 1) & 0x3FFF
            assert lib.sim_sensor_packet(bank_a.struct, world_a.struct, ids[i], t0 + t, s, buf,
                                         lengths[i], blen) == 0
            built.append(bytes(ffi.buffer(buf, lengths[i])))
        assert lib.sim_sensor_turn(bank_b.struct, world_b.struct, n, c_ids, c_apids, c_periods,
                                   c_due, mute, t, t0 + t, c_seq, c_buf, n * MAX_LENGTH, c_len,
                                   c_mask) == 0
        assert c_mask[0] == due_bits
        raw, off, got = ffi.buffer(c_buf), 0, []
        for i in range(n):
            if c_len[i]:
                got.append(bytes(raw[off:off + c_len[i]]))
                off += c_len[i]
        assert got == built
        assert list(c_due) == due_a
        assert [c_seq[a] for a in apids] == [seq_a[a] for a in apids]
    # the muted GPS drew its noise: its next packet is the same either way
    assert bank_a.struct.gps.clock_offset == bank_b.struct.gps.clock_offset


def test_bad_arguments_are_refused() -> None:
    cfg = WorldConfig()
    bank, world = _bank_and_world(cfg)
    one = ffi.new("int[]", [0])
    d = ffi.new("double[]", [0.1])
    seq = ffi.new("uint16_t[]", 2048)
    buf, lens, mask = ffi.new("unsigned char[]", MAX_LENGTH), ffi.new("size_t[]", 1), \
        ffi.new("unsigned int *")
    assert lib.sim_sensor_turn(bank.struct, world.struct, 33, one, one, d, d, 0, 0.0, 0.0, seq,
                               buf, MAX_LENGTH, lens, mask) == lib.SIM_ERR_RANGE
    assert lib.sim_sensor_turn(bank.struct, world.struct, 1, one, one, d, d, 0, 0.0, 0.0,
                               ffi.NULL, buf, MAX_LENGTH, lens, mask) == lib.SIM_ERR_NULL
    bad, due = ffi.new("int[]", [4096]), ffi.new("double[]", [0.0])  # due now: an APID needed
    assert lib.sim_sensor_turn(bank.struct, world.struct, 1, one, bad, d, due, 0, 0.0, 0.0, seq,
                               buf, MAX_LENGTH, lens, mask) == lib.SIM_ERR_RANGE
