"""Scenario text for campaigns: found by path or built-in name, hashed (so a
resumed campaign can prove it is the same one), and turned into the dispersed
scenario of one run.

The campaign ships the scenario *text* to its workers (a remote Dask worker
has no access to the user's files), and each run rebuilds its scenario from
that text, its seed and its overrides with :func:`build`.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fsw_tools.campaign.dispersions import apply_overrides, sample

from fsw import scenario as fsw_scenario
from fsw.errors import UserError

__all__ = ["ScenarioSource", "build", "disperse", "dispersed", "nominal", "read_scenario",
           "with_duration"]


@dataclass(frozen=True)
class ScenarioSource:
    """A scenario's name (for reports), its TOML text and the text's SHA-256."""

    name: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def read_scenario(name_or_path: str) -> ScenarioSource:
    """The text of a scenario file, or of a built-in scenario by name; checked
    (a scenario that does not load is a UserError before any run starts)."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError(f"scenario file {name_or_path!r} not found") from None
        except OSError as exc:
            raise UserError(f"scenario file {name_or_path!r} cannot be read: "
                            f"{exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise UserError(f"scenario file {name_or_path!r} is not UTF-8 text "
                            f"(byte {exc.start})") from None
        name = path.stem
    else:
        res = resources.files("fsw") / "scenarios" / f"{name_or_path}.toml"
        if not res.is_file():
            known = ", ".join(fsw_scenario.builtin_names())
            raise UserError(
                f"no scenario file or built-in scenario {name_or_path!r} (have: {known})"
            )
        text = res.read_text(encoding="utf-8")
        name = name_or_path
    source = ScenarioSource(name=name, text=text)
    nominal(source.text)
    return source


def nominal(text: str) -> dict[str, Any]:
    """The validated scenario as nested tables with every default filled in."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"scenario is not valid TOML: {exc}") from None
    return fsw_scenario.from_dict(data).to_dict()


def dispersed(text: str, seed: int) -> dict[str, Any]:
    """The overrides (dotted key -> value) of the run of seed ``seed``."""
    data = nominal(text)
    return sample(data.get("dispersions", []), data, seed)


def build(text: str, seed: int, overrides: dict[str, Any]) -> fsw_scenario.Scenario:
    """The scenario of one run: nominal text, overrides applied, ``mission.seed``
    set to the run's seed; validated (a dispersed value out of range raises)."""
    data = apply_overrides(nominal(text), {**overrides, "mission.seed": seed})
    return fsw_scenario.from_dict(data, source="<campaign run>")


def disperse(sc: fsw_scenario.Scenario, seed: int) -> tuple[fsw_scenario.Scenario, dict[str, Any]]:
    """The scenario of the campaign run of seed ``seed``, from a loaded scenario
    (for ``fsw run --seed N``): dispersions drawn exactly as the campaign drew
    them, ``mission.seed`` set. Returns it with the overrides."""
    data = sc.to_dict()
    overrides = sample(data.get("dispersions", []), data, seed)
    out = apply_overrides(data, {**overrides, "mission.seed": seed})
    return fsw_scenario.from_dict(out, source=sc.source), overrides


def with_duration(source: ScenarioSource, duration_s: float) -> ScenarioSource:
    """The campaign's scenario cut ``duration_s`` after the insertion into
    orbit (``mission.max_duration_s`` set to the ascent plus it): a new
    scenario text, so a cut campaign never resumes an uncut one."""
    from fsw_tools.commands.run import _toml

    data = nominal(source.text)
    data["mission"]["max_duration_s"] = data["insertion"]["ascent_s"] + float(duration_s)
    text = f"# {source.name}, cut {duration_s:g} s after the insertion (fsw campaign " \
           f"--duration)\n" + _toml(data)
    cut = ScenarioSource(name=f"{source.name}-{duration_s:g}s", text=text)
    nominal(cut.text)
    return cut
