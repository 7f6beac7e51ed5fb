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
  or raises :class:`UnknownKeyError`, :class:`BadMacError`,
  :class:`ReplayError` or :class:`MalformedCommandError` (all
  :class:`AuthError`, ``exc.reason`` an :class:`AuthReason`); it remembers the
  last accepted ``auth_seq`` per key (``last_accepted``, persist it to survive
  a reboot) and counts every outcome in ``counts``.
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
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC

from fsw.packets import codec
from fsw.packets.dictionary import DICTIONARY, MAC_LEN, Dictionary, PacketDef
from fsw.packets.errors import (
    AuthReason,
    BadMacError,
    KeyFileError,
    MalformedCommandError,
    PacketBuildError,
    PacketError,
    ReplayError,
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
    """Telecommand keys by key id (0..65535), AES-256."""

    def __init__(self, keys: dict[int, bytes] | None = None) -> None:
        self.keys: dict[int, bytes] = {}
        for kid, key in (keys or {}).items():
            self.add(kid, key)

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

    def to_json(self) -> str:
        return json.dumps({"format": KEY_FILE_FORMAT,
                           "keys": {str(k): v.hex() for k, v in sorted(self.keys.items())}},
                          indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "key file") -> KeyRing:
        try:
            doc = json.loads(text)
            if doc.get("format") != KEY_FILE_FORMAT:
                raise ValueError(f"format is not {KEY_FILE_FORMAT!r}")
            keys = {int(k): bytes.fromhex(v) for k, v in doc["keys"].items()}
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise KeyFileError(f"{source}: not a telecommand key file ({exc})") from None
        if not keys:
            raise KeyFileError(f"{source}: holds no keys")
        return cls(keys)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyRing:
        """Read a key file written by :meth:`save` / ``fsw keys new``."""
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from None
        return cls.from_json(text, str(path))

    def save(self, path: str | os.PathLike[str], overwrite: bool = False) -> None:
        """Write the key file, readable by its owner only (mode 0600)."""
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            raise KeyFileError(f"{path} exists; refusing to overwrite keys") from None
        except OSError as exc:
            raise KeyFileError(f"cannot create key file {path}: {exc.strerror}") from None
        with os.fdopen(fd, "w") as fh:
            fh.write(self.to_json())


def new_key_file(path: str | os.PathLike[str], key_ids: range | list[int] = range(1, 5),
                 overwrite: bool = False) -> KeyRing:
    """Create a key file of fresh random keys; returns the keys."""
    ring = KeyRing.generate(key_ids)
    ring.save(path, overwrite=overwrite)
    return ring


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
    fields decode) -> known key -> MAC (constant-time) -> ``auth_seq``
    strictly greater than the last accepted of that key. Only an accepted
    command advances ``last_accepted``.
    """

    def __init__(self, keys: KeyRing, dictionary: Dictionary = DICTIONARY,
                 last_accepted: dict[int, int] | None = None) -> None:
        self.keys = keys
        self.dictionary = dictionary
        self.last_accepted: dict[int, int] = dict(last_accepted or {})
        self.counts: Counter[str] = Counter()

    def verify(self, raw: bytes | bytearray | memoryview, check_replay: bool = True) -> Any:
        """The decoded command record, or an AuthError subclass."""
        try:
            rec, pdef = self._decode(raw)
            key = self.keys.keys.get(rec.key_id)
            if key is None:
                raise UnknownKeyError(f"{pdef.name}: unknown key id {rec.key_id}", rec.key_id)
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
                self.last_accepted[rec.key_id] = rec.auth_seq
        except (UnknownKeyError, BadMacError, ReplayError, MalformedCommandError) as exc:
            self.counts[exc.reason.value] += 1
            raise
        self.counts["accepted"] += 1
        return rec

    def check(self, raw: bytes | bytearray | memoryview) -> tuple[Any, AuthReason | None]:
        """Non-raising form: (record, None) if accepted, else (None, reason)."""
        try:
            return self.verify(raw), None
        except (UnknownKeyError, BadMacError, ReplayError, MalformedCommandError) as exc:
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
