/* sim_moon.c - the Moon's geocentric position: the low-precision formula of
 * the Astronomical Almanac (section D, "low-precision formulae for the
 * Moon's position"; also Montenbruck & Pfleger), stated accuracy 0.3 deg in
 * ecliptic longitude, 0.2 deg in latitude and 0.003 deg in horizontal
 * parallax (about 0.2 % of the distance) over 1950-2050. The ecliptic
 * longitude of date is brought back to the J2000 equinox by the general
 * precession in longitude, as the sun's (sim_env.c), and the J2000 mean
 * obliquity turns it into the mean equator and equinox of J2000 (N). */
#include <math.h>
#include <stddef.h>

#include "gnc_math.h"
#include "sim_sensors_internal.h"

int sim_moon(double jd_tt, double r_earth, double moon_n[3])
{
    const double deg = GNC_PI / 180.0;
    double T, lam, bet, par, r, eps, cb, sb, cl, sl, ce, se;
    if (moon_n == NULL) {
        return SIM_ERR_NULL;
    }
    if (!isfinite(jd_tt) || !(r_earth > 0.0) || !isfinite(r_earth)) {
        return SIM_ERR_DOMAIN;
    }
    T = (jd_tt - 2451545.0) / 36525.0;
    lam = 218.32 + 481267.881 * T
          + 6.29 * gnc_sin((135.0 + 477198.87 * T) * deg)
          - 1.27 * gnc_sin((259.3 - 413335.36 * T) * deg)
          + 0.66 * gnc_sin((235.7 + 890534.22 * T) * deg)
          + 0.21 * gnc_sin((269.9 + 954397.74 * T) * deg)
          - 0.19 * gnc_sin((357.5 + 35999.05 * T) * deg)
          - 0.11 * gnc_sin((186.5 + 966404.03 * T) * deg);
    bet = 5.13 * gnc_sin((93.3 + 483202.02 * T) * deg)
          + 0.28 * gnc_sin((228.2 + 960400.89 * T) * deg)
          - 0.28 * gnc_sin((318.3 + 6003.15 * T) * deg)
          - 0.17 * gnc_sin((217.6 - 407332.21 * T) * deg);
    par = 0.9508 + 0.0518 * gnc_cos((135.0 + 477198.87 * T) * deg)
          + 0.0095 * gnc_cos((259.3 - 413335.36 * T) * deg)
          + 0.0078 * gnc_cos((235.7 + 890534.22 * T) * deg)
          + 0.0028 * gnc_cos((269.9 + 954397.74 * T) * deg);
    /* equinox of date -> J2000 (general precession in longitude) */
    lam = (lam - 1.396971 * T) * deg;
    bet = bet * deg;
    r = r_earth / gnc_sin(par * deg);
    eps = 23.439291 * deg; /* J2000 mean obliquity */
    gnc_sincos(bet, &sb, &cb);
    gnc_sincos(lam, &sl, &cl);
    gnc_sincos(eps, &se, &ce);
    moon_n[0] = r * (cb * cl);
    moon_n[1] = r * (ce * (cb * sl) - se * sb);
    moon_n[2] = r * (se * (cb * sl) + ce * sb);
    return SIM_OK;
}
