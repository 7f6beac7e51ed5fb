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

The flight-software tasks are built in the child by :func:`fsw_tasks` from
the scenario (seed applied) and the telecommand keys, which is all it is
given; they live there across both legs, as in one process. The parent tells
the child each leg (``go FILE``: its configuration and task names) and the
end (``end``) on the child's stdin; the child answers with each leg's result
and, at the end, every task's critical data store, which stands in for the
task in ``MissionResult.tasks`` (:class:`RemoteTask`: the summary reads the
autonomy task's recorded times from it).

Limits: the guidance core is the local one (a board core is one process's
link); a ``prepare`` hook may change the ground station, the monitor or the
world, but the flight-software tasks it sees are not the ones that fly.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fsw.bus import Broker, BrokerEndpoints, Bus, check_transport
from fsw.core.guidance import LocalCore
from fsw.errors import UserError
from fsw.executive import Executive, ExecutiveConfig, ExecutiveError, RunResult
from fsw.executive.node import Parts, populate
from fsw.packets.auth import KeyRing
from fsw.scenario import Scenario

__all__ = ["NODES", "RemoteTask", "SplitExecutive", "SplitSession", "child_main", "fsw_tasks"]

#: nodes of a split run: the world side (owner), the flight software, the tail
NODES = 3
FSW_NODE, TAIL_NODE = 1, 2
#: a child's entry (not ``-m``: the classes must be the modules' own)
_CHILD = ("import sys; from fsw_tools.mission.split import child_main; "
          "sys.exit(child_main(sys.argv[1:]))")
_POLL_S = 0.002


@dataclass
class RemoteTask:
    """What comes back of a flight-software task flown in the child: its
    name and critical data store (``cds``)."""

    name: str
    cds: dict[str, Any] = field(default_factory=dict)
    #: keys of the task's data store that could not cross the process
    #: boundary (C state of the guidance core), not in ``cds``
    left_behind: list[str] = field(default_factory=list)


def fsw_tasks(sc: Scenario, keys: KeyRing) -> dict[str, Any]:
    """The flight-software side's tasks, built in the child process as
    :func:`fsw_tools.mission.fly` builds them (one local guidance core shared
    by autonomy and ADCS)."""
    from fsw.tasks.adcs import AdcsTask
    from fsw.tasks.autonomy.task import AutonomyTask
    from fsw.tasks.comms import CommsTask
    from fsw.tasks.propulsion import PropulsionTask

    core = LocalCore()
    return {"comms": CommsTask(sc, keys), "autonomy": AutonomyTask(sc, core),
            "adcs": AdcsTask(sc, core), "propulsion": PropulsionTask(sc)}


# -- the child process (node 1) ------------------------------------------------------------


def _dump(path: str, obj: Any) -> None:
    with open(path + ".part", "wb") as f:
        pickle.dump(obj, f)
    os.replace(path + ".part", path)


def _portable(task: Any) -> tuple[dict[str, Any], list[str]]:
    """A task's critical data store as far as it pickles (a core's C state
    does not), and the keys left behind."""
    kept: dict[str, Any] = {}
    left: list[str] = []
    for k, v in (getattr(task, "cds", None) or {}).items():
        try:
            pickle.dumps(v)
        except Exception:
            left.append(str(k))
            continue
        kept[k] = v
    return kept, left


def child_main(argv: Sequence[str]) -> int:
    """Node 1: ``python -c ... SPEC_FILE RESULT_DIR``. The spec holds
    ``(scenario, keys, endpoints, sys_path)``. Each stdin line ``go FILE``
    (``FILE``: pickled ``(index, ExecutiveConfig, task names)``) runs a leg
    and writes ``("ok", RunResult)`` or ``("error", text)`` to
    ``RESULT_DIR/leg<index>``; ``end`` writes ``("ok", {task: (cds, keys left behind)})`` to
    ``RESULT_DIR/end`` and exits."""
    if len(argv) != 2:
        print("usage: child_main SPEC_FILE RESULT_DIR", file=sys.stderr)
        return 2
    with open(argv[0], "rb") as f:
        sc, keys, endpoints, path = pickle.load(f)
    for entry in reversed(path):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    out = argv[1]
    where = os.path.join(out, "end")
    try:
        tasks = fsw_tasks(sc, keys)
        for line in sys.stdin:
            word, _, arg = line.strip().partition(" ")
            if word != "go":
                break
            with open(arg, "rb") as f:
                index, config, names = pickle.load(f)
            where = os.path.join(out, f"leg{index}")
            missing = [n for n in names if n not in tasks]
            if missing:
                raise ValueError(f"tasks {missing} are not built in the flight-software "
                                 f"process (it has {sorted(tasks)})")
            bus = Bus.connect(endpoints, name="fsw")
            try:
                ex = Executive(bus, config, role="follower", node=FSW_NODE, nodes=NODES)
                populate(ex, Parts(tasks=[tasks[n] for n in names]))
                _dump(where, ("ok", ex.run()))
            finally:
                bus.close()
            where = os.path.join(out, "end")
        _dump(os.path.join(out, "end"), ("ok", {n: _portable(t) for n, t in tasks.items()}))
        return 0
    except BaseException as exc:  # reported to the parent, which raises
        _dump(where, ("error", f"flight-software process: {exc!r}\n{traceback.format_exc()}"))
        return 1


# -- the parent (nodes 0 and 2) -----------------------------------------------------------------


class _Tail(threading.Thread):
    """Node 2 in a thread of this process: its own bus endpoint and executive."""

    def __init__(self, endpoints: BrokerEndpoints, config: ExecutiveConfig, parts: Parts) -> None:
        super().__init__(name="fsw-run-tail", daemon=True)
        self.endpoints, self.config, self.parts = endpoints, config, parts
        self.result: RunResult | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            bus = Bus.connect(self.endpoints, name="tail")
            try:
                ex = Executive(bus, self.config, role="follower", node=TAIL_NODE, nodes=NODES)
                populate(ex, self.parts)
                self.result = ex.run()
            finally:
                bus.close()
        except BaseException as exc:  # the owner reports it
            self.error = exc


class SplitSession:
    """The broker and the flight-software process of one mission run; makes
    a :class:`SplitExecutive` per leg (:meth:`executive`), and at
    :meth:`close` puts the tasks' data stores into ``result.tasks``."""

    def __init__(self, result: Any, transport: str, keys: KeyRing, core: Any,
                 timeout_s: float = 120.0) -> None:
        try:
            check_transport(transport)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if transport == "inproc":
            raise UserError("a split run is over ipc or tcp")
        if type(core) is not LocalCore:
            raise UserError(f"--transport {transport}: the flight software uses the local "
                            "guidance core in its own process; a board core needs inproc")
        self.result = result
        self.fsw = {id(t): n for n, t in result.tasks.items()}
        self.timeout_s = timeout_s
        self.failed = False
        self._legs = 0
        self._tmp = tempfile.TemporaryDirectory(prefix="fsw-split-")
        self._broker = Broker(transport, secure=True)
        self.endpoints = self._broker.start()
        spec = os.path.join(self._tmp.name, "spec")
        with open(spec, "wb") as f:
            pickle.dump((result.scenario, keys, self.endpoints, list(sys.path)), f)
        self.proc = subprocess.Popen([sys.executable, "-c", _CHILD, spec, self._tmp.name],
                                     stdin=subprocess.PIPE)

    def executive(self, config: ExecutiveConfig) -> SplitExecutive:
        """A leg's executive (what ``Executive(Bus.local(), config)`` is in
        one process)."""
        return SplitExecutive(self, config)

    # -- the child --------------------------------------------------------------------------

    def _tell(self, line: str) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            stdin.write(line.encode() + b"\n")
            stdin.flush()
        except OSError:
            pass  # the child already ended: its result file says why

    def start_leg(self, config: ExecutiveConfig, names: list[str]) -> int:
        self._legs += 1
        leg = os.path.join(self._tmp.name, f"plan{self._legs}")
        with open(leg, "wb") as f:
            pickle.dump((self._legs, config, names), f)
        self._tell(f"go {leg}")
        return self._legs

    def answer(self, name: str, timeout_s: float | None = None) -> Any:
        """The child's answer in ``RESULT_DIR/name`` (raises its error)."""
        path = os.path.join(self._tmp.name, name)
        deadline = time.monotonic() + (self.timeout_s if timeout_s is None else timeout_s)
        while not os.path.exists(path):
            if self.proc.poll() is not None and not os.path.exists(path):
                end = os.path.join(self._tmp.name, "end")
                if os.path.exists(end):
                    path = end
                    break
                raise ExecutiveError(f"the flight-software process exited with "
                                     f"{self.proc.returncode} and no answer")
            if time.monotonic() > deadline:
                raise ExecutiveError(f"no answer from the flight-software process within "
                                     f"{self.timeout_s} s")
            time.sleep(_POLL_S)
        with open(path, "rb") as f:
            status, payload = pickle.load(f)
        if status != "ok":
            raise ExecutiveError(payload)
        return payload

    def child_error(self) -> str:
        """The child's error, if it reported one already (for messages)."""
        for name in ("end", f"leg{self._legs}"):
            path = os.path.join(self._tmp.name, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    status, payload = pickle.load(f)
                if status != "ok":
                    return f"\n  {payload.strip().splitlines()[0]}"
        return ""

    def close(self) -> None:
        """End the child (collecting the tasks' data stores unless a leg
        failed), the broker and the temporary files. Raises the child's
        error only if nothing failed before."""
        try:
            if not self.failed:
                self._tell("end")
                cds = self.answer("end")
                self.result.tasks = {n: RemoteTask(n, *cds.get(n, ({}, [])))
                                     for n in self.result.tasks}
                self.proc.wait(self.timeout_s)
        finally:
            if self.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5.0)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5.0)
            self._broker.stop()
            self._tmp.cleanup()


class SplitExecutive:
    """One leg of a split run, with the part of :class:`Executive`'s API the
    mission composition uses (``add_world``, ``add``, ``request_stop``,
    ``run``). Participants are only recorded until :meth:`run` spreads them
    over the nodes (see the module docstring)."""

    def __init__(self, session: SplitSession, config: ExecutiveConfig) -> None:
        self.session = session
        self.config = config
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

    def run(self, duration_s: float | None = None, *, ticks: int | None = None) -> RunResult:
        """Run the leg over the three nodes; returns node 0's result with
        every node's task status (in stepping order)."""
        if ticks is None:
            if duration_s is None:
                raise ValueError("run() needs duration_s or ticks")
            ticks = max(0, round(duration_s * self.config.tick_rate))
        s = self.session
        head, names, tail_items = self._partition()
        leg = s.start_leg(self.config, names)
        tail = _Tail(s.endpoints, self.config, Parts(tasks=tail_items))
        tail.start()
        bus = Bus.connect(s.endpoints, name="world")
        try:
            try:
                ex = Executive(bus, self.config, role="owner", node=0, nodes=NODES)
                populate(ex, Parts(world=self._world, tasks=head))
                self._owner = ex
                if self._stop:
                    ex.request_stop()
                owner = ex.run(ticks=ticks)
            finally:
                bus.close()
            tail.join(self.config.sync_timeout_s + 5.0)
            if tail.is_alive() or tail.result is None:
                raise ExecutiveError(f"node {TAIL_NODE} (after the flight software) failed: "
                                     f"{tail.error!r}")
            child = s.answer(f"leg{leg}")
        except BaseException as exc:
            s.failed = True  # close() then ends the child without waiting for it
            if not isinstance(exc, Exception) or (
                    isinstance(exc, ExecutiveError) and "flight-software process:" in str(exc)):
                raise
            tail.join(1.0)  # a tail still waiting for its TICK times out by itself (daemon)
            extra = f"\n  node {TAIL_NODE}: {tail.error!r}" if tail.error else ""
            raise ExecutiveError(f"{exc}{s.child_error()}{extra}") from exc
        tasks = dict(owner.tasks)
        tasks.update(child.tasks)
        tasks.update(tail.result.tasks)
        owner.tasks = tasks
        return owner
