"""XTCE 1.2 (OMG XML Telemetric and Command Exchange, CCSDS 660.0-B; schema
``dtc-18-02-04.xsd``) export of the packet dictionary, valid against the
official schema (a test validates it) and decodable on its own (a test
decodes a run's archive from the export alone).

Layout::

    SpaceSystem RPO_FSW                 the shared header parameters and containers:
        CCSDS_Packet (abstract)         primary header + CUC (CUC_Coarse, CUC_Fine)
        CCSDS_TC_Auth (abstract)        telecommand key id + anti-replay number
        CCSDS_CRC, TC_MAC               the trailer parameters
      SpaceSystem GYRO                  one per packet, named as in the dictionary
        Parameter rate_B ...            one per field (qualified name /RPO_FSW/GYRO/rate_B),
                                        its type with encoding, unit, enumeration and
                                        the field's limits as alarms
        SequenceContainer GYRO          the packet: base CCSDS_Packet restricted on
                                        CCSDS_APID and CCSDS_Type, then the fields, CRC
        MetaCommand NOOP                (telecommands) arguments = the fields; hazardous
                                        ones have DefaultSignificance consequenceLevel
                                        "critical"

References across space systems are absolute paths (``/RPO_FSW/CCSDS_APID``);
references inside a packet's space system are plain names. Limits become
``DefaultAlarm`` (``StaticAlarmRanges``, outside the ranges = alarm; or
``EnumerationAlarmList``), or a ``ContextAlarm`` matched on another field when
the limits hold only in a context. Array fields have one element type that
carries the alarm (each element is checked).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fsw.packets.dictionary import DICTIONARY, Dictionary, Field, PacketDef, field_layout
from fsw.packets.limits import LEVELS, Limits

NS = "http://www.omg.org/spec/XTCE/20180204"
ROOT = "RPO_FSW"

_INT = {"b": (8, True), "B": (8, False), "h": (16, True), "H": (16, False), "i": (32, True),
        "I": (32, False), "l": (32, True), "L": (32, False), "q": (64, True), "Q": (64, False)}

_HEADER = [("CCSDS_Version", 3), ("CCSDS_Type", 1), ("CCSDS_Sec_Hdr_Flag", 1),
           ("CCSDS_APID", 11), ("CCSDS_Group_Flags", 2), ("CCSDS_Source_Sequence_Count", 14),
           ("CCSDS_Packet_Length", 16), ("CUC_Coarse", 32), ("CUC_Fine", 16)]
_AUTH = [("TC_Key_Id", 16), ("TC_Auth_Seq", 32)]
_TRAILER = [("CCSDS_CRC", 16)]
_DESCRIPTIONS = {
    "CCSDS_Packet_Length": "octets in the packet data field minus one",
    "CUC_Coarse": "TAI seconds since 1958-01-01",
    "CUC_Fine": "TAI fraction of a second, 1/65536 s",
    "TC_Key_Id": "telecommand key id",
    "TC_Auth_Seq": "anti-replay sequence number",
    "CCSDS_CRC": "CRC-16-CCITT (0x1021, init 0xFFFF) over every octet before it",
}


def _ref(name: str) -> str:
    """Absolute reference to a name of the root space system."""
    return f"/{ROOT}/{name}"


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)


def _describe(el: ET.Element, text: str) -> None:
    if text:
        el.set("shortDescription", text)


def _units(t: ET.Element, unit: str) -> None:
    u = _el(t, "UnitSet")
    if unit:
        _el(u, "Unit").text = unit


def _int_encoding(t: ET.Element, bits: int, signed: bool) -> None:
    _el(t, "IntegerDataEncoding", sizeInBits=str(bits),
        encoding="twosComplement" if signed else "unsigned")


def _range(parent: ET.Element, tag: str, rng: tuple[float | None, float | None]) -> None:
    lo, hi = rng
    if lo is None and hi is None:
        return
    r = _el(parent, tag)
    if lo is not None:
        r.set("minInclusive", repr(float(lo)))
    if hi is not None:
        r.set("maxInclusive", repr(float(hi)))


def _numeric_alarm(t: ET.Element, lim: Limits, context: tuple[str, str] | None) -> int:
    """DefaultAlarm or ContextAlarmList of a numeric type; returns alarms written."""
    if context is None:
        alarm = _el(t, "DefaultAlarm")
    else:
        alarm = _el(_el(t, "ContextAlarmList"), "ContextAlarm")
    ranges = _el(alarm, "StaticAlarmRanges")
    _range(ranges, "WarningRange", lim.warning)
    _range(ranges, "CriticalRange", lim.critical)
    if context is not None:
        _el(_el(alarm, "ContextMatch"), "Comparison", parameterRef=context[0], value=context[1])
    return 1


def _enum_alarm(t: ET.Element, lim: Limits, context: tuple[str, str] | None) -> int:
    if context is None:
        alarm = _el(t, "DefaultAlarm")
    else:
        alarm = _el(_el(t, "ContextAlarmList"), "ContextAlarm")
    lst = _el(alarm, "EnumerationAlarmList")
    for state, level in sorted(lim.states.items()):
        _el(lst, "EnumerationAlarm", alarmLevel=LEVELS[level], enumerationLabel=state)
    if context is not None:
        _el(_el(alarm, "ContextMatch"), "Comparison", parameterRef=context[0], value=context[1])
    return 1


class _Writer:
    """Builds the document; counts the alarms it writes."""

    def __init__(self) -> None:
        self.alarms = 0

    def scalar_type(self, types: ET.Element, kind: str, name: str, ch: str, unit: str,
                    enum: dict[str, int] | None, lim: Limits | None,
                    context: tuple[str, str] | None) -> None:
        if ch in "fd":
            size = "64" if ch == "d" else "32"
            t = _el(types, f"Float{kind}Type", name=name, sizeInBits=size)
            _units(t, unit)
            _el(t, "FloatDataEncoding", encoding="IEEE754_1985", sizeInBits=size)
            if lim is not None and lim.valid != (None, None):
                _range(t, "ValidRange", lim.valid)
            if lim is not None:
                self.alarms += _numeric_alarm(t, lim, context)
            return
        bits, signed = _INT[ch]
        if enum is not None:
            t = _el(types, f"Enumerated{kind}Type", name=name)
            _units(t, unit)
            _int_encoding(t, bits, signed)
            lst = _el(t, "EnumerationList")
            for label, value in sorted(enum.items(), key=lambda kv: kv[1]):
                _el(lst, "Enumeration", value=str(value), label=label)
            if lim is not None:
                self.alarms += _enum_alarm(t, lim, context)
            return
        t = _el(types, f"Integer{kind}Type", name=name, signed="true" if signed else "false",
                sizeInBits=str(bits))
        _units(t, unit)
        _int_encoding(t, bits, signed)
        if lim is not None:
            self.alarms += _numeric_alarm(t, lim, context)

    def field_type(self, types: ET.Element, pdef: PacketDef, f: Field, arg: bool) -> str:
        """One parameter/argument type describing the field; returns its name."""
        kind = "Argument" if arg else "Parameter"
        lay = field_layout(f.type)
        name = f"{f.name}_Type"
        lim = None if arg else f.limits
        context = None
        if lim is not None and lim.when is not None:
            other, value = lim.when
            context = (other, str(value))
        if lay is None or lay.kind in ("string", "bytes"):
            if lay is not None and lay.kind == "string":
                t = _el(types, f"String{kind}Type", name=name)
                _units(t, f.unit)
                enc = _el(t, "StringDataEncoding",
                          encoding="US-ASCII" if lay.encoding == "ascii" else "UTF-8")
                size = _el(enc, "SizeInBits")
                _el(_el(size, "Fixed"), "FixedValue").text = str(lay.size * 8)
                _el(size, "TerminationChar").text = "00"
            else:
                t = _el(types, f"Binary{kind}Type", name=name)
                _units(t, f.unit)
                size = _el(_el(t, "BinaryDataEncoding"), "SizeInBits")
                if lay is not None:
                    _el(size, "FixedValue").text = str(lay.size * 8)
                else:
                    self._dynamic_size(size, pdef, f)
            return name
        ch = lay.fmt[-1]
        if lay.kind == "array":
            elem = f"{f.name}_Element_Type"
            self.scalar_type(types, kind, elem, ch, f.unit, None, lim, context)
            t = _el(types, f"Array{kind}Type", name=name, arrayTypeRef=elem)
            d = _el(_el(t, "DimensionList"), "Dimension")
            _el(_el(d, "StartingIndex"), "FixedValue").text = "0"
            _el(_el(d, "EndingIndex"), "FixedValue").text = str(lay.count - 1)
            return name
        self.scalar_type(types, kind, name, ch, f.unit,
                         dict(lay.enum or {}) if lay.kind == "enum" else None, lim, context)
        return name

    @staticmethod
    def _dynamic_size(size: ET.Element, pdef: PacketDef, f: Field) -> None:
        """Rest of the packet: from the length field (data field octets - 1)."""
        dyn = _el(size, "DynamicValue")
        _el(dyn, "ParameterInstanceRef", parameterRef=_ref("CCSDS_Packet_Length"))
        others = [field_layout(g.type) for g in pdef.fields if g.name != f.name]
        if all(o is not None for o in others):
            fixed = (pdef.header_len - 6 + pdef.trailer_len
                     + sum(o.size for o in others if o is not None))
            _el(dyn, "LinearAdjustment", slope="8", intercept=str(8 - 8 * fixed))

    def header(self, root: ET.Element) -> None:
        tm = _el(root, "TelemetryMetaData")
        ptypes = _el(tm, "ParameterTypeSet")
        params = _el(tm, "ParameterSet")
        conts = _el(tm, "ContainerSet")
        for pname, bits in _HEADER + _AUTH + _TRAILER:
            tname = f"{pname}_Type"
            t = _el(ptypes, "IntegerParameterType", name=tname, signed="false",
                    sizeInBits=str(bits))
            _units(t, "s" if pname == "CUC_Coarse" else "")
            _int_encoding(t, bits, False)
            p = _el(params, "Parameter", name=pname, parameterTypeRef=tname)
            _describe(p, _DESCRIPTIONS.get(pname, ""))
        t = _el(ptypes, "BinaryParameterType", name="TC_MAC_Type")
        _units(t, "")
        _el(_el(_el(t, "BinaryDataEncoding"), "SizeInBits"), "FixedValue").text = "128"
        _el(params, "Parameter", name="TC_MAC", parameterTypeRef="TC_MAC_Type",
            shortDescription="AES-CMAC over every octet before it")
        for cname, entries in (("CCSDS_Packet", _HEADER), ("CCSDS_TC_Auth", _AUTH)):
            c = _el(conts, "SequenceContainer", name=cname, abstract="true")
            el = _el(c, "EntryList")
            for pname, _ in entries:
                _el(el, "ParameterRefEntry", parameterRef=pname)

    def packet(self, root: ET.Element, pdef: PacketDef) -> None:
        ss = _el(root, "SpaceSystem", name=pdef.name)
        if pdef.description:
            _el(ss, "LongDescription").text = pdef.description
        tm = _el(ss, "TelemetryMetaData")
        ptypes = _el(tm, "ParameterTypeSet")
        params = _el(tm, "ParameterSet")
        conts = _el(tm, "ContainerSet")
        c = _el(conts, "SequenceContainer", name=pdef.name)
        if pdef.description:
            _el(c, "LongDescription").text = pdef.description
        el = _el(c, "EntryList")
        if pdef.is_tc:
            _el(el, "ContainerRefEntry", containerRef=_ref("CCSDS_TC_Auth"))
        for f in pdef.fields:
            tname = self.field_type(ptypes, pdef, f, arg=False)
            p = _el(params, "Parameter", name=f.name, parameterTypeRef=tname)
            _describe(p, f.description)
            _el(el, "ParameterRefEntry", parameterRef=f.name)
        if pdef.is_tc:
            _el(el, "ParameterRefEntry", parameterRef=_ref("TC_MAC"))
        _el(el, "ParameterRefEntry", parameterRef=_ref("CCSDS_CRC"))
        self._restrict(c, pdef)
        if not pdef.fields:  # empty sets are not allowed: drop them
            tm.remove(ptypes)
            tm.remove(params)
        if pdef.is_tc:
            self.command(ss, pdef)

    @staticmethod
    def _restrict(container: ET.Element, pdef: PacketDef) -> None:
        base = _el(container, "BaseContainer", containerRef=_ref("CCSDS_Packet"))
        cl = _el(_el(base, "RestrictionCriteria"), "ComparisonList")
        _el(cl, "Comparison", parameterRef=_ref("CCSDS_APID"), value=str(pdef.apid))
        _el(cl, "Comparison", parameterRef=_ref("CCSDS_Type"), value=str(pdef.kind))

    def command(self, ss: ET.Element, pdef: PacketDef) -> None:
        cmd = _el(ss, "CommandMetaData")
        atypes = _el(cmd, "ArgumentTypeSet") if pdef.fields else None
        metas = _el(cmd, "MetaCommandSet")
        m = _el(metas, "MetaCommand", name=pdef.name)
        if pdef.description:
            _el(m, "LongDescription").text = pdef.description
        if pdef.fields:
            args = _el(m, "ArgumentList")
            for f in pdef.fields:
                assert atypes is not None
                tname = self.field_type(atypes, pdef, f, arg=True)
                a = _el(args, "Argument", name=f.name, argumentTypeRef=tname)
                _describe(a, f.description)
        cc = _el(m, "CommandContainer", name=f"{pdef.name}_Command")
        el = _el(cc, "EntryList")
        _el(el, "ContainerRefEntry", containerRef=_ref("CCSDS_TC_Auth"))
        for f in pdef.fields:
            _el(el, "ArgumentRefEntry", argumentRef=f.name)
        # MAC and CRC follow the arguments; the sender computes them (fsw.packets.auth)
        _el(el, "ParameterRefEntry", parameterRef=_ref("TC_MAC"))
        _el(el, "ParameterRefEntry", parameterRef=_ref("CCSDS_CRC"))
        self._restrict(cc, pdef)
        if pdef.hazardous:
            _el(m, "DefaultSignificance", consequenceLevel="critical",
                reasonForWarning="hazardous: the ground arms, then confirms it")


def xtce(dictionary: Dictionary = DICTIONARY, name: str = ROOT) -> ET.ElementTree:
    """The XTCE document of ``dictionary``."""
    if name != ROOT:
        raise ValueError(f"the root space system is {ROOT} (references are absolute)")
    return _document(dictionary)[0]


def alarm_count(dictionary: Dictionary = DICTIONARY) -> int:
    """Alarm definitions the export holds (one per field with limits)."""
    return _document(dictionary)[1]


def _document(dictionary: Dictionary) -> tuple[ET.ElementTree, int]:
    ET.register_namespace("xtce", NS)
    root = ET.Element(f"{{{NS}}}SpaceSystem", {"name": ROOT})
    _el(root, "LongDescription").text = (
        "CCSDS space packets of the RPO flight-software emulator, generated from its packet "
        "dictionary (fsw dict --xtce). Big-endian; CUC 4+2 time code, TAI since 1958-01-01.")
    _el(root, "Header", validationStatus="Working", version="1", classification="NotClassified")
    w = _Writer()
    w.header(root)
    for pdef in dictionary.sorted():
        w.packet(root, pdef)
    ET.indent(root)
    return ET.ElementTree(root), w.alarms


def write_xtce(path: str, dictionary: Dictionary = DICTIONARY) -> None:
    """Write the XTCE document to ``path`` (UTF-8 with XML declaration)."""
    xtce(dictionary).write(path, encoding="UTF-8", xml_declaration=True)
