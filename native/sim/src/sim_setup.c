/* sim_setup.c - the set-up maths of the world, in the core so that the
 * initial states are the same bits everywhere: osculating elements to a
 * state, a Hill-frame offset to an inertial state, unit and tilted vectors. */
#include <math.h>
#include <stddef.h>

#include "gnc_math.h"
#include "sim_sensors_internal.h"

int sim_unit(const double a[3], double out[3])
{
    double n;
    if (a == NULL || out == NULL) {
        return SIM_ERR_NULL;
    }
    n = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    if (!(n > 0.0) || !isfinite(n)) {
        return SIM_ERR_DOMAIN;
    }
    out[0] = a[0] / n;
    out[1] = a[1] / n;
    out[2] = a[2] / n;
    return SIM_OK;
}

int sim_kepler_to_rv(double mu, double a, double e, double inc, double raan, double argp,
                     double nu, double r[3], double v[3])
{
    double p, rr, k, sn, cn, so, co, si, ci, sw, cw;
    double c0[3], c1[3], rp[2], vp[2];
    int i;
    if (r == NULL || v == NULL) {
        return SIM_ERR_NULL;
    }
    if (!(mu > 0.0) || !(a > 0.0) || !(e >= 0.0 && e < 1.0) || !isfinite(mu) || !isfinite(a)
        || !isfinite(inc) || !isfinite(raan) || !isfinite(argp) || !isfinite(nu)) {
        return SIM_ERR_DOMAIN;
    }
    p = a * (1.0 - e * e);
    gnc_sincos(nu, &sn, &cn);
    rr = p / (1.0 + e * cn);
    k = sqrt(mu / p);
    rp[0] = rr * cn;
    rp[1] = rr * sn;
    vp[0] = k * -sn;
    vp[1] = k * (e + cn);
    gnc_sincos(raan, &so, &co);
    gnc_sincos(inc, &si, &ci);
    gnc_sincos(argp, &sw, &cw);
    /* first two columns of Rz(raan) Rx(inc) Rz(argp) (perifocal z is 0) */
    c0[0] = co * cw - (so * ci) * sw;
    c0[1] = so * cw + (co * ci) * sw;
    c0[2] = si * sw;
    c1[0] = -(co * sw) - (so * ci) * cw;
    c1[1] = -(so * sw) + (co * ci) * cw;
    c1[2] = si * cw;
    for (i = 0; i < 3; ++i) {
        r[i] = c0[i] * rp[0] + c1[i] * rp[1];
        v[i] = c0[i] * vp[0] + c1[i] * vp[1];
    }
    return SIM_OK;
}

int sim_hill_to_inertial(const double r_ref[3], const double v_ref[3], const double rho[3],
                         const double rho_dot[3], double r[3], double v[3])
{
    double x[3], y[3], z[3], h[3], rn, hn, wz, vel[3];
    int i;
    if (r_ref == NULL || v_ref == NULL || rho == NULL || rho_dot == NULL || r == NULL
        || v == NULL) {
        return SIM_ERR_NULL;
    }
    if (!la_finite(r_ref, 3) || !la_finite(v_ref, 3) || !la_finite(rho, 3)
        || !la_finite(rho_dot, 3)) {
        return SIM_ERR_DOMAIN;
    }
    rn = la_norm(r_ref);
    la_cross(r_ref, v_ref, h);
    hn = la_norm(h);
    if (!(rn > 0.0) || !(hn > 0.0)) {
        return SIM_ERR_DOMAIN;
    }
    for (i = 0; i < 3; ++i) {
        x[i] = r_ref[i] / rn;
        z[i] = h[i] / hn;
    }
    la_cross(z, x, y);
    wz = hn / (rn * rn);
    /* rate in the rotating frame plus w x rho, w = [0, 0, wz] */
    vel[0] = rho_dot[0] + -wz * rho[1];
    vel[1] = rho_dot[1] + wz * rho[0];
    vel[2] = rho_dot[2];
    for (i = 0; i < 3; ++i) {
        r[i] = r_ref[i] + (x[i] * rho[0] + y[i] * rho[1] + z[i] * rho[2]);
        v[i] = v_ref[i] + (x[i] * vel[0] + y[i] * vel[1] + z[i] * vel[2]);
    }
    return SIM_OK;
}

int sim_tilted_direction(const double d[3], double cone, double az, double out[3])
{
    double u[3], p1[3], p2[3], sa, ca, sb, cb;
    double ref[3] = {1.0, 0.0, 0.0};
    int i;
    if (d == NULL || out == NULL) {
        return SIM_ERR_NULL;
    }
    if (sim_unit(d, u) != SIM_OK || !isfinite(cone) || !isfinite(az)) {
        return SIM_ERR_DOMAIN;
    }
    if (cone == 0.0) {
        for (i = 0; i < 3; ++i) {
            out[i] = u[i];
        }
        return SIM_OK;
    }
    if (!(fabs(u[0]) < 0.9)) {
        ref[0] = 0.0;
        ref[1] = 1.0;
    }
    la_cross(u, ref, p1);
    (void)sim_unit(p1, p1);
    la_cross(u, p1, p2);
    gnc_sincos(cone, &sa, &ca);
    gnc_sincos(az, &sb, &cb);
    for (i = 0; i < 3; ++i) {
        out[i] = ca * u[i] + sa * (cb * p1[i] + sb * p2[i]);
    }
    return SIM_OK;
}
