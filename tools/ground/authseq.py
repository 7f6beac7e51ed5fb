"""The ground's anti-replay numbering, kept beside the key file
(``KEYFILE.authseq``) so that no ground process -- the scripted ground
station of ``fsw run --keys``, any number of ``fsw ground`` consoles, one
after another or at once -- ever signs with a number the flight software
has already seen, and so that a console knows which keys were rotated.

Format: JSON ``{"<key id>": next auth_seq, ..., "rotated": {"<old id>":
new id}}``. Every change is a read-modify-write under an exclusive lock
(``fcntl.flock`` on ``KEYFILE.authseq.lock``) written to a fresh file and
renamed over the old one (mode 0600), and it happens *before* the command
it numbers is sent: a number is never reused, at worst skipped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fsw.errors import UserError

SUFFIX = ".authseq"


class AuthSeqStore:
    """Next anti-replay sequence number per key and the rotations made."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @classmethod
    def for_keys(cls, keys: Any) -> AuthSeqStore | None:
        """The store beside the key file of ``keys`` (None for keys made in memory)."""
        src = getattr(keys, "source", None)
        return None if src is None else cls(src.with_name(src.name + SUFFIX))

    # -- reading ---------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes())
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return data
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError) as exc:
            raise UserError(f"{self.path}: unreadable anti-replay state ({exc})") from None

    def next(self, key_id: int) -> int:
        """The next number of ``key_id`` (1 for a key never used)."""
        try:
            return int(self._read().get(str(key_id), 1))
        except (TypeError, ValueError) as exc:
            raise UserError(f"{self.path}: unreadable anti-replay state ({exc})") from None

    def rotated(self) -> dict[int, int]:
        """Old key id -> the key that replaced it on board."""
        try:
            return {int(k): int(v) for k, v in self._read().get("rotated", {}).items()}
        except (TypeError, ValueError, AttributeError) as exc:
            raise UserError(f"{self.path}: unreadable anti-replay state ({exc})") from None

    # -- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as exc:
            raise UserError(f"{lock}: cannot lock the anti-replay state ({exc.strerror}); "
                            "command not sent") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = self._read()
            yield data
            self._write(data)
        finally:
            os.close(fd)

    def _write(self, data: dict[str, Any]) -> None:
        p = self.path
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                os.write(fd, (json.dumps(data, sort_keys=True) + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, p)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise UserError(f"{p}: cannot keep the anti-replay state ({exc.strerror}); "
                            "command not sent") from None

    def save(self, key_id: int, next_seq: int) -> None:
        """Record that numbers below ``next_seq`` of ``key_id`` are used (never
        moves a key's number back)."""
        with self._locked() as data:
            data[str(key_id)] = max(int(data.get(str(key_id), 1)), next_seq)

    def take(self, key_id: int, first: int | None = None, last: int | None = None) -> int:
        """Reserve the next number of ``key_id`` (at least ``first``) and
        return it: what a sender does just before it signs. UserError, and
        nothing reserved, if that number would be above ``last``."""
        with self._locked() as data:
            n = max(int(data.get(str(key_id), 1)), first or 0)
            if last is not None and n > last:
                raise UserError(f"key {key_id}: anti-replay number {n} is past {last}: "
                                "'rotate' the key (its last number is kept for that)")
            data[str(key_id)] = n + 1
        return n

    def record_rotation(self, old_id: int, new_id: int) -> None:
        """Key ``old_id`` was replaced on board by ``new_id``."""
        with self._locked() as data:
            rot = data.setdefault("rotated", {})
            rot[str(old_id)] = new_id


def operator_key(ring: Any, store: Any) -> int:
    """The key a console signs with by default: the lowest key id that is
    not the scripted ground station's, not retired by a rotation and not a
    successor still waiting for its KEY_ROTATE."""
    from fsw_tools.mission.ground import STATION_KEY_ID  # the scripted station's key

    rotated = store.rotated()
    live = [k for k in sorted(ring.keys) if k != STATION_KEY_ID and k not in rotated
            and (k not in ring.pending or k in rotated.values())]
    if not live:
        raise UserError(f"{ring.source}: no operator key (key {STATION_KEY_ID} is the scripted "
                        "ground station's): make the file with 'fsw keys new FILE --ids 1-4', "
                        f"or sign with --key-id {STATION_KEY_ID} knowingly")
    return live[0]
