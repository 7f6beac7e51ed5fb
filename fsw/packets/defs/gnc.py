"""Guidance-core requests (APIDs 0x200-0x211) and responses (request + 0x40):
the packets :func:`gnc_dispatch` serves (native/include/gnc_dispatch.h), on
the board over serial or in-process.

Every field is a big-endian float64 (integers and flags too, exactly
representable). A request carries the members of one C struct of the core,
a response its status then the members of the output struct, in order;
:data:`C_STRUCTS` names them. native/src/gnc_packets.h is generated from
these declarations (``python -m fsw.core.packet_layout``) and tests/core
checks both against the C structs. Frames and units as in the core's
headers: N inertial, B body, Hill (x radial, y along-track, z normal).
"""

from __future__ import annotations

from fsw.packets.dictionary import Field, telemetry
from fsw.packets.types import F64, vec

#: Offset of a response APID from its request's.
RESPONSE_OFFSET = 0x40

_STATUS = Field("status", F64, "", "gnc_status of the call (0 = ok)")


def _f(name: str, n: int, unit: str, description: str) -> Field:
    return Field(name, F64 if n == 1 else vec(n), unit, description)


_MEKF_CONFIG = [
    ("gyro_arw", 1, "rad/s/sqrt(Hz)", "gyro angle random walk"),
    ("gyro_rrw", 1, "rad/s^2/sqrt(Hz)", "gyro bias rate random walk"),
    ("st_sigma", 1, "rad", "star-tracker 1-sigma per axis"),
    ("p0_att", 1, "rad", "initial attitude 1-sigma"),
    ("p0_bias", 1, "rad/s", "initial bias 1-sigma"),
]

_ADCS_CONFIG = [
    ("dt", 1, "s", "control period"),
    ("inertia", 9, "kg m^2", "inertia, body axes, row-major"),
    ("kp", 1, "N m/rad", "attitude gain"),
    ("kd", 1, "N m s/rad", "rate gain"),
    ("wheel_torque_max", 1, "N m", "per wheel"),
    ("wheel_momentum_max", 1, "N m s", "per wheel"),
    ("dipole_max", 1, "A m^2", "per magnetorquer"),
    ("bdot_gain", 1, "A m^2 s/T", "B-dot gain"),
    ("damp_gain", 1, "N m s/rad", "magnetorquer rate-damping gain"),
    ("unload_gain", 1, "1/s", "momentum-unloading gain (0: off)"),
    ("slew_rate_max", 1, "rad/s", "slew rate limit"),
    ("slew_accel_max", 1, "rad/s^2", "slew acceleration limit"),
    ("boresight_B", 3, "", "camera boresight, body"),
    ("secondary_B", 3, "", "body axis turned towards the sun"),
    ("sun_keepout", 1, "rad", "minimum sun angle from the boresight"),
    *[("mekf_" + n, k, u, "MEKF: " + d) for n, k, u, d in _MEKF_CONFIG],
]

_ADCS_IN = [
    ("gyro_B", 3, "rad/s", "measured body rate"),
    ("q_st_BN", 4, "", "star-tracker attitude q_BN"),
    ("mag_B", 3, "T", "magnetometer, body"),
    ("h_wheel", 3, "N m s", "wheel momentum, body axes"),
    ("q_target_BN", 4, "", "POINT mode: commanded attitude"),
    ("r_target_N", 3, "m", "TARGET mode: target minus chaser, inertial"),
    ("sun_N", 3, "", "sun direction, inertial"),
    ("st_valid", 1, "", "1: q_st_BN is fresh"),
    ("mag_valid", 1, "", "1: mag_B is valid"),
    ("gyro_valid", 1, "", "1: gyro_B is valid"),
    ("mode", 1, "", "gnc_adcs_mode: 0 off, 1 detumble, 2 rate damp, 3 point, 4 target"),
]

_ADCS_OUT = [
    ("q_BN", 4, "", "attitude estimate"),
    ("w_B", 3, "rad/s", "estimated body rate"),
    ("bias_B", 3, "rad/s", "gyro bias estimate"),
    ("q_ref_BN", 4, "", "guidance reference attitude"),
    ("w_ref_B", 3, "rad/s", "reference rate, body axes"),
    ("att_error", 1, "rad", "estimate vs commanded target"),
    ("ref_error", 1, "rad", "estimate vs reference"),
    ("torque_B", 3, "N m", "control torque on the body"),
    ("wheel_torque", 3, "N m", "wheel motor commands (dh_w/dt)"),
    ("dipole_B", 3, "A m^2", "magnetorquer commands"),
    ("sigma", 6, "rad, rad/s", "MEKF 1-sigma"),
    ("mode", 1, "", "mode flown"),
    ("flags", 1, "", "gnc_adcs_flag bits"),
]

_MEKF_IN = [
    ("dt", 1, "s", "time since the previous step"),
    ("gyro", 3, "rad/s", "measured body rate"),
    ("q_st", 4, "", "star-tracker q_BN"),
    ("st_valid", 1, "", "1: q_st is fresh"),
]

_MEKF_OUT = [
    ("q_BN", 4, "", "attitude estimate"),
    ("w_B", 3, "rad/s", "bias-corrected body rate"),
    ("bias", 3, "rad/s", "gyro bias estimate"),
    ("sigma", 6, "rad, rad/s", "1-sigma of the error state"),
    ("residual", 3, "rad", "star-tracker residual before the update"),
    ("valid", 1, "", "estimate initialised"),
    ("updated", 1, "", "star-tracker update applied"),
]

_RELNAV_CONFIG = [
    ("n", 1, "rad/s", "target mean motion"),
    ("sigma_range", 1, "m", "range 1-sigma"),
    ("sigma_angle", 1, "rad", "azimuth/elevation 1-sigma"),
    ("accel_psd", 1, "m^2/s^3", "process noise PSD per axis"),
    ("gate", 1, "", "NIS rejection threshold (0: none)"),
]

_RELNAV_IN = [
    ("dt", 1, "s", "propagation before the update"),
    ("dv", 3, "m/s", "known impulse at the start of the step, Hill"),
    ("meas", 3, "m, rad, rad", "range, azimuth, elevation of the target"),
    ("meas_valid", 1, "", "1: meas is valid"),
]

_RELNAV_OUT = [
    ("x", 6, "m, m/s", "Hill state estimate"),
    ("P", 36, "", "covariance, row-major 6x6"),
    ("sigma", 6, "m, m/s", "sqrt(diag P)"),
    ("innovation", 3, "m, rad, rad", "measurement innovation"),
    ("nis", 1, "", "normalised innovation squared"),
    ("updated", 1, "", "measurement applied"),
    ("rejected", 1, "", "measurement rejected by the gate"),
]

_PLAN = [
    ("n_burns", 1, "", "burns in the plan (pulses + 1)"),
    ("duration", 1, "s", "approach time"),
    ("dv_total", 1, "m/s", "sum of |dv|"),
    ("t", 33, "s", "burn times after the start (n_burns used)"),
    ("r", 99, "m", "waypoint of each burn, Hill, [k*3 + axis]"),
    ("dv", 99, "m/s", "impulse of each burn, Hill, [k*3 + axis]"),
]

_MU = ("mu", 1, "m^3/s^2", "gravitational parameter (sets the length unit)")
_N = ("n", 1, "rad/s", "target mean motion")

#: (request name, request APID, request C struct, request fields,
#:  response C struct or None, response fields, description)
_CALLS = [
    ("ADCS_CONFIG", 0x200, "gnc_adcs_config", _ADCS_CONFIG, None, [],
     "Configure (and reset) the ADCS step."),
    ("ADCS_RESET", 0x201, None, [], None, [], "Forget the ADCS estimate and guidance state."),
    ("ADCS_STEP", 0x202, "gnc_adcs_in", _ADCS_IN, "gnc_adcs_out", _ADCS_OUT,
     "One ADCS control cycle."),
    ("MEKF_CONFIG", 0x203, "gnc_mekf_config", _MEKF_CONFIG, None, [],
     "Configure the stand-alone MEKF."),
    ("MEKF_RESET", 0x204, "gnc_mekf_reset_req", [
        ("q_BN", 4, "", "initial attitude"), ("bias", 3, "rad/s", "initial gyro bias")],
     None, [], "Start the MEKF from an attitude and bias."),
    ("MEKF_STEP", 0x205, "gnc_mekf_in", _MEKF_IN, "gnc_mekf_out", _MEKF_OUT,
     "One MEKF step."),
    ("RELNAV_CONFIG", 0x206, "gnc_relnav_config", _RELNAV_CONFIG, None, [],
     "Configure the relative-navigation EKF."),
    ("RELNAV_RESET", 0x207, "gnc_relnav_reset_req", [
        ("x0", 6, "m, m/s", "initial Hill state"), ("P0", 36, "", "initial covariance")],
     None, [], "Start the relative-navigation EKF."),
    ("RELNAV_STEP", 0x208, "gnc_relnav_in", _RELNAV_IN, "gnc_relnav_out", _RELNAV_OUT,
     "One relative-navigation EKF step."),
    ("KEPLER", 0x209, "gnc_kepler_req", [
        _MU, ("r0", 3, "m", "initial position, N"), ("v0", 3, "m/s", "initial velocity, N"),
        ("dt", 1, "s", "propagation time")],
     "gnc_kepler_resp", [("r", 3, "m", "position, N"), ("v", 3, "m/s", "velocity, N")],
     "Two-body propagation (universal variables)."),
    ("LAMBERT", 0x20A, "gnc_lambert_req", [
        _MU, ("r1", 3, "m", "departure position, N"), ("r2", 3, "m", "arrival position, N"),
        ("tof", 1, "s", "time of flight"), ("nrev", 1, "", "complete revolutions"),
        ("long_way", 1, "", "1: transfer angle above pi"),
        ("branch", 1, "", "multi-rev solution 0 (low z) or 1 (high z)")],
     "gnc_lambert_resp", [("v1", 3, "m/s", "departure velocity, N"),
                          ("v2", 3, "m/s", "arrival velocity, N")],
     "Lambert's problem."),
    ("CW_TARGETING", 0x20B, "gnc_cw_targeting_req", [
        _N, ("x0", 6, "m, m/s", "initial Hill state"), ("r_f", 3, "m", "target position, Hill"),
        ("v_f", 3, "m/s", "arrival velocity, Hill"), ("tof", 1, "s", "time of flight")],
     "gnc_cw_targeting_resp", [("dv1", 3, "m/s", "first impulse, Hill"),
                               ("dv2", 3, "m/s", "second impulse, Hill")],
     "Two-impulse CW targeting."),
    ("GLIDESLOPE", 0x20C, "gnc_glideslope_req", [
        _N, ("x0", 6, "m, m/s", "initial Hill state"), ("r_T", 3, "m", "hold point, Hill"),
        ("rate0", 1, "m/s", "initial closing rate (negative)"),
        ("rate_T", 1, "m/s", "final closing rate (negative, smaller)"),
        ("pulses", 1, "", "legs (1..32)")],
     "gnc_glideslope_plan", _PLAN, "Hablani glideslope plan."),
    ("SAFETY_ELLIPSE", 0x20D, "gnc_safety_ellipse_req", [
        _N, ("radial_amp", 1, "m", "radial amplitude"),
        ("cross_amp", 1, "m", "cross-track amplitude"),
        ("along_center", 1, "m", "along-track centre"), ("phase", 1, "rad", "initial phase")],
     "gnc_safety_ellipse_resp", [("x0", 6, "m, m/s", "initial Hill state")],
     "Safety-ellipse / NMC design."),
    ("CLOSEST_APPROACH", 0x20E, "gnc_closest_approach_req", [
        _N, ("x0", 6, "m, m/s", "Hill state"), ("horizon", 1, "s", "search horizon")],
     "gnc_closest_approach_resp", [("t_ca", 1, "s", "time of closest approach"),
                                   ("d_ca", 1, "m", "closest distance"),
                                   ("r_ca", 3, "m", "position then, Hill")],
     "Closest approach of free CW motion."),
    ("COE_FROM_RV", 0x20F, "gnc_coe_from_rv_req", [
        _MU, ("r", 3, "m", "position, N"), ("v", 3, "m/s", "velocity, N")],
     "gnc_coe_from_rv_resp", [("coe", 6, "m, -, rad", "a, e, i, raan, argp, nu")],
     "Classical elements of a state."),
    ("RV_FROM_COE", 0x210, "gnc_rv_from_coe_req", [
        _MU, ("coe", 6, "m, -, rad", "a, e, i, raan, argp, nu")],
     "gnc_rv_from_coe_resp", [("r", 3, "m", "position, N"), ("v", 3, "m/s", "velocity, N")],
     "State of classical elements."),
    ("J2_RATES", 0x211, "gnc_j2_rates_req", [
        _MU, ("j2", 1, "", "second zonal harmonic"), ("r_eq", 1, "m", "equatorial radius"),
        ("a", 1, "m", "semi-major axis"), ("e", 1, "", "eccentricity"),
        ("i", 1, "rad", "inclination")],
     "gnc_j2_rates_resp", [("rates", 3, "rad/s", "raan, argp and mean-anomaly rates")],
     "J2 secular rates."),
]

#: Packet name -> the C struct its fields carry (None: no fields beyond status).
C_STRUCTS: dict[str, str | None] = {}
#: Request name -> response name.
RESPONSES: dict[str, str] = {}

for _name, _apid, _req_c, _req, _resp_c, _resp, _doc in _CALLS:
    telemetry(_apid, f"GNC_{_name}_REQ", [_f(*f) for f in _req],
              f"Guidance-core request: {_doc}")
    telemetry(_apid + RESPONSE_OFFSET, f"GNC_{_name}_RESP", [_STATUS, *[_f(*f) for f in _resp]],
              f"Guidance-core response: {_doc}")
    C_STRUCTS[f"GNC_{_name}_REQ"] = _req_c
    C_STRUCTS[f"GNC_{_name}_RESP"] = _resp_c
    RESPONSES[f"GNC_{_name}_REQ"] = f"GNC_{_name}_RESP"
