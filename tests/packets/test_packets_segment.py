"""Segmentation: a 100 kB payload in packets of at most 1 kB reassembles
exactly; every kind of lost segment is reported, never glued over."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacepackets.ccsds.spacepacket import SequenceFlags, SpacePacketHeader

from fsw.packets import DICTIONARY, PacketBuildError, SegmentError, SegmentLossError
from fsw.packets.segment import Reassembler, segment
from fsw.packets.sequence import SequenceCounters

IMAGE = DICTIONARY["IMAGE"]
DUMP = DICTIONARY["MEMORY_DUMP"]
PAYLOAD = random.Random(5).randbytes(100_000)


def test_100kB_in_1kB_packets_reassembles_exactly() -> None:
    pkts = segment(IMAGE, PAYLOAD, t_tai=100.0, seq=16_370, max_packet_len=1024)
    assert all(len(p) <= 1024 for p in pkts) and len(pkts) == -(-100_000 // (1024 - 14))
    flags = [SpacePacketHeader.unpack(p).seq_flags for p in pkts]  # independent decoder
    assert flags[0] == SequenceFlags.FIRST_SEGMENT and flags[-1] == SequenceFlags.LAST_SEGMENT
    assert set(flags[1:-1]) == {SequenceFlags.CONTINUATION_SEGMENT}
    seqs = [SpacePacketHeader.unpack(p).seq_count for p in pkts]
    assert seqs == [(16_370 + i) % 16_384 for i in range(len(pkts))]  # wraps
    rs = Reassembler()
    out = [rs.push(p) for p in pkts]
    assert out[-1] == PAYLOAD and all(o is None for o in out[:-1])
    assert (rs.completed, rs.lost, rs.t_tai, rs.pending) == (1, 0, 100.0, [])


def test_small_payload_is_unsegmented() -> None:
    (pkt,) = segment(DUMP, b"abc", t_tai=1.0)
    assert SpacePacketHeader.unpack(pkt).seq_flags == SequenceFlags.UNSEGMENTED
    assert Reassembler().push(pkt) == b"abc"


@pytest.mark.parametrize("lost", [0, 1, 50, 98, 99])
def test_each_lost_segment_is_reported(lost: int) -> None:
    pkts = segment(IMAGE, PAYLOAD, t_tai=0.0, max_packet_len=1024)
    nxt = segment(IMAGE, b"next" * 600, t_tai=1.0, seq=len(pkts), max_packet_len=1024)
    rs = Reassembler()
    losses, done = 0, []
    for p in pkts[:lost] + pkts[lost + 1:] + nxt:
        try:
            out = rs.push(p)
        except SegmentLossError:
            losses += 1
            continue
        if out is not None:
            done.append(out)
    assert losses == 1 and rs.lost == 1
    assert done == [b"next" * 600]  # the damaged payload never comes out, the next does


def test_interleaved_apids_and_counters() -> None:
    ctr = SequenceCounters()
    a = segment(IMAGE, PAYLOAD[:5000], t_tai=0.0, counters=ctr, max_packet_len=600)
    b = segment(DUMP, PAYLOAD[5000:9000], t_tai=0.0, counters=ctr, max_packet_len=600)
    assert ctr.peek(IMAGE.apid) == len(a) and ctr.peek(DUMP.apid) == len(b)
    rs = Reassembler()
    outs = []
    for i in range(max(len(a), len(b))):
        for seq in (a, b):
            if i < len(seq):
                r = rs.push(seq[i])
                if r is not None:
                    outs.append(r)
    assert sorted(outs, key=len) == [PAYLOAD[5000:9000], PAYLOAD[:5000]]


def test_new_first_before_last_reports_loss_and_keeps_new() -> None:
    p1 = segment(IMAGE, PAYLOAD[:3000], t_tai=0.0, max_packet_len=1024)
    p2 = segment(IMAGE, PAYLOAD[3000:6000], t_tai=0.0, seq=10, max_packet_len=1024)
    rs = Reassembler()
    rs.push(p1[0])
    rs.push(p1[1])
    with pytest.raises(SegmentLossError):
        rs.push(p2[0])
    assert rs.push(p2[1]) is None and rs.push(p2[2]) == PAYLOAD[3000:6000]


def test_payload_limit_and_bad_use() -> None:
    rs = Reassembler(max_payload=2000)
    pkts = segment(IMAGE, PAYLOAD[:5000], t_tai=0.0, max_packet_len=1024)
    with pytest.raises(SegmentError):
        for p in pkts:
            rs.push(p)
    with pytest.raises(PacketBuildError):
        segment(DICTIONARY["GYRO"], b"x", t_tai=0.0)
    with pytest.raises(PacketBuildError):
        segment(IMAGE, b"x", t_tai=0.0, max_packet_len=14)
    with pytest.raises(SegmentError):
        Reassembler().push(DICTIONARY["GYRO"].build(t_tai=0, rate_B=(0, 0, 0), valid=0))


@settings(max_examples=30, deadline=None)
@given(size=st.integers(0, 20_000), maxlen=st.integers(15, 3000),
       drop=st.one_of(st.none(), st.integers(0, 10_000)))
def test_reassembly_property(size: int, maxlen: int, drop: int | None) -> None:
    payload = PAYLOAD[:size]
    pkts = segment(DUMP, payload, t_tai=3.0, max_packet_len=maxlen)
    if drop is not None and len(pkts) > 1:
        del pkts[drop % len(pkts)]
        lost = True
    else:
        lost = False
    rs = Reassembler()
    outs = []
    for p in pkts:
        try:
            r = rs.push(p)
        except SegmentLossError:
            continue
        if r is not None:
            outs.append(r)
    assert outs == ([] if lost else [payload])
    if rs.pending:  # the last segment was the one lost: reported at the end of the stream
        with pytest.raises(SegmentLossError):
            rs.flush()
    rs.flush()
    assert rs.lost == int(lost) and rs.pending == []
