"""Toy participants for the executive tests: a 1-D plant (world) and a few
tasks that exchange packets over the bus like the real ones will.

The plant: x' = v, v' = u + noise (seeded); it publishes GYRO (x, v, noise) at
every tick and applies the last WHEEL_CMD torque[0] as u. The controller (10
Hz) commands u = -k1 x - k2 v; the monitor (1 Hz) counts what it saw and
reports an event every 5 s; the flaky task raises on every ``fail_every``-th
step (counted across restarts).
"""

from __future__ import annotations

from fsw.executive import INFO, Task
from fsw.executive.node import Parts
from fsw.packets import DICTIONARY

GYRO = DICTIONARY["GYRO"]
WHEEL_CMD = DICTIONARY["WHEEL_CMD"]
ADCS_HK = DICTIONARY["ADCS_HK"]


class Plant:
    """The toy world: stepped first at every tick."""

    name = "world"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.x, self.v, self.u = 1.0, 0.0, 0.0
        ctx.subscribe(WHEEL_CMD, self.on_cmd, parse=True)

    def on_cmd(self, rec) -> None:
        self.u = rec.torque[0]

    def step(self, t: float) -> None:
        dt = self.ctx.dt
        noise = float(self.ctx.rng.normal(0.0, 0.01))
        self.v += (self.u + noise) * dt
        self.x += self.v * dt
        self.ctx.send(GYRO, rate_B=(self.x, self.v, noise), valid=1)


class Controller(Task):
    name = "ctrl"
    rate_group = "attitude"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.x = self.v = 0.0
        self.cycles = 0
        ctx.subscribe(GYRO, self.on_gyro, parse=True)

    def on_gyro(self, rec) -> None:
        self.x, self.v = rec.rate_B[0], rec.rate_B[1]

    def step(self, t: float) -> None:
        self.cycles += 1
        self.ctx.send(WHEEL_CMD, torque=(-2.0 * self.x - 1.5 * self.v, 0.0, 0.0, 0.0))


class Monitor(Task):
    name = "monitor"
    rate_group = "default"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.seen = 0
        self.steps = 0
        ctx.subscribe(GYRO.apid, self.on_raw)
        ctx.subscribe(WHEEL_CMD.apid, self.on_raw)

    def on_raw(self, raw: bytes) -> None:
        self.seen += 1

    def step(self, t: float) -> None:
        self.steps += 1
        self.ctx.send(ADCS_HK, mode=1, q_BN=(1.0, 0.0, 0.0, 0.0), rate_B=(0.0, 0.0, 0.0),
                      att_error=0.0, cycles=self.seen, faults=0)
        if self.steps % 5 == 0:
            self.ctx.event(INFO, 100, f"monitor saw {self.seen} packets")


class Flaky(Task):
    """Raises on every ``fail_every``-th step (the count survives restarts)."""

    name = "flaky"
    rate_group = "attitude"

    def __init__(self, fail_every: int = 10) -> None:
        self.fail_every = fail_every
        self.total_steps = 0
        self.inits = 0

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.inits += 1

    def step(self, t: float) -> None:
        self.total_steps += 1
        if self.total_steps % self.fail_every == 0:
            raise RuntimeError(f"deliberate failure at step {self.total_steps}")


def world(**_: object) -> Parts:
    """Node factory: the plant alone (the 'sim' process)."""
    return Parts(world=Plant())


def tasks(**_: object) -> Parts:
    """Node factory: the flight software (controller, monitor)."""
    return Parts(tasks=[Controller(), Monitor()])


def everything(**_: object) -> Parts:
    """Node factory: world and tasks in one node."""
    return Parts(world=Plant(), tasks=[Controller(), Monitor()])


def controller_only(**_: object) -> Parts:
    """Node factory: the controller alone."""
    return Parts(tasks=[Controller()])


def monitor_only(**_: object) -> Parts:
    """Node factory: the monitor alone."""
    return Parts(tasks=[Monitor()])
