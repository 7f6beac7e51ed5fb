/*
 * simcore.h - the truth simulation's native core (hil._simcore).
 *
 * NOT part of the guidance core: this is the world the flight software flies in,
 * moved to C only because a fixed-step integrator is too slow in Python at
 * 10 Hz. Portable C99, double precision, no allocation, no global mutable
 * state, no I/O; every function returns a sim_status.
 *
 * Frames and conventions (DESIGN.md): inertial frame N = GCRF/J2000; body B;
 * quaternions scalar first [w, x, y, z], Hamilton; q_BN rotates inertial
 * coordinates into body ones, v_B = R(q_BN) v_N with R(q) v = q (x) v (x) q*;
 * body rate w = w_BN expressed in B, so dq_BN/dt = -1/2 [0, w] (x) q_BN.
 * Matrices are row-major double[9]. SI units.
 *
 * Models (the derivative, evaluated by a classic RK4 at a fixed step):
 *  - orbit: two-body + J2 (optional) + drag (optional) in an atmosphere
 *    co-rotating with the Earth, a = -1/2 rho Cd A/m |v_r| v_r, and solar
 *    radiation pressure (optional), a = -P Cr A/m (AU/d)^2 u (u the unit
 *    vector from the craft to the sun at distance d; zero in the cylindrical
 *    shadow). A is the projected area of a box along the relative wind (drag)
 *    or the sun line (SRP): A = sum_k face_area[k] |e_k . u_B|, u_B the unit
 *    direction in body axes; with every face_area 0, drag uses cd_area and
 *    SRP is off for the craft;
 *  - density: with the craft's density nodes set (atm_valid, see
 *    sim_atmos_set_node: two nodes at times t0 < t1, each a log-density at a
 *    radius and its radial slope, filled from NRLMSIS by hil.sim.world) ln rho
 *    is each node's value carried log-linearly to the craft's radius, blended
 *    linearly in time between the two nodes (held outside [t0, t1]); without
 *    nodes, the exponential atmosphere rho0 exp(-(|r| - r_earth - h0) / H);
 *  - mass properties: the body origin is the dry centre of mass; the
 *    propellant is a point mass at tank_pos (a liquid in a spherical tank
 *    does not spin up with the body to first order). At propellant mass m_p,
 *    centre of mass c = m_p tank_pos / (m_dry + m_p) and inertia about c
 *    I = inertia (dry, about the origin) + m_dry (|c|^2 E - c c^T)
 *        + m_p (|p - c|^2 E - (p - c)(p - c)^T),  p = tank_pos,
 *    refreshed at each tick's start (the propellant used within one tick
 *    moves them by far less than the integration error). Thruster torques
 *    are taken about c: (pos_i - c) x F_i;
 *  - attitude: rigid body with reaction wheels. I is the inertia of the whole
 *    spacecraft with the wheels frozen; wheel i spins about unit axis a_i with
 *    spin inertia J_i at speed W_i relative to the body. Total momentum in B:
 *    H = I w + sum_i a_i J_i W_i. With motor torque u_i (on the wheel):
 *      (I - sum J_i a_i a_i^T) dw/dt = T_ext - sum a_i u_i - w x H
 *      dW_i/dt = u_i / J_i - a_i . dw/dt
 *    u_i = saturate(command) - Coulomb (smoothed by tanh(W/w_eps)) - viscous;
 *    the command is zeroed when it would drive a wheel past its maximum speed
 *    or when the wheel has failed (friction still acts);
 *  - external torques: gravity gradient 3 mu / r^3 (r_B x I r_B), magnetorquer
 *    m x B, thrusters p_i x F_i;
 *  - field: a tilted dipole fixed in the Earth, B = B0 (Re/r)^3 (3 (d.r) r - d),
 *    d the unit dipole moment, rotating with the Earth rotation angle
 *    era(t) = era0 + omega_earth t about the N z axis;
 *  - thrusters: force along dir_i at position pos_i (body); thrust and mass
 *    flow scale with the blowdown tank pressure p = pv / (V_tank - m_prop/rho),
 *    F = F_ref p / p_ref, mdot = -F / (Isp g0). A commanded on-time may span
 *    several ticks; within a tick a thruster fires from the tick start for
 *    its remaining on-time (at most the tick), and the tick is split at every
 *    on-time so each RK4 segment has a constant thrust set.
 *  - sensed velocity (dv_sensed_B, what an accelerometer at the centre of mass
 *    feels): per RK4 segment of h seconds, h F_B / m with F_B the thrust
 *    force (body) at the segment's mean thrust levels and the tank pressure
 *    and mass at its start (the derivative's own thrust computation); per
 *    tick, dt R(q) (a_drag + a_srp) with the drag and SRP accelerations at the
 *    tick's start (as drag_accel and srp_accel, evaluated there).
 *  - sun: the low-precision analytic ephemeris of the Astronomical Almanac
 *    (about 0.01 deg), its ecliptic longitude brought from the equinox of date
 *    to J2000 by the general precession; eclipse by a cylindrical Earth shadow.
 *    For SRP the sun is refreshed at each tick's start (env.sun_n,
 *    env.sun_distance).
 *
 * This header is also the cffi cdef (native/build_sim.py): keep declarations
 * free of macros; array sizes are literal (at most 6 wheels, 16 thrusters,
 * 4 craft).
 */
#ifndef SIMCORE_H
#define SIMCORE_H

typedef enum sim_status {
    SIM_OK = 0,
    SIM_ERR_NULL = 1,    /* a required pointer was NULL */
    SIM_ERR_DOMAIN = 2,  /* an input is outside its domain (non-finite, negative mass...) */
    SIM_ERR_RANGE = 5,   /* a count or index is out of range */
    SIM_ERR_STATE = 9    /* the craft was not prepared, or its state became non-finite */
} sim_status;

typedef enum sim_thruster_state {
    SIM_THR_NOMINAL = 0,
    SIM_THR_STUCK_OPEN = 1,
    SIM_THR_STUCK_CLOSED = 2
} sim_thruster_state;

typedef struct sim_env {
    double mu;             /* m^3/s^2 */
    double r_earth;        /* m, equatorial radius */
    double j2;             /* unitless */
    double omega_earth;    /* rad/s */
    double era0;           /* rad, Earth rotation angle (GMST) at t = 0 */
    double jd_tt0;         /* Julian date (TT) at t = 0, for the sun ephemeris */
    double rho0;           /* kg/m^3, density at altitude h0 */
    double h0;             /* m */
    double scale_height;   /* m */
    double b0;             /* T, dipole field at the equator on the surface */
    double dipole_ecef[3]; /* unit dipole moment direction in the Earth-fixed frame */
    int j2_on;
    int drag_on;
    int gravity_gradient_on;
    int magnetic_on;
    int srp_on;
    double srp_pressure;   /* N/m^2, solar radiation pressure at 1 AU (absorbing surface) */
    double sun_n[3];       /* unit Earth-to-sun direction at the current tick's start (SRP) */
    double sun_distance;   /* m, idem */
} sim_env;

typedef struct sim_craft {
    /* ---- state (integrated) ---- */
    double r[3];              /* m, N */
    double v[3];              /* m/s, N */
    double q[4];              /* q_BN */
    double w[3];              /* rad/s, w_BN in B */
    double wheel_speed[6];    /* rad/s, relative to the body */
    double prop_mass;         /* kg */
    /* ---- parameters ---- */
    int attitude_on;          /* 0: orbit only (q, w, wheels frozen) */
    double dry_mass;          /* kg */
    double inertia[9];        /* kg m^2, B, wheels frozen */
    double cd_area;           /* m^2, drag coefficient times area (faces all 0) */
    double face_area[3];      /* m^2, box faces seen along body x, y, z (0: use cd_area) */
    double cd;                /* drag coefficient of the faces */
    double cr;                /* SRP coefficient (1 absorbing .. 2 specular mirror) */
    double tank_pos[3];       /* m, B, propellant centre from the body origin (dry CoM) */
    int n_wheels;
    double wheel_axis[18];    /* unit axes in B, 3 per wheel */
    double wheel_inertia[6];  /* kg m^2, spin axis */
    double wheel_max_speed[6];  /* rad/s */
    double wheel_max_torque[6]; /* N m */
    double wheel_coulomb[6];    /* N m */
    double wheel_coulomb_speed[6]; /* rad/s, tanh smoothing speed of Coulomb friction */
    double wheel_viscous[6];    /* N m s */
    double mtq_max_dipole[3];   /* A m^2 per body axis */
    int n_thrusters;
    double thr_pos[48];       /* m, B, 3 per thruster */
    double thr_dir[48];       /* unit force direction in B (misalignment included) */
    double thr_force[16];     /* N at the reference pressure */
    double thr_isp[16];       /* s */
    double thr_min_on[16];    /* s, shorter commanded pulses are not executed */
    double thr_rise[16];      /* s, time constant of the thrust build-up after the valve
                                 opens (first order; 0: at once) */
    double thr_tail[16];      /* s, time constant of the tail-off after it closes */
    double tank_volume;       /* m^3 */
    double prop_density;      /* kg/m^3 */
    double tank_pv;           /* Pa m^3, pressurant pressure times gas volume (isothermal) */
    double p_ref;             /* Pa, pressure at which thr_force is rated */
    /* power: a body-mounted solar array (cosine law, nothing in eclipse) and
     * a constant load on a battery; battery_capacity 0: no power model */
    double array_normal[3];   /* unit outward normal of the array, B */
    double array_peak_power;  /* W at normal incidence */
    double load_power;        /* W, constant */
    double battery_capacity;  /* J */
    /* ---- commands (held until changed; on-times count down) ---- */
    double wheel_torque_cmd[6];  /* N m, motor torque on the wheel */
    double mtq_dipole_cmd[3];    /* A m^2, B */
    double thr_on_time[16];      /* s, remaining commanded on-time from the next tick's
                                    start; each tick fires min(remaining, dt) and
                                    decrements it. A pulse shorter than thr_min_on at
                                    its start is dropped. */
    int thr_active[16];          /* 1 while a commanded pulse is in progress */
    double thr_level[16];        /* thrust as a fraction of the rated thrust at the pressure
                                    (0..1): rises with the valve open, tails off closed */
    double battery_energy;       /* J, integrated each tick from the array power at the
                                    tick's start less the load, kept in [0, capacity] */
    /* ---- faults ---- */
    int wheel_failed[6];         /* 1: motor torque zero */
    int thr_state[16];           /* sim_thruster_state */
    /* ---- outputs, refreshed at the end of each step call ---- */
    double mass;                 /* kg */
    double tank_pressure;        /* Pa */
    double b_n[3];               /* T, field at the craft, N */
    double b_body[3];            /* T, B */
    double sun_body[3];          /* unit Earth-to-sun direction, B */
    int eclipse;                 /* 1 in the cylindrical shadow */
    double h_n[3];               /* N m s, total angular momentum about the centre of mass, N */
    double thr_total_on[16];     /* s, cumulative firing time */
    double thr_pulses[16];       /* cumulative executed pulses */
    double wheel_torque_applied[6]; /* N m, last executed motor command (after saturation) */
    double com[3];               /* m, B, centre of mass from the body origin */
    double inertia_cm[9];        /* kg m^2, B, about the centre of mass, wheels frozen */
    double density;              /* kg/m^3 at the craft (0 with drag off) */
    double drag_accel[3];        /* m/s^2, N */
    double srp_accel[3];         /* m/s^2, N */
    double array_power;          /* W, the array's power now */
    double battery_soc;          /* battery_energy / battery_capacity (0 without the model) */
    /* ---- sensed velocity (the accelerometer's truth) ---- */
    double dv_sensed_B[3];       /* m/s, body: running total of the non-gravitational
                                    velocity increments (thrust, drag, SRP) since the
                                    world's start; never reset (0 in a zeroed struct) */
    /* ---- density nodes (sim_atmos_set_node) ---- */
    double atm_t[2];             /* s since the epoch, node times */
    double atm_r[2];             /* m, node radius */
    double atm_lnrho[2];         /* ln(kg/m^3) at atm_r */
    double atm_dlnrho[2];        /* 1/m, d ln rho / d r */
    int atm_valid;               /* number of nodes set (2: the nodes are used) */
    /* ---- workspace ---- */
    double inertia_eff_inv[9];   /* (I_cm - sum J a a^T)^-1 */
    double props_prop_mass;      /* propellant mass com/inertia_cm were computed for */
    double pert_key[40];         /* every input of the drag and SRP accelerations the
                                    outputs last computed (time, state, mass, the
                                    craft's and the environment's parameters) */
    double pert_an[3];           /* their a_drag + a_srp (N) at pert_key: the next tick
                                    starts from the same inputs unless they changed */
    int pert_valid;              /* 1 once pert_key is set (0 in a zeroed struct) */
    int prepared;
} sim_craft;

typedef struct sim_world {
    sim_env env;
    double t;                  /* s since the scenario epoch */
    int n_craft;
    sim_craft craft[4];
    int hill_craft;            /* index of the craft whose Hill state is computed */
    int hill_ref;              /* index of the reference (target) craft, -1: none */
    /* outputs refreshed at the end of each step call */
    double sun_n[3];           /* unit Earth-to-sun direction, N */
    double sun_distance;       /* m */
    double hill_r[3];          /* m, craft[hill_craft] w.r.t. craft[hill_ref], Hill frame */
    double hill_v[3];          /* m/s, derivative in the rotating Hill frame */
    long ticks;                /* ticks taken */
} sim_world;

/* A constant description of a status. */
int sim_status_message(int status, const char **message);

/* Check the parameters of a craft and compute its workspace; call after
 * any parameter change. SIM_ERR_DOMAIN on a non-invertible inertia,
 * non-positive mass or wheel inertia, or a non-unit axis. */
int sim_craft_prepare(sim_craft *craft);

/* Check and prepare every craft, then refresh the outputs at the current
 * time without stepping. */
int sim_world_prepare(sim_world *world);

/* Advance the world n ticks of dt seconds (RK4, split at thruster
 * on-times). Outputs are refreshed at the end of the call. */
int sim_world_step(sim_world *world, double dt, long n);

/* State derivative of one craft at time t (for tests): x = [r, v, q, w,
 * wheel speeds (n_wheels), prop mass], thruster i at level[i] of its rated
 * thrust (NULL: all off). */
int sim_craft_derivative(const sim_env *env, const sim_craft *craft, double t,
                         const double *x, const double *level, double *dx);

/* Unit Earth-to-sun direction (N: J2000 mean equator and equinox) and
 * distance in m, at Julian date (TT). */
int sim_sun(double jd_tt, double sun_n[3], double *distance);

/* 1 when r_n (m) is inside the cylindrical shadow of radius r_earth behind the
 * Earth for the unit sun direction sun_n. */
int sim_eclipse(const double r_n[3], const double sun_n[3], double r_earth, int *eclipse);

/* Tilted-dipole field (T, N) at r_n (m) at time t of the environment. */
int sim_magnetic_field(const sim_env *env, double t, const double r_n[3], double b_n[3]);

/* Append a density node to craft i (the later of the two kept nodes moves
 * to the first place): at time t (s since the epoch), densities rho_lo and
 * rho_hi (kg/m^3, > 0) at radii r - dr and r + dr (m). The node stores ln rho
 * at r and the slope (ln rho_hi - ln rho_lo) / (2 dr). t must be later than
 * the previous node. */
int sim_atmos_set_node(sim_world *world, int i, double t, double r, double dr, double rho_lo,
                       double rho_hi);

/* Where to evaluate the atmosphere for craft i's next node, dt seconds ahead
 * of the world's time: the craft's position carried along its osculating
 * orbit plane at the orbit's mean angular rate (a two-body rotation: good to
 * the km the atmosphere cares about over a minute). out = [t_node, r (m),
 * geodetic latitude (deg), east longitude (deg, -180..180), geodetic height
 * (m)] of that point on the WGS-84 ellipsoid, the Earth-fixed frame turned
 * from N by the Earth rotation angle about z (no polar motion). */
int sim_atmos_point(const sim_world *world, int i, double dt, double out[5]);

/* Geodetic latitude (rad), longitude (rad) and height (m) on the WGS-84
 * ellipsoid of an Earth-fixed position (m), Bowring's iteration. */
int sim_geodetic(const double r_ef[3], double *lat, double *lon, double *h);

/* Mass properties of a craft at a propellant mass: centre of mass (B, from
 * the body origin) and inertia about it (see the model above). */
int sim_mass_properties(const sim_craft *craft, double prop_mass, double com[3],
                        double inertia_cm[9]);

/* Total energy per unit mass (two-body + J2 potential) of an orbit state. */
int sim_orbit_energy(const sim_env *env, const double r[3], const double v[3], double *energy);

/* Rotational kinetic energy of a craft (body and wheels). */
int sim_craft_kinetic_energy(const sim_craft *craft, double *energy);

#endif /* SIMCORE_H */
