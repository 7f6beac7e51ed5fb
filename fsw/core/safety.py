"""Passive safety of proximity operations, through the guidance core
(native/include/gnc_safety.h): the missed-burn screen (free drift of both
craft with J2 and differential drag over a day from the estimated state and
its covariance, the closest approach and the distance from the target to the
chaser's k-sigma position ellipsoid) and the inspection's phase chosen from
the light and the target's faces.

Frames as :mod:`fsw.core.relative`: Hill axes of the target, relative state
``[x, y, z, vx, vy, vz]`` (m, m/s) of the chaser minus the target.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import NamedTuple

from numpy.typing import ArrayLike

from fsw.core._ffi import check, ffi, lib, ptr, vec

__all__ = ["DriftModel", "DriftResult", "FacePlan", "InspectionChoice", "drift_screen",
           "ellipsoid_distance", "inspection_phase"]


@dataclass(frozen=True)
class DriftModel:
    """The flight software's own free-drift model (gnc_drift_model): RK4 on
    point mass + J2 + drag of an exponential atmosphere rotating with the
    Earth, ballistic coefficients ``m / (Cd A)`` (kg/m^2; 0: no drag)."""

    horizon: float = 86400.0
    step: float = 30.0
    bc_target: float = 0.0
    bc_chaser: float = 0.0
    rho0: float = 0.0
    h0: float = 500e3
    scale_h: float = 60e3
    k_sigma: float = 3.0


class DriftResult(NamedTuple):
    """The screen's answer (gnc_drift_result)."""

    t_ca: float      #: s, nominal closest approach time
    d_ca: float      #: m, nominal closest approach
    t_k: float       #: s, time of the smallest distance to the k-sigma ellipsoid
    d_k: float       #: m, that distance (0: the ellipsoid holds the target)
    sigma_k: float   #: m, 1-sigma spread along the line of sight then
    rn_min: float    #: m, smallest radial/cross-track separation


def drift_screen(model: DriftModel, r_t: ArrayLike, v_t: ArrayLike, x_rel: ArrayLike,
                 P: ArrayLike | None = None) -> DriftResult:
    """Free drift over ``model.horizon`` from the target's state (GCRF) and the
    chaser's relative state ``x_rel`` with covariance ``P`` (6x6, Hill)."""
    m = ffi.new("gnc_drift_model *", dict(zip(DriftModel.__dataclass_fields__,
                                               astuple(model), strict=True)))
    a, b, c = vec(r_t, 3, "r_t"), vec(v_t, 3, "v_t"), vec(x_rel, 6, "x_rel")
    pp = ffi.NULL if P is None else ptr(vec(P, 36, "P"))
    res = ffi.new("gnc_drift_result *")
    check(lib.gnc_drift_screen(m, ptr(a), ptr(b), ptr(c), pp, res), "drift_screen")
    return DriftResult(res.t_ca, res.d_ca, res.t_k, res.d_k, res.sigma_k, res.rn_min)


def ellipsoid_distance(m: ArrayLike, S: ArrayLike, k: float) -> float:
    """Distance from the origin to the ellipsoid of ``k`` sigma of the
    covariance ``S`` (3x3) centred on ``m`` (0 when it holds the origin)."""
    a, s = vec(m, 3, "m"), vec(S, 9, "S")
    d = ffi.new("double *")
    check(lib.gnc_ellipsoid_distance(ptr(a), ptr(s), float(k), d), "ellipsoid_distance")
    return float(d[0])


@dataclass(frozen=True)
class FacePlan:
    """How the inspection's phase plans for the target's faces
    (gnc_inspection_geometry): a face of a target holding its Hill frame is
    imaged while the camera is within ``view`` rad of its normal and the sun
    within ``sun`` rad of it; it counts after ``min_s`` s; a phase is chosen
    for its faces only if its well-seen fraction of the sunlit time is at
    least ``good_min``. ``view`` 0: faces not planned (light only)."""

    view: float = 0.0
    sun: float = 0.0
    min_s: float = 0.0
    good_min: float = 0.0


class InspectionChoice(NamedTuple):
    """The chosen entry phase (gnc_inspection_choice)."""

    th0: float    # rad, the ellipse's phase at the entry
    good: float   # fraction of the sunlit time at a sun phase angle below max_phase
    lit: float    # the target's sunlit fraction of the span
    faces: int    # faces imaged for FacePlan.min_s at that phase (0: not planned)


def inspection_phase(n: float, radial_amp: float, cross_amp: float, r_t: ArrayLike,
                     v_t: ArrayLike, dt: float, span: float, s_N: ArrayLike, max_phase: float,
                     r_eq: float = 6378137.0,
                     faces: FacePlan | None = None) -> InspectionChoice:
    """The phase at the entry (``dt`` s after the target's state) of the
    safety ellipse ``x = A cos th, y = -2 A sin th, z = B sin th``: among the
    phases seeing the target at a sun phase angle below ``max_phase`` rad for
    at least ``faces.good_min`` of its sunlit time over ``span`` s, the one
    imaging the most faces, then the best lit; with no face plan, the best
    lit (see gnc_safety.h)."""
    a, b, s = vec(r_t, 3, "r_t"), vec(v_t, 3, "v_t"), vec(s_N, 3, "s_N")
    f = faces or FacePlan()
    g = ffi.new("gnc_inspection_geometry *")
    g.n, g.radial_amp, g.cross_amp = float(n), float(radial_amp), float(cross_amp)
    g.r_t, g.v_t, g.s_N = list(a), list(b), list(s)
    g.dt, g.span, g.max_phase, g.r_eq = float(dt), float(span), float(max_phase), float(r_eq)
    g.face_view, g.face_sun = float(f.view), float(f.sun)
    g.face_min, g.good_min = float(f.min_s), float(f.good_min)
    c = ffi.new("gnc_inspection_choice *")
    check(lib.gnc_inspection_phase(g, c), "inspection_phase")
    return InspectionChoice(float(c.th0), float(c.good), float(c.lit), int(c.faces))

