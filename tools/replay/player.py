"""Play an archive back: each packet handed to a ``publish`` callable (the bus,
a socket, a task's handler) at the recorded pace, N times faster, or as fast
as possible, after filtering by APID and time window.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fsw_tools.archive.reader import Archive

from fsw.errors import UserError


@dataclass
class ReplayStats:
    """What a replay did: packets sent, wall time, and how late it ran."""

    packets: int = 0
    wall_s: float = 0.0
    recorded_s: float = 0.0
    max_lag_s: float = 0.0  # worst lateness behind the paced schedule

    @property
    def packets_per_s(self) -> float:
        return self.packets / self.wall_s if self.wall_s > 0 else float("inf")


def play(
    archive: Archive,
    publish: Callable[[bytes], object],
    *,
    speed: float | None = 1.0,
    apids: Iterable[int] | None = None,
    start: float | None = None,
    stop: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ReplayStats:
    """Publish the selected packets of ``archive`` in receive order.

    ``speed``: 1.0 = recorded pace, N = N times faster, None = as fast as
    possible. ``apids``, ``start``, ``stop`` (TAI s, [start, stop)) select the
    packets. Returns the statistics of the replay.
    """
    if speed is not None and not speed > 0:
        raise UserError(f"replay speed must be > 0 (or as fast as possible), got {speed}")
    sel = archive if apids is None and start is None and stop is None else archive.select(
        apids=apids, start=start, stop=stop)
    stats = ReplayStats()
    if len(sel) == 0:
        return stats
    t_ns = sel.times_ns
    stats.recorded_s = float(t_ns[-1] - t_ns[0]) / 1e9
    data = sel.data
    offs = sel.offsets.tolist()
    ends = (sel.offsets + sel.lengths).tolist()
    wall0 = clock()
    if speed is None:
        for o, e in zip(offs, ends, strict=True):
            publish(data[o:e])
    else:
        due = ((t_ns - t_ns[0]) / (1e9 * speed)).tolist()
        max_lag = 0.0
        for o, e, d in zip(offs, ends, due, strict=True):
            lag = clock() - wall0 - d
            if lag < 0:
                sleep(-lag)
            elif lag > max_lag:
                max_lag = lag
            publish(data[o:e])
        stats.max_lag_s = max_lag
    stats.packets = len(offs)
    stats.wall_s = clock() - wall0
    return stats


def first_time(archive: Archive) -> float:
    """Receive time of the first packet (TAI s), for relative time windows."""
    return float(archive.times_ns[0]) / 1e9 if len(archive) else 0.0

