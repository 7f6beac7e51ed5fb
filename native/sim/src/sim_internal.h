/* sim_internal.h - private helpers of the simulation core (not part of the cdef). */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include "simcore.h"

#define SIM_G0 9.80665
#define SIM_AU 149597870700.0
#define SIM_PI 3.14159265358979323846
#define SIM_NX_MAX 20 /* r, v, q, w, 6 wheels, propellant */

static inline double sim_dot(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void sim_cross(const double a[3], const double b[3], double out[3])
{
    double x = a[1] * b[2] - a[2] * b[1];
    double y = a[2] * b[0] - a[0] * b[2];
    double z = a[0] * b[1] - a[1] * b[0];
    out[0] = x;
    out[1] = y;
    out[2] = z;
}

static inline void sim_mat_vec(const double m[9], const double v[3], double out[3])
{
    double x = m[0] * v[0] + m[1] * v[1] + m[2] * v[2];
    double y = m[3] * v[0] + m[4] * v[1] + m[5] * v[2];
    double z = m[6] * v[0] + m[7] * v[1] + m[8] * v[2];
    out[0] = x;
    out[1] = y;
    out[2] = z;
}

/* R(q) v with R(q) v = q (x) v (x) q* (q_BN: inertial to body). */
void sim_rotate(const double q[4], const double v[3], double out[3]);
/* R(q)^T v (body to inertial for q_BN). */
void sim_rotate_inv(const double q[4], const double v[3], double out[3]);
int sim_finite(const double *x, int n);

/* Number of state elements of a craft. */
int sim_state_size(const sim_craft *craft);
void sim_state_pack(const sim_craft *craft, double *x);
void sim_state_unpack(sim_craft *craft, const double *x);
/* Thrust scale p/p_ref and tank pressure at a propellant mass. */
double sim_tank_pressure(const sim_craft *craft, double prop_mass);
/* Net motor torque on wheel i at a speed (command saturated, faults, minus
 * friction); the executed command goes to cmd_out when not NULL. */
double sim_wheel_torque(const sim_craft *c, int i, double speed, double *cmd_out);
/* Derivative without argument checks. */
void sim_deriv(const sim_env *env, const sim_craft *craft, double t, const double *x,
               const int *on, double *dx);

#endif /* SIM_INTERNAL_H */
