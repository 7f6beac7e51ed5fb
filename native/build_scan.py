"""cffi builder of ``fsw.packets._scan``, the bulk packet scanner and
archive record builder (native/scan), run by setuptools during ``pip install`` (see setup.py).
Compiled with the project's strict flags; the cdef is the public header."""

import sys
from pathlib import Path

from cffi import FFI

sys.path.insert(0, str(Path(__file__).resolve().parent))
from buildlib import HERE, build_dir, header_text, strict_objects

SCAN = HERE / "scan"
#: the project's one CRC-16 (the guidance core's source, compiled in here too)
CRC = [HERE / "src" / "gnc_crc16.c"]
INCLUDE_DIRS = [SCAN, HERE / "include", HERE / "src"]

ffibuilder = FFI()
ffibuilder.cdef(header_text(SCAN / "scan.h"))
ffibuilder.set_source(
    "fsw.packets._scan",
    '#include "scan.h"\n',
    include_dirs=[str(SCAN)],
    extra_objects=strict_objects([SCAN / "scan.c", SCAN / "records.c", *CRC], INCLUDE_DIRS,
                                 build_dir("scan")),
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
