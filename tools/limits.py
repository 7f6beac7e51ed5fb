"""Every limit violation of a recorded run, from its archive alone.

The limits are the dictionary's (:mod:`fsw.packets.limits`, declared on the
fields). A *violation* is one episode: consecutive packets of a field out of
its limits (its level above nominal), from the first such packet to the last,
with the worst level and value reached; a packet back in limits, or one whose
``when`` context is not met, ends it. A packet shared by several sources
(``PacketDef.instance``, e.g. HEARTBEAT by task) is followed per source
(``HEARTBEAT[adcs].state``). Times are the packets' on-board times (TAI
seconds since 1958).

    from fsw_tools.limits import violations
    for v in violations("runs/x/packets.fswarc"):      # or an Archive / DecodeResult
        print(v.level_name, v.parameter, v.start_utc, v.duration_s, v.worst, v.limits)
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from fsw.packets import DICTIONARY
from fsw.packets.limits import LEVELS, levels, limited_fields, state_levels

#: TAI seconds since 1958-01-01 at the Unix epoch, and TAI - UTC since 2017
TAI1958_TO_UNIX_S = 378_691_200
TAI_MINUS_UTC_S = 37


def tai_to_utc(t_tai: float) -> _dt.datetime:
    """On-board TAI seconds since 1958 -> UTC (TAI-UTC = 37 s, in force since 2017)."""
    unix = t_tai - TAI1958_TO_UNIX_S - TAI_MINUS_UTC_S
    return _dt.datetime.fromtimestamp(unix, _dt.UTC)


@dataclass(frozen=True)
class Violation:
    """One episode of a field out of its limits."""

    packet: str
    field: str
    level: int  # worst level reached: 1 warning, 2 critical
    start_tai: float  # first packet out of limits
    end_tai: float  # last packet out of limits
    samples: int  # packets out of limits in the episode
    worst: Any  # worst value (the enum name of a state)
    unit: str
    limits: str  # the limits, described
    instance: str | None = None  # the source, for a packet shared by several

    @property
    def parameter(self) -> str:
        where = self.packet if self.instance is None else f"{self.packet}[{self.instance}]"
        return f"{where}.{self.field}"

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]

    @property
    def duration_s(self) -> float:
        return self.end_tai - self.start_tai

    @property
    def start_utc(self) -> str:
        return tai_to_utc(self.start_tai).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _tables(source: Any) -> dict[str, dict[str, np.ndarray]]:
    """Columns per packet name from a path, an Archive or decoded tables."""
    from fsw_tools.archive import Archive, read_archive
    from fsw_tools.archive.tables import DecodeResult, decode_archive

    if isinstance(source, str | os.PathLike):
        source = read_archive(source)
    if isinstance(source, Archive):
        source = decode_archive(source)
    if isinstance(source, DecodeResult):
        return source.tables
    return dict(source)


def _excess(f: Any, x: np.ndarray) -> np.ndarray:
    """How far each sample lies outside the warning range (larger is worse)."""
    lo, hi = f.limits.warning
    clo, chi = f.limits.critical
    lo = lo if lo is not None else clo
    hi = hi if hi is not None else chi
    xf = x.astype(np.float64)
    out = np.full(xf.shape, -np.inf)
    if lo is not None:
        out = np.maximum(out, lo - xf)
    if hi is not None:
        out = np.maximum(out, xf - hi)
    out[np.isnan(xf)] = np.inf
    return out


def _episodes(lv: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index runs where the level is above nominal."""
    bad = np.concatenate(([0], (lv > 0).astype(np.int8), [0]))
    edges = np.diff(bad)
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(),
                    strict=True))


def violations(source: Any, dictionary: Any = DICTIONARY) -> list[Violation]:
    """Every limit violation in ``source`` (an archive path, an
    :class:`~fsw_tools.archive.Archive`, a ``DecodeResult`` or tables
    ``{packet: {column: array}}``), ordered by start time."""
    tables = _tables(source)
    out: list[Violation] = []
    for pdef in dictionary.values():
        cols = tables.get(pdef.name)
        if not cols or not len(cols.get("t_tai", ())):
            continue
        if not limited_fields(pdef):
            continue
        t = np.asarray(cols["t_tai"], dtype=np.float64)
        order = np.argsort(t, kind="stable")
        sorted_cols = {k: np.asarray(v)[order] for k, v in cols.items()}
        for instance, rows in _sources(pdef, sorted_cols):
            out += _field_violations(pdef, {k: v[rows] for k, v in sorted_cols.items()},
                                     instance)
    out.sort(key=lambda v: (v.start_tai, v.packet, v.instance or "", v.field))
    return out


def _sources(pdef: Any, cols: dict[str, np.ndarray]) -> list[tuple[str | None, np.ndarray]]:
    """(instance, row indices) of each source of the packet."""
    n = len(cols["t_tai"])
    if pdef.instance is None:
        return [(None, np.arange(n))]
    key = cols[pdef.instance]
    out = []
    for value in np.unique(key):
        name = value.decode("utf-8", "replace").rstrip("\0") if isinstance(value, bytes) \
            else str(value)
        out.append((name, np.flatnonzero(key == value)))
    return out


def _field_violations(pdef: Any, cols: dict[str, np.ndarray], instance: str | None
                      ) -> list[Violation]:
    out = []
    t = cols["t_tai"]
    for f in limited_fields(pdef):
        lv = levels(pdef, f, cols)
        x = cols[f.name]
        names = pdef.enum_names(f.name) if f.limits.states else {}
        states = state_levels(pdef, f.name, f.limits) if f.limits.states else None
        for a, b in _episodes(lv):
            seg = x[a:b]
            if states is not None:
                worst_i = max(range(b - a), key=lambda i: states.get(int(seg[i]), 0))
                worst: Any = names.get(int(seg[worst_i]), int(seg[worst_i]))
            else:
                ex = _excess(f, seg)
                if ex.ndim > 1:
                    worst = float(seg.reshape(-1)[int(np.argmax(ex))])
                else:
                    worst = float(seg[int(np.argmax(ex))])
            out.append(Violation(pdef.name, f.name, int(lv[a:b].max()), float(t[a]),
                                 float(t[b - 1]), b - a, worst, f.unit, f.limits.describe(),
                                 instance))
    return out


__all__ = ["Violation", "tai_to_utc", "violations"]
