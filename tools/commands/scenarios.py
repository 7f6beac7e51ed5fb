"""``fsw scenarios``: the built-in scenarios, one line each (or one in full)."""

from __future__ import annotations

import argparse
import re
from importlib import resources
from typing import Any

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``fsw scenarios``."""
    p = subparsers.add_parser(
        "scenarios",
        help="list the built-in scenarios (fsw run NAME flies one)",
        description=(
            "List the scenarios shipped with the package, one line each: name, launch "
            "notice, run limit, scheduled faults, dispersions, and what the scenario is for "
            "(its file's opening comment). With NAME, print that scenario's TOML (copy it "
            "to make your own: fsw scenarios NAME > mine.toml; fsw run mine.toml --test-keys)."
        ),
    )
    p.add_argument("name", nargs="?", default=None, metavar="NAME",
                   help="print this built-in scenario's file")
    p.set_defaults(func=run)


def _text(name: str) -> str:
    return (resources.files("fsw") / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")


def purpose(text: str) -> str:
    """The opening comment of a scenario file, as one sentence or two."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").strip())
    words = " ".join(lines)
    first = re.split(r"(?<=[.!?])\s", words, maxsplit=1)[0]
    return first


def _hours(s: float) -> str:
    return f"{s / 3600:.3g} h" if s >= 3600 else f"{s / 60:.3g} min"


def run(args: argparse.Namespace) -> int:
    from fsw import scenario

    names = scenario.builtin_names()
    if args.name is not None:
        if args.name not in names:
            raise UserError(f"no built-in scenario {args.name!r} (have: {', '.join(names)})")
        print(_text(args.name), end="")
        return 0
    width = max(len(n) for n in names)
    for name in names:
        sc = scenario.load_builtin(name)
        faults = ", ".join(sorted({f.kind for f in sc.faults})) or "no faults"
        disp = f"{len(sc.dispersions)} dispersions" if sc.dispersions else "no dispersions"
        print(f"{name:<{width}}  notice {_hours(sc.mission.notice_to_launch_s):>8}, "
              f"runs <= {_hours(sc.mission.max_duration_s):>7}, {faults}, {disp}: "
              f"{purpose(_text(name))}")
    return 0
