"""The software bus: topics, local and brokered delivery over every transport,
counters, bad input, back-pressure."""

from __future__ import annotations

import time

import pytest
from spacepackets.ccsds.spacepacket import PacketType, SequenceFlags, SpacePacketHeader

from fsw.bus import Broker, Bus, BusEndpointError, BusPacketError, apid_of, prefixes
from fsw.packets.codec import crc16


def packet(apid: int, seq: int = 0, size: int = 16, kind: int = 0) -> bytes:
    """A valid space packet (header by spacepackets, an independent codec)."""
    body = bytes((seq + i) & 0xFF for i in range(size - 8))
    hdr = SpacePacketHeader(packet_type=PacketType(kind), apid=apid, seq_count=seq,
                            data_len=size - 7, sec_header_flag=True,
                            seq_flags=SequenceFlags.UNSEGMENTED).pack()
    raw = bytes(hdr) + body
    return raw + crc16(raw).to_bytes(2, "big")


@pytest.mark.parametrize("apid", [0, 1, 0x0FF, 0x100, 0x4A5, 0x7FF])
@pytest.mark.parametrize("kind", [0, 1])
@pytest.mark.parametrize("sec", [False, True])
def test_topic_prefixes_match_spacepackets_headers(apid: int, kind: int, sec: bool) -> None:
    hdr = SpacePacketHeader(packet_type=PacketType(kind), apid=apid, seq_count=77, data_len=9,
                            sec_header_flag=sec).pack()
    assert bytes(hdr[:2]) in prefixes(apid)
    assert apid_of(hdr) == apid
    others = {p for a in (apid ^ 1, apid ^ 0x400) for p in prefixes(a)}
    assert bytes(hdr[:2]) not in others


def test_prefixes_reject_bad_apid() -> None:
    with pytest.raises(ValueError):
        prefixes(0x800)


def test_local_bus_delivers_in_order_and_counts() -> None:
    with Bus.local() as bus:
        sent = [packet(0x100 + (i % 3), i // 3) for i in range(30)]
        for p in sent:
            bus.publish(p)
        got: list[bytes] = []
        assert bus.drain(got.append) == 30
        assert got == sent
        assert bus.drain(got.append) == 0
        c = bus.counters.get(0x101)
        assert (c.sent, c.received, c.dropped) == (10, 10, 0)
        assert bus.counters.totals()["sent"] == 30


def test_publish_refuses_what_is_not_one_packet() -> None:
    with Bus.local() as bus:
        good = packet(0x20)
        bad = [b"", good[:6], good + b"x", bytes([0x20 | good[0]]) + good[1:], 12345]
        for b in bad:
            with pytest.raises(BusPacketError):
                bus.publish(b)  # type: ignore[arg-type]
        assert bus.counters.invalid == len(bad)
        assert bus.counters.totals()["sent"] == 0
        got: list[bytes] = []
        bus.drain(got.append)
        assert got == []


def test_local_drops_are_counted_exactly() -> None:
    with Bus.local(hwm=10) as bus:
        for i in range(200):
            bus.publish(packet(0x42, i % 16384))
        got: list[bytes] = []
        bus.drain(got.append)
        c = bus.counters.get(0x42)
        assert 0 < c.received < 200
        assert c.received == len(got)
        assert c.dropped == 200 - c.received


@pytest.mark.parametrize("transport", ["inproc", "ipc", "tcp"])
def test_broker_filters_by_apid_and_keeps_order(transport: str) -> None:
    with Broker(transport) as broker:
        ep = broker.endpoints
        assert ep is not None and ep.transport == transport
        if transport == "tcp":
            assert ep.frontend.startswith("tcp://127.0.0.1:")
        pub = Bus.connect(ep, name="pub")
        sub = Bus.connect(ep, name="sub")
        try:
            sub.subscribe([0x101, 0x103])
            probe = packet(0x103, 0)
            deadline = time.monotonic() + 10
            while True:  # slow joiner: wait until the subscription reached the publisher
                pub.publish(probe)
                if sub.recv(0.05) is not None:
                    break
                assert time.monotonic() < deadline
            while sub.recv(0.05) is not None:
                pass
            sent = [packet(0x100 + (i % 4), 1 + i // 4) for i in range(400)]
            for p in sent:
                pub.publish(p)
            got: list[bytes] = []
            while len(got) < 200:
                p = sub.recv(5.0)
                assert p is not None, f"only {len(got)} of 200 arrived"
                got.append(p)
            assert got == [p for p in sent if apid_of(p) in (0x101, 0x103)]
            assert sub.recv(0.1) is None
            assert sub.counters.get(0x100).received == 0
            assert sub.counters.totals()["dropped"] == 0
        finally:
            pub.close(0)
            sub.close(0)
    if transport == "ipc":
        import os

        assert not os.path.exists(ep.frontend[len("ipc://"):])


def test_sequence_gaps_count_as_drops_behind_a_broker() -> None:
    with Broker("inproc") as broker:
        assert broker.endpoints is not None
        pub, sub = Bus.connect(broker.endpoints), Bus.connect(broker.endpoints)
        try:
            sub.subscribe(0x55)
            while True:
                pub.publish(packet(0x55, 0))
                if sub.recv(0.05) is not None:
                    break
            while sub.recv(0.05):
                pass
            seqs = (1, 2, 3, 7, 8, 8, 9, 1000, 16383, 0, 1)
            for s in seqs:
                pub.publish(packet(0x55, s))
            for _ in seqs:
                assert sub.recv(2.0) is not None
            c = sub.counters.get(0x55)
            # 3 -> 7 misses 3 packets, 9 -> 1000 misses 990; the repeated 8 and the jump
            # back by more than half the count space (1000 -> 16383) are out of order;
            # 16383 -> 0 is the normal wrap
            assert c.dropped == 3 + 990
            assert c.out_of_order == 2
        finally:
            pub.close(0)
            sub.close(0)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_stalled_subscriber_keeps_publisher_memory_bounded() -> None:
    """Acceptance 4: 64 MiB published at a subscriber that does not read;
    queues stop at their high-water marks, the publisher's memory stays
    bounded, and every loss is counted (by sequence gaps: fewer than 8192 in a
    row, so the 14-bit count sees them all)."""
    hwm, size, n = 100, 8192, 8000
    with Broker("tcp", hwm=hwm) as broker:
        assert broker.endpoints is not None
        pub = Bus.connect(broker.endpoints, hwm=hwm)
        sub = Bus.connect(broker.endpoints, hwm=hwm)
        try:
            sub.subscribe(0x77)
            while True:
                pub.publish(packet(0x77, 0, size))
                if sub.recv(0.05) is not None:
                    break
            while sub.recv(0.05):
                pass
            before = sub.counters.get(0x77).received
            flood = [packet(0x77, s, size) for s in range(1, n + 2)]
            rss0 = _rss_bytes()
            for p in flood[:-1]:
                pub.publish(p)
            grown = _rss_bytes() - rss0
            assert grown < 24 * 2**20, f"publisher side grew {grown / 2**20:.1f} MiB"
            time.sleep(0.2)
            got = 0
            while sub.recv(0.2) is not None:
                got += 1
            pub.publish(flood[-1])  # one more closes the gap count
            assert sub.recv(5.0) is not None
            c = sub.counters.get(0x77)
            assert got < n / 2, "the stalled subscriber's queue is bounded"
            assert c.received - before == got + 1
            assert c.received - before + c.dropped == n + 1  # nothing lost silently
        finally:
            pub.close(0)
            sub.close(0)


def test_bad_endpoint_and_hwm_are_typed_errors() -> None:
    with pytest.raises(BusEndpointError):
        Broker("udp")
    with pytest.raises(BusEndpointError):
        Bus.local(hwm=0)
    with pytest.raises(BusEndpointError):
        Bus.tap("nonsense://x")


def test_broker_runs_as_its_own_process() -> None:
    import json
    import signal
    import subprocess
    import sys

    from fsw.bus import BrokerEndpoints

    proc = subprocess.Popen([sys.executable, "-m", "fsw.bus.broker", "--transport", "tcp"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ep = BrokerEndpoints(**json.loads(proc.stdout.readline()))
        assert ep.transport == "tcp" and "127.0.0.1" in ep.backend
        pub, sub = Bus.connect(ep), Bus.connect(ep)
        try:
            sub.subscribe(0x33)
            deadline = time.monotonic() + 10
            while sub.recv(0.05) is None:
                assert time.monotonic() < deadline
                pub.publish(packet(0x33))
        finally:
            pub.close(0)
            sub.close(0)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
