"""The ``fsw`` command: discovers the subcommands in :mod:`fsw_tools.commands`
and turns user errors into a one-line message and exit status 2."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from fsw_tools import commands
from fsw_tools.cliargs import Parser
from fsw_tools.files import os_error

import fsw
from fsw.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every discovered subcommand."""
    parser = Parser(
        prog="fsw",
        description=(
            "Flight-software emulator with hardware in the loop for a rendezvous and "
            "proximity operations spacecraft. Run 'fsw COMMAND --help' for a command's options."
        ),
    )
    parser.add_argument("--version", action="version", version=f"fsw {fsw.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console command."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage error (one line, status 2), --help or --version
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"fsw {args.command}: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:  # an operating-system error no command foresaw
        print(f"fsw {args.command}: error: {os_error(exc, 'cannot use')}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:  # a file given as text that is not UTF-8
        print(f"fsw {args.command}: error: a file given is not UTF-8 text (byte 0x"
              f"{exc.object[exc.start]:02x} at {exc.start})", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"fsw {args.command}: error: out of memory (ask for less: fewer packets, "
              "a lower resolution)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"fsw {args.command}: interrupted", file=sys.stderr)
        return 130


def _one_line(text: str) -> str:
    """A message on one line (a compiler's output and the like: first lines only)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else "failed"
    return " | ".join(lines[:4]) + (" | ..." if len(lines) > 4 else "")


if __name__ == "__main__":
    sys.exit(main())
