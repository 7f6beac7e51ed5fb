"""Counter exhaustion then rotation from the console (issue #19, acceptance
2): an operator key near the end of its numbers, ``fsw keys rotate``, the
console's ``rotate`` line (KEY_ROTATE signed with the key's last number,
kept for it) and the next command signed by the successor, all executed by
the real comms task behind the ground link. A new session then signs with
the successor by default, and refuses the retired key (the comms task
refuses it too: tests/tasks/test_comms_security.py)."""

from __future__ import annotations

import io
import sys
import threading
from pathlib import Path

from fsw_tools.cli import main
from fsw_tools.ground.bridge import GroundBridge
from test_tools_ground import _gateway

from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig
from fsw.packets.auth import AUTH_SEQ_MAX, KeyRing, new_key_file
from fsw.scenario import load_builtin
from fsw.tasks.comms import CommsTask


def test_console_rotates_an_exhausted_key(tmp_path: Path, monkeypatch, capsys) -> None:
    keyfile = tmp_path / "tc.keys"
    new_key_file(keyfile, [1, 2])
    gateway = _gateway()
    ex = Executive(Bus.local(name="rot"), ExecutiveConfig(mode="realtime", seed=1))
    ex.add(CommsTask(load_builtin(), KeyRing.load(keyfile)))
    ex.add(GroundBridge(gateway))
    runner = threading.Thread(target=ex.run, kwargs={"duration_s": 120.0}, daemon=True)
    runner.start()
    link = gateway.endpoints.tm
    try:
        assert main(["keys", "rotate", str(keyfile), "--key-id", "2"]) == 0
        monkeypatch.setattr(sys, "stdin", io.StringIO(
            "wait 0.3\nnoop\nwait-ack 10\nrotate\nnoop\nwait-ack 10\n"))
        rc = main(["ground", link, "--keys", str(keyfile), "--no-hk",
                   "--auth-seq", str(AUTH_SEQ_MAX - 1)])
        first = capsys.readouterr()
        # a later session: the successor by default; the old key, asked for, is refused
        monkeypatch.setattr(sys, "stdin", io.StringIO("noop\nwait-ack 10\n"))
        rc2 = main(["ground", link, "--keys", str(keyfile), "--no-hk"])
        second = capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO("noop\nwait-ack 10\n"))
        rc3 = main(["ground", link, "--keys", str(keyfile), "--no-hk", "--key-id", "2",
                    "--auth-seq", "5"])
        third = capsys.readouterr()
    finally:
        ex.request_stop()
        runner.join(10)
        gateway.close()
    assert rc == 0, first.err
    out = first.out
    assert f"> sent NOOP seq=0 auth_seq={AUTH_SEQ_MAX - 1}" in out
    assert f"ACK NOOP seq=0 executed command_auth_seq={AUTH_SEQ_MAX - 1}" in out
    assert f"> sent KEY_ROTATE seq=0 auth_seq={AUTH_SEQ_MAX}" in out
    assert "ACK KEY_ROTATE seq=0 executed" in out
    assert "key 2 retired; signing with key 3" in out
    assert "> sent NOOP seq=0 auth_seq=1" in out and "ACK NOOP seq=0 executed" in out
    assert rc2 == 0, (second.out, second.err)
    assert "> sent NOOP seq=0 auth_seq=2" in second.out
    assert "ACK NOOP seq=0 executed command_auth_seq=2" in second.out
    assert rc3 == 2 and "key 2 was retired on board (rotated to key 3)" in third.err
