"""Small 3-vector helpers on plain Python floats (tuples or lists).

Only IEEE basic arithmetic and a correctly rounded square root, in a fixed
order of operations, so the results are the same bits on every machine (no
BLAS kernel, no SIMD reduction: DESIGN.md, "Time and determinism"). The
order is the core's (``la_dot``, ``la_norm`` in native/src/gnc_la.h):
``(a0*b0 + a1*b1) + a2*b2``. Anything beyond these is guidance-core maths:
call the core.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["add", "cross", "dist", "dot", "norm", "scale", "sub"]

Vec = Sequence[float]


def dot(a: Vec, b: Vec) -> float:
    """a . b"""
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec, b: Vec) -> tuple[float, float, float]:
    """a x b (the core's la_cross order)"""
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def norm(a: Vec) -> float:
    """|a|"""
    return math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])


def sub(a: Vec, b: Vec) -> tuple[float, float, float]:
    """a - b"""
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def add(a: Vec, b: Vec) -> tuple[float, float, float]:
    """a + b"""
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def scale(a: Vec, s: float) -> tuple[float, float, float]:
    """s a"""
    return (a[0] * s, a[1] * s, a[2] * s)


def dist(a: Vec, b: Vec) -> float:
    """|a - b|"""
    return norm(sub(a, b))
