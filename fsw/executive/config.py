"""Configuration of the executive: time, rate groups, health policy.

Every field has a default; scenarios override them (``[executive]`` table).
Rates are in Hz; the tick rate is the fastest group's rate and every other
group's rate must divide it (a group runs every ``tick_rate / rate`` ticks).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from fsw.errors import UserError

#: Default rate groups (Hz): attitude at 10 Hz, everything else at 1 Hz.
DEFAULT_RATES: Mapping[str, float] = {"attitude": 10.0, "default": 1.0}
#: TAI seconds since 1958-01-01 of 2026-01-01T00:00:00 UTC (37 s leap).
DEFAULT_T0_TAI = 2145916837.0

MODES = ("lockstep", "realtime")


class ConfigError(UserError):
    """An executive configuration value is invalid."""


@dataclass(frozen=True)
class ExecutiveConfig:
    """How the executive runs (all times in seconds of simulated time)."""

    #: ``lockstep`` (simulated time, as fast as possible) or ``realtime``.
    mode: str = "lockstep"
    #: Rate groups, name -> Hz. ``default`` is the group of tasks that name none.
    rates: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    #: On-board time of tick 0, TAI seconds since 1958-01-01.
    t0_tai: float = DEFAULT_T0_TAI
    #: TAI - UTC in force (s), carried by the TIME packet.
    tai_utc: int = 37
    #: Seed of the run; each participant's generator derives from it and its name.
    seed: int = 0
    #: Period of the TIME packet (s); 0 = every tick.
    time_period_s: float = 1.0
    #: Period of each task's HEARTBEAT (s); 0 = every step of the task.
    heartbeat_period_s: float = 1.0
    #: Restarts allowed before a task is declared failed.
    max_restarts: int = 5
    #: Back-off before the first restart (s); doubles (``backoff_factor``) each time.
    backoff_s: float = 1.0
    backoff_factor: float = 2.0
    backoff_max_s: float = 60.0
    #: Running this long without a fault forgives earlier faults (s).
    stable_s: float = 60.0
    #: Real time only: wall-clock speed-up (1.0 = real time).
    speed: float = 1.0
    #: Multi-process lockstep: how long to wait for a peer before giving up (s).
    sync_timeout_s: float = 30.0
    #: Next sequence count per APID at tick 0 (APID -> count): a run of several
    #: legs continues the counters of the previous leg (``RunResult.next_seq``).
    seq_start: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"executive mode {self.mode!r}: use lockstep or realtime")
        if not self.rates or "default" not in self.rates:
            raise ConfigError("executive rates need a 'default' group")
        for name, hz in self.rates.items():
            if not (isinstance(hz, int | float) and math.isfinite(hz) and hz > 0):
                raise ConfigError(f"rate group {name!r}: {hz!r} Hz is not a positive number")
        top = self.tick_rate
        for name, hz in self.rates.items():
            n = top / hz
            if abs(n - round(n)) > 1e-9:
                raise ConfigError(f"rate group {name!r} at {hz} Hz does not divide the tick "
                                  f"rate {top} Hz")
        for name in ("time_period_s", "heartbeat_period_s", "backoff_s", "backoff_max_s",
                     "stable_s"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ConfigError(f"executive {name} = {v!r} must be >= 0")
        if self.max_restarts < 0 or self.backoff_factor < 1 or self.speed <= 0:
            raise ConfigError("executive max_restarts >= 0, backoff_factor >= 1, speed > 0")
        try:  # keys may come back from JSON as strings
            object.__setattr__(self, "seq_start", {int(k): int(v) & 0x3FFF
                                                   for k, v in dict(self.seq_start).items()})
        except (TypeError, ValueError):
            raise ConfigError(f"seq_start = {self.seq_start!r}: APID -> count") from None
        if not all(0 <= a < 0x800 for a in self.seq_start):
            raise ConfigError("seq_start: APIDs are 0..0x7FF")
        if not 0 <= self.t0_tai < 2**32:
            raise ConfigError(f"t0_tai = {self.t0_tai!r} outside the CUC range")

    @property
    def tick_rate(self) -> float:
        """Ticks per second: the fastest rate group."""
        return float(max(self.rates.values()))

    @property
    def dt(self) -> float:
        """Seconds per tick."""
        return 1.0 / self.tick_rate

    def every(self, group: str) -> int:
        """Ticks between two runs of a rate group."""
        try:
            hz = self.rates[group]
        except KeyError:
            raise ConfigError(
                f"unknown rate group {group!r}; known: {sorted(self.rates)}") from None
        return round(self.tick_rate / hz)

    def ticks_of(self, seconds: float) -> int:
        """A duration in whole ticks (at least 1)."""
        return max(1, round(seconds * self.tick_rate))

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> ExecutiveConfig:
        """Build from a scenario's ``[executive]`` table (unknown keys are an error)."""
        known = {f.name for f in fields(cls)}
        unknown = set(table) - known
        if unknown:
            raise ConfigError(
                f"unknown executive settings {sorted(unknown)}; known: {sorted(known)}")
        return cls(**dict(table))

    def with_(self, **changes: Any) -> ExecutiveConfig:
        """A copy with some fields changed."""
        return replace(self, **changes)
