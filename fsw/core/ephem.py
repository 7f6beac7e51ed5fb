"""On-board ephemerides through the guidance core (native/include/gnc_ephem.h):
the orbit of one spacecraft from a state vector (fixed-step RK4 on two-body +
J2 + optional exponential drag), the Hill frame of a target, the sun's
direction and the Earth's shadow.

Units SI (m, m/s, s, rad); time TAI seconds since 1958-01-01 (CUC epoch);
N = GCRF (J2000). Hill frame of the target: x radial (out), y along-track,
z orbit normal; a relative state ``x_H = [rho, rho_dot]`` is the chaser
minus the target in Hill axes, ``rho_dot`` as seen in the rotating frame.
States in units that do not fit ``mu`` raise
:class:`~fsw.core.errors.GncUnitsError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from fsw.core._ffi import check, ffi, lib, out, ptr, vec
from fsw.core.orbit import J2_EARTH, MU_EARTH, R_EARTH

__all__ = ["EphemConfig", "Ephemeris", "eclipse", "hill_basis", "hill_from_inertial",
           "hill_to_inertial_at", "inertial_from_hill", "orbit_check", "rk4_step",
           "sun_direction"]


@dataclass
class EphemConfig:
    """Force model and step of an on-board ephemeris (gnc_ephem_config)."""

    mu: float = MU_EARTH       #: m^3/s^2
    j2: float = J2_EARTH       #: second zonal harmonic (0: two-body)
    r_eq: float = R_EARTH      #: m, equatorial radius (J2 term and plausibility)
    step: float = 10.0         #: s, largest RK4 step
    #: drag, the flight software's own exponential model (0: none):
    #: ballistic coefficient Cd A / m [m^2/kg]
    drag_bc: float = 0.0
    drag_rho0: float = 0.0     #: kg/m^3 at drag_h0
    drag_h0: float = 0.0       #: m above r_eq
    drag_hs: float = 1.0       #: m, scale height
    drag_omega: float = 0.0    #: rad/s, rotation of the atmosphere about z


def _fill(c: object, cfg: EphemConfig) -> None:
    for name in ("mu", "j2", "r_eq", "step", "drag_bc", "drag_rho0", "drag_h0", "drag_hs",
                 "drag_omega"):
        setattr(c, name, float(getattr(cfg, name)))


class Ephemeris:
    """The orbit of one spacecraft on a caller-owned C context (gnc_ephem):
    :meth:`set` a state, then :meth:`state` at any time. Forward queries move
    the cache (the propagation goes on from there); backward queries
    propagate from the cache without moving it."""

    def __init__(self, config: EphemConfig | None = None) -> None:
        self.config = config or EphemConfig()
        self._ctx = ffi.new("gnc_ephem *")
        c = ffi.new("gnc_ephem_config *")
        _fill(c, self.config)
        check(lib.gnc_ephem_init(self._ctx, c), "ephem_init")

    def set(self, r_N: ArrayLike, v_N: ArrayLike, t: float) -> None:
        """Load the state (m, m/s, GCRF) at ``t`` (TAI s); checked by :func:`orbit_check`."""
        a, b = vec(r_N, 3, "r_N"), vec(v_N, 3, "v_N")
        check(lib.gnc_ephem_set(self._ctx, ptr(a), ptr(b), float(t)), "ephem_set")

    def state(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Position and velocity (m, m/s, GCRF) at ``t`` (TAI s)."""
        r, v = out(3), out(3)
        check(lib.gnc_ephem_state(self._ctx, float(t), ptr(r), ptr(v)), "ephem_state")
        return r, v

    @property
    def t(self) -> float:
        """Time of the cached state (TAI s)."""
        return float(self._ctx.t)

    @property
    def mean_motion(self) -> float:
        """Mean motion (rad/s) from the osculating semi-major axis of the cache."""
        n = ffi.new("double *")
        check(lib.gnc_ephem_mean_motion(self._ctx, n), "ephem_mean_motion")
        return float(n[0])


def rk4_step(r: ArrayLike, v: ArrayLike, h: float, mu: float = MU_EARTH, j2: float = J2_EARTH,
             r_eq: float = R_EARTH) -> tuple[np.ndarray, np.ndarray]:
    """One RK4 step of ``h`` s (either sign) on two-body + J2."""
    a, b, ro, vo = vec(r, 3, "r"), vec(v, 3, "v"), out(3), out(3)
    check(lib.gnc_orbit_rk4_j2(ptr(a), ptr(b), float(h), float(mu), float(j2), float(r_eq),
                               ptr(ro), ptr(vo)), "orbit_rk4_j2")
    return ro, vo


def orbit_check(r: ArrayLike, v: ArrayLike, mu: float = MU_EARTH, r_eq: float = R_EARTH) -> None:
    """Raise the typed error of an implausible orbit state: GncUnitsError when
    the units do not fit ``mu`` and ``r_eq`` (v^2 |r| / mu outside (0.05, 2),
    |r| / r_eq outside (0.01, 100)), GncDomainError when not finite or not
    between r_eq and 10 r_eq."""
    a, b = vec(r, 3, "r"), vec(v, 3, "v")
    check(lib.gnc_orbit_check(ptr(a), ptr(b), float(mu), float(r_eq)), "orbit_check")


def hill_basis(r_t: ArrayLike, v_t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Rows x (radial), y (along-track), z (normal) of the target's Hill frame
    in inertial axes (3x3, ``x_H = C x_N``) and the frame's angular velocity
    ``(r x v)/|r|^2`` (rad/s, inertial axes)."""
    a, b, C, w = vec(r_t, 3, "r_t"), vec(v_t, 3, "v_t"), out(9), out(3)
    check(lib.gnc_hill_basis(ptr(a), ptr(b), ptr(C), ptr(w)), "hill_basis")
    return C.reshape(3, 3), w


def hill_from_inertial(r_t: ArrayLike, v_t: ArrayLike, r_c: ArrayLike, v_c: ArrayLike
                       ) -> np.ndarray:
    """The chaser (r_c, v_c) relative to the target (r_t, v_t): ``[rho, rho_dot]`` (Hill)."""
    args = [vec(r_t, 3, "r_t"), vec(v_t, 3, "v_t"), vec(r_c, 3, "r_c"), vec(v_c, 3, "v_c")]
    x = out(6)
    check(lib.gnc_hill_from_inertial(*[ptr(a) for a in args], ptr(x)), "hill_from_inertial")
    return x


def inertial_from_hill(r_t: ArrayLike, v_t: ArrayLike, x_H: ArrayLike
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`hill_from_inertial`: the chaser's (r, v), GCRF."""
    a, b, c, r, v = vec(r_t, 3, "r_t"), vec(v_t, 3, "v_t"), vec(x_H, 6, "x_H"), out(3), out(3)
    check(lib.gnc_inertial_from_hill(ptr(a), ptr(b), ptr(c), ptr(r), ptr(v)),
          "inertial_from_hill")
    return r, v


def hill_to_inertial_at(r_t: ArrayLike, v_t: ArrayLike, n: float, dt: float, a_H: ArrayLike
                        ) -> np.ndarray:
    """A vector given in the Hill axes of the time ``dt`` s after the target's
    state (the axes turned by ``n dt`` about the orbit normal), in inertial
    axes: a burn planned in Hill axes for later."""
    a, b, c, r = vec(r_t, 3, "r_t"), vec(v_t, 3, "v_t"), vec(a_H, 3, "a_H"), out(3)
    check(lib.gnc_hill_to_inertial_at(ptr(a), ptr(b), float(n), float(dt), ptr(c), ptr(r)),
          "hill_to_inertial_at")
    return r


def sun_direction(t_tai: float) -> np.ndarray:
    """Unit Earth-to-sun vector, GCRF, at ``t_tai`` (the Astronomical Almanac's
    low-precision formula rotated from mean of date to J2000 by the IAU 1976
    precession: about 0.01 deg)."""
    r = out(3)
    check(lib.gnc_sun_direction(float(t_tai), ptr(r)), "sun_direction")
    return r


def eclipse(r_N: ArrayLike, s_N: ArrayLike, r_eq: float = R_EARTH) -> float:
    """Sunlit fraction (0 umbra .. 1 full sun) at ``r_N`` (m, GCRF) with the
    sun along ``s_N``: conical shadow of a spherical Earth of radius ``r_eq``,
    penumbra by the overlap of the sun's and the Earth's discs."""
    a, b, lit = vec(r_N, 3, "r_N"), vec(s_N, 3, "s_N"), ffi.new("double *")
    check(lib.gnc_eclipse(ptr(a), ptr(b), float(r_eq), lit), "eclipse")
    return float(lit[0])
