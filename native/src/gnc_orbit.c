/* gnc_orbit.c - Kepler, Lambert, elements, J2 rates (see gnc_orbit.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"

/* Units check of a state against mu: v^2 |r| / mu is 1 on a circular orbit,
 * below 2 on a bound one; km with m^3/s^2 gives 1e-9, m with km^3/s^2 1e9. */
static int state_units_ok(double rn, double v2, double mu)
{
    double q = v2 * rn / mu;
    return q > 1e-4 && q < 1e4;
}

/* Stumpff functions c2(psi) = (1 - cos sqrt psi)/psi, c3 = (sqrt psi - sin sqrt psi)/psi^1.5,
 * with their series near zero (no cancellation). */
static void stumpff(double psi, double *c2, double *c3)
{
    if (psi > 1.0) {
        /* one argument reduction: sin s = 2 sin(s/2) cos(s/2) (the bisection
         * of gnc_lambert calls this some 70 times per solution) */
        double s = sqrt(psi), h, hc;
        gnc_sincos(0.5 * s, &h, &hc);
        *c2 = 2.0 * h * h / psi;
        *c3 = (s - 2.0 * h * hc) / (psi * s);
    } else if (psi < -1.0) {
        double s = sqrt(-psi);
        *c2 = (1.0 - gnc_cosh(s)) / psi;
        *c3 = (gnc_sinh(s) - s) / (-psi * s);
    } else {
        double t2 = 0.5, t3 = 1.0 / 6.0, s2 = 0.0, s3 = 0.0;
        int k;
        for (k = 0; k < 16; ++k) {
            s2 += t2;
            s3 += t3;
            t2 *= -psi / ((2.0 * k + 3.0) * (2.0 * k + 4.0));
            t3 *= -psi / ((2.0 * k + 4.0) * (2.0 * k + 5.0));
        }
        *c2 = s2;
        *c3 = s3;
    }
}

int gnc_kepler(const double r0[3], const double v0[3], double dt, double mu,
               double r[3], double v[3])
{
    double r0n, v2, rv, alpha, sqmu, chi, psi, c2, c3, rn, f, g, fd, gd, a, per;
    double t = dt, out_r[3], out_v[3];
    int it, i, converged = 0;
    if (r0 == NULL || v0 == NULL || r == NULL || v == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(mu > 0.0) || !la_finite(&mu, 1) || !la_finite(r0, 3) || !la_finite(v0, 3)
        || !la_finite(&dt, 1)) {
        return GNC_ERR_DOMAIN;
    }
    r0n = la_norm(r0);
    if (!(r0n > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    v2 = la_dot(v0, v0);
    if (!(v2 > 0.0)) {
        return GNC_ERR_DOMAIN; /* rectilinear fall */
    }
    if (!state_units_ok(r0n, v2, mu)) {
        return GNC_ERR_UNITS;
    }
    rv = la_dot(r0, v0);
    sqmu = sqrt(mu);
    alpha = 2.0 / r0n - v2 / mu;
    if (alpha * r0n > 1e-12) {
        a = 1.0 / alpha;
        per = 2.0 * GNC_PI * sqrt(a * a * a / mu);
        t = gnc_fmod(dt, per); /* whole periods change nothing */
        chi = sqmu * t * alpha;
    } else if (alpha * r0n < -1e-12) {
        double sgn = t >= 0.0 ? 1.0 : -1.0, arg;
        a = 1.0 / alpha;
        arg = (-2.0 * mu * alpha * t) / (rv + sgn * sqrt(-mu * a) * (1.0 - r0n * alpha));
        chi = (arg > 0.0) ? sgn * sqrt(-a) * gnc_log(arg) : sqmu * t / r0n;
    } else {
        chi = sqmu * t / r0n;
    }
    for (it = 0; it < 200; ++it) {
        double F, dF, ddF, n = 5.0, disc, den, delta;
        psi = chi * chi * alpha;
        stumpff(psi, &c2, &c3);
        F = rv / sqmu * chi * chi * c2 + (1.0 - alpha * r0n) * chi * chi * chi * c3 + r0n * chi
            - sqmu * t;
        dF = rv / sqmu * chi * (1.0 - psi * c3) + (1.0 - alpha * r0n) * chi * chi * c2 + r0n;
        ddF = rv / sqmu * (1.0 - psi * c2) + (1.0 - alpha * r0n) * chi * (1.0 - psi * c3);
        disc = sqrt(fabs((n - 1.0) * (n - 1.0) * dF * dF - n * (n - 1.0) * F * ddF));
        den = dF + (dF >= 0.0 ? disc : -disc);
        if (den == 0.0) {
            break;
        }
        delta = n * F / den;
        chi -= delta;
        if (!(chi - chi == 0.0)) {
            break;
        }
        if (fabs(delta) <= 1e-13 * (fabs(chi) > 1e-3 ? fabs(chi) : 1e-3)) {
            converged = 1;
            break;
        }
    }
    if (!converged) {
        return GNC_ERR_NO_CONVERGENCE;
    }
    psi = chi * chi * alpha;
    stumpff(psi, &c2, &c3);
    rn = chi * chi * c2 + rv / sqmu * chi * (1.0 - psi * c3) + r0n * (1.0 - psi * c2);
    f = 1.0 - chi * chi / r0n * c2;
    g = t - chi * chi * chi / sqmu * c3;
    gd = 1.0 - chi * chi / rn * c2;
    fd = sqmu / (rn * r0n) * chi * (psi * c3 - 1.0);
    for (i = 0; i < 3; ++i) {
        out_r[i] = f * r0[i] + g * v0[i];
        out_v[i] = fd * r0[i] + gd * v0[i];
    }
    la_copy(out_r, r, 3);
    la_copy(out_v, v, 3);
    return la_finite(r, 3) && la_finite(v, 3) ? GNC_OK : GNC_ERR_NO_CONVERGENCE;
}

/* ---- Lambert (universal variables, Bate-Mueller-White / Vallado) -------------- */

typedef struct lambert_geom {
    double r1, r2, A, sqmu;
} lambert_geom;

/* Time of flight at z; -1 where y < 0 (no conic: "faster than possible"). */
static double lambert_tof(const lambert_geom *g, double z, double *y_out)
{
    double c2, c3, y, x;
    stumpff(z, &c2, &c3);
    if (!(c2 > 0.0)) {
        return HUGE_VAL;
    }
    y = g->r1 + g->r2 + g->A * (z * c3 - 1.0) / sqrt(c2);
    if (y_out != NULL) {
        *y_out = y;
    }
    if (y < 0.0) {
        return -1.0;
    }
    x = sqrt(y / c2);
    return (x * x * x * c3 + g->A * sqrt(y)) / g->sqmu;
}

static int lambert_geometry(const double r1[3], const double r2[3], double mu, int long_way,
                            lambert_geom *g)
{
    double c, dnu;
    if (!(mu > 0.0) || !la_finite(&mu, 1) || !la_finite(r1, 3) || !la_finite(r2, 3)) {
        return GNC_ERR_DOMAIN;
    }
    g->r1 = la_norm(r1);
    g->r2 = la_norm(r2);
    if (!(g->r1 > 0.0) || !(g->r2 > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    c = la_dot(r1, r2) / (g->r1 * g->r2);
    c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
    dnu = gnc_acos(c);
    if (long_way) {
        dnu = 2.0 * GNC_PI - dnu;
    }
    if (1.0 - c < 1e-12 || 1.0 + c < 1e-12) {
        return GNC_ERR_SINGULAR; /* transfer plane undefined (0 or pi) */
    }
    g->A = gnc_sin(dnu) * sqrt(g->r1 * g->r2 / (1.0 - c));
    g->sqmu = sqrt(mu);
    return GNC_OK;
}

/* Golden-section search of the minimum time on (lo, hi); returns z_min. */
static double lambert_zmin(const lambert_geom *g, double lo, double hi, double *tmin)
{
    const double gr = 0.6180339887498949;
    double a = lo, b = hi, c = b - gr * (b - a), d = a + gr * (b - a);
    double fc = lambert_tof(g, c, NULL), fd = lambert_tof(g, d, NULL);
    int it;
    for (it = 0; it < 200 && (b - a) > 1e-14 * b; ++it) {
        if (fc < fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - gr * (b - a);
            fc = lambert_tof(g, c, NULL);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + gr * (b - a);
            fd = lambert_tof(g, d, NULL);
        }
    }
    *tmin = fc < fd ? fc : fd;
    return fc < fd ? c : d;
}

/* Root of tof(z) = t on [lo, hi] where tof is monotone (increasing if inc):
 * the bracket [lo, hi] shrinks until lo and hi are adjacent doubles, z going
 * to lo when (tof(z) < t) == inc, as in bisection, so the same bracket ends
 * it wherever tof is monotone in floating point. The trial point is the
 * regula-falsi one with the Illinois halving (about a dozen tof evaluations
 * instead of bisection's sixty or more), the midpoint whenever that point is
 * not strictly inside, an end value is not finite, or the last two steps did
 * not halve the bracket. */
static double lambert_bisect(const lambert_geom *g, double lo, double hi, double t, int inc)
{
    double flo, fhi, w1 = hi - lo, w2 = 2.0 * (hi - lo);
    int it, side = 0;
    flo = lambert_tof(g, lo, NULL);
    fhi = lambert_tof(g, hi, NULL);
    flo = inc ? flo - t : t - flo; /* < 0 on lo's side */
    fhi = inc ? fhi - t : t - fhi;
    for (it = 0; it < 600; ++it) {
        double mid = 0.5 * (lo + hi), z = mid, tz, fz;
        if (mid <= lo || mid >= hi) {
            break;
        }
        if (hi - lo <= 0.5 * w2 && isfinite(flo) && isfinite(fhi) && flo < 0.0 && fhi > 0.0) {
            z = lo + (hi - lo) * (flo / (flo - fhi));
            if (!(z > lo && z < hi)) {
                z = mid;
            }
        }
        w2 = w1;
        w1 = hi - lo;
        tz = lambert_tof(g, z, NULL);
        fz = inc ? tz - t : t - tz;
        if ((tz < t) == (inc != 0)) {
            lo = z;
            flo = fz;
            if (side < 0) {
                fhi *= 0.5; /* Illinois: the end kept twice counts for less */
            }
            side = -1;
        } else {
            hi = z;
            fhi = fz;
            if (side > 0) {
                flo *= 0.5;
            }
            side = 1;
        }
    }
    return 0.5 * (lo + hi);
}

static void lambert_bounds(int nrev, double *lo, double *hi)
{
    double k = 2.0 * GNC_PI;
    *lo = (nrev == 0) ? -4.0 * GNC_PI * GNC_PI : k * k * nrev * nrev * (1.0 + 1e-15);
    *hi = k * k * (nrev + 1.0) * (nrev + 1.0) * (1.0 - 1e-15);
}

/* Units check of a transfer time against mu and the geometry (gnc_orbit.h). */
static int lambert_units_ok(const double r1[3], const double r2[3], const lambert_geom *g,
                            double tof, double mu, int nrev)
{
    double rmax = g->r1 > g->r2 ? g->r1 : g->r2, rmin = g->r1 < g->r2 ? g->r1 : g->r2;
    double period = 2.0 * GNC_PI * sqrt(rmax * rmax * rmax / mu), d[3];
    la_sub(r2, r1, d);
    if (tof > 1000.0 * (nrev + 1.0) * period) {
        return 0;
    }
    return !(tof * 100.0 * sqrt(2.0 * mu / rmin) < la_norm(d));
}

int gnc_lambert_min_tof(const double r1[3], const double r2[3], double mu, int nrev,
                        int long_way, double *tof_min)
{
    lambert_geom g;
    double lo, hi;
    int st;
    if (r1 == NULL || r2 == NULL || tof_min == NULL) {
        return GNC_ERR_NULL;
    }
    if (nrev < 0 || nrev > 1000) {
        return GNC_ERR_RANGE;
    }
    st = lambert_geometry(r1, r2, mu, long_way, &g);
    if (st != GNC_OK) {
        return st;
    }
    if (nrev == 0) {
        *tof_min = 0.0;
        return GNC_OK;
    }
    lambert_bounds(nrev, &lo, &hi);
    lambert_zmin(&g, lo, hi, tof_min);
    return GNC_OK;
}

int gnc_lambert(const double r1[3], const double r2[3], double tof, double mu, int nrev,
                int long_way, int branch, double v1[3], double v2[3])
{
    lambert_geom g;
    double lo, hi, z, y, f, gg, gd, tmin;
    int st, i, k;
    if (r1 == NULL || r2 == NULL || v1 == NULL || v2 == NULL) {
        return GNC_ERR_NULL;
    }
    if (nrev < 0 || nrev > 1000 || branch < 0 || branch > 1) {
        return GNC_ERR_RANGE;
    }
    if (!(tof > 0.0) || !la_finite(&tof, 1)) {
        return GNC_ERR_DOMAIN;
    }
    st = lambert_geometry(r1, r2, mu, long_way, &g);
    if (st != GNC_OK) {
        return st;
    }
    if (!lambert_units_ok(r1, r2, &g, tof, mu, nrev)) {
        return GNC_ERR_UNITS;
    }
    lambert_bounds(nrev, &lo, &hi);
    if (nrev == 0) {
        /* tof increases with z; extend the lower end until it brackets */
        for (k = 0; k < 60; ++k) {
            double tl = lambert_tof(&g, lo, NULL);
            if (tl < tof) {
                break;
            }
            lo = 2.0 * lo;
            if (lo < -4e5) {
                return GNC_ERR_NO_CONVERGENCE;
            }
        }
        z = lambert_bisect(&g, lo, hi, tof, 1);
    } else {
        double zm = lambert_zmin(&g, lo, hi, &tmin);
        if (tof < tmin) {
            return GNC_ERR_DOMAIN;
        }
        z = branch == 0 ? lambert_bisect(&g, lo, zm, tof, 0) : lambert_bisect(&g, zm, hi, tof, 1);
    }
    if (lambert_tof(&g, z, &y) < 0.0 || !(y > 0.0)) {
        return GNC_ERR_NO_CONVERGENCE;
    }
    f = 1.0 - y / g.r1;
    gg = g.A * sqrt(y) / g.sqmu;
    gd = 1.0 - y / g.r2;
    for (i = 0; i < 3; ++i) {
        v1[i] = (r2[i] - f * r1[i]) / gg;
        v2[i] = (gd * r2[i] - r1[i]) / gg;
    }
    return la_finite(v1, 3) && la_finite(v2, 3) ? GNC_OK : GNC_ERR_NO_CONVERGENCE;
}

/* ---- Elements ------------------------------------------------------------- */

int gnc_coe_from_rv(const double r[3], const double v[3], double mu, double coe[6])
{
    double h[3], hn, hh[3], n[3], nn, e[3], en, rn, v2, rv, energy, p[3], q[3], ref[3];
    double inc, raan, argp, nu;
    int i;
    if (r == NULL || v == NULL || coe == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(mu > 0.0) || !la_finite(r, 3) || !la_finite(v, 3)) {
        return GNC_ERR_DOMAIN;
    }
    rn = la_norm(r);
    v2 = la_dot(v, v);
    rv = la_dot(r, v);
    la_cross(r, v, h);
    hn = la_norm(h);
    if (!(rn > 0.0) || !(hn > 1e-12 * rn * sqrt(v2))) {
        return GNC_ERR_DOMAIN; /* rectilinear */
    }
    if (!state_units_ok(rn, v2, mu)) {
        return GNC_ERR_UNITS;
    }
    la_scale(h, 1.0 / hn, hh);
    for (i = 0; i < 3; ++i) {
        e[i] = ((v2 - mu / rn) * r[i] - rv * v[i]) / mu;
    }
    en = la_norm(e);
    energy = 0.5 * v2 - mu / rn;
    if (fabs(en - 1.0) < 1e-10 || energy == 0.0) {
        return GNC_ERR_DOMAIN; /* parabolic */
    }
    inc = gnc_acos(hh[2] > 1.0 ? 1.0 : (hh[2] < -1.0 ? -1.0 : hh[2]));
    n[0] = -h[1];
    n[1] = h[0];
    n[2] = 0.0;
    nn = la_norm(n);
    if (inc < 1e-11 || inc > GNC_PI - 1e-11 || nn < 1e-11 * hn) {
        raan = 0.0;
        ref[0] = 1.0;
        ref[1] = 0.0;
        ref[2] = 0.0;
    } else {
        raan = gnc_atan2(n[1], n[0]);
        la_scale(n, 1.0 / nn, ref);
    }
    la_cross(hh, ref, q); /* in-plane, 90 deg ahead of ref */
    if (en < 1e-11) {
        argp = 0.0;
        nu = gnc_atan2(la_dot(r, q), la_dot(r, ref));
    } else {
        argp = gnc_atan2(la_dot(e, q), la_dot(e, ref));
        la_scale(e, 1.0 / en, p);
        la_cross(hh, p, q);
        nu = gnc_atan2(la_dot(r, q), la_dot(r, p));
    }
    coe[0] = -mu / (2.0 * energy);
    coe[1] = en;
    coe[2] = inc;
    coe[3] = raan < 0.0 ? raan + 2.0 * GNC_PI : raan;
    coe[4] = argp < 0.0 ? argp + 2.0 * GNC_PI : argp;
    coe[5] = nu < 0.0 ? nu + 2.0 * GNC_PI : nu;
    return GNC_OK;
}

int gnc_rv_from_coe(const double coe[6], double mu, double r[3], double v[3])
{
    double a, e, inc, raan, argp, nu, p, rn, sp, rp[3], vp[3], Q[9];
    double cO, sO, ci, si, cw, sw, sn, cn;
    if (coe == NULL || r == NULL || v == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(mu > 0.0) || !la_finite(coe, 6)) {
        return GNC_ERR_DOMAIN;
    }
    a = coe[0];
    e = coe[1];
    inc = coe[2];
    raan = coe[3];
    argp = coe[4];
    nu = coe[5];
    if (!(e >= 0.0) || fabs(e - 1.0) < 1e-10 || (e < 1.0 && !(a > 0.0))
        || (e > 1.0 && !(a < 0.0))) {
        return GNC_ERR_DOMAIN;
    }
    p = a * (1.0 - e * e);
    gnc_sincos(nu, &sn, &cn);
    if (!(1.0 + e * cn > 1e-12)) {
        return GNC_ERR_DOMAIN; /* beyond the asymptotes of a hyperbola */
    }
    rn = p / (1.0 + e * cn);
    sp = sqrt(mu / p);
    rp[0] = rn * cn;
    rp[1] = rn * sn;
    rp[2] = 0.0;
    vp[0] = -sp * sn;
    vp[1] = sp * (e + cn);
    vp[2] = 0.0;
    gnc_sincos(raan, &sO, &cO);
    gnc_sincos(inc, &si, &ci);
    gnc_sincos(argp, &sw, &cw);
    Q[0] = cO * cw - sO * sw * ci;
    Q[1] = -cO * sw - sO * cw * ci;
    Q[2] = sO * si;
    Q[3] = sO * cw + cO * sw * ci;
    Q[4] = -sO * sw + cO * cw * ci;
    Q[5] = -cO * si;
    Q[6] = sw * si;
    Q[7] = cw * si;
    Q[8] = ci;
    la_mv3(Q, rp, r);
    la_mv3(Q, vp, v);
    return GNC_OK;
}

int gnc_j2_rates(double a, double e, double i, double mu, double j2, double r_eq,
                 double rates[3])
{
    double n, p, k, ci;
    if (rates == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(mu > 0.0) || !(a > 0.0) || !(e >= 0.0) || !(e < 1.0) || !(r_eq >= 0.0)
        || !la_finite(&j2, 1) || !la_finite(&i, 1) || !la_finite(&a, 1)
        || !la_finite(&mu, 1) || !la_finite(&r_eq, 1)) {
        return GNC_ERR_DOMAIN;
    }
    if (j2 != 0.0 && r_eq > 0.0 && !(a > 0.1 * r_eq && a < 1000.0 * r_eq)) {
        return GNC_ERR_UNITS;
    }
    n = sqrt(mu / (a * a * a));
    p = a * (1.0 - e * e);
    k = n * j2 * (r_eq / p) * (r_eq / p);
    ci = gnc_cos(i);
    rates[0] = -1.5 * k * ci;
    rates[1] = 0.75 * k * (5.0 * ci * ci - 1.0);
    rates[2] = n + 0.75 * k * sqrt(1.0 - e * e) * (3.0 * ci * ci - 1.0);
    return GNC_OK;
}
