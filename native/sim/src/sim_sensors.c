/* sim_sensors.c - the sensor models of the chaser (specification in
 * simsensors.h): each sensor's configuration checks and derived constants,
 * and one sample per call into its packet's values (the field indices are
 * generated from the packet dictionary: sim_packets.h). */
#include <math.h>
#include <stddef.h>

#include "gnc_math.h"
#include "sim_packets.h"
#include "sim_sensors_internal.h"

#define DEG (GNC_PI / 180.0)
#define ARCSEC (GNC_PI / 180.0 / 3600.0)
#define GYRO_BIAS_STREAM 101u
#define GYRO_GM_STREAM 102u
#define GYRO_SCALE_STREAM 103u
#define GPS_GM_STREAM 104u
#define CLOCK_STREAM 105u
#define ACCEL_BIAS_STREAM 106u
#define ACCEL_SCALE_STREAM 107u
#define HEAD_STREAM 200u /* + head number (2, 3) */
#define GM_TERMS 6
#define GM_WEIGHT 0.6826 /* each term's sigma over the bias instability */
/* The Sun's apparent visual (V) magnitude: NASA's Sun Fact Sheet (Williams,
 * NSSDC), the figure satellite photometry uses */
#define M_SUN_V (-26.74)

/* The values each model writes: a change of a packet's fields in the
 * dictionary stops the build here until the model is updated. */
typedef char check_gyro[(SIM_GYRO_N == 4) ? 1 : -1];
typedef char check_star_tracker[(SIM_STAR_TRACKER_N == 6) ? 1 : -1];
typedef char check_sun_sensor[(SIM_SUN_SENSOR_N == 4) ? 1 : -1];
typedef char check_magnetometer[(SIM_MAGNETOMETER_N == 4) ? 1 : -1];
typedef char check_gps[(SIM_GPS_N == 9) ? 1 : -1];
typedef char check_relnav[(SIM_RELNAV_N == 5) ? 1 : -1];
typedef char check_wheel_tach[(SIM_WHEEL_TACH_N == 4) ? 1 : -1];
typedef char check_prop_status[(SIM_PROP_STATUS_N == 2) ? 1 : -1];
typedef char check_accel[(SIM_ACCEL_N == 5) ? 1 : -1];
typedef char check_eps[(SIM_EPS_N == 3) ? 1 : -1];
typedef char check_sensor_count[(SIM_SENSOR_COUNT == 12) ? 1 : -1];

static const int sensor_packet[SIM_SENSOR_COUNT] = {
    SIM_PKT_GYRO, SIM_PKT_STAR_TRACKER, SIM_PKT_SUN_SENSOR, SIM_PKT_MAGNETOMETER,
    SIM_PKT_GPS, SIM_PKT_RELNAV, SIM_PKT_WHEEL_TACH, SIM_PKT_PROP_STATUS,
    SIM_PKT_STAR_TRACKER, SIM_PKT_STAR_TRACKER, SIM_PKT_ACCEL, SIM_PKT_EPS};

/* ------------------------------------------------------------ helpers */

static int rate_ok(double rate_hz)
{
    return rate_hz > 0.0 && isfinite(rate_hz);
}

static int sigma_ok(double sigma)
{
    return sigma >= 0.0 && isfinite(sigma);
}

/* Rows x, y, z of a sensor frame with z along the boresight (body axes);
 * x is body x projected normal to z, or body y when |z_x| >= 0.9. */
static int sensor_frame(const double boresight[3], double f[9])
{
    double z[3], x[3], y[3], d;
    double ref[3] = {1.0, 0.0, 0.0};
    int i;
    if (sim_unit(boresight, z) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    if (!(fabs(z[0]) < 0.9)) {
        ref[0] = 0.0;
        ref[1] = 1.0;
    }
    d = la_dot(ref, z);
    for (i = 0; i < 3; ++i) {
        x[i] = ref[i] - d * z[i];
    }
    if (sim_unit(x, x) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    la_cross(z, x, y);
    for (i = 0; i < 3; ++i) {
        f[i] = x[i];
        f[3 + i] = y[i];
        f[6 + i] = z[i];
    }
    return SIM_OK;
}

static double positive_part(double x)
{
    return (0.0 > x) ? 0.0 : x;
}

/* ------------------------------------------------------------ configuration */

static int gyro_init(sim_gyro *g, uint64_t seed)
{
    const sim_gyro_config *c = &g->cfg;
    sim_rng b;
    double period;
    int i;
    double tau = 10.0, sig;
    int k;
    if (!rate_ok(c->rate_hz) || !sigma_ok(c->angle_random_walk)
        || !sigma_ok(c->bias_random_walk) || !sigma_ok(c->bias_sigma)
        || !sigma_ok(c->bias_instability) || !sigma_ok(c->scale_factor_ppm)) {
        return SIM_ERR_DOMAIN;
    }
    period = 1.0 / c->rate_hz;
    g->sv = c->angle_random_walk / sqrt(period);
    g->su = c->bias_random_walk * sqrt(period);
    (void)sim_rng_seed(&g->rng, seed, (uint64_t)(SIM_SENSOR_GYRO + 1));
    (void)sim_rng_seed(&b, seed, GYRO_BIAS_STREAM);
    for (i = 0; i < 3; ++i) {
        g->bias[i] = c->bias_sigma * sim_rng_gauss(&b);
    }
    (void)sim_rng_seed(&b, seed, GYRO_SCALE_STREAM);
    for (i = 0; i < 3; ++i) {
        g->scale[i] = 1e-6 * c->scale_factor_ppm * sim_rng_gauss(&b);
    }
    sig = GM_WEIGHT * c->bias_instability;
    for (k = 0; k < GM_TERMS; ++k) {
        g->gm_a[k] = gnc_exp(-period / tau);
        g->gm_c[k] = sig * sqrt(1.0 - g->gm_a[k] * g->gm_a[k]);
        tau *= 4.0;
    }
    (void)sim_rng_seed(&g->rng_gm, seed, GYRO_GM_STREAM);
    for (i = 0; i < 3 * GM_TERMS; ++i) {
        g->gm[i] = c->bias_instability > 0.0 ? sig * sim_rng_gauss(&g->rng_gm) : 0.0;
    }
    return SIM_OK;
}

static int star_tracker_init(sim_star_tracker *st, uint64_t seed, int head)
{
    const sim_star_tracker_config *c = &st->cfg;
    double rate;
    uint64_t stream = head == 0 ? (uint64_t)(SIM_SENSOR_STAR_TRACKER + 1)
                                : HEAD_STREAM + (uint64_t)(head + 1);
    int i;
    if (!rate_ok(c->rate_hz) || !sigma_ok(c->cross_boresight_sigma_arcsec)
        || !sigma_ok(c->about_boresight_sigma_arcsec)
        || !(c->sun_exclusion_deg >= 0.0 && c->sun_exclusion_deg <= 180.0)
        || !(c->earth_exclusion_deg >= 0.0 && c->earth_exclusion_deg <= 90.0)
        || !(c->moon_exclusion_deg >= 0.0 && c->moon_exclusion_deg <= 180.0)
        || !(c->acquisition_s >= 0.0 && isfinite(c->acquisition_s))
        || !la_finite(c->bias_arcsec, 3)
        || !(c->max_rate_deg_s > 0.0 && isfinite(c->max_rate_deg_s))) {
        return SIM_ERR_DOMAIN;
    }
    for (i = 0; i < 3; ++i) {
        st->bias[i] = c->bias_arcsec[i] * ARCSEC;
    }
    st->cos_moon = gnc_cos(c->moon_exclusion_deg * DEG);
    st->clear_since = -1.0;
    st->head = head;
    if (sensor_frame(c->boresight, st->frame) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    st->sig[0] = c->cross_boresight_sigma_arcsec * ARCSEC;
    st->sig[1] = c->cross_boresight_sigma_arcsec * ARCSEC;
    st->sig[2] = c->about_boresight_sigma_arcsec * ARCSEC;
    st->cos_sun = gnc_cos(c->sun_exclusion_deg * DEG);
    gnc_sincos(c->earth_exclusion_deg * DEG, &st->sin_earth, &st->cos_earth);
    rate = c->max_rate_deg_s * DEG;
    st->max_rate2 = rate * rate;
    return sim_rng_seed(&st->rng, seed, stream);
}

static int gps_init(sim_gps *g, uint64_t seed, uint64_t stream)
{
    const sim_gps_config *c = &g->cfg;
    double rate;
    int i;
    if (!rate_ok(c->rate_hz) || !sigma_ok(c->position_sigma) || !sigma_ok(c->velocity_sigma)
        || !sigma_ok(c->ttff_s) || !sigma_ok(c->reacquisition_s)
        || !(c->max_rate_deg_s > 0.0 && isfinite(c->max_rate_deg_s))
        || !(c->max_zenith_deg >= 0.0 && c->max_zenith_deg <= 180.0) || !sigma_ok(c->gm_tau_s)
        || !sigma_ok(c->gm_position_sigma) || !sigma_ok(c->gm_velocity_sigma)
        || !sigma_ok(c->clock_offset_sigma) || !sigma_ok(c->clock_freq_sigma)
        || !sigma_ok(c->clock_q_wf) || !sigma_ok(c->clock_q_rw) || !sigma_ok(c->pps_sigma)) {
        return SIM_ERR_DOMAIN;
    }
    if (sim_unit(c->antenna_B, g->antenna) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    g->cos_zenith = gnc_cos(c->max_zenith_deg * DEG);
    rate = c->max_rate_deg_s * DEG;
    g->max_rate2 = rate * rate;
    g->gm_a = c->gm_tau_s > 0.0 ? gnc_exp(-1.0 / (c->rate_hz * c->gm_tau_s)) : 0.0;
    g->clear_since = -1.0;
    g->fixed = 0;
    g->clock_offset = 0.0;
    g->clock_freq = 0.0;
    g->clock_t = -1.0;
    (void)sim_rng_seed(&g->rng_clock, seed, CLOCK_STREAM);
    (void)sim_rng_seed(&g->rng_gm, seed, GPS_GM_STREAM);
    for (i = 0; i < 6; ++i) {
        double sig = i < 3 ? c->gm_position_sigma : c->gm_velocity_sigma;
        g->gm[i] = c->gm_tau_s > 0.0 ? sig * sim_rng_gauss(&g->rng_gm) : 0.0;
    }
    return sim_rng_seed(&g->rng, seed, stream);
}

static int relnav_init(sim_relnav *rn, uint64_t seed)
{
    const sim_relnav_config *c = &rn->cfg;
    if (!rate_ok(c->rate_hz) || !(c->fov_half_angle_deg >= 0.0 && c->fov_half_angle_deg <= 180.0)
        || !(c->min_range >= 0.0) || !(c->max_range >= c->min_range) || !isfinite(c->max_range)
        || !sigma_ok(c->range_sigma) || !sigma_ok(c->range_sigma_fraction)
        || !sigma_ok(c->angle_sigma_deg) || !(c->lidar_range >= 0.0)
        || !(c->phase_max_deg >= 0.0 && c->phase_max_deg <= 180.0)
        || !(c->sun_exclusion_deg >= 0.0 && c->sun_exclusion_deg <= 180.0)
        || !(c->earth_exclusion_deg >= 0.0 && c->earth_exclusion_deg <= 90.0)
        || !isfinite(c->limit_mag) || !(c->target_area > 0.0 && isfinite(c->target_area))
        || !sigma_ok(c->target_albedo) || !isfinite(c->angles_only)) {
        return SIM_ERR_DOMAIN;
    }
    if (sensor_frame(c->boresight, rn->frame) != SIM_OK) {
        return SIM_ERR_DOMAIN;
    }
    rn->cos_fov = gnc_cos(c->fov_half_angle_deg * DEG);
    rn->sig_angle = c->angle_sigma_deg * DEG;
    rn->cos_phase_max = gnc_cos(c->phase_max_deg * DEG);
    rn->cos_sun_excl = gnc_cos(c->sun_exclusion_deg * DEG);
    gnc_sincos(c->earth_exclusion_deg * DEG, &rn->sin_earth, &rn->cos_earth);
    /* p a^2 Phi = p (A / pi) ((pi - alpha) cos alpha + sin alpha) / pi */
    rn->flux_k = c->target_albedo * c->target_area / (GNC_PI * GNC_PI);
    rn->flux_min = gnc_pow(10.0, (M_SUN_V - c->limit_mag) / 2.5);
    return sim_rng_seed(&rn->rng, seed, (uint64_t)(SIM_SENSOR_RELNAV + 1));
}

static int accel_init(sim_accel *a, uint64_t seed)
{
    const sim_accel_config *c = &a->cfg;
    sim_rng b;
    int i;
    if (!rate_ok(c->rate_hz) || !sigma_ok(c->velocity_random_walk) || !sigma_ok(c->bias_sigma)
        || !sigma_ok(c->scale_factor_ppm)) {
        return SIM_ERR_DOMAIN;
    }
    (void)sim_rng_seed(&b, seed, ACCEL_BIAS_STREAM);
    for (i = 0; i < 3; ++i) {
        a->bias[i] = c->bias_sigma * sim_rng_gauss(&b);
    }
    (void)sim_rng_seed(&b, seed, ACCEL_SCALE_STREAM);
    for (i = 0; i < 3; ++i) {
        a->scale[i] = 1e-6 * c->scale_factor_ppm * sim_rng_gauss(&b);
    }
    for (i = 0; i < 3; ++i) {
        a->dv_prev[i] = 0.0; /* the craft's running total starts at 0 with the world */
    }
    a->t_prev = 0.0;
    return sim_rng_seed(&a->rng, seed, (uint64_t)(SIM_SENSOR_ACCEL + 1));
}

static int sensor_init(sim_sensors *s, int sensor, uint64_t seed)
{
    uint64_t stream = (uint64_t)sensor + 1u;
    switch (sensor) {
    case SIM_SENSOR_GYRO:
        return gyro_init(&s->gyro, seed);
    case SIM_SENSOR_STAR_TRACKER:
        return star_tracker_init(&s->star_tracker, seed, 0);
    case SIM_SENSOR_STAR_TRACKER_2:
        return star_tracker_init(&s->star_tracker_2, seed, 1);
    case SIM_SENSOR_STAR_TRACKER_3:
        return star_tracker_init(&s->star_tracker_3, seed, 2);
    case SIM_SENSOR_SUN_SENSOR:
        if (!rate_ok(s->sun_sensor.cfg.rate_hz) || !sigma_ok(s->sun_sensor.cfg.noise_sigma)
            || !sigma_ok(s->sun_sensor.cfg.threshold)) {
            return SIM_ERR_DOMAIN;
        }
        return sim_rng_seed(&s->sun_sensor.rng, seed, stream);
    case SIM_SENSOR_MAGNETOMETER:
        if (!rate_ok(s->magnetometer.cfg.rate_hz) || !sigma_ok(s->magnetometer.cfg.noise_sigma)
            || !la_finite(s->magnetometer.cfg.bias, 3)) {
            return SIM_ERR_DOMAIN;
        }
        return sim_rng_seed(&s->magnetometer.rng, seed, stream);
    case SIM_SENSOR_GPS:
        return gps_init(&s->gps, seed, stream);
    case SIM_SENSOR_RELNAV:
        return relnav_init(&s->relnav, seed);
    case SIM_SENSOR_WHEEL_TACH:
        if (!rate_ok(s->wheel_tach.cfg.rate_hz) || !sigma_ok(s->wheel_tach.cfg.noise_sigma)) {
            return SIM_ERR_DOMAIN;
        }
        return sim_rng_seed(&s->wheel_tach.rng, seed, stream);
    case SIM_SENSOR_PROP_STATUS:
        if (!rate_ok(s->prop_status.cfg.rate_hz) || !sigma_ok(s->prop_status.cfg.pressure_sigma)
            || !sigma_ok(s->prop_status.cfg.mass_sigma)) {
            return SIM_ERR_DOMAIN;
        }
        return sim_rng_seed(&s->prop_status.rng, seed, stream);
    case SIM_SENSOR_ACCEL:
        return accel_init(&s->accelerometer, seed);
    case SIM_SENSOR_EPS:
        if (!rate_ok(s->eps.cfg.rate_hz) || !sigma_ok(s->eps.cfg.soc_sigma)
            || !sigma_ok(s->eps.cfg.power_sigma)) {
            return SIM_ERR_DOMAIN;
        }
        return sim_rng_seed(&s->eps.rng, seed, stream);
    default:
        return SIM_ERR_RANGE;
    }
}

int sim_sensor_init(sim_sensors *s, int sensor, uint64_t seed)
{
    int st;
    if (s == NULL) {
        return SIM_ERR_NULL;
    }
    if (sensor < 0 || sensor >= SIM_SENSOR_COUNT) {
        return SIM_ERR_RANGE;
    }
    s->ready &= ~(1 << sensor);
    st = sensor_init(s, sensor, seed);
    if (st == SIM_OK) {
        s->ready |= 1 << sensor;
    }
    return st;
}

/* ------------------------------------------------------------ models */

static void gyro_sample(sim_gyro *g, const sim_craft *c, double *v)
{
    double n[6];
    int i;
    for (i = 0; i < 6; ++i) {
        n[i] = sim_rng_gauss(&g->rng);
    }
    for (i = 0; i < 3; ++i) {
        g->bias[i] = g->bias[i] + g->su * n[3 + i];
    }
    if (g->cfg.bias_instability > 0.0) {
        int k;
        for (i = 0; i < 3 * GM_TERMS; ++i) {
            k = i % GM_TERMS;
            g->gm[i] = g->gm_a[k] * g->gm[i] + g->gm_c[k] * sim_rng_gauss(&g->rng_gm);
        }
    }
    for (i = 0; i < 3; ++i) {
        const double *gm = &g->gm[GM_TERMS * i];
        double drift = ((((gm[0] + gm[1]) + gm[2]) + gm[3]) + gm[4]) + gm[5];
        v[SIM_GYRO_RATE_B + i] = (1.0 + g->scale[i]) * ((c->w[i] + g->bias[i]) + drift)
                                 + g->sv * n[i];
    }
    v[SIM_GYRO_VALID] = 1.0;
}

/* sim_moon(jd_tt, r_earth, moon_n) through the bank's copy of the last one:
 * the heads sampled at one time ask for the same Moon. The copy is used for
 * equal inputs other than a zero date: r_earth > 0 and a finite date when
 * sim_moon succeeds, so equal values are then equal bits, and the copy is
 * what sim_moon would return. */
static int moon_at(sim_sensors *s, double jd_tt, double r_earth, double moon_n[3])
{
    int i, st;
    if (!(s->moon_valid && s->moon_jd == jd_tt && jd_tt != 0.0
          && s->moon_r_earth == r_earth)) {
        s->moon_valid = 0;
        st = sim_moon(jd_tt, r_earth, s->moon_n);
        if (st != SIM_OK) {
            return st;
        }
        s->moon_jd = jd_tt;
        s->moon_r_earth = r_earth;
        s->moon_valid = 1;
    }
    for (i = 0; i < 3; ++i) {
        moon_n[i] = s->moon_n[i];
    }
    return SIM_OK;
}

const double *sim_sensors_moon_known(const sim_sensors *s, double jd_tt, double r_earth)
{
    /* moon_at's own test of its copy */
    if (s != NULL && s->moon_valid && s->moon_jd == jd_tt && jd_tt != 0.0
        && s->moon_r_earth == r_earth) {
        return s->moon_n;
    }
    return NULL;
}

static int star_tracker_blinded(sim_sensors *s, const sim_star_tracker *st, const sim_world *w,
                                const sim_craft *c)
{
    const sim_env *env = &w->env;
    const double *bore = &st->frame[6];
    double rn, nadir_n[3], nadir_b[3], sh, ch, moon[3], mb[3], mn;
    int i;
    if (!c->eclipse && la_dot(c->sun_body, bore) > st->cos_sun) {
        return 1;
    }
    /* the Moon seen from the craft */
    if (moon_at(s, env->jd_tt0 + w->t / 86400.0, env->r_earth, moon) == SIM_OK) {
        for (i = 0; i < 3; ++i) {
            moon[i] -= c->r[i];
        }
        mn = la_norm(moon);
        sim_rotate(c->q, moon, mb);
        if (la_dot(mb, bore) > st->cos_moon * mn) {
            return 1;
        }
    }
    /* the Earth's limb: the angle from nadir to the boresight below the
     * Earth's angular radius plus the exclusion angle, compared as cosines */
    rn = la_norm(c->r);
    nadir_n[0] = -c->r[0] / rn;
    nadir_n[1] = -c->r[1] / rn;
    nadir_n[2] = -c->r[2] / rn;
    sim_rotate(c->q, nadir_n, nadir_b);
    sh = env->r_earth / rn;
    if (sh > 1.0) {
        sh = 1.0;
    }
    ch = sqrt(1.0 - sh * sh);
    if (la_dot(nadir_b, bore) > ch * st->cos_earth - sh * st->sin_earth) {
        return 1;
    }
    return la_dot(c->w, c->w) > st->max_rate2;
}

static void star_tracker_sample(sim_sensors *s, sim_star_tracker *st, const sim_world *w,
                                const sim_craft *c, double *v)
{
    const double *f = st->frame;
    double n[3], m[3], h[3], k, a[4];
    const double *b = c->q;
    int i;
    for (i = 0; i < 3; ++i) {
        n[i] = sim_rng_gauss(&st->rng);
    }
    v[SIM_STAR_TRACKER_HEAD] = (double)st->head;
    if (star_tracker_blinded(s, st, w, c)) {
        st->clear_since = -1.0;
    } else if (st->clear_since < 0.0) {
        st->clear_since = w->t;
    }
    if (st->clear_since < 0.0 || w->t - st->clear_since < st->cfg.acquisition_s) {
        v[SIM_STAR_TRACKER_Q_BN] = 1.0;
        v[SIM_STAR_TRACKER_Q_BN + 1] = 0.0;
        v[SIM_STAR_TRACKER_Q_BN + 2] = 0.0;
        v[SIM_STAR_TRACKER_Q_BN + 3] = 0.0;
        v[SIM_STAR_TRACKER_VALID] = 0.0;
        return;
    }
    for (i = 0; i < 3; ++i) {
        m[i] = st->bias[i] + st->sig[i] * n[i];
    }
    /* small rotation in body axes: F^T m; half angles */
    for (i = 0; i < 3; ++i) {
        h[i] = 0.5 * (f[i] * m[0] + f[3 + i] * m[1] + f[6 + i] * m[2]);
    }
    k = 1.0 / sqrt(1.0 + h[0] * h[0] + h[1] * h[1] + h[2] * h[2]);
    a[0] = k;
    a[1] = k * h[0];
    a[2] = k * h[1];
    a[3] = k * h[2];
    {
        double q[4];
        q[0] = a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
        q[1] = a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2];
        q[2] = a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1];
        q[3] = a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0];
        for (i = 0; i < 4; ++i) {
            v[SIM_STAR_TRACKER_Q_BN + i] = q[0] < 0.0 ? -q[i] : q[i];
        }
    }
    v[SIM_STAR_TRACKER_VALID] = 1.0;
}

static void sun_sensor_sample(sim_sun_sensor *ss, const sim_craft *c, double *v)
{
    double n[6], s[3], est[3], norm;
    int i;
    for (i = 0; i < 6; ++i) {
        n[i] = ss->cfg.noise_sigma * sim_rng_gauss(&ss->rng);
    }
    for (i = 0; i < 3; ++i) {
        s[i] = c->eclipse ? 0.0 : c->sun_body[i];
    }
    /* the cell on +axis sees max(0, s), the one on -axis max(0, -s) */
    for (i = 0; i < 3; ++i) {
        est[i] = ((positive_part(s[i]) + n[i]) - positive_part(-s[i])) - n[i + 3];
    }
    norm = sqrt(est[0] * est[0] + est[1] * est[1] + est[2] * est[2]);
    if (norm < ss->cfg.threshold) {
        for (i = 0; i < 3; ++i) {
            v[SIM_SUN_SENSOR_SUN_B + i] = 0.0;
        }
        v[SIM_SUN_SENSOR_VALID] = 0.0;
        return;
    }
    for (i = 0; i < 3; ++i) {
        v[SIM_SUN_SENSOR_SUN_B + i] = est[i] / norm;
    }
    v[SIM_SUN_SENSOR_VALID] = 1.0;
}

static void magnetometer_sample(sim_magnetometer *m, const sim_craft *c, double *v)
{
    int i;
    for (i = 0; i < 3; ++i) {
        double n = sim_rng_gauss(&m->rng);
        v[SIM_MAGNETOMETER_B_B + i] = (c->b_body[i] + m->cfg.bias[i]) + m->cfg.noise_sigma * n;
    }
    v[SIM_MAGNETOMETER_VALID] = 1.0;
}

/* 1 while the receiver tracks: body rate and antenna within their limits. */
static int gps_tracking(const sim_gps *g, const sim_craft *c)
{
    double zen[3], ant_n[3], rn = la_norm(c->r);
    if (la_dot(c->w, c->w) > g->max_rate2) {
        return 0;
    }
    if (g->cfg.max_zenith_deg >= 180.0) {
        return 1;
    }
    zen[0] = c->r[0] / rn;
    zen[1] = c->r[1] / rn;
    zen[2] = c->r[2] / rn;
    sim_rotate_inv(c->q, g->antenna, ant_n);
    return la_dot(ant_n, zen) >= g->cos_zenith;
}

/* The on-board clock carried to world time t (simsensors.h). */
static void clock_advance(sim_gps *g, double t)
{
    const sim_gps_config *c = &g->cfg;
    double T, q11, q12, q22, l11, l21, l22, n1, n2;
    if (g->clock_t < 0.0) {
        g->clock_offset = c->clock_offset_sigma * sim_rng_gauss(&g->rng_clock);
        g->clock_freq = c->clock_freq_sigma * sim_rng_gauss(&g->rng_clock);
        g->clock_t = t;
        return;
    }
    T = t - g->clock_t;
    if (!(T > 0.0)) {
        return;
    }
    q11 = c->clock_q_wf * T + c->clock_q_rw * T * T * T / 3.0;
    q12 = c->clock_q_rw * T * T / 2.0;
    q22 = c->clock_q_rw * T;
    n1 = sim_rng_gauss(&g->rng_clock);
    n2 = sim_rng_gauss(&g->rng_clock);
    l11 = sqrt(q11);
    l21 = l11 > 0.0 ? q12 / l11 : 0.0;
    l22 = q22 - l21 * l21;
    l22 = l22 > 0.0 ? sqrt(l22) : 0.0;
    g->clock_offset += g->clock_freq * T + l11 * n1;
    g->clock_freq += l21 * n1 + l22 * n2;
    g->clock_t = t;
}

/* base: the time the clock fields are offsets from (the world's time, or the
 * packet's TAI). */
static void gps_sample(sim_gps *g, const sim_world *w, const sim_craft *c, double *v,
                       double base)
{
    const sim_gps_config *cfg = &g->cfg;
    double n[6], k = sqrt(1.0 - g->gm_a * g->gm_a), wait;
    int i;
    clock_advance(g, w->t);
    v[SIM_GPS_OBC_TIME] = base + g->clock_offset;
    v[SIM_GPS_GPS_TIME] = 0.0;
    for (i = 0; i < 6; ++i) {
        n[i] = sim_rng_gauss(&g->rng);
    }
    if (cfg->gm_tau_s > 0.0) {
        for (i = 0; i < 6; ++i) {
            double sig = i < 3 ? cfg->gm_position_sigma : cfg->gm_velocity_sigma;
            g->gm[i] = g->gm_a * g->gm[i] + (sig * k) * sim_rng_gauss(&g->rng_gm);
        }
    }
    if (!gps_tracking(g, c)) {
        g->clear_since = -1.0;
    } else if (g->clear_since < 0.0) {
        g->clear_since = w->t;
    }
    /* the first fix ttff_s after the start (tracking then), later ones
     * reacquisition_s after the outage ends */
    wait = g->fixed ? w->t - g->clear_since - cfg->reacquisition_s : w->t - cfg->ttff_s;
    if (g->clear_since < 0.0 || wait < 0.0) {
        for (i = 0; i < 3; ++i) {
            v[SIM_GPS_R_N + i] = 0.0;
            v[SIM_GPS_V_N + i] = 0.0;
        }
        v[SIM_GPS_VALID] = 0.0;
        return;
    }
    g->fixed = 1;
    v[SIM_GPS_GPS_TIME] = base + cfg->pps_sigma * sim_rng_gauss(&g->rng_clock);
    for (i = 0; i < 3; ++i) {
        v[SIM_GPS_R_N + i] = (c->r[i] + g->gm[i]) + cfg->position_sigma * n[i];
        v[SIM_GPS_V_N + i] = (c->v[i] + g->gm[3 + i]) + cfg->velocity_sigma * n[3 + i];
    }
    v[SIM_GPS_VALID] = 1.0;
}

/* Whether the target can be seen at range rng (d = target - chaser, N): the
 * lidar within its range in any light; beyond it the camera, with the target
 * lit, its sun phase angle at most phase_max and the sun off the boresight. */
static int relnav_sees(const sim_relnav *rn, const double sun_n[3], const sim_craft *c,
                       const sim_craft *t, const double d[3], double rng)
{
    if (rng <= rn->cfg.lidar_range) {
        return 1;
    }
    if (t->eclipse) {
        return 0;
    }
    /* phase angle between the target's sun and its chaser (-d) directions */
    if (rn->cfg.phase_max_deg < 180.0 && -la_dot(sun_n, d) < rn->cos_phase_max * rng) {
        return 0;
    }
    return rn->cfg.sun_exclusion_deg <= 0.0 || c->eclipse
           || la_dot(c->sun_body, &rn->frame[6]) <= rn->cos_sun_excl;
}

/* Whether the camera detects the target beyond the ranging limit, at range
 * rng (d = target - chaser, N): the target lit, its phase angle and the sun
 * as relnav_sees's camera, the line of sight clear of the Earth and its
 * limb, and the target bright enough (simsensors.h). */
static int relnav_detects(const sim_relnav *rn, const sim_world *w, const sim_craft *c,
                          const sim_craft *t, const double d[3], double rng)
{
    const double *sun_n = w->sun_n;
    double rc, sh, ch, x[3], cos_a, sin_a, alpha;
    if (t->eclipse) {
        return 0;
    }
    if (rn->cfg.phase_max_deg < 180.0 && -la_dot(sun_n, d) < rn->cos_phase_max * rng) {
        return 0;
    }
    if (!(rn->cfg.sun_exclusion_deg <= 0.0 || c->eclipse
          || la_dot(c->sun_body, &rn->frame[6]) <= rn->cos_sun_excl)) {
        return 0;
    }
    /* the Earth: the angle between the line of sight and the direction to
     * the Earth's centre (-r) at most its angular radius plus the exclusion
     * angle, compared as cosines */
    rc = la_norm(c->r);
    sh = w->env.r_earth / rc;
    if (sh > 1.0) {
        sh = 1.0;
    }
    ch = sqrt(1.0 - sh * sh);
    if (-la_dot(c->r, d) >= (ch * rn->cos_earth - sh * rn->sin_earth) * (rc * rng)) {
        return 0;
    }
    /* brightness: the phase angle alpha between the target's sun and chaser
     * (-d) directions, p a^2 Phi(alpha) / R^2 against the threshold */
    la_cross(sun_n, d, x);
    sin_a = la_norm(x) / rng;
    cos_a = -la_dot(sun_n, d) / rng;
    alpha = gnc_atan2(sin_a, cos_a);
    return rn->flux_k * ((GNC_PI - alpha) * cos_a + sin_a) >= rn->flux_min * (rng * rng);
}

static void relnav_sample(sim_relnav *rn, const sim_world *w, const sim_craft *c,
                          const sim_craft *t, double *v)
{
    const sim_relnav_config *cfg = &rn->cfg;
    const double *sun_n = w->sun_n;
    double n[3], d[3], db[3], los[3], rng;
    int i, ranged;
    for (i = 0; i < 3; ++i) {
        n[i] = sim_rng_gauss(&rn->rng);
    }
    for (i = 0; i < 3; ++i) {
        d[i] = t->r[i] - c->r[i];
    }
    sim_rotate(c->q, d, db);
    for (i = 0; i < 3; ++i) {
        los[i] = la_dot(&rn->frame[3 * i], db);
    }
    rng = sqrt(los[0] * los[0] + los[1] * los[1] + los[2] * los[2]);
    ranged = rng <= cfg->max_range;
    if (!(cfg->min_range <= rng) || los[2] < rn->cos_fov * rng
        || (ranged && !relnav_sees(rn, sun_n, c, t, d, rng))
        || (!ranged && !(cfg->angles_only != 0.0 && relnav_detects(rn, w, c, t, d, rng)))) {
        v[SIM_RELNAV_RANGE] = 0.0;
        v[SIM_RELNAV_AZIMUTH] = 0.0;
        v[SIM_RELNAV_ELEVATION] = 0.0;
        v[SIM_RELNAV_VALID] = 0.0;
        v[SIM_RELNAV_RANGED] = 0.0;
        return;
    }
    v[SIM_RELNAV_RANGE] =
        ranged ? rng + (cfg->range_sigma + cfg->range_sigma_fraction * rng) * n[0] : 0.0;
    v[SIM_RELNAV_AZIMUTH] = gnc_atan2(los[0], los[2]) + rn->sig_angle * n[1];
    v[SIM_RELNAV_ELEVATION] = gnc_asin(los[1] / rng) + rn->sig_angle * n[2];
    v[SIM_RELNAV_VALID] = 1.0;
    v[SIM_RELNAV_RANGED] = ranged ? 1.0 : 0.0;
}

static void wheel_tach_sample(sim_wheel_tach *wt, const sim_craft *c, double *v)
{
    int i;
    for (i = 0; i < 4; ++i) {
        double speed = i < c->n_wheels ? c->wheel_speed[i] : 0.0;
        v[SIM_WHEEL_TACH_SPEED + i] = speed + wt->cfg.noise_sigma * sim_rng_gauss(&wt->rng);
    }
}

static void prop_status_sample(sim_prop_status *p, const sim_craft *c, double *v)
{
    double n0 = sim_rng_gauss(&p->rng);
    double n1 = sim_rng_gauss(&p->rng);
    double m = c->prop_mass + p->cfg.mass_sigma * n1;
    v[SIM_PROP_STATUS_TANK_PRESSURE] = c->tank_pressure + p->cfg.pressure_sigma * n0;
    v[SIM_PROP_STATUS_PROPELLANT_MASS] = m > 0.0 ? m : 0.0;
}

/* The battery monitor and the power channels: truth plus white noise, the
 * state of charge kept in [0, 1] and the powers not negative. */
static void eps_sample(sim_eps *e, const sim_craft *c, double *v)
{
    double n0 = sim_rng_gauss(&e->rng);
    double n1 = sim_rng_gauss(&e->rng);
    double n2 = sim_rng_gauss(&e->rng);
    double soc = c->battery_soc + e->cfg.soc_sigma * n0;
    double pa = c->array_power + e->cfg.power_sigma * n1;
    double pl = c->load_power + e->cfg.power_sigma * n2;
    v[SIM_EPS_SOC] = soc < 0.0 ? 0.0 : (soc > 1.0 ? 1.0 : soc);
    v[SIM_EPS_ARRAY_POWER] = pa > 0.0 ? pa : 0.0;
    v[SIM_EPS_LOAD_POWER] = pl > 0.0 ? pl : 0.0;
}

/* The increment of the craft's sensed velocity since the previous sample,
 * with the scale-factor error, the bias and the white noise over it. */
static void accel_sample(sim_accel *a, const sim_world *w, const sim_craft *c, double *v)
{
    double n[3], T = w->t - a->t_prev, rt;
    int i;
    for (i = 0; i < 3; ++i) {
        n[i] = sim_rng_gauss(&a->rng);
    }
    if (!(T > 0.0)) {
        T = 0.0;
    }
    rt = sqrt(T);
    for (i = 0; i < 3; ++i) {
        double dv = c->dv_sensed_B[i] - a->dv_prev[i];
        v[SIM_ACCEL_DV_B + i] = ((1.0 + a->scale[i]) * dv + a->bias[i] * T)
                                + a->cfg.velocity_random_walk * rt * n[i];
        a->dv_prev[i] = c->dv_sensed_B[i];
    }
    v[SIM_ACCEL_DT] = T;
    v[SIM_ACCEL_VALID] = 1.0;
    a->t_prev = w->t;
}

static int sensor_sample(sim_sensors *s, const sim_world *w, int sensor, double *values,
                         double base)
{
    const sim_craft *c;
    if (s == NULL || w == NULL || values == NULL) {
        return SIM_ERR_NULL;
    }
    if (sensor < 0 || sensor >= SIM_SENSOR_COUNT || s->chaser < 0 || s->chaser >= w->n_craft) {
        return SIM_ERR_RANGE;
    }
    if (!(s->ready & (1 << sensor))) {
        return SIM_ERR_STATE;
    }
    c = &w->craft[s->chaser];
    switch (sensor) {
    case SIM_SENSOR_GYRO:
        gyro_sample(&s->gyro, c, values);
        break;
    case SIM_SENSOR_STAR_TRACKER:
        star_tracker_sample(s, &s->star_tracker, w, c, values);
        break;
    case SIM_SENSOR_STAR_TRACKER_2:
        star_tracker_sample(s, &s->star_tracker_2, w, c, values);
        break;
    case SIM_SENSOR_STAR_TRACKER_3:
        star_tracker_sample(s, &s->star_tracker_3, w, c, values);
        break;
    case SIM_SENSOR_SUN_SENSOR:
        sun_sensor_sample(&s->sun_sensor, c, values);
        break;
    case SIM_SENSOR_MAGNETOMETER:
        magnetometer_sample(&s->magnetometer, c, values);
        break;
    case SIM_SENSOR_GPS:
        gps_sample(&s->gps, w, c, values, base);
        break;
    case SIM_SENSOR_RELNAV:
        if (s->target < 0 || s->target >= w->n_craft) {
            return SIM_ERR_RANGE;
        }
        relnav_sample(&s->relnav, w, c, &w->craft[s->target], values);
        break;
    case SIM_SENSOR_WHEEL_TACH:
        wheel_tach_sample(&s->wheel_tach, c, values);
        break;
    case SIM_SENSOR_ACCEL:
        accel_sample(&s->accelerometer, w, c, values);
        break;
    case SIM_SENSOR_EPS:
        eps_sample(&s->eps, c, values);
        break;
    default:
        prop_status_sample(&s->prop_status, c, values);
        break;
    }
    return SIM_OK;
}

int sim_sensor_sample(sim_sensors *s, const sim_world *w, int sensor, double *values)
{
    if (w == NULL) {
        return SIM_ERR_NULL;
    }
    return sensor_sample(s, w, sensor, values, w->t);
}

int sim_sensor_packet_id(int sensor, int *packet)
{
    if (packet == NULL) {
        return SIM_ERR_NULL;
    }
    if (sensor < 0 || sensor >= SIM_SENSOR_COUNT) {
        return SIM_ERR_RANGE;
    }
    *packet = sensor_packet[sensor];
    return SIM_OK;
}

int sim_sensor_packet(sim_sensors *s, const sim_world *w, int sensor, double t_tai, int seq,
                      unsigned char *buf, size_t cap, size_t *len)
{
    double values[SIM_PKT_MAX_VALUES];
    int st, packet;
    if (s == NULL || w == NULL || buf == NULL || len == NULL) {
        return SIM_ERR_NULL;
    }
    *len = 0;
    st = sim_sensor_packet_id(sensor, &packet);
    if (st != SIM_OK) {
        return st;
    }
    /* a packet that cannot be built draws no noise */
    st = sim_packet_check(packet, t_tai, seq, cap);
    if (st != SIM_OK) {
        return st;
    }
    st = sensor_sample(s, w, sensor, values, t_tai);
    if (st != SIM_OK) {
        return st;
    }
    return sim_packet_encode(packet, values, t_tai, seq, buf, cap, len);
}

/* TRUTH_CLOCK (the on-board clock's offset and frequency, the GPS model's)
 * stamped t_tai with the next count of its APID, built at buf[0..cap): the
 * count is taken first, as ctx.send takes it. */
static int clock_packet(const sim_sensors *s, double t_tai, uint16_t *seq, unsigned char *buf,
                        size_t cap, size_t *len)
{
    double v[SIM_TRUTH_CLOCK_N];
    unsigned apid = sim_pkt_layouts[SIM_PKT_TRUTH_CLOCK].apid;
    int count = seq[apid];
    seq[apid] = (uint16_t)((seq[apid] + 1u) & 0x3FFFu);
    v[SIM_TRUTH_CLOCK_OFFSET] = s->gps.clock_offset;
    v[SIM_TRUTH_CLOCK_FREQ] = s->gps.clock_freq;
    return sim_packet_encode(SIM_PKT_TRUTH_CLOCK, v, t_tai, count, buf, cap, len);
}

int sim_sensor_turn_clock(sim_sensors *s, const sim_world *w, int n, const int *sensor,
                          const int *apid, const double *period, double *due, unsigned int mute,
                          double t, double t_tai, uint16_t *seq, unsigned char *buf, size_t cap,
                          size_t *len, unsigned int *due_mask, int clock, size_t *clock_len)
{
    double values[SIM_PKT_MAX_VALUES];
    size_t off = 0, one = 0;
    unsigned int mask = 0;
    int i, st = SIM_OK, clock_seq = -1;
    if (s == NULL || w == NULL || sensor == NULL || apid == NULL || period == NULL
        || due == NULL || seq == NULL || buf == NULL || len == NULL || due_mask == NULL
        || (clock >= 0 && clock_len == NULL)) {
        return SIM_ERR_NULL;
    }
    *due_mask = 0;
    if (clock_len != NULL) {
        *clock_len = 0;
    }
    if (n < 0 || n > 32) {
        return SIM_ERR_RANGE;
    }
    for (i = 0; i < n; i++) {
        len[i] = 0;
    }
    for (i = 0; i < n && st == SIM_OK; i++) {
        double d = due[i], k;
        if (t < d - 1e-9) {
            continue;
        }
        k = gnc_floor((t - d) / period[i] + 1e-9) + 1.0;
        due[i] = d + period[i] * (k > 1.0 ? k : 1.0);
        mask |= 1u << i;
        if ((mute >> i) & 1u) {
            st = sim_sensor_sample(s, w, sensor[i], values);
        } else if (apid[i] < 0 || apid[i] >= 2048) {
            st = SIM_ERR_RANGE;
        } else {
            st = sim_sensor_packet(s, w, sensor[i], t_tai, seq[apid[i]], buf + off, cap - off,
                                   &one);
            if (st == SIM_OK) {
                seq[apid[i]] = (uint16_t)((seq[apid[i]] + 1u) & 0x3FFFu);
                len[i] = one;
                off += one;
            }
        }
        if (st == SIM_OK && i == clock) {
            clock_seq = seq[sim_pkt_layouts[SIM_PKT_TRUTH_CLOCK].apid];
            st = clock_packet(s, t_tai, seq, buf + off, cap - off, clock_len);
            off += *clock_len;
        }
    }
    if (st != SIM_OK && clock_seq >= 0) {
        /* nothing of a failed turn is sent: its TRUTH_CLOCK keeps its count */
        seq[sim_pkt_layouts[SIM_PKT_TRUTH_CLOCK].apid] = (uint16_t)clock_seq;
        *clock_len = 0;
    }
    *due_mask = mask;
    return st;
}

int sim_sensor_turn(sim_sensors *s, const sim_world *w, int n, const int *sensor,
                    const int *apid, const double *period, double *due, unsigned int mute,
                    double t, double t_tai, uint16_t *seq, unsigned char *buf, size_t cap,
                    size_t *len, unsigned int *due_mask)
{
    return sim_sensor_turn_clock(s, w, n, sensor, apid, period, due, mute, t, t_tai, seq, buf,
                                 cap, len, due_mask, -1, NULL);
}
