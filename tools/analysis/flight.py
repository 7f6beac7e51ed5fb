"""Fly a scenario from Python, with overrides, into a run directory: what
``fsw run`` does, for a notebook or a script::

    import fsw_tools as fsw
    run = fsw.fly("short_inspection", overrides={"plan.keep_out_m": 80.0},
                  duration_s=600, out="runs/keep-out-80")
    run.summary["min_range_m"], run.frame("TRUTH_RELATIVE")

``scenario`` is a built-in name, a TOML path or a :class:`fsw.scenario.Scenario`;
``overrides`` maps dotted scenario keys to values (a misspelt key is an
error); ``seed`` replaces ``mission.seed``; ``duration_s`` stops the run that
long after the insertion into orbit (``summary["stopped_by"] == "duration"``).
The run directory holds the archive, summary.json, scenario.toml and
composition.json, like ``fsw run``'s, so every ``fsw`` command reads it.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fsw_tools.analysis.run import Run


def _scenario(scenario: Any, overrides: Mapping[str, Any] | None) -> Any:
    from fsw_tools.campaign.dispersions import apply_overrides

    from fsw import scenario as fsw_scenario

    sc = scenario if isinstance(scenario, fsw_scenario.Scenario) else \
        fsw_scenario.resolve(None if scenario is None else str(scenario))
    if overrides:
        sc = fsw_scenario.from_dict(apply_overrides(sc.to_dict(), dict(overrides)),
                                    source=sc.source)
    return sc


def fly(scenario: Any = "victus_haze", *, overrides: Mapping[str, Any] | None = None,
        seed: int | None = None, duration_s: float | None = None,
        out: str | os.PathLike[str] | None = None,
        progress: Callable[[float, str], None] | None = None) -> Run:
    """Fly ``scenario`` into the run directory ``out`` (default
    ``runs/<scenario>-<UTC time>``) and return it opened (see the module)."""
    from fsw_tools.commands.run import _composition, _toml
    from fsw_tools.files import atomic_write
    from fsw_tools.mission import fly as fly_mission
    from fsw_tools.mission import summary
    from fsw_tools.replay.composition import write_composition
    from fsw_tools.rundir import RunDir

    sc = _scenario(scenario, overrides)
    if out is None:
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        out = Path("runs") / f"{Path(sc.source.split(':')[-1]).stem}-{stamp}"
    rd = RunDir.of(out).create()
    atomic_write(rd.scenario, _toml(sc.to_dict()))
    with _composition("inproc") as legs:
        res = fly_mission(sc, seed=seed, archive=rd.archive, progress=progress,
                          duration_s=duration_s)
    write_composition(rd, legs)
    summ = summary(res)
    summ.update(run_dir=str(rd.root), archive=True, overrides=dict(overrides or {}))
    rd.write_summary(summ)
    return Run(rd.root)
