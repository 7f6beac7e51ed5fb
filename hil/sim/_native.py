"""Thin helpers over the simulation's cffi module ``hil._simcore``: status
checks and typed errors."""

from __future__ import annotations

from hil._simcore import ffi, lib

__all__ = ["SimError", "SimStateError", "check", "ffi", "lib"]


class SimError(Exception):
    """A simulation-core call failed; ``status`` is the C status code."""

    def __init__(self, message: str, status: int = -1) -> None:
        super().__init__(message)
        self.status = status


class SimStateError(SimError):
    """The state became non-finite or the world was not prepared."""


def check(status: int, where: str) -> None:
    """Raise the typed error of a non-zero status, naming the call."""
    if status:
        msg = ffi.new("const char **")
        lib.sim_status_message(status, msg)
        cls = SimStateError if status == lib.SIM_ERR_STATE else SimError
        raise cls(f"{where}: {ffi.string(msg[0]).decode()} (status {status})", status)
