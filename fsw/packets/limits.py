"""Limits and alarms of telemetry fields, declared once in the dictionary,
beside the field they watch::

    Field("st_age", F64, "s", "time since the last star-tracker fix",
          limits=Limits(warning=(None, 60.0), critical=(None, 600.0)))
    Field("att_error", F64, "rad", "...", limits=Limits(warning=(None, 0.0873),
          critical=(None, 0.524), when=("mode", "target_track")))
    Field("state", TASK_STATE, "", "...",
          limits=Limits(states={"degraded": WARNING, "faulted": CRITICAL}))

- ``warning`` and ``critical`` are the *normal* ranges ``(low, high)``, either
  bound None (open): a value outside the warning range is a warning, outside
  the critical range a critical alarm (XTCE ``StaticAlarmRanges``,
  ``rangeForm="outside"``, inclusive bounds). Arrays are checked element by
  element. The critical range must contain the warning range.
- ``states``: enum fields only, enum name -> level (XTCE ``EnumerationAlarm``).
- ``when``: the limits apply only while another field of the same packet has
  this value (an enum name or an integer); otherwise the field is not
  checked (XTCE ``ContextAlarm``).
- ``valid`` (scalars): the range of meaningful values; a value outside it is
  a sentinel (e.g. -1 for "unknown") and is not checked (XTCE ``ValidRange``).

The ground console evaluates them on every packet (:func:`check`), the XTCE
export carries them as alarms, and ``fsw_tools.limits`` lists every
violation of a recorded run (:func:`levels` is the vectorised form).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NOMINAL, WARNING, CRITICAL = 0, 1, 2
#: Level names, by level (also the XTCE concern levels used).
LEVELS = ("nominal", "warning", "critical")

Range = tuple[float | None, float | None]


@dataclass(frozen=True)
class Limits:
    """Normal ranges / alarm states of one field (see the module docstring)."""

    warning: Range = (None, None)
    critical: Range = (None, None)
    states: Mapping[str, int] = field(default_factory=dict)
    when: tuple[str, str | int] | None = None
    valid: Range = (None, None)

    @property
    def numeric(self) -> bool:
        """True if the limits are ranges (not enum states)."""
        return any(b is not None for b in (*self.warning, *self.critical))

    def describe(self) -> str:
        """Human-readable form, e.g. ``warning outside [-0.1, 0.1]; critical > 5``."""
        parts = []
        for name, (lo, hi) in (("warning", self.warning), ("critical", self.critical)):
            if lo is not None and hi is not None:
                parts.append(f"{name} outside [{lo:g}, {hi:g}]")
            elif lo is not None:
                parts.append(f"{name} < {lo:g}")
            elif hi is not None:
                parts.append(f"{name} > {hi:g}")
        for state, level in sorted(self.states.items(), key=lambda kv: (-kv[1], kv[0])):
            parts.append(f"{LEVELS[level]} if {state}")
        text = "; ".join(parts)
        lo, hi = self.valid
        if lo is not None or hi is not None:
            text += f" (values outside [{'' if lo is None else f'{lo:g}'}, "
            text += f"{'' if hi is None else f'{hi:g}'}] mean unknown)"
        if self.when is not None:
            text += f" (while {self.when[0]} = {self.when[1]})"
        return text

    def is_valid(self, x: float) -> bool:
        """False for a value outside ``valid`` (not checked)."""
        lo, hi = self.valid
        return not ((lo is not None and x < lo) or (hi is not None and x > hi))

    def range_level(self, x: float) -> int:
        """Level of one number against the ranges (NaN is critical)."""
        if isinstance(x, float) and math.isnan(x):
            return CRITICAL
        lo, hi = self.critical
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            return CRITICAL
        lo, hi = self.warning
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            return WARNING
        return NOMINAL


def _enum(pdef: Any, name: str) -> dict[str, int] | None:
    lay = pdef.layouts.get(name)
    return dict(lay.enum) if lay is not None and lay.enum is not None else None


def context_value(pdef: Any, limits: Limits) -> int | None:
    """The integer the ``when`` field must hold, or None without a context."""
    if limits.when is None:
        return None
    name, value = limits.when
    if isinstance(value, str):
        return (_enum(pdef, name) or {})[value]
    return int(value)


def state_levels(pdef: Any, field_name: str, limits: Limits) -> dict[int, int]:
    """Enum value -> level of an enum field's ``states``."""
    mapping = _enum(pdef, field_name) or {}
    return {mapping[s]: lvl for s, lvl in limits.states.items()}


def validate(pdef_name: str, fields: Any, layouts: Mapping[str, Any]) -> None:
    """Check every field's limits against the packet; raises ValueError."""
    names = [f.name for f in fields]
    for f in fields:
        lim = getattr(f, "limits", None)
        if lim is None:
            continue
        where = f"{pdef_name}.{f.name} limits"
        lay = layouts.get(f.name)
        if lay is None or lay.kind not in ("scalar", "enum", "array"):
            raise ValueError(f"{where}: only numbers, arrays of numbers and enums have limits")
        if lim.states:
            if lay.kind != "enum":
                raise ValueError(f"{where}: states need an enum field")
            bad = set(lim.states) - set(lay.enum or {})
            if bad:
                raise ValueError(f"{where}: unknown states {sorted(bad)}")
            if any(v not in (WARNING, CRITICAL) for v in lim.states.values()):
                raise ValueError(f"{where}: a state's level is WARNING or CRITICAL")
        if lim.numeric and lay.kind == "enum":
            raise ValueError(f"{where}: an enum has states, not ranges")
        if not lim.numeric and not lim.states:
            raise ValueError(f"{where}: no range and no state")
        if lim.valid != (None, None) and (lay.kind != "scalar" or lay.fmt[-1] not in "fd"
                                           or not lim.numeric):
            raise ValueError(f"{where}: a valid range belongs to a float with ranges")
        for lo, hi in (lim.warning, lim.critical):
            if lo is not None and hi is not None and not lo < hi:
                raise ValueError(f"{where}: range ({lo}, {hi}) is empty")
        (wlo, whi), (clo, chi) = lim.warning, lim.critical
        if (clo is not None and wlo is not None and clo > wlo) or (
                chi is not None and whi is not None and chi < whi):
            raise ValueError(f"{where}: the critical range must contain the warning range")
        if lim.when is not None:
            other, value = lim.when
            if other not in names or other == f.name:
                raise ValueError(f"{where}: 'when' names no other field of the packet")
            olay = layouts.get(other)
            if olay is None or olay.kind not in ("scalar", "enum") or olay.fmt[-1] in "fd":
                raise ValueError(f"{where}: 'when' needs an integer or enum field")
            if isinstance(value, str) and value not in (olay.enum or {}):
                raise ValueError(f"{where}: {other} has no value {value!r}")


def limited_fields(pdef: Any) -> list[Any]:
    """The fields of ``pdef`` that declare limits, in order."""
    return [f for f in pdef.fields if getattr(f, "limits", None) is not None]


def check(rec: Any) -> dict[str, tuple[int, Any]]:
    """Evaluate every limit of a decoded packet: field name -> (level, value
    that decided it: the worst element of an array), for the fields that were
    checked (context met). Fields without limits are absent."""
    pdef = rec.packet
    out: dict[str, tuple[int, Any]] = {}
    for f in limited_fields(pdef):
        lim: Limits = f.limits
        ctx = context_value(pdef, lim)
        if ctx is not None and getattr(rec, lim.when[0]) != ctx:  # type: ignore[index]
            continue
        value = getattr(rec, f.name)
        if lim.states:
            out[f.name] = (state_levels(pdef, f.name, lim).get(value, NOMINAL), value)
        elif isinstance(value, tuple):
            worst = max(value, key=lim.range_level)
            out[f.name] = (lim.range_level(worst), worst)
        elif lim.is_valid(value):
            out[f.name] = (lim.range_level(value), value)
    return out


def levels(pdef: Any, f: Any, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Vectorised :func:`check` of one field over decoded columns (bulk
    decoding): the level per packet (int8; -1 where the context is not met;
    arrays: the worst element)."""
    lim: Limits = f.limits
    x = np.asarray(columns[f.name])
    if lim.states:
        lv = np.zeros(len(x), dtype=np.int8)
        for value, level in state_levels(pdef, f.name, lim).items():
            lv[x == value] = level
    else:
        xf = x.astype(np.float64)
        lv = np.zeros(xf.shape, dtype=np.int8)
        for level, (lo, hi) in ((WARNING, lim.warning), (CRITICAL, lim.critical)):
            if lo is not None:
                lv[xf < lo] = level
            if hi is not None:
                lv[xf > hi] = level
        lv[np.isnan(xf)] = CRITICAL
        if lv.ndim > 1:
            lv = lv.max(axis=1)
        lo, hi = lim.valid
        if lo is not None:
            lv[xf < lo] = -1
        if hi is not None:
            lv[xf > hi] = -1
    ctx = context_value(pdef, lim)
    if ctx is not None:
        lv[np.asarray(columns[lim.when[0]]) != ctx] = -1  # type: ignore[index]
    return lv


__all__ = ["CRITICAL", "LEVELS", "NOMINAL", "WARNING", "Limits", "check", "context_value",
           "levels", "limited_fields", "state_levels", "validate"]
