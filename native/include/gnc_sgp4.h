/*
 * gnc_sgp4.h - SGP4 (near-Earth) from two-line mean elements, and the TLE
 * state in GCRF.
 *
 * The model is Vallado's SGP4 (Vallado, Crawford, Hujsak and Kelso, AIAA
 * 2006-6753; the public code behind the `sgp4` package), near-Earth branch
 * only: WGS-72 constants, the "improved" operation mode ('i', the package's
 * default). Elements whose period is 225 min or longer (deep space: SDP4,
 * lunar-solar terms and resonances) are refused with GNC_ERR_DOMAIN. With
 * the core's own elementary functions (gnc_math.h) the result has the same
 * bits on every machine and on the board; it agrees with the package
 * (`Satrec.twoline2rv` + `sgp4`, platform libm) to far below a millimetre
 * (tests/core/test_sgp4.py says how far).
 *
 * Units: the elements in the units of the TLE text (deg, rev/day, 1/earth
 * radii); SGP4's own time is minutes since the epoch and its frame TEME
 * (km, km/s). gnc_tle_gcrf gives SI (m, m/s) in GCRF at a TAI time.
 *
 * SGP4's own errors (Vallado's codes) are statuses: 1 mean eccentricity
 * outside [-0.001, 1), 2 mean motion <= 0, 4 semi-latus rectum < 0 give
 * GNC_ERR_DOMAIN; 6 (the satellite has decayed: radius below one earth
 * radius) gives GNC_ERR_RANGE (the time is beyond the element set's life).
 * gnc_sgp4_code names the code itself for messages.
 *
 * Part of the cffi cdef (keep it free of macros).
 */
#ifndef GNC_SGP4_H
#define GNC_SGP4_H

/* Mean elements of a TLE. SGP4 does not use the mean motion's derivatives
 * (ndot, nddot: SGP's drag terms), so they are not here. */
typedef struct gnc_sgp4_elements {
    double epoch_jd;         /* UTC Julian date of the epoch, whole day (ends in .5) */
    double epoch_jd_frac;    /* the epoch's fraction of that day, in [0, 1) */
    double n_rev_day;        /* Kozai mean motion [rev/day] (> 0) */
    double ecc;              /* eccentricity, [0, 1) */
    double incl_deg;         /* inclination [deg] */
    double raan_deg;         /* right ascension of the ascending node [deg] */
    double argp_deg;         /* argument of perigee [deg] */
    double mean_anomaly_deg; /* mean anomaly [deg] */
    double bstar;            /* drag term B* [1/earth radii] */
} gnc_sgp4_elements;

/* The initialised model (caller-owned; gnc_sgp4_init fills it): the
 * elements in SGP4's units (rad, rad/min) and the near-Earth coefficients,
 * named as in Vallado's code. Read-only for the caller. */
typedef struct gnc_sgp4 {
    double epoch_jd, epoch_jd_frac;
    double bstar, ecco, inclo, nodeo, argpo, mo, no_kozai, no_unkozai;
    double con41, cc1, cc4, cc5, d2, d3, d4, delmo, eta, argpdot, omgcof, sinmao;
    double t2cof, t3cof, t4cof, t5cof, x1mth2, x7thm1, mdot, nodedot, xlcof, xmcof;
    double nodecf, aycof;
    int isimp;               /* 1: perigee below 220 km, the simplified drag terms */
    int error;               /* Vallado's code of a refused gnc_sgp4_init's evaluation
                              * at the epoch (0 when refused before it, or none) */
    int initialised;         /* 1 after a successful gnc_sgp4_init */
} gnc_sgp4;

/* Initialise s from the elements (Vallado's sgp4init, near-Earth), then
 * evaluate at the epoch as sgp4init does: the status of that evaluation is
 * returned (an element set that has decayed at its epoch is refused).
 * GNC_ERR_DOMAIN for non-finite elements, n_rev_day <= 0, ecc outside
 * [0, 1), a period of 225 min or longer (deep space), or an SGP4 error at
 * the epoch (GNC_ERR_RANGE when decayed; s->error holds the code). On
 * failure s is not initialised. */
int gnc_sgp4_init(gnc_sgp4 *s, const gnc_sgp4_elements *el);

/* TEME position (km) and velocity (km/s) tsince_min minutes after the epoch
 * (either sign). GNC_ERR_STATE before a successful gnc_sgp4_init;
 * GNC_ERR_DOMAIN for a non-finite time or SGP4 errors 1, 2, 4;
 * GNC_ERR_RANGE when decayed (error 6; the outputs are written, as
 * Vallado's code computes them, before the status). */
int gnc_sgp4_teme(const gnc_sgp4 *s, double tsince_min, double r_km[3], double v_kms[3]);

/* Vallado's error code (0 none, 1, 2, 4 or 6, see above) of an evaluation at
 * tsince_min: for messages. GNC_ERR_STATE before gnc_sgp4_init. */
int gnc_sgp4_code(const gnc_sgp4 *s, double tsince_min, int *code);

/* Minutes since the TLE epoch of the TAI time t_tai (s since 1958-01-01):
 * UTC days since 1958 = (t_tai - tai_minus_utc) / 86400 (tai_minus_utc in s,
 * the leap seconds in force), split into a Julian date's whole day and
 * fraction, each differenced with the epoch's (as the `sgp4` package's
 * sgp4(jd, fr)). GNC_ERR_STATE before gnc_sgp4_init. */
int gnc_tle_tsince(const gnc_sgp4 *s, double t_tai, double tai_minus_utc, double *tsince_min);

/* GCRF position (m) and velocity (m/s) at the TAI time t_tai: SGP4 at
 * gnc_tle_tsince, TEME taken as the mean equator and equinox of date and
 * rotated to GCRF by the IAU 1976 precession (gnc_precession_iau1976;
 * nutation, under 20 arcsec, is neglected). Statuses as gnc_sgp4_teme. */
int gnc_tle_gcrf(const gnc_sgp4 *s, double t_tai, double tai_minus_utc, double r_m[3],
                 double v_m_s[3]);

#endif /* GNC_SGP4_H */
