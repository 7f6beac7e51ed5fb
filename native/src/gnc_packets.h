/*
 * gnc_packets.h - GENERATED from the packet dictionary (fsw/packets/defs/gnc.py)
 * by `python -m fsw.core.packet_layout`. Do not edit.
 * Field tables of the guidance-core request/response packets: each entry is
 * a C struct member, its element count and whether it is an int; on the wire
 * every element is a big-endian float64, in table order.
 */
#ifndef GNC_PACKETS_H
#define GNC_PACKETS_H

#include <stddef.h>

#include "gnc.h"

typedef struct gnc_pkt_field {
    size_t offset;
    unsigned short count;
    unsigned char is_int;
} gnc_pkt_field;

typedef struct gnc_pkt_call {
    unsigned short apid;
    const gnc_pkt_field *req;
    unsigned short n_req;
    unsigned short req_len;    /* float64 values in the request */
    const gnc_pkt_field *resp;
    unsigned short n_resp;
    unsigned short resp_len;   /* float64 values in the response, status included */
} gnc_pkt_call;

enum { GNC_RESPONSE_OFFSET = 0x40 };

/* WHEEL_CMD, the telemetry packet gnc_adcs_cycle writes: the wheels'
 * torques as big-endian float64s after the CUC header. */
enum { GNC_WHEEL_CMD_APID = 0x180, GNC_WHEEL_CMD_TORQUES = 4, GNC_WHEEL_CMD_SIZE = 46 };

enum gnc_pkt_apid {
    GNC_APID_ADCS_CONFIG = 0x200,
    GNC_APID_ADCS_RESET = 0x201,
    GNC_APID_ADCS_STEP = 0x202,
    GNC_APID_MEKF_CONFIG = 0x203,
    GNC_APID_MEKF_RESET = 0x204,
    GNC_APID_MEKF_STEP = 0x205,
    GNC_APID_RELNAV_CONFIG = 0x206,
    GNC_APID_RELNAV_RESET = 0x207,
    GNC_APID_RELNAV_STEP = 0x208,
    GNC_APID_KEPLER = 0x209,
    GNC_APID_LAMBERT = 0x20A,
    GNC_APID_CW_TARGETING = 0x20B,
    GNC_APID_GLIDESLOPE = 0x20C,
    GNC_APID_SAFETY_ELLIPSE = 0x20D,
    GNC_APID_CLOSEST_APPROACH = 0x20E,
    GNC_APID_COE_FROM_RV = 0x20F,
    GNC_APID_RV_FROM_COE = 0x210,
    GNC_APID_J2_RATES = 0x211,
    GNC_APID_LAMBERT_MIN_TOF = 0x212,
    GNC_APID_CW_PROPAGATE = 0x213,
    GNC_APID_CW_TRANSFER = 0x214,
    GNC_APID_CW_BEST_TRANSFER = 0x215,
    GNC_APID_NMC_STATE = 0x216,
    GNC_APID_NMC_VELOCITY = 0x217,
    GNC_APID_CW_AVOIDANCE = 0x218,
    GNC_APID_HILL_TO_INERTIAL_AT = 0x219,
    GNC_APID_SUN_DIRECTION = 0x21A,
    GNC_APID_ECLIPSE = 0x21B,
    GNC_APID_ORBIT_CHECK = 0x21C,
    GNC_APID_NAV_CONFIG = 0x21D,
    GNC_APID_NAV_SET_TARGET = 0x21E,
    GNC_APID_NAV_STEP = 0x21F,
    GNC_APID_PROP_CONFIG = 0x220,
    GNC_APID_PROP_PARTNERS = 0x221,
    GNC_APID_PROP_SELECT = 0x222,
    GNC_APID_PROP_BURN_ATTITUDE = 0x223,
    GNC_APID_PROP_FIRE = 0x224,
    GNC_APID_PROP_DURATION = 0x225,
    GNC_APID_PROP_RATE_RESIDUALS = 0x226,
    GNC_APID_PROP_TEST_RESPONSE = 0x227,
    GNC_APID_PROP_TRANSLATE = 0x228,
    GNC_APID_PROP_OFFPULSE = 0x229,
    GNC_APID_PROP_ACCEL = 0x22A,
    GNC_APID_PROP_COM_UPDATE = 0x22B,
    GNC_APID_PHASING_PLAN = 0x22C,
    GNC_APID_PROP_COM_TORQUE = 0x22D,
    GNC_APID_CURVILINEAR_FROM_HILL = 0x22E,
    GNC_APID_CURVILINEAR_DV_TO_HILL = 0x22F,
    GNC_APID_MAG_DIPOLE = 0x230,
    GNC_APID_TRIAD = 0x231,
    GNC_APID_ADCS_CYCLE = 0x232,
    GNC_APID_PROP_PULSE_RESPONSE = 0x233,
    GNC_APID_DRIFT_SCREEN = 0x238,
    GNC_APID_INSPECTION_PHASE = 0x239
};

static const gnc_pkt_field gnc_pkt_adcs_config_req[] = {
    {offsetof(gnc_adcs_config, dt), 1, 0},
    {offsetof(gnc_adcs_config, inertia), 9, 0},
    {offsetof(gnc_adcs_config, kp), 1, 0},
    {offsetof(gnc_adcs_config, kd), 1, 0},
    {offsetof(gnc_adcs_config, wheel_torque_max), 1, 0},
    {offsetof(gnc_adcs_config, wheel_momentum_max), 1, 0},
    {offsetof(gnc_adcs_config, dipole_max), 1, 0},
    {offsetof(gnc_adcs_config, bdot_gain), 1, 0},
    {offsetof(gnc_adcs_config, damp_gain), 1, 0},
    {offsetof(gnc_adcs_config, unload_gain), 1, 0},
    {offsetof(gnc_adcs_config, slew_rate_max), 1, 0},
    {offsetof(gnc_adcs_config, slew_accel_max), 1, 0},
    {offsetof(gnc_adcs_config, boresight_B), 3, 0},
    {offsetof(gnc_adcs_config, secondary_B), 3, 0},
    {offsetof(gnc_adcs_config, solar_B), 3, 0},
    {offsetof(gnc_adcs_config, sun_keepout), 1, 0},
    {offsetof(gnc_adcs_config, detumble_wheel_rate), 1, 0},
    {offsetof(gnc_adcs_config, wheel_count), 1, 1},
    {offsetof(gnc_adcs_config, wheel_axes_B), 18, 0},
    {offsetof(gnc_adcs_config, wheel_inertia), 1, 0},
    {offsetof(gnc_adcs_config, wheel_speed_max), 1, 0},
    {offsetof(gnc_adcs_config, check_min_dspeed), 1, 0},
    {offsetof(gnc_adcs_config, check_speed_frac), 1, 0},
    {offsetof(gnc_adcs_config, check_miss), 1, 0},
    {offsetof(gnc_adcs_config, mekf.gyro_arw), 1, 0},
    {offsetof(gnc_adcs_config, mekf.gyro_rrw), 1, 0},
    {offsetof(gnc_adcs_config, mekf.st_sigma), 1, 0},
    {offsetof(gnc_adcs_config, mekf.p0_att), 1, 0},
    {offsetof(gnc_adcs_config, mekf.p0_bias), 1, 0},
    {offsetof(gnc_adcs_config, mekf.st_cross_sigma), 1, 0},
    {offsetof(gnc_adcs_config, mekf.st_about_sigma), 1, 0},
    {offsetof(gnc_adcs_config, mekf.st_boresight_B), 9, 0},
    {offsetof(gnc_adcs_config, mekf.gate), 1, 0},
    {offsetof(gnc_adcs_config, mekf.gate_reset), 1, 0},
    {offsetof(gnc_adcs_config, mekf.st_heads), 1, 1},
    {offsetof(gnc_adcs_config, coarse_sigma), 1, 0},
};

static const gnc_pkt_field gnc_pkt_adcs_step_req[] = {
    {offsetof(gnc_adcs_in, gyro_B), 3, 0},
    {offsetof(gnc_adcs_in, q_st_BN), 4, 0},
    {offsetof(gnc_adcs_in, mag_B), 3, 0},
    {offsetof(gnc_adcs_in, wheel_speed), 6, 0},
    {offsetof(gnc_adcs_in, q_target_BN), 4, 0},
    {offsetof(gnc_adcs_in, r_target_N), 3, 0},
    {offsetof(gnc_adcs_in, v_target_N), 3, 0},
    {offsetof(gnc_adcs_in, target_age), 1, 0},
    {offsetof(gnc_adcs_in, sun_N), 3, 0},
    {offsetof(gnc_adcs_in, normal_N), 3, 0},
    {offsetof(gnc_adcs_in, wheel_ok), 1, 1},
    {offsetof(gnc_adcs_in, tach_new), 1, 1},
    {offsetof(gnc_adcs_in, st_valid), 1, 1},
    {offsetof(gnc_adcs_in, mag_valid), 1, 1},
    {offsetof(gnc_adcs_in, gyro_valid), 1, 1},
    {offsetof(gnc_adcs_in, mode), 1, 1},
    {offsetof(gnc_adcs_in, q_heads), 12, 0},
    {offsetof(gnc_adcs_in, sun_B), 3, 0},
    {offsetof(gnc_adcs_in, r_N), 3, 0},
    {offsetof(gnc_adcs_in, time_tai), 1, 0},
    {offsetof(gnc_adcs_in, head_mask), 1, 1},
    {offsetof(gnc_adcs_in, sun_valid), 1, 1},
};

static const gnc_pkt_field gnc_pkt_adcs_step_resp[] = {
    {offsetof(gnc_adcs_out, q_BN), 4, 0},
    {offsetof(gnc_adcs_out, w_B), 3, 0},
    {offsetof(gnc_adcs_out, bias_B), 3, 0},
    {offsetof(gnc_adcs_out, q_ref_BN), 4, 0},
    {offsetof(gnc_adcs_out, w_ref_B), 3, 0},
    {offsetof(gnc_adcs_out, att_error), 1, 0},
    {offsetof(gnc_adcs_out, ref_error), 1, 0},
    {offsetof(gnc_adcs_out, torque_B), 3, 0},
    {offsetof(gnc_adcs_out, wheel_torque), 3, 0},
    {offsetof(gnc_adcs_out, wheel_cmd), 6, 0},
    {offsetof(gnc_adcs_out, h_body), 3, 0},
    {offsetof(gnc_adcs_out, h_norm), 1, 0},
    {offsetof(gnc_adcs_out, dipole_B), 3, 0},
    {offsetof(gnc_adcs_out, sigma), 6, 0},
    {offsetof(gnc_adcs_out, mode), 1, 1},
    {offsetof(gnc_adcs_out, flags), 1, 1},
    {offsetof(gnc_adcs_out, wheel_checked), 1, 1},
    {offsetof(gnc_adcs_out, wheel_bad), 1, 1},
    {offsetof(gnc_adcs_out, heads_used), 1, 1},
    {offsetof(gnc_adcs_out, st_rejected), 1, 1},
    {offsetof(gnc_adcs_out, nis), 1, 0},
};

static const gnc_pkt_field gnc_pkt_mekf_config_req[] = {
    {offsetof(gnc_mekf_config, gyro_arw), 1, 0},
    {offsetof(gnc_mekf_config, gyro_rrw), 1, 0},
    {offsetof(gnc_mekf_config, st_sigma), 1, 0},
    {offsetof(gnc_mekf_config, p0_att), 1, 0},
    {offsetof(gnc_mekf_config, p0_bias), 1, 0},
    {offsetof(gnc_mekf_config, st_cross_sigma), 1, 0},
    {offsetof(gnc_mekf_config, st_about_sigma), 1, 0},
    {offsetof(gnc_mekf_config, st_boresight_B), 9, 0},
    {offsetof(gnc_mekf_config, gate), 1, 0},
    {offsetof(gnc_mekf_config, gate_reset), 1, 0},
    {offsetof(gnc_mekf_config, st_heads), 1, 1},
};

static const gnc_pkt_field gnc_pkt_mekf_reset_req[] = {
    {offsetof(gnc_mekf_reset_req, q_BN), 4, 0},
    {offsetof(gnc_mekf_reset_req, bias), 3, 0},
};

static const gnc_pkt_field gnc_pkt_mekf_step_req[] = {
    {offsetof(gnc_mekf_in, dt), 1, 0},
    {offsetof(gnc_mekf_in, gyro), 3, 0},
    {offsetof(gnc_mekf_in, q_st), 4, 0},
    {offsetof(gnc_mekf_in, st_valid), 1, 1},
    {offsetof(gnc_mekf_in, q_heads), 12, 0},
    {offsetof(gnc_mekf_in, head_mask), 1, 1},
};

static const gnc_pkt_field gnc_pkt_mekf_step_resp[] = {
    {offsetof(gnc_mekf_out, q_BN), 4, 0},
    {offsetof(gnc_mekf_out, w_B), 3, 0},
    {offsetof(gnc_mekf_out, bias), 3, 0},
    {offsetof(gnc_mekf_out, sigma), 6, 0},
    {offsetof(gnc_mekf_out, residual), 3, 0},
    {offsetof(gnc_mekf_out, valid), 1, 1},
    {offsetof(gnc_mekf_out, updated), 1, 1},
    {offsetof(gnc_mekf_out, nis), 1, 0},
    {offsetof(gnc_mekf_out, heads_used), 1, 1},
    {offsetof(gnc_mekf_out, rejected), 1, 1},
    {offsetof(gnc_mekf_out, restarted), 1, 1},
};

static const gnc_pkt_field gnc_pkt_relnav_config_req[] = {
    {offsetof(gnc_relnav_config, n), 1, 0},
    {offsetof(gnc_relnav_config, sigma_range), 1, 0},
    {offsetof(gnc_relnav_config, sigma_angle), 1, 0},
    {offsetof(gnc_relnav_config, accel_psd), 1, 0},
    {offsetof(gnc_relnav_config, gate), 1, 0},
    {offsetof(gnc_relnav_config, sigma_range_frac), 1, 0},
    {offsetof(gnc_relnav_config, dv_sigma_frac), 1, 0},
    {offsetof(gnc_relnav_config, dv_sigma_dir), 1, 0},
    {offsetof(gnc_relnav_config, reject_inflate_n), 1, 0},
    {offsetof(gnc_relnav_config, reject_reset_n), 1, 0},
    {offsetof(gnc_relnav_config, inflate), 1, 0},
    {offsetof(gnc_relnav_config, nonlinear), 1, 0},
    {offsetof(gnc_relnav_config, sigma_angle_el), 1, 0},
    {offsetof(gnc_relnav_config, dv_sigma_floor), 1, 0},
    {offsetof(gnc_relnav_config, gate_bearing), 1, 0},
};

static const gnc_pkt_field gnc_pkt_relnav_reset_req[] = {
    {offsetof(gnc_relnav_reset_req, x0), 6, 0},
    {offsetof(gnc_relnav_reset_req, P0), 36, 0},
};

static const gnc_pkt_field gnc_pkt_relnav_step_req[] = {
    {offsetof(gnc_relnav_in, dt), 1, 0},
    {offsetof(gnc_relnav_in, dv), 3, 0},
    {offsetof(gnc_relnav_in, meas), 3, 0},
    {offsetof(gnc_relnav_in, meas_valid), 1, 1},
    {offsetof(gnc_relnav_in, ref_r), 3, 0},
    {offsetof(gnc_relnav_in, ref_v), 3, 0},
    {offsetof(gnc_relnav_in, ref_valid), 1, 1},
    {offsetof(gnc_relnav_in, bearing_only), 1, 1},
    {offsetof(gnc_relnav_in, dv_dt), 1, 0},
};

static const gnc_pkt_field gnc_pkt_relnav_step_resp[] = {
    {offsetof(gnc_relnav_out, x), 6, 0},
    {offsetof(gnc_relnav_out, P), 36, 0},
    {offsetof(gnc_relnav_out, sigma), 6, 0},
    {offsetof(gnc_relnav_out, innovation), 3, 0},
    {offsetof(gnc_relnav_out, nis), 1, 0},
    {offsetof(gnc_relnav_out, updated), 1, 1},
    {offsetof(gnc_relnav_out, rejected), 1, 1},
    {offsetof(gnc_relnav_out, consecutive), 1, 1},
    {offsetof(gnc_relnav_out, recovery), 1, 1},
    {offsetof(gnc_relnav_out, bearing_only), 1, 1},
    {offsetof(gnc_relnav_out, S), 9, 0},
};

static const gnc_pkt_field gnc_pkt_kepler_req[] = {
    {offsetof(gnc_kepler_req, r0), 3, 0},
    {offsetof(gnc_kepler_req, v0), 3, 0},
    {offsetof(gnc_kepler_req, dt), 1, 0},
    {offsetof(gnc_kepler_req, mu), 1, 0},
};

static const gnc_pkt_field gnc_pkt_kepler_resp[] = {
    {offsetof(gnc_kepler_resp, r), 3, 0},
    {offsetof(gnc_kepler_resp, v), 3, 0},
};

static const gnc_pkt_field gnc_pkt_lambert_req[] = {
    {offsetof(gnc_lambert_req, r1), 3, 0},
    {offsetof(gnc_lambert_req, r2), 3, 0},
    {offsetof(gnc_lambert_req, tof), 1, 0},
    {offsetof(gnc_lambert_req, mu), 1, 0},
    {offsetof(gnc_lambert_req, nrev), 1, 1},
    {offsetof(gnc_lambert_req, long_way), 1, 1},
    {offsetof(gnc_lambert_req, branch), 1, 1},
};

static const gnc_pkt_field gnc_pkt_lambert_resp[] = {
    {offsetof(gnc_lambert_resp, v1), 3, 0},
    {offsetof(gnc_lambert_resp, v2), 3, 0},
};

static const gnc_pkt_field gnc_pkt_cw_targeting_req[] = {
    {offsetof(gnc_cw_targeting_req, n), 1, 0},
    {offsetof(gnc_cw_targeting_req, x0), 6, 0},
    {offsetof(gnc_cw_targeting_req, r_f), 3, 0},
    {offsetof(gnc_cw_targeting_req, v_f), 3, 0},
    {offsetof(gnc_cw_targeting_req, tof), 1, 0},
};

static const gnc_pkt_field gnc_pkt_cw_targeting_resp[] = {
    {offsetof(gnc_cw_targeting_resp, dv1), 3, 0},
    {offsetof(gnc_cw_targeting_resp, dv2), 3, 0},
};

static const gnc_pkt_field gnc_pkt_glideslope_req[] = {
    {offsetof(gnc_glideslope_req, n), 1, 0},
    {offsetof(gnc_glideslope_req, x0), 6, 0},
    {offsetof(gnc_glideslope_req, r_T), 3, 0},
    {offsetof(gnc_glideslope_req, rate0), 1, 0},
    {offsetof(gnc_glideslope_req, rate_T), 1, 0},
    {offsetof(gnc_glideslope_req, pulses), 1, 1},
};

static const gnc_pkt_field gnc_pkt_glideslope_resp[] = {
    {offsetof(gnc_glideslope_plan, n_burns), 1, 1},
    {offsetof(gnc_glideslope_plan, duration), 1, 0},
    {offsetof(gnc_glideslope_plan, dv_total), 1, 0},
    {offsetof(gnc_glideslope_plan, t), 33, 0},
    {offsetof(gnc_glideslope_plan, r), 99, 0},
    {offsetof(gnc_glideslope_plan, dv), 99, 0},
};

static const gnc_pkt_field gnc_pkt_safety_ellipse_req[] = {
    {offsetof(gnc_safety_ellipse_req, n), 1, 0},
    {offsetof(gnc_safety_ellipse_req, radial_amp), 1, 0},
    {offsetof(gnc_safety_ellipse_req, cross_amp), 1, 0},
    {offsetof(gnc_safety_ellipse_req, along_center), 1, 0},
    {offsetof(gnc_safety_ellipse_req, phase), 1, 0},
};

static const gnc_pkt_field gnc_pkt_safety_ellipse_resp[] = {
    {offsetof(gnc_safety_ellipse_resp, x0), 6, 0},
};

static const gnc_pkt_field gnc_pkt_closest_approach_req[] = {
    {offsetof(gnc_closest_approach_req, n), 1, 0},
    {offsetof(gnc_closest_approach_req, x0), 6, 0},
    {offsetof(gnc_closest_approach_req, horizon), 1, 0},
};

static const gnc_pkt_field gnc_pkt_closest_approach_resp[] = {
    {offsetof(gnc_closest_approach_resp, t_ca), 1, 0},
    {offsetof(gnc_closest_approach_resp, d_ca), 1, 0},
    {offsetof(gnc_closest_approach_resp, r_ca), 3, 0},
};

static const gnc_pkt_field gnc_pkt_coe_from_rv_req[] = {
    {offsetof(gnc_coe_from_rv_req, r), 3, 0},
    {offsetof(gnc_coe_from_rv_req, v), 3, 0},
    {offsetof(gnc_coe_from_rv_req, mu), 1, 0},
};

static const gnc_pkt_field gnc_pkt_coe_from_rv_resp[] = {
    {offsetof(gnc_coe_from_rv_resp, coe), 6, 0},
};

static const gnc_pkt_field gnc_pkt_rv_from_coe_req[] = {
    {offsetof(gnc_rv_from_coe_req, coe), 6, 0},
    {offsetof(gnc_rv_from_coe_req, mu), 1, 0},
};

static const gnc_pkt_field gnc_pkt_rv_from_coe_resp[] = {
    {offsetof(gnc_rv_from_coe_resp, r), 3, 0},
    {offsetof(gnc_rv_from_coe_resp, v), 3, 0},
};

static const gnc_pkt_field gnc_pkt_j2_rates_req[] = {
    {offsetof(gnc_j2_rates_req, a), 1, 0},
    {offsetof(gnc_j2_rates_req, e), 1, 0},
    {offsetof(gnc_j2_rates_req, i), 1, 0},
    {offsetof(gnc_j2_rates_req, mu), 1, 0},
    {offsetof(gnc_j2_rates_req, j2), 1, 0},
    {offsetof(gnc_j2_rates_req, r_eq), 1, 0},
};

static const gnc_pkt_field gnc_pkt_j2_rates_resp[] = {
    {offsetof(gnc_j2_rates_resp, rates), 3, 0},
};

static const gnc_pkt_field gnc_pkt_lambert_min_tof_req[] = {
    {offsetof(gnc_lambert_min_tof_req, r1), 3, 0},
    {offsetof(gnc_lambert_min_tof_req, r2), 3, 0},
    {offsetof(gnc_lambert_min_tof_req, mu), 1, 0},
    {offsetof(gnc_lambert_min_tof_req, nrev), 1, 1},
    {offsetof(gnc_lambert_min_tof_req, long_way), 1, 1},
};

static const gnc_pkt_field gnc_pkt_lambert_min_tof_resp[] = {
    {offsetof(gnc_lambert_min_tof_resp, tof_min), 1, 0},
};

static const gnc_pkt_field gnc_pkt_cw_propagate_req[] = {
    {offsetof(gnc_cw_propagate_req, n), 1, 0},
    {offsetof(gnc_cw_propagate_req, x0), 6, 0},
    {offsetof(gnc_cw_propagate_req, t), 1, 0},
};

static const gnc_pkt_field gnc_pkt_cw_propagate_resp[] = {
    {offsetof(gnc_cw_propagate_resp, x), 6, 0},
};

static const gnc_pkt_field gnc_pkt_cw_transfer_req[] = {
    {offsetof(gnc_cw_transfer_req, n), 1, 0},
    {offsetof(gnc_cw_transfer_req, x0), 6, 0},
    {offsetof(gnc_cw_transfer_req, r_f), 3, 0},
    {offsetof(gnc_cw_transfer_req, tof), 1, 0},
};

static const gnc_pkt_field gnc_pkt_cw_transfer_resp[] = {
    {offsetof(gnc_cw_transfer_resp, v_dep), 3, 0},
    {offsetof(gnc_cw_transfer_resp, v_arr), 3, 0},
    {offsetof(gnc_cw_transfer_resp, flags), 1, 1},
};

static const gnc_pkt_field gnc_pkt_cw_best_transfer_req[] = {
    {offsetof(gnc_cw_best_transfer_req, n), 1, 0},
    {offsetof(gnc_cw_best_transfer_req, x0), 6, 0},
    {offsetof(gnc_cw_best_transfer_req, r_f), 3, 0},
    {offsetof(gnc_cw_best_transfer_req, v_f), 3, 0},
    {offsetof(gnc_cw_best_transfer_req, tof_min), 1, 0},
    {offsetof(gnc_cw_best_transfer_req, tof_max), 1, 0},
    {offsetof(gnc_cw_best_transfer_req, tof_step), 1, 0},
    {offsetof(gnc_cw_best_transfer_req, min_range), 1, 0},
};

static const gnc_pkt_field gnc_pkt_cw_best_transfer_resp[] = {
    {offsetof(gnc_cw_best_transfer_resp, tof), 1, 0},
    {offsetof(gnc_cw_best_transfer_resp, dv1), 3, 0},
    {offsetof(gnc_cw_best_transfer_resp, dv2), 3, 0},
};

static const gnc_pkt_field gnc_pkt_nmc_state_req[] = {
    {offsetof(gnc_nmc_state_req, n), 1, 0},
    {offsetof(gnc_nmc_state_req, radius), 1, 0},
    {offsetof(gnc_nmc_state_req, phase), 1, 0},
};

static const gnc_pkt_field gnc_pkt_nmc_state_resp[] = {
    {offsetof(gnc_nmc_state_resp, x), 6, 0},
};

static const gnc_pkt_field gnc_pkt_nmc_velocity_req[] = {
    {offsetof(gnc_nmc_velocity_req, n), 1, 0},
    {offsetof(gnc_nmc_velocity_req, r), 3, 0},
};

static const gnc_pkt_field gnc_pkt_nmc_velocity_resp[] = {
    {offsetof(gnc_nmc_velocity_resp, v), 3, 0},
};

static const gnc_pkt_field gnc_pkt_cw_avoidance_req[] = {
    {offsetof(gnc_cw_avoidance_req, n), 1, 0},
    {offsetof(gnc_cw_avoidance_req, x0), 6, 0},
    {offsetof(gnc_cw_avoidance_req, dv_mag), 1, 0},
    {offsetof(gnc_cw_avoidance_req, horizon), 1, 0},
};

static const gnc_pkt_field gnc_pkt_cw_avoidance_resp[] = {
    {offsetof(gnc_cw_avoidance_resp, dv), 3, 0},
    {offsetof(gnc_cw_avoidance_resp, d_min), 1, 0},
};

static const gnc_pkt_field gnc_pkt_hill_to_inertial_at_req[] = {
    {offsetof(gnc_hill_to_inertial_at_req, r_t), 3, 0},
    {offsetof(gnc_hill_to_inertial_at_req, v_t), 3, 0},
    {offsetof(gnc_hill_to_inertial_at_req, n), 1, 0},
    {offsetof(gnc_hill_to_inertial_at_req, dt), 1, 0},
    {offsetof(gnc_hill_to_inertial_at_req, a_H), 3, 0},
};

static const gnc_pkt_field gnc_pkt_hill_to_inertial_at_resp[] = {
    {offsetof(gnc_hill_to_inertial_at_resp, a_N), 3, 0},
};

static const gnc_pkt_field gnc_pkt_sun_direction_req[] = {
    {offsetof(gnc_sun_direction_req, t), 1, 0},
};

static const gnc_pkt_field gnc_pkt_sun_direction_resp[] = {
    {offsetof(gnc_sun_direction_resp, s_N), 3, 0},
};

static const gnc_pkt_field gnc_pkt_eclipse_req[] = {
    {offsetof(gnc_eclipse_req, r_N), 3, 0},
    {offsetof(gnc_eclipse_req, s_N), 3, 0},
    {offsetof(gnc_eclipse_req, r_eq), 1, 0},
};

static const gnc_pkt_field gnc_pkt_eclipse_resp[] = {
    {offsetof(gnc_eclipse_resp, lit), 1, 0},
};

static const gnc_pkt_field gnc_pkt_orbit_check_req[] = {
    {offsetof(gnc_orbit_check_req, r), 3, 0},
    {offsetof(gnc_orbit_check_req, v), 3, 0},
    {offsetof(gnc_orbit_check_req, mu), 1, 0},
    {offsetof(gnc_orbit_check_req, r_eq), 1, 0},
};

static const gnc_pkt_field gnc_pkt_nav_config_req[] = {
    {offsetof(gnc_nav_config, ephem.mu), 1, 0},
    {offsetof(gnc_nav_config, ephem.j2), 1, 0},
    {offsetof(gnc_nav_config, ephem.r_eq), 1, 0},
    {offsetof(gnc_nav_config, ephem.step), 1, 0},
    {offsetof(gnc_nav_config, ephem.drag_bc), 1, 0},
    {offsetof(gnc_nav_config, ephem.drag_rho0), 1, 0},
    {offsetof(gnc_nav_config, ephem.drag_h0), 1, 0},
    {offsetof(gnc_nav_config, ephem.drag_hs), 1, 0},
    {offsetof(gnc_nav_config, ephem.drag_omega), 1, 0},
    {offsetof(gnc_nav_config, n_default), 1, 0},
    {offsetof(gnc_nav_config, gain_pos), 1, 0},
    {offsetof(gnc_nav_config, gain_vel), 1, 0},
    {offsetof(gnc_nav_config, gps_max_age), 1, 0},
    {offsetof(gnc_nav_config, gps_reset_m), 1, 0},
    {offsetof(gnc_nav_config, sigma_gps_pos), 1, 0},
    {offsetof(gnc_nav_config, sigma_gps_vel), 1, 0},
    {offsetof(gnc_nav_config, sigma_range), 1, 0},
    {offsetof(gnc_nav_config, sigma_range_frac), 1, 0},
    {offsetof(gnc_nav_config, sigma_angle), 1, 0},
    {offsetof(gnc_nav_config, accel_psd), 1, 0},
    {offsetof(gnc_nav_config, gate), 1, 0},
    {offsetof(gnc_nav_config, p0), 6, 0},
    {offsetof(gnc_nav_config, meas_max_age), 1, 0},
    {offsetof(gnc_nav_config, coast_s), 1, 0},
    {offsetof(gnc_nav_config, retry_s), 1, 0},
    {offsetof(gnc_nav_config, boresight_B), 3, 0},
    {offsetof(gnc_nav_config, dv_sigma_frac), 1, 0},
    {offsetof(gnc_nav_config, dv_sigma_dir), 1, 0},
    {offsetof(gnc_nav_config, reject_inflate_n), 1, 0},
    {offsetof(gnc_nav_config, reject_reset_n), 1, 0},
    {offsetof(gnc_nav_config, inflate), 1, 0},
    {offsetof(gnc_nav_config, nonlinear), 1, 0},
    {offsetof(gnc_nav_config, sigma_gps_rel), 1, 0},
    {offsetof(gnc_nav_config, clock_sigma_b0), 1, 0},
    {offsetof(gnc_nav_config, clock_sigma_d0), 1, 0},
    {offsetof(gnc_nav_config, clock_q_wf), 1, 0},
    {offsetof(gnc_nav_config, clock_q_rw), 1, 0},
    {offsetof(gnc_nav_config, clock_sigma_pps), 1, 0},
    {offsetof(gnc_nav_config, clock_gate), 1, 0},
    {offsetof(gnc_nav_config, clock_reset_n), 1, 0},
    {offsetof(gnc_nav_config, clock_sigma_floor), 1, 0},
    {offsetof(gnc_nav_config, dv_sigma_floor), 1, 0},
    {offsetof(gnc_nav_config, gate_bearing), 1, 0},
    {offsetof(gnc_nav_config, target_sigma), 4, 0},
    {offsetof(gnc_nav_config, refine_s), 1, 0},
    {offsetof(gnc_nav_config, refine_range), 1, 0},
    {offsetof(gnc_nav_config, bank), 1, 0},
    {offsetof(gnc_nav_config, att_bias_frac), 1, 0},
    {offsetof(gnc_nav_config, frame_bias_s), 1, 0},
};

static const gnc_pkt_field gnc_pkt_nav_set_target_req[] = {
    {offsetof(gnc_nav_set_target_req, r_N), 3, 0},
    {offsetof(gnc_nav_set_target_req, v_N), 3, 0},
    {offsetof(gnc_nav_set_target_req, t), 1, 0},
};

static const gnc_pkt_field gnc_pkt_nav_step_req[] = {
    {offsetof(gnc_nav_in, t), 1, 0},
    {offsetof(gnc_nav_in, gps_t), 1, 0},
    {offsetof(gnc_nav_in, gps_r_N), 3, 0},
    {offsetof(gnc_nav_in, gps_v_N), 3, 0},
    {offsetof(gnc_nav_in, meas_t), 1, 0},
    {offsetof(gnc_nav_in, meas), 3, 0},
    {offsetof(gnc_nav_in, q_BN), 4, 0},
    {offsetof(gnc_nav_in, dv_N), 3, 0},
    {offsetof(gnc_nav_in, gps_valid), 1, 1},
    {offsetof(gnc_nav_in, meas_valid), 1, 1},
    {offsetof(gnc_nav_in, att_valid), 1, 1},
    {offsetof(gnc_nav_in, att_sigma), 1, 0},
    {offsetof(gnc_nav_in, gps_met), 1, 0},
    {offsetof(gnc_nav_in, att_sigma_B), 3, 0},
    {offsetof(gnc_nav_in, meas_bearing_only), 1, 1},
    {offsetof(gnc_nav_in, att_dt), 1, 0},
    {offsetof(gnc_nav_in, att_rate_B), 3, 0},
    {offsetof(gnc_nav_in, dv_age), 1, 0},
};

static const gnc_pkt_field gnc_pkt_nav_step_resp[] = {
    {offsetof(gnc_nav_out, x_H), 6, 0},
    {offsetof(gnc_nav_out, r_rel_N), 3, 0},
    {offsetof(gnc_nav_out, v_rel_N), 3, 0},
    {offsetof(gnc_nav_out, r_target_N), 3, 0},
    {offsetof(gnc_nav_out, v_target_N), 3, 0},
    {offsetof(gnc_nav_out, sun_N), 3, 0},
    {offsetof(gnc_nav_out, normal_N), 3, 0},
    {offsetof(gnc_nav_out, mean_motion), 1, 0},
    {offsetof(gnc_nav_out, sigma_pos), 1, 0},
    {offsetof(gnc_nav_out, sigma_vel), 1, 0},
    {offsetof(gnc_nav_out, nis), 1, 0},
    {offsetof(gnc_nav_out, valid), 1, 1},
    {offsetof(gnc_nav_out, source), 1, 1},
    {offsetof(gnc_nav_out, flags), 1, 1},
    {offsetof(gnc_nav_out, ekf_status), 1, 1},
    {offsetof(gnc_nav_out, cov_pos), 6, 0},
    {offsetof(gnc_nav_out, cov_vel), 6, 0},
    {offsetof(gnc_nav_out, consecutive), 1, 1},
    {offsetof(gnc_nav_out, recovery), 1, 1},
    {offsetof(gnc_nav_out, t_est), 1, 0},
    {offsetof(gnc_nav_out, clock_offset), 1, 0},
    {offsetof(gnc_nav_out, clock_drift), 1, 0},
    {offsetof(gnc_nav_out, clock_sigma), 1, 0},
    {offsetof(gnc_nav_out, clock_sigma_drift), 1, 0},
    {offsetof(gnc_nav_out, clock_nis), 1, 0},
    {offsetof(gnc_nav_out, clock_state), 1, 1},
    {offsetof(gnc_nav_out, target_refined), 1, 1},
    {offsetof(gnc_nav_out, target_shift_H), 3, 0},
    {offsetof(gnc_nav_out, bank), 1, 1},
};

static const gnc_pkt_field gnc_pkt_prop_config_req[] = {
    {offsetof(gnc_prop_config, count), 1, 1},
    {offsetof(gnc_prop_config, position_B), 48, 0},
    {offsetof(gnc_prop_config, direction_B), 48, 0},
    {offsetof(gnc_prop_config, inertia), 9, 0},
    {offsetof(gnc_prop_config, isp), 1, 0},
    {offsetof(gnc_prop_config, g0), 1, 0},
    {offsetof(gnc_prop_config, min_on), 1, 0},
    {offsetof(gnc_prop_config, secondary_B), 3, 0},
};

static const gnc_pkt_field gnc_pkt_prop_partners_resp[] = {
    {offsetof(gnc_prop_partners_resp, count), 1, 1},
    {offsetof(gnc_prop_partners_resp, partner), 16, 1},
};

static const gnc_pkt_field gnc_pkt_prop_select_req[] = {
    {offsetof(gnc_prop_select_req, ok_mask), 1, 1},
    {offsetof(gnc_prop_select_req, q_BN), 4, 0},
    {offsetof(gnc_prop_select_req, dv_N), 3, 0},
};

static const gnc_pkt_field gnc_pkt_prop_select_resp[] = {
    {offsetof(gnc_prop_select_resp, axis_B), 3, 0},
    {offsetof(gnc_prop_select_resp, group_mask), 1, 1},
    {offsetof(gnc_prop_select_resp, n_fire), 1, 1},
};

static const gnc_pkt_field gnc_pkt_prop_burn_attitude_req[] = {
    {offsetof(gnc_prop_burn_attitude_req, axis_B), 3, 0},
    {offsetof(gnc_prop_burn_attitude_req, dv_N), 3, 0},
    {offsetof(gnc_prop_burn_attitude_req, normal_N), 3, 0},
};

static const gnc_pkt_field gnc_pkt_prop_burn_attitude_resp[] = {
    {offsetof(gnc_prop_burn_attitude_resp, q_BN), 4, 0},
};

static const gnc_pkt_field gnc_pkt_prop_fire_req[] = {
    {offsetof(gnc_prop_fire_req, n_fire), 1, 1},
    {offsetof(gnc_prop_fire_req, thrust), 1, 0},
    {offsetof(gnc_prop_fire_req, mass), 1, 0},
    {offsetof(gnc_prop_fire_req, remaining), 1, 0},
    {offsetof(gnc_prop_fire_req, dt), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_fire_resp[] = {
    {offsetof(gnc_prop_fire_resp, on), 1, 0},
    {offsetof(gnc_prop_fire_resp, dv), 1, 0},
    {offsetof(gnc_prop_fire_resp, dm), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_duration_req[] = {
    {offsetof(gnc_prop_duration_req, n_fire), 1, 1},
    {offsetof(gnc_prop_duration_req, thrust), 1, 0},
    {offsetof(gnc_prop_duration_req, mass), 1, 0},
    {offsetof(gnc_prop_duration_req, dv), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_duration_resp[] = {
    {offsetof(gnc_prop_duration_resp, duration), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_rate_residuals_req[] = {
    {offsetof(gnc_prop_rate_residuals_req, w_B), 3, 0},
    {offsetof(gnc_prop_rate_residuals_req, w0_B), 3, 0},
};

static const gnc_pkt_field gnc_pkt_prop_rate_residuals_resp[] = {
    {offsetof(gnc_prop_rate_residuals_resp, rate), 1, 0},
    {offsetof(gnc_prop_rate_residuals_resp, change), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_test_response_req[] = {
    {offsetof(gnc_prop_test_response_req, i), 1, 1},
    {offsetof(gnc_prop_test_response_req, thrust), 1, 0},
    {offsetof(gnc_prop_test_response_req, pulse), 1, 0},
    {offsetof(gnc_prop_test_response_req, dw_B), 3, 0},
};

static const gnc_pkt_field gnc_pkt_prop_test_response_resp[] = {
    {offsetof(gnc_prop_test_response_resp, expected_B), 3, 0},
    {offsetof(gnc_prop_test_response_resp, ratio), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_translate_req[] = {
    {offsetof(gnc_prop_translate_req, ok_mask), 1, 1},
    {offsetof(gnc_prop_translate_req, q_BN), 4, 0},
    {offsetof(gnc_prop_translate_req, rem_N), 3, 0},
    {offsetof(gnc_prop_translate_req, thrust), 1, 0},
    {offsetof(gnc_prop_translate_req, mass), 1, 0},
    {offsetof(gnc_prop_translate_req, dt), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_translate_resp[] = {
    {offsetof(gnc_prop_translate_resp, on_time), 16, 0},
    {offsetof(gnc_prop_translate_resp, dv_N), 3, 0},
    {offsetof(gnc_prop_translate_resp, dm), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_offpulse_req[] = {
    {offsetof(gnc_prop_offpulse_req, on_time), 16, 0},
    {offsetof(gnc_prop_offpulse_req, torque_B), 3, 0},
    {offsetof(gnc_prop_offpulse_req, thrust), 1, 0},
    {offsetof(gnc_prop_offpulse_req, mass), 1, 0},
    {offsetof(gnc_prop_offpulse_req, q_BN), 4, 0},
};

static const gnc_pkt_field gnc_pkt_prop_offpulse_resp[] = {
    {offsetof(gnc_prop_offpulse_resp, on_time), 16, 0},
    {offsetof(gnc_prop_offpulse_resp, dv_N), 3, 0},
    {offsetof(gnc_prop_offpulse_resp, dm), 1, 0},
    {offsetof(gnc_prop_offpulse_resp, torque_B), 3, 0},
};

static const gnc_pkt_field gnc_pkt_prop_accel_req[] = {
    {offsetof(gnc_prop_accel_req, dv_B), 3, 0},
    {offsetof(gnc_prop_accel_req, dt), 1, 0},
    {offsetof(gnc_prop_accel_req, bias_B), 3, 0},
    {offsetof(gnc_prop_accel_req, q_BN), 4, 0},
};

static const gnc_pkt_field gnc_pkt_prop_accel_resp[] = {
    {offsetof(gnc_prop_accel_resp, dv_N), 3, 0},
};

static const gnc_pkt_field gnc_pkt_prop_com_update_req[] = {
    {offsetof(gnc_prop_com_update_req, N), 9, 0},
    {offsetof(gnc_prop_com_update_req, b), 3, 0},
    {offsetof(gnc_prop_com_update_req, F), 3, 0},
    {offsetof(gnc_prop_com_update_req, y), 3, 0},
    {offsetof(gnc_prop_com_update_req, min_impulse), 1, 0},
    {offsetof(gnc_prop_com_update_req, max_offset), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_com_update_resp[] = {
    {offsetof(gnc_prop_com_update_resp, N), 9, 0},
    {offsetof(gnc_prop_com_update_resp, b), 3, 0},
    {offsetof(gnc_prop_com_update_resp, est), 3, 0},
    {offsetof(gnc_prop_com_update_resp, used), 1, 1},
};

static const gnc_pkt_field gnc_pkt_phasing_plan_req[] = {
    {offsetof(gnc_phasing_plan_req, ephem.mu), 1, 0},
    {offsetof(gnc_phasing_plan_req, ephem.j2), 1, 0},
    {offsetof(gnc_phasing_plan_req, ephem.r_eq), 1, 0},
    {offsetof(gnc_phasing_plan_req, ephem.step), 1, 0},
    {offsetof(gnc_phasing_plan_req, ephem.drag_bc), 1, 0},
    {offsetof(gnc_phasing_plan_req, ephem.drag_rho0), 1, 0},
    {offsetof(gnc_phasing_plan_req, ephem.drag_h0), 1, 0},
    {offsetof(gnc_phasing_plan_req, ephem.drag_hs), 1, 0},
    {offsetof(gnc_phasing_plan_req, ephem.drag_omega), 1, 0},
    {offsetof(gnc_phasing_plan_req, in.r_c), 3, 0},
    {offsetof(gnc_phasing_plan_req, in.v_c), 3, 0},
    {offsetof(gnc_phasing_plan_req, in.r_t), 3, 0},
    {offsetof(gnc_phasing_plan_req, in.v_t), 3, 0},
    {offsetof(gnc_phasing_plan_req, in.t), 1, 0},
    {offsetof(gnc_phasing_plan_req, in.t_first), 1, 0},
    {offsetof(gnc_phasing_plan_req, in.t_arrive), 1, 0},
    {offsetof(gnc_phasing_plan_req, in.aim_behind), 1, 0},
    {offsetof(gnc_phasing_plan_req, in.aim_below), 1, 0},
    {offsetof(gnc_phasing_plan_req, in.max_delta_a), 1, 0},
};

static const gnc_pkt_field gnc_pkt_phasing_plan_resp[] = {
    {offsetof(gnc_phasing_out, phase), 1, 0},
    {offsetof(gnc_phasing_out, phase_rate), 1, 0},
    {offsetof(gnc_phasing_out, drift_rate), 1, 0},
    {offsetof(gnc_phasing_out, aim_rate), 1, 0},
    {offsetof(gnc_phasing_out, period), 1, 0},
    {offsetof(gnc_phasing_out, t_burn), 4, 0},
    {offsetof(gnc_phasing_out, dv), 4, 0},
    {offsetof(gnc_phasing_out, dv_total), 1, 0},
    {offsetof(gnc_phasing_out, delta_a), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_com_torque_req[] = {
    {offsetof(gnc_prop_com_torque_req, N), 9, 0},
    {offsetof(gnc_prop_com_torque_req, est), 3, 0},
    {offsetof(gnc_prop_com_torque_req, F), 3, 0},
    {offsetof(gnc_prop_com_torque_req, noise), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_com_torque_resp[] = {
    {offsetof(gnc_prop_com_torque_resp, known), 3, 0},
    {offsetof(gnc_prop_com_torque_resp, sigma), 3, 0},
};

static const gnc_pkt_field gnc_pkt_curvilinear_from_hill_req[] = {
    {offsetof(gnc_curvilinear_from_hill_req, R), 1, 0},
    {offsetof(gnc_curvilinear_from_hill_req, x), 6, 0},
};

static const gnc_pkt_field gnc_pkt_curvilinear_from_hill_resp[] = {
    {offsetof(gnc_curvilinear_from_hill_resp, c), 6, 0},
};

static const gnc_pkt_field gnc_pkt_curvilinear_dv_to_hill_req[] = {
    {offsetof(gnc_curvilinear_dv_to_hill_req, R), 1, 0},
    {offsetof(gnc_curvilinear_dv_to_hill_req, c), 3, 0},
    {offsetof(gnc_curvilinear_dv_to_hill_req, dv_c), 3, 0},
};

static const gnc_pkt_field gnc_pkt_curvilinear_dv_to_hill_resp[] = {
    {offsetof(gnc_curvilinear_dv_to_hill_resp, dv_h), 3, 0},
};

static const gnc_pkt_field gnc_pkt_mag_dipole_req[] = {
    {offsetof(gnc_mag_dipole_req, t), 1, 0},
    {offsetof(gnc_mag_dipole_req, r_N), 3, 0},
};

static const gnc_pkt_field gnc_pkt_mag_dipole_resp[] = {
    {offsetof(gnc_mag_dipole_resp, b_N), 3, 0},
};

static const gnc_pkt_field gnc_pkt_triad_req[] = {
    {offsetof(gnc_triad_req, v1_B), 3, 0},
    {offsetof(gnc_triad_req, v2_B), 3, 0},
    {offsetof(gnc_triad_req, v1_N), 3, 0},
    {offsetof(gnc_triad_req, v2_N), 3, 0},
};

static const gnc_pkt_field gnc_pkt_triad_resp[] = {
    {offsetof(gnc_triad_resp, q_BN), 4, 0},
};

static const gnc_pkt_field gnc_pkt_adcs_cycle_req[] = {
    {offsetof(gnc_adcs_cycle_req, in.gyro_B), 3, 0},
    {offsetof(gnc_adcs_cycle_req, in.q_st_BN), 4, 0},
    {offsetof(gnc_adcs_cycle_req, in.mag_B), 3, 0},
    {offsetof(gnc_adcs_cycle_req, in.wheel_speed), 6, 0},
    {offsetof(gnc_adcs_cycle_req, in.q_target_BN), 4, 0},
    {offsetof(gnc_adcs_cycle_req, in.r_target_N), 3, 0},
    {offsetof(gnc_adcs_cycle_req, in.v_target_N), 3, 0},
    {offsetof(gnc_adcs_cycle_req, in.target_age), 1, 0},
    {offsetof(gnc_adcs_cycle_req, in.sun_N), 3, 0},
    {offsetof(gnc_adcs_cycle_req, in.normal_N), 3, 0},
    {offsetof(gnc_adcs_cycle_req, in.wheel_ok), 1, 1},
    {offsetof(gnc_adcs_cycle_req, in.tach_new), 1, 1},
    {offsetof(gnc_adcs_cycle_req, in.st_valid), 1, 1},
    {offsetof(gnc_adcs_cycle_req, in.mag_valid), 1, 1},
    {offsetof(gnc_adcs_cycle_req, in.gyro_valid), 1, 1},
    {offsetof(gnc_adcs_cycle_req, in.mode), 1, 1},
    {offsetof(gnc_adcs_cycle_req, in.q_heads), 12, 0},
    {offsetof(gnc_adcs_cycle_req, in.sun_B), 3, 0},
    {offsetof(gnc_adcs_cycle_req, in.r_N), 3, 0},
    {offsetof(gnc_adcs_cycle_req, in.time_tai), 1, 0},
    {offsetof(gnc_adcs_cycle_req, in.head_mask), 1, 1},
    {offsetof(gnc_adcs_cycle_req, in.sun_valid), 1, 1},
    {offsetof(gnc_adcs_cycle_req, wheel_seq), 1, 1},
};

static const gnc_pkt_field gnc_pkt_adcs_cycle_resp[] = {
    {offsetof(gnc_adcs_cycle_resp, out.q_BN), 4, 0},
    {offsetof(gnc_adcs_cycle_resp, out.w_B), 3, 0},
    {offsetof(gnc_adcs_cycle_resp, out.bias_B), 3, 0},
    {offsetof(gnc_adcs_cycle_resp, out.q_ref_BN), 4, 0},
    {offsetof(gnc_adcs_cycle_resp, out.w_ref_B), 3, 0},
    {offsetof(gnc_adcs_cycle_resp, out.att_error), 1, 0},
    {offsetof(gnc_adcs_cycle_resp, out.ref_error), 1, 0},
    {offsetof(gnc_adcs_cycle_resp, out.torque_B), 3, 0},
    {offsetof(gnc_adcs_cycle_resp, out.wheel_torque), 3, 0},
    {offsetof(gnc_adcs_cycle_resp, out.wheel_cmd), 6, 0},
    {offsetof(gnc_adcs_cycle_resp, out.h_body), 3, 0},
    {offsetof(gnc_adcs_cycle_resp, out.h_norm), 1, 0},
    {offsetof(gnc_adcs_cycle_resp, out.dipole_B), 3, 0},
    {offsetof(gnc_adcs_cycle_resp, out.sigma), 6, 0},
    {offsetof(gnc_adcs_cycle_resp, out.mode), 1, 1},
    {offsetof(gnc_adcs_cycle_resp, out.flags), 1, 1},
    {offsetof(gnc_adcs_cycle_resp, out.wheel_checked), 1, 1},
    {offsetof(gnc_adcs_cycle_resp, out.wheel_bad), 1, 1},
    {offsetof(gnc_adcs_cycle_resp, out.heads_used), 1, 1},
    {offsetof(gnc_adcs_cycle_resp, out.st_rejected), 1, 1},
    {offsetof(gnc_adcs_cycle_resp, out.nis), 1, 0},
    {offsetof(gnc_adcs_cycle_resp, wheel_cmd), 46, 1},
};

static const gnc_pkt_field gnc_pkt_prop_pulse_response_req[] = {
    {offsetof(gnc_prop_pulse_response_req, level_in), 16, 0},
    {offsetof(gnc_prop_pulse_response_req, on), 16, 0},
    {offsetof(gnc_prop_pulse_response_req, n), 1, 1},
    {offsetof(gnc_prop_pulse_response_req, dt), 1, 0},
    {offsetof(gnc_prop_pulse_response_req, rise), 1, 0},
    {offsetof(gnc_prop_pulse_response_req, tail), 1, 0},
};

static const gnc_pkt_field gnc_pkt_prop_pulse_response_resp[] = {
    {offsetof(gnc_prop_pulse_response_resp, level_out), 16, 0},
    {offsetof(gnc_prop_pulse_response_resp, on_eff), 16, 0},
};

static const gnc_pkt_field gnc_pkt_drift_screen_req[] = {
    {offsetof(gnc_drift_screen_req, horizon), 1, 0},
    {offsetof(gnc_drift_screen_req, step), 1, 0},
    {offsetof(gnc_drift_screen_req, bc_target), 1, 0},
    {offsetof(gnc_drift_screen_req, bc_chaser), 1, 0},
    {offsetof(gnc_drift_screen_req, rho0), 1, 0},
    {offsetof(gnc_drift_screen_req, h0), 1, 0},
    {offsetof(gnc_drift_screen_req, scale_h), 1, 0},
    {offsetof(gnc_drift_screen_req, k_sigma), 1, 0},
    {offsetof(gnc_drift_screen_req, r_t), 3, 0},
    {offsetof(gnc_drift_screen_req, v_t), 3, 0},
    {offsetof(gnc_drift_screen_req, x_rel), 6, 0},
    {offsetof(gnc_drift_screen_req, P), 36, 0},
};

static const gnc_pkt_field gnc_pkt_drift_screen_resp[] = {
    {offsetof(gnc_drift_result, t_ca), 1, 0},
    {offsetof(gnc_drift_result, d_ca), 1, 0},
    {offsetof(gnc_drift_result, t_k), 1, 0},
    {offsetof(gnc_drift_result, d_k), 1, 0},
    {offsetof(gnc_drift_result, sigma_k), 1, 0},
    {offsetof(gnc_drift_result, rn_min), 1, 0},
};

static const gnc_pkt_field gnc_pkt_inspection_phase_req[] = {
    {offsetof(gnc_inspection_phase_req, n), 1, 0},
    {offsetof(gnc_inspection_phase_req, radial_amp), 1, 0},
    {offsetof(gnc_inspection_phase_req, cross_amp), 1, 0},
    {offsetof(gnc_inspection_phase_req, r_t), 3, 0},
    {offsetof(gnc_inspection_phase_req, v_t), 3, 0},
    {offsetof(gnc_inspection_phase_req, dt), 1, 0},
    {offsetof(gnc_inspection_phase_req, span), 1, 0},
    {offsetof(gnc_inspection_phase_req, s_N), 3, 0},
    {offsetof(gnc_inspection_phase_req, max_phase), 1, 0},
    {offsetof(gnc_inspection_phase_req, r_eq), 1, 0},
    {offsetof(gnc_inspection_phase_req, face_view), 1, 0},
    {offsetof(gnc_inspection_phase_req, face_sun), 1, 0},
    {offsetof(gnc_inspection_phase_req, face_min), 1, 0},
    {offsetof(gnc_inspection_phase_req, good_min), 1, 0},
};

static const gnc_pkt_field gnc_pkt_inspection_phase_resp[] = {
    {offsetof(gnc_inspection_phase_resp, th0), 1, 0},
    {offsetof(gnc_inspection_phase_resp, good), 1, 0},
    {offsetof(gnc_inspection_phase_resp, lit), 1, 0},
    {offsetof(gnc_inspection_phase_resp, faces), 1, 1},
};

static const gnc_pkt_call gnc_pkt_calls[] = {
    {GNC_APID_ADCS_CONFIG, gnc_pkt_adcs_config_req, 36, 75, NULL, 0, 1},
    {GNC_APID_ADCS_RESET, NULL, 0, 0, NULL, 0, 1},
    {GNC_APID_ADCS_STEP, gnc_pkt_adcs_step_req, 22, 60, gnc_pkt_adcs_step_resp, 21, 52},
    {GNC_APID_MEKF_CONFIG, gnc_pkt_mekf_config_req, 11, 19, NULL, 0, 1},
    {GNC_APID_MEKF_RESET, gnc_pkt_mekf_reset_req, 2, 7, NULL, 0, 1},
    {GNC_APID_MEKF_STEP, gnc_pkt_mekf_step_req, 6, 22, gnc_pkt_mekf_step_resp, 11, 26},
    {GNC_APID_RELNAV_CONFIG, gnc_pkt_relnav_config_req, 15, 15, NULL, 0, 1},
    {GNC_APID_RELNAV_RESET, gnc_pkt_relnav_reset_req, 2, 42, NULL, 0, 1},
    {GNC_APID_RELNAV_STEP, gnc_pkt_relnav_step_req, 9, 17, gnc_pkt_relnav_step_resp, 11, 67},
    {GNC_APID_KEPLER, gnc_pkt_kepler_req, 4, 8, gnc_pkt_kepler_resp, 2, 7},
    {GNC_APID_LAMBERT, gnc_pkt_lambert_req, 7, 11, gnc_pkt_lambert_resp, 2, 7},
    {GNC_APID_CW_TARGETING, gnc_pkt_cw_targeting_req, 5, 14, gnc_pkt_cw_targeting_resp, 2, 7},
    {GNC_APID_GLIDESLOPE, gnc_pkt_glideslope_req, 6, 13, gnc_pkt_glideslope_resp, 6, 235},
    {GNC_APID_SAFETY_ELLIPSE, gnc_pkt_safety_ellipse_req, 5, 5, gnc_pkt_safety_ellipse_resp, 1, 7},
    {GNC_APID_CLOSEST_APPROACH, gnc_pkt_closest_approach_req, 3, 8, gnc_pkt_closest_approach_resp, 3, 6},
    {GNC_APID_COE_FROM_RV, gnc_pkt_coe_from_rv_req, 3, 7, gnc_pkt_coe_from_rv_resp, 1, 7},
    {GNC_APID_RV_FROM_COE, gnc_pkt_rv_from_coe_req, 2, 7, gnc_pkt_rv_from_coe_resp, 2, 7},
    {GNC_APID_J2_RATES, gnc_pkt_j2_rates_req, 6, 6, gnc_pkt_j2_rates_resp, 1, 4},
    {GNC_APID_LAMBERT_MIN_TOF, gnc_pkt_lambert_min_tof_req, 5, 9, gnc_pkt_lambert_min_tof_resp, 1, 2},
    {GNC_APID_CW_PROPAGATE, gnc_pkt_cw_propagate_req, 3, 8, gnc_pkt_cw_propagate_resp, 1, 7},
    {GNC_APID_CW_TRANSFER, gnc_pkt_cw_transfer_req, 4, 11, gnc_pkt_cw_transfer_resp, 3, 8},
    {GNC_APID_CW_BEST_TRANSFER, gnc_pkt_cw_best_transfer_req, 8, 17, gnc_pkt_cw_best_transfer_resp, 3, 8},
    {GNC_APID_NMC_STATE, gnc_pkt_nmc_state_req, 3, 3, gnc_pkt_nmc_state_resp, 1, 7},
    {GNC_APID_NMC_VELOCITY, gnc_pkt_nmc_velocity_req, 2, 4, gnc_pkt_nmc_velocity_resp, 1, 4},
    {GNC_APID_CW_AVOIDANCE, gnc_pkt_cw_avoidance_req, 4, 9, gnc_pkt_cw_avoidance_resp, 2, 5},
    {GNC_APID_HILL_TO_INERTIAL_AT, gnc_pkt_hill_to_inertial_at_req, 5, 11, gnc_pkt_hill_to_inertial_at_resp, 1, 4},
    {GNC_APID_SUN_DIRECTION, gnc_pkt_sun_direction_req, 1, 1, gnc_pkt_sun_direction_resp, 1, 4},
    {GNC_APID_ECLIPSE, gnc_pkt_eclipse_req, 3, 7, gnc_pkt_eclipse_resp, 1, 2},
    {GNC_APID_ORBIT_CHECK, gnc_pkt_orbit_check_req, 4, 8, NULL, 0, 1},
    {GNC_APID_NAV_CONFIG, gnc_pkt_nav_config_req, 49, 59, NULL, 0, 1},
    {GNC_APID_NAV_SET_TARGET, gnc_pkt_nav_set_target_req, 3, 7, NULL, 0, 1},
    {GNC_APID_NAV_STEP, gnc_pkt_nav_step_req, 18, 33, gnc_pkt_nav_step_resp, 29, 59},
    {GNC_APID_PROP_CONFIG, gnc_pkt_prop_config_req, 8, 112, NULL, 0, 1},
    {GNC_APID_PROP_PARTNERS, NULL, 0, 0, gnc_pkt_prop_partners_resp, 2, 18},
    {GNC_APID_PROP_SELECT, gnc_pkt_prop_select_req, 3, 8, gnc_pkt_prop_select_resp, 3, 6},
    {GNC_APID_PROP_BURN_ATTITUDE, gnc_pkt_prop_burn_attitude_req, 3, 9, gnc_pkt_prop_burn_attitude_resp, 1, 5},
    {GNC_APID_PROP_FIRE, gnc_pkt_prop_fire_req, 5, 5, gnc_pkt_prop_fire_resp, 3, 4},
    {GNC_APID_PROP_DURATION, gnc_pkt_prop_duration_req, 4, 4, gnc_pkt_prop_duration_resp, 1, 2},
    {GNC_APID_PROP_RATE_RESIDUALS, gnc_pkt_prop_rate_residuals_req, 2, 6, gnc_pkt_prop_rate_residuals_resp, 2, 3},
    {GNC_APID_PROP_TEST_RESPONSE, gnc_pkt_prop_test_response_req, 4, 6, gnc_pkt_prop_test_response_resp, 2, 5},
    {GNC_APID_PROP_TRANSLATE, gnc_pkt_prop_translate_req, 6, 11, gnc_pkt_prop_translate_resp, 3, 21},
    {GNC_APID_PROP_OFFPULSE, gnc_pkt_prop_offpulse_req, 5, 25, gnc_pkt_prop_offpulse_resp, 4, 24},
    {GNC_APID_PROP_ACCEL, gnc_pkt_prop_accel_req, 4, 11, gnc_pkt_prop_accel_resp, 1, 4},
    {GNC_APID_PROP_COM_UPDATE, gnc_pkt_prop_com_update_req, 6, 20, gnc_pkt_prop_com_update_resp, 4, 17},
    {GNC_APID_PHASING_PLAN, gnc_pkt_phasing_plan_req, 19, 27, gnc_pkt_phasing_plan_resp, 9, 16},
    {GNC_APID_PROP_COM_TORQUE, gnc_pkt_prop_com_torque_req, 4, 16, gnc_pkt_prop_com_torque_resp, 2, 7},
    {GNC_APID_CURVILINEAR_FROM_HILL, gnc_pkt_curvilinear_from_hill_req, 2, 7, gnc_pkt_curvilinear_from_hill_resp, 1, 7},
    {GNC_APID_CURVILINEAR_DV_TO_HILL, gnc_pkt_curvilinear_dv_to_hill_req, 3, 7, gnc_pkt_curvilinear_dv_to_hill_resp, 1, 4},
    {GNC_APID_MAG_DIPOLE, gnc_pkt_mag_dipole_req, 2, 4, gnc_pkt_mag_dipole_resp, 1, 4},
    {GNC_APID_TRIAD, gnc_pkt_triad_req, 4, 12, gnc_pkt_triad_resp, 1, 5},
    {GNC_APID_ADCS_CYCLE, gnc_pkt_adcs_cycle_req, 23, 61, gnc_pkt_adcs_cycle_resp, 22, 98},
    {GNC_APID_PROP_PULSE_RESPONSE, gnc_pkt_prop_pulse_response_req, 6, 36, gnc_pkt_prop_pulse_response_resp, 2, 33},
    {GNC_APID_DRIFT_SCREEN, gnc_pkt_drift_screen_req, 12, 56, gnc_pkt_drift_screen_resp, 6, 7},
    {GNC_APID_INSPECTION_PHASE, gnc_pkt_inspection_phase_req, 14, 20, gnc_pkt_inspection_phase_resp, 4, 5},
};

#endif /* GNC_PACKETS_H */
