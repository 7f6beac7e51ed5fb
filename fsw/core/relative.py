"""Relative motion about a target on a circular orbit (Clohessy-Wiltshire /
Hill) and rendezvous guidance, through the guidance core.

Hill frame of the target: x radial (out), y along-track, z orbit normal.
A relative state is ``[x, y, z, vx, vy, vz]`` (m, m/s) of the chaser minus
the target in Hill axes; ``n`` is the target's mean motion (rad/s).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from fsw.core._ffi import check, ffi, lib, out, ptr, vec
from fsw.core._struct import CStruct, Result

__all__ = ["CwFlag", "GlideslopePlan", "closest_approach", "curvilinear_dv_to_hill",
           "curvilinear_from_hill", "cw_avoidance", "cw_best_transfer", "cw_propagate", "cw_stm",
           "cw_transfer", "cw_two_impulse", "glideslope", "nmc_state", "nmc_velocity",
           "safety_ellipse"]


class CwFlag(enum.IntFlag):
    """Flags of a CW transfer (gnc_cw_flag)."""

    #: sin(n tof) ~ 0 (half orbits): the arrival's cross-track position does not
    #: depend on the departure velocity; the cross-track velocity is kept and
    #: z_f is not reached unless it equals cos(n tof) z0
    CROSS_UNCONTROLLED = 1


def cw_stm(n: float, t: float) -> np.ndarray:
    """The 6x6 CW state transition matrix over ``t`` s: ``x(t) = Phi x(0)``."""
    r = out(36)
    check(lib.gnc_cw_stm(float(n), float(t), ptr(r)), "cw_stm")
    return r.reshape(6, 6)


def cw_propagate(n: float, x0: ArrayLike, t: float) -> np.ndarray:
    """The relative state after ``t`` s of free CW motion."""
    a, r = vec(x0, 6, "x0"), out(6)
    check(lib.gnc_cw_propagate(float(n), ptr(a), float(t), ptr(r)), "cw_propagate")
    return r


def cw_transfer(n: float, x0: ArrayLike, r_f: ArrayLike, tof: float
                ) -> tuple[np.ndarray, np.ndarray, CwFlag]:
    """The CW transfer from ``x0`` to position ``r_f`` (m) in ``tof`` s:
    departure and arrival velocities (m/s, Hill) and :class:`CwFlag` bits.
    In-plane and cross-track are solved apart, so half an orbit works (the
    cross-track part is then uncontrolled: flag); GncSingularError within
    1e-3 rad (n tof) of a singular in-plane time (multiples of 2 pi, and
    tan(n tof/2) = 3 n tof/8: 8.43, 14.87, ... rad)."""
    a, b, vd, va = vec(x0, 6, "x0"), vec(r_f, 3, "r_f"), out(3), out(3)
    fl = ffi.new("int *")
    check(lib.gnc_cw_transfer(float(n), ptr(a), ptr(b), float(tof), ptr(vd), ptr(va), fl),
          "cw_transfer")
    return vd, va, CwFlag(fl[0])


def cw_best_transfer(n: float, x0: ArrayLike, r_f: ArrayLike, v_f: ArrayLike, tof_min: float,
                     tof_max: float, tof_step: float, min_range: float = 0.0
                     ) -> tuple[float, np.ndarray, np.ndarray]:
    """The transfer time on the grid ``tof_min + k tof_step <= tof_max`` with
    the least ``|dv1| + |dv2|`` (arriving with ``v_f``) among those whose coast
    keeps farther than ``min_range`` m from the target: ``(tof, dv1, dv2)``.
    GncDomainError when no grid point qualifies."""
    a, b, c = vec(x0, 6, "x0"), vec(r_f, 3, "r_f"), vec(v_f, 3, "v_f")
    t, d1, d2 = ffi.new("double *"), out(3), out(3)
    check(lib.gnc_cw_best_transfer(float(n), ptr(a), ptr(b), ptr(c), float(tof_min),
                                   float(tof_max), float(tof_step), float(min_range), t,
                                   ptr(d1), ptr(d2)), "cw_best_transfer")
    return float(t[0]), d1, d2


def nmc_state(n: float, radius: float, phase: float) -> np.ndarray:
    """A state on the constant-range natural-motion circumnavigation of
    ``radius`` m at ``phase`` rad (|rho| = radius everywhere; phase pi/2 is on
    V-bar behind the target)."""
    r = out(6)
    check(lib.gnc_nmc_state(float(n), float(radius), float(phase), ptr(r)), "nmc_state")
    return r


def nmc_velocity(n: float, r: ArrayLike) -> np.ndarray:
    """The velocity that puts position ``r`` on the drift-free relative orbit
    centred on the target, cross-track in phase with radial (the constant-range
    circle through r)."""
    a, v = vec(r, 3, "r"), out(3)
    check(lib.gnc_nmc_velocity(float(n), ptr(a), ptr(v)), "nmc_velocity")
    return v


def cw_avoidance(n: float, x0: ArrayLike, dv_mag: float, horizon: float
                 ) -> tuple[np.ndarray, float]:
    """Of the six Hill-axis impulses of ``dv_mag`` m/s (+x, -x, +y, -y, +z, -z),
    the one whose free coast keeps the largest minimum range over ``horizon``
    s: ``(dv, d_min)``."""
    a, dv, d = vec(x0, 6, "x0"), out(3), ffi.new("double *")
    check(lib.gnc_cw_avoidance(float(n), ptr(a), float(dv_mag), float(horizon), ptr(dv), d),
          "cw_avoidance")
    return dv, float(d[0])


def cw_two_impulse(n: float, x0: ArrayLike, r_f: ArrayLike, tof: float,
                   v_f: ArrayLike = (0.0, 0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """Two-impulse CW targeting: ``(dv1, dv2)`` (m/s, Hill) taking the state
    ``x0`` to position ``r_f`` (m) in ``tof`` s and leaving it with velocity
    ``v_f`` (default: at rest). :func:`cw_transfer` underneath: half an orbit
    works; GncSingularError near a singular time of flight."""
    a, b, c = vec(x0, 6, "x0"), vec(r_f, 3, "r_f"), vec(v_f, 3, "v_f")
    d1, d2 = out(3), out(3)
    check(lib.gnc_cw_two_impulse(float(n), ptr(a), ptr(b), ptr(c), float(tof), ptr(d1),
                                 ptr(d2)), "cw_two_impulse")
    return d1, d2


@dataclass(frozen=True)
class GlideslopePlan:
    """A glideslope approach: burn ``k`` of ``dv[k]`` (m/s, Hill) at ``t[k]``
    (s after the start) at waypoint ``r[k]`` (m, Hill); the last burn stops the
    chaser at the hold point. ``duration`` s, ``dv_total`` m/s (sum of |dv|)."""

    t: np.ndarray
    r: np.ndarray
    dv: np.ndarray
    duration: float
    dv_total: float

    @classmethod
    def from_result(cls, res: Result) -> GlideslopePlan:
        k = int(res.n_burns)
        return cls(t=res.t[:k].copy(), r=res.r.reshape(33, 3)[:k].copy(),
                   dv=res.dv.reshape(33, 3)[:k].copy(), duration=float(res.duration),
                   dv_total=float(res.dv_total))


def glideslope_result(n: float, x0: ArrayLike, r_T: ArrayLike, rate0: float, rate_T: float,
                      pulses: int) -> Result:
    """The raw gnc_glideslope_plan (see :func:`glideslope`)."""
    a, b = vec(x0, 6, "x0"), vec(r_T, 3, "r_T")
    plan = CStruct("gnc_glideslope_plan")
    check(lib.gnc_glideslope(float(n), ptr(a), ptr(b), float(rate0), float(rate_T),
                             int(pulses), plan.cdata), "glideslope")
    return plan.result()


def glideslope(n: float, x0: ArrayLike, r_T: ArrayLike, rate0: float, rate_T: float,
               pulses: int) -> GlideslopePlan:
    """Hablani glideslope from state ``x0`` to hold point ``r_T`` (m, Hill):
    the range to r_T closes at ``rate0`` m/s at the start and ``rate_T`` at
    the end (both negative, |rate_T| < |rate0|), exponentially, in ``pulses``
    (1..32) equal CW legs; one extra burn stops at r_T."""
    return GlideslopePlan.from_result(glideslope_result(n, x0, r_T, rate0, rate_T, pulses))


def safety_ellipse(n: float, radial_amp: float, cross_amp: float, along_center: float = 0.0,
                   phase: float = 0.0) -> np.ndarray:
    """Initial state of a passively safe, drift-free relative orbit:
    radial amplitude A, along-track 2A about ``along_center`` (m), cross-track
    B 90 deg out of phase, so the radial/cross-track distance never drops
    below min(A, B). ``phase`` rad along the ellipse."""
    r = out(6)
    check(lib.gnc_safety_ellipse(float(n), float(radial_amp), float(cross_amp),
                                 float(along_center), float(phase), ptr(r)), "safety_ellipse")
    return r


def closest_approach(n: float, x0: ArrayLike, horizon: float
                     ) -> tuple[float, float, np.ndarray]:
    """Closest approach to the target of free CW motion from ``x0`` over
    ``[0, horizon]`` s: ``(t_ca s, d_ca m, r_ca m Hill)``."""
    a, r = vec(x0, 6, "x0"), out(3)
    t, d = ffi.new("double *"), ffi.new("double *")
    check(lib.gnc_cw_closest_approach(float(n), ptr(a), float(horizon), t, d, ptr(r)),
          "cw_closest_approach")
    return float(t[0]), float(d[0]), r


def curvilinear_from_hill(R: float, x: ArrayLike) -> np.ndarray:
    """The Hill relative state ``x`` in curvilinear coordinates about the
    target's orbit radius ``R`` (see gnc_curvilinear_from_hill):
    ``[rho - R, R theta, R phi]`` and their rates."""
    a, r = vec(x, 6, "x"), out(6)
    check(lib.gnc_curvilinear_from_hill(float(R), ptr(a), ptr(r)), "curvilinear_from_hill")
    return r


def curvilinear_dv_to_hill(R: float, c: ArrayLike, dv_c: ArrayLike) -> np.ndarray:
    """A change ``dv_c`` of the curvilinear rates made at curvilinear position
    ``c`` as a velocity change in Hill axes (gnc_curvilinear_dv_to_hill)."""
    p, d, r = vec(c, 3, "c"), vec(dv_c, 3, "dv_c"), out(3)
    check(lib.gnc_curvilinear_dv_to_hill(float(R), ptr(p), ptr(d), ptr(r)),
          "curvilinear_dv_to_hill")
    return r
