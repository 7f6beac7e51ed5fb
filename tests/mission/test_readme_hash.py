"""The README quotes the default mission's packet-stream hash (issue #14,
build 4): the whole default mission, flown as ``fsw run --test-keys`` flies
it, prints that hash. Behind ``slow`` (about 2-3 minutes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_hash() -> str:
    text = README.read_text(encoding="utf-8")
    m = re.search(r"<!-- default-hash -->\s*`([0-9a-f]{64})`", text)
    assert m, "README.md: no <!-- default-hash --> line"
    return m.group(1)


def test_the_readme_quotes_a_hash() -> None:
    assert len(readme_hash()) == 64


@pytest.mark.slow
def test_the_default_mission_prints_the_readme_hash() -> None:
    from fsw_tools.mission import fly

    from fsw import scenario

    res = fly(scenario.resolve("victus_haze"))  # default seed, test keys: what fsw run flies
    assert res.packet_hash == readme_hash()
