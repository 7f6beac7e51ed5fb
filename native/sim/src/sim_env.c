/* sim_env.c - environment: sun ephemeris, cylindrical eclipse, tilted dipole,
 * orbit energy; and small shared helpers. */
#include <math.h>
#include <stddef.h>

#include "gnc_math.h"
#include "sim_internal.h"

int sim_status_message(int status, const char **message)
{
    if (message == NULL) {
        return SIM_ERR_NULL;
    }
    switch (status) {
    case SIM_OK: *message = "ok"; break;
    case SIM_ERR_NULL: *message = "a required pointer was NULL"; break;
    case SIM_ERR_DOMAIN: *message = "an input is outside its domain"; break;
    case SIM_ERR_RANGE: *message = "a count or index is out of range"; break;
    case SIM_ERR_STATE: *message = "craft not prepared or state not finite"; break;
    default: *message = "unknown status"; return SIM_ERR_RANGE;
    }
    return SIM_OK;
}

void sim_rotate(const double q[4], const double v[3], double out[3])
{
    /* v' = v + 2 w (u x v) + 2 u x (u x v), u = q vector part */
    double u[3] = {q[1], q[2], q[3]};
    double t[3], t2[3];
    la_cross(u, v, t);
    t[0] *= 2.0;
    t[1] *= 2.0;
    t[2] *= 2.0;
    la_cross(u, t, t2);
    out[0] = v[0] + q[0] * t[0] + t2[0];
    out[1] = v[1] + q[0] * t[1] + t2[1];
    out[2] = v[2] + q[0] * t[2] + t2[2];
}

void sim_rotate_inv(const double q[4], const double v[3], double out[3])
{
    double qc[4] = {q[0], -q[1], -q[2], -q[3]};
    sim_rotate(qc, v, out);
}

int sim_sun(double jd_tt, double sun_n[3], double *distance)
{
    const double deg = GNC_PI / 180.0;
    double T, lam_m, m, lam, r_au, eps, sm, cm, s2m, c2m, sl, cl, se, ce;
    if (sun_n == NULL || distance == NULL) {
        return SIM_ERR_NULL;
    }
    if (!isfinite(jd_tt)) {
        return SIM_ERR_DOMAIN;
    }
    T = (jd_tt - 2451545.0) / 36525.0;
    lam_m = 280.460 + 36000.771 * T;
    m = (357.5291092 + 35999.05034 * T) * deg;
    /* ecliptic longitude of date, brought back to the J2000 equinox by the
     * general precession in longitude (5029.0966 arcsec per century) */
    gnc_sincos(m, &sm, &cm);
    gnc_sincos(2.0 * m, &s2m, &c2m);
    lam = (lam_m + 1.914666471 * sm + 0.019994643 * s2m - 1.396971 * T) * deg;
    r_au = 1.000140612 - 0.016708617 * cm - 0.000139589 * c2m;
    eps = 23.439291 * deg; /* J2000 mean obliquity */
    gnc_sincos(lam, &sl, &cl);
    gnc_sincos(eps, &se, &ce);
    sun_n[0] = cl;
    sun_n[1] = ce * sl;
    sun_n[2] = se * sl;
    *distance = r_au * SIM_AU;
    return SIM_OK;
}

int sim_eclipse(const double r_n[3], const double sun_n[3], double r_earth, int *eclipse)
{
    double s, p[3];
    if (r_n == NULL || sun_n == NULL || eclipse == NULL) {
        return SIM_ERR_NULL;
    }
    s = la_dot(r_n, sun_n);
    p[0] = r_n[0] - s * sun_n[0];
    p[1] = r_n[1] - s * sun_n[1];
    p[2] = r_n[2] - s * sun_n[2];
    *eclipse = (s < 0.0 && la_dot(p, p) < r_earth * r_earth) ? 1 : 0;
    return SIM_OK;
}

int sim_magnetic_field(const sim_env *env, double t, const double r_n[3], double b_n[3])
{
    double th, c, s, d[3], r, rh[3], k, dr;
    if (env == NULL || r_n == NULL || b_n == NULL) {
        return SIM_ERR_NULL;
    }
    r = la_norm(r_n);
    if (!(r > 0.0) || !isfinite(t)) {
        return SIM_ERR_DOMAIN;
    }
    th = env->era0 + env->omega_earth * t;
    gnc_sincos(th, &s, &c);
    /* Earth-fixed to inertial: rotate by +era about z */
    d[0] = c * env->dipole_ecef[0] - s * env->dipole_ecef[1];
    d[1] = s * env->dipole_ecef[0] + c * env->dipole_ecef[1];
    d[2] = env->dipole_ecef[2];
    rh[0] = r_n[0] / r;
    rh[1] = r_n[1] / r;
    rh[2] = r_n[2] / r;
    k = env->b0 * (env->r_earth / r) * (env->r_earth / r) * (env->r_earth / r);
    dr = 3.0 * la_dot(d, rh);
    b_n[0] = k * (dr * rh[0] - d[0]);
    b_n[1] = k * (dr * rh[1] - d[1]);
    b_n[2] = k * (dr * rh[2] - d[2]);
    return SIM_OK;
}

int sim_orbit_energy(const sim_env *env, const double r[3], const double v[3], double *energy)
{
    double rn, u;
    if (env == NULL || r == NULL || v == NULL || energy == NULL) {
        return SIM_ERR_NULL;
    }
    rn = la_norm(r);
    if (!(rn > 0.0)) {
        return SIM_ERR_DOMAIN;
    }
    u = -env->mu / rn;
    if (env->j2_on) {
        double z2 = (r[2] / rn) * (r[2] / rn);
        u += env->mu * env->j2 * env->r_earth * env->r_earth / (2.0 * rn * rn * rn)
             * (3.0 * z2 - 1.0);
    }
    *energy = 0.5 * la_dot(v, v) + u;
    return SIM_OK;
}
