/*
 * gnc_safety.h - passive safety of proximity operations: the missed-burn
 * screen (free drift of both craft with J2 and differential drag from the
 * estimated state and its covariance, closest approach against a keep-out
 * sphere at k sigma) and the choice of the inspection's phase from the light.
 *
 * Frames and units as gnc_ephem.h: SI, N = GCRF, Hill frame of the target
 * (x radial out, y along-track, z orbit normal); x_rel = [rho, rho_dot] of the
 * chaser relative to the target, rho_dot as seen in the rotating frame.
 */
#ifndef GNC_SAFETY_H
#define GNC_SAFETY_H

/* The on-board free-drift model of the screen (the flight software's own,
 * apart from the world's): point mass + J2 + drag of an exponential
 * atmosphere rotating with the Earth, rho(h) = rho0 exp(-(h - h0)/scale_h),
 * h = |r| - GNC_R_EARTH, a_drag = -rho |v_a| v_a / (2 bc), v_a = v - w_E x r.
 * bc = m / (Cd A) (kg/m^2) of each craft; 0: no drag on it. */
typedef struct gnc_drift_model {
    double horizon;    /* s, free drift screened (e.g. 86400) */
    double step;       /* s, RK4 step and sampling of the closest approach */
    double bc_target;  /* kg/m^2 */
    double bc_chaser;  /* kg/m^2 */
    double rho0;       /* kg/m^3, density at h0 */
    double h0;         /* m, reference altitude */
    double scale_h;    /* m, density scale height */
    double k_sigma;    /* size of the position ellipsoid (3: 3 sigma) */
} gnc_drift_model;

typedef struct gnc_drift_result {
    double t_ca;       /* s, time of the nominal closest approach */
    double d_ca;       /* m, nominal closest approach (chaser to target) */
    double t_k;        /* s, time of the smallest d_k */
    double d_k;        /* m, smallest distance from the target to the chaser's
                        * k-sigma position ellipsoid (0: the ellipsoid holds it) */
    double sigma_k;    /* m, 1-sigma position spread along the line of sight at t_k */
    double rn_min;     /* m, smallest radial/cross-track separation sqrt(x^2 + z^2) */
} gnc_drift_result;

/* Free drift over model->horizon from the target's state (r_t, v_t) and the
 * chaser's relative state x_rel with covariance P (6x6 row-major, Hill, [m,
 * m/s]; NULL: none). Both craft are integrated in GCRF with fixed-step RK4
 * on the drift model; the relative covariance is carried by the CW state
 * transition matrix of the target's mean motion (a linear model: the
 * ellipsoid is centred on the numerically integrated mean). Samples every
 * step (the minimum between two samples is not refined: at the relative
 * speeds of a drift, a few m/s at most, the error is below (v step)^2 / 8 d).
 * GNC_ERR_DOMAIN for bad inputs (non-finite, horizon or step <= 0, more than
 * 1e6 steps, a negative bc, k_sigma < 0) and when the
 * integration leaves the finite numbers. */
int gnc_drift_screen(const gnc_drift_model *model, const double r_t[3], const double v_t[3],
                     const double x_rel[6], const double P[36], gnc_drift_result *res);

/* Distance (m) from the origin to the ellipsoid {m + k L w : |w| <= 1} with
 * L L^T = S (3x3 symmetric positive semi-definite position covariance,
 * row-major): 0 when the ellipsoid holds the origin, |m| when k = 0. Jacobi
 * eigen-decomposition of S, then the closest point by bisection on the
 * Lagrange multiplier. */
int gnc_ellipsoid_distance(const double m[3], const double S[9], double k, double *d);

/* The inspection's phase from the light: on the e/i-separated safety ellipse
 * x = A cos th, y = -2 A sin th, z = B sin th centred on the target (th = th0
 * + n t), the phase th0 at the entry time -- dt (s) after the target's state
 * (r_t, v_t), the Hill axes turned by n dt as gnc_hill_to_inertial_at -- whose
 * orbit from the entry keeps the target lit and seen at a sun phase angle
 * (angle between target-to-sun and target-to-chaser) below max_phase (rad)
 * the largest fraction of the target's sunlit time over the inspection's
 * span (s, > 0; one orbit: 2 pi / n). The sun is along s_N (fixed over the
 * span), the shadow cylindrical (radius r_eq). 72 phases (5 deg), 180
 * samples of the span; the first best kept on ties. th0 (rad), good = that
 * fraction (0..1, 0 when never lit), lit = the target's sunlit fraction of
 * the span. */
int gnc_inspection_phase(double n, double radial_amp, double cross_amp, const double r_t[3],
                         const double v_t[3], double dt, double span, const double s_N[3],
                         double max_phase, double r_eq, double *th0, double *good,
                         double *lit);

#endif /* GNC_SAFETY_H */
