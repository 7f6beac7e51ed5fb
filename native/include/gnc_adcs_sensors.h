/*
 * gnc_adcs_sensors.h - the ADCS's sensor packets read straight into its input
 * struct (gnc_adcs_in): GYRO, STAR_TRACKER (one per head and sample),
 * SUN_SENSOR, MAGNETOMETER, GPS and WHEEL_TACH, decoded and validated the way
 * the packet dictionary's parser does (length, CRC-16, header) and kept the
 * way the ADCS task keeps them: a valid and finite sample is written to the
 * input struct; a head's fix beyond the configured heads is not used.
 * Layouts from the dictionary (the generated gnc_sensor_packets.h).
 *
 * Host side of the ADCS cycle: it fills the same gnc_adcs_in whether the
 * cycle then runs here or on the board.
 */
#ifndef GNC_ADCS_SENSORS_H
#define GNC_ADCS_SENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "gnc_attitude.h"

/* What became of a packet (gnc_adcs_sensors_read's status[i]). */
typedef enum gnc_sensor_read {
    GNC_SENSOR_READ = 0,       /* decoded (its sample used or not) */
    GNC_SENSOR_OTHER = 1,      /* not one of the sensor packets (APID): not read */
    GNC_SENSOR_MALFORMED = 2   /* wrong length, CRC or header: dropped */
} gnc_sensor_read;

typedef struct gnc_adcs_sensors {
    int heads;                 /* star-tracker heads configured (0..GNC_ST_HEADS_MAX) */
    int wheels;                /* wheels configured: WHEEL_TACH speeds used */
    double st_max_age;         /* s, a head's fix older than this at the cycle is not used */
    double sun_max_age;        /* s, likewise the sun sensor's sample */
    double head_t[GNC_ST_HEADS_MAX]; /* s, each head's latest valid fix time */
    double st_t;               /* s, time of the latest valid fix of any head ... */
    int st_seen;               /* ... once there is one */
    int heads_new;             /* heads with a valid fix since the last cycle (mask) */
    int heads_valid;           /* heads with a valid fix since the caller cleared it */
    double sun_t;              /* s, time of the latest sun sample ... */
    int sun_new;               /* ... valid, since the last cycle (an invalid one clears it) */
    int gyro_ok;               /* the latest gyro sample was valid and finite */
    int mag_ok;                /* likewise the magnetometer's */
    int tach_new;              /* a finite tachometer sample since the last cycle */
} gnc_adcs_sensors;

/* A reader of `heads` star-tracker heads and `wheels` wheels (at most the
 * speeds WHEEL_TACH carries), nothing read yet; ages in seconds (finite,
 * positive). GNC_ERR_RANGE, GNC_ERR_DOMAIN otherwise. */
int gnc_adcs_sensors_init(gnc_adcs_sensors *s, int heads, int wheels, double st_max_age,
                          double sun_max_age);

/* Read n packets, in order: packet i is lens[i] octets of pkts, right after
 * packet i-1. Each is checked as the dictionary's parser checks it (exact
 * length, CRC-16, version/type/secondary-header/APID word, length field,
 * unsegmented) and its sample kept:
 *   GYRO: valid and finite -> in->gyro_B, gyro_ok = 1; else gyro_ok = 0;
 *   STAR_TRACKER: valid, finite, head < heads -> in->q_heads[4 head ..],
 *     head_t[head], st_t = its time; heads_new and heads_valid bit head;
 *   SUN_SENSOR: valid and finite -> in->sun_B, sun_t, sun_new = 1; else sun_new = 0;
 *   MAGNETOMETER: valid and finite -> in->mag_B, mag_ok = 1; else mag_ok = 0;
 *   GPS: valid and finite position -> in->r_N;
 *   WHEEL_TACH: the first `wheels` speeds finite -> in->wheel_speed (the rest
 *     zero), tach_new = 1.
 * status[i] (n octets) gets its gnc_sensor_read; *unread the number not
 * GNC_SENSOR_READ. (pkts, lens, status may be NULL with n = 0.) */
int gnc_adcs_sensors_read(gnc_adcs_sensors *s, gnc_adcs_in *in, const uint8_t *pkts,
                          const size_t *lens, int n, uint8_t *status, int *unread);

/* gnc_adcs_sensors_read, then the inputs of the cycle at time t (TAI s):
 * in->time_tai = t, tach_new, gyro_valid and mag_valid from the reader,
 * st_valid 0 (the heads carry the fixes), head_mask the heads with a fix since
 * the last cycle younger than st_max_age, sun_valid a valid sun sample since
 * the last cycle younger than sun_max_age; those marks are then cleared. */
int gnc_adcs_sensors_cycle(gnc_adcs_sensors *s, gnc_adcs_in *in, const uint8_t *pkts,
                           const size_t *lens, int n, double t, uint8_t *status,
                           int *unread);

/* One whole ADCS cycle on the host's side in one call (the ADCS task's, with
 * the core local): gnc_adcs_sensors_cycle on the n packets at time t, then
 * in->target_age = target_age (the caller's other inputs, mode and pointing,
 * stay as it wrote them), then gnc_adcs_cycle (ctx, seq, out, wheel_cmd: see
 * gnc_dispatch.h). Returns the reader's status: when it is not GNC_OK nothing
 * was read or changed and the cycle did not run (*step_status untouched).
 * Otherwise status[] and *unread are the reader's, and *step_status is
 * gnc_adcs_cycle's (GNC_OK: out and wheel_cmd written). */
int gnc_adcs_sensors_step(gnc_adcs_sensors *s, gnc_adcs *ctx, gnc_adcs_in *in,
                          const uint8_t *pkts, const size_t *lens, int n, double t,
                          double target_age, int seq, uint8_t *status, int *unread,
                          gnc_adcs_out *out, uint8_t *wheel_cmd, int *step_status);

/* The arguments of gnc_adcs_sensors_step that stay the same from cycle to
 * cycle, set once by the caller (every pointer caller-owned): the reader,
 * the core's context, its input and output structs, the WHEEL_CMD packet,
 * the packets' lengths and read statuses (room for `cap` packets each), and
 * the two counts a cycle writes back (unread, step_status). */
typedef struct gnc_adcs_run {
    gnc_adcs_sensors *s;
    gnc_adcs *ctx;
    gnc_adcs_in *inp;
    gnc_adcs_out *out;
    uint8_t *wheel_cmd;
    const size_t *lens;
    uint8_t *status;
    int cap;                   /* room in lens and status */
    int unread;                /* out: the reader's *unread */
    int step_status;           /* out: gnc_adcs_cycle's status */
} gnc_adcs_run;

/* gnc_adcs_sensors_step with the arguments held in r (the same work, the same
 * results, the same returned status; r->unread and r->step_status are its
 * *unread and *step_status): fewer arguments a call for a host that calls it
 * every cycle. GNC_ERR_NULL without r, GNC_ERR_RANGE when n > r->cap (nothing
 * read or changed either way). */
int gnc_adcs_sensors_run(gnc_adcs_run *r, const uint8_t *pkts, int n, double t,
                         double target_age, int seq);

#endif /* GNC_ADCS_SENSORS_H */
