"""Guidance-core requests (APIDs 0x200-0x233 and 0x238-0x239)
and responses (request + 0x40):
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

from fsw.packets.defs.actuators import WHEEL_CMD
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
    ("st_cross_sigma", 1, "rad", "head 1-sigma across its boresight (0: st_sigma)"),
    ("st_about_sigma", 1, "rad", "head 1-sigma about its boresight (0: st_sigma)"),
    ("st_boresight_B", 9, "", "heads' boresights, body, [head*3 + axis]"),
    ("gate", 1, "", "NIS gate of every update (chi-square, 3 dof; 0: off)"),
    ("gate_reset", 1, "", "rejected updates in a row that restart the filter (0: never)"),
    ("st_heads", 1, "", "heads configured (0..3)"),
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
    ("secondary_B", 3, "", "body axis turned towards the orbit normal (star tracker)"),
    ("solar_B", 3, "", "solar-array normal, body: on the sun in SUN mode"),
    ("sun_keepout", 1, "rad", "minimum sun angle from the boresight"),
    ("detumble_wheel_rate", 1, "rad/s", "DETUMBLE hands over to the wheels below this"),
    ("wheel_count", 1, "", "wheels (3..6)"),
    ("wheel_axes_B", 18, "", "wheel spin axes, body, [i*3 + axis]"),
    ("wheel_inertia", 1, "kg m^2", "each wheel's rotor about its axis"),
    ("wheel_speed_max", 1, "rad/s", "wheel speed limit"),
    ("check_min_dspeed", 1, "rad/s", "wheel check: commanded speed change to test"),
    ("check_speed_frac", 1, "", "wheel check: only below this fraction of speed_max"),
    ("check_miss", 1, "", "wheel check: relative miss that fails a sample"),
    *[("mekf_" + n, k, u, "MEKF: " + d) for n, k, u, d in _MEKF_CONFIG],
    ("coarse_sigma", 1, "rad", "coarse attitude (sun + field, TRIAD) 1-sigma; 0: none"),
]

_ADCS_IN = [
    ("gyro_B", 3, "rad/s", "measured body rate"),
    ("q_st_BN", 4, "", "star-tracker attitude q_BN"),
    ("mag_B", 3, "T", "magnetometer, body"),
    ("wheel_speed", 6, "rad/s", "latest tachometer sample per wheel"),
    ("q_target_BN", 4, "", "POINT mode: commanded attitude"),
    ("r_target_N", 3, "m", "TARGET mode: target minus chaser, inertial, target_age ago"),
    ("v_target_N", 3, "m/s", "TARGET mode: its rate of change (linear extrapolation)"),
    ("target_age", 1, "s", "TARGET mode: age of r_target_N"),
    ("sun_N", 3, "", "sun direction, inertial (0: unknown)"),
    ("normal_N", 3, "", "chaser orbit normal, inertial (0: unknown)"),
    ("wheel_ok", 1, "", "mask of the wheels in use"),
    ("tach_new", 1, "", "1: wheel_speed is a new sample (wheel check)"),
    ("st_valid", 1, "", "1: q_st_BN is fresh"),
    ("mag_valid", 1, "", "1: mag_B is valid"),
    ("gyro_valid", 1, "", "1: gyro_B is valid"),
    ("mode", 1, "", "gnc_adcs_mode: 0 off, 1 detumble, 2 rate damp, 3 point, 4 target, 5 sun"),
    ("q_heads", 12, "", "star-tracker heads' attitudes q_BN, [head*4 + ...]"),
    ("sun_B", 3, "", "coarse sun sensor: unit sun direction, body"),
    ("r_N", 3, "m", "chaser position, GCRF (0: unknown)"),
    ("time_tai", 1, "s", "TAI since 1958 (field model)"),
    ("head_mask", 1, "", "bit i: q_heads[i] is fresh"),
    ("sun_valid", 1, "", "1: sun_B is valid"),
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
    ("wheel_torque", 3, "N m", "body momentum rate commanded (dh_w/dt)"),
    ("wheel_cmd", 6, "N m", "per-wheel motor torque, clipped"),
    ("h_body", 3, "N m s", "wheel momentum from the tachometers, body"),
    ("h_norm", 1, "N m s", "|h_body|"),
    ("dipole_B", 3, "A m^2", "magnetorquer commands"),
    ("sigma", 6, "rad, rad/s", "MEKF 1-sigma"),
    ("mode", 1, "", "mode flown"),
    ("flags", 1, "", "gnc_adcs_flag bits"),
    ("wheel_checked", 1, "", "wheels tested by the wheel check this cycle (mask)"),
    ("wheel_bad", 1, "", "of which failed (mask)"),
    ("heads_used", 1, "", "mask of the heads whose update the MEKF applied"),
    ("st_rejected", 1, "", "updates rejected by the MEKF's gate this cycle"),
    ("nis", 1, "", "largest NIS of this cycle's updates (0: none)"),
]

_MEKF_IN = [
    ("dt", 1, "s", "time since the previous step"),
    ("gyro", 3, "rad/s", "measured body rate"),
    ("q_st", 4, "", "star-tracker q_BN"),
    ("st_valid", 1, "", "1: q_st is fresh"),
    ("q_heads", 12, "", "heads' q_BN, [head*4 + ...]"),
    ("head_mask", 1, "", "bit i: q_heads[i] is fresh"),
]

_MEKF_OUT = [
    ("q_BN", 4, "", "attitude estimate"),
    ("w_B", 3, "rad/s", "bias-corrected body rate"),
    ("bias", 3, "rad/s", "gyro bias estimate"),
    ("sigma", 6, "rad, rad/s", "1-sigma of the error state"),
    ("residual", 3, "rad", "star-tracker residual before the update"),
    ("valid", 1, "", "estimate initialised"),
    ("updated", 1, "", "star-tracker update applied"),
    ("nis", 1, "", "largest NIS of this step's updates (0: none)"),
    ("heads_used", 1, "", "mask of the heads whose update was applied"),
    ("rejected", 1, "", "updates rejected by the gate this step"),
    ("restarted", 1, "", "1: the filter restarted from a fix"),
]

_RELNAV_CONFIG = [
    ("n", 1, "rad/s", "target mean motion"),
    ("sigma_range", 1, "m", "range 1-sigma"),
    ("sigma_angle", 1, "rad", "azimuth/elevation 1-sigma"),
    ("accel_psd", 1, "m^2/s^3", "process noise PSD per axis"),
    ("gate", 1, "", "NIS rejection threshold (0: none)"),
    ("sigma_range_frac", 1, "", "range noise, fraction of the range (added)"),
    ("dv_sigma_frac", 1, "", "burn execution error, magnitude fraction (1-sigma)"),
    ("dv_sigma_dir", 1, "rad", "burn execution error, direction (1-sigma)"),
    ("reject_inflate_n", 1, "", "consecutive rejections before inflating (0: never)"),
    ("reject_reset_n", 1, "", "consecutive rejections before a reset (0: never)"),
    ("inflate", 1, "", "covariance factor of an inflation"),
    ("nonlinear", 1, "", "> 0: nonlinear propagation (covariance by its own transition)"),
    ("sigma_angle_el", 1, "rad", "elevation 1-sigma (0: sigma_angle)"),
    ("dv_sigma_floor", 1, "m/s", "burn execution error per axis whatever its size (1-sigma)"),
    ("gate_bearing", 1, "", "NIS threshold of a bearing-only measurement (0: gate)"),
]

_RELNAV_IN = [
    ("dt", 1, "s", "propagation before the update"),
    ("dv", 3, "m/s", "known impulse at the start of the step, Hill"),
    ("meas", 3, "m, rad, rad", "range, azimuth, elevation of the target"),
    ("meas_valid", 1, "", "1: meas is valid"),
    ("ref_r", 3, "m", "target position at the start of the step, inertial"),
    ("ref_v", 3, "m/s", "target velocity at the start of the step, inertial"),
    ("ref_valid", 1, "", "1: propagate about this reference orbit (two-body + J2)"),
    ("bearing_only", 1, "", "1: meas has no range (the camera alone, 2 dof)"),
    ("dv_dt", 1, "s", "the step's start minus the time dv was delivered (dv carried "
     "over it on CW)"),
]

_RELNAV_OUT = [
    ("x", 6, "m, m/s", "Hill state estimate"),
    ("P", 36, "", "covariance, row-major 6x6"),
    ("sigma", 6, "m, m/s", "sqrt(diag P)"),
    ("innovation", 3, "m, rad, rad", "measurement innovation"),
    ("nis", 1, "", "normalised innovation squared"),
    ("updated", 1, "", "measurement applied"),
    ("rejected", 1, "", "measurement rejected by the gate"),
    ("consecutive", 1, "", "consecutive rejections"),
    ("recovery", 1, "", "0 none, 1 covariance inflated, 2 reset from the measurement"),
    ("bearing_only", 1, "", "1: the measurement was bearing-only (NIS of 2 dof)"),
    ("S", 9, "", "innovation covariance at the prior, rows as innovation (0: no measurement)"),
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
_X0 = ("x0", 6, "m, m/s", "initial Hill state")

_EPHEM_CONFIG = [
    _MU,
    ("j2", 1, "", "second zonal harmonic (0: two-body)"),
    ("r_eq", 1, "m", "equatorial radius"),
    ("step", 1, "s", "largest RK4 step"),
    ("drag_bc", 1, "m^2/kg", "drag: ballistic coefficient Cd A / m (0: no drag)"),
    ("drag_rho0", 1, "kg/m^3", "drag: density at drag_h0"),
    ("drag_h0", 1, "m", "drag: reference height above r_eq"),
    ("drag_hs", 1, "m", "drag: scale height"),
    ("drag_omega", 1, "rad/s", "drag: rotation rate of the atmosphere about z"),
]

#: a gnc_ephem_config member of a struct (its members flattened as ephem_*)
_EPHEM = [("ephem_" + n, k, u, "ephemeris: " + d) for n, k, u, d in _EPHEM_CONFIG]

_NAV_CONFIG = [
    *_EPHEM,
    ("n_default", 1, "rad/s", "mean motion before a target is known"),
    ("gain_pos", 1, "", "GPS filter: position gain per cycle"),
    ("gain_vel", 1, "", "GPS filter: velocity gain per cycle"),
    ("gps_max_age", 1, "s", "a GPS fix older than this is stale"),
    ("gps_reset_m", 1, "m", "GPS filter resets to the raw solution beyond this"),
    ("sigma_gps_pos", 1, "m", "GPS filter 1-sigma position (reported)"),
    ("sigma_gps_vel", 1, "m/s", "GPS filter 1-sigma velocity (reported)"),
    ("sigma_range", 1, "m", "EKF range noise, constant part"),
    ("sigma_range_frac", 1, "", "EKF range noise, fraction of range (added)"),
    ("sigma_angle", 1, "rad", "EKF bearing noise"),
    ("accel_psd", 1, "m^2/s^3", "EKF process noise PSD per axis"),
    ("gate", 1, "", "EKF NIS gate (0: none)"),
    ("p0", 6, "m^2, (m/s)^2", "EKF initial covariance diagonal"),
    ("meas_max_age", 1, "s", "a sensor measurement older than this is unused"),
    ("coast_s", 1, "s", "EKF coasts this long without a measurement"),
    ("retry_s", 1, "s", "after an EKF failure the GPS filter flies alone"),
    ("boresight_B", 3, "", "camera boresight, body"),
    ("dv_sigma_frac", 1, "", "EKF burn execution error, magnitude fraction (1-sigma)"),
    ("dv_sigma_dir", 1, "rad", "EKF burn execution error, direction (1-sigma)"),
    ("reject_inflate_n", 1, "", "EKF: consecutive rejections before inflating (0: never)"),
    ("reject_reset_n", 1, "", "EKF: consecutive rejections before a reset (0: never)"),
    ("inflate", 1, "", "EKF: covariance factor of an inflation"),
    ("nonlinear", 1, "", "EKF: > 0 nonlinear propagation; >= 2 about the target's orbit (J2)"),
    ("sigma_gps_rel", 1, "m", "EKF: GPS-minus-ephemeris position 1-sigma (0: not fused)"),
    ("clock_sigma_b0", 1, "s", "clock: offset 1-sigma before the first fix (0: no clock filter)"),
    ("clock_sigma_d0", 1, "", "clock: frequency offset 1-sigma before the first fix"),
    ("clock_q_wf", 1, "s", "clock: white frequency noise (phase variance per second)"),
    ("clock_q_rw", 1, "1/s", "clock: random-walk frequency noise"),
    ("clock_sigma_pps", 1, "s", "clock: 1-sigma of a fix's time tag"),
    ("clock_gate", 1, "", "clock: NIS gate of a fix (0: none)"),
    ("clock_reset_n", 1, "", "clock: rejected fixes in a row before a reset (0: never)"),
    ("clock_sigma_floor", 1, "s", "clock: added in quadrature to the reported sigma (a bias)"),
    ("dv_sigma_floor", 1, "m/s", "EKF burn execution error per axis whatever its size (1-sigma)"),
    ("gate_bearing", 1, "", "EKF NIS gate of a bearing-only measurement (0: gate)"),
    ("target_sigma", 4, "m, m/s", "1-sigma of the notice's target orbit (catalogue error), "
     "Hill R, T, N and the along-track drift rate (0: none)"),
    ("refine_s", 1, "s", "target orbit refinement window (0: never)"),
    ("refine_range", 1, "m", "refine only while the estimate's range is inside this"),
    ("bank", 1, "", "EKF components of the range-parameterised bank while angles-only "
     "(0 or 1: one EKF; 2 to 11)"),
    ("att_bias_frac", 1, "", "EKF: part of the attitude 1-sigma held across the line of sight "
     "as a bias (0: no floor, 1: all)"),
    ("frame_bias_s", 1, "s", "EKF: the target orbit's error as a relative acceleration bias, "
     "its persistence (0: none)"),
]

_NAV_IN = [
    ("t", 1, "s", "time of this cycle: TAI, or the on-board clock (clock filter)"),
    ("gps_t", 1, "s", "TAI, time of the GPS fix (its GPS time)"),
    ("gps_r_N", 3, "m", "chaser position, GCRF"),
    ("gps_v_N", 3, "m/s", "chaser velocity, GCRF"),
    ("meas_t", 1, "s", "time of the sensor measurement, as t"),
    ("meas", 3, "m, rad, rad", "range, azimuth, elevation, camera frame"),
    ("q_BN", 4, "", "attitude estimate"),
    ("dv_N", 3, "m/s", "Delta-v delivered since the previous cycle, GCRF"),
    ("gps_valid", 1, "", "1: a GPS fix exists"),
    ("meas_valid", 1, "", "1: a sensor measurement exists"),
    ("att_valid", 1, "", "1: q_BN is valid"),
    ("att_sigma", 1, "rad", "1-sigma of the attitude estimate (bearing noise, added)"),
    ("gps_met", 1, "s", "on-board clock at the fix's PPS edge (clock filter)"),
    ("att_sigma_B", 3, "rad", "attitude 1-sigma about each body axis (all 0: att_sigma)"),
    ("meas_bearing_only", 1, "", "1: the sensor measured no range (meas[0] unused)"),
    ("att_dt", 1, "s", "measurement time minus the attitude estimate's (q_BN carried over it)"),
    ("att_rate_B", 3, "rad/s", "body rate of the attitude estimate"),
    ("dv_age", 1, "s", "t minus the time dv_N was delivered (its centre; negative: after t)"),
]

_NAV_OUT = [
    ("x_H", 6, "m, m/s", "relative state, Hill"),
    ("r_rel_N", 3, "m", "target minus chaser, GCRF"),
    ("v_rel_N", 3, "m/s", "target minus chaser velocity, GCRF"),
    ("r_target_N", 3, "m", "target position (on-board ephemeris), GCRF"),
    ("v_target_N", 3, "m/s", "target velocity, GCRF"),
    ("sun_N", 3, "", "unit Earth-to-sun, GCRF"),
    ("normal_N", 3, "", "unit chaser orbit normal, GCRF (0 before a fix)"),
    ("mean_motion", 1, "rad/s", "target mean motion"),
    ("sigma_pos", 1, "m", "1-sigma position uncertainty (RSS)"),
    ("sigma_vel", 1, "m/s", "1-sigma velocity uncertainty (RSS)"),
    ("nis", 1, "", "EKF normalised innovation squared"),
    ("valid", 1, "", "1: a relative solution exists"),
    ("source", 1, "", "gnc_nav_source: 0 none, 1 GPS + ephemeris, 2 relnav EKF"),
    ("flags", 1, "", "gnc_nav_flag bits"),
    ("ekf_status", 1, "", "gnc_status of a failed EKF step"),
    ("cov_pos", 6, "m^2", "position covariance, Hill: xx xy xz yy yz zz"),
    ("cov_vel", 6, "(m/s)^2", "velocity covariance, Hill: xx xy xz yy yz zz"),
    ("consecutive", 1, "", "EKF consecutive rejections"),
    ("recovery", 1, "", "EKF: 0 none, 1 inflated, 2 reset (this cycle)"),
    ("t_est", 1, "s", "TAI of this cycle (t itself without the clock filter)"),
    ("clock_offset", 1, "s", "estimated on-board clock minus TAI at t"),
    ("clock_drift", 1, "", "estimated frequency offset of the on-board clock"),
    ("clock_sigma", 1, "s", "1-sigma of clock_offset (0: no clock filter)"),
    ("clock_sigma_drift", 1, "", "1-sigma of clock_drift"),
    ("clock_nis", 1, "", "NIS of this cycle's GPS fix (0: none)"),
    ("clock_state", 1, "", "gnc_nav_clock bits: 1 disciplined, 2 updated, 4 rejected, 8 reset"),
    ("target_refined", 1, "", "1: the target's ephemeris re-anchored on the measurements"),
    ("target_shift_H", 3, "m", "that shift, Hill (the former frame)"),
    ("bank", 1, "", "components of the range-parameterised bank alive (0: one EKF)"),
]

_PROP_CONFIG = [
    ("count", 1, "", "thrusters (1..16)"),
    ("position_B", 48, "m", "thruster positions, body, [i*3 + axis]"),
    ("direction_B", 48, "", "thrust directions, body, [i*3 + axis]"),
    ("inertia", 9, "kg m^2", "inertia, body axes, row-major"),
    ("isp", 1, "s", "specific impulse"),
    ("g0", 1, "m/s^2", "standard gravity"),
    ("min_on", 1, "s", "shortest pulse"),
    ("secondary_B", 3, "", "body axis towards the orbit normal in a burn attitude"),
]

#: (request name, request APID, request C struct, request fields,
#:  response C struct or None, response fields, description)
_CALLS = [
    ("ADCS_CONFIG", 0x200, "gnc_adcs_config", _ADCS_CONFIG, None, [],
     "Configure (and reset) the ADCS step."),
    ("ADCS_RESET", 0x201, None, [], None, [], "Forget the ADCS estimate and guidance state."),
    ("ADCS_STEP", 0x202, "gnc_adcs_in", _ADCS_IN, "gnc_adcs_out", _ADCS_OUT,
     "One ADCS control cycle."),
    ("ADCS_CYCLE", 0x232, "gnc_adcs_cycle_req", [
        *[("in_" + n, k, u, d) for n, k, u, d in _ADCS_IN],
        ("wheel_seq", 1, "", "sequence count of the WHEEL_CMD packet (0..16383)")],
     "gnc_adcs_cycle_resp", [
        *[("out_" + n, k, u, d) for n, k, u, d in _ADCS_OUT],
        ("wheel_cmd", WHEEL_CMD.size, "", "the WHEEL_CMD packet of the cycle, one octet each")],
     "One ADCS control cycle and its WHEEL_CMD packet (stamped in_time_tai)."),
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
        ("r0", 3, "m", "initial position, N"), ("v0", 3, "m/s", "initial velocity, N"),
        ("dt", 1, "s", "propagation time"), _MU],
     "gnc_kepler_resp", [("r", 3, "m", "position, N"), ("v", 3, "m/s", "velocity, N")],
     "Two-body propagation (universal variables)."),
    ("LAMBERT", 0x20A, "gnc_lambert_req", [
        ("r1", 3, "m", "departure position, N"), ("r2", 3, "m", "arrival position, N"),
        ("tof", 1, "s", "time of flight"), _MU, ("nrev", 1, "", "complete revolutions"),
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
        ("r", 3, "m", "position, N"), ("v", 3, "m/s", "velocity, N"), _MU],
     "gnc_coe_from_rv_resp", [("coe", 6, "m, -, rad", "a, e, i, raan, argp, nu")],
     "Classical elements of a state."),
    ("RV_FROM_COE", 0x210, "gnc_rv_from_coe_req", [
        ("coe", 6, "m, -, rad", "a, e, i, raan, argp, nu"), _MU],
     "gnc_rv_from_coe_resp", [("r", 3, "m", "position, N"), ("v", 3, "m/s", "velocity, N")],
     "State of classical elements."),
    ("J2_RATES", 0x211, "gnc_j2_rates_req", [
        ("a", 1, "m", "semi-major axis"), ("e", 1, "", "eccentricity"),
        ("i", 1, "rad", "inclination"), _MU, ("j2", 1, "", "second zonal harmonic"),
        ("r_eq", 1, "m", "equatorial radius")],
     "gnc_j2_rates_resp", [("rates", 3, "rad/s", "raan, argp and mean-anomaly rates")],
     "J2 secular rates."),
    ("LAMBERT_MIN_TOF", 0x212, "gnc_lambert_min_tof_req", [
        ("r1", 3, "m", "departure position, N"), ("r2", 3, "m", "arrival position, N"), _MU,
        ("nrev", 1, "", "complete revolutions"),
        ("long_way", 1, "", "1: transfer angle above pi")],
     "gnc_lambert_min_tof_resp", [("tof_min", 1, "s", "minimum time of flight")],
     "Minimum time of flight of a multi-revolution Lambert transfer."),
    ("CW_PROPAGATE", 0x213, "gnc_cw_propagate_req", [
        _N, _X0, ("t", 1, "s", "propagation time")],
     "gnc_cw_propagate_resp", [("x", 6, "m, m/s", "Hill state after t")],
     "Free CW motion."),
    ("CW_TRANSFER", 0x214, "gnc_cw_transfer_req", [
        _N, _X0, ("r_f", 3, "m", "target position, Hill"), ("tof", 1, "s", "time of flight")],
     "gnc_cw_transfer_resp", [("v_dep", 3, "m/s", "departure velocity, Hill"),
                              ("v_arr", 3, "m/s", "arrival velocity, Hill"),
                              ("flags", 1, "", "gnc_cw_flag bits")],
     "CW transfer, in-plane and cross-track apart."),
    ("CW_BEST_TRANSFER", 0x215, "gnc_cw_best_transfer_req", [
        _N, _X0, ("r_f", 3, "m", "target position, Hill"),
        ("v_f", 3, "m/s", "arrival velocity, Hill"), ("tof_min", 1, "s", "shortest transfer"),
        ("tof_max", 1, "s", "longest transfer"), ("tof_step", 1, "s", "grid step"),
        ("min_range", 1, "m", "the coast keeps farther than this (0: no constraint)")],
     "gnc_cw_best_transfer_resp", [("tof", 1, "s", "chosen time of flight"),
                                   ("dv1", 3, "m/s", "first impulse, Hill"),
                                   ("dv2", 3, "m/s", "second impulse, Hill")],
     "Least-Delta-v CW transfer time on a grid."),
    ("NMC_STATE", 0x216, "gnc_nmc_state_req", [
        _N, ("radius", 1, "m", "circumnavigation radius"), ("phase", 1, "rad", "phase")],
     "gnc_nmc_state_resp", [("x", 6, "m, m/s", "Hill state on the circle")],
     "Constant-range natural-motion circumnavigation state."),
    ("NMC_VELOCITY", 0x217, "gnc_nmc_velocity_req", [
        _N, ("r", 3, "m", "position, Hill")],
     "gnc_nmc_velocity_resp", [("v", 3, "m/s", "velocity of the centred relative orbit")],
     "Velocity of the centred, drift-free relative orbit through a position."),
    ("CW_AVOIDANCE", 0x218, "gnc_cw_avoidance_req", [
        _N, _X0, ("dv_mag", 1, "m/s", "impulse magnitude"),
        ("horizon", 1, "s", "screening horizon")],
     "gnc_cw_avoidance_resp", [("dv", 3, "m/s", "chosen impulse, Hill"),
                               ("d_min", 1, "m", "its minimum range")],
     "Collision-avoidance impulse."),
    ("HILL_TO_INERTIAL_AT", 0x219, "gnc_hill_to_inertial_at_req", [
        ("r_t", 3, "m", "target position, GCRF"), ("v_t", 3, "m/s", "target velocity, GCRF"),
        _N, ("dt", 1, "s", "time after the target's state"),
        ("a_H", 3, "", "vector in the Hill axes dt later")],
     "gnc_hill_to_inertial_at_resp", [("a_N", 3, "", "the vector, GCRF")],
     "A vector in the Hill axes of a later time, in inertial axes."),
    ("SUN_DIRECTION", 0x21A, "gnc_sun_direction_req", [("t", 1, "s", "TAI since 1958")],
     "gnc_sun_direction_resp", [("s_N", 3, "", "unit Earth-to-sun, GCRF")],
     "Sun direction."),
    ("ECLIPSE", 0x21B, "gnc_eclipse_req", [
        ("r_N", 3, "m", "position, GCRF"), ("s_N", 3, "", "unit sun direction, GCRF"),
        ("r_eq", 1, "m", "Earth radius")],
     "gnc_eclipse_resp", [("lit", 1, "", "sunlit fraction (0 umbra, 1 full sun)")],
     "Earth's shadow."),
    ("ORBIT_CHECK", 0x21C, "gnc_orbit_check_req", [
        ("r", 3, "m", "position, GCRF"), ("v", 3, "m/s", "velocity, GCRF"), _MU,
        ("r_eq", 1, "m", "equatorial radius")],
     None, [], "Plausibility and units of an orbit state."),
    ("NAV_CONFIG", 0x21D, "gnc_nav_config", _NAV_CONFIG, None, [],
     "Configure (and reset) the navigation cycle."),
    ("NAV_SET_TARGET", 0x21E, "gnc_nav_set_target_req", [
        ("r_N", 3, "m", "target position, GCRF"), ("v_N", 3, "m/s", "target velocity, GCRF"),
        ("t", 1, "s", "TAI of the state")],
     None, [], "Load the target's orbit."),
    ("NAV_STEP", 0x21F, "gnc_nav_in", _NAV_IN, "gnc_nav_out", _NAV_OUT,
     "One navigation cycle."),
    ("PROP_CONFIG", 0x220, "gnc_prop_config", _PROP_CONFIG, None, [],
     "Configure the propulsion arithmetic."),
    ("PROP_PARTNERS", 0x221, None, [], "gnc_prop_partners_resp", [
        ("count", 1, "", "thrusters"), ("partner", 16, "", "torque-cancelling partner of each")],
     "Thruster partners."),
    ("PROP_SELECT", 0x222, "gnc_prop_select_req", [
        ("ok_mask", 1, "", "usable thrusters"), ("q_BN", 4, "", "attitude"),
        ("dv_N", 3, "m/s", "Delta-v, GCRF")],
     "gnc_prop_select_resp", [("axis_B", 3, "", "thrust axis, body"),
                              ("group_mask", 1, "", "thrusters to fire"),
                              ("n_fire", 1, "", "their count")],
     "Thruster group for a Delta-v."),
    ("PROP_BURN_ATTITUDE", 0x223, "gnc_prop_burn_attitude_req", [
        ("axis_B", 3, "", "thrust axis, body"), ("dv_N", 3, "m/s", "Delta-v, GCRF"),
        ("normal_N", 3, "", "orbit normal, GCRF")],
     "gnc_prop_burn_attitude_resp", [("q_BN", 4, "", "burn attitude")],
     "Burn attitude."),
    ("PROP_FIRE", 0x224, "gnc_prop_fire_req", [
        ("n_fire", 1, "", "thrusters firing"), ("thrust", 1, "N", "thrust of each"),
        ("mass", 1, "kg", "craft mass"), ("remaining", 1, "m/s", "Delta-v still to do"),
        ("dt", 1, "s", "cycle")],
     "gnc_prop_fire_resp", [("on", 1, "s", "on-time (0: done)"),
                            ("dv", 1, "m/s", "Delta-v of the impulse"),
                            ("dm", 1, "kg", "propellant")],
     "One firing cycle."),
    ("PROP_TRANSLATE", 0x228, "gnc_prop_translate_req", [
        ("ok_mask", 1, "", "usable thrusters"), ("q_BN", 4, "", "attitude"),
        ("rem_N", 3, "m/s", "Delta-v still to do, GCRF"), ("thrust", 1, "N", "thrust of each"),
        ("mass", 1, "kg", "craft mass"), ("dt", 1, "s", "cycle")],
     "gnc_prop_translate_resp", [("on_time", 16, "s", "on-time of each thruster"),
                                 ("dv_N", 3, "m/s", "Delta-v of the cycle, GCRF"),
                                 ("dm", 1, "kg", "propellant")],
     "One firing cycle of a translation in the current attitude (no slew)."),
    ("PROP_ACCEL", 0x22A, "gnc_prop_accel_req", [
        ("dv_B", 3, "m/s", "accelerometer increment, body"), ("dt", 1, "s", "its interval"),
        ("bias_B", 3, "m/s^2", "accelerometer bias"), ("q_BN", 4, "", "attitude")],
     "gnc_prop_accel_resp", [("dv_N", 3, "m/s", "the increment less the bias, GCRF")],
     "An accelerometer sample in inertial axes, its bias removed."),
    ("PROP_OFFPULSE", 0x229, "gnc_prop_offpulse_req", [
        ("on_time", 16, "s", "nominal on-time of each thruster"),
        ("torque_B", 3, "N m", "torque asked for, body"), ("thrust", 1, "N", "thrust of each"),
        ("mass", 1, "kg", "craft mass"), ("q_BN", 4, "", "attitude")],
     "gnc_prop_offpulse_resp", [("on_time", 16, "s", "on-time of each thruster"),
                                ("dv_N", 3, "m/s", "Delta-v of the cycle, GCRF"),
                                ("dm", 1, "kg", "propellant"),
                                ("torque_B", 3, "N m", "torque made, body")],
     "Off-pulsing of a firing cycle: the group's torque for attitude control."),
    ("PROP_DURATION", 0x225, "gnc_prop_duration_req", [
        ("n_fire", 1, "", "thrusters firing"), ("thrust", 1, "N", "thrust of each"),
        ("mass", 1, "kg", "craft mass"), ("dv", 1, "m/s", "Delta-v")],
     "gnc_prop_duration_resp", [("duration", 1, "s", "burn duration")],
     "Burn duration."),
    ("PROP_RATE_RESIDUALS", 0x226, "gnc_prop_rate_residuals_req", [
        ("w_B", 3, "rad/s", "gyro rate"), ("w0_B", 3, "rad/s", "rate when firing began")],
     "gnc_prop_rate_residuals_resp", [("rate", 1, "rad/s", "|w_B|"),
                                      ("change", 1, "rad/s", "|w_B - w0_B|")],
     "Monitors' rate residuals."),
    ("PROP_PULSE_RESPONSE", 0x233, "gnc_prop_pulse_response_req", [
        ("level_in", 16, "", "thrust level of each thruster at the cycle's start (0..1)"),
        ("on", 16, "s", "valve open time of each thruster from the cycle's start (0..dt)"),
        ("n", 1, "", "thrusters (the first n slots; the others zero)"),
        ("dt", 1, "s", "cycle"), ("rise", 1, "s", "thrust rise time constant"),
        ("tail", 1, "s", "thrust tail-off time constant")],
     "gnc_prop_pulse_response_resp", [
        ("level_out", 16, "", "thrust level of each thruster at the cycle's end"),
        ("on_eff", 16, "s", "impulse of the cycle's opening, in seconds of full thrust")],
     "A firing cycle's thrust with the thrusters' rise and tail-off."),
    ("PROP_TEST_RESPONSE", 0x227, "gnc_prop_test_response_req", [
        ("i", 1, "", "thruster"), ("thrust", 1, "N", "thrust"), ("pulse", 1, "s", "pulse"),
        ("dw_B", 3, "rad/s", "observed rate change")],
     "gnc_prop_test_response_resp", [("expected_B", 3, "rad/s", "expected rate change"),
                                     ("ratio", 1, "", "observed / expected")],
     "Thruster test response."),
    ("PROP_COM_UPDATE", 0x22B, "gnc_prop_com_update_req", [
        ("N", 9, "N^2 s^2", "normal matrix, row-major (in)"),
        ("b", 3, "N^2 m s^2", "right-hand side (in)"),
        ("F", 3, "N s", "the translation's thrust impulse, body"),
        ("y", 3, "N m s", "its momentum residual, body"),
        ("min_impulse", 1, "N s", "smallest impulse learnt from"),
        ("max_offset", 1, "m", "largest offset one translation may imply")],
     "gnc_prop_com_update_resp", [("N", 9, "N^2 s^2", "normal matrix, updated"),
                                  ("b", 3, "N^2 m s^2", "right-hand side, updated"),
                                  ("est", 3, "m", "centre-of-mass offset, body (used = 2)"),
                                  ("used", 1, "", "0 refused, 1 accumulated, 2 and solved")],
     "One translation into the centre-of-mass least squares."),
    ("PROP_COM_TORQUE", 0x22D, "gnc_prop_com_torque_req", [
        ("N", 9, "N^2 s^2", "normal matrix of the centre-of-mass least squares, row-major"),
        ("est", 3, "m", "centre-of-mass offset learnt, body"),
        ("F", 3, "N", "thrust force (or impulse, N s), body"),
        ("noise", 1, "N m s", "momentum noise of the least squares' equations")],
     "gnc_prop_com_torque_resp", [("known", 3, "N m", "torque -est x F at the estimate"),
                                  ("sigma", 3, "N m", "each axis' 1-sigma uncertainty")],
     "The torque of a force about the learnt centre of mass, and its uncertainty."),
    ("CURVILINEAR_FROM_HILL", 0x22E, "gnc_curvilinear_from_hill_req", [
        ("R", 1, "m", "the target's orbit radius"), ("x", 6, "m, m/s", "Hill state")],
     "gnc_curvilinear_from_hill_resp", [("c", 6, "m, m/s",
                                         "curvilinear state: rho - R, R theta, R phi, rates")],
     "A Hill relative state in curvilinear coordinates."),
    ("CURVILINEAR_DV_TO_HILL", 0x22F, "gnc_curvilinear_dv_to_hill_req", [
        ("R", 1, "m", "the target's orbit radius"),
        ("c", 3, "m", "curvilinear position of the burn"),
        ("dv_c", 3, "m/s", "change of the curvilinear rates")],
     "gnc_curvilinear_dv_to_hill_resp", [("dv_h", 3, "m/s", "velocity change, Hill axes")],
     "A curvilinear velocity change in Hill axes."),
    ("PHASING_PLAN", 0x22C, "gnc_phasing_plan_req", [
        *_EPHEM,
        ("in_r_c", 3, "m", "chaser position, GCRF, at in_t"),
        ("in_v_c", 3, "m/s", "chaser velocity, GCRF, at in_t"),
        ("in_r_t", 3, "m", "target position, GCRF, at in_t"),
        ("in_v_t", 3, "m/s", "target velocity, GCRF, at in_t"),
        ("in_t", 1, "s", "TAI of the states"),
        ("in_t_first", 1, "s", "TAI of the first burn (>= in_t)"),
        ("in_t_arrive", 1, "s", "TAI of the end of the second pair"),
        ("in_aim_behind", 1, "m", "aim: along the orbit behind the target at the arrival"),
        ("in_aim_below", 1, "m", "aim: the orbit's height under the target's"),
        ("in_max_delta_a", 1, "m", "largest drift semi-major axis from the target's")],
     "gnc_phasing_out", [
        ("phase", 1, "rad", "phase angle at in_t (> 0: the chaser behind)"),
        ("phase_rate", 1, "rad/s", "its rate at in_t (one chaser period of the model)"),
        ("drift_rate", 1, "rad/s", "the drift's rate, between the pairs"),
        ("aim_rate", 1, "rad/s", "the aim's rate"),
        ("period", 1, "s", "the chaser's osculating period"),
        ("t_burn", 4, "s", "TAI of the four burns"),
        ("dv", 4, "m/s", "each burn along the velocity (+ prograde)"),
        ("dv_total", 1, "m/s", "sum of |dv|"),
        ("delta_a", 1, "m", "the drift orbit's semi-major axis minus the target's")],
     "Far-range phasing plan: two Hohmann pairs of tangential impulses."),
    ("DRIFT_SCREEN", 0x238, "gnc_drift_screen_req", [
        ("horizon", 1, "s", "free drift screened"), ("step", 1, "s", "RK4 step and sampling"),
        ("bc_target", 1, "kg/m^2", "target m/(Cd A), 0: no drag"),
        ("bc_chaser", 1, "kg/m^2", "chaser m/(Cd A), 0: no drag"),
        ("rho0", 1, "kg/m^3", "density at h0"), ("h0", 1, "m", "reference altitude"),
        ("scale_h", 1, "m", "density scale height"),
        ("k_sigma", 1, "", "size of the position ellipsoid"),
        ("r_t", 3, "m", "target position, GCRF"), ("v_t", 3, "m/s", "target velocity, GCRF"),
        ("x_rel", 6, "m, m/s", "chaser relative state, Hill"),
        ("P", 36, "m^2, m^2/s, m^2/s^2", "its covariance, Hill, row-major")],
     "gnc_drift_result", [
        ("t_ca", 1, "s", "nominal closest approach time"),
        ("d_ca", 1, "m", "nominal closest approach"),
        ("t_k", 1, "s", "time of the smallest distance to the k-sigma ellipsoid"),
        ("d_k", 1, "m", "that distance (0: the ellipsoid holds the target)"),
        ("sigma_k", 1, "m", "1-sigma spread along the line of sight then"),
        ("rn_min", 1, "m", "smallest radial/cross-track separation")],
     "Missed-burn screen: free drift with J2 and drag, closest approach at k sigma."),
    ("INSPECTION_PHASE", 0x239, "gnc_inspection_phase_req", [
        _N, ("radial_amp", 1, "m", "radial amplitude A"),
        ("cross_amp", 1, "m", "cross-track amplitude B"),
        ("r_t", 3, "m", "target position, GCRF"), ("v_t", 3, "m/s", "target velocity, GCRF"),
        ("dt", 1, "s", "entry time after the target's state"),
        ("span", 1, "s", "inspection duration"), ("s_N", 3, "", "sun direction, GCRF"),
        ("max_phase", 1, "rad", "good sun phase angle"),
        ("r_eq", 1, "m", "Earth radius"),
        ("face_view", 1, "rad", "camera within this of a face's normal (0: faces not planned)"),
        ("face_sun", 1, "rad", "sun within this of a face's normal (lit)"),
        ("face_min", 1, "s", "a face counts once imaged this long"),
        ("good_min", 1, "", "floor of the well-seen fraction for a face choice")],
     "gnc_inspection_phase_resp", [("th0", 1, "rad", "ellipse phase at the entry"),
                                   ("good", 1, "", "fraction of the sunlit time below max_phase"),
                                   ("lit", 1, "", "the target's sunlit fraction"),
                                   ("faces", 1, "", "target faces imaged at that phase")],
     "Inspection phase from the light and the target's faces."),
    ("MAG_DIPOLE", 0x230, "gnc_mag_dipole_req", [
        ("t", 1, "s", "TAI since 1958"), ("r_N", 3, "m", "position, GCRF")],
     "gnc_mag_dipole_resp", [("b_N", 3, "T", "geomagnetic field, GCRF")],
     "The on-board field model (tilted dipole)."),
    ("TRIAD", 0x231, "gnc_triad_req", [
        ("v1_B", 3, "", "first direction, body (kept exactly)"),
        ("v2_B", 3, "", "second direction, body"), ("v1_N", 3, "", "first direction, GCRF"),
        ("v2_N", 3, "", "second direction, GCRF")],
     "gnc_triad_resp", [("q_BN", 4, "", "attitude")],
     "Attitude from two direction pairs (TRIAD)."),
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
