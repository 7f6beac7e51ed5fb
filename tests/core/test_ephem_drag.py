"""Issue #17, point 5: the flight software's own drag model in its on-board
propagation (native/src/gnc_ephem.c, an exponential atmosphere and a
ballistic coefficient from the scenario's [onboard_drag]), checked against an
independent scipy integration of the same model and the analytic decay rate;
no drag configured gives the J2 propagation bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from fsw.constants import J2, MU_EARTH, OMEGA_EARTH, R_EARTH
from fsw.core.ephem import EphemConfig, Ephemeris
from fsw.core.errors import GncError
from fsw.scenario import load_builtin, override
from fsw.tasks.navigation import NavigationTask

BC = 2.2 * 1.2 / 150.0
RHO0, H0, HS = 3e-12, 400e3, 60e3


def _state(alt: float = 400e3, inc: float = math.radians(51.6)):
    r = R_EARTH + alt
    v = math.sqrt(MU_EARTH / r)
    return ([r, 0.0, 0.0], [0.0, v * math.cos(inc), v * math.sin(inc)])


def _rhs(_t, x, bc, omega):
    r, v = x[:3], x[3:]
    rn = np.linalg.norm(r)
    z2 = (r[2] / rn) ** 2
    k = -MU_EARTH / rn**3
    f = 1.5 * J2 * (R_EARTH / rn) ** 2
    a = k * r * np.array([1 + f * (1 - 5 * z2), 1 + f * (1 - 5 * z2), 1 + f * (3 - 5 * z2)])
    vr = v - np.cross([0.0, 0.0, omega], r)
    rho = RHO0 * math.exp(-(rn - R_EARTH - H0) / HS)
    a = a - 0.5 * rho * bc * np.linalg.norm(vr) * vr
    return np.concatenate([v, a])


def test_onboard_drag_matches_an_independent_integration() -> None:
    """Six hours at 400 km, 10 s RK4 steps, against DOP853 at rtol 1e-11 on
    the same force model: within 1 m; and the drag is there (without it the
    answer moves by hundreds of metres)."""
    r0, v0 = _state()
    cfg = EphemConfig(drag_bc=BC, drag_rho0=RHO0, drag_h0=H0, drag_hs=HS, drag_omega=OMEGA_EARTH)
    eph = Ephemeris(cfg)
    eph.set(r0, v0, 1000.0)
    r, _ = eph.state(1000.0 + 21600.0)
    sol = solve_ivp(_rhs, (0.0, 21600.0), np.array(r0 + v0), method="DOP853", rtol=1e-11,
                    atol=1e-6, args=(BC, OMEGA_EARTH))
    assert np.linalg.norm(r - sol.y[:3, -1]) < 1.0
    free = Ephemeris(EphemConfig())
    free.set(r0, v0, 1000.0)
    r_free, _ = free.state(1000.0 + 21600.0)
    assert np.linalg.norm(r - r_free) > 100.0


def test_onboard_drag_decay_rate() -> None:
    """Two-body (J2 off) in a non-rotating atmosphere of constant density
    (scale height 1e12 m): sqrt(a) falls by rho sqrt(mu) bc t / 2, within 1 %
    over 12 h."""
    r0, v0 = _state()
    cfg = EphemConfig(j2=0.0, drag_bc=BC, drag_rho0=RHO0, drag_h0=H0, drag_hs=1e12)
    eph = Ephemeris(cfg)
    eph.set(r0, v0, 0.0)
    r, v = eph.state(43200.0)
    a0 = R_EARTH + 400e3
    a1 = 1.0 / (2.0 / np.linalg.norm(r) - np.dot(v, v) / MU_EARTH)
    expected = (math.sqrt(a0) - RHO0 * math.sqrt(MU_EARTH) * BC * 43200.0 / 2.0) ** 2 - a0
    assert (a1 - a0) / expected == pytest.approx(1.0, abs=0.01)


def test_no_drag_is_the_j2_propagation_bit_for_bit() -> None:
    r0, v0 = _state()
    a, b = Ephemeris(EphemConfig()), Ephemeris(EphemConfig(drag_rho0=1e-12, drag_hs=5e4))
    for e in (a, b):
        e.set(r0, v0, 0.0)
    ra, va = a.state(5000.0)
    rb, vb = b.state(5000.0)
    assert ra.tobytes() == rb.tobytes() and va.tobytes() == vb.tobytes()


@pytest.mark.parametrize("bad", [dict(drag_bc=-1.0), dict(drag_bc=0.01, drag_hs=0.0),
                                 dict(drag_bc=0.01, drag_rho0=0.0, drag_hs=6e4),
                                 dict(drag_bc=math.nan)])
def test_onboard_drag_config_is_checked(bad) -> None:
    with pytest.raises(GncError):
        Ephemeris(EphemConfig(**bad))


def test_navigation_takes_its_drag_from_the_scenario() -> None:
    """The flight software's model comes from [onboard_drag], not from the
    truth's [environment] or [craft.*]."""
    sc = load_builtin("victus_haze")
    off = NavigationTask(override(sc, onboard_drag__enabled=False)).ephem_config()
    assert off.drag_bc == 0.0
    on = NavigationTask(override(sc, onboard_drag__enabled=True,
                                 onboard_drag__target_ballistic_m2kg=0.02,
                                 onboard_drag__scale_height_km=70.0)).ephem_config()
    assert (on.drag_bc, on.drag_hs, on.drag_omega) == (0.02, 70e3, OMEGA_EARTH)
