/* sim_packets.c - the world's packets built straight into buffers: CCSDS
 * primary header, CUC 4+2 time, the fields of the layout generated from the
 * packet dictionary (sim_packets.h), CRC-16 (the project's one gnc_crc16); the
 * truth packets' values; and the actuator command packets read back (their
 * layouts generated likewise). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "gnc_crc16.h"
#include "sim_packets.h"
#include "sim_sensors_internal.h"

enum { HEAD_LEN = 12, CRC_LEN = 2, SEQ_MAX = 0x3FFF };

typedef char check_truth_chaser[(SIM_TRUTH_CHASER_N == 23) ? 1 : -1];
typedef char check_truth_target[(SIM_TRUTH_TARGET_N == 6) ? 1 : -1];
typedef char check_truth_relative[(SIM_TRUTH_RELATIVE_N == 7) ? 1 : -1];
typedef char check_truth_adcs[(SIM_TRUTH_ADCS_N == 6) ? 1 : -1];

static const int truth_packet[SIM_TRUTH_COUNT] = {
    SIM_PKT_TRUTH_CHASER, SIM_PKT_TRUTH_TARGET, SIM_PKT_TRUTH_RELATIVE, SIM_PKT_TRUTH_ADCS};

/* the command packets (sim_command_id order) and whether their values must be >= 0 */
static const int command_packet[SIM_COMMAND_COUNT] = {
    SIM_CMD_WHEEL_CMD, SIM_CMD_MTQ_CMD, SIM_CMD_THRUSTER_CMD};
static const int command_nonneg[SIM_COMMAND_COUNT] = {0, 0, 1};

/* the craft's command arrays hold what the packets carry */
typedef char check_cmd_mtq[(SIM_MTQ_CMD_N == 3) ? 1 : -1];

/* CUC fine ticks (1/65536 s) of a TAI time, rounded to the nearest, ties to
 * even (as Python's round); -1 outside [0, 2^48). */
static double cuc_ticks(double t_tai)
{
    const double two52 = 4503599627370496.0;
    double x = t_tai * 65536.0; /* exact: a power of two */
    double r;
    if (!(x >= 0.0 && x < 281474976710656.0)) {
        return -1.0;
    }
    r = x + two52; /* rounds x to an integer: ulp(2^52) = 1 */
    r = r - two52;
    return r < 281474976710656.0 ? r : -1.0;
}

int sim_packet_check(int packet, double t_tai, int seq, size_t cap)
{
    if (packet < 0 || packet >= SIM_PKT_COUNT) {
        return SIM_ERR_RANGE;
    }
    if (cap < sim_pkt_layouts[packet].length) {
        return SIM_ERR_RANGE;
    }
    if (seq < 0 || seq > SEQ_MAX || cuc_ticks(t_tai) < 0.0) {
        return SIM_ERR_DOMAIN;
    }
    return SIM_OK;
}

static void put_u16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)((v >> 8) & 0xFFu);
    p[1] = (unsigned char)(v & 0xFFu);
}

/* the eight octets written out: a compiler merges them into one byte-swapped
 * store where it can (the loop it kept as a loop) */
static void put_f64(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    p[0] = (unsigned char)(u >> 56);
    p[1] = (unsigned char)(u >> 48);
    p[2] = (unsigned char)(u >> 40);
    p[3] = (unsigned char)(u >> 32);
    p[4] = (unsigned char)(u >> 24);
    p[5] = (unsigned char)(u >> 16);
    p[6] = (unsigned char)(u >> 8);
    p[7] = (unsigned char)u;
}

int sim_packet_info(int packet, int *apid, int *length, int *n_values)
{
    if (apid == NULL || length == NULL || n_values == NULL) {
        return SIM_ERR_NULL;
    }
    if (packet < 0 || packet >= SIM_PKT_COUNT) {
        return SIM_ERR_RANGE;
    }
    *apid = sim_pkt_layouts[packet].apid;
    *length = sim_pkt_layouts[packet].length;
    *n_values = sim_pkt_layouts[packet].n_values;
    return SIM_OK;
}

int sim_packet_encode(int packet, const double *values, double t_tai, int seq,
                      unsigned char *buf, size_t cap, size_t *len)
{
    const sim_pkt_layout *lay;
    uint64_t ticks;
    uint16_t crc;
    size_t pos = HEAD_LEN;
    int f, k, j = 0, st;
    if (values == NULL || buf == NULL || len == NULL) {
        return SIM_ERR_NULL;
    }
    *len = 0;
    st = sim_packet_check(packet, t_tai, seq, cap);
    if (st != SIM_OK) {
        return st;
    }
    lay = &sim_pkt_layouts[packet];
    ticks = (uint64_t)cuc_ticks(t_tai);
    put_u16(buf, (1u << 11) | lay->apid); /* version 0, telemetry, secondary header */
    put_u16(buf + 2, 0xC000u | (unsigned)seq); /* unsegmented */
    put_u16(buf + 4, (unsigned)lay->length - 7u);
    put_u16(buf + 6, (unsigned)((ticks >> 32) & 0xFFFFu));
    put_u16(buf + 8, (unsigned)((ticks >> 16) & 0xFFFFu));
    put_u16(buf + 10, (unsigned)(ticks & 0xFFFFu));
    for (f = 0; f < lay->n_fields; ++f) {
        for (k = 0; k < lay->fields[f].count; ++k, ++j) {
            double x = values[j];
            if (lay->fields[f].kind == SIM_PKT_F64) {
                put_f64(buf + pos, x);
                pos += 8;
            } else {
                if (!(x >= 0.0 && x <= 255.0) || (double)(unsigned)x != x) {
                    return SIM_ERR_RANGE;
                }
                buf[pos++] = (unsigned char)x;
            }
        }
    }
    (void)gnc_crc16(buf, pos, &crc);
    put_u16(buf + pos, crc);
    *len = pos + CRC_LEN;
    return SIM_OK;
}

/* ------------------------------------------------------------ truth */

int sim_truth_packet_id(int which, int *packet)
{
    if (packet == NULL) {
        return SIM_ERR_NULL;
    }
    if (which < 0 || which >= SIM_TRUTH_COUNT) {
        return SIM_ERR_RANGE;
    }
    *packet = truth_packet[which];
    return SIM_OK;
}

/* sim_truth_values, the Moon (TRUTH_ADCS) taken from moon_known when not
 * NULL: sim_moon's result at the world's date (the caller's to know). */
static int truth_values(const sim_world *w, int which, double *v, const double *moon_known)
{
    const sim_craft *c;
    int i;
    if (w == NULL || v == NULL) {
        return SIM_ERR_NULL;
    }
    if (which < 0 || which >= SIM_TRUTH_COUNT || w->n_craft < 2) {
        return SIM_ERR_RANGE;
    }
    switch (which) {
    case SIM_TRUTH_CHASER:
        c = &w->craft[0];
        for (i = 0; i < 3; ++i) {
            v[SIM_TRUTH_CHASER_R_N + i] = c->r[i];
            v[SIM_TRUTH_CHASER_V_N + i] = c->v[i];
            v[SIM_TRUTH_CHASER_W_B + i] = c->w[i];
        }
        for (i = 0; i < 4; ++i) {
            v[SIM_TRUTH_CHASER_Q_BN + i] = c->q[i];
            v[SIM_TRUTH_CHASER_WHEEL_SPEED + i] = i < c->n_wheels ? c->wheel_speed[i] : 0.0;
        }
        v[SIM_TRUTH_CHASER_MASS] = c->mass;
        v[SIM_TRUTH_CHASER_PROPELLANT_MASS] = c->prop_mass;
        v[SIM_TRUTH_CHASER_TANK_PRESSURE] = c->tank_pressure;
        v[SIM_TRUTH_CHASER_ECLIPSE] = c->eclipse ? 1.0 : 0.0;
        v[SIM_TRUTH_CHASER_BATTERY_SOC] = c->battery_soc;
        v[SIM_TRUTH_CHASER_ARRAY_POWER] = c->array_power;
        break;
    case SIM_TRUTH_TARGET:
        c = &w->craft[1];
        for (i = 0; i < 3; ++i) {
            v[SIM_TRUTH_TARGET_R_N + i] = c->r[i];
            v[SIM_TRUTH_TARGET_V_N + i] = c->v[i];
        }
        break;
    case SIM_TRUTH_ADCS: {
        double moon[3], mb[3], mn;
        c = &w->craft[0];
        for (i = 0; i < 3; ++i) {
            v[SIM_TRUTH_ADCS_SUN_B + i] = c->sun_body[i];
            v[SIM_TRUTH_ADCS_MOON_B + i] = 0.0;
        }
        if (moon_known != NULL) {
            la_copy(moon_known, moon, 3);
        }
        if (moon_known != NULL
            || sim_moon(w->env.jd_tt0 + w->t / 86400.0, w->env.r_earth, moon) == SIM_OK) {
            for (i = 0; i < 3; ++i) {
                moon[i] -= c->r[i];
            }
            sim_rotate(c->q, moon, mb);
            mn = la_norm(mb);
            for (i = 0; i < 3; ++i) {
                v[SIM_TRUTH_ADCS_MOON_B + i] = mb[i] / mn;
            }
        }
        break;
    }
    default:
        for (i = 0; i < 3; ++i) {
            v[SIM_TRUTH_RELATIVE_R_H + i] = w->hill_r[i];
            v[SIM_TRUTH_RELATIVE_V_H + i] = w->hill_v[i];
        }
        v[SIM_TRUTH_RELATIVE_RANGE] = sqrt(w->hill_r[0] * w->hill_r[0]
                                           + w->hill_r[1] * w->hill_r[1]
                                           + w->hill_r[2] * w->hill_r[2]);
        break;
    }
    return SIM_OK;
}

int sim_truth_values(const sim_world *w, int which, double *v)
{
    return truth_values(w, which, v, NULL);
}

int sim_truth_packet_moon(const sim_world *w, int which, double t_tai, int seq,
                          unsigned char *buf, size_t cap, size_t *len, const double *moon_known)
{
    double values[SIM_PKT_MAX_VALUES];
    int st, packet;
    if (len == NULL) {
        return SIM_ERR_NULL;
    }
    *len = 0;
    st = sim_truth_packet_id(which, &packet);
    if (st == SIM_OK) {
        st = truth_values(w, which, values, moon_known);
    }
    if (st == SIM_OK) {
        st = sim_packet_encode(packet, values, t_tai, seq, buf, cap, len);
    }
    return st;
}

int sim_truth_packet(const sim_world *w, int which, double t_tai, int seq, unsigned char *buf,
                     size_t cap, size_t *len)
{
    return sim_truth_packet_moon(w, which, t_tai, seq, buf, cap, len, NULL);
}

/* ------------------------------------------------------------ actuator commands */

static unsigned get_u16(const unsigned char *p)
{
    return ((unsigned)p[0] << 8) | (unsigned)p[1];
}

/* the eight octets read out: a compiler merges them into one byte-swapped
 * load where it can */
static double get_f64(const unsigned char *p)
{
    uint64_t u = ((uint64_t)p[0] << 56) | ((uint64_t)p[1] << 48) | ((uint64_t)p[2] << 40)
                 | ((uint64_t)p[3] << 32) | ((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16)
                 | ((uint64_t)p[6] << 8) | (uint64_t)p[7];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* The values of a command packet already checked against its layout. */
static void command_values(const sim_pkt_layout *lay, const unsigned char *raw, double *v)
{
    size_t pos = HEAD_LEN;
    int f, k, j = 0;
    for (f = 0; f < lay->n_fields; ++f) {
        for (k = 0; k < lay->fields[f].count; ++k, ++j) {
            if (lay->fields[f].kind == SIM_PKT_F64) {
                v[j] = get_f64(raw + pos);
                pos += 8;
            } else {
                v[j] = (double)raw[pos++];
            }
        }
    }
}

static void command_apply(sim_craft *c, int which, const double *v)
{
    int i;
    switch (which) {
    case SIM_COMMAND_WHEEL:
        for (i = 0; i < c->n_wheels; ++i) {
            c->wheel_torque_cmd[i] = i < SIM_WHEEL_CMD_N ? v[SIM_WHEEL_CMD_TORQUE + i] : 0.0;
        }
        break;
    case SIM_COMMAND_MTQ:
        for (i = 0; i < 3; ++i) {
            c->mtq_dipole_cmd[i] = v[SIM_MTQ_CMD_DIPOLE_B + i];
        }
        break;
    default:
        for (i = 0; i < c->n_thrusters; ++i) {
            c->thr_on_time[i] = i < SIM_THRUSTER_CMD_N ? v[SIM_THRUSTER_CMD_ON_TIME + i] : 0.0;
        }
        break;
    }
}

int sim_command_read(sim_world *w, int craft, int which, const unsigned char *raw, size_t len,
                     int apply, int *result)
{
    const sim_pkt_layout *lay;
    double v[SIM_CMD_MAX_VALUES];
    uint16_t crc;
    int i;
    if (w == NULL || raw == NULL || result == NULL) {
        return SIM_ERR_NULL;
    }
    if (which < 0 || which >= SIM_COMMAND_COUNT || craft < 0 || craft >= w->n_craft
        || craft >= (int)(sizeof w->craft / sizeof w->craft[0])) {
        return SIM_ERR_RANGE;
    }
    *result = SIM_COMMAND_MALFORMED;
    lay = &sim_cmd_layouts[command_packet[which]];
    if (len != lay->length) {
        return SIM_OK;
    }
    (void)gnc_crc16(raw, len, &crc);
    if (crc != 0u) {
        return SIM_OK;
    }
    /* version 0, telemetry, secondary header, the APID; the length field;
     * sequence flags 11 (unsegmented) */
    if (get_u16(raw) != ((1u << 11) | lay->apid) || get_u16(raw + 4) != lay->length - 7u
        || get_u16(raw + 2) < 0xC000u) {
        return SIM_OK;
    }
    command_values(lay, raw, v);
    for (i = 0; i < lay->n_values; ++i) {
        if (!(v[i] - v[i] == 0.0) || (command_nonneg[which] && !(v[i] >= 0.0))) {
            *result = SIM_COMMAND_REJECTED;
            return SIM_OK;
        }
    }
    *result = SIM_COMMAND_OK;
    if (apply) {
        command_apply(&w->craft[craft], which, v);
    }
    return SIM_OK;
}
