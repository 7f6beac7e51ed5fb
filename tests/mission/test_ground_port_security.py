"""The ground port of a live ``fsw run`` is a confined command path (issue
#19, build 3; issue #20, build 5): CurveZMQ keys from ``fsw curve new`` on
both sides (``fsw run --curve DIR``, ``fsw ground --curve DIR``), a console
signing with the operator's own key id by default (its first NOOP is
executed, not taken for a replay of the scripted station's), an unknown
client key and a plain ZeroMQ client read nothing and command nothing, and
six copies of the issue's malformed TIME_TAGGED leave commanding intact."""

from __future__ import annotations

import binascii
import contextlib
import io
import json
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
import zmq
from fsw_tools.cli import main
from fsw_tools.ground.curve import CurveClientKeys, client_keys
from fsw_tools.ground.link import GroundClient, GroundEndpoints

from fsw.errors import UserError
from fsw.packets.auth import KeyRing, build_command, new_key_file

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="libzmq built without CURVE")


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
        if port >= 65534:
            continue
        with socket.socket() as b:
            try:
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of ports")


def _wait_for_telemetry(client: GroundClient, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client.recv(0.2) is not None:
            return True
    return False


def test_curve_ground_port_end_to_end(tmp_path: Path, monkeypatch, capsys) -> None:
    keyfile = tmp_path / "keys" / "tc.keys"
    keyfile.parent.mkdir()
    new_key_file(keyfile, [1, 2, 3])
    curve = tmp_path / "curve"
    assert main(["curve", "new", str(curve)]) == 0
    port = _free_port_pair()
    url = f"tcp://127.0.0.1:{port}"
    rc: list[int] = []
    runner = threading.Thread(target=lambda: rc.append(main([
        "run", "short_inspection", "--duration", "40", "--quiet", "--no-archive",
        "--out", str(tmp_path / "run"), "--keys", str(keyfile), "--ground-port", str(port),
        "--curve", str(curve), "--realtime", "4"])), daemon=True)
    runner.start()
    ctx = zmq.Context()
    plain_sub = ctx.socket(zmq.SUB)
    plain_push = ctx.socket(zmq.PUSH)
    try:
        authorized = GroundClient(GroundEndpoints.parse(url), curve=client_keys(curve))
        assert _wait_for_telemetry(authorized), "the run's ground link did not come up"
        # a plain ZeroMQ client: reads nothing, commands nothing (even a signed command)
        for s in (plain_sub, plain_push):
            s.setsockopt(zmq.LINGER, 0)
        plain_sub.connect(url)
        plain_sub.setsockopt(zmq.SUBSCRIBE, b"")
        plain_push.connect(f"tcp://127.0.0.1:{port + 1}")
        keys = KeyRing.load(keyfile)
        # queued, or refused at once (under load the failed handshake can drop
        # the pipe first): either way never accepted
        with contextlib.suppress(zmq.Again):
            plain_push.send(build_command(keys, "NOOP", key_id=3, auth_seq=77, t_tai=2.2e9),
                            zmq.NOBLOCK)
        # an unknown client key (right server key, key pair not authorized)
        pub, sec = zmq.curve_keypair()
        intruder = GroundClient(GroundEndpoints.parse(url), curve=CurveClientKeys(
            pub, sec, client_keys(curve).server_public))
        got_plain = plain_sub.poll(1500)
        assert intruder.recv(0.5) is None
        with pytest.raises(UserError, match="not connected"):
            intruder.send(build_command(keys, "NOOP", key_id=3, auth_seq=78, t_tai=2.2e9),
                          timeout_s=1.0)
        intruder.close()
        assert not got_plain
        # six copies of the 37-octet TIME_TAGGED, then the console's NOOP
        bad = bytes.fromhex("1887c000001e") + bytes(29)
        bad += binascii.crc_hqx(bad, 0xFFFF).to_bytes(2, "big")
        for _ in range(6):
            authorized.send(bad)
        authorized.close()
        monkeypatch.setattr(sys, "stdin", io.StringIO("wait 0.5\nnoop\nwait-ack 15\n"))
        rc_console = main(["ground", url, "--keys", str(keyfile), "--curve", str(curve),
                           "--no-hk"])  # no --key-id: the operator's, not the station's 1
    finally:
        plain_sub.close(0)
        plain_push.close(0)
        ctx.term()
        runner.join(90)
    out = capsys.readouterr().out
    assert rc_console == 0, out
    assert "CurveZMQ" in out
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert sum("comms: TC 0x087 rejected: malformed" in w for w in summary["warnings"]) == 6
    assert "> sent NOOP seq=0 auth_seq=1" in out
    assert "ACK NOOP seq=0 accepted command_auth_seq=1" in out
    assert "ACK NOOP seq=0 executed command_auth_seq=1" in out
    assert "command_auth_seq=77" not in out and "command_auth_seq=78" not in out
    assert "failed after" not in out  # no task stopped
    assert rc == [0]


def test_ground_port_needs_curve_or_an_explicit_insecure_flag(tmp_path: Path, capsys) -> None:
    args = ["run", "short_inspection", "--duration", "5", "--quiet", "--no-archive",
            "--test-keys", "--ground-port", str(_free_port_pair())]
    assert main([*args, "--out", str(tmp_path / "a")]) == 2
    assert "--ground-port needs --curve DIR" in capsys.readouterr().err
    assert main(["run", "short_inspection", "--out", str(tmp_path / "b")]) == 2
    assert "--test-keys" in capsys.readouterr().err
    assert main([*args, "--insecure-ground", "--out", str(tmp_path / "c")]) == 0
    assert "warning: --insecure-ground" in capsys.readouterr().err
    summary = (tmp_path / "c" / "summary.json").read_text()
    assert '"telecommand_keys": "test: derived from the seed' in summary
