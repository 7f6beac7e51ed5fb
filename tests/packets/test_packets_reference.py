"""Generated documentation and exports: the committed reference is current,
``fsw dict`` prints it, ``fsw dict --xtce`` writes XTCE with one parameter
(telemetry) or argument (telecommand) per dictionary field."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fsw_tools.cli import main

from fsw.packets import DICTIONARY
from fsw.packets.reference import REGENERATE, markdown
from fsw.packets.xtce import NS

DOC = Path(__file__).resolve().parents[2] / "docs" / "packets.md"


def test_committed_reference_is_current() -> None:
    assert DOC.exists(), f"docs/packets.md missing; run: {REGENERATE}"
    assert DOC.read_text() == markdown(), f"docs/packets.md is stale; run: {REGENERATE}"


def test_reference_names_every_field() -> None:
    text = markdown()
    for p in DICTIONARY.values():
        assert f"### {p.name}" in text
        for f in p.fields:
            assert f"`{f.name}`" in text


def test_fsw_dict_prints_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dict"]) == 0
    assert capsys.readouterr().out == markdown()
    # one packet's section of the reference, by name in any case or by APID
    section = markdown().split("\n### GYRO\n")[1].split("\n### ")[0]
    for name in ("GYRO", "gyro", f"0x{DICTIONARY['GYRO'].apid:03X}"):
        assert main(["dict", "--packet", name]) == 0
        out = capsys.readouterr().out
        assert out.startswith("### GYRO\n") and section.strip() in out
    assert main(["dict", "--packet", "NOPE"]) == 2


def test_fsw_dict_xtce(tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    assert main(["dict", "--xtce", str(out)]) == 0
    root = ET.parse(out).getroot()
    q = f"{{{NS}}}"
    assert root.tag == f"{q}SpaceSystem"
    systems = {s.get("name"): s for s in root.findall(f"{q}SpaceSystem")}
    assert set(systems) == set(DICTIONARY)  # one space system per packet
    field_params = [f"{name}.{p.get('name')}" for name, s in systems.items()
                    for p in s.iter(f"{q}Parameter")]
    want_params = [f"{p.name}.{f.name}" for p in DICTIONARY.values() for f in p.fields]
    assert sorted(field_params) == sorted(want_params)  # one parameter per field, exactly
    commands = {m.get("name"): [a.get("name") for a in m.iter(f"{q}Argument")]
                for m in root.iter(f"{q}MetaCommand")}
    assert commands == {p.name: list(p.field_names) for p in DICTIONARY.values() if p.is_tc}
    fire = systems["FIRE"].find(f".//{q}SequenceContainer[@name='FIRE']")
    apid = fire.find(f".//{q}Comparison[@parameterRef='/RPO_FSW/CCSDS_APID']").get("value")
    assert int(apid) == DICTIONARY["FIRE"].apid
    # every parameter/argument references a type defined in its space system
    for s in [root, *systems.values()]:
        types = {t.get("name") for t in s.iter() if t.tag.endswith("Type") and t.get("name")}
        refs = [p.get("parameterTypeRef") for p in s.iter(f"{q}Parameter")] + [
            a.get("argumentTypeRef") for a in s.iter(f"{q}Argument")]
        assert set(refs) <= types
    gyro = systems["GYRO"]
    rate = gyro.find(f".//{q}Parameter[@name='rate_B']")
    arr = gyro.find(f".//{q}ArrayParameterType[@name='{rate.get('parameterTypeRef')}']")
    assert arr.find(f".//{q}EndingIndex/{q}FixedValue").text == "2"


def test_fsw_dict_output(tmp_path: Path) -> None:
    out = tmp_path / "p.md"
    assert main(["dict", "--output", str(out)]) == 0
    assert out.read_text() == markdown()
    assert main(["dict", "--output", str(tmp_path / "no" / "dir" / "p.md")]) == 0  # made
    assert main(["dict", "--output", str(out / "under" / "p.md")]) == 2  # under a file
    assert out.read_text() == markdown()
