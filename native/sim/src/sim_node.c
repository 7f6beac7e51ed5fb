/* sim_node.c - an avionics node's turn in one call (specification in
 * simsensors.h, sim_node_turn): the world stepped to the turn's time, the
 * sensors due sampled and built, TRUTH_CLOCK after the GPS receiver's, the
 * truth packets when due, back to back in the caller's buffer. The node's
 * Python path (hil.avionics.node) is the reference of every step, and keeps
 * the turns this one hands back (a fault due, a density node, an error). */
#include <stddef.h>

#include "gnc_math.h"
#include "sim_packets.h"
#include "sim_sensors_internal.h"

#define TWO52 4503599627370496.0
#define MAX_SLOTS 32

typedef char check_node_len[(sizeof(((sim_node *)0)->len) / sizeof(size_t)
                             == MAX_SLOTS + 1 + SIM_TRUTH_COUNT) ? 1 : -1];
typedef char check_node_slots[(sizeof(((sim_node *)0)->due) / sizeof(double) == MAX_SLOTS)
                              ? 1 : -1];

/* x rounded to the nearest integer, ties to even, for |x| < 2^52 (Python's
 * round of a float): adding 2^52 leaves no fraction bits. */
static double round_even(double x)
{
    return x >= 0.0 ? (x + TWO52) - TWO52 : (x - TWO52) + TWO52;
}

/* The truth packets stamped t_tai: each takes its APID's count first, as the
 * reference's ctx.next_seq does; stops at the first that fails. */
static int truth_packets(sim_node *node, const sim_world *w, const sim_sensors *s,
                         double t_tai, uint16_t *seq, unsigned char *buf, size_t cap,
                         size_t *off)
{
    int which, st = SIM_OK;
    for (which = 0; which < SIM_TRUTH_COUNT && st == SIM_OK; ++which) {
        int packet, count;
        size_t one = 0;
        unsigned apid;
        st = sim_truth_packet_id(which, &packet);
        if (st != SIM_OK) {
            break;
        }
        apid = sim_pkt_layouts[packet].apid;
        count = seq[apid];
        seq[apid] = (uint16_t)((seq[apid] + 1u) & 0x3FFFu);
        /* TRUTH_ADCS's Moon: the star trackers' at this very date when they
         * computed it this turn (the same function of the same inputs) */
        st = sim_truth_packet_moon(
            w, which, t_tai, count, buf + *off, cap - *off, &one,
            which == SIM_TRUTH_ADCS
                ? sim_sensors_moon_known(s, w->env.jd_tt0 + w->t / 86400.0, w->env.r_earth)
                : NULL);
        if (st == SIM_OK) {
            node->len[node->n_packets++] = one;
            *off += one;
        }
    }
    return st;
}

int sim_node_turn(sim_node *node, sim_world *w, sim_sensors *s, double t, double next_fault,
                  long tick_limit, uint16_t *seq, unsigned char *buf, size_t cap)
{
    size_t off = 0, clock_len = 0;
    unsigned int due;
    long n = 0;
    double tw, d, k;
    int i, st;
    if (node == NULL || w == NULL || s == NULL || seq == NULL || buf == NULL) {
        return SIM_ERR_NULL;
    }
    node->outcome = SIM_NODE_UNSTEPPED;
    node->stage = 0;
    node->n_packets = node->n_sensor = node->n_truth = 0;
    node->due_mask = 0;
    if (node->n < 0 || node->n > MAX_SLOTS || node->clock >= node->n) {
        return SIM_ERR_RANGE;
    }
    /* the clock: whole world steps since the first turn (no drift from rounding) */
    if (node->started) {
        double q = (t - node->t_first) / node->dt;
        if (!(q > -TWO52 && q < TWO52)) {
            return SIM_OK;
        }
        n = (long)round_even(q) - (w->ticks - node->ticks_first);
        if (n > 0 && w->ticks + n >= tick_limit) {
            return SIM_OK;
        }
    } else {
        node->started = 1;
        node->t_first = t;
        node->ticks_first = w->ticks;
    }
    if (n > 0) {
        st = sim_world_step(w, node->dt, n);
        if (st != SIM_OK) {
            node->stage = 1;
            return st;
        }
    }
    node->outcome = SIM_NODE_STEPPED;
    tw = w->t;
    if (tw + node->fault_eps >= next_fault) {
        return SIM_OK;
    }
    /* the sensors, TRUTH_CLOCK after the GPS receiver's packet */
    st = sim_sensor_turn_clock(s, w, node->n, node->sensor, node->apid, node->period, node->due,
                               0u, tw, t, seq, buf, cap, node->slot_len, &node->due_mask,
                               node->clock, &clock_len);
    if (st != SIM_OK) {
        node->stage = 2;
        return st;
    }
    for (due = node->due_mask, i = 0; due != 0u; due >>= 1, ++i) {
        if (due & 1u) {
            node->len[node->n_packets++] = node->slot_len[i];
            off += node->slot_len[i];
            if (i == node->clock) {
                node->len[node->n_packets++] = clock_len;
                off += clock_len;
                node->n_truth = 1;
            }
        }
    }
    node->n_sensor = node->n_packets - node->n_truth;
    /* the truth packets at truth_period */
    if (tw >= node->next_truth - 1e-9) {
        st = truth_packets(node, w, s, t, seq, buf, cap, &off);
        if (st != SIM_OK) {
            node->stage = 3;
            return st;
        }
        node->n_truth += SIM_TRUTH_COUNT;
        d = node->next_truth;
        k = gnc_floor((tw - d) / node->truth_period + 1e-9) + 1.0;
        node->next_truth = d + node->truth_period * (k > 1.0 ? k : 1.0);
    }
    node->outcome = SIM_NODE_DONE;
    return SIM_OK;
}
