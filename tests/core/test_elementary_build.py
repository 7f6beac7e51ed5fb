"""No platform maths in the built cores (issue #14): the guidance core
(fsw.core._gnc), the simulation core (hil._simcore) and the board firmware
call no libm function (their sin, cos, exp, ... are native/src/gnc_math.c),
and both targets build with the strict IEEE flags."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import fsw.core._gnc as gnc_module
import hil._simcore as sim_module
import pytest

ROOT = Path(__file__).resolve().parents[2]
NATIVE = ROOT / "native"

#: the functions of C99's <math.h> (and their f/l variants below); sqrt is
#: exactly rounded by IEEE 754 and allowed on the board only (newlib's
#: software square root: the Cortex-M4F has no double sqrt instruction)
C99_MATH = [
    "acos", "asin", "atan", "atan2", "cos", "sin", "tan", "acosh", "asinh", "atanh", "cosh",
    "sinh", "tanh", "exp", "exp2", "expm1", "frexp", "ilogb", "ldexp", "log", "log10",
    "log1p", "log2", "logb", "modf", "scalbn", "scalbln", "cbrt", "fabs", "hypot", "pow",
    "sqrt", "erf", "erfc", "lgamma", "tgamma", "ceil", "floor", "nearbyint", "rint",
    "lrint", "llrint", "round", "lround", "llround", "trunc", "fmod", "remainder", "remquo",
    "copysign", "nan", "nextafter", "nexttoward", "fdim", "fmax", "fmin", "fma", "sincos",
    "exp10", "pow10", "significand", "drem", "gamma", "j0", "j1", "jn", "y0", "y1", "yn",
]
MATH_NAMES = {n + s for n in C99_MATH for s in ("", "f", "l")}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {name}")
        pytest.skip(f"{name} is not installed")
    return path


def _undefined(nm: str, path: Path, dynamic: bool) -> set[str]:
    args = [nm, "-D", "--undefined-only"] if dynamic else [nm, "--undefined-only"]
    out = subprocess.run([*args, str(path)], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def _libm_symbols(nm: str) -> set[str]:
    """Every function the platform's libm exports (when it can be found)."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        if re.search(r"/libm(\.so|-[^/]*\.so)", line):
            lib = line.split()[-1]
            out = subprocess.run([nm, "-D", "--defined-only", lib], capture_output=True,
                                 text=True, check=False, timeout=60).stdout
            return {ln.split()[-1].split("@")[0] for ln in out.splitlines() if " T " in ln
                    or " W " in ln or " i " in ln}
    return set()


def _math_calls(symbols: set[str], libm: set[str]) -> set[str]:
    return {s for s in symbols if s in MATH_NAMES or s in libm or s.startswith("__ieee754")}


@pytest.mark.parametrize("module", [gnc_module, sim_module], ids=["guidance", "simulation"])
def test_built_core_calls_no_libm_function(module: ModuleType) -> None:
    nm = _tool("nm")
    so = Path(module.__file__)
    found = _math_calls(_undefined(nm, so, dynamic=True), _libm_symbols(nm))
    assert found == set(), f"{so.name} calls the platform's libm: {sorted(found)}"
    readelf = shutil.which("readelf")
    if readelf:
        dyn = subprocess.run([readelf, "-d", str(so)], capture_output=True, text=True,
                             check=True, timeout=60).stdout
        assert "libm." not in dyn, "the extension still links libm"


def test_the_symbol_check_sees_a_libm_call(tmp_path: Path) -> None:
    """The check can fail: a shared object calling sin and atan2 is caught."""
    nm = _tool("nm")
    cc = _tool("cc")
    src = tmp_path / "uses_libm.c"
    src.write_text("#include <math.h>\ndouble f(double x) { return sin(x) + atan2(x, 2.0); }\n")
    so = tmp_path / "uses_libm.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", str(src), "-o", str(so), "-lm"], check=True,
                   timeout=120)
    assert {"sin", "atan2"} <= _math_calls(_undefined(nm, so, dynamic=True), _libm_symbols(nm))


def test_firmware_calls_no_libm_function_but_sqrt() -> None:
    from hil.board import build_firmware, firmware_tools_missing

    missing = firmware_tools_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the firmware, but {missing}")
        pytest.skip(f"needs the ARM toolchain: {missing}")
    nm = _tool("arm-none-eabi-nm")
    build = build_firmware("all")
    objs = sorted((build / "core").glob("*.o")) + sorted((build / "fw").glob("*.o"))
    assert any(o.name == "gnc_math.o" for o in objs)
    for o in objs:
        found = _math_calls(_undefined(nm, o, dynamic=False), set())
        assert found <= {"sqrt"}, f"{o.name} calls newlib's libm: {sorted(found - {'sqrt'})}"
    out = subprocess.run([nm, str(build / "firmware.elf")], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    defined = {ln.split()[-1] for ln in out.splitlines() if len(ln.split()) == 3}
    linked = _math_calls(defined, set()) - {"sqrt", "__ieee754_sqrt"}
    assert linked == set(), f"libm functions linked into the firmware: {sorted(linked)}"


def test_strict_ieee_flags_on_both_targets(buildlib: ModuleType) -> None:
    fp = ("-ffp-contract=off", "-fexcess-precision=standard", "-fno-math-errno")
    for flag in fp:
        assert flag in buildlib.STRICT_FLAGS
    for bad in ("-ffast-math", "-Ofast", "-funsafe-math-optimizations", "-ffinite-math-only"):
        assert bad not in buildlib.STRICT_FLAGS
    make = (NATIVE / "firmware" / "Makefile").read_text()
    strict = re.search(r"^STRICT\s*:=(.*?)(?<!\\)\n", make, flags=re.M | re.S)
    assert strict is not None
    board = strict.group(1).split()
    for flag in fp:
        assert flag in board
    assert not set(board) & {"-ffast-math", "-Ofast"}


def test_gnc_math_refuses_extended_precision(tmp_path: Path) -> None:
    """Where double expressions are evaluated in a wider format (x87:
    FLT_EVAL_METHOD 2) the bits would differ: gnc_math.c does not build."""
    cc = _tool("cc")
    src = tmp_path / "x87.c"
    src.write_text("#include <float.h>\n#undef FLT_EVAL_METHOD\n#define FLT_EVAL_METHOD 2\n"
                   f'#include "{NATIVE / "src" / "gnc_math.c"}"\n')
    res = subprocess.run([cc, "-std=c99", "-c", str(src), "-o", str(tmp_path / "x87.o"),
                          f"-I{NATIVE / 'src'}", f"-I{NATIVE / 'include'}"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode != 0
    assert "FLT_EVAL_METHOD == 0" in res.stderr
