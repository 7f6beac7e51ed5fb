"""The mission over several processes: ``fsw run --transport ipc|tcp``.

:func:`fsw_tools.mission.fly` composes each leg of the mission as usual, but
on a :class:`SplitExecutive` instead of a one-process executive; at ``run``
the participants, in the order they were added, are spread over three
lockstep nodes behind one broker:

========  =========================  ============================================
node      process                    participants
========  =========================  ============================================
0 owner   this one (main thread)     the world and whatever comes before the
                                     flight-software tasks (the ground station
                                     in the ground leg)
1         a child process            the flight-software tasks (comms, autonomy,
                                     ADCS, propulsion)
2         this one (a thread)        whatever comes after them (ground station,
                                     latch valves, monitor in the orbit leg)
========  =========================  ============================================

Node 0 steps first in every tick, node 1 next, node 2 last: the order of the
one-process run, so the packet stream, its hash and the summary are the same.
The pieces that act on the world object directly (the valve model) or must
see every packet (the monitor: archive, score, stop) stay in this process
with the world. The monitor's stop goes to node 0's executive; the owner
reads it after node 2's TICK_DONE, so the run ends on the same tick.

The processes are those of the one multi-process runner
(:class:`fsw_tools.runner.Session`). The flight-software tasks are built in
the child by :func:`fsw_parts` (:func:`fsw.tasks.compose.build_tasks`) from
the scenario (seed applied) and the telecommand keys, which is all it is
given; they live there across both legs, as in one process. At the end the
child sends back every task's critical data store, which stands in for the
task in ``MissionResult.tasks`` (:class:`RemoteTask`: the summary reads the
autonomy task's recorded times from it). The stream (hash, archive tap) is
node 0's.

Limits: the guidance core is the local one (a board core is one process's
link); a ``prepare`` hook may change the ground station, the monitor or the
world, but the flight-software tasks it sees are not the ones that fly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fsw_tools.runner import NodePlan, Session

from fsw.core.guidance import LocalCore
from fsw.errors import UserError
from fsw.executive import Executive, ExecutiveConfig, ExecutiveError, RunResult, Stream
from fsw.executive.node import Parts
from fsw.packets.auth import KeyRing
from fsw.scenario import Scenario

__all__ = ["NODES", "RemoteTask", "SplitExecutive", "SplitSession", "fsw_parts"]

#: nodes of a split run: the world side (owner), the flight software, the tail
NODES = 3
FSW_NODE, TAIL_NODE = 1, 2


@dataclass
class RemoteTask:
    """What comes back of a flight-software task flown in the child: its
    name and critical data store (``cds``)."""

    name: str
    cds: dict[str, Any] = field(default_factory=dict)
    #: keys of the task's data store that could not cross the process
    #: boundary (C state of the guidance core), not in ``cds``
    left_behind: list[str] = field(default_factory=list)


def fsw_parts(scenario: Scenario, keys: KeyRing) -> Parts:
    """The flight-software node's participants, built in the child process
    as :func:`fsw_tools.mission.fly` builds them (one local guidance core)."""
    from fsw.tasks.compose import build_tasks

    return Parts(tasks=list(build_tasks(scenario, keys).values()))


class SplitSession:
    """The runner session of one mission run (broker, flight-software
    process); makes a :class:`SplitExecutive` per leg (:meth:`executive`),
    and at :meth:`close` puts the tasks' data stores into ``result.tasks``."""

    def __init__(self, result: Any, transport: str, keys: KeyRing, core: Any,
                 timeout_s: float = 120.0) -> None:
        if transport == "inproc":
            raise UserError("a split run is over ipc or tcp")
        if type(core) is not LocalCore:
            raise UserError(f"--transport {transport}: the flight software uses the local "
                            "guidance core in its own process; a board core needs inproc")
        self.result = result
        self.fsw = {id(t): n for n, t in result.tasks.items()}
        plan = NodePlan("fsw_tools.mission.split:fsw_parts",
                        {"scenario": result.scenario, "keys": keys})
        self.session = Session(transport, nodes=NODES, children={FSW_NODE: plan},
                               timeout_s=timeout_s)

    def executive(self, config: ExecutiveConfig, stream: Stream) -> SplitExecutive:
        """A leg's executive (what ``Executive(Bus.local(), config,
        stream=stream)`` is in one process)."""
        return SplitExecutive(self, config, stream)

    def close(self) -> None:
        """End the child (collecting the tasks' data stores unless a leg
        failed), the broker and the temporary files."""
        failed = self.session.failed
        states = self.session.close()
        if not failed:
            self.result.tasks = {n: RemoteTask(n, *states.get(n, ({}, [])))
                                 for n in self.result.tasks}


class SplitExecutive:
    """One leg of a split run, with the part of :class:`Executive`'s API the
    mission composition uses (``add_world``, ``add``, ``request_stop``,
    ``run``). Participants are only recorded until :meth:`run` spreads them
    over the nodes (see the module docstring)."""

    def __init__(self, session: SplitSession, config: ExecutiveConfig, stream: Stream) -> None:
        self.session = session
        self.config = config
        self.stream = stream
        self._world: Any = None
        self._items: list[tuple[Any, str | None]] = []
        self._owner: Executive | None = None
        self._stop = False

    def add_world(self, world: Any) -> None:
        if self._world is not None:
            raise ValueError("one world per executive")
        self._world = world

    def add(self, task: Any, *, rate_group: str | None = None) -> None:
        self._items.append((task, rate_group))

    def request_stop(self) -> None:
        """End after the current tick (called by the monitor in node 2)."""
        self._stop = True
        if self._owner is not None:
            self._owner.request_stop()

    def _partition(self) -> tuple[list[Any], list[str], list[Any]]:
        fsw = self.session.fsw
        idx = [i for i, (t, _) in enumerate(self._items) if id(t) in fsw]
        if idx and idx != list(range(idx[0], idx[-1] + 1)):
            raise ExecutiveError("the flight-software tasks must be added one after another "
                                 "to run in their own process")
        a, b = (idx[0], idx[-1] + 1) if idx else (len(self._items), len(self._items))
        for t, group in self._items[a:b]:
            if group is not None:
                raise ExecutiveError(f"{fsw[id(t)]}: a rate group given at add() is not "
                                     "passed to the flight-software process")
        head = [t if g is None else (t, g) for t, g in self._items[:a]]
        tail = [t if g is None else (t, g) for t, g in self._items[b:]]
        return head, [fsw[id(t)] for t, _ in self._items[a:b]], tail

    def _setup(self, ex: Executive) -> None:
        self._owner = ex
        if self._stop:
            ex.request_stop()

    def run(self, duration_s: float | None = None, *, ticks: int | None = None) -> RunResult:
        """Run the leg over the three nodes; returns node 0's result with
        every node's task status (in stepping order)."""
        if ticks is None:
            if duration_s is None:
                raise ValueError("run() needs duration_s or ticks")
            ticks = max(0, round(duration_s * self.config.tick_rate))
        head, names, tail = self._partition()
        return self.session.session.run_leg(
            self.config, ticks, here={0: Parts(world=self._world, tasks=head),
                                      TAIL_NODE: Parts(tasks=tail)},
            tasks={FSW_NODE: names}, stream=self.stream, setup=self._setup)
