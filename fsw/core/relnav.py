"""Relative navigation through the guidance core: an EKF on the Hill state
of the chaser relative to the target (see :mod:`fsw.core.relative`) from
range (m), azimuth and elevation (rad) of the target seen from the chaser,
in Hill axes: rho = -r, azimuth = atan2(rho_y, rho_x), elevation =
atan2(rho_z, hypot(rho_x, rho_y)). Dynamics: CW plus white acceleration
noise (PSD ``accel_psd`` m^2/s^3 per axis)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from fsw.core._ffi import check, ffi, lib, out, ptr, vec
from fsw.core._struct import CStruct, Result, dataclass_fields
from fsw.core.errors import GncInputError

__all__ = ["Relnav", "RelnavConfig", "measure"]

_Z3 = (0.0, 0.0, 0.0)


@dataclass
class RelnavConfig:
    """EKF configuration (gnc_relnav_config)."""

    n: float = 0.0011068        #: rad/s, target mean motion (500 km circular)
    sigma_range: float = 1.0    #: m, range 1-sigma
    sigma_angle: float = 1e-3   #: rad, azimuth/elevation 1-sigma
    accel_psd: float = 1e-10    #: m^2/s^3, unmodelled acceleration PSD per axis
    gate: float = 0.0           #: NIS rejection threshold (0: none; 16.27 = 99.9 %, 3 dof)
    sigma_range_frac: float = 0.0   #: range noise, fraction of the range (added)
    dv_sigma_frac: float = 0.0      #: burn execution error, magnitude fraction (1-sigma)
    dv_sigma_dir: float = 0.0       #: rad, burn execution error, direction (1-sigma)
    reject_inflate_n: float = 0.0   #: consecutive rejections before inflating P (0: never)
    reject_reset_n: float = 0.0     #: consecutive rejections before a reset (0: never)
    inflate: float = 1.0            #: factor on P at an inflation
    nonlinear: float = 0.0            #: > 0: nonlinear propagation (P by its own transition)
    sigma_angle_el: float = 0.0       #: rad, elevation 1-sigma (0: sigma_angle)
    dv_sigma_floor: float = 0.0       #: m/s per axis, burn execution error whatever its size
    gate_bearing: float = 0.0         #: NIS threshold of a bearing-only measurement (0: gate)


def measure(x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Predicted ``[range, azimuth, elevation]`` of state ``x`` and its 3x6 Jacobian."""
    a, h, H = vec(x, 6, "x"), out(3), out(18)
    check(lib.gnc_relnav_measure(ptr(a), ptr(h), ptr(H)), "relnav_measure")
    return h, H.reshape(3, 6)


class Relnav:
    """The relative-navigation EKF on a caller-owned C context.

    ``step`` returns a :class:`~fsw.core._struct.Result` (gnc_relnav_out):
    ``x`` (m, m/s Hill), ``P`` (36, row-major 6x6), ``sigma`` (6),
    ``innovation`` ([m, rad, rad]), ``nis``, ``updated``, ``rejected``,
    ``consecutive`` (rejections in a row), ``recovery`` (0 none, 1 covariance
    inflated, 2 position reset from the measurement).

    Noise models (native/include/gnc_relnav.h): range 1-sigma
    ``sigma_range + sigma_range_frac * range``; ``sigma_angle`` a
    cross-line-of-sight angle (the azimuth's divided by cos(elevation)),
    ``sigma_angle_el`` the elevation's when positive; a
    burn's execution error (``dv_sigma_frac``, ``dv_sigma_dir``) one draw per
    burn, consecutive steps with a ``dv`` being one burn."""

    def __init__(self, config: RelnavConfig | None = None) -> None:
        self.config = config or RelnavConfig()
        self._ctx = ffi.new("gnc_relnav *")
        c = ffi.new("gnc_relnav_config *")
        for k, v in dataclass_fields(self.config).items():
            setattr(c, k, float(v))
        check(lib.gnc_relnav_init(self._ctx, c), "relnav_init")
        self._in = CStruct("gnc_relnav_in")
        self._out = CStruct("gnc_relnav_out")
        v = self._in.view
        self._v = (v("dt"), v("dv"), v("meas"), v("meas_valid"))
        self._ref = (v("ref_r"), v("ref_v"), v("ref_valid"))
        self._bearing = v("bearing_only")
        self._dv_dt = v("dv_dt")
        self._pin, self._pout = self._in.cdata, self._out.cdata
        self._step = lib.gnc_relnav_step
        self._dv_set = False

    def reset(self, x0: ArrayLike, P0: ArrayLike) -> None:
        """Start from estimate ``x0`` (m, m/s) with covariance ``P0`` (6x6)."""
        a, p = vec(x0, 6, "x0"), vec(P0, 36, "P0")
        check(lib.gnc_relnav_reset(self._ctx, ptr(a), ptr(p)), "relnav_reset")

    def step(self, dt: float, meas: ArrayLike | None = None, dv: ArrayLike = _Z3,
             ref: tuple[ArrayLike, ArrayLike] | None = None,
             bearing_only: bool = False, dv_dt: float = 0.0) -> Result:
        """Apply the known impulse ``dv`` (m/s, Hill), propagate ``dt`` s, then
        update with ``meas = [range m, azimuth rad, elevation rad]`` if given.
        ``ref = (r_N, v_N)``: the target's inertial state at the start of the
        step; the state then follows both craft on two-body + J2 (see
        native/include/gnc_relnav.h) instead of the circular model.
        ``bearing_only``: ``meas[0]`` is not a range (the camera alone): the
        update uses the azimuth and elevation (NIS of 2 dof). ``dv_dt``: the
        step's start minus the time ``dv`` was delivered (its centre; negative:
        after the start): the impulse is carried over it on CW to the step's
        start (``Phi(dv_dt) [0; dv]``)."""
        t, d, m, valid = self._v
        if ref is not None or self._ref[2][0]:
            rr, rv, rvalid = self._ref
            try:
                if ref is None:
                    rvalid[0] = 0
                else:
                    rr[:], rv[:] = vec(ref[0], 3, "ref r_N"), vec(ref[1], 3, "ref v_N")
                    rvalid[0] = 1
            except (ValueError, TypeError, OverflowError) as exc:
                raise GncInputError(f"relnav_step: bad reference orbit: {exc}") from None
        try:
            t[0] = dt
            if dv is not _Z3 or self._dv_set:  # the default needs no write once zeroed
                d[:] = dv
                self._dv_set = dv is not _Z3
            if meas is None:
                valid[0] = 0
            else:
                m[:] = meas
                valid[0] = 1
            self._bearing[0] = int(bearing_only)
            self._dv_dt[0] = dv_dt
        except (ValueError, TypeError, OverflowError) as exc:
            raise GncInputError(f"relnav_step: bad input: {exc}") from None
        st = self._step(self._ctx, self._pin, self._pout)
        if st:
            check(st, "relnav_step")
        return self._out.result()

    @property
    def rejected(self) -> int:
        """Measurements rejected by the gate since the last reset."""
        return int(self._ctx.rejected)
