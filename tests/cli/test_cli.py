"""The fsw command: help, version, and user errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fsw_tools.cli import build_parser, main

import fsw
from fsw.errors import UserError


def test_version(capsys) -> None:
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert fsw.__version__ in capsys.readouterr().out


def test_help_lists_every_command_module() -> None:
    import pkgutil

    from fsw_tools import commands

    names = {m.name for m in pkgutil.iter_modules(commands.__path__)}
    help_text = build_parser().format_help()
    for name in names:
        assert name in help_text


def test_console_script_help_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "fsw_tools.cli", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    assert "usage: fsw" in out


def test_unknown_command_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "fsw_tools.cli", "no-such-command"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_runs_started_in_the_same_second_get_their_own_directories(tmp_path) -> None:
    """The default run directory is named by the second: a second run in
    that second gets ``-2``, a third ``-3`` (each made atomically, empty),
    so no run writes over another's summary or archive."""
    from fsw_tools.commands.run import fresh_run_dir

    made = [fresh_run_dir(tmp_path / "runs", "victus_haze-20261205T232742Z") for _ in range(3)]
    assert [p.name for p in made] == ["victus_haze-20261205T232742Z",
                                      "victus_haze-20261205T232742Z-2",
                                      "victus_haze-20261205T232742Z-3"]
    assert all(p.is_dir() and not any(p.iterdir()) for p in made)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        fresh_run_dir(tmp_path / "file", "a")
