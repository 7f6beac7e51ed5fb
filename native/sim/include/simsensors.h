/*
 * simsensors.h - the avionics side of the simulation core (hil._simcore):
 * a random generator specified bit for bit, the sensor models, the world's
 * packets built straight into buffers, and the set-up maths (initial states)
 * of the world. Like simcore.h: portable C99, no allocation, no global
 * mutable state, every function returns a sim_status; the truth simulation's
 * own models, never shared with the flight software.
 *
 * Random generator (sim_rng), specified so that any implementation can
 * reproduce it bit for bit (tests/sim/test_sim_rng.py does, in Python
 * integers):
 *  - arithmetic on unsigned 64-bit integers, modulo 2^64;
 *  - mix(z): z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
 *            z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31)
 *    (the splitmix64 finaliser), GAMMA = 0x9E3779B97F4A7C15;
 *  - seeding from (seed, stream): x = mix(seed + GAMMA) ^ stream; then four
 *    splitmix64 outputs, each x += GAMMA, s[i] = mix(x), for i = 0..3;
 *  - next (xoshiro256**): out = rotl(s[1] * 5, 7) * 9; t = s[1] << 17;
 *    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
 *    s[3] = rotl(s[3], 45);
 *  - uniform double in [0, 1): (next >> 11) * 2^-53 (exact);
 *  - standard normal deviates by Marsaglia's polar method, in pairs: draw
 *    u = 2 U1 - 1, v = 2 U2 - 1 (U1 then U2, uniform as above; exact) until
 *    0 < s = u*u + v*v < 1; f = sqrt((-2 * log(s)) / s) with the project's
 *    log (gnc_log); return u*f and keep v*f as the next deviate (IEEE double
 *    operations in exactly this order; sqrt correctly rounded).
 * Each sensor draws from its own stream: (scenario seed, stream number), so
 * one sensor's rate or dropout never shifts another's noise. Stream numbers:
 * sensor id + 1 (1..8, the order below) and 101 for the gyro's initial bias;
 * 102 the gyro's bias instability, 103 its scale-factor errors, 104 the GPS
 * receiver's correlated errors, 105 the on-board clock and the PPS; the second
 * and third star-tracker heads (sensor ids 8, 9) 202 and 203; the
 * accelerometer (sensor id 10) 11, its initial bias 106 and its scale-factor
 * errors 107; the electrical power system's monitor (sensor id 11) 12.
 * A new sensor, head or noise process takes a number of its own, never one of
 * these (renumbering would change every run's noise).
 *
 * Sensors (one struct each: configuration as in hil.sim.config, state, own
 * generator; the bank sim_sensors holds one of each, indexed by
 * sim_sensor_id in the order of hil.sim.config.SENSOR_NAMES). Models:
 *  - gyro: w_m = (1 + s) (w + b + g) + sv n, sv = ARW / sqrt(T); per sample
 *    the bias walks b += su n', su = RRW sqrt(T) (T = 1 / rate); initial
 *    bias bias_sigma N(0, 1) per axis from stream 101; s the scale-factor
 *    error per axis, scale_factor_ppm 1e-6 N(0, 1) from stream 103 (drawn
 *    once); g the bias instability: a sum of GM_TERMS first-order
 *    Gauss-Markov processes g_k(n+1) = a_k g_k + c_k n'' (a_k = exp(-T/tau_k),
 *    tau_k = 10 * 4^k s, k = 0..5 (GM_TERMS = 6), c_k = sig sqrt(1 - a_k^2),
 *    sig = 0.6826 bias_instability for every term, started stationary
 *    (sig N(0, 1)): the sum's Allan deviation is flat at 0.664
 *    bias_instability (IEEE 952's flicker floor) within 6 % from 40 s to
 *    4000 s), drawn from stream 102 (18 per sample, [axis * 6 + k]) when
 *    bias_instability > 0.
 *    Draws 6 per sample from its own stream (n[0..2] white noise, n[3..5]
 *    bias walk).
 *  - star tracker (heads 1..3: sensor ids 1, 8, 9): q_m = dq (x) q_BN
 *    (scalar >= 0), dq the rotation by the small angles e = F^T (bias +
 *    sig * n) (body; F rows: tracker x, y, z = boresight; sig = cross,
 *    cross, about; bias in arcsec, tracker axes), dq = (1, e/2) / |(1, e/2)|.
 *    Blinded (valid 0, q = identity) when the sun (not in eclipse) is within
 *    sun_exclusion_deg of the boresight, the Earth's limb within
 *    earth_exclusion_deg of it, the Moon (sim_moon, seen from the craft)
 *    within moon_exclusion_deg of it, or |w| above max_rate_deg_s; after a
 *    blinded sample (and at power-on) it is valid again only once it has
 *    been clear for acquisition_s. Draws 3.
 *  - sun sensor: six cosine cells on +-x, +-y, +-z, cell i sees
 *    max(0, +-s_i) + noise_sigma n; estimate = normalised differences of
 *    opposite cells, invalid below threshold (dark in eclipse). Draws 6.
 *  - magnetometer: (B_B + bias) + noise_sigma n. Draws 3.
 *  - GPS receiver: r + g_r + position_sigma n[0..2], v + g_v + velocity_sigma
 *    n[3..5] (draws 6), g_r and g_v first-order Gauss-Markov errors per axis
 *    (time constant gm_tau_s, steady sigmas gm_position_sigma and
 *    gm_velocity_sigma; a = exp(-T/tau), g = a g + sig sqrt(1 - a^2) n'',
 *    started stationary; 6 draws per sample from stream 104 when
 *    gm_tau_s > 0). No fix (valid 0, r = v = 0) before ttff_s after the
 *    world's start, while |w| exceeds max_rate_deg_s, while the antenna
 *    (antenna_B, body) is more than max_zenith_deg from the zenith, and for
 *    reacquisition_s after such an outage.
 *    The on-board clock (stream 105): started at the first sample with
 *    offset clock_offset_sigma n and frequency offset clock_freq_sigma n
 *    (2 draws), then carried over each sample interval T by x = [b, d],
 *    b += d T, plus the exact process noise of the two-state model,
 *    Q = [[q_wf T + q_rw T^3 / 3, q_rw T^2 / 2], [q_rw T^2 / 2, q_rw T]],
 *    as L [n1, n2] with L its Cholesky factor (2 draws when T > 0). obc_time
 *    = t + b (every sample); gps_time = t + pps_sigma n (1 draw, with a fix
 *    only; 0 without). Both as TAI seconds in the packet (t the packet's
 *    time), offsets from the world's time in sim_sensor_sample's values.
 *  - relative navigation: line of sight to the target in the camera frame C
 *    (z = boresight, x = body x projected normal to it, or body y when the
 *    boresight is within acos(0.9) of x); range |los|, azimuth
 *    atan2(x_C, z_C), elevation asin(y_C / range); valid inside the field of
 *    view and from min_range, and then:
 *    - within max_range (the ranging limit) range and bearing (ranged 1)
 *      while the target can be seen: within lidar_range the lidar's range
 *      and bearing need no light; beyond it the camera needs the target lit
 *      (not in the Earth's shadow), a sun phase angle at the target (sun -
 *      target - chaser) of at most phase_max_deg, and the sun (the chaser
 *      not in the shadow) at least sun_exclusion_deg from the boresight;
 *    - beyond max_range, with angles_only, bearings only (range 0, ranged 0)
 *      while the camera detects the target, whatever lidar_range: the target
 *      lit, the phase angle and the sun as above, the line of sight more
 *      than the Earth's angular radius asin(r_earth / |r_chaser|) plus
 *      earth_exclusion_deg from the direction to the Earth's centre (the
 *      bright limb), and the target's apparent visual magnitude at most
 *      limit_mag. The target is a diffuse (Lambertian) sphere of geometric
 *      albedo p and cross-section target_area (pi a^2): m = M_SUN -
 *      2.5 log10(p a^2 Phi(alpha) / R^2), Phi(alpha) = ((pi - alpha)
 *      cos alpha + sin alpha) / pi, alpha the phase angle, R the range,
 *      M_SUN = -26.74 (the Sun's apparent V magnitude); tested as the flux
 *      ratio p a^2 Phi / R^2 >= 10^((M_SUN - limit_mag) / 2.5), the
 *      threshold computed at initialisation (gnc_pow), alpha by gnc_atan2;
 *    noise (range_sigma + fraction * range) n0 (ranged only), angle_sigma
 *    n1, n2. Draws 3, valid or not.
 *  - wheel tachometers: speeds (4, padded with 0) + noise_sigma n. Draws 4.
 *  - propulsion status: tank pressure + pressure_sigma n0, propellant
 *    max(0, mass + mass_sigma n1). Draws 2.
 *  - accelerometer (the IMU's delta-velocity channel, at the centre of
 *    mass): the craft's sensed velocity dv_sensed_B (simcore.h: the running
 *    total of the thrust, drag and SRP increments in body axes, gravity
 *    unfelt) is kept at each sample; a sample outputs the increment since
 *    the previous one, per axis dv_m = (1 + s) dv + b T + vrw sqrt(T) n, T =
 *    the time since the previous sample (the packet's dt; the first sample
 *    covers the time since the world's start, t = 0, where the total starts
 *    at 0: at t = 0 it is dv_m = 0 over T = 0), vrw = velocity_random_walk;
 *    b the bias per axis, bias_sigma N(0, 1) from stream 106, s the
 *    scale-factor error per axis, scale_factor_ppm 1e-6 N(0, 1) from stream
 *    107 (both drawn once). Always valid. Draws 3. A sample not published
 *    (dropout) loses its increment: the next covers only its own interval.
 *  - electrical power system (EPS): the craft's battery state of charge
 *    clamp(soc + soc_sigma n0, 0, 1), the array's power max(0, P + power_sigma
 *    n1) and the load's max(0, L + power_sigma n2) (simcore.h's power
 *    model). Draws 3.
 * A sample always draws its noise (also when it is not published).
 *
 * Packets: values (doubles in the dictionary's field order, flags 0/1) and
 * whole space packets (primary header, CUC 4+2 time, fields, CRC-16) with the
 * layouts generated from the packet dictionary (native/sim/src/sim_packets.h;
 * `python -m hil.sim.packet_layout`). The packet index (sim_sensor_packet's
 * and sim_packet_encode's `packet`) is the generated SIM_PKT_* number:
 * sim_packet_info gives its APID and length.
 *
 * This header is part of the cffi cdef (native/build_sim.py): no macros.
 */
#ifndef SIMSENSORS_H
#define SIMSENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "simcore.h"

/* ---------------------------------------------------------------- generator */

typedef struct sim_rng {
    uint64_t s[4];
    double spare;      /* the second deviate of the last polar pair */
    int has_spare;
} sim_rng;

/* Seed from (seed, stream) as specified above; no spare deviate. */
int sim_rng_seed(sim_rng *rng, uint64_t seed, uint64_t stream);
/* n raw 64-bit outputs. These three return SIM_ERR_STATE for the all-zero
 * state (never seeded: xoshiro's one invalid state). */
int sim_rng_next(sim_rng *rng, uint64_t *out, size_t n);
/* n uniform doubles in [0, 1). */
int sim_rng_uniform(sim_rng *rng, double *out, size_t n);
/* n standard normal deviates. */
int sim_rng_normal(sim_rng *rng, double *out, size_t n);
/* The natural logarithm the normal deviates use (the project's gnc_log), for
 * tests that reproduce the generator. */
int sim_rng_log(double x, double *out);

/* ---------------------------------------------------------------- sensors */

typedef enum sim_sensor_id {
    SIM_SENSOR_GYRO = 0,
    SIM_SENSOR_STAR_TRACKER = 1,
    SIM_SENSOR_SUN_SENSOR = 2,
    SIM_SENSOR_MAGNETOMETER = 3,
    SIM_SENSOR_GPS = 4,
    SIM_SENSOR_RELNAV = 5,
    SIM_SENSOR_WHEEL_TACH = 6,
    SIM_SENSOR_PROP_STATUS = 7,
    SIM_SENSOR_STAR_TRACKER_2 = 8,
    SIM_SENSOR_STAR_TRACKER_3 = 9,
    SIM_SENSOR_ACCEL = 10,
    SIM_SENSOR_EPS = 11,
    SIM_SENSOR_COUNT = 12
} sim_sensor_id;

/* Configurations: the members of hil.sim.config's dataclasses, same names. */
typedef struct sim_gyro_config {
    double rate_hz;
    double angle_random_walk;  /* rad/s^0.5 */
    double bias_random_walk;   /* rad/s^1.5 */
    double bias_sigma;         /* rad/s */
    double bias_instability;   /* rad/s, IEEE 952 B (flat Allan floor 0.664 B) */
    double scale_factor_ppm;   /* 1-sigma scale-factor error per axis */
} sim_gyro_config;

typedef struct sim_star_tracker_config {
    double rate_hz;
    double cross_boresight_sigma_arcsec;
    double about_boresight_sigma_arcsec;
    double boresight[3];       /* body */
    double sun_exclusion_deg;
    double earth_exclusion_deg;
    double max_rate_deg_s;
    double moon_exclusion_deg; /* from the Moon's centre */
    double acquisition_s;      /* clear this long before a fix after a gap */
    double bias_arcsec[3];     /* fixed error, tracker axes x, y, z (about) */
} sim_star_tracker_config;

typedef struct sim_sun_sensor_config {
    double rate_hz;
    double noise_sigma;
    double threshold;
} sim_sun_sensor_config;

typedef struct sim_magnetometer_config {
    double rate_hz;
    double noise_sigma;        /* T */
    double bias[3];            /* T */
} sim_magnetometer_config;

typedef struct sim_gps_config {
    double rate_hz;
    double position_sigma;     /* m */
    double velocity_sigma;     /* m/s */
    double ttff_s;             /* time to first fix after the world's start */
    double reacquisition_s;    /* time to a fix after an outage */
    double max_rate_deg_s;     /* tracking lost above this body rate */
    double antenna_B[3];       /* antenna boresight, body */
    double max_zenith_deg;     /* tracking lost with the antenna farther from zenith */
    double gm_tau_s;           /* correlation time of the errors (0: white only) */
    double gm_position_sigma;  /* m, steady-state sigma of the correlated error */
    double gm_velocity_sigma;  /* m/s */
    /* The on-board clock, read at the receiver's PPS edge (every sample,
     * fix or not): its offset from TAI starts N(0, clock_offset_sigma), its
     * frequency offset N(0, clock_freq_sigma), and both follow the two-state
     * clock model (white frequency noise clock_q_wf, random-walk frequency
     * noise clock_q_rw; exact discretisation between samples). A fix's GPS
     * time is TAI plus N(0, pps_sigma). */
    double clock_offset_sigma; /* s */
    double clock_freq_sigma;   /* s/s */
    double clock_q_wf;         /* s (phase variance per second) */
    double clock_q_rw;         /* 1/s */
    double pps_sigma;          /* s */
} sim_gps_config;

typedef struct sim_relnav_config {
    double rate_hz;
    double boresight[3];       /* body */
    double fov_half_angle_deg;
    double min_range;          /* m */
    double max_range;          /* m */
    double range_sigma;        /* m */
    double range_sigma_fraction;
    double angle_sigma_deg;
    double lidar_range;        /* m: the lidar sees the target in any light within it (0: no
                                * lidar; infinite: the sensor sees in any light) */
    double phase_max_deg;      /* camera: sun phase angle at the target, at most (180: any) */
    double sun_exclusion_deg;  /* camera: sun from the boresight, at least (0: none) */
    /* Beyond max_range (the ranging limit): bearings only, by the camera's
     * visibility model (see the relnav model above) */
    double angles_only;        /* nonzero: bearings beyond max_range; 0: nothing there */
    double earth_exclusion_deg; /* line of sight from the Earth's limb, at least, [0, 90] */
    double limit_mag;          /* faintest apparent visual magnitude detected */
    double target_area;        /* m^2, the target's mean projected area (> 0) */
    double target_albedo;      /* the target's geometric albedo (>= 0) */
} sim_relnav_config;

typedef struct sim_wheel_tach_config {
    double rate_hz;
    double noise_sigma;        /* rad/s */
} sim_wheel_tach_config;

typedef struct sim_prop_status_config {
    double rate_hz;
    double pressure_sigma;     /* Pa */
    double mass_sigma;         /* kg */
} sim_prop_status_config;

typedef struct sim_accel_config {
    double rate_hz;
    double velocity_random_walk; /* m/s/s^0.5 */
    double bias_sigma;         /* m/s^2, initial bias per axis (drawn once) */
    double scale_factor_ppm;   /* 1-sigma scale-factor error per axis (drawn once) */
} sim_accel_config;

typedef struct sim_eps_config {
    double rate_hz;
    double soc_sigma;          /* 1-sigma error of the state of charge (fraction) */
    double power_sigma;        /* W, 1-sigma error of each power */
} sim_eps_config;

/* Sensor states: configuration, what sim_sensor_init derives from it, the
 * generator and the model's own state. */
typedef struct sim_gyro {
    sim_gyro_config cfg;
    sim_rng rng;
    double sv, su;             /* white-noise and bias-walk sigmas per sample */
    double bias[3];            /* rad/s, body: the current bias */
    sim_rng rng_gm;            /* stream 102: bias instability */
    double gm[18];             /* the Gauss-Markov terms, [axis * 6 + k] */
    double gm_a[6], gm_c[6];   /* their factors per sample */
    double scale[3];           /* scale-factor errors (drawn once) */
} sim_gyro;

typedef struct sim_star_tracker {
    sim_star_tracker_config cfg;
    sim_rng rng;
    double frame[9];           /* rows x, y, z (= boresight) of the tracker in body axes */
    double sig[3];             /* rad: cross, cross, about */
    double cos_sun;            /* cos of the sun exclusion angle */
    double cos_earth, sin_earth; /* of the Earth-limb exclusion angle */
    double max_rate2;          /* (rad/s)^2 */
    double cos_moon;           /* cos of the Moon exclusion angle */
    double bias[3];            /* rad, tracker axes */
    double clear_since;        /* s (world time) clear since; -1: blinded */
    int head;                  /* 0, 1, 2 */
} sim_star_tracker;

typedef struct sim_sun_sensor {
    sim_sun_sensor_config cfg;
    sim_rng rng;
} sim_sun_sensor;

typedef struct sim_magnetometer {
    sim_magnetometer_config cfg;
    sim_rng rng;
} sim_magnetometer;

typedef struct sim_gps {
    sim_gps_config cfg;
    sim_rng rng;
    sim_rng rng_gm;            /* stream 104: the correlated errors */
    double gm[6];              /* position (3), velocity (3) errors */
    double gm_a, antenna[3], cos_zenith, max_rate2;
    double clear_since;        /* s (world time) tracking since; -1: in an outage */
    int fixed;                 /* the first fix was made */
    sim_rng rng_clock;         /* stream 105: the on-board clock and the PPS */
    double clock_offset;       /* s, on-board clock minus TAI at clock_t */
    double clock_freq;         /* frequency offset at clock_t */
    double clock_t;            /* s (world time) of the clock state; -1: not started */
} sim_gps;

typedef struct sim_relnav {
    sim_relnav_config cfg;
    sim_rng rng;
    double frame[9];           /* rows x, y, z (= boresight) of the camera in body axes */
    double cos_fov;
    double sig_angle;          /* rad */
    double cos_phase_max;      /* cos(phase_max_deg) */
    double cos_sun_excl;       /* cos(sun_exclusion_deg) */
    double cos_earth, sin_earth; /* of earth_exclusion_deg */
    double flux_k;             /* target_albedo target_area / pi^2 */
    double flux_min;           /* 10^((M_SUN - limit_mag) / 2.5) */
} sim_relnav;

typedef struct sim_wheel_tach {
    sim_wheel_tach_config cfg;
    sim_rng rng;
} sim_wheel_tach;

typedef struct sim_prop_status {
    sim_prop_status_config cfg;
    sim_rng rng;
} sim_prop_status;

typedef struct sim_accel {
    sim_accel_config cfg;
    sim_rng rng;
    double bias[3];            /* m/s^2, body (drawn once) */
    double scale[3];           /* scale-factor errors (drawn once) */
    double dv_prev[3];         /* m/s, the craft's sensed velocity at the previous sample */
    double t_prev;             /* s (world time) of the previous sample */
} sim_accel;

typedef struct sim_eps {
    sim_eps_config cfg;
    sim_rng rng;
} sim_eps;

/* One of each sensor; chaser and target are world craft numbers. */
typedef struct sim_sensors {
    sim_gyro gyro;
    sim_star_tracker star_tracker;
    sim_sun_sensor sun_sensor;
    sim_magnetometer magnetometer;
    sim_gps gps;
    sim_relnav relnav;
    sim_wheel_tach wheel_tach;
    sim_prop_status prop_status;
    sim_star_tracker star_tracker_2;
    sim_star_tracker star_tracker_3;
    sim_accel accelerometer;
    sim_eps eps;
    int chaser;                /* craft carrying the sensors (0) */
    int target;                /* craft the relative sensor tracks (1) */
    int ready;                 /* bit (1 << sensor) set by sim_sensor_init */
    /* workspace: the Moon (sim_moon, a function of its two inputs alone) of
     * the last star-tracker sample, reused by the heads sampled at the same
     * time instead of computed once per head */
    double moon_jd;            /* Julian date (TT) it is for */
    double moon_r_earth;       /* m, the r_earth it was computed with */
    double moon_n[3];          /* m, N: sim_moon(moon_jd, moon_r_earth) */
    int moon_valid;            /* 1 once set (0 in a zeroed struct) */
} sim_sensors;

/* Check sensor `sensor`'s configuration (in the bank), derive its constants
 * and seed its generator from (seed, its stream number). SIM_ERR_DOMAIN on a
 * rate <= 0, a negative sigma or a zero boresight. */
int sim_sensor_init(sim_sensors *s, int sensor, uint64_t seed);

/* Sample sensor `sensor` of the world's chaser: its packet's values (at most
 * SIM_PKT_MAX_VALUES, see sim_packet_info) into values; the noise is drawn.
 * SIM_ERR_STATE when the sensor was not initialised. */
int sim_sensor_sample(sim_sensors *s, const sim_world *world, int sensor, double *values);

/* Sample sensor `sensor` and build its packet (index *packet_out) stamped
 * t_tai (TAI s since 1958) with sequence count seq into buf[0..cap); the
 * packet's length goes to *len. */
int sim_sensor_packet(sim_sensors *s, const sim_world *world, int sensor, double t_tai,
                      int seq, unsigned char *buf, size_t cap, size_t *len);

/* The sensor's packet index (SIM_PKT_*). */
int sim_sensor_packet_id(int sensor, int *packet);

/* One turn of an avionics node's sensor schedule, kept by the caller: slot
 * i of n (at most 32, in publishing order) is sensor sensor[i], its packet
 * of APID apid[i], sampled every period[i] s, next due at due[i] s of world
 * time. Every slot due at world time t (t >= due[i] - 1e-9) is sampled, in
 * slot order, and its due time moves on past t on its grid: due[i] +=
 * period[i] max(1, floor((t - due[i]) / period[i] + 1e-9) + 1). A due slot
 * whose bit in mute is set is sampled as sim_sensor_sample does (the noise
 * is drawn, nothing is built); any other due slot gets its packet as
 * sim_sensor_packet builds it, stamped t_tai with the count seq[apid[i]]
 * (then advanced modulo 16384: seq is the caller's per-APID counters, 2048
 * of them), right after the packets before it in buf[0..cap). len[i] gets
 * each slot's packet length (0: not due, or muted); *due_mask the bits of
 * the due slots. On an error the slots before the failing one are done. */
int sim_sensor_turn(sim_sensors *s, const sim_world *world, int n, const int *sensor,
                    const int *apid, const double *period, double *due, unsigned int mute,
                    double t, double t_tai, uint16_t *seq, unsigned char *buf, size_t cap,
                    size_t *len, unsigned int *due_mask);

/* ---------------------------------------------------------------- avionics node turn */

typedef enum sim_node_outcome {
    SIM_NODE_DONE = 0,      /* the whole turn done: n_packets built, to publish */
    SIM_NODE_UNSTEPPED = 1, /* nothing done: the caller's reference path does the turn */
    SIM_NODE_STEPPED = 2    /* the world stepped; the caller goes on from the faults */
} sim_node_outcome;

/* An avionics node's turn (hil.avionics.node.AvionicsNode.step) as one call
 * in its common case: its schedule, clock and outputs. The caller sets the
 * configuration once; the state is the node's (its reference path, in the
 * caller, reads and writes the same fields). */
typedef struct sim_node {
    /* configuration */
    int n;                     /* sensor slots (at most 32), in publishing order */
    int sensor[32];            /* slot -> sim_sensor_id */
    int apid[32];              /* slot -> its packet's APID */
    double period[32];         /* s, slot -> sample period */
    int clock;                 /* the slot TRUTH_CLOCK follows (the GPS receiver), -1: none */
    double dt;                 /* s, the world's step */
    double truth_period;       /* s, the truth packets' period */
    double fault_eps;          /* s: a fault at time f is due at world time tw + fault_eps >= f */
    /* state */
    double due[32];            /* s, world time: when each slot is due next */
    int started;               /* 1 once the first turn fixed t_first and ticks_first */
    double t_first;            /* TAI s of the first turn */
    long ticks_first;          /* the world's ticks at the first turn */
    double next_truth;         /* s, world time: when the truth packets are due next */
    /* outputs of the last sim_node_turn */
    int outcome;               /* sim_node_outcome */
    int stage;                 /* 0, or the step that failed: 1 world, 2 sensors, 3 truth */
    int n_packets;             /* packets built back to back in buf, publishing order */
    int n_sensor;              /* of which sensor packets */
    int n_truth;               /* truth packets to count (TRUTH_CLOCK, the truth set) */
    unsigned int due_mask;     /* the slots due this turn (sim_sensor_turn's) */
    size_t len[37];            /* the built packets' lengths, in publishing order */
    size_t slot_len[32];       /* per slot (sim_sensor_turn's len) */
} sim_node;

/* One turn of node `node` at on-board time t (TAI s), next_fault the world
 * time of the fault schedule's next change, tick_limit the world tick at
 * which the caller must step the world itself (a density node). In order:
 *  - the first turn records t_first = t and ticks_first = world->ticks; any
 *    later one steps the world n = round((t - t_first) / dt) - (ticks -
 *    ticks_first) ticks when n > 0 (round: to nearest, ties to even); with
 *    |(t - t_first) / dt| >= 2^52 (or not a number), or n > 0 and ticks + n
 *    >= tick_limit, nothing is done (outcome UNSTEPPED);
 *  - at world time tw: a fault due (tw + fault_eps >= next_fault) ends the
 *    turn there (outcome STEPPED);
 *  - every sensor slot due is sampled and its packet built (sim_sensor_turn,
 *    nothing muted), TRUTH_CLOCK right after the clock slot's packet;
 *  - when tw >= next_truth - 1e-9, the truth packets (SIM_TRUTH_CHASER ..
 *    SIM_TRUTH_ADCS), each taking its APID's count before it is built, and
 *    next_truth moves on past tw on its grid (as a sensor's due time);
 * all stamped t, counted with seq (the caller's 2048 per-APID counters),
 * back to back in buf[0..cap) (outcome DONE). On an error the turn stops at
 * the failing step (stage): what was built before it stays in buf and is
 * counted in n_packets, n_sensor and n_truth, except that a failed sensor
 * turn leaves nothing to send (n_packets 0) and failed truth packets are not
 * counted in n_truth (they are sent, as the reference publishes them one by
 * one). */
int sim_node_turn(sim_node *node, sim_world *world, sim_sensors *s, double t, double next_fault,
                  long tick_limit, uint16_t *seq, unsigned char *buf, size_t cap);

/* ---------------------------------------------------------------- truth and packets */

typedef enum sim_truth_id {
    SIM_TRUTH_CHASER = 0,
    SIM_TRUTH_TARGET = 1,
    SIM_TRUTH_RELATIVE = 2,
    SIM_TRUTH_ADCS = 3,
    SIM_TRUTH_COUNT = 4
} sim_truth_id;

/* Values of truth packet `which` (chaser: craft 0, target: craft 1, relative:
 * the world's Hill state and its norm, adcs: the chaser's sun and Moon
 * directions in its body axes). */
int sim_truth_values(const sim_world *world, int which, double *values);
/* The truth packet `which` stamped t_tai with count seq into buf[0..cap). */
int sim_truth_packet(const sim_world *world, int which, double t_tai, int seq,
                     unsigned char *buf, size_t cap, size_t *len);
/* The truth packet's index (SIM_PKT_*). */
int sim_truth_packet_id(int which, int *packet);

/* APID, total length in octets and number of values of packet index `packet`. */
int sim_packet_info(int packet, int *apid, int *length, int *n_values);
/* Encode packet index `packet` from its values (flags and octets rounded to
 * the nearest integer, which must be in 0..255). SIM_ERR_DOMAIN on a time
 * outside the CUC range or a sequence count outside 0..16383, SIM_ERR_RANGE
 * on a short buffer or an octet out of range. */
int sim_packet_encode(int packet, const double *values, double t_tai, int seq,
                      unsigned char *buf, size_t cap, size_t *len);

/* ---------------------------------------------------------------- actuator commands */

typedef enum sim_command_id {
    SIM_COMMAND_WHEEL = 0,    /* WHEEL_CMD: motor torques, finite */
    SIM_COMMAND_MTQ = 1,      /* MTQ_CMD: magnetorquer dipole, finite */
    SIM_COMMAND_THRUSTER = 2, /* THRUSTER_CMD: on-times, finite and >= 0 */
    SIM_COMMAND_COUNT = 3
} sim_command_id;

typedef enum sim_command_result {
    SIM_COMMAND_OK = 0,        /* well formed, values accepted (applied with apply) */
    SIM_COMMAND_MALFORMED = 1, /* length, CRC or header not the declaration's */
    SIM_COMMAND_REJECTED = 2   /* well formed, a value non-finite (or negative) */
} sim_command_result;

/* Read actuator command packet `which` from raw[0..len) for craft `craft` of
 * the world, with the checks of the dictionary's parser of its fixed layout
 * (fsw.packets, in its order: length, CRC-16 over the whole packet, then the
 * first header word (version 0, telemetry, secondary header, the APID), the
 * length field and the sequence flags 11), then its values (every one
 * finite; an on-time also >= 0). *result gets the outcome; only an OK
 * command with apply != 0 is written to the craft: the wheel torques of its
 * n_wheels wheels (a wheel beyond the packet's gets 0), the dipole, the
 * on-times of its n_thrusters thrusters (beyond the packet's: 0). A bad
 * packet is a result, not an error: SIM_ERR_NULL on a NULL pointer,
 * SIM_ERR_RANGE on `which` or `craft` out of range. */
int sim_command_read(sim_world *world, int craft, int which, const unsigned char *raw,
                     size_t len, int apply, int *result);

/* ---------------------------------------------------------------- ephemeris */

/* The Moon's geocentric position (m, N: J2000 mean equator and equinox) at
 * Julian date (TT), r_earth the equatorial radius of the parallax (m): the
 * Astronomical Almanac's low-precision formula (0.3 deg, 0.2 % in distance;
 * native/sim/src/sim_moon.c). */
int sim_moon(double jd_tt, double r_earth, double moon_n[3]);

/* ---------------------------------------------------------------- set-up maths */

/* Position (m) and velocity (m/s) in N from osculating elements (angles in
 * rad): perifocal state rotated by Rz(raan) Rx(inc) Rz(argp). SIM_ERR_DOMAIN
 * unless a > 0, 0 <= e < 1 and mu > 0. */
int sim_kepler_to_rv(double mu, double a, double e, double inc, double raan, double argp,
                     double nu, double r[3], double v[3]);

/* Inertial state of a craft at Hill offset rho (m) moving at rho_dot (m/s,
 * rate in the rotating frame) from the reference state (r_ref, v_ref).
 * SIM_ERR_DOMAIN on a degenerate reference (r = 0 or r parallel to v). */
int sim_hill_to_inertial(const double r_ref[3], const double v_ref[3], const double rho[3],
                         const double rho_dot[3], double r[3], double v[3]);

/* Unit vector of d tilted by cone (rad) towards azimuth az (rad) about it,
 * the azimuth counted from d x ref (ref = x, or y when |d_x| >= 0.9).
 * SIM_ERR_DOMAIN on a zero or non-finite d. */
int sim_tilted_direction(const double d[3], double cone, double az, double out[3]);

/* a / |a| (|a| = sqrt(a0^2 + a1^2 + a2^2) in that order); SIM_ERR_DOMAIN on a
 * zero or non-finite vector. */
int sim_unit(const double a[3], double out[3]);

#endif /* SIMSENSORS_H */
