"""Relative motion: the CW STM against the matrix exponential of the CW
equations, CW against nonlinear two-body relative motion (scipy), targeting
and glideslope applied in nonlinear propagation, safety ellipse and closest
approach against dense sampling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from fsw.core import relative as rel
from fsw.core.errors import GncDomainError, GncSingularError

MU = 3.986004418e14
A_T = 6378137.0 + 500e3
N = np.sqrt(MU / A_T**3)
PERIOD = 2 * np.pi / N
RNG = np.random.default_rng(7)


def cw_matrix(n: float) -> np.ndarray:
    """The CW equations x'' = 3n^2 x + 2n y', y'' = -2n x', z'' = -n^2 z."""
    A = np.zeros((6, 6))
    A[:3, 3:] = np.eye(3)
    A[3, 0], A[3, 4] = 3 * n * n, 2 * n
    A[4, 3] = -2 * n
    A[5, 2] = -n * n
    return A


class Nonlinear:
    """Chaser and target (circular, equatorial) under two-body gravity (scipy
    DOP853), with the chaser reported in the target's Hill frame."""

    def __init__(self, x_hill: np.ndarray) -> None:
        rt, vt = self.target(0.0)
        C = self.hill(0.0)
        w = np.array([0.0, 0.0, N])
        rc = rt + C.T @ x_hill[:3]
        vc = vt + C.T @ (x_hill[3:] + np.cross(w, x_hill[:3]))
        self.y = np.r_[rc, vc]
        self.t = 0.0

    @staticmethod
    def target(t):
        c, s = np.cos(N * t), np.sin(N * t)
        return A_T * np.array([c, s, 0.0]), A_T * N * np.array([-s, c, 0.0])

    @staticmethod
    def hill(t):
        """Rows: Hill axes in inertial coordinates."""
        c, s = np.cos(N * t), np.sin(N * t)
        return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])

    def coast(self, dt: float) -> None:
        def f(_t, y):
            return np.r_[y[3:], -MU * y[:3] / np.linalg.norm(y[:3]) ** 3]

        sol = solve_ivp(f, (self.t, self.t + dt), self.y, method="DOP853", rtol=1e-13,
                        atol=1e-8)
        self.y, self.t = sol.y[:, -1], self.t + dt

    def burn(self, dv_hill: np.ndarray) -> None:
        self.y[3:] += self.hill(self.t).T @ dv_hill

    def hill_state(self) -> np.ndarray:
        rt, vt = self.target(self.t)
        C = self.hill(self.t)
        rho = C @ (self.y[:3] - rt)
        return np.r_[rho, C @ (self.y[3:] - vt) - np.cross([0.0, 0.0, N], rho)]


def test_stm_equals_the_closed_form_solution() -> None:
    # exp(A t) of the CW equations is their closed-form solution
    A = cw_matrix(N)
    for t in [1.0, 100.0, 0.37 * PERIOD, PERIOD, 2.6 * PERIOD]:
        phi, ref = rel.cw_stm(N, t), expm(A * t)
        scale = np.maximum(1.0, np.abs(ref))
        assert np.all(np.abs(phi - ref) / scale < 1e-9)
    x0 = RNG.normal(size=6) * [500, 500, 500, 0.5, 0.5, 0.5]
    assert rel.cw_propagate(N, x0, 1234.0) == pytest.approx(expm(A * 1234.0) @ x0, rel=1e-9)


def test_cw_against_nonlinear_relative_motion_over_one_orbit() -> None:
    """1 km separation, one orbit. The neglected terms are second order in
    rho/a: accelerations of order 3 n^2 rho^2 / a, whose double integral is
    (3/2)(rho^2/a)(n t)^2 ~ 8.6 m at n t = 2 pi: the bound."""
    x0 = np.r_[np.array([0.6, -0.5, 0.62]) / np.linalg.norm([0.6, -0.5, 0.62]) * 1000.0,
               0.1, -2 * N * 600.0, 0.2]
    sim = Nonlinear(x0)
    sim.coast(PERIOD)
    err = np.linalg.norm(sim.hill_state()[:3] - rel.cw_propagate(N, x0, PERIOD)[:3])
    bound = 1.5 * 1000.0**2 / A_T * (2 * np.pi) ** 2
    assert 1e-3 < err < bound  # nonzero: the truth really is nonlinear


def test_two_impulse_targeting_arrives_in_nonlinear_propagation() -> None:
    """From 2 km to a V-bar hold 100 m behind the target in 0.4 orbit: the
    arrival error is the CW linearisation error, bounded as in the previous
    test by (3/2)(rho0^2/a)(n tof)^2 ~ 5.4 m."""
    x0 = np.array([-300.0, -2000.0, 150.0, 0.0, 2 * N * 300.0, 0.0])
    r_f = np.array([0.0, -100.0, 0.0])
    tof = 0.4 * PERIOD
    dv1, dv2 = rel.cw_two_impulse(N, x0, r_f, tof)
    lin = rel.cw_propagate(N, x0 + np.r_[0, 0, 0, dv1], tof)
    assert lin[:3] == pytest.approx(r_f, abs=1e-6)
    assert lin[3:] + dv2 == pytest.approx([0, 0, 0], abs=1e-9)
    sim = Nonlinear(x0)
    sim.burn(dv1)
    sim.coast(tof)
    rho0 = np.linalg.norm(x0[:3])
    bound = 1.5 * rho0**2 / A_T * (N * tof) ** 2
    assert np.linalg.norm(sim.hill_state()[:3] - r_f) < bound
    with pytest.raises(GncSingularError):
        rel.cw_two_impulse(N, x0, r_f, PERIOD)


def test_glideslope_follows_hablanis_law_and_stops_at_the_hold_point() -> None:
    x0 = np.array([0.0, -1000.0, 0.0, 0.0, 0.0, 0.0])
    r_T = np.array([0.0, -100.0, 0.0])
    rate0, rate_T, pulses = -0.5, -0.05, 6
    plan = rel.glideslope(N, x0, r_T, rate0, rate_T, pulses)
    rho0 = 900.0
    a = (rate0 - rate_T) / rho0
    T = np.log(rate_T / rate0) / a
    assert plan.duration == pytest.approx(T, rel=1e-12)
    assert len(plan.t) == pulses + 1
    # waypoints on the line at rho(t) = rho0 e^{at} + (rate_T/a)(e^{at} - 1)
    rho = rho0 * np.exp(a * plan.t) + rate_T / a * (np.exp(a * plan.t) - 1)
    assert np.linalg.norm(plan.r - r_T, axis=1) == pytest.approx(np.abs(rho), abs=1e-6)
    # flying the plan in CW reaches every waypoint and ends at rest at r_T
    x = x0.copy()
    for k in range(pulses + 1):
        x[3:] += plan.dv[k]
        if k < pulses:
            x = rel.cw_propagate(N, x, plan.t[k + 1] - plan.t[k])
            assert x[:3] == pytest.approx(plan.r[k + 1], abs=1e-6)
    assert x[3:] == pytest.approx([0, 0, 0], abs=1e-12)
    assert plan.dv_total == pytest.approx(np.linalg.norm(plan.dv, axis=1).sum())
    # and in nonlinear two-body propagation it arrives within 1 m (900 m path)
    sim = Nonlinear(x0)
    for k in range(pulses):
        sim.burn(plan.dv[k])
        sim.coast(plan.t[k + 1] - plan.t[k])
    assert np.linalg.norm(sim.hill_state()[:3] - r_T) < 1.0
    with pytest.raises(GncDomainError):
        rel.glideslope(N, x0, r_T, -0.05, -0.5, pulses)  # accelerating approach


def test_safety_ellipse_is_closed_and_passively_safe() -> None:
    A, B = 200.0, 150.0
    x0 = rel.safety_ellipse(N, A, B, along_center=50.0, phase=0.3)
    ts = np.linspace(0.0, PERIOD, 2001)
    xs = np.array([rel.cw_propagate(N, x0, t) for t in ts])
    assert xs[-1] == pytest.approx(x0, abs=1e-6)  # no drift
    rc = np.hypot(xs[:, 0], xs[:, 2])
    assert rc.min() >= min(A, B) - 1e-6
    assert xs[:, 0].max() == pytest.approx(A, rel=1e-4)
    assert np.ptp(xs[:, 1]) == pytest.approx(4 * A, rel=1e-4)
    assert np.abs(xs[:, 2]).max() == pytest.approx(B, rel=1e-4)


def cw_positions(n: float, x0: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Closed-form CW positions (Curtis, Orbital Mechanics, eq. 7.53), vectorised."""
    x, y, z, u, v, w = x0
    s, c = np.sin(n * t), np.cos(n * t)
    return np.array([
        (4 - 3 * c) * x + s / n * u + 2 / n * (1 - c) * v,
        6 * (s - n * t) * x + y + 2 / n * (c - 1) * u + (4 * s - 3 * n * t) / n * v,
        c * z + s / n * w,
    ])


def test_closest_approach_against_dense_sampling() -> None:
    for _ in range(20):
        x0 = RNG.normal(size=6) * [800, 800, 300, 0.5, 0.5, 0.3]
        horizon = RNG.uniform(0.2, 2.0) * PERIOD
        t, d, r = rel.closest_approach(N, x0, horizon)
        ts = np.linspace(0.0, horizon, 200001)
        dist = np.linalg.norm(cw_positions(N, x0, ts), axis=0)
        assert d <= dist.min() + 1e-6
        assert d == pytest.approx(dist.min(), abs=1e-3)
        assert np.linalg.norm(r) == pytest.approx(d, rel=1e-12)
        assert 0.0 <= t <= horizon


# -- curvilinear coordinates (gnc_curvilinear_from_hill, gnc_curvilinear_dv_to_hill) -----
def _curvilinear_numpy(R: float, x: np.ndarray, h: float = 1.0) -> np.ndarray:
    """Spherical coordinates of R e_x + x by numpy (arctan2, arcsin), their
    rates by a central difference along the straight line x + v t (h = 1 s:
    the truncation, ~h^2 v^3 / rho^2, and the rounding, eps rho / h, both
    below 1e-8 m/s)."""
    def pos(r):
        rc = np.array([R + r[0], r[1], r[2]])
        rho = np.linalg.norm(rc)
        return np.array([rho - R, R * np.arctan2(rc[1], rc[0]), R * np.arcsin(rc[2] / rho)])
    return np.r_[pos(x[:3]), (pos(x[:3] + h * x[3:]) - pos(x[:3] - h * x[3:])) / (2 * h)]


def test_curvilinear_coordinates_against_spherical_geometry() -> None:
    for _ in range(200):
        x = RNG.normal(size=6) * [5e3, 50e3, 5e3, 5.0, 10.0, 5.0]
        c = rel.curvilinear_from_hill(A_T, x)
        want = _curvilinear_numpy(A_T, x)
        assert c[:3] == pytest.approx(want[:3], rel=1e-12, abs=1e-7)
        assert c[3:] == pytest.approx(want[3:], rel=1e-7, abs=1e-7)
    # near the target the two coordinate sets agree to the curvature y^2/2R
    x = np.array([10.0, -2000.0, 5.0, 0.1, -0.2, 0.05])
    c = rel.curvilinear_from_hill(A_T, x)
    assert np.abs(c[:3] - x[:3]).max() < 2000.0**2 / A_T
    assert c[0] - x[0] == pytest.approx(2000.0**2 / (2 * A_T), rel=0.01)


def test_curvilinear_velocity_change_round_trip() -> None:
    """A Hill velocity change from dv_to_hill changes the curvilinear rates
    by dv_c and leaves the position as it is."""
    for _ in range(200):
        x = RNG.normal(size=6) * [5e3, 50e3, 5e3, 5.0, 10.0, 5.0]
        dv_c = RNG.normal(size=3)
        c = rel.curvilinear_from_hill(A_T, x)
        dv_h = rel.curvilinear_dv_to_hill(A_T, c[:3], dv_c)
        c2 = rel.curvilinear_from_hill(A_T, x + np.r_[0.0, 0.0, 0.0, dv_h])
        assert c2[:3] == pytest.approx(c[:3], abs=1e-9)
        assert c2[3:] - c[3:] == pytest.approx(dv_c, abs=1e-9)
        assert np.linalg.norm(dv_h) == pytest.approx(np.linalg.norm(dv_c), rel=0.02)


def test_cw_in_curvilinear_coordinates_holds_tens_of_kilometres_out() -> None:
    """42 km behind and 4.3 km under the target, drifting towards it (the
    far insertion's leg to the far hold): after 4,000 s of two-body motion
    (scipy), CW in rectilinear Hill coordinates is kilometres off; CW in
    curvilinear coordinates, compared in them, at least five times closer."""
    n = N
    x0 = np.array([-4300.0, -42000.0, -250.0, 0.0, 1.5 * n * 4300.0, 0.0])
    sim = Nonlinear(x0)
    sim.coast(4000.0)
    truth = sim.hill_state()
    rect = rel.cw_propagate(n, x0, 4000.0)
    curv = rel.cw_propagate(n, rel.curvilinear_from_hill(A_T, x0), 4000.0)
    err_rect = np.linalg.norm(rect[:3] - truth[:3])
    err_curv = np.linalg.norm(curv[:3] - rel.curvilinear_from_hill(A_T, truth)[:3])
    assert err_rect > 1000.0
    assert err_curv < err_rect / 5


def test_curvilinear_refusals() -> None:
    x = np.array([100.0, -2000.0, 0.0, 0.0, 0.1, 0.0])
    for R in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(GncDomainError):
            rel.curvilinear_from_hill(R, x)
        with pytest.raises(GncDomainError):
            rel.curvilinear_dv_to_hill(R, x[:3], (0.1, 0.0, 0.0))
    with pytest.raises(GncDomainError):
        rel.curvilinear_from_hill(A_T, np.r_[100.0, np.nan, 0.0, 0.0, 0.0, 0.0])
    with pytest.raises(GncDomainError):  # on the orbit normal through the centre
        rel.curvilinear_from_hill(A_T, np.array([-A_T, 0.0, 10.0, 0.0, 0.0, 0.0]))
    with pytest.raises(GncDomainError):  # at the centre
        rel.curvilinear_dv_to_hill(A_T, (-A_T, 0.0, 0.0), (0.1, 0.0, 0.0))
    with pytest.raises(GncDomainError):
        rel.curvilinear_dv_to_hill(A_T, (0.0, 0.0, 0.0), (np.inf, 0.0, 0.0))
