"""The avionics node's actuator commands read from their bytes by the
simulation core (sim_command_read) against the independent truth of the
parsed path: the dictionary's parser (fsw.packets) and the node's record
handlers (_on_wheel, _on_mtq, _on_thruster), on the same packets, good and
bad (random values, non-finite, negative on-times, wrong length, bad CRC,
header fields off, a silent link), for the counters, the commands written
into the world (bit for bit) and the packets reported as malformed; and, in
an executive, the whole stream and the task statuses against a node
subscribed with ``parse=True`` as before."""

from __future__ import annotations

import math
import random
import struct
from binascii import crc_hqx
from dataclasses import asdict
from typing import Any

import pytest

from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.packets import DICTIONARY, PacketError
from hil.avionics import AvionicsNode
from hil.sim._native import ffi, lib
from hil.sim.config import FaultConfig, SpacecraftConfig, ThrusterConfig, WorldConfig
from hil.sim.config import WheelConfig as Wheel

WHEEL_CMD, MTQ_CMD, THRUSTER_CMD = (DICTIONARY[n] for n in ("WHEEL_CMD", "MTQ_CMD",
                                                            "THRUSTER_CMD"))
#: per command: its declaration, its field, the raw handler's and the record handler's names
COMMANDS = {
    "wheel": (WHEEL_CMD, "torque", "_read_wheel", "_on_wheel"),
    "mtq": (MTQ_CMD, "dipole_B", "_read_mtq", "_on_mtq"),
    "thruster": (THRUSTER_CMD, "on_time", "_read_thruster", "_on_thruster"),
}
SPECIALS = [math.nan, -math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324, -5e-324, 1.7e308,
            -1.0, 1e-300]


class BadPackets:
    """Just enough of a TaskContext: what the node reports as malformed."""

    def __init__(self) -> None:
        self.bad: list[tuple[str, str, str]] = []
        self.seq = bytearray(2 * 2048)

    def subscribe(self, *_a: Any, **_k: Any) -> None:
        pass

    def bad_packet(self, pdef: Any, exc: Exception) -> None:
        assert isinstance(exc, PacketError)
        self.bad.append((pdef.name, type(exc).__name__, str(exc)))


def _reference(node: AvionicsNode, ctx: BadPackets, kind: str, raw: bytes) -> None:
    """What a ``parse=True`` subscription did: the parser, then the record
    handler; a packet that does not parse is reported, the handler not called."""
    pdef, _, _, on_record = COMMANDS[kind]
    try:
        rec = pdef.parse(raw)
    except PacketError as exc:
        ctx.bad_packet(pdef, exc)
        return
    getattr(node, on_record)(rec)


def _state(node: AvionicsNode) -> tuple[Any, ...]:
    c = node.world.chaser
    stats = asdict(node.stats)
    return (stats["commands_applied"], stats["commands_rejected"], stats["commands_lost"],
            c.wheel_torque_cmd.tobytes(), c.mtq_dipole_cmd.tobytes(), c.thr_on_time.tobytes())


def _value(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.15:
        return rng.choice(SPECIALS)
    if r < 0.25:
        return struct.unpack(">d", rng.randbytes(8))[0]  # any bit pattern, NaNs included
    return rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-8, 3)


def _with_crc(body: bytes) -> bytes:
    return body + crc_hqx(body, 0xFFFF).to_bytes(2, "big")


def _mutants(pdef: Any, raw: bytes, rng: random.Random) -> list[bytes]:
    """Malformed variants of a good packet: each check of the parser broken
    once (with a CRC that holds where the break is elsewhere)."""
    body = bytearray(raw[:-2])
    out = [raw[:-1], raw + b"\x00", raw[:-2] + bytes([raw[-2] ^ 0x01, raw[-1]]), b"",
           _with_crc(bytes(body[:-8])), _with_crc(bytes(body) + bytes(8))]
    flip = bytearray(raw)
    flip[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)  # a bit error: CRC mismatch
    out.append(bytes(flip))
    w0, w1, w2 = struct.unpack_from(">HHH", raw)
    for h0, h1, h2 in [
        (w0 ^ 0x0001, w1, w2),  # another APID
        ((w0 & 0x07FF) | 0x1000 | 0x0800, w1, w2),  # telecommand type
        (w0 & ~0x0800 & 0xFFFF, w1, w2),  # no secondary header
        (w0 | 0x2000, w1, w2),  # version 1
        (w0, w1 & 0x3FFF, w2),  # sequence flags 00
        (w0, (w1 & 0x3FFF) | 0x4000, w2),  # 01
        (w0, (w1 & 0x3FFF) | 0x8000, w2),  # 10
        (w0, w1, w2 + 1), (w0, w1, w2 - 8), (w0, w1, 0),  # the length field
    ]:
        b = bytearray(body)
        struct.pack_into(">HHH", b, 0, h0, h1, h2)
        out.append(_with_crc(bytes(b)))
    return out


def _packets(kind: str, rng: random.Random, n: int) -> list[bytes]:
    pdef, field, _, _ = COMMANDS[kind]
    count = pdef.layouts[field].count
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            values = [rng.uniform(0.0, 2.0) if kind == "thruster" else rng.uniform(-0.1, 0.1)
                      for _ in range(count)]
        else:
            values = [_value(rng) for _ in range(count)]
        raw = pdef.build(t_tai=rng.uniform(0.0, 4e9), seq=rng.randrange(16384),
                         **{field: values})
        out.append(raw)
        if rng.random() < 0.3:
            out.append(rng.choice(_mutants(pdef, raw, rng)))
    return out


def _configs() -> list[WorldConfig]:
    """The default chaser (4 wheels, 8 thrusters) and one with more wheels
    and fewer thrusters than the packets carry values for."""
    odd = SpacecraftConfig(wheels=[Wheel(axis=a) for a in ([1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0],
                                                          [1.0, 1.0, 0], [0, 1.0, 1.0])],
                           thrusters=[ThrusterConfig(), ThrusterConfig(direction=[0, 1.0, 0])])
    return [WorldConfig(), WorldConfig(chaser=odd)]


@pytest.mark.parametrize("config", range(2))
@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_core_reads_commands_as_the_parser_and_handlers_do(kind: str, config: int) -> None:
    cfg = _configs()[config]
    raw_node, ref_node = AvionicsNode(cfg), AvionicsNode(cfg)
    raw_ctx, ref_ctx = BadPackets(), BadPackets()
    raw_node.init(raw_ctx)
    ref_node.init(ref_ctx)
    read = getattr(raw_node, COMMANDS[kind][2])
    rng = random.Random(f"{kind}-{config}")
    packets = _packets(kind, rng, 300)
    mutants = _mutants(COMMANDS[kind][0], packets[0], rng)
    for k, raw in enumerate(packets + mutants):
        silent = k % 37 == 5  # the link silent now and then: lost, or malformed first
        raw_node.faults.link_silent = ref_node.faults.link_silent = silent
        read(raw if k % 11 else bytearray(raw))  # any buffer, as the parser takes
        _reference(ref_node, ref_ctx, kind, raw)
        assert _state(raw_node) == _state(ref_node), (k, raw.hex())
        assert raw_ctx.bad == ref_ctx.bad, (k, raw.hex())
    applied, rejected, lost = _state(ref_node)[:3]
    # every outcome was exercised
    assert applied > 50 and rejected > 20 and lost > 3 and len(ref_ctx.bad) > 20


def test_core_outcomes_and_arguments() -> None:
    """sim_command_read's own contract: the outcome of each kind of packet,
    nothing written without ``apply`` or unless OK, and its argument checks."""
    node = AvionicsNode(WorldConfig())
    w, c = node.world.struct, node.world.chaser
    res = ffi.new("int *")
    good = WHEEL_CMD.build(t_tai=1.0, seq=3, torque=(0.01, -0.02, 0.03, -0.0))
    nan = WHEEL_CMD.build(t_tai=1.0, seq=3, torque=(0.01, math.nan, 0.03, 0.0))
    neg = THRUSTER_CMD.build(t_tai=1.0, seq=3, on_time=(0.1,) * 15 + (-1e-300,))
    cases = [(lib.SIM_COMMAND_WHEEL, good, lib.SIM_COMMAND_OK),
             (lib.SIM_COMMAND_WHEEL, nan, lib.SIM_COMMAND_REJECTED),
             (lib.SIM_COMMAND_THRUSTER, neg, lib.SIM_COMMAND_REJECTED),
             (lib.SIM_COMMAND_MTQ, good, lib.SIM_COMMAND_MALFORMED),  # a WHEEL_CMD
             (lib.SIM_COMMAND_WHEEL, good[:-1], lib.SIM_COMMAND_MALFORMED)]
    for which, raw, outcome in cases:
        assert lib.sim_command_read(w, 0, which, raw, len(raw), 0, res) == lib.SIM_OK
        assert res[0] == outcome
    assert not c.wheel_torque_cmd.any() and not c.thr_on_time.any()  # apply 0: nothing
    for which, raw, _ in cases[1:]:
        assert lib.sim_command_read(w, 0, which, raw, len(raw), 1, res) == lib.SIM_OK
    assert not c.wheel_torque_cmd.any() and not c.thr_on_time.any()  # not OK: nothing
    assert lib.sim_command_read(w, 0, lib.SIM_COMMAND_WHEEL, good, len(good), 1, res) == 0
    assert c.wheel_torque_cmd.tobytes() == struct.pack("=4d", 0.01, -0.02, 0.03, -0.0)
    assert not node.world.target.wheel_torque_cmd.any()  # the chaser's only
    assert lib.sim_command_read(ffi.NULL, 0, 0, good, len(good), 1, res) == lib.SIM_ERR_NULL
    assert lib.sim_command_read(w, 0, 0, ffi.NULL, 0, 1, res) == lib.SIM_ERR_NULL
    assert lib.sim_command_read(w, 0, 0, good, len(good), 1, ffi.NULL) == lib.SIM_ERR_NULL
    for craft, which in [(0, lib.SIM_COMMAND_COUNT), (0, -1), (2, 0), (-1, 0)]:
        assert lib.sim_command_read(w, craft, which, good, len(good), 1, res) == lib.SIM_ERR_RANGE


# ---------------------------------------------------------------- in an executive

class ParsedNode(AvionicsNode):
    """The node as it was: its commands subscribed with ``parse=True``."""

    def init(self, ctx: Any) -> None:
        self.ctx = ctx
        self._seq = ffi.from_buffer("uint16_t[]", ctx.seq, require_writable=True)
        ctx.subscribe(WHEEL_CMD, self._on_wheel, parse=True)
        ctx.subscribe(MTQ_CMD, self._on_mtq, parse=True)
        ctx.subscribe(THRUSTER_CMD, self._on_thruster, parse=True)


class Commander(Task):
    """Publishes a fixed list of command packets, a few per tick (restamped
    and renumbered as its own), good and bad."""

    name, rate_group = "commander", "attitude"

    def __init__(self, packets: list[bytes]) -> None:
        self.packets = packets

    def init(self, ctx: Any) -> None:
        self.ctx = ctx
        self.k = 0

    def step(self, t: float) -> None:
        for raw in self.packets[self.k:self.k + 3]:
            self.ctx.publish(raw)
        self.k += 3


class Tap:
    def __init__(self) -> None:
        self.stream: list[bytes] = []

    def __call__(self, packet: bytes, t: float) -> None:
        self.stream.append(bytes(packet))


def _fly(node_cls: type, packets: list[bytes]) -> tuple[Any, ...]:
    # the link silent from 1.0 s to 1.5 s: lost commands, malformed ones still reported
    cfg = WorldConfig(seed=5, faults=[FaultConfig(time=1.0, kind="link_silent", duration=0.5)])
    node = node_cls(cfg)
    ex = Executive(Bus.local(), ExecutiveConfig(seed=5, t0_tai=node.world.tai,
                                                rates={"default": 1.0, "attitude": 10.0}))
    ex.add_world(node)
    ex.add(Commander(packets))
    tap = Tap()
    ex.tap(tap)
    result = ex.run(duration_s=3.0)
    return (tap.stream, result.stream_hash, {k: asdict(v) for k, v in result.tasks.items()},
            asdict(node.stats), node.world.chaser.wheel_torque_cmd.tobytes(),
            node.world.chaser.thr_on_time.tobytes())


def test_raw_commands_leave_the_same_stream_and_statuses_as_parsed_ones() -> None:
    """The same command packets into the node reading bytes and into the node
    as it was (parse=True): the same stream (the BAD_PACKET events with their
    texts included), task statuses (the world's bad_packets), counters and
    commands."""
    rng = random.Random(11)
    packets = []
    for kind in ("wheel", "wheel", "mtq", "thruster"):
        packets += _packets(kind, rng, 20)
    # what the bus takes (one space packet: version 0, telemetry, its length)
    packets = [p for p in packets if len(p) >= 6 and not p[0] & 0xE0
               and struct.unpack_from(">H", p, 4)[0] + 7 == len(p)]
    rng.shuffle(packets)
    raw_run, parsed_run = _fly(AvionicsNode, packets), _fly(ParsedNode, packets)
    stream, _, tasks, stats, _, _ = raw_run
    assert tasks["world"]["bad_packets"] > 5 and stats["commands_lost"] > 0
    assert stats["commands_rejected"] > 0 and stats["commands_applied"] > 10
    assert any(b"dropped: " in p for p in stream)
    assert raw_run == parsed_run
