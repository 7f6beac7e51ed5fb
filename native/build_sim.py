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
# the world's sources, the guidance core's elementary functions (native/src/gnc_math.c:
# the one source of sin, cos, exp, ... for both cores) and the one CRC-16 of the space
# packets (native/src/gnc_crc16.c)
SOURCES = [*sorted((HERE / "sim" / "src").glob("*.c")), HERE / "src" / "gnc_math.c",
           HERE / "src" / "gnc_crc16.c"]
# the public headers, the private ones, the guidance core's private headers
# (native/src/gnc_la.h: the vector helpers both cores share; gnc_math.h) and its public
# ones (gnc_math.c includes gnc_status.h and gnc_elementary.h; gnc_crc16.h)
INCLUDE_DIRS = [INCLUDE, HERE / "sim" / "src", HERE / "src", HERE / "include"]

ffibuilder = FFI()
# simsensors.h includes simcore.h: the whole public interface of the world
ffibuilder.cdef(header_text(INCLUDE / "simsensors.h"))
ffibuilder.set_source(
    "hil._simcore",
    '#include "simsensors.h"\n',
    include_dirs=[str(INCLUDE)],
    extra_objects=strict_objects(SOURCES, INCLUDE_DIRS, build_dir("sim")),
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
