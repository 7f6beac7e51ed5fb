"""The avionics node: the truth world plugged into the executive as its first
participant (``Executive.add_world(node)``).

Each tick at on-board time t (TAI s):

1. the actuator command packets published since the last turn are applied
   (handlers run before ``step``): WHEEL_CMD -> wheel motor torques,
   MTQ_CMD -> magnetorquer dipole, THRUSTER_CMD -> thruster on-times from
   the next tick on. Non-finite or negative values are rejected and counted.
2. ``step(t)`` advances the truth from the previous turn's time to t (the
   commands act over that interval), applies the faults due, and publishes
   every sensor packet that is due at its rate (time-based: a sensor with
   period P is published at its first turn at or after each multiple of P,
   at most once per turn), then the truth packets at ``truth_period``.

Faults (``WorldConfig.faults``): a dropped sensor publishes nothing; a silent
link publishes no sensor packets and ignores (counts) incoming commands;
wheel and thruster faults act in the world. Each start and end is published
as a TRUTH_FAULT packet. Truth packets (0x400-0x403) are for tools only.

Time: the world's physics runs from its epoch (``WorldConfig.epoch_utc``);
packets are stamped with the executive's clock. Start the executive at
``node.world.tai`` for the two to agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from math import isfinite as _isfinite
from typing import Any

import numpy as np

from fsw.packets import DICTIONARY
from hil.sim.config import SENSOR_NAMES, WorldConfig
from hil.sim.faults import FaultSchedule
from hil.sim.sensors import MODELS, build_sensors
from hil.sim.world import World

WHEEL_CMD = DICTIONARY["WHEEL_CMD"]
MTQ_CMD = DICTIONARY["MTQ_CMD"]
THRUSTER_CMD = DICTIONARY["THRUSTER_CMD"]
TRUTH_CHASER = DICTIONARY["TRUTH_CHASER"]
TRUTH_TARGET = DICTIONARY["TRUTH_TARGET"]
TRUTH_RELATIVE = DICTIONARY["TRUTH_RELATIVE"]
TRUTH_FAULT = DICTIONARY["TRUTH_FAULT"]


@dataclass
class AvionicsStats:
    """Counters of the node (nothing is dropped silently)."""

    ticks: int = 0
    sensor_packets: int = 0
    truth_packets: int = 0
    commands_applied: int = 0
    commands_rejected: int = 0  # non-finite or negative values
    commands_lost: int = 0  # arrived while the link was silent
    samples_dropped: int = 0  # sensor samples not sent (dropout or silent link)


def _finite(values: Any, nonneg: bool = False) -> bool:
    """Every value finite (and >= 0 with ``nonneg``). Plain floats first: a
    command is a short tuple, where numpy's per-call cost dominates."""
    try:
        if not all(map(_isfinite, values)):
            return False
        return not nonneg or all(x >= 0.0 for x in values)
    except TypeError:  # not a flat sequence of numbers: numpy decides
        a = np.asarray(values, float)
        return bool(np.all(np.isfinite(a)) and (not nonneg or np.all(a >= 0.0)))


class AvionicsNode:
    """The world (truth + sensors + actuators) as an executive participant."""

    name = "world"

    def __init__(self, config: WorldConfig | None = None, *, truth_period: float = 1.0,
                 world: World | None = None) -> None:
        self.config = config if config is not None else WorldConfig()
        self.world = world if world is not None else World(self.config)
        self.truth_period = float(truth_period)
        self.sensors = build_sensors(self.config.sensors, self.config.seed)
        self.faults = FaultSchedule(list(self.config.faults), self.world)
        self.stats = AvionicsStats()
        self._packets = {name: DICTIONARY[pname] for name, (_, pname) in MODELS.items()}
        self._period = {n: self.sensors[n].period for n in SENSOR_NAMES}
        #: (name, period, sampler, packet) in publishing order: the per-tick loop
        self._schedule = [(n, self._period[n], self.sensors[n].sample, self._packets[n])
                          for n in SENSOR_NAMES]
        self._next: dict[str, float] = {}
        self._next_truth = 0.0
        self._t_first: float | None = None
        self._ticks_first = 0
        self.ctx: Any = None

    # ------------------------------------------------------------ participant
    def init(self, ctx: Any) -> None:
        """Subscribe to the actuator commands (the world keeps its state)."""
        self.ctx = ctx
        ctx.subscribe(WHEEL_CMD, self._on_wheel, parse=True)
        ctx.subscribe(MTQ_CMD, self._on_mtq, parse=True)
        ctx.subscribe(THRUSTER_CMD, self._on_thruster, parse=True)

    def step(self, t: float) -> None:
        """Advance the truth to ``t`` and publish what is due."""
        w = self.world
        if self._t_first is None:
            self._t_first, self._ticks_first = t, w.ticks
        else:  # whole world steps since the first turn: no drift from rounding
            n = round((t - self._t_first) / w.dt) - (w.ticks - self._ticks_first)
            if n > 0:
                w.step(n)
        self.stats.ticks += 1
        tw = w.t
        for ev in self.faults.update(tw):
            f = ev.fault
            self.ctx.send(TRUTH_FAULT, kind=f.kind, index=max(0, min(255, f.index)),
                          sensor=f.sensor or "none", started=int(ev.started))
            self.stats.truth_packets += 1
        self._publish_sensors(tw)
        if tw >= self._next_truth - 1e-9:
            self._publish_truth()
            self._next_truth = self._advance(self._next_truth, self.truth_period, tw)

    # ------------------------------------------------------------ sensors
    @staticmethod
    def _advance(due: float, period: float, t: float) -> float:
        return due + period * max(1, math.floor((t - due) / period + 1e-9) + 1)

    def _publish_sensors(self, t: float) -> None:
        silent = self.faults.link_silent
        dropped = self.faults.dropped
        nxt = self._next
        world = self.world
        stats = self.stats
        for name, period, sample, pdef in self._schedule:
            due = nxt.get(name, 0.0)
            if t < due - 1e-9:
                continue
            nxt[name] = self._advance(due, period, t)
            fields = sample(world)
            if silent or name in dropped:
                stats.samples_dropped += 1
                continue
            self.ctx.send(pdef, **fields)
            stats.sensor_packets += 1

    def _publish_truth(self) -> None:
        w, c, g = self.world, self.world.chaser, self.world.target
        # plain floats (.tolist() is exact): packing them is cheaper than numpy scalars
        nw = min(4, c.n_wheels)
        speed = c.wheel_speed[:nw].tolist() + [0.0] * (4 - nw)
        send = self.ctx.send
        send(TRUTH_CHASER, r_N=c.r.tolist(), v_N=c.v.tolist(), q_BN=c.q.tolist(),
             w_B=c.w.tolist(), wheel_speed=speed, mass=c.mass, propellant_mass=c.prop_mass,
             tank_pressure=c.tank_pressure, eclipse=int(c.eclipse))
        send(TRUTH_TARGET, r_N=g.r.tolist(), v_N=g.v.tolist())
        send(TRUTH_RELATIVE, r_H=w.hill_r.tolist(), v_H=w.hill_v.tolist(),
             range=float(np.linalg.norm(w.hill_r)))
        self.stats.truth_packets += 3

    # ------------------------------------------------------------ actuators
    def _accept(self, values: Any, nonneg: bool = False) -> bool:
        if self.faults.link_silent:
            self.stats.commands_lost += 1
            return False
        if not _finite(values, nonneg):
            self.stats.commands_rejected += 1
            return False
        self.stats.commands_applied += 1
        return True

    def _on_wheel(self, rec: Any) -> None:
        torque = rec.torque
        if self._accept(torque):
            nw = self.world.chaser.n_wheels
            n = min(nw, len(torque))  # wheels beyond the packet's get 0
            self.world.set_wheel_torque((*torque[:n], *(0.0,) * (nw - n)))

    def _on_mtq(self, rec: Any) -> None:
        if self._accept(rec.dipole_B):
            self.world.set_mtq_dipole(rec.dipole_B)

    def _on_thruster(self, rec: Any) -> None:
        on_time = rec.on_time
        if self._accept(on_time, nonneg=True):
            nt = self.world.chaser.n_thrusters
            n = min(nt, len(on_time))  # thrusters beyond the packet's stay off
            self.world.set_thruster_on_times((*on_time[:n], *(0.0,) * (nt - n)))
