"""Shared helpers for the cffi build scripts of the native modules.

The C sources are compiled here with the project's strict flags (the real
build flags, not a separate check), then linked into the cffi extension; the
cffi wrapper itself is compiled with the interpreter's usual flags because
Python's headers are not ``-pedantic`` clean. The cdef is derived from the
public header, so it cannot drift from it.
"""

from __future__ import annotations

import os
import re
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The flags that make the C cores' results the same bits on every machine and
# on the board (the firmware Makefile states the same set for the Cortex-M4F):
#   -ffp-contract=off            never fuse a*b+c into an FMA (the CPU may or may
#                                not have one; a fused result rounds once, not twice)
#   -fexcess-precision=standard  every double expression rounded to double (C99
#                                semantics; native/src/gnc_math.c also refuses to
#                                build where FLT_EVAL_METHOD != 0, i.e. on x87)
#   -fno-math-errno              sqrt becomes the inline IEEE instruction (sqrtsd),
#                                with no libm call for errno
#   no -ffast-math / -Ofast      they reassociate, flush subnormals and assume no
#                                NaN or infinity: none of that is allowed
# The cores call no libm function: the elementary functions are the project's own
# (native/src/gnc_math.c); tests/core/test_elementary_build.py checks the symbols.
STRICT_FLAGS = [
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-O2",
    "-fPIC",
    "-ffp-contract=off",
    "-fexcess-precision=standard",
    "-fno-math-errno",
]

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def header_text(header: Path) -> str:
    """The declarations of ``header`` and of the local headers it includes, in
    include order, each once, with every preprocessor line removed."""
    seen: set[Path] = set()
    out: list[str] = []

    def visit(path: Path) -> None:
        if path in seen:
            return
        seen.add(path)
        for line in path.read_text().splitlines():
            m = _INCLUDE.match(line)
            if m:
                visit(path.parent / m.group(1))
            elif not line.lstrip().startswith("#"):
                out.append(line)

    visit(header.resolve())
    return "\n".join(out) + "\n"


def strict_objects(sources: list[Path], include_dirs: list[Path], build_dir: Path) -> list[str]:
    """Compile ``sources`` with STRICT_FLAGS into ``build_dir``; return the
    object paths. Raises CompileError (with the compiler's message) on any
    warning."""
    from setuptools._distutils.ccompiler import new_compiler
    from setuptools._distutils.sysconfig import customize_compiler

    cc = new_compiler()
    customize_compiler(cc)
    build_dir.mkdir(parents=True, exist_ok=True)
    cflags = list(STRICT_FLAGS)
    extra = os.environ.get("FSW_NATIVE_CFLAGS")
    if extra:
        cflags += extra.split()
    objs = cc.compile(
        [str(s) for s in sources],
        output_dir=str(build_dir),
        include_dirs=[str(d) for d in include_dirs],
        extra_preargs=cflags,
    )
    return [os.path.abspath(o) for o in objs]


def build_dir(name: str) -> Path:
    """A per-interpreter scratch folder for object files."""
    tag = sysconfig.get_platform() + "-" + sysconfig.get_python_version()
    return HERE.parent / "build" / f"native-{name}-{tag}"
