"""Receiver of space packets with per-APID accounting.

Every packet that reaches a receiver is counted exactly once: delivered, or
dropped for a stated reason (length, CRC, header, field, unknown APID,
duplicate, idle). Sequence gaps are counted per APID (how many times, and how
many packets were missed), never ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from fsw.packets import codec
from fsw.packets.dictionary import DICTIONARY, Dictionary
from fsw.packets.errors import (
    PacketCrcError,
    PacketError,
    PacketFieldError,
    PacketHeaderError,
    PacketLengthError,
)


@dataclass
class ApidStats:
    """Counters of one APID at one receiver."""

    received: int = 0  # packets delivered (decoded, not duplicate)
    gaps: int = 0  # sequence discontinuities seen
    missed: int = 0  # packets missing inside those gaps
    duplicates: int = 0  # same sequence count as the previous packet (dropped)
    crc_errors: int = 0
    length_errors: int = 0
    header_errors: int = 0
    field_errors: int = 0
    unknown: int = 0  # APID not in the dictionary
    idle: int = 0  # idle packets (APID 0x7FF), dropped

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def dropped(self) -> int:
        """Packets that arrived but were not delivered (idle excluded)."""
        return (self.duplicates + self.crc_errors + self.length_errors + self.header_errors
                + self.field_errors + self.unknown)


_REASON = {
    PacketLengthError: "length_errors",
    PacketCrcError: "crc_errors",
    PacketHeaderError: "header_errors",
    PacketFieldError: "field_errors",
}


class Receiver:
    """Decode packets one at a time, counting every outcome per APID.

    ``rx.receive(raw)`` returns the decoded record, or None when the packet was
    dropped (the reason is counted in ``rx.stats[apid]`` and passed to the
    optional ``on_error(apid, exc)`` callback, e.g. to raise an event).
    ``apids`` restricts delivery to those APIDs (others are counted as
    ``unknown`` -- a subscriber never sees what it did not ask for).
    """

    def __init__(self, dictionary: Dictionary = DICTIONARY, apids: set[int] | None = None,
                 on_error: Callable[[int, PacketError], None] | None = None) -> None:
        self.dictionary = dictionary
        self.apids = apids
        self.on_error = on_error
        self.stats: dict[int, ApidStats] = {}
        self._last_seq: dict[int, int] = {}

    def _stat(self, apid: int) -> ApidStats:
        st = self.stats.get(apid)
        if st is None:
            st = self.stats[apid] = ApidStats()
        return st

    def _drop(self, apid: int, counter: str, exc: PacketError) -> None:
        st = self._stat(apid)
        setattr(st, counter, getattr(st, counter) + 1)
        if self.on_error is not None:
            self.on_error(apid, exc)

    def receive(self, raw: bytes | bytearray | memoryview) -> Any:
        """Decode one packet; None if dropped (counted)."""
        n = len(raw)
        apid = codec.peek_apid(raw) if n >= 2 else -1
        if n < codec.PRIMARY_HEADER_LEN:
            self._drop(apid, "length_errors", PacketLengthError(f"{n} octets, not a packet"))
            return None
        if apid == codec.APID_IDLE:
            self._stat(apid).idle += 1
            return None
        pdef = self.dictionary.by_apid.get(apid)
        if pdef is None or (self.apids is not None and apid not in self.apids):
            self._drop(apid, "unknown", PacketHeaderError(f"APID 0x{apid:03X} not accepted"))
            return None
        try:
            rec = pdef.parse(raw)
        except PacketError as exc:
            counter = next((v for k, v in _REASON.items() if isinstance(exc, k)),
                           "header_errors")
            self._drop(apid, counter, exc)
            return None
        seq = rec.seq
        last = self._last_seq.get(apid)
        if last is not None:
            delta = (seq - last) & (codec.SEQ_MODULO - 1)
            if delta == 0:
                self._drop(apid, "duplicates",
                           PacketHeaderError(f"APID 0x{apid:03X}: duplicate seq {seq}"))
                return None
            if delta != 1:
                st = self._stat(apid)
                st.gaps += 1
                st.missed += delta - 1
        self._last_seq[apid] = seq
        self._stat(apid).received += 1
        return rec

    def totals(self) -> ApidStats:
        """Sum of the counters over every APID."""
        out = ApidStats()
        for st in self.stats.values():
            for f in fields(out):
                setattr(out, f.name, getattr(out, f.name) + getattr(st, f.name))
        return out
