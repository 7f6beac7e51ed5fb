/* gnc_dispatch.c - guidance-core requests and responses as space packets
 * (see gnc_dispatch.h; layouts in the generated gnc_packets.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_packets.h"

#include <string.h>

enum {
    PRIMARY_LEN = 6,
    CUC_LEN = 6,
    HEAD_LEN = PRIMARY_LEN + CUC_LEN,
    CRC_LEN = 2,
    APID_FIRST = 0x200,
    APID_LAST = 0x23F
};

static double get_f64(const uint8_t *p)
{
    uint64_t u = 0;
    double d;
    int i;
    for (i = 0; i < 8; ++i) {
        u = (u << 8) | p[i];
    }
    memcpy(&d, &u, sizeof d);
    return d;
}

static void put_f64(uint8_t *p, double d)
{
    uint64_t u;
    int i;
    memcpy(&u, &d, sizeof u);
    for (i = 7; i >= 0; --i) {
        p[i] = (uint8_t)(u & 0xFFu);
        u >>= 8;
    }
}

/* The public buffer size of the WHEEL_CMD packet is the dictionary's. */
typedef char gnc_wheel_cmd_len_check[((int)GNC_WHEEL_CMD_SIZE == (int)GNC_WHEEL_CMD_LEN
                                      && (int)HEAD_LEN + 8 * (int)GNC_WHEEL_CMD_TORQUES
                                             + (int)CRC_LEN == (int)GNC_WHEEL_CMD_LEN)
                                     ? 1 : -1];

/* CUC ticks (1/65536 s) of a TAI time, rounded half to even as the packet
 * dictionary stamps it; GNC_ERR_DOMAIN when the coarse time leaves 4 octets. */
static int cuc_ticks(double t, uint64_t *ticks)
{
    double x = t * 65536.0, frac;
    uint64_t n;
    if (!(x >= -0.5 && x < 281474976710656.0)) { /* 2 to the 48: NaN fails too */
        return GNC_ERR_DOMAIN;
    }
    if (x < 0.0) {
        *ticks = 0;
        return GNC_OK;
    }
    n = (uint64_t)x;
    frac = x - (double)n; /* exact: x below 2 to the 52 */
    if (frac > 0.5 || (frac == 0.5 && (n & 1u))) {
        n += 1u;
    }
    if (n >= (uint64_t)1 << 48) {
        return GNC_ERR_DOMAIN;
    }
    *ticks = n;
    return GNC_OK;
}

int gnc_adcs_cycle(gnc_adcs *ctx, const gnc_adcs_in *in, int seq, gnc_adcs_out *out,
                   uint8_t *wheel_cmd)
{
    uint64_t ticks;
    uint16_t crc;
    unsigned i, word;
    int st;
    if (ctx == NULL || in == NULL || out == NULL || wheel_cmd == NULL) {
        return GNC_ERR_NULL;
    }
    if (seq < 0 || seq > 0x3FFF || ctx->cfg.wheel_count > GNC_WHEEL_CMD_TORQUES) {
        return GNC_ERR_RANGE;
    }
    st = cuc_ticks(in->time_tai, &ticks);
    if (st != GNC_OK) {
        return st;
    }
    st = gnc_adcs_step(ctx, in, out);
    if (st != GNC_OK) {
        return st;
    }
    word = 0x0800u | GNC_WHEEL_CMD_APID; /* telemetry, secondary header */
    wheel_cmd[0] = (uint8_t)(word >> 8);
    wheel_cmd[1] = (uint8_t)(word & 0xFFu);
    word = 0xC000u | (unsigned)seq; /* unsegmented */
    wheel_cmd[2] = (uint8_t)(word >> 8);
    wheel_cmd[3] = (uint8_t)(word & 0xFFu);
    wheel_cmd[4] = (uint8_t)((GNC_WHEEL_CMD_LEN - 7) >> 8);
    wheel_cmd[5] = (uint8_t)((GNC_WHEEL_CMD_LEN - 7) & 0xFF);
    for (i = 0; i < CUC_LEN; ++i) {
        wheel_cmd[PRIMARY_LEN + i] = (uint8_t)((ticks >> (8u * (CUC_LEN - 1u - i))) & 0xFFu);
    }
    for (i = 0; i < GNC_WHEEL_CMD_TORQUES; ++i) {
        put_f64(wheel_cmd + HEAD_LEN + 8u * i,
                (int)i < ctx->cfg.wheel_count ? out->wheel_cmd[i] : 0.0);
    }
    gnc_crc16(wheel_cmd, GNC_WHEEL_CMD_LEN - CRC_LEN, &crc);
    wheel_cmd[GNC_WHEEL_CMD_LEN - 2] = (uint8_t)(crc >> 8);
    wheel_cmd[GNC_WHEEL_CMD_LEN - 1] = (uint8_t)(crc & 0xFFu);
    return GNC_OK;
}

/* ADCS_CYCLE: gnc_adcs_cycle with the packet's octets as the response's ints. */
static int adcs_cycle(gnc_adcs *ctx, const gnc_adcs_cycle_req *q, gnc_adcs_cycle_resp *r)
{
    uint8_t pkt[GNC_WHEEL_CMD_LEN];
    int i, st = gnc_adcs_cycle(ctx, &q->in, q->wheel_seq, &r->out, pkt);
    if (st == GNC_OK) {
        for (i = 0; i < GNC_WHEEL_CMD_LEN; ++i) {
            r->wheel_cmd[i] = pkt[i];
        }
    }
    return st;
}

/* Decode n_fields table entries from big-endian float64s into a struct. */
static int decode_fields(const gnc_pkt_field *tab, unsigned n, const uint8_t *src, void *dst)
{
    unsigned f, k;
    for (f = 0; f < n; ++f) {
        unsigned char *base = (unsigned char *)dst + tab[f].offset;
        for (k = 0; k < tab[f].count; ++k, src += 8) {
            double v = get_f64(src);
            if (tab[f].is_int) {
                int iv;
                if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != (double)(long)v) {
                    return GNC_ERR_DOMAIN;
                }
                iv = (int)v;
                memcpy(base + k * sizeof(int), &iv, sizeof iv);
            } else {
                memcpy(base + k * sizeof(double), &v, sizeof v);
            }
        }
    }
    return GNC_OK;
}

static void encode_fields(const gnc_pkt_field *tab, unsigned n, const void *src, uint8_t *dst)
{
    unsigned f, k;
    for (f = 0; f < n; ++f) {
        const unsigned char *base = (const unsigned char *)src + tab[f].offset;
        for (k = 0; k < tab[f].count; ++k, dst += 8) {
            double v;
            if (tab[f].is_int) {
                int iv;
                memcpy(&iv, base + k * sizeof(int), sizeof iv);
                v = (double)iv;
            } else {
                memcpy(&v, base + k * sizeof(double), sizeof v);
            }
            put_f64(dst, v);
        }
    }
}

/* All request and response structs, one at a time. */
typedef union dispatch_args {
    gnc_adcs_config adcs_config;
    gnc_adcs_in adcs_in;
    gnc_adcs_cycle_req adcs_cycle;
    gnc_mekf_config mekf_config;
    gnc_mekf_reset_req mekf_reset;
    gnc_mekf_in mekf_in;
    gnc_relnav_config relnav_config;
    gnc_relnav_reset_req relnav_reset;
    gnc_relnav_in relnav_in;
    gnc_kepler_req kepler;
    gnc_lambert_req lambert;
    gnc_cw_targeting_req cw;
    gnc_glideslope_req glideslope;
    gnc_safety_ellipse_req ellipse;
    gnc_closest_approach_req ca;
    gnc_coe_from_rv_req coe_from_rv;
    gnc_rv_from_coe_req rv_from_coe;
    gnc_j2_rates_req j2;
    gnc_lambert_min_tof_req lmin;
    gnc_cw_propagate_req cwp;
    gnc_cw_transfer_req cwt;
    gnc_cw_best_transfer_req cwb;
    gnc_nmc_state_req nmc;
    gnc_nmc_velocity_req nmcv;
    gnc_cw_avoidance_req cam;
    gnc_drift_screen_req drift;
    gnc_inspection_phase_req insp;
    gnc_hill_to_inertial_at_req hill;
    gnc_sun_direction_req sun;
    gnc_eclipse_req ecl;
    gnc_mag_dipole_req mag;
    gnc_triad_req triad;
    gnc_orbit_check_req chk;
    gnc_phasing_plan_req phase;
    gnc_nav_config nav_config;
    gnc_nav_set_target_req nav_target;
    gnc_nav_in nav_in;
    gnc_prop_config prop_config;
    gnc_prop_select_req psel;
    gnc_prop_burn_attitude_req patt;
    gnc_prop_fire_req pfire;
    gnc_prop_translate_req ptr;
    gnc_prop_offpulse_req poff;
    gnc_prop_duration_req pdur;
    gnc_prop_rate_residuals_req prate;
    gnc_prop_pulse_response_req ppulse;
    gnc_prop_accel_req pacc;
    gnc_prop_test_response_req ptest;
    gnc_prop_com_update_req pcom;
    gnc_prop_com_torque_req pct;
    gnc_curvilinear_from_hill_req cfh;
    gnc_curvilinear_dv_to_hill_req cdv;
} dispatch_args;

typedef union dispatch_result {
    gnc_adcs_out adcs_out;
    gnc_adcs_cycle_resp adcs_cycle;
    gnc_mekf_out mekf_out;
    gnc_relnav_out relnav_out;
    gnc_kepler_resp kepler;
    gnc_lambert_resp lambert;
    gnc_cw_targeting_resp cw;
    gnc_glideslope_plan plan;
    gnc_safety_ellipse_resp ellipse;
    gnc_closest_approach_resp ca;
    gnc_coe_from_rv_resp coe;
    gnc_rv_from_coe_resp rv;
    gnc_j2_rates_resp j2;
    gnc_lambert_min_tof_resp lmin;
    gnc_cw_propagate_resp cwp;
    gnc_cw_transfer_resp cwt;
    gnc_cw_best_transfer_resp cwb;
    gnc_nmc_state_resp nmc;
    gnc_nmc_velocity_resp nmcv;
    gnc_cw_avoidance_resp cam;
    gnc_drift_result drift;
    gnc_inspection_phase_resp insp;
    gnc_hill_to_inertial_at_resp hill;
    gnc_sun_direction_resp sun;
    gnc_eclipse_resp ecl;
    gnc_phasing_out phase;
    gnc_mag_dipole_resp mag;
    gnc_triad_resp triad;
    gnc_nav_out nav_out;
    gnc_prop_partners_resp ppart;
    gnc_prop_select_resp psel;
    gnc_prop_burn_attitude_resp patt;
    gnc_prop_fire_resp pfire;
    gnc_prop_translate_resp ptr;
    gnc_prop_offpulse_resp poff;
    gnc_prop_duration_resp pdur;
    gnc_prop_rate_residuals_resp prate;
    gnc_prop_pulse_response_resp ppulse;
    gnc_prop_accel_resp pacc;
    gnc_prop_test_response_resp ptest;
    gnc_prop_com_update_resp pcom;
    gnc_prop_com_torque_resp pct;
    gnc_curvilinear_from_hill_resp cfh;
    gnc_curvilinear_dv_to_hill_resp cdv;
} dispatch_result;

static int prop_partners(const gnc_prop *prop, gnc_prop_partners_resp *r)
{
    int i;
    if (!prop->initialised) {
        return GNC_ERR_STATE;
    }
    r->count = prop->cfg.count;
    for (i = 0; i < GNC_PROP_MAX; ++i) {
        r->partner[i] = prop->partner[i];
    }
    return GNC_OK;
}

/* The normal equations in and out: the request's copied into the response,
 * then updated there. */
static int prop_com_update(const gnc_prop_com_update_req *q, gnc_prop_com_update_resp *r)
{
    int i;
    for (i = 0; i < 9; ++i) {
        r->N[i] = q->N[i];
    }
    for (i = 0; i < 3; ++i) {
        r->b[i] = q->b[i];
    }
    return gnc_prop_com_update(r->N, r->b, q->F, q->y, q->min_impulse, q->max_offset, r->est,
                               &r->used);
}

static int drift_screen(const gnc_drift_screen_req *q, gnc_drift_result *r)
{
    gnc_drift_model m;
    m.horizon = q->horizon;
    m.step = q->step;
    m.bc_target = q->bc_target;
    m.bc_chaser = q->bc_chaser;
    m.rho0 = q->rho0;
    m.h0 = q->h0;
    m.scale_h = q->scale_h;
    m.k_sigma = q->k_sigma;
    return gnc_drift_screen(&m, q->r_t, q->v_t, q->x_rel, q->P, r);
}

/* The requests on the relative-motion, ephemeris, navigation and propulsion
 * units (the rest in run()). */
static int run_more(gnc_dispatcher *ctx, unsigned apid, const dispatch_args *a,
                    dispatch_result *r)
{
    switch (apid) {
    case GNC_APID_LAMBERT_MIN_TOF:
        return gnc_lambert_min_tof(a->lmin.r1, a->lmin.r2, a->lmin.mu, a->lmin.nrev,
                                   a->lmin.long_way, &r->lmin.tof_min);
    case GNC_APID_CW_PROPAGATE:
        return gnc_cw_propagate(a->cwp.n, a->cwp.x0, a->cwp.t, r->cwp.x);
    case GNC_APID_CW_TRANSFER:
        return gnc_cw_transfer(a->cwt.n, a->cwt.x0, a->cwt.r_f, a->cwt.tof, r->cwt.v_dep,
                               r->cwt.v_arr, &r->cwt.flags);
    case GNC_APID_CW_BEST_TRANSFER:
        return gnc_cw_best_transfer(a->cwb.n, a->cwb.x0, a->cwb.r_f, a->cwb.v_f, a->cwb.tof_min,
                                    a->cwb.tof_max, a->cwb.tof_step, a->cwb.min_range,
                                    &r->cwb.tof, r->cwb.dv1, r->cwb.dv2);
    case GNC_APID_NMC_STATE:
        return gnc_nmc_state(a->nmc.n, a->nmc.radius, a->nmc.phase, r->nmc.x);
    case GNC_APID_NMC_VELOCITY:
        return gnc_nmc_velocity(a->nmcv.n, a->nmcv.r, r->nmcv.v);
    case GNC_APID_CW_AVOIDANCE:
        return gnc_cw_avoidance(a->cam.n, a->cam.x0, a->cam.dv_mag, a->cam.horizon, r->cam.dv,
                                &r->cam.d_min);
    case GNC_APID_DRIFT_SCREEN:
        return drift_screen(&a->drift, &r->drift);
    case GNC_APID_INSPECTION_PHASE:
        return gnc_inspection_phase(&a->insp, &r->insp);
    case GNC_APID_HILL_TO_INERTIAL_AT:
        return gnc_hill_to_inertial_at(a->hill.r_t, a->hill.v_t, a->hill.n, a->hill.dt,
                                       a->hill.a_H, r->hill.a_N);
    case GNC_APID_SUN_DIRECTION:
        return gnc_sun_direction(a->sun.t, r->sun.s_N);
    case GNC_APID_ECLIPSE:
        return gnc_eclipse(a->ecl.r_N, a->ecl.s_N, a->ecl.r_eq, &r->ecl.lit);
    case GNC_APID_MAG_DIPOLE:
        return gnc_mag_dipole(a->mag.t, a->mag.r_N, r->mag.b_N);
    case GNC_APID_TRIAD:
        return gnc_triad(a->triad.v1_B, a->triad.v2_B, a->triad.v1_N, a->triad.v2_N,
                         r->triad.q_BN);
    case GNC_APID_ORBIT_CHECK:
        return gnc_orbit_check(a->chk.r, a->chk.v, a->chk.mu, a->chk.r_eq);
    case GNC_APID_PHASING_PLAN:
        return gnc_phasing_plan(&a->phase.ephem, &a->phase.in, &r->phase);
    case GNC_APID_NAV_CONFIG:
        return gnc_nav_init(&ctx->nav, &a->nav_config);
    case GNC_APID_NAV_SET_TARGET:
        return gnc_nav_set_target(&ctx->nav, a->nav_target.r_N, a->nav_target.v_N,
                                  a->nav_target.t);
    case GNC_APID_NAV_STEP:
        return gnc_nav_step(&ctx->nav, &a->nav_in, &r->nav_out);
    case GNC_APID_PROP_CONFIG:
        return gnc_prop_init(&ctx->prop, &a->prop_config);
    case GNC_APID_PROP_PARTNERS:
        return prop_partners(&ctx->prop, &r->ppart);
    case GNC_APID_PROP_SELECT:
        return gnc_prop_select(&ctx->prop, a->psel.ok_mask, a->psel.q_BN, a->psel.dv_N,
                               r->psel.axis_B, &r->psel.group_mask, &r->psel.n_fire);
    case GNC_APID_PROP_BURN_ATTITUDE:
        return gnc_prop_burn_attitude(&ctx->prop, a->patt.axis_B, a->patt.dv_N,
                                      a->patt.normal_N, r->patt.q_BN);
    case GNC_APID_PROP_TRANSLATE:
        return gnc_prop_translate(&ctx->prop, a->ptr.ok_mask, a->ptr.q_BN, a->ptr.rem_N,
                                  a->ptr.thrust, a->ptr.mass, a->ptr.dt, r->ptr.on_time,
                                  r->ptr.dv_N, &r->ptr.dm);
    case GNC_APID_PROP_OFFPULSE:
        return gnc_prop_offpulse(&ctx->prop, a->poff.on_time, a->poff.torque_B, a->poff.thrust,
                                 a->poff.mass, a->poff.q_BN, r->poff.on_time, r->poff.dv_N,
                                 &r->poff.dm, r->poff.torque_B);
    case GNC_APID_PROP_FIRE:
        return gnc_prop_fire(&ctx->prop, a->pfire.n_fire, a->pfire.thrust, a->pfire.mass,
                             a->pfire.remaining, a->pfire.dt, &r->pfire.on, &r->pfire.dv,
                             &r->pfire.dm);
    case GNC_APID_PROP_DURATION:
        return gnc_prop_duration(&ctx->prop, a->pdur.n_fire, a->pdur.thrust, a->pdur.mass,
                                 a->pdur.dv, &r->pdur.duration);
    case GNC_APID_PROP_ACCEL:
        return gnc_prop_accel(a->pacc.dv_B, a->pacc.dt, a->pacc.bias_B, a->pacc.q_BN,
                              r->pacc.dv_N);
    case GNC_APID_PROP_RATE_RESIDUALS:
        return gnc_prop_rate_residuals(a->prate.w_B, a->prate.w0_B, &r->prate.rate,
                                       &r->prate.change);
    case GNC_APID_PROP_PULSE_RESPONSE:
        return gnc_prop_pulse_response(a->ppulse.level_in, a->ppulse.on, a->ppulse.n,
                                       a->ppulse.dt, a->ppulse.rise, a->ppulse.tail,
                                       r->ppulse.level_out, r->ppulse.on_eff);
    case GNC_APID_PROP_TEST_RESPONSE:
        return gnc_prop_test_response(&ctx->prop, a->ptest.i, a->ptest.thrust, a->ptest.pulse,
                                      a->ptest.dw_B, r->ptest.expected_B, &r->ptest.ratio);
    case GNC_APID_PROP_COM_UPDATE:
        return prop_com_update(&a->pcom, &r->pcom);
    case GNC_APID_CURVILINEAR_FROM_HILL:
        return gnc_curvilinear_from_hill(a->cfh.R, a->cfh.x, r->cfh.c);
    case GNC_APID_CURVILINEAR_DV_TO_HILL:
        return gnc_curvilinear_dv_to_hill(a->cdv.R, a->cdv.c, a->cdv.dv_c, r->cdv.dv_h);
    case GNC_APID_PROP_COM_TORQUE:
        return gnc_prop_com_torque(a->pct.N, a->pct.est, a->pct.F, a->pct.noise, r->pct.known,
                                   r->pct.sigma);
    default:
        return GNC_ERR_UNKNOWN_REQUEST;
    }
}

static int run(gnc_dispatcher *ctx, unsigned apid, const dispatch_args *a, dispatch_result *r)
{
    switch (apid) {
    case GNC_APID_ADCS_CONFIG:
        return gnc_adcs_init(&ctx->adcs, &a->adcs_config);
    case GNC_APID_ADCS_RESET:
        return gnc_adcs_reset(&ctx->adcs);
    case GNC_APID_ADCS_STEP:
        return gnc_adcs_step(&ctx->adcs, &a->adcs_in, &r->adcs_out);
    case GNC_APID_ADCS_CYCLE:
        return adcs_cycle(&ctx->adcs, &a->adcs_cycle, &r->adcs_cycle);
    case GNC_APID_MEKF_CONFIG:
        return gnc_mekf_init(&ctx->mekf, &a->mekf_config);
    case GNC_APID_MEKF_RESET:
        return gnc_mekf_reset(&ctx->mekf, a->mekf_reset.q_BN, a->mekf_reset.bias);
    case GNC_APID_MEKF_STEP:
        return gnc_mekf_step(&ctx->mekf, &a->mekf_in, &r->mekf_out);
    case GNC_APID_RELNAV_CONFIG:
        return gnc_relnav_init(&ctx->relnav, &a->relnav_config);
    case GNC_APID_RELNAV_RESET:
        return gnc_relnav_reset(&ctx->relnav, a->relnav_reset.x0, a->relnav_reset.P0);
    case GNC_APID_RELNAV_STEP:
        return gnc_relnav_step(&ctx->relnav, &a->relnav_in, &r->relnav_out);
    case GNC_APID_KEPLER:
        return gnc_kepler(a->kepler.r0, a->kepler.v0, a->kepler.dt, a->kepler.mu, r->kepler.r,
                          r->kepler.v);
    case GNC_APID_LAMBERT:
        return gnc_lambert(a->lambert.r1, a->lambert.r2, a->lambert.tof, a->lambert.mu,
                           a->lambert.nrev, a->lambert.long_way, a->lambert.branch,
                           r->lambert.v1, r->lambert.v2);
    case GNC_APID_CW_TARGETING:
        return gnc_cw_two_impulse(a->cw.n, a->cw.x0, a->cw.r_f, a->cw.v_f, a->cw.tof, r->cw.dv1,
                                  r->cw.dv2);
    case GNC_APID_GLIDESLOPE:
        return gnc_glideslope(a->glideslope.n, a->glideslope.x0, a->glideslope.r_T,
                              a->glideslope.rate0, a->glideslope.rate_T, a->glideslope.pulses,
                              &r->plan);
    case GNC_APID_SAFETY_ELLIPSE:
        return gnc_safety_ellipse(a->ellipse.n, a->ellipse.radial_amp, a->ellipse.cross_amp,
                                  a->ellipse.along_center, a->ellipse.phase, r->ellipse.x0);
    case GNC_APID_CLOSEST_APPROACH:
        return gnc_cw_closest_approach(a->ca.n, a->ca.x0, a->ca.horizon, &r->ca.t_ca,
                                       &r->ca.d_ca, r->ca.r_ca);
    case GNC_APID_COE_FROM_RV:
        return gnc_coe_from_rv(a->coe_from_rv.r, a->coe_from_rv.v, a->coe_from_rv.mu,
                               r->coe.coe);
    case GNC_APID_RV_FROM_COE:
        return gnc_rv_from_coe(a->rv_from_coe.coe, a->rv_from_coe.mu, r->rv.r, r->rv.v);
    case GNC_APID_J2_RATES:
        return gnc_j2_rates(a->j2.a, a->j2.e, a->j2.i, a->j2.mu, a->j2.j2, a->j2.r_eq,
                            r->j2.rates);
    default:
        return run_more(ctx, apid, a, r);
    }
}

static unsigned seq_of(const uint8_t *pkt)
{
    return ((unsigned)(pkt[2] & 0x3Fu) << 8) | pkt[3];
}

/* The request repeats the one whose response is kept. */
static int is_repeat(const gnc_dispatch_cache *c, unsigned apid, const uint8_t *req,
                     size_t req_len, uint16_t crc)
{
    return c->resp_len > 0 && c->apid == apid && c->seq == seq_of(req) && c->req_len == req_len
           && c->req_crc == (unsigned)crc;
}

/* Keep the response to the request just run (replacing the previous one). */
static void keep(gnc_dispatch_cache *c, unsigned apid, const uint8_t *req, size_t req_len,
                 uint16_t crc, const uint8_t *resp, size_t resp_len, int status)
{
    if (resp_len > sizeof c->resp) {
        c->resp_len = 0; /* cannot happen: every response fits (see the header) */
        return;
    }
    memcpy(c->resp, resp, resp_len);
    c->resp_len = resp_len;
    c->req_len = req_len;
    c->apid = apid;
    c->seq = seq_of(req);
    c->req_crc = crc;
    c->status = status;
}

int gnc_dispatch_init(gnc_dispatcher *ctx)
{
    if (ctx == NULL) {
        return GNC_ERR_NULL;
    }
    memset(ctx, 0, sizeof *ctx);
    return GNC_OK;
}

int gnc_dispatch(gnc_dispatcher *ctx, const uint8_t *req, size_t req_len, uint8_t *resp,
                 size_t resp_cap, size_t *resp_len)
{
    dispatch_args args;
    dispatch_result res;
    const gnc_pkt_call *call = NULL;
    unsigned apid, i, rapid;
    size_t data_len, out_len;
    uint16_t crc, req_crc;
    int st;
    if (ctx == NULL || req == NULL || resp == NULL || resp_len == NULL) {
        return GNC_ERR_NULL;
    }
    *resp_len = 0;
    /* header: version 0, type 0, secondary header 1, length consistent, CRC */
    if (req_len < HEAD_LEN + CRC_LEN || (req[0] & 0xF8u) != 0x08u
        || ((size_t)req[4] << 8 | req[5]) + 7u != req_len) {
        ctx->malformed += 1;
        return GNC_ERR_PACKET;
    }
    gnc_crc16(req, req_len - CRC_LEN, &crc);
    if (crc != (uint16_t)((unsigned)req[req_len - 2] << 8 | req[req_len - 1])) {
        ctx->malformed += 1;
        return GNC_ERR_PACKET;
    }
    req_crc = crc;
    apid = ((unsigned)(req[0] & 0x07u) << 8) | req[1];
    if (is_repeat(&ctx->last, apid, req, req_len, req_crc)) {
        if (resp_cap < ctx->last.resp_len) {
            ctx->malformed += 1;
            return GNC_ERR_BUFFER;
        }
        memcpy(resp, ctx->last.resp, ctx->last.resp_len);
        *resp_len = ctx->last.resp_len;
        ctx->requests += 1;
        ctx->repeats += 1;
        if (ctx->last.status != GNC_OK) {
            ctx->failed += 1;
        }
        return ctx->last.status;
    }
    for (i = 0; i < sizeof gnc_pkt_calls / sizeof gnc_pkt_calls[0]; ++i) {
        if (gnc_pkt_calls[i].apid == apid) {
            call = &gnc_pkt_calls[i];
        }
    }
    if (apid < APID_FIRST || apid > APID_LAST || call == NULL) {
        ctx->malformed += 1;
        return GNC_ERR_UNKNOWN_REQUEST;
    }
    out_len = HEAD_LEN + 8u * call->resp_len + CRC_LEN;
    if (resp_cap < out_len) {
        ctx->malformed += 1;
        return GNC_ERR_BUFFER;
    }
    memset(&args, 0, sizeof args);
    memset(&res, 0, sizeof res);
    data_len = req_len - HEAD_LEN - CRC_LEN;
    if (data_len != 8u * call->req_len) {
        st = GNC_ERR_PACKET;
    } else {
        st = decode_fields(call->req, call->n_req, req + HEAD_LEN, &args);
        if (st == GNC_OK) {
            st = run(ctx, apid, &args, &res);
        }
    }
    if (st != GNC_OK) {
        memset(&res, 0, sizeof res); /* no partial outputs on failure */
    }
    /* response: TM, secondary header, echo sequence count and time */
    rapid = apid + GNC_RESPONSE_OFFSET;
    resp[0] = (uint8_t)(0x08u | (rapid >> 8));
    resp[1] = (uint8_t)(rapid & 0xFFu);
    resp[2] = (uint8_t)(0xC0u | (req[2] & 0x3Fu));
    resp[3] = req[3];
    resp[4] = (uint8_t)((out_len - 7u) >> 8);
    resp[5] = (uint8_t)((out_len - 7u) & 0xFFu);
    memcpy(resp + PRIMARY_LEN, req + PRIMARY_LEN, CUC_LEN);
    put_f64(resp + HEAD_LEN, (double)st);
    if (call->n_resp > 0) {
        encode_fields(call->resp, call->n_resp, &res, resp + HEAD_LEN + 8);
    }
    gnc_crc16(resp, out_len - CRC_LEN, &crc);
    resp[out_len - 2] = (uint8_t)(crc >> 8);
    resp[out_len - 1] = (uint8_t)(crc & 0xFFu);
    *resp_len = out_len;
    keep(&ctx->last, apid, req, req_len, req_crc, resp, out_len, st);
    ctx->requests += 1;
    if (st != GNC_OK) {
        ctx->failed += 1;
    }
    return st;
}
