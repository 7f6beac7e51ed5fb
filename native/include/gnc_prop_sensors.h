/*
 * gnc_prop_sensors.h - the propulsion task's IMU packets (GYRO, ACCEL) read
 * in one call per cycle, decoded and validated the way the packet
 * dictionary's parser does (length, CRC-16, header) and kept the way the
 * task kept them: the latest valid finite rate; the accelerometer's samples
 * checked (valid, finite increment, interval in (0, 10] s; a valid sample of
 * zero interval skipped uncounted, the others rejected and counted) and,
 * while coasting, kept in the bias window (a ring of fixed capacity with its
 * running span, trimmed to cal_s with the same operations, in the same order,
 * as the task's deque was), or, while not coasting, handed back in order.
 * Layouts from the dictionary (the generated gnc_sensor_packets.h).
 *
 * Host side of the propulsion task: the board core is not involved.
 */
#ifndef GNC_PROP_SENSORS_H
#define GNC_PROP_SENSORS_H

#include <stddef.h>
#include <stdint.h>

enum {
    /* the bias window's capacity: 120 s of coasting at 10 Hz is 1200 */
    GNC_PROP_CAL_MAX = 2048
};

typedef struct gnc_prop_sensors {
    double cal_s;              /* s, the window's length (ACCEL_CAL_S) */
    double rate_B[3];          /* rad/s, the latest valid finite gyro rate ... */
    int rate_seen;             /* ... once there is one */
    int unread;                /* the last read's packets not GNC_SENSOR_READ */
    int rejected;              /* the last read's accelerometer samples rejected */
    int n_fire;                /* the last read's samples handed back (not coasting) */
    int attention;             /* the last read: unread + rejected + n_fire (0: none) */
    int cal_head;              /* index of the window's oldest sample */
    int cal_n;                 /* samples in the window */
    double span;               /* s, the window's running span */
    uint32_t cal_dropped;      /* samples dropped from a full window (wraps) */
    double cal_dv[GNC_PROP_CAL_MAX][3]; /* m/s, body, oldest at cal_head */
    double cal_dt[GNC_PROP_CAL_MAX];    /* s */
} gnc_prop_sensors;

/* A reader whose window is cal_s seconds (finite, positive): empty, no rate.
 * GNC_ERR_NULL, GNC_ERR_DOMAIN otherwise. */
int gnc_prop_sensors_init(gnc_prop_sensors *s, double cal_s);

/* Empty the bias window (its span 0). */
int gnc_prop_sensors_clear(gnc_prop_sensors *s);

/* Read n packets (the last read's counts are replaced), in order: packet i is lens[i] octets of pkts, right after
 * packet i-1. Each is checked as the dictionary's parser checks it (exact
 * length, CRC-16, version/type/secondary-header/APID word, length field,
 * unsegmented) and its sample kept:
 *   GYRO: valid and finite -> rate_B, rate_seen = 1 (an invalid one changes
 *     nothing);
 *   ACCEL: valid with dt == 0 -> skipped; not valid, a non-finite increment
 *     or dt outside (0, 10] -> counted in rejected; otherwise, coasting
 *     (coasting != 0): appended to the window (the oldest dropped first when
 *     it is full: span minus its dt, cal_dropped counted), span += dt, then
 *     the oldest removed while span - oldest dt >= cal_s; not coasting:
 *     dv into fire_dv[3 k ..], dt into fire_dt[k], k = n_fire counted up
 *     (room for n samples).
 * status[i] (n octets) gets its gnc_sensor_read; unread the number not
 * GNC_SENSOR_READ; attention their sum with rejected and n_fire (one field
 * for the caller to look at). (pkts, lens, status, fire_dv, fire_dt may be
 * NULL with n = 0.) */
int gnc_prop_sensors_read(gnc_prop_sensors *s, const uint8_t *pkts, const size_t *lens,
                          int n, int coasting, uint8_t *status, double *fire_dv,
                          double *fire_dt);

/* The arguments of gnc_prop_sensors_read that stay the same from cycle to
 * cycle, set once by the caller (every pointer caller-owned): the reader, the
 * packets' lengths and read statuses and the handed-back samples' buffers,
 * with room for `cap` packets each. */
typedef struct gnc_prop_sensors_io {
    gnc_prop_sensors *s;
    const size_t *lens;
    uint8_t *status;
    double *fire_dv;           /* 3 cap */
    double *fire_dt;           /* cap */
    int cap;
} gnc_prop_sensors_io;

/* gnc_prop_sensors_read with the arguments held in io (the same work, the same
 * results, the same returned status): fewer arguments a call for a host that
 * reads every cycle. GNC_ERR_NULL without io, GNC_ERR_RANGE when n > io->cap
 * (nothing read or changed either way). */
int gnc_prop_sensors_read_io(const gnc_prop_sensors_io *io, const uint8_t *pkts, int n,
                             int coasting);

/* The window's bias: its increments summed oldest first and its dt summed
 * alongside, the sums divided by that span -> bias_B, *ok = 1; *ok = 0 (bias_B
 * untouched) when that span is below min_s. */
int gnc_prop_sensors_bias(const gnc_prop_sensors *s, double min_s, double *bias_B, int *ok);

#endif /* GNC_PROP_SENSORS_H */
