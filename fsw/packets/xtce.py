"""XTCE (CCSDS 660.0-B, XML Telemetric and Command Exchange) export of the
packet dictionary.

- Every field of every packet is one Parameter named ``PACKET.field`` with its
  type (encoding, unit) and description, and every packet one
  SequenceContainer restricted on its APID and type, so any recorded stream
  (telecommands included, e.g. a command history) decodes.
- Every telecommand is also a MetaCommand whose Arguments are its fields.
- Shared abstract containers hold the primary header + CUC time code
  (``CCSDS_Packet``) and the telecommand authentication header.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fsw.packets.dictionary import DICTIONARY, Dictionary, Field, PacketDef, field_layout

NS = "http://www.omg.org/spec/XTCE/20180204"

_INT = {"b": (8, True), "B": (8, False), "h": (16, True), "H": (16, False), "i": (32, True),
        "I": (32, False), "l": (32, True), "L": (32, False), "q": (64, True), "Q": (64, False)}


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)


def _type_name(pdef: PacketDef, f: Field, arg: bool = False) -> str:
    return f"{pdef.name}.{f.name}_{'Arg' if arg else ''}Type"


def _add_type(types: ET.Element, pdef: PacketDef, f: Field, arg: bool) -> None:
    """One parameter/argument type describing the field's encoding."""
    kind = "Argument" if arg else "Parameter"
    lay = field_layout(f.type)
    name = _type_name(pdef, f, arg)
    unit_set = None

    def units(el: ET.Element) -> None:
        nonlocal unit_set
        unit_set = _el(el, "UnitSet")
        if f.unit:
            u = _el(unit_set, "Unit")
            u.text = f.unit

    if lay is None or lay.kind in ("string", "bytes"):
        if lay is not None and lay.kind == "string":
            t = _el(types, f"String{kind}Type", name=name)
            units(t)
            enc = _el(t, "StringDataEncoding", encoding="UTF-8" if lay.encoding != "ascii"
                      else "US-ASCII")
            size = _el(enc, "SizeInBits")
            _el(size, "Fixed").append(_fixed(lay.size * 8))
        else:
            t = _el(types, f"Binary{kind}Type", name=name)
            units(t)
            enc = _el(t, "BinaryDataEncoding")
            size = _el(enc, "SizeInBits")
            if lay is not None:
                _el(size, "FixedValue").text = str(lay.size * 8)
            else:  # rest of the packet: from the length field (data field octets - 1)
                dyn = _el(size, "DynamicValue")
                _el(dyn, "ParameterInstanceRef", parameterRef="CCSDS_Packet_Length")
                others = [field_layout(g.type) for g in pdef.fields if g.name != f.name]
                if all(o is not None for o in others):
                    fixed = (pdef.header_len - 6 + pdef.trailer_len
                             + sum(o.size for o in others if o is not None))
                    _el(dyn, "LinearAdjustment", slope="8", intercept=str(8 - 8 * fixed))
        return
    ch = lay.fmt[-1]
    if lay.kind == "array":
        elem = f"{name}_Element"
        _add_scalar(types, kind, elem, ch, f.unit, None)
        t = _el(types, f"Array{kind}Type", name=name, arrayTypeRef=elem)
        dims = _el(t, "DimensionList")
        d = _el(dims, "Dimension")
        _el(_el(d, "StartingIndex"), "FixedValue").text = "0"
        _el(_el(d, "EndingIndex"), "FixedValue").text = str(lay.count - 1)
        return
    _add_scalar(types, kind, name, ch, f.unit, lay.enum if lay.kind == "enum" else None)


def _fixed(bits: int) -> ET.Element:
    e = ET.Element(f"{{{NS}}}FixedValue")
    e.text = str(bits)
    return e


def _add_scalar(types: ET.Element, kind: str, name: str, ch: str, unit: str,
                enum: dict[str, int] | None) -> None:
    if ch in "fd":
        t = _el(types, f"Float{kind}Type", name=name, sizeInBits="64" if ch == "d" else "32")
        u = _el(t, "UnitSet")
        if unit:
            _el(u, "Unit").text = unit
        _el(t, "FloatDataEncoding", encoding="IEEE754_1985",
            sizeInBits="64" if ch == "d" else "32")
        return
    bits, signed = _INT[ch]
    if enum is not None:
        t = _el(types, f"Enumerated{kind}Type", name=name)
        _el(t, "UnitSet")
        _el(t, "IntegerDataEncoding", sizeInBits=str(bits),
            encoding="twosComplement" if signed else "unsigned")
        lst = _el(t, "EnumerationList")
        for label, value in sorted(enum.items(), key=lambda kv: kv[1]):
            _el(lst, "Enumeration", value=str(value), label=label)
        return
    t = _el(types, f"Integer{kind}Type", name=name, signed="true" if signed else "false",
            sizeInBits=str(bits))
    u = _el(t, "UnitSet")
    if unit:
        _el(u, "Unit").text = unit
    _el(t, "IntegerDataEncoding", sizeInBits=str(bits),
        encoding="twosComplement" if signed else "unsigned")


_HEADER = [("CCSDS_Version", 3), ("CCSDS_Type", 1), ("CCSDS_Sec_Hdr_Flag", 1),
           ("CCSDS_APID", 11), ("CCSDS_Group_Flags", 2), ("CCSDS_Source_Sequence_Count", 14),
           ("CCSDS_Packet_Length", 16), ("CUC_Coarse", 32), ("CUC_Fine", 16)]
_AUTH = [("TC_Key_Id", 16), ("TC_Auth_Seq", 32)]
_TRAILER = [("CCSDS_CRC", 16)]


def xtce(dictionary: Dictionary = DICTIONARY, name: str = "RPO_FSW") -> ET.ElementTree:
    """The XTCE document of ``dictionary``."""
    ET.register_namespace("xtce", NS)
    root = ET.Element(f"{{{NS}}}SpaceSystem", {"name": name})
    header = _el(root, "Header", validationStatus="Working", version="1")
    header.set("classification", "NotClassified")
    tm = _el(root, "TelemetryMetaData")
    ptypes = _el(tm, "ParameterTypeSet")
    params = _el(tm, "ParameterSet")
    conts = _el(tm, "ContainerSet")
    cmd = _el(root, "CommandMetaData")
    atypes = _el(cmd, "ArgumentTypeSet")
    metas = _el(cmd, "MetaCommandSet")

    # header parameters, shared by every packet
    for pname, bits in _HEADER + _AUTH + _TRAILER:
        tname = f"{pname}_Type"
        t = _el(ptypes, "IntegerParameterType", name=tname, signed="false", sizeInBits=str(bits))
        _el(t, "UnitSet")
        _el(t, "IntegerDataEncoding", sizeInBits=str(bits), encoding="unsigned")
        _el(params, "Parameter", name=pname, parameterTypeRef=tname)
    t = _el(ptypes, "BinaryParameterType", name="TC_MAC_Type")
    _el(t, "UnitSet")
    _el(_el(_el(t, "BinaryDataEncoding"), "SizeInBits"), "FixedValue").text = "128"
    _el(params, "Parameter", name="TC_MAC", parameterTypeRef="TC_MAC_Type",
        shortDescription="AES-CMAC over every octet before it")
    for cname, entries in (("CCSDS_Packet", _HEADER), ("CCSDS_TC_Auth", _AUTH)):
        c = _el(conts, "SequenceContainer", name=cname, abstract="true")
        el = _el(c, "EntryList")
        for pname, _ in entries:
            _el(el, "ParameterRefEntry", parameterRef=pname)
    for pdef in dictionary.sorted():
        _add_container(ptypes, params, conts, pdef)
        if pdef.is_tc:
            _add_command(atypes, metas, pdef)
    ET.indent(root)
    return ET.ElementTree(root)


def _add_container(ptypes: ET.Element, params: ET.Element, conts: ET.Element,
                   pdef: PacketDef) -> None:
    c = _el(conts, "SequenceContainer", name=pdef.name)
    if pdef.description:
        _el(c, "LongDescription").text = pdef.description
    el = _el(c, "EntryList")
    if pdef.is_tc:
        _el(el, "ContainerRefEntry", containerRef="CCSDS_TC_Auth")
    for f in pdef.fields:
        _add_type(ptypes, pdef, f, arg=False)
        p = _el(params, "Parameter", name=f"{pdef.name}.{f.name}",
                parameterTypeRef=_type_name(pdef, f))
        if f.description:
            p.set("shortDescription", f.description)
        _el(el, "ParameterRefEntry", parameterRef=f"{pdef.name}.{f.name}")
    if pdef.is_tc:
        _el(el, "ParameterRefEntry", parameterRef="TC_MAC")
    _el(el, "ParameterRefEntry", parameterRef="CCSDS_CRC")
    base = _el(c, "BaseContainer", containerRef="CCSDS_Packet")
    rc = _el(base, "RestrictionCriteria")
    cl = _el(rc, "ComparisonList")
    _el(cl, "Comparison", parameterRef="CCSDS_APID", value=str(pdef.apid))
    _el(cl, "Comparison", parameterRef="CCSDS_Type", value=str(pdef.kind))


def _add_command(atypes: ET.Element, metas: ET.Element, pdef: PacketDef) -> None:
    m = _el(metas, "MetaCommand", name=pdef.name)
    if pdef.description:
        _el(m, "LongDescription").text = pdef.description
    args = _el(m, "ArgumentList")
    for f in pdef.fields:
        _add_type(atypes, pdef, f, arg=True)
        a = _el(args, "Argument", name=f.name, argumentTypeRef=_type_name(pdef, f, True))
        if f.description:
            a.set("shortDescription", f.description)
    cc = _el(m, "CommandContainer", name=f"{pdef.name}_Container")
    el = _el(cc, "EntryList")
    _el(el, "ContainerRefEntry", containerRef="CCSDS_TC_Auth")
    for f in pdef.fields:
        _el(el, "ArgumentRefEntry", argumentRef=f.name)
    # MAC and CRC follow the arguments; the sender computes them (fsw.packets.auth)
    _el(el, "ParameterRefEntry", parameterRef="TC_MAC")
    _el(el, "ParameterRefEntry", parameterRef="CCSDS_CRC")
    base = _el(cc, "BaseContainer", containerRef="CCSDS_Packet")
    cl = _el(_el(base, "RestrictionCriteria"), "ComparisonList")
    _el(cl, "Comparison", parameterRef="CCSDS_APID", value=str(pdef.apid))
    _el(cl, "Comparison", parameterRef="CCSDS_Type", value="1")


def write_xtce(path: str, dictionary: Dictionary = DICTIONARY) -> None:
    """Write the XTCE document to ``path`` (UTF-8 with XML declaration)."""
    xtce(dictionary).write(path, encoding="UTF-8", xml_declaration=True)
