/*
 * gnc_safety.h - passive safety of proximity operations: the missed-burn
 * screen (free drift of both craft with J2 and differential drag from the
 * estimated state and its covariance, closest approach against a keep-out
 * sphere at k sigma) and the choice of the inspection's phase from the light
 * and the target's faces.
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

/* The inspection's phase from the light and the target's faces. On the
 * e/i-separated safety ellipse x = A cos th, y = -2 A sin th, z = B sin th
 * centred on the target (th = th0 + n t), the entry phase th0 -- the entry
 * dt (s) after the target's state (r_t, v_t), the Hill axes turned by n dt as
 * gnc_hill_to_inertial_at -- is chosen over the inspection's span (s, > 0;
 * one orbit: 2 pi / n) with the sun along s_N (fixed over the span) and the
 * Earth's shadow a cylinder of radius r_eq. At each sample where the target
 * is lit, the target is seen well when the sun phase angle (target-to-sun
 * against target-to-chaser) is below max_phase (rad), and a face of the
 * target is imaged when the camera (on target) is within face_view (rad) of
 * its normal and the sun within face_sun (rad) of it. The faces are those of
 * a target holding its own Hill frame (nadir-pointing: +x zenith, +y along
 * velocity, +z orbit normal); a face counts once imaged for face_min (s).
 * The choice: among the phases whose well-seen fraction of the sunlit time
 * is at least good_min, the one imaging the most faces, then the best seen;
 * when no phase reaches good_min (or face_view is 0: faces not planned), the
 * best seen. 72 phases (5 deg), 180 samples of the span, the first best kept
 * on ties. */
typedef struct gnc_inspection_geometry {
    double n;          /* rad/s, the target's mean motion */
    double radial_amp; /* m, A (> 0) */
    double cross_amp;  /* m, B (>= 0) */
    double r_t[3];     /* m, target position, GCRF */
    double v_t[3];     /* m/s, target velocity, GCRF */
    double dt;         /* s, entry time after the target's state */
    double span;       /* s, the inspection's duration (> 0) */
    double s_N[3];     /* sun direction, GCRF (any length > 0) */
    double max_phase;  /* rad, a good sun phase angle is below this (> 0) */
    double r_eq;       /* m, the Earth's radius (shadow cylinder) */
    double face_view;  /* rad, camera within this of a face's normal (0: faces not planned) */
    double face_sun;   /* rad, the sun within this of a face's normal (lit) */
    double face_min;   /* s, a face counts once imaged this long (>= 0) */
    double good_min;   /* fraction of the sunlit time seen well, floor of a face choice */
} gnc_inspection_geometry;

typedef struct gnc_inspection_choice {
    double th0;        /* rad, the ellipse's phase at the entry */
    double good;       /* its fraction of the sunlit time below max_phase (0 never lit) */
    double lit;        /* the target's sunlit fraction of the span */
    int faces;         /* faces imaged for face_min at that phase (0 when not planned) */
} gnc_inspection_choice;

/* GNC_ERR_DOMAIN for bad inputs (non-finite, a bound above broken, the
 * target inside r_eq, a zero sun vector, angles outside [0, pi]). */
int gnc_inspection_phase(const gnc_inspection_geometry *g, gnc_inspection_choice *c);

#endif /* GNC_SAFETY_H */
