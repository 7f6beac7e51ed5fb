"""The telecommand security state of the flight software (the state of the
CCSDS SDLS security associations): per key the last accepted anti-replay
number, the keys revoked by a rotation and the keys installed by one. It is
critical data: the comms task writes it, atomically, *before* it executes
an accepted command, so a restart -- of the task or of the whole process --
never forgets a number already used, and a recorded command played again
after a restart is a replay.

Where it lives: beside the key file it belongs to (``KEYFILE.replay``, mode
0600; never in a run directory or an archive). Keys made in memory (the
test keys derived from a run's seed) have their state in memory only.

Format: JSON ``{"format": "fsw-tc-security-1", "fingerprints": {id: hex},
"last_accepted": {id: n}, "revoked": [id...], "installed": [[new id,
wrapping id, wrapped key hex]...], "check": CRC-32}``. ``fingerprints``
(keyed BLAKE2b of each key, not the key) binds the state to its keys: a key
file whose key of the same id differs is refused, so fresh keys never
inherit, or silently reset, another key's counters. Installed keys are kept
wrapped (as the KEY_ROTATE carried them), never in the clear.

Writing: under an exclusive lock (``fcntl.flock`` on ``KEYFILE.replay.lock``)
the state on disk is read and merged in (numbers only ever go up; revoked
and installed keys add up), so several flight-software processes sharing a
key file -- runs at the same time -- never lower each other's numbers, and a
command whose number another process already accepted is refused as a
replay (:meth:`SecurityStore.save` with ``check``); then a fresh file beside
the target (O_EXCL, 0600, no symlink followed), ``fsync``, rename over the
target, ``fsync`` of the folder. A failed write raises
:class:`SecurityStoreError` and the command is not executed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import zlib
from pathlib import Path
from typing import Any

from fsw.packets.auth import KeyRing, unwrap_key
from fsw.packets.errors import KeyFileError, PacketError, ReplayError

FORMAT = "fsw-tc-security-1"
SUFFIX = ".replay"


class SecurityStoreError(PacketError):
    """The security state cannot be written (disk full, read-only...)."""


def state_path(keys: KeyRing) -> Path | None:
    """Where the state of ``keys`` is kept: beside their key file, or None
    for keys made in memory."""
    src = keys.source
    return None if src is None else src.with_name(src.name + SUFFIX)


def fingerprint(key: bytes) -> str:
    """A keyed digest naming a key without revealing it."""
    return hashlib.blake2b(b"fsw-tc-key-fingerprint", key=key[:64], digest_size=16).hexdigest()


class SecurityStore:
    """The state itself (see the module docstring). ``path`` None: in memory."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.last_accepted: dict[int, int] = {}
        self.revoked: set[int] = set()
        #: keys installed by rotations, in order: (new id, wrapping key id, wrapped)
        self.installed: list[tuple[int, int, bytes]] = []
        self.fingerprints: dict[int, str] = {}
        self.writes = 0

    @classmethod
    def for_keys(cls, keys: KeyRing) -> SecurityStore:
        """The state of ``keys``: read from beside their key file (a new one if
        there is none yet), or a fresh in-memory one."""
        store = cls(state_path(keys))
        if store.path is not None and os.path.lexists(store.path):
            store._read(keys)
        for kid, key in keys.keys.items():
            store.fingerprints.setdefault(kid, fingerprint(key))
        return store

    def _load(self) -> SecurityStore:
        """The state on disk, as a store (checked, not merged)."""
        assert self.path is not None
        where = str(self.path)
        disk = SecurityStore(self.path)
        try:
            doc = json.loads(self.path.read_bytes())
            check = doc.pop("check")
            if check != _check(doc) or doc.get("format") != FORMAT:
                raise ValueError("damaged (checksum)")
            disk.fingerprints = {int(k): str(v) for k, v in doc["fingerprints"].items()}
            disk.last_accepted = {int(k): int(v) for k, v in doc["last_accepted"].items()}
            disk.revoked = {int(k) for k in doc["revoked"]}
            disk.installed = [(int(n), int(w), bytes.fromhex(h)) for n, w, h in doc["installed"]]
        except OSError as exc:
            raise KeyFileError(f"cannot read the anti-replay state {where}: "
                               f"{exc.strerror}") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyFileError(f"{where}: unreadable anti-replay state ({exc}); it must not "
                               "be lost (replays would pass): restore it, or retire these "
                               "keys ('fsw keys new --force')") from None
        return disk

    def _merge(self, disk: SecurityStore) -> None:
        """Take in what another process wrote (in place: the verifier shares
        these containers)."""
        for kid, n in disk.last_accepted.items():
            if n > self.last_accepted.get(kid, -1):
                self.last_accepted[kid] = n
        self.revoked |= disk.revoked
        have = {n for n, _, _ in self.installed}
        self.installed += [e for e in disk.installed if e[0] not in have]
        for kid, fp in disk.fingerprints.items():
            self.fingerprints.setdefault(kid, fp)

    def _read(self, keys: KeyRing) -> None:
        where = str(self.path)
        self._merge(self._load())
        for kid, key in keys.keys.items():
            fp = self.fingerprints.get(kid)
            if fp is not None and fp != fingerprint(key) and not self._installed(kid):
                raise KeyFileError(f"{where} belongs to other keys (key {kid} differs from "
                                   f"{keys.source}); 'fsw keys new --force' starts afresh")

    def _installed(self, kid: int) -> bool:
        return any(n == kid for n, _, _ in self.installed)

    def keyring(self, keys: KeyRing) -> KeyRing:
        """The keys the flight software verifies with: the key file's active
        keys and the keys installed by rotations (unwrapped in order)."""
        ring = keys.active()
        for new, wrapping, wrapped in self.installed:
            if wrapping in ring:
                ring.add(new, unwrap_key(ring[wrapping], wrapped))
        return ring

    def install(self, new_id: int, wrapping_id: int, wrapped: bytes, key: bytes) -> None:
        """Record a rotation: ``new_id`` installed (kept wrapped), the wrapping
        key revoked."""
        self.installed.append((new_id, wrapping_id, bytes(wrapped)))
        self.fingerprints[new_id] = fingerprint(key)
        self.revoked.add(wrapping_id)

    def as_json(self) -> str:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "fingerprints": {str(k): v for k, v in sorted(self.fingerprints.items())},
            "last_accepted": {str(k): v for k, v in sorted(self.last_accepted.items())},
            "revoked": sorted(self.revoked),
            "installed": [[n, w, h.hex()] for n, w, h in self.installed],
        }
        doc["check"] = _check(doc)
        return json.dumps(doc, indent=1) + "\n"

    def save(self, check: tuple[int, int] | None = None) -> None:
        """Write the state durably and atomically, merged with what is on disk
        (nothing to do in memory). ``check`` = (key id, auth_seq) of the command
        about to execute: :class:`~fsw.packets.errors.ReplayError`, and nothing
        written, if another process sharing the key file accepted that number
        or a higher one."""
        if self.path is None:
            return
        p = self.path
        try:
            lock = os.open(p.with_name(p.name + ".lock"),
                           os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as exc:
            raise SecurityStoreError(f"anti-replay state not written ({exc.strerror}): "
                                     f"{p}") from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if os.path.lexists(p):
                try:
                    disk = self._load()
                except KeyFileError as exc:  # damaged under us: refuse, do not overwrite
                    raise SecurityStoreError(str(exc)) from None
                if check is not None and disk.last_accepted.get(check[0], -1) >= check[1]:
                    self._merge(disk)
                    raise ReplayError(f"auth_seq {check[1]} of key {check[0]} was accepted "
                                      "by another process sharing the key file", check[0])
                self._merge(disk)
            self._write(p)
        finally:
            os.close(lock)
        self.writes += 1

    def _write(self, p: Path) -> None:
        data = self.as_json().encode()
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(tmp, flags, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, p)
            dfd = os.open(p.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SecurityStoreError(f"anti-replay state not written ({exc.strerror}): "
                                     f"{p}") from None


def _check(doc: dict[str, Any]) -> int:
    return zlib.crc32(json.dumps(doc, sort_keys=True).encode())
