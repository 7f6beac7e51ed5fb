"""CurveZMQ keys of the ground link (encryption and mutual authentication).

``fsw curve new DIR`` writes ZeroMQ certificates into DIR (never commit it)::

    DIR/server.key, DIR/server.key_secret   the emulator's ground gateway
    DIR/ground.key, DIR/ground.key_secret   a ground console
    DIR/authorized/                         public keys of the consoles the gateway accepts

The gateway is the CURVE server: it encrypts the link and accepts only clients
whose public key is in ``authorized/``. A console needs its own key pair and
the server's public key.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import zmq
import zmq.auth

from fsw.errors import UserError

SERVER = "server"
CLIENT = "ground"
AUTHORIZED = "authorized"


class CurveKeyError(UserError):
    """Missing or unreadable CurveZMQ key files, or libzmq without CURVE."""


@dataclass(frozen=True)
class CurveServerKeys:
    """What the gateway needs: its key pair and the authorized client keys."""

    public: bytes
    secret: bytes
    authorized_dir: Path


@dataclass(frozen=True)
class CurveClientKeys:
    """What a console needs: its key pair and the server's public key."""

    public: bytes
    secret: bytes
    server_public: bytes


def require_curve() -> None:
    """Raise CurveKeyError if this libzmq was built without CURVE."""
    if not zmq.has("curve"):
        raise CurveKeyError("this libzmq has no CURVE support (needs libsodium)")


def new_keys(directory: str | os.PathLike[str], clients: tuple[str, ...] = (CLIENT,)) -> Path:
    """Create the server and client certificates (refuses to overwrite)."""
    require_curve()
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise CurveKeyError(f"{d} is a file, not a directory for CurveZMQ keys")
    if (d / f"{SERVER}.key_secret").exists():
        raise CurveKeyError(f"{d} already holds CurveZMQ keys; refusing to overwrite")
    for name in clients:
        if not name or "/" in name or name in (SERVER, AUTHORIZED) or name.startswith("."):
            raise CurveKeyError(f"--client {name!r}: a plain name other than {SERVER!r}")
    old_umask = os.umask(0o077)  # secret keys are never readable by others, not even briefly
    try:
        (d / AUTHORIZED).mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o700)
        zmq.auth.create_certificates(d, SERVER)
        for name in clients:
            public, _secret = zmq.auth.create_certificates(d, name)
            shutil.copy(public, d / AUTHORIZED / Path(public).name)
        for f in d.glob("*.key_secret"):
            os.chmod(f, 0o600)
    except OSError as exc:
        raise CurveKeyError(f"cannot write CurveZMQ keys into {d}: {exc.strerror or exc}") \
            from None
    finally:
        os.umask(old_umask)
    return d


def _load(path: Path, need_secret: bool) -> tuple[bytes, bytes | None]:
    try:
        public, secret = zmq.auth.load_certificate(path)
    except (OSError, ValueError) as exc:
        raise CurveKeyError(f"cannot read CurveZMQ certificate {path}: {exc}") from None
    if need_secret and not secret:
        raise CurveKeyError(f"{path} holds no secret key")
    return public, secret


def server_keys(directory: str | os.PathLike[str]) -> CurveServerKeys:
    """The gateway's keys from a directory made by :func:`new_keys`."""
    require_curve()
    d = Path(directory)
    public, secret = _load(d / f"{SERVER}.key_secret", True)
    auth = d / AUTHORIZED
    if not auth.is_dir() or not any(auth.glob("*.key")):
        raise CurveKeyError(f"{auth}: no authorized client keys")
    return CurveServerKeys(public, secret or b"", auth)


def client_keys(directory: str | os.PathLike[str], name: str = CLIENT) -> CurveClientKeys:
    """A console's keys (its pair ``name`` and the server's public key)."""
    require_curve()
    d = Path(directory)
    public, secret = _load(d / f"{name}.key_secret", True)
    server_public, _ = _load(d / f"{SERVER}.key", False)
    return CurveClientKeys(public, secret or b"", server_public)
