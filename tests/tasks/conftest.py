"""A stand-in for the executive's TaskContext: records what a task sends and
lets a test deliver packets to its handlers (through the real codecs)."""

from __future__ import annotations

from array import array
from typing import Any

import pytest

from fsw.packets import DICTIONARY


class FakeCtx:
    def __init__(self, t: float = 2.0e9) -> None:
        self.t = t
        #: tick period and the task's step period (s): a task stepping every tick
        self.dt = self.period = 0.1
        self.sent: list[Any] = []
        self.events: list[tuple[int, int, str]] = []
        #: packets a task reported with bad_packet: (packet name, reason)
        self.bad: list[tuple[str, str]] = []
        self.handlers: dict[int, list[tuple[Any, bool]]] = {}
        #: per-APID sequence counters, as the executive's (TaskContext.seq)
        self.seq = array("H", [0] * 2048)

    def subscribe(self, apid: Any, handler: Any, *, parse: bool = False) -> None:
        a = apid.apid if hasattr(apid, "apid") else int(apid)
        self.handlers.setdefault(a, []).append((handler, parse))

    def send(self, pdef: Any, **fields: Any) -> bytes:
        s = self.seq[pdef.apid]
        self.seq[pdef.apid] = (s + 1) & 0x3FFF
        raw = pdef.build(t_tai=self.t, seq=s, **fields)
        self.sent.append(pdef.parse(raw))
        return raw

    def send_values(self, apid: int, build: Any, *values: Any) -> bytes:
        s = self.seq[apid]
        self.seq[apid] = (s + 1) & 0x3FFF
        raw = build(self.t, s, *values)
        self.publish(raw)
        return raw

    def publish(self, raw: bytes) -> None:
        self.sent.append(DICTIONARY.decode(raw))

    def event(self, severity: int, event_id: int, text: str) -> None:
        self.events.append((severity, event_id, text))

    def bad_packet(self, pdef: Any, exc: Exception) -> None:
        self.bad.append((pdef.name, str(exc)))

    def deliver(self, raw: bytes) -> None:
        apid = ((raw[0] << 8) | raw[1]) & 0x7FF
        for h, parse in self.handlers.get(apid, []):
            h(DICTIONARY.by_apid[apid].parse(raw) if parse else raw)

    def of(self, name: str) -> list[Any]:
        return [r for r in self.sent if r.packet.name == name]


@pytest.fixture
def ctx() -> FakeCtx:
    return FakeCtx()
