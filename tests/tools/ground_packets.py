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



def field_values(pdef, i: int) -> dict:
    """Values for every field of a dictionary packet, varying with ``i``
    (so the tests follow the declarations as their owners extend them)."""
    import construct as cs

    values = {}
    for k, f in enumerate(pdef.fields):
        lay = pdef.layouts[f.name]
        if lay is None:
            values[f.name] = bytes((i + j) % 256 for j in range(1 + i % 7))
        elif lay.kind == "enum":
            options = sorted(lay.enum.values())
            values[f.name] = options[i % len(options)]
        elif lay.kind == "string":
            values[f.name] = f"{f.name} {i} é"[: lay.size // 2]
        elif lay.kind == "bytes":
            values[f.name] = bytes((i + j) % 256 for j in range(lay.size))
        else:
            floaty = lay.fmt[-1] in "fd"
            sub = f.type.subcon if isinstance(f.type, cs.Array) else f.type
            bits = 8 * sub.sizeof()
            def num(j: int, floaty=floaty, bits=bits, k=k) -> float | int:
                if floaty:
                    return 0.25 * (i + j + k) - 3.0
                return (i * 7 + j + k) % (1 << min(bits - 1, 15))
            values[f.name] = (tuple(num(j) for j in range(lay.count)) if lay.kind == "array"
                              else num(0))
    return values
