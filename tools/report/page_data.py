"""Small tables of the run report: packet counts by APID and the task status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def packets_rows(counts: Mapping[int, int], dictionary: Any) -> list[tuple[int, str, int]]:
    """(APID, packet name, packets) by APID."""
    return [(apid, dictionary.by_apid[apid].name if apid in dictionary.by_apid else "?", n)
            for apid, n in sorted(counts.items())]


def tasks_rows(tasks: Any) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """(task name, status) rows and the columns of the task table."""
    if not isinstance(tasks, dict):
        return [], []
    rows = [(name, v) for name, v in sorted(tasks.items()) if isinstance(v, dict)]
    cols = sorted({k for _, v in rows for k in v} - {"name"})
    return rows, cols
