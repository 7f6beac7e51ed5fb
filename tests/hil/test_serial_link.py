"""SerialLink on pyserial's ``loop://`` (what is written comes back): framing
both ways, statistics, a noisy stretch of line, typed errors."""

from __future__ import annotations

import pytest
from hil_testutil import make_packet

from hil.serial import FrameTooLong, LinkLost, LinkTimeout, NoisyLine, SerialLink, frame


def _loop(**kw: object) -> SerialLink:
    link = SerialLink("loop://", is_response=lambda p: True, **kw)  # type: ignore[arg-type]
    link.open()
    return link


def test_send_receive_round_trip_and_counters() -> None:
    link = _loop()
    pkts = [make_packet(0x010, i, bytes([i]) * (i + 5)) for i in range(20)]
    for p in pkts:
        link.send(p)
    got = [link.receive(1.0) for _ in pkts]
    assert got == pkts
    s = link.stats
    assert s.frames_tx == s.frames_rx == 20
    assert s.bytes_tx == s.bytes_rx == sum(len(p) + 4 for p in pkts)
    assert s.payload_bytes_rx == sum(map(len, pkts)) and s.seq_gaps == 0
    assert link.receive(0.05) is None
    link.close()


def test_noisy_stretch_loses_only_the_damaged_frames() -> None:
    link = _loop()
    pkts = [make_packet(0x011, i, bytes(range(100))) for i in range(300)]
    line = NoisyLine(ber=1e-3, drop_rate=1e-3, seed=3)
    port = link._port
    assert port is not None
    sent, got = [], []
    for p in pkts:  # loop:// holds 4 KiB: read as we go
        start = line.offset
        port.write(line.apply(frame(p)))
        sent.append((p, not any(start <= d < line.offset for d in line.damaged)))
        link.poll(0.0)
        while (pkt := link.receive(0.0)) is not None:
            got.append(pkt)
    while (pkt := link.receive(0.3)) is not None:  # a stalled tail times out
        got.append(pkt)
    assert got == [p for p, intact in sent if intact]
    lost = sum(1 for _, intact in sent if not intact)
    assert lost > 5
    # losses after the last packet delivered are not visible as a gap yet
    last = max(i for i, (_, intact) in enumerate(sent) if intact)
    assert link.stats.seq_gaps == sum(1 for _, intact in sent[: last + 1] if not intact)


def test_unread_answers_are_bounded_and_counted() -> None:
    link = _loop()
    link.max_answers = 8
    pkts = [make_packet(0x010, i, b"abc") for i in range(12)]
    for p in pkts:
        link.send(p)
    link.poll(0.2)
    got = []
    while (pkt := link.receive(0.05)) is not None:
        got.append(pkt)
    assert got == pkts[4:] and link.stats.answers_dropped == 4


def test_typed_errors() -> None:
    link = _loop(max_packet=64)
    with pytest.raises(FrameTooLong):
        link.send(make_packet(0x010, 0, bytes(100)))
    with pytest.raises(LinkTimeout):
        SerialLink("loop://", is_response=lambda p: False).transact(
            make_packet(0x010, 0, b"x"), 0.05)
    with pytest.raises(LinkLost):
        SerialLink("/dev/does-not-exist-fsw").open()
    with pytest.raises(LinkLost):
        SerialLink("nosuchscheme://x").open()
