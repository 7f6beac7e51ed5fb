"""Comms task: authenticated ingest, rejections acknowledged and evented with
their reason, routing to the owner, stored commands released on time."""

from __future__ import annotations

from fsw.packets import DICTIONARY
from fsw.packets.auth import CommandSigner, KeyRing, build_command
from fsw.scenario import Scenario
from fsw.tasks.comms import ACCEPTED, EXECUTED, REASONS, REJECTED, CommsTask

KEYS = KeyRing({1: bytes(range(32)), 2: bytes(range(1, 33))})


def _task(ctx) -> CommsTask:
    task = CommsTask(Scenario(), KEYS)
    task.init(ctx)
    return task


def test_authentic_command_is_acked_and_forwarded(ctx) -> None:
    _task(ctx)
    signer = CommandSigner(KEYS, 1)
    ctx.deliver(signer.build("ABORT", t_tai=ctx.t, reason=7))
    acks = ctx.of("COMMAND_ACK")
    assert [a.stage for a in acks] == [ACCEPTED]
    (fwd,) = ctx.of("MISSION_CMD")
    assert fwd.owner == "autonomy"
    assert DICTIONARY.decode(fwd.command).reason == 7


def test_noop_health_check_is_executed_here(ctx) -> None:
    _task(ctx)
    ctx.deliver(CommandSigner(KEYS, 1).build("NOOP", t_tai=ctx.t))
    assert [a.stage for a in ctx.of("COMMAND_ACK")] == [ACCEPTED, EXECUTED]
    assert ctx.of("MISSION_CMD") == []


def test_forged_replayed_unknown_key_are_rejected_with_reason(ctx) -> None:
    _task(ctx)
    good = build_command(KEYS, "ABORT", key_id=1, auth_seq=5, t_tai=ctx.t, reason=1)
    forged = bytearray(good)
    forged[-5] ^= 0x01  # inside the MAC
    from fsw.packets.codec import crc16

    forged[-2:] = crc16(bytes(forged[:-2])).to_bytes(2, "big")
    other = KeyRing({9: bytes(32)})
    unknown = build_command(other, "ABORT", key_id=9, auth_seq=1, t_tai=ctx.t, reason=1)
    ctx.deliver(bytes(forged))
    ctx.deliver(good)
    ctx.deliver(good)  # replay
    ctx.deliver(unknown)
    stages = [(a.stage, a.reason) for a in ctx.of("COMMAND_ACK")]
    assert stages == [
        (REJECTED, REASONS["bad MAC"]),
        (ACCEPTED, 0),
        (REJECTED, REASONS["replay"]),
        (REJECTED, REASONS["unknown key"]),
    ]
    assert len(ctx.of("MISSION_CMD")) == 1  # only the authentic one reached a task
    texts = [e[2] for e in ctx.events]
    assert any("bad MAC" in x for x in texts) and any("replay" in x for x in texts)


def test_time_tagged_command_released_at_its_time(ctx) -> None:
    task = _task(ctx)
    signer = CommandSigner(KEYS, 2)
    inner = signer.build("SET_HOLD_POINT", t_tai=ctx.t, along_track=-800.0)
    ctx.deliver(signer.build("TIME_TAGGED", t_tai=ctx.t, exec_tai=ctx.t + 30.0, command=inner))
    for k in range(1, 31):
        ctx.t += 1.0
        task.step(ctx.t)
        if k < 30:
            assert ctx.of("MISSION_CMD") == []
    (fwd,) = ctx.of("MISSION_CMD")
    assert DICTIONARY.decode(fwd.command).along_track == -800.0


def test_relative_time_tag_and_past_tag(ctx) -> None:
    task = _task(ctx)
    signer = CommandSigner(KEYS, 1)
    inner = signer.build("ABORT", t_tai=ctx.t, reason=4)
    ctx.deliver(signer.build("TIME_TAGGED", t_tai=ctx.t, exec_tai=5.0, command=inner))
    late = signer.build("NOOP", t_tai=ctx.t)
    ctx.deliver(signer.build("TIME_TAGGED", t_tai=ctx.t, exec_tai=ctx.t - 100.0, command=late))
    assert (REJECTED, 6) in [(a.stage, a.reason) for a in ctx.of("COMMAND_ACK")]
    for _ in range(4):
        ctx.t += 1.0
        task.step(ctx.t)
    assert ctx.of("MISSION_CMD") == []
    ctx.t += 1.0
    task.step(ctx.t)
    (fwd,) = ctx.of("MISSION_CMD")
    assert DICTIONARY.decode(fwd.command).reason == 4
