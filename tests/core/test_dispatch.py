"""gnc_dispatch: requests built with the packet dictionary, dispatched in C,
responses parsed with the dictionary; the C field tables against the
dictionary and the C structs; malformed input; the ARM build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fsw.core import orbit, packet_layout, relative
from fsw.core._ffi import ffi, lib
from fsw.core.dispatch import Dispatcher
from fsw.packets import DICTIONARY
from fsw.packets.defs import gnc as gnc_defs

ROOT = Path(__file__).resolve().parents[2]
GNC_PACKETS = [p for p in DICTIONARY.values() if p.name.startswith("GNC_")]
STATUS = {name: getattr(lib, name) for name in ("GNC_OK", "GNC_ERR_DOMAIN", "GNC_ERR_PACKET",
                                                "GNC_ERR_UNKNOWN_REQUEST", "GNC_ERR_BUFFER")}


def test_generated_c_layouts_match_the_dictionary() -> None:
    assert packet_layout.HEADER_PATH.read_text() == packet_layout.c_header(), (
        "native/src/gnc_packets.h is stale: run python -m fsw.core.packet_layout")


def test_every_packet_carries_exactly_its_c_struct() -> None:
    assert len(GNC_PACKETS) == 2 * len(gnc_defs.RESPONSES) >= 36
    for p in GNC_PACKETS:
        mems = packet_layout.packet_members(p.name)  # raises on any difference
        want = sum(n for _, _, n, _ in mems) + (1 if p.name.endswith("_RESP") else 0)
        assert p.size == 6 + 6 + 8 * want + 2
        if p.name.endswith("_REQ"):
            assert 0x200 <= p.apid <= 0x23F
            assert DICTIONARY[gnc_defs.RESPONSES[p.name]].apid == p.apid + 0x40


def test_crc16_ccitt_check_value() -> None:
    crc = ffi.new("uint16_t *")
    assert lib.gnc_crc16(b"123456789", 9, crc) == 0
    assert crc[0] == 0x29B1


def _roundtrip(d: Dispatcher, name: str, seq: int = 5, t_tai: float = 1234.5, **fields):
    raw = DICTIONARY[f"GNC_{name}_REQ"].build(t_tai=t_tai, seq=seq, **fields)
    st, resp = d.dispatch(raw)
    rec = DICTIONARY[f"GNC_{name}_RESP"].parse(resp)
    assert rec.seq == seq and rec.t_tai == t_tai
    assert rec.status == st
    return rec


def test_requests_built_dispatched_and_parsed_with_the_dictionary() -> None:
    d = Dispatcher()
    r0, v0 = (7.0e6, 1.0e5, -3.0e5), (100.0, 7500.0, 1000.0)
    rec = _roundtrip(d, "KEPLER", mu=orbit.MU_EARTH, r0=r0, v0=v0, dt=1000.0)
    r, v = orbit.kepler(r0, v0, 1000.0)
    assert rec.status == 0 and rec.r == tuple(r) and rec.v == tuple(v)
    rec = _roundtrip(d, "LAMBERT", mu=398600.0, r1=(5000.0, 10000.0, 2100.0),
                     r2=(-14600.0, 2500.0, 7000.0), tof=3600.0, nrev=0, long_way=0, branch=0)
    assert rec.v1 == pytest.approx((-5.9925, 1.9254, 3.2456), rel=2e-5)
    n = 0.0011
    rec = _roundtrip(d, "GLIDESLOPE", n=n, x0=(0.0, -1000.0, 0, 0, 0, 0),
                     r_T=(0.0, -100.0, 0.0), rate0=-0.5, rate_T=-0.05, pulses=5)
    plan = relative.glideslope(n, (0.0, -1000.0, 0, 0, 0, 0), (0.0, -100.0, 0.0), -0.5, -0.05, 5)
    assert rec.n_burns == 6 and np.array(rec.dv).reshape(33, 3)[:6] == pytest.approx(plan.dv)
    # a failing call still answers, with its status and zero outputs
    rec = _roundtrip(d, "J2_RATES", mu=orbit.MU_EARTH, j2=1e-3, r_eq=6.4e6, a=7e6, e=1.5, i=0.3)
    assert rec.status == STATUS["GNC_ERR_DOMAIN"] and rec.rates == (0.0, 0.0, 0.0)
    assert d.counters == {"requests": 4, "failed": 1, "malformed": 0, "repeats": 0}


def test_stateful_steps_keep_their_context_in_the_dispatcher() -> None:
    d = Dispatcher()
    no_heads = {"q_heads": (1, 0, 0, 0) * 3, "head_mask": 0}
    rec = _roundtrip(d, "MEKF_STEP", dt=0.1, gyro=(0, 0, 0), q_st=(1, 0, 0, 0), st_valid=1,
                     **no_heads)
    assert rec.status == 9  # GNC_ERR_STATE: not configured
    _roundtrip(d, "MEKF_CONFIG", gyro_arw=1e-5, gyro_rrw=1e-7, st_sigma=1e-4, p0_att=1e-2,
               p0_bias=1e-4, st_cross_sigma=0.0, st_about_sigma=0.0, st_boresight_B=(0.0,) * 9,
               gate=0.0, gate_reset=0.0, st_heads=0)
    rec = _roundtrip(d, "MEKF_STEP", dt=0.1, gyro=(0, 0, 0.01), q_st=(1, 0, 0, 0), st_valid=1,
                     **no_heads)
    assert rec.status == 0 and rec.valid == 1
    rec = _roundtrip(d, "MEKF_STEP", dt=0.1, gyro=(0, 0, 0.01), q_st=(1, 0, 0, 0), st_valid=0,
                     **no_heads)
    assert rec.q_BN[3] == pytest.approx(-0.0005, rel=1e-6)  # turned 1 mrad about z


def test_malformed_packets_are_rejected_without_a_response() -> None:
    d = Dispatcher()
    good = DICTIONARY["GNC_KEPLER_REQ"].build(t_tai=0.0, mu=1.0, r0=(1, 0, 0), v0=(0, 1, 0),
                                             dt=1.0)
    bad_crc = bytearray(good)
    bad_crc[20] ^= 0x01
    assert d.dispatch(bytes(bad_crc)) == (STATUS["GNC_ERR_PACKET"], b"")
    assert d.dispatch(good[:-1]) == (STATUS["GNC_ERR_PACKET"], b"")
    assert d.dispatch(b"") == (STATUS["GNC_ERR_PACKET"], b"")
    # a well-formed packet of an APID the core does not serve
    other = DICTIONARY["BOARD_STATUS"]
    fields = {f: 0 for f in other.field_names}
    assert d.dispatch(other.build(t_tai=0.0, **fields)) == (STATUS["GNC_ERR_UNKNOWN_REQUEST"], b"")
    assert d.counters["malformed"] == 4 and d.counters["requests"] == 0
    # a non-integer count is a domain error of the call (answered)
    raw = DICTIONARY["GNC_LAMBERT_REQ"].build(t_tai=0.0, mu=1.0, r1=(1, 0, 0), r2=(0, 1, 0),
                                            tof=1.0, nrev=0.5, long_way=0, branch=0)
    st, resp = d.dispatch(raw)
    assert st == STATUS["GNC_ERR_DOMAIN"] and len(resp) == DICTIONARY["GNC_LAMBERT_RESP"].size
    # random bytes and mutations never crash, and every response parses
    rng = np.random.default_rng(3)
    for k in range(3000):
        buf = bytearray(good if k % 2 else rng.integers(0, 256, rng.integers(0, 80)).tobytes())
        for _ in range(rng.integers(1, 4)):
            if buf:
                buf[rng.integers(len(buf))] = rng.integers(256)
        st, resp = d.dispatch(bytes(buf))
        if resp:
            DICTIONARY.decode(resp)


def test_small_response_buffer_is_refused() -> None:
    ctx = ffi.new("gnc_dispatcher *")
    lib.gnc_dispatch_init(ctx)
    raw = DICTIONARY["GNC_J2_RATES_REQ"].build(t_tai=0.0, mu=1.0, j2=0.0, r_eq=1.0, a=1.0,
                                             e=0.0, i=0.0)
    buf, n = ffi.new("uint8_t[]", 16), ffi.new("size_t *")
    assert lib.gnc_dispatch(ctx, raw, len(raw), buf, 16, n) == STATUS["GNC_ERR_BUFFER"]
    assert n[0] == 0


ARM_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-ffp-contract=off",
             "-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard", "-O2"]


@pytest.mark.hardware
@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                    reason="arm-none-eabi-gcc not installed (CI installs it)")
def test_core_compiles_for_cortex_m4(tmp_path: Path) -> None:
    for src in sorted((ROOT / "native" / "src").glob("*.c")):
        obj = tmp_path / (src.stem + ".o")
        proc = subprocess.run(["arm-none-eabi-gcc", *ARM_FLAGS, "-I", str(ROOT / "native" /
                               "include"), "-c", str(src), "-o", str(obj)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert obj.stat().st_size > 0


# ---- at-most-once execution: a repeated request is answered from the kept response --

def _mekf_step(seq: int, gyro: tuple[float, float, float]) -> bytes:
    return DICTIONARY["GNC_MEKF_STEP_REQ"].build(t_tai=0.0, seq=seq, dt=0.1, gyro=gyro,
                                                 q_st=(1.0, 0.0, 0.0, 0.0), st_valid=0,
                                                 q_heads=(1.0, 0.0, 0.0, 0.0) * 3, head_mask=0)


def _mekf_state(ctx) -> bytes:
    return bytes(ffi.buffer(ctx, ffi.sizeof("gnc_mekf")))


def test_a_repeated_request_is_answered_again_without_running_twice() -> None:
    from fsw.core._struct import dataclass_fields
    from fsw.core.attitude import Mekf, MekfConfig

    d = Dispatcher()
    cfg = MekfConfig()
    d.dispatch(DICTIONARY["GNC_MEKF_CONFIG_REQ"].build(t_tai=0.0, seq=0,
                                                       **dataclass_fields(cfg)))
    d.dispatch(DICTIONARY["GNC_MEKF_RESET_REQ"].build(t_tai=0.0, seq=1,
                                                      q_BN=(1.0, 0.0, 0.0, 0.0),
                                                      bias=(0.0, 0.0, 0.0)))
    once = Mekf(cfg)  # the independent reference: the C MEKF stepped in this process
    once.reset((1.0, 0.0, 0.0, 0.0))
    gyro = (0.01, -0.02, 0.005)
    ref = once.step(0.1, gyro)
    step = _mekf_step(2, gyro)
    st, first = d.dispatch(step)
    board = ffi.addressof(d._ctx, "mekf")
    after_one = _mekf_state(board)
    assert after_one == _mekf_state(once._ctx)
    # the host sends it again (its answer was lost): the same bytes, not run again
    for _ in range(3):
        assert d.dispatch(step) == (st, first)
    assert _mekf_state(board) == after_one
    assert DICTIONARY["GNC_MEKF_STEP_RESP"].parse(first).q_BN == tuple(ref.q_BN)
    assert d.counters["repeats"] == 3 and d.counters["requests"] == 6
    # a malformed packet or an unknown request in between does not make it new
    assert d.dispatch(step[:-1] + bytes([step[-1] ^ 1]))[1] == b""
    assert d.dispatch(step) == (st, first) and d.counters["repeats"] == 4
    # the same call under the next sequence count is a new request: it runs
    _, second = d.dispatch(_mekf_step(3, gyro))
    assert second != first and _mekf_state(board) != after_one
    once.step(0.1, gyro)
    assert _mekf_state(board) == _mekf_state(once._ctx)
    # so does a different request that reuses a sequence count (the CRC differs)
    d.dispatch(_mekf_step(3, (0.0, 0.0, 0.0)))
    assert d.counters["repeats"] == 4
    once.step(0.1, (0.0, 0.0, 0.0))
    assert _mekf_state(board) == _mekf_state(once._ctx)


def test_a_repeated_failing_request_repeats_its_status() -> None:
    d = Dispatcher()
    raw = DICTIONARY["GNC_MEKF_STEP_REQ"].build(t_tai=0.0, seq=9, dt=0.1, gyro=(0, 0, 0),
                                                q_st=(1.0, 0.0, 0.0, 0.0), st_valid=0,
                                                q_heads=(1.0, 0.0, 0.0, 0.0) * 3, head_mask=0)
    st, resp = d.dispatch(raw)  # not configured
    assert st != 0 and resp
    assert d.dispatch(raw) == (st, resp)
    assert d.counters == {"requests": 2, "failed": 2, "malformed": 0, "repeats": 1}
