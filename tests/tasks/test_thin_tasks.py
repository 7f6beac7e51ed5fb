"""Thin tasks, fat core (DESIGN.md; issue #13): the flight-software tasks do no
vector maths of their own. Checked on the source (AST) of every module under
fsw/tasks: no numpy at all (its matrix products, norms and reductions run
through BLAS/SIMD kernels chosen per CPU), no matrix product operator, and no
platform libm function (math.sin, atan2, exp, ... differ between libms and
between CPU paths of one libm; the core carries its own). What remains to the
tasks is IEEE basic arithmetic, a correctly rounded sqrt and the core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fsw.tasks

TASKS = Path(fsw.tasks.__file__).parent
#: math functions whose results depend on the platform's libm
LIBM = {"sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
        "exp", "expm1", "log", "log1p", "log2", "log10", "pow", "hypot", "dist", "cbrt",
        "erf", "erfc", "gamma", "lgamma"}
SOURCES = sorted(TASKS.rglob("*.py"))


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    out = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            if any(n == "numpy" or n.startswith("numpy.") for n in names):
                out.append(f"{where}: imports numpy")
            if isinstance(node, ast.ImportFrom) and node.module == "math":
                bad = [a.name for a in node.names if a.name in LIBM]
                if bad:
                    out.append(f"{where}: imports libm functions {bad}")
        elif isinstance(node, ast.BinOp | ast.AugAssign) and isinstance(node.op, ast.MatMult):
            out.append(f"{where}: matrix product '@'")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "math" and node.attr in LIBM:
            out.append(f"{where}: math.{node.attr} (platform libm)")
    return out


def test_there_are_task_sources() -> None:
    names = {p.name for p in SOURCES}
    assert {"adcs.py", "propulsion.py", "navigation.py", "comms.py", "task.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(TASKS)))
def test_no_vector_maths_in_the_tasks(path: Path) -> None:
    assert _violations(path) == []


def test_the_check_catches_what_it_forbids(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy as np\nimport math\nfrom math import atan2\n"
                   "a = b @ c\nx = math.sin(1.0)\n")
    found = _violations(bad)
    assert len(found) == 4, found
