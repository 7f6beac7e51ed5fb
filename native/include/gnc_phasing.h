/*
 * gnc_phasing.h - far-range phasing (issue 15, build 3): from an insertion
 * hundreds of kilometres behind the target down to an aim point a few tens
 * of kilometres behind it, where the relative (Clohessy-Wiltshire) guidance
 * takes over.
 *
 * The plan is in the phase angle phi = the target's argument of latitude
 * minus the chaser's (rad, > 0 when the chaser is behind; measured in the
 * target's orbit plane), which no rectilinear Hill coordinate holds at these
 * ranges (300 km along the orbit is 6.5 km of radial curvature). Its rate is
 * measured, not modelled: both states propagated one chaser period by the
 * on-board model (gnc_ephem: two-body + J2 + its drag), so the J2 and drag
 * differences are in it. A prograde impulse dv changes the rate by 3 dv / a
 * (mean motion -3/2 n da / a, da = 2 dv / n), and a pair of half impulses
 * half an orbit apart (a Hohmann pair) changes the mean semi-major axis and
 * leaves the orbit as circular as it was; over half an orbit after an
 * impulse the phase moves by its secular rate alone (CW: the periodic part
 * 4 dv / n sin(n t) vanishes at n t = pi).
 *
 * Two pairs: the first at t_first sets a drift rate, the second ends at
 * t_arrive on the aim's rate, a circular orbit aim_below under the target
 * (rate -3/2 n aim_below / a, the natural catch-up of today's 40 km
 * insertion), with phi = aim_behind / a. The drift rate is the one solution
 * of phi(t_arrive) = aim (linear in it):
 *
 *   phi_d = (phi_aim - phi0 - phi0_dot (t1 - t + T/4) - phi_a_dot T/4) / (t2 - t1)
 *
 * with t1 = t_first, t2 = t_arrive - T/2 and T the chaser's period. The
 * plan is open loop to first order (eccentricity and cross-track left as
 * they are); the sequencer re-plans it from the newest estimate at every
 * burn.
 */
#ifndef GNC_PHASING_H
#define GNC_PHASING_H

typedef struct gnc_phasing_in {
    double r_c[3], v_c[3]; /* chaser, GCRF (m, m/s), at t */
    double r_t[3], v_t[3]; /* target, GCRF (m, m/s), at t */
    double t;              /* s TAI of the states */
    double t_first;        /* s TAI, the first burn (>= t) */
    double t_arrive;       /* s TAI, the end of the second pair (>= t_first + T) */
    double aim_behind;     /* m along the orbit behind the target at t_arrive (>= 0) */
    double aim_below;      /* m, the aim orbit's height under the target's (>= 0) */
    double max_delta_a;    /* m, the largest |drift semi-major axis - target's| allowed (> 0) */
} gnc_phasing_in;

typedef struct gnc_phasing_out {
    double phase;        /* rad, phi at t */
    double phase_rate;   /* rad/s, its rate at t (one chaser period of the on-board model) */
    double drift_rate;   /* rad/s, the drift's rate (between the pairs) */
    double aim_rate;     /* rad/s, the aim's rate */
    double period;       /* s, the chaser's period T (osculating) */
    double t_burn[4];    /* s TAI: t1, t1 + T/2, t2, t2 + T/2 */
    double dv[4];        /* m/s along the velocity at each burn (+ prograde) */
    double dv_total;     /* m/s, sum of |dv| */
    double delta_a;      /* m, the drift orbit's mean semi-major axis minus the target's */
} gnc_phasing_out;

/* The plan above. GNC_ERR_NULL; GNC_ERR_DOMAIN for non-finite inputs,
 * implausible states (gnc_orbit_check), a negative aim, t_first < t or
 * t_arrive < t_first + T, or a bad configuration; GNC_ERR_RANGE when the
 * drift would need |delta_a| > max_delta_a (arrive later); the outputs are
 * filled all the same (the figures say how far off). */
int gnc_phasing_plan(const gnc_ephem_config *cfg, const gnc_phasing_in *in,
                     gnc_phasing_out *out);

#endif /* GNC_PHASING_H */
