"""The navigation cycle through the guidance core (native/include/gnc_nav.h),
one call per cycle (1 Hz): the chaser's GPS fix and the target's on-board
ephemeris give the relative state in the target's Hill frame, smoothed by a
constant-gain filter propagated with the CW model; once the relative-navigation
sensor (camera frame: range m, azimuth = atan2(x_C, z_C), elevation =
asin(y_C / range) rad) sees the target, the relative-navigation EKF
(:mod:`fsw.core.relnav`) takes over from the current estimate; without a
measurement it coasts ``coast_s``, then the GPS filter takes over again. Burns
are told to the filters as the Delta-v is delivered (inertial axes).

Conventions of :mod:`fsw.core.ephem` (SI, TAI, GCRF, Hill x radial /
y along-track / z normal, rho = chaser minus target).
"""

# ruff: noqa: N815  (frame suffixes _N, _H, _B are the project naming convention)
from __future__ import annotations

import enum
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from numpy.typing import ArrayLike

from fsw.core._ffi import check, ffi, lib, ptr, vec
from fsw.core._struct import CStruct, Result, _flat, _packer, dataclass_fields
from fsw.core.ephem import EphemConfig
from fsw.core.errors import GncInputError

__all__ = ["Nav", "NavClock", "NavConfig", "NavFlag", "NavInput", "NavSource"]

_Z3 = (0.0, 0.0, 0.0)
_Q0 = (1.0, 0.0, 0.0, 0.0)


class NavSource(enum.IntEnum):
    """Where the relative solution comes from (gnc_nav_source)."""

    NONE = 0             #: no solution
    GPS_EPHEMERIS = 1    #: GPS fix minus target ephemeris, constant-gain filter
    RELNAV = 2           #: relative-navigation EKF on the sensor


class NavFlag(enum.IntFlag):
    """Status bits of a navigation cycle (gnc_nav_flag)."""

    TARGET_UNKNOWN = 1   #: no target ephemeris loaded
    GPS_STALE = 2        #: no GPS fix within gps_max_age: coasting on CW
    EKF_STARTED = 4      #: the EKF (re)started this cycle
    EKF_FAILED = 8       #: the EKF step failed (ekf_status); GPS filter for retry_s
    REJECTED = 16        #: a measurement was rejected by the gate
    COASTING = 32        #: EKF on without a measurement this cycle
    GPS_RESET = 64       #: GPS filter reset to the raw GPS solution
    BEARING_ONLY = 128   #: this cycle's sensor measurement had no range (NIS: 2 dof)


class NavClock(enum.IntFlag):
    """State bits of the on-board clock estimate (gnc_nav_clock)."""

    DISCIPLINED = 1      #: a GPS fix has been used
    UPDATED = 2          #: a fix was used this cycle
    REJECTED = 4         #: a fix was rejected by the gate this cycle
    RESET = 8            #: the offset was reset to a fix this cycle


@dataclass
class NavConfig:
    """Navigation configuration (gnc_nav_config); defaults: the values the
    autonomy task flew with before #13."""

    ephem: EphemConfig = field(default_factory=EphemConfig)  #: target propagation
    n_default: float = 1.1e-3        #: rad/s, before a target is known
    gain_pos: float = 0.2            #: GPS filter position gain per cycle (0..1]
    gain_vel: float = 0.02           #: GPS filter velocity gain per cycle (0..1]
    gps_max_age: float = 5.0         #: s, an older GPS fix is stale
    gps_reset_m: float = 5000.0      #: m, GPS filter resets to the raw solution beyond
    sigma_gps_pos: float = 10.0      #: m, reported 1-sigma of the GPS filter
    sigma_gps_vel: float = 0.1       #: m/s, reported 1-sigma of the GPS filter
    sigma_range: float = 2.0         #: m, EKF range noise, constant part
    sigma_range_frac: float = 0.0    #: EKF range noise, fraction of range (added)
    sigma_angle: float = 2e-3        #: rad, EKF bearing noise (sensor + attitude)
    accel_psd: float = 1e-9          #: m^2/s^3, EKF process noise PSD per axis
    gate: float = 16.27              #: EKF NIS gate (99.9 %, 3 dof; 0: none)
    p0: ArrayLike = (100.0, 100.0, 100.0, 1e-3, 1e-3, 1e-3)  #: EKF initial variances
    meas_max_age: float = 2.0        #: s, an older sensor measurement is unused
    coast_s: float = 120.0           #: s, EKF coasts this long without a measurement (0: always)
    retry_s: float = 60.0            #: s, GPS filter alone after an EKF failure
    boresight_B: ArrayLike = (0.0, 0.0, 1.0)  #: camera boresight, body
    dv_sigma_frac: float = 0.0       #: EKF burn execution error, magnitude fraction (1-sigma)
    dv_sigma_dir: float = 0.0        #: rad, EKF burn execution error, direction (1-sigma)
    reject_inflate_n: float = 0.0    #: EKF: consecutive rejections before inflating (0: never)
    reject_reset_n: float = 0.0      #: EKF: consecutive rejections before a reset (0: never)
    inflate: float = 1.0             #: EKF: covariance factor of an inflation
    nonlinear: float = 0.0             #: > 0: nonlinear propagation; >= 2: about the target's orbit
    sigma_gps_rel: float = 0.0         #: m, GPS-minus-ephemeris fused w/o camera (0: never)
    #: the on-board clock filter (gnc_nav.h; 0: off, every time is TAI)
    clock_sigma_b0: float = 0.0        #: s, offset 1-sigma before the first fix
    clock_sigma_d0: float = 0.0        #: frequency offset 1-sigma before the first fix
    clock_q_wf: float = 0.0            #: s, white frequency noise
    clock_q_rw: float = 0.0            #: 1/s, random-walk frequency noise
    clock_sigma_pps: float = 0.0       #: s, 1-sigma of a fix's time tag
    clock_gate: float = 0.0            #: NIS gate of a fix (0: none)
    clock_reset_n: float = 0.0         #: rejected fixes in a row before a reset (0: never)
    clock_sigma_floor: float = 0.0     #: s, added in quadrature to the reported sigma
    dv_sigma_floor: float = 0.0        #: m/s per axis, EKF burn execution error whatever its size
    gate_bearing: float = 0.0          #: EKF NIS gate of a bearing-only measurement (0: gate)
    #: 1-sigma of the target's orbit from the launch notice (a catalogue's
    #: error), Hill: radial, along-track, cross-track (m) and the along-track
    #: drift rate (m/s) of a bounded error (gnc_nav.h); on the GPS filter's
    #: covariance and the EKF's start (0: none)
    target_sigma: ArrayLike = (0.0, 0.0, 0.0, 0.0)
    #: s, the target orbit refined by the chaser's own measurements: the GPS
    #: solution minus the EKF's estimate averaged over this window while the
    #: EKF flies on ranged samples inside ``refine_range`` (m), then the
    #: ephemeris re-anchored there (gnc_nav.h; 0: never)
    refine_s: float = 0.0
    refine_range: float = 0.0
    #: angles-only acquisition by a range-parameterised bank: an EKF started
    #: on a bearing-only measurement is split along the line of sight into
    #: this many components, +-3 prior sigmas (0 or 1: one EKF; 2 to 11),
    #: weighted by each bearing's likelihood, the estimate their mixture,
    #: until the first ranged measurement (gnc_nav.h)
    bank: float = 0.0
    #: the part of the attitude 1-sigma that is a bias over the filter's
    #: memory: the position covariance across the line of sight is held at
    #: least (range x this x the attitude 1-sigma)^2 (1: all of it; 0: no floor)
    att_bias_frac: float = 1.0
    #: s, the target orbit's error (target_sigma, then the refined one) as a
    #: relative acceleration bias of 3 n^2 |rho| |error| / r per axis, added
    #: to accel_psd as its square times this (gnc_nav.h; 0: none)
    frame_bias_s: float = 0.0


@dataclass
class NavInput:
    """Inputs of one navigation cycle (gnc_nav_in). ``None`` marks a source
    absent: no GPS fix yet, no sensor measurement yet, no attitude estimate."""

    t: float = 0.0                        #: s, TAI (the on-board clock with the clock filter)
    gps_t: float = 0.0                    #: s TAI, time of the GPS fix (its GPS time)
    gps_r_N: ArrayLike | None = None      #: m, chaser position, GCRF
    gps_v_N: ArrayLike | None = None      #: m/s, chaser velocity, GCRF
    meas_t: float = 0.0                   #: s, time of the sensor measurement (as t)
    meas: ArrayLike | None = None         #: [range m, azimuth rad, elevation rad], camera
    q_BN: ArrayLike | None = None         #: attitude estimate
    dv_N: ArrayLike = _Z3                 #: m/s, Delta-v delivered since the last cycle
    att_sigma: float = 0.0                #: rad, 1-sigma of the attitude estimate (bearing)
    gps_met: float = 0.0                  #: s, on-board clock at the fix's PPS (clock filter)
    #: rad, the attitude's 1-sigma about each body axis (all 0: att_sigma about
    #: every axis); the core turns it into the bearing error along the
    #: measurement's azimuth and elevation
    att_sigma_B: ArrayLike = _Z3
    #: the sensor measured no range (the camera beyond the ranging sensor's reach)
    bearing_only: bool = False
    #: s, the measurement's time minus the attitude estimate's: the core
    #: carries q_BN over it at ``att_rate_B`` (rad/s, body) before turning the
    #: bearing (0: q_BN as given)
    att_dt: float = 0.0
    att_rate_B: ArrayLike = _Z3
    #: s, ``t`` minus the time ``dv_N`` was delivered (the centre of its
    #: impulses; negative: after ``t``); 0: at ``t``
    dv_age: float = 0.0

    def fields(self) -> dict[str, object]:
        """Flat C member values (also the NAV_STEP request fields)."""
        gps = self.gps_r_N is not None and self.gps_v_N is not None
        return {
            "t": self.t, "gps_t": self.gps_t,
            "gps_r_N": self.gps_r_N if gps else _Z3, "gps_v_N": self.gps_v_N if gps else _Z3,
            "meas_t": self.meas_t, "meas": _Z3 if self.meas is None else self.meas,
            "q_BN": _Q0 if self.q_BN is None else self.q_BN, "dv_N": self.dv_N,
            "gps_valid": int(gps), "meas_valid": int(self.meas is not None),
            "att_valid": int(self.q_BN is not None), "att_sigma": self.att_sigma,
            "gps_met": self.gps_met, "att_sigma_B": self.att_sigma_B,
            "meas_bearing_only": int(self.bearing_only),
            "att_dt": self.att_dt, "att_rate_B": self.att_rate_B, "dv_age": self.dv_age,
        }


def fill_config(cdata: object, cfg: NavConfig) -> None:
    """Write a NavConfig into a gnc_nav_config."""
    for name, value in dataclass_fields(cfg).items():
        if name.startswith("ephem_"):
            setattr(cdata.ephem, name[6:], float(value))  # type: ignore[attr-defined]
            continue
        cur = getattr(cdata, name)
        if isinstance(cur, float | int):
            setattr(cdata, name, float(value))
        else:
            a = vec(value, len(cur), name)
            for i, x in enumerate(a):
                cur[i] = float(x)


def _fast_packer(cname: str) -> Any:
    """``(pack, pack_values)``: ``pack(buf, fields) -> bool``, the flat member values ``fields`` (as
    :meth:`NavInput.fields` gives them) written into the C struct's bytes
    ``buf`` with one ``struct.pack_into``, the layout (offsets, pad bytes)
    derived from the cffi type (:func:`~fsw.core._struct._packer`); generated
    once. Only for the plain values a task passes (doubles as ``float`` or
    ``int``, integers as ``int``, arrays as tuples or lists of their exact
    length): anything else returns False, and the caller takes the numpy
    path, whose conversions and errors stay the reference.
    ``pack_values(buf, v0, v1, ...)``: the same with the members' values
    given in the struct's order (the same checks, the same pack). (``pack_into``
    may have written part of the struct before raising on a value inside an
    array: the numpy path writes every member again, as every call does.)"""
    size, _, _, members = _packer(cname)
    fmt, at, args, checks = ["<"], 0, [], []
    for i, (name, n, is_int, off, st) in enumerate(members):
        if off > at:
            fmt.append(f"{off - at}x")
        fmt.append(st.format[1:])
        at = off + st.size
        checks.append(f"    v{i} = f[{name!r}]\n")
        if n == 1:
            cond = "type(v{0}) is not _int" if is_int else \
                "(type(v{0}) is not _float and type(v{0}) is not _int)"
            checks.append(f"    if {cond.format(i)}:\n        return False\n")
            args.append(f"v{i}")
        else:
            checks.append(f"    if (type(v{i}) is not _tuple and type(v{i}) is not _list) "
                          f"or len(v{i}) != {n}:\n        return False\n")
            args.append(f"*v{i}")
    if at < size:
        fmt.append(f"{size - at}x")
    # the builtins and the packer as default arguments: fast locals
    tail = "".join(c for c in checks if not c.startswith("    v")) \
        + f"    _pack_into(buf, 0, {', '.join(args)})\n    return True\n"
    src = ("def pack(buf, f, _float=float, _int=int, _tuple=tuple, _list=list, "
           "_pack_into=_pack_into):\n" + "".join(checks)
           + f"    _pack_into(buf, 0, {', '.join(args)})\n    return True\n"
           # the same checks and pack on the members' values given in order
           + f"\ndef pack_values(buf, {', '.join(f'v{i}' for i in range(len(members)))}, "
           "_float=float, _int=int, _tuple=tuple, _list=list, _pack_into=_pack_into):\n"
           + tail)
    ns: dict[str, Any] = {"_pack_into": struct.Struct("".join(fmt)).pack_into}
    exec(compile(src, f"<{cname} packer>", "exec"), ns)
    return ns["pack"], ns["pack_values"]


#: NavInput.fields() packed (pack), and the same members given in the
#: struct's order (pack_values: :meth:`Nav.runner`)
_pack_nav_in, _pack_nav_values = _fast_packer("gnc_nav_in")
#: the order pack_values takes them in (NavInput.fields()'s keys, the C struct's)
NAV_IN_MEMBERS = tuple(m[0] for m in _packer("gnc_nav_in")[3])
#: the order :meth:`Nav.runner` gives them in (a struct that reorders its
#: members: the runner takes the reference path, :meth:`Nav.step`)
_RUN_ORDER = ("t", "gps_t", "gps_r_N", "gps_v_N", "meas_t", "meas", "q_BN", "dv_N",
              "gps_valid", "meas_valid", "att_valid", "att_sigma", "gps_met", "att_sigma_B",
              "meas_bearing_only", "att_dt", "att_rate_B", "dv_age")


def _refuse(*_values: Any) -> bool:
    return False


#: :meth:`Nav.runner`: NavInput's fields (keywords) -> Result.flat() of the output
NavRun = Callable[..., tuple[tuple[Any, ...], Mapping[str, "int | slice"]]]


class Nav:
    """The navigation cycle on a caller-owned C context. ``step`` returns a
    :class:`~fsw.core._struct.Result` (gnc_nav_out): ``x_H`` (m, m/s Hill),
    ``r_rel_N``/``v_rel_N`` (target minus chaser, GCRF), ``r_target_N``,
    ``v_target_N``, ``sun_N``, ``normal_N``, ``mean_motion`` (rad/s),
    ``sigma_pos`` (m), ``sigma_vel`` (m/s), ``nis``, ``valid``, ``source``
    (:class:`NavSource`), ``flags`` (:class:`NavFlag`), ``ekf_status``,
    ``cov_pos``/``cov_vel`` (Hill covariance blocks, xx xy xz yy yz zz),
    ``consecutive`` (EKF rejections in a row), ``recovery`` (0 none,
    1 covariance inflated, 2 position reset from the measurement), ``t_est``
    (s, TAI of the cycle), ``clock_offset`` (s, on-board minus TAI),
    ``clock_drift``, their sigmas ``clock_sigma``/``clock_sigma_drift``,
    ``clock_nis`` and ``clock_state`` (:class:`NavClock` bits),
    ``target_refined`` (1: the target's ephemeris re-anchored on the
    measurements this cycle), ``target_shift_H`` (m, that shift, Hill) and
    ``bank`` (components of the angles-only bank alive; 0: one EKF)."""

    def __init__(self, config: NavConfig | None = None) -> None:
        self.config = config or NavConfig()
        self._ctx = ffi.new("gnc_nav *")
        c = ffi.new("gnc_nav_config *")
        fill_config(c, self.config)
        check(lib.gnc_nav_init(self._ctx, c), "nav_init")
        self._in = CStruct("gnc_nav_in")
        self._out = CStruct("gnc_nav_out")
        self._views = self._in.flat_view()
        self._buf = ffi.buffer(self._in.cdata)
        #: :meth:`runner`'s function
        self.run: NavRun = self._make_runner()

    def set_target(self, r_N: ArrayLike, v_N: ArrayLike, t: float) -> None:
        """Load the target's state (m, m/s, GCRF) at ``t``; forgets the estimate."""
        a, b = vec(r_N, 3, "r_N"), vec(v_N, 3, "v_N")
        check(lib.gnc_nav_set_target(self._ctx, ptr(a), ptr(b), float(t)), "nav_set_target")

    def step(self, inp: NavInput) -> Result:
        """One navigation cycle."""
        f = inp.fields()
        try:
            fast = _pack_nav_in(self._buf, f)
        except (struct.error, TypeError, ValueError, OverflowError):
            fast = False
        if not fast:  # the reference path: numpy's conversions, its errors
            v = self._views
            try:
                for name, value in f.items():
                    v[name][...] = value
            except (ValueError, TypeError, OverflowError) as exc:
                raise GncInputError(f"nav_step: bad input: {exc}") from None
        st = lib.gnc_nav_step(self._ctx, self._in.cdata, self._out.cdata)
        if st:
            check(st, "nav_step")
        return self._out.result()

    def runner(self) -> NavRun:
        """:meth:`step` as one function of :class:`NavInput`'s fields
        (keywords, NavInput's defaults) that returns the output's
        :meth:`~fsw.core._struct.Result.flat` ``(values, index)``, unpacked
        straight from the output struct: no NavInput, dict or Result made
        per cycle. The members are the ones :meth:`NavInput.fields` gives,
        packed as :meth:`step` packs them (the same checks); inputs the fast
        pack refuses go through :meth:`step` itself (the reference path: its
        conversions, its errors). Made once per Nav (:attr:`run`)."""
        return self.run

    def _make_runner(self) -> NavRun:
        pack = _pack_nav_values if NAV_IN_MEMBERS == _RUN_ORDER else _refuse
        buf, step = self._buf, self.step
        nav_step, ctx, cin, cout = lib.gnc_nav_step, self._ctx, self._in.cdata, self._out.cdata
        st_out, index = _flat(self._out.dtype)
        unpack, out_buf = st_out.unpack_from, ffi.buffer(cout)
        errors = (struct.error, TypeError, ValueError, OverflowError)

        def run(t: float = 0.0, gps_t: float = 0.0, gps_r_N: Any = None, gps_v_N: Any = None,
                meas_t: float = 0.0, meas: Any = None, q_BN: Any = None, dv_N: Any = _Z3,
                att_sigma: float = 0.0, gps_met: float = 0.0, att_sigma_B: Any = _Z3,
                bearing_only: bool = False, att_dt: float = 0.0, att_rate_B: Any = _Z3,
                dv_age: float = 0.0) -> tuple[tuple[Any, ...], Mapping[str, int | slice]]:
            # NavInput.fields(), member by member in the struct's order
            gps = gps_r_N is not None and gps_v_N is not None
            try:
                fast = pack(buf, t, gps_t, gps_r_N if gps else _Z3, gps_v_N if gps else _Z3,
                            meas_t, _Z3 if meas is None else meas, _Q0 if q_BN is None else q_BN,
                            dv_N, int(gps), int(meas is not None), int(q_BN is not None),
                            att_sigma, gps_met, att_sigma_B, int(bearing_only), att_dt,
                            att_rate_B, dv_age)
            except errors:
                fast = False
            if not fast:
                return step(NavInput(t=t, gps_t=gps_t, gps_r_N=gps_r_N, gps_v_N=gps_v_N,
                                     meas_t=meas_t, meas=meas, q_BN=q_BN, dv_N=dv_N,
                                     att_sigma=att_sigma, gps_met=gps_met,
                                     att_sigma_B=att_sigma_B, bearing_only=bearing_only,
                                     att_dt=att_dt, att_rate_B=att_rate_B,
                                     dv_age=dv_age)).flat()
            st = nav_step(ctx, cin, cout)
            if st:
                check(st, "nav_step")
            return unpack(out_buf), index

        return run
