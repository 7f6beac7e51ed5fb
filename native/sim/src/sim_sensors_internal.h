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

#endif /* SIM_SENSORS_INTERNAL_H */
