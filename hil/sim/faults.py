"""Scheduled fault injection: wheel failure, thruster stuck open or closed,
sensor dropout, silent link. A fault starts at its time and, with a duration,
clears after it (a cleared wheel or thruster returns to nominal).

The world-level faults (wheels, thrusters) are applied to the native core; the
avionics-level ones (a dropped sensor publishes nothing, a silent link neither
publishes nor accepts commands) are exposed as :attr:`FaultSchedule.dropped`
and :attr:`FaultSchedule.link_silent` for the avionics node to consult.
"""

from __future__ import annotations

from dataclasses import dataclass

from fsw.errors import UserError
from hil.sim.config import FAULT_KINDS, SENSOR_NAMES, FaultConfig
from hil.sim.world import World

#: a fault is due at world time t when t + TIME_EPS >= its time (a tick
#: landing on a fault time by accumulated steps counts); the avionics node
#: tests ``t + TIME_EPS >= next_time`` itself before calling update
TIME_EPS = 1e-6


@dataclass
class FaultEvent:
    """A fault that started or cleared at ``time`` (for events and truth)."""

    time: float
    fault: FaultConfig
    started: bool


def validate_fault(f: FaultConfig, n_wheels: int, n_thrusters: int) -> None:
    """UserError naming what is wrong with one fault."""
    if f.kind not in FAULT_KINDS:
        raise UserError(f"fault kind {f.kind!r} not one of {', '.join(FAULT_KINDS)}")
    if f.duration < 0 or f.time < 0:
        raise UserError(f"fault {f.kind}: time and duration must be >= 0")
    if f.kind == "wheel_fail" and not 0 <= f.index < n_wheels:
        raise UserError(f"fault wheel_fail: index {f.index} not in 0..{n_wheels - 1}")
    if f.kind.startswith("thruster") and not 0 <= f.index < n_thrusters:
        raise UserError(f"fault {f.kind}: index {f.index} not in 0..{n_thrusters - 1}")
    if f.kind == "sensor_dropout" and f.sensor not in SENSOR_NAMES:
        raise UserError(f"fault sensor_dropout: sensor {f.sensor!r} not one of "
                        f"{', '.join(SENSOR_NAMES)}")


class FaultSchedule:
    """The faults of a world, applied as simulated time passes."""

    def __init__(self, faults: list[FaultConfig], world: World) -> None:
        for f in faults:
            validate_fault(f, world.chaser.n_wheels, world.chaser.n_thrusters)
        self.world = world
        self._pending = sorted(faults, key=lambda f: f.time)
        self._active: list[FaultConfig] = []
        self.dropped: set[str] = set()
        self.link_silent = False
        self.next_time = self._pending[0].time if self._pending else float("inf")

    def update(self, t: float) -> list[FaultEvent]:
        """Start and clear faults due at or before ``t``; the changes."""
        t = t + TIME_EPS  # a tick landing on a fault time by accumulated steps counts
        if t < self.next_time:
            return []
        events: list[FaultEvent] = []
        while self._pending and self._pending[0].time <= t:
            f = self._pending.pop(0)
            self._apply(f, True)
            self._active.append(f)
            events.append(FaultEvent(f.time, f, True))
        for f in list(self._active):
            if f.duration > 0 and f.time + f.duration <= t:
                self._apply(f, False)
                self._active.remove(f)
                events.append(FaultEvent(f.time + f.duration, f, False))
        ends = [f.time + f.duration for f in self._active if f.duration > 0]
        starts = [self._pending[0].time] if self._pending else []
        self.next_time = min(ends + starts, default=float("inf"))
        return events

    def _apply(self, f: FaultConfig, on: bool) -> None:
        c = self.world.chaser
        if f.kind == "wheel_fail":
            c.fail_wheel(f.index, on)
        elif f.kind == "thruster_stuck_open":
            c.set_thruster_state(f.index, "stuck_open" if on else "nominal")
        elif f.kind == "thruster_stuck_closed":
            c.set_thruster_state(f.index, "stuck_closed" if on else "nominal")
        elif f.kind == "sensor_dropout":
            (self.dropped.add if on else self.dropped.discard)(f.sensor)
        elif f.kind == "link_silent":
            self.link_silent = on

    @property
    def active(self) -> list[FaultConfig]:
        return list(self._active)
