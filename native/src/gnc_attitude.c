/* gnc_attitude.c - kinematics, MEKF, control laws, guidance and the ADCS step
 * (conventions and units in gnc_attitude.h). */
#include "gnc.h"
#include "gnc_constants.h"
#include "gnc_la.h"
#include "gnc_math.h"

static int quat_ok(const double q[4])
{
    double n;
    if (!la_finite(q, 4)) {
        return 0;
    }
    n = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
    return n > 1e-12;
}

/* Rotation angle (rad, in [0, pi]) of a quaternion. */
static double quat_angle(const double q[4])
{
    double v = sqrt(q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    return 2.0 * gnc_atan2(v, fabs(q[0]));
}

/* The rotation vector phi e (rad) with q = [cos(phi/2), -e sin(phi/2)]: the
 * frame rotation (active, axes of the first frame) that q represents. */
static void quat_to_rotvec(const double q[4], double rv[3])
{
    double w = q[0], v[3], vn, ang;
    v[0] = q[1];
    v[1] = q[2];
    v[2] = q[3];
    if (w < 0.0) {
        w = -w;
        la_scale(v, -1.0, v);
    }
    vn = la_norm(v);
    if (vn < 1e-300) {
        la_zero(rv, 3);
        return;
    }
    ang = 2.0 * gnc_atan2(vn, w);
    la_scale(v, -ang / vn, rv);
}

static void clip_vector(double v[3], double limit, int *saturated)
{
    double m = fabs(v[0]);
    if (fabs(v[1]) > m) {
        m = fabs(v[1]);
    }
    if (fabs(v[2]) > m) {
        m = fabs(v[2]);
    }
    if (m > limit) {
        int i;
        la_scale(v, limit / m, v);
        for (i = 0; i < 3; ++i) { /* rounding must not leave a component above */
            v[i] = v[i] > limit ? limit : (v[i] < -limit ? -limit : v[i]);
        }
        *saturated = 1;
    }
}

int gnc_att_propagate(const double q_BN[4], const double w_B[3], double dt, double q_out[4])
{
    double wn, half, s, dq[4];
    if (q_BN == NULL || w_B == NULL || q_out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!quat_ok(q_BN) || !la_finite(w_B, 3) || !(dt - dt == 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    wn = la_norm(w_B);
    half = 0.5 * wn * dt;
    /* s = sin(|w| dt/2)/|w|, with its series near zero */
    if (fabs(half) < 1e-6) {
        s = 0.5 * dt * (1.0 - half * half / 6.0);
        dq[0] = gnc_cos(half);
    } else {
        gnc_sincos(half, &s, &dq[0]);
        s = s / wn;
    }
    dq[1] = -w_B[0] * s;
    dq[2] = -w_B[1] * s;
    dq[3] = -w_B[2] * s;
    la_qmul(dq, q_BN, q_out);
    return la_qnormalize(q_out, q_out) ? GNC_OK : GNC_ERR_DOMAIN;
}

/* ---- MEKF ----------------------------------------------------------------- */

static int mekf_config_ok(const gnc_mekf_config *c)
{
    int i;
    if (!(la_finite(&c->gyro_arw, 1) && c->gyro_arw >= 0.0 && la_finite(&c->gyro_rrw, 1)
          && c->gyro_rrw >= 0.0 && la_finite(&c->st_sigma, 1) && c->st_sigma > 0.0
          && la_finite(&c->p0_att, 1) && c->p0_att > 0.0 && la_finite(&c->p0_bias, 1)
          && c->p0_bias >= 0.0 && la_finite(&c->st_cross_sigma, 1) && c->st_cross_sigma >= 0.0
          && la_finite(&c->st_about_sigma, 1) && c->st_about_sigma >= 0.0
          && la_finite(&c->gate, 1) && c->gate >= 0.0 && la_finite(&c->gate_reset, 1)
          && c->gate_reset >= 0.0 && c->st_heads >= 0 && c->st_heads <= GNC_ST_HEADS_MAX)) {
        return 0;
    }
    if ((c->st_cross_sigma > 0.0) != (c->st_about_sigma > 0.0)) {
        return 0;
    }
    for (i = 0; i < c->st_heads; ++i) {
        const double *b = c->st_boresight_B + 3 * i;
        if (!la_finite(b, 3) || !(la_norm(b) > 0.0)) {
            return 0;
        }
    }
    return 1;
}

/* The heads' measurement covariances in body axes (see gnc_attitude.h). */
static void mekf_head_noise(gnc_mekf *ctx)
{
    const gnc_mekf_config *c = &ctx->cfg;
    double c2 = c->st_cross_sigma * c->st_cross_sigma, a2 = c->st_about_sigma * c->st_about_sigma;
    int h, i, j;
    if (!(c->st_cross_sigma > 0.0)) {
        c2 = c->st_sigma * c->st_sigma;
        a2 = c2;
    }
    la_zero(ctx->R_head, 27);
    for (h = 0; h < c->st_heads; ++h) {
        double b[3];
        la_scale(c->st_boresight_B + 3 * h, 1.0 / la_norm(c->st_boresight_B + 3 * h), b);
        for (i = 0; i < 3; ++i) {
            for (j = 0; j < 3; ++j) {
                double bb = b[i] * b[j];
                ctx->R_head[9 * h + 3 * i + j] = c2 * ((i == j ? 1.0 : 0.0) - bb) + a2 * bb;
            }
        }
    }
}

int gnc_mekf_init(gnc_mekf *ctx, const gnc_mekf_config *cfg)
{
    if (ctx == NULL || cfg == NULL) {
        return GNC_ERR_NULL;
    }
    if (!mekf_config_ok(cfg)) {
        return GNC_ERR_DOMAIN;
    }
    ctx->cfg = *cfg;
    ctx->q_BN[0] = 1.0;
    la_zero(ctx->q_BN + 1, 3);
    la_zero(ctx->bias, 3);
    la_zero(ctx->P, 36);
    ctx->initialised = 0;
    ctx->rejected_run = 0;
    mekf_head_noise(ctx);
    return GNC_OK;
}

int gnc_mekf_reset(gnc_mekf *ctx, const double q_BN[4], const double bias[3])
{
    int i, st;
    if (ctx == NULL || q_BN == NULL || bias == NULL) {
        return GNC_ERR_NULL;
    }
    if (!mekf_config_ok(&ctx->cfg)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(bias, 3)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_quat_normalize(q_BN, ctx->q_BN);
    if (st != GNC_OK) {
        return st;
    }
    la_copy(bias, ctx->bias, 3);
    la_zero(ctx->P, 36);
    for (i = 0; i < 3; ++i) {
        ctx->P[7 * i] = ctx->cfg.p0_att * ctx->cfg.p0_att;
        ctx->P[7 * (i + 3)] = ctx->cfg.p0_bias * ctx->cfg.p0_bias;
    }
    ctx->initialised = 1;
    ctx->rejected_run = 0;
    return GNC_OK;
}

static void skew(const double w[3], double m[9])
{
    m[0] = 0.0;
    m[1] = -w[2];
    m[2] = w[1];
    m[3] = w[2];
    m[4] = 0.0;
    m[5] = -w[0];
    m[6] = -w[1];
    m[7] = w[0];
    m[8] = 0.0;
}

/* The MEKF's covariance products, written out for their 6x6 and 6x3 shapes.
 * Each sum is the one la_mm/la_mmt would form, term for term and in the same
 * order from s = 0.0, without the terms whose factor is a structural zero of
 * Phi or of I - K H: a sum that starts at +0.0 is never -0.0 in
 * round-to-nearest, so adding a +-0 product (finite operands) leaves it as it
 * is and skipping that term gives the same bits; a unit factor's term is the
 * other factor exactly. */

/* P <- Phi P Phi^T for the transition Phi = [A B; 0 I] (row-major 6x6). */
static void mekf_phi_p_phit(const double phi[36], double P[36])
{
    double tmp[36];
    int i, j;
    for (i = 0; i < 3; ++i) {
        const double *f = phi + 6 * i;
        for (j = 0; j < 6; ++j) {
            tmp[6 * i + j] = 0.0 + f[0] * P[j] + f[1] * P[6 + j] + f[2] * P[12 + j]
                             + f[3] * P[18 + j] + f[4] * P[24 + j] + f[5] * P[30 + j];
        }
    }
    for (i = 18; i < 36; ++i) {
        tmp[i] = 0.0 + P[i];
    }
    for (i = 0; i < 6; ++i) {
        const double *t = tmp + 6 * i;
        for (j = 0; j < 3; ++j) {
            const double *f = phi + 6 * j;
            P[6 * i + j] = 0.0 + t[0] * f[0] + t[1] * f[1] + t[2] * f[2] + t[3] * f[3]
                           + t[4] * f[4] + t[5] * f[5];
        }
        for (j = 3; j < 6; ++j) {
            P[6 * i + j] = 0.0 + t[j];
        }
    }
}

/* P <- (I - K H) P (I - K H)^T + K R K^T with H = [I 0]. L (6x3) is the left
 * block of I - K H = [L | 0; I], i.e. delta_ij - K_ij; its right block is
 * [0; I]. */
static void mekf_joseph(const double K[18], const double R[9], double P[36])
{
    double L[18], tmp[36], KR[18];
    int i, j;
    for (i = 0; i < 6; ++i) {
        const double *k = K + 3 * i;
        for (j = 0; j < 3; ++j) {
            L[3 * i + j] = 0.0 - k[j];
            KR[3 * i + j] = 0.0 + k[0] * R[j] + k[1] * R[3 + j] + k[2] * R[6 + j];
        }
    }
    L[0] = 1.0 - K[0];
    L[4] = 1.0 - K[4];
    L[8] = 1.0 - K[8];
    for (i = 0; i < 6; ++i) {
        const double *l = L + 3 * i;
        for (j = 0; j < 6; ++j) {
            double s = 0.0 + l[0] * P[j] + l[1] * P[6 + j] + l[2] * P[12 + j];
            tmp[6 * i + j] = (i >= 3) ? s + P[6 * i + j] : s;
        }
    }
    for (i = 0; i < 6; ++i) {
        const double *t = tmp + 6 * i, *kr = KR + 3 * i;
        for (j = 0; j < 6; ++j) {
            const double *l = L + 3 * j, *k = K + 3 * j;
            double s = 0.0 + t[0] * l[0] + t[1] * l[1] + t[2] * l[2];
            if (j >= 3) {
                s += t[j];
            }
            P[6 * i + j] = s + (kr[0] * k[0] + kr[1] * k[1] + kr[2] * k[2]);
        }
    }
}

static void mekf_propagate(gnc_mekf *ctx, const double w[3], double dt)
{
    double phi[36], W[9], W2[9], wn, th, a, b, c, d;
    double su2 = ctx->cfg.gyro_rrw * ctx->cfg.gyro_rrw;
    double sv2 = ctx->cfg.gyro_arw * ctx->cfg.gyro_arw;
    int i, j;
    gnc_att_propagate(ctx->q_BN, w, dt, ctx->q_BN);
    skew(w, W);
    la_mm(W, W, W2, 3, 3, 3);
    wn = la_norm(w);
    th = wn * dt;
    /* Phi11 = I - a [w x] + b [w x]^2 ; Phi12 = -(I dt - c [w x] + d [w x]^2) */
    if (th < 1e-5) {
        a = dt;
        b = 0.5 * dt * dt;
        c = 0.5 * dt * dt;
        d = dt * dt * dt / 6.0;
    } else {
        double sth, cth;
        gnc_sincos(th, &sth, &cth);
        a = sth / wn;
        b = (1.0 - cth) / (wn * wn);
        c = b;
        d = (th - sth) / (wn * wn * wn);
    }
    la_zero(phi, 36);
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            double id = (i == j) ? 1.0 : 0.0;
            phi[6 * i + j] = id - a * W[3 * i + j] + b * W2[3 * i + j];
            phi[6 * i + j + 3] = -(id * dt - c * W[3 * i + j] + d * W2[3 * i + j]);
        }
        phi[6 * (i + 3) + i + 3] = 1.0;
    }
    mekf_phi_p_phit(phi, ctx->P);
    for (i = 0; i < 3; ++i) {
        ctx->P[7 * i] += sv2 * dt + su2 * dt * dt * dt / 3.0;
        ctx->P[6 * i + i + 3] -= 0.5 * su2 * dt * dt;
        ctx->P[6 * (i + 3) + i] -= 0.5 * su2 * dt * dt;
        ctx->P[7 * (i + 3)] += su2 * dt;
    }
    la_symmetrise(ctx->P, 6);
}

/* One attitude update with measurement covariance R (body, 3x3). With a gate
 * > 0 an update whose NIS exceeds it is not applied (*accepted 0). */
static int mekf_update(gnc_mekf *ctx, const double q_meas[4], const double R[9], double gate,
                       double residual[3], double *nis, int *accepted)
{
    double qm[4], qc[4], dq[4], z[3], S[9], Si[9], K[18], dx[6], dqc[4];
    int i, j;
    *accepted = 0;
    *nis = 0.0;
    if (!la_qnormalize(q_meas, qm)) {
        return GNC_ERR_DOMAIN;
    }
    gnc_quat_conj(ctx->q_BN, qc);
    la_qmul(qm, qc, dq);
    if (dq[0] < 0.0) {
        for (i = 0; i < 4; ++i) {
            dq[i] = -dq[i];
        }
    }
    quat_to_rotvec(dq, z);
    la_copy(z, residual, 3);
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            S[3 * i + j] = ctx->P[6 * i + j] + R[3 * i + j];
        }
    }
    if (!la_inv3(S, Si)) {
        return GNC_ERR_SINGULAR;
    }
    for (i = 0; i < 3; ++i) {
        *nis += z[i] * (Si[3 * i] * z[0] + Si[3 * i + 1] * z[1] + Si[3 * i + 2] * z[2]);
    }
    if (gate > 0.0 && !(*nis <= gate)) {
        return GNC_OK;
    }
    *accepted = 1;
    /* K = P[:, 0:3] S^-1 (6x3) */
    for (i = 0; i < 6; ++i) {
        const double *p = ctx->P + 6 * i;
        for (j = 0; j < 3; ++j) {
            K[3 * i + j] = 0.0 + p[0] * Si[j] + p[1] * Si[3 + j] + p[2] * Si[6 + j];
        }
    }
    for (i = 0; i < 6; ++i) {
        dx[i] = K[3 * i] * z[0] + K[3 * i + 1] * z[1] + K[3 * i + 2] * z[2];
    }
    dqc[0] = 1.0;
    dqc[1] = -0.5 * dx[0];
    dqc[2] = -0.5 * dx[1];
    dqc[3] = -0.5 * dx[2];
    la_qmul(dqc, ctx->q_BN, ctx->q_BN);
    la_qnormalize(ctx->q_BN, ctx->q_BN);
    for (i = 0; i < 3; ++i) {
        ctx->bias[i] += dx[i + 3];
    }
    /* Joseph form: P = (I - K H) P (I - K H)^T + K R K^T, H = [I 0] */
    mekf_joseph(K, R, ctx->P);
    la_symmetrise(ctx->P, 6);
    return GNC_OK;
}

static void mekf_output(const gnc_mekf *ctx, const double gyro[3], gnc_mekf_out *out)
{
    int i;
    la_copy(ctx->q_BN, out->q_BN, 4);
    la_copy(ctx->bias, out->bias, 3);
    la_sub(gyro, ctx->bias, out->w_B);
    for (i = 0; i < 6; ++i) {
        out->sigma[i] = sqrt(ctx->P[7 * i] > 0.0 ? ctx->P[7 * i] : 0.0);
    }
    out->valid = ctx->initialised;
}

int gnc_mekf_step(gnc_mekf *ctx, const gnc_mekf_in *in, gnc_mekf_out *out)
{
    double w[3], res[3], nis;
    int st, h, mask, ok, tried = 0;
    if (ctx == NULL || in == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!mekf_config_ok(&ctx->cfg)) {
        return GNC_ERR_STATE;
    }
    if (!(in->dt >= 0.0) || !la_finite(&in->dt, 1) || !la_finite(in->gyro, 3)) {
        return GNC_ERR_DOMAIN;
    }
    if (in->st_valid && !quat_ok(in->q_st)) {
        return GNC_ERR_DOMAIN;
    }
    mask = in->head_mask & ((1 << ctx->cfg.st_heads) - 1);
    if (in->head_mask < 0 || in->head_mask != mask) {
        return GNC_ERR_DOMAIN;
    }
    for (h = 0; h < ctx->cfg.st_heads; ++h) {
        if ((mask >> h & 1) && !quat_ok(in->q_heads + 4 * h)) {
            return GNC_ERR_DOMAIN;
        }
    }
    la_zero(out->residual, 3);
    out->updated = 0;
    out->nis = 0.0;
    out->heads_used = 0;
    out->rejected = 0;
    out->restarted = 0;
    if (!ctx->initialised) {
        const double *q0 = NULL;
        if (in->st_valid) {
            q0 = in->q_st;
        } else {
            for (h = ctx->cfg.st_heads - 1; h >= 0; --h) {
                if (mask >> h & 1) {
                    q0 = in->q_heads + 4 * h;
                }
            }
        }
        if (q0 != NULL) {
            st = gnc_mekf_reset(ctx, q0, ctx->bias);
            if (st != GNC_OK) {
                return st;
            }
            out->updated = 1;
        }
        mekf_output(ctx, in->gyro, out);
        return GNC_OK;
    }
    la_sub(in->gyro, ctx->bias, w);
    mekf_propagate(ctx, w, in->dt);
    if (in->st_valid) {
        double r2 = ctx->cfg.st_sigma * ctx->cfg.st_sigma;
        double R[9] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        R[0] = r2;
        R[4] = r2;
        R[8] = r2;
        st = mekf_update(ctx, in->q_st, R, ctx->cfg.gate, out->residual, &nis, &ok);
        if (st != GNC_OK) {
            return st;
        }
        tried += 1;
        out->nis = nis;
        if (ok) {
            out->updated = 1;
        } else {
            out->rejected += 1;
        }
    }
    for (h = 0; h < ctx->cfg.st_heads; ++h) {
        if (!(mask >> h & 1)) {
            continue;
        }
        st = mekf_update(ctx, in->q_heads + 4 * h, ctx->R_head + 9 * h, ctx->cfg.gate, res,
                         &nis, &ok);
        if (st != GNC_OK) {
            return st;
        }
        if (tried == 0) {
            la_copy(res, out->residual, 3);
        }
        tried += 1;
        out->nis = nis > out->nis ? nis : out->nis;
        if (ok) {
            out->updated = 1;
            out->heads_used |= 1 << h;
        } else {
            out->rejected += 1;
        }
    }
    if (out->updated) {
        ctx->rejected_run = 0;
    } else if (out->rejected > 0) {
        ctx->rejected_run += out->rejected;
        if (ctx->cfg.gate_reset > 0.0 && (double)ctx->rejected_run >= ctx->cfg.gate_reset) {
            /* the fixes agree against the estimate: restart from one */
            const double *q0 = in->st_valid ? in->q_st : NULL;
            for (h = ctx->cfg.st_heads - 1; h >= 0 && !in->st_valid; --h) {
                if (mask >> h & 1) {
                    q0 = in->q_heads + 4 * h;
                }
            }
            st = gnc_mekf_reset(ctx, q0, ctx->bias);
            if (st != GNC_OK) {
                return st;
            }
            out->restarted = 1;
        }
    }
    mekf_output(ctx, in->gyro, out);
    return GNC_OK;
}

/* A coarse attitude update (TRIAD, isotropic sigma) of an initialised
 * filter, gated like the trackers'. */
static int mekf_coarse_update(gnc_mekf *ctx, const double q[4], double sigma, double *nis,
                              int *accepted)
{
    double R[9], res[3], s2 = sigma * sigma;
    la_zero(R, 9);
    R[0] = s2;
    R[4] = s2;
    R[8] = s2;
    return mekf_update(ctx, q, R, ctx->cfg.gate, res, nis, accepted);
}

int gnc_mekf_covariance(const gnc_mekf *ctx, double P[36])
{
    if (ctx == NULL || P == NULL) {
        return GNC_ERR_NULL;
    }
    la_copy(ctx->P, P, 36);
    return GNC_OK;
}

/* ---- Coarse attitude ------------------------------------------------------ */

int gnc_mag_dipole(double t_tai, const double r_N[3], double b_N[3])
{
    /* IGRF-13 degree 1 at 2020.0 plus 5 years of its secular variation (nT) */
    const double g10 = -29376.3, g11 = -1413.9, h11 = 4523.0;
    double b0, d_e[3], d[3], rn, rh[3], k, dr, du, th, s, c;
    int i;
    if (r_N == NULL || b_N == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(&t_tai, 1) || !la_finite(r_N, 3)) {
        return GNC_ERR_DOMAIN;
    }
    rn = la_norm(r_N);
    if (!(rn > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    b0 = sqrt(g10 * g10 + g11 * g11 + h11 * h11);
    d_e[0] = g11 / b0;
    d_e[1] = h11 / b0;
    d_e[2] = g10 / b0;
    b0 *= 1e-9;
    /* Earth rotation angle (IERS 2010) of UT1 ~ UTC = TAI - 37 s */
    du = (t_tai - 37.0) / GNC_DAY_S + (GNC_JD_TAI_EPOCH - GNC_JD_J2000);
    th = 2.0 * GNC_PI * (0.7790572732640 + 1.00273781191135448 * du);
    gnc_sincos(th, &s, &c);
    d[0] = c * d_e[0] - s * d_e[1];
    d[1] = s * d_e[0] + c * d_e[1];
    d[2] = d_e[2];
    for (i = 0; i < 3; ++i) {
        rh[i] = r_N[i] / rn;
    }
    k = b0 * (GNC_R_EARTH / rn) * (GNC_R_EARTH / rn) * (GNC_R_EARTH / rn);
    dr = 3.0 * la_dot(d, rh);
    for (i = 0; i < 3; ++i) {
        b_N[i] = k * (dr * rh[i] - d[i]);
    }
    return GNC_OK;
}

/* Orthonormal triad (rows) of a direction pair: t1 = v1, t2 = v1 x v2, t3. */
static int triad_frame(const double v1[3], const double v2[3], double T[9])
{
    double a[3], b[3], n1, n2;
    n1 = la_norm(v1);
    if (!(n1 > 0.0) || !la_finite(v1, 3) || !la_finite(v2, 3)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(v1, 1.0 / n1, a);
    la_cross(a, v2, b);
    n2 = la_norm(b);
    if (!(n2 > 1e-3 * la_norm(v2))) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(b, 1.0 / n2, b);
    la_copy(a, T, 3);
    la_copy(b, T + 3, 3);
    la_cross(a, b, T + 6);
    return GNC_OK;
}

int gnc_triad(const double v1_B[3], const double v2_B[3], const double v1_N[3],
              const double v2_N[3], double q_BN[4])
{
    double TB[9], TN[9], C[9];
    int i, j, st;
    if (v1_B == NULL || v2_B == NULL || v1_N == NULL || v2_N == NULL || q_BN == NULL) {
        return GNC_ERR_NULL;
    }
    st = triad_frame(v1_B, v2_B, TB);
    if (st == GNC_OK) {
        st = triad_frame(v1_N, v2_N, TN);
    }
    if (st != GNC_OK) {
        return st;
    }
    /* C_BN = sum_k tB_k tN_k^T */
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            C[3 * i + j] = (TB[i] * TN[j] + TB[3 + i] * TN[3 + j]) + TB[6 + i] * TN[6 + j];
        }
    }
    return gnc_dcm_to_quat(C, q_BN);
}

/* ---- Control laws --------------------------------------------------------- */

/* The PD law of gnc_att_pd on checked arguments; q_BR gets the attitude error
 * q_BN conj(q_RN) (scalar part >= 0, before its normalisation), which the
 * ADCS step reuses. */
static int att_pd(const double q_BN[4], const double w_B[3], const double q_RN[4],
                  const double w_ref_R[3], const double a_ref_R[3], const double inertia[9],
                  const double h_w[3], double kp, double kd, double torque_B[3], double q_BR[4])
{
    double qn[4], C_BR[9], wr[3], ar[3], h[3], gyro[3], tmp[3];
    int i;
    if (!quat_ok(q_BN) || !quat_ok(q_RN) || !la_finite(w_B, 3) || !la_finite(w_ref_R, 3)
        || !la_finite(a_ref_R, 3) || !la_finite(inertia, 9) || !la_finite(h_w, 3)
        || !la_finite(&kp, 1) || !la_finite(&kd, 1)) {
        return GNC_ERR_DOMAIN;
    }
    la_qerror(q_BN, q_RN, q_BR);
    if (!la_qnormalize(q_BR, qn)) {
        la_copy(q_BR, qn, 4);
    }
    la_qdcm(qn, C_BR);
    la_mv3(C_BR, w_ref_R, wr);
    la_mv3(C_BR, a_ref_R, ar);
    la_cross(w_B, wr, tmp);
    la_sub(ar, tmp, ar);          /* d/dt of w_ref in body axes */
    la_mv3(inertia, w_B, h);
    la_add(h, h_w, h);
    la_cross(w_B, h, gyro);
    la_mv3(inertia, ar, ar);
    for (i = 0; i < 3; ++i) {
        /* dtheta = -2 vec(q_BR): torque = -kp dtheta = +2 kp vec(q_BR) */
        torque_B[i] = 2.0 * kp * qn[i + 1] - kd * (w_B[i] - wr[i]) + gyro[i] + ar[i];
    }
    return GNC_OK;
}

int gnc_att_pd(const double q_BN[4], const double w_B[3], const double q_RN[4],
               const double w_ref_R[3], const double a_ref_R[3], const double inertia[9],
               const double h_w[3], double kp, double kd, double torque_B[3])
{
    double q_BR[4];
    if (q_BN == NULL || w_B == NULL || q_RN == NULL || w_ref_R == NULL || a_ref_R == NULL
        || inertia == NULL || h_w == NULL || torque_B == NULL) {
        return GNC_ERR_NULL;
    }
    return att_pd(q_BN, w_B, q_RN, w_ref_R, a_ref_R, inertia, h_w, kp, kd, torque_B, q_BR);
}

int gnc_bdot(const double b_prev[3], const double b_now[3], double dt, double k, double m_max,
             double m_out[3])
{
    int i, sat = 0;
    if (b_prev == NULL || b_now == NULL || m_out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(dt > 0.0) || !la_finite(b_prev, 3) || !la_finite(b_now, 3) || !la_finite(&k, 1)
        || !(m_max >= 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    for (i = 0; i < 3; ++i) {
        m_out[i] = -k * (b_now[i] - b_prev[i]) / dt;
    }
    clip_vector(m_out, m_max, &sat);
    return GNC_OK;
}

static int mtq_cross_law(const double v[3], const double b_B[3], double k, double m_max,
                         double m_out[3])
{
    double b2;
    int sat = 0;
    if (v == NULL || b_B == NULL || m_out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(v, 3) || !la_finite(b_B, 3) || !la_finite(&k, 1) || !(m_max >= 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    b2 = la_dot(b_B, b_B);
    if (!(b2 > 1e-24)) {
        return GNC_ERR_SINGULAR;
    }
    la_cross(v, b_B, m_out);
    la_scale(m_out, k / b2, m_out);
    clip_vector(m_out, m_max, &sat);
    return GNC_OK;
}

int gnc_mtq_rate_damp(const double w_B[3], const double b_B[3], double k, double m_max,
                      double m_out[3])
{
    return mtq_cross_law(w_B, b_B, k, m_max, m_out);
}

int gnc_mtq_unload(const double h_w[3], const double b_B[3], double k, double m_max,
                   double m_out[3])
{
    return mtq_cross_law(h_w, b_B, k, m_max, m_out);
}

/* ---- Guidance ------------------------------------------------------------- */

/* A unit vector perpendicular to the unit vector u. */
static void any_perpendicular(const double u[3], double p[3])
{
    double e[3] = {0.0, 0.0, 0.0};
    int i = 0;
    if (fabs(u[1]) < fabs(u[i])) {
        i = 1;
    }
    if (fabs(u[2]) < fabs(u[i])) {
        i = 2;
    }
    e[i] = 1.0;
    la_cross(u, e, p);
    la_scale(p, 1.0 / la_norm(p), p);
}

/* The reference q_RN with body axis bore_B on prim_N and sec_B as close as
 * possible to ref_N (any perpendicular when ref_N is zero or along prim_N);
 * with a nonzero sun_N, prim_N is first moved off the sun to the keep-out
 * cone (*ko set). gnc_target_pointing is this with ref_N = sun_N. */
static int pointing_frame(const double bore_B[3], const double sec_B[3], const double prim_N[3],
                          const double ref_N[3], const double sun_N[3], double keepout,
                          double q_RN[4], int *ko)
{
    double b[3], a[3], c[3], d[3], s[3] = {0.0, 0.0, 0.0}, r[3] = {0.0, 0.0, 0.0}, p[3];
    double aN[3], cN[3], C[9], n, cs;
    int i, j, have_sun, have_ref;
    *ko = 0;
    n = la_norm(bore_B);
    if (!(n > 1e-12)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(bore_B, 1.0 / n, b);
    la_scale(b, -la_dot(sec_B, b), a);
    la_add(sec_B, a, a);
    n = la_norm(a);
    if (!(n > 1e-9 * la_norm(sec_B)) || !(n > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(a, 1.0 / n, a);
    la_cross(b, a, c);
    n = la_norm(prim_N);
    if (!(n > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(prim_N, 1.0 / n, d);
    n = la_norm(sun_N);
    have_sun = n > 0.0;
    if (have_sun) {
        la_scale(sun_N, 1.0 / n, s);
    }
    n = la_norm(ref_N);
    have_ref = n > 0.0;
    if (have_ref) {
        la_scale(ref_N, 1.0 / n, r);
    }
    if (have_sun) {
        cs = la_dot(d, s);
        if (cs > gnc_cos(keepout)) {
            /* move the primary axis off its target, away from the sun */
            la_scale(s, -cs, p);
            la_add(d, p, p);
            n = la_norm(p);
            if (n < 1e-12) {
                any_perpendicular(s, p);
            } else {
                la_scale(p, 1.0 / n, p);
            }
            double sk, ck;
            gnc_sincos(keepout, &sk, &ck);
            for (i = 0; i < 3; ++i) {
                d[i] = ck * s[i] + sk * p[i];
            }
            *ko = 1;
        }
    }
    /* secondary axis towards the reference, projected off the primary */
    n = 0.0;
    if (have_ref) {
        la_scale(d, -la_dot(r, d), aN);
        la_add(r, aN, aN);
        n = la_norm(aN);
    }
    if (n < 1e-9) {
        any_perpendicular(d, aN);
    } else {
        la_scale(aN, 1.0 / n, aN);
    }
    la_cross(d, aN, cN);
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            C[3 * i + j] = b[i] * d[j] + a[i] * aN[j] + c[i] * cN[j];
        }
    }
    return gnc_dcm_to_quat(C, q_RN);
}

int gnc_target_pointing(const double boresight_B[3], const double secondary_B[3],
                        const double los_N[3], const double sun_N[3], double keepout,
                        double q_RN[4], int *keepout_active)
{
    if (boresight_B == NULL || secondary_B == NULL || los_N == NULL || sun_N == NULL
        || q_RN == NULL || keepout_active == NULL) {
        return GNC_ERR_NULL;
    }
    *keepout_active = 0;
    if (!la_finite(boresight_B, 3) || !la_finite(secondary_B, 3) || !la_finite(los_N, 3)
        || !la_finite(sun_N, 3) || !(keepout >= 0.0) || !(keepout < 0.5 * GNC_PI)
        || !(la_norm(sun_N) > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    return pointing_frame(boresight_B, secondary_B, los_N, sun_N, sun_N, keepout, q_RN,
                          keepout_active);
}

int gnc_slew_init(gnc_slew *ctx, double rate_max, double accel_max)
{
    if (ctx == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(rate_max > 0.0) || !(accel_max > 0.0) || !la_finite(&rate_max, 1)
        || !la_finite(&accel_max, 1)) {
        return GNC_ERR_DOMAIN;
    }
    ctx->rate_max = rate_max;
    ctx->accel_max = accel_max;
    ctx->q_RN[0] = 1.0;
    la_zero(ctx->q_RN + 1, 3);
    la_zero(ctx->q_prev_TN, 4);
    la_zero(ctx->w_R, 3);
    la_zero(ctx->a_R, 3);
    ctx->initialised = 0;
    return GNC_OK;
}

int gnc_slew_reset(gnc_slew *ctx, const double q_RN[4], const double w_R[3])
{
    int st;
    if (ctx == NULL || q_RN == NULL || w_R == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(ctx->rate_max > 0.0) || !(ctx->accel_max > 0.0)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(w_R, 3)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_quat_normalize(q_RN, ctx->q_RN);
    if (st != GNC_OK) {
        return st;
    }
    la_copy(w_R, ctx->w_R, 3);
    la_zero(ctx->a_R, 3);
    ctx->initialised = 1;
    ctx->q_prev_TN[0] = 0.0; /* no previous target yet: no propagation */
    la_zero(ctx->q_prev_TN + 1, 3);
    return GNC_OK;
}

int gnc_slew_step(gnc_slew *ctx, const double q_TN[4], double dt, double *remaining)
{
    double qt[4], qc[4], q_TR[4], q_RT[4], C_RT[9], rv[3], wT[3] = {0.0, 0.0, 0.0};
    double phi, speed, braking, wdes[3], dw[3], dwn, amax_dt;
    int i;
    if (ctx == NULL || q_TN == NULL || remaining == NULL) {
        return GNC_ERR_NULL;
    }
    if (!ctx->initialised) {
        return GNC_ERR_STATE;
    }
    if (!(dt > 0.0) || !la_finite(&dt, 1) || !quat_ok(q_TN)) {
        return GNC_ERR_DOMAIN;
    }
    la_qnormalize(q_TN, qt);
    /* 1. the reference at this step: last step's reference moved at its rate */
    if (quat_ok(ctx->q_prev_TN)) {
        gnc_att_propagate(ctx->q_RN, ctx->w_R, dt, ctx->q_RN);
        /* target rate feed-forward, target axes */
        gnc_quat_conj(ctx->q_prev_TN, qc);
        la_qmul(qt, qc, q_TR);
        quat_to_rotvec(q_TR, wT);
        la_scale(wT, 1.0 / dt, wT);
    }
    la_copy(qt, ctx->q_prev_TN, 4);
    /* 2. the rate to hold until the next step: towards the target along the
     * eigenaxis, at most rate_max, braking in time, changing at most accel_max */
    la_qerror(qt, ctx->q_RN, q_TR);
    quat_to_rotvec(q_TR, rv); /* rotation from R to T, R axes */
    phi = la_norm(rv);
    gnc_quat_conj(q_TR, q_RT);
    la_qdcm(q_RT, C_RT);
    la_mv3(C_RT, wT, wT);     /* target rate in R axes */
    amax_dt = ctx->accel_max * dt;
    speed = ctx->rate_max;
    /* the fastest speed from which steps of accel_max dt still stop on the
     * target: k a dt with a dt^2 k (k + 1)/2 = phi (discrete braking) */
    braking = amax_dt * (sqrt(0.25 + 2.0 * phi / (amax_dt * dt)) - 0.5);
    if (braking < speed) {
        speed = braking;
    }
    if (phi / dt < speed) {
        speed = phi / dt;
    }
    for (i = 0; i < 3; ++i) {
        wdes[i] = (phi > 0.0 ? rv[i] * speed / phi : 0.0) + wT[i];
    }
    la_sub(wdes, ctx->w_R, dw);
    dwn = la_norm(dw);
    if (phi <= 0.5 * amax_dt * dt) {
        la_sub(wT, ctx->w_R, dw);
        if (la_norm(dw) <= amax_dt) {
            /* within reach of the target at a matching rate: lock on */
            la_copy(qt, ctx->q_RN, 4);
            la_copy(wT, ctx->w_R, 3);
            la_scale(dw, 1.0 / dt, ctx->a_R);
            *remaining = 0.0;
            return GNC_OK;
        }
        la_sub(wdes, ctx->w_R, dw);
    }
    if (dwn > amax_dt) {
        la_scale(dw, amax_dt / dwn, dw);
    }
    la_add(ctx->w_R, dw, ctx->w_R);
    la_scale(dw, 1.0 / dt, ctx->a_R);
    *remaining = phi;
    return GNC_OK;
}

/* ---- ADCS step ------------------------------------------------------------ */

static int adcs_config_ok(const gnc_adcs_config *c)
{
    int i;
    if (!(la_finite(&c->dt, 1) && c->dt > 0.0 && la_finite(c->inertia, 9) && c->kp >= 0.0
          && c->kd >= 0.0 && c->wheel_torque_max >= 0.0 && c->wheel_momentum_max >= 0.0
          && c->dipole_max >= 0.0 && la_finite(&c->bdot_gain, 1) && c->damp_gain >= 0.0
          && c->unload_gain >= 0.0 && c->slew_rate_max > 0.0 && c->slew_accel_max > 0.0
          && la_finite(&c->wheel_momentum_max, 1) && la_finite(&c->kp, 1)
          && la_finite(&c->kd, 1) && la_finite(&c->damp_gain, 1)
          && la_finite(&c->unload_gain, 1) && la_finite(&c->sun_keepout, 1)
          && la_finite(c->boresight_B, 3) && la_finite(c->secondary_B, 3)
          && la_finite(c->solar_B, 3) && c->detumble_wheel_rate >= 0.0
          && la_finite(&c->detumble_wheel_rate, 1) && c->wheel_count >= 3
          && c->wheel_count <= GNC_WHEELS_MAX && c->wheel_inertia > 0.0
          && la_finite(&c->wheel_inertia, 1) && c->wheel_speed_max > 0.0
          && la_finite(&c->wheel_speed_max, 1) && c->check_min_dspeed >= 0.0
          && la_finite(&c->check_min_dspeed, 1) && c->check_speed_frac >= 0.0
          && la_finite(&c->check_speed_frac, 1) && c->check_miss >= 0.0
          && la_finite(&c->check_miss, 1) && la_finite(&c->coarse_sigma, 1)
          && c->coarse_sigma >= 0.0)) {
        return 0;
    }
    for (i = 0; i < c->wheel_count; ++i) {
        const double *ax = c->wheel_axes_B + 3 * i;
        if (!la_finite(ax, 3) || !(la_norm(ax) > 0.0)) {
            return 0;
        }
    }
    return 1;
}

/* Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations:
 * M = V diag(lam) V^T, the eigenvectors in the columns of V (row-major). */
static void sym3_eigen(const double M[9], double lam[3], double V[9])
{
    double a[9];
    int sweep, p, q, k;
    la_copy(M, a, 9);
    la_zero(V, 9);
    V[0] = V[4] = V[8] = 1.0;
    for (sweep = 0; sweep < 50; ++sweep) {
        double off = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
        double scale = a[0] * a[0] + a[4] * a[4] + a[8] * a[8];
        if (!(off > 1e-32 * scale)) {
            break;
        }
        for (p = 0; p < 2; ++p) {
            for (q = p + 1; q < 3; ++q) {
                double apq = a[3 * p + q], th, t, c, s;
                if (apq == 0.0) {
                    continue;
                }
                th = (a[3 * q + q] - a[3 * p + p]) / (2.0 * apq);
                t = 1.0 / (fabs(th) + sqrt(th * th + 1.0));
                t = th < 0.0 ? -t : t;
                c = 1.0 / sqrt(t * t + 1.0);
                s = t * c;
                for (k = 0; k < 3; ++k) { /* columns p, q of a */
                    double akp = a[3 * k + p], akq = a[3 * k + q];
                    a[3 * k + p] = c * akp - s * akq;
                    a[3 * k + q] = s * akp + c * akq;
                }
                for (k = 0; k < 3; ++k) { /* rows p, q of a */
                    double apk = a[3 * p + k], aqk = a[3 * q + k];
                    a[3 * p + k] = c * apk - s * aqk;
                    a[3 * q + k] = s * apk + c * aqk;
                }
                for (k = 0; k < 3; ++k) {
                    double vkp = V[3 * k + p], vkq = V[3 * k + q];
                    V[3 * k + p] = c * vkp - s * vkq;
                    V[3 * k + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    lam[0] = a[0];
    lam[1] = a[4];
    lam[2] = a[8];
}

/* The minimum-norm allocation over the wheels of mask (pinv of the 3 x k
 * matrix of their axes, unused columns zero, as numpy.linalg.pinv): rows
 * pinv[i*3 + axis]; zero with fewer than three wheels in use. Directions whose
 * eigenvalue of A A^T is below 1e-12 of the largest are left out (wheels in a
 * plane control only that plane). */
static void adcs_alloc(gnc_adcs *ctx, int mask)
{
    const gnc_adcs_config *c = &ctx->cfg;
    double M[9], lam[3], V[9], Mp[9], lmax;
    int i, j, k, used = 0;
    la_zero(ctx->pinv, 3 * GNC_WHEELS_MAX);
    ctx->pinv_mask = mask;
    for (i = 0; i < c->wheel_count; ++i) {
        used += mask >> i & 1;
    }
    if (used < 3) {
        return;
    }
    la_zero(M, 9);
    for (i = 0; i < c->wheel_count; ++i) {
        const double *ax = c->wheel_axes_B + 3 * i;
        if (!(mask >> i & 1)) {
            continue;
        }
        for (j = 0; j < 3; ++j) {
            for (k = 0; k < 3; ++k) {
                M[3 * j + k] += ax[j] * ax[k];
            }
        }
    }
    sym3_eigen(M, lam, V);
    lmax = lam[0] > lam[1] ? lam[0] : lam[1];
    lmax = lam[2] > lmax ? lam[2] : lmax;
    la_zero(Mp, 9);
    for (k = 0; k < 3; ++k) {
        if (!(lam[k] > 1e-12 * lmax)) {
            continue;
        }
        for (i = 0; i < 3; ++i) {
            for (j = 0; j < 3; ++j) {
                Mp[3 * i + j] += V[3 * i + k] * V[3 * j + k] / lam[k];
            }
        }
    }
    for (i = 0; i < c->wheel_count; ++i) {
        if (mask >> i & 1) {
            la_mtv3(Mp, c->wheel_axes_B + 3 * i, ctx->pinv + 3 * i); /* Mp symmetric */
        }
    }
}

int gnc_adcs_init(gnc_adcs *ctx, const gnc_adcs_config *cfg)
{
    int st, i;
    if (ctx == NULL || cfg == NULL) {
        return GNC_ERR_NULL;
    }
    ctx->initialised = 0;
    if (!adcs_config_ok(cfg)) {
        return GNC_ERR_DOMAIN;
    }
    if (!la_inv3(cfg->inertia, ctx->inertia_inv)) {
        return GNC_ERR_SINGULAR;
    }
    ctx->cfg = *cfg;
    for (i = 0; i < GNC_WHEELS_MAX; ++i) {
        double *ax = ctx->cfg.wheel_axes_B + 3 * i;
        if (i < cfg->wheel_count) {
            la_scale(ax, 1.0 / la_norm(ax), ax);
        } else {
            la_zero(ax, 3);
        }
    }
    st = gnc_mekf_init(&ctx->mekf, &cfg->mekf);
    if (st != GNC_OK) {
        return st;
    }
    st = gnc_slew_init(&ctx->slew, cfg->slew_rate_max, cfg->slew_accel_max);
    if (st != GNC_OK) {
        return st;
    }
    ctx->initialised = 1;
    return gnc_adcs_reset(ctx);
}

int gnc_adcs_reset(gnc_adcs *ctx)
{
    int st;
    if (ctx == NULL) {
        return GNC_ERR_NULL;
    }
    if (!ctx->initialised) {
        return GNC_ERR_STATE;
    }
    st = gnc_mekf_init(&ctx->mekf, &ctx->cfg.mekf);
    if (st != GNC_OK) {
        return st;
    }
    st = gnc_slew_init(&ctx->slew, ctx->cfg.slew_rate_max, ctx->cfg.slew_accel_max);
    if (st != GNC_OK) {
        return st;
    }
    la_zero(ctx->mag_prev, 3);
    la_zero(ctx->pinv, 3 * GNC_WHEELS_MAX);
    la_zero(ctx->u_int, GNC_WHEELS_MAX);
    la_zero(ctx->speed_prev, GNC_WHEELS_MAX);
    ctx->pinv_mask = -1;
    ctx->speed_prev_valid = 0;
    ctx->mag_prev_valid = 0;
    ctx->last_mode = GNC_ADCS_OFF;
    la_zero(ctx->hold_N, 3);
    ctx->hold = 0;
    return GNC_OK;
}

static int adcs_inputs_ok(const gnc_adcs *ctx, const gnc_adcs_in *in)
{
    if (in->mode < GNC_ADCS_OFF || in->mode > GNC_ADCS_SUN) {
        return 0;
    }
    if (in->gyro_valid && !la_finite(in->gyro_B, 3)) {
        return 0;
    }
    if (in->st_valid && !quat_ok(in->q_st_BN)) {
        return 0;
    }
    if (in->mag_valid && !la_finite(in->mag_B, 3)) {
        return 0;
    }
    if (in->sun_valid && !la_finite(in->sun_B, 3)) {
        return 0;
    }
    if (!la_finite(in->r_N, 3) || !la_finite(&in->time_tai, 1)) {
        return 0;
    }
    if (!la_finite(in->wheel_speed, ctx->cfg.wheel_count) || !la_finite(in->sun_N, 3)
        || !la_finite(in->normal_N, 3)) {
        return 0;
    }
    if (in->mode == GNC_ADCS_POINT && !quat_ok(in->q_target_BN)) {
        return 0;
    }
    if (in->mode == GNC_ADCS_TARGET
        && (!la_finite(in->r_target_N, 3) || !la_finite(in->v_target_N, 3)
            || !la_finite(&in->target_age, 1))) {
        return 0;
    }
    return 1;
}

/* Wheel check on a new tachometer sample: each wheel in use whose commanded
 * speed change since the previous sample is above check_min_dspeed, away from
 * its speed limit, is tested; it fails when the measured change misses the
 * commanded one by more than check_miss of it. */
static void adcs_wheel_check(gnc_adcs *ctx, const gnc_adcs_in *in, gnc_adcs_out *out)
{
    const gnc_adcs_config *c = &ctx->cfg;
    int i;
    if (ctx->speed_prev_valid) {
        for (i = 0; i < c->wheel_count; ++i) {
            double expected = ctx->u_int[i] / c->wheel_inertia;
            double got = in->wheel_speed[i] - ctx->speed_prev[i];
            if (!(in->wheel_ok >> i & 1)) {
                continue;
            }
            if (fabs(expected) > c->check_min_dspeed
                && fabs(in->wheel_speed[i]) < c->check_speed_frac * c->wheel_speed_max) {
                out->wheel_checked |= 1 << i;
                if (fabs(got - expected) > c->check_miss * fabs(expected)) {
                    out->wheel_bad |= 1 << i;
                }
            }
        }
    }
    la_copy(in->wheel_speed, ctx->speed_prev, c->wheel_count);
    la_zero(ctx->u_int, GNC_WHEELS_MAX);
    ctx->speed_prev_valid = 1;
}

/* h = sum of axis_i J speed_i over every wheel (in use or not: a failed
 * wheel still holds its momentum). Exact zero axis components are skipped, so
 * a body-axis wheel set gives its momenta exactly (signed zeros included). */
static void adcs_body_momentum(const gnc_adcs_config *c, const double speed[], double h[3])
{
    int i, k, started[3] = {0, 0, 0};
    la_zero(h, 3);
    for (i = 0; i < c->wheel_count; ++i) {
        double hw = c->wheel_inertia * speed[i];
        for (k = 0; k < 3; ++k) {
            double a = c->wheel_axes_B[3 * i + k];
            if (a != 0.0) {
                h[k] = started[k] ? h[k] + a * hw : a * hw;
                started[k] = 1;
            }
        }
    }
}

/* The sun-safe attitude: solar_B on the sun, secondary_B towards the orbit
 * normal (z_N x sun when the normal is unknown or within acos(0.99) of it). */
static int adcs_sun_target(const gnc_adcs_config *c, const double sun_N[3],
                           const double normal_N[3], double q_T[4])
{
    static const double z_N[3] = {0.0, 0.0, 1.0}, x_N[3] = {1.0, 0.0, 0.0};
    static const double none[3] = {0.0, 0.0, 0.0};
    double s[3], ref[3] = {0.0, 0.0, 0.0}, nn;
    int ko;
    la_scale(sun_N, 1.0 / la_norm(sun_N), s);
    nn = la_norm(normal_N);
    if (nn > 0.0) {
        la_scale(normal_N, 1.0 / nn, ref);
    }
    if (!(nn > 0.0) || fabs(la_dot(ref, s)) > 0.99) {
        la_cross(s, z_N, ref);
        if (!(la_norm(ref) > 0.1)) {
            la_cross(s, x_N, ref);
        }
    }
    return pointing_frame(c->solar_B, c->secondary_B, s, ref, none, 0.0, q_T, &ko);
}

/* The camera sun keep-out near its centre: with the line of sight within
 * half the keep-out of the sun, the point of the keep-out cone nearest the
 * line of sight turns quickly about the sun as the target passes in front of
 * it (a singularity at the centre: slews at the rate limit, the wheels
 * saturated, the idle monitor tripped). There the boresight is held fixed
 * (inertially) on the cone, at the point nearest where the reference looked
 * when the line of sight came in, until the line of sight leaves the inner
 * cone: los is replaced by that direction. */
static int adcs_keepout_hold(gnc_adcs *ctx, const double sun_N[3], double los[3])
{
    const gnc_adcs_config *c = &ctx->cfg;
    double s[3], C[9], b[3], p[3], n = la_norm(sun_N), nl = la_norm(los), pn, sk, ck;
    int i;
    if (!(n > 0.0) || !(nl > 0.0) || !(c->sun_keepout > 0.0)) {
        ctx->hold = 0;
        return 0;
    }
    la_scale(sun_N, 1.0 / n, s);
    if (!(la_dot(los, s) > nl * gnc_cos(0.5 * c->sun_keepout))) {
        ctx->hold = 0;
        return 0;
    }
    if (!ctx->hold) {
        if (!ctx->slew.initialised) {
            return 0;
        }
        gnc_quat_to_dcm(ctx->slew.q_RN, C);
        la_mtv3(C, c->boresight_B, b);
        la_scale(s, -la_dot(b, s), p);
        la_add(b, p, p);
        pn = la_norm(p);
        if (!(pn > 1e-6 * la_norm(b))) {
            return 0; /* the reference on the sun itself: no nearest point */
        }
        la_scale(p, 1.0 / pn, p);
        gnc_sincos(c->sun_keepout, &sk, &ck);
        for (i = 0; i < 3; ++i) {
            ctx->hold_N[i] = ck * s[i] + sk * p[i];
        }
        ctx->hold = 1;
    }
    la_scale(ctx->hold_N, nl, los);
    return 1;
}

/* Whether the sun is hidden from the camera for the whole of a slew out of
 * its keep-out: the chaser in the Earth's umbra now and where its orbit
 * (a circle about normal_N at its radius) takes it that slew's time ahead,
 * the keep-out angle at the rate limit plus a stop and a start at the
 * acceleration limit. Then the TARGET pointing drops the keep-out: an
 * occulted sun cannot dazzle the camera, and the boresight stays on the
 * target (issue #15: 1,200 s without a measurement at 1-2 km with the line of
 * sight near the occulted sun, seed 363236699). Asked only while the line of
 * sight los is inside the keep-out (elsewhere the keep-out changes nothing:
 * the eclipse is not computed every cycle). Unknown position, normal, sun or
 * line of sight: not hidden. */
static int adcs_sun_hidden(const gnc_adcs_config *c, const gnc_adcs_in *in,
                           const double los[3])
{
    double s[3], d[3], h[3], hxr[3], r2[3], rn, hn, sn, ln, lit, lead, sa, ca;
    int i;
    rn = la_norm(in->r_N);
    hn = la_norm(in->normal_N);
    sn = la_norm(in->sun_N);
    ln = la_norm(los);
    if (!(rn > 0.0) || !(hn > 0.0) || !(sn > 0.0) || !(ln > 0.0) || !(c->slew_rate_max > 0.0)
        || !(c->slew_accel_max > 0.0)) {
        return 0;
    }
    la_scale(in->sun_N, 1.0 / sn, s);
    /* the line of sight outside the keep-out (pointing_frame's own test):
     * the keep-out changes nothing, so nothing to decide */
    la_scale(los, 1.0 / ln, d);
    if (!(la_dot(d, s) > gnc_cos(c->sun_keepout))) {
        return 0;
    }
    if (gnc_eclipse(in->r_N, s, GNC_R_EARTH, &lit) != GNC_OK || lit > 0.0) {
        return 0;
    }
    lead = c->sun_keepout / c->slew_rate_max + 2.0 * c->slew_rate_max / c->slew_accel_max;
    gnc_sincos(sqrt(GNC_MU_EARTH / (rn * rn * rn)) * lead, &sa, &ca);
    la_scale(in->normal_N, 1.0 / hn, h);
    la_cross(h, in->r_N, hxr);
    for (i = 0; i < 3; ++i) {
        r2[i] = ca * in->r_N[i] + sa * hxr[i];
    }
    return gnc_eclipse(r2, s, GNC_R_EARTH, &lit) == GNC_OK && !(lit > 0.0);
}

/* Pointing modes: guidance reference and PD torque. */
static int adcs_pointing(gnc_adcs *ctx, const gnc_adcs_in *in, int mode, const double w[3],
                         const double h_body[3], gnc_adcs_out *out, double torque[3])
{
    const gnc_adcs_config *c = &ctx->cfg;
    double q_T[4], remaining, C_BR[9], q_BR[4], los[3];
    const double none[3] = {0.0, 0.0, 0.0};
    const double *ref, *keep;
    int st, i, ko = 0, held;
    if (mode == GNC_ADCS_POINT) {
        st = gnc_quat_normalize(in->q_target_BN, q_T);
    } else if (mode == GNC_ADCS_SUN) {
        st = adcs_sun_target(c, in->sun_N, in->normal_N, q_T);
    } else {
        /* the line of sight extrapolated to now; the secondary axis towards
         * the orbit normal (towards the sun while the normal is unknown) */
        for (i = 0; i < 3; ++i) {
            los[i] = in->target_age != 0.0
                ? in->r_target_N[i] + in->v_target_N[i] * in->target_age : in->r_target_N[i];
        }
        ref = la_norm(in->normal_N) > 0.0 ? in->normal_N : in->sun_N;
        keep = adcs_sun_hidden(c, in, los) ? none : in->sun_N;
        held = adcs_keepout_hold(ctx, keep, los);
        st = pointing_frame(c->boresight_B, c->secondary_B, los, ref, keep, c->sun_keepout,
                            q_T, &ko);
        ko |= held;
    }
    if (st != GNC_OK) {
        return st;
    }
    if (ko) {
        out->flags |= GNC_ADCS_FLAG_KEEPOUT;
    }
    if (ctx->last_mode != mode || !ctx->slew.initialised) {
        st = gnc_slew_reset(&ctx->slew, ctx->mekf.q_BN, w);
        if (st != GNC_OK) {
            return st;
        }
    }
    st = gnc_slew_step(&ctx->slew, q_T, c->dt, &remaining);
    if (st != GNC_OK) {
        return st;
    }
    if (remaining > 1e-9 || la_norm(ctx->slew.a_R) > 1e-12) {
        out->flags |= GNC_ADCS_FLAG_SLEWING;
    }
    st = att_pd(ctx->mekf.q_BN, w, ctx->slew.q_RN, ctx->slew.w_R, ctx->slew.a_R, c->inertia,
                h_body, c->kp, c->kd, torque, q_BR);
    if (st != GNC_OK) {
        return st;
    }
    la_copy(ctx->slew.q_RN, out->q_ref_BN, 4);
    la_qdcm(q_BR, C_BR); /* the error before the PD law's normalisation */
    la_mv3(C_BR, ctx->slew.w_R, out->w_ref_B);
    out->ref_error = quat_angle(q_BR);
    la_qerror(ctx->mekf.q_BN, q_T, q_BR);
    out->att_error = quat_angle(q_BR);
    return GNC_OK;
}

/* The coarse attitude of a cycle without a tracker fix: TRIAD on the sun
 * sensor (kept exactly) and the magnetometer against the sun and the field
 * model in N. It initialises the MEKF (attitude sigma coarse_sigma) or,
 * while the MEKF's attitude sigma exceeds coarse_sigma, updates it (gated).
 * Returns 1 when it was applied, 0 when not, -status on an error. */
static int adcs_coarse(gnc_adcs *ctx, const gnc_adcs_in *in, const double gyro[3],
                       gnc_mekf_out *mout)
{
    const gnc_adcs_config *c = &ctx->cfg;
    gnc_mekf *m = &ctx->mekf;
    double b_N[3], q[4], s_N[3], sig, nis, lit;
    int st, ok = 0, i;
    if (!in->sun_valid || !in->mag_valid || !(la_norm(in->sun_N) > 0.0)
        || !(la_norm(in->r_N) > 0.0)) {
        return 0;
    }
    /* in the Earth's shadow a 'valid' sun sensor is noise over its threshold */
    la_scale(in->sun_N, 1.0 / la_norm(in->sun_N), s_N);
    if (gnc_eclipse(in->r_N, s_N, GNC_R_EARTH, &lit) != GNC_OK || !(lit > 0.99)) {
        return 0;
    }
    sig = mout->sigma[0] > mout->sigma[1] ? mout->sigma[0] : mout->sigma[1];
    sig = mout->sigma[2] > sig ? mout->sigma[2] : sig;
    if (m->initialised && !(sig > c->coarse_sigma)) {
        return 0;
    }
    if (gnc_mag_dipole(in->time_tai, in->r_N, b_N) != GNC_OK
        || gnc_triad(in->sun_B, in->mag_B, in->sun_N, b_N, q) != GNC_OK) {
        return 0; /* sun and field (nearly) parallel: no attitude this cycle */
    }
    if (!m->initialised) {
        st = gnc_mekf_reset(m, q, m->bias);
        if (st != GNC_OK) {
            return -st;
        }
        for (i = 0; i < 3; ++i) {
            m->P[7 * i] = c->coarse_sigma * c->coarse_sigma;
        }
        ok = 1;
    } else {
        st = mekf_coarse_update(m, q, c->coarse_sigma, &nis, &ok);
        if (st != GNC_OK) {
            return -st;
        }
    }
    if (ok) {
        mekf_output(m, gyro, mout);
    }
    return ok;
}

/* The mode flown: pointing needs an estimate (and SUN a sun direction),
 * DETUMBLE hands over to the wheels once the gyro rate is low. */
static int adcs_mode(const gnc_adcs *ctx, const gnc_adcs_in *in, int est_valid, int *fallback)
{
    int mode = in->mode;
    *fallback = 0;
    if (mode == GNC_ADCS_DETUMBLE && in->gyro_valid
        && la_norm(in->gyro_B) < ctx->cfg.detumble_wheel_rate) {
        return GNC_ADCS_RATE_DAMP;
    }
    if ((mode == GNC_ADCS_POINT || mode == GNC_ADCS_TARGET || mode == GNC_ADCS_SUN)
        && (!est_valid || (mode == GNC_ADCS_SUN && !(la_norm(in->sun_N) > 0.0)))) {
        *fallback = 1;
        return GNC_ADCS_RATE_DAMP;
    }
    return mode;
}

int gnc_adcs_step(gnc_adcs *ctx, const gnc_adcs_in *in, gnc_adcs_out *out)
{
    const gnc_adcs_config *c;
    gnc_mekf_in min;
    gnc_mekf_out mout;
    double w[3], torque[3] = {0.0, 0.0, 0.0}, m[3] = {0.0, 0.0, 0.0}, tm[3], cmd[3], h[3];
    int st, i, mode, use_wheels = 0, sat = 0, fallback;
    if (ctx == NULL || in == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!ctx->initialised) {
        return GNC_ERR_STATE;
    }
    if (!adcs_inputs_ok(ctx, in)) {
        return GNC_ERR_DOMAIN;
    }
    c = &ctx->cfg;
    out->flags = 0;
    out->att_error = 0.0;
    out->ref_error = 0.0;
    out->wheel_checked = 0;
    out->wheel_bad = 0;
    la_zero(out->w_ref_B, 3);
    la_zero(out->wheel_cmd, GNC_WHEELS_MAX);
    /* 0. wheels: the check on a new tachometer sample, the body momentum */
    if (in->tach_new) {
        adcs_wheel_check(ctx, in, out);
    }
    adcs_body_momentum(c, in->wheel_speed, h);
    la_copy(h, out->h_body, 3);
    out->h_norm = la_norm(h);
    if (in->wheel_ok != ctx->pinv_mask) {
        adcs_alloc(ctx, in->wheel_ok);
    }
    /* 1. estimation (gyro outage: propagate at zero rate) */
    min.dt = c->dt;
    for (i = 0; i < 3; ++i) {
        min.gyro[i] = in->gyro_valid ? in->gyro_B[i] : ctx->mekf.bias[i];
    }
    la_copy(in->q_st_BN, min.q_st, 4);
    min.st_valid = in->st_valid;
    la_copy(in->q_heads, min.q_heads, 12);
    min.head_mask = in->head_mask;
    st = gnc_mekf_step(&ctx->mekf, &min, &mout);
    if (st != GNC_OK) {
        return st;
    }
    out->heads_used = mout.heads_used;
    out->st_rejected = mout.rejected;
    out->nis = mout.nis;
    /* 1b. no fix: the coarse attitude (sun + field) initialises or bounds it */
    if (!in->st_valid && in->head_mask == 0 && c->coarse_sigma > 0.0) {
        st = adcs_coarse(ctx, in, min.gyro, &mout);
        if (st < 0) {
            return -st;
        }
        if (st == 1) {
            out->flags |= GNC_ADCS_FLAG_COARSE;
        }
    }
    la_copy(mout.q_BN, out->q_BN, 4);
    la_copy(mout.bias, out->bias_B, 3);
    la_copy(mout.sigma, out->sigma, 6);
    if (mout.valid) {
        out->flags |= GNC_ADCS_FLAG_EST_VALID;
        la_copy(mout.w_B, w, 3);
    } else if (in->gyro_valid) {
        la_copy(in->gyro_B, w, 3);
    } else {
        la_zero(w, 3);
    }
    la_copy(w, out->w_B, 3);
    la_copy(mout.q_BN, out->q_ref_BN, 4);
    if (!in->mag_valid) {
        out->flags |= GNC_ADCS_FLAG_NO_MAG;
    }
    /* 2. mode */
    mode = adcs_mode(ctx, in, mout.valid, &fallback);
    if (fallback) {
        out->flags |= GNC_ADCS_FLAG_FALLBACK;
    }
    /* 3. guidance and control */
    st = GNC_OK;
    if (mode == GNC_ADCS_DETUMBLE && in->mag_valid) {
        if (in->gyro_valid) {
            st = gnc_mtq_rate_damp(w, in->mag_B, c->damp_gain, 1e300, m);
        } else if (ctx->mag_prev_valid) {
            st = gnc_bdot(ctx->mag_prev, in->mag_B, c->dt, c->bdot_gain, 1e300, m);
        }
        if (st != GNC_OK) {
            return st;
        }
    } else if (mode == GNC_ADCS_RATE_DAMP) {
        use_wheels = 1;
        for (i = 0; i < 3; ++i) {
            torque[i] = -c->kd * w[i];
        }
    } else if (mode == GNC_ADCS_POINT || mode == GNC_ADCS_TARGET || mode == GNC_ADCS_SUN) {
        use_wheels = 1;
        st = adcs_pointing(ctx, in, mode, w, h, out, torque);
        if (st != GNC_OK) {
            return st;
        }
    }
    if (use_wheels && in->mag_valid && c->unload_gain > 0.0) {
        st = gnc_mtq_unload(h, in->mag_B, c->unload_gain, 1e300, m);
        if (st != GNC_OK) {
            return st;
        }
    }
    /* 4. allocation: magnetorquers, then wheels make up the rest */
    clip_vector(m, c->dipole_max, &sat);
    if (sat) {
        out->flags |= GNC_ADCS_FLAG_DIPOLE_SAT;
    }
    if (in->mag_valid) {
        la_cross(m, in->mag_B, tm);
    } else {
        la_zero(m, 3);
        la_zero(tm, 3);
    }
    la_zero(cmd, 3);
    if (use_wheels) {
        la_sub(tm, torque, cmd); /* wheel motor torque = -(body torque - mtq torque) */
        sat = 0;
        clip_vector(cmd, c->wheel_torque_max, &sat);
        if (sat) {
            out->flags |= GNC_ADCS_FLAG_WHEEL_TORQUE_SAT;
        }
        for (i = 0; i < 3; ++i) {
            if ((h[i] >= c->wheel_momentum_max && cmd[i] > 0.0)
                || (h[i] <= -c->wheel_momentum_max && cmd[i] < 0.0)) {
                cmd[i] = 0.0;
                out->flags |= GNC_ADCS_FLAG_WHEEL_MOMENTUM_LIMIT;
            }
        }
        /* per wheel: the minimum-norm allocation, each clipped to its torque */
        for (i = 0; i < c->wheel_count; ++i) {
            const double *p = ctx->pinv + 3 * i;
            double u = p[0] * cmd[0] + p[1] * cmd[1] + p[2] * cmd[2];
            u = u > c->wheel_torque_max ? c->wheel_torque_max : u;
            u = u < -c->wheel_torque_max ? -c->wheel_torque_max : u;
            out->wheel_cmd[i] = u;
        }
    }
    for (i = 0; i < c->wheel_count; ++i) {
        ctx->u_int[i] += out->wheel_cmd[i] * c->dt;
    }
    la_copy(cmd, out->wheel_torque, 3);
    la_copy(m, out->dipole_B, 3);
    la_sub(tm, cmd, out->torque_B);
    /* 5. bookkeeping */
    if (in->mag_valid) {
        la_copy(in->mag_B, ctx->mag_prev, 3);
    }
    ctx->mag_prev_valid = in->mag_valid;
    if (mode != GNC_ADCS_TARGET) {
        ctx->hold = 0;
    }
    ctx->last_mode = mode;
    out->mode = mode;
    return GNC_OK;
}
