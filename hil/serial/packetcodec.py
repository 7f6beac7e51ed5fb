"""The few space-packet facts the link layer needs, taken from the packet
dictionary's codec (:mod:`fsw.packets.codec`, the single source of truth):
the CRC and the primary-header fields that delimit and sequence a packet."""

from __future__ import annotations

from fsw.packets.codec import crc16, unpack_header

__all__ = ["crc16", "packet_apid_seq", "packet_length"]


def packet_length(header: bytes | bytearray | memoryview) -> int:
    """Total octets of the packet whose 6-byte primary header is ``header``."""
    return unpack_header(header).packet_len


def packet_apid_seq(packet: bytes | bytearray | memoryview) -> tuple[int, int]:
    """The 11-bit APID and 14-bit sequence count of a packet."""
    h = unpack_header(packet)
    return h.apid, h.seq
