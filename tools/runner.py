"""Composition of a run over any transport: the API behind ``fsw run
--transport inproc|ipc|tcp``.

A run is a list of node factories (``"package.module:function"`` returning
:class:`fsw.executive.node.Parts`), node 0 first: it holds the world and owns
the clock; the others hold tasks. With ``inproc`` every node's parts run in
one executive in this process over a local bus (world, then the tasks of node
0, 1, ... in order). With ``ipc``/``tcp`` a broker runs in a thread of this
process, node 0 runs in this process and every other node in a child process
of its own; the stream hash is the same as in-process (see
:mod:`fsw.executive.sync`)::

    from fsw_tools.runner import NodePlan, run
    result = run([NodePlan("hil.world:build", {"scenario": path}),
                  NodePlan("fsw.tasks:build", {"scenario": path})],
                 transport="tcp", config=ExecutiveConfig(seed=1), duration_s=600)
    print(result.stream_hash)

The whole mission (``fsw run --transport ipc|tcp``) places its participants
over three nodes of its own, two legs long: :mod:`fsw_tools.mission.split`.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fsw.bus import Broker, BrokerEndpoints, Bus, check_transport
from fsw.errors import UserError
from fsw.executive import Executive, ExecutiveConfig, ExecutiveError, RunResult
from fsw.executive.node import NodeSpec, build_parts, populate, run_node

#: A child node's entry (not ``-m``: the factory's classes must be the modules' own).
_CHILD = "import sys; from fsw.executive.node import main; sys.exit(main(sys.argv[1:]))"


def _child_errors(children: Sequence[tuple[subprocess.Popen[bytes], str]]) -> str:
    """The errors reported by children that already ended, for a message."""
    out = []
    for i, (proc, out_file) in enumerate(children, start=1):
        if proc.poll() is not None and os.path.exists(out_file):
            with open(out_file, "rb") as f:
                status, payload = pickle.load(f)
            if status != "ok":
                out.append(f"\n  node {i}: {payload.strip().splitlines()[0]}")
    return "".join(out)


@dataclass(frozen=True)
class NodePlan:
    """One node of a run: its factory and the factory's keyword arguments."""

    factory: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


def run(nodes: Sequence[NodePlan], *, transport: str = "inproc",
        config: ExecutiveConfig | None = None, duration_s: float | None = None,
        ticks: int | None = None, timeout_s: float = 120.0,
        bus_factory: Callable[[BrokerEndpoints | None], Bus] | None = None,
        setup: Callable[[Executive], object] | None = None) -> RunResult:
    """Run the composition; returns node 0's :class:`RunResult` (with the
    stream hash and every node's task status). Child processes are bounded by
    ``timeout_s`` and always reaped.

    Hooks for the composition root, both about this process's executive
    (node 0, or the only one with ``inproc``): ``bus_factory(endpoints)``
    makes its bus endpoint (called with None for ``inproc``: return a local
    bus, e.g. ``RecordingBus.local(writer)``; else connect to ``endpoints``,
    e.g. ``RecordingBus.connect(endpoints, writer)``: the owner receives the
    whole stream); ``setup(executive)`` runs just before the run (e.g. to set
    a recorder's clock to ``lambda: executive.t``)."""
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
    if transport == "inproc":
        return _run_inproc(nodes, config, ticks, bus_factory, setup)
    return _run_split(nodes, transport, config, ticks, timeout_s, bus_factory, setup)


def _run_inproc(nodes: Sequence[NodePlan], config: ExecutiveConfig, ticks: int,
                bus_factory: Callable[[BrokerEndpoints | None], Bus] | None,
                setup: Callable[[Executive], object] | None) -> RunResult:
    bus = bus_factory(None) if bus_factory else Bus.local(name="run")
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


def _run_split(nodes: Sequence[NodePlan], transport: str, config: ExecutiveConfig, ticks: int,
               timeout_s: float, bus_factory: Callable[[BrokerEndpoints | None], Bus] | None,
               setup: Callable[[Executive], object] | None) -> RunResult:
    n = len(nodes)
    children: list[tuple[subprocess.Popen[bytes], str]] = []
    with (tempfile.TemporaryDirectory(prefix="fsw-run-") as tmp,
          Broker(transport, secure=True) as broker):
        endpoints = broker.endpoints
        assert endpoints is not None
        try:
            for i in range(1, n):
                spec = NodeSpec(nodes[i].factory, dict(nodes[i].kwargs), config, "follower",
                                i, n)
                spec_file = os.path.join(tmp, f"node{i}.spec")
                out_file = os.path.join(tmp, f"node{i}.result")
                with open(spec_file, "wb") as f:
                    pickle.dump((spec, endpoints, list(sys.path)), f)
                proc = subprocess.Popen([sys.executable, "-c", _CHILD, spec_file, out_file],
                                        stdin=subprocess.DEVNULL)
                children.append((proc, out_file))
            owner = NodeSpec(nodes[0].factory, dict(nodes[0].kwargs), config, "owner", 0, n,
                             ticks)
            try:
                result = run_node(owner, endpoints,
                                  bus=bus_factory(endpoints) if bus_factory else None,
                                  setup=setup)
            except Exception as exc:
                raise ExecutiveError(f"{exc}{_child_errors(children)}") from exc
            for i, (proc, out_file) in enumerate(children, start=1):
                try:
                    proc.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    raise ExecutiveError(f"node {i} did not end within {timeout_s} s") from None
                if not os.path.exists(out_file):
                    raise ExecutiveError(f"node {i} exited with {proc.returncode}, no result")
                with open(out_file, "rb") as f:
                    status, payload = pickle.load(f)
                if status != "ok":
                    raise ExecutiveError(payload)
                result.tasks.update(payload.tasks)
            return result
        finally:
            for proc, _ in children:
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(5.0)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(5.0)
