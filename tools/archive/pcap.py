"""Export an archive to a pcap file that Wireshark's CCSDS dissector reads:
each space packet is the payload of one UDP datagram (Ethernet II / IPv4 / UDP)
sent to ``PCAP_UDP_PORT`` (read with ``tshark -d udp.port==52001,ccsds``).

Capture timestamps are the receive times converted from TAI to Unix time
(UTC) with the TAI-UTC offset of their day from ERFA's leap-second table
(:func:`fsw.timescale.tai_to_unix_ns`).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

from fsw_tools.archive import format as fmt
from fsw_tools.archive.reader import Archive

from fsw.timescale import tai_ns_to_unix_ns

#: UDP destination port of the exported datagrams (no IANA port exists for
#: CCSDS space packets; this one is documented in docs/archive.md).
PCAP_UDP_PORT = 52001
#: Source port, addresses and MACs of the synthetic datagrams.
SRC_PORT = 52000
SRC_IP = bytes([127, 0, 0, 2])
DST_IP = bytes([127, 0, 0, 1])
SRC_MAC = bytes.fromhex("020000000002")
DST_MAC = bytes.fromhex("020000000001")
#: Largest UDP payload in one IPv4 datagram.
MAX_UDP_PAYLOAD = 65_507

_PCAP_GLOBAL = struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262_144, 1)  # ns, Ethernet
_REC = struct.Struct("<IIII")
_ETH = DST_MAC + SRC_MAC + b"\x08\x00"


@dataclass(frozen=True)
class PcapResult:
    """What an export wrote: packets exported and packets too big for a datagram."""

    exported: int
    skipped_too_large: int


def _ipv4_checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _frame(packet: bytes, ident: int, port: int) -> bytes:
    udp_len = 8 + len(packet)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, ident & 0xFFFF, 0x4000, 64, 17, 0,
                     SRC_IP, DST_IP)
    ip = ip[:10] + struct.pack("!H", _ipv4_checksum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", SRC_PORT, port, udp_len, 0)  # checksum 0: none (IPv4)
    return _ETH + ip + udp + packet


def export_pcap(
    archive: Archive, path: str | os.PathLike[str] | BinaryIO, port: int = PCAP_UDP_PORT
) -> PcapResult:
    """Write ``archive`` as a nanosecond pcap file (a path, or a binary file
    open for writing), one UDP datagram per packet.

    Packets larger than one UDP datagram are skipped and counted (never lost
    silently: see ``PcapResult.skipped_too_large``).
    """
    if not hasattr(path, "write"):
        with open(path, "wb") as f:  # type: ignore[arg-type]
            return export_pcap(archive, f, port)
    f = path
    exported = skipped = 0
    unix = tai_ns_to_unix_ns(archive.times_ns) if len(archive) else []
    f.write(_PCAP_GLOBAL)  # type: ignore[union-attr]
    for i, (packet, unix_ns) in enumerate(zip(archive.packets(), list(unix), strict=True)):
        if len(packet) > MAX_UDP_PAYLOAD:
            skipped += 1
            continue
        frame = _frame(packet, i, port)
        sec, ns = divmod(max(0, int(unix_ns)), fmt.NS_PER_S)
        f.write(_REC.pack(sec & 0xFFFFFFFF, ns, len(frame), len(frame)))  # type: ignore[union-attr]
        f.write(frame)  # type: ignore[union-attr]
        exported += 1
    return PcapResult(exported, skipped)
