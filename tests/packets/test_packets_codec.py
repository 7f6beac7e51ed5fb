"""Primary header, CUC time code and CRC against independent implementations:
spacepackets (header), fastcrc (CRC, what spacepackets uses), ccsdspy's
datetime converter and calendar arithmetic (CUC)."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

import numpy as np
import pytest
from fastcrc import crc16 as fast_crc16
from hypothesis import given, settings
from hypothesis import strategies as st
from packet_strategies import PACKET_NAMES, field_values, random_values, seqs, tai_ticks
from spacepackets.ccsds.spacepacket import PacketType, SequenceFlags, SpacePacketHeader

from fsw.packets import (
    DICTIONARY,
    PacketCrcError,
    PacketError,
    build_idle,
    check_frame,
    crc16,
    is_idle,
    pack_header,
    unpack_header,
)
from fsw.packets.codec import pack_cuc, split_stream, tai_to_cuc, unpack_cuc

EPOCH = dt.datetime(1958, 1, 1)


def test_crc_check_value() -> None:
    assert crc16(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE (IBM-3740) check value
    assert fast_crc16.ibm_3740(b"123456789") == 0x29B1


def test_crc_matches_fastcrc_on_random_data() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        data = rng.randbytes(rng.randrange(0, 300))
        assert crc16(data) == fast_crc16.ibm_3740(data)


def test_primary_header_matches_spacepackets_10000_random() -> None:
    rng = random.Random(20260126)
    for _ in range(10_000):
        ptype, apid, seq = rng.randrange(2), rng.randrange(0x800), rng.randrange(1 << 14)
        dlen, sec, flags = rng.randrange(1 << 16), rng.randrange(2), rng.randrange(4)
        ref = SpacePacketHeader(packet_type=PacketType(ptype), apid=apid, seq_count=seq,
                                data_len=dlen, sec_header_flag=bool(sec),
                                seq_flags=SequenceFlags(flags))
        ours = pack_header(apid, seq, dlen, type=ptype, sec_hdr=sec, seq_flags=flags)
        assert ours == bytes(ref.pack())
        back = SpacePacketHeader.unpack(ours)
        hdr = unpack_header(ours)
        assert (hdr.version, hdr.type, hdr.sec_hdr, hdr.apid, hdr.seq_flags, hdr.seq,
                hdr.data_len) == (back.ccsds_version, int(back.packet_type),
                                  int(back.sec_header_flag), back.apid, int(back.seq_flags),
                                  back.seq_count, back.data_len)
        assert hdr.packet_len == back.packet_len


def test_dictionary_packets_match_spacepackets_and_cuc_reference() -> None:
    """Headers of packets built by the generated codecs, for 10,000 random
    packets over the whole dictionary, decode identically with spacepackets;
    their CUC octets equal an independent encoding of the same TAI time."""
    rng = random.Random(7)
    packets = [DICTIONARY[n] for n in PACKET_NAMES]
    for _ in range(10_000):
        p = rng.choice(packets)
        seq = rng.randrange(1 << 14)
        coarse, fine = rng.randrange(1 << 32), rng.randrange(1 << 16)
        t = coarse + fine / 65536
        raw = p.build(t_tai=t, seq=seq, **random_values(p, rng))
        ref = SpacePacketHeader.unpack(raw)
        assert (ref.apid, ref.seq_count, ref.packet_len, int(ref.packet_type),
                ref.sec_header_flag, ref.seq_flags) == (
            p.apid, seq, len(raw), p.kind, True, SequenceFlags.UNSEGMENTED)
        assert raw[6:12] == coarse.to_bytes(4, "big") + fine.to_bytes(2, "big")
        assert fast_crc16.ibm_3740(raw[:-2]) == int.from_bytes(raw[-2:], "big")
        rec = p.parse(raw)
        assert (rec.seq, rec.t_tai) == (seq, t)


def test_cuc_against_ccsdspy_datetime_converter() -> None:
    from ccsdspy.converters import DatetimeConverter

    rng = np.random.default_rng(3)
    coarse = rng.integers(0, 2**32, 10_000, dtype=np.uint64)
    fine = rng.integers(0, 2**16, 10_000, dtype=np.uint64)
    conv = DatetimeConverter(since=EPOCH, units=("seconds", "microseconds"))
    ref = conv.convert(coarse, fine * 1e6 / 65536)  # fine ticks as microseconds
    for c, f, when in zip(coarse.tolist(), fine.tolist(), ref, strict=True):
        raw = pack_cuc(c + f / 65536)
        assert raw == c.to_bytes(4, "big") + f.to_bytes(2, "big")
        t = unpack_cuc(b"\0" * 6 + raw)
        ours = EPOCH + dt.timedelta(seconds=int(t), microseconds=(t - int(t)) * 1e6)
        assert abs((ours - when).total_seconds()) <= 1e-6


@given(ticks=tai_ticks)
def test_cuc_round_trip_exact(ticks: int) -> None:
    t = ticks / 65536
    assert tai_to_cuc(t) == (ticks >> 16, ticks & 0xFFFF)
    assert unpack_cuc(b"\0" * 6 + pack_cuc(t)) == t


def test_cuc_of_a_known_date() -> None:
    # 2026-01-01T00:00:00 TAI is 68 years (17 leap days) after 1958-01-01
    t = (dt.datetime(2026, 1, 1) - EPOCH).total_seconds()
    assert t == (68 * 365 + 17) * 86400
    assert pack_cuc(t + 0.5) == int(t).to_bytes(4, "big") + b"\x80\x00"


@pytest.mark.parametrize("name", PACKET_NAMES)
def test_every_single_bit_flip_is_detected(name: str) -> None:
    pdef = DICTIONARY[name]

    @settings(max_examples=5, deadline=None)
    @given(values=field_values(pdef), ticks=tai_ticks, seq=seqs)
    def check(values: dict, ticks: int, seq: int) -> None:
        raw = pdef.build(t_tai=ticks / 65536, seq=seq, **values)
        assert check_frame(raw).apid == pdef.apid
        for bit in range(8 * len(raw)):
            bad = bytearray(raw)
            bad[bit // 8] ^= 0x80 >> (bit % 8)
            with pytest.raises(PacketError):
                pdef.parse(bytes(bad))
            if bit >= 48:  # header intact: the CRC is what catches it
                with pytest.raises(PacketCrcError):
                    check_frame(bytes(bad))

    check()


def test_idle_packets() -> None:
    idle = build_idle(20, seq=5)
    hdr = check_frame(idle)
    assert (hdr.apid, hdr.sec_hdr, hdr.seq, hdr.packet_len) == (0x7FF, 0, 5, 20)
    assert is_idle(idle) and not is_idle(DICTIONARY["NOOP"].build(t_tai=0))
    ref = SpacePacketHeader.unpack(idle)
    assert ref.apid == 0x7FF and ref.packet_len == 20
    with pytest.raises(PacketError):
        build_idle(8)


def test_split_stream() -> None:
    g = DICTIONARY["GYRO"]
    pkts = [g.build(t_tai=i, seq=i, rate_B=(i, 0, 0), valid=1) for i in range(5)]
    buf = b"".join(pkts) + build_idle(9) + pkts[0][:10]
    parts, trailing = split_stream(buf)
    assert [bytes(p) for p in parts] == [*pkts, build_idle(9)] and trailing == 10


@given(st.binary(max_size=64))
def test_header_decoders_raise_only_packet_errors(data: bytes) -> None:
    for fn in (unpack_header, check_frame):
        with contextlib.suppress(PacketError):
            fn(data)
