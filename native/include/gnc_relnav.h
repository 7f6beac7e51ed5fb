/*
 * gnc_relnav.h - relative navigation: an extended Kalman filter on the Hill
 * state of the chaser relative to the target (gnc_relative.h conventions)
 * from range, azimuth and elevation of the target (camera / lidar).
 *
 * Measurement: rho = -r, the line of sight from the chaser to the target in
 * Hill axes; range = |rho| (m), azimuth = atan2(rho_y, rho_x) (rad, in
 * (-pi, pi]), elevation = atan2(rho_z, hypot(rho_x, rho_y)) (rad).
 * Dynamics: CW with white acceleration noise of PSD accel_psd (m^2/s^3) per
 * axis (discrete Q of a double integrator).
 */
#ifndef GNC_RELNAV_H
#define GNC_RELNAV_H

typedef struct gnc_relnav_config {
    double n;            /* rad/s, target mean motion */
    double sigma_range;  /* m, range noise 1-sigma */
    double sigma_angle;  /* rad, azimuth and elevation noise 1-sigma */
    double accel_psd;    /* m^2/s^3, process noise PSD per axis */
    double gate;         /* NIS above which a measurement is rejected (0: never) */
} gnc_relnav_config;

typedef struct gnc_relnav {
    gnc_relnav_config cfg;
    double x[6];         /* m, m/s: estimate */
    double P[36];        /* covariance, row-major */
    int initialised;
    int rejected;        /* count of gated measurements since reset */
} gnc_relnav;

typedef struct gnc_relnav_in {
    double dt;           /* s to propagate before the update (>= 0) */
    double dv[3];        /* m/s, known impulse applied at the start of the step (Hill) */
    double meas[3];      /* [range m, azimuth rad, elevation rad] */
    int meas_valid;
} gnc_relnav_in;

typedef struct gnc_relnav_out {
    double x[6];         /* estimate after the step */
    double P[36];        /* its covariance */
    double sigma[6];     /* sqrt(diag P) */
    double innovation[3];/* [m, rad, rad] */
    double nis;          /* normalised innovation squared (3 dof) */
    int updated;         /* measurement applied */
    int rejected;        /* measurement rejected by the gate this step */
} gnc_relnav_out;

int gnc_relnav_init(gnc_relnav *ctx, const gnc_relnav_config *cfg);
/* Start from estimate x0 with covariance P0 (symmetric positive definite). */
int gnc_relnav_reset(gnc_relnav *ctx, const double x0[6], const double P0[36]);
/* Apply dv, propagate dt, update with the measurement if valid. */
int gnc_relnav_step(gnc_relnav *ctx, const gnc_relnav_in *in, gnc_relnav_out *out);
/* Predicted measurement h(x) and its Jacobian H (3x6) at the state x. */
int gnc_relnav_measure(const double x[6], double h[3], double H[18]);

#endif /* GNC_RELNAV_H */
