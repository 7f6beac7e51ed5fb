"""``fsw report RUN``: a self-contained HTML report of a run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register ``fsw report``."""
    p = subparsers.add_parser(
        "report",
        help="self-contained HTML report of a run (summary, timeline, plots)",
        description=(
            "Write one HTML file with the run summary, the mode timeline, packet counts, "
            "damaged records, and every plot of 'fsw plot' embedded (no other file needed)."
        ),
    )
    p.add_argument("run", help="run directory written by 'fsw run'")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="report file (default RUN/report.html)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from fsw_tools.plots.run import load_run, write_report

    print(write_report(load_run(args.run), args.out))
    return 0
