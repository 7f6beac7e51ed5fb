/* gnc_relative.c - Clohessy-Wiltshire relative motion and rendezvous guidance
 * (see gnc_relative.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"

static int n_ok(double n)
{
    return n > 0.0 && la_finite(&n, 1);
}

/* The position rows (phi[0..17]) of the CW state transition matrix for
 * s = sin(nt), c = cos(nt), zeros included: gnc_cw_stm and cw_dist2 share
 * them, so a position has the same bits either way. */
static void cw_stm_position_rows(double n, double nt, double s, double c, double phi[18])
{
    la_zero(phi, 18);
    phi[0] = 4.0 - 3.0 * c;
    phi[3] = s / n;
    phi[4] = 2.0 * (1.0 - c) / n;
    phi[6] = 6.0 * (s - nt);
    phi[7] = 1.0;
    phi[9] = -2.0 * (1.0 - c) / n;
    phi[10] = (4.0 * s - 3.0 * nt) / n;
    phi[14] = c;
    phi[17] = s / n;
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
    cw_stm_position_rows(n, nt, s, c, phi);
    la_zero(phi + 18, 18);
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

/* In-plane (x, y) and cross-track (z) CW transfer from (x0 position, any
 * velocity) to position rf in tof, solved apart (see gnc_relative.h):
 * th = n tof, sh = sin(th/2), ch = cos(th/2); the in-plane determinant is
 * n^-2 D with D = 8 (1 - cos th) - 3 th sin th = 2 sh g, g = 8 sh - 3 th ch,
 * zero where sh = 0 (th a multiple of 2 pi) and where g = 0
 * (tan(th/2) = 3 th/8: th = 8.43, 14.87, ... rad). */
static int cw_transfer(double n, const double r0[3], const double rf[3], double tof,
                       double v_dep[3], double v_arr[3], int *flags)
{
    double th = n * tof, sh, ch, s, c, omc, g, dg, D, dx, dy, vx, vy, vz;
    gnc_sincos(0.5 * th, &sh, &ch);
    gnc_sincos(th, &s, &c);
    omc = 2.0 * sh * sh; /* 1 - cos th */
    g = 8.0 * sh - 3.0 * th * ch;
    dg = ch + 1.5 * th * sh;
    D = 2.0 * sh * g;
    *flags = 0;
    /* within 1e-3 rad of a singular time of flight: refuse, never an absurd dv */
    if (fabs(sh) < 5e-4 || fabs(g) < 1e-3 * fabs(dg)) {
        return GNC_ERR_SINGULAR;
    }
    dx = rf[0] - r0[0] - 3.0 * omc * r0[0];
    dy = rf[1] - r0[1] - 6.0 * (s - th) * r0[0];
    vx = n * ((4.0 * s - 3.0 * th) * dx - 2.0 * omc * dy) / D;
    vy = n * (2.0 * omc * dx + s * dy) / D;
    if (fabs(s) < 1e-3) {
        /* half orbits: z(tof) = cos(th) z0 whatever the cross-track velocity */
        *flags |= GNC_CW_CROSS_UNCONTROLLED;
        vz = v_dep[2];
    } else {
        vz = n * (rf[2] - c * r0[2]) / s;
    }
    v_dep[0] = vx;
    v_dep[1] = vy;
    v_dep[2] = vz;
    v_arr[0] = 3.0 * n * s * r0[0] + c * vx + 2.0 * s * vy;
    v_arr[1] = -6.0 * n * omc * r0[0] - 2.0 * s * vx + (4.0 * c - 3.0) * vy;
    v_arr[2] = -n * s * r0[2] + c * vz;
    return GNC_OK;
}

static int cw_inputs_ok(double n, const double x0[6], const double r_f[3], double tof)
{
    return n_ok(n) && la_finite(x0, 6) && la_finite(r_f, 3) && tof > 0.0
        && la_finite(&tof, 1);
}

int gnc_cw_transfer(double n, const double x0[6], const double r_f[3], double tof,
                    double v_dep[3], double v_arr[3], int *flags)
{
    double vd[3], va[3];
    int st, fl;
    if (x0 == NULL || r_f == NULL || v_dep == NULL || v_arr == NULL || flags == NULL) {
        return GNC_ERR_NULL;
    }
    if (!cw_inputs_ok(n, x0, r_f, tof)) {
        return GNC_ERR_DOMAIN;
    }
    vd[2] = x0[5]; /* kept when the cross-track motion is uncontrolled */
    st = cw_transfer(n, x0, r_f, tof, vd, va, &fl);
    if (st != GNC_OK) {
        return st;
    }
    la_copy(vd, v_dep, 3);
    la_copy(va, v_arr, 3);
    *flags = fl;
    return GNC_OK;
}

int gnc_cw_two_impulse(double n, const double x0[6], const double r_f[3], const double v_f[3],
                       double tof, double dv1[3], double dv2[3])
{
    double vd[3], va[3];
    int st, fl;
    if (x0 == NULL || r_f == NULL || v_f == NULL || dv1 == NULL || dv2 == NULL) {
        return GNC_ERR_NULL;
    }
    if (!cw_inputs_ok(n, x0, r_f, tof) || !la_finite(v_f, 3)) {
        return GNC_ERR_DOMAIN;
    }
    vd[2] = x0[5];
    st = cw_transfer(n, x0, r_f, tof, vd, va, &fl);
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
    int k, i, st, fl;
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
            vd[2] = v[2];
            st = cw_transfer(n, rk, r1, dt, vd, va, &fl);
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

/* The position at t and its squared norm, for n > 0, x0 and t finite: the
 * position rows of gnc_cw_propagate's product (la_mm over the same rows, the
 * same operations in the same order, zero entries included since they fix
 * the sign of a zero), so the same bits without the velocity rows. */
static double cw_dist2(double n, const double x0[6], double t, double r[3])
{
    double nt = n * t, s, c, phi[18];
    gnc_sincos(nt, &s, &c);
    cw_stm_position_rows(n, nt, s, c, phi);
    la_mm(phi, x0, r, 3, 6, 1);
    return la_dot(r, r);
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

/* ---- Transfers and natural motion (on-board planning) --------------------- */

/* At most this many grid points in a transfer-time search. */
#define BEST_TRANSFER_MAX_GRID 100000.0

int gnc_cw_best_transfer(double n, const double x0[6], const double r_f[3],
                         const double v_f[3], double tof_min, double tof_max, double tof_step,
                         double min_range, double *tof, double dv1[3], double dv2[3])
{
    double vd[3], va[3], d1[3], d2[3], best_dv = HUGE_VAL, best_t = 0.0, grid, scale;
    double b1[3] = {0.0, 0.0, 0.0}, b2[3] = {0.0, 0.0, 0.0}, x1[6], t_ca, d_ca, r_ca[3];
    long k, m;
    int st, fl, found = 0;
    if (x0 == NULL || r_f == NULL || v_f == NULL || tof == NULL || dv1 == NULL || dv2 == NULL) {
        return GNC_ERR_NULL;
    }
    if (!n_ok(n) || !la_finite(x0, 6) || !la_finite(r_f, 3) || !la_finite(v_f, 3)
        || !(tof_min > 0.0) || !(tof_max >= tof_min) || !la_finite(&tof_max, 1)
        || !(tof_step > 0.0) || !la_finite(&tof_step, 1) || !la_finite(&min_range, 1)) {
        return GNC_ERR_DOMAIN;
    }
    grid = gnc_floor((tof_max - tof_min) / tof_step);
    if (grid > BEST_TRANSFER_MAX_GRID) {
        return GNC_ERR_RANGE;
    }
    m = (long)grid;
    /* a cross-track miss below this is no miss (half-orbit transfers) */
    scale = 1e-6 * (la_norm(r_f) + la_norm(x0));
    for (k = 0; k <= m; ++k) {
        double t = tof_min + (double)k * tof_step, dv;
        vd[2] = x0[5];
        if (cw_transfer(n, x0, r_f, t, vd, va, &fl) != GNC_OK) {
            continue; /* singular time of flight */
        }
        if ((fl & GNC_CW_CROSS_UNCONTROLLED)
            && fabs(r_f[2] - gnc_cos(n * t) * x0[2]) > scale) {
            continue; /* would not reach the cross-track position */
        }
        la_sub(vd, x0 + 3, d1);
        la_sub(v_f, va, d2);
        dv = la_norm(d1) + la_norm(d2);
        if (!(dv < best_dv)) {
            continue;
        }
        if (min_range > 0.0) {
            la_copy(x0, x1, 3);
            la_copy(vd, x1 + 3, 3);
            st = gnc_cw_closest_approach(n, x1, t, &t_ca, &d_ca, r_ca);
            if (st != GNC_OK) {
                return st;
            }
            if (!(d_ca > min_range)) {
                continue;
            }
        }
        best_dv = dv;
        best_t = t;
        la_copy(d1, b1, 3);
        la_copy(d2, b2, 3);
        found = 1;
    }
    if (!found) {
        return GNC_ERR_DOMAIN;
    }
    *tof = best_t;
    la_copy(b1, dv1, 3);
    la_copy(b2, dv2, 3);
    return GNC_OK;
}

int gnc_nmc_state(double n, double radius, double phase, double x[6])
{
    double b, zc, s, c;
    if (x == NULL) {
        return GNC_ERR_NULL;
    }
    if (!n_ok(n) || !(radius >= 0.0) || !la_finite(&radius, 1) || !la_finite(&phase, 1)) {
        return GNC_ERR_DOMAIN;
    }
    b = radius / 2.0;
    zc = radius * sqrt(3.0) / 2.0;
    gnc_sincos(phase, &s, &c);
    x[0] = b * c;
    x[1] = -2.0 * b * s;
    x[2] = zc * c;
    x[3] = -b * n * s;
    x[4] = -2.0 * b * n * c;
    x[5] = -zc * n * s;
    return GNC_OK;
}

int gnc_nmc_velocity(double n, const double r[3], double v[3])
{
    if (r == NULL || v == NULL) {
        return GNC_ERR_NULL;
    }
    if (!n_ok(n) || !la_finite(r, 3)) {
        return GNC_ERR_DOMAIN;
    }
    /* vz = -sqrt(3) A n sin(th) with A sin(th) = -y/2: no trigonometry needed */
    v[0] = n * r[1] / 2.0;
    v[1] = -2.0 * n * r[0];
    v[2] = sqrt(3.0) * n * r[1] / 2.0;
    return GNC_OK;
}

int gnc_cw_avoidance(double n, const double x0[6], double dv_mag, double horizon, double dv[3],
                     double *d_min)
{
    double x1[6], best[3] = {0.0, 0.0, 0.0}, best_d = -1.0, t_ca, d_ca, r_ca[3];
    int axis, k, st;
    if (x0 == NULL || dv == NULL || d_min == NULL) {
        return GNC_ERR_NULL;
    }
    if (!n_ok(n) || !la_finite(x0, 6) || !(dv_mag > 0.0) || !la_finite(&dv_mag, 1)
        || !(horizon >= 0.0) || !la_finite(&horizon, 1)) {
        return GNC_ERR_DOMAIN;
    }
    for (axis = 0; axis < 3; ++axis) {
        for (k = 0; k < 2; ++k) {
            double imp = k == 0 ? dv_mag : -dv_mag;
            la_copy(x0, x1, 6);
            x1[3 + axis] += imp;
            st = gnc_cw_closest_approach(n, x1, horizon, &t_ca, &d_ca, r_ca);
            if (st != GNC_OK) {
                return st;
            }
            if (d_ca > best_d) {
                best_d = d_ca;
                la_zero(best, 3);
                best[axis] = imp;
            }
        }
    }
    la_copy(best, dv, 3);
    *d_min = best_d;
    return GNC_OK;
}

int gnc_curvilinear_from_hill(double R, const double x[6], double c[6])
{
    double p0, p1, p2, v0, v1, v2, pp, pxy, rr, rho, pdot;
    if (x == NULL || c == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(&R, 1) || !(R > 0.0) || !la_finite(x, 6)) {
        return GNC_ERR_DOMAIN;
    }
    p0 = R + x[0];
    p1 = x[1];
    p2 = x[2];
    v0 = x[3];
    v1 = x[4];
    v2 = x[5];
    pp = p0 * p0 + p1 * p1;
    if (!(pp > 0.0)) {
        return GNC_ERR_DOMAIN; /* on the orbit normal: no in-plane angle */
    }
    pxy = sqrt(pp);
    rr = pp + p2 * p2;
    rho = sqrt(rr);
    pdot = (p0 * v0 + p1 * v1) / pxy;
    c[0] = rho - R;
    c[1] = R * gnc_atan2(p1, p0);
    c[2] = R * gnc_atan2(p2, pxy);
    c[3] = (p0 * v0 + p1 * v1 + p2 * v2) / rho;
    c[4] = R * ((p0 * v1 - p1 * v0) / pp);
    c[5] = R * ((v2 * pxy - p2 * pdot) / rr);
    return GNC_OK;
}

int gnc_curvilinear_dv_to_hill(double R, const double c[3], const double dv_c[3],
                               double dv_h[3])
{
    double rho, st, ct, sp, cp, dr, da, dn;
    if (c == NULL || dv_c == NULL || dv_h == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(&R, 1) || !(R > 0.0) || !la_finite(c, 3) || !la_finite(dv_c, 3)) {
        return GNC_ERR_DOMAIN;
    }
    rho = R + c[0];
    if (!(rho > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    gnc_sincos(c[1] / R, &st, &ct);
    gnc_sincos(c[2] / R, &sp, &cp);
    /* the rates' changes as velocities along the local axes */
    dr = dv_c[0];
    da = rho * cp / R * dv_c[1];
    dn = rho / R * dv_c[2];
    dv_h[0] = cp * ct * dr - st * da - sp * ct * dn;
    dv_h[1] = cp * st * dr + ct * da - sp * st * dn;
    dv_h[2] = sp * dr + cp * dn;
    return GNC_OK;
}
