"""The local bus's loopback queue (issue #18): no socket hop in one process,
and the same packets as ZeroMQ would deliver.

- A local bus and a tap on its endpoint see the same packets in the same
  order; a tap connected later sees the packets from then on.
- ``take`` / ``drain(limit=...)`` / ``recv`` / ``recv_until`` hand the queue
  out in publication order; a local bus never waits (nothing can arrive while
  its only thread waits): an empty ``recv`` is None at once, an unmet
  ``recv_until`` a BusTimeoutError at once.
- The queue is bounded by the high-water mark: the drops are counted, exactly.
- A local bus has no socket to poll: a typed error.
"""

from __future__ import annotations

import time

import pytest
from test_bus import packet

from fsw.bus import Bus, BusEndpointError, BusTimeoutError, apid_of


def test_a_tap_sees_what_the_local_bus_delivers() -> None:
    with Bus.local(hwm=1000) as bus:
        early = [packet(0x30, i) for i in range(3)]
        for p in early:
            bus.publish(p)
        tap = Bus.tap(bus.endpoint, hwm=1000)
        tap.subscribe_all()
        try:
            late = [packet(0x31 + (i % 2), i) for i in range(20)]
            for p in late:
                bus.publish(p)
            assert bus.take() == early + late
            seen: list[bytes] = []
            deadline = time.monotonic() + 5.0
            while len(seen) < len(late) and time.monotonic() < deadline:
                tap.drain(seen.append)
            assert seen == late  # the tap hears what was published once it was there
        finally:
            tap.close()


def test_the_queue_is_handed_out_in_order_and_never_waits() -> None:
    with Bus.local() as bus:
        sent = [packet(0x40 + (i % 3), i) for i in range(12)]
        for p in sent:
            bus.publish(p)
        assert bus.pending_local == 12
        got: list[bytes] = []
        assert bus.drain(got.append, limit=5) == 5
        assert bus.recv() == sent[5]
        rest: list[bytes] = []
        hit = bus.recv_until(lambda p: p == sent[9], rest.append, timeout_s=10.0)
        assert hit == sent[9] and rest == sent[6:9]
        assert bus.take() == sent[10:]
        t0 = time.monotonic()
        assert bus.recv(timeout_s=10.0) is None
        with pytest.raises(BusTimeoutError):
            bus.recv_until(lambda p: True, rest.append, timeout_s=10.0)
        assert time.monotonic() - t0 < 1.0
        c = bus.counters.totals()
        assert (c["sent"], c["received"], c["dropped"]) == (12, 12, 0)


def test_the_queue_is_bounded_and_drops_are_counted() -> None:
    with Bus.local(hwm=10) as bus:
        for i in range(25):
            bus.publish(packet(0x42, i))
        got = bus.take()
        assert [apid_of(p) for p in got] == [0x42] * 10
        c = bus.counters.get(0x42)
        assert (c.sent, c.received, c.dropped) == (25, 10, 15)


def test_a_local_bus_has_no_socket_to_poll() -> None:
    with Bus.local() as bus, pytest.raises(BusEndpointError):
        _ = bus.socket_in
