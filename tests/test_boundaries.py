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


def _modules(package: str) -> dict[str, tuple[Path | None, bool]]:
    """Every module of ``package`` by dotted name: (source path or None for
    an extension module, is a package)."""
    out: dict[str, tuple[Path | None, bool]] = {}
    for path in sorted((ROOT / package).rglob("*")):
        rel = path.relative_to(ROOT)
        if path.suffix == ".py":
            parts = list(rel.with_suffix("").parts)
            is_pkg = parts[-1] == "__init__"
            out[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
        elif path.suffix in (".so", ".pyd"):  # cffi extension modules: leaves
            out[".".join([*rel.parts[:-1], path.name.split(".")[0]])] = (None, False)
    return out


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports, from the AST of every
    module. Every import statement counts wherever it is (module level,
    inside a function, under ``if TYPE_CHECKING:``): an import loop hidden
    in a function or behind a type-checking guard is still a loop of the
    design. ``from X import Y`` is an edge to ``X.Y`` when that is a module,
    else to ``X``; ``import X.Y`` to ``X.Y``. Importing a submodule runs its
    parents' ``__init__`` first, but that is not counted as an edge: a
    package's ``__init__`` re-exporting its own modules would otherwise
    always be a loop."""
    mods = _modules(package)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, (path, is_pkg) in mods.items():
        if path is None:
            continue
        here = name if is_pkg else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base
                           for a in node.names]
            for t in targets:
                while t and t not in mods:  # a name inside a module: the module
                    t = t.rpartition(".")[0]
                if t and t != name:
                    graph[name].add(t)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_no_import_cycle_inside_fsw() -> None:
    graph = import_graph("fsw")
    assert len(graph) > 50 and "fsw.executive.lockstep" in graph["fsw.executive.executive"]
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    """The check above can fail: a loop through a function-level import, the
    shape the executive had (executive -> sync -> executive)."""
    graph = import_graph("fsw")
    graph["fsw.executive.lockstep"].add("fsw.executive.executive")
    assert import_cycles(graph) == [["fsw.executive.executive", "fsw.executive.lockstep"]]
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_executive_uses_only_public_members_of_other_objects() -> None:
    """Contexts, router, lockstep and executive talk through public methods:
    no ``obj._private`` on anything but ``self``."""
    bad = []
    for path in (ROOT / "fsw" / "executive").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self")):
                bad.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    assert bad == []
