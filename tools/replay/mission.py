"""Replay a recorded mission run through fresh flight-software tasks
(DESIGN.md, use 3: reproduce a run, a bug or an anomaly).

The run directory must hold ``composition.json`` (the executives of the run,
recorded with :mod:`fsw_tools.replay.composition`) and ``scenario.toml``.
Every participant named like a flight-software task is rebuilt fresh from the
scenario (:func:`fsw.tasks.compose.build_tasks`); the world and the ground
station are replaced by their recorded packets
(:class:`~fsw_tools.replay.lockstep.ReplayInputs`); any other participant
(monitor, valve model) by a silent stand-in at its place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fsw_tools.archive import read_archive
from fsw_tools.replay.composition import read_composition
from fsw_tools.replay.harness import ReplayReport
from fsw_tools.replay.lockstep import ReplayInputs, replay_lockstep
from fsw_tools.rundir import RunDir

from fsw.errors import UserError
from fsw.packets import APID_AREAS
from fsw.tasks.compose import build_tasks

TC_APIDS = APID_AREAS["telecommands"].apids
SENSOR_APIDS = APID_AREAS["sensors"].apids
#: recorded sources replaced by their recorded packets
SOURCES: Mapping[str, range] = {"world": SENSOR_APIDS, "ground": TC_APIDS}

TaskFactory = Callable[[Any, Any], Any]  # (scenario, key ring) -> task


def _run_keys(run: RunDir, sc: Any) -> Any:
    """The run's telecommand keys: its key file (named in summary.json), or
    the test keys derived from its seed."""
    from fsw_tools.mission import run_keys

    from fsw.packets.auth import KeyRing

    summ = run.read_summary()
    key_file = summ.get("telecommand_key_file")
    if key_file:
        try:
            return KeyRing.load(key_file)
        except UserError as exc:
            raise UserError(f"{run.root} was flown with the keys of {key_file}, needed to "
                            f"replay its telecommands: {exc}") from None
    return run_keys(int(summ.get("seed", sc.mission.seed)))
def replay_run(root: Any, factories: Mapping[str, TaskFactory] | None = None,
               keys: Any = None,
               progress: Callable[[int, int, int], None] | None = None) -> list[ReplayReport]:
    """Replay every leg of the run in ``root``; one report per leg.

    ``factories`` overrides task constructors by name (e.g. a modified task
    to see where it diverges); ``keys`` is the telecommand key ring (default:
    the run's: the key file its summary names, or the test keys derived from
    its seed); a copy in memory is used, so the anti-replay state kept
    beside a key file is neither read nor advanced. ``progress(leg,
    tick, ticks)`` is called as each leg replays.
    """
    from fsw.scenario import load

    run = RunDir.of(root).check()
    if not run.scenario.is_file():
        raise UserError(f"{run.root}: no {run.scenario.name}: cannot rebuild the tasks")
    legs = read_composition(run)
    sc = load(run.scenario)
    if keys is None:
        keys = _run_keys(run, sc)
    keys = keys.copy()  # a replay never touches the anti-replay state of a key file
    tasks = build_tasks(sc, keys)
    tasks.update({name: make(sc, keys) for name, make in (factories or {}).items()})
    arc = read_archive(run.archive)
    reports = []
    for i, leg in enumerate(legs):
        config = leg.executive_config()
        parts = [tasks[p.name] if p.name in tasks else
                 ReplayInputs(p.name, SOURCES.get(p.name, ()), world=p.world,
                              rate_group=p.rate_group)
                 for p in leg.participants]
        stop = legs[i + 1].config["t0_tai"] if i + 1 < len(legs) else None
        step = None if progress is None else (lambda k, n, leg=i: progress(leg, k, n))
        reports.append(replay_lockstep(arc.select(start=config.t0_tai, stop=stop), parts,
                                       config, progress=step))
    return reports
