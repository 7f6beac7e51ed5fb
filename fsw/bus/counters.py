"""Per-APID counters of the bus: packets sent, received and dropped.

Plain lists indexed by APID (0..0x7FF): the hot path adds one to a list item,
the cheapest counting Python has. ``dropped`` counts packets that a subscriber
should have seen and did not: in a process-local bus exactly (sent minus
received after a drain), behind a broker from per-APID sequence-count gaps
(CCSDS: one source per APID, 14-bit count; a forward jump of less than
half the count space is a loss, a larger one a reordering or duplicate, so a
run of 8192 or more consecutive losses is beyond what the count can tell).
"""

from __future__ import annotations

from dataclasses import dataclass

from fsw.bus.topics import APID_COUNT


@dataclass(frozen=True)
class ApidCounts:
    """Counts of one APID as seen by one bus endpoint."""

    sent: int
    received: int
    dropped: int
    out_of_order: int


class BusCounters:
    """Counters of one bus endpoint (one process's PUB and SUB)."""

    __slots__ = ("dropped", "invalid", "last_seq", "out_of_order", "received", "sent")

    def __init__(self) -> None:
        self.sent = [0] * APID_COUNT
        self.received = [0] * APID_COUNT
        self.dropped = [0] * APID_COUNT
        #: backwards or repeated sequence counts (duplicates, reordering).
        self.out_of_order = [0] * APID_COUNT
        #: last sequence count seen per APID (-1: none yet); broker mode only.
        self.last_seq = [-1] * APID_COUNT
        #: bytes refused by publish() because they were not one space packet,
        #: and messages received too short to be one (dropped).
        self.invalid = 0

    def note_sequence(self, apid: int, seq: int) -> None:
        """Account a received packet's 14-bit sequence count against the last
        one of its APID: a forward gap of n counts n dropped packets."""
        last = self.last_seq[apid]
        self.last_seq[apid] = seq
        if last < 0:
            return
        gap = (seq - last - 1) & 0x3FFF
        if gap == 0:
            return
        if gap < 0x2000:
            self.dropped[apid] += gap
        else:
            self.out_of_order[apid] += 1

    def get(self, apid: int) -> ApidCounts:
        """The counts of one APID."""
        return ApidCounts(self.sent[apid], self.received[apid], self.dropped[apid],
                          self.out_of_order[apid])

    def snapshot(self) -> dict[int, ApidCounts]:
        """Counts of every APID with any activity, by APID."""
        return {
            a: self.get(a)
            for a in range(APID_COUNT)
            if self.sent[a] or self.received[a] or self.dropped[a] or self.out_of_order[a]
        }

    def totals(self) -> dict[str, int]:
        """Sums over all APIDs (and the invalid count)."""
        return {
            "sent": sum(self.sent),
            "received": sum(self.received),
            "dropped": sum(self.dropped),
            "out_of_order": sum(self.out_of_order),
            "invalid": self.invalid,
        }
