"""``fsw keys``: telecommand authentication keys. ``fsw keys new PATH``
creates a key file of fresh random AES-256 keys (mode 0600; never commit it);
``fsw keys show PATH`` lists its key ids without the keys."""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path
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
    """'1-4', '1,2,7' or '2,5-7' -> key ids; UserError on anything else."""
    ids: list[int] = []
    try:
        for item in text.split(","):
            lo, dash, hi = item.strip().partition("-")
            first = int(lo, 0)
            last = int(hi, 0) if dash else first
            if last < first or last - first > 0xFFFF:
                raise ValueError(item)
            ids += range(first, last + 1)
    except ValueError:
        raise UserError(f"--ids {text!r}: give ranges and ids like 1-4, 1,2,7 or 2,5-7") from None
    if not ids or any(not 0 <= i <= 0xFFFF for i in ids) or len(set(ids)) != len(ids):
        raise UserError(f"--ids {text!r}: key ids must be distinct, in [0, 65535]")
    return ids


def run_new(args: argparse.Namespace) -> int:
    """Create the key file."""
    from fsw.packets.auth import new_key_file

    ids = parse_ids(args.ids)
    folder = Path(args.path).parent
    if not folder.is_dir():  # keys/ops.key: make keys/, private
        if folder.exists() or any(p.exists() and not p.is_dir() for p in folder.parents):
            raise UserError(f"cannot create {args.path}: a part of the path is a file")
        folder.mkdir(parents=True, mode=0o700)
    existed = os.path.lexists(args.path)
    try:
        ring = new_key_file(args.path, ids, overwrite=args.force)
    except (UserError, OSError):
        if not existed:  # a full disk: no empty key file left behind
            with contextlib.suppress(OSError):
                os.unlink(args.path)
        raise
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
