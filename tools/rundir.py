"""The run directory: what ``fsw run`` leaves behind and what ``fsw replay``,
``fsw decode``, ``fsw plot`` and ``fsw report`` read. One place names its files::

    RUN/
      packets.fswarc   every packet of the run with its receive time (docs/archive.md)
      summary.json     the run summary (written once, at the end of the run)
      scenario.toml    the scenario as flown (optional)
      composition.json the executive configuration and participant order of
                       each leg of the run (optional; what a lockstep replay
                       needs: fsw_tools.replay.composition)
      plots/           PNG plots written by ``fsw plot``
      report.html      the self-contained report written by ``fsw report``

``summary.json`` is a JSON object; the tools read these keys when present
(any other key is shown as-is in the report): ``scenario`` (name), ``seed``,
``outcome`` (e.g. "DEPARTURE", "SAFE"), ``sim_duration_s``, ``wall_time_s``,
``packets``, ``packet_hash``, ``delta_v_m_s``, ``min_range_m``,
``keep_out_radius_m``, ``phases`` (list of ``{"mode": str, "t": float}``, TAI s).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsw.errors import UserError

ARCHIVE_NAME = "packets.fswarc"
SUMMARY_NAME = "summary.json"
SCENARIO_NAME = "scenario.toml"
COMPOSITION_NAME = "composition.json"
PLOTS_NAME = "plots"
REPORT_NAME = "report.html"


@dataclass(frozen=True)
class RunDir:
    """Paths of one run directory (nothing is created until asked)."""

    root: Path

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> RunDir:
        return cls(Path(path))

    @property
    def archive(self) -> Path:
        return self.root / ARCHIVE_NAME

    @property
    def summary(self) -> Path:
        return self.root / SUMMARY_NAME

    @property
    def scenario(self) -> Path:
        return self.root / SCENARIO_NAME

    @property
    def composition(self) -> Path:
        return self.root / COMPOSITION_NAME

    @property
    def plots(self) -> Path:
        return self.root / PLOTS_NAME

    @property
    def report(self) -> Path:
        return self.root / REPORT_NAME

    def create(self) -> RunDir:
        """Make the directory (and parents); an existing run's archive is an error."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.archive.exists():
            raise UserError(f"{self.root} already holds a run ({ARCHIVE_NAME}); choose another")
        return self

    def write_summary(self, summary: dict[str, Any]) -> Path:
        """Write summary.json atomically (temporary file, then rename)."""
        tmp = self.summary.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(summary, indent=2, sort_keys=True, default=_jsonable) + "\n")
        os.replace(tmp, self.summary)
        return self.summary

    def read_summary(self) -> dict[str, Any]:
        """The run summary; {} if the run has none (e.g. it was killed)."""
        if not self.summary.exists():
            return {}
        try:
            data = json.loads(self.summary.read_text())
        except (OSError, ValueError) as exc:
            raise UserError(f"{self.summary}: unreadable run summary ({exc})") from None
        if not isinstance(data, dict):
            raise UserError(f"{self.summary}: a run summary must be a JSON object")
        return data

    def check(self) -> RunDir:
        """Raise a UserError unless this is a run directory with an archive."""
        if not self.root.is_dir():
            raise UserError(f"{self.root}: no such run directory")
        if not self.archive.is_file():
            raise UserError(f"{self.root}: not a run directory (no {ARCHIVE_NAME})")
        return self


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays, paths: into JSON types."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
