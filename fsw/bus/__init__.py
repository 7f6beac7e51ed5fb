"""The software bus: CCSDS space packets published and subscribed by APID over
ZeroMQ, one API for ``inproc``, ``ipc`` and ``tcp``.

Topics are APIDs: a subscription to an APID is a ZeroMQ prefix subscription
on the packet's first two octets (version/type/secondary-header flag/APID), so
messages are single frames holding exactly one space packet, never copied or
wrapped.

Usage::

    from fsw.bus import Bus, Broker

    bus = Bus.local()                      # one process: a loopback queue (no socket hop)
    bus.publish(raw_packet)                # bytes of one whole space packet
    bus.drain(handle)                      # handle(packet) for all queued, non-blocking

    with Broker("tcp", secure=True) as broker:   # several processes: XSUB/XPUB proxy
        ep = broker.endpoints              # BrokerEndpoints(frontend, backend), picklable
        node = Bus.connect(ep)             # in any process (same context for inproc)
        node.subscribe([0x100, 0x101])     # APIDs, or packet declarations
        p = node.recv(timeout_s=1.0)       # one packet or None
        node.close()

    tap = Bus.tap(bus.endpoint)            # receive-only view of a local bus
    port = Bus.bind("tcp://127.0.0.1:*")   # brokerless publisher; others Bus.tap(port.endpoint)
    bus.counters.get(0x100)                # ApidCounts(sent, received, dropped, out_of_order)
    bus.counters.totals()                  # sums, plus 'invalid' (refused by publish)

Guarantees and limits:

- ``publish`` checks that the bytes are one space packet (length >= 7, version
  0, length field = size) and raises :class:`BusPacketError` otherwise
  (counted in ``counters.invalid``). It never blocks.
- Every socket has a high-water mark (``hwm``, default
  :data:`DEFAULT_HWM` packets); a subscriber that stops reading loses packets
  beyond its queue (counted as ``dropped`` on its side), and the publisher's
  memory stays bounded.
- Order: packets of one publisher arrive in publication order at each
  subscriber; packets of different publishers through a broker interleave
  (the executive's lockstep protocol serialises them, see
  :mod:`fsw.executive.lockstep`).
- ``dropped``: exact on a local bus (sent minus received); behind a broker,
  per-APID 14-bit sequence-count gaps, which presumes one source per APID
  (exempt shared APIDs with :meth:`Bus.ignore_sequence`).
- ``Broker(..., secure=True)``: the ipc/tcp bus authenticates its peers
  (CurveZMQ, fresh keys per broker, handed to nodes inside the endpoints);
  a process not given them neither reads nor publishes.
- A local bus receives everything it publishes (subscriptions are a no-op);
  the executive routes packets to its participants by APID.

Run a broker as its own process with ``python -m fsw.bus.broker --transport tcp``
(prints its endpoints as JSON).
"""

from fsw.bus.broker import Broker
from fsw.bus.bus import DEFAULT_HWM, Bus
from fsw.bus.counters import ApidCounts, BusCounters
from fsw.bus.endpoints import TRANSPORTS, BrokerEndpoints, BusCurveKeys, check_transport
from fsw.bus.errors import BusEndpointError, BusError, BusPacketError, BusTimeoutError
from fsw.bus.topics import apid_of, prefixes

__all__ = [
    "DEFAULT_HWM", "TRANSPORTS", "ApidCounts", "Broker", "BrokerEndpoints", "Bus",
    "BusCounters", "BusCurveKeys", "BusEndpointError", "BusError", "BusPacketError",
    "BusTimeoutError", "apid_of", "check_transport", "prefixes",
]
