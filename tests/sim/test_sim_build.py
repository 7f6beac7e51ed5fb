"""The simulation core's build: strict flags, the header is the cdef, and no
mutable global state (no .data/.bss symbols in the objects)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from hil.sim._native import lib

ROOT = Path(__file__).resolve().parents[2]
SIM = ROOT / "native" / "sim"


def test_every_header_function_is_in_the_extension(buildlib: ModuleType) -> None:
    text = buildlib.header_text(SIM / "include" / "simsensors.h")
    assert "#" not in text
    names = re.findall(r"^\s*int\s+(sim_\w+)\s*\(", text, flags=re.M)
    assert "sim_world_step" in names and "sim_sensor_packet" in names
    assert [n for n in names if not hasattr(lib, n)] == []


@pytest.mark.skipif(shutil.which("cc") is None or shutil.which("nm") is None,
                    reason="no C compiler or nm")
def test_sources_build_strict_without_mutable_globals(buildlib: ModuleType,
                                                      tmp_path: Path) -> None:
    # the sources and include folders of native/build_sim.py (gnc_la.h, gnc_math.c
    # and the CRC-16 are the guidance core's, gnc_constants.h the project's)
    native = ROOT / "native"
    sources = [*sorted((SIM / "src").glob("*.c")), native / "src" / "gnc_math.c",
               native / "src" / "gnc_crc16.c"]
    objs = buildlib.strict_objects(sources, [SIM / "include", SIM / "src", native / "src",
                                             native / "include"], tmp_path)
    assert objs
    for obj in objs:
        out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        data = [line for line in out.splitlines() if re.search(r"\s[BbDdCc]\s", line)]
        assert data == [], f"{obj}: mutable global/static data {data}"
