"""The guidance core's own elementary functions (native/src/gnc_math.c),
evaluated on numpy arrays through ``gnc_math_eval``.

The C cores (guidance, simulation, board firmware) compute sin, cos, atan2,
exp, log, pow, ... with these functions instead of the platform's libm, so
their bits are the same on every machine and on the board; each is within
1 ULP of the correctly rounded result (tests/core/test_elementary.py,
tools/bench/elementary.py). Python code that must produce the core's bits can
call :func:`evaluate`::

    evaluate("sin", x)            # gnc_sin over the array x
    evaluate("atan2", y, x)       # two-argument functions take both arrays
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from fsw.core._ffi import check, ffi, lib, ptr

__all__ = ["FUNCTIONS", "TWO_ARGUMENTS", "evaluate"]

#: function name -> gnc_math_fn id (``GNC_FN_<NAME>`` in gnc_elementary.h)
FUNCTIONS: dict[str, int] = {
    name[len("GNC_FN_"):].lower(): value
    for value, name in ffi.typeof("gnc_math_fn").elements.items()
    if name != "GNC_FN_COUNT"
}
#: the functions of two arguments; ``evaluate(name, a, b)`` computes
#: atan2(a, b), pow(a, b), hypot(a, b), fmod(a, b)
TWO_ARGUMENTS = frozenset({"atan2", "pow", "hypot", "fmod"})


def evaluate(name: str, a: ArrayLike, b: ArrayLike | None = None) -> np.ndarray:
    """``name`` of the core over ``a`` (and ``b``, broadcast together), as a
    float64 array of their shape. ValueError for an unknown name or a missing
    second argument."""
    fn = FUNCTIONS.get(name)
    if fn is None:
        raise ValueError(f"unknown elementary function {name!r}; known: {sorted(FUNCTIONS)}")
    if (name in TWO_ARGUMENTS) != (b is not None):
        raise ValueError(f"{name} takes {2 if name in TWO_ARGUMENTS else 1} argument(s)")
    x = np.asarray(a, dtype=np.float64)
    if b is None:
        xs = np.ascontiguousarray(x).reshape(-1)
        out = np.empty_like(xs)
        check(lib.gnc_math_eval(fn, ptr(xs), ffi.NULL, xs.size, ptr(out)), f"math_eval({name})")
        return out.reshape(x.shape)
    # gnc_math_eval takes (x, y) and computes atan2(y, x): hand it (b, a) for atan2
    first, second = np.broadcast_arrays(x, np.asarray(b, dtype=np.float64))
    if name == "atan2":
        first, second = second, first
    xs = np.ascontiguousarray(first, dtype=np.float64).reshape(-1)
    ys = np.ascontiguousarray(second, dtype=np.float64).reshape(-1)
    out = np.empty_like(xs)
    check(lib.gnc_math_eval(fn, ptr(xs), ptr(ys), xs.size, ptr(out)), f"math_eval({name})")
    return out.reshape(first.shape)
