"""Packet archive: an append-only, crash-safe file of space packets with their
receive times (format in docs/archive.md), its reader, and pcap export.

Public API::

    ArchiveWriter(path).write(packet, recv_time)   # record
    read_archive(path) -> Archive                   # .data, .offsets, .times, .apids, .issues
    export_pcap(archive, path, port=PCAP_UDP_PORT)  # for Wireshark/tshark
"""

from fsw_tools.archive.format import ArchiveError
from fsw_tools.archive.pcap import PCAP_UDP_PORT, export_pcap
from fsw_tools.archive.reader import Archive, ArchiveIssue, parse_archive, read_archive
from fsw_tools.archive.writer import ArchiveWriter

__all__ = [
    "PCAP_UDP_PORT",
    "Archive",
    "ArchiveError",
    "ArchiveIssue",
    "ArchiveWriter",
    "export_pcap",
    "parse_archive",
    "read_archive",
]
