"""One composition of the flight software: build_tasks is the one place the
task list is written; fsw run, the split transport and replay fly it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fsw.core.guidance import LocalCore
from fsw.executive import ConfigError, ExecutiveConfig
from fsw.packets.auth import KeyRing
from fsw.scenario import load_builtin, override
from fsw.tasks import compose

ROOT = Path(__file__).resolve().parents[2]
KEYS = KeyRing({1: bytes(32)})


def test_build_tasks_in_stepping_order_sharing_one_core() -> None:
    sc = load_builtin("short_inspection")
    tasks = compose.build_tasks(sc, KEYS)
    assert list(tasks) == ["comms", "navigation", "autonomy", "adcs", "propulsion"]
    assert all(t.name == n for n, t in tasks.items())
    cores = {id(t.core) for n, t in tasks.items() if n != "comms"}
    assert len(cores) == 1
    core = LocalCore()
    again = compose.build_tasks(sc, KEYS, core)
    assert all(t.core is core for n, t in again.items() if n != "comms")
    assert set(compose.STANDBY_TASKS) <= set(tasks)


class _Odd:
    name, rate_group = "odd", "sometimes"


def test_rate_table_has_the_groups_the_tasks_use() -> None:
    sc = override(load_builtin("short_inspection"), rates__nav_hz=0.5)
    tasks = list(compose.build_tasks(sc, KEYS).values())
    table = compose.rate_table(sc, tasks)
    assert table == {"attitude": 10.0, "default": 0.5, "navigation": 0.5}
    ExecutiveConfig(rates=table)  # a valid executive configuration
    with pytest.raises(ConfigError, match="sometimes"):
        compose.rate_table(sc, [_Odd()])


def test_no_one_else_writes_the_task_list() -> None:
    """The task classes are constructed in compose.py only (tools never)."""
    classes = {"CommsTask", "AutonomyTask", "AdcsTask", "PropulsionTask", "NavigationTask"}
    found = []
    for top in ("fsw", "tools"):
        for path in (ROOT / top).rglob("*.py"):
            if path.parent.name == "tasks" or path.parent.parent.name == "tasks":
                continue  # the task modules themselves and compose.py
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in classes):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
