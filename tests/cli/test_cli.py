"""The fsw command: help, version, and user errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

from fsw_tools.cli import build_parser, main

import fsw


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
