/*
 * gnc_prop.h - propulsion arithmetic of the flight software: thruster groups
 * and their torque-free pairs, the group and burn attitude for a Delta-v,
 * the on-time of a firing cycle and its Delta-v and propellant, a cycle's
 * thrust with the thrusters' rise and tail-off, and the residuals of the
 * burn, firing, idle and thruster-test monitors.
 *
 * Thrusters: up to GNC_PROP_MAX, each with a position (m, body, from the
 * centre of mass) and a unit thrust direction (body); a "group" is the set of
 * thrusters with the same direction (within 1e-9); the task's decisions
 * (state machine, arming, persistence, isolation) stay in the task.
 * Masks: bit i = thruster i.
 */
#ifndef GNC_PROP_H
#define GNC_PROP_H

enum { GNC_PROP_MAX = 16 };

typedef struct gnc_prop_config {
    int count;                         /* thrusters (1..GNC_PROP_MAX) */
    double position_B[3 * GNC_PROP_MAX];  /* m, [i*3 + axis] */
    double direction_B[3 * GNC_PROP_MAX]; /* thrust directions (normalised on init) */
    double inertia[9];                 /* kg m^2, body, row-major */
    double isp;                        /* s */
    double g0;                         /* m/s^2, standard gravity */
    double min_on;                     /* s, shortest pulse */
    double secondary_B[3];             /* body axis turned towards the orbit normal
                                        * in a burn attitude (the star tracker) */
} gnc_prop_config;

typedef struct gnc_prop {
    gnc_prop_config cfg;
    double torque_arm[3 * GNC_PROP_MAX]; /* position x direction (m), per thruster */
    int partner[GNC_PROP_MAX];         /* the thruster of the same group whose torque
                                        * cancels this one's best (itself if none) */
    int initialised;
} gnc_prop;

int gnc_prop_init(gnc_prop *ctx, const gnc_prop_config *cfg);

/* The group with the most usable thrusters (ok_mask, at least two), of those
 * the one whose direction is nearest the Delta-v dv_N (GCRF) seen in attitude
 * q_BN (a slewed burn turns it onto the Delta-v); its direction axis_B,
 * its usable members (*group_mask) and their count. GNC_ERR_DOMAIN when no
 * group has two usable thrusters (or dv is zero). */
int gnc_prop_select(const gnc_prop *ctx, int ok_mask, const double q_BN[4],
                    const double dv_N[3], double axis_B[3], int *group_mask, int *n_fire);

/* The burn attitude: axis_B along dv_N, the configured secondary axis as close
 * as possible to the orbit normal normal_N (any length; to z_N x dv when the
 * normal is zero or within acos(0.99) of dv, to x_N x dv when dv is along z_N). */
int gnc_prop_burn_attitude(const gnc_prop *ctx, const double axis_B[3], const double dv_N[3],
                           const double normal_N[3], double q_BN[4]);

/* One firing cycle of n_fire thrusters of thrust F (N) on a craft of mass
 * (kg) with remaining Delta-v (m/s) over a cycle of dt (s): the on-time
 * min(dt, remaining mass / (n_fire F)); *on = 0 when that is below min_on (the
 * burn is done); the impulse's Delta-v (m/s) and propellant (kg). */
int gnc_prop_fire(const gnc_prop *ctx, int n_fire, double thrust, double mass, double remaining,
                  double dt, double *on, double *dv, double *dm);

/* Off-pulsing of one firing cycle: thruster i nominally on for on_in[i] (s,
 * any groups, e.g. gnc_prop_fire's on-time for a group or gnc_prop_translate's
 * on-times) at thrust F (N) is cut short so that the cuts add a torque
 * impulse as near torque_B times the longest pulse (N m s) as the groups make
 * (the nominal pulses taken as torque-free, as the layout's groups are):
 * group by group (thrusters of one direction and one on-time, at least two),
 * longest pulses first, the cuts of least norm in the plane normal to the
 * group's axis (where all its torques lie), shifted so the group's least cut
 * is zero (a balanced group's thrust torque is unchanged by a common cut),
 * scaled down together when longer than the pulse; a pulse left shorter than
 * min_on is rounded to 0 or min_on. on_out (s), the cycle's Delta-v dv_N
 * (GCRF, m/s, in attitude q_BN), propellant *dm (kg) and the torque the cuts
 * add, torque_out_B (N m: their impulse over the longest pulse). */
int gnc_prop_offpulse(const gnc_prop *ctx, const double on_in[GNC_PROP_MAX],
                      const double torque_B[3], double thrust, double mass, const double q_BN[4],
                      double on_out[GNC_PROP_MAX], double dv_N[3], double *dm,
                      double torque_out_B[3]);

/* One firing cycle of a translation without slewing: the Delta-v still to do,
 * rem_N (GCRF), seen in attitude q_BN, is split over the groups (at least two
 * usable thrusters of ok_mask each) whose directions have a positive component
 * along it, each group firing for its component: on-time a_g mass / (n_g F)
 * for the component a_g = d_g . rem_B, all scaled by one factor so the longest
 * fits the cycle dt (the direction is kept), a group below min_on left out.
 * on_time[i] (s) for every thruster (GNC_PROP_MAX, 0 for the others), the
 * cycle's Delta-v dv_N (GCRF, m/s) and propellant *dm (kg); all zero when every
 * component is below the minimum impulse bit (the burn is done).
 * GNC_ERR_DOMAIN when the groups cannot make rem_N without slewing (the split
 * misses it by more than 1e-6 |rem|: group directions not along orthogonal axes,
 * or a direction without a usable group). */
int gnc_prop_translate(const gnc_prop *ctx, int ok_mask, const double q_BN[4],
                       const double rem_N[3], double thrust, double mass, double dt,
                       double on_time[GNC_PROP_MAX], double dv_N[3], double *dm);

/* Burn duration (s) of |dv| (m/s) with n_fire thrusters of thrust F (N) on mass (kg). */
int gnc_prop_duration(const gnc_prop *ctx, int n_fire, double thrust, double mass, double dv,
                      double *duration);

/* Monitors' residuals from the gyro rate w_B (rad/s): |w_B| (idle monitor,
 * settling), |w_B - w0_B| (firing monitor: change since firing began). */
int gnc_prop_rate_residuals(const double w_B[3], const double w0_B[3], double *rate,
                            double *change);

/* A firing cycle's thrust with the thrusters' rise and tail-off, the model of
 * the simulation's thrusters (native/sim/src/sim_step.c, thrust_level): the
 * valve of each of the first n thrusters opens at the start of a cycle of dt
 * (s) and closes on[i] (s, 0..dt) later; the thrust level x (fraction of full
 * thrust) follows it at first order, towards 1 with time constant rise (s)
 * while open, towards 0 with tail (s) while closed (0: x jumps). level_in[i]
 * is x at the cycle's start, level_out[i] at its end (0 when a closed spell
 * leaves it below 1e-12: tailed off, as in the simulation). on_eff[i] (s) is
 * the impulse the cycle's opening adds, in seconds of full thrust, on + (tail
 * - rise) R, R the rise of x while the valve is open (0 when on = 0). Exact
 * for the model: from a tailed-off thrust to a tailed-off thrust, the integral
 * of x is that of the valve plus (tail - rise) times the total rise, so the
 * on_eff of a firing's cycles add up to its whole impulse, the tail-off after
 * its last cycle included (over one cycle, the integral of x is on_eff +
 * tail (level_in - level_out)). For the propulsion task to count a translation's
 * impulse and torque from, rise and tail being the thrusters' (the scenario's
 * chaser.rcs rise_time_s and tail_off_s). Slots n..GNC_PROP_MAX-1: inputs
 * zero, outputs zero. GNC_ERR_RANGE unless 0 <= n <= GNC_PROP_MAX;
 * GNC_ERR_DOMAIN unless dt > 0, rise >= 0 and tail >= 0 (finite), level_in in
 * [0, 1] and on in [0, dt] (inputs beyond n: zero). gnc_exp and basic
 * arithmetic only. */
int gnc_prop_pulse_response(const double level_in[GNC_PROP_MAX], const double on[GNC_PROP_MAX],
                            int n, double dt, double rise, double tail,
                            double level_out[GNC_PROP_MAX], double on_eff[GNC_PROP_MAX]);

/* An accelerometer sample in inertial axes: the velocity increment dv_B
 * (body, m/s) over dt (s), less the bias bias_B (m/s^2) times dt, turned into
 * GCRF with the attitude q_BN (normalised here): dv_N (m/s). */
int gnc_prop_accel(const double dv_B[3], double dt, const double bias_B[3],
                   const double q_BN[4], double dv_N[3]);

/* Thruster test of thruster i fired for pulse (s) at thrust F (N): the
 * expected body-rate change I^-1 (arm x dir) F pulse, and for an observed rate
 * change dw_B the response ratio (dw . e)/(e . e) (1: as expected, 0: not
 * firing). */
int gnc_prop_test_response(const gnc_prop *ctx, int i, double thrust, double pulse,
                           const double dw_B[3], double expected_B[3], double *ratio);

/* One translation into the centre-of-mass least squares: the equation
 * F x delta = y for the offset delta (m, body) of the centre of mass, from
 * the translation's thrust impulse F (N s, body) and its momentum residual y
 * (N m s, body: the change of the total angular momentum less the commanded
 * torque impulse). Refused (*used = 0, N and b unchanged) when
 * |F|^2 < min_impulse^2, or when the offset this translation alone implies,
 * y x F / |F|^2, is not finite or longer than max_offset (non-finite F or y
 * land here). Otherwise accumulated into the normal equations, N (3x3,
 * row-major, in/out) += |F|^2 I - F F' and b (in/out) += y x F, and solved
 * (Cramer, the upper triangle of N): est = N^-1 b and *used = 2; when det N
 * is not > 0, *used = 1 (accumulated, no estimate). est is zero unless
 * *used = 2. Operations in a fixed order (the task's former arithmetic).
 * GNC_ERR_DOMAIN unless min_impulse and max_offset are finite and > 0. */
int gnc_prop_com_update(double N[9], double b[3], const double F[3], const double y[3],
                        double min_impulse, double max_offset, double est[3], int *used);

/* The torque tau = -delta x F of the force F (N, body; or an impulse, N s,
 * for an angular impulse) about a centre of mass offset delta from the
 * layout's, at the least squares' estimate est (known = -est x F), and each
 * axis' 1-sigma uncertainty from the offset's: sigma[i] = noise sqrt(g_i'
 * N^-1 g_i), g_i the gradient of tau_i in delta (the rows (0, -F2, F1),
 * (F2, 0, -F0), (-F1, F0, 0)), as |L^-1 g_i|^2 with N = L L' (Cholesky of
 * N's lower triangle; noise^2 N^-1 is the offset's covariance, the prior in
 * N). Basic arithmetic and sqrt only, in a fixed order. GNC_ERR_DOMAIN when
 * an input is not finite, noise is negative, or N is not positive definite. */
int gnc_prop_com_torque(const double N[9], const double est[3], const double F[3], double noise,
                        double known[3], double sigma[3]);

#endif /* GNC_PROP_H */
