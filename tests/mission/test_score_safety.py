"""Issue #16's truth scoring (tools/mission/score_safety.py): the sun phase
angle and the sun direction against hand-computed cases and ERFA, the
missed-burn drift against closed-form CW motion (a drift-free relative orbit
and a known collision course), and the figures of a fed score."""

from __future__ import annotations

import math
from types import SimpleNamespace

import erfa
import numpy as np
import pytest
from fsw_tools.mission import score_safety as ss

MU, RE = ss.MU, ss.RE
A_T = RE + 500e3
N = math.sqrt(MU / A_T**3)
R_T = np.array([A_T, 0.0, 0.0])
V_T = np.array([0.0, math.sqrt(MU / A_T), 0.0])   # equatorial: J2 keeps it in-plane


def test_phase_angle_hand_cases() -> None:
    t = np.array([7e6, 0.0, 0.0])
    sun = np.array([1.0, 0.0, 0.0])
    # chaser between the target and the sun: 0; behind the target: 180
    assert ss.phase_angle_deg(t, t + np.array([300.0, 0, 0]), sun) == pytest.approx(0.0)
    assert ss.phase_angle_deg(t, t - np.array([300.0, 0, 0]), sun) == pytest.approx(180.0)
    # beside it: 90; 45 deg up from the sun line: 45; 3-4-5 triangle: atan(4/3)
    assert ss.phase_angle_deg(t, t + np.array([0, 250.0, 0]), sun) == pytest.approx(90.0)
    assert ss.phase_angle_deg(t, t + np.array([100.0, 100.0, 0]), sun) == pytest.approx(45.0)
    assert ss.phase_angle_deg(t, t + np.array([300.0, 0, 400.0]), sun) == \
        pytest.approx(math.degrees(math.atan2(4, 3)))


def test_sun_direction_against_erfa() -> None:
    """The Almanac's low-precision sun is of the mean equator and equinox of
    date: rotated there by ERFA's IAU 1976 precession, ERFA's heliocentric
    Earth (epv00) agrees within 0.02 deg (the formula's stated 0.01 deg and
    aberration); in GCRF axes the 26 years of precession since J2000 leave
    0.37 deg, which the lighting histogram's 30 deg bins do not see."""
    for day in (0.0, 91.3, 180.0, 270.5):
        t_tai = 2158963237.0 + day * 86400.0
        jd_tt = 2436204.5 + (t_tai + 32.184) / 86400.0
        ph, _ = erfa.epv00(jd_tt, 0.0)
        s_ref = erfa.pmat76(jd_tt, 0.0) @ -np.asarray(ph["p"])
        s_ref /= np.linalg.norm(s_ref)
        c = float(np.clip(ss.sun_direction(t_tai) @ s_ref, -1, 1))
        assert math.degrees(math.acos(c)) < 0.02


def _chaser(rho: np.ndarray, rho_dot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equatorial target at (a, 0, 0): Hill x = X, y = Y, z = Z inertial."""
    w = np.array([0.0, 0.0, N])
    return R_T + rho, V_T + rho_dot + np.cross(w, rho)


def test_missed_burn_drift_against_cw() -> None:
    """A drift-free CW ellipse of radial amplitude 300 m keeps its closest
    approach near 300 m for a day (J2 adds a slow drift: within 10 %); a CW
    collision course aimed at the target (CW solution) comes within metres."""
    th = 0.7
    rho = np.array([300 * math.cos(th), -600 * math.sin(th), 300 * math.sin(th)])
    rdot = np.array([-300 * N * math.sin(th), -600 * N * math.cos(th), 300 * N * math.cos(th)])
    d, _ = ss.drift_closest_approach(R_T, V_T, *_chaser(rho, rdot))
    assert 270.0 < d <= 301.0
    # to the origin in 1500 s (CW targeting by hand: the STM solved for v0)
    from fsw.core import relative

    x0 = np.array([0.0, -1500.0, 0.0])
    v0, _, _ = relative.cw_transfer(N, np.r_[x0, 0, 0, 0], [0.0, 0.0, 0.0], 1500.0)
    d, tm = ss.drift_closest_approach(R_T, V_T, *_chaser(x0, np.asarray(v0)),
                                      horizon=3000.0)
    assert d < 15.0 and tm == pytest.approx(1500.0, abs=90.0)


def test_score_figures_from_fed_packets() -> None:
    sc = ss.SafetyScore(keep_out_m=200.0)
    t0 = 2158963237.0
    s_N = ss.sun_direction(t0)
    r_t = 7e6 * s_N                      # the target on the sun side: lit
    chaser = SimpleNamespace(r_N=tuple(r_t + 300 * s_N), v_N=(0.0, 7500.0, 0.0), eclipse=0)
    target = SimpleNamespace(r_N=tuple(r_t), v_N=(0.0, 7500.0, 0.0))
    for k in range(10):
        sc.on_chaser(chaser if k < 8 else SimpleNamespace(**{**vars(chaser), "eclipse": 1}))
        sc.on_target(t0 + k, target, "PROX_OPS")
        sc.on_pointing(0.1 if k < 9 else 3.0, -s_N, t0 + k)
    f = sc.figures(t0)
    assert f["inspection_eclipse_fraction"] == pytest.approx(0.2)
    assert f["inspection_good_light_fraction"] == 1.0
    assert f["inspection_sun_phase_hist"]["counts"][0] == 8
    assert f["inspection_off_target_fraction"] == pytest.approx(0.1)
    assert f["inspection_sun_from_boresight_min_deg"] == pytest.approx(180.0, abs=0.5)
    assert len(f["missed_burn_table"]) == 1   # the end of the run


def test_target_axes_nadir_and_inertial() -> None:
    """Nadir: the target's Hill frame (x zenith, y along velocity, z orbit
    normal); inertial: the axes of ``q_BN`` (rotated into the body by the
    project's quaternion they are the unit vectors)."""
    ax = ss.target_axes("nadir", (1, 0, 0, 0), R_T, V_T)
    assert np.allclose(ax, np.eye(3))
    from fsw.core import quaternion

    q = (math.cos(0.3), 0.2 * math.sin(0.3), -0.4 * math.sin(0.3),
         math.sqrt(1 - 0.2**2 - 0.4**2) * math.sin(0.3))
    ax = ss.target_axes("inertial", q, R_T, V_T)
    assert np.allclose(ax @ ax.T, np.eye(3), atol=1e-12)
    for i in range(3):
        assert np.allclose(quaternion.rotate(np.asarray(q), ax[i]), np.eye(3)[i], atol=1e-12)


def test_faces_seen_hand_cases() -> None:
    """A face counts when the camera is within 60 deg of its normal and the
    sun within 80 deg of it (hand-computed against a unit box)."""
    ax = np.eye(3)
    assert ss.faces_seen(ax, (1, 0, 0), (1, 0, 0)) == [0]                  # +x head-on
    assert ss.faces_seen(ax, (1, 1, 0), (1, 1, 0)) == [0, 2]               # 45 deg: +x, +y
    assert ss.faces_seen(ax, (1, 1, 0), (1, 0, 0)) == [0]                  # +y: sun 90 deg
    assert ss.faces_seen(ax, (1, 0, 0), (math.cos(math.radians(81)), 0,
                                         math.sin(math.radians(81)))) == []  # grazing sun
    assert ss.faces_seen(ax, (0, 0, -1), (0, 0, 1)) == []                  # unlit side
    assert ss.faces_seen(ax, (-1, -1.8, 0), (0, -1, 0)) == [3]             # -y at 29 deg


def test_faces_and_keep_out_from_fed_packets() -> None:
    """Fed a nadir target with the chaser above it on the sun side: the +x
    face accumulates the lit, on-target seconds only; the sun on the
    boresight is flagged inside the camera keep-out."""
    sc = ss.SafetyScore(keep_out_m=200.0, target_attitude="nadir", camera_sun_keepout_deg=30.0)
    t0 = 2158963237.0
    s_N = ss.sun_direction(t0)
    r_t = 7e6 * s_N                       # zenith = the sun's direction
    h = np.cross(s_N, [0.0, 0.0, 1.0])
    v_t = 7500.0 * h / np.linalg.norm(h)
    chaser = SimpleNamespace(r_N=tuple(r_t + 300 * s_N), v_N=tuple(v_t), eclipse=0)
    target = SimpleNamespace(r_N=tuple(r_t), v_N=tuple(v_t))
    for k in range(50):
        sc.on_chaser(chaser if k < 40 else SimpleNamespace(**{**vars(chaser), "eclipse": 1}))
        sc.on_target(t0 + k, target, "PROX_OPS")
        sc.on_pointing(0.1 if k < 35 else 3.0, s_N, t0 + k)
    f = sc.figures(t0)
    assert f["inspection_face_seconds"]["+x"] == pytest.approx(34.0)   # samples 1..34
    assert sum(f["inspection_face_seconds"].values()) == pytest.approx(34.0)
    assert f["inspection_faces_imaged"] == 1
    assert f["inspection_sun_in_keepout"] is True
