"""Quaternion functions of the guidance core against scipy's Rotation, an
independent implementation (scipy stores quaternions scalar last)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from fsw.core import quaternion as quat
from fsw.core.errors import GncDomainError, GncError, GncInputError

N = 1000
TOL = 1e-12


def _random(rng: np.random.Generator, n: int) -> np.ndarray:
    q = rng.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return q


def _sp(q: np.ndarray) -> Rotation:
    return Rotation.from_quat([q[1], q[2], q[3], q[0]])


def _canon(q: np.ndarray) -> np.ndarray:
    return q if q[0] >= 0 else -q


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261125)


def test_convention_q_BN_maps_inertial_into_body() -> None:
    # Body frame turned +90 deg about inertial z: the body x axis points along
    # inertial y, so the inertial vector y reads [1, 0, 0] in body coordinates.
    c = np.cos(np.pi / 4)
    q_BN = np.array([c, 0.0, 0.0, -c])
    np.testing.assert_allclose(quat.rotate(q_BN, [0, 1, 0]), [1, 0, 0], atol=1e-15)
    np.testing.assert_allclose(quat.rotate(q_BN, [1, 0, 0]), [0, -1, 0], atol=1e-15)
    # Composition: q_CN = q_CB (x) q_BN means "first N->B, then B->C".
    q_CB = np.array([np.cos(np.pi / 4), np.sin(np.pi / 4), 0.0, 0.0])  # -90 deg frame turn about x
    v_N = np.array([0.3, -1.2, 2.0])
    q_CN = quat.mul(q_CB, q_BN)
    expected = quat.rotate(q_CB, quat.rotate(q_BN, v_N))
    np.testing.assert_allclose(quat.rotate(q_CN, v_N), expected, atol=TOL)


def test_product_matches_scipy(rng: np.random.Generator) -> None:
    a, b = _random(rng, N), _random(rng, N)
    for qa, qb in zip(a, b, strict=True):
        ref = (_sp(qa) * _sp(qb)).as_quat()
        ref = np.array([ref[3], ref[0], ref[1], ref[2]])
        got = quat.mul(qa, qb)
        assert np.max(np.abs(_canon(got) - _canon(ref))) < TOL


def test_conjugate_is_inverse(rng: np.random.Generator) -> None:
    for q in _random(rng, N):
        ref = _sp(q).inv().as_quat()
        got = quat.conj(q)
        assert np.max(np.abs(_canon(got) - _canon(np.r_[ref[3], ref[:3]]))) < TOL
        np.testing.assert_allclose(quat.mul(q, got), [1, 0, 0, 0], atol=TOL)


def test_normalize_matches_numpy(rng: np.random.Generator) -> None:
    raw = rng.normal(size=(N, 4)) * rng.uniform(1e-3, 1e3, size=(N, 1))
    for q in raw:
        assert np.max(np.abs(quat.normalize(q) - q / np.linalg.norm(q))) < TOL


def test_rotation_and_dcm_match_scipy(rng: np.random.Generator) -> None:
    vs = rng.normal(size=(N, 3)) * 7.0e6
    for q, v in zip(_random(rng, N), vs, strict=True):
        m = _sp(q).as_matrix()
        assert np.max(np.abs(quat.to_dcm(q) - m)) < TOL
        rel = np.max(np.abs(quat.rotate(q, v) - m @ v)) / np.linalg.norm(v)
        assert rel < TOL


def test_dcm_to_quat_matches_scipy(rng: np.random.Generator) -> None:
    for q in _random(rng, N):
        m = _sp(q).as_matrix()
        got = quat.from_dcm(m)
        assert got[0] >= 0
        assert np.max(np.abs(got - _canon(q))) < TOL
    # The four branches of Shepperd's method: rotations of pi about each axis and identity.
    for axis in np.eye(3):
        m = Rotation.from_rotvec(np.pi * axis).as_matrix()
        np.testing.assert_allclose(quat.to_dcm(quat.from_dcm(m)), m, atol=TOL)


def test_error_quaternion_matches_scipy(rng: np.random.Generator) -> None:
    for q_BN, q_RN in zip(_random(rng, N), _random(rng, N), strict=True):
        ref = (_sp(q_BN) * _sp(q_RN).inv()).as_quat()
        ref = _canon(np.r_[ref[3], ref[:3]])
        got = quat.error(q_BN, q_RN)
        assert got[0] >= 0
        assert np.max(np.abs(got - ref)) < TOL
    # Zero error when body and reference agree.
    q = _random(rng, 1)[0]
    np.testing.assert_allclose(quat.error(q, q), [1, 0, 0, 0], atol=TOL)


def test_c_status_reaches_python_as_typed_exception() -> None:
    with pytest.raises(GncDomainError, match=r"quat_normalize: .*domain.*status 2"):
        quat.normalize([0.0, 0.0, 0.0, 0.0])
    with pytest.raises(GncDomainError, match="dcm_to_quat"):
        quat.from_dcm(np.diag([1.0, 1.0, -1.0]))  # a reflection, not a rotation
    with pytest.raises(GncError):
        quat.normalize([np.nan, 0, 0, 1])


def test_bad_shape_is_a_typed_input_error() -> None:
    with pytest.raises(GncInputError, match="4 elements"):
        quat.mul([1, 0, 0], [1, 0, 0, 0])
