"""Quaternion algebra through the guidance core.

Scalar first ``[w, x, y, z]``, Hamilton product. ``q_BN`` rotates inertial
coordinates into body coordinates: ``v_B = rotate(q_BN, v_N)``; attitudes
compose as ``q_CN = mul(q_CB, q_BN)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from fsw.core._ffi import check, lib, out, ptr, vec


def mul(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Hamilton product ``a ⊗ b``."""
    a_, b_, r = vec(a, 4, "a"), vec(b, 4, "b"), out(4)
    check(lib.gnc_quat_mul(ptr(a_), ptr(b_), ptr(r)), "quat_mul")
    return r


def conj(q: ArrayLike) -> np.ndarray:
    """Conjugate ``[w, -x, -y, -z]`` (the inverse of a unit quaternion)."""
    q_, r = vec(q, 4, "q"), out(4)
    check(lib.gnc_quat_conj(ptr(q_), ptr(r)), "quat_conj")
    return r


def normalize(q: ArrayLike) -> np.ndarray:
    """``q / |q|``; GncDomainError for a zero or non-finite quaternion."""
    q_, r = vec(q, 4, "q"), out(4)
    check(lib.gnc_quat_normalize(ptr(q_), ptr(r)), "quat_normalize")
    return r


def rotate(q: ArrayLike, v: ArrayLike) -> np.ndarray:
    """``R(q) v``: with ``q = q_BN``, inertial coordinates into body ones."""
    q_, v_, r = vec(q, 4, "q"), vec(v, 3, "v"), out(3)
    check(lib.gnc_quat_rotate(ptr(q_), ptr(v_), ptr(r)), "quat_rotate")
    return r


def to_dcm(q: ArrayLike) -> np.ndarray:
    """Direction cosine matrix ``R(q)`` (3×3, ``v_B = R v_N`` for q_BN)."""
    q_, r = vec(q, 4, "q"), out(9)
    check(lib.gnc_quat_to_dcm(ptr(q_), ptr(r)), "quat_to_dcm")
    return r.reshape(3, 3)


def from_dcm(dcm: ArrayLike) -> np.ndarray:
    """Unit quaternion (scalar part ≥ 0) of a rotation matrix; GncDomainError
    when the matrix is not a proper rotation within 1e-6."""
    m, r = vec(dcm, 9, "dcm"), out(4)
    check(lib.gnc_dcm_to_quat(ptr(m), ptr(r)), "dcm_to_quat")
    return r


def error(q_BN: ArrayLike, q_RN: ArrayLike) -> np.ndarray:
    """Error quaternion ``q_BR = q_BN ⊗ conj(q_RN)`` from the reference
    attitude to the body, scalar part ≥ 0 (the shorter rotation)."""
    a, b, r = vec(q_BN, 4, "q_BN"), vec(q_RN, 4, "q_RN"), out(4)
    check(lib.gnc_quat_error(ptr(a), ptr(b), ptr(r)), "quat_error")
    return r
