/* sim_step.c - preparation, the fixed-step RK4 tick, and the per-tick outputs
 * (field, sun, eclipse, momentum, relative Hill state). */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "gnc_math.h"
#include "sim_internal.h"

static int invert3(const double m[9], double out[9])
{
    double c00 = m[4] * m[8] - m[5] * m[7];
    double c01 = m[5] * m[6] - m[3] * m[8];
    double c02 = m[3] * m[7] - m[4] * m[6];
    double det = m[0] * c00 + m[1] * c01 + m[2] * c02, k;
    double scale = fabs(m[0]) + fabs(m[4]) + fabs(m[8]);
    if (!isfinite(det) || !(fabs(det) > 1e-12 * scale * scale * scale)) {
        return SIM_ERR_DOMAIN;
    }
    k = 1.0 / det;
    out[0] = c00 * k;
    out[1] = (m[2] * m[7] - m[1] * m[8]) * k;
    out[2] = (m[1] * m[5] - m[2] * m[4]) * k;
    out[3] = c01 * k;
    out[4] = (m[0] * m[8] - m[2] * m[6]) * k;
    out[5] = (m[2] * m[3] - m[0] * m[5]) * k;
    out[6] = c02 * k;
    out[7] = (m[1] * m[6] - m[0] * m[7]) * k;
    out[8] = (m[0] * m[4] - m[1] * m[3]) * k;
    return SIM_OK;
}

/* Refresh the centre of mass, the inertia about it and the effective
 * inertia's inverse for the current propellant mass. */
static int craft_mass_props(sim_craft *c)
{
    double ieff[9];
    int i, j;
    if (sim_mass_properties(c, c->prop_mass, c->com, c->inertia_cm) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    for (i = 0; i < 9; ++i) {
        ieff[i] = c->inertia_cm[i];
    }
    for (i = 0; i < c->n_wheels; ++i) {
        const double *a = &c->wheel_axis[3 * i];
        for (j = 0; j < 9; ++j) {
            ieff[j] -= c->wheel_inertia[i] * a[j / 3] * a[j % 3];
        }
    }
    if (invert3(ieff, c->inertia_eff_inv) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    c->props_prop_mass = c->prop_mass;
    return SIM_OK;
}

int sim_craft_prepare(sim_craft *c)
{
    int i;
    if (c == NULL) {
        return SIM_ERR_NULL;
    }
    c->prepared = 0;
    if (c->n_wheels < 0 || c->n_wheels > 6 || c->n_thrusters < 0 || c->n_thrusters > 16) {
        return SIM_ERR_RANGE;
    }
    if (!(c->dry_mass > 0.0) || !(c->prop_mass >= 0.0) || !la_finite(c->inertia, 9)
        || !la_finite(c->r, 3) || !la_finite(c->v, 3) || !la_finite(c->q, 4)
        || !la_finite(c->w, 3) || !(c->cd_area >= 0.0) || !la_finite(c->tank_pos, 3)
        || !(c->face_area[0] >= 0.0) || !(c->face_area[1] >= 0.0)
        || !(c->face_area[2] >= 0.0) || !(c->cd >= 0.0) || !(c->cr >= 0.0)
        || !isfinite(c->cd) || !isfinite(c->cr) || !la_finite(c->face_area, 3)) {
        return SIM_ERR_DOMAIN;
    }
    for (i = 0; i < c->n_wheels; ++i) {
        const double *a = &c->wheel_axis[3 * i];
        double n = la_norm(a);
        if (fabs(n - 1.0) > 1e-9 || !(c->wheel_inertia[i] > 0.0)
            || !(c->wheel_max_speed[i] > 0.0) || !(c->wheel_max_torque[i] >= 0.0)
            || !(c->wheel_coulomb[i] >= 0.0) || !(c->wheel_viscous[i] >= 0.0)
            || (c->wheel_coulomb[i] > 0.0 && !(c->wheel_coulomb_speed[i] > 0.0))
            || !isfinite(c->wheel_speed[i])) {
            return SIM_ERR_DOMAIN;
        }
    }
    for (i = 0; i < c->n_thrusters; ++i) {
        const double *d = &c->thr_dir[3 * i];
        double n = la_norm(d);
        if (fabs(n - 1.0) > 1e-9 || !(c->thr_force[i] >= 0.0) || !(c->thr_isp[i] > 0.0)
            || !(c->thr_min_on[i] >= 0.0) || !la_finite(&c->thr_pos[3 * i], 3)
            || !(c->thr_rise[i] >= 0.0) || !isfinite(c->thr_rise[i])
            || !(c->thr_tail[i] >= 0.0) || !isfinite(c->thr_tail[i])
            || !(c->thr_level[i] >= 0.0 && c->thr_level[i] <= 1.0)) {
            return SIM_ERR_DOMAIN;
        }
    }
    if (c->n_thrusters > 0) {
        if (!(c->p_ref > 0.0) || !(c->tank_pv >= 0.0)) {
            return SIM_ERR_DOMAIN;
        }
        if (c->tank_pv > 0.0 && (!(c->prop_density > 0.0)
                                 || !(c->tank_volume > c->prop_mass / c->prop_density))) {
            return SIM_ERR_DOMAIN;
        }
    }
    {
        double qn = sqrt(c->q[0] * c->q[0] + c->q[1] * c->q[1] + c->q[2] * c->q[2]
                         + c->q[3] * c->q[3]);
        if (!(qn > 1e-12)) {
            return SIM_ERR_DOMAIN;
        }
        for (i = 0; i < 4; ++i) {
            c->q[i] /= qn;
        }
    }
    if (!(c->battery_capacity >= 0.0) || !isfinite(c->battery_capacity)
        || !(c->battery_energy >= 0.0) || !(c->battery_energy <= c->battery_capacity)) {
        return SIM_ERR_DOMAIN;
    }
    if (c->battery_capacity > 0.0
        && (fabs(la_norm(c->array_normal) - 1.0) > 1e-9 || !(c->array_peak_power >= 0.0)
            || !isfinite(c->array_peak_power) || !(c->load_power >= 0.0)
            || !isfinite(c->load_power))) {
        return SIM_ERR_DOMAIN;
    }
    if (craft_mass_props(c) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    c->prepared = 1;
    return SIM_OK;
}

/* The array's power (W) with the sun along sun_n (unit, N): the cosine law
 * on the array's normal, nothing on its back or in the Earth's shadow. */
static double array_power(const sim_craft *c, const double sun_n[3], double r_earth)
{
    double s_b[3], cosi;
    int shadow = 0;
    if (!(c->battery_capacity > 0.0)) {
        return 0.0;
    }
    (void)sim_eclipse(c->r, sun_n, r_earth, &shadow);
    if (shadow) {
        return 0.0;
    }
    sim_rotate(c->q, sun_n, s_b);
    cosi = la_dot(s_b, c->array_normal);
    return cosi > 0.0 ? c->array_peak_power * cosi : 0.0;
}

/* array_power with the shadow and the sun in body axes already known (the
 * outputs' eclipse and sun_body: the same computations on the same inputs). */
static double array_power_known(const sim_craft *c, int shadow, const double s_b[3])
{
    double cosi;
    if (!(c->battery_capacity > 0.0) || shadow) {
        return 0.0;
    }
    cosi = la_dot(s_b, c->array_normal);
    return cosi > 0.0 ? c->array_peak_power * cosi : 0.0;
}

/* The battery over one tick of dt: the array's power at the tick's start
 * less the load (a rectangle rule), the energy kept in [0, capacity] (a full
 * battery sheds the array's surplus, an empty one cannot go below zero). */
static void battery_tick(const sim_env *env, sim_craft *c, double dt)
{
    double e;
    if (!(c->battery_capacity > 0.0)) {
        return;
    }
    e = c->battery_energy + (array_power(c, env->sun_n, env->r_earth) - c->load_power) * dt;
    if (e < 0.0) {
        e = 0.0;
    }
    c->battery_energy = e > c->battery_capacity ? c->battery_capacity : e;
}

/* One RK4 step of h seconds from time t with constant thrust levels. */
static void rk4(const sim_env *env, sim_craft *c, double t, double h, const double *on)
{
    double x[SIM_NX_MAX], k1[SIM_NX_MAX], k2[SIM_NX_MAX], k3[SIM_NX_MAX], k4[SIM_NX_MAX];
    double y[SIM_NX_MAX], qn;
    int i, n = sim_state_size(c);
    sim_state_pack(c, x);
    sim_deriv(env, c, t, x, on, k1);
    for (i = 0; i < n; ++i) {
        y[i] = x[i] + 0.5 * h * k1[i];
    }
    sim_deriv(env, c, t + 0.5 * h, y, on, k2);
    for (i = 0; i < n; ++i) {
        y[i] = x[i] + 0.5 * h * k2[i];
    }
    sim_deriv(env, c, t + 0.5 * h, y, on, k3);
    for (i = 0; i < n; ++i) {
        y[i] = x[i] + h * k3[i];
    }
    sim_deriv(env, c, t + h, y, on, k4);
    for (i = 0; i < n; ++i) {
        x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
    qn = sqrt(x[6] * x[6] + x[7] * x[7] + x[8] * x[8] + x[9] * x[9]);
    for (i = 6; i < 10; ++i) {
        x[i] /= qn;
    }
    if (x[n - 1] < 0.0) {
        x[n - 1] = 0.0;
    }
    sim_state_unpack(c, x);
}

/* A thruster's level over h seconds from level0 with its valve open or not:
 * first order towards 1 (time constant rise) or 0 (tail); the mean level over
 * the interval (so the impulse is exact), and the level at its end. */
static double thrust_level(double level0, int open, double rise, double tail, double h,
                           double *mean)
{
    double tau = open ? rise : tail, goal = open ? 1.0 : 0.0, e;
    if (!(tau > 0.0)) {
        *mean = goal;
        return goal;
    }
    if (level0 == goal && tau <= DBL_MAX) {
        /* settled (a closed valve at zero thrust: most thrusters, most ticks):
         * the formulas below give goal + 0 (tau, h and e finite), bit for
         * bit, for both; the exponential is not needed */
        *mean = goal;
        return goal;
    }
    e = gnc_exp(-h / tau);
    *mean = goal + (level0 - goal) * tau / h * (1.0 - e);
    level0 = goal + (level0 - goal) * e;
    if (!open && level0 < 1e-12) {
        level0 = 0.0; /* tailed off: below 1e-12 of the thrust (impulse lost < 1e-12 F tau) */
    }
    return level0;
}

/* Every input of sim_orbit_perturbations's drag and SRP accelerations at
 * time t (the number of values: the size of sim_craft.pert_key). */
#define PERT_KEY_N 40
typedef char check_pert_key[(PERT_KEY_N * sizeof(double) == sizeof(((sim_craft *)0)->pert_key))
                            ? 1 : -1];

static void pert_key(const sim_env *env, const sim_craft *c, double t, double *key)
{
    int i, k = 0;
    key[k++] = t;
    for (i = 0; i < 3; ++i) {
        key[k++] = c->r[i];
        key[k++] = c->v[i];
        key[k++] = c->face_area[i];
        key[k++] = env->sun_n[i];
    }
    for (i = 0; i < 4; ++i) {
        key[k++] = c->q[i];
    }
    for (i = 0; i < 2; ++i) {
        key[k++] = c->atm_t[i];
        key[k++] = c->atm_r[i];
        key[k++] = c->atm_lnrho[i];
        key[k++] = c->atm_dlnrho[i];
    }
    key[k++] = (double)c->atm_valid;
    key[k++] = c->dry_mass;
    key[k++] = c->prop_mass;
    key[k++] = c->cd_area;
    key[k++] = c->cd;
    key[k++] = c->cr;
    key[k++] = env->omega_earth;
    key[k++] = env->r_earth;
    key[k++] = env->rho0;
    key[k++] = env->h0;
    key[k++] = env->scale_height;
    key[k++] = env->srp_pressure;
    key[k++] = env->sun_distance;
    key[k++] = (double)env->drag_on;
    key[k] = (double)env->srp_on;
}

/* The sensed velocity's drag and SRP part over a tick of dt seconds from
 * time t: the accelerations at the tick's start (those of drag_accel and
 * srp_accel, evaluated here: a call of several ticks refreshes the outputs
 * only at its end) in body axes, times dt. When every input is bit for bit
 * the one the last outputs computed them from (a tick after a one-tick call,
 * nothing changed in between), their sum is taken from there: the same
 * function of the same inputs. */
static void sensed_drag_srp(const sim_env *env, sim_craft *c, double t, double dt)
{
    double ad[3], as[3], an[3], ab[3], rho, key[PERT_KEY_N];
    int i;
    if (!env->drag_on && !env->srp_on) {
        return;
    }
    pert_key(env, c, t, key);
    if (c->pert_valid && memcmp(key, c->pert_key, sizeof key) == 0) {
        la_copy(c->pert_an, an, 3);
    } else {
        sim_orbit_perturbations(env, c, t, ad, as, &rho);
        for (i = 0; i < 3; ++i) {
            an[i] = ad[i] + as[i];
        }
    }
    sim_rotate(c->q, an, ab);
    for (i = 0; i < 3; ++i) {
        c->dv_sensed_B[i] += dt * ab[i];
    }
}

/* The sensed velocity's thrust part over an RK4 segment of h seconds at
 * thrust levels `level` (NULL: off): h F_B / m, force and mass at the
 * segment's start. */
static void sensed_thrust(sim_craft *c, double h, const double *level)
{
    double f_b[3], prop = c->prop_mass, mass = c->dry_mass + (prop > 0.0 ? prop : 0.0);
    int i;
    if (level == NULL) {
        return;
    }
    sim_thrust(c, prop, level, f_b, NULL, NULL);
    for (i = 0; i < 3; ++i) {
        c->dv_sensed_B[i] += h * f_b[i] / mass;
    }
}

/* Advance one craft over one tick, split at the thruster on-times (valves
 * opening and closing); the thrust of each follows its valve with its rise
 * and tail-off (thrust_level). The sensed velocity (dv_sensed_B) gains the
 * tick's non-gravitational increments. */
static void craft_tick(const sim_env *env, sim_craft *c, double t, double dt)
{
    double on_time[16], cuts[17], level[16];
    int i, j, ncut = 0, busy = 0;
    const double tiny = 1e-12 * (dt > 1.0 ? dt : 1.0); /* shorter intervals are not stepped */
    if (c->prop_mass != c->props_prop_mass) {
        (void)craft_mass_props(c); /* checked at prepare; the mass only decreases */
    }
    sensed_drag_srp(env, c, t, dt);
    battery_tick(env, c, dt);
    for (i = 0; i < c->n_thrusters; ++i) {
        double ot = c->thr_on_time[i];
        if (!(ot > 0.0)) {
            ot = 0.0;
            c->thr_active[i] = 0;
        } else if (!c->thr_active[i]) {
            /* a new pulse: below the minimum on-time it is not executed */
            if (ot < c->thr_min_on[i]) {
                ot = 0.0;
            } else {
                c->thr_active[i] = 1;
                if (c->thr_state[i] == SIM_THR_NOMINAL && c->prop_mass > 0.0) {
                    c->thr_pulses[i] += 1.0;
                }
            }
        }
        /* what is left for the next ticks; a rounding residue (a pulse of k dt
         * counted down k times) is no pulse: it would hold the valve open for a
         * whole tick */
        c->thr_on_time[i] = ot > dt + tiny ? ot - dt : 0.0;
        if (c->thr_on_time[i] <= 0.0) {
            c->thr_active[i] = 0;
        }
        if (ot > dt) {
            ot = dt;
        }
        if (c->thr_state[i] == SIM_THR_STUCK_OPEN) {
            ot = dt;
        } else if (c->thr_state[i] == SIM_THR_STUCK_CLOSED) {
            ot = 0.0;
        }
        if (c->prop_mass <= 0.0) {
            ot = 0.0;
        }
        on_time[i] = ot;
        if (c->prop_mass <= 0.0) {
            c->thr_level[i] = 0.0;
        }
        busy |= ot > 0.0 || c->thr_level[i] > 0.0;
        if (ot > 0.0) {
            c->thr_total_on[i] += ot;
            /* insert into the sorted cut list */
            for (j = ncut; j > 0 && cuts[j - 1] > ot; --j) {
                cuts[j] = cuts[j - 1];
            }
            cuts[j] = ot;
            ++ncut;
        }
    }
    cuts[ncut++] = dt;
    {
        double start = 0.0;
        for (j = 0; j < ncut; ++j) {
            double end = cuts[j];
            if (end - start > tiny) {
                /* a valve is open over [start, end] when it closes at its end
                 * or later: a cut within tiny of start is not stepped, and
                 * the valve that closes there must not count as open over
                 * the rest of the tick (two on-times 1e-17 s apart kept the
                 * later one open for the whole tick) */
                for (i = 0; i < c->n_thrusters; ++i) {
                    c->thr_level[i] = thrust_level(c->thr_level[i], on_time[i] >= end - tiny,
                                                   c->thr_rise[i], c->thr_tail[i], end - start,
                                                   &level[i]);
                }
                sensed_thrust(c, end - start, busy ? level : NULL);
                rk4(env, c, t + start, end - start, busy ? level : NULL);
                start = end;
            }
        }
    }
}

static void craft_outputs(const sim_world *wd, sim_craft *c)
{
    const sim_env *env = &wd->env;
    double iw[3], hb[3];
    int i;
    c->mass = c->dry_mass + c->prop_mass;
    c->tank_pressure = c->n_thrusters > 0 ? sim_tank_pressure(c, c->prop_mass) : 0.0;
    (void)sim_magnetic_field(env, wd->t, c->r, c->b_n);
    sim_rotate(c->q, c->b_n, c->b_body);
    sim_rotate(c->q, wd->sun_n, c->sun_body);
    (void)sim_eclipse(c->r, wd->sun_n, env->r_earth, &c->eclipse);
    sim_orbit_perturbations(env, c, wd->t, c->drag_accel, c->srp_accel, &c->density);
    pert_key(env, c, wd->t, c->pert_key);
    for (i = 0; i < 3; ++i) {
        c->pert_an[i] = c->drag_accel[i] + c->srp_accel[i];
    }
    c->pert_valid = 1;
    c->array_power = array_power_known(c, c->eclipse, c->sun_body);
    c->battery_soc = c->battery_capacity > 0.0 ? c->battery_energy / c->battery_capacity : 0.0;
    la_mv3(c->inertia_cm, c->w, iw);
    for (i = 0; i < c->n_wheels; ++i) {
        double hw = c->wheel_inertia[i] * c->wheel_speed[i];
        iw[0] += c->wheel_axis[3 * i] * hw;
        iw[1] += c->wheel_axis[3 * i + 1] * hw;
        iw[2] += c->wheel_axis[3 * i + 2] * hw;
        c->wheel_torque_applied[i] = sim_wheel_command(c, i, c->wheel_speed[i]);
    }
    hb[0] = iw[0];
    hb[1] = iw[1];
    hb[2] = iw[2];
    sim_rotate_inv(c->q, hb, c->h_n);
}

static void hill_state(sim_world *wd)
{
    const sim_craft *c, *t;
    double x[3], y[3], z[3], h[3], rho[3], drho[3], rn, hn, wz;
    int i;
    if (wd->hill_ref < 0 || wd->hill_ref >= wd->n_craft || wd->hill_craft < 0
        || wd->hill_craft >= wd->n_craft) {
        for (i = 0; i < 3; ++i) {
            wd->hill_r[i] = 0.0;
            wd->hill_v[i] = 0.0;
        }
        return;
    }
    c = &wd->craft[wd->hill_craft];
    t = &wd->craft[wd->hill_ref];
    rn = la_norm(t->r);
    la_cross(t->r, t->v, h);
    hn = la_norm(h);
    for (i = 0; i < 3; ++i) {
        x[i] = t->r[i] / rn;
        z[i] = h[i] / hn;
        rho[i] = c->r[i] - t->r[i];
        drho[i] = c->v[i] - t->v[i];
    }
    la_cross(z, x, y);
    wz = hn / (rn * rn);
    wd->hill_r[0] = la_dot(x, rho);
    wd->hill_r[1] = la_dot(y, rho);
    wd->hill_r[2] = la_dot(z, rho);
    /* d/dt in the rotating frame: C drho - w x rho_H, w = [0, 0, wz] */
    wd->hill_v[0] = la_dot(x, drho) + wz * wd->hill_r[1];
    wd->hill_v[1] = la_dot(y, drho) - wz * wd->hill_r[0];
    wd->hill_v[2] = la_dot(z, drho);
}

/* The sun at the world's time into the environment (SRP uses it through the tick). */
static int env_sun(sim_world *wd)
{
    double jd = wd->env.jd_tt0 + wd->t / 86400.0;
    return sim_sun(jd, wd->env.sun_n, &wd->env.sun_distance);
}

static int world_outputs(sim_world *wd)
{
    int i;
    double jd = wd->env.jd_tt0 + wd->t / 86400.0;
    if (sim_sun(jd, wd->sun_n, &wd->sun_distance) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    /* the environment's sun at the same time (env_sun's): the same bits */
    la_copy(wd->sun_n, wd->env.sun_n, 3);
    wd->env.sun_distance = wd->sun_distance;
    for (i = 0; i < wd->n_craft; ++i) {
        craft_outputs(wd, &wd->craft[i]);
    }
    hill_state(wd);
    return SIM_OK;
}

int sim_world_prepare(sim_world *wd)
{
    int i, st;
    if (wd == NULL) {
        return SIM_ERR_NULL;
    }
    if (wd->n_craft < 1 || wd->n_craft > 4) {
        return SIM_ERR_RANGE;
    }
    if (!(wd->env.mu > 0.0) || !(wd->env.r_earth > 0.0) || !isfinite(wd->env.j2)
        || !isfinite(wd->t) || !isfinite(wd->env.jd_tt0) || !isfinite(wd->env.era0)
        || (wd->env.drag_on && !(wd->env.scale_height > 0.0))
        || (wd->env.srp_on && !(wd->env.srp_pressure >= 0.0))) {
        return SIM_ERR_DOMAIN;
    }
    for (i = 0; i < wd->n_craft; ++i) {
        st = sim_craft_prepare(&wd->craft[i]);
        if (st != SIM_OK) {
            return st;
        }
    }
    return world_outputs(wd);
}

int sim_world_step(sim_world *wd, double dt, long n)
{
    long k;
    int i;
    if (wd == NULL) {
        return SIM_ERR_NULL;
    }
    if (!(dt > 0.0) || !isfinite(dt) || n < 0) {
        return SIM_ERR_DOMAIN;
    }
    if (wd->n_craft < 1 || wd->n_craft > 4) {
        return SIM_ERR_RANGE;
    }
    for (i = 0; i < wd->n_craft; ++i) {
        if (!wd->craft[i].prepared) {
            return SIM_ERR_STATE;
        }
    }
    for (k = 0; k < n; ++k) {
        if (wd->env.srp_on && k > 0) { /* the first tick has it from the last outputs */
            (void)env_sun(wd);
        }
        for (i = 0; i < wd->n_craft; ++i) {
            sim_craft *c = &wd->craft[i];
            craft_tick(&wd->env, c, wd->t, dt);
            if (!la_finite(c->r, 3) || !la_finite(c->v, 3) || !la_finite(c->w, 3)
                || !la_finite(c->q, 4)) {
                c->prepared = 0;
                return SIM_ERR_STATE;
            }
        }
        wd->t += dt;
        wd->ticks += 1;
    }
    return world_outputs(wd);
}
