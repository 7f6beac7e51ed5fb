"""Recording a run: every packet of the stream goes to the archive, stamped
with the executive's on-board time (so a lockstep recording is itself
deterministic).

Use in a composition root::

    bus = RecordingBus.local(ArchiveWriter(run.archive))
    ex = Executive(bus, config)
    bus.clock = lambda: ex.t
    ... ex.run(...) ...
    bus.writer.close()

A :class:`RecordingBus` is a :class:`fsw.bus.Bus` (made by its own
``local``/``connect`` class methods) that also records. On a local
(one-process) bus it records each packet as it is published, stamped with
the time of the tick that published it; behind a broker it records what the
executive receives (in the sinks it drains into). Either way the archive
holds exactly the packets the stream hash covers, in the same order (lockstep
sync packets are not recorded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fsw_tools.archive.writer import ArchiveWriter

from fsw.bus import Bus


def _sync_apids() -> tuple[int, ...]:
    from fsw.executive.executive import SYNC_APIDS

    return tuple(SYNC_APIDS)


class RecordingBus(Bus):
    """A bus that writes its stream to an :class:`ArchiveWriter`."""

    writer: ArchiveWriter
    clock: Callable[[], float]
    recorded: int

    @classmethod
    def local(cls, writer: ArchiveWriter | None = None, *,  # type: ignore[override]
              clock: Callable[[], float] | None = None,
              skip_apids: Iterable[int] | None = None, **kw: Any) -> RecordingBus:
        """A local bus (see :meth:`Bus.local`) recording into ``writer``."""
        bus = super().local(**kw)
        assert isinstance(bus, RecordingBus)
        return bus._recording(writer, clock, skip_apids)

    @classmethod
    def connect(cls, endpoints: Any, writer: ArchiveWriter | None = None, *,  # type: ignore[override]
                clock: Callable[[], float] | None = None,
                skip_apids: Iterable[int] | None = None, **kw: Any) -> RecordingBus:
        """A broker endpoint (see :meth:`Bus.connect`) recording what it receives."""
        bus = super().connect(endpoints, **kw)
        assert isinstance(bus, RecordingBus)
        return bus._recording(writer, clock, skip_apids)

    def _recording(self, writer: ArchiveWriter | None, clock: Callable[[], float] | None,
                   skip_apids: Iterable[int] | None) -> RecordingBus:
        if writer is None:
            raise ValueError("a RecordingBus needs an ArchiveWriter")
        self.writer = writer
        self.clock = clock or (lambda: 0.0)
        self.recorded = 0
        skip = _sync_apids() if skip_apids is None else tuple(skip_apids)
        self._skip_rec = [False] * 2048
        for a in skip:
            self._skip_rec[a] = True
        return self

    def publish(self, packet: bytes) -> None:
        super().publish(packet)  # raises (and records nothing) on a bad packet
        if self.is_local and not self._skip_rec[((packet[0] << 8) | packet[1]) & 0x7FF]:
            self.writer.write(packet, self.clock())
            self.recorded += 1

    def _wrap(self, sink: Callable[[bytes], object]) -> Callable[[bytes], object]:
        if self.is_local:
            return sink
        write, skip, clock = self.writer.write, self._skip_rec, self.clock

        def record(p: bytes) -> object:
            if not skip[((p[0] << 8) | p[1]) & 0x7FF]:
                write(p, clock())
                self.recorded += 1
            return sink(p)

        return record

    def drain(self, sink: Callable[[bytes], object], limit: int | None = None) -> int:
        return super().drain(self._wrap(sink), limit)

    def recv_until(self, predicate: Callable[[bytes], bool], sink: Callable[[bytes], object],
                   timeout_s: float) -> bytes:
        return super().recv_until(predicate, self._wrap(sink), timeout_s)
