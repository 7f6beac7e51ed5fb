"""Typed errors of the guidance core: one exception class per C status code.

An error may carry the detail of its cause (``detail``, a dict of plain
numbers): a Lambert call at a 180 deg transfer names the angle
(``transfer_angle_deg``), one below the minimum time of flight of a
multi-revolution transfer quotes it (``tof_min``); the message says the same
in words. LocalCore and PacketCore build the same detail (fsw/core/orbit.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class GncError(Exception):
    """A guidance-core call failed; ``status`` is the C status code and
    ``detail`` the numbers that name its cause (empty when there are none)."""

    status: int = -1

    def __init__(self, message: str, status: int | None = None,
                 detail: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.detail: dict[str, Any] = dict(detail or {})


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


class GncUnitsError(GncError, ValueError):
    """Inputs in inconsistent units (e.g. a state in km with mu in m^3/s^2)."""

    status = 10


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
        GncUnitsError,
    )
}
