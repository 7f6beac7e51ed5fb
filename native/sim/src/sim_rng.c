/* sim_rng.c - the simulation core's random generator (specification in
 * simsensors.h): splitmix64 seeding, xoshiro256**, uniform doubles from the
 * top 53 bits, normal deviates by the polar method with the project's log. */
#include <math.h>
#include <stddef.h>

#include "gnc_math.h"
#include "sim_sensors_internal.h"

#define SIM_GAMMA 0x9E3779B97F4A7C15ull

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_u64(sim_rng *g)
{
    uint64_t *s = g->s;
    uint64_t out = rotl(s[1] * 5u, 7) * 9u;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double sim_rng_u01(sim_rng *g)
{
    return (double)(sim_rng_u64(g) >> 11) * 0x1p-53;
}

double sim_rng_gauss(sim_rng *g)
{
    double u, v, s, f;
    if (g->has_spare) {
        g->has_spare = 0;
        return g->spare;
    }
    do {
        u = 2.0 * sim_rng_u01(g) - 1.0;
        v = 2.0 * sim_rng_u01(g) - 1.0;
        s = u * u + v * v;
    } while (!(s < 1.0) || s == 0.0);
    f = sqrt((-2.0 * gnc_log(s)) / s);
    g->spare = v * f;
    g->has_spare = 1;
    return u * f;
}

int sim_rng_seed(sim_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x;
    int i;
    if (rng == NULL) {
        return SIM_ERR_NULL;
    }
    x = mix(seed + SIM_GAMMA) ^ stream;
    for (i = 0; i < 4; ++i) {
        x += SIM_GAMMA;
        rng->s[i] = mix(x);
    }
    rng->spare = 0.0;
    rng->has_spare = 0;
    return SIM_OK;
}

static int seeded(const sim_rng *g)
{
    return (g->s[0] | g->s[1] | g->s[2] | g->s[3]) != 0u;
}

int sim_rng_next(sim_rng *rng, uint64_t *out, size_t n)
{
    size_t i;
    if (rng == NULL || (out == NULL && n > 0)) {
        return SIM_ERR_NULL;
    }
    if (!seeded(rng)) {
        return SIM_ERR_STATE;
    }
    for (i = 0; i < n; ++i) {
        out[i] = sim_rng_u64(rng);
    }
    return SIM_OK;
}

int sim_rng_uniform(sim_rng *rng, double *out, size_t n)
{
    size_t i;
    if (rng == NULL || (out == NULL && n > 0)) {
        return SIM_ERR_NULL;
    }
    if (!seeded(rng)) {
        return SIM_ERR_STATE;
    }
    for (i = 0; i < n; ++i) {
        out[i] = sim_rng_u01(rng);
    }
    return SIM_OK;
}

int sim_rng_normal(sim_rng *rng, double *out, size_t n)
{
    size_t i;
    if (rng == NULL || (out == NULL && n > 0)) {
        return SIM_ERR_NULL;
    }
    if (!seeded(rng)) {
        return SIM_ERR_STATE;
    }
    for (i = 0; i < n; ++i) {
        out[i] = sim_rng_gauss(rng);
    }
    return SIM_OK;
}

int sim_rng_log(double x, double *out)
{
    if (out == NULL) {
        return SIM_ERR_NULL;
    }
    *out = gnc_log(x);
    return SIM_OK;
}
