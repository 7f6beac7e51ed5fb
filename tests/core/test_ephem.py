"""On-board ephemerides (native/src/gnc_ephem.c) against independent
references: scipy DOP853 for RK4 + J2, two nearby Kepler orbits for the Hill
frame, ERFA (epv00) for the sun, a numerical disc-overlap integral and Brent
roots of the shadow geometry for the eclipse."""

from __future__ import annotations

import math

import erfa
import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp
from scipy.linalg import expm
from scipy.optimize import brentq
from scipy.spatial.transform import Rotation

from fsw.core import ephem, orbit
from fsw.core.errors import GncDomainError, GncStateError, GncUnitsError

MU, J2, RE = orbit.MU_EARTH, orbit.J2_EARTH, orbit.R_EARTH
J2000_TAI = 1325419167.816
RNG = np.random.default_rng(1313)


def _two_body_j2(_t: float, y: np.ndarray) -> np.ndarray:
    r = y[:3]
    r2 = r @ r
    rn = math.sqrt(r2)
    k = 1.5 * J2 * MU * RE**2 / rn**5
    a = -MU * r / rn**3 + k * r * (5.0 * r[2] ** 2 / r2 - 1.0)
    a[2] -= 2.0 * k * r[2]
    return np.r_[y[3:], a]


def _leo_state() -> tuple[np.ndarray, np.ndarray]:
    coe = [RNG.uniform(6.8e6, 7.2e6), RNG.uniform(0.0, 0.01), RNG.uniform(0.2, 1.8),
           RNG.uniform(0, 6.28), RNG.uniform(0, 6.28), RNG.uniform(0, 6.28)]
    return orbit.rv_from_coe(coe)


def test_ephemeris_rk4_j2_matches_dop853_over_a_day() -> None:
    r0, v0 = _leo_state()
    sol = solve_ivp(_two_body_j2, (0.0, 86400.0), np.r_[r0, v0], method="DOP853",
                    rtol=1e-12, atol=1e-6, dense_output=True)
    assert sol.success
    eph = ephem.Ephemeris()
    eph.set(r0, v0, 5000.0)
    for dt, tol_r in ((600.0, 0.01), (3600.0, 0.05), (21600.0, 0.3), (86400.0, 1.0)):
        r, v = eph.state(5000.0 + dt)
        y = sol.sol(dt)
        assert np.linalg.norm(r - y[:3]) < tol_r, dt
        assert np.linalg.norm(v - y[3:]) < tol_r * 1.2e-3, dt
    # the error is an RK4's: half the step, about 16 times smaller
    err = []
    for step in (20.0, 10.0):
        e = ephem.Ephemeris(ephem.EphemConfig(step=step))
        e.set(r0, v0, 0.0)
        err.append(np.linalg.norm(e.state(21600.0)[0] - sol.sol(21600.0)[:3]))
    assert 10.0 < err[0] / err[1] < 22.0


def test_ephemeris_cache_forward_and_backward() -> None:
    r0, v0 = _leo_state()
    eph = ephem.Ephemeris()
    with pytest.raises(GncStateError):
        eph.state(0.0)
    eph.set(r0, v0, 100.0)
    r1, _ = eph.state(1000.0)
    assert eph.t == 1000.0
    back, _ = eph.state(400.0)  # backwards: from the cache, which stays
    assert eph.t == 1000.0
    fresh = ephem.Ephemeris()
    fresh.set(r0, v0, 100.0)
    assert np.linalg.norm(back - fresh.state(400.0)[0]) < 1e-3
    # one RK4 step agrees with the ephemeris over one step
    rs, _ = ephem.rk4_step(r0, v0, 10.0)
    e2 = ephem.Ephemeris()
    e2.set(r0, v0, 0.0)
    assert np.array_equal(e2.state(10.0)[0], rs)
    # mean motion of the osculating orbit
    a = 1.0 / (2.0 / np.linalg.norm(r1) - (eph.state(1000.0)[1] @ eph.state(1000.0)[1]) / MU)
    assert eph.mean_motion == pytest.approx(math.sqrt(MU / a**3), rel=1e-12)


def test_orbit_check_refuses_inconsistent_units() -> None:
    r, v = _leo_state()
    ephem.orbit_check(r, v)
    with pytest.raises(GncUnitsError):
        ephem.orbit_check(r / 1e3, v / 1e3)  # km with the metre default of mu
    ephem.orbit_check(r / 1e3, v / 1e3, mu=MU / 1e9, r_eq=RE / 1e3)
    with pytest.raises(GncUnitsError):
        ephem.orbit_check(r / 1e3, v / 1e3, mu=MU / 1e9)  # r_eq still in m
    with pytest.raises(GncDomainError):
        ephem.orbit_check(r * 0.9, v * math.sqrt(1 / 0.9))  # below the surface
    with pytest.raises(GncDomainError):
        ephem.orbit_check([np.nan, 0, 0], v)
    eph = ephem.Ephemeris()
    with pytest.raises(GncUnitsError):
        eph.set(r / 1e3, v / 1e3, 0.0)


# ---- Hill frame ------------------------------------------------------------------

def _hill_numpy(r_t, v_t):
    """Independent Hill basis: rows radial, along-track, normal."""
    x = r_t / np.linalg.norm(r_t)
    z = np.cross(r_t, v_t)
    z /= np.linalg.norm(z)
    return np.array([x, np.cross(z, x), z]), np.cross(r_t, v_t) / (r_t @ r_t)


def test_hill_basis_round_trip_and_independent_transform() -> None:
    for _ in range(50):
        r_t, v_t = _leo_state()
        C, w = ephem.hill_basis(r_t, v_t)
        Cn, wn = _hill_numpy(r_t, v_t)
        assert np.allclose(C, Cn, atol=1e-15) and np.allclose(w, wn, rtol=1e-13)
        x_H = np.r_[RNG.uniform(-5e3, 5e3, 3), RNG.uniform(-3, 3, 3)]
        r_c, v_c = ephem.inertial_from_hill(r_t, v_t, x_H)
        dr = Cn.T @ x_H[:3]
        assert np.allclose(r_c, r_t + dr, rtol=0, atol=1e-8)
        assert np.allclose(v_c, v_t + Cn.T @ x_H[3:] + np.cross(wn, dr), rtol=0, atol=1e-11)
        back = ephem.hill_from_inertial(r_t, v_t, r_c, v_c)
        assert np.allclose(back, x_H, rtol=0, atol=1e-8)


def _cw_expm(n: float, x0: np.ndarray, t: float) -> np.ndarray:
    A = np.zeros((6, 6))
    A[:3, 3:] = np.eye(3)
    A[3, 0], A[3, 4], A[4, 3], A[5, 2] = 3 * n * n, 2 * n, -2 * n, -n * n
    return expm(A * t) @ x0


def test_hill_frame_agrees_with_cw_to_first_order_for_two_kepler_orbits() -> None:
    """Two nearby Kepler orbits about a circular target: their relative state
    in the Hill frame follows CW (scipy expm) with an error of second order in
    the separation (halving it quarters the error)."""
    a = 6.9e6
    n = math.sqrt(MU / a**3)
    r_t0, v_t0 = orbit.rv_from_coe([a, 0.0, 0.9, 0.3, 0.0, 1.1])
    x0 = np.array([120.0, -800.0, 60.0, 0.05, -0.2, 0.08])
    errors = []
    for scale in (1.0, 0.5):
        xs = x0 * scale
        r_c0, v_c0 = ephem.inertial_from_hill(r_t0, v_t0, xs)
        err = 0.0
        for t in (300.0, 900.0, 1800.0):
            r_t, v_t = orbit.kepler(r_t0, v_t0, t)
            r_c, v_c = orbit.kepler(r_c0, v_c0, t)
            x = ephem.hill_from_inertial(r_t, v_t, r_c, v_c)
            err = max(err, float(np.linalg.norm(x[:3] - _cw_expm(n, xs, t)[:3])))
        errors.append(err)
    assert errors[0] < 1e-3 * np.linalg.norm(x0[:3])
    assert 3.0 < errors[0] / errors[1] < 5.0


def test_hill_to_inertial_at_is_the_later_hill_frame() -> None:
    """On a circular orbit the Hill axes dt later are those of the target's
    propagated state; a vector given in them comes back in GCRF."""
    a = 7.0e6
    n = math.sqrt(MU / a**3)
    r_t, v_t = orbit.rv_from_coe([a, 0.0, 1.2, 2.0, 0.0, 0.4])
    for dt in (-600.0, 0.0, 120.0, 2000.0):
        a_H = RNG.normal(size=3)
        r2, v2 = orbit.kepler(r_t, v_t, dt) if dt else (r_t, v_t)
        C2, _ = _hill_numpy(r2, v2)
        got = ephem.hill_to_inertial_at(r_t, v_t, n, dt, a_H)
        assert np.allclose(got, C2.T @ a_H, rtol=0, atol=1e-9)
        # the same as turning today's axes about the normal with scipy
        C, _ = _hill_numpy(r_t, v_t)
        rot = Rotation.from_rotvec(C[2] * n * dt)
        assert np.allclose(got, rot.apply(C.T @ a_H), rtol=0, atol=1e-9)


# ---- Sun and shadow --------------------------------------------------------------

def _sun_erfa(t_tai: float) -> np.ndarray:
    """Geocentric direction of the sun from ERFA's Earth ephemeris (epv00,
    BCRS/ICRS axes, TDB ~ TT)."""
    tt = t_tai + 32.184
    d = tt / 86400.0 + 2436204.5 - 2400000.5  # MJD(TT)
    pvh, _ = erfa.epv00(2400000.5, d)
    s = -np.asarray(pvh[0])
    return s / np.linalg.norm(s)


def test_sun_direction_within_0_02_deg_of_erfa_2000_to_2050() -> None:
    worst = 0.0
    for t in np.linspace(J2000_TAI, J2000_TAI + 50 * 365.25 * 86400.0, 733):
        s = ephem.sun_direction(float(t))
        assert abs(np.linalg.norm(s) - 1.0) < 1e-15
        worst = max(worst, math.degrees(math.acos(min(1.0, float(s @ _sun_erfa(t))))))
    assert worst < 0.02


def _disc_angles(r, s):
    """Apparent radii of the sun (a) and Earth (b) and their separation (c)."""
    au, r_sun = 149597870700.0, 696.0e6
    d = au * s - r
    a = np.arcsin(r_sun / np.linalg.norm(d))
    b = np.arcsin(RE / np.linalg.norm(r))
    c = np.arccos(np.clip(-(r @ d) / (np.linalg.norm(r) * np.linalg.norm(d)), -1, 1))
    return a, b, c


def _lit_by_integration(r, s) -> float:
    """Sunlit fraction: 1 minus the sun-disc area inside the Earth disc,
    integrated numerically over vertical chords (planar discs)."""
    a, b, c = _disc_angles(r, s)

    def covered(x):
        ys = math.sqrt(max(a * a - x * x, 0.0))
        ye2 = b * b - (x - c) ** 2
        return 2.0 * min(ys, math.sqrt(ye2)) if ye2 > 0 else 0.0

    # kinks: the Earth disc's edges and the chord where the two circles cross
    pts = [p for p in (c - b, c + b, (a * a - b * b + c * c) / (2 * c)) if -a < p < a]
    area, _ = quad(covered, -a, a, points=pts or None, epsabs=1e-16, epsrel=1e-10, limit=200)
    return 1.0 - area / (math.pi * a * a)


def test_eclipse_penumbra_matches_a_numerical_overlap_integral() -> None:
    s = np.array([1.0, 0.0, 0.0])
    r = 6.9e6
    checked = 0
    for ang in np.linspace(math.radians(105), math.radians(115), 400):
        pos = r * np.array([math.cos(ang), math.sin(ang), 0.0])
        lit = ephem.eclipse(pos, s)
        ref = _lit_by_integration(pos, s)
        assert lit == pytest.approx(ref, abs=2e-6)
        checked += 0.0 < ref < 1.0
    assert checked > 5  # the penumbra was crossed
    assert ephem.eclipse([-r, 0.0, 0.0], s) == 0.0
    assert ephem.eclipse([r, 0.0, 0.0], s) == 1.0
    with pytest.raises(GncUnitsError):
        ephem.eclipse([-6900.0, 0.0, 0.0], s)  # km with r_eq in m
    with pytest.raises(GncDomainError):
        ephem.eclipse([6.0e6, 0.0, 0.0], s)  # inside the Earth


def test_eclipse_entry_and_exit_times_within_1_s_of_the_shadow_geometry() -> None:
    """Along a real orbit with the real sun: penumbra/umbra entry and exit
    times where the C shadow function changes, against Brent roots of the
    independent boundary conditions c = a + b and c = b - a."""
    t0 = J2000_TAI + 9.3 * 365.25 * 86400.0
    s = _sun_erfa(t0)
    r0, v0 = orbit.rv_from_coe([6.95e6, 0.0005, math.radians(51.6), 0.7, 0.0, 0.0])
    period = 2 * math.pi * math.sqrt(6.95e6**3 / MU)

    def pos(t):
        return orbit.kepler(r0, v0, t)[0] if t else r0

    def g_pen(t):
        a, b, c = _disc_angles(pos(t), s)
        return c - (a + b)

    def g_umb(t):
        a, b, c = _disc_angles(pos(t), s)
        return c - (b - a)

    ts = np.linspace(0.0, period, 721)
    lits = [ephem.eclipse(pos(t), s) for t in ts]
    assert min(lits) == 0.0 and max(lits) == 1.0
    found = 0
    for g, inside in ((g_pen, lambda x: x < 1.0), (g_umb, lambda x: x == 0.0)):
        gs = [g(t) for t in ts]
        for k in range(len(ts) - 1):
            if (gs[k] > 0) == (gs[k + 1] > 0):
                continue
            t_ref = brentq(g, ts[k], ts[k + 1], xtol=1e-6)
            # the C function's own change point, by bisection
            lo, hi = ts[k], ts[k + 1]
            want = inside(ephem.eclipse(pos(hi), s))
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if inside(ephem.eclipse(pos(mid), s)) == want:
                    hi = mid
                else:
                    lo = mid
            assert abs(hi - t_ref) < 1.0
            found += 1
    assert found == 4  # penumbra and umbra, entry and exit
