/*
 * gnc_ephem.h - on-board ephemerides: the orbit of one spacecraft propagated
 * from a state vector (fixed-step RK4 on two-body + J2), the Hill frame of a
 * target, the sun's direction and the Earth's shadow.
 *
 * Units: SI (m, m/s, s, rad); the orbit functions check that the state and mu
 * are in consistent units (GNC_ERR_UNITS otherwise: a state in km with mu in
 * m^3/s^2 is refused, never propagated a million times off). Time: TAI
 * seconds since 1958-01-01 (the CUC epoch, DESIGN.md). Frames: N = GCRF
 * (J2000); Hill frame of the target: x radial (out), y along-track, z orbit
 * normal; rho = chaser minus target in Hill axes, rho_dot its derivative as
 * seen in the rotating frame.
 */
#ifndef GNC_EPHEM_H
#define GNC_EPHEM_H

/* ---- Orbit propagation of one spacecraft ------------------------------- */
typedef struct gnc_ephem_config {
    double mu;       /* m^3/s^2, gravitational parameter */
    double j2;       /* second zonal harmonic (0: two-body only) */
    double r_eq;     /* m, equatorial radius of the J2 term */
    double step;     /* s, largest RK4 step (> 0) */
} gnc_ephem_config;

typedef struct gnc_ephem {
    gnc_ephem_config cfg;
    double t;        /* s TAI, time of the cached state */
    double r[3];     /* m, GCRF, at t */
    double v[3];     /* m/s, GCRF, at t */
    int initialised;
} gnc_ephem;

/* One RK4 step of h seconds (either sign) on two-body + J2 (j2 may be 0). */
int gnc_orbit_rk4_j2(const double r[3], const double v[3], double h, double mu, double j2,
                     double r_eq, double r_out[3], double v_out[3]);

/* Plausibility of a state about a body of radius r_eq: finite, |r| in
 * (r_eq, 10 r_eq), bound orbit, units consistent with mu (v^2 |r| / mu in
 * (0.05, 2)). GNC_ERR_UNITS for inconsistent units, GNC_ERR_DOMAIN else. */
int gnc_orbit_check(const double r[3], const double v[3], double mu, double r_eq);

int gnc_ephem_init(gnc_ephem *ctx, const gnc_ephem_config *cfg);
/* Load the state (r, v) at time t (checked by gnc_orbit_check). */
int gnc_ephem_set(gnc_ephem *ctx, const double r[3], const double v[3], double t);
/* State at time t. Forward queries (t >= ctx->t) propagate in ceil(dt/step)
 * equal steps and move the cache to t; backward queries propagate from the
 * cache without moving it. GNC_ERR_STATE before gnc_ephem_set. */
int gnc_ephem_state(gnc_ephem *ctx, double t, double r[3], double v[3]);
/* Mean motion (rad/s) from the osculating semi-major axis of the cache. */
int gnc_ephem_mean_motion(const gnc_ephem *ctx, double *n);

/* ---- Hill frame ---------------------------------------------------------- */
/* Rows x (radial), y (along-track), z (normal) of the Hill frame of a target
 * at (r_t, v_t), in inertial axes (C, row-major: x_H = C x_N), and the frame's
 * angular velocity omega = (r x v)/|r|^2 (inertial axes). */
int gnc_hill_basis(const double r_t[3], const double v_t[3], double C[9], double omega[3]);
/* Chaser (r_c, v_c) relative to the target (r_t, v_t): x_H = [rho, rho_dot]. */
int gnc_hill_from_inertial(const double r_t[3], const double v_t[3], const double r_c[3],
                           const double v_c[3], double x_H[6]);
/* Inverse of gnc_hill_from_inertial: the chaser's inertial state. */
int gnc_inertial_from_hill(const double r_t[3], const double v_t[3], const double x_H[6],
                           double r_c[3], double v_c[3]);
/* A vector given in the Hill axes of the time dt (s) after the target's state
 * (r_t, v_t) -- the axes turned by n dt about the orbit normal, n the mean
 * motion (rad/s) -- in inertial axes (a burn planned in Hill axes for later). */
int gnc_hill_to_inertial_at(const double r_t[3], const double v_t[3], double n, double dt,
                            const double a_H[3], double a_N[3]);

/* ---- Sun and shadow ------------------------------------------------------ */
/* Unit Earth-to-sun vector (GCRF, within the precession since J2000: < 0.4 deg
 * by 2026) at t_tai: the low-precision formula of the Astronomical Almanac
 * (about 0.01 deg), as fsw/tasks/sun.py had it. */
int gnc_sun_direction(double t_tai, double s_N[3]);
/* Sunlit fraction (0 umbra .. 1 full sun) of a point at r_N (m, GCRF) with
 * the unit sun direction s_N: conical shadow of a spherical Earth of radius
 * r_eq (m) from a sun of radius 696.0e6 m at 1 AU (penumbra by the overlap of
 * the two discs). */
int gnc_eclipse(const double r_N[3], const double s_N[3], double r_eq, double *lit);

#endif /* GNC_EPHEM_H */
