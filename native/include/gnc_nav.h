/*
 * gnc_nav.h - the navigation cycle (1 Hz): the chaser's GPS fix and the
 * target's on-board ephemeris give the relative state in the target's Hill
 * frame, smoothed by a constant-gain filter propagated with the CW model;
 * once the relative-navigation sensor (camera/lidar: range and bearing in the
 * camera frame) sees the target, the relative-navigation EKF (gnc_relnav.h)
 * takes over, started from the current estimate; without a measurement it
 * coasts cfg.coast_s, then the GPS filter takes over again. Burns are told to
 * the filters as the Delta-v is delivered. One call per cycle. Beyond the
 * ranging sensor's reach the camera's bearing alone (meas_bearing_only)
 * feeds the EKF (angles-only; it starts on the first one, its covariance the
 * target's catalogue error, target_sigma, on top of p0).
 *
 * The cycle, as the autonomy task flew it before issue 13 (fsw/tasks/autonomy/task.py
 * _navigate): the mean motion n comes from the target ephemeris' cache before
 * this cycle's queries; the GPS fix is turned into the Hill frame of the
 * target at gps_t and carried to t by CW; dv_N is turned into the Hill axes of
 * t. GPS filter: reset to the GPS solution at the first fix or beyond
 * gps_reset_m, else x = CW(x + dv, t - t_last) then x += gain (z - x). EKF:
 * started (flag EKF_STARTED) from the estimate carried to t (the GPS solution
 * before any), its noise sigma_range + sigma_range_frac range, sigma_angle,
 * burns with their execution error, gating with recovery (gnc_relnav.h); a
 * sensor measurement is used once, at its own time meas_t (turned into the
 * Hill frame of meas_t, the EKF propagated to meas_t, updated, then carried
 * to t; never before the EKF's last step); once
 * on it coasts through camera gaps (burns, slews) on its own covariance: with
 * coast_s = 0 it never hands back to the GPS filter for want of a measurement
 * (coast_s > 0: after coast_s without one, the behaviour before issue 15);
 * a failed EKF step (EKF_FAILED) hands this very cycle to the GPS filter.
 * Stale GPS (none, or older than gps_max_age): the estimate coasts on CW with
 * dv applied (the EKF, if on, is not stepped). Reported sigmas: the EKF's
 * sqrt(trace) of position and velocity, or sigma_gps_pos/vel (RSS, the
 * covariance then diagonal with a third of their squares on each axis).
 *
 * Conventions: gnc_ephem.h (SI, TAI, GCRF, Hill x radial / y along-track /
 * z normal, rho = chaser minus target). The camera frame C: z_C on the
 * boresight, x_C the body x axis (body y when the boresight is within
 * acos(0.9) of x) made normal to it, y_C = z_C x x_C; the sensor reports
 * range (m), azimuth = atan2(x_C, z_C), elevation = asin(y_C / range) (rad).
 */
#ifndef GNC_NAV_H
#define GNC_NAV_H

/* the most components of the angles-only bank (gnc_nav_config.bank) */
enum { GNC_NAV_BANK_MAX = 11 };

typedef enum gnc_nav_source {
    GNC_NAV_NONE = 0,          /* no solution */
    GNC_NAV_GPS_EPHEMERIS = 1, /* GPS fix minus target ephemeris, constant-gain filter */
    GNC_NAV_RELNAV = 2         /* relative-navigation EKF on the sensor */
} gnc_nav_source;

typedef enum gnc_nav_flag {
    GNC_NAV_FLAG_TARGET_UNKNOWN = 1, /* no target ephemeris loaded */
    GNC_NAV_FLAG_GPS_STALE = 2,      /* no GPS fix within gps_max_age: coasting on CW */
    GNC_NAV_FLAG_EKF_STARTED = 4,    /* the EKF (re)started this cycle */
    GNC_NAV_FLAG_EKF_FAILED = 8,     /* the EKF step failed this cycle (ekf_status);
                                      * the GPS filter flies alone for retry_s */
    GNC_NAV_FLAG_REJECTED = 16,      /* a measurement was rejected by the gate */
    GNC_NAV_FLAG_COASTING = 32,      /* EKF on without a measurement this cycle */
    GNC_NAV_FLAG_GPS_RESET = 64,     /* GPS filter reset to the raw GPS solution
                                      * (first fix, or farther than gps_reset_m) */
    GNC_NAV_FLAG_BEARING_ONLY = 128  /* this cycle's sensor measurement had no range
                                      * (angles-only: nis has 2 dof) */
} gnc_nav_flag;

typedef enum gnc_nav_clock {
    GNC_NAV_CLOCK_DISCIPLINED = 1, /* a GPS fix has been used */
    GNC_NAV_CLOCK_UPDATED = 2,     /* a fix was used this cycle */
    GNC_NAV_CLOCK_REJECTED = 4,    /* a fix was rejected by the gate this cycle */
    GNC_NAV_CLOCK_RESET = 8        /* the offset was reset to a fix this cycle */
} gnc_nav_clock;

typedef struct gnc_nav_config {
    gnc_ephem_config ephem;    /* the target's (and chaser's) propagation */
    double n_default;          /* rad/s, mean motion used before a target is known */
    double gain_pos;           /* GPS filter: position gain per cycle (0..1] */
    double gain_vel;           /* GPS filter: velocity gain per cycle (0..1] */
    double gps_max_age;        /* s, a GPS fix older than this is stale */
    double gps_reset_m;        /* m, GPS filter resets to the raw solution beyond this */
    double sigma_gps_pos;      /* m, 1-sigma of the GPS filter's position (reported) */
    double sigma_gps_vel;      /* m/s, 1-sigma of the GPS filter's velocity (reported) */
    double sigma_range;        /* m, EKF range noise 1-sigma, constant part */
    double sigma_range_frac;   /* EKF range noise, fraction of range (added) */
    double sigma_angle;        /* rad, EKF bearing noise 1-sigma (sensor + attitude) */
    double accel_psd;          /* m^2/s^3, EKF process noise PSD per axis */
    double gate;               /* EKF NIS gate (0: none) */
    double p0[6];              /* EKF initial covariance diagonal (m^2, (m/s)^2) */
    double meas_max_age;       /* s, a sensor measurement older than this is unused */
    double coast_s;            /* s, EKF coasts this long without a measurement (0: always) */
    double retry_s;            /* s, after an EKF failure the GPS filter flies alone */
    double boresight_B[3];     /* camera boresight, body axes (any length) */
    double dv_sigma_frac;      /* EKF burn execution error, magnitude (fraction, 1-sigma) */
    double dv_sigma_dir;       /* rad, EKF burn execution error, direction (1-sigma) */
    double reject_inflate_n;   /* EKF: consecutive rejections before inflating (0: never) */
    double reject_reset_n;     /* EKF: consecutive rejections before a reset (0: never) */
    double inflate;            /* EKF: covariance factor of an inflation */
    double nonlinear;          /* EKF: > 0 nonlinear state propagation (gnc_relnav.h);
                                * >= 2 about the target's ephemeris orbit (two-body + J2) */
    double sigma_gps_rel;      /* m, per axis: the GPS-minus-ephemeris position fused
                                * into the EKF in cycles without a camera measurement
                                * (GPS noise and ephemeris error; 0: never) */
    /* The on-board clock (issue 17): with clock_sigma_b0 > 0, t, meas_t and
     * gps_met are readings of the on-board clock (its own, free-running
     * idea of TAI) and gps_t is the GPS time (TAI) of the fix's PPS edge,
     * whose on-board reading is gps_met. A two-state Kalman filter (offset
     * b = on-board minus TAI, frequency offset d; the clock model of Brown
     * and Hwang: white frequency noise q_wf and random-walk frequency noise
     * q_rw) is updated at each new fix with z = gps_met - gps_t, and every
     * on-board time is turned into TAI as t - (b + d (t - t_b)) before the
     * cycle. With clock_sigma_b0 = 0 every time is TAI already. */
    double clock_sigma_b0;     /* s, 1-sigma offset before the first fix (0: no clock filter) */
    double clock_sigma_d0;     /* 1-sigma frequency offset before the first fix (s/s) */
    double clock_q_wf;         /* s, white frequency noise: phase variance per second */
    double clock_q_rw;         /* 1/s, random-walk frequency noise */
    double clock_sigma_pps;    /* s, 1-sigma of a fix's time tag (PPS and latch) */
    double clock_gate;         /* NIS gate of a fix (0: none) */
    double clock_reset_n;      /* consecutive rejected fixes before a reset to a fix (0: never) */
    double clock_sigma_floor;  /* s, added in quadrature to the reported clock_sigma: a
                                * time-tag error that stays for minutes (the float64
                                * resolution of TAI seconds) is a bias, not averaged down */
    double dv_sigma_floor;     /* m/s per axis, EKF burn execution error independent of
                                * the burn's size (1-sigma, once per burn) */
    double gate_bearing;       /* EKF NIS gate of a bearing-only measurement (0: gate) */
    double target_sigma[4];    /* the error of the target's orbit from the launch notice
                                * (a catalogue's), Hill: 1-sigma radial, along-track and
                                * cross-track (m) and along-track drift rate (m/s); the
                                * rates are those of a bounded error (vR n sR, vN n sN, vT
                                * -2 n R + the drift): on the GPS filter's reported
                                * covariance and the EKF's start (0: none) */
    /* Refinement of the target's orbit by the chaser's own measurements
     * (issue 15): while the EKF flies on ranged samples inside refine_range,
     * each cycle's GPS solution minus the EKF's estimate is where the target
     * sits against its ephemeris (Hill); averaged over refine_s (each sample
     * carried to the end by CW), the ephemeris is re-anchored there. The
     * estimate and its covariance are turned into the new Hill frame, and
     * the target's 1-sigma becomes the GPS filter's (sigma_gps_pos per axis,
     * sigma_gps_vel for the drift). */
    double refine_s;           /* s, averaging window (0: never refine) */
    double refine_range;       /* m, refine only while the estimate's range is inside */
    /* Angles-only acquisition by a range-parameterised bank (issue 15; Peach
     * 1995): when the EKF starts on a bearing-only measurement its prior is
     * split along the line of sight into bank components (GNC_NAV_BANK_MAX at
     * most), their means at most one prior sigma apart and +-3 sigma from
     * seven on, each an EKF of its own with half that spacing as its sigma
     * there, weighted so
     * that the mixture has the prior's mean and covariance; each bearing
     * weighs them by its likelihood at their priors, and the estimate is the
     * mixture's mean and covariance. A single Cartesian EKF on bearings alone,
     * its prior kilometres long along the line of sight, linearises where it
     * is not and drifts towards the observer while its covariance shrinks
     * (range collapse). The bank becomes one EKF (its mixture) at the first
     * ranged measurement, or when one component is left (the others' weights
     * below 1e-9). */
    double bank;               /* components (0 or 1: one EKF; 2 to GNC_NAV_BANK_MAX) */
    /* The bearing floor (issue 15): the part of the attitude estimate's error
     * that is a bias over the filter's memory holds the position covariance
     * across the line of sight at least (range att_bias_frac att)^2 (att: the
     * cycle's attitude 1-sigma along the azimuth and the elevation). The
     * whole attitude 1-sigma is in each bearing's noise too; the part that
     * changes from second to second averages down with the bearings. 1: all
     * of it a bias; 0: no floor. */
    double att_bias_frac;
    /* The target orbit's error as unmodelled relative acceleration (issue
     * 15): the EKF's dynamics are evaluated about the on-board ephemeris, so
     * a target position error d (target_sigma, then the refined one) moves
     * the gravity gradient the relative motion feels: a bias of about
     * 3 n^2 |rho| |d| / r per axis (r: the target's orbit radius; 4e-6 m/s^2
     * at 4 km with a catalogue's 2 km along-track). Added to accel_psd as
     * that acceleration squared times frame_bias_s (a bias over that long
     * is a white acceleration of that PSD); 0: none. */
    double frame_bias_s;
} gnc_nav_config;

typedef struct gnc_nav {
    gnc_nav_config cfg;
    double cam_C[9];           /* rows x_C, y_C, z_C in body axes */
    gnc_ephem target;
    gnc_relnav ekf;
    double x[6];               /* current estimate (Hill) */
    double t_last;             /* s, time of the last step */
    double ekf_t;              /* s, time of the EKF's last step */
    double ekf_n;              /* rad/s, mean motion the EKF is configured with */
    double ekf_retry;          /* s, the EKF may start again from this time */
    double meas_used_t;        /* s, time of the last sensor measurement used */
    double normal_N[3];        /* unit orbit normal of the chaser (last GPS fix) */
    int target_known;
    int has_x;
    int ekf_on;
    int has_normal;
    double clk_x[2];           /* clock offset b (s) and frequency offset d at clk_m */
    double clk_P[3];           /* their covariance: bb, bd, dd */
    double clk_m;              /* s, on-board time of the clock estimate */
    int clk_fixes;             /* fixes used (0: the clock runs free) */
    int clk_rejects;           /* consecutive fixes rejected by the gate */
    double ref_mean[6];        /* refinement: mean target offset (Hill) carried to ref_t */
    double ref_t;              /* s, time of ref_mean */
    double ref_t0;             /* s, start of the window */
    int ref_n;                 /* samples in the window */
    double target_sigma_now[4]; /* the target orbit's error now (cfg.target_sigma until
                                 * a refinement) */
    gnc_relnav bank[GNC_NAV_BANK_MAX]; /* the angles-only bank's EKFs (ekf: their mixture) */
    double bank_w[GNC_NAV_BANK_MAX];   /* their weights (sum 1; 0: dropped) */
    int bank_n;                /* components in use (0: the EKF alone) */
} gnc_nav;

typedef struct gnc_nav_in {
    double t;                  /* s, time of this cycle: TAI, or the on-board clock */
    double gps_t;              /* s TAI, time of the GPS fix (its GPS time) */
    double gps_r_N[3];         /* m, chaser position, GCRF */
    double gps_v_N[3];         /* m/s, chaser velocity, GCRF */
    double meas_t;             /* s, time of the sensor measurement (as t) */
    double meas[3];            /* [range m, azimuth rad, elevation rad], camera frame */
    double q_BN[4];            /* attitude estimate (for the sensor's bearing) */
    double dv_N[3];            /* m/s, Delta-v delivered since the previous cycle, GCRF */
    int gps_valid;
    int meas_valid;
    int att_valid;
    double att_sigma;          /* rad, 1-sigma of the attitude estimate (added to the
                                * bearing noise in quadrature; 0: none) */
    double gps_met;            /* s, on-board clock at the fix's PPS edge (clock filter) */
    double att_sigma_B[3];     /* rad, 1-sigma of the attitude estimate about each body
                                * axis (all 0: att_sigma about every axis) */
    int meas_bearing_only;     /* 1: the sensor measured no range (meas[0] unused) */
    double att_dt;             /* s, the measurement's time minus the attitude
                                * estimate's: q_BN is carried over it at att_rate_B
                                * before it turns the bearing (0: as given) */
    double att_rate_B[3];      /* rad/s, body rate of the attitude estimate */
    double dv_age;             /* s, t minus the time dv_N was delivered (its centre;
                                * negative: after t): the relative-navigation EKF,
                                * which takes dv_N at its previous step, moves its
                                * position with it (0: dv_N delivered at t) */
} gnc_nav_in;

typedef struct gnc_nav_out {
    double x_H[6];             /* [rho m, rho_dot m/s], Hill */
    double r_rel_N[3];         /* m, target minus chaser, GCRF */
    double v_rel_N[3];         /* m/s, target velocity minus chaser velocity, GCRF */
    double r_target_N[3];      /* m, target position (on-board ephemeris), GCRF */
    double v_target_N[3];      /* m/s, target velocity, GCRF */
    double sun_N[3];           /* unit Earth-to-sun, GCRF */
    double normal_N[3];        /* unit chaser orbit normal, GCRF (0 before a GPS fix) */
    double mean_motion;        /* rad/s, of the target (n_default when unknown) */
    double sigma_pos;          /* m, 1-sigma position uncertainty (RSS of the axes) */
    double sigma_vel;          /* m/s, 1-sigma velocity uncertainty (RSS) */
    double nis;                /* EKF normalised innovation squared (0 without update) */
    int valid;                 /* 1: a relative solution exists */
    int source;                /* gnc_nav_source */
    int flags;                 /* gnc_nav_flag bits */
    int ekf_status;            /* gnc_status of the EKF step when EKF_FAILED */
    double cov_pos[6];         /* m^2, position covariance, Hill: xx xy xz yy yz zz */
    double cov_vel[6];         /* (m/s)^2, velocity covariance, Hill: xx xy xz yy yz zz */
    int consecutive;           /* EKF: consecutive rejections */
    int recovery;              /* EKF: 0 none, 1 covariance inflated, 2 reset (this cycle) */
    double t_est;              /* s, TAI of this cycle (in->t without the clock filter) */
    double clock_offset;       /* s, estimated on-board minus TAI at t */
    double clock_drift;        /* estimated frequency offset (s/s) */
    double clock_sigma;        /* s, 1-sigma of clock_offset at t (0: no clock filter) */
    double clock_sigma_drift;  /* 1-sigma of clock_drift */
    double clock_nis;          /* NIS of this cycle's fix (0: none) */
    int clock_state;           /* gnc_nav_clock bits */
    int target_refined;        /* 1: the target's ephemeris was re-anchored this cycle */
    double target_shift_H[3];  /* m, that shift (the former Hill frame) */
    int bank;                  /* components of the angles-only bank alive (0: one EKF) */
} gnc_nav_out;

int gnc_nav_init(gnc_nav *ctx, const gnc_nav_config *cfg);
/* Load the target's state (r, v) at t (gnc_orbit_check'ed); forgets the estimate. */
int gnc_nav_set_target(gnc_nav *ctx, const double r_N[3], const double v_N[3], double t);
/* One navigation cycle. */
int gnc_nav_step(gnc_nav *ctx, const gnc_nav_in *in, gnc_nav_out *out);

#endif /* GNC_NAV_H */
