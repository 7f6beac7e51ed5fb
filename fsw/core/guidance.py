"""``GuidanceCore``: the one interface through which flight-software tasks
call the guidance core, with two interchangeable back ends.

- :class:`LocalCore`: the C core in this process through cffi.
- :class:`PacketCore`: the same calls as request/response space packets
  (dictionary ``GNC_*_REQ`` / ``GNC_*_RESP``, fsw/packets/defs/gnc.py) over a
  *link*, any object with ``transact(request: bytes, timeout: float) ->
  bytes``: the board's serial link (hil/, injected by the composition root:
  fsw never imports hil) or :class:`~fsw.core.dispatch.DispatchLink`
  in-process. Both back ends return bitwise identical results.

Stateful calls (ADCS, MEKF, relative navigation, the navigation cycle, the
propulsion arithmetic) keep their state in the core's contexts (in this
process or on the board): ``*_configure`` first, then ``*_step`` each cycle.
Everything else is a pure function. Units and frames as in
:mod:`fsw.core.attitude`, :mod:`fsw.core.orbit`, :mod:`fsw.core.relative`,
:mod:`fsw.core.relnav`, :mod:`fsw.core.ephem`, :mod:`fsw.core.nav`,
:mod:`fsw.core.prop`.

The calls added for the tasks (#13) return plain Python floats and tuples of
them (never numpy arrays), so a task needs no numpy; stateful steps return a
:class:`~fsw.core._struct.Result`.
"""

from __future__ import annotations

import abc
import sys
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike

from fsw.core import attitude, ephem, nav, orbit, phasing, prop, relative, relnav, safety
from fsw.core._ffi import check
from fsw.core._struct import Result, dataclass_fields
from fsw.core.attitude import AdcsConfig, AdcsCycle, AdcsInput, MekfConfig
from fsw.core.ephem import EphemConfig
from fsw.core.errors import GncError, GncInputError, GncPacketError, GncRangeError, GncStateError
from fsw.core.nav import NavConfig, NavInput, NavRun
from fsw.core.phasing import PhasingPlan
from fsw.core.prop import PropConfig
from fsw.core.relative import CwFlag, GlideslopePlan
from fsw.core.relnav import RelnavConfig
from fsw.core.safety import DriftModel, DriftResult, FacePlan, InspectionChoice

__all__ = ["GuidanceCore", "Link", "LocalCore", "PacketCore"]

_Z3 = (0.0, 0.0, 0.0)
T3 = tuple[float, float, float]
T4 = tuple[float, float, float, float]
T6 = tuple[float, float, float, float, float, float]


def _tup(a: Any) -> Any:
    """A vector as a tuple of Python floats."""
    return tuple(float(x) for x in a)


#: the ADCS task's cycle (GuidanceCore.adcs_runner): (sensor packets, t,
#: target_age, WHEEL_CMD sequence count) -> the WHEEL_CMD packet
AdcsRun = Callable[[list[bytes], float, float, int], bytes]


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
    def adcs_cycle(self, cyc: AdcsCycle, seq: int) -> bytes:
        """One control cycle on the inputs kept in ``cyc``, its outputs
        written there, and the cycle's WHEEL_CMD packet (sequence count
        ``seq``, stamped with the input ``time_tai``): the outputs
        :meth:`adcs_step` gives on the same inputs, the packet the dictionary
        builds of their ``wheel_cmd`` (gnc_adcs_cycle)."""

    def adcs_runner(self, cyc: AdcsCycle, report: Callable[[list[bytes]], None]) -> AdcsRun:
        """The ADCS task's whole cycle as one function
        ``run(packets, t, target_age, seq)``: the sensor packets read into
        ``cyc``'s inputs at time ``t`` (:meth:`AdcsCycle.sense`, on this
        side: ``cyc`` has a sensor reader), those it refused handed to
        ``report`` (in order), the input ``target_age`` (s) set, then
        :meth:`adcs_cycle` with sequence count ``seq``, whose WHEEL_CMD
        packet it returns and whose errors it raises (after the report).
        A back end may do it all in one call (:class:`LocalCore`); make the
        runner after :meth:`adcs_configure` (and again after another)."""

        def run(packets: list[bytes], t: float, target_age: float, seq: int) -> bytes:
            unread = cyc.sense(packets, t)
            if unread:
                report(unread)
            cyc.set_target_age(target_age)
            return self.adcs_cycle(cyc, seq)

        return run

    @abc.abstractmethod
    def mekf_configure(self, config: MekfConfig) -> None:
        """Configure the stand-alone MEKF."""

    @abc.abstractmethod
    def mekf_reset(self, q_BN: ArrayLike, bias: ArrayLike = _Z3) -> None:
        """Start the MEKF at ``q_BN`` with gyro ``bias`` (rad/s)."""

    @abc.abstractmethod
    def mekf_step(self, dt: float, gyro: ArrayLike, q_st: ArrayLike | None = None,
                  heads: dict[int, ArrayLike] | None = None) -> Result:
        """One MEKF step (gnc_mekf_out fields, see :class:`attitude.Mekf`);
        ``heads``: the star-tracker heads' fresh attitudes ``{head: q_BN}``."""

    # -- relative navigation (navigation, 1 Hz) -----------------------------------
    @abc.abstractmethod
    def relnav_configure(self, config: RelnavConfig) -> None:
        """Configure the relative-navigation EKF."""

    @abc.abstractmethod
    def relnav_reset(self, x0: ArrayLike, P0: ArrayLike) -> None:
        """Start the EKF at Hill state ``x0`` (m, m/s) with covariance ``P0``."""

    @abc.abstractmethod
    def relnav_step(self, dt: float, meas: ArrayLike | None = None,
                    dv: ArrayLike = _Z3,
                    ref: tuple[ArrayLike, ArrayLike] | None = None,
                    bearing_only: bool = False, dv_dt: float = 0.0) -> Result:
        """One EKF step (gnc_relnav_out fields, see :class:`relnav.Relnav`;
        ``ref``: the target's inertial state at the start of the step;
        ``bearing_only``: ``meas`` has no range; ``dv_dt``: the step's start
        minus the time ``dv`` was delivered)."""

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

    @abc.abstractmethod
    def lambert_min_tof(self, r1: ArrayLike, r2: ArrayLike, nrev: int,
                        mu: float = orbit.MU_EARTH, long_way: bool = False) -> float:
        """Minimum time of flight of an nrev-revolution transfer (:func:`orbit.lambert_min_tof`)."""

    # -- navigation (navigation task, 1 Hz) ----------------------------------------
    @abc.abstractmethod
    def nav_configure(self, config: NavConfig) -> None:
        """Configure and reset the navigation cycle (:class:`nav.Nav`)."""

    @abc.abstractmethod
    def nav_set_target(self, r_N: ArrayLike, v_N: ArrayLike, t: float) -> None:
        """Load the target's orbit (m, m/s, GCRF at TAI ``t``); forgets the estimate."""

    @abc.abstractmethod
    def nav_step(self, inp: NavInput) -> Result:
        """One navigation cycle (gnc_nav_out fields, see :class:`nav.Nav`)."""

    def nav_runner(self) -> NavRun:
        """:meth:`nav_step` as one function of :class:`NavInput`'s fields
        (keywords, its defaults) returning the output's ``Result.flat()``
        ``(values, index)``: the same cycle, the same errors. A back end may
        make it cheaper (:class:`LocalCore`: no NavInput or Result per
        cycle). Ask for it at each cycle: it follows :meth:`nav_configure`
        and a replaced :meth:`nav_step`."""

        def run(**fields: Any) -> tuple[tuple[Any, ...], Mapping[str, int | slice]]:
            return self.nav_step(NavInput(**fields)).flat()

        return run

    # -- propulsion arithmetic (propulsion task) ---------------------------------------
    @abc.abstractmethod
    def prop_configure(self, config: PropConfig) -> None:
        """Configure the thruster layout (:class:`prop.Prop`)."""

    @abc.abstractmethod
    def prop_partners(self) -> tuple[int, ...]:
        """Each thruster's torque-cancelling partner (itself when alone)."""

    @abc.abstractmethod
    def prop_select(self, ok_mask: int, q_BN: ArrayLike, dv_N: ArrayLike
                    ) -> tuple[T3, int, int]:
        """``(axis_B, group_mask, n_fire)`` of the group nearest the Delta-v."""

    @abc.abstractmethod
    def prop_burn_attitude(self, axis_B: ArrayLike, dv_N: ArrayLike, normal_N: ArrayLike
                           ) -> T4:
        """The burn attitude ``q_BN`` (:meth:`prop.Prop.burn_attitude`)."""

    @abc.abstractmethod
    def prop_fire(self, n_fire: int, thrust: float, mass: float, remaining: float,
                  dt: float) -> tuple[float, float, float]:
        """One firing cycle ``(on s, dv m/s, dm kg)``; on = 0: the burn is done."""

    @abc.abstractmethod
    def prop_offpulse(self, on_time: ArrayLike, torque_B: ArrayLike, thrust: float,
                      mass: float, q_BN: ArrayLike
                      ) -> tuple[tuple[float, ...], T3, float, T3]:
        """Off-pulsing of a firing cycle: ``(on_time per thruster s, dv_N m/s,
        dm kg, torque made N m)`` (:meth:`fsw.core.prop.Prop.offpulse`)."""

    @abc.abstractmethod
    def prop_translate(self, ok_mask: int, q_BN: ArrayLike, rem_N: ArrayLike, thrust: float,
                       mass: float, dt: float
                       ) -> tuple[tuple[float, ...], tuple[float, float, float], float]:
        """One cycle of a translation in the current attitude (no slew):
        ``(on_time per thruster s, dv_N m/s, dm kg)``, all zero when the burn is
        done; GncDomainError when the layout cannot make ``rem_N`` from ``q_BN``."""

    @abc.abstractmethod
    def prop_duration(self, n_fire: int, thrust: float, mass: float, dv: float) -> float:
        """Burn duration (s)."""

    @abc.abstractmethod
    def prop_accel(self, dv_B: ArrayLike, dt: float, bias_B: ArrayLike, q_BN: ArrayLike
                   ) -> tuple[float, float, float]:
        """An accelerometer sample in GCRF, its bias removed:
        ``R(q_BN)^T (dv_B - bias_B dt)`` (m/s)."""

    @abc.abstractmethod
    def prop_rate_residuals(self, w_B: ArrayLike, w0_B: ArrayLike) -> tuple[float, float]:
        """``(|w_B|, |w_B - w0_B|)`` (rad/s): the idle and firing monitors' residuals."""

    @abc.abstractmethod
    def prop_pulse_response(self, level_in: ArrayLike, on: ArrayLike, n: int, dt: float,
                            rise: float, tail: float
                            ) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """A firing cycle's thrust with the thrusters' rise and tail-off:
        ``(level_out, on_eff)`` per thruster slot (:func:`prop.pulse_response`)."""

    @abc.abstractmethod
    def prop_test_response(self, i: int, thrust: float, pulse: float, dw_B: ArrayLike
                           ) -> tuple[T3, float]:
        """``(expected_B, ratio)`` of thruster ``i``'s test pulse."""

    @abc.abstractmethod
    def prop_com_update(self, N: ArrayLike, b: ArrayLike, F: ArrayLike, y: ArrayLike,
                        min_impulse: float, max_offset: float
                        ) -> tuple[tuple[float, ...], T3, T3, int]:
        """One translation into the centre-of-mass least squares
        ``F x delta = y``: ``(N, b, est, used)`` (:func:`prop.com_update`)."""

    @abc.abstractmethod
    def prop_com_torque(self, N: ArrayLike, est: ArrayLike, F: ArrayLike, noise: float
                        ) -> tuple[T3, T3]:
        """A force's torque about the learnt centre of mass and its
        uncertainty: ``(known, sigma)`` (:func:`prop.com_torque`)."""

    # -- relative-motion planning (autonomy) -----------------------------------------
    @abc.abstractmethod
    def curvilinear_from_hill(self, R: float, x: ArrayLike) -> T6:
        """A Hill state in curvilinear coordinates about radius ``R``
        (:func:`relative.curvilinear_from_hill`)."""

    @abc.abstractmethod
    def curvilinear_dv_to_hill(self, R: float, c: ArrayLike, dv_c: ArrayLike) -> T3:
        """A curvilinear velocity change in Hill axes
        (:func:`relative.curvilinear_dv_to_hill`)."""

    @abc.abstractmethod
    def cw_propagate(self, n: float, x0: ArrayLike, t: float) -> T6:
        """Free CW motion over ``t`` s (:func:`relative.cw_propagate`)."""

    @abc.abstractmethod
    def cw_transfer(self, n: float, x0: ArrayLike, r_f: ArrayLike, tof: float
                    ) -> tuple[T3, T3, CwFlag]:
        """``(v_dep, v_arr, flags)`` of a CW transfer (:func:`relative.cw_transfer`)."""

    @abc.abstractmethod
    def cw_best_transfer(self, n: float, x0: ArrayLike, r_f: ArrayLike, v_f: ArrayLike,
                         tof_min: float, tof_max: float, tof_step: float,
                         min_range: float = 0.0) -> tuple[float, T3, T3]:
        """``(tof, dv1, dv2)`` of the least-Delta-v transfer time on a grid."""

    @abc.abstractmethod
    def nmc_state(self, n: float, radius: float, phase: float) -> T6:
        """A state on the constant-range circumnavigation (:func:`relative.nmc_state`)."""

    @abc.abstractmethod
    def nmc_velocity(self, n: float, r: ArrayLike) -> T3:
        """The velocity of the centred relative orbit through ``r``."""

    @abc.abstractmethod
    def cw_avoidance(self, n: float, x0: ArrayLike, dv_mag: float, horizon: float
                     ) -> tuple[T3, float]:
        """``(dv, d_min)``: the collision-avoidance impulse (:func:`relative.cw_avoidance`)."""

    # -- ephemerides -------------------------------------------------------------------
    @abc.abstractmethod
    def hill_to_inertial_at(self, r_t: ArrayLike, v_t: ArrayLike, n: float, dt: float,
                            a_H: ArrayLike) -> T3:
        """A vector in the Hill axes ``dt`` s later, in GCRF (:func:`ephem.hill_to_inertial_at`)."""

    @abc.abstractmethod
    def sun_direction(self, t_tai: float) -> T3:
        """Unit Earth-to-sun vector, GCRF (:func:`ephem.sun_direction`)."""

    @abc.abstractmethod
    def eclipse(self, r_N: ArrayLike, s_N: ArrayLike, r_eq: float = orbit.R_EARTH) -> float:
        """Sunlit fraction at ``r_N`` (:func:`ephem.eclipse`)."""

    # -- far-range phasing ---------------------------------------------------------------
    @abc.abstractmethod
    def phasing_plan(self, config: EphemConfig, r_c: ArrayLike, v_c: ArrayLike, r_t: ArrayLike,
                     v_t: ArrayLike, t: float, t_first: float, t_arrive: float,
                     aim_behind: float, aim_below: float, max_delta_a: float) -> PhasingPlan:
        """The two Hohmann pairs from far behind the target to the aim, on the
        on-board model ``config`` (:func:`phasing.plan`; GncRangeError, with
        the figures, when the drift needs more than ``max_delta_a``)."""

    # -- passive safety ----------------------------------------------------------------
    @abc.abstractmethod
    def drift_screen(self, model: DriftModel, r_t: ArrayLike, v_t: ArrayLike,
                     x_rel: ArrayLike, P: ArrayLike | None = None) -> DriftResult:
        """The missed-burn screen (:func:`safety.drift_screen`)."""

    @abc.abstractmethod
    def inspection_phase(self, n: float, radial_amp: float, cross_amp: float, r_t: ArrayLike,
                         v_t: ArrayLike, dt: float, span: float, s_N: ArrayLike,
                         max_phase: float, r_eq: float = orbit.R_EARTH,
                         faces: FacePlan | None = None) -> InspectionChoice:
        """The inspection's phase from the light and the target's faces
        (:func:`safety.inspection_phase`)."""

    @abc.abstractmethod
    def mag_dipole(self, t_tai: float, r_N: ArrayLike) -> T3:
        """On-board geomagnetic field model, T, GCRF (:func:`attitude.mag_dipole`)."""

    @abc.abstractmethod
    def triad(self, v1_B: ArrayLike, v2_B: ArrayLike, v1_N: ArrayLike,
              v2_N: ArrayLike) -> tuple[float, float, float, float]:
        """``q_BN`` from two direction pairs (:func:`attitude.triad`)."""

    @abc.abstractmethod
    def orbit_check(self, r: ArrayLike, v: ArrayLike, mu: float = orbit.MU_EARTH,
                    r_eq: float = orbit.R_EARTH) -> None:
        """Raise the typed error of an implausible state (:func:`ephem.orbit_check`)."""


class LocalCore(GuidanceCore):
    """The C core in this process (cffi)."""

    def __init__(self) -> None:
        self._adcs: attitude.Adcs | None = None
        self._mekf: attitude.Mekf | None = None
        self._relnav: relnav.Relnav | None = None
        self._nav: nav.Nav | None = None
        self._prop: prop.Prop | None = None

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

    def adcs_cycle(self, cyc: AdcsCycle, seq: int) -> bytes:
        adcs = self._adcs  # every cycle: no _need call
        if adcs is None:
            raise GncStateError("adcs_cycle: not configured", 9)
        return adcs.cycle(cyc, seq)

    def adcs_runner(self, cyc: AdcsCycle, report: Callable[[list[bytes]], None]) -> AdcsRun:
        adcs = self._adcs
        if adcs is None or type(self).adcs_cycle is not LocalCore.adcs_cycle:
            # not configured (adcs_cycle says so), or a subclass's own cycle
            return super().adcs_runner(cyc, report)
        return adcs.runner(cyc, report)

    def mekf_configure(self, config: MekfConfig) -> None:
        self._mekf = attitude.Mekf(config)

    def mekf_reset(self, q_BN: ArrayLike, bias: ArrayLike = _Z3) -> None:
        self._need(self._mekf, "mekf_reset").reset(q_BN, bias)

    def mekf_step(self, dt: float, gyro: ArrayLike, q_st: ArrayLike | None = None,
                  heads: dict[int, ArrayLike] | None = None) -> Result:
        return self._need(self._mekf, "mekf_step").step(dt, gyro, q_st, heads)

    def relnav_configure(self, config: RelnavConfig) -> None:
        self._relnav = relnav.Relnav(config)

    def relnav_reset(self, x0: ArrayLike, P0: ArrayLike) -> None:
        self._need(self._relnav, "relnav_reset").reset(x0, P0)

    def relnav_step(self, dt: float, meas: ArrayLike | None = None,
                    dv: ArrayLike = _Z3,
                    ref: tuple[ArrayLike, ArrayLike] | None = None,
                    bearing_only: bool = False, dv_dt: float = 0.0) -> Result:
        return self._need(self._relnav, "relnav_step").step(dt, meas, dv, ref, bearing_only, dv_dt)

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

    def lambert_min_tof(self, r1: ArrayLike, r2: ArrayLike, nrev: int,
                        mu: float = orbit.MU_EARTH, long_way: bool = False) -> float:
        return orbit.lambert_min_tof(r1, r2, nrev, mu, long_way)

    def nav_configure(self, config: NavConfig) -> None:
        self._nav = nav.Nav(config)

    def nav_set_target(self, r_N: ArrayLike, v_N: ArrayLike, t: float) -> None:
        self._need(self._nav, "nav_set_target").set_target(r_N, v_N, t)

    def nav_step(self, inp: NavInput) -> Result:
        return self._need(self._nav, "nav_step").step(inp)

    def nav_runner(self) -> NavRun:
        n = self._nav
        if n is None or type(self).nav_step is not LocalCore.nav_step \
                or "nav_step" in self.__dict__:
            # not configured (nav_step says so), or a nav_step of its own
            return super().nav_runner()
        return n.run

    def prop_configure(self, config: PropConfig) -> None:
        self._prop = prop.Prop(config)

    def prop_partners(self) -> tuple[int, ...]:
        return self._need(self._prop, "prop_partners").partners()

    def prop_select(self, ok_mask: int, q_BN: ArrayLike, dv_N: ArrayLike
                    ) -> tuple[T3, int, int]:
        return self._need(self._prop, "prop_select").select(ok_mask, q_BN, dv_N)

    def prop_burn_attitude(self, axis_B: ArrayLike, dv_N: ArrayLike, normal_N: ArrayLike
                           ) -> T4:
        return self._need(self._prop, "prop_burn_attitude").burn_attitude(axis_B, dv_N,
                                                                          normal_N)

    def prop_fire(self, n_fire: int, thrust: float, mass: float, remaining: float,
                  dt: float) -> tuple[float, float, float]:
        return self._need(self._prop, "prop_fire").fire(n_fire, thrust, mass, remaining, dt)

    def prop_offpulse(self, on_time: ArrayLike, torque_B: ArrayLike, thrust: float,
                      mass: float, q_BN: ArrayLike
                      ) -> tuple[tuple[float, ...], T3, float, T3]:
        return self._need(self._prop, "prop_offpulse").offpulse(on_time, torque_B, thrust,
                                                                mass, q_BN)

    def prop_translate(self, ok_mask: int, q_BN: ArrayLike, rem_N: ArrayLike, thrust: float,
                       mass: float, dt: float
                       ) -> tuple[tuple[float, ...], tuple[float, float, float], float]:
        return self._need(self._prop, "prop_translate").translate(ok_mask, q_BN, rem_N, thrust,
                                                                  mass, dt)

    def prop_duration(self, n_fire: int, thrust: float, mass: float, dv: float) -> float:
        return self._need(self._prop, "prop_duration").duration(n_fire, thrust, mass, dv)

    def prop_accel(self, dv_B: ArrayLike, dt: float, bias_B: ArrayLike, q_BN: ArrayLike
                   ) -> tuple[float, float, float]:
        return prop.accel_inertial(dv_B, dt, bias_B, q_BN)

    def prop_rate_residuals(self, w_B: ArrayLike, w0_B: ArrayLike) -> tuple[float, float]:
        return prop.rate_residuals(w_B, w0_B)

    def prop_pulse_response(self, level_in: ArrayLike, on: ArrayLike, n: int, dt: float,
                            rise: float, tail: float
                            ) -> tuple[tuple[float, ...], tuple[float, ...]]:
        return prop.pulse_response(level_in, on, n, dt, rise, tail)

    def prop_test_response(self, i: int, thrust: float, pulse: float, dw_B: ArrayLike
                           ) -> tuple[T3, float]:
        return self._need(self._prop, "prop_test_response").test_response(i, thrust, pulse,
                                                                          dw_B)

    def prop_com_update(self, N: ArrayLike, b: ArrayLike, F: ArrayLike, y: ArrayLike,
                        min_impulse: float, max_offset: float
                        ) -> tuple[tuple[float, ...], T3, T3, int]:
        return prop.com_update(N, b, F, y, min_impulse, max_offset)

    def prop_com_torque(self, N: ArrayLike, est: ArrayLike, F: ArrayLike, noise: float
                        ) -> tuple[T3, T3]:
        return prop.com_torque(N, est, F, noise)

    def curvilinear_from_hill(self, R: float, x: ArrayLike) -> T6:
        return _tup(relative.curvilinear_from_hill(R, x))

    def curvilinear_dv_to_hill(self, R: float, c: ArrayLike, dv_c: ArrayLike) -> T3:
        return _tup(relative.curvilinear_dv_to_hill(R, c, dv_c))

    def cw_propagate(self, n: float, x0: ArrayLike, t: float) -> T6:
        return _tup(relative.cw_propagate(n, x0, t))

    def cw_transfer(self, n: float, x0: ArrayLike, r_f: ArrayLike, tof: float
                    ) -> tuple[T3, T3, CwFlag]:
        vd, va, fl = relative.cw_transfer(n, x0, r_f, tof)
        return _tup(vd), _tup(va), fl

    def cw_best_transfer(self, n: float, x0: ArrayLike, r_f: ArrayLike, v_f: ArrayLike,
                         tof_min: float, tof_max: float, tof_step: float,
                         min_range: float = 0.0) -> tuple[float, T3, T3]:
        t, d1, d2 = relative.cw_best_transfer(n, x0, r_f, v_f, tof_min, tof_max, tof_step,
                                              min_range)
        return t, _tup(d1), _tup(d2)

    def nmc_state(self, n: float, radius: float, phase: float) -> T6:
        return _tup(relative.nmc_state(n, radius, phase))

    def nmc_velocity(self, n: float, r: ArrayLike) -> T3:
        return _tup(relative.nmc_velocity(n, r))

    def cw_avoidance(self, n: float, x0: ArrayLike, dv_mag: float, horizon: float
                     ) -> tuple[T3, float]:
        dv, d = relative.cw_avoidance(n, x0, dv_mag, horizon)
        return _tup(dv), d

    def hill_to_inertial_at(self, r_t: ArrayLike, v_t: ArrayLike, n: float, dt: float,
                            a_H: ArrayLike) -> T3:
        return _tup(ephem.hill_to_inertial_at(r_t, v_t, n, dt, a_H))

    def sun_direction(self, t_tai: float) -> T3:
        return _tup(ephem.sun_direction(t_tai))

    def eclipse(self, r_N: ArrayLike, s_N: ArrayLike, r_eq: float = orbit.R_EARTH) -> float:
        return ephem.eclipse(r_N, s_N, r_eq)

    def phasing_plan(self, config: EphemConfig, r_c: ArrayLike, v_c: ArrayLike, r_t: ArrayLike,
                     v_t: ArrayLike, t: float, t_first: float, t_arrive: float,
                     aim_behind: float, aim_below: float, max_delta_a: float) -> PhasingPlan:
        return phasing.plan(config, r_c, v_c, r_t, v_t, t, t_first, t_arrive, aim_behind,
                            aim_below, max_delta_a)

    def drift_screen(self, model: DriftModel, r_t: ArrayLike, v_t: ArrayLike,
                     x_rel: ArrayLike, P: ArrayLike | None = None) -> DriftResult:
        return safety.drift_screen(model, r_t, v_t, x_rel, P)

    def inspection_phase(self, n: float, radial_amp: float, cross_amp: float, r_t: ArrayLike,
                         v_t: ArrayLike, dt: float, span: float, s_N: ArrayLike,
                         max_phase: float, r_eq: float = orbit.R_EARTH,
                         faces: FacePlan | None = None) -> InspectionChoice:
        return safety.inspection_phase(n, radial_amp, cross_amp, r_t, v_t, dt, span, s_N,
                                       max_phase, r_eq, faces)

    def mag_dipole(self, t_tai: float, r_N: ArrayLike) -> T3:
        return _tup(attitude.mag_dipole(t_tai, r_N))

    def triad(self, v1_B: ArrayLike, v2_B: ArrayLike, v1_N: ArrayLike,
              v2_N: ArrayLike) -> tuple[float, float, float, float]:
        q = attitude.triad(v1_B, v2_B, v1_N, v2_N)
        return (float(q[0]), float(q[1]), float(q[2]), float(q[3]))

    def orbit_check(self, r: ArrayLike, v: ArrayLike, mu: float = orbit.MU_EARTH,
                    r_eq: float = orbit.R_EARTH) -> None:
        ephem.orbit_check(r, v, mu, r_eq)


#: the largest finite double: a bound that bounds nothing
_NO_BOUND = sys.float_info.max

#: Python scalar types a packet field takes as they are (as float)
_PLAIN = frozenset((float, int, bool))


def _wire(value: Any) -> Any:
    """A field value as the dictionary builds it: float or tuple of floats
    (plain floats and sequences of them as they are: the same values)."""
    t = type(value)
    if t is float:
        return value
    if t is int or t is bool:
        return float(value)
    if (t is tuple or t is list) and all(type(x) in _PLAIN for x in value):
        return tuple([float(x) for x in value])
    if t is np.ndarray and value.dtype == np.float64 and value.ndim == 1:
        return tuple(value.tolist())
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
        except PacketError as exc:
            raise GncPacketError(f"{name}: {exc}", 6) from exc
        rec = self._exchange(name, raw, seq, resp)
        check(int(rec.status), name.lower())
        return rec

    def _exchange(self, name: str, raw: bytes, seq: int, resp: Any) -> Any:
        """Send the request packet ``raw`` (sequence count ``seq``) once and
        return its parsed response (``resp``, a dictionary entry). A board
        back end overrides this to retry a lost exchange."""
        from fsw.packets import PacketError

        try:
            rec = resp.parse(self.link.transact(raw, self.timeout))
        except PacketError as exc:
            raise GncPacketError(f"{name}: {exc}", 6) from exc
        if rec.seq != seq:
            raise GncPacketError(f"{name}: response sequence {rec.seq}, expected {seq}", 6)
        return rec

    def _result(self, name: str, cname: str, **fields: Any) -> Result:
        return Result.from_fields(cname, self._rpc(name, **fields)._asdict())

    def adcs_configure(self, config: AdcsConfig) -> None:
        self._rpc("ADCS_CONFIG", **attitude.config_fields(config))
        self._default_wheels = config.default_wheels()

    def adcs_reset(self) -> None:
        self._rpc("ADCS_RESET")

    def adcs_step(self, inp: AdcsInput) -> Result:
        if inp.h_wheel is not None and not getattr(self, "_default_wheels", False):
            raise GncInputError("adcs_step: h_wheel needs the default wheel set "
                                "(three body-axis wheels of DEFAULT_WHEEL_INERTIA)")
        return self._result("ADCS_STEP", "gnc_adcs_out", **inp.fields())

    def adcs_cycle(self, cyc: AdcsCycle, seq: int) -> bytes:
        if not isinstance(cyc, AdcsCycle):
            raise GncInputError(f"adcs_cycle: {type(cyc).__name__} is not an AdcsCycle")
        rec = self._rpc("ADCS_CYCLE", wheel_seq=seq,
                        **{f"in_{k}": v for k, v in cyc.inputs().items()})._asdict()
        cyc.set_result(Result.from_fields(
            "gnc_adcs_out", {k[4:]: v for k, v in rec.items() if k.startswith("out_")}))
        return bytes(round(x) for x in rec["wheel_cmd"])

    def mekf_configure(self, config: MekfConfig) -> None:
        self._rpc("MEKF_CONFIG", **dataclass_fields(config))

    def mekf_reset(self, q_BN: ArrayLike, bias: ArrayLike = _Z3) -> None:
        self._rpc("MEKF_RESET", q_BN=q_BN, bias=bias)

    def mekf_step(self, dt: float, gyro: ArrayLike, q_st: ArrayLike | None = None,
                  heads: dict[int, ArrayLike] | None = None) -> Result:
        q_heads, mask = attitude.AdcsInput(heads=dict(heads or {})).heads_packed()
        return self._result("MEKF_STEP", "gnc_mekf_out", dt=dt, gyro=gyro,
                            q_st=(1.0, 0.0, 0.0, 0.0) if q_st is None else q_st,
                            st_valid=int(q_st is not None), q_heads=q_heads, head_mask=mask)

    def relnav_configure(self, config: RelnavConfig) -> None:
        self._rpc("RELNAV_CONFIG", **dataclass_fields(config))

    def relnav_reset(self, x0: ArrayLike, P0: ArrayLike) -> None:
        self._rpc("RELNAV_RESET", x0=x0, P0=P0)

    def relnav_step(self, dt: float, meas: ArrayLike | None = None,
                    dv: ArrayLike = _Z3,
                    ref: tuple[ArrayLike, ArrayLike] | None = None,
                    bearing_only: bool = False, dv_dt: float = 0.0) -> Result:
        return self._result("RELNAV_STEP", "gnc_relnav_out", dt=dt, dv=dv,
                            bearing_only=int(bearing_only), dv_dt=dv_dt,
                            meas=_Z3 if meas is None else meas,
                            meas_valid=int(meas is not None),
                            ref_r=_Z3 if ref is None else ref[0],
                            ref_v=_Z3 if ref is None else ref[1],
                            ref_valid=int(ref is not None))

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
        try:
            r = self._rpc("LAMBERT", mu=mu, r1=r1, r2=r2, tof=tof, nrev=int(nrev),
                          long_way=int(bool(long_way)), branch=int(branch))
        except GncPacketError:
            raise
        except GncError as exc:
            raise orbit.lambert_cause(exc, r1, r2, tof, nrev, long_way,
                                      lambda: self.lambert_min_tof(r1, r2, nrev, mu,
                                                                   long_way)) from None
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

    def lambert_min_tof(self, r1: ArrayLike, r2: ArrayLike, nrev: int,
                        mu: float = orbit.MU_EARTH, long_way: bool = False) -> float:
        return float(self._rpc("LAMBERT_MIN_TOF", r1=r1, r2=r2, mu=mu, nrev=int(nrev),
                               long_way=int(bool(long_way))).tof_min)

    def nav_configure(self, config: NavConfig) -> None:
        self._rpc("NAV_CONFIG", **dataclass_fields(config))

    def nav_set_target(self, r_N: ArrayLike, v_N: ArrayLike, t: float) -> None:
        self._rpc("NAV_SET_TARGET", r_N=r_N, v_N=v_N, t=t)

    def nav_step(self, inp: NavInput) -> Result:
        return self._result("NAV_STEP", "gnc_nav_out", **inp.fields())

    def prop_configure(self, config: PropConfig) -> None:
        self._rpc("PROP_CONFIG", **config.fields())

    def prop_partners(self) -> tuple[int, ...]:
        r = self._rpc("PROP_PARTNERS")
        return tuple(int(p) for p in r.partner[: int(r.count)])

    def prop_select(self, ok_mask: int, q_BN: ArrayLike, dv_N: ArrayLike
                    ) -> tuple[T3, int, int]:
        r = self._rpc("PROP_SELECT", ok_mask=int(ok_mask), q_BN=q_BN, dv_N=dv_N)
        return _tup(r.axis_B), int(r.group_mask), int(r.n_fire)

    def prop_burn_attitude(self, axis_B: ArrayLike, dv_N: ArrayLike, normal_N: ArrayLike
                           ) -> T4:
        return _tup(self._rpc("PROP_BURN_ATTITUDE", axis_B=axis_B, dv_N=dv_N,
                              normal_N=normal_N).q_BN)

    def prop_fire(self, n_fire: int, thrust: float, mass: float, remaining: float,
                  dt: float) -> tuple[float, float, float]:
        r = self._rpc("PROP_FIRE", n_fire=int(n_fire), thrust=thrust, mass=mass,
                      remaining=remaining, dt=dt)
        return float(r.on), float(r.dv), float(r.dm)

    def prop_offpulse(self, on_time: ArrayLike, torque_B: ArrayLike, thrust: float,
                      mass: float, q_BN: ArrayLike
                      ) -> tuple[tuple[float, ...], T3, float, T3]:
        r = self._rpc("PROP_OFFPULSE", on_time=on_time, torque_B=torque_B, thrust=thrust,
                      mass=mass, q_BN=q_BN)
        t, d = r.torque_B, r.dv_N
        return (tuple(float(x) for x in r.on_time), (float(d[0]), float(d[1]), float(d[2])),
                float(r.dm), (float(t[0]), float(t[1]), float(t[2])))

    def prop_translate(self, ok_mask: int, q_BN: ArrayLike, rem_N: ArrayLike, thrust: float,
                       mass: float, dt: float
                       ) -> tuple[tuple[float, ...], tuple[float, float, float], float]:
        r = self._rpc("PROP_TRANSLATE", ok_mask=int(ok_mask), q_BN=q_BN, rem_N=rem_N,
                      thrust=thrust, mass=mass, dt=dt)
        d = r.dv_N
        return (tuple(float(x) for x in r.on_time), (float(d[0]), float(d[1]), float(d[2])),
                float(r.dm))

    def prop_duration(self, n_fire: int, thrust: float, mass: float, dv: float) -> float:
        return float(self._rpc("PROP_DURATION", n_fire=int(n_fire), thrust=thrust, mass=mass,
                               dv=dv).duration)

    def prop_accel(self, dv_B: ArrayLike, dt: float, bias_B: ArrayLike, q_BN: ArrayLike
                   ) -> tuple[float, float, float]:
        r = self._rpc("PROP_ACCEL", dv_B=dv_B, dt=dt, bias_B=bias_B, q_BN=q_BN)
        return tuple(float(x) for x in r.dv_N)

    def prop_rate_residuals(self, w_B: ArrayLike, w0_B: ArrayLike) -> tuple[float, float]:
        r = self._rpc("PROP_RATE_RESIDUALS", w_B=w_B, w0_B=w0_B)
        return float(r.rate), float(r.change)

    def prop_pulse_response(self, level_in: ArrayLike, on: ArrayLike, n: int, dt: float,
                            rise: float, tail: float
                            ) -> tuple[tuple[float, ...], tuple[float, ...]]:
        r = self._rpc("PROP_PULSE_RESPONSE", level_in=level_in, on=on, n=int(n), dt=dt,
                      rise=rise, tail=tail)
        return _tup(r.level_out), _tup(r.on_eff)

    def prop_test_response(self, i: int, thrust: float, pulse: float, dw_B: ArrayLike
                           ) -> tuple[T3, float]:
        r = self._rpc("PROP_TEST_RESPONSE", i=int(i), thrust=thrust, pulse=pulse, dw_B=dw_B)
        return _tup(r.expected_B), float(r.ratio)

    def prop_com_update(self, N: ArrayLike, b: ArrayLike, F: ArrayLike, y: ArrayLike,
                        min_impulse: float, max_offset: float
                        ) -> tuple[tuple[float, ...], T3, T3, int]:
        r = self._rpc("PROP_COM_UPDATE", N=N, b=b, F=F, y=y, min_impulse=min_impulse,
                      max_offset=max_offset)
        return _tup(r.N), _tup(r.b), _tup(r.est), int(r.used)

    def prop_com_torque(self, N: ArrayLike, est: ArrayLike, F: ArrayLike, noise: float
                        ) -> tuple[T3, T3]:
        r = self._rpc("PROP_COM_TORQUE", N=N, est=est, F=F, noise=noise)
        return _tup(r.known), _tup(r.sigma)

    def curvilinear_from_hill(self, R: float, x: ArrayLike) -> T6:
        return _tup(self._rpc("CURVILINEAR_FROM_HILL", R=R, x=x).c)

    def curvilinear_dv_to_hill(self, R: float, c: ArrayLike, dv_c: ArrayLike) -> T3:
        return _tup(self._rpc("CURVILINEAR_DV_TO_HILL", R=R, c=c, dv_c=dv_c).dv_h)

    def cw_propagate(self, n: float, x0: ArrayLike, t: float) -> T6:
        return _tup(self._rpc("CW_PROPAGATE", n=n, x0=x0, t=t).x)

    def cw_transfer(self, n: float, x0: ArrayLike, r_f: ArrayLike, tof: float
                    ) -> tuple[T3, T3, CwFlag]:
        r = self._rpc("CW_TRANSFER", n=n, x0=x0, r_f=r_f, tof=tof)
        return _tup(r.v_dep), _tup(r.v_arr), CwFlag(int(r.flags))

    def cw_best_transfer(self, n: float, x0: ArrayLike, r_f: ArrayLike, v_f: ArrayLike,
                         tof_min: float, tof_max: float, tof_step: float,
                         min_range: float = 0.0) -> tuple[float, T3, T3]:
        r = self._rpc("CW_BEST_TRANSFER", n=n, x0=x0, r_f=r_f, v_f=v_f, tof_min=tof_min,
                      tof_max=tof_max, tof_step=tof_step, min_range=min_range)
        return float(r.tof), _tup(r.dv1), _tup(r.dv2)

    def nmc_state(self, n: float, radius: float, phase: float) -> T6:
        return _tup(self._rpc("NMC_STATE", n=n, radius=radius, phase=phase).x)

    def nmc_velocity(self, n: float, r: ArrayLike) -> T3:
        return _tup(self._rpc("NMC_VELOCITY", n=n, r=r).v)

    def cw_avoidance(self, n: float, x0: ArrayLike, dv_mag: float, horizon: float
                     ) -> tuple[T3, float]:
        r = self._rpc("CW_AVOIDANCE", n=n, x0=x0, dv_mag=dv_mag, horizon=horizon)
        return _tup(r.dv), float(r.d_min)

    def hill_to_inertial_at(self, r_t: ArrayLike, v_t: ArrayLike, n: float, dt: float,
                            a_H: ArrayLike) -> T3:
        return _tup(self._rpc("HILL_TO_INERTIAL_AT", r_t=r_t, v_t=v_t, n=n, dt=dt,
                              a_H=a_H).a_N)

    def sun_direction(self, t_tai: float) -> T3:
        return _tup(self._rpc("SUN_DIRECTION", t=t_tai).s_N)

    def eclipse(self, r_N: ArrayLike, s_N: ArrayLike, r_eq: float = orbit.R_EARTH) -> float:
        return float(self._rpc("ECLIPSE", r_N=r_N, s_N=s_N, r_eq=r_eq).lit)

    def phasing_plan(self, config: EphemConfig, r_c: ArrayLike, v_c: ArrayLike, r_t: ArrayLike,
                     v_t: ArrayLike, t: float, t_first: float, t_arrive: float,
                     aim_behind: float, aim_below: float, max_delta_a: float) -> PhasingPlan:
        fields = {f"ephem_{k}": v for k, v in dataclass_fields(config).items()}
        fields.update(in_r_c=r_c, in_v_c=v_c, in_r_t=r_t, in_v_t=v_t, in_t=t,
                      in_t_first=t_first, in_t_arrive=t_arrive, in_aim_behind=aim_behind,
                      in_aim_below=aim_below, in_max_delta_a=max_delta_a)
        try:
            return phasing.plan_of(self._rpc("PHASING_PLAN", **fields))
        except GncRangeError as exc:
            # a failed call's outputs come back zero: the figures that name the
            # cause are the same plan's with no bound on the semi-major axis
            fields["in_max_delta_a"] = _NO_BOUND
            figures = phasing.plan_of(self._rpc("PHASING_PLAN", **fields))
            raise phasing.plan_error(exc.status, figures, max_delta_a) from None

    def drift_screen(self, model: DriftModel, r_t: ArrayLike, v_t: ArrayLike,
                     x_rel: ArrayLike, P: ArrayLike | None = None) -> DriftResult:
        r = self._rpc("DRIFT_SCREEN", horizon=model.horizon, step=model.step,
                      bc_target=model.bc_target, bc_chaser=model.bc_chaser, rho0=model.rho0,
                      h0=model.h0, scale_h=model.scale_h, k_sigma=model.k_sigma, r_t=r_t,
                      v_t=v_t, x_rel=x_rel, P=[0.0] * 36 if P is None else np.ravel(P))
        return DriftResult(float(r.t_ca), float(r.d_ca), float(r.t_k), float(r.d_k),
                           float(r.sigma_k), float(r.rn_min))

    def inspection_phase(self, n: float, radial_amp: float, cross_amp: float, r_t: ArrayLike,
                         v_t: ArrayLike, dt: float, span: float, s_N: ArrayLike,
                         max_phase: float, r_eq: float = orbit.R_EARTH,
                         faces: FacePlan | None = None) -> InspectionChoice:
        f = faces or FacePlan()
        r = self._rpc("INSPECTION_PHASE", n=n, radial_amp=radial_amp, cross_amp=cross_amp,
                      r_t=r_t, v_t=v_t, dt=dt, span=span, s_N=s_N, max_phase=max_phase,
                      r_eq=r_eq, face_view=f.view, face_sun=f.sun, face_min=f.min_s,
                      good_min=f.good_min)
        return InspectionChoice(float(r.th0), float(r.good), float(r.lit), int(r.faces))

    def mag_dipole(self, t_tai: float, r_N: ArrayLike) -> T3:
        return _tup(self._rpc("MAG_DIPOLE", t=t_tai, r_N=r_N).b_N)

    def triad(self, v1_B: ArrayLike, v2_B: ArrayLike, v1_N: ArrayLike,
              v2_N: ArrayLike) -> tuple[float, float, float, float]:
        q = self._rpc("TRIAD", v1_B=v1_B, v2_B=v2_B, v1_N=v1_N, v2_N=v2_N).q_BN
        return (float(q[0]), float(q[1]), float(q[2]), float(q[3]))

    def orbit_check(self, r: ArrayLike, v: ArrayLike, mu: float = orbit.MU_EARTH,
                    r_eq: float = orbit.R_EARTH) -> None:
        self._rpc("ORBIT_CHECK", r=r, v=v, mu=mu, r_eq=r_eq)
