/*
 * gnc_dispatch.h - the guidance core behind space packets: the interface the
 * board firmware serves over serial (and the desktop calls in-process).
 *
 * A request is one CCSDS space packet (APID 0x200-0x23F, type 0, secondary
 * header flag 1): 6-octet primary header, CUC 4+2 time, big-endian float64
 * fields, CRC-16-CCITT (poly 0x1021, init 0xFFFF) over every octet before
 * it. The response (APID = request + 0x40) echoes the request's sequence
 * count and time and carries the status (as a float64) and then the outputs.
 * Field layouts are declared in the packet dictionary (fsw/packets/defs/gnc.py)
 * and generated into native/src/gnc_packets.h: each request and response
 * carries the members of one struct below (or of a step's in/out struct),
 * in order, integers as float64.
 */
#ifndef GNC_DISPATCH_H
#define GNC_DISPATCH_H

/* Argument structs of the requests that wrap plain functions. */
typedef struct gnc_mekf_reset_req { double q_BN[4]; double bias[3]; } gnc_mekf_reset_req;
typedef struct gnc_relnav_reset_req { double x0[6]; double P0[36]; } gnc_relnav_reset_req;
typedef struct gnc_kepler_req { double r0[3]; double v0[3]; double dt; double mu; } gnc_kepler_req;
typedef struct gnc_kepler_resp { double r[3]; double v[3]; } gnc_kepler_resp;
typedef struct gnc_lambert_req {
    double r1[3]; double r2[3]; double tof; double mu; int nrev; int long_way; int branch;
} gnc_lambert_req;
typedef struct gnc_lambert_resp { double v1[3]; double v2[3]; } gnc_lambert_resp;
typedef struct gnc_lambert_min_tof_req {
    double r1[3]; double r2[3]; double mu; int nrev; int long_way;
} gnc_lambert_min_tof_req;
typedef struct gnc_lambert_min_tof_resp { double tof_min; } gnc_lambert_min_tof_resp;
typedef struct gnc_cw_targeting_req {
    double n; double x0[6]; double r_f[3]; double v_f[3]; double tof;
} gnc_cw_targeting_req;
typedef struct gnc_cw_targeting_resp { double dv1[3]; double dv2[3]; } gnc_cw_targeting_resp;
typedef struct gnc_glideslope_req {
    double n; double x0[6]; double r_T[3]; double rate0; double rate_T; int pulses;
} gnc_glideslope_req;
typedef struct gnc_safety_ellipse_req {
    double n; double radial_amp; double cross_amp; double along_center; double phase;
} gnc_safety_ellipse_req;
typedef struct gnc_safety_ellipse_resp { double x0[6]; } gnc_safety_ellipse_resp;
typedef struct gnc_closest_approach_req { double n; double x0[6]; double horizon; } gnc_closest_approach_req;
typedef struct gnc_closest_approach_resp { double t_ca; double d_ca; double r_ca[3]; } gnc_closest_approach_resp;
typedef struct gnc_coe_from_rv_req { double r[3]; double v[3]; double mu; } gnc_coe_from_rv_req;
typedef struct gnc_coe_from_rv_resp { double coe[6]; } gnc_coe_from_rv_resp;
typedef struct gnc_rv_from_coe_req { double coe[6]; double mu; } gnc_rv_from_coe_req;
typedef struct gnc_rv_from_coe_resp { double r[3]; double v[3]; } gnc_rv_from_coe_resp;
typedef struct gnc_j2_rates_req {
    double a; double e; double i; double mu; double j2; double r_eq;
} gnc_j2_rates_req;
typedef struct gnc_j2_rates_resp { double rates[3]; } gnc_j2_rates_resp;
/* Relative motion (gnc_relative.h) */
typedef struct gnc_cw_propagate_req { double n; double x0[6]; double t; } gnc_cw_propagate_req;
typedef struct gnc_cw_propagate_resp { double x[6]; } gnc_cw_propagate_resp;
typedef struct gnc_cw_transfer_req { double n; double x0[6]; double r_f[3]; double tof; } gnc_cw_transfer_req;
typedef struct gnc_cw_transfer_resp { double v_dep[3]; double v_arr[3]; int flags; } gnc_cw_transfer_resp;
typedef struct gnc_cw_best_transfer_req {
    double n; double x0[6]; double r_f[3]; double v_f[3]; double tof_min; double tof_max;
    double tof_step; double min_range;
} gnc_cw_best_transfer_req;
typedef struct gnc_cw_best_transfer_resp { double tof; double dv1[3]; double dv2[3]; } gnc_cw_best_transfer_resp;
typedef struct gnc_nmc_state_req { double n; double radius; double phase; } gnc_nmc_state_req;
typedef struct gnc_nmc_state_resp { double x[6]; } gnc_nmc_state_resp;
typedef struct gnc_nmc_velocity_req { double n; double r[3]; } gnc_nmc_velocity_req;
typedef struct gnc_nmc_velocity_resp { double v[3]; } gnc_nmc_velocity_resp;
typedef struct gnc_cw_avoidance_req {
    double n; double x0[6]; double dv_mag; double horizon;
} gnc_cw_avoidance_req;
typedef struct gnc_cw_avoidance_resp { double dv[3]; double d_min; } gnc_cw_avoidance_resp;
/* Passive safety (gnc_safety.h): the request carries gnc_drift_model's
 * members first, in order */
typedef struct gnc_drift_screen_req {
    double horizon; double step; double bc_target; double bc_chaser; double rho0; double h0;
    double scale_h; double k_sigma; double r_t[3]; double v_t[3]; double x_rel[6];
    double P[36];
} gnc_drift_screen_req;
typedef gnc_inspection_geometry gnc_inspection_phase_req;
typedef gnc_inspection_choice gnc_inspection_phase_resp;
/* Ephemerides (gnc_ephem.h) */
typedef struct gnc_hill_to_inertial_at_req {
    double r_t[3]; double v_t[3]; double n; double dt; double a_H[3];
} gnc_hill_to_inertial_at_req;
typedef struct gnc_hill_to_inertial_at_resp { double a_N[3]; } gnc_hill_to_inertial_at_resp;
typedef struct gnc_sun_direction_req { double t; } gnc_sun_direction_req;
typedef struct gnc_sun_direction_resp { double s_N[3]; } gnc_sun_direction_resp;
typedef struct gnc_eclipse_req { double r_N[3]; double s_N[3]; double r_eq; } gnc_eclipse_req;
typedef struct gnc_eclipse_resp { double lit; } gnc_eclipse_resp;
typedef struct gnc_mag_dipole_req { double t; double r_N[3]; } gnc_mag_dipole_req;
typedef struct gnc_mag_dipole_resp { double b_N[3]; } gnc_mag_dipole_resp;
typedef struct gnc_triad_req { double v1_B[3]; double v2_B[3]; double v1_N[3]; double v2_N[3]; } gnc_triad_req;
typedef struct gnc_triad_resp { double q_BN[4]; } gnc_triad_resp;
typedef struct gnc_orbit_check_req { double r[3]; double v[3]; double mu; double r_eq; } gnc_orbit_check_req;
/* Far-range phasing (gnc_phasing.h): the on-board model, then the inputs
 * (members flattened as ephem_*, in_*); the response carries gnc_phasing_out */
typedef struct gnc_phasing_plan_req { gnc_ephem_config ephem; gnc_phasing_in in; } gnc_phasing_plan_req;
/* Navigation (gnc_nav.h) */
typedef struct gnc_nav_set_target_req { double r_N[3]; double v_N[3]; double t; } gnc_nav_set_target_req;
/* Propulsion (gnc_prop.h) */
typedef struct gnc_prop_partners_resp { int count; int partner[GNC_PROP_MAX]; } gnc_prop_partners_resp;
typedef struct gnc_prop_select_req { int ok_mask; double q_BN[4]; double dv_N[3]; } gnc_prop_select_req;
typedef struct gnc_prop_select_resp { double axis_B[3]; int group_mask; int n_fire; } gnc_prop_select_resp;
typedef struct gnc_prop_burn_attitude_req {
    double axis_B[3]; double dv_N[3]; double normal_N[3];
} gnc_prop_burn_attitude_req;
typedef struct gnc_prop_burn_attitude_resp { double q_BN[4]; } gnc_prop_burn_attitude_resp;
typedef struct gnc_prop_fire_req {
    int n_fire; double thrust; double mass; double remaining; double dt;
} gnc_prop_fire_req;
typedef struct gnc_prop_fire_resp { double on; double dv; double dm; } gnc_prop_fire_resp;
typedef struct gnc_prop_translate_req {
    int ok_mask; double q_BN[4]; double rem_N[3]; double thrust; double mass; double dt;
} gnc_prop_translate_req;
typedef struct gnc_prop_translate_resp {
    double on_time[GNC_PROP_MAX]; double dv_N[3]; double dm;
} gnc_prop_translate_resp;
typedef struct gnc_prop_offpulse_req {
    double on_time[GNC_PROP_MAX]; double torque_B[3]; double thrust; double mass; double q_BN[4];
} gnc_prop_offpulse_req;
typedef struct gnc_prop_offpulse_resp {
    double on_time[GNC_PROP_MAX]; double dv_N[3]; double dm; double torque_B[3];
} gnc_prop_offpulse_resp;
typedef struct gnc_prop_duration_req { int n_fire; double thrust; double mass; double dv; } gnc_prop_duration_req;
typedef struct gnc_prop_duration_resp { double duration; } gnc_prop_duration_resp;
typedef struct gnc_prop_accel_req {
    double dv_B[3]; double dt; double bias_B[3]; double q_BN[4];
} gnc_prop_accel_req;
typedef struct gnc_prop_accel_resp { double dv_N[3]; } gnc_prop_accel_resp;
typedef struct gnc_prop_rate_residuals_req { double w_B[3]; double w0_B[3]; } gnc_prop_rate_residuals_req;
typedef struct gnc_prop_rate_residuals_resp { double rate; double change; } gnc_prop_rate_residuals_resp;
typedef struct gnc_prop_pulse_response_req {
    double level_in[GNC_PROP_MAX]; double on[GNC_PROP_MAX]; int n; double dt; double rise;
    double tail;
} gnc_prop_pulse_response_req;
typedef struct gnc_prop_pulse_response_resp {
    double level_out[GNC_PROP_MAX]; double on_eff[GNC_PROP_MAX];
} gnc_prop_pulse_response_resp;
typedef struct gnc_prop_test_response_req {
    int i; double thrust; double pulse; double dw_B[3];
} gnc_prop_test_response_req;
typedef struct gnc_prop_test_response_resp { double expected_B[3]; double ratio; } gnc_prop_test_response_resp;
typedef struct gnc_prop_com_update_req {
    double N[9]; double b[3]; double F[3]; double y[3]; double min_impulse; double max_offset;
} gnc_prop_com_update_req;
typedef struct gnc_prop_com_update_resp {
    double N[9]; double b[3]; double est[3]; int used;
} gnc_prop_com_update_resp;
typedef struct gnc_prop_com_torque_req {
    double N[9]; double est[3]; double F[3]; double noise;
} gnc_prop_com_torque_req;
typedef struct gnc_prop_com_torque_resp { double known[3]; double sigma[3]; } gnc_prop_com_torque_resp;
typedef struct gnc_curvilinear_from_hill_req { double R; double x[6]; } gnc_curvilinear_from_hill_req;
typedef struct gnc_curvilinear_from_hill_resp { double c[6]; } gnc_curvilinear_from_hill_resp;
typedef struct gnc_curvilinear_dv_to_hill_req {
    double R; double c[3]; double dv_c[3];
} gnc_curvilinear_dv_to_hill_req;
typedef struct gnc_curvilinear_dv_to_hill_resp { double dv_h[3]; } gnc_curvilinear_dv_to_hill_resp;

/* The ADCS cycle whose wheel command leaves as a space packet. */
/* Octets of the WHEEL_CMD packet (the packet dictionary's WHEEL_CMD: primary
 * header, CUC 4+2, four big-endian float64 torques, CRC); gnc_dispatch.c
 * checks it against the layout generated from the dictionary. */
enum { GNC_WHEEL_CMD_LEN = 46 };
typedef struct gnc_adcs_cycle_req { gnc_adcs_in in; int wheel_seq; } gnc_adcs_cycle_req;
typedef struct gnc_adcs_cycle_resp {
    gnc_adcs_out out;
    int wheel_cmd[GNC_WHEEL_CMD_LEN]; /* the WHEEL_CMD packet, one octet each */
} gnc_adcs_cycle_resp;

/* One ADCS cycle: gnc_adcs_step, then the WHEEL_CMD telemetry packet of its
 * wheel_cmd (wheels beyond the configured count zero) stamped with
 * in->time_tai (CUC coarse and fine time, fine rounded half to even) and the
 * sequence count seq, CRC appended, written to wheel_cmd[0..GNC_WHEEL_CMD_LEN):
 * the same octets as the packet dictionary builds. Checked before the step,
 * which then does not run: seq in 0..16383 and a wheel count the packet
 * carries (GNC_ERR_RANGE), time_tai a CUC time (GNC_ERR_DOMAIN). A failed
 * step writes no packet. */
int gnc_adcs_cycle(gnc_adcs *ctx, const gnc_adcs_in *in, int seq, gnc_adcs_out *out,
                   uint8_t *wheel_cmd);

/* The largest response packet the dispatcher keeps for a repeated request
 * (GNC_GLIDESLOPE_RESP, the largest, is 1894 octets). */
enum { GNC_DISPATCH_CACHE_CAP = 2048 };

/* The last response, kept so that a repeated request is answered again
 * without running twice (at-most-once execution over a lossy link). A
 * request repeats the last one when its APID, sequence count, length and
 * CRC are the same. */
typedef struct gnc_dispatch_cache {
    uint8_t resp[GNC_DISPATCH_CACHE_CAP];
    size_t resp_len;           /* 0: nothing kept */
    size_t req_len;
    unsigned int apid;
    unsigned int seq;
    unsigned int req_crc;
    int status;
} gnc_dispatch_cache;

/* The dispatcher's context: every stateful step's context, the last
 * response, and counters. */
typedef struct gnc_dispatcher {
    gnc_adcs adcs;
    gnc_mekf mekf;
    gnc_relnav relnav;
    gnc_nav nav;
    gnc_prop prop;
    gnc_dispatch_cache last;
    unsigned int requests;     /* requests answered (repeats included) */
    unsigned int failed;       /* of which with a nonzero status */
    unsigned int malformed;    /* packets rejected before dispatch (no response) */
    unsigned int repeats;      /* of the requests, repeats answered from the kept response */
} gnc_dispatcher;

/* Zero the contexts (steps report GNC_ERR_STATE until configured). */
int gnc_dispatch_init(gnc_dispatcher *ctx);

/* Decode the request packet req[0..req_len), run it, encode the response into
 * resp[0..resp_cap) and set *resp_len. Returns the call's status; a response
 * is written (resp_len > 0) for every request with a valid header, CRC and a
 * known APID, with that status in it. Malformed packets (GNC_ERR_PACKET),
 * unknown APIDs (GNC_ERR_UNKNOWN_REQUEST) and a too small resp_cap
 * (GNC_ERR_BUFFER) give *resp_len = 0.
 * A request that repeats the last one answered (same APID, sequence count,
 * length and CRC: the host sent it again after a lost or late answer) is not
 * run again: the kept response is copied to resp and its status returned,
 * so a stateful step (MEKF propagation, a navigation cycle...) runs at most
 * once per request. */
int gnc_dispatch(gnc_dispatcher *ctx, const uint8_t *req, size_t req_len, uint8_t *resp,
                 size_t resp_cap, size_t *resp_len);

#endif /* GNC_DISPATCH_H */
