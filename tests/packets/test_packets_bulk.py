"""Bulk decoding of concatenated packets: equals the per-packet codecs and
ccsdspy (independent decoder); rejects are counted per APID; the C scanner
and the pure-Python scanner agree."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from packet_strategies import PACKET_NAMES, random_values

from fsw.packets import DICTIONARY, build_idle
from fsw.packets import bulk as bulk_mod
from fsw.packets.bulk import ccsdspy_fields, decode_archive, scan


def make_archive(n: int, seed: int = 1) -> tuple[bytes, list]:
    rng = random.Random(seed)
    pkts, recs = [], []
    for i in range(n):
        p = DICTIONARY[rng.choice(PACKET_NAMES)]
        extra = {"key_id": 1, "auth_seq": i} if p.is_tc else {}
        raw = p.build(t_tai=1e9 + i / 8, seq=i % 16384, **extra, **random_values(p, rng))
        pkts.append(raw)
        recs.append(p.parse(raw))
    return b"".join(pkts), recs


def compare(res: bulk_mod.BulkResult, recs: list) -> None:
    by_name: dict[str, list] = {}
    for r in recs:
        by_name.setdefault(r.packet.name, []).append(r)
    for name, rs in by_name.items():
        pdef = DICTIONARY[name]
        if not pdef.fixed:
            assert res.records[name] == rs
            continue
        arr = res.arrays[name]
        assert len(arr["seq"]) == len(rs)
        assert arr["seq"].tolist() == [r.seq for r in rs]
        assert arr["t_tai"].tolist() == [r.t_tai for r in rs]
        for f in pdef.field_names:
            got = arr[f].tolist()
            want = [getattr(r, f) for r in rs]
            if pdef.layouts[f].kind == "string":
                got = [g.decode(pdef.layouts[f].encoding) for g in got]
            if pdef.layouts[f].kind == "array":
                want = [list(w) for w in want]
            assert got == want, (name, f)


def test_mixed_archive_equals_per_packet_decode() -> None:
    buf, recs = make_archive(3000)
    res = decode_archive(buf)
    assert res.packets == res.decoded == 3000 and res.rejected == 0 and res.trailing == 0
    compare(res, recs)


def test_python_scanner_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    buf, recs = make_archive(400, seed=2)
    bad = bytearray(buf)
    bad[100] ^= 0x10
    c_scan = scan(bytes(bad))
    monkeypatch.setattr(bulk_mod, "_scan", None)
    py_scan = scan(bytes(bad))
    for a, b in zip(c_scan[:4], py_scan[:4], strict=True):
        assert np.array_equal(a, b)
    assert c_scan[4] == py_scan[4]
    res = decode_archive(buf)
    compare(res, recs)


def test_rejects_are_counted_never_silent() -> None:
    g, s = DICTIONARY["GYRO"], DICTIONARY["STAR_TRACKER"]
    good = [g.build(t_tai=i, seq=i, rate_B=(i, 0, 0), valid=1) for i in range(10)]
    bad_crc = bytearray(good[3])
    bad_crc[15] ^= 1
    # right APID, CRC fine, but a length the declaration does not have
    import binascii

    short = bytearray(good[4][:-3])
    short[4:6] = (len(short) - 7).to_bytes(2, "big")
    short[-2:] = binascii.crc_hqx(bytes(short[:-2]), 0xFFFF).to_bytes(2, "big")
    unknown = bytearray(s.build(t_tai=0, q_BN=(1, 0, 0, 0), valid=1, head=0))
    unknown[0:2] = (0x0800 | 0x300).to_bytes(2, "big")
    unknown[-2:] = binascii.crc_hqx(bytes(unknown[:-2]), 0xFFFF).to_bytes(2, "big")
    buf = b"".join([*good[:3], bytes(bad_crc), bytes(short), *good[5:], build_idle(11),
                    bytes(unknown)]) + b"\x09\x00\x00"
    res = decode_archive(buf)
    assert res.arrays["GYRO"]["seq"].tolist() == [0, 1, 2, 5, 6, 7, 8, 9]
    assert res.crc_errors == {g.apid: 1} and res.length_errors == {g.apid: 1}
    assert res.unknown == {0x300: 1} and res.idle == 1 and res.trailing == 3
    assert res.packets == 12 == res.decoded + res.rejected + res.idle


def test_single_apid_file_is_viewed_in_place() -> None:
    g = DICTIONARY["WHEEL_CMD"]
    buf = b"".join(g.build(t_tai=i, seq=i, torque=(i, -i, 0.5, 2)) for i in range(1000))
    arr = decode_archive(buf).arrays["WHEEL_CMD"]
    assert arr["torque"][:, 1].tolist() == [-float(i) for i in range(1000)]
    assert arr["t_tai"].tolist() == [float(i) for i in range(1000)]


@pytest.mark.parametrize("compiled", [True, False])
def test_single_layout_fast_path(compiled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not compiled:
        monkeypatch.setattr(bulk_mod, "_scan", None)
    g = DICTIONARY["GPS"]
    pkts = [g.build(t_tai=1e9 + i / 3, seq=i, r_N=(i, 2, 3), v_N=(4, 5, -i), valid=i % 2,
                    obc_time=1e9 + i / 3 + 0.01, gps_time=(1e9 + i / 3) * (i % 2))
            for i in range(300)]
    res = decode_archive(b"".join(pkts))
    assert res.packets == 300 and res.rejected == 0
    compare(res, [g.parse(p) for p in pkts])
    bad = bytearray(b"".join(pkts))
    bad[g.size * 7 + 20] ^= 0x40  # a field octet of packet 7: only its CRC fails
    res = decode_archive(bytes(bad))
    assert res.crc_errors == {g.apid: 1} and res.count("GPS") == 299
    assert 7 not in res.arrays["GPS"]["seq"].tolist()
    bad[g.size * 9 + 1] ^= 0x01  # APID of packet 9 changes: no longer a single layout
    res = decode_archive(bytes(bad))
    assert res.count("GPS") == 298 and res.packets == 300
    assert sum(res.crc_errors.values()) == 2


@pytest.mark.parametrize("name", ["GYRO", "GPS", "COMMAND_ACK", "FIRE", "HEARTBEAT"])
def test_against_ccsdspy(name: str) -> None:
    """ccsdspy, built from the layout the dictionary exports, decodes the same values."""
    import ccsdspy

    pdef = DICTIONARY[name]
    rng = random.Random(9)
    pkts = [pdef.build(t_tai=i * 0.5, seq=i, **({"key_id": 3, "auth_seq": i} if pdef.is_tc
                                                 else {}), **random_values(pdef, rng))
            for i in range(200)]
    fields = []
    for fname, kind, bits, count in ccsdspy_fields(pdef):
        if count:
            fields.append(ccsdspy.PacketArray(name=fname, data_type=kind, bit_length=bits,
                                              array_shape=count))
        else:
            fields.append(ccsdspy.PacketField(name=fname, data_type=kind, bit_length=bits))
    ref = ccsdspy.FixedLength(fields).load(io.BytesIO(b"".join(pkts)),
                                           include_primary_header=True)
    ours = decode_archive(b"".join(pkts)).arrays[name]
    assert np.array_equal(ref["CCSDS_APID"], np.full(200, pdef.apid))
    assert np.array_equal(ref["CCSDS_SEQUENCE_COUNT"], ours["seq"])
    assert np.array_equal(ref["coarse"] + ref["fine"] / 65536, ours["t_tai"])
    for fname, kind, _, _ in ccsdspy_fields(pdef):
        if fname in pdef.field_names and kind != "str":
            assert np.array_equal(np.asarray(ref[fname], dtype=ours[fname].dtype), ours[fname])
