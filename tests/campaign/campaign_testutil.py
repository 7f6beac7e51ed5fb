"""Helpers of the campaign tests: scenario paths and runners that misbehave on
purpose around the real one, the whole mission (importable by spawned worker
processes by their module name)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fsw_tools.campaign.mission import run_one

DATA = Path(__file__).parent / "data"
SHORT = DATA / "short.toml"
FRAGILE = DATA / "fragile.toml"


def exit_on_odd_seed(scenario_text: str, seed: int, overrides: dict[str, Any]) -> dict[str, Any]:
    """The mission, except that a run of odd seed kills its worker process
    outright (as a segfault in native code would): no exception, no row."""
    if seed % 2 == 1:
        os._exit(3)
    return run_one(scenario_text, seed, overrides)


def returns_garbage(scenario_text: str, seed: int, overrides: dict[str, Any]) -> Any:
    """A runner that breaks the interface: a list instead of a mapping."""
    return [seed]


def slow_mission(scenario_text: str, seed: int, overrides: dict[str, Any]) -> dict[str, Any]:
    """The mission, slowed down so a test can interrupt a campaign mid-way."""
    import time

    time.sleep(0.15)
    return run_one(scenario_text, seed, overrides)


def returns_unserialisable(scenario_text: str, seed: int, overrides: dict[str, Any]) -> Any:
    """The mission's result with an extra value JSON cannot hold."""
    return {**run_one(scenario_text, seed, overrides), "extra": object()}
