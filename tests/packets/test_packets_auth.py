"""Telecommand authentication: a valid command passes; forged MAC, replayed
sequence number, unknown key id and malformed/truncated packets are each
rejected with their reason. The MAC is checked against an independent
AES-CMAC (RFC 4493 test vector through the same library call)."""

from __future__ import annotations

import json
import os
import stat

import pytest
from fsw_tools.cli import main

from fsw.packets import DICTIONARY, MAC_LEN, AuthReason, KeyFileError, PacketBuildError
from fsw.packets.auth import (
    BadMacError,
    CommandSigner,
    CommandVerifier,
    KeyRing,
    MalformedCommandError,
    ReplayError,
    UnknownKeyError,
    build_command,
    compute_mac,
    new_key_file,
)


@pytest.fixture
def keys(tmp_path: os.PathLike) -> KeyRing:
    path = tmp_path / "tc.keys"
    assert main(["keys", "new", str(path), "--ids", "1-3"]) == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    return KeyRing.load(path)


def fire(keys: KeyRing, auth_seq: int, key_id: int = 1) -> bytes:
    return build_command(keys, "FIRE", key_id=key_id, auth_seq=auth_seq, t_tai=1000.0,
                         dv_N=(0.1, 0.0, -0.2))


def test_cmac_rfc4493_vector() -> None:
    key = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
    msg = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")
    assert compute_mac(key, msg).hex() == "070a16b46b4d4144f79bdd9dd04a287c"


def test_valid_command_passes_and_mac_covers_everything(keys: KeyRing) -> None:
    raw = fire(keys, 5)
    v = CommandVerifier(keys)
    rec = v.verify(raw)
    assert (rec.apid, rec.key_id, rec.auth_seq, rec.dv_N) == (0x086, 1, 5, (0.1, 0.0, -0.2))
    body = raw[:-(MAC_LEN + 2)]
    assert raw[-(MAC_LEN + 2):-2] == compute_mac(keys[1], body)
    assert v.last_accepted == {1: 5} and v.counts["accepted"] == 1


def test_replay_is_rejected(keys: KeyRing) -> None:
    v = CommandVerifier(keys)
    v.verify(fire(keys, 7))
    for seq in (7, 6, 0):
        with pytest.raises(ReplayError) as exc:
            v.verify(fire(keys, seq))
        assert exc.value.reason is AuthReason.REPLAY
    assert v.verify(fire(keys, 8)).auth_seq == 8
    # counters are per key: key 2 starts fresh
    assert v.verify(fire(keys, 1, key_id=2)).key_id == 2


def test_forged_mac_is_rejected(keys: KeyRing) -> None:
    v = CommandVerifier(keys)
    other = KeyRing({1: bytes(32)})  # attacker's guess of key 1
    with pytest.raises(BadMacError) as exc:
        v.verify(fire(other, 9))
    assert exc.value.reason is AuthReason.BAD_MAC
    # altering the command (and fixing the CRC) breaks the MAC
    raw = bytearray(fire(keys, 9))
    raw[30] ^= 0x01
    import binascii

    raw[-2:] = binascii.crc_hqx(bytes(raw[:-2]), 0xFFFF).to_bytes(2, "big")
    with pytest.raises(BadMacError):
        v.verify(bytes(raw))
    assert v.last_accepted == {}  # a rejected command advances nothing
    assert v.verify(fire(keys, 9)).auth_seq == 9


def test_unknown_key_is_rejected(keys: KeyRing) -> None:
    stranger = KeyRing({77: bytes(32)})
    with pytest.raises(UnknownKeyError) as exc:
        CommandVerifier(keys).verify(fire(stranger, 1, key_id=77))
    assert exc.value.reason is AuthReason.UNKNOWN_KEY and exc.value.key_id == 77


def test_truncated_and_malformed_are_rejected(keys: KeyRing) -> None:
    v = CommandVerifier(keys)
    raw = fire(keys, 3)
    for bad in (raw[:-1], raw[:20], raw[:5], b"", raw + b"\0",
                DICTIONARY["GYRO"].build(t_tai=0, rate_B=(0, 0, 0), valid=1)):
        with pytest.raises(MalformedCommandError) as exc:
            v.verify(bad)
        assert exc.value.reason is AuthReason.MALFORMED
    assert v.check(raw[:-1]) == (None, AuthReason.MALFORMED)
    assert v.counts[AuthReason.MALFORMED.value] == 7
    assert v.check(raw)[1] is None


def test_signer_numbers_commands(keys: KeyRing) -> None:
    signer = CommandSigner(keys, key_id=2, next_auth_seq=100)
    v = CommandVerifier(keys)
    a = v.verify(signer.build("NOOP", t_tai=1.0))
    b = v.verify(signer.build("SET_MODE", t_tai=2.0, mode="rendezvous"))
    c = v.verify(signer.build("NOOP", t_tai=3.0))
    assert (a.auth_seq, b.auth_seq, c.auth_seq) == (100, 101, 102)
    assert (a.seq, c.seq, b.mode) == (0, 1, 4)


def test_time_tagged_inner_command(keys: KeyRing) -> None:
    inner = fire(keys, 10)
    outer = build_command(keys, "TIME_TAGGED", key_id=1, auth_seq=11, t_tai=5.0,
                          exec_tai=500.0, command=inner)
    v = CommandVerifier(keys)
    rec = v.verify(outer)
    assert rec.command == inner
    assert v.verify(rec.command, check_replay=False).dv_N == (0.1, 0.0, -0.2)
    with pytest.raises(ReplayError):
        v.verify(rec.command)


def test_key_files(tmp_path: os.PathLike) -> None:
    path = tmp_path / "k.json"
    ring = new_key_file(path, [5])
    assert KeyRing.load(path).keys == ring.keys
    with pytest.raises(KeyFileError):
        new_key_file(path)  # never overwritten by accident
    assert main(["keys", "new", str(path)]) == 2
    assert main(["keys", "show", str(path)]) == 0
    (tmp_path / "bad.json").write_text(json.dumps({"format": "x"}))
    for bad in (tmp_path / "bad.json", tmp_path / "missing.json"):
        with pytest.raises(KeyFileError):
            KeyRing.load(bad)
        assert main(["keys", "show", str(bad)]) == 2
    assert main(["keys", "new", str(tmp_path / "z"), "--ids", "x"]) == 2
    with pytest.raises(PacketBuildError):
        build_command(ring, "GYRO", key_id=5, auth_seq=1, t_tai=0, rate_B=(0, 0, 0), valid=0)
    with pytest.raises(PacketBuildError):
        build_command(ring, "NOOP", key_id=6, auth_seq=1, t_tai=0)
