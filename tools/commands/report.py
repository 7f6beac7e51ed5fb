"""``fsw report RUN``: a self-contained HTML report of a run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register ``fsw report``."""
    p = subparsers.add_parser(
        "report",
        help="self-contained HTML report of a run (summary, timeline, plots)",
        description=(
            "Write one self-contained HTML file (no other file needed): the summary, the "
            "scenario's requirements as pass/fail/margin, the burns, the navigation error "
            "against truth with the on-board ±3σ, pointing per phase, the event log, every "
            "plot of 'fsw plot' embedded, the scenario inputs, packet counts and damage."
        ),
    )
    p.add_argument("run", help="run directory written by 'fsw run'")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="report file (default RUN/report.html)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from fsw_tools.files import output_file
    from fsw_tools.plots.run import load_run, write_report

    if args.out is not None:
        output_file(args.out)  # a bad --out fails now, not after the work
    data = load_run(args.run)
    for issue in data.archive.issues:  # also in the report; said here too
        print(f"warning: {issue}", file=sys.stderr)
    print(write_report(data, args.out))
    return 0
