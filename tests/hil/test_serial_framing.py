"""Framing and deframing: marker hunting, CRC and length checks, timeouts,
statistics, and the noisy-line acceptance test (issue #8, acceptance 3)."""

from __future__ import annotations

import numpy as np
import pytest
from hil_testutil import make_packet

from hil.serial import ASM, Deframer, NoisyLine, frame
from hil.serial.packetcodec import crc16


def _stream(n: int, seed: int = 1) -> tuple[list[bytes], bytes, list[tuple[int, int]]]:
    """n packets over three APIDs with random payloads (12..200 octets), the
    framed byte stream, and each frame's [start, end) offsets in it."""
    rng = np.random.default_rng(seed)
    apids = [0x201, 0x202, 0x003]
    seqs = dict.fromkeys(apids, 0)
    pkts, spans, out = [], [], bytearray()
    for _ in range(n):
        apid = apids[int(rng.integers(3))]
        size = int(rng.integers(12, 200))
        pkt = make_packet(apid, seqs[apid], rng.integers(0, 256, size, dtype=np.uint8).tobytes())
        seqs[apid] += 1
        pkts.append(pkt)
        start = len(out)
        out += frame(pkt)
        spans.append((start, len(out)))
    return pkts, bytes(out), spans


def _feed_chunked(d: Deframer, data: bytes, seed: int = 2) -> list[bytes]:
    rng = np.random.default_rng(seed)
    got, i = [], 0
    while i < len(data):
        n = int(rng.integers(1, 300))
        got += d.feed(data[i : i + n])
        i += n
    return got


def test_crc_matches_published_check_value() -> None:
    # CRC-16/CCITT-FALSE check value of "123456789" (Greg Cook's CRC catalogue).
    assert crc16(b"123456789") == 0x29B1


def test_clean_stream_round_trip_in_any_chunking() -> None:
    pkts, data, _ = _stream(300)
    d = Deframer()
    assert _feed_chunked(d, data) == pkts
    s = d.stats
    assert (s.frames_rx, s.crc_errors, s.length_errors, s.resyncs, s.seq_gaps) == (300, 0, 0, 0, 0)
    assert s.bytes_rx == len(data) and s.payload_bytes_rx == sum(map(len, pkts))
    assert d.pending == 0


def test_garbage_before_and_between_frames_is_skipped_and_counted() -> None:
    a, b = make_packet(0x201, 0, b"A" * 20), make_packet(0x201, 1, b"B" * 20)
    data = b"\x00\x1a\xcf\xfc" + frame(a) + b"junk\x1a" + frame(b)
    d = Deframer()
    assert d.feed(data) == [a, b]
    assert d.stats.resyncs == 2 and d.stats.bytes_discarded == 9


def test_bad_crc_rejected_and_next_frame_found() -> None:
    a, b, c = (make_packet(0x201, i, bytes([65 + i]) * 30) for i in range(3))
    bad = bytearray(frame(b))
    bad[20] ^= 0x10
    d = Deframer()
    assert d.feed(frame(a) + bytes(bad) + frame(c)) == [a, c]
    assert d.stats.crc_errors == 1 and d.stats.seq_gaps == 1
    assert d.stats.bytes_discarded == len(bad)


def test_length_over_maximum_rejected_without_waiting() -> None:
    big = make_packet(0x201, 0, bytes(600))
    small = make_packet(0x201, 1, b"x" * 10)
    d = Deframer(max_packet=256)
    assert d.feed(frame(big) + frame(small)) == [small]
    assert d.stats.length_errors == 1


def test_stalled_partial_frame_times_out() -> None:
    a, b = make_packet(0x201, 0, b"A" * 40), make_packet(0x201, 1, b"B" * 10)
    d = Deframer(timeout=0.5)
    assert d.feed(frame(a)[:30], now=10.0) == []
    assert d.expire(10.4) == [] and d.stats.timeouts == 0
    assert d.expire(10.6) == [] and d.stats.timeouts == 1
    assert d.feed(frame(b), now=11.0) == [b]


def test_marker_inside_payload_does_not_break_framing() -> None:
    a = make_packet(0x201, 0, ASM * 5 + b"tail")
    d = Deframer()
    assert d.feed(frame(a) + frame(a)) == [a, a]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noisy_line_delivers_every_intact_frame_and_accounts_for_every_loss(seed: int) -> None:
    """Acceptance 3: BER 1e-4 bit flips plus dropped bytes (1e-4 per byte)."""
    pkts, data, spans = _stream(4000, seed=10 + seed)
    line = NoisyLine(ber=1e-4, drop_rate=1e-4, seed=seed)
    noisy = b"".join(line.apply(data[i : i + 4096]) for i in range(0, len(data), 4096))
    d = Deframer(max_packet=256, seq_start=0)
    got = _feed_chunked(d, noisy, seed=seed)
    got += d.expire(1e9)  # end of the run: abandon a stalled tail

    damaged = sorted(line.damaged)
    hit = np.searchsorted(damaged, [s for s, _ in spans])
    hit_end = np.searchsorted(damaged, [e for _, e in spans])
    intact = [pkts[k] for k in range(len(pkts)) if hit[k] == hit_end[k]]
    marker_hit = sum(
        1
        for k, (s, _) in enumerate(spans)
        if hit[k] != hit_end[k] and damaged[hit[k]] < s + len(ASM)
    )
    n_damaged = len(pkts) - len(intact)
    assert n_damaged > 20, "the noise must actually hit frames for the test to mean anything"

    # every intact frame delivered, in order; nothing else delivered
    assert got == intact
    s = d.stats
    # the counters account for every loss
    assert s.frames_rx == len(intact)
    # a loss after the last packet delivered on an APID shows as no gap (yet)
    last_ok = {}
    for k in range(len(pkts)):
        if hit[k] == hit_end[k]:
            last_ok[pkts[k][1]] = k
    trailing = sum(
        1 for k in range(len(pkts)) if hit[k] != hit_end[k] and k > last_ok[pkts[k][1]]
    )
    assert s.seq_gaps + trailing == n_damaged
    assert s.rejected() == n_damaged - marker_hit
    assert s.bytes_rx == len(noisy)
    assert s.bytes_rx == s.payload_bytes_rx + len(ASM) * s.frames_rx + s.bytes_discarded + d.pending
