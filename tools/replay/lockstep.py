"""Replay a recorded run through the flight software in lockstep.

The recorded world is replaced by :class:`ReplayWorld`: at every tick it
publishes, in the world's place (first in the tick), the recorded input
packets received at that tick's time (sensor packets, ground telecommands).
The flight-software tasks run in a real :class:`fsw.executive.Executive` as
in the recorded run; what they publish is recorded again and compared with
the recording (:func:`fsw_tools.replay.harness.compare_outputs`), naming
the first diverging packet.

Works for recordings made with :class:`fsw_tools.archive.recorder.RecordingBus`
(receive time = the executive's time at reception, so inputs are published
at exactly the ticks they were received).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fsw_tools.archive import Archive, ArchiveWriter, read_archive
from fsw_tools.archive.recorder import RecordingBus
from fsw_tools.replay.harness import ReplayReport, compare_outputs

#: Inputs of the flight software: telecommands and avionics sensor packets.
INPUT_APIDS = tuple(range(0x080, 0x100)) + tuple(range(0x100, 0x180))
#: Outputs of the flight software compared on replay: events, heartbeats,
#: flight telemetry and actuator commands, guidance requests.
OUTPUT_APIDS = (0x002, 0x003, *range(0x010, 0x080), *range(0x180, 0x200),
                *range(0x200, 0x280))


class ReplayWorld:
    """A world participant that republishes the recorded inputs tick by tick."""

    name = "replay-world"

    def __init__(self, inputs: Archive) -> None:
        self._times = inputs.times_ns
        self._packets = list(inputs.packets())
        self._i = 0
        self.published = 0

    def init(self, ctx: Any) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        now = round(t * 1e9)
        times, i, n = self._times, self._i, len(self._packets)
        while i < n and times[i] <= now:
            self.ctx.publish(self._packets[i])
            i += 1
        self.published += i - self._i
        self._i = i


def replay_lockstep(
    archive: Archive,
    tasks: Sequence[Any],
    config: Any,
    *,
    inputs: Iterable[int] = INPUT_APIDS,
    outputs: Iterable[int] = OUTPUT_APIDS,
    workdir: str | Path | None = None,
) -> ReplayReport:
    """Run ``tasks`` (fresh instances, in the recorded order) in an executive
    with ``config`` (the recorded run's), fed by the recorded inputs, for the
    recorded number of ticks; compare their outputs with the recording."""
    from fsw.bus import Bus
    from fsw.executive import Executive

    in_set = sorted({int(a) for a in inputs})
    recorded_inputs = archive.take(np.flatnonzero(np.isin(archive.apids, in_set)))
    t_end = float(archive.times_ns[-1]) / 1e9 if len(archive) else config.t0_tai
    ticks = round((t_end - config.t0_tai) * config.tick_rate) + 1
    with tempfile.TemporaryDirectory(dir=workdir, prefix="fsw-replay-") as d:
        path = Path(d) / "replayed.fswarc"
        bus = RecordingBus(Bus.local(name="replay"), ArchiveWriter(path, sync="close"))
        try:
            ex = Executive(bus, config)
            bus.clock = lambda: ex.t
            world = ReplayWorld(recorded_inputs)
            ex.add_world(world)
            for task in tasks:
                ex.add(task)
            ex.run(ticks=ticks)
        finally:
            bus.writer.close()
            bus.close()
        produced = read_archive(path)
    report = ReplayReport(steps=ticks, inputs_fed=world.published)
    return compare_outputs(archive, produced, outputs, report)
