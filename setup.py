"""Build glue that pyproject.toml cannot express: the cffi extension modules and
the install name of the tools/ folder (``fsw_tools``, so it cannot clash with
another distribution's ``tools``)."""

from setuptools import find_packages, setup

_core = find_packages(include=["fsw", "fsw.*", "hil", "hil.*"])
_tools = ["fsw_tools" + p[len("tools"):] for p in find_packages(include=["tools", "tools.*"])]

setup(
    packages=_core + _tools,
    package_dir={"fsw_tools": "tools"},
    cffi_modules=[
        "native/build_core.py:ffibuilder",
        "native/build_sim.py:ffibuilder",
        "native/build_scan.py:ffibuilder",
    ],
)
