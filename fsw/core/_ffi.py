"""Thin helpers over the cffi module: status checks and numpy buffers."""

from __future__ import annotations

from typing import Any

import numpy as np

from fsw.core._gnc import ffi, lib
from fsw.core.errors import BY_STATUS, GncError, GncInputError

__all__ = ["check", "error", "ffi", "lib", "out", "ptr", "size_view", "vec"]


def _message(status: int) -> str:
    msg = ffi.new("const char **")
    lib.gnc_status_message(status, msg)
    return ffi.string(msg[0]).decode()


def check(status: int, where: str) -> None:
    """Raise the typed error of a non-zero C status, naming the call."""
    if status:
        raise error(status, where)


def error(status: int, where: str, cause: str = "", detail: Any = None) -> GncError:
    """The typed error of a non-zero C status, naming the call (and, when
    given, the cause in words and its numbers, ``GncError.detail``)."""
    cls = BY_STATUS.get(status, GncError)
    what = f"{cause} ({_message(status)})" if cause else _message(status)
    return cls(f"{where}: {what} (status {status})", status, detail)


def vec(x: Any, n: int, name: str = "argument") -> np.ndarray:
    """``x`` as a contiguous float64 array of ``n`` elements (any shape with n
    elements is accepted and flattened); GncInputError otherwise."""
    a = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    if a.shape[0] != n:
        raise GncInputError(f"{name} must have {n} elements, got {a.shape[0]}")
    return a


def ptr(a: np.ndarray) -> Any:
    """A ``double *`` view of a contiguous float64 array (no copy)."""
    return ffi.from_buffer("double[]", a)


def out(n: int) -> np.ndarray:
    """A fresh output array of n doubles."""
    return np.empty(n, dtype=np.float64)


def size_view(arr: Any) -> memoryview:
    """A memoryview of a cffi ``size_t[]`` as native size_t items (``"N"``):
    an item written through it costs less than through the cdata."""
    return memoryview(ffi.buffer(arr)).cast("B").cast("N")
