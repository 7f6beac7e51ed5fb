"""The MEKF with star-tracker heads, its gate, the coarse attitude (issue #17):
checked against closed forms (the information form of a static estimate),
scipy's rotations, ERFA's Earth rotation angle and the world's own field
model (a second implementation with its own coefficients)."""

from __future__ import annotations

import math

import erfa
import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from fsw.core.attitude import (
    Adcs,
    AdcsConfig,
    AdcsInput,
    AdcsMode,
    Mekf,
    MekfConfig,
    mag_dipole,
    triad,
)
from fsw.core.guidance import LocalCore, PacketCore

ARCSEC = math.pi / 180 / 3600
BORES = np.array([[0.0, -1.0, 0.0], [0.0, 0.8191520443, 0.5735764364],
                  [0.0, 0.8191520443, -0.5735764364]])


def _q_of(rot: Rotation) -> np.ndarray:
    """q_BN (scalar first) of a scipy rotation taken as C_BN (v_B = C v_N)."""
    x, y, z, w = rot.as_quat()
    q = np.array([w, x, y, z])
    return q if q[0] >= 0 else -q


def _c_of(q: np.ndarray) -> np.ndarray:
    return Rotation.from_quat([q[1], q[2], q[3], q[0]]).as_matrix()


def _perturb(q: np.ndarray, e: np.ndarray) -> np.ndarray:
    """q (x) small rotation e (body): C = (I - [e x]) C_q."""
    return _q_of(Rotation.from_rotvec(-e) * Rotation.from_matrix(_c_of(q)))


def _cfg(heads: int = 3, gate: float = 0.0, reset: float = 0.0) -> MekfConfig:
    return MekfConfig(gyro_arw=1e-12, gyro_rrw=0.0, st_sigma=1e-4, p0_att=1e-2, p0_bias=0.0,
                      st_cross_sigma=5 * ARCSEC, st_about_sigma=55 * ARCSEC,
                      st_boresight_B=tuple(BORES.reshape(-1)), gate=gate, gate_reset=reset,
                      st_heads=heads)


def _head_R(b: np.ndarray, c: float, a: float) -> np.ndarray:
    bb = np.outer(b, b)
    return c * c * (np.eye(3) - bb) + a * a * bb


def test_heads_fuse_as_the_information_form_says() -> None:
    """Static body, no process noise: after n updates of heads 1 and 2 the
    attitude covariance is (P0^-1 + n (R1^-1 + R2^-1))^-1, each R_i the
    head's noise across and about its own boresight."""
    m = Mekf(_cfg())
    q = np.array([1.0, 0.0, 0.0, 0.0])
    m.reset(q)
    n = 40
    for _ in range(n):
        m.step(0.5, (0.0, 0.0, 0.0), heads={1: q, 2: q})
    c, a = 5 * ARCSEC, 55 * ARCSEC
    info = np.eye(3) / 1e-4 + n * sum(np.linalg.inv(_head_R(BORES[i], c, a)) for i in (1, 2))
    np.testing.assert_allclose(m.covariance[:3, :3], np.linalg.inv(info), rtol=1e-6,
                               atol=1e-18)
    # one head alone leaves its boresight axis at the roll noise / sqrt(n)
    m1 = Mekf(_cfg())
    m1.reset(q)
    for _ in range(n):
        m1.step(0.5, (0.0, 0.0, 0.0), heads={1: q})
    about = BORES[1] @ m1.covariance[:3, :3] @ BORES[1]
    assert math.sqrt(about) == pytest.approx(a / math.sqrt(n), rel=0.01)


def test_estimate_is_consistent_with_simulated_head_noise() -> None:
    """Heads with their own anisotropic noise around a true attitude: the
    estimation error is inside the filter's 3 sigma (chi-square of the NEES
    over 200 independent trials)."""
    rng = np.random.default_rng(4)
    c, a = 5 * ARCSEC, 55 * ARCSEC
    nees = []
    for _ in range(200):
        truth = _q_of(Rotation.random(random_state=rng))
        m = Mekf(_cfg())
        m.reset(_perturb(truth, rng.normal(0, 1e-3, 3)))
        for _ in range(5):
            heads = {}
            for h in (0, 1, 2):
                L = np.linalg.cholesky(_head_R(BORES[h], c, a))
                heads[h] = _perturb(truth, L @ rng.standard_normal(3))
            r = m.step(0.5, (0.0, 0.0, 0.0), heads=heads)
        e = Rotation.from_matrix(_c_of(truth) @ _c_of(np.asarray(r.q_BN)).T).as_rotvec()
        nees.append(float(-e @ np.linalg.solve(m.covariance[:3, :3], -e)))
    from scipy.stats import chi2
    lo, hi = chi2.ppf([0.005, 0.995], 3 * 200) / 200
    assert lo < np.mean(nees) < hi


def test_gate_rejects_an_outlier_and_restarts_after_persistent_disagreement() -> None:
    q = np.array([1.0, 0.0, 0.0, 0.0])
    m = Mekf(_cfg(gate=16.27, reset=4))
    m.reset(q)
    for _ in range(20):
        m.step(0.5, (0.0, 0.0, 0.0), heads={1: q, 2: q})
    bad = _perturb(q, np.array([0.0, 0.0, math.radians(2.0)]))
    r = m.step(0.5, (0.0, 0.0, 0.0), heads={1: bad})
    assert r.rejected == 1 and r.heads_used == 0 and r.nis > 16.27
    np.testing.assert_allclose(r.q_BN, q, atol=1e-12)  # untouched
    r = m.step(0.5, (0.0, 0.0, 0.0), heads={1: q, 2: bad})
    assert r.heads_used == 0b010 and r.rejected == 1
    # the estimate is the one that is wrong: every head agrees against it
    for _ in range(2):
        r = m.step(0.5, (0.0, 0.0, 0.0), heads={1: bad, 2: bad})
    assert r.restarted == 1
    np.testing.assert_allclose(r.q_BN, bad, atol=1e-12)


def test_triad_recovers_the_attitude_and_keeps_the_first_direction() -> None:
    rng = np.random.default_rng(1)
    for _ in range(20):
        rot = Rotation.random(random_state=rng)
        C = rot.as_matrix()
        v1, v2 = rng.normal(size=3), rng.normal(size=3)
        q = triad(C @ v1, C @ v2, v1, v2)
        np.testing.assert_allclose(_c_of(np.asarray(q)), C, atol=1e-12)
    # noisy second direction: the first is kept exactly (scipy's weighted
    # Wahba solution with an overwhelming first weight agrees)
    v1, v2 = np.array([1.0, 0.2, 0.1]), np.array([0.1, 1.0, -0.3])
    b1, b2 = v1 / np.linalg.norm(v1), v2 / np.linalg.norm(v2) + np.array([0.0, 0.02, 0.01])
    q = np.asarray(triad(b1, b2, v1, v2))
    np.testing.assert_allclose(_c_of(q) @ (v1 / np.linalg.norm(v1)), b1, atol=1e-12)
    ref, _ = Rotation.align_vectors([b1, b2 / np.linalg.norm(b2)],
                                    [v1 / np.linalg.norm(v1), v2 / np.linalg.norm(v2)],
                                    weights=[1e8, 1.0])
    np.testing.assert_allclose(_c_of(q), ref.as_matrix(), atol=1e-6)


def test_on_board_field_model_against_erfa_and_the_world_s_dipole() -> None:
    """The dipole is turned by the Earth rotation angle of UT1 ~ TAI - 37 s
    (ERFA's era00); its direction agrees with the world's tilted dipole
    (IGRF-13 2020.0, rotated by the world's own angle) within a few degrees:
    the two models differ by five years of secular variation and precession,
    the flight software's own errors, which the coarse sigma covers."""
    from hil.sim.config import WorldConfig
    from hil.sim.world import World

    w = World(WorldConfig(epoch_utc="2026-06-01T00:00:00Z"))
    t_tai = w.tai
    r = np.array(list(w.struct.craft[0].r))
    b_world = np.array(list(w.struct.craft[0].b_n))
    b_fsw = mag_dipole(t_tai, r)
    ang = math.degrees(math.acos(b_world @ b_fsw / np.linalg.norm(b_world)
                                 / np.linalg.norm(b_fsw)))
    assert ang < 3.0
    assert np.linalg.norm(b_fsw) == pytest.approx(np.linalg.norm(b_world), rel=0.02)
    # at the pole of the dipole's own axis the field is radial, 2 B0 (Re/r)^3:
    # the model's magnitude follows the degree-1 coefficients
    b0 = math.sqrt(29376.3 ** 2 + 1413.9 ** 2 + 4523.0 ** 2) * 1e-9
    jd_ut1 = 2436204.5 + (t_tai - 37.0) / 86400.0
    era = erfa.era00(jd_ut1, 0.0)
    d_e = np.array([-1413.9, 4523.0, -29376.3]) * 1e-9 / b0
    d = np.array([math.cos(era) * d_e[0] - math.sin(era) * d_e[1],
                  math.sin(era) * d_e[0] + math.cos(era) * d_e[1], d_e[2]])
    r_pole = 7e6 * d
    np.testing.assert_allclose(mag_dipole(t_tai, r_pole),
                               2 * b0 * (6378137.0 / 7e6) ** 3 * d, rtol=1e-9, atol=1e-15)


def test_core_calls_run_the_same_on_the_packet_core() -> None:
    from fsw.core.dispatch import DispatchLink

    local, board = LocalCore(), PacketCore(DispatchLink(), clock=lambda: 1.0e9)
    args = ((0.3, 0.1, 0.9), (0.5, -0.8, 0.1), (0.2, 0.9, 0.3), (1.0, 0.1, -0.2))
    assert local.triad(*args) == board.triad(*args)
    assert local.mag_dipole(2.2e9, (7e6, 1e5, 2e5)) == board.mag_dipole(2.2e9, (7e6, 1e5, 2e5))


def test_coarse_attitude_initialises_and_bounds_the_estimate() -> None:
    """No tracker: the sun sensor and magnetometer, TRIAD against the sun and
    the field model, initialise the MEKF with the coarse sigma; a fix later
    takes over (the coarse flag goes)."""
    cfg = AdcsConfig(mekf=_cfg(), coarse_sigma=math.radians(3.0))
    adcs = Adcs(cfg)
    truth = _q_of(Rotation.from_rotvec([0.3, -0.2, 0.5]))
    C = _c_of(truth)
    r_N = np.array([6.9e6, 0.0, 0.0])
    t = 2.2e9
    b_N = mag_dipole(t, r_N)
    sun_N = np.array([0.2, 0.9, 0.3]) / np.linalg.norm([0.2, 0.9, 0.3])
    inp = AdcsInput(mode=AdcsMode.OFF, gyro_B=(0.0, 0.0, 0.0), mag_B=tuple(C @ b_N),
                    sun_B=tuple(C @ sun_N), sun_N=tuple(sun_N), r_N=tuple(r_N), time_tai=t)
    out = adcs.step(inp)
    assert out.flags & 256 and out.flags & 1
    np.testing.assert_allclose(np.abs(out.q_BN), np.abs(truth), atol=1e-9)
    assert max(out.sigma[:3]) == pytest.approx(math.radians(3.0), rel=1e-3)
    inp.heads = {1: truth, 2: truth}
    out = adcs.step(inp)
    assert not out.flags & 256 and out.heads_used == 0b110 and max(out.sigma[:3]) < 1e-3
