"""cffi builder of the guidance core's extension module ``fsw.core._gnc``
(API mode), run by setuptools during ``pip install`` (see setup.py)."""

import sys
from pathlib import Path

from cffi import FFI

sys.path.insert(0, str(Path(__file__).resolve().parent))
from buildlib import HERE, build_dir, header_text, strict_objects

INCLUDE = HERE / "include"
SOURCES = sorted((HERE / "src").glob("*.c"))

ffibuilder = FFI()
ffibuilder.cdef(header_text(INCLUDE / "gnc.h"))
ffibuilder.set_source(
    "fsw.core._gnc",
    '#include "gnc.h"\n',
    include_dirs=[str(INCLUDE)],
    extra_objects=strict_objects(SOURCES, [INCLUDE], build_dir("core")),
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
