"""Orbit mechanics against published examples and scipy two-body integration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from fsw.core import orbit
from fsw.core.errors import GncDomainError, GncSingularError

MU = orbit.MU_EARTH
RNG = np.random.default_rng(20261126)


def integrate(r0, v0, dt, mu=MU):
    """Two-body truth: scipy DOP853 at tight tolerances (m, m/s)."""
    def f(_t, y):
        r = y[:3]
        return np.r_[y[3:], -mu * r / np.linalg.norm(r) ** 3]

    sol = solve_ivp(f, (0.0, dt), np.r_[r0, v0], method="DOP853", rtol=1e-13, atol=1e-7)
    assert sol.success
    return sol.y[:3, -1], sol.y[3:, -1]


def test_lambert_curtis_example_5_2() -> None:
    # Curtis, Orbital Mechanics for Engineering Students, Example 5.2 (km, km/s)
    v1, v2 = orbit.lambert([5000, 10000, 2100], [-14600, 2500, 7000], 3600.0, mu=398600.0)
    assert v1 == pytest.approx([-5.9925, 1.9254, 3.2456], rel=2e-5)
    assert v2 == pytest.approx([-3.3125, -4.1966, -0.38529], rel=2e-5)


def test_lambert_vallado_example_7_5() -> None:
    # Vallado, Fundamentals of Astrodynamics and Applications, Example 7-5 (short way)
    v1, v2 = orbit.lambert([15945.34, 0.0, 0.0], [12214.83899, 10249.46731, 0.0], 76.0 * 60.0,
                           mu=398600.4418)
    assert v1 == pytest.approx([2.058913, 2.915965, 0.0], rel=1e-6, abs=1e-12)
    assert v2 == pytest.approx([-3.451565, 0.910315, 0.0], rel=1e-6, abs=1e-12)


def _random_orbit():
    a = RNG.uniform(6.8e6, 4.2e7)
    e = RNG.uniform(0.0, 0.7)
    if a * (1 - e) < 6.6e6:
        e = 1 - 6.6e6 / a
    coe = [a, e, RNG.uniform(0, np.pi), RNG.uniform(0, 2 * np.pi), RNG.uniform(0, 2 * np.pi),
           RNG.uniform(0, 2 * np.pi)]
    return orbit.rv_from_coe(coe), a


def test_lambert_200_random_cases_reach_r2_within_1_m() -> None:
    """Random conics: r2 from a known orbit after tof (0 to 2 revolutions);
    every Lambert solution with that revolution count, integrated by scipy,
    reaches r2 within 1 m, and one of them is the original velocity."""
    done, multi = 0, 0
    while done < 200:
        (r1, v1), a = _random_orbit()
        period = 2 * np.pi * np.sqrt(a**3 / MU)
        tof = RNG.uniform(0.05, 2.6) * period
        r2, v2_true = orbit.kepler(r1, v1, tof)
        h = np.cross(r1, v1)
        c = np.dot(r1, r2) / np.linalg.norm(r1) / np.linalg.norm(r2)
        if abs(c) > np.cos(np.radians(2.0)):
            continue  # within 2 deg of 0/pi the transfer plane is ill-conditioned
        long_way = np.dot(np.cross(r1, r2), h) < 0
        # whole revolutions, counted in mean anomaly (monotonic with the true anomaly)
        e = orbit.coe_from_rv(r1, v1)[1]

        def mean_anom(nu, e=e):
            E = 2 * np.arctan2(np.sqrt(1 - e) * np.sin(nu / 2), np.sqrt(1 + e) * np.cos(nu / 2))
            return E - e * np.sin(E)

        dm = (mean_anom(orbit.coe_from_rv(r2, v2_true)[5])
              - mean_anom(orbit.coe_from_rv(r1, v1)[5])) % (2 * np.pi)
        nrev = round((2 * np.pi * tof / period - dm) / (2 * np.pi))
        branches = [0] if nrev == 0 else [0, 1]
        sols = []
        for br in branches:
            v1s, _ = orbit.lambert(r1, r2, tof, nrev=nrev, long_way=long_way, branch=br)
            r_end, _ = integrate(r1, v1s, tof)
            assert np.linalg.norm(r_end - r2) < 1.0, (nrev, br)
            sols.append(v1s)
        assert min(np.linalg.norm(s - v1) for s in sols) < 1e-6 * np.linalg.norm(v1)
        done += 1
        multi += nrev > 0
    assert multi >= 60


def test_lambert_multi_rev_below_minimum_time_and_singular_geometry() -> None:
    r1, r2 = [7e6, 0, 0], [0, 7.2e6, 0]
    tmin = orbit.lambert_min_tof(r1, r2, 2)
    with pytest.raises(GncDomainError):
        orbit.lambert(r1, r2, 0.99 * tmin, nrev=2)
    v0, _ = orbit.lambert(r1, r2, 1.01 * tmin, nrev=2, branch=0)
    v1, _ = orbit.lambert(r1, r2, 1.01 * tmin, nrev=2, branch=1)
    assert np.linalg.norm(v0 - v1) > 1.0  # two distinct solutions
    with pytest.raises(GncSingularError):
        orbit.lambert([7e6, 0, 0], [-7e6, 0, 0], 3000.0)


def test_kepler_200_random_elliptic_and_hyperbolic_cases_within_1_m() -> None:
    done, hyperbolic, k = 0, 0, 0
    while done < 200:
        k += 1
        r0 = RNG.normal(size=3)
        r0 *= RNG.uniform(6.7e6, 3e7) / np.linalg.norm(r0)
        vc = np.sqrt(MU / np.linalg.norm(r0))
        # speeds from 0.6 circular (elliptic) to 1.8 circular (hyperbolic)
        v0 = RNG.normal(size=3)
        v0 *= RNG.uniform(0.6, 1.8) * vc / np.linalg.norm(v0)
        dt = RNG.uniform(-2e4, 2e4) if k % 4 == 0 else RNG.uniform(10.0, 2e4)
        # skip trajectories through the planet (no physical meaning, stiff for
        # the integrator): periapsis below 6000 km
        coe = orbit.coe_from_rv(r0, v0)
        if coe[0] * (1 - coe[1]) < 6.0e6:
            continue
        r, v = orbit.kepler(r0, v0, dt)
        rt, vt = integrate(r0, v0, dt)
        assert np.linalg.norm(r - rt) < 1.0, (k, coe)
        assert np.linalg.norm(v - vt) < 1e-3
        done += 1
        hyperbolic += coe[1] > 1.0
    assert hyperbolic >= 40


def test_elements_vallado_example_2_5_and_round_trips() -> None:
    # Vallado Example 2-5 (km, km/s)
    coe = orbit.coe_from_rv([6524.834, 6862.875, 6448.296], [4.901327, 5.533756, -1.976341],
                            mu=398600.4418)
    assert coe[0] == pytest.approx(36127.343, rel=1e-6)
    assert coe[1] == pytest.approx(0.832853, abs=1e-6)
    assert np.degrees(coe[2:]) == pytest.approx([87.870, 227.898, 53.38, 92.335], abs=6e-3)
    for _ in range(100):
        e = RNG.choice([RNG.uniform(0.001, 0.9), RNG.uniform(1.1, 3.0)])
        a = RNG.uniform(7e6, 4e7) * (1 if e < 1 else -1)
        nu_max = np.pi if e < 1 else np.arccos(-1 / e) * 0.95
        c = np.array([a, e, RNG.uniform(0.01, 3.1), RNG.uniform(0, 6.28), RNG.uniform(0, 6.28),
                      RNG.uniform(-nu_max, nu_max) % (2 * np.pi)])
        r, v = orbit.rv_from_coe(c)
        # energy and angular momentum of the state are those of the elements
        assert np.linalg.norm(v) ** 2 / 2 - MU / np.linalg.norm(r) == pytest.approx(
            -MU / (2 * a), rel=1e-10)
        assert np.linalg.norm(np.cross(r, v)) == pytest.approx(
            np.sqrt(MU * a * (1 - e * e)), rel=1e-10)
        back = orbit.coe_from_rv(r, v)
        d = (back - c + np.pi) % (2 * np.pi) - np.pi
        assert abs(back[0] - c[0]) < 1e-8 * abs(c[0]) and np.all(np.abs(d[1:]) < 1e-8)


def test_j2_sun_synchronous_inclination() -> None:
    # A 700 km circular orbit is sun-synchronous at about 98.19 deg (nodal
    # precession 360 deg per tropical year = 1.991e-7 rad/s).
    a = orbit.R_EARTH + 700e3
    rates = orbit.j2_rates(a, 0.0, np.radians(98.19))
    assert rates[0] == pytest.approx(2 * np.pi / (365.2422 * 86400), rel=5e-3)
    # critical inclination: apsidal rotation vanishes at 63.435 deg
    r_crit = orbit.j2_rates(a, 0.1, np.radians(63.4349))
    assert abs(r_crit[1]) < 1e-4 * abs(r_crit[0])
    with pytest.raises(GncDomainError):
        orbit.j2_rates(a, 1.2, 0.5)


def test_lambert_hyperbolic_transfers_recover_the_velocity() -> None:
    checked = 0
    while checked < 20:
        r1 = RNG.normal(size=3)
        r1 *= 7e6 / np.linalg.norm(r1)
        v1 = RNG.normal(size=3)
        v1 *= 1.6 * np.sqrt(MU / 7e6) / np.linalg.norm(v1)
        coe = orbit.coe_from_rv(r1, v1)
        if coe[0] * (1 - coe[1]) < 6.6e6:
            continue
        tof = RNG.uniform(600.0, 2e4)
        r2, _ = orbit.kepler(r1, v1, tof)
        long_way = np.dot(np.cross(r1, r2), np.cross(r1, v1)) < 0
        v, _ = orbit.lambert(r1, r2, tof, long_way=long_way)
        assert coe[1] > 1.0
        assert np.linalg.norm(v - v1) < 1e-6 * np.linalg.norm(v1)
        checked += 1


def test_km_inputs_with_the_metre_mu_are_refused_as_units() -> None:
    """A state in km with the metre default of mu would give rates a million
    times off: every orbit function refuses it with GncUnitsError, and the
    same numbers with mu in km^3/s^2 are fine."""
    from fsw.core.errors import GncUnitsError

    mu_km = MU / 1e9
    r_km, v_km = np.array([7000.0, 100.0, -50.0]), np.array([0.1, 7.5, 1.0])
    with pytest.raises(GncUnitsError):
        orbit.kepler(r_km, v_km, 600.0)
    orbit.kepler(r_km, v_km, 600.0, mu=mu_km)
    with pytest.raises(GncUnitsError):
        orbit.coe_from_rv(r_km, v_km)
    orbit.coe_from_rv(r_km, v_km, mu=mu_km)
    r2_km, _ = orbit.kepler(r_km, v_km, 1500.0, mu=mu_km)
    with pytest.raises(GncUnitsError):
        orbit.lambert(r_km, r2_km, 1500.0)
    v1, _ = orbit.lambert(r_km, r2_km, 1500.0, mu=mu_km)
    assert v1 == pytest.approx(v_km, rel=1e-9)
    # positions in m with mu in km^3/s^2: the other way round
    with pytest.raises(GncUnitsError):
        orbit.lambert(r_km * 1e3, r2_km * 1e3, 1500.0, mu=mu_km)
    with pytest.raises(GncUnitsError):
        orbit.j2_rates(7000.0, 0.001, 1.0)  # a in km, r_eq in m
    km_rates = orbit.j2_rates(7000.0, 0.001, 1.0, mu=mu_km, r_eq=orbit.R_EARTH / 1e3)
    assert km_rates == pytest.approx(orbit.j2_rates(7.0e6, 0.001, 1.0), rel=1e-12)


@pytest.mark.parametrize("back_end", ["local", "packet"])
def test_lambert_errors_name_their_cause(back_end) -> None:
    from fsw.core import LocalCore, PacketCore
    from fsw.core.dispatch import DispatchLink

    core = LocalCore() if back_end == "local" else PacketCore(DispatchLink())
    for r2, ang in (([-7.1e6, 0.0, 0.0], "180.0000"), ([7.3e6, 0.0, 0.0], "0.0000")):
        with pytest.raises(GncSingularError, match=f"transfer angle {ang} deg") as exc:
            core.lambert([7.0e6, 0.0, 0.0], r2, 3000.0)
        assert exc.value.detail["transfer_angle_deg"] == pytest.approx(float(ang))
    r1, r2 = [7e6, 0.0, 0.0], [0.0, 7.2e6, 1e5]
    t_min = orbit.lambert_min_tof(r1, r2, 2)
    with pytest.raises(GncDomainError, match=f"minimum {t_min:.6g} s of a 2-revolution") as exc:
        core.lambert(r1, r2, 0.9 * t_min, nrev=2)
    assert exc.value.detail["tof_min"] == t_min
    assert exc.value.detail["tof"] == 0.9 * t_min
