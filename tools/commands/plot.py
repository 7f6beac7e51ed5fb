"""``fsw plot RUN``: PNG plots of a run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from fsw_tools.cliargs import int_in

#: resolution bounds of the PNG files (600 dpi: a 12 x 5.5 in figure is 7200 x 3300 px)
MIN_DPI, MAX_DPI = 10, 600


def add_parser(subparsers: Any) -> None:
    """Register ``fsw plot``."""
    p = subparsers.add_parser(
        "plot",
        help="PNG plots of a run (trajectory, range, attitude, wheels, propellant, modes)",
        description=(
            "Decode a run directory's packet archive and write PNG plots: the chaser about "
            "the target in the Hill frame with the keep-out sphere, range over time, attitude "
            "and pointing error, wheel speeds, propellant and the mode timeline. Truth "
            "telemetry is drawn solid, flight-software estimates dashed."
        ),
    )
    p.add_argument("run", help="run directory written by 'fsw run'")
    p.add_argument("--out", type=Path, metavar="DIR", help="output directory (default RUN/plots)")
    p.add_argument("--dpi", type=int_in(MIN_DPI, MAX_DPI), default=100,
                   help=f"resolution of the PNG files, {MIN_DPI} to {MAX_DPI} dots per inch "
                        "(default 100)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from fsw_tools.files import output_dir
    from fsw_tools.plots.run import load_run, write_plots

    if args.out is not None:
        output_dir(args.out)  # a bad --out fails now, not after the work
    data = load_run(args.run)
    for path in write_plots(data, args.out, args.dpi):
        print(path)
    return 0
