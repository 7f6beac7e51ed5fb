"""``GuidanceCore``: the one interface through which flight-software tasks
call the guidance core, with two interchangeable back ends.

- :class:`LocalCore`: the C core in this process through cffi.
- :class:`PacketCore`: the same calls as request/response space packets
  (dictionary ``GNC_*_REQ`` / ``GNC_*_RESP``, fsw/packets/defs/gnc.py) over a
  *link*, any object with ``transact(request: bytes, timeout: float) ->
  bytes``: the board's serial link (hil/, injected by the composition root:
  fsw never imports hil) or :class:`~fsw.core.dispatch.DispatchLink`
  in-process. Both back ends return bitwise identical results.

Stateful calls (ADCS, MEKF, relative navigation) keep their state in the
core's contexts (in this process or on the board): ``*_configure`` first,
then ``*_step`` each cycle. Everything else is a pure function. Units and
frames as in :mod:`fsw.core.attitude`, :mod:`fsw.core.orbit`,
:mod:`fsw.core.relative`, :mod:`fsw.core.relnav`.
"""

from __future__ import annotations

import abc
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike

from fsw.core import attitude, orbit, relative, relnav
from fsw.core._ffi import check
from fsw.core._struct import Result, dataclass_fields
from fsw.core.attitude import AdcsConfig, AdcsInput, MekfConfig
from fsw.core.errors import GncPacketError, GncStateError
from fsw.core.relative import GlideslopePlan
from fsw.core.relnav import RelnavConfig

__all__ = ["GuidanceCore", "Link", "LocalCore", "PacketCore"]

_Z3 = (0.0, 0.0, 0.0)


class Link(Protocol):
    """What :class:`PacketCore` needs of a link to a guidance core."""

    def transact(self, request: bytes, timeout: float) -> bytes: ...


class GuidanceCore(abc.ABC):
    """The guidance-core calls the tasks make (ADCS, propulsion, autonomy)."""

    # -- attitude (ADCS task, 10 Hz) ------------------------------------------
    @abc.abstractmethod
    def adcs_configure(self, config: AdcsConfig) -> None:
        """Configure and reset the ADCS step."""

    @abc.abstractmethod
    def adcs_reset(self) -> None:
        """Forget the attitude estimate and guidance state."""

    @abc.abstractmethod
    def adcs_step(self, inp: AdcsInput) -> Result:
        """One control cycle (gnc_adcs_out fields, see :class:`attitude.Adcs`)."""

    @abc.abstractmethod
    def mekf_configure(self, config: MekfConfig) -> None:
        """Configure the stand-alone MEKF."""

    @abc.abstractmethod
    def mekf_reset(self, q_BN: ArrayLike, bias: ArrayLike = _Z3) -> None:
        """Start the MEKF at ``q_BN`` with gyro ``bias`` (rad/s)."""

    @abc.abstractmethod
    def mekf_step(self, dt: float, gyro: ArrayLike, q_st: ArrayLike | None = None) -> Result:
        """One MEKF step (gnc_mekf_out fields, see :class:`attitude.Mekf`)."""

    # -- relative navigation (navigation, 1 Hz) -----------------------------------
    @abc.abstractmethod
    def relnav_configure(self, config: RelnavConfig) -> None:
        """Configure the relative-navigation EKF."""

    @abc.abstractmethod
    def relnav_reset(self, x0: ArrayLike, P0: ArrayLike) -> None:
        """Start the EKF at Hill state ``x0`` (m, m/s) with covariance ``P0``."""

    @abc.abstractmethod
    def relnav_step(self, dt: float, meas: ArrayLike | None = None,
                    dv: ArrayLike = _Z3) -> Result:
        """One EKF step (gnc_relnav_out fields, see :class:`relnav.Relnav`)."""

    # -- rendezvous guidance (propulsion, autonomy) -------------------------------
    @abc.abstractmethod
    def cw_targeting(self, n: float, x0: ArrayLike, r_f: ArrayLike, tof: float,
                     v_f: ArrayLike = _Z3) -> tuple[np.ndarray, np.ndarray]:
        """Two-impulse CW transfer ``(dv1, dv2)`` (:func:`relative.cw_two_impulse`)."""

    @abc.abstractmethod
    def glideslope(self, n: float, x0: ArrayLike, r_T: ArrayLike, rate0: float,
                   rate_T: float, pulses: int) -> GlideslopePlan:
        """Hablani glideslope plan (:func:`relative.glideslope`)."""

    @abc.abstractmethod
    def safety_ellipse(self, n: float, radial_amp: float, cross_amp: float,
                       along_center: float = 0.0, phase: float = 0.0) -> np.ndarray:
        """Safety-ellipse initial state (:func:`relative.safety_ellipse`)."""

    @abc.abstractmethod
    def closest_approach(self, n: float, x0: ArrayLike, horizon: float
                         ) -> tuple[float, float, np.ndarray]:
        """``(t_ca, d_ca, r_ca)`` of free CW motion (:func:`relative.closest_approach`)."""

    # -- orbit mechanics --------------------------------------------------------------
    @abc.abstractmethod
    def kepler(self, r0: ArrayLike, v0: ArrayLike, dt: float, mu: float = orbit.MU_EARTH
               ) -> tuple[np.ndarray, np.ndarray]:
        """Two-body propagation (:func:`orbit.kepler`)."""

    @abc.abstractmethod
    def lambert(self, r1: ArrayLike, r2: ArrayLike, tof: float, mu: float = orbit.MU_EARTH,
                nrev: int = 0, long_way: bool = False, branch: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
        """Lambert's problem (:func:`orbit.lambert`)."""

    @abc.abstractmethod
    def coe_from_rv(self, r: ArrayLike, v: ArrayLike, mu: float = orbit.MU_EARTH
                    ) -> np.ndarray:
        """Classical elements (:func:`orbit.coe_from_rv`)."""

    @abc.abstractmethod
    def rv_from_coe(self, coe: ArrayLike, mu: float = orbit.MU_EARTH
                    ) -> tuple[np.ndarray, np.ndarray]:
        """Cartesian state (:func:`orbit.rv_from_coe`)."""

    @abc.abstractmethod
    def j2_rates(self, a: float, e: float, i: float, mu: float = orbit.MU_EARTH,
                 j2: float = orbit.J2_EARTH, r_eq: float = orbit.R_EARTH) -> np.ndarray:
        """J2 secular rates (:func:`orbit.j2_rates`)."""


class LocalCore(GuidanceCore):
    """The C core in this process (cffi)."""

    def __init__(self) -> None:
        self._adcs: attitude.Adcs | None = None
        self._mekf: attitude.Mekf | None = None
        self._relnav: relnav.Relnav | None = None

    @staticmethod
    def _need(obj: Any, what: str) -> Any:
        if obj is None:
            raise GncStateError(f"{what}: not configured", 9)
        return obj

    def adcs_configure(self, config: AdcsConfig) -> None:
        self._adcs = attitude.Adcs(config)

    def adcs_reset(self) -> None:
        self._need(self._adcs, "adcs_reset").reset()

    def adcs_step(self, inp: AdcsInput) -> Result:
        return self._need(self._adcs, "adcs_step").step(inp)

    def mekf_configure(self, config: MekfConfig) -> None:
        self._mekf = attitude.Mekf(config)

    def mekf_reset(self, q_BN: ArrayLike, bias: ArrayLike = _Z3) -> None:
        self._need(self._mekf, "mekf_reset").reset(q_BN, bias)

    def mekf_step(self, dt: float, gyro: ArrayLike, q_st: ArrayLike | None = None) -> Result:
        return self._need(self._mekf, "mekf_step").step(dt, gyro, q_st)

    def relnav_configure(self, config: RelnavConfig) -> None:
        self._relnav = relnav.Relnav(config)

    def relnav_reset(self, x0: ArrayLike, P0: ArrayLike) -> None:
        self._need(self._relnav, "relnav_reset").reset(x0, P0)

    def relnav_step(self, dt: float, meas: ArrayLike | None = None,
                    dv: ArrayLike = _Z3) -> Result:
        return self._need(self._relnav, "relnav_step").step(dt, meas, dv)

    def cw_targeting(self, n: float, x0: ArrayLike, r_f: ArrayLike, tof: float,
                     v_f: ArrayLike = _Z3) -> tuple[np.ndarray, np.ndarray]:
        return relative.cw_two_impulse(n, x0, r_f, tof, v_f)

    def glideslope(self, n: float, x0: ArrayLike, r_T: ArrayLike, rate0: float,
                   rate_T: float, pulses: int) -> GlideslopePlan:
        return relative.glideslope(n, x0, r_T, rate0, rate_T, pulses)

    def safety_ellipse(self, n: float, radial_amp: float, cross_amp: float,
                       along_center: float = 0.0, phase: float = 0.0) -> np.ndarray:
        return relative.safety_ellipse(n, radial_amp, cross_amp, along_center, phase)

    def closest_approach(self, n: float, x0: ArrayLike, horizon: float
                         ) -> tuple[float, float, np.ndarray]:
        return relative.closest_approach(n, x0, horizon)

    def kepler(self, r0: ArrayLike, v0: ArrayLike, dt: float, mu: float = orbit.MU_EARTH
               ) -> tuple[np.ndarray, np.ndarray]:
        return orbit.kepler(r0, v0, dt, mu)

    def lambert(self, r1: ArrayLike, r2: ArrayLike, tof: float, mu: float = orbit.MU_EARTH,
                nrev: int = 0, long_way: bool = False, branch: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
        return orbit.lambert(r1, r2, tof, mu, nrev, long_way, branch)

    def coe_from_rv(self, r: ArrayLike, v: ArrayLike, mu: float = orbit.MU_EARTH) -> np.ndarray:
        return orbit.coe_from_rv(r, v, mu)

    def rv_from_coe(self, coe: ArrayLike, mu: float = orbit.MU_EARTH
                    ) -> tuple[np.ndarray, np.ndarray]:
        return orbit.rv_from_coe(coe, mu)

    def j2_rates(self, a: float, e: float, i: float, mu: float = orbit.MU_EARTH,
                 j2: float = orbit.J2_EARTH, r_eq: float = orbit.R_EARTH) -> np.ndarray:
        return orbit.j2_rates(a, e, i, mu, j2, r_eq)


def _wire(value: Any) -> Any:
    """A field value as the dictionary builds it: float or tuple of floats."""
    a = np.asarray(value, dtype=np.float64).reshape(-1)
    return float(a[0]) if a.shape == (1,) and np.ndim(value) == 0 else tuple(a.tolist())


class PacketCore(GuidanceCore):
    """The core behind request/response packets over ``link``.

    ``clock`` gives the TAI time stamped on requests (the response echoes it,
    with the sequence count, which is checked). Link and packet failures
    raise :class:`~fsw.core.errors.GncPacketError`; a nonzero status in a
    response raises the same typed error the local core would."""

    def __init__(self, link: Link, timeout: float = 1.0, clock: Any = None) -> None:
        from fsw.packets import DICTIONARY

        self.link = link
        self.timeout = timeout
        self._clock = clock or (lambda: 0.0)
        self._dict = DICTIONARY
        self._seq = 0

    def _rpc(self, name: str, **fields: Any) -> Any:
        from fsw.packets import PacketError

        req = self._dict[f"GNC_{name}_REQ"]
        resp = self._dict[f"GNC_{name}_RESP"]
        seq = self._seq
        self._seq = (seq + 1) & 0x3FFF
        try:
            raw = req.build(t_tai=float(self._clock()), seq=seq,
                            **{k: _wire(v) for k, v in fields.items()})
            rec = resp.parse(self.link.transact(raw, self.timeout))
        except PacketError as exc:
            raise GncPacketError(f"{name}: {exc}", 6) from exc
        if rec.seq != seq:
            raise GncPacketError(f"{name}: response sequence {rec.seq}, expected {seq}", 6)
        check(int(rec.status), name.lower())
        return rec

    def _result(self, name: str, cname: str, **fields: Any) -> Result:
        return Result.from_fields(cname, self._rpc(name, **fields)._asdict())

    def adcs_configure(self, config: AdcsConfig) -> None:
        self._rpc("ADCS_CONFIG", **dataclass_fields(config))

    def adcs_reset(self) -> None:
        self._rpc("ADCS_RESET")

    def adcs_step(self, inp: AdcsInput) -> Result:
        return self._result("ADCS_STEP", "gnc_adcs_out", **inp.fields())

    def mekf_configure(self, config: MekfConfig) -> None:
        self._rpc("MEKF_CONFIG", **dataclass_fields(config))

    def mekf_reset(self, q_BN: ArrayLike, bias: ArrayLike = _Z3) -> None:
        self._rpc("MEKF_RESET", q_BN=q_BN, bias=bias)

    def mekf_step(self, dt: float, gyro: ArrayLike, q_st: ArrayLike | None = None) -> Result:
        return self._result("MEKF_STEP", "gnc_mekf_out", dt=dt, gyro=gyro,
                            q_st=(1.0, 0.0, 0.0, 0.0) if q_st is None else q_st,
                            st_valid=int(q_st is not None))

    def relnav_configure(self, config: RelnavConfig) -> None:
        self._rpc("RELNAV_CONFIG", **dataclass_fields(config))

    def relnav_reset(self, x0: ArrayLike, P0: ArrayLike) -> None:
        self._rpc("RELNAV_RESET", x0=x0, P0=P0)

    def relnav_step(self, dt: float, meas: ArrayLike | None = None,
                    dv: ArrayLike = _Z3) -> Result:
        return self._result("RELNAV_STEP", "gnc_relnav_out", dt=dt, dv=dv,
                            meas=_Z3 if meas is None else meas,
                            meas_valid=int(meas is not None))

    def cw_targeting(self, n: float, x0: ArrayLike, r_f: ArrayLike, tof: float,
                     v_f: ArrayLike = _Z3) -> tuple[np.ndarray, np.ndarray]:
        r = self._rpc("CW_TARGETING", n=n, x0=x0, r_f=r_f, v_f=v_f, tof=tof)
        return np.array(r.dv1), np.array(r.dv2)

    def glideslope(self, n: float, x0: ArrayLike, r_T: ArrayLike, rate0: float,
                   rate_T: float, pulses: int) -> GlideslopePlan:
        res = self._result("GLIDESLOPE", "gnc_glideslope_plan", n=n, x0=x0, r_T=r_T,
                           rate0=rate0, rate_T=rate_T, pulses=int(pulses))
        return GlideslopePlan.from_result(res)

    def safety_ellipse(self, n: float, radial_amp: float, cross_amp: float,
                       along_center: float = 0.0, phase: float = 0.0) -> np.ndarray:
        r = self._rpc("SAFETY_ELLIPSE", n=n, radial_amp=radial_amp, cross_amp=cross_amp,
                      along_center=along_center, phase=phase)
        return np.array(r.x0)

    def closest_approach(self, n: float, x0: ArrayLike, horizon: float
                         ) -> tuple[float, float, np.ndarray]:
        r = self._rpc("CLOSEST_APPROACH", n=n, x0=x0, horizon=horizon)
        return float(r.t_ca), float(r.d_ca), np.array(r.r_ca)

    def kepler(self, r0: ArrayLike, v0: ArrayLike, dt: float, mu: float = orbit.MU_EARTH
               ) -> tuple[np.ndarray, np.ndarray]:
        r = self._rpc("KEPLER", mu=mu, r0=r0, v0=v0, dt=dt)
        return np.array(r.r), np.array(r.v)

    def lambert(self, r1: ArrayLike, r2: ArrayLike, tof: float, mu: float = orbit.MU_EARTH,
                nrev: int = 0, long_way: bool = False, branch: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
        r = self._rpc("LAMBERT", mu=mu, r1=r1, r2=r2, tof=tof, nrev=int(nrev),
                      long_way=int(bool(long_way)), branch=int(branch))
        return np.array(r.v1), np.array(r.v2)

    def coe_from_rv(self, r: ArrayLike, v: ArrayLike, mu: float = orbit.MU_EARTH) -> np.ndarray:
        return np.array(self._rpc("COE_FROM_RV", mu=mu, r=r, v=v).coe)

    def rv_from_coe(self, coe: ArrayLike, mu: float = orbit.MU_EARTH
                    ) -> tuple[np.ndarray, np.ndarray]:
        r = self._rpc("RV_FROM_COE", mu=mu, coe=coe)
        return np.array(r.r), np.array(r.v)

    def j2_rates(self, a: float, e: float, i: float, mu: float = orbit.MU_EARTH,
                 j2: float = orbit.J2_EARTH, r_eq: float = orbit.R_EARTH) -> np.ndarray:
        return np.array(self._rpc("J2_RATES", mu=mu, j2=j2, r_eq=r_eq, a=a, e=e, i=i).rates)
