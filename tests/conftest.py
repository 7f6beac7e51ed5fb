"""Fixtures shared across the test folders."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

NATIVE = Path(__file__).resolve().parents[1] / "native"


@pytest.fixture(scope="session")
def buildlib() -> ModuleType:
    """native/buildlib.py (the build scripts' shared helpers: strict flags,
    header_text, strict_objects), loaded from the source tree: it is not part
    of an installed package."""
    spec = importlib.util.spec_from_file_location("buildlib", NATIVE / "buildlib.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["buildlib"] = mod
    spec.loader.exec_module(mod)
    return mod
