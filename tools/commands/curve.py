"""``fsw curve new DIR``: CurveZMQ keys of the ground link."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register ``fsw curve``."""
    p = subparsers.add_parser(
        "curve",
        help="CurveZMQ keys for an encrypted, authenticated ground link",
        description=(
            "Make the ZeroMQ CURVE certificates of the ground link: the gateway's key pair "
            "(server), the consoles' key pairs and the list of consoles the gateway accepts "
            "(DIR/authorized). Keep DIR private and out of version control."
        ),
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="create server and console key pairs in DIR",
                         description="Create DIR/server.key[_secret], one key pair per "
                                     "--client and DIR/authorized/ with their public keys.")
    new.add_argument("dir", type=Path, help="directory for the keys (created; mode 0700)")
    new.add_argument("--client", action="append", default=None, metavar="NAME",
                     help="console key pair to create and authorize (default: ground); "
                          "repeatable")
    new.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from fsw_tools.ground.curve import CLIENT, new_keys

    clients = tuple(args.client or [CLIENT])
    d = new_keys(args.dir, clients)
    print(f"{d}: server key pair, console key pairs {', '.join(clients)}; "
          f"authorized consoles in {d / 'authorized'}")
    return 0
