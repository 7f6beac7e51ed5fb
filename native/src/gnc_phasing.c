/* gnc_phasing.c - far-range phasing plan (gnc_phasing.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"

/* phi: the target's argument of latitude minus the chaser's, in the target's
 * orbit plane (normal h_hat), in (-pi, pi]. */
static double phase_of(const double r_c[3], const double r_t[3], const double h_hat[3])
{
    double c[3];
    la_cross(r_c, r_t, c);
    return gnc_atan2(la_dot(c, h_hat), la_dot(r_c, r_t));
}

static double wrap_pi(double x)
{
    while (x > GNC_PI) {
        x -= 2.0 * GNC_PI;
    }
    while (x <= -GNC_PI) {
        x += 2.0 * GNC_PI;
    }
    return x;
}

static int unit_normal(const double r[3], const double v[3], double h_hat[3])
{
    double h[3], hn;
    la_cross(r, v, h);
    hn = la_norm(h);
    if (!(hn > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(h, 1.0 / hn, h_hat);
    return GNC_OK;
}

static int semi_major_axis(const double r[3], const double v[3], double mu, double *a)
{
    double inv = 2.0 / la_norm(r) - la_dot(v, v) / mu;
    if (!(inv > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    *a = 1.0 / inv;
    return GNC_OK;
}

static int inputs_ok(const gnc_phasing_in *in)
{
    double times[3];
    double aims[3];
    times[0] = in->t;
    times[1] = in->t_first;
    times[2] = in->t_arrive;
    aims[0] = in->aim_behind;
    aims[1] = in->aim_below;
    aims[2] = in->max_delta_a;
    return la_finite(in->r_c, 3) && la_finite(in->v_c, 3) && la_finite(in->r_t, 3)
           && la_finite(in->v_t, 3) && la_finite(times, 3) && la_finite(aims, 3)
           && in->aim_behind >= 0.0 && in->aim_below >= 0.0 && in->max_delta_a > 0.0
           && in->t_first >= in->t;
}

int gnc_phasing_plan(const gnc_ephem_config *cfg, const gnc_phasing_in *in,
                     gnc_phasing_out *out)
{
    gnc_ephem chaser, target;
    double h_hat[3], h_hat1[3], rc1[3], vc1[3], rt1[3], vt1[3];
    double a_c, a_t, n_c, n_t, T, phi0, phi1, rate0, rate_a, rate_d, t1, t2, dv1, dv2;
    int st;

    if (cfg == NULL || in == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    la_zero((double *)out, (int)(sizeof *out / sizeof(double)));
    if (!inputs_ok(in)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_orbit_check(in->r_c, in->v_c, cfg->mu, cfg->r_eq);
    if (st == GNC_OK) {
        st = gnc_orbit_check(in->r_t, in->v_t, cfg->mu, cfg->r_eq);
    }
    if (st == GNC_OK) {
        st = semi_major_axis(in->r_c, in->v_c, cfg->mu, &a_c);
    }
    if (st == GNC_OK) {
        st = semi_major_axis(in->r_t, in->v_t, cfg->mu, &a_t);
    }
    if (st == GNC_OK) {
        st = unit_normal(in->r_t, in->v_t, h_hat);
    }
    if (st != GNC_OK) {
        return st;
    }
    n_c = sqrt(cfg->mu / (a_c * a_c * a_c));
    n_t = sqrt(cfg->mu / (a_t * a_t * a_t));
    T = 2.0 * GNC_PI / n_c;
    out->period = T;
    phi0 = phase_of(in->r_c, in->r_t, h_hat);
    out->phase = phi0;
    if (!(in->t_arrive >= in->t_first + T)) {
        return GNC_ERR_DOMAIN;
    }

    /* the rate now: one chaser period of the on-board model */
    st = gnc_ephem_init(&chaser, cfg);
    if (st == GNC_OK) {
        st = gnc_ephem_init(&target, cfg);
    }
    if (st == GNC_OK) {
        st = gnc_ephem_set(&chaser, in->r_c, in->v_c, in->t);
    }
    if (st == GNC_OK) {
        st = gnc_ephem_set(&target, in->r_t, in->v_t, in->t);
    }
    if (st == GNC_OK) {
        st = gnc_ephem_state(&chaser, in->t + T, rc1, vc1);
    }
    if (st == GNC_OK) {
        st = gnc_ephem_state(&target, in->t + T, rt1, vt1);
    }
    if (st == GNC_OK) {
        st = unit_normal(rt1, vt1, h_hat1);
    }
    if (st != GNC_OK) {
        return st;
    }
    phi1 = phase_of(rc1, rt1, h_hat1);
    rate0 = wrap_pi(phi1 - phi0) / T;
    rate_a = -1.5 * n_t * in->aim_below / a_t;
    t1 = in->t_first;
    t2 = in->t_arrive - 0.5 * T;
    rate_d = (in->aim_behind / a_t - phi0 - rate0 * (t1 - in->t + 0.25 * T) - rate_a * 0.25 * T)
             / (t2 - t1);
    dv1 = a_t * (rate_d - rate0) / 3.0;
    dv2 = a_t * (rate_a - rate_d) / 3.0;
    out->phase_rate = rate0;
    out->drift_rate = rate_d;
    out->aim_rate = rate_a;
    out->t_burn[0] = t1;
    out->t_burn[1] = t1 + 0.5 * T;
    out->t_burn[2] = t2;
    out->t_burn[3] = in->t_arrive;
    out->dv[0] = 0.5 * dv1;
    out->dv[1] = 0.5 * dv1;
    out->dv[2] = 0.5 * dv2;
    out->dv[3] = 0.5 * dv2;
    out->dv_total = fabs(dv1) + fabs(dv2);
    out->delta_a = 2.0 * a_t * rate_d / (3.0 * n_t);
    if (!(fabs(out->delta_a) <= in->max_delta_a)) {
        return GNC_ERR_RANGE;
    }
    return GNC_OK;
}
