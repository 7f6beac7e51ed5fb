/* gnc_adcs_sensors.c - the ADCS's sensor packets straight into gnc_adcs_in
 * (see gnc_adcs_sensors.h; layouts in the generated gnc_sensor_packets.h). */
#include "gnc.h"
#include "gnc_packet_read.h"
#include "gnc_sensor_packets.h"

#include <string.h>

/* The reader's buffers hold what the packets carry. */
typedef char gnc_sensor_counts_check[(GNC_GYRO_RATE_B_N == 3 && GNC_STAR_TRACKER_Q_BN_N == 4
                                      && GNC_SUN_SENSOR_SUN_B_N == 3
                                      && GNC_MAGNETOMETER_B_B_N == 3 && GNC_GPS_R_N_N == 3
                                      && (int)GNC_WHEEL_TACH_SPEED_N <= (int)GNC_WHEELS_MAX
                                      && GNC_GYRO_VALID_N == 1
                                      && GNC_STAR_TRACKER_VALID_N == 1
                                      && GNC_STAR_TRACKER_HEAD_N == 1
                                      && GNC_SUN_SENSOR_VALID_N == 1
                                      && GNC_MAGNETOMETER_VALID_N == 1
                                      && GNC_GPS_VALID_N == 1)
                                     ? 1 : -1];

/* One packet of `apid` (its well-formedness checked here). */
static int read_one(gnc_adcs_sensors *s, gnc_adcs_in *in, const uint8_t *p, size_t len,
                    unsigned apid)
{
    double v[GNC_WHEELS_MAX];
    int ok, h, i;
    switch (apid) {
    case GNC_GYRO_APID:
        if (!gnc_pkt_well_formed(p, len, GNC_GYRO_LEN, GNC_GYRO_WORD0)) {
            return GNC_SENSOR_MALFORMED;
        }
        ok = gnc_pkt_f64s(p + GNC_GYRO_RATE_B, 3, v) && p[GNC_GYRO_VALID] != 0;
        if (ok) {
            memcpy(in->gyro_B, v, sizeof in->gyro_B);
        }
        s->gyro_ok = ok;
        return GNC_SENSOR_READ;
    case GNC_STAR_TRACKER_APID:
        if (!gnc_pkt_well_formed(p, len, GNC_STAR_TRACKER_LEN, GNC_STAR_TRACKER_WORD0)) {
            return GNC_SENSOR_MALFORMED;
        }
        h = p[GNC_STAR_TRACKER_HEAD];
        if (gnc_pkt_f64s(p + GNC_STAR_TRACKER_Q_BN, 4, v) && p[GNC_STAR_TRACKER_VALID] != 0
            && h < s->heads) {
            memcpy(&in->q_heads[4 * h], v, 4 * sizeof v[0]);
            s->st_t = s->head_t[h] = gnc_pkt_cuc_time(p);
            s->st_seen = 1;
            s->heads_new |= 1 << h;
            s->heads_valid |= 1 << h;
        }
        return GNC_SENSOR_READ;
    case GNC_SUN_SENSOR_APID:
        if (!gnc_pkt_well_formed(p, len, GNC_SUN_SENSOR_LEN, GNC_SUN_SENSOR_WORD0)) {
            return GNC_SENSOR_MALFORMED;
        }
        ok = gnc_pkt_f64s(p + GNC_SUN_SENSOR_SUN_B, 3, v) && p[GNC_SUN_SENSOR_VALID] != 0;
        if (ok) {
            memcpy(in->sun_B, v, sizeof in->sun_B);
            s->sun_t = gnc_pkt_cuc_time(p);
        }
        s->sun_new = ok;
        return GNC_SENSOR_READ;
    case GNC_MAGNETOMETER_APID:
        if (!gnc_pkt_well_formed(p, len, GNC_MAGNETOMETER_LEN, GNC_MAGNETOMETER_WORD0)) {
            return GNC_SENSOR_MALFORMED;
        }
        ok = gnc_pkt_f64s(p + GNC_MAGNETOMETER_B_B, 3, v) && p[GNC_MAGNETOMETER_VALID] != 0;
        if (ok) {
            memcpy(in->mag_B, v, sizeof in->mag_B);
        }
        s->mag_ok = ok;
        return GNC_SENSOR_READ;
    case GNC_GPS_APID:
        if (!gnc_pkt_well_formed(p, len, GNC_GPS_LEN, GNC_GPS_WORD0)) {
            return GNC_SENSOR_MALFORMED;
        }
        if (gnc_pkt_f64s(p + GNC_GPS_R_N, 3, v) && p[GNC_GPS_VALID] != 0) {
            memcpy(in->r_N, v, sizeof in->r_N);
        }
        return GNC_SENSOR_READ;
    case GNC_WHEEL_TACH_APID:
        if (!gnc_pkt_well_formed(p, len, GNC_WHEEL_TACH_LEN, GNC_WHEEL_TACH_WORD0)) {
            return GNC_SENSOR_MALFORMED;
        }
        if (gnc_pkt_f64s(p + GNC_WHEEL_TACH_SPEED, s->wheels, v)) {
            for (i = 0; i < GNC_WHEELS_MAX; ++i) {
                in->wheel_speed[i] = i < s->wheels ? v[i] : 0.0;
            }
            s->tach_new = 1;
        }
        return GNC_SENSOR_READ;
    default:
        return GNC_SENSOR_OTHER;
    }
}

int gnc_adcs_sensors_init(gnc_adcs_sensors *s, int heads, int wheels, double st_max_age,
                          double sun_max_age)
{
    int h;
    if (s == NULL) {
        return GNC_ERR_NULL;
    }
    if (heads < 0 || heads > GNC_ST_HEADS_MAX || wheels < 0
        || wheels > GNC_WHEEL_TACH_SPEED_N) {
        return GNC_ERR_RANGE;
    }
    /* finite and positive (NaN fails the comparisons) */
    if (!(st_max_age > 0.0 && st_max_age - st_max_age == 0.0 && sun_max_age > 0.0
          && sun_max_age - sun_max_age == 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    memset(s, 0, sizeof *s);
    s->heads = heads;
    s->wheels = wheels;
    s->st_max_age = st_max_age;
    s->sun_max_age = sun_max_age;
    for (h = 0; h < GNC_ST_HEADS_MAX; ++h) {
        s->head_t[h] = 0.0;
    }
    s->st_t = s->sun_t = 0.0;
    return GNC_OK;
}

int gnc_adcs_sensors_read(gnc_adcs_sensors *s, gnc_adcs_in *in, const uint8_t *pkts,
                          const size_t *lens, int n, uint8_t *status, int *unread)
{
    int i, bad = 0;
    size_t off = 0;
    if (s == NULL || in == NULL || unread == NULL
        || (n > 0 && (pkts == NULL || lens == NULL || status == NULL))) {
        return GNC_ERR_NULL;
    }
    if (n < 0 || s->heads < 0 || s->heads > GNC_ST_HEADS_MAX || s->wheels < 0
        || s->wheels > GNC_WHEEL_TACH_SPEED_N) {
        return GNC_ERR_RANGE;
    }
    for (i = 0; i < n; ++i) {
        const uint8_t *p = pkts + off;
        size_t len = lens[i];
        int st = len < 2 ? GNC_SENSOR_MALFORMED
                         : read_one(s, in, p, len, gnc_pkt_apid(p));
        status[i] = (uint8_t)st;
        bad += st != GNC_SENSOR_READ;
        off += len;
    }
    *unread = bad;
    return GNC_OK;
}

int gnc_adcs_sensors_cycle(gnc_adcs_sensors *s, gnc_adcs_in *in, const uint8_t *pkts,
                           const size_t *lens, int n, double t, uint8_t *status,
                           int *unread)
{
    int h, heads = 0;
    int st = gnc_adcs_sensors_read(s, in, pkts, lens, n, status, unread);
    if (st != GNC_OK) {
        return st;
    }
    in->time_tai = t;
    in->tach_new = s->tach_new;
    in->st_valid = 0;
    in->mag_valid = s->mag_ok;
    in->gyro_valid = s->gyro_ok;
    if (s->heads_new) { /* fixes since the last cycle (6 cycles in 10) */
        for (h = 0; h < GNC_ST_HEADS_MAX; ++h) {
            if ((s->heads_new >> h & 1) && t - s->head_t[h] < s->st_max_age) {
                heads |= 1 << h;
            }
        }
    }
    in->head_mask = heads;
    in->sun_valid = s->sun_new && t - s->sun_t < s->sun_max_age;
    s->tach_new = 0;
    s->heads_new = 0;
    s->sun_new = 0;
    return GNC_OK;
}

int gnc_adcs_sensors_step(gnc_adcs_sensors *s, gnc_adcs *ctx, gnc_adcs_in *in,
                          const uint8_t *pkts, const size_t *lens, int n, double t,
                          double target_age, int seq, uint8_t *status, int *unread,
                          gnc_adcs_out *out, uint8_t *wheel_cmd, int *step_status)
{
    int st;
    if (step_status == NULL) {
        return GNC_ERR_NULL;
    }
    st = gnc_adcs_sensors_cycle(s, in, pkts, lens, n, t, status, unread);
    if (st != GNC_OK) {
        return st;
    }
    in->target_age = target_age;
    *step_status = gnc_adcs_cycle(ctx, in, seq, out, wheel_cmd);
    return GNC_OK;
}

int gnc_adcs_sensors_run(gnc_adcs_run *r, const uint8_t *pkts, int n, double t,
                         double target_age, int seq)
{
    if (r == NULL) {
        return GNC_ERR_NULL;
    }
    if (n > r->cap) {
        return GNC_ERR_RANGE;
    }
    return gnc_adcs_sensors_step(r->s, r->ctx, r->inp, pkts, r->lens, n, t, target_age, seq,
                                 r->status, &r->unread, r->out, r->wheel_cmd,
                                 &r->step_status);
}
