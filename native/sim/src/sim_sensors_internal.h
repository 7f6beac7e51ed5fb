/* sim_sensors_internal.h - private helpers of the avionics side of the
 * simulation core (generator draws, packet encoding); not in the cdef. */
#ifndef SIM_SENSORS_INTERNAL_H
#define SIM_SENSORS_INTERNAL_H

#include "sim_internal.h"
#include "simsensors.h"

/* One raw output, one uniform double in [0, 1), one standard normal deviate
 * (the specification in simsensors.h). */
uint64_t sim_rng_u64(sim_rng *g);
double sim_rng_u01(sim_rng *g);
double sim_rng_gauss(sim_rng *g);

/* SIM_OK when packet index `packet` can be built stamped t_tai with count seq
 * into cap octets (else the status sim_packet_encode would return). */
int sim_packet_check(int packet, double t_tai, int seq, size_t cap);

/* sim_sensor_turn, and when slot `clock` (>= 0) is due, TRUTH_CLOCK (the GPS
 * model's clock offset and frequency, stamped t_tai with the next count of
 * its APID in seq) built right after that slot's packet (or, the slot muted,
 * where it would have been), its length in *clock_len (0: not built). On an
 * error the TRUTH_CLOCK's count is given back. */
int sim_sensor_turn_clock(sim_sensors *s, const sim_world *w, int n, const int *sensor,
                          const int *apid, const double *period, double *due, unsigned int mute,
                          double t, double t_tai, uint16_t *seq, unsigned char *buf, size_t cap,
                          size_t *len, unsigned int *due_mask, int clock, size_t *clock_len);

/* sim_truth_packet, TRUTH_ADCS's Moon taken from moon_known when not NULL
 * (the caller vouches that it is sim_moon's at the world's date and r_earth). */
int sim_truth_packet_moon(const sim_world *w, int which, double t_tai, int seq,
                          unsigned char *buf, size_t cap, size_t *len, const double *moon_known);

/* The bank's last Moon (its star trackers') when it is sim_moon(jd_tt,
 * r_earth)'s: kept for exactly these inputs (and a non-zero date); else
 * NULL. Reads the workspace only. */
const double *sim_sensors_moon_known(const sim_sensors *s, double jd_tt, double r_earth);

#endif /* SIM_SENSORS_INTERNAL_H */
