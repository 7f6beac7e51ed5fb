"""Typed errors of the guidance core: one exception class per C status code."""

from __future__ import annotations


class GncError(Exception):
    """A guidance-core call failed; ``status`` is the C status code."""

    status: int = -1

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class GncNullError(GncError):
    status = 1


class GncDomainError(GncError, ValueError):
    status = 2


class GncSingularError(GncError, ArithmeticError):
    status = 3


class GncConvergenceError(GncError, ArithmeticError):
    status = 4


class GncRangeError(GncError, ValueError):
    status = 5


class GncPacketError(GncError, ValueError):
    status = 6


class GncUnknownRequestError(GncError, ValueError):
    status = 7


class GncBufferError(GncError):
    status = 8


class GncStateError(GncError):
    status = 9


class GncInputError(GncError, ValueError):
    """An argument has the wrong shape or type (raised before calling C)."""

    status = -2


BY_STATUS: dict[int, type[GncError]] = {
    cls.status: cls
    for cls in (
        GncNullError,
        GncDomainError,
        GncSingularError,
        GncConvergenceError,
        GncRangeError,
        GncPacketError,
        GncUnknownRequestError,
        GncBufferError,
        GncStateError,
    )
}
