"""One home for the constants: native/include/gnc_constants.h (the cores
include it) and its Python mirror fsw/constants.py hold the same names and
the very same doubles; the values are those of independent references."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from fsw import constants

HEADER = Path(__file__).resolve().parents[1] / "native" / "include" / "gnc_constants.h"
_DEFINE = re.compile(r"^#define\s+GNC_([A-Z0-9_]+)\s+(\S+)")


def header_values() -> dict[str, float]:
    """Name (without GNC_) -> value of every constant of the header."""
    out: dict[str, float] = {}
    for line in HEADER.read_text().splitlines():
        m = _DEFINE.match(line)
        if m and m.group(1) != "CONSTANTS_H":
            out[m.group(1)] = float(m.group(2))
    return out


def test_the_header_and_the_python_mirror_hold_the_same_doubles() -> None:
    c_side = header_values()
    py_side = {k: v for k, v in vars(constants).items() if k.isupper()}
    assert len(c_side) >= 15
    assert sorted(c_side) == sorted(py_side)
    for name, value in c_side.items():
        # the same double: C's strtod and Python's float parse decimal literals alike
        assert py_side[name] == value and type(py_side[name]) is float, name


def test_every_define_line_is_parsed() -> None:
    """A constant the parser skipped would escape the check above."""
    lines = [ln for ln in HEADER.read_text().splitlines() if ln.startswith("#define GNC_")]
    assert len(lines) == len(header_values()) + 1  # the include guard


def test_values_are_the_references() -> None:
    erfa = pytest.importorskip("erfa")
    sc = pytest.importorskip("scipy.constants")
    sky = pytest.importorskip("skyfield.constants")
    from sgp4.earth_gravity import wgs84

    assert constants.JD_J2000 == erfa.DJ00
    assert constants.JULIAN_CENTURY_D == erfa.DJC
    assert constants.DAY_S == erfa.DAYSEC
    assert constants.TT_TAI == erfa.TTMTAI
    assert constants.AU == erfa.DAU == sc.au == sky.AU_M
    assert constants.C_LIGHT == erfa.CMPS == sc.c
    assert sc.g == constants.G0
    assert constants.OMEGA_EARTH == sky.ANGVEL
    assert sky.GM_SUN_DE440_km3_s2 * 1e9 == constants.MU_SUN
    assert wgs84.radiusearthkm * 1e3 == constants.R_EARTH
    # EGM96: normalised C20 = -0.484165371736e-3, J2 = -sqrt(5) C20
    assert math.isclose(constants.J2, math.sqrt(5) * 0.484165371736e-3, rel_tol=1e-8)
    # the CUC epoch and J2000 in TAI seconds agree with the Julian dates
    assert erfa.cal2jd(1958, 1, 1) == (2400000.5, constants.JD_TAI_EPOCH - 2400000.5)
    j2000 = (constants.JD_J2000 - constants.JD_TAI_EPOCH) * constants.DAY_S - constants.TT_TAI
    assert j2000 == constants.J2000_TAI
    tai1, tai2 = erfa.tttai(constants.JD_J2000, 0.0)
    assert ((tai1 - constants.JD_TAI_EPOCH) + tai2) * constants.DAY_S == pytest.approx(
        constants.J2000_TAI, abs=1e-5)


def test_the_world_uses_the_project_constants() -> None:
    from hil.sim import constants as world

    for name in ("MU_EARTH", "R_EARTH", "J2", "OMEGA_EARTH", "G0", "AU"):
        assert getattr(world, name) is getattr(constants, name)


@pytest.mark.skipif(__import__("shutil").which("cc") is None, reason="no C compiler")
def test_the_c_compiler_reads_the_same_doubles(tmp_path: Path) -> None:
    """What the cores compile, bit for bit (printed with %a: exact)."""
    import subprocess

    names = sorted(header_values())
    src = tmp_path / "dump.c"
    src.write_text('#include <stdio.h>\n#include "gnc_constants.h"\nint main(void) {\n'
                   + "".join(f'    printf("%a\\n", (double)GNC_{n});\n' for n in names)
                   + "    return 0;\n}\n")
    exe = tmp_path / "dump"
    subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic",
                    f"-I{HEADER.parent}", str(src), "-o", str(exe)], check=True, timeout=60)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True,
                         timeout=30).stdout.split()
    assert [float.fromhex(x) for x in out] == [getattr(constants, n) for n in names]
