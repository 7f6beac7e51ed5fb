"""Attitude through the guidance core: kinematics, the MEKF, control laws,
guidance and the ADCS step (one 10 Hz cycle = one call).

Frames and units: N inertial (GCRF/J2000), B body, R guidance reference.
Quaternions scalar first, ``q_BN`` maps inertial to body coordinates
(``v_B = R(q_BN) v_N``). Rates rad/s in body axes, torques N m, wheel momentum
N m s, dipoles A m^2 (three magnetorquers along body x, y, z), magnetic field T.

Wheels: 3 to 6 on any axes (``AdcsConfig.wheel_axes_B``); the step reads their
tachometers (``AdcsInput.wheel_speed``, rad/s), works on the body momentum
and allocates the motor torques to the wheels in use (``wheel_ok``) by the
minimum-norm pseudo-inverse (``wheel_cmd``); a new tachometer sample
(``tach_new``) runs the wheel check (``wheel_checked``, ``wheel_bad``).
"""

# ruff: noqa: N815  (frame suffixes _B, _N, _BN are the project naming convention)
from __future__ import annotations

import enum
import functools
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from fsw.core._ffi import check, ffi, lib, out, ptr, size_view, vec
from fsw.core._struct import _STRUCT_FMT, CStruct, Result, dataclass_fields
from fsw.core.errors import GncInputError

__all__ = [
    "DEFAULT_WHEEL_INERTIA",
    "ST_HEADS_MAX",
    "WHEELS_MAX",
    "Adcs",
    "AdcsConfig",
    "AdcsCycle",
    "AdcsFlag",
    "AdcsInput",
    "AdcsMode",
    "Mekf",
    "MekfConfig",
    "MekfInput",
    "Slew",
    "bdot",
    "mag_dipole",
    "mtq_rate_damp",
    "mtq_unload",
    "pd_torque",
    "propagate",
    "target_pointing",
    "triad",
]

#: most wheels the core allocates to (GNC_WHEELS_MAX)
WHEELS_MAX = 6
_ZERO_WHEELS = (0.0,) * WHEELS_MAX
#: kg m^2, the default wheels' rotor inertia: a power of two, so that a body
#: momentum given as ``AdcsInput.h_wheel`` goes to the default (body-axis)
#: wheels' speeds and back bit for bit
DEFAULT_WHEEL_INERTIA = 2.0**-11
_IDENTITY_AXES = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0) + (0.0,) * 9
#: star-tracker heads the core fuses (GNC_ST_HEADS_MAX)
ST_HEADS_MAX = 3
#: gnc_adcs_in packed in one call (native order, no padding: 33 doubles, 6 ints,
#: 19 doubles, 2 ints), by the validated path (Adcs._pack_checked)
_IN = struct.Struct(f"=3d4d3d{WHEELS_MAX}d4d3d3dd3d3d6i12d3d3dd2i")
#: the same in three packs for Adcs.step's common path: at most 30 values a
#: call (a Python call with more positional arguments builds a list and a
#: tuple of them first) and native alignment ('@' packs a double with one
#: memcpy where '=' goes through PyFloat_Pack8; same bytes, and this struct has
#: no padding): gyro_B to wheel_speed, q_target_BN to mode, q_heads to
#: sun_valid. Offsets and sizes are checked against the C struct when an Adcs
#: is made.
_IN_A = struct.Struct(f"@3d4d3d{WHEELS_MAX}d")
_IN_B = struct.Struct("@4d3d3dd3d3d6i")
_IN_C = struct.Struct("@12d3d3dd2i")
_Q1 = (1.0, 0.0, 0.0, 0.0)
#: octets of the WHEEL_CMD packet an ADCS cycle writes (GNC_WHEEL_CMD_LEN)
WHEEL_CMD_LEN = int(lib.GNC_WHEEL_CMD_LEN)


class AdcsMode(enum.IntEnum):
    """ADCS control modes (gnc_adcs_mode)."""

    OFF = 0        #: estimation only, no actuation
    DETUMBLE = 1   #: magnetorquers: gyro rate damping (B-dot when the gyro is invalid)
    RATE_DAMP = 2  #: wheels null the rate, magnetorquers unload
    POINT = 3      #: slew to and hold q_target_BN
    TARGET = 4     #: boresight on r_target_N with the sun keep-out
    SUN = 5        #: sun-safe: solar_B on sun_N, secondary_B towards normal_N


class AdcsFlag(enum.IntFlag):
    """Status bits of an ADCS step (gnc_adcs_flag)."""

    EST_VALID = 1
    WHEEL_TORQUE_SAT = 2
    WHEEL_MOMENTUM_LIMIT = 4
    DIPOLE_SAT = 8
    KEEPOUT = 16
    SLEWING = 32
    NO_MAG = 64
    FALLBACK = 128
    COARSE = 256


def slew_rate_max(chaser: Any) -> float:
    """The attitude controller's slew rate limit [rad/s] for a chaser
    (:class:`fsw.scenario.Chaser`): 80 % of its wheels' momentum on its
    largest principal inertia (AdcsConfig.slew_rate_max)."""
    return 0.8 * chaser.wheels.max_momentum_nms / max(chaser.inertia_kgm2)


def propagate(q_BN: ArrayLike, w_B: ArrayLike, dt: float) -> np.ndarray:
    """``q_BN`` after ``dt`` s at constant body rate ``w_B`` (rad/s, body axes)."""
    q, w, r = vec(q_BN, 4, "q_BN"), vec(w_B, 3, "w_B"), out(4)
    check(lib.gnc_att_propagate(ptr(q), ptr(w), float(dt), ptr(r)), "att_propagate")
    return r


def pd_torque(q_BN: ArrayLike, w_B: ArrayLike, q_RN: ArrayLike, w_ref_R: ArrayLike,
              a_ref_R: ArrayLike, inertia: ArrayLike, h_w: ArrayLike, kp: float,
              kd: float) -> np.ndarray:
    """Quaternion-feedback PD torque (N m, body) towards reference q_RN with
    reference rate/acceleration in R axes (rad/s, rad/s^2), inertia kg m^2,
    wheel momentum h_w N m s; gyroscopic and feed-forward terms included."""
    args = [vec(q_BN, 4, "q_BN"), vec(w_B, 3, "w_B"), vec(q_RN, 4, "q_RN"),
            vec(w_ref_R, 3, "w_ref_R"), vec(a_ref_R, 3, "a_ref_R"),
            vec(inertia, 9, "inertia"), vec(h_w, 3, "h_w")]
    r = out(3)
    check(lib.gnc_att_pd(*[ptr(a) for a in args], float(kp), float(kd), ptr(r)), "att_pd")
    return r


def bdot(b_prev: ArrayLike, b_now: ArrayLike, dt: float, k: float, m_max: float) -> np.ndarray:
    """B-dot dipole ``-k dB/dt`` (A m^2) from two body-frame field samples (T)
    ``dt`` s apart, each axis clipped to m_max (direction kept)."""
    a, b, r = vec(b_prev, 3, "b_prev"), vec(b_now, 3, "b_now"), out(3)
    check(lib.gnc_bdot(ptr(a), ptr(b), float(dt), float(k), float(m_max), ptr(r)), "bdot")
    return r


def mtq_rate_damp(w_B: ArrayLike, b_B: ArrayLike, k: float, m_max: float) -> np.ndarray:
    """Rate-damping dipole ``k (w x B)/|B|^2`` (torque ``-k w_perp``, k in N m s)."""
    w, b, r = vec(w_B, 3, "w_B"), vec(b_B, 3, "b_B"), out(3)
    check(lib.gnc_mtq_rate_damp(ptr(w), ptr(b), float(k), float(m_max), ptr(r)),
          "mtq_rate_damp")
    return r


def mtq_unload(h_w: ArrayLike, b_B: ArrayLike, k: float, m_max: float) -> np.ndarray:
    """Unloading dipole ``k (h_w x B)/|B|^2`` (torque ``-k h_w_perp``, k in 1/s)."""
    h, b, r = vec(h_w, 3, "h_w"), vec(b_B, 3, "b_B"), out(3)
    check(lib.gnc_mtq_unload(ptr(h), ptr(b), float(k), float(m_max), ptr(r)), "mtq_unload")
    return r


def target_pointing(boresight_B: ArrayLike, secondary_B: ArrayLike, los_N: ArrayLike,
                    sun_N: ArrayLike, keepout: float) -> tuple[np.ndarray, bool]:
    """Reference ``q_RN`` putting the body boresight on the line of sight
    ``los_N`` (target minus chaser, inertial) and the secondary body axis as
    close to the sun as possible; within ``keepout`` rad of the sun the
    boresight is moved off the target to the keep-out cone (flag True)."""
    a = [vec(boresight_B, 3, "boresight_B"), vec(secondary_B, 3, "secondary_B"),
         vec(los_N, 3, "los_N"), vec(sun_N, 3, "sun_N")]
    r, flag = out(4), ffi.new("int *")
    check(lib.gnc_target_pointing(*[ptr(x) for x in a], float(keepout), ptr(r), flag),
          "target_pointing")
    return r, bool(flag[0])


def mag_dipole(t_tai: float, r_N: ArrayLike) -> np.ndarray:
    """The on-board geomagnetic field model (T, GCRF) at ``r_N`` (m) at
    ``t_tai`` (TAI s since 1958): a tilted dipole (gnc_mag_dipole)."""
    r, b = vec(r_N, 3, "r_N"), out(3)
    check(lib.gnc_mag_dipole(float(t_tai), ptr(r), ptr(b)), "mag_dipole")
    return b


def triad(v1_B: ArrayLike, v2_B: ArrayLike, v1_N: ArrayLike, v2_N: ArrayLike) -> np.ndarray:
    """``q_BN`` from two direction pairs, ``v1`` kept exactly (gnc_triad)."""
    a = [vec(v1_B, 3, "v1_B"), vec(v2_B, 3, "v2_B"), vec(v1_N, 3, "v1_N"), vec(v2_N, 3, "v2_N")]
    q = out(4)
    check(lib.gnc_triad(*[ptr(x) for x in a], ptr(q)), "triad")
    return q


@dataclass
class MekfConfig:
    """MEKF noise model and star-tracker heads (gnc_mekf_config)."""

    gyro_arw: float = 1e-5    #: rad/s/sqrt(Hz), gyro angle random walk
    gyro_rrw: float = 1e-7    #: rad/s^2/sqrt(Hz), bias rate random walk
    st_sigma: float = 2.5e-5  #: rad, star tracker 1-sigma per axis
    p0_att: float = 1e-2      #: rad, initial attitude 1-sigma
    p0_bias: float = 1e-4     #: rad/s, initial bias 1-sigma
    st_cross_sigma: float = 0.0  #: rad, head 1-sigma across its boresight (0: st_sigma)
    st_about_sigma: float = 0.0  #: rad, head 1-sigma about its boresight (0: st_sigma)
    #: heads' boresights, body, 3 per head (9 values)
    st_boresight_B: ArrayLike = (0.0,) * 9
    gate: float = 0.0         #: NIS gate of every update (chi-square, 3 dof); 0: off
    gate_reset: float = 0.0   #: rejected updates in a row that restart the filter; 0: never
    st_heads: int = 0         #: heads configured (0..3)


def _fill_config(cdata: object, cfg: object) -> None:
    for name, value in dataclass_fields(cfg).items():
        target, attr = cdata, name
        if name.startswith("mekf_") and hasattr(cdata, "mekf"):
            target, attr = cdata.mekf, name[5:]  # type: ignore[attr-defined]
        cur = getattr(target, attr)
        if isinstance(cur, int):
            setattr(target, attr, int(value))
        elif isinstance(cur, float):
            setattr(target, attr, float(value))
        else:
            a = _padded(value, len(cur), name)
            for i, x in enumerate(a):
                cur[i] = float(x)


def _padded(value: object, n: int, name: str) -> np.ndarray:
    """``value`` flattened to n float64s; shorter wheel arrays padded with zeros."""
    a = np.asarray(value, dtype=np.float64).reshape(-1)
    if name in ("wheel_axes_B", "wheel_speed") and len(a) < n:
        a = np.concatenate((a, np.zeros(n - len(a))))
    if len(a) != n:
        raise ValueError(f"{name} needs {n} values, got {len(a)}")
    return a


def config_fields(cfg: AdcsConfig) -> dict[str, object]:
    """Flat C member values of an AdcsConfig (the ADCS_CONFIG request fields)."""
    out = dataclass_fields(cfg)
    out["wheel_axes_B"] = tuple(_padded(cfg.wheel_axes_B, 3 * WHEELS_MAX,
                                        "wheel_axes_B").tolist())
    out["wheel_count"] = int(cfg.wheel_count)
    return out


@dataclass
class MekfInput:
    """One MEKF step: ``dt`` s, gyro rad/s (body), optional star-tracker q_BN."""

    dt: float
    gyro: ArrayLike
    q_st: ArrayLike | None = None


class Mekf:
    """Multiplicative EKF (gyro propagation, star-tracker updates) on a
    caller-owned C context. ``step`` returns a :class:`Result` with
    ``q_BN, w_B (rad/s), bias (rad/s), sigma[6] (rad, rad/s), residual (rad),
    valid, updated``."""

    def __init__(self, config: MekfConfig | None = None) -> None:
        self.config = config or MekfConfig()
        self._ctx = ffi.new("gnc_mekf *")
        c = ffi.new("gnc_mekf_config *")
        _fill_config(c, self.config)
        check(lib.gnc_mekf_init(self._ctx, c), "mekf_init")
        self._in = CStruct("gnc_mekf_in")
        self._out = CStruct("gnc_mekf_out")
        self._dt = self._in.view("dt")
        self._gyro = self._in.view("gyro")
        self._q = self._in.view("q_st")
        self._valid = self._in.view("st_valid")
        self._heads = self._in.view("q_heads")
        self._mask = self._in.view("head_mask")

    def reset(self, q_BN: ArrayLike, bias: ArrayLike = (0.0, 0.0, 0.0)) -> None:
        """Start from ``q_BN`` and gyro ``bias`` (rad/s) with the initial covariance."""
        q, b = vec(q_BN, 4, "q_BN"), vec(bias, 3, "bias")
        check(lib.gnc_mekf_reset(self._ctx, ptr(q), ptr(b)), "mekf_reset")

    def step(self, dt: float, gyro: ArrayLike, q_st: ArrayLike | None = None,
             heads: dict[int, ArrayLike] | None = None) -> Result:
        """Propagate ``dt`` s with the gyro, then update with the star tracker
        and the heads given (``{head: q_BN}``), each gated."""
        try:
            self._dt[0] = dt
            self._gyro[:] = gyro
            if q_st is None:
                self._valid[0] = 0
            else:
                self._q[:] = q_st
                self._valid[0] = 1
            mask = 0
            for h, q in (heads or {}).items():
                if not 0 <= int(h) < ST_HEADS_MAX:
                    raise ValueError(f"head {h} not in 0..{ST_HEADS_MAX - 1}")
                self._heads[4 * int(h):4 * int(h) + 4] = q
                mask |= 1 << int(h)
            self._mask[0] = mask
        except (ValueError, TypeError, OverflowError) as exc:
            raise GncInputError(f"mekf_step: bad input: {exc}") from None
        check(lib.gnc_mekf_step(self._ctx, self._in.cdata, self._out.cdata), "mekf_step")
        return self._out.result()

    @property
    def covariance(self) -> np.ndarray:
        """The 6x6 error-state covariance [rad, rad/s]."""
        r = out(36)
        check(lib.gnc_mekf_covariance(self._ctx, ptr(r)), "mekf_covariance")
        return r.reshape(6, 6)


class Slew:
    """Rate- and acceleration-limited eigenaxis slew guidance (gnc_slew):
    ``q_RN``, ``w_R`` (rad/s, R axes) and ``a_R`` after each step."""

    def __init__(self, rate_max: float, accel_max: float) -> None:
        self._ctx = ffi.new("gnc_slew *")
        check(lib.gnc_slew_init(self._ctx, float(rate_max), float(accel_max)), "slew_init")

    def reset(self, q_RN: ArrayLike, w_R: ArrayLike = (0.0, 0.0, 0.0)) -> None:
        q, w = vec(q_RN, 4, "q_RN"), vec(w_R, 3, "w_R")
        check(lib.gnc_slew_reset(self._ctx, ptr(q), ptr(w)), "slew_reset")

    def step(self, q_TN: ArrayLike, dt: float) -> float:
        """Move the reference towards ``q_TN``; returns the angle left (rad)."""
        q, rem = vec(q_TN, 4, "q_TN"), ffi.new("double *")
        check(lib.gnc_slew_step(self._ctx, ptr(q), float(dt), rem), "slew_step")
        return float(rem[0])

    @property
    def q_RN(self) -> np.ndarray:
        return np.array(list(self._ctx.q_RN))

    @property
    def w_R(self) -> np.ndarray:
        return np.array(list(self._ctx.w_R))

    @property
    def a_R(self) -> np.ndarray:
        return np.array(list(self._ctx.a_R))


@dataclass
class AdcsConfig:
    """ADCS configuration (gnc_adcs_config); defaults: a 300 kg Photon-class
    chaser (mission-facts.md guesses) with 0.4 N m s wheels (Sinclair
    RW-0.4 class; torque a guess) and 30 A m^2 magnetorquers."""

    dt: float = 0.1                      #: s, control period
    inertia: ArrayLike = field(default_factory=lambda: np.diag([10.0, 12.0, 15.0]))  #: kg m^2
    kp: float = 0.4                      #: N m/rad
    kd: float = 4.0                      #: N m s/rad
    wheel_torque_max: float = 0.03       #: N m per wheel
    wheel_momentum_max: float = 0.4      #: N m s per wheel
    dipole_max: float = 30.0             #: A m^2 per magnetorquer
    bdot_gain: float = 1e5               #: A m^2 s/T
    damp_gain: float = 0.01              #: N m s/rad (magnetorquer rate damping)
    unload_gain: float = 0.0             #: 1/s (0: off)
    slew_rate_max: float = 0.02          #: rad/s
    slew_accel_max: float = 0.001        #: rad/s^2
    boresight_B: ArrayLike = (0.0, 0.0, 1.0)   #: camera boresight, body
    #: body axis turned towards the orbit normal (towards the sun while the
    #: normal is unknown), as far as the primary axis allows
    secondary_B: ArrayLike = (0.0, 1.0, 0.0)
    solar_B: ArrayLike = (0.0, 0.0, -1.0)      #: solar-array normal, body (SUN mode)
    sun_keepout: float = float(np.radians(30.0))  #: rad
    #: rad/s, DETUMBLE hands over to the wheels below this (0: never)
    detumble_wheel_rate: float = 0.0
    wheel_count: int = 3                       #: wheels (3..6)
    #: spin axes, body, one 3-vector per wheel ([i*3 + axis], 18 values or k x 3)
    wheel_axes_B: ArrayLike = _IDENTITY_AXES
    wheel_inertia: float = DEFAULT_WHEEL_INERTIA  #: kg m^2, each rotor about its axis
    wheel_speed_max: float = 0.4 / DEFAULT_WHEEL_INERTIA  #: rad/s
    check_min_dspeed: float = 0.5              #: rad/s, wheel check: change worth testing
    check_speed_frac: float = 0.9              #: wheel check: below this fraction of max
    check_miss: float = 0.5                    #: wheel check: relative miss that fails
    mekf: MekfConfig = field(default_factory=MekfConfig)
    #: rad, 1-sigma of the coarse attitude (sun sensor + magnetometer + field
    #: model, TRIAD) that initialises and bounds the MEKF without a fix; 0: none
    coarse_sigma: float = 0.0

    def default_wheels(self) -> bool:
        """Three body-axis wheels of the default inertia (what ``h_wheel`` needs)."""
        axes = np.asarray(self.wheel_axes_B, float).reshape(-1)
        return (int(self.wheel_count) == 3 and self.wheel_inertia == DEFAULT_WHEEL_INERTIA
                and axes[:9].tolist() == list(_IDENTITY_AXES[:9]))


@dataclass
class AdcsInput:
    """Inputs of one ADCS cycle (gnc_adcs_in). ``None`` marks a sensor
    invalid this cycle (gyro, star tracker, magnetometer).

    ``h_wheel`` (N m s, body) is the body momentum given directly instead of
    the tachometers, for callers that measure it themselves (the ADCS task
    before #13): it needs the default wheel set (three body-axis wheels of
    :data:`DEFAULT_WHEEL_INERTIA`, :meth:`AdcsConfig.default_wheels`), whose
    speeds it becomes, ``h / J``, bit for bit."""

    mode: int = AdcsMode.OFF
    gyro_B: ArrayLike | None = None            #: rad/s, body
    q_st_BN: ArrayLike | None = None           #: star-tracker attitude
    mag_B: ArrayLike | None = None             #: T, body
    wheel_speed: ArrayLike = (0.0,) * WHEELS_MAX  #: rad/s, tachometers (one per wheel)
    q_target_BN: ArrayLike = (1.0, 0.0, 0.0, 0.0)  #: POINT mode attitude
    r_target_N: ArrayLike = (1.0, 0.0, 0.0)    #: m, TARGET mode: target minus chaser, N,
    v_target_N: ArrayLike = (0.0, 0.0, 0.0)    #: m/s, its rate (extrapolated linearly)
    target_age: float = 0.0                    #: s, age of r_target_N
    sun_N: ArrayLike = (0.0, 1.0, 0.0)         #: sun direction, N (0: unknown)
    normal_N: ArrayLike = (0.0, 0.0, 0.0)      #: chaser orbit normal, N (0: unknown)
    wheel_ok: int = (1 << WHEELS_MAX) - 1      #: mask of the wheels in use
    tach_new: bool = False                     #: wheel_speed is a new sample
    h_wheel: ArrayLike | None = None           #: N m s, body (see the class doc)
    #: star-tracker heads' fresh attitudes {head: q_BN} (heads 0..2)
    heads: dict[int, ArrayLike] = field(default_factory=dict)
    sun_B: ArrayLike | None = None             #: coarse sun sensor, unit, body
    r_N: ArrayLike = (0.0, 0.0, 0.0)           #: m, chaser position, GCRF (0: unknown)
    time_tai: float = 0.0                      #: s, TAI since 1958 (field model)

    def heads_packed(self) -> tuple[tuple[float, ...], int]:
        """(q_heads, head_mask) as the core takes them."""
        q = [1.0, 0.0, 0.0, 0.0] * ST_HEADS_MAX
        mask = 0
        for h, qh in self.heads.items():
            if not 0 <= h < ST_HEADS_MAX or len(qh) != 4:
                raise GncInputError(f"adcs_step: head {h!r} with {len(qh)} values "
                                    f"(heads 0..{ST_HEADS_MAX - 1}, 4 values each)")
            q[4 * h:4 * h + 4] = qh
            mask |= 1 << h
        return tuple(q), mask

    def speeds(self) -> object:
        """The wheel speeds the core gets (``h_wheel / J`` when it is given)."""
        if self.h_wheel is None:
            return self.wheel_speed
        h = np.asarray(self.h_wheel, dtype=np.float64).reshape(-1)
        if h.shape != (3,):
            raise GncInputError(f"h_wheel needs 3 values, got {h.size}")
        return tuple((h / DEFAULT_WHEEL_INERTIA).tolist()) + (0.0,) * (WHEELS_MAX - 3)

    def fields(self) -> dict[str, object]:
        """Flat C member values (also the ADCS_STEP request fields)."""
        z3, z4 = (0.0, 0.0, 0.0), (1.0, 0.0, 0.0, 0.0)
        return {
            "gyro_B": z3 if self.gyro_B is None else self.gyro_B,
            "q_st_BN": z4 if self.q_st_BN is None else self.q_st_BN,
            "mag_B": z3 if self.mag_B is None else self.mag_B,
            "wheel_speed": tuple(_padded(self.speeds(), WHEELS_MAX, "wheel_speed").tolist()),
            "q_target_BN": self.q_target_BN, "r_target_N": self.r_target_N,
            "v_target_N": self.v_target_N, "target_age": self.target_age,
            "sun_N": self.sun_N, "normal_N": self.normal_N, "wheel_ok": int(self.wheel_ok),
            "tach_new": int(bool(self.tach_new)),
            "st_valid": int(self.q_st_BN is not None), "mag_valid": int(self.mag_B is not None),
            "gyro_valid": int(self.gyro_B is not None), "mode": int(self.mode),
            "q_heads": self.heads_packed()[0],
            "sun_B": (0.0, 0.0, 0.0) if self.sun_B is None else self.sun_B,
            "r_N": self.r_N, "time_tai": self.time_tai,
            "head_mask": self.heads_packed()[1], "sun_valid": int(self.sun_B is not None),
        }


def _which_length(*vectors: Any) -> str:
    """The message for the first AdcsInput vector of the wrong length."""
    names = ("gyro_B", "q_st_BN", "mag_B", "wheel_speed", "q_target_BN", "r_target_N",
             "v_target_N", "sun_N", "normal_N")
    sizes = (3, 4, 3, WHEELS_MAX, 4, 3, 3, 3, 3)
    for name, n, a in zip(names, sizes, vectors, strict=True):
        if len(a) != n:
            return f"{name} needs {n} values, got {len(a)}"
    return "a vector of the wrong length"


def _span(cs: CStruct, first: str, last: str) -> tuple[struct.Struct, int]:
    """A native ``struct.Struct`` of the top-level members ``first`` to
    ``last`` of ``cs`` (in order, no padding between them: checked) and the
    offset of the first; from the C type, so it cannot drift from the header."""
    names = list(cs.dtype.names)
    fmt, off = "@", cs.dtype.fields[first][1]
    end = off
    for name in names[names.index(first):names.index(last) + 1]:
        ft, o = cs.dtype.fields[name][:2]
        if o != end:
            raise RuntimeError(f"{cs.cname}: padding before {name}")
        base, n = ft.subdtype if ft.subdtype is not None else (ft, (1,))
        fmt += f"{n[0]}{_STRUCT_FMT[base.str][1]}"
        end = o + ft.itemsize
    return struct.Struct(fmt), off


class AdcsCycle:
    """The inputs and outputs of ADCS cycles (:meth:`GuidanceCore.adcs_cycle`)
    in place: the core's input struct (gnc_adcs_in), which the caller fills
    member by member as its inputs arrive and keeps from cycle to cycle, and
    the output struct (gnc_adcs_out) the cycle writes.

    :meth:`setter` and :meth:`getter` give plain functions that pack into and
    unpack from the structs (native layout, taken from the C types); a member
    never set is zero, except the quaternions (``q_st_BN``, ``q_target_BN``,
    ``q_heads``), which start at identity."""

    def __init__(self) -> None:
        self._in = CStruct("gnc_adcs_in")
        self._out = CStruct("gnc_adcs_out")
        self.inp, self.out = self._in.cdata, self._out.cdata  # the C structs (cffi)
        self.pkt = ffi.new("uint8_t[]", WHEEL_CMD_LEN)        # the cycle's WHEEL_CMD
        self._pkt = ffi.buffer(self.pkt)
        for name, n in (("q_st_BN", 1), ("q_target_BN", 1), ("q_heads", ST_HEADS_MAX)):
            self.setter(name)(*(_Q1 * n))
        #: ``f(age)``: the input ``target_age`` (s)
        self.set_target_age = self.setter("target_age")

    def setter(self, first: str, last: str | None = None) -> Callable[..., None]:
        """``f(*values)`` writing the input members ``first`` to ``last``
        (flattened, in order; integers as int)."""
        st, off = _span(self._in, first, last or first)
        return functools.partial(st.pack_into, self._in._buffer, off)

    def item_setter(self, name: str, start: int, count: int) -> Callable[..., None]:
        """``f(*values)`` writing ``count`` elements of the array member
        ``name`` from element ``start`` on (a head's quaternion in ``q_heads``)."""
        ft, off = self._in.dtype.fields[name][:2]
        if ft.subdtype is None or not 0 <= start <= start + count <= ft.subdtype[1][0]:
            raise ValueError(f"{name}: no elements {start}..{start + count - 1}")
        base = ft.subdtype[0]
        st = struct.Struct(f"@{count}{_STRUCT_FMT[base.str][1]}")
        return functools.partial(st.pack_into, self._in._buffer, off + start * base.itemsize)

    def getter(self, first: str, last: str | None = None) -> Callable[[], tuple[Any, ...]]:
        """``f()`` reading the output members ``first`` to ``last`` as a
        flat tuple of Python floats and ints."""
        st, off = _span(self._out, first, last or first)
        return functools.partial(st.unpack_from, self._out._buffer, off)

    def inputs(self) -> Result:
        """A copy of the input struct (member values by name)."""
        return self._in.result()

    def result(self) -> Result:
        """A copy of the output struct as the step's :class:`Result`."""
        return self._out.result()

    def set_result(self, res: Result) -> None:
        """Write a step's outputs (a ``gnc_adcs_out`` :class:`Result`)."""
        if res._dtype != self._out.dtype:
            raise GncInputError("adcs_cycle: not a gnc_adcs_out result")
        self._out._buffer[:] = res._b

    def packet(self) -> bytes:
        """The WHEEL_CMD packet of the last cycle."""
        return self._pkt[:]

    # -- the sensor packets read straight into the inputs (gnc_adcs_sensors.h) --
    def sensors(self, heads: int, wheels: int, st_max_age: float, sun_max_age: float) -> None:
        """Start a reader of the sensor packets into these inputs: ``heads``
        star-tracker heads, ``wheels`` wheels, fixes and sun samples older
        than the ages (s) at a cycle not used (gnc_adcs_sensors_init). Its
        state is :attr:`sens` (``heads_valid``, ``st_t``, ``st_seen``, ...)."""
        sens = ffi.new("gnc_adcs_sensors *")
        check(lib.gnc_adcs_sensors_init(sens, heads, wheels, st_max_age, sun_max_age),
              "adcs_sensors_init")
        self.sens = sens
        self._room(64)
        self._unread = ffi.new("int *")
        self._step_status = ffi.new("int *")
        self._read_c, self._cycle_c = lib.gnc_adcs_sensors_read, lib.gnc_adcs_sensors_cycle

    def _room(self, n: int) -> None:
        """Status and length buffers for ``n`` packets (the lengths are
        written into a kept C array: a list argument costs a conversion)."""
        self._cap = n
        self._status = ffi.new("uint8_t[]", n)
        self._lens = ffi.new("size_t[]", n)
        self._lens_mv = size_view(self._lens)

    def _lengths(self, packets: list[bytes]) -> int:
        """The packets' lengths written into the length buffer (grown to
        hold them); returns their number."""
        n = len(packets)
        if n > self._cap:
            self._room(n)
        lens = self._lens_mv
        for i, p in enumerate(packets):
            lens[i] = len(p)
        return n

    def _unread_of(self, packets: list[bytes], status: Any = None) -> list[bytes]:
        """Of ``packets``, those the read refused (its ``status``: the
        buffer it wrote, by default this cycle's latest)."""
        if status is None:
            status = self._status
        return [p for i, p in enumerate(packets) if status[i]]

    def read(self, packets: list[bytes]) -> list[bytes]:
        """Read whole space packets (GYRO, STAR_TRACKER, SUN_SENSOR,
        MAGNETOMETER, GPS, WHEEL_TACH), in order, into the inputs and the
        reader's state (gnc_adcs_sensors_read); returns those not read (a
        length, CRC or header the dictionary's parser refuses; another
        APID), in order."""
        n = self._lengths(packets)
        st = self._read_c(self.sens, self.inp, b"".join(packets), self._lens, n, self._status,
                          self._unread)
        if st:
            check(st, "adcs_sensors_read")
        return self._unread_of(packets) if self._unread[0] else []

    def sense(self, packets: list[bytes], t: float) -> list[bytes]:
        """:meth:`read`, then the cycle's sensor inputs at time ``t`` (TAI s:
        ``time_tai``, the validity flags, the fresh heads' mask; the
        reader's per-cycle marks cleared; gnc_adcs_sensors_cycle)."""
        n = self._lengths(packets)
        st = self._cycle_c(self.sens, self.inp, b"".join(packets), self._lens, n, t,
                           self._status, self._unread)
        if st:
            check(st, "adcs_sensors_cycle")
        return self._unread_of(packets) if self._unread[0] else []


class Adcs:
    """The ADCS step on a caller-owned C context: MEKF, guidance (slew,
    target pointing, sun-safe attitude), control (PD, detumble, damping,
    unloading) and actuator allocation with wheel torque/momentum and dipole
    limits, the wheels' minimum-norm allocation and the wheel check.

    ``step`` returns a :class:`Result` with (gnc_adcs_out): ``q_BN`` estimate,
    ``w_B`` rad/s, ``bias_B`` rad/s, ``q_ref_BN``, ``w_ref_B`` rad/s,
    ``att_error`` rad (to the commanded target), ``ref_error`` rad (to the
    reference), ``torque_B`` N m (applied control torque), ``wheel_torque``
    N m (body momentum rate commanded, dh_w/dt), ``wheel_cmd`` N m (per wheel,
    clipped), ``h_body`` N m s and ``h_norm`` (wheel momentum from the
    tachometers), ``dipole_B`` A m^2, ``sigma`` (MEKF 1-sigma), ``mode`` (mode
    flown), ``flags`` (:class:`AdcsFlag`), ``wheel_checked`` and ``wheel_bad``
    (wheel check masks)."""

    def __init__(self, config: AdcsConfig | None = None) -> None:
        self.config = config or AdcsConfig()
        self._ctx = ffi.new("gnc_adcs *")
        c = ffi.new("gnc_adcs_config *")
        _fill_config(c, self.config)
        check(lib.gnc_adcs_init(self._ctx, c), "adcs_init")
        self._default_wheels = self.config.default_wheels()
        self._in = CStruct("gnc_adcs_in")
        self._out = CStruct("gnc_adcs_out")
        self._pin, self._pout = self._in.cdata, self._out.cdata
        self._off_b = ffi.offsetof("gnc_adcs_in", "q_target_BN")
        self._off_c = ffi.offsetof("gnc_adcs_in", "q_heads")
        if (_IN.size != ffi.sizeof("gnc_adcs_in") or _IN_A.size != self._off_b
                or self._off_b + _IN_B.size != self._off_c
                or self._off_c + _IN_C.size != _IN.size):
            raise RuntimeError("gnc_adcs_in layout changed: update attitude._IN, _IN_A/B/C")
        self._buf = ffi.buffer(self._pin)
        # a sensor marked invalid keeps its last value in the struct (never read by the core)
        self._g: Any = (0.0, 0.0, 0.0)
        self._q: Any = (1.0, 0.0, 0.0, 0.0)
        self._m: Any = (0.0, 0.0, 0.0)
        self._qh = _Q1 * ST_HEADS_MAX
        self._step = lib.gnc_adcs_step
        self._cycle = lib.gnc_adcs_cycle
        self._sense_run = lib.gnc_adcs_sensors_run

    def reset(self) -> None:
        """Forget the estimate and the guidance state."""
        check(lib.gnc_adcs_reset(self._ctx), "adcs_reset")

    def step(self, inp: AdcsInput) -> Result:
        """One control cycle (period ``config.dt``)."""
        hw = inp.h_wheel
        if hw is not None and not self._default_wheels:
            raise GncInputError("adcs_step: h_wheel needs the default wheel set "
                                "(three body-axis wheels of DEFAULT_WHEEL_INERTIA)")
        g, q, m = inp.gyro_B, inp.q_st_BN, inp.mag_B
        gv, stv, mv = g is not None, q is not None, m is not None
        if not gv:
            g = self._g
        if not stv:
            q = self._q
        if not mv:
            m = self._m
        sb = inp.sun_B
        sv = sb is not None
        # The common case in one pass: each vector unpacked to its exact length
        # (numpy's as plain floats: they pack faster than numpy scalars), which
        # checks the lengths without a len() each. Anything else (a short
        # list or array of wheel speeds, a bad length or value) takes
        # _pack_checked, the validated path, which packs the same bytes or
        # raises its errors. (An iterator without len() of the right length,
        # which that path refuses, is taken here.)
        nd, ws = np.ndarray, inp.wheel_speed
        qt, rt, vt = inp.q_target_BN, inp.r_target_N, inp.v_target_N
        sn, nrm, rn = inp.sun_N, inp.normal_N, inp.r_N
        try:
            qh, hm = inp.heads_packed() if inp.heads else (self._qh, 0)
            g0, g1, g2 = g.tolist() if type(g) is nd else g
            q0, q1, q2, q3 = q.tolist() if type(q) is nd else q
            m0, m1, m2 = m.tolist() if type(m) is nd else m
            if hw is None:
                w0, w1, w2, w3, w4, w5 = (ws.tolist() if type(ws) is nd else
                                          ws + _ZERO_WHEELS[len(ws):]
                                          if type(ws) is tuple and len(ws) < WHEELS_MAX else ws)
            else:
                w0, w1, w2 = hw.tolist() if type(hw) is nd else hw
                # exact: DEFAULT_WHEEL_INERTIA is 2^-11
                w0, w1, w2 = (w0 / DEFAULT_WHEEL_INERTIA, w1 / DEFAULT_WHEEL_INERTIA,
                              w2 / DEFAULT_WHEEL_INERTIA)
                w3 = w4 = w5 = 0.0
            t0, t1, t2, t3 = qt.tolist() if type(qt) is nd else qt
            r0, r1, r2 = rt.tolist() if type(rt) is nd else rt
            v0, v1, v2 = vt.tolist() if type(vt) is nd else vt
            s0, s1, s2 = sn.tolist() if type(sn) is nd else sn
            n0, n1, n2 = nrm.tolist() if type(nrm) is nd else nrm
            b0, b1, b2 = (0.0, 0.0, 0.0) if not sv else sb.tolist() if type(sb) is nd else sb
            p0, p1, p2 = rn.tolist() if type(rn) is nd else rn
            buf = self._buf
            _IN_A.pack_into(buf, 0, g0, g1, g2, q0, q1, q2, q3, m0, m1, m2,
                            w0, w1, w2, w3, w4, w5)
            _IN_B.pack_into(buf, self._off_b, t0, t1, t2, t3, r0, r1, r2, v0, v1, v2,
                            inp.target_age, s0, s1, s2, n0, n1, n2,
                            inp.wheel_ok, bool(inp.tach_new), stv, mv, gv, inp.mode)
            _IN_C.pack_into(buf, self._off_c, *qh, b0, b1, b2, p0, p1, p2, inp.time_tai, hm, sv)
        except (ValueError, TypeError, OverflowError, struct.error, GncInputError):
            self._pack_checked(inp, g, q, m, gv, stv, mv)
        self._g, self._q, self._m = g, q, m  # what an invalid sensor leaves in the struct
        st = self._step(self._ctx, self._pin, self._pout)
        if st:
            check(st, "adcs_step")
        return self._out.result()

    def cycle(self, cyc: AdcsCycle, seq: int) -> bytes:
        """One control cycle on the inputs in ``cyc``, its outputs written
        there, and its WHEEL_CMD packet (sequence count ``seq``, stamped
        ``time_tai``; gnc_adcs_cycle): the same outputs as :meth:`step`, the
        same octets as the packet dictionary builds."""
        try:
            st = self._cycle(self._ctx, cyc.inp, seq, cyc.out, cyc.pkt)
        except (AttributeError, TypeError, OverflowError) as exc:
            raise GncInputError(f"adcs_cycle: bad input: {exc}") from None
        if st:
            check(st, "adcs_cycle")
        return cyc._pkt[:]

    def runner(self, cyc: AdcsCycle,
               report: Callable[[list[bytes]], None]) -> Callable[[list[bytes], float, float, int],
                                                                  bytes]:
        """The whole of an ADCS task's cycle on ``cyc`` (which has a sensor
        reader: :meth:`AdcsCycle.sensors`) as one function
        ``run(packets, t, target_age, seq)``, one native call
        (gnc_adcs_sensors_step): :meth:`AdcsCycle.sense` (``packets`` at
        time ``t``), the input ``target_age``, then :meth:`cycle` (``seq``).
        The packets the reader refused go to ``report`` (in order) before
        the cycle's error, if any, is raised; ``run`` returns the WHEEL_CMD
        packet. It flies this ADCS: a new one (LocalCore.adcs_configure)
        needs a new runner."""
        if getattr(cyc, "sens", None) is None:
            raise GncInputError("adcs_runner: the cycle has no sensor reader "
                                "(AdcsCycle.sensors)")
        # the arguments that stay the same, held in one C struct (a pointer
        # argument costs about as much to pass as a short Python statement):
        # gnc_adcs_sensors_run is gnc_adcs_sensors_step on them
        r = ffi.new("gnc_adcs_run *")
        r.s, r.ctx, r.inp, r.out, r.wheel_cmd = cyc.sens, self._ctx, cyc.inp, cyc.out, cyc.pkt
        # the reader's buffers, rebound when a call brings more packets than
        # they hold (AdcsCycle._room; the refusals are read back from the
        # status buffer this call wrote); the lengths are written through a
        # memoryview of the C array (a cdata item or slice costs more)
        cap, lens, lens_mv, status = cyc._cap, cyc._lens, cyc._lens_mv, cyc._status
        r.lens, r.status, r.cap = lens, status, cap
        # the two counts the call writes back (unread, step_status), side by side
        off = ffi.offsetof("gnc_adcs_run", "unread")
        if ffi.offsetof("gnc_adcs_run", "step_status") != off + ffi.sizeof("int"):
            raise RuntimeError("gnc_adcs_run: unread and step_status not side by side")
        counts = memoryview(ffi.buffer(r)).cast("B")[off:off + 2 * ffi.sizeof("int")].cast("i")
        run_c, wheel_cmd, join = self._sense_run, cyc._pkt, b"".join
        # what r points into stays alive with run (held by run itself: cyc
        # may be given a new reader, or another ADCS's runner, and this ADCS
        # may be dropped by its core while run flies it)
        keep = (cyc.sens, self._ctx, cyc.inp, cyc.out, cyc.pkt)

        def run(packets: list[bytes], t: float, target_age: float, seq: int) -> bytes:
            nonlocal cap, lens, lens_mv, status
            try:
                n = len(packets)
                if n > cap:
                    cyc._room(n)
                    cap, lens, lens_mv, status = cyc._cap, cyc._lens, cyc._lens_mv, cyc._status
                    r.lens, r.status, r.cap = lens, status, cap
                for i, p in enumerate(packets):
                    lens_mv[i] = len(p)
                st = run_c(r, join(packets), n, t, target_age, seq)
            except (TypeError, OverflowError) as exc:
                raise GncInputError(f"adcs_cycle: bad input: {exc}") from None
            if st:
                check(st, "adcs_sensors_cycle")
            if counts[0]:
                report(cyc._unread_of(packets, status))
            st = counts[1]
            if st:
                check(st, "adcs_cycle")
            return wheel_cmd[:]

        run.__dict__["keep"] = keep
        return run

    def _pack_checked(self, inp: AdcsInput, g: Any, q: Any, m: Any, gv: bool, stv: bool,
                      mv: bool) -> None:
        """Pack ``inp`` into the C input struct with every length checked
        first (GncInputError naming the first bad member)."""
        if inp.h_wheel is None:
            ws = inp.wheel_speed
            if type(ws) is tuple and len(ws) < WHEELS_MAX:
                ws = ws + _ZERO_WHEELS[len(ws):]  # plain floats: packed below as they are
            elif len(ws) != WHEELS_MAX:
                try:
                    ws = _padded(ws, WHEELS_MAX, "wheel_speed")
                except (ValueError, TypeError) as exc:
                    raise GncInputError(f"adcs_step: bad input: {exc}") from None
        else:
            h = inp.h_wheel
            if type(h) is np.ndarray:
                h = h.tolist()
            if len(h) != 3:
                raise GncInputError(f"adcs_step: bad input: h_wheel needs 3 values, got {len(h)}")
            ws = (h[0] / DEFAULT_WHEEL_INERTIA, h[1] / DEFAULT_WHEEL_INERTIA,  # exact: 2^-11
                  h[2] / DEFAULT_WHEEL_INERTIA, 0.0, 0.0, 0.0)
        qt, rt, vt = inp.q_target_BN, inp.r_target_N, inp.v_target_N
        sn, nrm = inp.sun_N, inp.normal_N
        qh, hm = inp.heads_packed() if inp.heads else (self._qh, 0)
        sb, rn = inp.sun_B, inp.r_N
        sv = sb is not None
        if not sv:
            sb = (0.0, 0.0, 0.0)
        nd = np.ndarray  # plain floats pack faster than numpy scalars
        try:
            if (len(g) != 3 or len(q) != 4 or len(m) != 3 or len(ws) != WHEELS_MAX
                    or len(qt) != 4 or len(rt) != 3 or len(vt) != 3 or len(sn) != 3
                    or len(nrm) != 3):
                raise ValueError(_which_length(g, q, m, ws, qt, rt, vt, sn, nrm))
            _IN.pack_into(
                self._buf, 0,
                *(g.tolist() if type(g) is nd else g), *(q.tolist() if type(q) is nd else q),
                *(m.tolist() if type(m) is nd else m), *(ws.tolist() if type(ws) is nd else ws),
                *(qt.tolist() if type(qt) is nd else qt), *(rt.tolist() if type(rt) is nd else rt),
                *(vt.tolist() if type(vt) is nd else vt), inp.target_age,
                *(sn.tolist() if type(sn) is nd else sn),
                *(nrm.tolist() if type(nrm) is nd else nrm),
                inp.wheel_ok, bool(inp.tach_new), stv, mv, gv, inp.mode,
                *qh, *(sb.tolist() if type(sb) is nd else sb),
                *(rn.tolist() if type(rn) is nd else rn), inp.time_tai, hm, sv)
        except (ValueError, TypeError, OverflowError, struct.error) as exc:
            raise GncInputError(f"adcs_step: bad input: {exc}") from None
