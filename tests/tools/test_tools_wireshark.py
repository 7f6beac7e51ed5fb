"""The generated Wireshark dissector (``fsw dict --wireshark``) reads every
packet of the project's pcap export by name -- primary and secondary header,
each field with its enum names and units -- equal to the archive's decoding."""

from __future__ import annotations

import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fsw_tools.archive import read_archive
from fsw_tools.cli import main

from fsw.packets import DICTIONARY

TSHARK = shutil.which("tshark")
SHORT_RUN = Path(__file__).resolve().parents[1] / "data" / "short_run" / "packets.fswarc"
_STRUCT = {"b": "b", "B": "B", "h": ">h", "H": ">H", "i": ">i", "I": ">I", "l": ">i", "L": ">I",
           "q": ">q", "Q": ">Q", "f": ">f", "d": ">d"}


def _expected(rec) -> dict[str, list[tuple[object, str | None]]]:
    """Field name -> [(value, enum label or None)] (arrays: one per element)."""
    pdef = rec.packet
    out: dict[str, list[tuple[object, str | None]]] = {}
    for name in pdef.field_names:
        v = getattr(rec, name)
        lay = pdef.layouts[name]
        items = list(v) if lay is not None and lay.kind == "array" else [v]
        label = pdef.enum_names(name).get(v) if lay is not None and lay.kind == "enum" else None
        if lay is None and not v:
            items = []  # an empty rest-of-packet field shows no item
        out[f"rpo.{pdef.name}.{name}"] = [(x, label) for x in items]
    return out


def _shown(field: ET.Element, lay) -> object:
    raw = bytes.fromhex(field.get("value", ""))
    if lay is None or lay.kind == "bytes":
        return raw
    if lay.kind == "string":
        return field.get("show")
    return struct.unpack(_STRUCT[lay.fmt[-1]], raw)[0]


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_tshark_with_the_generated_dissector_reads_named_fields(tmp_path: Path) -> None:
    lua = tmp_path / "rpo.lua"
    assert main(["dict", "--wireshark", str(lua)]) == 0
    arc = read_archive(SHORT_RUN)
    pcap = tmp_path / "run.pcap"
    assert main(["decode", str(SHORT_RUN), "--pcap", str(pcap)]) == 0
    proc = subprocess.run([TSHARK, "-X", f"lua_script:{lua}", "-r", str(pcap), "-T", "pdml"],
                          capture_output=True, text=True, timeout=120, check=True)
    assert "Lua: Error" not in proc.stderr, proc.stderr
    packets = ET.fromstring(proc.stdout).findall("packet")
    assert len(packets) == len(arc) > 1000
    seen_kinds: set[str] = set()
    for raw, pkt in zip(arc.packets(), packets, strict=True):
        rec = DICTIONARY.decode(raw)
        fields: dict[str, list[ET.Element]] = {}
        for f in pkt.iter("field"):
            if f.get("name", "").startswith("rpo."):
                fields.setdefault(f.get("name"), []).append(f)
        one = {k: v[0].get("show") for k, v in fields.items()}
        assert int(one["rpo.apid"], 16) == rec.apid
        assert int(one["rpo.seq"]) == rec.seq
        assert one["rpo.packet"] == rec.packet.name
        assert float(one["rpo.tai"]) == pytest.approx(rec.t_tai, abs=1e-5)
        assert one["rpo.crc_ok"] == "1"
        if rec.packet.is_tc:
            assert (int(one["rpo.key_id"]), int(one["rpo.auth_seq"])) == (rec.key_id,
                                                                          rec.auth_seq)
        for name, want in _expected(rec).items():
            got = fields.get(name, [])
            lay = rec.packet.layouts[name.rpartition(".")[2]]
            assert [_shown(f, lay) for f in got] == [v for v, _ in want], name
            for f, (v, label) in zip(got, want, strict=True):
                if label is not None:  # enums: the name and the number
                    assert f.get("showname").endswith(f": {label} ({v})"), f.get("showname")
                    seen_kinds.add("enum")
                elif isinstance(v, float):
                    assert float(f.get("show")) == pytest.approx(v, rel=1e-12, abs=1e-300)
                    seen_kinds.add("float")
    assert seen_kinds == {"enum", "float"}


def test_dissector_declares_every_field_with_units() -> None:
    from fsw.packets.wireshark import lua

    text = lua()
    for pdef in DICTIONARY.values():
        for f in pdef.fields:
            assert f'"rpo.{pdef.name}.{f.name}"' in text
            if f.unit:
                assert f'"{f.name} [{f.unit}]"' in text
    assert '[2] = "commissioning"' in text
