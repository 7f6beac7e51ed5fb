"""The XTCE export is standard and complete: valid against the official OMG
XTCE 1.2 schema (dtc-18-02-04.xsd, shipped by the ``xtce-lib`` wheel), holds
the dictionary's limits as alarms, and a recorded run decodes from the export
alone -- with a small XTCE-driven decoder written here, independent of the
packet codecs -- to the values the project's own decoder gives."""

from __future__ import annotations

import math
import random
import struct
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from packet_strategies import random_values

from fsw.packets import DICTIONARY
from fsw.packets.auth import KeyRing, build_command
from fsw.packets.limits import check
from fsw.packets.xtce import NS, alarm_count, write_xtce

etree = pytest.importorskip("lxml.etree", reason="lxml is in the test extra")
xtce_lib = pytest.importorskip("xtce_lib", reason="xtce-lib (the OMG schemas) is in the test extra")

SHORT_RUN = Path(__file__).resolve().parents[1] / "data" / "short_run" / "packets.fswarc"
Q = f"{{{NS}}}"
LEVEL = {"normal": 0, "warning": 1, "critical": 2}


@pytest.fixture(scope="module")
def xtce_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xtce") / "rpo.xml"
    write_xtce(str(path))
    return path


def test_export_is_valid_against_the_omg_xtce_1_2_schema(xtce_file: Path) -> None:
    xsd = resources.files("xtce_lib").joinpath("xsd", "dtc-18-02-04.xsd")
    with resources.as_file(xsd) as p:
        schema = etree.XMLSchema(etree.parse(str(p)))
    doc = etree.parse(str(xtce_file))
    ok = schema.validate(doc)
    errors = [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:10]]
    assert ok, "\n".join(errors)


def test_export_has_alarms_units_and_enumerations(xtce_file: Path) -> None:
    root = etree.parse(str(xtce_file)).getroot()
    alarms = root.findall(f".//{Q}DefaultAlarm") + root.findall(f".//{Q}ContextAlarm")
    declared = [(p.name, f.name) for p in DICTIONARY.values() for f in p.fields if f.limits]
    assert len(alarms) == len(declared) == alarm_count() >= 20
    units = {u.text for u in root.iter(f"{Q}Unit")}
    assert {"rad/s", "Pa", "kg", "m", "N m s"} <= units
    gyro = root.find(f".//{Q}SpaceSystem[@name='GYRO']")
    elem = gyro.find(f".//{Q}FloatParameterType[@name='rate_B_Element_Type']")
    assert elem.find(f"{Q}UnitSet/{Q}Unit").text == "rad/s"
    rng = elem.find(f".//{Q}CriticalRange")
    assert float(rng.get("maxInclusive")) == DICTIONARY["GYRO"].fields[0].limits.critical[1]
    mode = root.find(f".//{Q}SpaceSystem[@name='MODE_STATUS']//{Q}EnumeratedParameterType")
    labels = {e.get("label"): int(e.get("value")) for e in mode.iter(f"{Q}Enumeration")}
    assert labels == DICTIONARY["MODE_STATUS"].layouts["mode"].enum
    fire = root.find(f".//{Q}MetaCommand[@name='FIRE']/{Q}DefaultSignificance")
    assert fire.get("consequenceLevel") == "critical"
    assert root.find(f".//{Q}MetaCommand[@name='NOOP']/{Q}DefaultSignificance") is None


# -- an independent XTCE-driven decoder ---------------------------------------------------------


class Bits:
    """Big-endian bit reader."""

    def __init__(self, raw: bytes) -> None:
        self.raw, self.pos = raw, 0
        self.value, self.total = int.from_bytes(raw, "big"), 8 * len(raw)

    def take(self, n: int) -> int:
        out = (self.value >> (self.total - self.pos - n)) & ((1 << n) - 1)
        self.pos += n
        return out

    def octets(self, n: int) -> bytes:
        assert self.pos % 8 == 0
        out = self.raw[self.pos // 8:self.pos // 8 + n]
        self.pos += 8 * n
        return out


class XtceDecoder:
    """Decodes packets using nothing but an XTCE file: containers with
    inheritance and restriction criteria, container references, integer,
    float, enumerated, string, binary (fixed or dynamic size) and array
    parameter types; and evaluates the alarms."""

    def __init__(self, path: Path) -> None:
        self.items: dict[tuple[str, str, str], tuple[str, Any]] = {}
        self._index(etree.parse(str(path)).getroot(), "")
        #: base container name -> the containers that extend it, with their
        #: restriction criteria [(qualified parameter, value)]
        self.children: dict[str, list[tuple[tuple[str, str, str], Any, list]]] = {}
        for k, (where, el) in self.items.items():
            base = el.find(f"{Q}BaseContainer") if k[0] == "container" else None
            if base is not None:
                bwhere, bel = self.find("container", base.get("containerRef"), where)
                crit = []
                for cmp in base.iter(f"{Q}Comparison"):
                    pwhere, p = self.find("param", cmp.get("parameterRef"), where)
                    crit.append((f"{pwhere}/{p.get('name')}", cmp.get("value")))
                self.children.setdefault(f"{bwhere}/{bel.get('name')}", []).append(
                    (k, el, crit))

    def _index(self, ss: Any, parent: str) -> None:
        path = f"{parent}/{ss.get('name')}"
        tm = ss.find(f"{Q}TelemetryMetaData")
        if tm is not None:
            for t in tm.findall(f"{Q}ParameterTypeSet/*"):
                self.items[("type", path, t.get("name"))] = (path, t)
            for p in tm.findall(f"{Q}ParameterSet/{Q}Parameter"):
                self.items[("param", path, p.get("name"))] = (path, p)
            for c in tm.findall(f"{Q}ContainerSet/{Q}SequenceContainer"):
                self.items[("container", path, c.get("name"))] = (path, c)
        for child in ss.findall(f"{Q}SpaceSystem"):
            self._index(child, path)

    def find(self, kind: str, ref: str, where: str) -> tuple[str, Any]:
        if ref.startswith("/"):
            scope, _, name = ref.rpartition("/")
            return self.items[(kind, scope, name)]
        scope = where
        while scope:
            if (kind, scope, ref) in self.items:
                return self.items[(kind, scope, ref)]
            scope = scope.rpartition("/")[0]
        raise KeyError(ref)

    def decode(self, raw: bytes) -> tuple[str, dict[str, Any]]:
        """(qualified container name, {qualified parameter name: value})."""
        bits, values = Bits(raw), {}
        where, cont = self.find("container", "/RPO_FSW/CCSDS_Packet", "")
        name = f"{where}/{cont.get('name')}"
        self._entries(cont, where, bits, values)
        while True:
            child = [(k, el) for k, el, crit in self.children.get(name, ())
                     if all(str(values[p]) == v for p, v in crit)]
            if not child:
                return name, values
            assert len(child) == 1, [k for k, _ in child]
            (_, where, cname), cont = child[0]
            name = f"{where}/{cname}"
            self._entries(cont, where, bits, values)

    def _entries(self, cont: Any, where: str, bits: Bits, values: dict[str, Any]) -> None:
        for entry in cont.find(f"{Q}EntryList"):
            if entry.tag == f"{Q}ContainerRefEntry":
                cwhere, c = self.find("container", entry.get("containerRef"), where)
                self._entries(c, cwhere, bits, values)
                continue
            assert entry.tag == f"{Q}ParameterRefEntry", entry.tag
            pwhere, p = self.find("param", entry.get("parameterRef"), where)
            twhere, t = self.find("type", p.get("parameterTypeRef"), pwhere)
            values[f"{pwhere}/{p.get('name')}"] = self._value(t, twhere, bits, values)

    def _value(self, t: Any, where: str, bits: Bits, values: dict[str, Any]) -> Any:
        tag = etree.QName(t).localname
        if tag == "ArrayParameterType":
            ewhere, elem = self.find("type", t.get("arrayTypeRef"), where)
            dim = t.find(f"{Q}DimensionList/{Q}Dimension")
            lo = int(dim.find(f"{Q}StartingIndex/{Q}FixedValue").text)
            hi = int(dim.find(f"{Q}EndingIndex/{Q}FixedValue").text)
            return tuple(self._value(elem, ewhere, bits, values) for _ in range(lo, hi + 1))
        if tag == "FloatParameterType":
            enc = t.find(f"{Q}FloatDataEncoding")
            n = int(enc.get("sizeInBits"))
            return struct.unpack(">d" if n == 64 else ">f", bits.octets(n // 8))[0]
        if tag in ("IntegerParameterType", "EnumeratedParameterType"):
            enc = t.find(f"{Q}IntegerDataEncoding")
            n = int(enc.get("sizeInBits"))
            v = bits.take(n)
            if enc.get("encoding") == "twosComplement" and v >> (n - 1):
                v -= 1 << n
            if tag == "EnumeratedParameterType":
                labels = {int(e.get("value")): e.get("label") for e in t.iter(f"{Q}Enumeration")}
                return labels.get(v, v)
            return v
        if tag == "StringParameterType":
            enc = t.find(f"{Q}StringDataEncoding")
            n = int(enc.find(f"{Q}SizeInBits/{Q}Fixed/{Q}FixedValue").text)
            raw = bits.octets(n // 8)
            term = bytes.fromhex(enc.find(f"{Q}SizeInBits/{Q}TerminationChar").text)
            return raw.split(term)[0].decode(enc.get("encoding").lower())
        if tag == "BinaryParameterType":
            size = t.find(f"{Q}BinaryDataEncoding/{Q}SizeInBits")
            fixed = size.find(f"{Q}FixedValue")
            if fixed is not None:
                n = int(fixed.text)
            else:
                dyn = size.find(f"{Q}DynamicValue")
                pwhere, p = self.find("param", dyn.find(f"{Q}ParameterInstanceRef")
                                      .get("parameterRef"), where)
                adj = dyn.find(f"{Q}LinearAdjustment")
                n = int(values[f"{pwhere}/{p.get('name')}"] * float(adj.get("slope"))
                        + float(adj.get("intercept")))
            return bits.octets(n // 8)
        raise AssertionError(f"type {tag} not handled")

    def alarm_level(self, param: str, values: dict[str, Any]) -> int | None:
        """Level of a parameter from its XTCE alarm (None: no alarm applies)."""
        where, _, name = param.rpartition("/")
        _, p = self.find("param", name, where)
        twhere, t = self.find("type", p.get("parameterTypeRef"), where)
        elem = t
        if etree.QName(t).localname.startswith("Array"):
            elem = self.find("type", t.get("arrayTypeRef"), twhere)[1]
        alarm = elem.find(f"{Q}DefaultAlarm")
        for ctx in elem.iterfind(f"{Q}ContextAlarmList/{Q}ContextAlarm"):
            cmp = ctx.find(f"{Q}ContextMatch/{Q}Comparison")
            cwhere, c = self.find("param", cmp.get("parameterRef"), where)
            if str(values[f"{cwhere}/{c.get('name')}"]) == cmp.get("value"):
                alarm = ctx
        if alarm is None:
            return None
        value = values[param]
        valid = elem.find(f"{Q}ValidRange")
        if valid is not None and not (float(valid.get("minInclusive", "-inf")) <= value
                                      <= float(valid.get("maxInclusive", "inf"))):
            return None  # an invalid value (a sentinel) is not checked
        items = value if isinstance(value, tuple) else (value,)
        states = alarm.find(f"{Q}EnumerationAlarmList")
        if states is not None:
            lv = {e.get("enumerationLabel"): LEVEL[e.get("alarmLevel")] for e in states}
            return max(lv.get(v, 0) for v in items)
        level = 0
        for tag, lvl in (("WarningRange", 1), ("CriticalRange", 2)):
            r = alarm.find(f"{Q}StaticAlarmRanges/{Q}{tag}")
            if r is None:
                continue
            lo = float(r.get("minInclusive", "-inf"))
            hi = float(r.get("maxInclusive", "inf"))
            if any(math.isnan(v) or not lo <= v <= hi for v in items):
                level = lvl
        return level


def _every_packet_once() -> list[bytes]:
    """One packet of every declared type, random field values."""
    rng = random.Random(20)
    keys = KeyRing({3: bytes(range(32))})
    out = []
    for i, pdef in enumerate(DICTIONARY.sorted()):
        vals = random_values(pdef, rng)
        t = 2.1e9 + i * 0.25
        if pdef.is_tc:
            out.append(build_command(keys, pdef.name, key_id=3, auth_seq=i + 1, t_tai=t,
                                     seq=i, **vals))
        else:
            out.append(pdef.build(t_tai=t, seq=i, **vals))
    return out


def _recorded_run() -> list[bytes]:
    from fsw_tools.archive import read_archive

    return list(read_archive(SHORT_RUN).packets())


def _expected(rec: Any) -> dict[str, Any]:
    pdef = rec.packet
    out = {}
    for name in pdef.field_names:
        v = getattr(rec, name)
        if pdef.layouts[name] is not None and pdef.layouts[name].kind == "enum":
            v = pdef.enum_names(name).get(v, v)
        out[name] = v
    return out


@pytest.mark.parametrize("source", [_every_packet_once, _recorded_run],
                         ids=["every-packet-type", "recorded-run"])
def test_packets_decode_from_the_xtce_alone(xtce_file: Path, source: Any) -> None:
    dec = XtceDecoder(xtce_file)
    packets = source()
    assert len(packets) > 80
    names = set()
    for raw in packets:
        rec = DICTIONARY.decode(raw)  # the project's own decoding
        pdef = rec.packet
        cont, values = dec.decode(raw)
        assert cont == f"/RPO_FSW/{pdef.name}/{pdef.name}"
        names.add(pdef.name)
        assert values["/RPO_FSW/CCSDS_APID"] == rec.apid
        assert values["/RPO_FSW/CCSDS_Source_Sequence_Count"] == rec.seq
        assert values["/RPO_FSW/CUC_Coarse"] + values["/RPO_FSW/CUC_Fine"] / 65536 == rec.t_tai
        assert values["/RPO_FSW/CCSDS_Packet_Length"] == len(raw) - 7
        if pdef.is_tc:
            assert (values["/RPO_FSW/TC_Key_Id"], values["/RPO_FSW/TC_Auth_Seq"]) == (
                rec.key_id, rec.auth_seq)
        got = {k.rpartition("/")[2]: v for k, v in values.items()
               if k.startswith(f"/RPO_FSW/{pdef.name}/")}
        assert got == _expected(rec), pdef.name
        # the alarms of the export agree with the dictionary's evaluation
        levels = check(rec)
        for f in pdef.fields:
            xl = dec.alarm_level(f"/RPO_FSW/{pdef.name}/{f.name}", values)
            assert xl == (levels[f.name][0] if f.name in levels else None), (pdef.name, f.name)
    if source is _every_packet_once:
        assert names == set(DICTIONARY)
