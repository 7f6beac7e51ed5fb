"""cffi builder of the truth simulation's native module ``hil._simcore`` (API
mode), run by setuptools during ``pip install`` (see setup.py).

Not part of the guidance core: the world's dynamics live in native/sim/ and are
compiled with the same strict flags (native/buildlib.py)."""

import sys
from pathlib import Path

from cffi import FFI

sys.path.insert(0, str(Path(__file__).resolve().parent))
from buildlib import HERE, build_dir, header_text, strict_objects

INCLUDE = HERE / "sim" / "include"
SOURCES = sorted((HERE / "sim" / "src").glob("*.c"))
# the public header, the private one, and the guidance core's private headers
# (native/src/gnc_la.h: the vector helpers both cores share)
INCLUDE_DIRS = [INCLUDE, HERE / "sim" / "src", HERE / "src", HERE / "include"]

ffibuilder = FFI()
ffibuilder.cdef(header_text(INCLUDE / "simcore.h"))
ffibuilder.set_source(
    "hil._simcore",
    '#include "simcore.h"\n',
    include_dirs=[str(INCLUDE)],
    extra_objects=strict_objects(SOURCES, INCLUDE_DIRS, build_dir("sim")),
    libraries=["m"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
