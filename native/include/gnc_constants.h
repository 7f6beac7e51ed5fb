/*
 * gnc_constants.h - the physical and time constants of the project, in one
 * place: the guidance core, the simulation core and the firmware include
 * this header; Python reads the same values from fsw/constants.py, which a
 * test (tests/test_constants.py) checks against this file, value for value.
 *
 * SI units. One definition per line, `#define GNC_NAME value` (a decimal
 * floating literal), so that the test can parse it.
 */
#ifndef GNC_CONSTANTS_H
#define GNC_CONSTANTS_H

/* Earth (EGM96 / WGS 84) */
#define GNC_MU_EARTH 3.986004418e14      /* gravitational parameter [m^3/s^2] */
#define GNC_R_EARTH 6378137.0            /* equatorial radius [m] */
#define GNC_J2 1.08262668e-3             /* second zonal harmonic, unnormalised */
#define GNC_OMEGA_EARTH 7.2921150e-5     /* rotation rate [rad/s] (IERS) */
#define GNC_G0 9.80665                   /* standard gravity [m/s^2] (Isp convention) */

/* Sun and Moon (JPL DE440) */
#define GNC_MU_SUN 1.3271244004127942e20 /* gravitational parameter [m^3/s^2] */
#define GNC_MU_MOON 4.902800118e12       /* gravitational parameter [m^3/s^2] */
#define GNC_AU 149597870700.0            /* astronomical unit [m] (IAU 2012) */
#define GNC_C_LIGHT 299792458.0          /* speed of light [m/s] (exact) */

/* Time */
#define GNC_TT_TAI 32.184                /* TT - TAI [s] (exact) */
#define GNC_DAY_S 86400.0                /* seconds per day */
#define GNC_JULIAN_CENTURY_D 36525.0     /* days per Julian century */
#define GNC_JD_J2000 2451545.0           /* Julian date (TT) of J2000.0, 2000-01-01T12:00 TT */
#define GNC_JD_TAI_EPOCH 2436204.5       /* Julian date of 1958-01-01T00:00 (the CUC epoch) */
#define GNC_J2000_TAI 1325419167.816     /* J2000.0 in TAI seconds since 1958-01-01 */

#endif /* GNC_CONSTANTS_H */
