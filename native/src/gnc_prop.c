/* gnc_prop.c - propulsion arithmetic: thruster groups and partners, group
 * selection and burn attitude, firing cycles and their thrust's rise and
 * tail-off, monitors' residuals (see gnc_prop.h). */
#include "gnc.h"
#include "gnc_la.h"
#include "gnc_math.h"

/* Two thrusters belong to one group when their unit directions agree to this. */
#define SAME_DIRECTION 1e-9

static int same_direction(const double *a, const double *b)
{
    return fabs(a[0] - b[0]) <= SAME_DIRECTION && fabs(a[1] - b[1]) <= SAME_DIRECTION
        && fabs(a[2] - b[2]) <= SAME_DIRECTION;
}

static int prop_ready(const gnc_prop *ctx)
{
    return ctx->initialised && ctx->cfg.count >= 1 && ctx->cfg.count <= GNC_PROP_MAX;
}

int gnc_prop_init(gnc_prop *ctx, const gnc_prop_config *cfg)
{
    double inv[9], dn;
    int i, j;
    if (ctx == NULL || cfg == NULL) {
        return GNC_ERR_NULL;
    }
    ctx->initialised = 0;
    if (cfg->count < 1 || cfg->count > GNC_PROP_MAX) {
        return GNC_ERR_RANGE;
    }
    if (!la_finite(cfg->position_B, 3 * cfg->count) || !la_finite(cfg->direction_B, 3 * cfg->count)
        || !la_finite(cfg->inertia, 9) || !(cfg->isp > 0.0) || !la_finite(&cfg->isp, 1)
        || !(cfg->g0 > 0.0) || !la_finite(&cfg->g0, 1) || !(cfg->min_on >= 0.0)
        || !la_finite(&cfg->min_on, 1) || !la_finite(cfg->secondary_B, 3)
        || !(la_norm(cfg->secondary_B) > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    if (!la_inv3(cfg->inertia, inv)) {
        return GNC_ERR_SINGULAR;
    }
    ctx->cfg = *cfg;
    for (i = 0; i < cfg->count; ++i) {
        double *d = ctx->cfg.direction_B + 3 * i;
        dn = la_norm(d);
        if (!(dn > 0.0)) {
            return GNC_ERR_DOMAIN;
        }
        for (j = 0; j < 3; ++j) {
            d[j] = d[j] / dn;
        }
        la_cross(ctx->cfg.position_B + 3 * i, d, ctx->torque_arm + 3 * i);
    }
    for (i = cfg->count; i < GNC_PROP_MAX; ++i) {
        la_zero(ctx->cfg.position_B + 3 * i, 3);
        la_zero(ctx->cfg.direction_B + 3 * i, 3);
        la_zero(ctx->torque_arm + 3 * i, 3);
        ctx->partner[i] = i;
    }
    /* partner: the thruster of the same group whose torque cancels this one's best */
    for (i = 0; i < cfg->count; ++i) {
        double best_r = HUGE_VAL;
        ctx->partner[i] = i;
        for (j = 0; j < cfg->count; ++j) {
            double s[3], r;
            if (j == i
                || !same_direction(ctx->cfg.direction_B + 3 * i, ctx->cfg.direction_B + 3 * j)) {
                continue;
            }
            la_add(ctx->torque_arm + 3 * i, ctx->torque_arm + 3 * j, s);
            r = la_norm(s);
            if (r < best_r) {
                best_r = r;
                ctx->partner[i] = j;
            }
        }
    }
    ctx->initialised = 1;
    return GNC_OK;
}

int gnc_prop_select(const gnc_prop *ctx, int ok_mask, const double q_BN[4],
                    const double dv_N[3], double axis_B[3], int *group_mask, int *n_fire)
{
    double q[4], u[3], dv_B[3], mag, best_c = -2.0;
    int i, j, best = -1, best_mask = 0, best_n = 0, st;
    if (ctx == NULL || q_BN == NULL || dv_N == NULL || axis_B == NULL || group_mask == NULL
        || n_fire == NULL) {
        return GNC_ERR_NULL;
    }
    if (!prop_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(dv_N, 3)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_quat_normalize(q_BN, q);
    if (st != GNC_OK) {
        return st;
    }
    mag = la_norm(dv_N);
    if (!(mag > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(dv_N, 1.0 / mag, u);
    gnc_quat_rotate(q, u, dv_B);
    for (i = 0; i < ctx->cfg.count; ++i) {
        const double *d = ctx->cfg.direction_B + 3 * i;
        int first = 1, mask = 0, cnt = 0;
        double c;
        for (j = 0; j < i; ++j) { /* each group once, at its first member */
            if (same_direction(d, ctx->cfg.direction_B + 3 * j)) {
                first = 0;
                break;
            }
        }
        if (!first) {
            continue;
        }
        for (j = i; j < ctx->cfg.count; ++j) {
            if ((ok_mask >> j & 1) && same_direction(d, ctx->cfg.direction_B + 3 * j)) {
                mask |= 1 << j;
                cnt += 1;
            }
        }
        if (cnt < 2) {
            continue;
        }
        c = la_dot(d, dv_B);
        /* the strongest group, the nearest the Delta-v among equals: the burn
         * slews anyway, and the pairs of a translation layout are left to
         * translations (their torque about a moving centre of mass is not
         * meant for long burns) */
        if (cnt > best_n || (cnt == best_n && c > best_c)) {
            best_c = c;
            best = i;
            best_mask = mask;
            best_n = cnt;
        }
    }
    if (best < 0) {
        return GNC_ERR_DOMAIN; /* no group with two usable thrusters */
    }
    la_copy(ctx->cfg.direction_B + 3 * best, axis_B, 3);
    *group_mask = best_mask;
    *n_fire = best_n;
    return GNC_OK;
}

int gnc_prop_burn_attitude(const gnc_prop *ctx, const double axis_B[3], const double dv_N[3],
                           const double normal_N[3], double q_BN[4])
{
    static const double z_N[3] = {0.0, 0.0, 1.0}, x_N[3] = {1.0, 0.0, 0.0};
    double u[3], ref[3] = {0.0, 0.0, 0.0}, mag, nn;
    int ko;
    if (ctx == NULL || axis_B == NULL || dv_N == NULL || normal_N == NULL || q_BN == NULL) {
        return GNC_ERR_NULL;
    }
    if (!prop_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(axis_B, 3) || !la_finite(dv_N, 3) || !la_finite(normal_N, 3)) {
        return GNC_ERR_DOMAIN;
    }
    mag = la_norm(dv_N);
    if (!(mag > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    la_scale(dv_N, 1.0 / mag, u);
    nn = la_norm(normal_N);
    if (nn > 0.0) {
        la_scale(normal_N, 1.0 / nn, ref);
    }
    if (!(nn > 0.0) || fabs(la_dot(ref, u)) > 0.99) {
        /* the normal unknown or along the burn: z_N x dv (x_N x dv along z_N) */
        la_cross(u, z_N, ref);
        if (!(la_norm(ref) > 0.1)) {
            la_cross(u, x_N, ref);
        }
    }
    return gnc_target_pointing(axis_B, ctx->cfg.secondary_B, u, ref, 0.0, q_BN, &ko);
}

int gnc_prop_fire(const gnc_prop *ctx, int n_fire, double thrust, double mass, double remaining,
                  double dt, double *on, double *dv, double *dm)
{
    double t_on, impulse;
    if (ctx == NULL || on == NULL || dv == NULL || dm == NULL) {
        return GNC_ERR_NULL;
    }
    if (!prop_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (n_fire < 1 || n_fire > ctx->cfg.count) {
        return GNC_ERR_RANGE;
    }
    if (!(thrust > 0.0) || !la_finite(&thrust, 1) || !(mass > 0.0) || !la_finite(&mass, 1)
        || !la_finite(&remaining, 1) || !(dt > 0.0) || !la_finite(&dt, 1)) {
        return GNC_ERR_DOMAIN;
    }
    t_on = remaining * mass / (n_fire * thrust);
    t_on = dt < t_on ? dt : t_on;
    if (!(t_on >= ctx->cfg.min_on) || !(t_on > 0.0)) {
        *on = 0.0; /* below the minimum impulse bit: the burn is done */
        *dv = 0.0;
        *dm = 0.0;
        return GNC_OK;
    }
    impulse = n_fire * thrust * t_on;
    *on = t_on;
    *dm = impulse / (ctx->cfg.isp * ctx->cfg.g0);
    *dv = impulse / mass;
    return GNC_OK;
}

/* Cuts c_i >= 0 (s) of the thrusters of one group (mask: one direction d,
 * each nominally on for on s at thrust F) whose torque impulse change
 * -sum c_i F a_i is as near want (N m s) as the group makes it (least
 * squares in the plane normal to d, minimum norm, shifted so the least cut
 * is zero; longer than on: all scaled down together). */
static void group_cuts(const gnc_prop *ctx, int mask, const double *d, double on,
                       double thrust, const double want[3], double cut[GNC_PROP_MAX])
{
    double e1[3], e2[3], b2[2], m11 = 0.0, m12 = 0.0, m22 = 0.0, y[2] = {0.0, 0.0};
    double least = HUGE_VAL, most = 0.0, det, tr;
    int i;
    e1[0] = e1[1] = e1[2] = 0.0;
    e1[fabs(d[0]) < 0.9 ? 0 : 1] = 1.0;
    la_cross(d, e1, e2);
    la_scale(e2, 1.0 / la_norm(e2), e2);
    la_cross(e2, d, e1);
    for (i = 0; i < ctx->cfg.count; ++i) {
        const double *ai = ctx->torque_arm + 3 * i;
        double u, v;
        if (!(mask >> i & 1)) {
            continue;
        }
        u = thrust * la_dot(ai, e1);
        v = thrust * la_dot(ai, e2);
        m11 += u * u;
        m12 += u * v;
        m22 += v * v;
    }
    b2[0] = -la_dot(want, e1);
    b2[1] = -la_dot(want, e2);
    det = m11 * m22 - m12 * m12;
    tr = m11 + m22;
    if (det > 1e-9 * tr * tr) {
        y[0] = (m22 * b2[0] - m12 * b2[1]) / det;
        y[1] = (m11 * b2[1] - m12 * b2[0]) / det;
    } else if (tr > 0.0) {
        /* rank one (a pair): along its one torque direction */
        double ux = m11 >= m22 ? m11 : m12, uy = m11 >= m22 ? m12 : m22;
        double un = sqrt(ux * ux + uy * uy), k;
        if (un > 0.0) {
            ux /= un;
            uy /= un;
            k = (ux * b2[0] + uy * b2[1]) / tr;
            y[0] = k * ux;
            y[1] = k * uy;
        }
    }
    for (i = 0; i < ctx->cfg.count; ++i) {
        const double *ai = ctx->torque_arm + 3 * i;
        if (mask >> i & 1) {
            cut[i] = thrust * (la_dot(ai, e1) * y[0] + la_dot(ai, e2) * y[1]);
            least = cut[i] < least ? cut[i] : least;
        }
    }
    for (i = 0; i < ctx->cfg.count; ++i) {
        if (mask >> i & 1) {
            cut[i] -= least;
            most = cut[i] > most ? cut[i] : most;
        }
    }
    if (most > on) {
        for (i = 0; i < ctx->cfg.count; ++i) {
            if (mask >> i & 1) {
                cut[i] *= on / most;
            }
        }
    }
}

int gnc_prop_offpulse(const gnc_prop *ctx, const double on_in[GNC_PROP_MAX],
                      const double torque_B[3], double thrust, double mass, const double q_BN[4],
                      double on_out[GNC_PROP_MAX], double dv_N[3], double *dm,
                      double torque_out_B[3])
{
    double q[4], qc[4], rem[3], span = 0.0, impulse = 0.0, dv_B[3] = {0.0, 0.0, 0.0};
    double cut[GNC_PROP_MAX];
    int i, j, done = 0, st;
    if (ctx == NULL || on_in == NULL || torque_B == NULL || q_BN == NULL || on_out == NULL
        || dv_N == NULL || dm == NULL || torque_out_B == NULL) {
        return GNC_ERR_NULL;
    }
    if (!prop_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(on_in, GNC_PROP_MAX) || !(thrust > 0.0) || !la_finite(&thrust, 1)
        || !(mass > 0.0) || !la_finite(&mass, 1) || !la_finite(torque_B, 3)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_quat_normalize(q_BN, q);
    if (st != GNC_OK) {
        return st;
    }
    for (i = 0; i < GNC_PROP_MAX; ++i) {
        if (!(on_in[i] >= 0.0) || (i >= ctx->cfg.count && on_in[i] != 0.0)) {
            return GNC_ERR_DOMAIN;
        }
        span = on_in[i] > span ? on_in[i] : span;
    }
    /* the torque impulse asked for (torque_B over the longest pulse); the
     * nominal pulses are taken as torque-free (the layout's groups are, about
     * the centre of mass the scenario places between its pairs: what is left,
     * like the thrust's own torque, the caller's torque_B accounts for) */
    la_scale(torque_B, span, rem);
    la_copy(on_in, on_out, GNC_PROP_MAX);
    /* group by group, the longest pulses first (the most authority) */
    while (done != (1 << ctx->cfg.count) - 1) {
        int lead = -1, mask = 0, n = 0;
        for (i = 0; i < ctx->cfg.count; ++i) {
            if (!(done >> i & 1) && (lead < 0 || on_in[i] > on_in[lead])) {
                lead = i;
            }
        }
        for (i = 0; i < ctx->cfg.count; ++i) {
            if (!(done >> i & 1) && on_in[i] == on_in[lead]
                && same_direction(ctx->cfg.direction_B + 3 * i,
                                  ctx->cfg.direction_B + 3 * lead)) {
                mask |= 1 << i;
                ++n;
            }
        }
        done |= mask;
        if (!(on_in[lead] > 0.0) || n < 2) {
            continue;
        }
        group_cuts(ctx, mask, ctx->cfg.direction_B + 3 * lead, on_in[lead], thrust, rem, cut);
        for (i = 0; i < ctx->cfg.count; ++i) {
            double t;
            if (!(mask >> i & 1)) {
                continue;
            }
            t = on_in[i] - cut[i];
            t = t < 0.0 ? 0.0 : t;
            if (t < ctx->cfg.min_on) {
                t = t < 0.5 * ctx->cfg.min_on ? 0.0 : ctx->cfg.min_on;
            }
            on_out[i] = t;
            for (j = 0; j < 3; ++j) {
                rem[j] += thrust * (on_in[i] - t) * ctx->torque_arm[3 * i + j];
            }
        }
    }
    la_zero(torque_out_B, 3);
    for (i = 0; i < ctx->cfg.count; ++i) {
        for (j = 0; j < 3; ++j) {
            torque_out_B[j] -= thrust * (on_in[i] - on_out[i]) * ctx->torque_arm[3 * i + j];
            dv_B[j] += thrust * on_out[i] * ctx->cfg.direction_B[3 * i + j];
        }
        impulse += thrust * on_out[i];
    }
    if (span > 0.0) {
        la_scale(torque_out_B, 1.0 / span, torque_out_B);
    }
    la_scale(dv_B, 1.0 / mass, dv_B);
    (void)gnc_quat_conj(q, qc); /* q is unit: neither call can fail */
    (void)gnc_quat_rotate(qc, dv_B, dv_N);
    *dm = impulse / (ctx->cfg.isp * ctx->cfg.g0);
    return GNC_OK;
}

int gnc_prop_translate(const gnc_prop *ctx, int ok_mask, const double q_BN[4],
                       const double rem_N[3], double thrust, double mass, double dt,
                       double on_time[GNC_PROP_MAX], double dv_N[3], double *dm)
{
    double q[4], qc[4], rem_B[3], made[3] = {0.0, 0.0, 0.0}, miss[3], mag, longest = 0.0;
    double t_g[GNC_PROP_MAX], scale = 1.0, impulse = 0.0, dv_B[3] = {0.0, 0.0, 0.0};
    int lead[GNC_PROP_MAX], n_g[GNC_PROP_MAX], i, j, st;
    if (ctx == NULL || q_BN == NULL || rem_N == NULL || on_time == NULL || dv_N == NULL
        || dm == NULL) {
        return GNC_ERR_NULL;
    }
    if (!prop_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(rem_N, 3) || !(thrust > 0.0) || !la_finite(&thrust, 1) || !(mass > 0.0)
        || !la_finite(&mass, 1) || !(dt > 0.0) || !la_finite(&dt, 1)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_quat_normalize(q_BN, q);
    if (st != GNC_OK) {
        return st;
    }
    la_zero(on_time, GNC_PROP_MAX);
    la_zero(dv_N, 3);
    *dm = 0.0;
    mag = la_norm(rem_N);
    if (!(mag > 0.0)) {
        return GNC_OK;
    }
    gnc_quat_rotate(q, rem_N, rem_B);
    /* each group once, at its first member: its usable count and its component */
    for (i = 0; i < ctx->cfg.count; ++i) {
        const double *d = ctx->cfg.direction_B + 3 * i;
        double c;
        lead[i] = -1;
        n_g[i] = 0;
        t_g[i] = 0.0;
        for (j = 0; j < i; ++j) {
            if (lead[j] == j && same_direction(d, ctx->cfg.direction_B + 3 * j)) {
                break;
            }
        }
        if (j < i) {
            lead[i] = j;
            continue;
        }
        lead[i] = i;
        for (j = i; j < ctx->cfg.count; ++j) {
            if ((ok_mask >> j & 1) && same_direction(d, ctx->cfg.direction_B + 3 * j)) {
                n_g[i] += 1;
            }
        }
        c = la_dot(d, rem_B);
        if (n_g[i] < 2 || !(c > 0.0)) {
            continue;
        }
        for (j = 0; j < 3; ++j) {
            made[j] += c * d[j];
        }
        t_g[i] = c * mass / (n_g[i] * thrust);
        longest = t_g[i] > longest ? t_g[i] : longest;
    }
    la_sub(made, rem_B, miss);
    if (!(la_norm(miss) <= 1e-6 * mag)) {
        return GNC_ERR_DOMAIN;
    }
    if (longest > dt) {
        scale = dt / longest;
    }
    for (i = 0; i < ctx->cfg.count; ++i) {
        double t = t_g[lead[i]] * scale;
        if (!(ok_mask >> i & 1) || n_g[lead[i]] < 2 || !(t >= ctx->cfg.min_on) || !(t > 0.0)) {
            continue; /* unusable, not along the Delta-v, or below the minimum impulse bit */
        }
        on_time[i] = t;
        impulse += thrust * t;
        for (j = 0; j < 3; ++j) {
            dv_B[j] += thrust * t * ctx->cfg.direction_B[3 * i + j] / mass;
        }
    }
    (void)gnc_quat_conj(q, qc); /* q is unit: neither call can fail */
    (void)gnc_quat_rotate(qc, dv_B, dv_N);
    *dm = impulse / (ctx->cfg.isp * ctx->cfg.g0);
    return GNC_OK;
}

int gnc_prop_duration(const gnc_prop *ctx, int n_fire, double thrust, double mass, double dv,
                      double *duration)
{
    double accel;
    if (ctx == NULL || duration == NULL) {
        return GNC_ERR_NULL;
    }
    if (!prop_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (n_fire < 1 || n_fire > ctx->cfg.count) {
        return GNC_ERR_RANGE;
    }
    if (!(thrust > 0.0) || !la_finite(&thrust, 1) || !(mass > 0.0) || !la_finite(&mass, 1)
        || !(dv >= 0.0) || !la_finite(&dv, 1)) {
        return GNC_ERR_DOMAIN;
    }
    accel = n_fire * thrust / mass;
    *duration = dv / (accel > 1e-9 ? accel : 1e-9);
    return GNC_OK;
}

int gnc_prop_rate_residuals(const double w_B[3], const double w0_B[3], double *rate,
                            double *change)
{
    double d[3];
    if (w_B == NULL || w0_B == NULL || rate == NULL || change == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(w_B, 3) || !la_finite(w0_B, 3)) {
        return GNC_ERR_DOMAIN;
    }
    la_sub(w_B, w0_B, d);
    *rate = la_norm(w_B);
    *change = la_norm(d);
    return GNC_OK;
}

int gnc_prop_pulse_response(const double level_in[GNC_PROP_MAX], const double on[GNC_PROP_MAX],
                            int n, double dt, double rise, double tail,
                            double level_out[GNC_PROP_MAX], double on_eff[GNC_PROP_MAX])
{
    int i;
    if (level_in == NULL || on == NULL || level_out == NULL || on_eff == NULL) {
        return GNC_ERR_NULL;
    }
    if (n < 0 || n > GNC_PROP_MAX) {
        return GNC_ERR_RANGE;
    }
    if (!(dt > 0.0) || !la_finite(&dt, 1) || !(rise >= 0.0) || !la_finite(&rise, 1)
        || !(tail >= 0.0) || !la_finite(&tail, 1)) {
        return GNC_ERR_DOMAIN;
    }
    for (i = 0; i < GNC_PROP_MAX; ++i) {
        if (i < n ? !(level_in[i] >= 0.0 && level_in[i] <= 1.0 && on[i] >= 0.0 && on[i] <= dt)
                  : (level_in[i] != 0.0 || on[i] != 0.0)) {
            return GNC_ERR_DOMAIN; /* NaN fails the comparisons */
        }
    }
    for (i = 0; i < GNC_PROP_MAX; ++i) {
        double x = level_in[i], off = dt - on[i];
        level_out[i] = 0.0;
        on_eff[i] = 0.0;
        if (i >= n) {
            continue;
        }
        /* open over [0, on]: towards 1 (thrust_level's arithmetic) */
        if (on[i] > 0.0) {
            x = rise > 0.0 ? 1.0 + (x - 1.0) * gnc_exp(-on[i] / rise) : 1.0;
        }
        on_eff[i] = on[i] + (tail - rise) * (x - level_in[i]);
        /* closed over [on, dt]: towards 0, tailed off below 1e-12 */
        if (off > 0.0) {
            x = tail > 0.0 ? x * gnc_exp(-off / tail) : 0.0;
            if (x < 1e-12) {
                x = 0.0;
            }
        }
        level_out[i] = x;
    }
    return GNC_OK;
}

int gnc_prop_accel(const double dv_B[3], double dt, const double bias_B[3],
                   const double q_BN[4], double dv_N[3])
{
    double q[4], qc[4], d[3];
    int st, i;
    if (dv_B == NULL || bias_B == NULL || q_BN == NULL || dv_N == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(dv_B, 3) || !la_finite(bias_B, 3) || !la_finite(&dt, 1) || !(dt >= 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    st = gnc_quat_normalize(q_BN, q);
    if (st != GNC_OK) {
        return st;
    }
    for (i = 0; i < 3; ++i) {
        d[i] = dv_B[i] - bias_B[i] * dt;
    }
    (void)gnc_quat_conj(q, qc); /* q is unit: neither call can fail */
    (void)gnc_quat_rotate(qc, d, dv_N);
    return GNC_OK;
}

/* x = A^-1 b by Gaussian elimination with partial pivoting (3x3). */
static int solve3(const double A[9], const double b[3], double x[3])
{
    double m[12];
    int i, j, k, p;
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            m[4 * i + j] = A[3 * i + j];
        }
        m[4 * i + 3] = b[i];
    }
    for (k = 0; k < 3; ++k) {
        p = k;
        for (i = k + 1; i < 3; ++i) {
            if (fabs(m[4 * i + k]) > fabs(m[4 * p + k])) {
                p = i;
            }
        }
        if (!(fabs(m[4 * p + k]) > 0.0)) {
            return 0;
        }
        if (p != k) {
            for (j = 0; j < 4; ++j) {
                double t = m[4 * k + j];
                m[4 * k + j] = m[4 * p + j];
                m[4 * p + j] = t;
            }
        }
        for (i = k + 1; i < 3; ++i) {
            double f = m[4 * i + k] / m[4 * k + k];
            for (j = k; j < 4; ++j) {
                m[4 * i + j] -= f * m[4 * k + j];
            }
        }
    }
    for (i = 2; i >= 0; --i) {
        double s = m[4 * i + 3];
        for (j = i + 1; j < 3; ++j) {
            s -= m[4 * i + j] * x[j];
        }
        x[i] = s / m[4 * i + i];
    }
    return la_finite(x, 3);
}

int gnc_prop_test_response(const gnc_prop *ctx, int i, double thrust, double pulse,
                           const double dw_B[3], double expected_B[3], double *ratio)
{
    double h[3], e[3], ee;
    int k;
    if (ctx == NULL || dw_B == NULL || expected_B == NULL || ratio == NULL) {
        return GNC_ERR_NULL;
    }
    if (!prop_ready(ctx)) {
        return GNC_ERR_STATE;
    }
    if (i < 0 || i >= ctx->cfg.count) {
        return GNC_ERR_RANGE;
    }
    if (!(thrust > 0.0) || !la_finite(&thrust, 1) || !(pulse > 0.0) || !la_finite(&pulse, 1)
        || !la_finite(dw_B, 3)) {
        return GNC_ERR_DOMAIN;
    }
    for (k = 0; k < 3; ++k) { /* the angular impulse (arm x dir) F pulse */
        h[k] = ctx->torque_arm[3 * i + k] * thrust * pulse;
    }
    if (!solve3(ctx->cfg.inertia, h, e)) {
        return GNC_ERR_SINGULAR;
    }
    ee = la_dot(e, e);
    if (!(ee > 0.0)) {
        return GNC_ERR_SINGULAR; /* a thruster through the centre of mass: no test */
    }
    la_copy(e, expected_B, 3);
    *ratio = la_dot(dw_B, e) / ee;
    return GNC_OK;
}

int gnc_prop_com_update(double N[9], double b[3], const double F[3], const double y[3],
                        double min_impulse, double max_offset, double est[3], int *used)
{
    double f2, c[3], alone[3], inv[6], det, a, d, e, g, h, k;
    int i, j;
    if (N == NULL || b == NULL || F == NULL || y == NULL || est == NULL || used == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(&min_impulse, 1) || !(min_impulse > 0.0) || !la_finite(&max_offset, 1)
        || !(max_offset > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    la_zero(est, 3);
    *used = 0;
    f2 = F[0] * F[0] + F[1] * F[1] + F[2] * F[2];
    if (f2 < min_impulse * min_impulse) {
        return GNC_OK;
    }
    /* y x F, and the offset this translation alone implies (least norm) */
    la_cross(y, F, c);
    for (i = 0; i < 3; ++i) {
        alone[i] = c[i] / f2;
    }
    if (!la_finite(alone, 3)
        || alone[0] * alone[0] + alone[1] * alone[1] + alone[2] * alone[2]
               > max_offset * max_offset) {
        return GNC_OK;
    }
    /* A = [F]x (A delta = F x delta): N += A'A = |F|^2 I - F F', b += A'y = y x F */
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            N[3 * i + j] += (i == j ? f2 : 0.0) - F[i] * F[j];
        }
    }
    for (i = 0; i < 3; ++i) {
        b[i] += c[i];
    }
    *used = 1;
    /* the 3x3 symmetric solve (Cramer: the prior plus a sum of rank-2 terms,
     * well conditioned) */
    a = N[0];
    d = N[1];
    e = N[2];
    g = N[4];
    h = N[5];
    k = N[8];
    det = a * (g * k - h * h) - d * (d * k - h * e) + e * (d * h - g * e);
    if (!(det > 0.0)) {
        return GNC_OK;
    }
    inv[0] = g * k - h * h;
    inv[1] = e * h - d * k;
    inv[2] = d * h - e * g;
    inv[3] = a * k - e * e;
    inv[4] = d * e - a * h;
    inv[5] = a * g - d * d;
    est[0] = (inv[0] * b[0] + inv[1] * b[1] + inv[2] * b[2]) / det;
    est[1] = (inv[1] * b[0] + inv[3] * b[1] + inv[4] * b[2]) / det;
    est[2] = (inv[2] * b[0] + inv[4] * b[1] + inv[5] * b[2]) / det;
    *used = 2;
    return GNC_OK;
}

int gnc_prop_com_torque(const double N[9], const double est[3], const double F[3], double noise,
                        double known[3], double sigma[3])
{
    double l00, l10, l20, l11, l21, l22, d;
    int i;
    if (N == NULL || est == NULL || F == NULL || known == NULL || sigma == NULL) {
        return GNC_ERR_NULL;
    }
    if (!la_finite(N, 9) || !la_finite(est, 3) || !la_finite(F, 3) || !la_finite(&noise, 1)
        || !(noise >= 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    /* N = L L' (Cholesky, N's lower triangle): g' N^-1 g = |L^-1 g|^2 */
    if (!(N[0] > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    l00 = sqrt(N[0]);
    l10 = N[3] / l00;
    l20 = N[6] / l00;
    d = N[4] - l10 * l10;
    if (!(d > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    l11 = sqrt(d);
    l21 = (N[7] - l20 * l10) / l11;
    d = N[8] - l20 * l20 - l21 * l21;
    if (!(d > 0.0)) {
        return GNC_ERR_DOMAIN;
    }
    l22 = sqrt(d);
    known[0] = -(est[1] * F[2] - est[2] * F[1]);
    known[1] = -(est[2] * F[0] - est[0] * F[2]);
    known[2] = -(est[0] * F[1] - est[1] * F[0]);
    for (i = 0; i < 3; ++i) {
        /* the gradient of tau_i in the offset: rows (0, -F2, F1), (F2, 0, -F0), (-F1, F0, 0) */
        double g0 = i == 0 ? 0.0 : (i == 1 ? F[2] : -F[1]);
        double g1 = i == 0 ? -F[2] : (i == 1 ? 0.0 : F[0]);
        double g2 = i == 0 ? F[1] : (i == 1 ? -F[0] : 0.0);
        double z0 = g0 / l00;
        double z1 = (g1 - l10 * z0) / l11;
        double z2 = (g2 - l20 * z0 - l21 * z1) / l22;
        sigma[i] = noise * sqrt(z0 * z0 + z1 * z1 + z2 * z2);
    }
    return GNC_OK;
}
