"""Space packets for the ground-tool tests, built by an independent library
(spacepackets), so the archive is never checked only against itself."""

from __future__ import annotations

import random

from spacepackets.ccsds.spacepacket import PacketType, SpacePacketHeader


def make_packet(apid: int, seq: int, payload: bytes, tc: bool = False) -> bytes:
    """A space packet with the given APID, sequence count and data field."""
    header = SpacePacketHeader(
        PacketType.TC if tc else PacketType.TM, apid, seq % 16384,
        data_len=len(payload) - 1, sec_header_flag=True,
    )
    return header.pack() + payload


def packet_stream(n: int, seed: int = 1) -> list[tuple[bytes, float]]:
    """``n`` packets of mixed APIDs and sizes with increasing receive times."""
    rng = random.Random(seed)
    seqs: dict[int, int] = {}
    out = []
    t = 2.0e9
    for _ in range(n):
        apid = rng.choice([0x001, 0x010, 0x011, 0x101, 0x180, 0x400, 0x401])
        seq = seqs.get(apid, 0)
        seqs[apid] = seq + 1
        payload = rng.randbytes(rng.randint(1, 200))
        out.append((make_packet(apid, seq, payload), t))
        t += rng.choice([0.0, 0.001, 0.1])
    return out

