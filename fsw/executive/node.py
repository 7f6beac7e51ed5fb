"""One node of a multi-process run: its participants, built by a factory,
added to an executive behind the broker.

A node is described by a picklable :class:`NodeSpec`; its participants come
from a factory named by a string ``"package.module:function"`` called with
``kwargs`` in the node's own process or thread (so nothing unpicklable
crosses a process boundary, and fsw never imports the composition root). The
factory returns :class:`Parts`. The processes themselves are started by the
one multi-process runner, ``fsw_tools.runner``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fsw.bus import DEFAULT_HWM, BrokerEndpoints, Bus
from fsw.executive.config import ExecutiveConfig
from fsw.executive.executive import Executive, RunResult


@dataclass
class Parts:
    """What a factory returns: an optional world and tasks in stepping order
    (a task, or ``(task, rate_group)``)."""

    world: Any = None
    tasks: Sequence[Any] = field(default_factory=list)


@dataclass(frozen=True)
class NodeSpec:
    """A picklable description of one node of a run."""

    factory: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    config: ExecutiveConfig = field(default_factory=ExecutiveConfig)
    role: str = "solo"
    node: int = 0
    nodes: int = 1
    ticks: int | None = None
    hwm: int = DEFAULT_HWM


def resolve(factory: str) -> Callable[..., Parts]:
    """The callable named ``"package.module:function"``."""
    mod, sep, attr = factory.partition(":")
    if not sep or not mod or not attr:
        raise ValueError(f"factory {factory!r}: expected 'package.module:function'")
    fn = getattr(importlib.import_module(mod), attr, None)
    if not callable(fn):
        raise ValueError(f"factory {factory!r}: {attr} is not a callable of {mod}")
    return fn


def build_parts(factory: str, kwargs: Mapping[str, Any]) -> Parts:
    """Call a factory and check what it returns."""
    parts = resolve(factory)(**dict(kwargs))
    if not isinstance(parts, Parts):
        raise TypeError(f"factory {factory} returned {type(parts).__name__}, not Parts")
    return parts


def populate(ex: Executive, parts: Parts) -> None:
    """Add a node's world and tasks to an executive, in order."""
    if parts.world is not None:
        ex.add_world(parts.world)
    for item in parts.tasks:
        if isinstance(item, tuple):
            task, group = item
            ex.add(task, rate_group=group)
        else:
            ex.add(item)


def run_node(spec: NodeSpec, endpoints: BrokerEndpoints, *, bus: Bus | None = None,
             setup: Callable[[Executive], object] | None = None) -> RunResult:
    """Run one node behind the broker at ``endpoints`` until the run ends.

    ``bus``: use this bus endpoint (e.g. a recording one, connected to
    ``endpoints``) instead of a plain ``Bus.connect``; it is closed at the
    end either way. ``setup(executive)`` is called once the participants are
    added, just before the run."""
    parts = build_parts(spec.factory, spec.kwargs)
    bus = bus or Bus.connect(endpoints, name=f"node{spec.node}", hwm=spec.hwm)
    try:
        ex = Executive(bus, spec.config, role=spec.role, node=spec.node, nodes=spec.nodes)
        populate(ex, parts)
        if setup is not None:
            setup(ex)
        return ex.run(ticks=spec.ticks)
    finally:
        bus.close()
