/*
 * gnc_attitude.h - attitude kinematics, determination (MEKF), guidance and
 * control, and the ADCS step (one 10 Hz control cycle = one call).
 *
 * Frames: N inertial (GCRF/J2000), B body, R reference (guidance). Quaternion
 * conventions of gnc_quat.h: q_BN maps inertial to body coordinates, so a body
 * turning at w (rad/s, body axes) obeys dC_BN/dt = -[w x] C_BN.
 *
 * Actuators: reaction wheels (3..GNC_WHEELS_MAX, any axes; the control laws
 * work on the body momentum h_w in N m s, body axes; the motor torque command
 * is dh_w/dt, the body receives its reaction -dh_w/dt, allocated to the wheels
 * in use by the minimum-norm pseudo-inverse) and three magnetorquers along
 * body x, y, z (dipole m in A m^2; torque m x B on the body).
 */
#ifndef GNC_ATTITUDE_H
#define GNC_ATTITUDE_H

/* q_out = q_BN propagated over dt (s) at constant body rate w_B (rad/s):
 * the exact rotation exp(-w dt) applied on the left. q_out may alias q_BN. */
int gnc_att_propagate(const double q_BN[4], const double w_B[3], double dt, double q_out[4]);

/* ---- Multiplicative EKF: gyro propagation, star-tracker updates ---------
 * State: q_BN estimate and gyro bias b (rad/s, body), true rate = gyro - b.
 * Error state [dtheta (rad), db (rad/s)] with C_true = (I - [dtheta x]) C_est;
 * covariance P (6x6, row-major).
 *
 * Measurements: q_st (one tracker solution, isotropic st_sigma per body
 * axis) and up to three star-tracker heads (q_heads, head_mask), each with
 * its own noise in body axes R_i = c^2 (I - b_i b_i^T) + a^2 b_i b_i^T
 * (c = st_cross_sigma across the head's boresight b_i, a = st_about_sigma
 * about it; both 0: st_sigma isotropic), applied one after the other. Each
 * update is gated: its normalised innovation squared z^T S^-1 z (3 dof)
 * above `gate` rejects it (counted in gnc_mekf_out.rejected). After
 * gate_reset rejected updates in a row (0: never) the filter restarts from
 * the next fix (the estimate is then known to be wrong, not the trackers:
 * several heads agree against it). Before initialisation the first fix
 * (q_st, then the lowest valid head) initialises it. */
typedef struct gnc_mekf_config {
    double gyro_arw;   /* rad/s/sqrt(Hz): gyro angle random walk (sigma_v) */
    double gyro_rrw;   /* rad/s^2/sqrt(Hz): gyro bias rate random walk (sigma_u) */
    double st_sigma;   /* rad: star-tracker 1-sigma error per body axis */
    double p0_att;     /* rad: 1-sigma attitude uncertainty at initialisation */
    double p0_bias;    /* rad/s: 1-sigma bias uncertainty at initialisation */
    double st_cross_sigma; /* rad: head 1-sigma across its boresight (0: st_sigma) */
    double st_about_sigma; /* rad: head 1-sigma about its boresight (0: st_sigma) */
    double st_boresight_B[9]; /* heads' boresights, body, [head * 3 + axis] */
    double gate;       /* NIS gate of every update (chi-square, 3 dof); 0: off */
    double gate_reset; /* rejected updates in a row that restart the filter; 0: never */
    int st_heads;      /* heads configured (0..3) */
} gnc_mekf_config;

enum { GNC_ST_HEADS_MAX = 3 };

typedef struct gnc_mekf {
    gnc_mekf_config cfg;
    double q_BN[4];    /* attitude estimate */
    double bias[3];    /* rad/s, gyro bias estimate (body) */
    double P[36];      /* error-state covariance */
    double R_head[27]; /* heads' measurement covariances, body, [head * 9 + ...] */
    int initialised;   /* 0 until the first star-tracker fix or gnc_mekf_reset */
    int rejected_run;  /* updates rejected in a row */
} gnc_mekf;

typedef struct gnc_mekf_in {
    double dt;         /* s since the previous step (>= 0) */
    double gyro[3];    /* rad/s, measured body rate (body axes) */
    double q_st[4];    /* star-tracker measurement of q_BN */
    int st_valid;      /* nonzero when q_st is a fresh measurement */
    double q_heads[12];/* heads' measurements of q_BN, [head * 4 + ...] */
    int head_mask;     /* bit i: q_heads[i] is a fresh measurement */
} gnc_mekf_in;

typedef struct gnc_mekf_out {
    double q_BN[4];    /* attitude estimate after the step */
    double w_B[3];     /* rad/s, bias-corrected body rate */
    double bias[3];    /* rad/s, gyro bias estimate */
    double sigma[6];   /* 1-sigma of [dtheta (rad), db (rad/s)] */
    double residual[3];/* rad, star-tracker residual before the update */
    int valid;         /* estimate initialised */
    int updated;       /* a star-tracker update was applied this step */
    double nis;        /* largest NIS of this step's updates (0: none) */
    int heads_used;    /* mask of the heads whose update was applied */
    int rejected;      /* updates rejected by the gate this step */
    int restarted;     /* 1: the filter restarted from a fix (gate_reset) */
} gnc_mekf_out;

int gnc_mekf_init(gnc_mekf *ctx, const gnc_mekf_config *cfg);
/* Set the estimate to (q_BN, bias) with the initial covariance; valid. */
int gnc_mekf_reset(gnc_mekf *ctx, const double q_BN[4], const double bias[3]);
/* Propagate over in->dt with the gyro, then apply the star tracker if valid.
 * Before initialisation the first valid star-tracker fix initialises it. */
int gnc_mekf_step(gnc_mekf *ctx, const gnc_mekf_in *in, gnc_mekf_out *out);
/* The full 6x6 covariance (row-major) of the current estimate. */
int gnc_mekf_covariance(const gnc_mekf *ctx, double P[36]);

/* ---- Coarse attitude: the on-board field model and TRIAD ----------------- */

/* The geomagnetic field (T, GCRF) at r_N (m) at t_tai (TAI s since 1958):
 * the flight software's own model, a tilted dipole from the IGRF-13 degree-1
 * coefficients carried to 2025.0 by their secular variation (g10 -29376.3,
 * g11 -1413.9, h11 4523.0 nT), Earth-fixed axes turned by the Earth rotation
 * angle of UT1 = TAI - 37 s (no precession, nutation or polar motion: its
 * own errors, about a degree against the IGRF at 500 km with the dipole's). */
int gnc_mag_dipole(double t_tai, const double r_N[3], double b_N[3]);

/* TRIAD: q_BN from two directions measured in the body (v1_B, v2_B) and
 * known in N (v1_N, v2_N); v1 (the more accurate) is kept exactly.
 * GNC_ERR_DOMAIN for zero or (anti)parallel pairs (angle below 1e-3 rad). */
int gnc_triad(const double v1_B[3], const double v2_B[3], const double v1_N[3],
              const double v2_N[3], double q_BN[4]);

/* ---- Control laws (stateless building blocks, also used by the step) ---- */

/* Quaternion-feedback PD with gyroscopic and feed-forward terms:
 * torque_B = -kp dtheta - kd (w_B - w_ref_B) + w_B x (I w_B + h_w) + I a_ref_B,
 * dtheta = -2 sgn(q0) vec(q_BR) the small rotation from R to B (body axes),
 * w_ref_B and a_ref_B the reference rate/acceleration in body axes. */
int gnc_att_pd(const double q_BN[4], const double w_B[3], const double q_RN[4],
               const double w_ref_R[3], const double a_ref_R[3], const double inertia[9],
               const double h_w[3], double kp, double kd, double torque_B[3]);

/* B-dot detumble: m = -k dB/dt, dB/dt from two magnetometer samples dt apart
 * (T, body), each axis clipped to m_max (A m^2). */
int gnc_bdot(const double b_prev[3], const double b_now[3], double dt, double k, double m_max,
             double m_out[3]);

/* Magnetorquer rate damping: m = k (w x B)/|B|^2, torque -k w_perp (k in N m s). */
int gnc_mtq_rate_damp(const double w_B[3], const double b_B[3], double k, double m_max,
                      double m_out[3]);

/* Momentum unloading: m = k (h_w x B)/|B|^2 (k in 1/s), torque -k h_w_perp. */
int gnc_mtq_unload(const double h_w[3], const double b_B[3], double k, double m_max,
                   double m_out[3]);

/* ---- Guidance ----------------------------------------------------------- */

/* Target-pointing reference q_RN: body boresight_B on the line of sight
 * los_N (target minus chaser, inertial); secondary_B (a body axis, not
 * parallel to the boresight) as close as possible to the sun (sun_N).
 * When the sun is within keepout (rad) of the line of sight the boresight is
 * moved off it, away from the sun, to exactly the keep-out angle and
 * *keepout_active is set. GNC_ERR_DOMAIN for zero or parallel axes. */
int gnc_target_pointing(const double boresight_B[3], const double secondary_B[3],
                        const double los_N[3], const double sun_N[3], double keepout,
                        double q_RN[4], int *keepout_active);

/* Slew guidance state: a reference attitude moved towards a target along the
 * eigenaxis with rate and acceleration limits. */
typedef struct gnc_slew {
    double q_RN[4];    /* reference attitude */
    double w_R[3];     /* rad/s, reference rate (R axes) */
    double a_R[3];     /* rad/s^2, reference acceleration of the last step */
    double q_prev_TN[4]; /* previous target (for its rate feed-forward) */
    double rate_max;   /* rad/s */
    double accel_max;  /* rad/s^2 */
    int initialised;
} gnc_slew;

int gnc_slew_init(gnc_slew *ctx, double rate_max, double accel_max);
/* Start the reference at q_RN with rate w_R (R axes). */
int gnc_slew_reset(gnc_slew *ctx, const double q_RN[4], const double w_R[3]);
/* Advance the reference by dt towards q_TN; *remaining = angle left (rad). */
int gnc_slew_step(gnc_slew *ctx, const double q_TN[4], double dt, double *remaining);

/* ---- The ADCS step -------------------------------------------------------- */
typedef enum gnc_adcs_mode {
    GNC_ADCS_OFF = 0,       /* no actuation, estimation only */
    GNC_ADCS_DETUMBLE = 1,  /* magnetorquers: gyro rate damping, B-dot without gyro */
    GNC_ADCS_RATE_DAMP = 2, /* wheels null the body rate, magnetorquers unload */
    GNC_ADCS_POINT = 3,     /* slew to and hold q_target_BN */
    GNC_ADCS_TARGET = 4,    /* point the boresight at r_target_N, sun keep-out */
    GNC_ADCS_SUN = 5        /* sun-safe: solar_B on sun_N, secondary_B towards
                             * normal_N (z_N x sun when the normal is unknown or
                             * within acos(0.99) of the sun) */
} gnc_adcs_mode;
/* POINT, TARGET and SUN fly RATE_DAMP (flag FALLBACK) while the estimate is
 * invalid, SUN also while sun_N is unknown (zero); DETUMBLE flies RATE_DAMP
 * (wheels) once |gyro| is below detumble_wheel_rate (0: never). In TARGET the
 * secondary axis goes towards normal_N, towards sun_N while the normal is
 * unknown (zero), and the keep-out is against sun_N when it is known. */

enum { GNC_WHEELS_MAX = 6 };

typedef enum gnc_adcs_flag {
    GNC_ADCS_FLAG_EST_VALID = 1,
    GNC_ADCS_FLAG_WHEEL_TORQUE_SAT = 2,
    GNC_ADCS_FLAG_WHEEL_MOMENTUM_LIMIT = 4,
    GNC_ADCS_FLAG_DIPOLE_SAT = 8,
    GNC_ADCS_FLAG_KEEPOUT = 16,
    GNC_ADCS_FLAG_SLEWING = 32,
    GNC_ADCS_FLAG_NO_MAG = 64,
    GNC_ADCS_FLAG_FALLBACK = 128,
    GNC_ADCS_FLAG_COARSE = 256  /* the coarse attitude (sun + field) fed the MEKF */
} gnc_adcs_flag;

typedef struct gnc_adcs_config {
    double dt;                 /* s, control period (0.1 at 10 Hz) */
    double inertia[9];         /* kg m^2, body axes, row-major */
    double kp;                 /* N m/rad, attitude gain */
    double kd;                 /* N m s/rad, rate gain */
    double wheel_torque_max;   /* N m per wheel */
    double wheel_momentum_max; /* N m s per wheel */
    double dipole_max;         /* A m^2 per magnetorquer */
    double bdot_gain;          /* A m^2 s/T, B-dot gain */
    double damp_gain;          /* N m s/rad, magnetorquer rate-damping gain */
    double unload_gain;        /* 1/s, momentum-unloading gain (0: off) */
    double slew_rate_max;      /* rad/s */
    double slew_accel_max;     /* rad/s^2 */
    double boresight_B[3];     /* camera boresight, body */
    double secondary_B[3];     /* body axis turned towards the orbit normal (the star
                                * tracker), as far as the primary axis allows */
    double solar_B[3];         /* solar-array normal, body: on the sun in SUN mode */
    double sun_keepout;        /* rad, minimum sun angle from the boresight */
    double detumble_wheel_rate;/* rad/s, DETUMBLE hands over to the wheels below this */
    int wheel_count;           /* wheels (3..GNC_WHEELS_MAX) */
    double wheel_axes_B[3 * GNC_WHEELS_MAX]; /* spin axes, body, [i*3 + axis]
                                              * (normalised on init) */
    double wheel_inertia;      /* kg m^2, each wheel's rotor about its axis */
    double wheel_speed_max;    /* rad/s */
    double check_min_dspeed;   /* rad/s, wheel check: commanded speed change to test */
    double check_speed_frac;   /* wheel check: only below this fraction of speed_max */
    double check_miss;         /* wheel check: relative miss that fails a sample */
    gnc_mekf_config mekf;
    double coarse_sigma;       /* rad: 1-sigma of the coarse attitude (sun sensor +
                                * magnetometer + field model, TRIAD); 0: none. It
                                * initialises the MEKF, and updates it while no head
                                * is valid and its attitude sigma exceeds this; only
                                * in full sun (gnc_eclipse of r_N: lit > 0.99) */
} gnc_adcs_config;

typedef struct gnc_adcs {
    gnc_adcs_config cfg;
    gnc_mekf mekf;
    gnc_slew slew;
    double inertia_inv[9];
    double mag_prev[3];        /* T, previous magnetometer sample (B-dot) */
    double pinv[3 * GNC_WHEELS_MAX]; /* allocation over pinv_mask, [i*3 + axis] */
    double u_int[GNC_WHEELS_MAX];    /* N m s, commanded torque integrated since the
                                      * last tachometer sample */
    double speed_prev[GNC_WHEELS_MAX]; /* rad/s, previous tachometer sample */
    int pinv_mask;             /* wheel mask the allocation was computed for (-1: none) */
    int speed_prev_valid;
    int mag_prev_valid;
    int last_mode;
    int initialised;
    double hold_N[3];          /* TARGET mode: the boresight held on the sun keep-out
                                * cone while the line of sight is near the sun */
    int hold;                  /* 1: hold_N is flown */
} gnc_adcs;

typedef struct gnc_adcs_in {
    double gyro_B[3];          /* rad/s, measured body rate */
    double q_st_BN[4];         /* star-tracker attitude */
    double mag_B[3];           /* T, magnetometer, body */
    double wheel_speed[GNC_WHEELS_MAX]; /* rad/s, latest tachometer sample (finite:
                                         * keep the previous one otherwise) */
    double q_target_BN[4];     /* POINT mode: commanded attitude */
    double r_target_N[3];      /* m, TARGET mode: target minus chaser, inertial, at ... */
    double v_target_N[3];      /* m/s, ... with this relative velocity, ... */
    double target_age;         /* s, ... target_age ago (extrapolated linearly) */
    double sun_N[3];           /* sun direction, inertial (any length; 0: unknown) */
    double normal_N[3];        /* chaser orbit normal, inertial (any length; 0: unknown) */
    int wheel_ok;              /* mask of wheels in use */
    int tach_new;              /* wheel_speed is a new sample (runs the wheel check) */
    int st_valid;
    int mag_valid;
    int gyro_valid;
    int mode;                  /* gnc_adcs_mode */
    double q_heads[12];        /* star-tracker heads' attitudes, [head * 4 + ...] */
    double sun_B[3];           /* coarse sun sensor: unit sun direction, body */
    double r_N[3];             /* m, chaser position, GCRF (0: unknown) */
    double time_tai;           /* s, TAI since 1958 (the field model's time) */
    int head_mask;             /* bit i: q_heads[i] is fresh */
    int sun_valid;             /* sun_B is valid */
} gnc_adcs_in;

typedef struct gnc_adcs_out {
    double q_BN[4];            /* attitude estimate */
    double w_B[3];             /* rad/s, estimated body rate */
    double bias_B[3];          /* rad/s, gyro bias estimate */
    double q_ref_BN[4];        /* guidance reference attitude */
    double w_ref_B[3];         /* rad/s, reference rate in body axes */
    double att_error;          /* rad, estimate vs commanded target (POINT/TARGET) */
    double ref_error;          /* rad, estimate vs reference */
    double torque_B[3];        /* N m, control torque on the body (wheels + mtq) */
    double wheel_torque[3];    /* N m, body momentum rate commanded (dh_w/dt), each
                                * axis clipped to wheel_torque_max and zeroed where
                                * h_body is at wheel_momentum_max that way */
    double wheel_cmd[GNC_WHEELS_MAX]; /* N m, per-wheel motor torque: the pseudo-inverse
                                       * over the wheels in use (none with fewer than
                                       * three; a plane of wheels gets the in-plane
                                       * part) applied to wheel_torque, clipped */
    double h_body[3];          /* N m s, wheel momentum from the tachometers, body */
    double h_norm;             /* N m s, |h_body| */
    double dipole_B[3];        /* A m^2, magnetorquer commands */
    double sigma[6];           /* MEKF 1-sigma [rad x3, rad/s x3] */
    int mode;                  /* mode flown this cycle */
    int flags;                 /* gnc_adcs_flag bits */
    int wheel_checked;         /* wheels tested by the wheel check this cycle (mask) */
    int wheel_bad;             /* of which failed: speed change missed the command's by
                                * more than check_miss (the task keeps persistence) */
    int heads_used;            /* mask of the heads whose update the MEKF applied */
    int st_rejected;           /* updates rejected by the MEKF's gate this cycle */
    double nis;                /* largest NIS of this cycle's updates (0: none) */
} gnc_adcs_out;

int gnc_adcs_init(gnc_adcs *ctx, const gnc_adcs_config *cfg);
/* Forget the estimate and the guidance state (keeps the configuration). */
int gnc_adcs_reset(gnc_adcs *ctx);
/* One control cycle: estimate, guide, control, allocate. */
int gnc_adcs_step(gnc_adcs *ctx, const gnc_adcs_in *in, gnc_adcs_out *out);

#endif /* GNC_ATTITUDE_H */
