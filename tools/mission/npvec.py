"""numpy's own 2-norm and cross product of one small vector, without the
per-call cost of ``np.linalg.norm`` and ``np.cross`` (a few microseconds
each, several calls per scored second): the same operations, so the same
bits. The monitor's per-epoch scoring uses them; bulk figures keep numpy's.

- :func:`norm`: ``np.linalg.norm(x)`` of a real 1-D array is
  ``sqrt(x.ravel(order="K").dot(x))`` (numpy 2's fast path): this is that dot,
  then the correctly rounded square root (``math.sqrt`` and ``np.sqrt`` give
  the same bits);
- :func:`cross`: ``np.cross`` of two 3-vectors is the elementwise products and
  differences ``a1 b2 - a2 b1``, ... (one IEEE operation each, in that order):
  written out on floats.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["cross", "norm"]


def norm(x: np.ndarray) -> float:
    """``float(np.linalg.norm(x))`` of a real float64 1-D array."""
    x = x.ravel(order="K")
    return math.sqrt(x.dot(x))


def cross(a: Any, b: Any) -> np.ndarray:
    """``np.cross(a, b)`` of two 3-vectors (float64)."""
    a0, a1, a2 = a.tolist() if type(a) is np.ndarray else map(float, a)
    b0, b1, b2 = b.tolist() if type(b) is np.ndarray else map(float, b)
    return np.array([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0])
