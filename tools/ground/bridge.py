"""The ground link as a participant of a run: what ``fsw run`` adds to expose
a running emulator to ``fsw ground``.

Every turn it forwards the telemetry it subscribed to (executive packets and
flight-software telemetry: APIDs 0x001-0x07F, lockstep sync excluded) to the
gateway, and publishes on the bus the telecommands received from consoles
(the comms task verifies, executes and acknowledges them). Anything that is
not a telecommand is refused and counted.

Load: a turn takes at most ``read_per_turn`` messages off the link and puts
at most ``admit_per_turn`` telecommands on the bus; what it read beyond that
is dropped and counted (``dropped``, evented at most once per second), and
what it did not read waits in the gateway's bounded queue, the sender held
back by TCP. A flood of the ground port thus costs each tick a bounded
amount of work: the rate groups stay on time and memory stays bounded.
ZeroMQ serves the consoles' connections in turn, so one flooding console
does not shut out another. Add it last, after the tasks::

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
#: messages taken off the link, and telecommands put on the bus, per turn
#: (the bridge runs every tick: 10 Hz in orbit)
READ_PER_TURN = 256
ADMIT_PER_TURN = 8


class GroundBridge:
    """Bus <-> ground link, one turn per tick (see the module docstring)."""

    name = "ground-link"
    rate_group = "attitude"

    def __init__(self, gateway: GroundGateway, downlink: Iterable[int] = DOWNLINK_APIDS, *,
                 read_per_turn: int = READ_PER_TURN, admit_per_turn: int = ADMIT_PER_TURN
                 ) -> None:
        self.gateway = gateway
        self.apids = tuple(downlink)
        self.read_per_turn = read_per_turn
        self.admit_per_turn = admit_per_turn
        self.uplinked = 0
        self.refused = 0
        self.dropped = 0
        self.downlinked = 0
        self._dropped_said = 0
        self._said_at = -1.0e300

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
        got = self.gateway.uplink(0.0, self.read_per_turn)
        if len(got) > self.admit_per_turn:
            self.dropped += len(got) - self.admit_per_turn
            del got[self.admit_per_turn:]
        if self.dropped != self._dropped_said and t - self._said_at >= 1.0:
            self.ctx.event(Severity.WARNING, EventId.GROUND_LINK_DROPPED,
                           f"ground link: {self.dropped - self._dropped_said} "
                           f"telecommands dropped (more than {self.admit_per_turn} "
                           f"a turn); {self.dropped} in all")
            self._dropped_said, self._said_at = self.dropped, t
        for raw in got:
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
