/* gnc_relative.c - Clohessy-Wiltshire relative motion and rendezvous guidance
 * (see gnc_relative.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"

static int n_ok(double n)
{
    return n > 0.0 && la_finite(&n, 1);
}

int gnc_cw_stm(double n, double t, double phi[36])
{
    double s, c, nt;
    if (phi == NULL) {
        return GNC_ERR_NULL;
    }
    if (!n_ok(n) || !la_finite(&t, 1)) {
        return GNC_ERR_DOMAIN;
    }
    nt = n * t;
    gnc_sincos(nt, &s, &c);
    la_zero(phi, 36);
    /* positions */
    phi[0] = 4.0 - 3.0 * c;
    phi[3] = s / n;
    phi[4] = 2.0 * (1.0 - c) / n;
    phi[6] = 6.0 * (s - nt);
    phi[7] = 1.0;
    phi[9] = -2.0 * (1.0 - c) / n;
    phi[10] = (4.0 * s - 3.0 * nt) / n;
    phi[14] = c;
    phi[17] = s / n;
    /* velocities */
    phi[18] = 3.0 * n * s;
    phi[21] = c;
    phi[22] = 2.0 * s;
    phi[24] = -6.0 * n * (1.0 - c);
    phi[27] = -2.0 * s;
    phi[28] = 4.0 * c - 3.0;
    phi[32] = -n * s;
    phi[35] = c;
    return GNC_OK;
}

int gnc_cw_propagate(double n, const double x0[6], double t, double x[6])
{
    double phi[36], y[6];
    int st;
    if (x0 == NULL || x == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(x0, 6)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_cw_stm(n, t, phi);
    if (st != GNC_OK) {
        return st;
    }
    la_mm(phi, x0, y, 6, 6, 1);
    la_copy(y, x, 6);
    return GNC_OK;
}

/* Departure velocity for the CW transfer r0 -> rf in tof, and arrival velocity. */
static int cw_transfer(double n, const double r0[3], const double rf[3], double tof,
                       double v_dep[3], double v_arr[3])
{
    double phi[36], rr[9], rv[9], vr[9], vv[9], rvi[9], d[3], tmp[3], tmp2[3];
    int i, j, st;
    st = gnc_cw_stm(n, tof, phi);
    if (st != GNC_OK) {
        return st;
    }
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            rr[3 * i + j] = phi[6 * i + j];
            rv[3 * i + j] = phi[6 * i + j + 3];
            vr[3 * i + j] = phi[6 * (i + 3) + j];
            vv[3 * i + j] = phi[6 * (i + 3) + j + 3];
        }
    }
    /* Phi_rv is singular when n tof is a multiple of 2 pi; the scale of its
     * entries is 1/n, so the determinant test of la_inv3 is relative. */
    if (!la_inv3(rv, rvi) || fabs(gnc_sin(0.5 * n * tof)) < 1e-6) {
        return GNC_ERR_SINGULAR;
    }
    la_mv3(rr, r0, tmp);
    la_sub(rf, tmp, d);
    la_mv3(rvi, d, v_dep);
    la_mv3(vr, r0, tmp);
    la_mv3(vv, v_dep, tmp2);
    la_add(tmp, tmp2, v_arr);
    return GNC_OK;
}

int gnc_cw_two_impulse(double n, const double x0[6], const double r_f[3], const double v_f[3],
                       double tof, double dv1[3], double dv2[3])
{
    double vd[3], va[3];
    int st;
    if (x0 == NULL || r_f == NULL || v_f == NULL || dv1 == NULL || dv2 == NULL) {
        return GNC_ERR_NULL;
    }
    if (!n_ok(n) || !la_finite(x0, 6) || !la_finite(r_f, 3) || !la_finite(v_f, 3)
        || !(tof > 0.0) || !la_finite(&tof, 1)) {
        return GNC_ERR_DOMAIN;
    }
    st = cw_transfer(n, x0, r_f, tof, vd, va);
    if (st != GNC_OK) {
        return st;
    }
    la_sub(vd, x0 + 3, dv1);
    la_sub(v_f, va, dv2);
    return GNC_OK;
}

int gnc_glideslope(double n, const double x0[6], const double r_T[3], double rate0,
                   double rate_T, int pulses, gnc_glideslope_plan *plan)
{
    double u[3], rho0, a, T, dt, v[3], vd[3], va[3];
    int k, i, st;
    if (x0 == NULL || r_T == NULL || plan == NULL) {
        return GNC_ERR_NULL;
    }
    if (pulses < 1 || pulses > 32) {
        return GNC_ERR_RANGE;
    }
    if (!n_ok(n) || !la_finite(x0, 6) || !la_finite(r_T, 3) || !(rate0 < 0.0)
        || !(rate_T < 0.0) || !(rate_T > rate0)) {
        return GNC_ERR_DOMAIN;
    }
    la_sub(x0, r_T, u);
    rho0 = la_norm(u);
    if (!(rho0 > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(u, 1.0 / rho0, u);
    a = (rate0 - rate_T) / rho0;
    T = gnc_log(rate_T / rate0) / a;
    dt = T / pulses;
    plan->n_burns = pulses + 1;
    plan->duration = T;
    plan->dv_total = 0.0;
    la_copy(x0 + 3, v, 3);
    for (k = 0; k <= pulses; ++k) {
        double tk = k * dt, e = gnc_exp(a * tk);
        double rho = (k == pulses) ? 0.0 : rho0 * e + rate_T / a * (e - 1.0);
        double *rk = plan->r + 3 * k, *dvk = plan->dv + 3 * k;
        plan->t[k] = tk;
        for (i = 0; i < 3; ++i) {
            rk[i] = r_T[i] + rho * u[i];
        }
        if (k == 0) {
            la_copy(x0, rk, 3);
        }
        if (k < pulses) {
            double e1 = gnc_exp(a * (tk + dt));
            double rho1 = (k + 1 == pulses) ? 0.0 : rho0 * e1 + rate_T / a * (e1 - 1.0);
            double r1[3];
            for (i = 0; i < 3; ++i) {
                r1[i] = r_T[i] + rho1 * u[i];
            }
            st = cw_transfer(n, rk, r1, dt, vd, va);
            if (st != GNC_OK) {
                return st;
            }
            la_sub(vd, v, dvk);
            la_copy(va, v, 3);
        } else {
            la_scale(v, -1.0, dvk); /* stop at the hold point */
        }
        plan->dv_total += la_norm(dvk);
    }
    for (k = plan->n_burns; k < 33; ++k) {
        plan->t[k] = 0.0;
        la_zero(plan->r + 3 * k, 3);
        la_zero(plan->dv + 3 * k, 3);
    }
    return GNC_OK;
}

int gnc_safety_ellipse(double n, double radial_amp, double cross_amp, double along_center,
                       double phase, double x0[6])
{
    double s, c;
    if (x0 == NULL) {
        return GNC_ERR_NULL;
    }
    if (!n_ok(n) || !(radial_amp >= 0.0) || !(cross_amp >= 0.0) || !la_finite(&radial_amp, 1)
        || !la_finite(&cross_amp, 1) || !la_finite(&along_center, 1) || !la_finite(&phase, 1)) {
        return GNC_ERR_DOMAIN;
    }
    gnc_sincos(phase, &s, &c);
    x0[0] = radial_amp * c;
    x0[1] = along_center - 2.0 * radial_amp * s;
    x0[2] = cross_amp * s;
    x0[3] = -radial_amp * n * s;
    x0[4] = -2.0 * radial_amp * n * c;
    x0[5] = cross_amp * n * c;
    return GNC_OK;
}

static double cw_dist2(double n, const double x0[6], double t, double r[3])
{
    double x[6];
    gnc_cw_propagate(n, x0, t, x);
    la_copy(x, r, 3);
    return la_dot(x, x);
}

int gnc_cw_closest_approach(double n, const double x0[6], double horizon, double *t_ca,
                            double *d_ca, double r_ca[3])
{
    const double gr = 0.6180339887498949;
    double h, best, tb, r[3], a, b, c, d, fc, fd;
    int k, m, kb = 0, it;
    if (x0 == NULL || t_ca == NULL || d_ca == NULL || r_ca == NULL) {
        return GNC_ERR_NULL;
    }
    if (!n_ok(n) || !la_finite(x0, 6) || !(horizon >= 0.0) || !la_finite(&horizon, 1)) {
        return GNC_ERR_DOMAIN;
    }
    /* 64 samples per orbit, at least 64 and at most 65536 in all */
    m = (int)gnc_ceil(horizon * n / (2.0 * GNC_PI) * 64.0);
    m = m < 64 ? 64 : (m > 65536 ? 65536 : m);
    h = horizon / m;
    best = cw_dist2(n, x0, 0.0, r);
    for (k = 1; k <= m; ++k) {
        double f = cw_dist2(n, x0, k * h, r);
        if (f < best) {
            best = f;
            kb = k;
        }
    }
    a = (kb > 0) ? (kb - 1) * h : 0.0;
    b = (kb < m) ? (kb + 1) * h : horizon;
    c = b - gr * (b - a);
    d = a + gr * (b - a);
    fc = cw_dist2(n, x0, c, r);
    fd = cw_dist2(n, x0, d, r);
    for (it = 0; it < 200 && (b - a) > 1e-12 * (horizon > 1.0 ? horizon : 1.0); ++it) {
        if (fc < fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - gr * (b - a);
            fc = cw_dist2(n, x0, c, r);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + gr * (b - a);
            fd = cw_dist2(n, x0, d, r);
        }
    }
    tb = 0.5 * (a + b);
    best = cw_dist2(n, x0, tb, r);
    /* the ends of the horizon may be lower than the refined interior point */
    if (cw_dist2(n, x0, 0.0, r) < best) {
        tb = 0.0;
    }
    if (cw_dist2(n, x0, horizon, r) < cw_dist2(n, x0, tb, r)) {
        tb = horizon;
    }
    *d_ca = sqrt(cw_dist2(n, x0, tb, r_ca));
    *t_ca = tb;
    return GNC_OK;
}
