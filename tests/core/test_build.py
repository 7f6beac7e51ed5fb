"""The C core's build: strict flags are the real build flags, and the cffi
cdef is the public header itself."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from fsw.core._gnc import lib

ROOT = Path(__file__).resolve().parents[2]
NATIVE = ROOT / "native"


def test_every_header_function_is_in_the_extension(buildlib: ModuleType) -> None:
    text = buildlib.header_text(NATIVE / "include" / "gnc.h")
    assert "#" not in text
    names = re.findall(r"^\s*int\s+(gnc_\w+)\s*\(", text, flags=re.M)
    assert "gnc_quat_mul" in names
    missing = [n for n in names if not hasattr(lib, n)]
    assert missing == []


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_core_sources_build_with_strict_flags(buildlib: ModuleType, tmp_path: Path) -> None:
    for flag in ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-ffp-contract=off"):
        assert flag in buildlib.STRICT_FLAGS
    objs = buildlib.strict_objects(sorted((NATIVE / "src").glob("*.c")), [NATIVE / "include"],
                                   tmp_path)
    assert objs and all(Path(o).exists() for o in objs)


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_strict_flags_reject_a_warning(buildlib: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "bad.c"
    bad.write_text("int f(int x) { int unused; return x; }\n")
    # distutils' CompileError may come from either copy of distutils: match by name.
    with pytest.raises(Exception) as info:
        buildlib.strict_objects([bad], [], tmp_path / "o")
    assert type(info.value).__name__ == "CompileError"

