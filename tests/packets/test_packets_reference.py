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
    field_params = [p.get("name") for p in root.iter(f"{q}Parameter") if "." in p.get("name")]
    want_params = [f"{p.name}.{f.name}" for p in DICTIONARY.values() for f in p.fields]
    assert sorted(field_params) == sorted(want_params)  # one parameter per field, exactly
    commands = {m.get("name"): [a.get("name") for a in m.iter(f"{q}Argument")]
                for m in root.iter(f"{q}MetaCommand")}
    assert commands == {p.name: list(p.field_names) for p in DICTIONARY.values() if p.is_tc}
    containers = {c.get("name"): c for c in root.iter(f"{q}SequenceContainer")}
    assert set(DICTIONARY) <= set(containers)
    fire = containers["FIRE"]
    apid = fire.find(f".//{q}Comparison[@parameterRef='CCSDS_APID']").get("value")
    assert int(apid) == DICTIONARY["FIRE"].apid
    # every parameter/argument references a type that is defined
    types = {t.get("name") for t in root.iter() if t.tag.endswith("Type") and t.get("name")}
    refs = [p.get("parameterTypeRef") for p in root.iter(f"{q}Parameter")] + [
        a.get("argumentTypeRef") for a in root.iter(f"{q}Argument")]
    assert set(refs) <= types
    gyro_rate = next(p for p in root.iter(f"{q}Parameter") if p.get("name") == "GYRO.rate_B")
    arr = next(t for t in root.iter(f"{q}ArrayParameterType")
               if t.get("name") == gyro_rate.get("parameterTypeRef"))
    assert arr.find(f".//{q}EndingIndex/{q}FixedValue").text == "2"


def test_fsw_dict_output(tmp_path: Path) -> None:
    out = tmp_path / "p.md"
    assert main(["dict", "--output", str(out)]) == 0
    assert out.read_text() == markdown()
    assert main(["dict", "--output", str(tmp_path / "no" / "dir" / "p.md")]) == 0  # made
    assert main(["dict", "--output", str(out / "under" / "p.md")]) == 2  # under a file
    assert out.read_text() == markdown()
