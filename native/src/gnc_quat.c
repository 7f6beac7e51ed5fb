/* gnc_quat.c - quaternion algebra (conventions in gnc_quat.h). */
#include "gnc.h"
#include "gnc_la.h"

#include <math.h>
#include <stddef.h>

int gnc_quat_mul(const double a[4], const double b[4], double out[4])
{
    if (a == NULL || b == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    la_qmul(a, b, out);
    return GNC_OK;
}

int gnc_quat_conj(const double q[4], double out[4])
{
    if (q == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    out[0] = q[0];
    out[1] = -q[1];
    out[2] = -q[2];
    out[3] = -q[3];
    return GNC_OK;
}

int gnc_quat_normalize(const double q[4], double out[4])
{
    if (q == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    return la_qnormalize(q, out) ? GNC_OK : GNC_ERR_DOMAIN;
}

int gnc_quat_to_dcm(const double q[4], double dcm[9])
{
    if (q == NULL || dcm == NULL) {
        return GNC_ERR_NULL;
    }
    la_qdcm(q, dcm);
    return GNC_OK;
}

int gnc_quat_rotate(const double q[4], const double v[3], double out[3])
{
    double m[9];
    double r0, r1, r2;
    int st;
    if (v == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    st = gnc_quat_to_dcm(q, m);
    if (st != GNC_OK) {
        return st;
    }
    r0 = m[0] * v[0] + m[1] * v[1] + m[2] * v[2];
    r1 = m[3] * v[0] + m[4] * v[1] + m[5] * v[2];
    r2 = m[6] * v[0] + m[7] * v[1] + m[8] * v[2];
    out[0] = r0;
    out[1] = r1;
    out[2] = r2;
    return GNC_OK;
}

static int is_rotation(const double m[9])
{
    /* Orthonormal rows and determinant +1, within 1e-6. */
    int i, j, k;
    double det;
    for (i = 0; i < 3; ++i) {
        for (j = 0; j < 3; ++j) {
            double dot = 0.0;
            for (k = 0; k < 3; ++k) {
                dot += m[3 * i + k] * m[3 * j + k];
            }
            if (!(fabs(dot - (i == j ? 1.0 : 0.0)) <= 1e-6)) {
                return 0;
            }
        }
    }
    det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
        + m[2] * (m[3] * m[7] - m[4] * m[6]);
    return det > 0.0;
}

int gnc_dcm_to_quat(const double dcm[9], double q[4])
{
    const double *m = dcm;
    double tr, s, t[4];
    int st, i;
    if (dcm == NULL || q == NULL) {
        return GNC_ERR_NULL;
    }
    if (!is_rotation(m)) {
        return GNC_ERR_DOMAIN;
    }
    tr = m[0] + m[4] + m[8];
    if (tr >= m[0] && tr >= m[4] && tr >= m[8]) {
        s = 2.0 * sqrt(1.0 + tr);
        t[0] = 0.25 * s;
        t[1] = (m[7] - m[5]) / s;
        t[2] = (m[2] - m[6]) / s;
        t[3] = (m[3] - m[1]) / s;
    } else if (m[0] >= m[4] && m[0] >= m[8]) {
        s = 2.0 * sqrt(1.0 + m[0] - m[4] - m[8]);
        t[0] = (m[7] - m[5]) / s;
        t[1] = 0.25 * s;
        t[2] = (m[1] + m[3]) / s;
        t[3] = (m[2] + m[6]) / s;
    } else if (m[4] >= m[8]) {
        s = 2.0 * sqrt(1.0 + m[4] - m[0] - m[8]);
        t[0] = (m[2] - m[6]) / s;
        t[1] = (m[1] + m[3]) / s;
        t[2] = 0.25 * s;
        t[3] = (m[5] + m[7]) / s;
    } else {
        s = 2.0 * sqrt(1.0 + m[8] - m[0] - m[4]);
        t[0] = (m[3] - m[1]) / s;
        t[1] = (m[2] + m[6]) / s;
        t[2] = (m[5] + m[7]) / s;
        t[3] = 0.25 * s;
    }
    if (t[0] < 0.0) {
        for (i = 0; i < 4; ++i) {
            t[i] = -t[i];
        }
    }
    st = gnc_quat_normalize(t, q);
    return st;
}

int gnc_quat_error(const double q_BN[4], const double q_RN[4], double q_BR[4])
{
    if (q_BN == NULL || q_RN == NULL || q_BR == NULL) {
        return GNC_ERR_NULL;
    }
    la_qerror(q_BN, q_RN, q_BR);
    return GNC_OK;
}
