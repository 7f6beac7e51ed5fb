"""``fsw keys``: telecommand authentication keys. ``fsw keys new PATH``
creates a key file of fresh random AES-256 keys (mode 0600, never through a
symlink; never commit it); ``fsw keys show PATH`` lists its key ids without
the keys, and the anti-replay state kept beside it; ``fsw keys rotate PATH
--key-id K`` adds the successor of key K, which a KEY_ROTATE signed by K
(console line ``rotate``) activates on board while revoking K."""

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
    new.add_argument("--force", action="store_true",
                     help="replace PATH if it exists (and forget the anti-replay state kept "
                          "beside it, which belonged to the old keys)")
    new.set_defaults(func=run_new)
    show = sub.add_parser("show", help="list the key ids of a key file (never the keys)",
                          description="Check a key file and list its key ids, pending "
                                      "successors and the anti-replay state beside it.")
    show.add_argument("path", metavar="PATH", help="key file to read")
    show.set_defaults(func=run_show)
    rot = sub.add_parser(
        "rotate", help="add the successor of a key (before its numbers run out, or if it leaked)",
        description="Add a fresh key to PATH as the pending successor of --key-id. The flight "
                    "software accepts it only once a KEY_ROTATE signed by the old key has "
                    "installed it, which also revokes the old key: type 'rotate' in "
                    "'fsw ground --keys PATH --key-id OLD'. A key's last anti-replay number "
                    "(2^32-1) is kept for that command, so an exhausted key still rotates.")
    rot.add_argument("path", metavar="PATH", help="key file to update")
    rot.add_argument("--key-id", type=int, required=True, metavar="OLD", help="key to replace")
    rot.add_argument("--new-id", type=int, default=None, metavar="NEW",
                     help="id of the successor (default: one above the highest)")
    rot.set_defaults(func=run_rotate)


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
    if args.force:
        for old in _states(args.path):
            if os.path.lexists(old):
                os.unlink(old)
                print(f"removed {old} (the anti-replay state of the old keys)")
    return 0


def _states(path: str) -> list[str]:
    from fsw_tools.ground.authseq import SUFFIX as GROUND

    from fsw.packets.security import SUFFIX as FLIGHT

    return [path + FLIGHT, path + GROUND]


def run_show(args: argparse.Namespace) -> int:
    """List the key ids (and the state kept beside the file)."""
    from fsw_tools.ground.authseq import AuthSeqStore

    from fsw.packets.auth import KeyRing
    from fsw.packets.security import SecurityStore

    ring = KeyRing.load(args.path)
    board = SecurityStore.for_keys(ring)
    ground = AuthSeqStore.for_keys(ring)
    assert ground is not None
    nxt = {k: ground.next(k) for k in ring.keys} if ground.path.exists() else {}
    for kid, key in sorted(ring.keys.items()):
        notes = []
        if kid in ring.pending:
            notes.append(f"successor of key {ring.pending[kid]}, pending its KEY_ROTATE")
        if kid in board.revoked:
            notes.append("revoked on board")
        if kid in board.last_accepted:
            notes.append(f"last accepted on board {board.last_accepted[kid]}")
        if nxt.get(kid, 1) > 1:
            notes.append(f"ground's next {nxt[kid]}")
        print(f"key {kid}: AES-{len(key) * 8}" + (f" ({'; '.join(notes)})" if notes else ""))
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    """Add the pending successor of a key."""
    from fsw.packets.auth import KeyRing, add_successor

    ring = KeyRing.load(args.path)
    new = add_successor(ring, args.key_id, args.new_id)
    ring.save(args.path, overwrite=True)
    print(f"key {new} added to {args.path} as the successor of key {args.key_id} (pending). "
          f"Activate it: 'fsw ground --keys {args.path} --key-id {args.key_id}', then type "
          f"'rotate' (KEY_ROTATE signed by key {args.key_id} installs key {new} on board and "
          f"revokes key {args.key_id})")
    return 0
