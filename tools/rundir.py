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
``keep_out_radius_m``, ``phases`` (list of ``{"mode": str, "t": float}``, TAI s),
``stopped_by`` (why the run ended: "departure", "duration", "max_duration",
"mode"), ``archive`` (false for a run flown with ``--no-archive``).
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
        """Make the directory (and parents); an existing run is an error, and
        so is a path that is a file, lies under a file or cannot be written."""
        from fsw_tools.files import output_dir

        if self.archive.exists() or self.archive.is_symlink() or self.summary.exists():
            raise UserError(f"{self.root} already holds a run; choose another --out")
        output_dir(self.root)
        return self

    def write_summary(self, summary: dict[str, Any]) -> Path:
        """Write summary.json atomically (temporary file, then rename)."""
        from fsw_tools.files import atomic_write

        text = json.dumps(summary, indent=2, sort_keys=True, default=_jsonable) + "\n"
        return atomic_write(self.summary, text)

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
            if self.summary.is_file():
                flown = self.read_summary().get("archive")
                why = "it was flown with --no-archive" if flown is False else "no packet archive"
                raise UserError(f"{self.root}: {why}: only its summary.json is there "
                                f"(fly it again without --no-archive to decode, plot, "
                                f"report or replay it)")
            raise UserError(f"{self.root}: not a run directory (no {ARCHIVE_NAME})")
        return self


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays, paths: into JSON types."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
