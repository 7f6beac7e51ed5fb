"""TaskContext.bad_packet: a participant that takes a packet's bytes
(``parse=False``) and finds it malformed reports it as a ``parse=True``
subscription does (its bad_packets, the same EVENT BAD_PACKET text, at the
same place in the stream)."""

from __future__ import annotations

from typing import Any

from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.packets import DICTIONARY, PacketError, decode

GYRO = DICTIONARY["GYRO"]
EVENT = DICTIONARY["EVENT"]


def _bad_packets() -> list[bytes]:
    good = GYRO.build(t_tai=1.0, seq=1, rate_B=(0.1, 0.2, 0.3), valid=1)
    crc = good[:-1] + bytes([good[-1] ^ 0xFF])
    flags = bytearray(good)
    flags[2] &= 0x3F  # sequence flags 00 (CRC then wrong: a CRC mismatch first)
    return [good, crc, bytes(flags), good]


class Sender(Task):
    name, rate_group = "sender", "attitude"

    def init(self, ctx: Any) -> None:
        self.ctx = ctx
        self.todo = _bad_packets()

    def step(self, t: float) -> None:
        if self.todo:
            self.ctx.publish(self.todo.pop(0))


class Parsed(Task):
    name, rate_group = "reader", "attitude"

    def init(self, ctx: Any) -> None:
        self.ctx = ctx
        self.seen: list[Any] = []
        ctx.subscribe(GYRO, self.seen.append, parse=True)


class Raw(Parsed):
    def init(self, ctx: Any) -> None:
        self.ctx = ctx
        self.seen = []
        ctx.subscribe(GYRO, self.on_raw)

    def on_raw(self, raw: bytes) -> None:
        try:
            rec = GYRO.parse(raw)
        except PacketError as exc:
            self.ctx.bad_packet(GYRO, exc)
            return
        self.seen.append(rec)


def _run(reader: Task) -> tuple[Any, ...]:
    ex = Executive(Bus.local(), ExecutiveConfig(seed=1, rates={"default": 1.0,
                                                               "attitude": 10.0}))
    ex.add(Sender())
    ex.add(reader)
    stream: list[bytes] = []
    ex.tap(lambda p, t: stream.append(bytes(p)))
    result = ex.run(duration_s=1.0)
    events = [decode(p).text for p in stream
              if ((p[0] << 8) | p[1]) & 0x7FF == EVENT.apid and b"dropped" in p]
    return result.stream_hash, result.tasks["reader"].bad_packets, events, reader.seen


def test_bad_packet_reports_as_a_parsing_subscription() -> None:
    raw, parsed = _run(Raw()), _run(Parsed())
    assert raw == parsed
    assert raw[1] == 2 and len(raw[3]) == 2
    assert raw[2] == ["GYRO dropped: GYRO: CRC mismatch"] * 2
