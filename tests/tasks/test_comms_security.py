"""Telecommand security of the comms task (issue #19, acceptance 2): the
anti-replay state written before execution and kept across restarts beside
the key file, key rotation when a key's numbers run out, stored commands
verified at upload and at release, and malformed input never stopping
commanding."""

from __future__ import annotations

import binascii
import json
import os
import stat
from pathlib import Path

import pytest
from fsw_tools.cli import main

from fsw.packets import DICTIONARY
from fsw.packets.auth import (
    AUTH_SEQ_MAX,
    KeyRing,
    build_command,
    new_key_file,
    rotation_command,
)
from fsw.packets.security import SecurityStore, SecurityStoreError
from fsw.scenario import Scenario
from fsw.tasks.comms import (
    ACCEPTED,
    EXECUTED,
    R_BAD_INNER,
    R_STATE,
    REASONS,
    REJECTED,
    CommsTask,
)

NOOP = DICTIONARY["NOOP"].apid


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "secret" / "tc.keys"
    path.parent.mkdir()
    new_key_file(path, [1, 2, 3])
    return path


def _comms(ctx, keys: KeyRing) -> CommsTask:
    task = CommsTask(Scenario(), keys)
    task.init(ctx)
    return task


def _noop(keys: KeyRing, auth_seq: int, key_id: int = 2, t: float = 2.0e9) -> bytes:
    return build_command(keys, "NOOP", key_id=key_id, auth_seq=auth_seq, t_tai=t)


def _stages(ctx) -> list[tuple[int, int, int]]:
    return [(a.command_apid, a.stage, a.reason) for a in ctx.of("COMMAND_ACK")]


def test_a_command_replayed_after_a_restart_is_rejected(keyfile: Path, ctx) -> None:
    FakeCtx = type(ctx)  # the fixture's class (tests/tasks/conftest.py)
    keys = KeyRing.load(keyfile)
    noop = _noop(keys, 1)
    first = FakeCtx()
    _comms(first, keys).on_tc(noop)
    assert _stages(first) == [(NOOP, ACCEPTED, 0), (NOOP, EXECUTED, 0)]
    state = keyfile.with_name("tc.keys.replay")
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert json.loads(state.read_text())["last_accepted"] == {"2": 1}
    # a new flight-software process with the same key file: the same bytes are a replay
    again = FakeCtx()
    task = _comms(again, KeyRing.load(keyfile))
    task.on_tc(noop)
    task.on_tc(_noop(keys, 2))
    assert _stages(again) == [(NOOP, REJECTED, REASONS["replay"]), (NOOP, ACCEPTED, 0),
                              (NOOP, EXECUTED, 0)]
    # and a restart of the task alone (the executive re-inits it) keeps it too
    task.init(again)
    task.on_tc(_noop(keys, 2))
    assert _stages(again)[-1] == (NOOP, REJECTED, REASONS["replay"])


def test_state_is_written_before_execution_or_the_command_is_refused(
        keyfile: Path, ctx, monkeypatch) -> None:
    keys = KeyRing.load(keyfile)
    task = _comms(ctx, keys)

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    task.on_tc(build_command(keys, "ABORT", key_id=2, auth_seq=1, t_tai=ctx.t, reason=1))
    assert _stages(ctx) == [(DICTIONARY["ABORT"].apid, REJECTED, R_STATE)]
    assert ctx.of("MISSION_CMD") == []  # never executed without its state kept
    assert "No space left" in ctx.events[-1][2]


def test_test_keys_keep_their_state_in_memory(ctx, tmp_path: Path) -> None:
    keys = KeyRing({1: bytes(32), 2: bytes(range(32))})  # no key file: nothing written
    task = _comms(ctx, keys)
    task.on_tc(_noop(keys, 1))
    assert task.security.path is None and task.security.writes == 0
    assert _stages(ctx)[-1] == (NOOP, EXECUTED, 0)


def test_counter_exhaustion_then_rotation(keyfile: Path, ctx, capsys) -> None:
    keys = KeyRing.load(keyfile)
    task = _comms(ctx, keys)
    task.on_tc(_noop(keys, AUTH_SEQ_MAX - 1))
    # the last number is kept for the rotation: 'fsw ground --auth-seq 4294967295' burns nothing
    task.on_tc(_noop(keys, AUTH_SEQ_MAX))
    assert _stages(ctx) == [(NOOP, ACCEPTED, 0), (NOOP, EXECUTED, 0),
                            (NOOP, REJECTED, REASONS["reserved auth_seq"])]
    assert main(["keys", "rotate", str(keyfile), "--key-id", "2"]) == 0
    assert "key 4 added" in capsys.readouterr().out
    ground = KeyRing.load(keyfile)
    assert ground.pending == {4: 2}
    # before its KEY_ROTATE the successor is not accepted
    task.on_tc(_noop(ground, 1, key_id=4))
    assert _stages(ctx)[-1] == (NOOP, REJECTED, REASONS["unknown key"])
    rot = rotation_command(ground, 2, 4, auth_seq=AUTH_SEQ_MAX, t_tai=ctx.t)
    task.on_tc(rot)
    apid = DICTIONARY["KEY_ROTATE"].apid
    assert _stages(ctx)[-2:] == [(apid, ACCEPTED, 0), (apid, EXECUTED, 0)]
    task.on_tc(_noop(ground, 1, key_id=4))
    assert _stages(ctx)[-2:] == [(NOOP, ACCEPTED, 0), (NOOP, EXECUTED, 0)]
    task.on_tc(rot)  # the rotation itself cannot be replayed
    assert _stages(ctx)[-1][1:] == (REJECTED, REASONS["revoked key"])
    # after a restart: key 4 is still active (kept wrapped, never in the clear), 2 revoked
    state = keyfile.with_name("tc.keys.replay").read_text()
    assert ground[4].hex() not in state and ground[2].hex() not in state
    again = type(ctx)()
    task2 = _comms(again, KeyRing.load(keyfile))
    task2.on_tc(_noop(ground, 2, key_id=4))
    task2.on_tc(_noop(ground, 1, key_id=3))
    task2.on_tc(_noop(ground, 5, key_id=2))
    assert _stages(again) == [(NOOP, ACCEPTED, 0), (NOOP, EXECUTED, 0),
                              (NOOP, ACCEPTED, 0), (NOOP, EXECUTED, 0),
                              (NOOP, REJECTED, REASONS["revoked key"])]
    capsys.readouterr()
    assert main(["keys", "show", str(keyfile)]) == 0
    shown = capsys.readouterr().out
    assert "key 2: AES-256 (successor" not in shown and "revoked on board" in shown


def test_a_rotation_with_a_key_that_does_not_unwrap_is_refused(keyfile: Path, ctx) -> None:
    keys = KeyRing.load(keyfile)
    task = _comms(ctx, keys)
    raw = build_command(keys, "KEY_ROTATE", key_id=2, auth_seq=1, t_tai=ctx.t, new_key_id=9,
                        wrapped_key=bytes(40))
    task.on_tc(raw)
    assert _stages(ctx)[-1][1] == REJECTED
    task.on_tc(_noop(keys, 2))  # key 2 is not revoked by a refused rotation
    assert _stages(ctx)[-1] == (NOOP, EXECUTED, 0)


def test_stored_command_inner_verified_at_upload_and_release(keyfile: Path, ctx) -> None:
    keys = KeyRing.load(keyfile)
    task = _comms(ctx, keys)
    tt = DICTIONARY["TIME_TAGGED"].apid
    # an inner command with a forged MAC (CRC right): the upload is refused
    inner = bytearray(build_command(keys, "ABORT", key_id=2, auth_seq=5, t_tai=ctx.t, reason=1))
    inner[-5] ^= 1
    inner[-2:] = binascii.crc_hqx(bytes(inner[:-2]), 0xFFFF).to_bytes(2, "big")
    up = build_command(keys, "TIME_TAGGED", key_id=2, auth_seq=6, t_tai=ctx.t, exec_tai=5.0,
                       command=bytes(inner))
    task.on_tc(up)
    assert _stages(ctx) == [(tt, ACCEPTED, 0), (tt, REJECTED, REASONS["bad MAC"])]
    # nesting is refused
    nested = build_command(keys, "TIME_TAGGED", key_id=2, auth_seq=7, t_tai=ctx.t,
                           exec_tai=5.0, command=up)
    task.on_tc(nested)
    assert _stages(ctx)[-1] == (tt, REJECTED, R_BAD_INNER)
    # a good one is stored; its inner number is consumed: sending it alone is a replay
    good = build_command(keys, "ABORT", key_id=3, auth_seq=40, t_tai=ctx.t, reason=2)
    task.on_tc(build_command(keys, "TIME_TAGGED", key_id=2, auth_seq=8, t_tai=ctx.t,
                             exec_tai=5.0, command=good))
    assert _stages(ctx)[-1] == (tt, EXECUTED, 0)
    task.on_tc(good)
    assert _stages(ctx)[-1] == (DICTIONARY["ABORT"].apid, REJECTED, REASONS["replay"])
    assert ctx.of("MISSION_CMD") == []
    # the signing key is revoked before the release: verified again, not executed
    ground = KeyRing.load(keyfile)
    from fsw.packets.auth import add_successor

    new = add_successor(ground, 3)
    task.on_tc(rotation_command(ground, 3, new, auth_seq=41, t_tai=ctx.t))
    ctx.t += 10.0
    task.step(ctx.t)
    assert ctx.of("MISSION_CMD") == []
    assert "stored command rejected at release" in ctx.events[-1][2]


def test_the_issue_packet_then_a_signed_noop(ctx) -> None:
    """Six copies of the 37-octet TIME_TAGGED, each rejected 'malformed',
    then a signed NOOP: accepted and executed."""
    keys = KeyRing({1: bytes(32), 2: bytes(range(32))})
    _comms(ctx, keys)
    bad = bytes.fromhex("1887c000001e") + bytes(29)
    bad += binascii.crc_hqx(bad, 0xFFFF).to_bytes(2, "big")
    for _ in range(6):
        ctx.deliver(bad)
    ctx.deliver(_noop(keys, 1))
    tt = DICTIONARY["TIME_TAGGED"].apid
    assert _stages(ctx) == [(tt, REJECTED, REASONS["malformed"])] * 6 + [
        (NOOP, ACCEPTED, 0), (NOOP, EXECUTED, 0)]


def test_a_damaged_state_file_stops_the_start(keyfile: Path) -> None:
    from fsw.errors import UserError

    keys = KeyRing.load(keyfile)
    store = SecurityStore.for_keys(keys)
    store.last_accepted[2] = 7
    store.save()
    state = keyfile.with_name("tc.keys.replay")
    state.write_text(state.read_text().replace('"2": 7', '"2": 1'))  # rolled back by hand
    with pytest.raises(UserError, match="unreadable anti-replay state"):
        CommsTask(Scenario(), KeyRing.load(keyfile))
    with pytest.raises(SecurityStoreError, match="unreadable"):
        store.save()  # damaged under a running process: refused, not overwritten
    # fresh keys in the same file: the old state is not theirs
    state.unlink()
    store.save()
    new_key_file(keyfile, [1, 2, 3], overwrite=True)
    with pytest.raises(UserError, match="belongs to other keys"):
        CommsTask(Scenario(), KeyRing.load(keyfile))


def test_two_processes_sharing_a_key_file_never_accept_the_same_number(
        keyfile: Path, ctx) -> None:
    """Two flight-software processes started with the same key file (two runs
    at once): a command one accepted is a replay for the other, and neither
    lowers the other's numbers on disk."""
    keys = KeyRing.load(keyfile)
    a, b = ctx, type(ctx)()
    task_a, task_b = _comms(a, KeyRing.load(keyfile)), _comms(b, KeyRing.load(keyfile))
    noop = _noop(keys, 5)
    task_a.on_tc(noop)
    task_b.on_tc(noop)
    task_b.on_tc(_noop(keys, 3))
    task_b.on_tc(_noop(keys, 6))
    assert _stages(a) == [(NOOP, ACCEPTED, 0), (NOOP, EXECUTED, 0)]
    assert _stages(b) == [(NOOP, REJECTED, REASONS["replay"]),
                          (NOOP, REJECTED, REASONS["replay"]),
                          (NOOP, ACCEPTED, 0), (NOOP, EXECUTED, 0)]
    task_a.on_tc(_noop(keys, 6))  # b took 6
    assert _stages(a)[-1] == (NOOP, REJECTED, REASONS["replay"])
    state = json.loads(keyfile.with_name("tc.keys.replay").read_text())
    assert state["last_accepted"] == {"2": 6}
