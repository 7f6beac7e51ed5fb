/* gnc_safety.c - the missed-burn screen and the inspection's phase from the
 * light (see gnc_safety.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"
#include "gnc_constants.h"

#define MAX_STEPS 1000000.0

/* Acceleration of the drift model (point mass + J2 + drag, bc 0: no drag). */
static void drift_accel(const gnc_drift_model *m, double bc, const double r[3],
                        const double v[3], double a[3])
{
    double r2 = la_dot(r, r), rn = sqrt(r2), z2 = r[2] * r[2] / r2;
    double k = -GNC_MU_EARTH / (r2 * rn);
    double kj = 1.5 * GNC_J2 * GNC_MU_EARTH * GNC_R_EARTH * GNC_R_EARTH / (r2 * r2 * rn);
    a[0] = k * r[0] + kj * r[0] * (5.0 * z2 - 1.0);
    a[1] = k * r[1] + kj * r[1] * (5.0 * z2 - 1.0);
    a[2] = k * r[2] + kj * r[2] * (5.0 * z2 - 3.0);
    if (bc > 0.0) {
        double va[3], vn, rho, f;
        va[0] = v[0] + GNC_OMEGA_EARTH * r[1];
        va[1] = v[1] - GNC_OMEGA_EARTH * r[0];
        va[2] = v[2];
        vn = la_norm(va);
        rho = m->rho0 * gnc_exp(-((rn - GNC_R_EARTH) - m->h0) / m->scale_h);
        f = -0.5 * rho * vn / bc;
        a[0] += f * va[0];
        a[1] += f * va[1];
        a[2] += f * va[2];
    }
}

/* One RK4 step of h on y = [r, v]. */
static void drift_rk4(const gnc_drift_model *m, double bc, double y[6], double h)
{
    double k[4][6], t[6];
    int s, i;
    for (s = 0; s < 4; ++s) {
        double c = s == 0 ? 0.0 : (s == 3 ? h : 0.5 * h);
        for (i = 0; i < 6; ++i) {
            t[i] = s == 0 ? y[i] : y[i] + c * k[s - 1][i];
        }
        la_copy(t + 3, k[s], 3);
        drift_accel(m, bc, t, t + 3, k[s] + 3);
    }
    for (i = 0; i < 6; ++i) {
        y[i] += h / 6.0 * (k[0][i] + 2.0 * k[1][i] + 2.0 * k[2][i] + k[3][i]);
    }
}

/* Eigen-decomposition of a symmetric 3x3 (cyclic Jacobi): S = V diag(w) V^T,
 * V's columns the eigenvectors (row-major V[3 i + j] = component i of vector j). */
static void jacobi3(const double S[9], double w[3], double V[9])
{
    double a[9];
    int sweep, p, q, i;
    la_copy(S, a, 9);
    la_zero(V, 9);
    V[0] = V[4] = V[8] = 1.0;
    for (sweep = 0; sweep < 30; ++sweep) {
        double off = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
        double diag = a[0] * a[0] + a[4] * a[4] + a[8] * a[8];
        if (!(off > 1e-30 * diag)) {
            break;
        }
        for (p = 0; p < 2; ++p) {
            for (q = p + 1; q < 3; ++q) {
                double apq = a[3 * p + q], th, t, c, s;
                if (apq == 0.0) {
                    continue;
                }
                th = (a[3 * q + q] - a[3 * p + p]) / (2.0 * apq);
                t = (th >= 0.0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1.0));
                c = 1.0 / sqrt(t * t + 1.0);
                s = t * c;
                for (i = 0; i < 3; ++i) { /* columns p, q of a */
                    double aip = a[3 * i + p], aiq = a[3 * i + q];
                    a[3 * i + p] = c * aip - s * aiq;
                    a[3 * i + q] = s * aip + c * aiq;
                }
                for (i = 0; i < 3; ++i) { /* rows p, q */
                    double api = a[3 * p + i], aqi = a[3 * q + i];
                    a[3 * p + i] = c * api - s * aqi;
                    a[3 * q + i] = s * api + c * aqi;
                }
                for (i = 0; i < 3; ++i) {
                    double vip = V[3 * i + p], viq = V[3 * i + q];
                    V[3 * i + p] = c * vip - s * viq;
                    V[3 * i + q] = s * vip + c * viq;
                }
            }
        }
    }
    w[0] = a[0];
    w[1] = a[4];
    w[2] = a[8];
}

int gnc_ellipsoid_distance(const double m[3], const double S[9], double k, double *d)
{
    double w[3], V[9], ax[3], q[3], amax = 0.0, f = 0.0, lo, hi, x[3], e[3];
    int i, it;
    if (m == NULL || S == NULL || d == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(m, 3) || !la_finite(S, 9) || !(k >= 0.0) || !la_finite(&k, 1)) {
        return GNC_ERR_DOMAIN;
    }
    if (k == 0.0) {
        *d = la_norm(m);
        return GNC_OK;
    }
    jacobi3(S, w, V);
    for (i = 0; i < 3; ++i) {
        /* semi-axes; a floor keeps a flat ellipsoid a (thin) solid */
        ax[i] = k * sqrt(w[i] > 0.0 ? w[i] : 0.0);
        if (ax[i] < 1e-9) {
            ax[i] = 1e-9;
        }
        amax = ax[i] > amax ? ax[i] : amax;
        /* the origin seen from the centre, in the principal axes */
        q[i] = -(V[i] * m[0] + V[3 + i] * m[1] + V[6 + i] * m[2]);
        f += (q[i] / ax[i]) * (q[i] / ax[i]);
    }
    if (f <= 1.0) {
        *d = 0.0;
        return GNC_OK;
    }
    /* closest point x_i = a_i^2 q_i / (a_i^2 + t), t > 0 with sum (x_i/a_i)^2 = 1 */
    lo = 0.0;
    hi = amax * la_norm(q);
    for (it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) {
        double mid = 0.5 * (lo + hi), g = 0.0;
        for (i = 0; i < 3; ++i) {
            double xi = ax[i] * q[i] / (ax[i] * ax[i] + mid);
            g += xi * xi;
        }
        if (g > 1.0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    for (i = 0; i < 3; ++i) {
        x[i] = ax[i] * ax[i] * q[i] / (ax[i] * ax[i] + hi);
        e[i] = x[i] - q[i];
    }
    *d = la_norm(e);
    return GNC_OK;
}

static int model_ok(const gnc_drift_model *m)
{
    return la_finite(&m->horizon, 1) && la_finite(&m->step, 1) && m->horizon > 0.0
        && m->step > 0.0 && m->horizon / m->step <= MAX_STEPS && m->bc_target >= 0.0
        && m->bc_chaser >= 0.0 && la_finite(&m->bc_target, 1) && la_finite(&m->bc_chaser, 1)
        && m->rho0 >= 0.0 && la_finite(&m->rho0, 1) && la_finite(&m->h0, 1)
        && m->scale_h > 0.0 && la_finite(&m->scale_h, 1) && m->k_sigma >= 0.0
        && la_finite(&m->k_sigma, 1);
}

/* Relative position in the Hill axes of the target (rt: [r, v]). */
static int rel_hill(const double yt[6], const double yc[6], double rho[3])
{
    double C[9], om[3], d[3];
    int st = gnc_hill_basis(yt, yt + 3, C, om);
    if (st != GNC_OK) {
        return st;
    }
    la_sub(yc, yt, d);
    la_mv3(C, d, rho);
    return GNC_OK;
}

int gnc_drift_screen(const gnc_drift_model *model, const double r_t[3], const double v_t[3],
                     const double x_rel[6], const double P[36], gnc_drift_result *res)
{
    double yt[6], yc[6], rho[3], n, a, rn, P0[36], phi[36], tmp[36], Pt[36], S[9];
    double t, dk, horizon;
    long i, steps;
    int st, j;
    if (model == NULL || r_t == NULL || v_t == NULL || x_rel == NULL || res == NULL) {
        return GNC_ERR_NULL;
    }
    if (!model_ok(model) || !la_finite(r_t, 3) || !la_finite(v_t, 3) || !la_finite(x_rel, 6)
        || (P != NULL && !la_finite(P, 36))) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_orbit_check(r_t, v_t, GNC_MU_EARTH, GNC_R_EARTH);
    if (st != GNC_OK) {
        return st;
    }
    if (P != NULL) {
        la_copy(P, P0, 36);
    } else {
        la_zero(P0, 36);
    }
    la_copy(r_t, yt, 3);
    la_copy(v_t, yt + 3, 3);
    st = gnc_inertial_from_hill(r_t, v_t, x_rel, yc, yc + 3);
    if (st != GNC_OK) {
        return st;
    }
    rn = la_norm(r_t);
    a = 1.0 / (2.0 / rn - la_dot(v_t, v_t) / GNC_MU_EARTH);
    n = sqrt(GNC_MU_EARTH / (a * a * a));
    horizon = model->horizon;
    steps = (long)(horizon / model->step + 0.5);
    if (steps < 1) {
        steps = 1;
    }
    res->t_ca = 0.0;
    res->d_ca = 1e300;
    res->t_k = 0.0;
    res->d_k = 1e300;
    res->sigma_k = 0.0;
    res->rn_min = 1e300;
    for (i = 0; i <= steps; ++i) {
        double u[3], su[3], dist, rnsep;
        t = horizon * (double)i / (double)steps;
        if (i > 0) {
            double h = horizon / (double)steps;
            drift_rk4(model, model->bc_target, yt, h);
            drift_rk4(model, model->bc_chaser, yc, h);
            if (!la_finite(yt, 6) || !la_finite(yc, 6)) {
                return GNC_ERR_DOMAIN;
            }
        }
        st = rel_hill(yt, yc, rho);
        if (st != GNC_OK) {
            return st;
        }
        dist = la_norm(rho);
        rnsep = sqrt(rho[0] * rho[0] + rho[2] * rho[2]);
        if (dist < res->d_ca) {
            res->d_ca = dist;
            res->t_ca = t;
        }
        if (rnsep < res->rn_min) {
            res->rn_min = rnsep;
        }
        /* covariance of the position at t: Phi P0 Phi^T, position block */
        st = gnc_cw_stm(n, t, phi);
        if (st != GNC_OK) {
            return st;
        }
        la_mm(phi, P0, tmp, 6, 6, 6);
        la_mmt(tmp, phi, Pt, 6, 6, 6);
        for (j = 0; j < 3; ++j) {
            S[3 * j] = Pt[6 * j];
            S[3 * j + 1] = Pt[6 * j + 1];
            S[3 * j + 2] = Pt[6 * j + 2];
        }
        la_symmetrise(S, 3);
        st = gnc_ellipsoid_distance(rho, S, model->k_sigma, &dk);
        if (st != GNC_OK) {
            return st;
        }
        if (dk < res->d_k) {
            res->d_k = dk;
            res->t_k = t;
            if (dist > 0.0) {
                la_scale(rho, 1.0 / dist, u);
                la_mv3(S, u, su);
                res->sigma_k = sqrt(fabs(la_dot(u, su)));
            } else {
                res->sigma_k = 0.0;
            }
        }
    }
    return GNC_OK;
}

static int inspection_inputs_ok(const gnc_inspection_geometry *g)
{
    const double *scalars[] = {&g->n, &g->radial_amp, &g->cross_amp, &g->dt, &g->span,
                               &g->max_phase, &g->r_eq, &g->face_view, &g->face_sun,
                               &g->face_min, &g->good_min};
    size_t k;
    for (k = 0; k < sizeof scalars / sizeof scalars[0]; ++k) {
        if (!la_finite(scalars[k], 1)) {
            return 0;
        }
    }
    return la_finite(g->r_t, 3) && la_finite(g->v_t, 3) && la_finite(g->s_N, 3)
           && g->n > 0.0 && g->radial_amp > 0.0 && g->cross_amp >= 0.0 && g->span > 0.0
           && g->max_phase > 0.0 && g->r_eq > 0.0 && g->face_view >= 0.0
           && g->face_view <= GNC_PI && g->face_sun >= 0.0 && g->face_sun <= GNC_PI
           && g->face_min >= 0.0;
}

int gnc_inspection_phase(const gnc_inspection_geometry *g, gnc_inspection_choice *c)
{
    enum { PHASES = 72, SAMPLES = 180 };
    double C[9], om[3], s0[3], sn, rn, cmax, cview, csun, h;
    double best_good = -1.0;
    int k, j, st, n_lit = 0, best_faces = -2, plan_faces;
    if (g == NULL || c == NULL) {
        return GNC_ERR_NULL;
    }
    if (!inspection_inputs_ok(g)) {
        return GNC_ERR_DOMAIN;
    }
    sn = la_norm(g->s_N);
    rn = la_norm(g->r_t);
    if (!(sn > 0.0) || !(rn > g->r_eq)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_hill_basis(g->r_t, g->v_t, C, om);
    if (st != GNC_OK) {
        return st;
    }
    /* sun in the Hill axes of the target's state; the axes turn by n t */
    la_mv3(C, g->s_N, s0);
    la_scale(s0, 1.0 / sn, s0);
    cmax = gnc_cos(g->max_phase);
    cview = gnc_cos(g->face_view);
    csun = gnc_cos(g->face_sun);
    plan_faces = g->face_view > 0.0;
    h = g->span / (double)SAMPLES;
    c->th0 = 0.0;
    c->good = 0.0;
    c->faces = 0;
    for (k = 0; k < PHASES; ++k) {
        double ph = 2.0 * GNC_PI * (double)k / (double)PHASES, seen[6] = {0.0};
        double good;
        int n_good = 0, faces = 0, key;
        n_lit = 0;
        for (j = 0; j < SAMPLES; ++j) {
            double nt = g->n * g->span * (double)j / (double)SAMPLES, a = g->n * g->dt + nt;
            double sa, ca, sun[3], st2, ct2, rho[3], rr, along, perp;
            int ax;
            gnc_sincos(a, &sa, &ca);
            /* sun in the Hill axes turned by a: x' = x ca + y sa, y' = -x sa + y ca */
            sun[0] = s0[0] * ca + s0[1] * sa;
            sun[1] = -s0[0] * sa + s0[1] * ca;
            sun[2] = s0[2];
            /* the target's position along the sun and across it (shadow cylinder):
             * r = rn x', so r.s = rn sun_x */
            along = rn * sun[0];
            perp = rn * sqrt(fabs(1.0 - sun[0] * sun[0]));
            if (along < 0.0 && perp < g->r_eq) {
                continue; /* in the Earth's shadow */
            }
            ++n_lit;
            gnc_sincos(ph + nt, &st2, &ct2);
            rho[0] = g->radial_amp * ct2;
            rho[1] = -2.0 * g->radial_amp * st2;
            rho[2] = g->cross_amp * st2;
            rr = la_norm(rho);
            if (la_dot(rho, sun) >= cmax * rr) {
                ++n_good;
            }
            if (!plan_faces) {
                continue;
            }
            /* face +axis (2 ax) and -axis (2 ax + 1): camera and sun near its normal */
            for (ax = 0; ax < 3; ++ax) {
                if (rho[ax] >= cview * rr && sun[ax] >= csun) {
                    seen[2 * ax] += h;
                }
                if (-rho[ax] >= cview * rr && -sun[ax] >= csun) {
                    seen[2 * ax + 1] += h;
                }
            }
        }
        if (n_lit == 0) {
            continue;
        }
        good = (double)n_good / (double)n_lit;
        for (j = 0; j < 6; ++j) {
            faces += seen[j] >= g->face_min && seen[j] > 0.0;
        }
        key = plan_faces && good >= g->good_min ? faces : -1;
        if (key > best_faces || (key == best_faces && good > best_good)) {
            best_faces = key;
            best_good = good;
            c->th0 = ph;
            c->good = good;
            c->faces = plan_faces ? faces : 0;
        }
    }
    c->lit = (double)n_lit / (double)SAMPLES;
    return GNC_OK;
}
