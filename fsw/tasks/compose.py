"""The flight software's task list: the one place it is written.

:func:`build_tasks` builds every flight-software task of a scenario, in
stepping order, sharing one guidance core; ``fsw run`` (one process or split
over processes), ``fsw replay RUN --verify`` and the campaigns all fly what it
returns. :data:`STANDBY_TASKS` names the tasks that already run from the
launch notice to the insertion (nothing moves then: the others start at the
insertion). :func:`rate_table` gives the executive the rate groups the tasks
use, at the scenario's rates (:data:`RATE_KEYS`).

Adding a task is one line in :func:`build_tasks` (at its place in the
stepping order; its ``name`` is its participant name everywhere: archives,
heartbeats, ``composition.json``; its ``rate_group`` one of
:data:`RATE_KEYS`), and its name in :data:`STANDBY_TASKS` if it runs before
the launch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.executive import ConfigError
from fsw.packets.auth import KeyRing
from fsw.scenario import Scenario
from fsw.tasks.adcs import AdcsTask
from fsw.tasks.autonomy.task import AutonomyTask
from fsw.tasks.comms import CommsTask
from fsw.tasks.navigation import NavigationTask
from fsw.tasks.propulsion import PropulsionTask

#: the tasks flown from the launch notice to the insertion (the ground leg)
STANDBY_TASKS = ("comms", "navigation", "autonomy")
#: rate group -> the scenario's ``[rates]`` key of its rate (Hz); the
#: executive always has ``attitude`` and ``default``, other groups when a
#: task uses them
RATE_KEYS = {"attitude": "adcs_hz", "default": "nav_hz", "navigation": "nav_hz"}


def build_tasks(scenario: Scenario, keys: KeyRing,
                core: GuidanceCore | None = None) -> dict[str, Any]:
    """The flight-software tasks of ``scenario`` by name, in stepping order.
    ``keys``: the telecommand key ring the comms task verifies against;
    ``core``: the guidance core every task calls (default: one local cffi
    core; a ``PacketCore`` puts the whole chain on a board)."""
    core = core if core is not None else LocalCore()
    tasks = [
        CommsTask(scenario, keys),
        NavigationTask(scenario, core),
        AutonomyTask(scenario, core),
        AdcsTask(scenario, core),
        PropulsionTask(scenario, core),
    ]
    return {t.name: t for t in tasks}


def rate_table(scenario: Scenario, tasks: Iterable[Any]) -> dict[str, float]:
    """The executive's rate groups (Hz) for ``tasks``: ``attitude``,
    ``default`` and every other group a task names, at the scenario's rates.
    A group with no rate in :data:`RATE_KEYS` is a ConfigError."""
    groups = ["attitude", "default"]
    for t in tasks:
        g = getattr(t, "rate_group", None) or "default"
        if g not in groups:
            groups.append(g)
    missing = [g for g in groups if g not in RATE_KEYS]
    if missing:
        raise ConfigError(f"rate groups {missing} have no rate: add them to "
                          f"fsw.tasks.compose.RATE_KEYS")
    return {g: float(getattr(scenario.rates, RATE_KEYS[g])) for g in groups}
