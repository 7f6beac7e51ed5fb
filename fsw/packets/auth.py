"""Telecommand authentication (in the spirit of CCSDS SDLS, 355.0-B).

Every telecommand carries, after its CUC secondary header, an authentication
header -- key id (u16) and a 32-bit anti-replay sequence number -- and before
its CRC a 16-octet AES-CMAC (RFC 4493, from the ``cryptography`` package)
computed over every octet before the MAC (primary, secondary and
authentication headers and the user data). The CRC then covers the MAC.

- :class:`KeyRing`: key id -> AES-256 key; ``KeyRing.load(path)``; key files
  are made by ``fsw keys new PATH`` (:func:`new_key_file`) and never committed.
- :class:`CommandSigner` (ground): ``signer.build("FIRE", t_tai=..., dv_N=...)``
  numbers the commands of one key with increasing ``auth_seq``.
- :func:`build_command`: one signed command with an explicit ``auth_seq``.
- :class:`CommandVerifier` (flight): ``verify(raw)`` returns the decoded record
  or raises :class:`UnknownKeyError`, :class:`RevokedKeyError`,
  :class:`BadMacError`, :class:`ReplayError`, :class:`ReservedSequenceError`
  or :class:`MalformedCommandError` (all :class:`AuthError`, ``exc.reason``
  an :class:`AuthReason`); it remembers the last accepted ``auth_seq`` per
  key (``last_accepted``; the comms task keeps it in
  :class:`fsw.packets.security.SecurityStore`, written before a command
  executes, so it survives a restart) and counts every outcome in ``counts``.
- Key rotation (counter exhaustion, compromise): ``fsw keys rotate FILE
  --key-id K`` adds a pending successor (:func:`add_successor`);
  :func:`rotation_command` builds the KEY_ROTATE, signed by K, carrying the
  successor wrapped under a key derived from K (:func:`wrap_key`, RFC 3394);
  on board it installs the successor and revokes K. The last ``auth_seq`` of
  every key (2^32-1) is reserved for that command, so a key that has used
  up its numbers can still hand over.
"""

from __future__ import annotations

import binascii
import json
import os
import secrets
from collections import Counter
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from fsw.packets import codec
from fsw.packets.dictionary import DICTIONARY, MAC_LEN, Dictionary, PacketDef
from fsw.packets.errors import (
    AuthError,
    AuthReason,
    BadMacError,
    KeyFileError,
    MalformedCommandError,
    PacketBuildError,
    PacketError,
    ReplayError,
    ReservedSequenceError,
    RevokedKeyError,
    UnknownKeyError,
)

KEY_LEN = 32  # AES-256
KEY_FILE_FORMAT = "fsw-tc-keys-1"
AUTH_SEQ_MAX = (1 << 32) - 1


def compute_mac(key: bytes, data: bytes | bytearray | memoryview) -> bytes:
    """AES-CMAC of ``data`` (16 octets)."""
    c = CMAC(algorithms.AES(key))
    c.update(bytes(data))
    return c.finalize()


class KeyRing:
    """Telecommand keys by key id (0..65535), AES-256.

    ``pending`` maps a successor key made by ``fsw keys rotate`` to the key it
    will replace: the flight software does not accept it until a KEY_ROTATE
    signed by that key installs it (:meth:`active`). ``source`` is the key
    file it was loaded from (None for keys made in memory, e.g. test keys):
    the flight software keeps its anti-replay state beside that file
    (:mod:`fsw.packets.security`).
    """

    def __init__(self, keys: dict[int, bytes] | None = None,
                 pending: dict[int, int] | None = None) -> None:
        self.keys: dict[int, bytes] = {}
        for kid, key in (keys or {}).items():
            self.add(kid, key)
        self.pending: dict[int, int] = dict(pending or {})
        self.source: Path | None = None

    def add(self, key_id: int, key: bytes) -> None:
        if not 0 <= key_id <= 0xFFFF:
            raise KeyFileError(f"key id {key_id} outside [0, 65535]")
        if len(key) not in (16, 24, 32):
            raise KeyFileError(f"key {key_id}: {len(key)} octets, AES needs 16, 24 or 32")
        self.keys[key_id] = bytes(key)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self.keys

    def __getitem__(self, key_id: int) -> bytes:
        return self.keys[key_id]

    @classmethod
    def generate(cls, key_ids: range | list[int] = range(1, 5)) -> KeyRing:
        """Fresh random keys (``secrets``) for ``key_ids``."""
        return cls({k: secrets.token_bytes(KEY_LEN) for k in key_ids})

    def active(self) -> KeyRing:
        """The keys the flight software accepts from the start (the pending
        successors left out), in memory."""
        return KeyRing({k: v for k, v in self.keys.items() if k not in self.pending})

    def copy(self) -> KeyRing:
        """The same keys in memory (no ``source``: nothing persisted)."""
        return KeyRing(self.keys, self.pending)

    def to_json(self) -> str:
        doc: dict[str, Any] = {"format": KEY_FILE_FORMAT,
                               "keys": {str(k): v.hex() for k, v in sorted(self.keys.items())}}
        if self.pending:
            doc["pending"] = {str(k): v for k, v in sorted(self.pending.items())}
        return json.dumps(doc, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "key file") -> KeyRing:
        try:
            doc = json.loads(text)
            if doc.get("format") != KEY_FILE_FORMAT:
                raise ValueError(f"format is not {KEY_FILE_FORMAT!r}")
            keys = {int(k): bytes.fromhex(v) for k, v in doc["keys"].items()}
            pending = {int(k): int(v) for k, v in doc.get("pending", {}).items()}
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise KeyFileError(f"{source}: not a telecommand key file ({exc})") from None
        if not keys:
            raise KeyFileError(f"{source}: holds no keys")
        if any(k not in keys or v not in keys for k, v in pending.items()):
            raise KeyFileError(f"{source}: a pending key or its predecessor is not in the file")
        return cls(keys, pending)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyRing:
        """Read a key file written by :meth:`save` / ``fsw keys new``."""
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise KeyFileError(f"{path}: not a telecommand key file (binary data, not "
                               "the JSON that 'fsw keys new' writes)") from None
        ring = cls.from_json(text, str(path))
        ring.source = Path(path).absolute()
        return ring

    def save(self, path: str | os.PathLike[str], overwrite: bool = False) -> None:
        """Write the key file, readable by its owner only (mode 0600).

        Never follows a symbolic link: a new file is created exclusively; an
        overwrite writes a fresh 0600 file beside ``path`` and renames it over
        ``path`` (a symlink there is replaced, its target untouched; the old
        file's mode is not kept)."""
        p = Path(path)
        if not overwrite:
            _write_private(p, self.to_json().encode(), exclusive=True)
            return
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}.tmp")
        _write_private(tmp, self.to_json().encode(), exclusive=True)
        try:
            os.replace(tmp, p)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise KeyFileError(f"cannot write key file {p}: {exc.strerror}") from None


def _write_private(path: Path, data: bytes, *, exclusive: bool) -> None:
    """Create ``path`` (mode 0600, never through a symlink) holding ``data``,
    flushed to the disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} exists; refusing to overwrite keys (--force replaces "
                           "it)") from None
    except OSError as exc:
        raise KeyFileError(f"cannot create key file {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise KeyFileError(f"cannot write key file {path}: {exc.strerror}") from None
    os.close(fd)


def new_key_file(path: str | os.PathLike[str], key_ids: range | list[int] = range(1, 5),
                 overwrite: bool = False) -> KeyRing:
    """Create a key file of fresh random keys; returns the keys."""
    ring = KeyRing.generate(key_ids)
    ring.save(path, overwrite=overwrite)
    return ring


# -- key rotation (over-the-air rekeying, in the spirit of SDLS OTAR) ------------------

#: the telecommand that installs a successor key and retires its signer
ROTATE_COMMAND = "KEY_ROTATE"


def _kek(key: bytes) -> bytes:
    """The key-encryption key derived from a telecommand key (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"fsw-tc-key-rotation-1").derive(key)


def wrap_key(old_key: bytes, new_key: bytes) -> bytes:
    """``new_key`` wrapped (AES key wrap, RFC 3394) under a key derived from
    ``old_key``: what a KEY_ROTATE signed by the old key carries (40 octets
    for an AES-256 key); only holders of the old key can unwrap it."""
    return aes_key_wrap(_kek(old_key), new_key)


def unwrap_key(old_key: bytes, wrapped: bytes) -> bytes:
    """The key :func:`wrap_key` wrapped; MalformedCommandError if it does not
    unwrap (its integrity check fails)."""
    try:
        return aes_key_unwrap(_kek(old_key), bytes(wrapped))
    except (InvalidUnwrap, ValueError):
        raise MalformedCommandError("the wrapped key does not unwrap with the signing "
                                    "key") from None


def add_successor(ring: KeyRing, old_id: int, new_id: int | None = None) -> int:
    """Add a fresh random key to ``ring`` as the pending successor of
    ``old_id`` (``new_id``: default one above the highest id); returns its id."""
    if old_id not in ring:
        raise KeyFileError(f"no key {old_id} to rotate")
    if old_id in ring.pending:
        raise KeyFileError(f"key {old_id} is itself a pending successor: send its "
                           "KEY_ROTATE first")
    if any(v == old_id for v in ring.pending.values()):
        raise KeyFileError(f"key {old_id} already has a pending successor")
    nid = max(ring.keys) + 1 if new_id is None else new_id
    if not 0 <= nid <= 0xFFFF or nid in ring:
        raise KeyFileError(f"key id {nid} is taken or outside [0, 65535]")
    ring.add(nid, secrets.token_bytes(KEY_LEN))
    ring.pending[nid] = old_id
    return nid


def rotation_command(keys: KeyRing, old_id: int, new_id: int, *, auth_seq: int,
                     t_tai: float, seq: int = 0) -> bytes:
    """The KEY_ROTATE that installs ``new_id`` and retires ``old_id``, signed
    by ``old_id`` (``auth_seq`` may be 2^32-1, reserved for it)."""
    return build_command(keys, ROTATE_COMMAND, key_id=old_id, auth_seq=auth_seq,
                         t_tai=t_tai, seq=seq, new_key_id=new_id,
                         wrapped_key=wrap_key(keys[old_id], keys[new_id]))


def sign(raw: bytes | bytearray, key: bytes) -> bytes:
    """Fill in the MAC and CRC of a built telecommand (``key`` is the key of
    its key id)."""
    body = bytes(raw[:-(MAC_LEN + codec.CRC_LEN)])
    b = body + compute_mac(key, body)
    return b + binascii.crc_hqx(b, 0xFFFF).to_bytes(2, "big")


def build_command(keys: KeyRing, name: str, *, key_id: int, auth_seq: int, t_tai: float,
                  seq: int = 0, dictionary: Dictionary = DICTIONARY, **fields: Any) -> bytes:
    """An authenticated telecommand ``name`` signed with ``key_id``."""
    pdef = dictionary[name]
    if not pdef.is_tc:
        raise PacketBuildError(f"{name} is not a telecommand")
    if key_id not in keys:
        raise PacketBuildError(f"no key {key_id} in the key ring")
    if not 0 <= auth_seq <= AUTH_SEQ_MAX:
        raise PacketBuildError(f"auth_seq {auth_seq} outside [0, 2^32)")
    raw = pdef.build(t_tai=t_tai, seq=seq, key_id=key_id, auth_seq=auth_seq, **fields)
    return sign(raw, keys[key_id])


class CommandSigner:
    """Ground side: signs commands with one key, numbering them with an
    increasing anti-replay sequence (and per-APID packet counts)."""

    def __init__(self, keys: KeyRing, key_id: int, next_auth_seq: int = 1,
                 dictionary: Dictionary = DICTIONARY) -> None:
        if key_id not in keys:
            raise KeyFileError(f"no key {key_id} in the key ring")
        self.keys, self.key_id, self.next_auth_seq = keys, key_id, next_auth_seq
        self.dictionary = dictionary
        self._seq: dict[int, int] = {}

    def build(self, name: str, *, t_tai: float, **fields: Any) -> bytes:
        """The next signed command ``name``."""
        pdef = self.dictionary[name]
        seq = self._seq.get(pdef.apid, 0)
        raw = build_command(self.keys, name, key_id=self.key_id, auth_seq=self.next_auth_seq,
                            t_tai=t_tai, seq=seq, dictionary=self.dictionary, **fields)
        self._seq[pdef.apid] = (seq + 1) % codec.SEQ_MODULO
        self.next_auth_seq += 1
        return raw


class CommandVerifier:
    """Flight side: accepts only well-formed, authentic, fresh telecommands.

    Checks in this order: well-formed (length, CRC, a declared TC APID,
    fields decode) -> known key, not revoked -> MAC (constant-time) ->
    ``auth_seq`` strictly greater than the last accepted of that key, and
    below 2^32-1 unless the command is KEY_ROTATE (a key's last number is
    kept for its rotation, so an exhausted key is never locked out). Only an
    accepted command advances ``last_accepted``.
    """

    def __init__(self, keys: KeyRing, dictionary: Dictionary = DICTIONARY,
                 last_accepted: dict[int, int] | None = None,
                 revoked: set[int] | None = None) -> None:
        self.keys = keys
        self.dictionary = dictionary
        self.last_accepted: dict[int, int] = dict(last_accepted or {})
        self.revoked: set[int] = set(revoked or ())
        self.counts: Counter[str] = Counter()

    def verify(self, raw: bytes | bytearray | memoryview, check_replay: bool = True) -> Any:
        """The decoded command record, or an AuthError subclass."""
        try:
            rec, pdef = self._decode(raw)
            key = self.keys.keys.get(rec.key_id)
            if key is None:
                raise UnknownKeyError(f"{pdef.name}: unknown key id {rec.key_id}", rec.key_id)
            if rec.key_id in self.revoked:
                raise RevokedKeyError(f"{pdef.name}: key {rec.key_id} was revoked", rec.key_id)
            n = len(raw)
            c = CMAC(algorithms.AES(key))
            c.update(bytes(raw[:n - MAC_LEN - codec.CRC_LEN]))
            try:
                c.verify(bytes(raw[n - MAC_LEN - codec.CRC_LEN:n - codec.CRC_LEN]))
            except InvalidSignature:
                raise BadMacError(f"{pdef.name}: MAC does not verify with key {rec.key_id}",
                                  rec.key_id) from None
            last = self.last_accepted.get(rec.key_id, -1)
            if check_replay:
                if rec.auth_seq <= last:
                    raise ReplayError(f"{pdef.name}: auth_seq {rec.auth_seq} not above the last "
                                      f"accepted {last} of key {rec.key_id}", rec.key_id)
                if rec.auth_seq == AUTH_SEQ_MAX and pdef.name != ROTATE_COMMAND:
                    raise ReservedSequenceError(
                        f"{pdef.name}: auth_seq 2^32-1 of key {rec.key_id} is kept for its "
                        f"{ROTATE_COMMAND}", rec.key_id)
                self.last_accepted[rec.key_id] = rec.auth_seq
        except AuthError as exc:
            self.counts[exc.reason.value] += 1
            raise
        self.counts["accepted"] += 1
        return rec

    def check(self, raw: bytes | bytearray | memoryview) -> tuple[Any, AuthReason | None]:
        """Non-raising form: (record, None) if accepted, else (None, reason)."""
        try:
            return self.verify(raw), None
        except AuthError as exc:
            return None, exc.reason

    def _decode(self, raw: bytes | bytearray | memoryview) -> tuple[Any, PacketDef]:
        n = len(raw)
        if n < codec.PRIMARY_HEADER_LEN:
            raise MalformedCommandError(f"{n} octets, not a packet")
        hdr = codec.unpack_header(raw)
        pdef = self.dictionary.by_apid.get(hdr.apid)
        if pdef is None or not pdef.is_tc or hdr.type != codec.TC:
            raise MalformedCommandError(f"APID 0x{hdr.apid:03X} type {hdr.type} is not a "
                                        "declared telecommand")
        try:
            rec = pdef.parse(raw)
        except PacketError as exc:
            raise MalformedCommandError(f"{pdef.name}: {exc}") from None
        return rec, pdef
