/*
 * gnc_relnav.h - relative navigation: an extended Kalman filter on the Hill
 * state of the chaser relative to the target (gnc_relative.h conventions)
 * from range, azimuth and elevation of the target (camera / lidar).
 *
 * Measurement: rho = -r, the line of sight from the chaser to the target in
 * Hill axes; range = |rho| (m), azimuth = atan2(rho_y, rho_x) (rad, in
 * (-pi, pi]), elevation = atan2(rho_z, hypot(rho_x, rho_y)) (rad).
 * Dynamics: CW with white acceleration noise of PSD accel_psd (m^2/s^3) per
 * axis (discrete Q of a double integrator). With cfg.nonlinear the state
 * follows the nonlinear relative two-body motion
 * about a circular orbit (the CW model's Cartesian frame misses the orbit's
 * curvature: y^2 / 2a, 0.3 m radial at 2 km); the circular reference leaves
 * out differential J2, in the truth world about 3e-9 s^-2 times the
 * separation, 1-sigma per axis, at twice the orbital rate.
 * With a reference orbit in the step's input (ref_valid: the target's
 * inertial state at the start of the step, its on-board ephemeris) the state
 * follows both craft instead: the chaser's inertial state from the Hill one,
 * target and chaser propagated side by side (RK4, two-body + J2, steps of at
 * most 10 s), the chaser back in the Hill frame of the target's new state
 * (gnc_hill_from_inertial), the frame the measurements are turned into.
 * What is left against the truth is differential drag and SRP (about
 * 1e-7 m/s^2). With either nonlinear propagation the covariance follows the
 * same propagation: its transition matrix by central differences (1 m and
 * 1 mm/s on each axis); CW's matrix only with the CW state.
 *
 * Noise models matching the sensors (issue 15): the range 1-sigma is
 * sigma_range + sigma_range_frac * range (predicted range); the bearing
 * 1-sigma sigma_angle is a cross-line-of-sight angle (sensor and attitude
 * knowledge, combined by the caller), so the azimuth's is
 * sigma_angle / cos(elevation); sigma_angle_el, when positive, is the
 * elevation's (the attitude error about the body axes differs, so the two
 * cross-line-of-sight directions may differ).
 * Burns: the known impulse dv is applied to the estimate; its execution error
 * (magnitude dv_sigma_frac of |dv|, direction dv_sigma_dir rad, and
 * dv_sigma_floor m/s per axis whatever the size, 1-sigma) is process noise on
 * the velocity. The error is one draw per burn: consecutive
 * steps with a nonzero dv are one burn (burn_dv accumulates it), and each
 * step adds Q(burn_dv + dv) - Q(burn_dv), Q(D) = frac^2 D D' +
 * dir^2 (|D|^2 I - D D') + floor^2 I (Q(0) = 0), so the whole burn carries
 * Q(D_total).
 * Bearing-only measurements (in->bearing_only: the camera beyond the ranging
 * sensor's reach, angles-only navigation): the update uses the azimuth and
 * elevation rows alone (2 dof, gated by gate_bearing); the range then comes
 * from the prior and the dynamics (burns make it observable).
 * Gating with recovery: after reject_inflate_n consecutive rejections the
 * position's covariance is multiplied by inflate (P <- D P D, D =
 * diag(sqrt(inflate) x3, 1 x3); recovery = 1), after reject_reset_n
 * the position is reset from the measurement itself (its own covariance), the
 * velocity and its covariance kept (recovery = 2); 0 disables each.
 */
#ifndef GNC_RELNAV_H
#define GNC_RELNAV_H

typedef struct gnc_relnav_config {
    double n;            /* rad/s, target mean motion */
    double sigma_range;  /* m, range noise 1-sigma */
    double sigma_angle;  /* rad, azimuth and elevation noise 1-sigma */
    double accel_psd;    /* m^2/s^3, process noise PSD per axis */
    double gate;         /* NIS above which a measurement is rejected (0: never) */
    double sigma_range_frac; /* range noise, fraction of the range (added) */
    double dv_sigma_frac;    /* burn execution error: magnitude, fraction of |dv| (1-sigma) */
    double dv_sigma_dir;     /* rad, burn execution error: direction (1-sigma) */
    double reject_inflate_n; /* consecutive rejections before inflating P (0: never) */
    double reject_reset_n;   /* consecutive rejections before a reset (0: never) */
    double inflate;          /* factor on P at an inflation (>= 1) */
    double nonlinear;        /* > 0: the state propagates by the nonlinear relative
                              * motion about the circular orbit of n (RK4, mu of
                              * the Earth), the covariance by its own transition */
    double sigma_angle_el;   /* rad, elevation (out-of-plane) 1-sigma when the attitude
                              * error differs by direction (0: sigma_angle) */
    double dv_sigma_floor;   /* m/s per axis, burn execution error independent of the
                              * burn's size (1-sigma, once per burn) */
    double gate_bearing;     /* NIS gate of a bearing-only measurement (2 dof; 0: gate) */
} gnc_relnav_config;

typedef struct gnc_relnav {
    gnc_relnav_config cfg;
    double x[6];         /* m, m/s: estimate */
    double P[36];        /* covariance, row-major */
    int initialised;
    int rejected;        /* count of gated measurements since reset */
    int consecutive;     /* consecutive gated measurements */
    double burn_dv[3];   /* m/s, the current burn's impulse so far (Hill) */
} gnc_relnav;

typedef struct gnc_relnav_in {
    double dt;           /* s to propagate before the update (>= 0) */
    double dv[3];        /* m/s, known impulse applied at the start of the step (Hill) */
    double meas[3];      /* [range m, azimuth rad, elevation rad] */
    int meas_valid;
    double ref_r[3];     /* m, the target's position at the start of the step, inertial */
    double ref_v[3];     /* m/s, its velocity */
    int ref_valid;       /* 1: propagate about this reference orbit (see above) */
    int bearing_only;    /* 1: meas has no range (meas[0] unused): the camera alone */
    double dv_dt;        /* s, the step's start minus the time dv was delivered (its
                          * centre; negative: after the start): the impulse is
                          * carried over it on CW, Phi(dv_dt) [0; dv], before the
                          * step (0: dv at the start) */
} gnc_relnav_in;

typedef struct gnc_relnav_out {
    double x[6];         /* estimate after the step */
    double P[36];        /* its covariance */
    double sigma[6];     /* sqrt(diag P) */
    double innovation[3];/* [m, rad, rad] */
    double nis;          /* normalised innovation squared (3 dof) */
    int updated;         /* measurement applied */
    int rejected;        /* measurement rejected by the gate this step */
    int consecutive;     /* consecutive rejections so far */
    int recovery;        /* 0 none, 1 covariance inflated, 2 reset from the measurement */
    int bearing_only;    /* the measurement was bearing-only (nis has 2 dof) */
    double S[9];         /* innovation covariance at the prior (rows and columns as
                          * innovation; bearing-only: row and column 0 zero; all 0
                          * without a measurement): with nis, the likelihood of the
                          * measurement (a bank of filters weighs by it) */
} gnc_relnav_out;

int gnc_relnav_init(gnc_relnav *ctx, const gnc_relnav_config *cfg);
/* Start from estimate x0 with covariance P0 (symmetric positive definite). */
int gnc_relnav_reset(gnc_relnav *ctx, const double x0[6], const double P0[36]);
/* Apply dv, propagate dt, update with the measurement if valid. */
int gnc_relnav_step(gnc_relnav *ctx, const gnc_relnav_in *in, gnc_relnav_out *out);
/* Update with a direct measurement z of the position (m, Hill), each axis
 * of variance var (m^2), e.g. GPS minus the target ephemeris. */
int gnc_relnav_update_position(gnc_relnav *ctx, const double z[3], double var);
/* Predicted measurement h(x) and its Jacobian H (3x6) at the state x. */
int gnc_relnav_measure(const double x[6], double h[3], double H[18]);
/* Measurement noise variances [range m^2, azimuth rad^2, elevation rad^2]
 * of the configuration at the predicted measurement h. */
int gnc_relnav_noise(const gnc_relnav_config *cfg, const double h[3], double r[3]);
/* Velocity process noise (3x3) of adding dv to a burn that has delivered D0. */
int gnc_relnav_burn_noise(const gnc_relnav_config *cfg, const double D0[3], const double dv[3],
                          double Q[9]);

#endif /* GNC_RELNAV_H */
