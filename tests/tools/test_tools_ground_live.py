"""Acceptance 5 end to end: the ground console, driven by a script, commands
the real comms task of the flight software running in a real-time executive
behind the ground link (GroundBridge + GroundGateway) and sees its
acknowledgements; a forged command is rejected and evented."""

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
from fsw.packets.auth import KeyRing, new_key_file
from fsw.scenario import load_builtin
from fsw.tasks.comms import CommsTask


def test_console_commands_the_flight_comms_task(tmp_path: Path, monkeypatch, capsys) -> None:
    keyfile = tmp_path / "tc.keys"
    keys = new_key_file(keyfile, [1, 2])
    forged = tmp_path / "forged.keys"
    new_key_file(forged, [1, 2])  # same key ids, different keys
    gateway = _gateway()
    bridge = GroundBridge(gateway)
    bus = Bus.local(name="live")
    ex = Executive(bus, ExecutiveConfig(mode="realtime", seed=1))
    ex.add(CommsTask(load_builtin(), KeyRing(keys.keys)))
    ex.add(bridge)
    runner = threading.Thread(target=ex.run, kwargs={"duration_s": 120.0}, daemon=True)
    runner.start()
    try:
        monkeypatch.setattr(sys, "stdin", io.StringIO("wait 0.3\nnoop\nwait-ack 10\nwait 2.0\n"))
        rc = main(["ground", gateway.endpoints.tm, "--keys", str(keyfile)])
        out = capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO("noop\nwait-ack 10\nwait 0.5\n"))
        rc_forged = main(["ground", gateway.endpoints.tm, "--keys", str(forged)])
        out_forged = capsys.readouterr()
    finally:
        ex.request_stop()
        runner.join(10)
        bus.close()
        gateway.close()
    assert rc == 0, out.err
    assert "> sent NOOP seq=0 auth_seq=1" in out.out
    assert "ACK NOOP seq=0 accepted" in out.out and "ACK NOOP seq=0 executed" in out.out
    assert " HEARTBEAT task=" in out.out  # live telemetry as it arrives
    assert rc_forged == 0, out_forged.err
    assert "ACK NOOP seq=0 rejected" in out_forged.out
    assert "EVENT warning comms: TC 0x080 rejected: bad MAC" in out_forged.out
    assert bridge.uplinked == 2 and bridge.refused == 0
