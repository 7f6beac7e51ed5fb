/*
 * gnc_orbit.h - two-body orbit mechanics: Kepler propagation (universal
 * variables), Lambert's problem (with multi-revolution solutions), classical
 * elements <-> Cartesian state, J2 secular rates.
 *
 * Units are those of mu: with mu in m^3/s^2 positions are m, velocities m/s;
 * with mu in km^3/s^2 they are km and km/s. Times in s, angles in rad.
 * Vectors are inertial (GCRF/J2000 for Earth orbits).
 */
#ifndef GNC_ORBIT_H
#define GNC_ORBIT_H

/* State (r, v) after dt (s, either sign) on the conic through (r0, v0):
 * elliptic, parabolic and hyperbolic, Laguerre iteration on the universal
 * Kepler equation. GNC_ERR_NO_CONVERGENCE if it does not converge. */
int gnc_kepler(double mu, const double r0[3], const double v0[3], double dt,
               double r[3], double v[3]);

/* Lambert: the conic from r1 to r2 in tof (s) with nrev complete revolutions.
 * long_way 0: transfer angle in (0, pi) measured about r1 x r2;
 * long_way 1: the angle 2 pi minus that (motion about -(r1 x r2)).
 * nrev >= 1 has two solutions: branch 0 is the one with universal variable z
 * below the minimum-time point (the longer-period, higher-energy ellipse),
 * branch 1 the one above. GNC_ERR_DOMAIN when tof is below the minimum time
 * of an nrev >= 1 transfer; GNC_ERR_SINGULAR for transfer angles of 0 or pi. */
int gnc_lambert(double mu, const double r1[3], const double r2[3], double tof, int nrev,
                int long_way, int branch, double v1[3], double v2[3]);

/* Minimum time of flight (s) of an nrev >= 1 Lambert transfer (0 for nrev 0). */
int gnc_lambert_min_tof(double mu, const double r1[3], const double r2[3], int nrev,
                        int long_way, double *tof_min);

/* Classical elements coe = [a, e, i, raan, argp, nu] (a in the length unit of
 * mu, negative for hyperbolas; angles rad) from a Cartesian state. Circular
 * orbits (e < 1e-11): argp = 0 and nu is the argument of latitude. Equatorial
 * orbits (i < 1e-11 or > pi - 1e-11): raan = 0 and argp (or nu) is measured
 * from the x axis. GNC_ERR_DOMAIN for parabolic or degenerate states. */
int gnc_coe_from_rv(double mu, const double r[3], const double v[3], double coe[6]);

/* Cartesian state from classical elements [a, e, i, raan, argp, nu]. */
int gnc_rv_from_coe(double mu, const double coe[6], double r[3], double v[3]);

/* J2 secular rates rates = [d raan/dt, d argp/dt, d M/dt] (rad/s, the last
 * including the mean motion) of an elliptic orbit (a, e, i) about a body of
 * equatorial radius r_eq (length unit of mu) and second zonal harmonic j2. */
int gnc_j2_rates(double mu, double j2, double r_eq, double a, double e, double i,
                 double rates[3]);

#endif /* GNC_ORBIT_H */
