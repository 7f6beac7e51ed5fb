"""Recording a run: every packet the clock owner's executive receives goes to
the archive, stamped with the executive's on-board time at reception (so a
lockstep recording is itself deterministic).

Use in the composition root (``fsw run``)::

    bus = RecordingBus(Bus.local(), ArchiveWriter(run.archive))
    ex = Executive(bus, config)
    bus.clock = lambda: ex.t
    ... ex.run(...) ...
    bus.writer.close()

The wrapper hands the executive the same bus (every attribute is the wrapped
bus's). On a local (one-process) bus it records each packet as it is
published, stamped with the time of the tick that published it; behind a
broker it records in the sinks the executive drains into (the time it is
received). Either way the archive holds exactly the packets the stream hash
covers, in the same order (lockstep sync packets are not recorded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fsw_tools.archive.writer import ArchiveWriter


def _sync_apids() -> tuple[int, ...]:
    from fsw.executive.executive import SYNC_APIDS

    return tuple(SYNC_APIDS)


class RecordingBus:
    """A :class:`fsw.bus.Bus` that records what it delivers to its receiver."""

    def __init__(self, bus: Any, writer: ArchiveWriter,
                 clock: Callable[[], float] | None = None,
                 skip_apids: Iterable[int] | None = None) -> None:
        self._bus = bus
        self.writer = writer
        self.clock: Callable[[], float] = clock or (lambda: 0.0)
        skip = _sync_apids() if skip_apids is None else tuple(skip_apids)
        self._skip = [False] * 2048
        for a in skip:
            self._skip[a] = True
        self.recorded = 0
        self._local = bool(getattr(bus, "is_local", False))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bus, name)

    def _wrap(self, sink: Callable[[bytes], object]) -> Callable[[bytes], object]:
        write = self.writer.write
        skip = self._skip
        clock = self.clock

        def record(p: bytes) -> object:
            if not skip[((p[0] << 8) | p[1]) & 0x7FF]:
                write(p, clock())
                self.recorded += 1
            return sink(p)

        return record

    def publish(self, packet: bytes) -> None:
        self._bus.publish(packet)  # raises (and records nothing) on a bad packet
        if self._local and not self._skip[((packet[0] << 8) | packet[1]) & 0x7FF]:
            self.writer.write(packet, self.clock())
            self.recorded += 1

    def drain(self, sink: Callable[[bytes], object], limit: int | None = None) -> int:
        return self._bus.drain(sink if self._local else self._wrap(sink), limit)

    def recv_until(self, predicate: Callable[[bytes], bool], sink: Callable[[bytes], object],
                   timeout_s: float) -> bytes:
        return self._bus.recv_until(predicate, sink if self._local else self._wrap(sink),
                                    timeout_s)
