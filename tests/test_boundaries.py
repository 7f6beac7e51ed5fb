"""The boxes of DESIGN.md: imports point one way, tools -> hil -> fsw."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> list[tuple[str, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path), a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path), node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("fsw", ("hil", "tools", "fsw_tools")), ("hil", ("tools", "fsw_tools"))],
)
def test_imports_point_one_way(package: str, forbidden: tuple[str, ...]) -> None:
    bad = [(f, m) for f, m in _imports(package) if m.split(".")[0] in forbidden]
    assert bad == []


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff not installed")
def test_ruff_clean() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
