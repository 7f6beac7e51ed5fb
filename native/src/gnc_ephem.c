/* gnc_ephem.c - on-board ephemerides: RK4 two-body + J2 propagation of one
 * spacecraft, the Hill frame of a target, the sun's direction and the Earth's
 * shadow (see gnc_ephem.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"

/* TAI seconds since 1958-01-01 of J2000.0 (2000-01-01T12:00:00 TT). */
#define J2000_TAI 1325419167.816
#define AU_M 149597870700.0
#define SUN_RADIUS_M 696.0e6
#define DEG (GNC_PI / 180.0)

/* ---- Orbit propagation ---------------------------------------------------- */

/* Two-body + J2 acceleration, the operations in the order of the Python
 * original (fsw/tasks/autonomy/orbit.py _accel3). */
static void accel_j2(const double r[3], double mu, double j2, double r_eq, double a[3])
{
    double x = r[0], y = r[1], z = r[2];
    double r2 = x * x + y * y + z * z;
    double rn = sqrt(r2);
    double k = -mu / (r2 * rn);
    double f = 1.5 * j2 * mu * (r_eq * r_eq) / (r2 * r2 * rn);
    double zz = 5.0 * z * z / r2;
    a[0] = k * x + f * x * (zz - 1.0);
    a[1] = k * y + f * y * (zz - 1.0);
    a[2] = k * z + f * z * (zz - 3.0);
}

/* The drag of one query, held: the factor k of a = k v_r (v_r = v - omega x
 * r), k = -1/2 rho(|r|) drag_bc |v_r|, is evaluated at the start of a step
 * and held through that step's stages and the next DRAG_HOLD_STEPS - 1 steps
 * (60 s at the 10 s step of the navigation): the exponential density moves
 * by well under 1 % in that time on a near-circular orbit, far inside the
 * model's own error (a factor of two against the real atmosphere), and the
 * board, which computes doubles in software, pays one exponential and two
 * square roots per minute of propagation instead of per stage. */
#define DRAG_HOLD_STEPS 6

typedef struct drag_cache {
    double k;
    int age; /* steps since k was evaluated; DRAG_HOLD_STEPS or more: stale */
} drag_cache;

static double drag_factor(const gnc_ephem_config *c, const double r[3], const double v[3],
                          drag_cache *dc)
{
    double vr[3], rho;
    if (dc->age < DRAG_HOLD_STEPS) {
        dc->age += 1;
        return dc->k;
    }
    vr[0] = v[0] + c->drag_omega * r[1];
    vr[1] = v[1] - c->drag_omega * r[0];
    vr[2] = v[2];
    rho = c->drag_rho0 * gnc_exp(-(la_norm(r) - c->r_eq - c->drag_h0) / c->drag_hs);
    dc->k = -0.5 * rho * c->drag_bc * la_norm(vr);
    dc->age = 1;
    return dc->k;
}

/* Two-body + J2 and the drag k v_r (k = 0: none). */
static void accel(const gnc_ephem_config *c, double k, const double r[3], const double v[3],
                  double a[3])
{
    accel_j2(r, c->mu, c->j2, c->r_eq, a);
    if (k != 0.0) {
        a[0] += k * (v[0] + c->drag_omega * r[1]);
        a[1] += k * (v[1] - c->drag_omega * r[0]);
        a[2] += k * v[2];
    }
}

static void rk4_step(const double r[3], const double v[3], double h, const gnc_ephem_config *c,
                     drag_cache *dc, double r_out[3], double v_out[3])
{
    double hh = 0.5 * h, h6 = h / 6.0, k = c->drag_bc > 0.0 ? drag_factor(c, r, v, dc) : 0.0;
    double a1[3], a2[3], a3[3], a4[3], r2[3], v2[3], r3[3], v3[3], r4[3], v4[3];
    int i;
    accel(c, k, r, v, a1);
    for (i = 0; i < 3; ++i) {
        r2[i] = r[i] + hh * v[i];
        v2[i] = v[i] + hh * a1[i];
    }
    accel(c, k, r2, v2, a2);
    for (i = 0; i < 3; ++i) {
        r3[i] = r[i] + hh * v2[i];
        v3[i] = v[i] + hh * a2[i];
    }
    accel(c, k, r3, v3, a3);
    for (i = 0; i < 3; ++i) {
        r4[i] = r[i] + h * v3[i];
        v4[i] = v[i] + h * a3[i];
    }
    accel(c, k, r4, v4, a4);
    for (i = 0; i < 3; ++i) {
        r_out[i] = r[i] + h6 * (v[i] + 2.0 * v2[i] + 2.0 * v3[i] + v4[i]);
        v_out[i] = v[i] + h6 * (a1[i] + 2.0 * a2[i] + 2.0 * a3[i] + a4[i]);
    }
}

static int body_ok(double mu, double j2, double r_eq)
{
    return mu > 0.0 && la_finite(&mu, 1) && la_finite(&j2, 1) && r_eq >= 0.0
        && la_finite(&r_eq, 1);
}

int gnc_orbit_rk4_j2(const double r[3], const double v[3], double h, double mu, double j2,
                     double r_eq, double r_out[3], double v_out[3])
{
    double ro[3], vo[3];
    gnc_ephem_config c;
    drag_cache dc = {0.0, DRAG_HOLD_STEPS};
    if (r == NULL || v == NULL || r_out == NULL || v_out == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(r, 3) || !la_finite(v, 3) || !la_finite(&h, 1) || !body_ok(mu, j2, r_eq)
        || !(la_dot(r, r) > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    c.mu = mu;
    c.j2 = j2;
    c.r_eq = r_eq;
    c.step = h;
    c.drag_bc = 0.0;
    c.drag_rho0 = 0.0;
    c.drag_h0 = 0.0;
    c.drag_hs = 1.0;
    c.drag_omega = 0.0;
    rk4_step(r, v, h, &c, &dc, ro, vo);
    if (!la_finite(ro, 3) || !la_finite(vo, 3)) {
        return GNC_ERR_DOMAIN;
    }
    la_copy(ro, r_out, 3);
    la_copy(vo, v_out, 3);
    return GNC_OK;
}

int gnc_orbit_check(const double r[3], const double v[3], double mu, double r_eq)
{
    double rn, q, ratio;
    if (r == NULL || v == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(r, 3) || !la_finite(v, 3) || !(mu > 0.0) || !la_finite(&mu, 1)
        || !(r_eq > 0.0) || !la_finite(&r_eq, 1)) {
        return GNC_ERR_DOMAIN;
    }
    rn = la_norm(r);
    q = la_dot(v, v) * rn / mu;
    if (!(q > 0.05 && q < 2.0)) {
        return GNC_ERR_UNITS;
    }
    ratio = rn / r_eq;
    if (!(ratio > 0.01 && ratio < 100.0)) {
        return GNC_ERR_UNITS; /* the radius and r_eq in different units */
    }
    if (!(ratio > 1.0 && ratio < 10.0)) {
        return GNC_ERR_DOMAIN;
    }
    return GNC_OK;
}

static int ephem_config_ok(const gnc_ephem_config *c)
{
    if (!(c->drag_bc >= 0.0) || !la_finite(&c->drag_bc, 1)) {
        return 0;
    }
    if (c->drag_bc > 0.0
        && (!(c->drag_rho0 > 0.0) || !(c->drag_hs > 0.0) || !la_finite(&c->drag_rho0, 1)
            || !la_finite(&c->drag_hs, 1) || !la_finite(&c->drag_h0, 1)
            || !la_finite(&c->drag_omega, 1))) {
        return 0;
    }
    return body_ok(c->mu, c->j2, c->r_eq) && c->r_eq > 0.0 && c->step > 0.0
        && la_finite(&c->step, 1);
}

int gnc_ephem_init(gnc_ephem *ctx, const gnc_ephem_config *cfg)
{
    if (ctx == NULL || cfg == NULL) {
        return GNC_ERR_NULL;
    }
    ctx->initialised = 0;
    if (!ephem_config_ok(cfg)) {
        return GNC_ERR_DOMAIN;
    }
    ctx->cfg = *cfg;
    ctx->t = 0.0;
    la_zero(ctx->r, 3);
    la_zero(ctx->v, 3);
    return GNC_OK;
}

int gnc_ephem_set(gnc_ephem *ctx, const double r[3], const double v[3], double t)
{
    int st;
    if (ctx == NULL || r == NULL || v == NULL) {
        return GNC_ERR_NULL;
    }
    if (!ephem_config_ok(&ctx->cfg)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(&t, 1)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_orbit_check(r, v, ctx->cfg.mu, ctx->cfg.r_eq);
    if (st != GNC_OK) {
        return st;
    }
    la_copy(r, ctx->r, 3);
    la_copy(v, ctx->v, 3);
    ctx->t = t;
    ctx->initialised = 1;
    return GNC_OK;
}

/* At most this many RK4 steps per query (a query years ahead is an error). */
#define EPHEM_MAX_STEPS 10000000.0

int gnc_ephem_state(gnc_ephem *ctx, double t, double r[3], double v[3])
{
    const gnc_ephem_config *c;
    double dt, steps, h, rr[3], vv[3];
    drag_cache dc = {0.0, DRAG_HOLD_STEPS};
    long k, n;
    if (ctx == NULL || r == NULL || v == NULL) {
        return GNC_ERR_NULL;
    }
    if (!ctx->initialised || !ephem_config_ok(&ctx->cfg)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(&t, 1)) {
        return GNC_ERR_DOMAIN;
    }
    c = &ctx->cfg;
    dt = t - ctx->t;
    la_copy(ctx->r, rr, 3);
    la_copy(ctx->v, vv, 3);
    if (dt < -1e-6) {
        /* backwards from the cache (a re-plan in the past): the cache stays */
        steps = gnc_ceil(-dt / c->step);
        if (steps > EPHEM_MAX_STEPS) {
            return GNC_ERR_RANGE;
        }
        n = steps < 1.0 ? 1 : (long)steps;
        h = dt / (double)n;
        for (k = 0; k < n; ++k) {
            rk4_step(rr, vv, h, c, &dc, rr, vv);
        }
    } else {
        steps = dt > 0.0 ? gnc_ceil(dt / c->step) : 0.0;
        if (steps > EPHEM_MAX_STEPS) {
            return GNC_ERR_RANGE;
        }
        n = (long)steps;
        if (n > 0) {
            h = dt / (double)n;
            for (k = 0; k < n; ++k) {
                rk4_step(rr, vv, h, c, &dc, rr, vv);
            }
        }
        if (!la_finite(rr, 3) || !la_finite(vv, 3)) {
            return GNC_ERR_DOMAIN;
        }
        la_copy(rr, ctx->r, 3);
        la_copy(vv, ctx->v, 3);
        ctx->t = t;
    }
    if (!la_finite(rr, 3) || !la_finite(vv, 3)) {
        return GNC_ERR_DOMAIN;
    }
    la_copy(rr, r, 3);
    la_copy(vv, v, 3);
    return GNC_OK;
}

int gnc_ephem_mean_motion(const gnc_ephem *ctx, double *n)
{
    double rn, a;
    if (ctx == NULL || n == NULL) {
        return GNC_ERR_NULL;
    }
    if (!ctx->initialised || !ephem_config_ok(&ctx->cfg)) {
        return GNC_ERR_STATE;
    }
    rn = la_norm(ctx->r);
    a = 1.0 / (2.0 / rn - la_dot(ctx->v, ctx->v) / ctx->cfg.mu);
    if (!(a > 0.0) || !la_finite(&a, 1)) {
        return GNC_ERR_DOMAIN; /* not a bound orbit */
    }
    *n = sqrt(ctx->cfg.mu / (a * a * a));
    return GNC_OK;
}

/* ---- Hill frame ----------------------------------------------------------- */

int gnc_hill_basis(const double r_t[3], const double v_t[3], double C[9], double omega[3])
{
    double h[3], r2, rn, hn, x[3], y[3], z[3];
    int i;
    if (r_t == NULL || v_t == NULL || C == NULL || omega == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(r_t, 3) || !la_finite(v_t, 3)) {
        return GNC_ERR_DOMAIN;
    }
    la_cross(r_t, v_t, h);
    r2 = la_dot(r_t, r_t);
    rn = sqrt(r2);
    hn = la_norm(h);
    if (!(rn > 0.0) || !(hn > 1e-12 * rn * la_norm(v_t))) {
        return GNC_ERR_DOMAIN; /* no orbit plane (rectilinear or at rest) */
    }
    for (i = 0; i < 3; ++i) { /* x = r / |r|, z = h / |h| (divided, as the original) */
        x[i] = r_t[i] / rn;
        z[i] = h[i] / hn;
    }
    la_cross(z, x, y);
    for (i = 0; i < 3; ++i) {
        C[i] = x[i];
        C[3 + i] = y[i];
        C[6 + i] = z[i];
        omega[i] = h[i] / r2;
    }
    return GNC_OK;
}

int gnc_hill_from_inertial(const double r_t[3], const double v_t[3], const double r_c[3],
                           const double v_c[3], double x_H[6])
{
    double C[9], w[3], dr[3], dv[3], wxr[3];
    int st;
    if (r_t == NULL || v_t == NULL || r_c == NULL || v_c == NULL || x_H == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(r_c, 3) || !la_finite(v_c, 3)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_hill_basis(r_t, v_t, C, w);
    if (st != GNC_OK) {
        return st;
    }
    la_sub(r_c, r_t, dr);
    la_sub(v_c, v_t, dv);
    la_cross(w, dr, wxr);
    la_sub(dv, wxr, dv);
    la_mv3(C, dr, x_H);
    la_mv3(C, dv, x_H + 3);
    return GNC_OK;
}

int gnc_inertial_from_hill(const double r_t[3], const double v_t[3], const double x_H[6],
                           double r_c[3], double v_c[3])
{
    double C[9], w[3], dr[3], dv[3], wxr[3];
    int st;
    if (r_t == NULL || v_t == NULL || x_H == NULL || r_c == NULL || v_c == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(x_H, 6)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_hill_basis(r_t, v_t, C, w);
    if (st != GNC_OK) {
        return st;
    }
    la_mtv3(C, x_H, dr);
    la_mtv3(C, x_H + 3, dv);
    la_cross(w, dr, wxr);
    la_add(v_t, dv, dv);
    la_add(dv, wxr, v_c);
    la_add(r_t, dr, r_c);
    return GNC_OK;
}

int gnc_hill_to_inertial_at(const double r_t[3], const double v_t[3], double n, double dt,
                            const double a_H[3], double a_N[3])
{
    double C[9], w[3], R[9], ang, ca, sa;
    int st, i;
    if (r_t == NULL || v_t == NULL || a_H == NULL || a_N == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(&n, 1) || !la_finite(&dt, 1) || !la_finite(a_H, 3)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_hill_basis(r_t, v_t, C, w);
    if (st != GNC_OK) {
        return st;
    }
    /* the axes turned forward by n dt about the orbit normal */
    ang = n * dt;
    gnc_sincos(ang, &sa, &ca);
    for (i = 0; i < 3; ++i) {
        R[i] = ca * C[i] + sa * C[3 + i];
        R[3 + i] = -sa * C[i] + ca * C[3 + i];
        R[6 + i] = C[6 + i];
    }
    la_mtv3(R, a_H, a_N);
    return GNC_OK;
}

/* ---- Sun and shadow ------------------------------------------------------- */

/* Python's float modulo by a positive divisor (result in [0, m)). */
static double py_mod(double x, double m)
{
    double r = gnc_fmod(x, m);
    if (r != 0.0 && r < 0.0) {
        r += m;
    }
    return r;
}

/* IAU 1976 precession (Lieske et al. 1977; fsw/tasks/autonomy/orbit.py had it). */
int gnc_precession_iau1976(double t_tai, double P[9])
{
    const double as2r = GNC_PI / 180.0 / 3600.0;
    double T = (t_tai - J2000_TAI) / 86400.0 / 36525.0, T2 = T * T, T3 = T2 * T;
    double zeta = (2306.2181 * T + 0.30188 * T2 + 0.017998 * T3) * as2r;
    double z = (2306.2181 * T + 1.09468 * T2 + 0.018203 * T3) * as2r;
    double th = (2004.3109 * T - 0.42665 * T2 - 0.041833 * T3) * as2r;
    double cz, sz, ct, st, ce, se;
    if (P == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(&t_tai, 1)) {
        return GNC_ERR_DOMAIN;
    }
    gnc_sincos(z, &sz, &cz);
    gnc_sincos(th, &st, &ct);
    gnc_sincos(zeta, &se, &ce);
    /* P = Rz(-z) Ry(theta) Rz(-zeta) with the frame rotations
     * Rz(a) = [[c, s, 0], [-s, c, 0], [0, 0, 1]], Ry(a) = [[c, 0, -s], [0, 1, 0], [s, 0, c]] */
    P[0] = cz * ct * ce - sz * se;
    P[1] = -cz * ct * se - sz * ce;
    P[2] = -cz * st;
    P[3] = sz * ct * ce + cz * se;
    P[4] = -sz * ct * se + cz * ce;
    P[5] = -sz * st;
    P[6] = st * ce;
    P[7] = -st * se;
    P[8] = ct;
    return GNC_OK;
}

int gnc_sun_direction(double t_tai, double s_N[3])
{
    double d, g, q, lam, eps, s_date[3], P[9], sl, cl, se, ce;
    if (s_N == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(&t_tai, 1)) {
        return GNC_ERR_DOMAIN;
    }
    /* days of TT since J2000 (TT - TAI = 32.184 s on both sides) */
    d = (t_tai + 32.184 - (J2000_TAI + 32.184)) / 86400.0;
    g = py_mod(357.529 + 0.98560028 * d, 360.0) * DEG;
    q = py_mod(280.459 + 0.98564736 * d, 360.0);
    lam = (q + 1.915 * gnc_sin(g) + 0.020 * gnc_sin(2.0 * g)) * DEG;
    eps = (23.439 - 0.00000036 * d) * DEG;
    gnc_sincos(lam, &sl, &cl);
    gnc_sincos(eps, &se, &ce);
    s_date[0] = cl;
    s_date[1] = ce * sl;
    s_date[2] = se * sl;
    /* mean equator and equinox of date -> J2000 (GCRF): r_J2000 = P^T r_date */
    gnc_precession_iau1976(t_tai, P);
    la_mtv3(P, s_date, s_N);
    la_scale(s_N, 1.0 / la_norm(s_N), s_N);
    return GNC_OK;
}

int gnc_eclipse(const double r_N[3], const double s_N[3], double r_eq, double *lit)
{
    double rn, sn, d[3], dn, a, b, c, cr[3], x, area, ca, cb;
    int i;
    if (r_N == NULL || s_N == NULL || lit == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(r_N, 3) || !la_finite(s_N, 3) || !(r_eq > 0.0) || !la_finite(&r_eq, 1)) {
        return GNC_ERR_DOMAIN;
    }
    rn = la_norm(r_N);
    sn = la_norm(s_N);
    if (!(rn > 0.01 * r_eq) || !(r_eq > 1e-4 * SUN_RADIUS_M)) {
        return GNC_ERR_UNITS; /* r_N, r_eq and the sun's metres disagree (km?) */
    }
    if (!(rn > r_eq) || !(sn > 0.0) || !(rn < AU_M)) {
        return GNC_ERR_DOMAIN; /* inside the Earth, or no sun direction */
    }
    /* apparent radii of the sun (a) and the Earth (b) seen from the point, and
     * the angle between their centres (c) (Montenbruck & Gill, 3.4.2) */
    for (i = 0; i < 3; ++i) {
        d[i] = AU_M * s_N[i] / sn - r_N[i];
    }
    dn = la_norm(d);
    a = gnc_asin(SUN_RADIUS_M / dn);
    b = gnc_asin(r_eq / rn);
    la_cross(r_N, d, cr);
    c = gnc_atan2(la_norm(cr), -la_dot(r_N, d));
    if (c >= a + b) {
        *lit = 1.0;
    } else if (c <= b - a) {
        *lit = 0.0; /* umbra */
    } else if (c <= a - b) {
        *lit = 1.0 - (b * b) / (a * a); /* annular: the Earth inside the sun's disc */
    } else {
        /* area of the overlap of the two discs (planar approximation) */
        ca = (c * c + a * a - b * b) / (2.0 * c * a);
        cb = (c * c + b * b - a * a) / (2.0 * c * b);
        ca = ca > 1.0 ? 1.0 : (ca < -1.0 ? -1.0 : ca);
        cb = cb > 1.0 ? 1.0 : (cb < -1.0 ? -1.0 : cb);
        x = (-c + a + b) * (c + a - b) * (c - a + b) * (c + a + b);
        area = a * a * gnc_acos(ca) + b * b * gnc_acos(cb) - 0.5 * sqrt(x > 0.0 ? x : 0.0);
        *lit = 1.0 - area / (GNC_PI * a * a);
        *lit = *lit < 0.0 ? 0.0 : (*lit > 1.0 ? 1.0 : *lit);
    }
    return GNC_OK;
}
