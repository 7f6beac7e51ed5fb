/*
 * test_core_quat.c - the guidance core's quaternion functions on the target
 * (Cortex-M4F, soft double precision), against closed-form values: a
 * rotation of 90 deg about z maps x to y; composing it with itself is the
 * 180 deg rotation; DCM round trips; status codes on bad input; and a few
 * values of the core's own elementary functions (native/src/gnc_math.c).
 */
#include <math.h>
#include <stddef.h>

#include "gnc.h"
#include "gnc_math.h"
#include "semihost.h"

#define TOL 1e-15

int main(void)
{
    const double h = sqrt(0.5);
    const double qz90[4] = {h, 0.0, 0.0, h};
    const double x[3] = {1.0, 0.0, 0.0};
    const double zero[4] = {0.0, 0.0, 0.0, 0.0};
    const double q2[4] = {2.0, 0.0, 0.0, 0.0};
    const double qa[4] = {0.9, -0.1, 0.3, 0.2};
    double r[4], v[3], dcm[9], qn[4], qb[4];
    int i;

    CHECK(gnc_quat_rotate(qz90, x, v) == GNC_OK);
    CHECK(sh_close(v[0], 0.0, TOL) && sh_close(v[1], 1.0, TOL) && sh_close(v[2], 0.0, TOL));

    CHECK(gnc_quat_mul(qz90, qz90, r) == GNC_OK);
    CHECK(sh_close(r[0], 0.0, TOL) && sh_close(r[3], 1.0, TOL));

    CHECK(gnc_quat_normalize(q2, r) == GNC_OK);
    CHECK(r[0] == 1.0 && r[1] == 0.0);
    CHECK(gnc_quat_normalize(zero, r) == GNC_ERR_DOMAIN);
    CHECK(gnc_quat_mul(NULL, qz90, r) == GNC_ERR_NULL);

    CHECK(gnc_quat_normalize(qa, qn) == GNC_OK);
    CHECK(gnc_quat_to_dcm(qn, dcm) == GNC_OK);
    CHECK(gnc_dcm_to_quat(dcm, qb) == GNC_OK);
    for (i = 0; i < 4; ++i) {
        CHECK(sh_close(qb[i], qn[i], 1e-14));
    }
    CHECK(gnc_quat_error(qn, qn, r) == GNC_OK);
    CHECK(sh_close(r[0], 1.0, TOL) && sh_close(r[1], 0.0, TOL));

    /* the core's own elementary functions on the target (soft double): the
     * correctly rounded values (mpmath), bit for bit */
    CHECK(gnc_sin(0.5) == 0x1.eaee8744b05f0p-2);
    CHECK(gnc_cos(0.5) == 0x1.c1528065b7d50p-1);
    CHECK(gnc_atan2(1.0, 1.0) == 0x1.921fb54442d18p-1);
    CHECK(gnc_exp(1.0) == 0x1.5bf0a8b145769p+1);
    CHECK(gnc_log(10.0) == 0x1.26bb1bbb55516p+1);
    CHECK(gnc_pow(2.0, 0.5) == 0x1.6a09e667f3bcdp+0);
    CHECK(gnc_cbrt(3.0) == 0x1.7137449123ef6p+0);
    CHECK(gnc_tanh(0.5) == 0x1.d9353d7568af3p-2);

    sh_finish("test_core_quat");
    return 0;
}
