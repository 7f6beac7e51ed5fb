"""The composition of a recorded run (executive configuration and participant
order of each leg), captured while the run is made and stored beside its
archive (``RUN/composition.json``), so a lockstep replay rebuilds exactly the
executives the run had, whatever the composition root did.

Capture (around any code that builds executives through
``fsw_tools.mission.Executive`` or another module's ``Executive`` name)::

    with capture_composition(fsw_tools.mission) as legs:
        fly(...)
    write_composition(run, legs)

Replay::

    legs = read_composition(run)
    for leg in legs: leg.config, leg.participants  # [(name, rate_group, world)]
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from fsw_tools.rundir import RunDir

from fsw.errors import UserError


@dataclass
class Participant:
    """One participant of a leg, in stepping order."""

    name: str
    rate_group: str
    world: bool = False


@dataclass
class Leg:
    """One executive of the run: its configuration and participants."""

    config: dict[str, Any]
    participants: list[Participant] = field(default_factory=list)

    def executive_config(self) -> Any:
        from fsw.executive import ExecutiveConfig

        try:
            return ExecutiveConfig(**self.config)
        except TypeError as exc:
            raise UserError(f"recorded executive configuration no longer loads: {exc}") from None


@contextlib.contextmanager
def capture_composition(module: ModuleType, name: str = "Executive") -> Iterator[list[Leg]]:
    """Record the legs of the executives ``module`` builds while inside (its
    class ``name``: an Executive, or anything with its ``config``, ``add``
    and ``add_world``, e.g. the split run's ``SplitExecutive``)."""
    legs: list[Leg] = []
    original = getattr(module, name)

    class Capturing(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._leg = Leg(dataclasses.asdict(self.config))
            self._leg.config["rates"] = dict(self._leg.config["rates"])
            legs.append(self._leg)

        def add_world(self, world: Any) -> None:
            super().add_world(world)
            name = str(getattr(world, "name", "") or type(world).__name__.lower())
            self._leg.participants.insert(0, Participant(name, "world", True))

        def add(self, task: Any, *, rate_group: str | None = None) -> None:
            super().add(task, rate_group=rate_group)
            group = rate_group or getattr(task, "rate_group", None) or "default"
            name = str(getattr(task, "name", "") or type(task).__name__.lower())
            self._leg.participants.append(Participant(name, group))

    setattr(module, name, Capturing)
    try:
        yield legs
    finally:
        setattr(module, name, original)


def write_composition(run: RunDir, legs: list[Leg]) -> None:
    doc = {"legs": [{"config": leg.config,
                     "participants": [dataclasses.asdict(p) for p in leg.participants]}
                    for leg in legs]}
    run.composition.write_text(json.dumps(doc, indent=1) + "\n")


def read_composition(run: RunDir) -> list[Leg]:
    try:
        doc = json.loads(run.composition.read_text())
        return [Leg(d["config"], [Participant(**p) for p in d["participants"]])
                for d in doc["legs"]]
    except FileNotFoundError:
        raise UserError(f"{run.root}: no {run.composition.name} (the run's composition "
                        "was not recorded)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{run.composition}: unreadable composition ({exc})") from None
