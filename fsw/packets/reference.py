"""The markdown reference of every packet, generated from the dictionary
(``fsw dict``; committed as docs/packets.md, a test fails when it is stale)."""

from __future__ import annotations

from fsw.packets import codec
from fsw.packets.dictionary import (
    APID_PLAN,
    AUTH_HEADER_LEN,
    DICTIONARY,
    MAC_LEN,
    Dictionary,
    PacketDef,
    field_layout,
    plan_area,
)
from fsw.packets.types import flag_bits, is_packet

REGENERATE = "fsw dict --output docs/packets.md"


def type_name(pdef: PacketDef, name: str) -> str:
    """Human-readable wire type of a field."""
    f = pdef.fields[pdef.field_names.index(name)]
    lay = field_layout(f.type)
    if lay is None:
        if type(f.type).__name__ == "GreedyBytes":
            return "octets (rest of packet)"
        if is_packet(f.type):
            return "one whole space packet (rest of packet)"
        return f"variable ({type(f.type).__name__})"
    base = {"b": "i8", "B": "u8", "h": "i16", "H": "u16", "i": "i32", "I": "u32", "l": "i32",
            "L": "u32", "q": "i64", "Q": "u64", "f": "f32", "d": "f64"}
    if lay.kind == "scalar":
        bits = flag_bits(f.type)
        if bits:
            names = ", ".join(f"{k}=0x{v:X}" for k, v in sorted(bits.items(), key=lambda kv: kv[1]))
            return f"{base[lay.fmt]} flags ({names})"
        return base[lay.fmt]
    if lay.kind == "enum":
        values = ", ".join(f"{v}={k}" for k, v in sorted((lay.enum or {}).items(),
                                                         key=lambda kv: kv[1]))
        return f"{base[lay.fmt]} enum ({values})"
    if lay.kind == "array":
        return f"{base[lay.fmt[-1]]}[{lay.count}]"
    if lay.kind == "string":
        return f"text[{lay.size}] ({lay.encoding}, NUL padded)"
    return f"octets[{lay.size}]"


def _offsets(pdef: PacketDef) -> list[str]:
    out, pos = [], pdef.header_len
    for f in pdef.fields:
        lay = field_layout(f.type)
        out.append(str(pos) if pos is not None else "-")
        pos = pos + lay.size if (lay is not None and pos is not None) else None
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _limits_table(packets: list[PacketDef]) -> list[str]:
    """The limits and alarms declared on telemetry fields (fsw.packets.limits)."""
    lines = ["", "## Limits and alarms", "",
             "Declared on the fields (`Field(..., limits=Limits(...))`); a value outside the "
             "warning range is a warning (yellow), outside the critical range critical (red); "
             "arrays are checked per element. The ground console evaluates them, the XTCE "
             "export carries them as alarms, `fsw report` lists every violation of a run.",
             "", "| parameter | unit | limits |", "|---|---|---|"]
    for p in packets:
        for f in p.fields:
            if f.limits is not None:
                lines.append(f"| [{p.name}](#{p.name.lower()}).`{f.name}` | "
                             f"{_cell(f.unit) or '-'} | {_cell(f.limits.describe())} |")
    return lines


def markdown(dictionary: Dictionary = DICTIONARY) -> str:
    """The whole reference as markdown text (deterministic: APID order)."""
    lines = [
        "# Packet reference",
        "",
        f"<!-- Generated from the packet dictionary (fsw/packets); do not edit. "
        f"Regenerate: {REGENERATE} -->",
        "",
        "Every packet is a CCSDS space packet (133.0-B-2), big-endian: primary header (6 "
        "octets, version 0, secondary-header flag 1), CUC 4+2 secondary header (TAI seconds "
        "since 1958-01-01 and 1/65536 s, 6 octets), user data, CRC-16-CCITT (poly 0x1021, init "
        "0xFFFF) over all previous octets (2 octets). Telecommands (type 1) add an "
        f"authentication header after the CUC ({AUTH_HEADER_LEN} octets: key id u16, anti-replay "
        f"sequence number u32) and a {MAC_LEN}-octet AES-CMAC over all previous octets before "
        f"the CRC. Idle packets use APID 0x{codec.APID_IDLE:03X}.",
        "",
        "## APID plan",
        "",
        "| APIDs | area | type | packets |",
        "|---|---|---|---|",
    ]
    packets = dictionary.sorted()
    for lo, hi, area, kind in APID_PLAN:
        names = [p.name for p in packets if lo <= p.apid <= hi]
        lines.append(f"| 0x{lo:03X}-0x{hi:03X} | {area} | {'TC' if kind else 'TM'} | "
                     f"{', '.join(names) or '-'} |")
    lines += _limits_table(packets)
    lines += ["", "## Packets", "", "| APID | name | type | octets | description |",
              "|---|---|---|---|---|"]
    for p in packets:
        lines.append(f"| 0x{p.apid:03X} | [{p.name}](#{p.name.lower()}) | "
                     f"{'TC' if p.is_tc else 'TM'} | {p.size or 'variable'} | "
                     f"{_cell(p.description)} |")
    lines += ["", "## Events", "",
              "The `event_id` of EVENT packets (`fsw.packets.enums.EventId`), with the usual "
              "severity.", "", "| id | name | severity | owner | description |",
              "|---|---|---|---|---|"]
    for _, e in sorted(dictionary.events.items()):
        lines.append(f"| {e.id} | `{e.name}` | {e.severity} | {e.owner} | "
                     f"{_cell(e.description)} |")
    for p in packets:
        area = plan_area(p.apid)
        lines += [
            "",
            f"### {p.name}",
            "",
            f"APID 0x{p.apid:03X} ({area[2] if area else '?'}), "
            f"{'telecommand' if p.is_tc else 'telemetry'}"
            f"{' (hazardous: the ground arms, then confirms it)' if p.hazardous else ''}"
            f"{f' (one source per `{p.instance}`)' if p.instance else ''}, "
            f"{f'{p.size} octets' if p.size else 'variable length'}; declared in "
            f"`{p.module}`.",
            "",
        ]
        if p.description:
            lines += [p.description, ""]
        if not p.fields:
            lines.append("No user data.")
            continue
        lines += ["| offset | field | type | unit | description |", "|---|---|---|---|---|"]
        for off, f in zip(_offsets(p), p.fields, strict=True):
            lines.append(f"| {off} | `{f.name}` | {_cell(type_name(p, f.name))} | "
                         f"{_cell(f.unit) or '-'} | {_cell(f.description)} |")
    return "\n".join(lines) + "\n"
