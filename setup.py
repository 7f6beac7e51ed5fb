"""Build glue that pyproject.toml cannot express: the cffi extension modules,
the install name of the tools/ folder (``fsw_tools``, so it cannot clash with
another distribution's ``tools``), and the board firmware's sources
(native/src, native/include, native/firmware) carried by the installed
package as ``hil/board/firmware_src``, so that ``fsw bench --qemu`` builds the
firmware after a plain ``pip install .`` (hil.board.qemu.FIRMWARE_DIR)."""

import shutil
from pathlib import Path

from setuptools import Extension, find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
FIRMWARE_PARTS = ("src", "include", "firmware")


class BuildPyWithFirmware(build_py):
    """build_py, then the firmware sources copied beside hil/board."""

    def run(self) -> None:
        super().run()
        dest = Path(self.build_lib) / "hil" / "board" / "firmware_src"
        for part in FIRMWARE_PARTS:
            target = dest / part
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(HERE / "native" / part, target,
                            ignore=shutil.ignore_patterns("build", "*.o", "*.elf", "*.bin",
                                                          "*.hex", "*.map"))

#: fsw._hotpath, the executive's and the local bus's per-packet fast paths
#: (native/hotpath; a CPython extension, desktop only), with the archive's
#: record builder (native/scan/records.c) for its RecordTap and the project's
#: CRC-16 (native/src/gnc_crc16.c) for its Heartbeat. The guidance core's
#: strict flags but -pedantic, which CPython's type-slot API (function
#: pointers as ``void *``) cannot pass; C99 and every warning an error.
HOTPATH = Extension(
    "fsw._hotpath", ["native/hotpath/hotpath.c", "native/scan/records.c",
                     "native/src/gnc_crc16.c"],
    include_dirs=["native/scan", "native/include", "native/src"],
    extra_compile_args=["-std=c99", "-ffp-contract=off", "-Wall", "-Wextra", "-Werror", "-Wshadow",
                        "-Wstrict-prototypes", "-Wmissing-prototypes"],
)

_core = find_packages(include=["fsw", "fsw.*", "hil", "hil.*"])
_tools = ["fsw_tools" + p[len("tools"):] for p in find_packages(include=["tools", "tools.*"])]

setup(
    cmdclass={"build_py": BuildPyWithFirmware},
    packages=_core + _tools,
    package_dir={"fsw_tools": "tools"},
    ext_modules=[HOTPATH],
    cffi_modules=[
        "native/build_core.py:ffibuilder",
        "native/build_sim.py:ffibuilder",
        "native/build_scan.py:ffibuilder",
    ],
)
