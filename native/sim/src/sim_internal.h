/* sim_internal.h - private helpers of the simulation core (not part of the cdef). */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include "gnc_constants.h" /* the project's physical constants (native/include) */
#include "gnc_la.h" /* the guidance core's vector helpers (native/src) */
#include "simcore.h"

#define SIM_G0 GNC_G0
#define SIM_AU GNC_AU
#define SIM_NX_MAX 20 /* r, v, q, w, 6 wheels, propellant */

/* R(q) v with R(q) v = q (x) v (x) q* (q_BN: inertial to body). */
void sim_rotate(const double q[4], const double v[3], double out[3]);
/* R(q)^T v (body to inertial for q_BN). */
void sim_rotate_inv(const double q[4], const double v[3], double out[3]);

/* Number of state elements of a craft. */
int sim_state_size(const sim_craft *craft);
void sim_state_pack(const sim_craft *craft, double *x);
void sim_state_unpack(sim_craft *craft, const double *x);
/* Thrust scale p/p_ref and tank pressure at a propellant mass. */
double sim_tank_pressure(const sim_craft *craft, double prop_mass);
/* Net motor torque on wheel i at a speed (command saturated, faults, minus
 * friction); the executed command goes to cmd_out when not NULL. */
double sim_wheel_torque(const sim_craft *c, int i, double speed, double *cmd_out);
/* The executed motor command alone (sim_wheel_torque's cmd_out, no friction). */
double sim_wheel_command(const sim_craft *c, int i, double speed);
/* Drag and SRP accelerations (N) and the density at the craft's state. */
void sim_orbit_perturbations(const sim_env *env, const sim_craft *c, double t, double a_drag[3],
                             double a_srp[3], double *rho);
/* Thrust of the thrusters at levels `level` (fractions of the rated thrust;
 * NULL: all off) with propellant mass prop (none: no thrust): the force in
 * body axes, and when not NULL the torque about the centre of mass (com) and
 * the propellant mass flow (<= 0). The derivative's thrust, and the sensed
 * velocity's (one computation). */
void sim_thrust(const sim_craft *c, double prop, const double *level, double f_b[3],
                double tq[3], double *mdot);
/* Derivative without argument checks. */
void sim_deriv(const sim_env *env, const sim_craft *craft, double t, const double *x,
               const double *level, double *dx);

#endif /* SIM_INTERNAL_H */
