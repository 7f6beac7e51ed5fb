"""Independent construction of test packets: headers by ``spacepackets``, the
CRC by ``fastcrc`` (CRC-16/IBM-3740 is CRC-16-CCITT with init 0xFFFF)."""

from __future__ import annotations

import fastcrc
from spacepackets.ccsds.spacepacket import PacketType, SpacePacket, SpacePacketHeader


def make_packet(
    apid: int, seq: int, payload: bytes, *, tc: bool = False, sec: bytes = bytes(6)
) -> bytes:
    """A space packet with a secondary header ``sec`` (a CUC time), ``payload``
    and a CRC."""
    body = bytes(payload) + b"\0\0"
    hdr = SpacePacketHeader(
        PacketType.TC if tc else PacketType.TM,
        apid=apid,
        seq_count=seq % 16384,
        data_len=len(sec) + len(body) - 1,
        sec_header_flag=True,
    )
    raw = bytearray(SpacePacket(hdr, sec, body).pack())
    crc = fastcrc.crc16.ibm_3740(bytes(raw[:-2]))
    raw[-2:] = crc.to_bytes(2, "big")
    return bytes(raw)
