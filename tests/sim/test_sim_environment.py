"""Acceptance 3 (eclipse) and 5 (TLE initialisation), plus the sun ephemeris
and the dipole field."""

from __future__ import annotations

import math

import erfa
import numpy as np
import pytest
from scipy.optimize import brentq

from hil.sim import constants as k
from hil.sim._native import ffi, lib
from hil.sim.config import EnvironmentConfig, OrbitConfig, WorldConfig, target_default
from hil.sim.frames import teme_to_n_matrix, tle_epoch, tle_state_teme
from hil.sim.timescales import epoch_from_utc
from hil.sim.world import World

# Public TLE (ISS), the example in the python-sgp4 documentation
TLE1 = "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991"
TLE2 = "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482"


def _sun(jd_tt: float) -> np.ndarray:
    s = ffi.new("double[3]")
    d = ffi.new("double *")
    assert lib.sim_sun(jd_tt, s, d) == 0
    return np.array(list(s))


@pytest.mark.parametrize("jd", [2451545.0, 2453827.5, 2460000.3, 2461192.5, 2462000.9])
def test_sun_direction_against_erfa_epv00(jd: float) -> None:
    """Low-precision sun within 0.01 deg of ERFA's Earth ephemeris (epv00)."""
    pvh, _ = erfa.epv00(jd, 0.0)
    ref = -pvh[0] / np.linalg.norm(pvh[0])
    assert math.degrees(math.acos(np.clip(ref @ _sun(jd), -1, 1))) < 0.01


def test_eclipse_entry_and_exit_within_one_second_of_geometry() -> None:
    """500 km circular orbit (two-body): the per-tick shadow flag changes
    within 1 s of the roots of the cylindrical-shadow condition on the analytic
    orbit, found by Brent's method."""
    tgt = target_default()
    tgt.orbit = OrbitConfig(sma=k.R_EARTH + 500e3, inc_deg=30.0, raan_deg=200.0)
    env = EnvironmentConfig(j2=False, gravity_gradient=False, magnetic=False)
    w = World(WorldConfig(environment=env, target=tgt, chaser=target_default()))
    r0, v0 = w.target.r.copy(), w.target.v.copy()
    a = np.linalg.norm(r0)
    n = math.sqrt(k.MU_EARTH / a**3)
    e1, e2 = r0 / a, v0 / np.linalg.norm(v0)
    jd0 = w.epoch.jd_tt

    def shadow(t: float) -> float:
        r = a * (math.cos(n * t) * e1 + math.sin(n * t) * e2)
        s = _sun(jd0 + t / 86400.0)
        along = r @ s
        perp2 = r @ r - along * along
        # negative inside the shadow cylinder behind the Earth
        return perp2 - k.R_EARTH**2 if along < 0 else a * a

    period = 2 * math.pi / n
    grid = np.arange(0.0, 2 * period, 5.0)
    vals = [shadow(t) for t in grid]
    roots = [brentq(shadow, grid[i], grid[i + 1], xtol=1e-6) for i in range(len(grid) - 1)
             if (vals[i] < 0) != (vals[i + 1] < 0)]
    assert len(roots) >= 3  # entries and exits over two orbits
    changes, prev = [], w.target.eclipse
    while w.t < 2 * period:
        w.step()
        if w.target.eclipse != prev:
            changes.append(w.t)
            prev = w.target.eclipse
    assert len(changes) == len(roots)
    for got, ref in zip(changes, roots, strict=True):
        assert abs(got - ref) < 1.0


def test_dipole_field_magnitude_and_direction() -> None:
    """On the dipole axis at the surface |B| = 2 B0 pointing along the dipole
    moment (into the Earth at the north magnetic pole); on the magnetic
    equator |B| = B0; falls as r^-3."""
    w = World()
    env = ffi.addressof(w.struct.env)
    th = w.epoch.gmst
    d_ecef = np.array(k.DIPOLE_ECEF)
    rz = np.array([[math.cos(th), -math.sin(th), 0], [math.sin(th), math.cos(th), 0], [0, 0, 1]])
    d_n = rz @ d_ecef
    b = ffi.new("double[3]")
    r_pole = list(-d_n * k.R_EARTH)  # north magnetic pole
    assert lib.sim_magnetic_field(env, 0.0, r_pole, b) == 0
    assert np.allclose(list(b), 2 * k.DIPOLE_B0 * d_n, rtol=1e-12, atol=1e-15)
    eq = np.cross(d_n, [0.0, 0.0, 1.0])
    eq = eq / np.linalg.norm(eq) * 2 * k.R_EARTH
    assert lib.sim_magnetic_field(env, 0.0, list(eq), b) == 0
    assert np.linalg.norm(list(b)) == pytest.approx(k.DIPOLE_B0 / 8, rel=1e-12)
    # north magnetic pole near 80.7 N, 72.7 W (IGRF-13 2020)
    lat = math.degrees(math.asin(-d_ecef[2]))
    lon = math.degrees(math.atan2(-d_ecef[1], -d_ecef[0]))
    assert lat == pytest.approx(80.65, abs=0.1) and lon == pytest.approx(-72.68, abs=0.1)


def test_tle_initialises_target_at_sgp4_position_within_1m() -> None:
    """The target's initial state equals sgp4's TEME output at the TLE epoch
    rotated to N (GCRF): against skyfield's independent GCRS position of the
    same TLE within 1 m, and back in TEME within 1 mm of sgp4 itself."""
    from skyfield.api import EarthSatellite, load

    tgt = target_default()
    tgt.orbit = OrbitConfig(tle_line1=TLE1, tle_line2=TLE2)
    w = World(WorldConfig(epoch_utc="", target=tgt))
    ep = tle_epoch(TLE1, TLE2)
    assert w.epoch.tai_s == ep.tai_s
    ts = load.timescale(builtin=True)
    sat = EarthSatellite(TLE1, TLE2, "ISS", ts)
    ref = sat.at(sat.epoch)
    assert np.linalg.norm(w.target.r - ref.position.m) < 1.0
    assert np.linalg.norm(w.target.v - ref.velocity.m_per_s) < 1e-3
    r_teme, v_teme = tle_state_teme(TLE1, TLE2, ep)
    m = teme_to_n_matrix(ep)
    assert np.linalg.norm(m.T @ w.target.r - r_teme) < 1e-3
    assert np.linalg.norm(m.T @ w.target.v - v_teme) < 1e-6
    assert np.allclose(m @ m.T, np.eye(3), atol=1e-14)


def test_epoch_time_scales() -> None:
    """TAI since 1958 with 37 leap seconds in 2026; TT = TAI + 32.184 s."""
    ep = epoch_from_utc("2026-06-01T00:00:00Z")
    days = (np.datetime64("2026-06-01") - np.datetime64("1958-01-01")).astype(int)
    assert ep.tai_s == pytest.approx(days * 86400.0 + 37.0, abs=1e-5)
    assert (ep.tt1 + ep.tt2 - (ep.utc1 + ep.utc2)) * 86400 == pytest.approx(69.184, abs=1e-4)
