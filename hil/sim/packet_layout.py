"""The C side of the world's packets, generated from the packet dictionary
(fsw/packets/defs/avionics.py, truth.py and actuators.py, the single source
of truth).

``python -m hil.sim.packet_layout`` rewrites native/sim/src/sim_packets.h: for
every avionics sensor packet (0x100-0x17F) and truth packet (0x400-0x4FF) its
APID, total length and field table (each field a big-endian float64 or an
unsigned octet, with its element count), and the index of each field in the
packet's value array (``SIM_<PACKET>_<FIELD>``), which the simulation core's
sensor models write by name; then the same for the actuator command packets
(0x180-0x1FF) the core reads (``sim_command_read``), in a table of their own
(``sim_cmd_layouts``, ``SIM_CMD_<PACKET>``). tests/sim/test_sim_packets.py
fails while the file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fsw.packets import DICTIONARY
from fsw.packets.dictionary import PacketDef

__all__ = ["HEADER_PATH", "MAX_LENGTH", "MAX_VALUES", "c_header", "command_packets",
           "value_count", "world_packets"]

HEADER_PATH = Path(__file__).resolve().parents[2] / "native" / "sim" / "src" / "sim_packets.h"
MODULES = ("fsw.packets.defs.avionics", "fsw.packets.defs.truth")
#: the packets the core reads: the actuator commands of the flight software
COMMAND_MODULES = ("fsw.packets.defs.actuators",)
#: wire kinds the world's packets use: struct format char -> C kind
_KINDS = {"d": "SIM_PKT_F64", "B": "SIM_PKT_U8"}


def world_packets() -> list[PacketDef]:
    """The avionics and truth packets, in APID order (the order of the
    generated ``SIM_PKT_*`` indices)."""
    return sorted((p for p in DICTIONARY.values() if p.module in MODULES), key=lambda p: p.apid)


def command_packets() -> list[PacketDef]:
    """The actuator command packets, in APID order (the order of the
    generated ``SIM_CMD_*`` indices). The core reads them as telemetry
    (packet type 0, no authentication): ValueError on a telecommand."""
    pkts = sorted((p for p in DICTIONARY.values() if p.module in COMMAND_MODULES),
                  key=lambda p: p.apid)
    for p in pkts:
        if p.is_tc or not p.fixed:
            raise ValueError(f"{p.name}: the simulation core reads fixed-layout telemetry only")
    return pkts


def value_count(p: PacketDef) -> int:
    """Number of values (elements of every field) of a packet."""
    return sum(lay.count for lay in p.layouts.values() if lay is not None)


def _fields(p: PacketDef) -> list[tuple[str, str, int]]:
    """(field name, C kind, count) of a packet; ValueError on a field the
    core cannot write (anything but float64 and unsigned octets)."""
    out = []
    for f in p.fields:
        lay = p.layouts[f.name]
        ch = lay.fmt[-1] if lay is not None else ""
        if lay is None or lay.kind not in ("scalar", "array", "enum") or ch not in _KINDS:
            raise ValueError(f"{p.name}.{f.name}: the simulation core writes float64 and "
                             f"unsigned-octet fields only")
        out.append((f.name, _KINDS[ch], lay.count))
    return out


def c_header() -> str:
    """The text of native/sim/src/sim_packets.h."""
    pkts = world_packets()
    parts: list[str] = [
        "/*\n * sim_packets.h - GENERATED from the packet dictionary "
        "(fsw/packets/defs/avionics.py,\n * truth.py, actuators.py) by "
        "`python -m hil.sim.packet_layout`. Do not edit.\n"
        " * Layouts of the packets the simulation core builds (and of the actuator\n"
        " * commands it reads): CCSDS primary header,\n"
        " * CUC 4+2 time, the fields in table order (float64 big-endian or one\n"
        " * unsigned octet per element), CRC-16. A packet's values are doubles in\n"
        " * field order; SIM_<PACKET>_<FIELD> is a field's first index among them.\n */",
        "#ifndef SIM_PACKETS_H\n#define SIM_PACKETS_H\n",
        "enum sim_pkt_kind { SIM_PKT_F64 = 0, SIM_PKT_U8 = 1 };\n",
        "typedef struct sim_pkt_field {\n    unsigned char kind;\n    unsigned char count;\n"
        "} sim_pkt_field;\n",
    ]
    max_fields = max(len(p.fields) for p in [*pkts, *command_packets()])
    parts += [
        f"enum {{ SIM_PKT_MAX_FIELDS = {max_fields} }};\n",
        "/* no pointers: the table is constant data (.rodata), not relocated */\n"
        "typedef struct sim_pkt_layout {\n    unsigned short apid;\n"
        "    unsigned short length;  /* octets of the whole packet */\n"
        "    unsigned char n_fields;\n    unsigned char n_values;\n"
        "    sim_pkt_field fields[SIM_PKT_MAX_FIELDS];\n} sim_pkt_layout;\n",
    ]
    parts += _table(pkts, "SIM_PKT", "sim_pkt", "sim_pkt_layouts")
    parts.append("/* the actuator command packets the core reads (sim_command_read) */")
    parts += _table(command_packets(), "SIM_CMD", "sim_cmd", "sim_cmd_layouts")
    parts.append("#endif /* SIM_PACKETS_H */")
    return "\n".join(parts) + "\n"


def _table(pkts: list[PacketDef], prefix: str, tag: str, table: str) -> list[str]:
    """The enums and the layout table of one list of packets: the packet
    ids (``<prefix>_<PACKET>``), the value indices (``SIM_<PACKET>_<FIELD>``),
    the largest value count and length, the table ``table``."""
    parts: list[str] = []
    ids = ",\n".join(f"    {prefix}_{p.name} = {i}" for i, p in enumerate(pkts))
    parts.append(f"enum {tag}_id {{\n{ids},\n    {prefix}_COUNT = {len(pkts)}\n}};\n")
    index_rows, rows = [], []
    max_values = max_len = 0
    for p in pkts:
        fields = _fields(p)
        k = 0
        for name, _, count in fields:
            index_rows.append(f"    SIM_{p.name}_{name.upper()} = {k},")
            k += count
        index_rows.append(f"    SIM_{p.name}_N = {k},")
        max_values = max(max_values, k)
        max_len = max(max_len, p.size)
        body = ", ".join(f"{{{kind}, {count}}}" for _, kind, count in fields)
        rows.append(f"    {{0x{p.apid:03X}, {p.size}, {len(fields)}, {k}, {{{body}}}}},")
    parts.append(f"enum {tag}_index {{\n" + "\n".join(index_rows)
                 + f"\n    {prefix}_MAX_VALUES = {max_values}\n}};\n")
    parts.append(f"enum {{ {prefix}_MAX_LENGTH = {max_len} }};\n")
    parts.append(f"static const sim_pkt_layout {table}[{prefix}_COUNT] = {{\n"
                 + "\n".join(rows) + "\n};\n")
    return parts


#: the largest world packet (octets) and value count: buffer sizes
MAX_LENGTH = max(p.size or 0 for p in world_packets())
MAX_VALUES = max(value_count(p) for p in world_packets())


def main() -> int:
    """Write native/sim/src/sim_packets.h (or print it with --stdout)."""
    text = c_header()
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
    else:
        HEADER_PATH.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
