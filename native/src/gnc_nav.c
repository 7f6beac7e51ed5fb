/* gnc_nav.c - the navigation cycle: GPS fix and target ephemeris in the Hill
 * frame, constant-gain filter, relative-navigation EKF on the camera's
 * measurements (see gnc_nav.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"

#include <string.h>

/* The EKF is configured again when the mean motion moved by more than this. */
#define NAV_N_TOLERANCE 1e-7

static int nav_config_ok(const gnc_nav_config *c)
{
    int i;
    const double *num[] = {&c->n_default, &c->gain_pos, &c->gain_vel, &c->gps_max_age,
                           &c->gps_reset_m, &c->sigma_gps_pos, &c->sigma_gps_vel,
                           &c->sigma_range, &c->sigma_range_frac, &c->sigma_angle,
                           &c->accel_psd, &c->gate, &c->meas_max_age, &c->coast_s,
                           &c->retry_s, &c->dv_sigma_frac, &c->dv_sigma_dir,
                           &c->reject_inflate_n, &c->reject_reset_n, &c->inflate,
                           &c->nonlinear, &c->sigma_gps_rel, &c->clock_sigma_b0,
                           &c->clock_sigma_d0, &c->clock_q_wf, &c->clock_q_rw,
                           &c->clock_sigma_pps, &c->clock_gate, &c->clock_reset_n,
                           &c->clock_sigma_floor, &c->dv_sigma_floor, &c->gate_bearing,
                           &c->refine_s, &c->refine_range, &c->bank, &c->att_bias_frac,
                           &c->frame_bias_s};
    for (i = 0; i < (int)(sizeof num / sizeof num[0]); ++i) {
        if (!la_finite(num[i], 1) || !(*num[i] >= 0.0)) {
            return 0;
        }
    }
    if (!(c->n_default > 0.0) || !(c->gain_pos > 0.0) || !(c->gain_pos <= 1.0)
        || !(c->gain_vel > 0.0) || !(c->gain_vel <= 1.0) || !(c->gps_max_age > 0.0)
        || !(c->gps_reset_m > 0.0) || !(c->sigma_range > 0.0) || !(c->sigma_angle > 0.0)
        || !la_finite(c->p0, 6) || !la_finite(c->boresight_B, 3)
        || !la_finite(c->target_sigma, 4)) {
        return 0;
    }
    if (c->bank != gnc_floor(c->bank) || c->bank > GNC_NAV_BANK_MAX
        || !(c->att_bias_frac <= 1.0)) {
        return 0;
    }
    if (c->clock_sigma_b0 > 0.0 && !(c->clock_sigma_pps > 0.0)) {
        return 0; /* a fix of no uncertainty would make the filter singular */
    }
    for (i = 0; i < 6; ++i) {
        if (!(c->p0[i] > 0.0) || (i < 4 && !(c->target_sigma[i] >= 0.0))) {
            return 0;
        }
    }
    return la_norm(c->boresight_B) > 0.0;
}

static int nav_ready(const gnc_nav *ctx)
{
    return ctx->cfg.n_default > 0.0 && ctx->target.cfg.step > 0.0 && ctx->ekf.cfg.n > 0.0;
}

/* Rows x_C, y_C, z_C of the camera frame in body axes (gnc_nav.h). */
static void camera_frame(const double bore_B[3], double cam[9])
{
    double z[3], x[3], y[3], ref[3] = {1.0, 0.0, 0.0}, n;
    int i;
    n = la_norm(bore_B);
    for (i = 0; i < 3; ++i) {
        z[i] = bore_B[i] / n;
    }
    if (!(fabs(z[0]) < 0.9)) {
        ref[0] = 0.0;
        ref[1] = 1.0;
    }
    la_scale(z, -la_dot(ref, z), x);
    la_add(ref, x, x);
    n = la_norm(x);
    for (i = 0; i < 3; ++i) {
        x[i] = x[i] / n;
    }
    la_cross(z, x, y);
    la_copy(x, cam, 3);
    la_copy(y, cam + 3, 3);
    la_copy(z, cam + 6, 3);
}

static int nav_relnav_init(gnc_nav *ctx, double n)
{
    gnc_relnav_config rc;
    rc.n = n;
    rc.sigma_range = ctx->cfg.sigma_range;
    rc.sigma_angle = ctx->cfg.sigma_angle;
    rc.accel_psd = ctx->cfg.accel_psd;
    rc.gate = ctx->cfg.gate;
    rc.gate_bearing = ctx->cfg.gate_bearing;
    rc.sigma_range_frac = ctx->cfg.sigma_range_frac;
    rc.dv_sigma_frac = ctx->cfg.dv_sigma_frac;
    rc.dv_sigma_dir = ctx->cfg.dv_sigma_dir;
    rc.dv_sigma_floor = ctx->cfg.dv_sigma_floor;
    rc.reject_inflate_n = ctx->cfg.reject_inflate_n;
    rc.reject_reset_n = ctx->cfg.reject_reset_n;
    rc.inflate = ctx->cfg.inflate;
    rc.nonlinear = ctx->cfg.nonlinear;
    rc.sigma_angle_el = 0.0; /* set per measurement (nav_ekf) */
    ctx->ekf_n = n;
    ctx->ekf_on = 0;
    return gnc_relnav_init(&ctx->ekf, &rc);
}

int gnc_nav_init(gnc_nav *ctx, const gnc_nav_config *cfg)
{
    int st;
    if (ctx == NULL || cfg == NULL) {
        return GNC_ERR_NULL;
    }
    ctx->cfg.n_default = 0.0; /* not ready until the end */
    if (!nav_config_ok(cfg)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_ephem_init(&ctx->target, &cfg->ephem);
    if (st != GNC_OK) {
        return st;
    }
    ctx->cfg = *cfg;
    camera_frame(cfg->boresight_B, ctx->cam_C);
    la_zero(ctx->x, 6);
    la_zero(ctx->normal_N, 3);
    ctx->t_last = 0.0;
    ctx->ekf_t = 0.0;
    ctx->ekf_retry = -HUGE_VAL;
    ctx->meas_used_t = -HUGE_VAL;
    ctx->target_known = 0;
    ctx->has_x = 0;
    ctx->has_normal = 0;
    la_zero(ctx->clk_x, 2);
    la_zero(ctx->clk_P, 3);
    ctx->clk_m = -HUGE_VAL;
    ctx->clk_fixes = 0;
    ctx->clk_rejects = 0;
    la_zero(ctx->ref_mean, 6);
    ctx->ref_t = ctx->ref_t0 = 0.0;
    ctx->ref_n = 0;
    ctx->bank_n = 0;
    la_copy(cfg->target_sigma, ctx->target_sigma_now, 4);
    st = nav_relnav_init(ctx, cfg->n_default);
    if (st != GNC_OK) {
        ctx->cfg.n_default = 0.0;
    }
    return st;
}

int gnc_nav_set_target(gnc_nav *ctx, const double r_N[3], const double v_N[3], double t)
{
    int st;
    if (ctx == NULL || r_N == NULL || v_N == NULL) {
        return GNC_ERR_NULL;
    }
    if (!nav_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    st = gnc_ephem_set(&ctx->target, r_N, v_N, t);
    if (st != GNC_OK) {
        return st;
    }
    ctx->target_known = 1;
    ctx->has_x = 0;
    ctx->ekf_on = 0;
    ctx->bank_n = 0;
    ctx->ref_n = 0; /* a new notice: its stated accuracy again */
    la_copy(ctx->cfg.target_sigma, ctx->target_sigma_now, 4);
    return GNC_OK;
}

static int nav_inputs_ok(const gnc_nav_in *in)
{
    if (!la_finite(&in->t, 1) || !la_finite(in->dv_N, 3) || !la_finite(&in->dv_age, 1)
        || !la_finite(&in->att_sigma, 1)
        || !(in->att_sigma >= 0.0) || !la_finite(in->att_sigma_B, 3)
        || !(in->att_sigma_B[0] >= 0.0) || !(in->att_sigma_B[1] >= 0.0)
        || !(in->att_sigma_B[2] >= 0.0) || !la_finite(&in->att_dt, 1)
        || !la_finite(in->att_rate_B, 3)) {
        return 0;
    }
    if (in->gps_valid
        && (!la_finite(&in->gps_t, 1) || !la_finite(in->gps_r_N, 3) || !la_finite(in->gps_v_N, 3)
            || !(la_norm(in->gps_r_N) > 0.0))) {
        return 0;
    }
    if (in->meas_valid && (!la_finite(&in->meas_t, 1) || !la_finite(in->meas, 3))) {
        return 0;
    }
    if (in->att_valid
        && (!la_finite(in->q_BN, 4) || !(la_dot(in->q_BN + 1, in->q_BN + 1)
                                          + in->q_BN[0] * in->q_BN[0] > 1e-12))) {
        return 0;
    }
    return 1;
}

/* The unit directions of increasing azimuth (e[0]) and elevation (e[1]) at
 * the EKF's measurement [range, azimuth, elevation] (Hill axes). */
static void nav_bearing_dirs(const double meas[3], double e[2][3])
{
    double ca, sa, ce, se;
    gnc_sincos(meas[1], &sa, &ca);
    gnc_sincos(meas[2], &se, &ce);
    e[0][0] = -sa;
    e[0][1] = ca;
    e[0][2] = 0.0;
    e[1][0] = -se * ca;
    e[1][1] = -se * sa;
    e[1][2] = ce;
}

/* The sensor's [range, azimuth, elevation] (camera frame) as the EKF's
 * measurement: the line of sight in the Hill axes C of the target. att[0]
 * and att[1] are the attitude estimate's 1-sigma as a bearing error along
 * the measurement's azimuth and elevation directions: a rotation error
 * dtheta (body, 1-sigma att_sigma_B about each axis) moves the line of sight
 * u by dtheta x u, whose component along the unit direction e is
 * dtheta . (u x e), so its variance is sum_i sigma_i^2 (u x e)_i^2. With no
 * per-axis sigmas both are att_sigma. */
static int nav_meas_hill(const gnc_nav *ctx, const gnc_nav_in *in, const double C[9],
                         double m[3], double att[2])
{
    double rng = in->meas[0], ce, se, ca, sa;
    double los_C[3], los_B[3], los_N[3], q[4], qc[4], h[3], e_H[2][3], e_N[3], e_B[3], w[3], v;
    const double *sb = in->att_sigma_B;
    int k, i, st;
    /* the attitude estimate carried to the measurement's time: at a body
     * rate of 1 mrad/s (the camera held on the target), an estimate 0.2 s
     * away turns the bearing by 200 urad, a bias the angles-only filter
     * takes for range (issue #15) */
    la_copy(in->q_BN, q, 4);
    if (in->att_dt != 0.0) {
        st = gnc_att_propagate(in->q_BN, in->att_rate_B, in->att_dt, q);
        if (st != GNC_OK) {
            return st;
        }
    }
    gnc_sincos(in->meas[1], &sa, &ca); /* azimuth */
    gnc_sincos(in->meas[2], &se, &ce); /* elevation */
    los_C[0] = ce * sa;
    los_C[1] = se;
    los_C[2] = ce * ca;
    la_mtv3(ctx->cam_C, los_C, los_B);
    gnc_quat_conj(q, qc);
    gnc_quat_rotate(qc, los_B, los_N);
    la_mv3(C, los_N, h);
    m[0] = rng;
    m[1] = gnc_atan2(h[1], h[0]);
    m[2] = gnc_atan2(h[2], sqrt(h[0] * h[0] + h[1] * h[1]));
    att[0] = att[1] = in->att_sigma;
    if (!(sb[0] > 0.0 || sb[1] > 0.0 || sb[2] > 0.0)) {
        return GNC_OK;
    }
    nav_bearing_dirs(m, e_H);
    for (k = 0; k < 2; ++k) {
        /* the azimuth's and the elevation's unit directions, Hill to body */
        la_mtv3(C, e_H[k], e_N);
        gnc_quat_rotate(q, e_N, e_B);
        la_cross(los_B, e_B, w);
        v = 0.0;
        for (i = 0; i < 3; ++i) {
            v += sb[i] * sb[i] * w[i] * w[i];
        }
        att[k] = sqrt(v);
    }
    return GNC_OK;
}

/* x coasted over dt with the impulse dv_H (Hill) applied first. */
static int nav_coast(double n, const double x[6], const double dv_H[3], double dt, double out[6])
{
    double y[6];
    la_copy(x, y, 6);
    la_add(y + 3, dv_H, y + 3);
    return gnc_cw_propagate(n, y, dt, out);
}

/* Sigmas and the covariance blocks of the EKF's P into out. */
static void nav_cov_out(const double P[36], gnc_nav_out *out)
{
    static const int ij[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
    int k;
    for (k = 0; k < 6; ++k) {
        out->cov_pos[k] = P[6 * ij[k][0] + ij[k][1]];
        out->cov_vel[k] = P[6 * (ij[k][0] + 3) + ij[k][1] + 3];
    }
    out->sigma_pos = sqrt(P[0] + P[7] + P[14]);
    out->sigma_vel = sqrt(P[21] + P[28] + P[35]);
}

/* The covariance of the notice's target orbit (catalogue error, gnc_nav.h),
 * Hill [R T N vR vT vN], added to P (6x6) at mean motion n: radial,
 * along-track, cross-track sR, sT, sN; vR n sR and vN n sN (the oscillation's
 * phase); vT -2 n R (no drift) plus the drift's sE. */
static void nav_target_cov(const double ts[4], double n, double P[36])
{
    double r2 = ts[0] * ts[0];
    P[0] += r2;
    P[7] += ts[1] * ts[1];
    P[14] += ts[2] * ts[2];
    P[21] += n * n * r2;
    P[28] += 4.0 * n * n * r2 + ts[3] * ts[3];
    P[35] += n * n * ts[2] * ts[2];
    P[4] += -2.0 * n * r2; /* R with vT */
    P[24] += -2.0 * n * r2;
}

/* The GPS filter's reported sigmas (RSS) as a diagonal covariance. */
static void nav_gps_cov_out(const gnc_nav_config *cfg, const double ts[4], double n,
                            gnc_nav_out *out)
{
    double p = cfg->sigma_gps_pos * cfg->sigma_gps_pos / 3.0;
    double v = cfg->sigma_gps_vel * cfg->sigma_gps_vel / 3.0;
    la_zero(out->cov_pos, 6);
    la_zero(out->cov_vel, 6);
    out->cov_pos[0] = out->cov_pos[3] = out->cov_pos[5] = p;
    out->cov_vel[0] = out->cov_vel[3] = out->cov_vel[5] = v;
    out->sigma_pos = cfg->sigma_gps_pos;
    out->sigma_vel = cfg->sigma_gps_vel;
    if (ts[0] > 0.0 || ts[1] > 0.0 || ts[2] > 0.0 || ts[3] > 0.0) {
        /* the target's catalogue error on top */
        double T[36];
        la_zero(T, 36);
        nav_target_cov(ts, n, T);
        out->cov_pos[0] += T[0];
        out->cov_pos[3] += T[7];
        out->cov_pos[5] += T[14];
        out->cov_vel[0] += T[21];
        out->cov_vel[3] += T[28];
        out->cov_vel[5] += T[35];
        out->sigma_pos = sqrt(out->cov_pos[0] + out->cov_pos[3] + out->cov_pos[5]);
        out->sigma_vel = sqrt(out->cov_vel[0] + out->cov_vel[3] + out->cov_vel[5]);
    }
}

/* The part of the attitude estimate's error that is a bias over the filter's
 * memory (frac of its 1-sigma, cfg.att_bias_frac) does not average down with
 * the bearings: the filter cannot know the target's direction better than
 * that, so the position covariance across the line of sight is kept at
 * least (range frac att[k])^2 along the azimuth's (k = 0) and the
 * elevation's (k = 1) direction (the estimate itself is unchanged). */
static void nav_bearing_floor(gnc_relnav *ekf, const double meas[3], const double att[2],
                              double frac)
{
    double e[2][3], floor_var, v;
    int k, i, j;
    nav_bearing_dirs(meas, e);
    for (k = 0; k < 2; ++k) {
        floor_var = meas[0] * att[k] * frac;
        floor_var *= floor_var;
        v = 0.0;
        for (i = 0; i < 3; ++i) {
            for (j = 0; j < 3; ++j) {
                v += e[k][i] * ekf->P[6 * i + j] * e[k][j];
            }
        }
        if (v < floor_var) {
            for (i = 0; i < 3; ++i) {
                for (j = 0; j < 3; ++j) {
                    ekf->P[6 * i + j] += (floor_var - v) * e[k][i] * e[k][j];
                }
            }
        }
    }
}

/* The reference orbit of an EKF step starting at time t: the target's
 * on-board ephemeris there (with cfg.nonlinear >= 2 and a target known;
 * otherwise none, and the EKF keeps its circular model). */
static int nav_ref(gnc_nav *ctx, double t, gnc_relnav_in *ri)
{
    ri->ref_valid = 0;
    if (!(ctx->cfg.nonlinear >= 2.0) || !ctx->target_known) {
        return GNC_OK;
    }
    if (gnc_ephem_state(&ctx->target, t, ri->ref_r, ri->ref_v) != GNC_OK) {
        return GNC_ERR_STATE;
    }
    ri->ref_valid = 1;
    return GNC_OK;
}

/* One EKF's cycle (the EKF alone, or a component of the bank): the step ri
 * (propagation to the measurement's time, the update), the GPS position in a
 * cycle without a camera measurement, the bearing floor, then the carry ri2
 * over lag (the burn in progress kept: a step without Delta-v would end it).
 * ro: the update's figures; ekf's state is the one after. */
static int nav_ekf_one(const gnc_nav *ctx, gnc_relnav *ekf, const gnc_relnav_in *ri,
                       const gnc_relnav_in *ri2, const double z[6], const double meas[3],
                       const double att[2], int have_meas, double lag, gnc_relnav_out *ro)
{
    int st;
    /* the target orbit's error as an acceleration bias (gnc_nav.h,
     * frame_bias_s), at this EKF's own range */
    ekf->cfg.accel_psd = ctx->cfg.accel_psd;
    if (ctx->cfg.frame_bias_s > 0.0 && ri->ref_valid) {
        const double *s = ctx->target_sigma_now;
        double r = la_norm(ri->ref_r);
        double a = 3.0 * ekf->cfg.n * ekf->cfg.n * la_norm(ekf->x)
                   * sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]) / r;
        ekf->cfg.accel_psd += a * a * ctx->cfg.frame_bias_s;
    }
    st = gnc_relnav_step(ekf, ri, ro);
    if (st != GNC_OK) {
        return st;
    }
    if (!have_meas && ctx->cfg.sigma_gps_rel > 0.0) {
        /* no camera this cycle: the GPS solution z (fresh: this path runs only
         * with a fix within gps_max_age) as a position measurement */
        st = gnc_relnav_update_position(ekf, z, ctx->cfg.sigma_gps_rel * ctx->cfg.sigma_gps_rel);
        if (st != GNC_OK) {
            return st;
        }
    }
    if (have_meas && (att[0] > 0.0 || att[1] > 0.0) && ctx->cfg.att_bias_frac > 0.0) {
        double mf[3];
        la_copy(meas, mf, 3);
        if (ri->bearing_only) {
            mf[0] = la_norm(ekf->x); /* no range measured: the estimate's */
        }
        nav_bearing_floor(ekf, mf, att, ctx->cfg.att_bias_frac);
    }
    if (lag > 0.0) {
        gnc_relnav_out ro2;
        double burn_dv[3];
        la_copy(ekf->burn_dv, burn_dv, 3);
        st = gnc_relnav_step(ekf, ri2, &ro2);
        if (st != GNC_OK) {
            return st;
        }
        la_copy(burn_dv, ekf->burn_dv, 3);
    }
    la_copy(ekf->x, ro->x, 6);
    la_copy(ekf->P, ro->P, 36);
    return GNC_OK;
}

/* The bank's split: component means h prior sigmas apart along the line of
 * sight, h = min(1, 2 NAV_BANK_SPAN / (k - 1)) (u_j = h (j - (k - 1) / 2):
 * +-3 sigma from seven components on), each with h / 2 as its own sigma
 * there, weights exp(-a u_j^2) normalised with a such that their
 * m2 = sum w u^2 is 1 - h^2 / 4: the mixture has the prior's mean and
 * covariance (for k = 2 and 3, where even equal weights spread less, equal
 * weights and the components' variance 1 - m2). */
#define NAV_BANK_SPAN 3.0

/* Weights exp(-a u^2) of the k components (normalised into w) and their
 * second moment sum w u^2. */
static double nav_bank_weights(const double u[], int k, double a, double w[])
{
    double sum = 0.0, m2 = 0.0;
    int c;
    for (c = 0; c < k; ++c) {
        w[c] = gnc_exp(-a * u[c] * u[c]);
        sum += w[c];
    }
    for (c = 0; c < k; ++c) {
        w[c] /= sum;
        m2 += w[c] * u[c] * u[c];
    }
    return m2;
}

/* The prior (ctx->ekf, just reset) split into k components along the line
 * of sight e (the unit vector from the chaser to the target's estimate):
 * with s^2 = e' P e and g = P e / s^2, component j has the mean
 * x + g u_j s, the weight w_j and the covariance P - g g' s^2 m2 (the
 * conditional covariance of the rest plus s^2 (1 - m2) along e), m2 =
 * sum w u^2 (above). */
static int nav_bank_split(gnc_nav *ctx, int k)
{
    double e[3], g[6], u[GNC_NAV_BANK_MAX], r, var = 0.0, s, m2, h, target, lo = 0.0, hi = 1.0;
    int i, j, c, it;
    r = la_norm(ctx->ekf.x);
    if (!(r > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    for (i = 0; i < 3; ++i) {
        e[i] = -ctx->ekf.x[i] / r;
    }
    for (i = 0; i < 6; ++i) {
        g[i] = ctx->ekf.P[6 * i] * e[0] + ctx->ekf.P[6 * i + 1] * e[1]
               + ctx->ekf.P[6 * i + 2] * e[2];
    }
    for (i = 0; i < 3; ++i) {
        var += e[i] * g[i];
    }
    if (!(var > 0.0)) {
        return GNC_ERR_SINGULAR;
    }
    s = sqrt(var);
    for (i = 0; i < 6; ++i) {
        g[i] /= var;
    }
    h = 2.0 * NAV_BANK_SPAN / (double)(k - 1);
    if (h > 1.0) {
        h = 1.0;
    }
    target = 1.0 - 0.25 * h * h;
    for (c = 0; c < k; ++c) {
        u[c] = h * ((double)c - 0.5 * (double)(k - 1));
    }
    m2 = nav_bank_weights(u, k, 0.0, ctx->bank_w);
    if (m2 > target) {
        /* sum w u^2 falls from m2 (a = 0) towards 0 or h^2 / 4 as a grows */
        while (nav_bank_weights(u, k, hi, ctx->bank_w) > target) {
            hi *= 2.0;
        }
        for (it = 0; it < 64; ++it) {
            double mid = 0.5 * (lo + hi);
            if (nav_bank_weights(u, k, mid, ctx->bank_w) > target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        m2 = nav_bank_weights(u, k, hi, ctx->bank_w);
    }
    for (c = 0; c < k; ++c) {
        gnc_relnav *b = &ctx->bank[c];
        *b = ctx->ekf;
        for (i = 0; i < 6; ++i) {
            b->x[i] += g[i] * (u[c] * s);
            for (j = 0; j < 6; ++j) {
                b->P[6 * i + j] -= g[i] * g[j] * (var * m2);
            }
        }
        la_symmetrise(b->P, 6);
    }
    for (c = k; c < GNC_NAV_BANK_MAX; ++c) {
        ctx->bank_w[c] = 0.0;
    }
    ctx->bank_n = k;
    return GNC_OK;
}

/* A component whose weight falls below this (of the sum 1) is dropped. */
#define NAV_BANK_DROP 1e-9

/* The bank's cycle: each live component's (nav_ekf_one), its weight times
 * the likelihood of the bearing at its prior (exp(-nis / 2) / sqrt(det S)),
 * and the mixture's mean and covariance into ctx->ekf (with the burn in
 * progress and the rejection count of the heaviest component). ro: the
 * mixture; its NIS the predictive one (the prior-weighted innovations' mean
 * against their covariance, spread included); updated, rejected,
 * consecutive and recovery those of the heaviest component. A single
 * component left is the EKF from then on. */
static int nav_bank_step(gnc_nav *ctx, const gnc_relnav_in *ri, const gnc_relnav_in *ri2,
                         const double z[6], const double meas[3], const double att[2],
                         int have_meas, double lag, gnc_relnav_out *ro)
{
    /* per component: the bearing innovation at its prior, its covariance,
     * the log-likelihood, and the update's flags */
    double y[GNC_NAV_BANK_MAX][2], S[GNC_NAV_BANK_MAX][4], ll[GNC_NAV_BANK_MAX];
    int flag[GNC_NAV_BANK_MAX][4];
    double ybar[2] = {0.0, 0.0}, Sb[4] = {0.0, 0.0, 0.0, 0.0};
    double llmax = -HUGE_VAL, sum = 0.0, det, d[6];
    gnc_relnav_out rk;
    int c, i, j, st, heavy = -1, live = 0, last = 0;
    for (c = 0; c < ctx->bank_n; ++c) {
        gnc_relnav *b = &ctx->bank[c];
        if (ctx->bank_w[c] == 0.0) {
            continue;
        }
        b->cfg.sigma_angle = ctx->ekf.cfg.sigma_angle;
        b->cfg.sigma_angle_el = ctx->ekf.cfg.sigma_angle_el;
        st = nav_ekf_one(ctx, b, ri, ri2, z, meas, att, have_meas, lag, &rk);
        if (st != GNC_OK) {
            return st;
        }
        y[c][0] = rk.innovation[1];
        y[c][1] = rk.innovation[2];
        S[c][0] = rk.S[4];
        S[c][1] = rk.S[5];
        S[c][2] = rk.S[7];
        S[c][3] = rk.S[8];
        flag[c][0] = rk.updated;
        flag[c][1] = rk.rejected;
        flag[c][2] = rk.consecutive;
        flag[c][3] = rk.recovery;
        ll[c] = 0.0;
        if (rk.updated || rk.rejected) {
            det = S[c][0] * S[c][3] - S[c][1] * S[c][2];
            if (!(det > 0.0)) {
                return GNC_ERR_SINGULAR;
            }
            ll[c] = -0.5 * rk.nis - 0.5 * gnc_log(det);
            ybar[0] += ctx->bank_w[c] * y[c][0];
            ybar[1] += ctx->bank_w[c] * y[c][1];
        }
        if (ll[c] > llmax) {
            llmax = ll[c];
        }
    }
    ro->nis = 0.0;
    if (ri->meas_valid) {
        /* the predictive NIS of the mixture (prior weights) */
        for (c = 0; c < ctx->bank_n; ++c) {
            double a, bb;
            if (ctx->bank_w[c] == 0.0) {
                continue;
            }
            a = y[c][0] - ybar[0];
            bb = y[c][1] - ybar[1];
            Sb[0] += ctx->bank_w[c] * (S[c][0] + a * a);
            Sb[1] += ctx->bank_w[c] * (S[c][1] + a * bb);
            Sb[2] += ctx->bank_w[c] * (S[c][2] + bb * a);
            Sb[3] += ctx->bank_w[c] * (S[c][3] + bb * bb);
        }
        det = Sb[0] * Sb[3] - Sb[1] * Sb[2];
        if (!(det > 0.0)) {
            return GNC_ERR_SINGULAR;
        }
        ro->nis = (ybar[0] * (Sb[3] * ybar[0] - Sb[1] * ybar[1])
                   + ybar[1] * (Sb[0] * ybar[1] - Sb[2] * ybar[0])) / det;
    }
    /* the posterior weights; those below NAV_BANK_DROP dropped */
    for (c = 0; c < ctx->bank_n; ++c) {
        if (ctx->bank_w[c] != 0.0) {
            ctx->bank_w[c] *= gnc_exp(ll[c] - llmax);
            sum += ctx->bank_w[c];
        }
    }
    if (!(sum > 0.0)) {
        return GNC_ERR_SINGULAR;
    }
    for (c = 0; c < ctx->bank_n; ++c) {
        ctx->bank_w[c] /= sum;
        if (ctx->bank_w[c] < NAV_BANK_DROP) {
            ctx->bank_w[c] = 0.0;
        }
    }
    sum = 0.0;
    for (c = 0; c < ctx->bank_n; ++c) {
        sum += ctx->bank_w[c];
    }
    /* the mixture */
    la_zero(ctx->ekf.x, 6);
    la_zero(ctx->ekf.P, 36);
    for (c = 0; c < ctx->bank_n; ++c) {
        if (ctx->bank_w[c] == 0.0) {
            continue;
        }
        ctx->bank_w[c] /= sum;
        live += 1;
        last = c;
        if (heavy < 0 || ctx->bank_w[c] > ctx->bank_w[heavy]) {
            heavy = c;
        }
        for (i = 0; i < 6; ++i) {
            ctx->ekf.x[i] += ctx->bank_w[c] * ctx->bank[c].x[i];
        }
    }
    for (c = 0; c < ctx->bank_n; ++c) {
        if (ctx->bank_w[c] == 0.0) {
            continue;
        }
        la_sub(ctx->bank[c].x, ctx->ekf.x, d);
        la_sub(ctx->bank[c].x + 3, ctx->ekf.x + 3, d + 3);
        for (i = 0; i < 6; ++i) {
            for (j = 0; j < 6; ++j) {
                ctx->ekf.P[6 * i + j] += ctx->bank_w[c] * (ctx->bank[c].P[6 * i + j] + d[i] * d[j]);
            }
        }
    }
    la_symmetrise(ctx->ekf.P, 6);
    la_copy(ctx->bank[heavy].burn_dv, ctx->ekf.burn_dv, 3);
    ctx->ekf.consecutive = ctx->bank[heavy].consecutive;
    ctx->ekf.rejected = ctx->bank[heavy].rejected;
    if (live == 1) {
        ctx->ekf = ctx->bank[last]; /* the mixture of one: that component itself */
        ctx->bank_n = 0;
    }
    la_copy(ctx->ekf.x, ro->x, 6);
    la_copy(ctx->ekf.P, ro->P, 36);
    ro->updated = flag[heavy][0];
    ro->rejected = flag[heavy][1];
    ro->consecutive = flag[heavy][2];
    ro->recovery = flag[heavy][3];
    ro->bearing_only = ri->bearing_only;
    return GNC_OK;
}

/* Components of the bank alive (0: the EKF alone). */
static int nav_bank_live(const gnc_nav *ctx)
{
    int c, live = 0;
    for (c = 0; c < ctx->bank_n; ++c) {
        live += ctx->bank_w[c] != 0.0;
    }
    return live;
}

/* The relative-navigation EKF's cycle to in->t; nonzero status: it failed.
 * A measurement taken lag seconds before in->t (meas already in the Hill
 * frame of its own time) is applied there: the
 * filter is propagated to in->t - lag, updated, then propagated over lag;
 * the burn's Delta-v of the cycle goes in the first step. Started on a
 * bearing-only measurement with cfg.bank > 1, the EKF is a bank of them
 * (gnc_nav_config.bank) until a ranged measurement. */
static int nav_ekf(gnc_nav *ctx, const gnc_nav_in *in, double n, const double z[6],
                   const double dv_H[3], const double meas[3], const double att[2],
                   int have_meas, double lag, gnc_nav_out *out)
{
    gnc_relnav_in ri, ri2;
    gnc_relnav_out ro;
    double P0[36], x0[6];
    int st, i;
    la_copy(dv_H, ri.dv, 3);
    /* the impulse goes in at the EKF's previous step (ekf_t), carried there
     * from its delivery (gnc_relnav_in.dv_dt): a
     * burn reported once a second and taken at the start of a 1 s step was
     * otherwise 0.45 s early on average, its Delta-v times that (0.4-0.9 m
     * after a 1-1.5 m/s burn) a position error the covariance did not hold */
    ri.dv_dt = ctx->ekf_t - (in->t - in->dv_age);
    if (!ctx->ekf_on) {
        if (fabs(n - ctx->ekf_n) > NAV_N_TOLERANCE) {
            st = nav_relnav_init(ctx, n);
            if (st != GNC_OK) {
                return st;
            }
        }
        /* started from the current estimate (carried to now), else the GPS one */
        if (ctx->has_x) {
            st = nav_coast(n, ctx->x, dv_H, in->t - ctx->t_last, x0);
            if (st != GNC_OK) {
                return st;
            }
        } else {
            la_copy(z, x0, 6);
        }
        if (have_meas && !in->meas_bearing_only) {
            /* a range and a bearing: the position starts on the measurement
             * (the update then linearises there, not kilometres off where a
             * catalogue's error leaves the estimate), the velocity on the estimate */
            double ca, sa, ce, se;
            gnc_sincos(meas[1], &sa, &ca);
            gnc_sincos(meas[2], &se, &ce);
            x0[0] = -meas[0] * (ce * ca);
            x0[1] = -meas[0] * (ce * sa);
            x0[2] = -meas[0] * se;
        }
        la_zero(P0, 36);
        for (i = 0; i < 6; ++i) {
            P0[7 * i] = ctx->cfg.p0[i];
        }
        /* the target's catalogue error is in the estimate it starts from */
        nav_target_cov(ctx->target_sigma_now, n, P0);
        st = gnc_relnav_reset(&ctx->ekf, x0, P0);
        if (st != GNC_OK) {
            return st;
        }
        ctx->bank_n = 0;
        if (have_meas && in->meas_bearing_only && ctx->cfg.bank > 1.0) {
            st = nav_bank_split(ctx, (int)ctx->cfg.bank);
            if (st != GNC_OK) {
                return st;
            }
        }
        ctx->ekf_on = 1;
        ctx->ekf_t = in->t;
        la_zero(ri.dv, 3);
        ri.dv_dt = 0.0;
        out->flags |= GNC_NAV_FLAG_EKF_STARTED;
    } else if (ctx->bank_n > 0 && have_meas && !in->meas_bearing_only) {
        ctx->bank_n = 0; /* a range: the mixture flies on as one EKF */
    }
    /* lag is in [0, in->t - ekf_t] (gnc_nav_step); the difference may round
     * a hair below zero */
    ri.dt = in->t - lag - ctx->ekf_t;
    if (!(ri.dt > 0.0)) {
        ri.dt = 0.0;
    }
    ri.meas_valid = have_meas;
    ri.bearing_only = have_meas && in->meas_bearing_only;
    /* the bearing noise of this measurement: the sensor's and the attitude's,
     * along the azimuth and along the elevation */
    ctx->ekf.cfg.sigma_angle = sqrt(ctx->cfg.sigma_angle * ctx->cfg.sigma_angle
                                    + att[0] * att[0]);
    ctx->ekf.cfg.sigma_angle_el = sqrt(ctx->cfg.sigma_angle * ctx->cfg.sigma_angle
                                       + att[1] * att[1]);
    la_copy(meas, ri.meas, 3);
    st = nav_ref(ctx, ctx->ekf_t, &ri);
    if (st != GNC_OK) {
        return st;
    }
    /* from the measurement's time to now: no Delta-v, no measurement */
    ri2 = ri;
    if (lag > 0.0) {
        ri2.dt = lag;
        la_zero(ri2.dv, 3);
        ri2.dv_dt = 0.0;
        ri2.meas_valid = 0;
        st = nav_ref(ctx, in->t - lag, &ri2);
        if (st != GNC_OK) {
            return st;
        }
    }
    if (ctx->bank_n > 0) {
        st = nav_bank_step(ctx, &ri, &ri2, z, meas, att, have_meas, lag, &ro);
    } else {
        st = nav_ekf_one(ctx, &ctx->ekf, &ri, &ri2, z, meas, att, have_meas, lag, &ro);
    }
    ctx->ekf_t = in->t;
    if (st != GNC_OK) {
        return st;
    }
    if (have_meas) {
        ctx->meas_used_t = in->meas_t;
    }
    la_copy(ro.x, ctx->x, 6);
    out->source = GNC_NAV_RELNAV;
    nav_cov_out(ro.P, out);
    out->nis = (ro.updated || ro.rejected) ? ro.nis : 0.0;
    out->consecutive = ro.consecutive;
    out->recovery = ro.recovery;
    out->bank = nav_bank_live(ctx);
    if (ro.rejected) {
        out->flags |= GNC_NAV_FLAG_REJECTED;
    }
    if (ro.bearing_only) {
        out->flags |= GNC_NAV_FLAG_BEARING_ONLY;
    }
    if (!have_meas) {
        out->flags |= GNC_NAV_FLAG_COASTING;
    }
    return GNC_OK;
}

/* The constant-gain filter on the GPS solution z (Hill, at t). */
static int nav_gps_filter(gnc_nav *ctx, const gnc_nav_in *in, double n, const double z[6],
                          const double dv_H[3], gnc_nav_out *out)
{
    double d[3], x[6];
    int st, i;
    ctx->ekf_on = 0;
    out->source = GNC_NAV_GPS_EPHEMERIS;
    nav_gps_cov_out(&ctx->cfg, ctx->target_sigma_now, n, out);
    la_sub(ctx->x, z, d);
    if (!ctx->has_x || !(la_norm(d) <= ctx->cfg.gps_reset_m)) {
        la_copy(z, ctx->x, 6);
        out->flags |= GNC_NAV_FLAG_GPS_RESET;
        return GNC_OK;
    }
    st = nav_coast(n, ctx->x, dv_H, in->t - ctx->t_last, x);
    if (st != GNC_OK) {
        return st;
    }
    for (i = 0; i < 3; ++i) {
        x[i] += ctx->cfg.gain_pos * (z[i] - x[i]);
        x[3 + i] += ctx->cfg.gain_vel * (z[3 + i] - x[3 + i]);
    }
    la_copy(x, ctx->x, 6);
    return GNC_OK;
}

/* ------------------------------------------------------------ on-board clock */

/* The clock estimate's covariance (bb, bd, dd) carried dt seconds: the
 * two-state clock model's transition [[1, dt], [0, 1]] and process noise
 * [[q_wf dt + q_rw dt^3 / 3, q_rw dt^2 / 2], [q_rw dt^2 / 2, q_rw dt]]
 * (no noise backwards). */
static void clock_carry(const gnc_nav_config *c, const double P[3], double dt, double out[3])
{
    double q = dt > 0.0 ? dt : 0.0;
    out[0] = P[0] + 2.0 * dt * P[1] + dt * dt * P[2] + c->clock_q_wf * q
        + c->clock_q_rw * q * q * q / 3.0;
    out[1] = P[1] + dt * P[2] + c->clock_q_rw * q * q / 2.0;
    out[2] = P[2] + c->clock_q_rw * q;
}

/* TAI of an on-board time m (m itself while the clock runs free). */
static double clock_tai(const gnc_nav *ctx, double m)
{
    if (ctx->clk_fixes == 0) {
        return m;
    }
    return m - (ctx->clk_x[0] + ctx->clk_x[1] * (m - ctx->clk_m));
}

/* A new GPS fix (its PPS edge later than the estimate) updates the clock
 * estimate; returns the gnc_nav_clock bits of this update, its NIS in *nis. */
static int clock_update(gnc_nav *ctx, const gnc_nav_in *in, double *nis)
{
    const gnc_nav_config *c = &ctx->cfg;
    double R = c->clock_sigma_pps * c->clock_sigma_pps, z = in->gps_met - in->gps_t;
    double dt, x[2], P[3], y, S, k0, k1;
    *nis = 0.0;
    if (!in->gps_valid || !(in->gps_met > ctx->clk_m)) {
        return 0;
    }
    if (ctx->clk_fixes == 0) {
        /* the prior: offset and frequency unknown within their sigmas */
        ctx->clk_m = in->gps_met;
        la_zero(ctx->clk_x, 2);
        ctx->clk_P[0] = c->clock_sigma_b0 * c->clock_sigma_b0;
        ctx->clk_P[1] = 0.0;
        ctx->clk_P[2] = c->clock_sigma_d0 * c->clock_sigma_d0;
    }
    dt = in->gps_met - ctx->clk_m;
    x[0] = ctx->clk_x[0] + dt * ctx->clk_x[1];
    x[1] = ctx->clk_x[1];
    clock_carry(c, ctx->clk_P, dt, P);
    y = z - x[0];
    S = P[0] + R;
    *nis = y * y / S;
    if (ctx->clk_fixes > 0 && c->clock_gate > 0.0 && *nis > c->clock_gate) {
        ctx->clk_rejects += 1;
        if (c->clock_reset_n > 0.0 && (double)ctx->clk_rejects >= c->clock_reset_n) {
            /* the fixes agree with each other, not with the estimate: the
             * clock jumped. Restart the offset from this fix; the frequency
             * is kept with its prior uncertainty. */
            ctx->clk_x[0] = z;
            ctx->clk_x[1] = x[1];
            ctx->clk_P[0] = R;
            ctx->clk_P[1] = 0.0;
            ctx->clk_P[2] = P[2] > c->clock_sigma_d0 * c->clock_sigma_d0
                ? P[2] : c->clock_sigma_d0 * c->clock_sigma_d0;
            ctx->clk_m = in->gps_met;
            ctx->clk_rejects = 0;
            return GNC_NAV_CLOCK_REJECTED | GNC_NAV_CLOCK_RESET;
        }
        return GNC_NAV_CLOCK_REJECTED;
    }
    /* Kalman update with H = [1, 0], covariance in Joseph form */
    k0 = P[0] / S;
    k1 = P[1] / S;
    ctx->clk_x[0] = x[0] + k0 * y;
    ctx->clk_x[1] = x[1] + k1 * y;
    ctx->clk_P[0] = (1.0 - k0) * (1.0 - k0) * P[0] + k0 * k0 * R;
    ctx->clk_P[1] = (1.0 - k0) * (P[1] - k1 * P[0]) + k0 * k1 * R;
    ctx->clk_P[2] = (k1 * k1 * P[0] - 2.0 * k1 * P[1] + P[2]) + k1 * k1 * R;
    ctx->clk_m = in->gps_met;
    ctx->clk_fixes += 1;
    ctx->clk_rejects = 0;
    return GNC_NAV_CLOCK_UPDATED;
}

static int nav_cycle(gnc_nav *ctx, const gnc_nav_in *in, gnc_nav_out *out);

/* The target's orbit refined by the chaser's own measurements (gnc_nav.h,
 * refine_s): d = z - x, the GPS solution (chaser minus the ephemeris'
 * target) minus the EKF's estimate (chaser minus the true target), is the
 * true target against the ephemeris' (Hill, at t). The window's samples are
 * averaged, each carried to the latest by CW (the offset moves: a catalogue's
 * radial error swings the target by n sR, 0.2 m/s). At the window's end the
 * ephemeris is re-anchored on the target so placed, and the estimate (a
 * physical vector, chaser minus target) and its covariance are turned into
 * the new Hill frame; r_t, v_t, C and w are the new ones on return. */
static int nav_refine(gnc_nav *ctx, const gnc_nav_in *in, double n, const double z[6],
                      double r_t[3], double v_t[3], double C[9], double w[3],
                      gnc_nav_out *out)
{
    double d[6], rn[3], vn[3], Cn[9], wn[3], dr[3], dv[3], u[3], M[9], T[36], TP[36];
    int st, i;
    if (!(la_norm(ctx->x) <= ctx->cfg.refine_range)) {
        return GNC_OK;
    }
    for (i = 0; i < 6; ++i) {
        d[i] = z[i] - ctx->x[i];
    }
    if (ctx->ref_n == 0) {
        la_copy(d, ctx->ref_mean, 6);
        ctx->ref_t0 = in->t;
    } else {
        st = gnc_cw_propagate(n, ctx->ref_mean, in->t - ctx->ref_t, ctx->ref_mean);
        if (st != GNC_OK) {
            return st;
        }
        for (i = 0; i < 6; ++i) {
            ctx->ref_mean[i] += (d[i] - ctx->ref_mean[i]) / (double)(ctx->ref_n + 1);
        }
    }
    ctx->ref_t = in->t;
    ctx->ref_n += 1;
    if (in->t - ctx->ref_t0 < ctx->cfg.refine_s) {
        return GNC_OK;
    }
    /* the target where the measurements put it: the ephemeris' displaced by
     * the mean offset (its Hill state) */
    st = gnc_inertial_from_hill(r_t, v_t, ctx->ref_mean, rn, vn);
    if (st == GNC_OK) {
        st = gnc_ephem_set(&ctx->target, rn, vn, in->t);
    }
    if (st == GNC_OK) {
        st = gnc_hill_basis(rn, vn, Cn, wn);
    }
    if (st != GNC_OK) {
        return st;
    }
    /* the estimate into the new frame: inertial chaser minus target first */
    la_mtv3(C, ctx->x, dr);
    la_mtv3(C, ctx->x + 3, dv);
    la_cross(w, dr, u);
    la_add(dv, u, dv);
    la_mv3(Cn, dr, ctx->x);
    la_cross(wn, dr, u);
    la_sub(dv, u, dv);
    la_mv3(Cn, dv, ctx->x + 3);
    la_copy(ctx->x, ctx->ekf.x, 6);
    /* P <- T P T' with T = diag(M, M), M = Cn C' (the frames' turn; the
     * difference of their rates, ~n |d| / r, is left out) */
    la_mmt(Cn, C, M, 3, 3, 3);
    la_zero(T, 36);
    for (i = 0; i < 3; ++i) {
        la_copy(M + 3 * i, T + 6 * i, 3);
        la_copy(M + 3 * i, T + 6 * (i + 3) + 3, 3);
    }
    la_mm(T, ctx->ekf.P, TP, 6, 6, 6);
    la_mmt(TP, T, ctx->ekf.P, 6, 6, 6);
    la_symmetrise(ctx->ekf.P, 6);
    ctx->target_sigma_now[0] = ctx->target_sigma_now[1] = ctx->target_sigma_now[2]
        = ctx->cfg.sigma_gps_pos;
    ctx->target_sigma_now[3] = ctx->cfg.sigma_gps_vel;
    out->target_refined = 1;
    la_copy(ctx->ref_mean, out->target_shift_H, 3);
    ctx->ref_n = 0;
    la_copy(rn, r_t, 3);
    la_copy(vn, v_t, 3);
    la_copy(Cn, C, 9);
    la_copy(wn, w, 3);
    nav_cov_out(ctx->ekf.P, out);
    return GNC_OK;
}

int gnc_nav_step(gnc_nav *ctx, const gnc_nav_in *in, gnc_nav_out *out)
{
    gnc_nav_in tai;
    double nis, P[3], dt;
    int st, state;
    if (ctx == NULL || in == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(ctx->cfg.clock_sigma_b0 > 0.0)) {
        st = nav_cycle(ctx, in, out);
        out->t_est = in->t;
        return st;
    }
    if (!nav_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (!nav_inputs_ok(in) || (in->gps_valid && !la_finite(&in->gps_met, 1))) {
        return GNC_ERR_DOMAIN;
    }
    state = clock_update(ctx, in, &nis);
    tai = *in;
    tai.t = clock_tai(ctx, in->t);
    tai.meas_t = clock_tai(ctx, in->meas_t);
    st = nav_cycle(ctx, &tai, out);
    if (st != GNC_OK) {
        return st;
    }
    out->t_est = tai.t;
    out->clock_nis = nis;
    if (ctx->clk_fixes > 0) {
        dt = in->t - ctx->clk_m;
        clock_carry(&ctx->cfg, ctx->clk_P, dt, P);
        /* from the state, not as t - t_est: near 2^31 s a double resolves 0.48 us */
        out->clock_offset = ctx->clk_x[0] + ctx->clk_x[1] * dt;
        out->clock_drift = ctx->clk_x[1];
        out->clock_sigma = sqrt(P[0] + ctx->cfg.clock_sigma_floor * ctx->cfg.clock_sigma_floor);
        out->clock_sigma_drift = sqrt(P[2]);
        state |= GNC_NAV_CLOCK_DISCIPLINED;
    } else {
        out->clock_sigma = ctx->cfg.clock_sigma_b0;
        out->clock_sigma_drift = ctx->cfg.clock_sigma_d0;
    }
    out->clock_state = state;
    return GNC_OK;
}

/* The navigation cycle proper, every time TAI. */
static int nav_cycle(gnc_nav *ctx, const gnc_nav_in *in, gnc_nav_out *out)
{
    double n, r_t[3] = {0.0, 0.0, 0.0}, v_t[3] = {0.0, 0.0, 0.0}, C[9], w[3] = {0.0, 0.0, 0.0};
    double dv_H[3] = {0.0, 0.0, 0.0}, z[6], meas[3] = {0.0, 0.0, 0.0}, h[3], dr[3], dv[3];
    double att[2] = {0.0, 0.0};
    double lag;
    int st, stale, have_meas;
    if (ctx == NULL || in == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!nav_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (!nav_inputs_ok(in)) {
        return GNC_ERR_DOMAIN;
    }
    la_zero(C, 9);
    memset(out, 0, sizeof *out);
    n = ctx->cfg.n_default;
    if (ctx->target_known) {
        st = gnc_ephem_mean_motion(&ctx->target, &n);
        if (st != GNC_OK) {
            return st;
        }
    } else {
        out->flags |= GNC_NAV_FLAG_TARGET_UNKNOWN;
    }
    out->mean_motion = n;
    st = gnc_sun_direction(in->t, out->sun_N);
    if (st != GNC_OK) {
        return st;
    }
    stale = !ctx->target_known || !in->gps_valid || in->t - in->gps_t > ctx->cfg.gps_max_age;
    if (in->gps_valid) {
        la_cross(in->gps_r_N, in->gps_v_N, h);
        if (la_norm(h) > 0.0) {
            la_scale(h, 1.0 / la_norm(h), ctx->normal_N);
            ctx->has_normal = 1;
        }
    }
    if (stale) {
        out->flags |= GNC_NAV_FLAG_GPS_STALE;
        if (ctx->target_known) {
            st = gnc_ephem_state(&ctx->target, in->t, r_t, v_t);
            if (st == GNC_OK) {
                st = gnc_hill_basis(r_t, v_t, C, w);
            }
            if (st != GNC_OK) {
                return st;
            }
            la_mv3(C, in->dv_N, dv_H);
        }
        if (ctx->has_x) {
            /* coast on the CW model (the EKF, if on, is stepped at the next fix) */
            st = nav_coast(n, ctx->x, dv_H, in->t - ctx->t_last, ctx->x);
            if (st != GNC_OK) {
                return st;
            }
            out->source = ctx->ekf_on ? GNC_NAV_RELNAV : GNC_NAV_GPS_EPHEMERIS;
            if (ctx->ekf_on) {
                nav_cov_out(ctx->ekf.P, out); /* as of its last step */
            } else {
                nav_gps_cov_out(&ctx->cfg, ctx->target_sigma_now, n, out);
            }
        }
    } else {
        /* the relative state at the fix's time, carried to t by the CW model */
        st = gnc_ephem_state(&ctx->target, in->gps_t, r_t, v_t);
        if (st == GNC_OK) {
            st = gnc_hill_from_inertial(r_t, v_t, in->gps_r_N, in->gps_v_N, z);
        }
        if (st == GNC_OK && in->t > in->gps_t) {
            st = gnc_cw_propagate(n, z, in->t - in->gps_t, z);
            if (st == GNC_OK) {
                st = gnc_ephem_state(&ctx->target, in->t, r_t, v_t);
            }
        }
        if (st == GNC_OK) {
            st = gnc_hill_basis(r_t, v_t, C, w);
        }
        if (st != GNC_OK) {
            return st;
        }
        la_mv3(C, in->dv_N, dv_H);
        /* a measurement is used once, at its own time (lag before t; the
         * EKF cannot go back before its last step) */
        have_meas = in->meas_valid && in->att_valid
            && in->t - in->meas_t < ctx->cfg.meas_max_age && in->meas_t > ctx->meas_used_t;
        lag = 0.0;
        if (have_meas && ctx->ekf_on) {
            lag = in->t - in->meas_t;
            if (!(lag > 0.0)) {
                lag = 0.0;
            } else if (lag > in->t - ctx->ekf_t) {
                lag = in->t - ctx->ekf_t;
            }
        }
        if (have_meas && lag > 0.0) {
            /* in the Hill frame of the sample's time (the target's ephemeris
             * queried backwards, its cache left at t) */
            double rm[3], vm[3], Cm[9], wm[3];
            st = gnc_ephem_state(&ctx->target, in->t - lag, rm, vm);
            if (st == GNC_OK) {
                st = gnc_hill_basis(rm, vm, Cm, wm);
            }
            if (st == GNC_OK) {
                st = nav_meas_hill(ctx, in, Cm, meas, att);
            }
            if (st != GNC_OK) {
                return st;
            }
        } else if (have_meas) {
            st = nav_meas_hill(ctx, in, C, meas, att);
            if (st != GNC_OK) {
                return st;
            }
        }
        st = GNC_ERR_STATE; /* no EKF this cycle */
        if ((have_meas && in->t >= ctx->ekf_retry)
            || (ctx->ekf_on
                && (ctx->cfg.coast_s == 0.0
                    || (in->meas_valid && in->t - in->meas_t < ctx->cfg.coast_s)))) {
            st = nav_ekf(ctx, in, n, z, dv_H, meas, att, have_meas, lag, out);
            if (st != GNC_OK) {
                out->flags |= GNC_NAV_FLAG_EKF_FAILED;
                out->ekf_status = st;
                ctx->ekf_on = 0;
                ctx->ekf_retry = in->t + ctx->cfg.retry_s;
            }
        }
        if (st != GNC_OK) {
            st = nav_gps_filter(ctx, in, n, z, dv_H, out);
            if (st != GNC_OK) {
                return st;
            }
        } else if (ctx->cfg.refine_s > 0.0 && ctx->ekf_on && have_meas
                   && !in->meas_bearing_only && !(out->flags & GNC_NAV_FLAG_REJECTED)) {
            st = nav_refine(ctx, in, n, z, r_t, v_t, C, w, out);
            if (st != GNC_OK) {
                return st;
            }
        }
        ctx->has_x = 1;
    }
    ctx->t_last = in->t;
    if (ctx->has_normal) {
        la_copy(ctx->normal_N, out->normal_N, 3);
    }
    if (ctx->target_known) {
        la_copy(r_t, out->r_target_N, 3);
        la_copy(v_t, out->v_target_N, 3);
    }
    if (ctx->has_x && ctx->target_known) {
        /* the estimate back to inertial: target minus chaser */
        la_copy(ctx->x, out->x_H, 6);
        la_mtv3(C, ctx->x, dr);
        la_mtv3(C, ctx->x + 3, dv);
        la_cross(w, dr, h);
        la_add(dv, h, dv);
        la_scale(dr, -1.0, out->r_rel_N);
        la_scale(dv, -1.0, out->v_rel_N);
        out->valid = 1;
    }
    return GNC_OK;
}
