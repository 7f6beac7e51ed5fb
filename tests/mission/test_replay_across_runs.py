"""The anti-replay state outlives a run (issue #19, acceptance 2): two
``fsw run --keys K`` flights one after the other. The second one's ground
station continues its numbering from the record kept beside the key file,
so its commands are accepted; the telecommands recorded in the first run's
(world-readable) archive, played into the second run, are all rejected as
replays. No key and no anti-replay state is written into a run directory."""

from __future__ import annotations

import os
from pathlib import Path

from fsw_tools.archive import read_archive
from fsw_tools.cli import main

from fsw.packets import DICTIONARY
from fsw.packets.auth import KeyRing, new_key_file
from fsw.tasks.comms import ACCEPTED, REASONS, REJECTED

TC = range(0x080, 0x100)


def _run(tmp_path: Path, name: str, keyfile: Path) -> Path:
    out = tmp_path / name
    assert main(["run", "short_inspection", "--duration", "5", "--quiet", "--out", str(out),
                 "--keys", str(keyfile)]) == 0
    return out


def test_commands_of_one_run_are_replays_in_the_next(tmp_path: Path, capsys) -> None:
    keyfile = tmp_path / "secret" / "tc.keys"
    keyfile.parent.mkdir()
    new_key_file(keyfile, [1, 2])
    first = _run(tmp_path, "first", keyfile)
    arc1 = read_archive(first / "packets.fswarc")
    recorded = [p for p, a in zip(arc1.packets(), arc1.apids.tolist(), strict=True) if a in TC]
    assert recorded  # the launch notice and the health checks
    # the second run: its own commands go through, the first run's are replays
    import fsw_tools.mission as mission

    queue_them = mission.fly

    def fly(*args, **kw):
        def prepare(res) -> None:
            for raw in recorded:
                res.ground.queue(res.notice_tai + 1.0, raw)

        return queue_them(*args, prepare=prepare, **kw)

    mission.fly = fly
    try:
        second = _run(tmp_path, "second", keyfile)
    finally:
        mission.fly = queue_them
    capsys.readouterr()
    arc2 = read_archive(second / "packets.fswarc")
    ack = DICTIONARY["COMMAND_ACK"]
    acks = [ack.parse(p) for p, a in zip(arc2.packets(), arc2.apids.tolist(), strict=True)
            if a == ack.apid]
    replayed = {(DICTIONARY.decode(r).apid, DICTIONARY.decode(r).auth_seq) for r in recorded}
    verdicts = {(a.command_apid, a.command_auth_seq): a for a in acks
                if (a.command_apid, a.command_auth_seq) in replayed}
    assert set(verdicts) == replayed
    assert all((a.stage, a.reason) == (REJECTED, REASONS["replay"]) for a in verdicts.values())
    own = [a for a in acks if a.command_apid == DICTIONARY["LAUNCH_NOTICE"].apid
           and a.stage == ACCEPTED]
    assert own and own[0].command_auth_seq > max(s for _, s in replayed)
    # secrets stay beside the key file, never in the run directories
    for run in (first, second):
        for f in run.rglob("*"):
            data = f.read_bytes()
            for key in KeyRing.load(keyfile).keys.values():
                assert key not in data and key.hex().encode() not in data
        assert not any(f.name.endswith((".replay", ".authseq")) for f in run.rglob("*"))
    for state in ("tc.keys.replay", "tc.keys.authseq"):
        assert os.stat(keyfile.with_name(state)).st_mode & 0o077 == 0
    # the run replays with the key file its summary names, without touching its state
    before = keyfile.with_name("tc.keys.replay").read_bytes()
    assert main(["replay", str(second), "--verify"]) == 0
    assert "replay reproduces the recording exactly" in capsys.readouterr().out
    assert keyfile.with_name("tc.keys.replay").read_bytes() == before
