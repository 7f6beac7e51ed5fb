/* sim_dynamics.c - the state derivative of one craft (orbit, attitude,
 * wheels, thrusters, propellant). See simcore.h for the models. */
#include <math.h>
#include <stddef.h>

#include "gnc_math.h"
#include "sim_internal.h"

int sim_state_size(const sim_craft *craft)
{
    return 14 + craft->n_wheels;
}

void sim_state_pack(const sim_craft *craft, double *x)
{
    int i, nw = craft->n_wheels;
    for (i = 0; i < 3; ++i) {
        x[i] = craft->r[i];
        x[3 + i] = craft->v[i];
        x[10 + i] = craft->w[i];
    }
    for (i = 0; i < 4; ++i) {
        x[6 + i] = craft->q[i];
    }
    for (i = 0; i < nw; ++i) {
        x[13 + i] = craft->wheel_speed[i];
    }
    x[13 + nw] = craft->prop_mass;
}

void sim_state_unpack(sim_craft *craft, const double *x)
{
    int i, nw = craft->n_wheels;
    for (i = 0; i < 3; ++i) {
        craft->r[i] = x[i];
        craft->v[i] = x[3 + i];
        craft->w[i] = x[10 + i];
    }
    for (i = 0; i < 4; ++i) {
        craft->q[i] = x[6 + i];
    }
    for (i = 0; i < nw; ++i) {
        craft->wheel_speed[i] = x[13 + i];
    }
    craft->prop_mass = x[13 + nw];
}

double sim_tank_pressure(const sim_craft *craft, double prop_mass)
{
    double gas;
    if (craft->tank_pv <= 0.0) {
        return craft->p_ref;
    }
    if (prop_mass < 0.0) {
        prop_mass = 0.0;
    }
    gas = craft->tank_volume - prop_mass / craft->prop_density;
    return craft->tank_pv / gas;
}

/* Density (kg/m^3) at radius rn and time t: the craft's nodes when set, else
 * the exponential atmosphere of the environment. */
static double atmos_density(const sim_env *env, const sim_craft *c, double t, double rn)
{
    double l0, l1, f;
    if (c->atm_valid < 2) {
        return env->rho0 * gnc_exp(-(rn - env->r_earth - env->h0) / env->scale_height);
    }
    l0 = c->atm_lnrho[0] + c->atm_dlnrho[0] * (rn - c->atm_r[0]);
    l1 = c->atm_lnrho[1] + c->atm_dlnrho[1] * (rn - c->atm_r[1]);
    f = (t - c->atm_t[0]) / (c->atm_t[1] - c->atm_t[0]);
    f = f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
    return gnc_exp(l0 + f * (l1 - l0));
}

/* Projected area of the craft's box along the unit inertial direction u_n. */
static double box_area(const sim_craft *c, const double *q, const double u_n[3])
{
    double u_b[3];
    sim_rotate(q, u_n, u_b);
    return c->face_area[0] * fabs(u_b[0]) + c->face_area[1] * fabs(u_b[1])
        + c->face_area[2] * fabs(u_b[2]);
}

static int has_faces(const sim_craft *c)
{
    return c->face_area[0] > 0.0 || c->face_area[1] > 0.0 || c->face_area[2] > 0.0;
}

/* Drag acceleration (N) at state (r, v, q) and time t; the density to rho_out. */
static void drag_accel(const sim_env *env, const sim_craft *c, double t, const double *r,
                       const double *v, const double *q, double rn, double mass, double a[3],
                       double *rho_out)
{
    double vr[3], vrn, rho, cda, k;
    a[0] = a[1] = a[2] = 0.0;
    *rho_out = 0.0;
    if (!env->drag_on) {
        return;
    }
    vr[0] = v[0] + env->omega_earth * r[1];
    vr[1] = v[1] - env->omega_earth * r[0];
    vr[2] = v[2];
    vrn = la_norm(vr);
    if (has_faces(c)) {
        double u[3];
        if (!(vrn > 0.0)) {
            return;
        }
        u[0] = vr[0] / vrn;
        u[1] = vr[1] / vrn;
        u[2] = vr[2] / vrn;
        cda = c->cd * box_area(c, q, u);
    } else {
        cda = c->cd_area;
    }
    if (!(cda > 0.0)) {
        return;
    }
    rho = atmos_density(env, c, t, rn);
    *rho_out = rho;
    k = -0.5 * rho * cda / mass * vrn;
    a[0] = k * vr[0];
    a[1] = k * vr[1];
    a[2] = k * vr[2];
}

/* Solar radiation pressure acceleration (N), zero in the cylindrical shadow. */
static void srp_accel(const sim_env *env, const sim_craft *c, const double *r, const double *q,
                      double mass, double a[3])
{
    double s[3], d, u[3], k, au_d;
    int shadow;
    a[0] = a[1] = a[2] = 0.0;
    if (!env->srp_on || !has_faces(c)) {
        return;
    }
    (void)sim_eclipse(r, env->sun_n, env->r_earth, &shadow);
    if (shadow) {
        return;
    }
    s[0] = env->sun_n[0] * env->sun_distance - r[0];
    s[1] = env->sun_n[1] * env->sun_distance - r[1];
    s[2] = env->sun_n[2] * env->sun_distance - r[2];
    d = la_norm(s);
    u[0] = s[0] / d;
    u[1] = s[1] / d;
    u[2] = s[2] / d;
    au_d = SIM_AU / d;
    k = -env->srp_pressure * c->cr * box_area(c, q, u) / mass * au_d * au_d;
    a[0] = k * u[0];
    a[1] = k * u[1];
    a[2] = k * u[2];
}

/* Gravity (two-body + J2), drag and SRP acceleration; the drag and SRP parts
 * and the density to the optional outputs. */
static void orbit_accel(const sim_env *env, const sim_craft *craft, double t, const double *r,
                        const double *v, const double *q, double mass, double a[3],
                        double a_drag[3], double a_srp[3], double *rho)
{
    double r2 = la_dot(r, r), rn = sqrt(r2), k = -env->mu / (r2 * rn), ad[3], as[3], dens;
    a[0] = k * r[0];
    a[1] = k * r[1];
    a[2] = k * r[2];
    if (env->j2_on) {
        double z2 = r[2] * r[2] / r2;
        double f = 1.5 * env->j2 * env->r_earth * env->r_earth / r2;
        a[0] += k * r[0] * f * (1.0 - 5.0 * z2);
        a[1] += k * r[1] * f * (1.0 - 5.0 * z2);
        a[2] += k * r[2] * f * (3.0 - 5.0 * z2);
    }
    drag_accel(env, craft, t, r, v, q, rn, mass, ad, &dens);
    srp_accel(env, craft, r, q, mass, as);
    a[0] += ad[0] + as[0];
    a[1] += ad[1] + as[1];
    a[2] += ad[2] + as[2];
    if (a_drag != NULL) {
        la_copy(ad, a_drag, 3);
        la_copy(as, a_srp, 3);
        *rho = dens;
    }
}

void sim_orbit_perturbations(const sim_env *env, const sim_craft *c, double t, double a_drag[3],
                             double a_srp[3], double *rho)
{
    double a[3];
    orbit_accel(env, c, t, c->r, c->v, c->q, c->dry_mass + c->prop_mass, a, a_drag, a_srp, rho);
}

int sim_mass_properties(const sim_craft *c, double prop_mass, double com[3],
                        double inertia_cm[9])
{
    double m, p[3], d2, e2;
    int i, j;
    if (c == NULL || com == NULL || inertia_cm == NULL) {
        return SIM_ERR_NULL;
    }
    if (!(c->dry_mass > 0.0) || !(prop_mass >= 0.0) || !la_finite(c->tank_pos, 3)
        || !la_finite(c->inertia, 9)) {
        return SIM_ERR_DOMAIN;
    }
    m = c->dry_mass + prop_mass;
    for (i = 0; i < 3; ++i) {
        com[i] = prop_mass * c->tank_pos[i] / m;
        p[i] = c->tank_pos[i] - com[i];
    }
    d2 = la_dot(com, com);
    e2 = la_dot(p, p);
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            double eye = i == j ? 1.0 : 0.0;
            inertia_cm[3 * i + j] = c->inertia[3 * i + j]
                + c->dry_mass * (d2 * eye - com[i] * com[j])
                + prop_mass * (e2 * eye - p[i] * p[j]);
        }
    }
    return SIM_OK;
}

/* The motor torque executed on wheel i at a speed: the command saturated,
 * zero on a failed wheel or one driven past its maximum speed. */
double sim_wheel_command(const sim_craft *c, int i, double speed)
{
    double u = c->wheel_torque_cmd[i];
    double umax = c->wheel_max_torque[i];
    if (u > umax) {
        u = umax;
    } else if (u < -umax) {
        u = -umax;
    }
    if (c->wheel_failed[i] || (fabs(speed) >= c->wheel_max_speed[i] && u * speed > 0.0)) {
        u = 0.0;
    }
    return u;
}

/* Motor torque on wheel i (after saturation and faults) minus friction. */
double sim_wheel_torque(const sim_craft *c, int i, double speed, double *cmd_out)
{
    double u = sim_wheel_command(c, i, speed), fr;
    if (cmd_out != NULL) {
        *cmd_out = u;
    }
    fr = c->wheel_viscous[i] * speed;
    if (c->wheel_coulomb[i] > 0.0) {
        fr += c->wheel_coulomb[i] * gnc_tanh(speed / c->wheel_coulomb_speed[i]);
    }
    return u - fr;
}

void sim_thrust(const sim_craft *c, double prop, const double *level, double f_b[3],
                double tq[3], double *mdot)
{
    int i;
    f_b[0] = f_b[1] = f_b[2] = 0.0;
    if (tq != NULL) {
        tq[0] = tq[1] = tq[2] = 0.0;
    }
    if (mdot != NULL) {
        *mdot = 0.0;
    }
    if (!(c->n_thrusters > 0 && level != NULL && prop > 0.0)) {
        return;
    }
    {
        double scale = sim_tank_pressure(c, prop) / c->p_ref;
        for (i = 0; i < c->n_thrusters; ++i) {
            if (level[i] > 0.0) {
                double f = c->thr_force[i] * scale * level[i], fi[3], ti[3], arm[3];
                fi[0] = f * c->thr_dir[3 * i];
                fi[1] = f * c->thr_dir[3 * i + 1];
                fi[2] = f * c->thr_dir[3 * i + 2];
                f_b[0] += fi[0];
                f_b[1] += fi[1];
                f_b[2] += fi[2];
                if (tq != NULL) {
                    arm[0] = c->thr_pos[3 * i] - c->com[0];
                    arm[1] = c->thr_pos[3 * i + 1] - c->com[1];
                    arm[2] = c->thr_pos[3 * i + 2] - c->com[2];
                    la_cross(arm, fi, ti);
                    tq[0] += ti[0];
                    tq[1] += ti[1];
                    tq[2] += ti[2];
                }
                if (mdot != NULL) {
                    *mdot -= f / (c->thr_isp[i] * SIM_G0);
                }
            }
        }
    }
}

void sim_deriv(const sim_env *env, const sim_craft *c, double t, const double *x,
               const double *level, double *dx)
{
    const double *r = x, *v = x + 3, *q = x + 6, *w = x + 10, *ws = x + 13;
    int i, nw = c->n_wheels;
    double prop = x[13 + nw], mass = c->dry_mass + (prop > 0.0 ? prop : 0.0);
    double f_b[3], tq[3], a[3], f_n[3];
    double mdot;

    sim_thrust(c, prop, level, f_b, tq, &mdot);

    orbit_accel(env, c, t, r, v, q, mass, a, NULL, NULL, NULL);
    sim_rotate_inv(q, f_b, f_n);
    for (i = 0; i < 3; ++i) {
        dx[i] = v[i];
        dx[3 + i] = a[i] + f_n[i] / mass;
    }
    dx[13 + nw] = mdot;

    if (!c->attitude_on) {
        for (i = 6; i < 13 + nw; ++i) {
            dx[i] = 0.0;
        }
        return;
    }

    {
        double h[3], iw[3], wxh[3], rhs[3], wdot[3], u[6];
        /* kinematics: dq/dt = -1/2 [0, w] (x) q */
        dx[6] = 0.5 * (w[0] * q[1] + w[1] * q[2] + w[2] * q[3]);
        dx[7] = -0.5 * (w[0] * q[0] + w[1] * q[3] - w[2] * q[2]);
        dx[8] = -0.5 * (w[1] * q[0] + w[2] * q[1] - w[0] * q[3]);
        dx[9] = -0.5 * (w[2] * q[0] + w[0] * q[2] - w[1] * q[1]);

        la_mv3(c->inertia_cm, w, iw);
        h[0] = iw[0];
        h[1] = iw[1];
        h[2] = iw[2];
        for (i = 0; i < nw; ++i) {
            const double *ax = &c->wheel_axis[3 * i];
            double hw = c->wheel_inertia[i] * ws[i];
            u[i] = sim_wheel_torque(c, i, ws[i], NULL);
            h[0] += ax[0] * hw;
            h[1] += ax[1] * hw;
            h[2] += ax[2] * hw;
            tq[0] -= ax[0] * u[i];
            tq[1] -= ax[1] * u[i];
            tq[2] -= ax[2] * u[i];
        }
        if (env->gravity_gradient_on) {
            double rb[3], irb[3], gg[3], r2 = la_dot(r, r), k;
            sim_rotate(q, r, rb);
            la_mv3(c->inertia_cm, rb, irb);
            la_cross(rb, irb, gg);
            k = 3.0 * env->mu / (r2 * r2 * sqrt(r2));
            tq[0] += k * gg[0];
            tq[1] += k * gg[1];
            tq[2] += k * gg[2];
        }
        if (env->magnetic_on) {
            double m[3], bn[3], bb[3], mt[3];
            for (i = 0; i < 3; ++i) {
                double lim = c->mtq_max_dipole[i], d = c->mtq_dipole_cmd[i];
                m[i] = d > lim ? lim : (d < -lim ? -lim : d);
            }
            if (m[0] != 0.0 || m[1] != 0.0 || m[2] != 0.0) {
                (void)sim_magnetic_field(env, t, r, bn);
                sim_rotate(q, bn, bb);
                la_cross(m, bb, mt);
                tq[0] += mt[0];
                tq[1] += mt[1];
                tq[2] += mt[2];
            }
        }
        la_cross(w, h, wxh);
        rhs[0] = tq[0] - wxh[0];
        rhs[1] = tq[1] - wxh[1];
        rhs[2] = tq[2] - wxh[2];
        la_mv3(c->inertia_eff_inv, rhs, wdot);
        dx[10] = wdot[0];
        dx[11] = wdot[1];
        dx[12] = wdot[2];
        for (i = 0; i < nw; ++i) {
            dx[13 + i] = u[i] / c->wheel_inertia[i] - la_dot(&c->wheel_axis[3 * i], wdot);
        }
    }
}

int sim_craft_derivative(const sim_env *env, const sim_craft *craft, double t,
                         const double *x, const double *level, double *dx)
{
    if (env == NULL || craft == NULL || x == NULL || dx == NULL) {
        return SIM_ERR_NULL;
    }
    if (!craft->prepared) {
        return SIM_ERR_STATE;
    }
    if (!la_finite(x, sim_state_size(craft)) || !isfinite(t)) {
        return SIM_ERR_DOMAIN;
    }
    sim_deriv(env, craft, t, x, level, dx);
    return SIM_OK;
}

int sim_craft_kinetic_energy(const sim_craft *c, double *energy)
{
    double iw[3], e;
    int i;
    if (c == NULL || energy == NULL) {
        return SIM_ERR_NULL;
    }
    la_mv3(c->inertia_cm, c->w, iw);
    e = 0.5 * la_dot(c->w, iw);
    for (i = 0; i < c->n_wheels; ++i) {
        double aw = la_dot(&c->wheel_axis[3 * i], c->w), s = c->wheel_speed[i] + aw;
        /* I_eff = I - sum J a a^T: remove the frozen spin part, add the true spin */
        e += 0.5 * c->wheel_inertia[i] * (s * s - aw * aw);
    }
    *energy = e;
    return SIM_OK;
}
