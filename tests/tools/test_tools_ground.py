"""Acceptance 5: the ground console driven by scripted input sends an
authenticated command and sees its acknowledgement; bad commands and
arguments are clear errors; the link can be CurveZMQ encrypted.

The emulator side is a minimal responder written here: a ground gateway that
verifies each telecommand (fsw.packets.auth) and answers COMMAND_ACK
(accepted then executed, or rejected), plus housekeeping and an event."""

from __future__ import annotations

import io
import random
import sys
import threading
import time
from pathlib import Path

import pytest
import zmq
from fsw_tools.archive import read_archive
from fsw_tools.cli import main
from fsw_tools.ground.curve import new_keys, server_keys
from fsw_tools.ground.link import GroundGateway
from ground_packets import field_values

from fsw.errors import UserError
from fsw.packets import DICTIONARY, AuthError
from fsw.packets.auth import CommandVerifier, KeyRing, new_key_file

ACK = DICTIONARY["COMMAND_ACK"]
EVENT = DICTIONARY["EVENT"]
ADCS_HK = DICTIONARY["ADCS_HK"]
REASONS = {"unknown key": 1, "bad MAC": 2, "replay": 3, "malformed": 4}


def _gateway(**kw) -> GroundGateway:
    """A gateway on a free pair of consecutive ports (PORT, PORT+1)."""
    rng = random.Random()
    for _ in range(50):
        port = rng.randrange(20_000, 60_000, 2)
        try:
            return GroundGateway("127.0.0.1", port, **kw)
        except UserError:
            continue
    raise RuntimeError("no free port pair")


class Responder(threading.Thread):
    """Minimal stand-in of the comms task behind a ground gateway."""

    def __init__(self, keys: KeyRing, **gateway_kw) -> None:
        super().__init__(daemon=True)
        self.gateway = _gateway(**gateway_kw)
        self.verifier = CommandVerifier(keys)
        self.commands: list = []
        self.rejected: list[str] = []
        self.stop = threading.Event()
        self.t = 2.3e9
        self.seq = {}

    def _send(self, pdef, **fields) -> None:
        seq = self.seq.get(pdef.apid, 0)
        self.seq[pdef.apid] = seq + 1
        self.gateway.downlink(pdef.build(t_tai=self.t, seq=seq, **fields))

    def run(self) -> None:
        last_hk = 0.0
        while not self.stop.is_set():
            for raw in self.gateway.uplink(timeout_s=0.02):
                apid = ((raw[0] << 8) | raw[1]) & 0x7FF
                cseq = ((raw[2] << 8) | raw[3]) & 0x3FFF
                base = {"command_apid": apid, "command_seq": cseq, "command_auth_seq": 0}
                try:
                    rec = self.verifier.verify(raw)
                except AuthError as exc:
                    self.rejected.append(exc.reason.value)
                    self._send(ACK, **base, stage="rejected", reason=REASONS[exc.reason.value])
                    self._send(EVENT, severity="warning", event_id=9, source="comms",
                               text=f"telecommand rejected: {exc.reason.value}")
                    continue
                self.commands.append(rec)
                base["command_auth_seq"] = rec.auth_seq
                self._send(ACK, **base, stage="accepted", reason=0)
                self._send(ACK, **base, stage="executed", reason=0)
            now = time.monotonic()
            if now - last_hk > 0.2:
                last_hk = now
                self.t += 1.0
                self._send(ADCS_HK, **field_values(ADCS_HK, int(self.t) % 100))

    def __enter__(self) -> Responder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.join(5)
        self.gateway.close()


def _console(monkeypatch, capsys, argv: list[str], script: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    rc = main(["ground", *argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "tc.keys"
    new_key_file(path, [1, 2])
    return path


SCRIPT = """\
wait 0.5
set_hold_point along_track=-500
wait-ack 10
quit
"""


def test_console_sends_a_command_and_sees_its_acknowledgement(monkeypatch, capsys,
                                                              keyfile, tmp_path) -> None:
    record = tmp_path / "session.fswarc"
    with Responder(KeyRing.load(keyfile)) as r:
        rc, out, err = _console(monkeypatch, capsys,
                                [r.gateway.endpoints.tm, "--keys", str(keyfile),
                                 "--record", str(record)], SCRIPT)
    assert rc == 0, err
    assert "> sent SET_HOLD_POINT seq=0 auth_seq=1" in out
    assert "ACK SET_HOLD_POINT seq=0 accepted" in out
    assert "ACK SET_HOLD_POINT seq=0 executed" in out
    assert " ADCS_HK mode=" in out  # housekeeping shown as it arrives
    names = [DICTIONARY.by_apid[int(a)].name for a in read_archive(record).apids]
    assert names.count("COMMAND_ACK") == 2 and "ADCS_HK" in names  # the session recorded
    [cmd] = r.commands  # verified by the flight side's verifier: authentic and fresh
    # signed with the operator's key (2), never the scripted ground station's (1)
    assert (cmd.packet.name, cmd.along_track, cmd.key_id, cmd.auth_seq) == (
        "SET_HOLD_POINT", -500.0, 2, 1)


def test_anti_replay_state_survives_the_session(monkeypatch, capsys, keyfile) -> None:
    with Responder(KeyRing.load(keyfile)) as r:
        for _ in range(2):
            rc, _, err = _console(monkeypatch, capsys,
                                  [r.gateway.endpoints.tm, "--keys", str(keyfile)],
                                  "noop\nwait-ack 10\n")
            assert rc == 0, err
    assert [c.auth_seq for c in r.commands] == [1, 2]
    assert r.rejected == []


def test_forged_command_is_shown_rejected(monkeypatch, capsys, keyfile, tmp_path) -> None:
    other = tmp_path / "other.keys"
    new_key_file(other, [1, 2])  # same key ids, different keys: the MAC cannot verify
    with Responder(KeyRing.load(keyfile)) as r:
        rc, out, err = _console(monkeypatch, capsys,
                                [r.gateway.endpoints.tm, "--keys", str(other)],
                                "abort reason=3\nwait-ack 10\nwait 0.3\n")
    assert rc == 0, err
    assert "ACK ABORT seq=0 rejected" in out and "reason=2" in out
    assert "EVENT warning comms: telecommand rejected: bad MAC" in out
    assert r.rejected == ["bad MAC"] and r.commands == []


BAD = """\
nosuchcommand x=1
SET_HOLD_POINT along_track=abc
SET_HOLD_POINT
SET_HOLD_POINT along=1
ABORT reason=70000
SET_MODE mode=warp
FIRE dv_N=0.1,0
help FIRE
"""


def test_unknown_command_and_bad_arguments_are_clear_errors(monkeypatch, capsys,
                                                            keyfile) -> None:
    with Responder(KeyRing.load(keyfile)) as r:
        rc, out, err = _console(monkeypatch, capsys,
                                [r.gateway.endpoints.tm, "--keys", str(keyfile)], BAD)
    assert rc == 1
    lines = err.strip().splitlines()
    assert len(lines) == 7, err
    assert "unknown command 'nosuchcommand'" in lines[0]
    assert "SET_HOLD_POINT.along_track: 'abc' is not a number" in lines[1]
    assert "SET_HOLD_POINT: missing along_track [m]" in lines[2]
    assert "no field 'along' (fields: along_track)" in lines[3]
    assert "ABORT.reason: 70000 outside 0..65535" in lines[4]
    assert "SET_MODE.mode: 'warp' is not one of" in lines[5] and "prox_ops" in lines[5]
    assert "FIRE.dv_N: needs 3 comma-separated numbers, got 2" in lines[6]
    assert "dv_N [m/s]" in out  # help FIRE
    assert r.commands == [] and r.rejected == []  # nothing bad was ever sent


@pytest.mark.skipif(not zmq.has("curve"), reason="libzmq built without CURVE")
def test_curve_encrypted_link(monkeypatch, capsys, keyfile, tmp_path) -> None:
    keys = tmp_path / "curve"
    assert main(["curve", "new", str(keys)]) == 0
    capsys.readouterr()
    with Responder(KeyRing.load(keyfile), curve=server_keys(keys)) as r:
        link = r.gateway.endpoints.tm
        rc, out, err = _console(monkeypatch, capsys,
                                [link, "--keys", str(keyfile), "--curve", str(keys)],
                                "noop\nwait-ack 10\n")
        assert rc == 0, err
        assert "ACK NOOP seq=0 executed" in out
        # a console without the keys cannot reach the gateway
        rc, out, err = _console(monkeypatch, capsys, [link, "--keys", str(keyfile)],
                                "noop\n")
    assert rc == 1 and "not connected" in err
    assert len(r.commands) == 1


def test_curve_keys_refuse_overwrite(tmp_path) -> None:
    new_keys(tmp_path / "k")
    with pytest.raises(UserError, match="refusing"):
        new_keys(tmp_path / "k")


def test_bridge_refuses_what_is_not_a_telecommand() -> None:
    from fsw_tools.ground.bridge import GroundBridge

    good = DICTIONARY["NOOP"].build(t_tai=2.3e9, seq=0)

    class FakeGateway:
        def uplink(self, timeout_s: float, limit: int | None = None) -> list[bytes]:
            return [b"\x00", ADCS_HK.build(t_tai=2.3e9, **field_values(ADCS_HK, 1)), good]

    class FakeCtx:
        def __init__(self) -> None:
            self.published, self.events = [], []

        def publish(self, raw: bytes) -> None:
            self.published.append(raw)

        def event(self, severity: int, event_id: int, text: str) -> None:
            self.events.append(text)

    bridge = GroundBridge(FakeGateway())  # type: ignore[arg-type]
    bridge.ctx = FakeCtx()
    bridge.step(0.0)
    assert bridge.ctx.published == [good]
    assert (bridge.uplinked, bridge.refused) == (1, 2)
    assert all("refused" in e for e in bridge.ctx.events) and len(bridge.ctx.events) == 2
