"""``fsw keys``: telecommand authentication keys. ``fsw keys new PATH``
creates a key file of fresh random AES-256 keys (mode 0600; never commit it);
``fsw keys show PATH`` lists its key ids without the keys."""

from __future__ import annotations

import argparse
from typing import Any

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``fsw keys``."""
    p = subparsers.add_parser(
        "keys",
        help="create or inspect telecommand authentication key files",
        description=(
            "Telecommands carry a key id, an anti-replay sequence number and an AES-CMAC "
            "(fsw.packets.auth). Ground and flight software read the same key file. Key files "
            "are secrets: they are created readable by their owner only and must never be "
            "committed."
        ),
    )
    sub = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="create a key file of fresh random keys",
                         description="Create PATH holding fresh random AES-256 keys.")
    new.add_argument("path", metavar="PATH", help="key file to create (must not exist)")
    new.add_argument("--ids", default="1-4", metavar="IDS",
                     help="key ids to create: a range 'A-B' or a comma list (default 1-4)")
    new.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    new.set_defaults(func=run_new)
    show = sub.add_parser("show", help="list the key ids of a key file (never the keys)",
                          description="Check a key file and list its key ids.")
    show.add_argument("path", metavar="PATH", help="key file to read")
    show.set_defaults(func=run_show)


def parse_ids(text: str) -> list[int]:
    """'1-4' or '1,2,7' -> key ids; UserError on anything else."""
    try:
        if "-" in text:
            lo, hi = (int(x, 0) for x in text.split("-", 1))
            ids = list(range(lo, hi + 1))
        else:
            ids = [int(x, 0) for x in text.split(",")]
    except ValueError:
        raise UserError(f"--ids {text!r}: give a range like 1-4 or a list like 1,2,7") from None
    if not ids or any(not 0 <= i <= 0xFFFF for i in ids) or len(set(ids)) != len(ids):
        raise UserError(f"--ids {text!r}: key ids must be distinct, in [0, 65535]")
    return ids


def run_new(args: argparse.Namespace) -> int:
    """Create the key file."""
    from fsw.packets.auth import new_key_file

    ring = new_key_file(args.path, parse_ids(args.ids), overwrite=args.force)
    print(f"wrote {len(ring.keys)} keys (ids {', '.join(map(str, sorted(ring.keys)))}) to "
          f"{args.path}; keep it secret, never commit it")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """List the key ids."""
    from fsw.packets.auth import KeyRing

    ring = KeyRing.load(args.path)
    for kid, key in sorted(ring.keys.items()):
        print(f"key {kid}: AES-{len(key) * 8}")
    return 0
