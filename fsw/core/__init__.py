"""The guidance core as the flight software sees it: numpy in and out, C
status codes raised as typed exceptions (:mod:`fsw.core.errors`).

Tasks use ONE interface, :class:`GuidanceCore` (:mod:`fsw.core.guidance`),
handed to them by the composition root:

- ``LocalCore()``: the C core in this process (cffi);
- ``PacketCore(link)``: the same calls as request/response space packets
  (``GNC_*_REQ`` / ``GNC_*_RESP``, APIDs 0x200-0x239 / 0x240-0x279) over any
  ``link.transact(request: bytes, timeout: float) -> bytes``: the board's
  serial link (hil/) or ``DispatchLink()`` in-process. Results are bitwise
  identical to LocalCore's.

Conventions: SI units; N inertial (GCRF/J2000), B body, Hill frame of the
target (x radial out, y along-track, z orbit normal); quaternions scalar
first, Hamilton, ``q_BN`` maps inertial to body (``v_B = R(q_BN) v_N``).

The calls (all methods of :class:`GuidanceCore`)::

    core.adcs_configure(AdcsConfig(wheel_count=4, wheel_axes_B=..., ...))  # ADCS, once
    out = core.adcs_step(AdcsInput(mode=AdcsMode.POINT, gyro_B=..., q_st_BN=...,
                                   mag_B=..., wheel_speed=..., tach_new=..., wheel_ok=...,
                                   q_target_BN=..., sun_N=..., normal_N=...))
    out.wheel_cmd, out.dipole_B                # N m per wheel, A m^2: actuator commands
    out.q_BN, out.w_B, out.att_error, out.flags  # estimate, rad/s, rad, AdcsFlag bits
    out.h_body, out.wheel_checked, out.wheel_bad  # wheel momentum, wheel check masks
    cyc = AdcsCycle(); cyc.setter("gyro_B")(wx, wy, wz)  # inputs kept in place (the task)
    pkt = core.adcs_cycle(cyc, seq)   # the step on them + its WHEEL_CMD packet (bytes)
    cyc.sensors(heads, wheels, st_age, sun_age)  # the sensor packets read into them
    run = core.adcs_runner(cyc, report)  # the task's whole cycle (one native call locally):
    pkt = run(packets, t, target_age, seq)  # read (refused ones to report), step, WHEEL_CMD
    core.mekf_configure(MekfConfig()); core.mekf_reset(q_BN); core.mekf_step(dt, gyro, q_st)
    core.relnav_configure(RelnavConfig(n=...)); core.relnav_reset(x0, P0)
    nav = core.relnav_step(dt, meas=[range_m, az_rad, el_rad], dv=dv_hill)  # nav.x, nav.P
    dv1, dv2 = core.cw_targeting(n, x0, r_f, tof)          # m/s, Hill
    plan = core.glideslope(n, x0, r_T, rate0, rate_T, pulses)  # plan.t, plan.dv
    x0 = core.safety_ellipse(n, radial_amp, cross_amp, along_center, phase)
    t_ca, d_ca, r_ca = core.closest_approach(n, x0, horizon)
    r, v = core.kepler(r0, v0, dt);  v1, v2 = core.lambert(r1, r2, tof, nrev=..)
    coe = core.coe_from_rv(r, v);  r, v = core.rv_from_coe(coe);  core.j2_rates(a, e, i)
    core.nav_configure(NavConfig(...)); core.nav_set_target(r_N, v_N, t)
    nav = core.nav_step(NavInput(t=.., gps_t=.., gps_r_N=.., gps_v_N=.., meas=.., q_BN=..))
    core.prop_configure(PropConfig(position_B=.., direction_B=..))
    axis_B, mask, n_fire = core.prop_select(ok_mask, q_BN, dv_N)
    q_BN = core.prop_burn_attitude(axis_B, dv_N, normal_N)
    on, dv, dm = core.prop_fire(n_fire, thrust, mass, remaining, dt)
    v_dep, v_arr, flags = core.cw_transfer(n, x0, r_f, tof)
    tof, dv1, dv2 = core.cw_best_transfer(n, x0, r_f, v_f, tof_min, tof_max, step, min_range)
    dv, d_min = core.cw_avoidance(n, x0, dv_mag, horizon);  x = core.nmc_state(n, radius, ph)
    s_N = core.sun_direction(t_tai);  lit = core.eclipse(r_N, s_N);  core.orbit_check(r, v)
    pl = core.phasing_plan(EphemConfig(), r_c, v_c, r_t, v_t, t, t_first, t_arrive,
                           aim_behind, aim_below, max_delta_a)  # pl.t_burn, pl.dv (PhasingPlan)

Orbit functions take the state, then the time, then mu (units checked:
:class:`~fsw.core.errors.GncUnitsError`); a failed Lambert call, and a
phasing plan whose drift needs too large a semi-major axis, name their cause
(``GncError.detail``). The calls added for the tasks return plain Python
floats and tuples, not numpy arrays.

Step results are :class:`~fsw.core._struct.Result` objects (attribute access
by the C member name; see :class:`attitude.Adcs`, :class:`attitude.Mekf`,
:class:`relnav.Relnav`, :class:`nav.Nav` for the fields and units). Modules
with the direct functions: :mod:`quaternion`, :mod:`attitude`, :mod:`orbit`,
:mod:`relative`, :mod:`relnav`, :mod:`ephem` (ephemerides, Hill frame, sun,
eclipse), :mod:`nav` (navigation cycle), :mod:`prop` (propulsion arithmetic),
:mod:`phasing` (far-range phasing);
the packet path: :mod:`dispatch`, :mod:`packet_layout`.
"""

from fsw.core import attitude, ephem, nav, orbit, prop, quaternion, relative, relnav
from fsw.core.errors import GncError
from fsw.core.guidance import GuidanceCore, LocalCore, PacketCore

__all__ = ["GncError", "GuidanceCore", "LocalCore", "PacketCore", "attitude", "ephem", "nav",
           "orbit", "prop", "quaternion", "relative", "relnav"]
