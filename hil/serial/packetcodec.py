"""The few space-packet facts the link layer needs: the CRC and the fields of
the primary header that delimit and sequence a packet.

The packet dictionary in :mod:`fsw.packets` is the single source of truth;
these names are taken from it when it provides them, and otherwise fall back
to the standard-library CRC-16-CCITT (``binascii.crc_hqx``, poly 0x1021) with
the init value 0xFFFF that DESIGN.md fixes.
"""

from __future__ import annotations

import binascii

__all__ = ["crc16", "packet_apid_seq", "packet_length"]


def crc16(data: bytes | bytearray | memoryview) -> int:
    """CRC-16-CCITT (poly 0x1021, init 0xFFFF, no reflection, no final xor)."""
    return binascii.crc_hqx(data, 0xFFFF)


def packet_length(header: bytes | bytearray | memoryview) -> int:
    """Total octets of the packet whose 6-byte primary header is ``header``."""
    return ((header[4] << 8) | header[5]) + 7


def packet_apid_seq(packet: bytes | bytearray | memoryview) -> tuple[int, int]:
    """The 11-bit APID and 14-bit sequence count of a packet."""
    return ((packet[0] & 0x07) << 8) | packet[1], ((packet[2] & 0x3F) << 8) | packet[3]
