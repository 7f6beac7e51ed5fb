/* sim_atmos.c - the density nodes of the truth atmosphere: where to evaluate
 * the atmosphere model next (a point ahead on each craft's orbit, in geodetic
 * coordinates) and the nodes the dynamics interpolate (see simcore.h).
 *
 * The atmosphere model itself (NRLMSIS) runs in Python (hil.sim.atmosphere);
 * its densities arrive here rounded to a stated number of significant digits,
 * so every number the dynamics use is computed in this core. */
#include <math.h>
#include <stddef.h>

#include "gnc_math.h"
#include "sim_internal.h"

#define WGS84_A 6378137.0
#define WGS84_F (1.0 / 298.257223563)

int sim_geodetic(const double r_ef[3], double *lat, double *lon, double *h)
{
    double e2 = WGS84_F * (2.0 - WGS84_F), b = WGS84_A * (1.0 - WGS84_F);
    double p, phi, n = WGS84_A, s, c;
    int k;
    if (r_ef == NULL || lat == NULL || lon == NULL || h == NULL) {
        return SIM_ERR_NULL;
    }
    if (!la_finite(r_ef, 3)) {
        return SIM_ERR_DOMAIN;
    }
    p = sqrt(r_ef[0] * r_ef[0] + r_ef[1] * r_ef[1]);
    if (!(p > 0.0 || r_ef[2] != 0.0)) {
        return SIM_ERR_DOMAIN;
    }
    *lon = gnc_atan2(r_ef[1], r_ef[0]);
    /* Bowring's first guess then fixed-point iterations on the latitude:
     * converged to well below a micro-radian in four for LEO heights */
    phi = gnc_atan2(r_ef[2], p * (1.0 - e2));
    for (k = 0; k < 4; ++k) {
        gnc_sincos(phi, &s, &c);
        n = WGS84_A / sqrt(1.0 - e2 * s * s);
        phi = gnc_atan2(r_ef[2] + e2 * n * s, p);
    }
    gnc_sincos(phi, &s, &c);
    n = WGS84_A / sqrt(1.0 - e2 * s * s);
    if (fabs(c) > 1e-3) {
        *h = p / c - n;
    } else { /* near a pole */
        *h = fabs(r_ef[2]) - b;
    }
    *lat = phi;
    return SIM_OK;
}

int sim_atmos_point(const sim_world *wd, int i, double dt, double out[5])
{
    const sim_craft *c;
    double h[3], hn, rn, x[3], y[3], ang, s, co, p[3], th, st, ct, ef[3], lat, lon, alt;
    int j, st_;
    if (wd == NULL || out == NULL) {
        return SIM_ERR_NULL;
    }
    if (i < 0 || i >= wd->n_craft) {
        return SIM_ERR_RANGE;
    }
    if (!isfinite(dt)) {
        return SIM_ERR_DOMAIN;
    }
    c = &wd->craft[i];
    rn = la_norm(c->r);
    la_cross(c->r, c->v, h);
    hn = la_norm(h);
    if (!(rn > 0.0) || !(hn > 0.0)) {
        return SIM_ERR_DOMAIN;
    }
    /* in-plane unit vectors: x along r, y = (h x r)/|h x r| */
    for (j = 0; j < 3; ++j) {
        x[j] = c->r[j] / rn;
    }
    la_cross(h, x, y);
    s = la_norm(y);
    for (j = 0; j < 3; ++j) {
        y[j] /= s;
    }
    ang = hn / (rn * rn) * dt;
    gnc_sincos(ang, &s, &co);
    for (j = 0; j < 3; ++j) {
        p[j] = rn * (co * x[j] + s * y[j]);
    }
    /* inertial -> Earth-fixed: rotate by -era about z */
    th = wd->env.era0 + wd->env.omega_earth * (wd->t + dt);
    gnc_sincos(th, &st, &ct);
    ef[0] = ct * p[0] + st * p[1];
    ef[1] = -st * p[0] + ct * p[1];
    ef[2] = p[2];
    st_ = sim_geodetic(ef, &lat, &lon, &alt);
    if (st_ != SIM_OK) {
        return st_;
    }
    out[0] = wd->t + dt;
    out[1] = rn;
    out[2] = lat * (180.0 / GNC_PI);
    out[3] = lon * (180.0 / GNC_PI);
    out[4] = alt;
    return SIM_OK;
}

int sim_atmos_set_node(sim_world *wd, int i, double t, double r, double dr, double rho_lo,
                       double rho_hi)
{
    sim_craft *c;
    double l_lo, l_hi;
    if (wd == NULL) {
        return SIM_ERR_NULL;
    }
    if (i < 0 || i >= wd->n_craft) {
        return SIM_ERR_RANGE;
    }
    c = &wd->craft[i];
    if (!isfinite(t) || !(r > 0.0) || !isfinite(r) || !(dr > 0.0) || !isfinite(dr)
        || !(rho_lo > 0.0) || !(rho_hi > 0.0) || !isfinite(rho_lo) || !isfinite(rho_hi)) {
        return SIM_ERR_DOMAIN;
    }
    if (c->atm_valid > 0 && !(t > c->atm_t[c->atm_valid > 1 ? 1 : 0])) {
        return SIM_ERR_DOMAIN;
    }
    l_lo = gnc_log(rho_lo);
    l_hi = gnc_log(rho_hi);
    if (c->atm_valid >= 1) {
        int last = c->atm_valid > 1 ? 1 : 0;
        c->atm_t[0] = c->atm_t[last];
        c->atm_r[0] = c->atm_r[last];
        c->atm_lnrho[0] = c->atm_lnrho[last];
        c->atm_dlnrho[0] = c->atm_dlnrho[last];
        c->atm_valid = 2;
        last = 1;
        c->atm_t[last] = t;
        c->atm_r[last] = r;
        c->atm_lnrho[last] = 0.5 * (l_lo + l_hi);
        c->atm_dlnrho[last] = (l_hi - l_lo) / (2.0 * dr);
    } else {
        c->atm_t[0] = t;
        c->atm_r[0] = r;
        c->atm_lnrho[0] = 0.5 * (l_lo + l_hi);
        c->atm_dlnrho[0] = (l_hi - l_lo) / (2.0 * dr);
        c->atm_valid = 1;
    }
    return SIM_OK;
}
