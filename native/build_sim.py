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
# the world's sources, and the one CRC-16 of the space packets (native/src)
SOURCES = [*sorted((HERE / "sim" / "src").glob("*.c")), HERE / "src" / "gnc_crc16.c"]
# the public headers, the private ones, and the guidance core's headers
# (native/src/gnc_la.h: the vector helpers both cores share; gnc_math.h: the
# elementary functions; native/include: gnc_crc16's declaration)
INCLUDE_DIRS = [INCLUDE, HERE / "sim" / "src", HERE / "src", HERE / "include"]

ffibuilder = FFI()
# simsensors.h includes simcore.h: the whole public interface of the world
ffibuilder.cdef(header_text(INCLUDE / "simsensors.h"))
ffibuilder.set_source(
    "hil._simcore",
    '#include "simsensors.h"\n',
    include_dirs=[str(INCLUDE)],
    extra_objects=strict_objects(SOURCES, INCLUDE_DIRS, build_dir("sim")),
    libraries=["m"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
