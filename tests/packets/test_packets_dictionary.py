"""The dictionary: registry rules, fast codecs against the plain construct
reference, round trips of every packet, typed build errors."""

from __future__ import annotations

import construct as cs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packet_strategies import PACKET_NAMES, field_values, seqs, tai_ticks

from fsw.packets import (
    APID_PLAN,
    DICTIONARY,
    PacketBuildError,
    PacketCrcError,
    PacketError,
    PacketHeaderError,
    PacketLengthError,
    UnknownApidError,
    decode,
    unpack_header,
)
from fsw.packets.dictionary import DictionaryError, Field, plan_area, telemetry


def test_names_and_apids_unique_and_in_plan() -> None:
    names = [p.name for p in DICTIONARY.values()]
    apids = [p.apid for p in DICTIONARY.values()]
    assert len(set(names)) == len(names)
    assert len(set(apids)) == len(apids)
    for p in DICTIONARY.values():
        area = plan_area(p.apid)
        assert area is not None, p
        assert area[3] == p.kind, f"{p.name}: TC/TM kind does not match its APID area"
        assert DICTIONARY.by_apid[p.apid] is p
    assert 0x7FF not in DICTIONARY.by_apid  # idle is not a dictionary packet
    assert all(lo <= hi for lo, hi, _, _ in APID_PLAN)


def test_initial_packets_declared() -> None:
    for name in ["TIME", "EVENT", "HEARTBEAT", "COMMAND_ACK", "ADCS_HK", "PROP_HK",
                 "AUTONOMY_HK", "COMMS_HK", "NOOP", "SET_MODE", "LAUNCH_NOTICE",
                 "SET_HOLD_POINT", "ABORT", "ARM_THRUSTERS", "FIRE", "GYRO", "STAR_TRACKER",
                 "SUN_SENSOR", "MAGNETOMETER", "GPS", "RELNAV", "WHEEL_TACH", "PROP_STATUS",
                 "WHEEL_CMD", "MTQ_CMD", "THRUSTER_CMD"]:
        assert name in DICTIONARY


def test_declaration_errors() -> None:
    with pytest.raises(DictionaryError):
        telemetry(0x100, "GYRO2", [])  # APID taken
    with pytest.raises(DictionaryError):
        telemetry(0x300, "OUTSIDE", [])  # outside the plan
    with pytest.raises(DictionaryError):
        telemetry(0x090, "TM_IN_TC_AREA", [])
    with pytest.raises(DictionaryError):
        telemetry(0x07E, "BAD_FIELD", [Field("seq", cs.Int8ub)])
    assert "GYRO2" not in DICTIONARY and "OUTSIDE" not in DICTIONARY


def test_gyro_example_layout() -> None:
    gyro = DICTIONARY["GYRO"]
    raw = gyro.build(t_tai=2.0e9 + 0.5, seq=7, rate_B=(0.01, 0.0, -0.02), valid=1)
    assert len(raw) == 6 + 6 + 3 * 8 + 1 + 2 == gyro.size
    hdr = unpack_header(raw)
    assert (hdr.version, hdr.type, hdr.sec_hdr, hdr.apid, hdr.seq_flags, hdr.seq) == (
        0, 0, 1, 0x100, 3, 7)
    assert hdr.data_len == len(raw) - 7
    assert raw[6:12] == (2_000_000_000).to_bytes(4, "big") + (32768).to_bytes(2, "big")
    rec = gyro.parse(raw)
    assert rec.rate_B == (0.01, 0.0, -0.02) and rec.valid == 1
    assert (rec.apid, rec.seq, rec.t_tai) == (0x100, 7, 2.0e9 + 0.5)
    assert rec.packet is gyro and decode(raw) == rec


@pytest.mark.parametrize("name", PACKET_NAMES)
def test_round_trip_and_construct_reference(name: str) -> None:
    pdef = DICTIONARY[name]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(values=field_values(pdef), ticks=tai_ticks, seq=seqs,
           auth=st.tuples(st.integers(0, 2**16 - 1), st.integers(0, 2**32 - 1)))
    def check(values: dict, ticks: int, seq: int, auth: tuple[int, int]) -> None:
        t = ticks / 65536
        extra = {"key_id": auth[0], "auth_seq": auth[1]} if pdef.is_tc else {}
        raw = pdef.build(t_tai=t, seq=seq, **extra, **values)
        rec = pdef.parse(raw)
        assert (rec.apid, rec.seq, rec.t_tai) == (pdef.apid, seq, t)
        for k, v in values.items():
            assert getattr(rec, k) == v, k
        if pdef.is_tc:
            assert (rec.key_id, rec.auth_seq) == auth
        # the plain construct declaration decodes the same octets to the same values
        ref = pdef.construct.parse(raw)
        assert ref.primary.apid == pdef.apid and ref.primary.seq == seq
        assert ref.primary.data_len == len(raw) - 7
        assert ref.cuc.coarse + ref.cuc.fine / 65536 == t
        for k, v in values.items():
            got = ref.data[k]
            got = tuple(got) if isinstance(got, list) else got
            assert (int(got) if isinstance(v, int) else got) == v, k
        # and builds the same octets from the same values
        rebuilt = pdef.construct.build(ref)
        assert rebuilt == raw

    check()


def test_build_rejects_bad_values() -> None:
    gyro = DICTIONARY["GYRO"]
    good = {"t_tai": 1.0, "rate_B": (1.0, 2.0, 3.0), "valid": 1}
    for bad in [{"rate_B": (1.0, 2.0)}, {"rate_B": (1, 2, 3, 4)}, {"rate_B": None},
                {"valid": 256}, {"valid": -1}, {"valid": 1.5}, {"t_tai": -1.0},
                {"t_tai": float("nan")}, {"t_tai": float("inf")}, {"t_tai": 2.0**32},
                {"seq": 16384}, {"seq": -1}, {"rate_B": ("a", 1, 2)}]:
        with pytest.raises(PacketBuildError):
            gyro.build(**{**good, **bad})
    with pytest.raises(TypeError):
        gyro.build(t_tai=1.0, rate_B=(1.0, 2.0, 3.0))  # missing field: a programming error
    ev = DICTIONARY["EVENT"]
    with pytest.raises(PacketBuildError):
        ev.build(t_tai=0.0, severity="loud", event_id=1, source="x", text="y")
    with pytest.raises(PacketBuildError):
        ev.build(t_tai=0.0, severity=1, event_id=1, source="x" * 17, text="y")
    assert ev.parse(ev.build(t_tai=0.0, severity="error", event_id=1, source="x",
                             text="y")).severity == 3


def test_parse_errors_are_typed() -> None:
    gyro = DICTIONARY["GYRO"]
    raw = gyro.build(t_tai=1.0, rate_B=(1.0, 2.0, 3.0), valid=1)
    with pytest.raises(PacketLengthError):
        gyro.parse(raw[:-1])
    with pytest.raises(PacketCrcError):
        gyro.parse(raw[:-1] + bytes([raw[-1] ^ 1]))
    star = DICTIONARY["SUN_SENSOR"]  # same size as GYRO, different APID
    with pytest.raises(PacketHeaderError):
        star.parse(raw)
    with pytest.raises(UnknownApidError):
        decode(b"\x0b\xff" + raw[2:])
    with pytest.raises(PacketError):
        decode(b"\x09")


def test_time_rounds_to_nearest_fine_tick() -> None:
    gyro = DICTIONARY["GYRO"]
    t = 1234.0 + 0.7 / 65536  # nearer to tick 1 than to tick 0
    rec = gyro.parse(gyro.build(t_tai=t, rate_B=(0, 0, 0), valid=0))
    assert rec.t_tai == 1234.0 + 1 / 65536
    rec = gyro.parse(gyro.build(t_tai=1234.0 + 65535.6 / 65536, rate_B=(0, 0, 0), valid=0))
    assert rec.t_tai == 1235.0  # carries into the coarse seconds


def test_numpy_dtype_matches_struct() -> None:
    import numpy as np

    for p in DICTIONARY.values():
        dt = p.numpy_dtype()
        if p.fixed:
            assert dt.itemsize == p.size == p.struct.size
        else:
            assert dt is None
    gyro = DICTIONARY["GYRO"]
    raw = gyro.build(t_tai=5.25, seq=3, rate_B=(1.5, -2.0, 3.0), valid=1)
    arr = np.frombuffer(raw, gyro.numpy_dtype())
    assert arr["rate_B"][0].tolist() == [1.5, -2.0, 3.0] and arr["valid"][0] == 1
    assert arr["coarse"][0] == 5 and arr["fine"][0] == 16384


def test_launch_notice_carries_a_tle_that_sgp4_reads() -> None:
    from sgp4.api import Satrec

    line1 = "1 25544U 98067A   24001.50000000  .00016717  00000-0  10270-3 0  9005"
    line2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.49815308432667"
    assert len(line1) == len(line2) == 69
    pkt = DICTIONARY["LAUNCH_NOTICE"]
    raw = pkt.build(t_tai=2.1e9, form="tle", tle1=line1, tle2=line2, epoch_tai=0.0,
                    r_N=(0, 0, 0), v_N=(0, 0, 0), key_id=1, auth_seq=1)
    rec = pkt.parse(raw)
    assert (rec.tle1, rec.tle2, rec.form) == (line1, line2, 0)
    sat = Satrec.twoline2rv(rec.tle1, rec.tle2)
    assert sat.satnum == 25544
    with pytest.raises(PacketBuildError):
        pkt.build(t_tai=0, form="tle", tle1=line1 + "X", tle2=line2, epoch_tai=0.0,
                  r_N=(0, 0, 0), v_N=(0, 0, 0))
    with pytest.raises(PacketBuildError):
        pkt.build(t_tai=0, form="tle", tle1="é" * 10, tle2=line2, epoch_tai=0.0,
                  r_N=(0, 0, 0), v_N=(0, 0, 0))
