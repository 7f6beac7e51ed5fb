/*
 * gnc_relative.h - relative motion about a target on a circular orbit
 * (Clohessy-Wiltshire / Hill equations) and rendezvous guidance.
 *
 * Hill frame of the target: x radial (out), y along-track, z orbit normal.
 * State x = [x, y, z, vx, vy, vz] (m, m/s) of the chaser relative to the
 * target, in Hill axes; n is the target's mean motion (rad/s).
 */
#ifndef GNC_RELATIVE_H
#define GNC_RELATIVE_H

/* State transition matrix Phi(t) (6x6 row-major): x(t) = Phi x(0). */
int gnc_cw_stm(double n, double t, double phi[36]);

/* x(t) = Phi(t) x0 (x may alias x0). */
int gnc_cw_propagate(double n, const double x0[6], double t, double x[6]);

/* Two-impulse transfer from x0 to position r_f in tof (s), arriving with
 * velocity v_f: dv1 at the start, dv2 at arrival (m/s, Hill axes). It is
 * gnc_cw_transfer (below) with dv1 = v_dep - v0, dv2 = v_f - v_arr: half an
 * orbit works (the cross-track position is then not targeted, see
 * GNC_CW_CROSS_UNCONTROLLED); GNC_ERR_SINGULAR near a singular time of flight. */
int gnc_cw_two_impulse(double n, const double x0[6], const double r_f[3], const double v_f[3],
                       double tof, double dv1[3], double dv2[3]);

/* Glideslope approach (Hablani, Tapper & Dana-Bashian, JGCD 25(3) 2002):
 * the distance rho from r_T along the line from r_T to the start follows
 * d rho/dt = a rho + rate_T, a = (rate0 - rate_T)/rho0, so that the closing
 * rate goes from rate0 to rate_T (both negative, |rate_T| < |rate0|) in
 * T = ln(rate_T/rate0)/a. `pulses` equal legs (1..32), each a CW two-impulse
 * transfer between waypoints on the line; burn k (k < pulses) at t[k] joins
 * the legs, the last burn brings the chaser to rest at r_T (a hold point). */
typedef struct gnc_glideslope_plan {
    int n_burns;        /* pulses + 1 */
    double duration;    /* s, T */
    double dv_total;    /* m/s, sum of |dv| */
    double t[33];       /* s after the start, burn times */
    double r[99];       /* m, waypoint position at each burn (Hill), [k*3 + axis] */
    double dv[99];      /* m/s, impulse of each burn (Hill), [k*3 + axis] */
} gnc_glideslope_plan;

int gnc_glideslope(double n, const double x0[6], const double r_T[3], double rate0,
                   double rate_T, int pulses, gnc_glideslope_plan *plan);

/* Safety ellipse / natural motion circumnavigation: the drift-free CW orbit
 * x = A cos(th), y = y_c - 2 A sin(th), z = B sin(th), th = phase + n t:
 * radial amplitude A (m), cross-track B (m), along-track centre y_c (m),
 * phase (rad). With the cross-track motion 90 deg out of phase with the
 * radial one, the radial/cross-track separation never drops below min(A, B)
 * (passive safety). x0 = the state at th = phase. */
int gnc_safety_ellipse(double n, double radial_amp, double cross_amp, double along_center,
                       double phase, double x0[6]);

/* Closest approach to the target (origin) of the CW trajectory from x0 over
 * [0, horizon] (s): sampled, then refined by golden-section search.
 * t_ca (s), d_ca (m), r_ca (m, Hill). */
int gnc_cw_closest_approach(double n, const double x0[6], double horizon, double *t_ca,
                            double *d_ca, double r_ca[3]);


/* ---- Transfers and natural motion (on-board planning) ---------------------
 * Flags of a CW transfer (bits of *flags). */
typedef enum gnc_cw_flag {
    GNC_CW_CROSS_UNCONTROLLED = 1 /* sin(n tof) ~ 0: the cross-track position at
                                   * arrival does not depend on the departure
                                   * velocity; the cross-track velocity is kept
                                   * (dv_z = 0) and z_f is not reached unless it
                                   * equals cos(n tof) z0 */
} gnc_cw_flag;

/* The CW transfer from x0 to position r_f in tof (s): departure velocity
 * v_dep and arrival velocity v_arr (m/s, Hill). In-plane and cross-track are
 * solved apart. The in-plane 2x2 problem has the determinant
 * (8 (1 - cos th) - 3 th sin th) / n^2 = 2 sin(th/2) (8 sin(th/2) -
 * 3 th cos(th/2)) / n^2, th = n tof: it is singular when th is a multiple of
 * 2 pi and where tan(th/2) = 3 th/8 (th = 8.43, 14.87, ... rad: beyond one
 * orbit); half an orbit is well posed. The cross-track one is singular when
 * sin(th) = 0 (|sin th| < 1e-3: GNC_CW_CROSS_UNCONTROLLED, see above). A time
 * of flight within 1e-3 rad (n tof) of a singular in-plane case is
 * GNC_ERR_SINGULAR, never an absurd velocity. gnc_cw_two_impulse is this with
 * dv1 = v_dep - v0, dv2 = v_f - v_arr. */
int gnc_cw_transfer(double n, const double x0[6], const double r_f[3], double tof,
                    double v_dep[3], double v_arr[3], int *flags);

/* The transfer time on the grid tof_min + k tof_step <= tof_max (s) with the
 * least total |dv1| + |dv2| (arrival velocity v_f) among those whose coast
 * stays farther than min_range (m) from the target (closest approach over the
 * transfer; min_range 0: no constraint; first kept on ties). Singular grid
 * points are skipped, and so are cross-track-uncontrolled ones that would miss
 * z_f by more than 1e-6 (|r_f| + |x0 position|). GNC_ERR_DOMAIN when no grid
 * point qualifies, GNC_ERR_RANGE beyond 1e5 grid points. dv1, dv2 of the
 * chosen one. */
int gnc_cw_best_transfer(double n, const double x0[6], const double r_f[3],
                         const double v_f[3], double tof_min, double tof_max, double tof_step,
                         double min_range, double *tof, double dv1[3], double dv2[3]);

/* A state on the constant-range natural-motion circumnavigation of radius
 * (m) at phase (rad): in-plane 2:1 ellipse (radial radius/2, along-track
 * radius), cross-track amplitude radius sqrt(3)/2 in phase with the radial
 * motion, so |rho| = radius everywhere; phase pi/2 is on V-bar behind the
 * target: x = b cos(ph), y = -2 b sin(ph), z = zc cos(ph), b = radius/2,
 * zc = radius sqrt(3)/2, velocities the derivatives with d ph/dt = n. */
int gnc_nmc_state(double n, double radius, double phase, double x[6]);

/* The velocity that puts position r on the drift-free relative orbit centred
 * on the target through r, keeping the cross-track motion in phase with the
 * radial one (the constant-range circle): vx = n y/2, vy = -2 n x,
 * vz = -sqrt(3) A n sin(th), A = hypot(x, y/2), th = atan2(-y/2, x), computed
 * as its equal sqrt(3) n y/2. */
int gnc_nmc_velocity(double n, const double r[3], double v[3]);

/* Collision avoidance: of the six Hill-axis impulses of magnitude dv_mag
 * (+x, -x, +y, -y, +z, -z, in that order, first best kept on ties) applied to
 * x0, the one whose free CW coast keeps the largest minimum range over
 * horizon (s); dv (m/s, Hill) and that minimum range d_min (m). */
int gnc_cw_avoidance(double n, const double x0[6], double dv_mag, double horizon, double dv[3],
                     double *d_min);

/* Curvilinear relative coordinates about the target's orbit radius R (m):
 * the chaser's position R + x (target-centred, Hill axes) in spherical
 * coordinates rho (radius), theta (angle in the orbital plane from the
 * target's radial towards along-track) and phi (angle out of it towards the
 * orbit normal); c = [rho - R, R theta, R phi] and their rates
 * [d rho/dt, R d theta/dt, R d phi/dt] (rotating frame). The CW equations
 * hold in these coordinates to a much larger along-track separation than
 * in the rectilinear Hill ones, whose radial coordinate at an along-track
 * distance y is off by y^2/(2R) (110 m at 39 km). GNC_ERR_DOMAIN when R is
 * not finite and > 0, x is not finite, or the position is on the orbit
 * normal through the Earth's centre. */
int gnc_curvilinear_from_hill(double R, const double x[6], double c[6]);

/* A velocity change dv_c in curvilinear coordinates' rates (as
 * gnc_curvilinear_from_hill gives them) made at curvilinear position c[3]:
 * the velocity change dv_h in Hill axes (the local radial, along-track and
 * normal axes at theta = c1/R, phi = c2/R, the rates scaled to velocities by
 * rho cos(phi)/R and rho/R). Same domain errors; also rho = R + c0 not > 0. */
int gnc_curvilinear_dv_to_hill(double R, const double c[3], const double dv_c[3],
                               double dv_h[3]);

#endif /* GNC_RELATIVE_H */
