/* gnc_prop_sensors.c - the propulsion task's GYRO and ACCEL packets read in
 * one call (see gnc_prop_sensors.h; layouts in the generated
 * gnc_sensor_packets.h). */
#include "gnc.h"
#include "gnc_packet_read.h"
#include "gnc_sensor_packets.h"

#include <string.h>

/* The reader's buffers hold what the packets carry. */
typedef char gnc_prop_sensor_counts_check[(GNC_GYRO_RATE_B_N == 3 && GNC_ACCEL_DV_B_N == 3
                                           && GNC_ACCEL_DT_N == 1
                                           && GNC_GYRO_VALID_N == 1
                                           && GNC_ACCEL_VALID_N == 1)
                                          ? 1 : -1];

/* the accelerometer's sample interval: at most this [s] */
#define ACCEL_DT_MAX 10.0

/* A coasting sample into the window: the task's deque append and trim. */
static void window_add(gnc_prop_sensors *s, const double *dv, double dt)
{
    int i;
    double span;
    if (s->cal_n == GNC_PROP_CAL_MAX) { /* full: the oldest goes as a trim would */
        s->span -= s->cal_dt[s->cal_head];
        s->cal_head = (s->cal_head + 1) % GNC_PROP_CAL_MAX;
        s->cal_n -= 1;
        s->cal_dropped += 1u;
    }
    i = (s->cal_head + s->cal_n) % GNC_PROP_CAL_MAX;
    memcpy(s->cal_dv[i], dv, sizeof s->cal_dv[i]);
    s->cal_dt[i] = dt;
    s->cal_n += 1;
    span = s->span + dt;
    while (s->cal_n > 0 && span - s->cal_dt[s->cal_head] >= s->cal_s) {
        span -= s->cal_dt[s->cal_head];
        s->cal_head = (s->cal_head + 1) % GNC_PROP_CAL_MAX;
        s->cal_n -= 1;
    }
    s->span = span;
}

int gnc_prop_sensors_init(gnc_prop_sensors *s, double cal_s)
{
    if (s == NULL) {
        return GNC_ERR_NULL;
    }
    if (!(cal_s > 0.0 && cal_s - cal_s == 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    memset(s, 0, sizeof *s);
    s->cal_s = cal_s;
    s->span = 0.0;
    s->rate_B[0] = s->rate_B[1] = s->rate_B[2] = 0.0;
    return GNC_OK;
}

int gnc_prop_sensors_clear(gnc_prop_sensors *s)
{
    if (s == NULL) {
        return GNC_ERR_NULL;
    }
    s->cal_head = 0;
    s->cal_n = 0;
    s->span = 0.0;
    return GNC_OK;
}

int gnc_prop_sensors_read(gnc_prop_sensors *s, const uint8_t *pkts, const size_t *lens,
                          int n, int coasting, uint8_t *status, double *fire_dv,
                          double *fire_dt)
{
    int i, bad = 0, rej = 0, k = 0;
    size_t off = 0;
    double v[3], dt;
    if (s == NULL
        || (n > 0 && (pkts == NULL || lens == NULL || status == NULL || fire_dv == NULL
                      || fire_dt == NULL))) {
        return GNC_ERR_NULL;
    }
    if (n < 0 || s->cal_n < 0 || s->cal_n > GNC_PROP_CAL_MAX || s->cal_head < 0
        || s->cal_head >= GNC_PROP_CAL_MAX) {
        return GNC_ERR_RANGE;
    }
    for (i = 0; i < n; ++i) {
        const uint8_t *p = pkts + off;
        size_t len = lens[i];
        unsigned apid = len < 2 ? 0x7FFu + 1u : gnc_pkt_apid(p);
        int st = GNC_SENSOR_READ;
        off += len;
        if (apid == GNC_GYRO_APID) {
            if (!gnc_pkt_well_formed(p, len, GNC_GYRO_LEN, GNC_GYRO_WORD0)) {
                st = GNC_SENSOR_MALFORMED;
            } else if (gnc_pkt_f64s(p + GNC_GYRO_RATE_B, 3, v) && p[GNC_GYRO_VALID] != 0) {
                memcpy(s->rate_B, v, sizeof s->rate_B);
                s->rate_seen = 1;
            }
        } else if (apid == GNC_ACCEL_APID) {
            if (!gnc_pkt_well_formed(p, len, GNC_ACCEL_LEN, GNC_ACCEL_WORD0)) {
                st = GNC_SENSOR_MALFORMED;
            } else {
                int fin = gnc_pkt_f64s(p + GNC_ACCEL_DV_B, 3, v);
                (void)gnc_pkt_f64s(p + GNC_ACCEL_DT, 1, &dt);
                if (p[GNC_ACCEL_VALID] != 0 && dt == 0.0) {
                    /* the sensor's first sample: no interval yet */
                } else if (p[GNC_ACCEL_VALID] == 0 || !fin
                           || !(0.0 < dt && dt <= ACCEL_DT_MAX)) {
                    rej += 1;
                } else if (coasting) {
                    window_add(s, v, dt);
                } else {
                    memcpy(&fire_dv[3 * k], v, sizeof v);
                    fire_dt[k] = dt;
                    k += 1;
                }
            }
        } else {
            st = len < 2 ? GNC_SENSOR_MALFORMED : GNC_SENSOR_OTHER;
        }
        status[i] = (uint8_t)st;
        bad += st != GNC_SENSOR_READ;
    }
    s->unread = bad;
    s->rejected = rej;
    s->n_fire = k;
    s->attention = bad + rej + k;
    return GNC_OK;
}

int gnc_prop_sensors_bias(const gnc_prop_sensors *s, double min_s, double *bias_B, int *ok)
{
    int i, j;
    double sx = 0.0, sy = 0.0, sz = 0.0, span = 0.0;
    if (s == NULL || bias_B == NULL || ok == NULL) {
        return GNC_ERR_NULL;
    }
    if (s->cal_n < 0 || s->cal_n > GNC_PROP_CAL_MAX || s->cal_head < 0
        || s->cal_head >= GNC_PROP_CAL_MAX) {
        return GNC_ERR_RANGE;
    }
    for (i = 0; i < s->cal_n; ++i) {
        j = (s->cal_head + i) % GNC_PROP_CAL_MAX;
        sx = sx + s->cal_dv[j][0];
        sy = sy + s->cal_dv[j][1];
        sz = sz + s->cal_dv[j][2];
        span = span + s->cal_dt[j];
    }
    *ok = !(span < min_s);
    if (*ok) {
        bias_B[0] = sx / span;
        bias_B[1] = sy / span;
        bias_B[2] = sz / span;
    }
    return GNC_OK;
}

int gnc_prop_sensors_read_io(const gnc_prop_sensors_io *io, const uint8_t *pkts, int n,
                             int coasting)
{
    if (io == NULL) {
        return GNC_ERR_NULL;
    }
    if (n > io->cap) {
        return GNC_ERR_RANGE;
    }
    return gnc_prop_sensors_read(io->s, pkts, io->lens, n, coasting, io->status, io->fire_dv,
                                 io->fire_dt);
}
