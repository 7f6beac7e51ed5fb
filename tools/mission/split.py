"""The mission over several processes: ``fsw run --transport ipc|tcp``.

The same participants as the single-process run (:func:`fsw_tools.mission.fly`)
in the same canonical order, spread over three lockstep nodes behind one
broker, so the packet stream, its hash and the summary are the same:

========  =============================  ===========================================
node      process                        participants (ground leg / orbit leg)
========  =============================  ===========================================
0 owner   this one (main thread)         ground station / the world (``AvionicsNode``)
1         a child process                comms, autonomy / comms, autonomy, ADCS,
                                         propulsion: the flight software
2         this one (a thread)            monitor / ground station, valves, monitor
========  =============================  ===========================================

Node 0 owns the clock and steps first in every tick, node 1 next, node 2 last,
which is exactly the order :func:`~fsw_tools.mission.fly` adds them to one
executive. The world-side pieces that act on the world object directly
(the latch-valve model) or must see every packet for the archive, the score
and the stop (the monitor) stay in this process with the world; the monitor
stops the run through node 0's executive (``request_stop`` is read by the
owner after node 2's TICK_DONE, so the stop falls on the same tick).

The flight-software side is built in the child by :func:`fsw_tasks` from the
scenario (seed applied) and the telecommand keys, which are all it is given;
its tasks live across both legs there, like in one process. Before each leg
the parent writes ``go`` (or ``end``) on the child's stdin; at the end the
child returns its per-leg results and each task's critical data store, which
stands in for the task in :attr:`MissionResult.tasks` (the summary reads the
autonomy task's recorded times from it).

Limits: the guidance core is the local one (a board core is one process's
link); a ``prepare`` hook may change the ground station, the monitor or the
world, but the flight-software tasks it sees are not the ones that fly.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
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

__all__ = ["NODES", "Leg", "RemoteTask", "fly_split", "fsw_parts", "fsw_tasks", "legs",
           "world_parts"]

#: nodes of a split run: the world side (owner), the flight software, the tail
NODES = 3
FSW_NODE, TAIL_NODE = 1, 2
#: the flight-software tasks, in stepping order, and those of the ground leg
FSW_ORDER = ("comms", "autonomy", "adcs", "propulsion")
GROUND_LEG_FSW = ("comms", "autonomy")
#: a child node's entry (not ``-m``: the classes must be the modules' own)
_CHILD = ("import sys; from fsw_tools.mission.split import child_main; "
          "sys.exit(child_main(sys.argv[1:]))")


@dataclass(frozen=True)
class Leg:
    """One executive run of the mission: ``ground`` (launch notice to
    insertion, coarse ticks, no world) or ``orbit`` (insertion onwards)."""

    name: str
    config: ExecutiveConfig
    ticks: int


@dataclass
class RemoteTask:
    """What comes back of a flight-software task run in the child: its name
    and critical data store (``cds``)."""

    name: str
    cds: dict[str, Any] = field(default_factory=dict)


def legs(sc: Scenario, insertion_tai: float, duration_s: float | None) -> list[Leg]:
    """The legs :func:`fsw_tools.mission.fly` runs, with their configurations
    and tick counts (the ground leg only if it has ticks)."""
    import math

    out = []
    step = sc.rates.standby_step_s
    seed = sc.mission.seed
    ground_ticks = max(0, math.floor((insertion_tai - sc.notice_tai) / step - 1e-9))
    if ground_ticks > 0:
        out.append(Leg("ground", ExecutiveConfig(
            rates={"attitude": 1.0 / step, "default": 1.0 / step},
            t0_tai=sc.notice_tai, seed=seed, heartbeat_period_s=0.0), ground_ticks))
    r = sc.rates
    cfg = ExecutiveConfig(rates={"attitude": r.adcs_hz, "default": r.nav_hz},
                          t0_tai=insertion_tai, seed=seed, heartbeat_period_s=r.heartbeat_s)
    limit = sc.mission.max_duration_s - sc.insertion.ascent_s
    if duration_s is not None:
        limit = min(limit, duration_s + 1.0)
    out.append(Leg("orbit", cfg, max(0, round(max(limit, 0.0) * cfg.tick_rate))))
    return out


def fsw_tasks(sc: Scenario, keys: KeyRing) -> dict[str, Any]:
    """The flight-software side's tasks (built in the child process), as
    :func:`fsw_tools.mission.fly` builds them, sharing one local core."""
    from fsw.tasks.adcs import AdcsTask
    from fsw.tasks.autonomy.task import AutonomyTask
    from fsw.tasks.comms import CommsTask
    from fsw.tasks.propulsion import PropulsionTask

    core = LocalCore()
    return {"comms": CommsTask(sc, keys), "autonomy": AutonomyTask(sc, core),
            "adcs": AdcsTask(sc, core), "propulsion": PropulsionTask(sc)}


def fsw_parts(tasks: dict[str, Any], leg: str) -> Parts:
    """Node 1's participants for ``leg``."""
    names = GROUND_LEG_FSW if leg == "ground" else FSW_ORDER
    return Parts(tasks=[tasks[n] for n in names])


def world_parts(result: Any, node: Any, leg: str) -> tuple[Parts, Parts]:
    """Node 0's and node 2's participants for ``leg`` (this process)."""
    from fsw_tools.mission.valves import ValveModel

    if leg == "ground":
        return Parts(tasks=[result.ground]), Parts(tasks=[result.monitor])
    return (Parts(world=node),
            Parts(tasks=[result.ground, ValveModel(node.world), result.monitor]))


# -- the child process (node 1) ------------------------------------------------------------


def child_main(argv: Sequence[str]) -> int:
    """Node 1: ``SPEC_FILE RESULT_FILE``. The spec holds ``(scenario, keys,
    endpoints, legs, sys_path)``; before each leg a line ``go`` or ``end`` is
    read from stdin. Writes ``("ok", (leg results, {task: cds}))`` or
    ``("error", text)`` to the result file."""
    import traceback

    if len(argv) != 2:
        print("usage: child_main SPEC_FILE RESULT_FILE", file=sys.stderr)
        return 2
    with open(argv[0], "rb") as f:
        sc, keys, endpoints, plan, path = pickle.load(f)
    for entry in reversed(path):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    results: list[RunResult] = []
    try:
        tasks = fsw_tasks(sc, keys)
        for leg in plan:
            if sys.stdin.readline().strip() != "go":
                break
            bus = Bus.connect(endpoints, name="fsw")
            try:
                ex = Executive(bus, leg.config, role="follower", node=FSW_NODE, nodes=NODES)
                populate(ex, fsw_parts(tasks, leg.name))
                results.append(ex.run())
            finally:
                bus.close()
        cds = {n: dict(getattr(t, "cds", {}) or {}) for n, t in tasks.items()}
        outcome: tuple[str, Any] = ("ok", (results, cds))
        code = 0
    except BaseException as exc:  # reported to the parent, which raises
        outcome = ("error", f"flight-software node: {exc!r}\n{traceback.format_exc()}")
        code = 1
    tmp = argv[1] + ".part"
    with open(tmp, "wb") as f:
        pickle.dump(outcome, f)
    os.replace(tmp, argv[1])
    return code


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


def _send(proc: subprocess.Popen[bytes], word: str) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(word.encode() + b"\n")
        proc.stdin.flush()
    except (BrokenPipeError, OSError):
        pass  # the child already ended; its result file says why


def _child_outcome(proc: subprocess.Popen[bytes], out_file: str, timeout_s: float) -> Any:
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        raise ExecutiveError(f"the flight-software process did not end within {timeout_s} s") \
            from None
    if not os.path.exists(out_file):
        raise ExecutiveError(f"the flight-software process exited with {proc.returncode}, "
                             "no result")
    with open(out_file, "rb") as f:
        status, payload = pickle.load(f)
    if status != "ok":
        raise ExecutiveError(payload)
    return payload


def _child_error(proc: subprocess.Popen[bytes], out_file: str) -> str:
    if proc.poll() is None or not os.path.exists(out_file):
        return ""
    with open(out_file, "rb") as f:
        status, payload = pickle.load(f)
    return "" if status == "ok" else f"\n  {payload.strip().splitlines()[0]}"


def fly_split(result: Any, node: Any, *, transport: str, keys: KeyRing, core: Any,
              writer: Any = None, duration_s: float | None = None,
              timeout_s: float = 120.0) -> Any:
    """Fly the legs of a mission prepared by :func:`fsw_tools.mission.fly`
    (``result``: its ``MissionResult`` with the ground station and monitor;
    ``node``: the world) over a broker on ``transport``; fills ``result``
    and returns it. ``writer`` (the archive) is closed at the end."""
    try:
        check_transport(transport)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if transport == "inproc":
        raise UserError("fly_split runs over ipc or tcp; inproc is fly()'s own")
    if type(core) is not LocalCore:
        raise UserError(f"--transport {transport}: the flight software uses the local "
                        "guidance core in its own process; a board core needs inproc")
    sc = result.scenario
    plan = legs(sc, result.insertion_tai, duration_s)
    wall0 = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="fsw-split-") as tmp, \
                Broker(transport) as broker:
            endpoints = broker.endpoints
            assert endpoints is not None
            spec_file = os.path.join(tmp, "fsw.spec")
            out_file = os.path.join(tmp, "fsw.result")
            with open(spec_file, "wb") as f:
                pickle.dump((sc, keys, endpoints, plan, list(sys.path)), f)
            proc = subprocess.Popen([sys.executable, "-c", _CHILD, spec_file, out_file],
                                    stdin=subprocess.PIPE)
            try:
                merged = _fly_legs(result, node, plan, endpoints, proc, out_file)
                child_legs, cds = _child_outcome(proc, out_file, timeout_s)
            finally:
                if proc.stdin is not None:
                    proc.stdin.close()
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(5.0)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(5.0)
    finally:
        if writer is not None:
            writer.close()
    for (owner, tail), child in zip(merged, child_legs, strict=True):
        tasks = dict(owner.tasks)
        tasks.update(child.tasks)
        tasks.update(tail.tasks)
        owner.tasks = tasks
        result.legs.append(owner)
    result.tasks = {n: RemoteTask(n, cds.get(n, {})) for n in FSW_ORDER}
    result.wall_s = time.perf_counter() - wall0
    return result


def _fly_legs(result: Any, node: Any, plan: Sequence[Leg], endpoints: BrokerEndpoints,
              proc: subprocess.Popen[bytes], out_file: str) -> list[tuple[RunResult, RunResult]]:
    """Nodes 0 and 2 of every leg; the child is told ``go`` before each."""
    done: list[tuple[RunResult, RunResult]] = []
    for leg in plan:
        if result.monitor.done:
            _send(proc, "end")
            break
        _send(proc, "go")
        head, tail_parts = world_parts(result, node, leg.name)
        tail = _Tail(endpoints, leg.config, tail_parts)
        tail.start()
        bus = Bus.connect(endpoints, name="world")
        try:
            ex = Executive(bus, leg.config, role="owner", node=0, nodes=NODES)
            populate(ex, head)
            result.monitor.request_stop = ex.request_stop
            owner = ex.run(ticks=leg.ticks)
        except Exception as exc:
            tail.join(leg.config.sync_timeout_s + 5.0)
            extra = f"\n  tail node: {tail.error!r}" if tail.error else ""
            raise ExecutiveError(f"{exc}{_child_error(proc, out_file)}{extra}") from exc
        finally:
            bus.close()
        tail.join(leg.config.sync_timeout_s + 5.0)
        if tail.is_alive() or tail.result is None:
            raise ExecutiveError(f"the tail node (ground station, monitor) failed: "
                                 f"{tail.error!r}")
        done.append((owner, tail.result))
    return done
