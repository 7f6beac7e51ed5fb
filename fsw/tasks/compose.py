"""The flight software's task list: the one place it is written.

:func:`build_tasks` builds every flight-software task of a scenario, in
stepping order, sharing one guidance core; ``fsw run`` (one process or split
over processes), ``fsw replay RUN --verify`` and the campaigns all fly what it
returns. :data:`STANDBY_TASKS` names the tasks that already run from the
launch notice to the insertion (nothing moves then: the others start at the
insertion).

Adding a task is one line in :func:`build_tasks` (at its place in the
stepping order; its ``name`` is its participant name everywhere: archives,
heartbeats, ``composition.json``), and its name in :data:`STANDBY_TASKS` if it
runs before the launch.
"""

from __future__ import annotations

from typing import Any

from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.packets.auth import KeyRing
from fsw.scenario import Scenario
from fsw.tasks.adcs import AdcsTask
from fsw.tasks.autonomy.task import AutonomyTask
from fsw.tasks.comms import CommsTask
from fsw.tasks.propulsion import PropulsionTask

#: the tasks flown from the launch notice to the insertion (the ground leg)
STANDBY_TASKS = ("comms", "autonomy")


def build_tasks(scenario: Scenario, keys: KeyRing,
                core: GuidanceCore | None = None) -> dict[str, Any]:
    """The flight-software tasks of ``scenario`` by name, in stepping order.
    ``keys``: the telecommand key ring the comms task verifies against;
    ``core``: the guidance core every task calls (default: one local cffi
    core; a ``PacketCore`` puts the whole chain on a board)."""
    core = core if core is not None else LocalCore()
    tasks = [
        CommsTask(scenario, keys),
        AutonomyTask(scenario, core),
        AdcsTask(scenario, core),
        PropulsionTask(scenario),
    ]
    return {t.name: t for t in tasks}
