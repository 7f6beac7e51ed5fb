/*
 * gnc_orbit.h - two-body orbit mechanics: Kepler propagation (universal
 * variables), Lambert's problem (with multi-revolution solutions), classical
 * elements <-> Cartesian state, J2 secular rates.
 *
 * Argument order, every orbit function: the state (or geometry), then the
 * time, then mu and the other body constants, then the outputs.
 *
 * Units are those of mu: with mu in m^3/s^2 positions are m, velocities m/s;
 * with mu in km^3/s^2 they are km and km/s. Times in s, angles in rad.
 * Vectors are inertial (GCRF/J2000 for Earth orbits). Inputs whose units do
 * not fit mu are refused with GNC_ERR_UNITS (never propagated a million times
 * off): the checks are dimensionless, never a fixed unit (see each function).
 */
#ifndef GNC_ORBIT_H
#define GNC_ORBIT_H

/* State (r, v) after dt (s, either sign) on the conic through (r0, v0):
 * elliptic, parabolic and hyperbolic, Laguerre iteration on the universal
 * Kepler equation. GNC_ERR_NO_CONVERGENCE if it does not converge.
 * GNC_ERR_UNITS when v0^2 |r0| / mu is outside (1e-4, 1e4) (a state in km
 * with mu in m^3/s^2 gives 1e-9; a bound orbit is below 2, an escape at a
 * hundred times the escape speed 2e4); GNC_ERR_DOMAIN for v0 = 0. */
int gnc_kepler(const double r0[3], const double v0[3], double dt, double mu,
               double r[3], double v[3]);

/* Lambert: the conic from r1 to r2 in tof (s) with nrev complete revolutions.
 * long_way 0: transfer angle in (0, pi) measured about r1 x r2;
 * long_way 1: the angle 2 pi minus that (motion about -(r1 x r2)).
 * nrev >= 1 has two solutions: branch 0 is the one with universal variable z
 * below the minimum-time point (the longer-period, higher-energy ellipse),
 * branch 1 the one above. GNC_ERR_DOMAIN when tof is below the minimum time
 * of an nrev >= 1 transfer (gnc_lambert_min_tof gives it); GNC_ERR_SINGULAR
 * for transfer angles of 0 or pi (the plane is undefined).
 * GNC_ERR_UNITS when tof is over 1000 (nrev + 1) periods of the circular orbit
 * at max(|r1|, |r2|) (positions in km with mu in m^3/s^2 make a one-hour
 * transfer 3e4 times longer) or shorter than the chord over a hundred times
 * the escape speed at min(|r1|, |r2|) (positions in m with mu in km^3/s^2). */
int gnc_lambert(const double r1[3], const double r2[3], double tof, double mu, int nrev,
                int long_way, int branch, double v1[3], double v2[3]);

/* Minimum time of flight (s) of an nrev >= 1 Lambert transfer (0 for nrev 0). */
int gnc_lambert_min_tof(const double r1[3], const double r2[3], double mu, int nrev,
                        int long_way, double *tof_min);

/* Classical elements coe = [a, e, i, raan, argp, nu] (a in the length unit of
 * mu, negative for hyperbolas; angles rad) from a Cartesian state. Circular
 * orbits (e < 1e-11): argp = 0 and nu is the argument of latitude. Equatorial
 * orbits (i < 1e-11 or > pi - 1e-11): raan = 0 and argp (or nu) is measured
 * from the x axis. GNC_ERR_DOMAIN for parabolic or degenerate states;
 * GNC_ERR_UNITS as gnc_kepler (v^2 |r| / mu outside (1e-4, 1e4)). */
int gnc_coe_from_rv(const double r[3], const double v[3], double mu, double coe[6]);

/* Cartesian state from classical elements [a, e, i, raan, argp, nu]. No units
 * check is possible here (any a is an orbit for any mu: there is no second
 * length or time to compare with); the result is in the units of mu. */
int gnc_rv_from_coe(const double coe[6], double mu, double r[3], double v[3]);

/* J2 secular rates rates = [d raan/dt, d argp/dt, d M/dt] (rad/s, the last
 * including the mean motion) of an elliptic orbit (a, e, i) about a body of
 * equatorial radius r_eq (length unit of mu) and second zonal harmonic j2.
 * GNC_ERR_UNITS when a / r_eq is outside (0.1, 1000) (a in km with r_eq in m
 * gives 1e-3; j2 = 0 or r_eq = 0 skip the check). */
int gnc_j2_rates(double a, double e, double i, double mu, double j2, double r_eq,
                 double rates[3]);

#endif /* GNC_ORBIT_H */
