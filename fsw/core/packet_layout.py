"""The C side of the guidance-core packets, generated from the packet
dictionary (fsw/packets/defs/gnc.py, the single source of truth) and checked
against the C structs (cffi type information).

``python -m fsw.core.packet_layout`` rewrites native/src/gnc_packets.h, the
field tables gnc_dispatch.c decodes requests and encodes responses with, and
native/src/gnc_sensor_packets.h, the layouts of the sensor packets the ADCS
reads straight into its input struct (gnc_adcs_sensors.c);
tests/core/test_dispatch.py and tests/core/test_adcs_sensors.py fail while
either file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fsw.core._ffi import ffi
from fsw.packets import DICTIONARY
from fsw.packets.defs import gnc as gnc_defs

__all__ = ["HEADER_PATH", "SENSOR_FIELDS", "SENSOR_HEADER_PATH", "c_header", "members",
           "packet_members", "sensor_header"]

HEADER_PATH = Path(__file__).resolve().parents[2] / "native" / "src" / "gnc_packets.h"
SENSOR_HEADER_PATH = HEADER_PATH.with_name("gnc_sensor_packets.h")
#: the sensor packets gnc_adcs_sensors_read (and gnc_prop_sensors_read)
#: decodes and the fields it reads of
#: each, with the wire type it reads them as (big-endian float64s, or one
#: unsigned octet)
SENSOR_FIELDS: dict[str, dict[str, str]] = {
    "GYRO": {"rate_B": ">f8", "valid": "u1"},
    "STAR_TRACKER": {"q_BN": ">f8", "valid": "u1", "head": "u1"},
    "SUN_SENSOR": {"sun_B": ">f8", "valid": "u1"},
    "MAGNETOMETER": {"b_B": ">f8", "valid": "u1"},
    "GPS": {"r_N": ">f8", "valid": "u1"},
    "WHEEL_TACH": {"speed": ">f8"},
    # the propulsion task's accelerometer (gnc_prop_sensors_read, with GYRO)
    "ACCEL": {"dv_B": ">f8", "dt": ">f8", "valid": "u1"},
}


def members(cname: str) -> list[tuple[str, str, int, bool]]:
    """(flat name, C member designator, element count, is int) of a C
    struct's members, nested structs flattened as ``<member>_<name>``."""
    out: list[tuple[str, str, int, bool]] = []

    def visit(ctype, flat: str, path: str) -> None:
        for name, f in ctype.fields:
            t = f.type
            if t.kind == "struct":
                visit(t, flat + name + "_", path + name + ".")
            elif t.kind == "array":
                out.append((flat + name, path + name, t.length, t.item.cname != "double"))
            else:
                out.append((flat + name, path + name, 1,
                            t.kind == "enum" or t.cname != "double"))

    visit(ffi.typeof(cname), "", "")
    return out


def packet_members(name: str) -> list[tuple[str, str, int, bool]]:
    """The C members a GNC packet carries after checking that the dictionary
    declares exactly them (names, counts, order; responses start with
    ``status``). Raises ValueError on any difference."""
    pdef = DICTIONARY[name]
    cname = gnc_defs.C_STRUCTS[name]
    declared = [(f.name, pdef.layouts[f.name].count) for f in pdef.fields]
    if name.endswith("_RESP"):
        if not declared or declared[0] != ("status", 1):
            raise ValueError(f"{name}: responses start with a float64 status")
        declared = declared[1:]
    mems = members(cname) if cname else []
    if declared != [(m[0], m[2]) for m in mems]:
        raise ValueError(f"{name}: dictionary fields {declared} differ from C struct {cname}")
    for f in pdef.fields:
        if pdef.layouts[f.name].dtype != ">f8":
            raise ValueError(f"{name}.{f.name}: guidance-core fields are float64")
    return mems


def _table(name: str) -> tuple[str, str, int]:
    cname = gnc_defs.C_STRUCTS[name]
    mems = packet_members(name)
    sym = "gnc_pkt_" + name[4:].lower()
    if not mems:
        return "", "NULL", 0
    rows = "\n".join(f"    {{offsetof({cname}, {path}), {n}, {int(is_int)}}},"
                     for _, path, n, is_int in mems)
    return f"static const gnc_pkt_field {sym}[] = {{\n{rows}\n}};\n", sym, len(mems)


def _wheel_cmd() -> str:
    """The layout of WHEEL_CMD, the one telemetry packet the core writes
    (gnc_adcs_cycle): its APID, torques and size. Raises ValueError when the
    dictionary declares it otherwise than the writer encodes it (a telemetry
    packet with the CUC header and a CRC, then float64 torques only)."""
    pdef = DICTIONARY["WHEEL_CMD"]
    fields = [(f.name, pdef.layouts[f.name].dtype) for f in pdef.fields]
    if (fields != [("torque", ">f8")] or pdef.is_tc or pdef.header_len != 12
            or pdef.trailer_len != 2):
        raise ValueError(f"WHEEL_CMD: {fields} is not the layout gnc_adcs_cycle writes")
    n = pdef.layouts["torque"].count
    return ("/* WHEEL_CMD, the telemetry packet gnc_adcs_cycle writes: the wheels'\n"
            " * torques as big-endian float64s after the CUC header. */\n"
            f"enum {{ GNC_WHEEL_CMD_APID = 0x{pdef.apid:03X}, GNC_WHEEL_CMD_TORQUES = {n}, "
            f"GNC_WHEEL_CMD_SIZE = {pdef.size} }};\n")


def c_header() -> str:
    """The text of native/src/gnc_packets.h."""
    reqs = sorted((p for p in DICTIONARY.values() if p.name.startswith("GNC_") and
                   p.name.endswith("_REQ")), key=lambda p: p.apid)
    parts = [
        "/*\n * gnc_packets.h - GENERATED from the packet dictionary "
        "(fsw/packets/defs/gnc.py)\n * by `python -m fsw.core.packet_layout`. Do not edit.\n"
        " * Field tables of the guidance-core request/response packets: each entry is\n"
        " * a C struct member, its element count and whether it is an int; on the wire\n"
        " * every element is a big-endian float64, in table order.\n */",
        "#ifndef GNC_PACKETS_H\n#define GNC_PACKETS_H\n\n#include <stddef.h>\n\n"
        '#include "gnc.h"\n',
        "typedef struct gnc_pkt_field {\n    size_t offset;\n    unsigned short count;\n"
        "    unsigned char is_int;\n} gnc_pkt_field;\n",
        "typedef struct gnc_pkt_call {\n    unsigned short apid;\n"
        "    const gnc_pkt_field *req;\n    unsigned short n_req;\n"
        "    unsigned short req_len;    /* float64 values in the request */\n"
        "    const gnc_pkt_field *resp;\n    unsigned short n_resp;\n"
        "    unsigned short resp_len;   /* float64 values in the response, status included */\n"
        "} gnc_pkt_call;\n",
        f"enum {{ GNC_RESPONSE_OFFSET = 0x{gnc_defs.RESPONSE_OFFSET:02X} }};\n",
    ]
    parts.append(_wheel_cmd())
    enum = ",\n".join(f"    GNC_APID_{p.name[4:-4]} = 0x{p.apid:03X}" for p in reqs)
    parts.append(f"enum gnc_pkt_apid {{\n{enum}\n}};\n")
    calls = []
    for p in reqs:
        resp = gnc_defs.RESPONSES[p.name]
        t1, s1, n1 = _table(p.name)
        t2, s2, n2 = _table(resp)
        parts += [t for t in (t1, t2) if t]
        rl = len(DICTIONARY[resp].fields) and sum(
            lay.count for lay in DICTIONARY[resp].layouts.values())
        ql = sum(lay.count for lay in p.layouts.values())
        calls.append(f"    {{GNC_APID_{p.name[4:-4]}, {s1}, {n1}, {ql}, {s2}, {n2}, {rl}}},")
    parts.append("static const gnc_pkt_call gnc_pkt_calls[] = {\n" + "\n".join(calls) + "\n};\n")
    parts.append("#endif /* GNC_PACKETS_H */")
    return "\n".join(parts) + "\n"


def sensor_header() -> str:
    """The text of native/src/gnc_sensor_packets.h: per sensor packet of
    :data:`SENSOR_FIELDS` its APID, first header word (version, type,
    secondary-header flag, APID: what the parser requires), whole length,
    and the octet offset (``GNC_<PACKET>_<FIELD>``) and element count
    (``..._N``) of each field read. Raises ValueError when the dictionary
    declares a packet otherwise (variable layout, a telecommand, another
    header or trailer, a field missing or of another wire type)."""
    rows = []
    for name, want in SENSOR_FIELDS.items():
        pdef = DICTIONARY[name]
        if not pdef.fixed or pdef.is_tc or pdef.header_len != 12 or pdef.trailer_len != 2:
            raise ValueError(f"{name}: not a fixed-layout telemetry packet with the CUC "
                             f"header and a CRC")
        offsets, off = {}, pdef.header_len
        for f in pdef.fields:
            lay = pdef.layouts[f.name]
            assert lay is not None  # fixed
            offsets[f.name] = (off, lay.count, lay.dtype)
            off += lay.size
        p = f"GNC_{name}"
        rows += [f"    {p}_APID = 0x{pdef.apid:03X},", f"    {p}_WORD0 = 0x{pdef.w0:04X},",
                 f"    {p}_LEN = {pdef.size},"]
        for field, dtype in want.items():
            if field not in offsets or offsets[field][2] != dtype:
                raise ValueError(f"{name}.{field}: gnc_adcs_sensors_read reads it as {dtype}")
            o, n, _ = offsets[field]
            rows += [f"    {p}_{field.upper()} = {o},", f"    {p}_{field.upper()}_N = {n},"]
    rows[-1] = rows[-1].rstrip(",")
    return ("/*\n * gnc_sensor_packets.h - GENERATED from the packet dictionary "
            "(fsw/packets/defs/avionics.py)\n * by `python -m fsw.core.packet_layout`. "
            "Do not edit.\n"
            " * The sensor packets the ADCS reads (gnc_adcs_sensors_read) and the\n"
            " * propulsion task's ACCEL (gnc_prop_sensors_read): per packet its\n"
            " * APID, first header word (version 0, telemetry, secondary header, APID), whole\n"
            " * length in octets, and for each field read its octet offset in the packet\n"
            " * and element count (_N); float64 fields big-endian, flags one octet.\n */\n"
            "#ifndef GNC_SENSOR_PACKETS_H\n#define GNC_SENSOR_PACKETS_H\n\n"
            "enum {\n" + "\n".join(rows) + "\n};\n\n"
            "#endif /* GNC_SENSOR_PACKETS_H */\n")


def main() -> int:
    """Write native/src/gnc_packets.h and gnc_sensor_packets.h (or print
    them with --stdout)."""
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(c_header())
        sys.stdout.write(sensor_header())
    else:
        HEADER_PATH.write_text(c_header())
        SENSOR_HEADER_PATH.write_text(sensor_header())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
