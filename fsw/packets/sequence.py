"""Per-APID source sequence counters (14 bits, wrapping), one per sender."""

from __future__ import annotations

from fsw.packets.codec import APID_MAX, SEQ_MODULO
from fsw.packets.errors import PacketBuildError


class SequenceCounters:
    """The next sequence count of each APID a sender emits.

    ``counters.next(apid)`` returns 0, 1, ..., 16383, 0, ... per APID; a
    sender owns one instance so its packets' counts have no gaps.
    """

    __slots__ = ("_next",)

    def __init__(self) -> None:
        self._next: dict[int, int] = {}

    def next(self, apid: int) -> int:
        """The count for the packet about to be sent on ``apid``; advances it."""
        n = self._next.get(apid)
        if n is None:
            if not 0 <= apid <= APID_MAX:
                raise PacketBuildError(f"APID {apid} outside [0, 0x7FF]")
            n = 0
        self._next[apid] = (n + 1) & (SEQ_MODULO - 1)
        return n

    def peek(self, apid: int) -> int:
        """The count ``next(apid)`` will return, without advancing."""
        return self._next.get(apid, 0)

    def reset(self, apid: int | None = None) -> None:
        """Restart one APID (or all) at 0."""
        if apid is None:
            self._next.clear()
        else:
            self._next.pop(apid, None)
