"""The ground link as a participant of a run: what ``fsw run`` adds to expose
a running emulator to ``fsw ground``.

Every turn it forwards the telemetry it subscribed to (executive packets and
flight-software telemetry: APIDs 0x001-0x07F, lockstep sync excluded) to the
gateway, and publishes on the bus every telecommand received from a console
(the comms task verifies, executes and acknowledges them). Anything that is
not a telecommand is refused and counted. Add it last, after the tasks::

    gateway = GroundGateway("127.0.0.1", 7700, curve=None)
    ex.add(GroundBridge(gateway))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fsw_tools.ground.link import GroundGateway

from fsw.packets import APID_AREAS, peek_apid
from fsw.packets.enums import EventId, Severity

#: Telemetry sent down by default: executive (time, events, heartbeats) and
#: flight-software telemetry (acks, housekeeping).
DOWNLINK_APIDS = (*APID_AREAS["executive"].apids, *APID_AREAS["fsw_telemetry"].apids)
TC_APIDS = APID_AREAS["telecommands"].apids


class GroundBridge:
    """Bus <-> ground link, one turn per tick (see the module docstring)."""

    name = "ground-link"
    rate_group = "attitude"

    def __init__(self, gateway: GroundGateway, downlink: Iterable[int] = DOWNLINK_APIDS) -> None:
        self.gateway = gateway
        self.apids = tuple(downlink)
        self.uplinked = 0
        self.refused = 0
        self.downlinked = 0

    def init(self, ctx: Any) -> None:
        from fsw.executive import SYNC_APIDS

        self.ctx = ctx
        for apid in self.apids:
            if apid not in SYNC_APIDS:
                ctx.subscribe(apid, self.on_packet)

    def on_packet(self, raw: bytes) -> None:
        self.gateway.downlink(raw)
        self.downlinked += 1

    def step(self, t: float) -> None:
        for raw in self.gateway.uplink(0.0):
            apid = peek_apid(raw) if len(raw) >= 2 else -1
            if apid not in TC_APIDS or not raw[0] & 0x10:  # TC APID and type bit
                self.refused += 1
                self.ctx.event(Severity.WARNING, EventId.GROUND_LINK_REFUSED,
                               f"ground link: refused a non-telecommand "
                                       f"({len(raw)} octets, APID {apid})")
                continue
            try:
                self.ctx.publish(raw)
            except ValueError as exc:  # the bus refuses a malformed packet
                self.refused += 1
                self.ctx.event(Severity.WARNING, EventId.GROUND_LINK_MALFORMED,
                               f"ground link: refused a malformed packet: {exc}")
                continue
            self.uplinked += 1
