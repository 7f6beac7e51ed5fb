/*
 * b2b_core.c - back-to-back runner: the guidance core on the target computes
 * recorded calls read from the host (semihosting file b2b_in.bin) and writes
 * its outputs to b2b_out.bin; tests/hil compares them with the desktop build
 * of the same sources on the same inputs.
 *
 * Record in:  17 little-endian doubles: kind, then 16 inputs.
 * Record out: 17 doubles: status, then 16 outputs (unused ones 0).
 * Kinds: 0 att_propagate(q[4], w[3], dt) -> q[4]
 *        1 kepler(r0[3], v0[3], dt, mu) -> r[3], v[3]
 *        2 cw_propagate(n, x0[6], t) -> x[6]
 *        3 coe_from_rv(r[3], v[3], mu) -> coe[6]
 *        4 rv_from_coe(coe[6], mu) -> r[3], v[3]
 *        5 quat_rotate(q[4], v[3]) -> v[3]
 *        6 sgp4_init(elements[9]) then tle_gcrf(t_tai, tai_minus_utc) -> r[3], v[3]
 *          (elements in the order of gnc_sgp4_elements)
 */
#include <string.h>

#include "gnc.h"
#include "semihost.h"

#define NREC 17

static int tle_gcrf(const double *a, double *o)
{
    gnc_sgp4 s;
    gnc_sgp4_elements el;
    int st;
    el.epoch_jd = a[0];
    el.epoch_jd_frac = a[1];
    el.n_rev_day = a[2];
    el.ecc = a[3];
    el.incl_deg = a[4];
    el.raan_deg = a[5];
    el.argp_deg = a[6];
    el.mean_anomaly_deg = a[7];
    el.bstar = a[8];
    st = gnc_sgp4_init(&s, &el);
    return st != GNC_OK ? st : gnc_tle_gcrf(&s, a[9], a[10], o, o + 3);
}

static int run(const double *in, double *out)
{
    const double *a = in + 1;
    double *o = out + 1;
    switch ((int)in[0]) {
    case 0:
        return gnc_att_propagate(a, a + 4, a[7], o);
    case 1:
        return gnc_kepler(a, a + 3, a[6], a[7], o, o + 3);
    case 2:
        return gnc_cw_propagate(a[0], a + 1, a[7], o);
    case 3:
        return gnc_coe_from_rv(a, a + 3, a[6], o);
    case 4:
        return gnc_rv_from_coe(a, a[6], o, o + 3);
    case 5:
        return gnc_quat_rotate(a, a + 4, o);
    case 6:
        return tle_gcrf(a, o);
    default:
        return GNC_ERR_RANGE;
    }
}

int main(void)
{
    double in[NREC], out[NREC];
    uint32_t n = 0;
    int fi = sh_open("b2b_in.bin", 1);
    int fo = sh_open("b2b_out.bin", 5);
    if (fi < 0 || fo < 0) {
        sh_puts("b2b_core: cannot open b2b_in.bin / b2b_out.bin\n");
        sh_exit(2);
    }
    while (sh_read(fi, in, sizeof in) == (int)sizeof in) {
        memset(out, 0, sizeof out);
        out[0] = (double)run(in, out);
        if (sh_write(fo, out, sizeof out) != (int)sizeof out) {
            sh_exit(2);
        }
        ++n;
    }
    sh_close_file(fi);
    sh_close_file(fo);
    sh_puts("b2b_core: ");
    sh_put_u32(n);
    sh_puts(" calls\n");
    sh_exit(0);
    return 0;
}
