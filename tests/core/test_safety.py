"""The passive-safety unit (native/src/gnc_safety.c): the missed-burn screen
against an independent propagation (scipy solve_ivp, DOP853, of both craft on
point mass + J2 + drag written here), the closed-form e/i separation of the
safety ellipse against that propagation, the k-sigma ellipsoid distance
against hand-computed and brute-force cases, and the inspection's phase from
the light against hand-computed geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import minimize

from fsw.core import relative, safety
from fsw.core.errors import GncDomainError

MU, RE, J2, WE = 3.986004418e14, 6378137.0, 1.08262668e-3, 7.2921150e-5
A_T = RE + 500e3
INC = math.radians(45.0)
N = math.sqrt(MU / A_T**3)
V_C = math.sqrt(MU / A_T)
R_T = np.array([A_T, 0.0, 0.0])
V_T = np.array([0.0, V_C * math.cos(INC), V_C * math.sin(INC)])
ORBIT = 2 * math.pi / N
DRAG = safety.DriftModel(bc_target=60.0, bc_chaser=100.0, rho0=5e-13, h0=500e3,
                         scale_h=60e3)


def _accel(r: np.ndarray, v: np.ndarray, bc: float, m: safety.DriftModel) -> np.ndarray:
    rn = np.linalg.norm(r)
    z2 = (r[2] / rn) ** 2
    a = -MU * r / rn**3
    f = 1.5 * J2 * MU * RE**2 / rn**5
    a = a + f * r * np.array([5 * z2 - 1, 5 * z2 - 1, 5 * z2 - 3])
    if bc > 0:
        va = v - np.cross([0.0, 0.0, WE], r)
        rho = m.rho0 * math.exp(-((rn - RE) - m.h0) / m.scale_h)
        a = a - 0.5 * rho * np.linalg.norm(va) * va / bc
    return a


def _hill(r_t: np.ndarray, v_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = r_t / np.linalg.norm(r_t)
    h = np.cross(r_t, v_t)
    z = h / np.linalg.norm(h)
    return np.vstack([x, np.cross(z, x), z]), h / np.dot(r_t, r_t)


def _chaser(x_rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    C, om = _hill(R_T, V_T)
    rho = C.T @ x_rel[:3]
    return R_T + rho, V_T + C.T @ x_rel[3:] + np.cross(om, rho)


def _scipy_drift(x_rel: np.ndarray, m: safety.DriftModel) -> tuple[np.ndarray, np.ndarray]:
    """Times and Hill positions of the chaser, both craft integrated apart."""
    r_c, v_c = _chaser(x_rel)

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        return np.r_[y[3:6], _accel(y[:3], y[3:6], m.bc_target, m),
                     y[9:12], _accel(y[6:9], y[9:12], m.bc_chaser, m)]

    t = np.arange(0.0, m.horizon + 0.5 * m.step, m.step)
    sol = solve_ivp(f, (0.0, m.horizon), np.r_[R_T, V_T, r_c, v_c], method="DOP853",
                    t_eval=t, rtol=1e-12, atol=1e-6)
    rho = np.empty((t.size, 3))
    for i in range(t.size):
        C, _ = _hill(sol.y[:3, i], sol.y[3:6, i])
        rho[i] = C @ (sol.y[6:9, i] - sol.y[:3, i])
    return t, rho


@pytest.mark.parametrize("model", [safety.DriftModel(), DRAG], ids=["j2", "j2+drag"])
def test_screen_matches_an_independent_j2_drag_propagation(model: safety.DriftModel) -> None:
    rng = np.random.default_rng(16)
    for _ in range(3):
        x_rel = np.r_[rng.uniform(-800, 800, 3), rng.uniform(-0.3, 0.3, 3)]
        res = safety.drift_screen(model, R_T, V_T, x_rel)
        t, rho = _scipy_drift(x_rel, model)
        d = np.linalg.norm(rho, axis=1)
        i = int(np.argmin(d))
        assert res.d_ca == pytest.approx(d[i], abs=0.5)
        assert res.t_ca == pytest.approx(t[i], abs=model.step)
        rn = np.hypot(rho[:, 0], rho[:, 2]).min()
        assert res.rn_min == pytest.approx(rn, abs=0.5)
        # no covariance: the ellipsoid is the point itself
        assert res.d_k == pytest.approx(res.d_ca, abs=1e-6)


def test_drag_differs_from_j2_only() -> None:
    """The differential drag of the screen is there: over a day it moves the
    chaser by hundreds of metres (the same amount as the reference's)."""
    x_rel = np.r_[0.0, -2000.0, 0.0, 0.0, 0.0, 0.0]
    a = safety.drift_screen(safety.DriftModel(), R_T, V_T, x_rel)
    b = safety.drift_screen(DRAG, R_T, V_T, x_rel)
    _, rho_a = _scipy_drift(x_rel, safety.DriftModel())
    _, rho_b = _scipy_drift(x_rel, DRAG)
    shift = np.linalg.norm(rho_b[-1] - rho_a[-1])
    assert shift > 100.0
    assert b.d_ca == pytest.approx(np.linalg.norm(rho_b, axis=1).min(), abs=0.5)
    assert a.d_ca != pytest.approx(b.d_ca, abs=10.0) or shift > 100.0


def _j2_bound(A: float, B: float) -> float:
    """min(A, B) shrunk by the first-order effects of a day: the relative
    e-vector turns at the J2 apsidal rate w' = 3/4 n J2 (R/a)^2 (5 cos^2 i - 1)
    away from the i-vector (a phase slip d between radial and cross-track
    motion leaves min(A, B) sqrt(1 - sin d) of separation), and differential
    drag changes the relative semi-major axis by 2 da_drag T / n (a radial
    offset); 2 % of min(A, B) for the second-order terms (differential nodal
    drift of the i-vector, the CW state's mean-motion mismatch under J2)."""
    T = 86400.0
    d = 0.75 * N * J2 * (RE / A_T) ** 2 * (5 * math.cos(INC) ** 2 - 1) * T
    va = V_C - WE * A_T * math.cos(INC)
    a_d = 0.5 * DRAG.rho0 * va**2 * abs(1 / DRAG.bc_target - 1 / DRAG.bc_chaser)
    return min(A, B) * (math.sqrt(1 - math.sin(d)) - 0.02) - 2 * a_d * T / N


def _cw_ode(x0: np.ndarray, horizon: float) -> np.ndarray:
    def f(_t: float, x: np.ndarray) -> np.ndarray:
        return np.r_[x[3:], 3 * N * N * x[0] + 2 * N * x[4], -2 * N * x[3], -N * N * x[2]]

    t = np.linspace(0.0, horizon, 2001)
    return solve_ivp(f, (0, horizon), x0, method="DOP853", t_eval=t, rtol=1e-12,
                     atol=1e-9).y


@pytest.mark.parametrize(("amp", "centre"), [((250.0, 250.0), 0.0), ((200.0, 350.0), -1500.0),
                                             ((300.0, 220.0), 0.0)])
def test_ei_separation_closed_form_against_numerical_propagation(
        amp: tuple[float, float], centre: float) -> None:
    """The safety ellipse's radial/cross-track separation is min(A, B) in
    closed form: integrating the CW equations (scipy) from its state gives
    exactly that; integrated a day with J2 and drag (both craft, scipy) it
    stays above the first-order bound (_j2_bound), whatever the along-track
    drift does; the screen reports the reference's separation."""
    A, B = amp
    for phase in (1.0, 2.5):
        x_rel = relative.safety_ellipse(N, A, B, centre, phase)
        y = _cw_ode(x_rel, 2 * 2 * math.pi / N)
        assert np.hypot(y[0], y[2]).min() == pytest.approx(min(A, B), rel=1e-4)
        assert np.ptp(y[1] + 2 * A * np.sin(phase + N * np.linspace(0, 4 * math.pi / N,
                                                                     2001))) < 1e-3
        _, rho = _scipy_drift(x_rel, DRAG)
        rn = np.hypot(rho[:, 0], rho[:, 2]).min()
        assert rn >= _j2_bound(A, B)
        res = safety.drift_screen(DRAG, R_T, V_T, x_rel)
        assert res.rn_min == pytest.approx(rn, abs=0.5)
        assert res.d_ca >= res.rn_min - 1e-9


def test_vbar_hold_is_not_separated() -> None:
    """A V-bar point has no radial/cross-track separation: a 2 cm/s along-track
    error drifts it through the target within a day (the screen sees it)."""
    x_rel = np.r_[0.0, -500.0, 0.0, 0.0, -0.02, 0.0]
    res = safety.drift_screen(DRAG, R_T, V_T, x_rel)
    assert res.d_ca < 200.0
    _, rho = _scipy_drift(x_rel, DRAG)
    assert res.d_ca == pytest.approx(np.linalg.norm(rho, axis=1).min(), abs=0.5)


def test_covariance_shrinks_the_margin_by_the_cw_spread() -> None:
    """With a spherical covariance and no velocity uncertainty at t = 0 the
    distance to the ellipsoid at t = 0 is |rho| - k sigma (hand value), and
    it is never more than the nominal distance."""
    x_rel = np.r_[300.0, 0.0, 0.0, 0.0, -2 * N * 300.0, 0.0]
    P = np.diag([4.0**2] * 3 + [0.0] * 3)
    m = safety.DriftModel(horizon=60.0, step=60.0)
    res = safety.drift_screen(m, R_T, V_T, x_rel, P)
    assert res.t_k == 0.0 or res.d_k <= 300.0 - 12.0 + 1.0
    full = safety.drift_screen(DRAG, R_T, V_T, relative.safety_ellipse(N, 250, 250, 0, 0.4),
                               np.diag([5.0**2] * 3 + [0.002**2] * 3))
    assert full.d_k < full.d_ca
    assert full.sigma_k > 0


def test_ellipsoid_distance_hand_cases() -> None:
    m = np.array([0.0, 0.0, 100.0])
    assert safety.ellipsoid_distance(m, np.eye(3) * 4.0, 3.0) == pytest.approx(94.0)
    S = np.diag([100.0, 1.0, 9.0])      # sigma 10, 1, 3 on x, y, z
    assert safety.ellipsoid_distance(m, S, 3.0) == pytest.approx(91.0)
    assert safety.ellipsoid_distance([50.0, 0, 0], S, 3.0) == pytest.approx(20.0)
    assert safety.ellipsoid_distance([20.0, 0, 0], S, 3.0) == 0.0
    assert safety.ellipsoid_distance(m, S, 0.0) == pytest.approx(100.0)


def test_ellipsoid_distance_against_brute_force() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        L = rng.normal(size=(3, 3)) * rng.uniform(1, 30)
        S = L @ L.T
        m = rng.normal(size=3) * 200
        k = 3.0
        w, V = np.linalg.eigh(S)
        ax = k * np.sqrt(np.maximum(w, 0))
        q = V.T @ -m
        if np.sum((q / ax) ** 2) <= 1:
            assert safety.ellipsoid_distance(m, S, k) == 0.0
            continue

        def dist(p: np.ndarray, ax: np.ndarray = ax, q: np.ndarray = q) -> float:
            u = p / max(np.linalg.norm(p), 1e-12)   # a point on the surface
            return float(np.linalg.norm(ax * u - q))

        best = min((minimize(dist, x0, method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 4000})
                    for x0 in rng.normal(size=(8, 3))), key=lambda r: r.fun)
        assert safety.ellipsoid_distance(m, S, k) == pytest.approx(best.fun, rel=1e-6,
                                                                   abs=1e-6)


def _sun(beta: float, u: float) -> np.ndarray:
    """A unit sun vector at beta above the target's orbit plane, at angle u
    from the target's position at the state (in the plane)."""
    C, _ = _hill(R_T, V_T)
    s_H = np.array([math.cos(beta) * math.cos(u), math.cos(beta) * math.sin(u),
                    math.sin(beta)])
    return C.T @ s_H


def test_inspection_phase_hand_cases() -> None:
    """Sun in the orbit plane along the target's radius at the entry: on the
    in-plane ellipse the phase 0 (chaser above the target, on the sun's side)
    keeps the phase angle within max(atan(2 tan a) - a) = 19.47 deg all
    orbit, the only 5-deg grid phase under 20 deg; the target is lit except
    within asin(R/r) = 68.0 deg of the anti-sun line (62.2 % lit). Sun
    opposite: phase pi (below). Entry half an orbit later: pi as well."""
    lit_hand = 1 - 2 * math.asin(RE / A_T) / (2 * math.pi)
    deg20 = math.radians(20)
    th, good, lit, _ = safety.inspection_phase(N, 250, 0.0, R_T, V_T, 0.0, ORBIT, _sun(0, 0), deg20)
    assert th == pytest.approx(0.0) and good == 1.0
    assert lit == pytest.approx(lit_hand, abs=1 / 180 + 1e-9)
    th, good, _, _ = safety.inspection_phase(N, 250, 0.0, R_T, V_T, 0.0, ORBIT, _sun(0, math.pi),
                                          deg20)
    assert th == pytest.approx(math.pi) and good == 1.0
    th, good, _, _ = safety.inspection_phase(N, 250, 0.0, R_T, V_T, math.pi / N, ORBIT, _sun(0, 0),
                                          deg20)
    assert th == pytest.approx(math.pi) and good == 1.0
    # 60 deg leaves room: all the sunlit time is good with the cross-track motion too
    _, good, _, _ = safety.inspection_phase(N, 250, 250, R_T, V_T, 0.0, ORBIT, _sun(0, 0),
                                         math.radians(60))
    assert good == 1.0
    # a constant-phase-offset geometry: the best fraction under 10 deg is partial
    _, good, _, _ = safety.inspection_phase(N, 250, 250, R_T, V_T, 0.0, ORBIT, _sun(0, 0),
                                         math.radians(10))
    assert 0.0 < good < 1.0


def test_inspection_phase_sun_out_of_plane_never_in_shadow() -> None:
    """Beta 80 deg: the target is never in the Earth's shadow (lit = 1)."""
    _, _, lit, _ = safety.inspection_phase(N, 250, 250, R_T, V_T, 0.0, ORBIT,
                                        _sun(math.radians(80), 0), math.radians(60))
    assert lit == 1.0


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(GncDomainError):
        safety.drift_screen(safety.DriftModel(step=0.0), R_T, V_T, np.zeros(6))
    with pytest.raises(GncDomainError):
        safety.drift_screen(safety.DriftModel(bc_chaser=-1.0), R_T, V_T, np.zeros(6))
    with pytest.raises(GncDomainError):
        safety.ellipsoid_distance([1.0, 0, 0], np.eye(3), -1.0)
    with pytest.raises(GncDomainError):
        safety.inspection_phase(N, 0.0, 250, R_T, V_T, 0.0, ORBIT, [1.0, 0, 0], 1.0)


def test_inspection_phase_over_a_short_span() -> None:
    """Sun in the plane 225 deg from the target's position at the entry: the
    target's angle from the anti-sun line goes from 45 deg to -45 deg over a
    quarter orbit, inside the shadow's 68 deg all along: never lit (good 0,
    lit 0); half an orbit later it goes from 135 to 225 deg from the anti-sun
    line: lit throughout, and the best phase sees it well all along."""
    quarter = ORBIT / 4
    _, good, lit, _ = safety.inspection_phase(N, 250, 250, R_T, V_T, 0.0, quarter,
                                           _sun(0, 1.25 * math.pi), math.radians(60))
    assert lit == 0.0 and good == 0.0
    _, good, lit, _ = safety.inspection_phase(N, 250, 250, R_T, V_T, ORBIT / 2, quarter,
                                           _sun(0, 1.25 * math.pi), math.radians(60))
    assert lit == 1.0 and good == 1.0
    with pytest.raises(GncDomainError):
        safety.inspection_phase(N, 250, 250, R_T, V_T, 0.0, 0.0, [1.0, 0, 0], 1.0)


FACES = safety.FacePlan(view=math.radians(60), sun=math.radians(80), min_s=120.0,
                        good_min=0.6)


def test_inspection_faces_hand_cases() -> None:
    """Sun 85 deg out of the orbit plane: only the +z face is lit (the sun
    5 deg from its normal, 85 deg or more from every other face's, past the
    80 deg of lit). An in-plane ellipse never sees +z within 60 deg of its
    normal (0 faces); with B = 2A it does around th = 90 and 270 deg, where
    the line of sight is (0, -+2A, +-2A): 45 deg off +z (1 face)."""
    sun = _sun(math.radians(85), 0.3)
    free = safety.FacePlan(FACES.view, FACES.sun, FACES.min_s, 0.0)
    assert safety.inspection_phase(N, 250, 0.0, R_T, V_T, 0.0, ORBIT, sun, math.radians(60),
                                   faces=free).faces == 0
    assert safety.inspection_phase(N, 250, 500, R_T, V_T, 0.0, ORBIT, sun, math.radians(60),
                                   faces=free).faces == 1
    # no face plan: light alone, no face count
    c = safety.inspection_phase(N, 250, 500, R_T, V_T, 0.0, ORBIT, sun, math.radians(60))
    assert c.faces == 0
    with pytest.raises(GncDomainError):
        safety.inspection_phase(N, 250, 250, R_T, V_T, 0.0, ORBIT, sun, 1.0,
                                faces=safety.FacePlan(view=4.0))


def _faces_by_brute_force(A: float, B: float, dt: float, sun_N: np.ndarray
                          ) -> list[tuple[float, float, int]]:
    """(phase, good, faces) of the 72 phases, computed apart from the core:
    the target on its circular orbit in GCRF (shadow cylinder), its nadir
    axes and the line of sight from the tools' face scoring."""
    from fsw_tools.mission.score_safety import faces_seen

    C, _ = _hill(R_T, V_T)
    s = sun_N / np.linalg.norm(sun_N)
    h = ORBIT / 180
    out = []
    for k in range(72):
        ph = 2 * math.pi * k / 72
        seen, n_lit, n_good = np.zeros(6), 0, 0
        for j in range(180):
            nt = N * ORBIT * j / 180
            a = N * dt + nt
            # the target's radial and along-track axes turned by a in its plane
            x_ax = math.cos(a) * C[0] + math.sin(a) * C[1]
            y_ax = -math.sin(a) * C[0] + math.cos(a) * C[1]
            axes = np.vstack([x_ax, y_ax, C[2]])
            r = A_T * x_ax
            if r @ s < 0 and np.linalg.norm(r - (r @ s) * s) < RE:
                continue
            n_lit += 1
            rho_H = np.array([A * math.cos(ph + nt), -2 * A * math.sin(ph + nt),
                              B * math.sin(ph + nt)])
            los = axes.T @ rho_H
            if los @ s >= math.cos(math.radians(60)) * np.linalg.norm(los):
                n_good += 1
            for f in faces_seen(axes, los, s):
                seen[f] += h
        out.append((ph, n_good / n_lit, int(np.sum(seen >= FACES.min_s))))
    return out


@pytest.mark.parametrize("beta_deg, u_deg, dt", [(0.0, 30.0, 0.0), (20.0, 200.0, 1500.0),
                                                 (-35.0, 110.0, 4000.0)])
def test_inspection_phase_images_the_most_faces(beta_deg: float, u_deg: float,
                                                dt: float) -> None:
    """The chosen phase images the most faces among those well lit for
    good_min of the sunlit time, then is the best lit: checked against a
    brute force over the same 72 phases with the tools' own face scoring
    (tools/mission/score_safety.faces_seen, the campaign's judge)."""
    sun = _sun(math.radians(beta_deg), math.radians(u_deg))
    c = safety.inspection_phase(N, 300, 300, R_T, V_T, dt, ORBIT, sun, math.radians(60),
                                faces=FACES)
    table = _faces_by_brute_force(300, 300, dt, sun)
    ok = [row for row in table if row[1] >= FACES.good_min]
    assert ok, "every case here has phases lit well enough"
    best = max(row[2] for row in ok)
    mine = min(table, key=lambda row: abs(row[0] - c.th0))
    assert mine[0] == pytest.approx(c.th0)
    assert c.faces == mine[2] == best
    assert c.good == pytest.approx(mine[1]) and c.good >= FACES.good_min
    assert c.good == pytest.approx(max(row[1] for row in ok if row[2] == best))
