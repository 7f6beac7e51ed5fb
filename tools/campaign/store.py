"""The results of a campaign on disk: one JSON object per run and line in
``runs.jsonl``, appended and flushed as each run finishes, beside a manifest
``campaign.json`` that names the campaign (scenario hash, seed, runner).

Restarted with the same arguments, a campaign reads the rows it has and runs
only the missing indices. A torn last line (the process was killed while
writing it) is cut off and its run counted as missing; an unreadable line
elsewhere is skipped and counted (``corrupt_lines``), never silently used.
A manifest that names another campaign is a UserError: two campaigns never
mix in one file.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fsw.errors import UserError

__all__ = ["FORMAT", "ROWS_FILE", "SCALAR_COLUMNS", "ResultStore", "write_csv"]

FORMAT = "fsw-campaign/1"
ROWS_FILE = "runs.jsonl"
MANIFEST_FILE = "campaign.json"
CSV_FILE = "runs.csv"
#: columns of the CSV export (list-valued fields joined with ';')
SCALAR_COLUMNS = (
    "index", "seed", "outcome", "min_range_m", "dv_mps", "time_to_first_track_s", "faults", "error",
)
#: manifest keys that must match for a resumed campaign to be the same one
IDENTITY_KEYS = ("format", "scenario_sha256", "seed", "runner")


class ResultStore:
    """Rows of one campaign in ``out_dir``; open with :meth:`open`."""

    def __init__(self, out_dir: Path, manifest: dict[str, Any]) -> None:
        self.out_dir = out_dir
        self.manifest = manifest
        self.rows: dict[int, dict[str, Any]] = {}
        self.corrupt_lines = 0
        self.torn_tail = False
        self._fh: Any = None

    @classmethod
    def open(cls, out_dir: str | Path, manifest: Mapping[str, Any]) -> ResultStore:
        """Open (or create) the store of the campaign named by ``manifest``."""
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create campaign folder {str(out)!r}: {exc}") from None
        wanted = {"format": FORMAT, **manifest}
        path = out / MANIFEST_FILE
        if path.exists():
            try:
                have = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UserError(
                    f"{path} is unreadable ({exc}); remove it or use another --out"
                ) from None
            diff = [k for k in IDENTITY_KEYS if have.get(k) != wanted.get(k)]
            if diff:
                what = ", ".join(f"{k} {have.get(k)!r} != {wanted.get(k)!r}" for k in diff)
                raise UserError(
                    f"{out} holds another campaign ({what}); use another --out or remove it"
                )
            wanted = {**have, **wanted}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(wanted, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        store = cls(out, wanted)
        store._load()
        store._fh = open(out / ROWS_FILE, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        return store

    @property
    def rows_path(self) -> Path:
        return self.out_dir / ROWS_FILE

    def _load(self) -> None:
        path = self.rows_path
        if not path.exists():
            return
        data = path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # torn last line: cut it off so appends start clean
            self.torn_tail = True
            with open(path, "r+b") as fh:
                fh.truncate(end)
        for line in data[:end].splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                index = row["index"]
                if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                    raise ValueError(f"bad index {index!r}")
            except (ValueError, KeyError, TypeError):
                self.corrupt_lines += 1
                continue
            self.rows.setdefault(index, row)

    def missing(self, runs: int) -> list[int]:
        """Indices below ``runs`` without a row."""
        return [i for i in range(runs) if i not in self.rows]

    def append(self, row: Mapping[str, Any]) -> None:
        """Record one finished run (written and flushed before returning)."""
        index = row["index"]
        if index in self.rows:
            raise ValueError(f"run {index} is already recorded")
        line = json.dumps(row, allow_nan=False, separators=(",", ":"))
        self._fh.write(line + "\n")
        self._fh.flush()
        self.rows[index] = json.loads(line)

    def sorted_rows(self, runs: int | None = None) -> list[dict[str, Any]]:
        """Rows by index (only those below ``runs`` if given)."""
        return [self.rows[i] for i in sorted(self.rows) if runs is None or i < runs]

    def close(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_csv(out_dir: str | Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """The scalar columns of ``rows`` as ``out_dir/runs.csv`` (for spreadsheets)."""
    path = Path(out_dir) / CSV_FILE
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SCALAR_COLUMNS)
        for row in rows:
            cells = []
            for col in SCALAR_COLUMNS:
                value = row.get(col)
                if isinstance(value, list):
                    value = ";".join(str(v) for v in value)
                cells.append("" if value is None else value)
            writer.writerow(cells)
    return path
