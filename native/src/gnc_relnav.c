/* gnc_relnav.c - relative-navigation EKF (see gnc_relnav.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"
#include "gnc_constants.h"

int gnc_relnav_init(gnc_relnav *ctx, const gnc_relnav_config *cfg)
{
    if (ctx == NULL || cfg == NULL) {
        return GNC_ERR_NULL;
    }
    ctx->initialised = 0;
    if (!(cfg->n > 0.0) || !(cfg->sigma_range > 0.0) || !(cfg->sigma_angle > 0.0)
        || !(cfg->accel_psd >= 0.0) || !(cfg->gate >= 0.0) || !la_finite(&cfg->n, 1)
        || !la_finite(&cfg->sigma_range, 1) || !la_finite(&cfg->sigma_angle, 1)
        || !la_finite(&cfg->accel_psd, 1) || !la_finite(&cfg->gate, 1)
        || !la_finite(&cfg->sigma_range_frac, 1) || !(cfg->sigma_range_frac >= 0.0)
        || !la_finite(&cfg->dv_sigma_frac, 1) || !(cfg->dv_sigma_frac >= 0.0)
        || !la_finite(&cfg->dv_sigma_dir, 1) || !(cfg->dv_sigma_dir >= 0.0)
        || !la_finite(&cfg->reject_inflate_n, 1) || !(cfg->reject_inflate_n >= 0.0)
        || !la_finite(&cfg->reject_reset_n, 1) || !(cfg->reject_reset_n >= 0.0)
        || !la_finite(&cfg->inflate, 1)
        || (cfg->reject_inflate_n > 0.0 && !(cfg->inflate >= 1.0))
        || !la_finite(&cfg->nonlinear, 1) || !la_finite(&cfg->sigma_angle_el, 1)
        || !(cfg->sigma_angle_el >= 0.0) || !la_finite(&cfg->dv_sigma_floor, 1)
        || !(cfg->dv_sigma_floor >= 0.0) || !la_finite(&cfg->gate_bearing, 1)
        || !(cfg->gate_bearing >= 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    ctx->cfg = *cfg;
    la_zero(ctx->x, 6);
    la_zero(ctx->P, 36);
    la_zero(ctx->burn_dv, 3);
    ctx->rejected = 0;
    ctx->consecutive = 0;
    return GNC_OK;
}

int gnc_relnav_reset(gnc_relnav *ctx, const double x0[6], const double P0[36])
{
    int i;
    if (ctx == NULL || x0 == NULL || P0 == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(ctx->cfg.n > 0.0)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(x0, 6) || !la_finite(P0, 36)) {
        return GNC_ERR_DOMAIN;
    }
    for (i = 0; i < 6; ++i) {
        if (!(P0[7 * i] > 0.0)) {
            return GNC_ERR_DOMAIN;
        }
    }
    la_copy(x0, ctx->x, 6);
    la_copy(P0, ctx->P, 36);
    la_symmetrise(ctx->P, 6);
    la_zero(ctx->burn_dv, 3);
    ctx->initialised = 1;
    ctx->rejected = 0;
    ctx->consecutive = 0;
    return GNC_OK;
}

int gnc_relnav_measure(const double x[6], double h[3], double H[18])
{
    double rho[3], s2, s, R2, R;
    int i;
    if (x == NULL || h == NULL || H == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(x, 6)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(x, -1.0, rho);
    s2 = rho[0] * rho[0] + rho[1] * rho[1];
    s = sqrt(s2);
    R2 = s2 + rho[2] * rho[2];
    R = sqrt(R2);
    if (!(s > 1e-9 * (R > 1.0 ? R : 1.0)) || !(R > 1e-6)) {
        return GNC_ERR_SINGULAR; /* on the target, or looking along the orbit normal */
    }
    h[0] = R;
    h[1] = gnc_atan2(rho[1], rho[0]);
    h[2] = gnc_atan2(rho[2], s);
    la_zero(H, 18);
    /* d h / d r = -(d h / d rho) */
    for (i = 0; i < 3; ++i) {
        H[i] = -rho[i] / R;
    }
    H[6] = rho[1] / s2;
    H[7] = -rho[0] / s2;
    H[12] = rho[2] * rho[0] / (R2 * s);
    H[13] = rho[2] * rho[1] / (R2 * s);
    H[14] = -s / R2;
    return GNC_OK;
}

int gnc_relnav_noise(const gnc_relnav_config *cfg, const double h[3], double r[3])
{
    double sr, ce;
    if (cfg == NULL || h == NULL || r == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(h, 3)) {
        return GNC_ERR_DOMAIN;
    }
    sr = cfg->sigma_range + cfg->sigma_range_frac * fabs(h[0]);
    ce = gnc_cos(h[2]);
    if (!(ce > 1e-3)) {
        ce = 1e-3; /* near the orbit normal the azimuth is not observable */
    }
    r[0] = sr * sr;
    r[1] = cfg->sigma_angle * cfg->sigma_angle / (ce * ce);
    r[2] = cfg->sigma_angle_el > 0.0 ? cfg->sigma_angle_el * cfg->sigma_angle_el
                                     : cfg->sigma_angle * cfg->sigma_angle;
    return GNC_OK;
}

/* s Q(D) added to out (3x3): Q(D) = frac^2 D D' + dir^2 (|D|^2 I - D D') +
 * floor^2 I, Q(0) = 0. */
static void burn_cov(const gnc_relnav_config *cfg, const double D[3], double s, double out[9])
{
    double a = cfg->dv_sigma_frac * cfg->dv_sigma_frac;
    double b = cfg->dv_sigma_dir * cfg->dv_sigma_dir;
    double f = cfg->dv_sigma_floor * cfg->dv_sigma_floor;
    double d2 = la_dot(D, D);
    int i, j;
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            out[3 * i + j] += s * ((a - b) * D[i] * D[j] + (i == j ? b * d2 : 0.0));
        }
    }
    if (d2 > 0.0 && f > 0.0) {
        for (i = 0; i < 3; ++i) {
            out[4 * i] += s * f;
        }
    }
}

int gnc_relnav_burn_noise(const gnc_relnav_config *cfg, const double D0[3], const double dv[3],
                          double Q[9])
{
    double D1[3];
    if (cfg == NULL || D0 == NULL || dv == NULL || Q == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(D0, 3) || !la_finite(dv, 3)) {
        return GNC_ERR_DOMAIN;
    }
    la_zero(Q, 9);
    la_add(D0, dv, D1);
    burn_cov(cfg, D1, 1.0, Q);
    burn_cov(cfg, D0, -1.0, Q);
    la_symmetrise(Q, 3);
    return GNC_OK;
}

/* The position reset from the measurement z (variances r); velocity kept. */
static void relnav_reset_from(gnc_relnav *ctx, const double z[3], const double r[3])
{
    double ca, sa, ce, se, J[9], P[36];
    int i, j, k;
    gnc_sincos(z[1], &sa, &ca);
    gnc_sincos(z[2], &se, &ce);
    /* rho = R (ce ca, ce sa, se); columns d/dR, d/daz, d/del; x = -rho */
    J[0] = ce * ca;
    J[3] = ce * sa;
    J[6] = se;
    J[1] = -z[0] * ce * sa;
    J[4] = z[0] * ce * ca;
    J[7] = 0.0;
    J[2] = -z[0] * se * ca;
    J[5] = -z[0] * se * sa;
    J[8] = z[0] * ce;
    ctx->x[0] = -z[0] * J[0];
    ctx->x[1] = -z[0] * J[3];
    ctx->x[2] = -z[0] * J[6];
    la_zero(P, 36);
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            double s = 0.0;
            for (k = 0; k < 3; ++k) {
                s += J[3 * i + k] * r[k] * J[3 * j + k];
            }
            P[6 * i + j] = s;
            P[6 * (i + 3) + j + 3] = ctx->P[6 * (i + 3) + j + 3];
        }
    }
    la_copy(P, ctx->P, 36);
    la_symmetrise(ctx->P, 6);
}

/* Nonlinear relative motion about a circular orbit of mean motion n (radius
 * a = cbrt(mu / n^2)), rotating Hill axes: the derivative of x. */
static void nerm_deriv(double n, double a, const double x[6], double d[6])
{
    double X = a + x[0], r2 = X * X + x[1] * x[1] + x[2] * x[2], r = sqrt(r2);
    double k = GNC_MU_EARTH / (r2 * r), g0 = GNC_MU_EARTH / (a * a);
    d[0] = x[3];
    d[1] = x[4];
    d[2] = x[5];
    /* n^2 a = mu / a^2 = g0: the large terms cancel exactly in the bracket */
    d[3] = 2.0 * n * x[4] + n * n * x[0] + (g0 - k * X);
    d[4] = -2.0 * n * x[3] + n * n * x[1] - k * x[1];
    d[5] = -k * x[2];
}

/* RK4 of the nonlinear relative motion over dt (steps of at most 10 s). */
static void nerm_propagate(double n, double dt, double x[6])
{
    double a = gnc_cbrt(GNC_MU_EARTH / (n * n)), k1[6], k2[6], k3[6], k4[6], y[6], h;
    int steps = (int)(dt / 10.0) + 1, s, i;
    h = dt / steps;
    for (s = 0; s < steps; ++s) {
        nerm_deriv(n, a, x, k1);
        for (i = 0; i < 6; ++i) {
            y[i] = x[i] + 0.5 * h * k1[i];
        }
        nerm_deriv(n, a, y, k2);
        for (i = 0; i < 6; ++i) {
            y[i] = x[i] + 0.5 * h * k2[i];
        }
        nerm_deriv(n, a, y, k3);
        for (i = 0; i < 6; ++i) {
            y[i] = x[i] + h * k3[i];
        }
        nerm_deriv(n, a, y, k4);
        for (i = 0; i < 6; ++i) {
            x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
}

/* x (Hill of the target at (r_t, v_t)) carried dt seconds by propagating
 * the target and the chaser side by side (RK4, two-body + J2, steps of at
 * most 10 s) and taking the chaser back into the target's new Hill frame. */
static int ref_propagate(const double r_t0[3], const double v_t0[3], double dt, double x[6])
{
    double rt[3], vt[3], rc[3], vc[3], r2[3], v2[3], h;
    int steps = (int)(dt / 10.0) + 1, s, st;
    la_copy(r_t0, rt, 3);
    la_copy(v_t0, vt, 3);
    st = gnc_inertial_from_hill(rt, vt, x, rc, vc);
    if (st != GNC_OK) {
        return st;
    }
    h = dt / steps;
    for (s = 0; s < steps; ++s) {
        st = gnc_orbit_rk4_j2(rt, vt, h, GNC_MU_EARTH, GNC_J2, GNC_R_EARTH, r2, v2);
        if (st != GNC_OK) {
            return st;
        }
        la_copy(r2, rt, 3);
        la_copy(v2, vt, 3);
        st = gnc_orbit_rk4_j2(rc, vc, h, GNC_MU_EARTH, GNC_J2, GNC_R_EARTH, r2, v2);
        if (st != GNC_OK) {
            return st;
        }
        la_copy(r2, rc, 3);
        la_copy(v2, vc, 3);
    }
    return gnc_hill_from_inertial(rt, vt, rc, vc, x);
}

/* x carried dt seconds by the filter's nonlinear dynamics: about the
 * reference orbit when the input has one, else about the circular orbit. */
static int relnav_carry(const gnc_relnav *ctx, double dt, const gnc_relnav_in *in, double x[6])
{
    if (in != NULL && in->ref_valid) {
        return ref_propagate(in->ref_r, in->ref_v, dt, x);
    }
    nerm_propagate(ctx->cfg.n, dt, x);
    return GNC_OK;
}

static int relnav_propagate(gnc_relnav *ctx, double dt, const gnc_relnav_in *in)
{
    double phi[36], tmp[36], x[6], q = ctx->cfg.accel_psd;
    int i, j, st;
    gnc_cw_stm(ctx->cfg.n, dt, phi);
    if (!((in != NULL && in->ref_valid) || ctx->cfg.nonlinear > 0.0)) {
        la_mm(phi, ctx->x, x, 6, 6, 1); /* CW: state and covariance by phi */
    } else {
        la_copy(ctx->x, x, 6);
        st = relnav_carry(ctx, dt, in, x);
        if (st != GNC_OK) {
            return st;
        }
    }
    if (dt > 0.0 && ((in != NULL && in->ref_valid) || ctx->cfg.nonlinear > 0.0)) {
        /* The covariance through the transition matrix of the very
         * propagation the state takes, by central differences (1 m, 1 mm/s),
         * not CW's: at tens of kilometres the two differ by the curvature of
         * the relative motion, the one thing that tells the angles-only
         * filter the range without a burn; with CW's matrix the covariance
         * missed what the state's propagation used and the estimate slid
         * along the line of sight (campaign runs: NEES 100 in the offline
         * replay of a mission's truth, 3 with this matrix, issue #15). */
        for (j = 0; j < 6; ++j) {
            double xp[6], xm[6], h = j < 3 ? 1.0 : 1e-3;
            la_copy(ctx->x, xp, 6);
            la_copy(ctx->x, xm, 6);
            xp[j] += h;
            xm[j] -= h;
            st = relnav_carry(ctx, dt, in, xp);
            if (st == GNC_OK) {
                st = relnav_carry(ctx, dt, in, xm);
            }
            if (st != GNC_OK) {
                return st;
            }
            for (i = 0; i < 6; ++i) {
                phi[6 * i + j] = (xp[i] - xm[i]) / (2.0 * h);
            }
        }
    }
    la_copy(x, ctx->x, 6);
    la_mm(phi, ctx->P, tmp, 6, 6, 6);
    la_mmt(tmp, phi, ctx->P, 6, 6, 6);
    for (i = 0; i < 3; ++i) {
        ctx->P[7 * i] += q * dt * dt * dt / 3.0;
        ctx->P[6 * i + i + 3] += q * dt * dt / 2.0;
        ctx->P[6 * (i + 3) + i] += q * dt * dt / 2.0;
        ctx->P[7 * (i + 3)] += q * dt;
    }
    la_symmetrise(ctx->P, 6);
    return GNC_OK;
}

/* The rejection bookkeeping of a gated measurement z (noise r at z):
 * inflate after reject_inflate_n in a row, reset from z after reject_reset_n. */
static void relnav_rejected(gnc_relnav *ctx, const double z[3], const double rz[3],
                            gnc_relnav_out *out)
{
    int i, j;
    ctx->rejected += 1;
    ctx->consecutive += 1;
    out->rejected = 1;
    if (ctx->cfg.reject_reset_n > 0.0 && ctx->consecutive >= ctx->cfg.reject_reset_n) {
        relnav_reset_from(ctx, z, rz);
        ctx->consecutive = 0;
        out->recovery = 2;
    } else if (ctx->cfg.reject_inflate_n > 0.0
               && ctx->consecutive == (int)ctx->cfg.reject_inflate_n) {
        /* P <- D P D, D = diag(sqrt(f) on position, 1 on velocity):
         * the position's variance times f, the velocity's kept */
        double sf = sqrt(ctx->cfg.inflate);
        for (i = 0; i < 6; ++i) {
            for (j = 0; j < 6; ++j) {
                ctx->P[6 * i + j] *= (i < 3 ? sf : 1.0) * (j < 3 ? sf : 1.0);
            }
        }
        out->recovery = 1;
    }
}

/* Bearing-only updates iterate (Gauss-Newton on the measurement, the
 * iterated EKF) at most this many times, until the position moves less than
 * RELNAV_IEKF_TOL of the range: far out, where a catalogue's kilometres
 * along the line of sight meet hundreds of metres across it, the single
 * linearisation's second-order term (their product over the range squared)
 * is larger than the bearing noise. */
#define RELNAV_IEKF_MAX 8
#define RELNAV_IEKF_TOL 1e-9

/* The innovation z - h(xi) - H (xp - xi) of the bearing rows at the
 * iterate xi (prior xp), azimuth wrapped. */
static void bearing_innovation(const double z[3], const double xp[6], const double xi[6],
                               const double h[3], const double H[18], double y[2])
{
    int k, j;
    for (k = 0; k < 2; ++k) {
        double s = z[k + 1] - h[k + 1];
        if (k == 0) {
            while (s > GNC_PI) {
                s -= 2.0 * GNC_PI;
            }
            while (s <= -GNC_PI) {
                s += 2.0 * GNC_PI;
            }
        }
        for (j = 0; j < 6; ++j) {
            s -= H[6 * (k + 1) + j] * (xp[j] - xi[j]);
        }
        y[k] = s;
    }
}

/* The covariance after an update in Joseph form, P <- (I - K H) P (I - K H)'
 * + K R K', for m measurement rows: K is 6 x m (row-major), Hr the m rows of
 * H (6 columns each), rr the m diagonal noises; symmetrised. */
static void relnav_joseph(gnc_relnav *ctx, const double *K, const double *Hr, const double *rr,
                          int m)
{
    double IKH[36], tmp[36], P2[36];
    int i, j, k;
    for (i = 0; i < 6; ++i) {
        for (j = 0; j < 6; ++j) {
            double s = (i == j) ? 1.0 : 0.0;
            for (k = 0; k < m; ++k) {
                s -= K[m * i + k] * Hr[6 * k + j];
            }
            IKH[6 * i + j] = s;
        }
    }
    la_mm(IKH, ctx->P, tmp, 6, 6, 6);
    la_mmt(tmp, IKH, P2, 6, 6, 6);
    for (i = 0; i < 6; ++i) {
        for (j = 0; j < 6; ++j) {
            for (k = 0; k < m; ++k) {
                P2[6 * i + j] += K[m * i + k] * rr[k] * K[m * j + k];
            }
        }
    }
    la_copy(P2, ctx->P, 36);
    la_symmetrise(ctx->P, 6);
}

/* A bearing-only measurement (azimuth z[1], elevation z[2]; z[0] unused):
 * the update on the last two rows of h and H (2 dof), iterated (above); the
 * NIS and the gate at the prior. A reset after rejections puts the target
 * on the measured line of sight at the predicted range, with the range's
 * variance the prediction's plus the sensor's. */
static int relnav_update_bearing(gnc_relnav *ctx, const double z[3], gnc_relnav_out *out)
{
    double h[3], H[18], PHt[12], S[4], Si[4], K[12], y[2], r[3];
    double xp[6], xi[6], det;
    int i, j, it, st;
    la_copy(ctx->x, xp, 6);
    la_copy(ctx->x, xi, 6);
    for (it = 0; it < RELNAV_IEKF_MAX; ++it) {
        double step = 0.0, rng;
        st = gnc_relnav_measure(xi, h, H);
        if (st != GNC_OK) {
            return st;
        }
        st = gnc_relnav_noise(&ctx->cfg, h, r);
        if (st != GNC_OK) {
            return st;
        }
        /* H rows 1, 2 (6 columns each) start at H + 6 */
        la_mmt(ctx->P, H + 6, PHt, 6, 6, 2);
        la_mm(H + 6, PHt, S, 2, 6, 2);
        S[0] += r[1];
        S[3] += r[2];
        det = S[0] * S[3] - S[1] * S[2];
        if (!(det > 0.0) || !(S[0] > 0.0)) {
            return GNC_ERR_SINGULAR;
        }
        Si[0] = S[3] / det;
        Si[1] = -S[1] / det;
        Si[2] = -S[2] / det;
        Si[3] = S[0] / det;
        bearing_innovation(z, xp, xi, h, H, y);
        if (it == 0) {
            out->innovation[0] = 0.0;
            out->innovation[1] = y[0];
            out->innovation[2] = y[1];
            out->nis = y[0] * (Si[0] * y[0] + Si[1] * y[1])
                       + y[1] * (Si[2] * y[0] + Si[3] * y[1]);
            out->bearing_only = 1;
            out->S[4] = S[0];
            out->S[5] = S[1];
            out->S[7] = S[2];
            out->S[8] = S[3];
            if (ctx->cfg.gate > 0.0
                && out->nis > (ctx->cfg.gate_bearing > 0.0 ? ctx->cfg.gate_bearing
                                                           : ctx->cfg.gate)) {
                double zr[3], rz[3], pr = 0.0;
                for (i = 0; i < 6; ++i) {
                    for (j = 0; j < 6; ++j) {
                        pr += H[i] * ctx->P[6 * i + j] * H[j];
                    }
                }
                zr[0] = h[0];
                zr[1] = z[1];
                zr[2] = z[2];
                st = gnc_relnav_noise(&ctx->cfg, zr, rz);
                if (st != GNC_OK) {
                    return st;
                }
                rz[0] += pr;
                relnav_rejected(ctx, zr, rz, out);
                return GNC_OK;
            }
        }
        la_mm(PHt, Si, K, 6, 2, 2);
        for (i = 0; i < 6; ++i) {
            double xn = xp[i] + K[2 * i] * y[0] + K[2 * i + 1] * y[1];
            if (i < 3) {
                step += (xn - xi[i]) * (xn - xi[i]);
            }
            xi[i] = xn;
        }
        rng = h[0] > 1.0 ? h[0] : 1.0;
        if (step <= (RELNAV_IEKF_TOL * rng) * (RELNAV_IEKF_TOL * rng)) {
            break;
        }
    }
    ctx->consecutive = 0;
    la_copy(xi, ctx->x, 6);
    relnav_joseph(ctx, K, H + 6, r + 1, 2); /* K and H of the last iterate */
    out->updated = 1;
    return GNC_OK;
}

static int relnav_update(gnc_relnav *ctx, const double z[3], gnc_relnav_out *out)
{
    double h[3], H[18], PHt[18], S[9], Si[9], K[18], y[3], r[3];
    int i, j, st;
    st = gnc_relnav_measure(ctx->x, h, H);
    if (st != GNC_OK) {
        return st;
    }
    for (i = 0; i < 3; ++i) {
        y[i] = z[i] - h[i];
    }
    while (y[1] > GNC_PI) {
        y[1] -= 2.0 * GNC_PI;
    }
    while (y[1] <= -GNC_PI) {
        y[1] += 2.0 * GNC_PI;
    }
    st = gnc_relnav_noise(&ctx->cfg, h, r);
    if (st != GNC_OK) {
        return st;
    }
    la_mmt(ctx->P, H, PHt, 6, 6, 3);
    la_mm(H, PHt, S, 3, 6, 3);
    for (i = 0; i < 3; ++i) {
        S[4 * i] += r[i];
    }
    /* S mixes m^2 (range) and rad^2 (bearings): invert it with the
     * scale-invariant SPD inverse (equilibrated Cholesky), not la_inv3 whose
     * determinant test against the largest element reads S as singular when
     * the bearing sigma is far below the range sigma. */
    if (!la_inv3_spd(S, Si)) {
        return GNC_ERR_SINGULAR;
    }
    la_copy(y, out->innovation, 3);
    la_copy(S, out->S, 9);
    out->nis = 0.0;
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            out->nis += y[i] * Si[3 * i + j] * y[j];
        }
    }
    if (ctx->cfg.gate > 0.0 && out->nis > ctx->cfg.gate) {
        double rz[3];
        st = gnc_relnav_noise(&ctx->cfg, z, rz);
        if (st != GNC_OK) {
            return st;
        }
        relnav_rejected(ctx, z, rz, out);
        return GNC_OK;
    }
    ctx->consecutive = 0;
    la_mm(PHt, Si, K, 6, 3, 3);
    for (i = 0; i < 6; ++i) {
        ctx->x[i] += K[3 * i] * y[0] + K[3 * i + 1] * y[1] + K[3 * i + 2] * y[2];
    }
    relnav_joseph(ctx, K, H, r, 3);
    out->updated = 1;
    return GNC_OK;
}

int gnc_relnav_update_position(gnc_relnav *ctx, const double z[3], double var)
{
    double S[9], Si[9], K[18], y[3];
    int i, j, k;
    if (ctx == NULL || z == NULL) {
        return GNC_ERR_NULL;
    }
    if (!ctx->initialised) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(z, 3) || !la_finite(&var, 1) || !(var > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    for (i = 0; i < 3; ++i) {
        y[i] = z[i] - ctx->x[i];
        for (j = 0; j < 3; ++j) {
            S[3 * i + j] = ctx->P[6 * i + j] + (i == j ? var : 0.0);
        }
    }
    if (!la_inv3_spd(S, Si)) {
        return GNC_ERR_SINGULAR;
    }
    /* K = P H' S^-1, H = [I 0]: the first three columns of P */
    for (i = 0; i < 6; ++i) {
        for (j = 0; j < 3; ++j) {
            double s = 0.0;
            for (k = 0; k < 3; ++k) {
                s += ctx->P[6 * i + k] * Si[3 * k + j];
            }
            K[3 * i + j] = s;
        }
    }
    for (i = 0; i < 6; ++i) {
        ctx->x[i] += K[3 * i] * y[0] + K[3 * i + 1] * y[1] + K[3 * i + 2] * y[2];
    }
    {
        static const double Hp[18] = {1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
        double rr[3];
        rr[0] = rr[1] = rr[2] = var;
        relnav_joseph(ctx, K, Hp, rr, 3); /* H = [I 0] */
    }
    return GNC_OK;
}

int gnc_relnav_step(gnc_relnav *ctx, const gnc_relnav_in *in, gnc_relnav_out *out)
{
    int i, j, st;
    double Q[9];
    if (ctx == NULL || in == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!ctx->initialised) {
        return GNC_ERR_STATE;
    }
    if (!(in->dt >= 0.0) || !la_finite(&in->dt, 1) || !la_finite(in->dv, 3)
        || !la_finite(&in->dv_dt, 1)
        || (in->meas_valid && (!la_finite(in->meas, 3)
                               || (!in->bearing_only && !(in->meas[0] > 0.0))))
        || (in->ref_valid && (!la_finite(in->ref_r, 3) || !la_finite(in->ref_v, 3)))) {
        return GNC_ERR_DOMAIN;
    }
    out->updated = 0;
    out->rejected = 0;
    out->recovery = 0;
    out->nis = 0.0;
    out->bearing_only = 0;
    la_zero(out->innovation, 3);
    la_zero(out->S, 9);
    if (in->dv[0] != 0.0 || in->dv[1] != 0.0 || in->dv[2] != 0.0) {
        /* one burn: its execution error on the velocity, then the impulse */
        st = gnc_relnav_burn_noise(&ctx->cfg, ctx->burn_dv, in->dv, Q);
        if (st != GNC_OK) {
            return st;
        }
        for (i = 0; i < 3; ++i) {
            for (j = 0; j < 3; ++j) {
                ctx->P[6 * (i + 3) + j + 3] += Q[3 * i + j];
            }
        }
        la_add(ctx->burn_dv, in->dv, ctx->burn_dv);
    } else {
        la_zero(ctx->burn_dv, 3);
    }
    if (in->dv_dt != 0.0 && (in->dv[0] != 0.0 || in->dv[1] != 0.0 || in->dv[2] != 0.0)) {
        /* the impulse given at its own time, carried to the step's start
         * on CW (backwards when it comes after): Phi(dv_dt) [0; dv]; no
         * transition matrix for a step without one */
        double phi[36], d0[6], d[6];
        la_zero(d0, 3);
        la_copy(in->dv, d0 + 3, 3);
        st = gnc_cw_stm(ctx->cfg.n, in->dv_dt, phi);
        if (st != GNC_OK) {
            return st;
        }
        la_mm(phi, d0, d, 6, 6, 1);
        la_add(ctx->x, d, ctx->x);
        la_add(ctx->x + 3, d + 3, ctx->x + 3);
    } else {
        for (i = 0; i < 3; ++i) {
            ctx->x[3 + i] += in->dv[i];
        }
    }
    st = relnav_propagate(ctx, in->dt, in);
    if (st != GNC_OK) {
        return st;
    }
    if (in->meas_valid) {
        st = in->bearing_only ? relnav_update_bearing(ctx, in->meas, out)
                              : relnav_update(ctx, in->meas, out);
        if (st != GNC_OK) {
            return st;
        }
    }
    out->consecutive = ctx->consecutive;
    la_copy(ctx->x, out->x, 6);
    la_copy(ctx->P, out->P, 36);
    for (i = 0; i < 6; ++i) {
        out->sigma[i] = sqrt(ctx->P[7 * i] > 0.0 ? ctx->P[7 * i] : 0.0);
    }
    return GNC_OK;
}
