"""Replay a recorded run through the flight software in lockstep.

The recorded world is replaced by :class:`ReplayWorld`: at every tick it
publishes, in the world's place (first in the tick), the recorded input
packets received at that tick's time (sensor packets, ground telecommands).
The flight-software tasks run in a real :class:`fsw.executive.Executive` as
in the recorded run; what they publish is recorded again and compared with
the recording (:func:`fsw_tools.replay.harness.compare_outputs`), naming
the first diverging packet.

Works for recordings of an executive's stream (``ex.tap(writer.write)``):
a packet's time is the tick that routed it to the participants, which is the
tick it was published in, except for the last participant of a tick, whose
packets the next tick routes. So a source replayed at the last place
publishes at each tick the packets recorded for the next one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fsw_tools.archive import Archive, ArchiveWriter, read_archive
from fsw_tools.replay.harness import ReplayReport, compare_outputs

from fsw.packets import APID_AREAS, DICTIONARY

#: Inputs of the flight software: telecommands and avionics sensor packets.
INPUT_APIDS = (*APID_AREAS["telecommands"].apids, *APID_AREAS["sensors"].apids)
#: Outputs of the flight software compared on replay: events, heartbeats,
#: flight telemetry and actuator commands, guidance requests.
OUTPUT_APIDS = (DICTIONARY["EVENT"].apid, DICTIONARY["HEARTBEAT"].apid,
                *APID_AREAS["fsw_telemetry"].apids, *APID_AREAS["actuators"].apids,
                *APID_AREAS["guidance"].apids)


class ReplayInputs:
    """A participant that republishes, in its turn of every tick, the recorded
    packets of ``apids`` received at that tick's time. Put it where the
    recorded source was in the participant order: ``world=True`` for the
    world (first in every tick), else at the position of the task it stands
    for (e.g. the ground station), with its ``name`` and ``rate_group`` so
    that its heartbeats match the recorded ones."""

    def __init__(self, name: str, apids: Iterable[int], *, world: bool = False,
                 rate_group: str = "default") -> None:
        self.name = name
        self.apids = tuple(int(a) for a in apids)
        self.world = world
        self.rate_group = rate_group
        self.published = 0
        self.lead_s = 0.0
        self._times: np.ndarray = np.zeros(0, np.int64)
        self._packets: list[bytes] = []
        self._i = 0
        #: called with the tick's time after each step (progress of a replay)
        self.on_step: Callable[[float], None] | None = None

    def load(self, archive: Archive) -> None:
        sub = archive.take(np.flatnonzero(np.isin(archive.apids, self.apids)))
        self._times = sub.times_ns
        self._packets = list(sub.packets())
        self._i = 0

    def init(self, ctx: Any) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        now = round((t + self.lead_s) * 1e9)
        times, i, n = self._times, self._i, len(self._packets)
        while i < n and times[i] <= now:
            self.ctx.publish(self._packets[i])
            i += 1
        self.published += i - self._i
        self._i = i
        if self.on_step is not None:
            self.on_step(t)


def ReplayWorld(inputs: Archive, apids: Iterable[int] = INPUT_APIDS) -> ReplayInputs:
    """The world's place filled with the recorded inputs (sensors, telecommands)."""
    src = ReplayInputs("replay-world", apids, world=True)
    src.load(inputs)
    return src


def replay_lockstep(
    archive: Archive,
    participants: Sequence[Any],
    config: Any,
    *,
    inputs: Iterable[int] = INPUT_APIDS,
    outputs: Iterable[int] = OUTPUT_APIDS,
    ticks: int | None = None,
    workdir: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReplayReport:
    """Run ``participants`` (fresh flight-software tasks and
    :class:`ReplayInputs` standing for the recorded sources, in the recorded
    order) in an executive with ``config`` (the recorded run's) for the
    recorded number of ticks (from ``config.t0_tai`` to the last packet of
    ``archive``, or ``ticks``); compare their outputs with the recording.

    Without any :class:`ReplayInputs`, the world's place republishes the
    recorded ``inputs`` (sensor packets and telecommands). ``progress(tick,
    ticks)`` is called as the replay goes.
    """
    from fsw.bus import Bus
    from fsw.executive import Executive

    parts = list(participants)
    if not any(isinstance(p, ReplayInputs) for p in parts):
        parts.insert(0, ReplayInputs("replay-world", inputs, world=True))
    for p in parts:
        if isinstance(p, ReplayInputs):
            p.load(archive)
            p.lead_s = 0.0
    order = [p for p in parts if _is_world(p)] + [p for p in parts if not _is_world(p)]
    if len(order) > 1 and isinstance(order[-1], ReplayInputs):
        order[-1].lead_s = 1.0 / config.tick_rate
    if ticks is None:
        t_end = float(archive.times_ns[-1]) / 1e9 if len(archive) else config.t0_tai
        ticks = round((t_end - config.t0_tai) * config.tick_rate) + 1
    first = next((p for p in parts if isinstance(p, ReplayInputs)), None)
    if progress is not None and first is not None:
        tick = [0]

        def stepped(t: float) -> None:
            tick[0] += 1
            if tick[0] % 256 == 0 or tick[0] == ticks:
                progress(tick[0], ticks)

        first.on_step = stepped
    with tempfile.TemporaryDirectory(dir=workdir, prefix="fsw-replay-") as d:
        path = Path(d) / "replayed.fswarc"
        bus = Bus.local(name="replay")
        writer = ArchiveWriter(path, sync="close")
        try:
            ex = Executive(bus, config)
            ex.tap(writer.write_many, batch=True)
            for p in parts:
                if _is_world(p):
                    ex.add_world(p)
                else:
                    ex.add(p)
            ex.run(ticks=ticks)
        finally:
            writer.close()
            bus.close()
        produced = read_archive(path)
    fed = sum(p.published for p in parts if isinstance(p, ReplayInputs))
    report = ReplayReport(steps=ticks, inputs_fed=fed)
    return compare_outputs(archive, produced, outputs, report)


def _is_world(p: Any) -> bool:
    return isinstance(p, ReplayInputs) and p.world
