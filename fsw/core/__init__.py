"""The guidance core as the flight software sees it: numpy in and out, C
status codes raised as typed exceptions (:mod:`fsw.core.errors`).

Tasks use ONE interface, :class:`GuidanceCore` (:mod:`fsw.core.guidance`),
handed to them by the composition root:

- ``LocalCore()``: the C core in this process (cffi);
- ``PacketCore(link)``: the same calls as request/response space packets
  (``GNC_*_REQ`` / ``GNC_*_RESP``, APIDs 0x200-0x211 / 0x240-0x251) over any
  ``link.transact(request: bytes, timeout: float) -> bytes``: the board's
  serial link (hil/) or ``DispatchLink()`` in-process. Results are bitwise
  identical to LocalCore's.

Conventions: SI units; N inertial (GCRF/J2000), B body, Hill frame of the
target (x radial out, y along-track, z orbit normal); quaternions scalar
first, Hamilton, ``q_BN`` maps inertial to body (``v_B = R(q_BN) v_N``).

The calls (all methods of :class:`GuidanceCore`)::

    core.adcs_configure(AdcsConfig(...))       # ADCS task, once
    out = core.adcs_step(AdcsInput(mode=AdcsMode.POINT, gyro_B=..., q_st_BN=...,
                                   mag_B=..., h_wheel=..., q_target_BN=...))
    out.wheel_torque, out.dipole_B             # N m (dh_w/dt), A m^2: actuator commands
    out.q_BN, out.w_B, out.att_error, out.flags  # estimate, rad/s, rad, AdcsFlag bits
    core.mekf_configure(MekfConfig()); core.mekf_reset(q_BN); core.mekf_step(dt, gyro, q_st)
    core.relnav_configure(RelnavConfig(n=...)); core.relnav_reset(x0, P0)
    nav = core.relnav_step(dt, meas=[range_m, az_rad, el_rad], dv=dv_hill)  # nav.x, nav.P
    dv1, dv2 = core.cw_targeting(n, x0, r_f, tof)          # m/s, Hill
    plan = core.glideslope(n, x0, r_T, rate0, rate_T, pulses)  # plan.t, plan.dv
    x0 = core.safety_ellipse(n, radial_amp, cross_amp, along_center, phase)
    t_ca, d_ca, r_ca = core.closest_approach(n, x0, horizon)
    r, v = core.kepler(r0, v0, dt);  v1, v2 = core.lambert(r1, r2, tof, nrev=..)
    coe = core.coe_from_rv(r, v);  r, v = core.rv_from_coe(coe);  core.j2_rates(a, e, i)

Step results are :class:`~fsw.core._struct.Result` objects (attribute access
by the C member name; see :class:`attitude.Adcs`, :class:`attitude.Mekf`,
:class:`relnav.Relnav` for the fields and units). Modules with the direct
functions: :mod:`quaternion`, :mod:`attitude`, :mod:`orbit`, :mod:`relative`,
:mod:`relnav`; the packet path: :mod:`dispatch`, :mod:`packet_layout`.
"""

from fsw.core import attitude, orbit, quaternion, relative, relnav
from fsw.core.errors import GncError
from fsw.core.guidance import GuidanceCore, LocalCore, PacketCore

__all__ = ["GncError", "GuidanceCore", "LocalCore", "PacketCore", "attitude", "orbit",
           "quaternion", "relative", "relnav"]
