/*
 * gnc_ephem.h - on-board ephemerides: the orbit of one spacecraft propagated
 * from a state vector (fixed-step RK4 on two-body + J2 + optional drag), the Hill frame of a
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
/* Drag, the flight software's own model (never the truth's): an exponential
 * atmosphere rho = drag_rho0 exp(-(|r| - r_eq - drag_h0) / drag_hs) turning
 * with the Earth at drag_omega about z, a = -1/2 rho drag_bc |v_r| v_r with
 * v_r = v - omega x r and drag_bc = Cd A / m as the flight software
 * believes it (0: no drag). Within one query the drag factor
 * -1/2 rho drag_bc |v_r| is evaluated every 6 RK4 steps and held between
 * (gnc_ephem.c: the board's doubles are soft-float). */
typedef struct gnc_ephem_config {
    double mu;       /* m^3/s^2, gravitational parameter */
    double j2;       /* second zonal harmonic (0: two-body only) */
    double r_eq;     /* m, equatorial radius of the J2 term */
    double step;     /* s, largest RK4 step (> 0) */
    double drag_bc;    /* m^2/kg, ballistic coefficient Cd A / m (0: no drag) */
    double drag_rho0;  /* kg/m^3, density at drag_h0 */
    double drag_h0;    /* m, reference height above r_eq */
    double drag_hs;    /* m, scale height */
    double drag_omega; /* rad/s, rotation rate of the atmosphere about z */
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
 * (r_eq, 10 r_eq), bound orbit, units consistent with mu and r_eq.
 * GNC_ERR_UNITS when v^2 |r| / mu is outside (0.05, 2) (1 on a circular
 * orbit, 2 at escape; a state in km with mu in m^3/s^2 gives 1e-9) or
 * |r| / r_eq outside (0.01, 100); GNC_ERR_DOMAIN when not finite or |r| is
 * not in (r_eq, 10 r_eq). */
int gnc_orbit_check(const double r[3], const double v[3], double mu, double r_eq);

int gnc_ephem_init(gnc_ephem *ctx, const gnc_ephem_config *cfg);
/* Load the state (r, v) at time t (checked by gnc_orbit_check). */
int gnc_ephem_set(gnc_ephem *ctx, const double r[3], const double v[3], double t);
/* State at time t. Forward queries (t >= ctx->t - 1e-6 s) propagate in
 * ceil(dt/step) equal steps and move the cache to t; backward queries
 * propagate from the cache without moving it. GNC_ERR_STATE before
 * gnc_ephem_set; GNC_ERR_RANGE beyond 1e7 steps. */
int gnc_ephem_state(gnc_ephem *ctx, double t, double r[3], double v[3]);
/* Mean motion (rad/s) from the osculating semi-major axis of the cache. */
int gnc_ephem_mean_motion(const gnc_ephem *ctx, double *n);

/* ---- Hill frame ---------------------------------------------------------- */
/* Rows x (radial), y (along-track), z (normal) of the Hill frame of a target
 * at (r_t, v_t), in inertial axes (C, row-major: x_H = C x_N), and the frame's
 * angular velocity omega = (r x v)/|r|^2 (inertial axes). GNC_ERR_DOMAIN
 * when there is no orbit plane (r = 0, or v along r). */
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

/* ---- Frames -------------------------------------------------------------- */
/* IAU 1976 precession matrix P (row-major) at the TAI time t_tai, mean
 * equator and equinox of J2000 -> of date: r_date = P r_J2000 (Lieske et al.
 * 1977: zeta, z, theta in Julian centuries of TT, counted here as TAI from
 * J2000.0 in TAI, P = Rz(-z) Ry(theta) Rz(-zeta)). GNC_ERR_DOMAIN for a
 * non-finite time. */
int gnc_precession_iau1976(double t_tai, double P[9]);

/* ---- Sun and shadow ------------------------------------------------------ */
/* Unit Earth-to-sun vector, GCRF (J2000), at t_tai: the low-precision
 * formula of the Astronomical Almanac (mean equator and equinox of date, as
 * fsw/tasks/sun.py had it) rotated to J2000 by the IAU 1976 precession
 * (Lieske et al. 1977, as fsw/tasks/autonomy/orbit.py _precession): within
 * 0.013 deg of ERFA's epv00 over 2000-2050 (tests/core/test_ephem.py); the
 * mean-of-date vector alone was up to 0.7 deg off by 2050. */
int gnc_sun_direction(double t_tai, double s_N[3]);
/* Sunlit fraction (0 umbra .. 1 full sun) of a point at r_N (m, GCRF) with
 * the sun along s_N (any length): conical shadow of a spherical Earth of
 * radius r_eq (m) from a sun of radius 696.0e6 m at 1 AU (penumbra by the
 * area of overlap of the two apparent discs, Montenbruck & Gill 3.4.2).
 * Metres are required (the sun's size and distance are in m): GNC_ERR_UNITS
 * when |r_N| < 0.01 r_eq or r_eq < 69.6 km (km inputs); GNC_ERR_DOMAIN inside
 * the Earth or for a zero s_N. */
int gnc_eclipse(const double r_N[3], const double s_N[3], double r_eq, double *lit);

#endif /* GNC_EPHEM_H */
