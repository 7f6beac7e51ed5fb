"""What arrives at the autonomy task (fsw.tasks.autonomy.dispatch) against
reference implementations written here the way the handlers were written
before they were made cheaper (issue #18): the same NAV_STATE accepted or
dropped (and counted), the same flags read, the same view kept."""

from __future__ import annotations

import itertools
import math

import pytest

from fsw.core.nav import NavFlag
from fsw.packets import DICTIONARY
from fsw.tasks.autonomy import dispatch
from fsw.tasks.autonomy.dispatch import (
    NAV_MAX_POS_M,
    NAV_MAX_VEL_MPS,
    NAV_MEAN_MOTION_RAD_S,
    Inputs,
    NavView,
)

NAV_STATE = DICTIONARY["NAV_STATE"]
GPS = DICTIONARY["GPS"]
N = 1.1e-3
R_T = (6.9e6, 0.0, 0.0)
V_T = (0.0, 7.6e3, 0.0)


def _finite(x) -> bool:
    return all(map(math.isfinite, x))


def _plausible_reference(x, n: float) -> bool:
    """dispatch._plausible_nav as it was written before."""
    return (_finite(x) and math.isfinite(n)
            and NAV_MEAN_MOTION_RAD_S[0] <= n <= NAV_MEAN_MOTION_RAD_S[1]
            and all(abs(v) <= NAV_MAX_POS_M for v in x[:3])
            and all(abs(v) <= NAV_MAX_VEL_MPS for v in x[3:]))


EDGES = (0.0, -0.0, 1.0, NAV_MAX_VEL_MPS, -NAV_MAX_VEL_MPS, math.nextafter(NAV_MAX_VEL_MPS, 1e9),
         NAV_MAX_POS_M, -NAV_MAX_POS_M, math.nextafter(NAV_MAX_POS_M, 1e20), 1e300,
         math.inf, -math.inf, math.nan)
MEAN_MOTIONS = (N, *NAV_MEAN_MOTION_RAD_S, math.nextafter(NAV_MEAN_MOTION_RAD_S[0], 0.0),
                math.nextafter(NAV_MEAN_MOTION_RAD_S[1], 1.0), 0.0, -N, 1e-300, math.inf,
                -math.inf, math.nan)


def test_plausible_nav_is_the_reference() -> None:
    """Every edge value in every position of the state, with every mean motion."""
    seen = set()
    for i, v in itertools.product(range(6), EDGES):
        x = [10.0, -2000.0, 5.0, 0.1, -0.2, 0.0]
        x[i] = v
        for n in MEAN_MOTIONS:
            want = _plausible_reference(tuple(x), n)
            assert dispatch._plausible_nav(tuple(x), n) is want, (x, n)
            seen.add(want)
    assert seen == {True, False}


def _nav_state(t: float, *, valid: int = 1, flags: int = 0, x=(10.0, -2000.0, 5.0, 0.1, -0.2, 0.0),
               n: float = N, r_t=R_T, v_t=V_T) -> object:
    return NAV_STATE.parse(NAV_STATE.build(
        t_tai=t, valid=valid, source=2, r_rel_N=(1.0, 2.0, 3.0), v_rel_N=(0.1, 0.2, 0.3),
        rho_H=x[:3], rho_dot_H=x[3:], r_target_N=r_t, v_target_N=v_t,
        sun_N=(0.0, 1.0, 0.0), normal_N=(0.0, 0.0, 1.0), mean_motion=n, sigma_pos=1.5,
        sigma_vel=0.01, flags=flags, cov_pos_H=(1.0, 0.0, 0.0, 1.0, 0.0, 1.0), nis=2.0))


@pytest.mark.parametrize("flags", range(256))
def test_target_unknown_is_read_from_the_flags(flags: int) -> None:
    inp = Inputs()
    inp.on_nav(_nav_state(2.0e9, flags=flags))
    assert inp.nav_target_unknown is bool(NavFlag(flags) & NavFlag.TARGET_UNKNOWN)


def test_a_valid_nav_state_is_kept_as_its_view() -> None:
    inp = Inputs()
    r = _nav_state(2.0e9)
    inp.on_nav(r)
    assert inp.nav == NavView(r.t_tai, (*r.rho_H, *r.rho_dot_H), r.r_target_N, r.v_target_N,
                              r.mean_motion, r.source, r.sigma_pos, r.sigma_vel, r.sun_N)
    v = inp.nav
    assert (v.t, v.x, v.n, v.source, v.sigma_pos, v.sigma_vel, v.sun_N) == (
        r.t_tai, (10.0, -2000.0, 5.0, 0.1, -0.2, 0.0), N, 2, 1.5, 0.01, (0.0, 1.0, 0.0))
    with pytest.raises(AttributeError):
        v.n = 1.0  # type: ignore[misc]  (immutable, as the frozen dataclass was)
    assert inp.nav_t == r.t_tai and inp.dropped == 0


@pytest.mark.parametrize("bad", [
    {"x": (math.nan, -2000.0, 5.0, 0.1, -0.2, 0.0)},
    {"x": (10.0, -2000.0, 5.0, 0.1, -0.2, math.inf)},
    {"x": (10.0, 2e8, 5.0, 0.1, -0.2, 0.0)},
    {"n": math.nan}, {"n": 0.0}, {"n": math.inf},
    {"r_t": (math.nan, 0.0, 0.0)}, {"v_t": (0.0, -math.inf, 0.0)},
])
def test_a_bad_nav_state_is_dropped_and_counted_when_valid(bad: dict) -> None:
    """Dropped (no view) and counted if it said valid; an invalid one is not
    counted; either way its time is taken (as before)."""
    for valid in (1, 0):
        inp = Inputs()
        inp.on_nav(_nav_state(2.0e9, valid=valid))
        inp.on_nav(_nav_state(2.0e9 + 1.0, valid=valid, **bad))
        assert inp.nav is None
        assert inp.dropped == valid
        assert inp.nav_t == 2.0e9 + 1.0


def _gps(valid: int, r=(6.9e6, 0.0, 0.0)) -> object:
    return GPS.parse(GPS.build(t_tai=2.0e9, r_N=r, v_N=(0.0, 7.6e3, 0.0), valid=valid,
                               obc_time=2.0e9, gps_time=2.0e9))


def test_separation_is_the_first_valid_finite_fix_and_stays() -> None:
    inp = Inputs()
    inp.on_gps(_gps(0))
    inp.on_gps(_gps(1, (math.nan, 0.0, 0.0)))
    assert not inp.separated
    inp.on_gps(_gps(1))
    assert inp.separated
    for r in (_gps(0), _gps(1, (math.inf, 0.0, 0.0))):
        inp.on_gps(r)
        assert inp.separated and inp.dropped == 0
