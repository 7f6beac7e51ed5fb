"""Topics of the bus: a packet's first two octets.

The first 16 bits of a space packet hold version (3 bits, always 0), type (1),
secondary-header flag (1) and the 11-bit APID, so a ZeroMQ prefix subscription
on those two octets selects one APID with single-frame messages and no copy.
A subscription to an APID covers both packet types and both values of the
secondary-header flag (four prefixes), so a subscriber sees every packet of the
APID whatever its header says.
"""

from __future__ import annotations

from collections.abc import Iterable

from fsw.packets.codec import APID_MAX, peek_apid

APID_COUNT = APID_MAX + 1
MIN_PACKET_LEN = 7  # 6-octet primary header and at least one octet of data


def apid_of(packet: bytes | bytearray | memoryview) -> int:
    """The APID of a packet (:func:`fsw.packets.codec.peek_apid`, which
    refuses a packet too short to hold one)."""
    return peek_apid(packet)


def prefixes(apid: int) -> tuple[bytes, ...]:
    """The subscription prefixes selecting every packet of ``apid``."""
    if not 0 <= apid <= APID_MAX:
        raise ValueError(f"APID {apid!r} outside [0, 0x7FF]")
    return tuple(
        ((kind << 12) | (sec << 11) | apid).to_bytes(2, "big")
        for kind in (0, 1)
        for sec in (0, 1)
    )


def as_apids(apids: int | Iterable[int] | object) -> list[int]:
    """Normalise an APID, an iterable of APIDs, or objects with an ``apid``
    attribute (packet declarations) to a list of ints, range-checked."""
    single = isinstance(apids, int) or hasattr(apids, "apid")
    items: Iterable[object] = [apids] if single else apids  # type: ignore[assignment]
    out = []
    for a in items:
        v = getattr(a, "apid", a)
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= APID_MAX:
            raise ValueError(f"{a!r} is not an APID in [0, 0x7FF]")
        out.append(v)
    return out
