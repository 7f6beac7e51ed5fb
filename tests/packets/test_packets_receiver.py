"""Receiver accounting: every packet is delivered or dropped for a counted
reason; sequence gaps and duplicates are counted per APID (with wrap-around)."""

from __future__ import annotations

from fsw.packets import DICTIONARY, build_idle
from fsw.packets.receiver import Receiver
from fsw.packets.sequence import SequenceCounters

GYRO = DICTIONARY["GYRO"]
STAR = DICTIONARY["STAR_TRACKER"]


def gyro(seq: int) -> bytes:
    return GYRO.build(t_tai=seq * 0.1, seq=seq, rate_B=(0.0, 0.0, float(seq)), valid=1)


def test_counters_wrap_and_are_per_apid() -> None:
    c = SequenceCounters()
    assert [c.next(1) for _ in range(3)] == [0, 1, 2] and c.next(2) == 0
    for _ in range(16_384 - 3):
        c.next(1)
    assert c.next(1) == 0


def test_gaps_duplicates_and_errors_per_apid() -> None:
    errors = []
    rx = Receiver(on_error=lambda apid, exc: errors.append((apid, type(exc).__name__)))
    seqs = [16_382, 16_383, 0, 1, 1, 4, 5, 9]  # wrap ok, dup, gap of 2, gap of 3
    got = [rx.receive(gyro(s)) for s in seqs]
    assert [r.seq for r in got if r is not None] == [16_382, 16_383, 0, 1, 4, 5, 9]
    bad_crc = bytearray(gyro(10))
    bad_crc[20] ^= 4
    assert rx.receive(bytes(bad_crc)) is None
    assert rx.receive(gyro(11)[:-3]) is None  # truncated
    assert rx.receive(b"\x09") is None
    assert rx.receive(build_idle(12)) is None
    assert rx.receive(b"\x0b\x00" + gyro(12)[2:]) is None  # APID 0x300 not declared
    assert rx.receive(STAR.build(t_tai=0, seq=3, q_BN=(1, 0, 0, 0), valid=1, head=0)).q_BN[0] == 1
    st = rx.stats[GYRO.apid]
    assert (st.received, st.duplicates, st.gaps, st.missed, st.crc_errors,
            st.length_errors) == (7, 1, 2, 5, 1, 1)
    assert rx.stats[0x7FF].idle == 1 and rx.stats[0x300].unknown == 1
    assert rx.stats[STAR.apid].received == 1 and rx.stats[STAR.apid].gaps == 0
    tot = rx.totals()
    n_in = len(seqs) + 6
    assert tot.received + tot.dropped + tot.idle == n_in
    assert ("PacketCrcError" in {e[1] for e in errors}) and len(errors) == tot.dropped


def test_subscription_filter_counts_others() -> None:
    rx = Receiver(apids={STAR.apid})
    assert rx.receive(gyro(0)) is None and rx.stats[GYRO.apid].unknown == 1
