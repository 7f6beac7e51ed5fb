"""The thrusters' isolation (latch) valves, a piece of the world that the
simulation core does not model: a closed valve stops its thruster whatever
its state (nominal or stuck open). Implemented on the core's thruster states:
closing a valve sets the thruster ``stuck_closed`` and remembers what it was;
opening restores it (a stuck-open thruster fires again).

A participant after the tasks: it consumes ``PROP_VALVES`` (0x183) and acts
on the world before the next tick is integrated. A fault the schedule
injects while a valve is closed takes effect when the valve reopens.
"""

from __future__ import annotations

from typing import Any

from fsw.packets import DICTIONARY

PROP_VALVES = DICTIONARY["PROP_VALVES"]


class ValveModel:
    """See the module docstring."""

    name = "valves"
    rate_group = "default"

    def __init__(self, world: Any) -> None:
        self.world = world
        n = world.chaser.n_thrusters
        self.open = [True] * n
        self.saved: list[int | None] = [None] * n
        self.commands = 0

    def init(self, ctx: Any) -> None:
        self.ctx = ctx
        ctx.subscribe(PROP_VALVES, self.on_valves, parse=True)

    def on_valves(self, rec: Any) -> None:
        self.commands += 1
        states = self.world.chaser._c.thr_state
        for i in range(len(self.open)):
            want = bool(rec.open >> i & 1)
            if want == self.open[i]:
                continue
            if not want:
                self.saved[i] = int(states[i])
                states[i] = 2  # SIM_THR_STUCK_CLOSED: no thrust
            else:
                prev = self.saved[i]
                # a fault injected meanwhile (state changed from closed) wins
                if int(states[i]) == 2 and prev is not None:
                    states[i] = prev
                self.saved[i] = None
            self.open[i] = want

    def step(self, t: float) -> None:
        """A fault injected behind a closed valve stays behind it."""
        states = self.world.chaser._c.thr_state
        for i, is_open in enumerate(self.open):
            if not is_open and int(states[i]) != 2:
                self.saved[i] = int(states[i])
                states[i] = 2
