"""The multi-process runner: a run's participants spread over lockstep nodes
behind one broker, some in child processes, the rest in this one. The API
behind ``fsw run --transport ipc|tcp`` (:mod:`fsw_tools.mission.split` places
the mission's participants) and a plain one for any composition.

A node is either here (node 0, the clock owner, in the calling thread; others
in threads of their own) or a child process built from a factory named
``"package.module:function"`` (called with its keyword arguments in the
child: nothing unpicklable crosses a process boundary) that returns
:class:`fsw.executive.node.Parts`. A :class:`Session` keeps its broker and
its children across several runs (the legs of a mission): the children's
participants keep their state from one leg to the next, as in one process.
The packet stream, its hash and its taps are the clock owner's; the order of
the nodes is the order of a one-process run, so the hash is the same
(:mod:`fsw.executive.lockstep`).

A factory is a function you name by its path, returning ``Parts``; e.g. the
mission's flight-software node, :func:`fsw_tools.mission.split.fsw_parts`
(``scenario``, ``keys``), which :mod:`fsw_tools.mission.split` runs in a
child process of a three-node session::

    from fsw_tools.runner import NodePlan, Session, run

    fsw = NodePlan("fsw_tools.mission.split:fsw_parts", {"scenario": sc, "keys": keys})
    s = Session("tcp", nodes=3, children={1: fsw})
    r = s.run_leg(config, ticks, here={0: Parts(world=node), 2: Parts(tasks=[monitor])})
    ...                            # more legs: the child's tasks live on
    states = s.close()             # the child's tasks' data stores, by task name

One run of node plans, every node but the first in a child process
(``inproc``: all in one executive in this process)::

    result = run([NodePlan("mypackage.nodes:world"), fsw], transport="tcp",
                 config=ExecutiveConfig(seed=1), duration_s=600)
    print(result.stream_hash)

Protocol with a child (``python -c ... SPEC_FILE OUT_DIR``; the spec holds
``(NodePlan, node, nodes, endpoints, sys_path)``): each stdin line ``go FILE``
(``FILE``: pickled ``(leg, ExecutiveConfig, task names or None)``) runs one
leg as a follower and writes ``("ok", RunResult)`` or ``("error", text)`` to
``OUT_DIR/leg<leg>``; ``end`` writes ``("ok", {task: (cds, keys left
behind)})`` (each task's critical data store as far as it pickles) to
``OUT_DIR/end`` and exits.
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fsw.bus import Broker, BrokerEndpoints, Bus, check_transport
from fsw.errors import UserError
from fsw.executive import Executive, ExecutiveConfig, ExecutiveError, RunResult, Stream
from fsw.executive.node import Parts, build_parts, populate

__all__ = ["NodePlan", "Session", "child_main", "run"]

#: a child's entry (not ``-m``: the factory's classes must be the modules' own)
_CHILD = "import sys; from fsw_tools.runner import child_main; sys.exit(child_main(sys.argv[1:]))"
_POLL_S = 0.002


@dataclass(frozen=True)
class NodePlan:
    """A node built from a factory: ``"package.module:function"`` and its
    keyword arguments (picklable)."""

    factory: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


# -- the child process -----------------------------------------------------------------------


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


def _named(parts: Parts) -> dict[str, tuple[Any, str | None]]:
    """A child's tasks by participant name, with the rate group given."""
    out: dict[str, tuple[Any, str | None]] = {}
    for item in parts.tasks:
        task, group = item if isinstance(item, tuple) else (item, None)
        out[str(getattr(task, "name", "") or type(task).__name__.lower())] = (task, group)
    return out


def child_main(argv: Sequence[str]) -> int:
    """A child node (see the module docstring for the protocol)."""
    if len(argv) != 2:
        print("usage: child_main SPEC_FILE OUT_DIR", file=sys.stderr)
        return 2
    with open(argv[0], "rb") as f:
        plan, node, nodes, endpoints, path = pickle.load(f)
    for entry in reversed(path):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    out = argv[1]
    where = os.path.join(out, "end")
    try:
        parts = build_parts(plan.factory, plan.kwargs)
        if parts.world is not None:
            raise ValueError(f"node {node} ({plan.factory}) has a world: only node 0 may")
        tasks = _named(parts)
        for line in sys.stdin:
            word, _, arg = line.strip().partition(" ")
            if word != "go":
                break
            with open(arg, "rb") as f:
                leg, config, names = pickle.load(f)
            where = os.path.join(out, f"leg{leg}")
            names = list(tasks) if names is None else names
            missing = [n for n in names if n not in tasks]
            if missing:
                raise ValueError(f"tasks {missing} are not built in node {node} "
                                 f"(it has {sorted(tasks)})")
            bus = Bus.connect(endpoints, name=f"node{node}")
            try:
                ex = Executive(bus, config, role="follower", node=node, nodes=nodes)
                populate(ex, Parts(tasks=[tasks[n][0] if tasks[n][1] is None else tasks[n]
                                          for n in names]))
                _dump(where, ("ok", ex.run()))
            finally:
                bus.close()
            where = os.path.join(out, "end")
        _dump(os.path.join(out, "end"),
              ("ok", {n: _portable(t) for n, (t, _) in tasks.items()}))
        return 0
    except BaseException as exc:  # reported to the parent, which raises
        _dump(where, ("error", f"node {node}: {exc!r}\n{traceback.format_exc()}"))
        return 1


class _Child:
    """A child node: its process and its answer files."""

    def __init__(self, plan: NodePlan, node: int, nodes: int, endpoints: BrokerEndpoints,
                 tmp: str) -> None:
        self.node = node
        self.dir = os.path.join(tmp, f"node{node}")
        os.mkdir(self.dir)
        spec = os.path.join(self.dir, "spec")
        with open(spec, "wb") as f:
            pickle.dump((plan, node, nodes, endpoints, list(sys.path)), f)
        self.proc = subprocess.Popen([sys.executable, "-c", _CHILD, spec, self.dir],
                                     stdin=subprocess.PIPE)

    def tell(self, line: str) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            stdin.write(line.encode() + b"\n")
            stdin.flush()
        except OSError:
            pass  # the child already ended: its answer file says why

    def answer(self, name: str, timeout_s: float) -> Any:
        """The child's answer in ``name`` (raises its error)."""
        path = os.path.join(self.dir, name)
        deadline = time.monotonic() + timeout_s
        while not os.path.exists(path):
            if self.proc.poll() is not None and not os.path.exists(path):
                end = os.path.join(self.dir, "end")
                if os.path.exists(end):
                    path = end
                    break
                raise ExecutiveError(f"node {self.node} exited with {self.proc.returncode} "
                                     "and no answer")
            if time.monotonic() > deadline:
                raise ExecutiveError(f"no answer from node {self.node} within {timeout_s} s")
            time.sleep(_POLL_S)
        with open(path, "rb") as f:
            status, payload = pickle.load(f)
        if status != "ok":
            raise ExecutiveError(payload)
        return payload

    def error(self, leg: int) -> str:
        """The child's error, if it reported one already (for messages)."""
        for name in ("end", f"leg{leg}"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    status, payload = pickle.load(f)
                if status != "ok":
                    return f"\n  {payload.strip().splitlines()[0]}"
        return ""

    def stop(self) -> None:
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


class _Thread(threading.Thread):
    """A follower node in a thread of this process."""

    def __init__(self, endpoints: BrokerEndpoints, config: ExecutiveConfig, node: int,
                 nodes: int, parts: Parts) -> None:
        super().__init__(name=f"fsw-node{node}", daemon=True)
        self.endpoints, self.config, self.node, self.nodes = endpoints, config, node, nodes
        self.parts = parts
        self.result: RunResult | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            bus = Bus.connect(self.endpoints, name=f"node{self.node}")
            try:
                ex = Executive(bus, self.config, role="follower", node=self.node,
                               nodes=self.nodes)
                populate(ex, self.parts)
                self.result = ex.run()
            finally:
                bus.close()
        except BaseException as exc:  # the owner reports it
            self.error = exc


class Session:
    """A broker and the child processes of a run over ``nodes`` lockstep
    nodes; ``children``: node index (1..) -> the plan of a child process.
    Every other node runs here, with the parts given at each leg."""

    def __init__(self, transport: str, *, nodes: int, children: Mapping[int, NodePlan],
                 timeout_s: float = 120.0) -> None:
        try:
            check_transport(transport)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if transport == "inproc":
            raise UserError("child processes need ipc or tcp")
        bad = [i for i in children if not 1 <= i < nodes]
        if bad:
            raise ValueError(f"child nodes {bad} outside 1..{nodes - 1} (node 0 runs here)")
        self.nodes = nodes
        self.timeout_s = timeout_s
        self.failed = False
        self.closed = False
        self._legs = 0
        self._tmp = tempfile.TemporaryDirectory(prefix="fsw-run-")
        self._broker = Broker(transport, secure=True)  # the bus authenticates its peers
        self.endpoints = self._broker.start()
        self._children: dict[int, _Child] = {}
        try:
            for i in sorted(children):
                self._children[i] = _Child(children[i], i, nodes, self.endpoints,
                                           self._tmp.name)
        except BaseException:
            self._shutdown()
            raise

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.failed = True
        self.close()

    def run_leg(self, config: ExecutiveConfig, ticks: int, *, here: Mapping[int, Parts],
                tasks: Mapping[int, list[str] | None] | None = None,
                stream: Stream | None = None,
                setup: Callable[[Executive], object] | None = None) -> RunResult:
        """One run of ``ticks`` ticks: node 0 in this thread with ``here[0]``,
        the other nodes of ``here`` in threads, the children with their tasks
        named in ``tasks`` (default: all, in their factory's order). Returns
        node 0's :class:`RunResult` with every node's task status, in
        stepping order. ``stream``: node 0's stream (to continue one);
        ``setup(executive)``: called on node 0's executive before the run (a
        tap, say)."""
        missing = sorted(set(range(self.nodes)) - set(here) - set(self._children))
        if missing or 0 not in here:
            raise ValueError(f"nodes {missing or [0]} have no participants")
        self._legs += 1
        leg = self._legs
        for i, child in self._children.items():
            plan_file = os.path.join(child.dir, f"plan{leg}")
            with open(plan_file, "wb") as f:
                pickle.dump((leg, config, (tasks or {}).get(i)), f)
            child.tell(f"go {plan_file}")
        threads = [_Thread(self.endpoints, config, i, self.nodes, parts)
                   for i, parts in sorted(here.items()) if i != 0]
        for th in threads:
            th.start()
        results: dict[int, RunResult] = {}
        bus = Bus.connect(self.endpoints, name="node0")
        try:
            try:
                ex = Executive(bus, config, role="owner", node=0, nodes=self.nodes,
                               stream=stream)
                populate(ex, here[0])
                if setup is not None:
                    setup(ex)
                results[0] = ex.run(ticks=ticks)
            finally:
                bus.close()
            for th in threads:
                th.join(config.sync_timeout_s + 5.0)
                if th.is_alive() or th.result is None:
                    raise ExecutiveError(f"node {th.node} failed: {th.error!r}")
                results[th.node] = th.result
            for i, child in self._children.items():
                results[i] = child.answer(f"leg{leg}", self.timeout_s)
        except BaseException as exc:
            self.failed = True  # close() then ends the children without waiting
            if not isinstance(exc, Exception):
                raise
            for th in threads:
                th.join(1.0)  # a node still waiting for its TICK times out by itself
            extra = "".join(c.error(leg) for c in self._children.values())
            extra += "".join(f"\n  node {th.node}: {th.error!r}" for th in threads if th.error)
            if isinstance(exc, ExecutiveError) and str(exc).startswith("node "):
                raise
            raise ExecutiveError(f"{exc}{extra}") from exc
        owner = results[0]
        owner.tasks = {n: st for i in sorted(results) for n, st in results[i].tasks.items()}
        return owner

    def close(self) -> dict[str, tuple[dict[str, Any], list[str]]]:
        """End the children (collecting their tasks' data stores unless a
        leg failed), the broker and the temporary files. Returns task name
        -> (data store, keys left behind); raises a child's error only if
        nothing failed before."""
        states: dict[str, tuple[dict[str, Any], list[str]]] = {}
        if self.closed:
            return states
        self.closed = True
        try:
            if not self.failed:
                for child in self._children.values():
                    child.tell("end")
                for child in self._children.values():
                    states.update(child.answer("end", self.timeout_s))
                    child.proc.wait(self.timeout_s)
        finally:
            self._shutdown()
        return states

    def _shutdown(self) -> None:
        try:
            for child in self._children.values():
                child.stop()
        finally:
            self._broker.stop()
            self._tmp.cleanup()


def run(nodes: Sequence[NodePlan], *, transport: str = "inproc",
        config: ExecutiveConfig | None = None, duration_s: float | None = None,
        ticks: int | None = None, timeout_s: float = 120.0,
        setup: Callable[[Executive], object] | None = None) -> RunResult:
    """One run of ``nodes`` (node 0 first: it holds the world and owns the
    clock): over ``ipc``/``tcp`` node 0 in this process and every other one
    in a child process; ``inproc``: all in one executive here (world, then
    the tasks of node 0, 1, ... in order). Returns node 0's
    :class:`RunResult` with every node's task status; ``setup(executive)``
    runs on this process's executive just before the run (e.g.
    ``ex.tap(writer.write)``: the stream, whatever the transport)."""
    try:
        check_transport(transport)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if not nodes:
        raise UserError("a run needs at least one node")
    config = config or ExecutiveConfig()
    if ticks is None:
        if duration_s is None:
            raise UserError("give a duration or a number of ticks")
        ticks = max(0, round(duration_s * config.tick_rate))
    if transport != "inproc":
        children = {i: plan for i, plan in enumerate(nodes) if i}
        with Session(transport, nodes=len(nodes), children=children,
                     timeout_s=timeout_s) as session:
            return session.run_leg(config, ticks,
                                   here={0: build_parts(nodes[0].factory, nodes[0].kwargs)},
                                   setup=setup)
    bus = Bus.local(name="run")
    try:
        ex = Executive(bus, config)
        for i, plan in enumerate(nodes):
            parts = build_parts(plan.factory, plan.kwargs)
            if parts.world is not None and i != 0:
                raise UserError(f"node {i} ({plan.factory}) has a world: only node 0 may")
            populate(ex, parts)
        if setup is not None:
            setup(ex)
        return ex.run(ticks=ticks)
    finally:
        bus.close()
