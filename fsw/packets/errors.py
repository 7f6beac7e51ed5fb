"""Typed errors of the packet layer.

Every decoder in :mod:`fsw.packets` raises only :class:`PacketError` (or one of
its subclasses) on bad input, never a bare ``struct.error``, ``IndexError`` or
``UnicodeDecodeError``: a task catches one type and counts the reason.
"""

from __future__ import annotations

import enum

from fsw.errors import UserError


class PacketError(ValueError):
    """Base of every error raised by the packet layer."""


class PacketLengthError(PacketError):
    """The buffer is shorter or longer than the packet it claims to hold."""


class PacketCrcError(PacketError):
    """The CRC-16-CCITT trailer does not match the packet."""


class PacketHeaderError(PacketError):
    """The primary header is not one this dictionary accepts (version, type,
    secondary-header flag or APID does not match the declaration)."""


class UnknownApidError(PacketHeaderError):
    """No packet of the dictionary has this APID."""


class PacketFieldError(PacketError):
    """A field's octets do not decode (e.g. text that is not valid UTF-8)."""


class PacketBuildError(PacketError):
    """A value given to ``build`` does not fit its field (range, length, type)."""


class DictionaryError(PacketError):
    """A packet declaration is invalid (duplicate name/APID, APID outside the
    plan, unsupported construct type)."""


class SegmentError(PacketError):
    """Segmentation or reassembly failed."""


class SegmentLossError(SegmentError):
    """A segment of a segmented payload is missing: the partial payload was
    discarded (never glued over the gap)."""


class AuthReason(enum.Enum):
    """Why a telecommand was rejected by the verifier."""

    UNKNOWN_KEY = "unknown key"
    BAD_MAC = "bad MAC"
    REPLAY = "replay"
    MALFORMED = "malformed"
    REVOKED_KEY = "revoked key"
    RESERVED_SEQ = "reserved auth_seq"


class AuthError(PacketError):
    """A telecommand failed authentication; ``reason`` says why."""

    reason: AuthReason = AuthReason.MALFORMED

    def __init__(self, message: str, key_id: int | None = None) -> None:
        super().__init__(message)
        self.key_id = key_id


class UnknownKeyError(AuthError):
    reason = AuthReason.UNKNOWN_KEY


class BadMacError(AuthError):
    reason = AuthReason.BAD_MAC


class ReplayError(AuthError):
    reason = AuthReason.REPLAY


class MalformedCommandError(AuthError):
    reason = AuthReason.MALFORMED


class RevokedKeyError(AuthError):
    """The command is signed with a key retired by a rotation."""

    reason = AuthReason.REVOKED_KEY


class ReservedSequenceError(AuthError):
    """``auth_seq`` 2^32-1, a key's last number, is kept for the KEY_ROTATE
    that retires the key; any other command is refused with it."""

    reason = AuthReason.RESERVED_SEQ


class KeyFileError(PacketError, UserError):
    """A key file is missing, unreadable or malformed (a user's mistake)."""
