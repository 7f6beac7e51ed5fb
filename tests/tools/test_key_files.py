"""Key files from the command line (issue #19, build 5 in part): ``fsw keys
new --force`` writes a 0600 file and never writes through a symlink, ``fsw
keys show`` on a binary file and ``fsw curve new FILE`` are one-line errors,
``fsw keys rotate`` adds a pending successor."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import zmq
from fsw_tools.cli import main


def test_keys_new_force_writes_0600_and_never_through_a_symlink(tmp_path: Path,
                                                                  capsys) -> None:
    path = tmp_path / "tc.keys"
    path.write_text("old")
    os.chmod(path, 0o644)
    assert main(["keys", "new", str(path), "--force"]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["format"] == "fsw-tc-keys-1"
    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.chmod(victim, 0o644)
    link = tmp_path / "link.keys"
    link.symlink_to(victim)
    assert main(["keys", "new", str(link)]) == 2  # exists (a symlink): refused
    assert "exists" in capsys.readouterr().err
    assert main(["keys", "new", str(link), "--force"]) == 0
    assert victim.read_text() == "precious" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) == 0o600
    dangling = tmp_path / "dangling.keys"
    dangling.symlink_to(tmp_path / "nowhere")
    assert main(["keys", "new", str(dangling)]) == 2
    assert not (tmp_path / "nowhere").exists()


def test_keys_new_force_forgets_the_old_keys_state(tmp_path: Path, capsys) -> None:
    path = tmp_path / "tc.keys"
    assert main(["keys", "new", str(path)]) == 0
    for suffix in (".replay", ".authseq"):
        Path(f"{path}{suffix}").write_text("{}")
    assert main(["keys", "new", str(path), "--force"]) == 0
    out = capsys.readouterr().out
    assert "removed" in out and not Path(f"{path}.replay").exists()
    assert not Path(f"{path}.authseq").exists()


def test_keys_show_on_a_binary_file_is_one_line(tmp_path: Path, capsys) -> None:
    binary = tmp_path / "random.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    assert main(["keys", "show", str(binary)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a telecommand key file" in err
    assert "Traceback" not in err


def test_curve_new_on_a_file_is_one_line(tmp_path: Path, capsys) -> None:
    if not zmq.has("curve"):
        return
    f = tmp_path / "afile"
    f.write_text("x")
    assert main(["curve", "new", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file" in err
    assert main(["curve", "new", str(f / "sub")]) == 2  # a path under a file
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_keys_rotate_adds_a_pending_successor(tmp_path: Path, capsys) -> None:
    path = tmp_path / "tc.keys"
    assert main(["keys", "new", str(path), "--ids", "1-3"]) == 0
    assert main(["keys", "rotate", str(path), "--key-id", "2"]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert sorted(doc["keys"]) == ["1", "2", "3", "4"] and doc["pending"] == {"4": 2}
    assert main(["keys", "rotate", str(path), "--key-id", "2"]) == 2  # one at a time
    assert "already has a pending successor" in capsys.readouterr().err
    assert main(["keys", "rotate", str(path), "--key-id", "9"]) == 2
    capsys.readouterr()
    assert main(["keys", "show", str(path)]) == 0
    assert "key 4: AES-256 (successor of key 2, pending its KEY_ROTATE)" in \
        capsys.readouterr().out
