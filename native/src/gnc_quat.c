/* gnc_quat.c - quaternion algebra (conventions in gnc_quat.h). */
#include "gnc.h"

#include <math.h>
#include <stddef.h>

int gnc_quat_mul(const double a[4], const double b[4], double out[4])
{
    double w, x, y, z;
    if (a == NULL || b == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    w = a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
    x = a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2];
    y = a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1];
    z = a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0];
    out[0] = w;
    out[1] = x;
    out[2] = y;
    out[3] = z;
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
    double n;
    int i;
    if (q == NULL || out == NULL) {
        return GNC_ERR_NULL;
    }
    n = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    if (!(n >= 1e-12) || !(n < HUGE_VAL)) {
        return GNC_ERR_DOMAIN;
    }
    for (i = 0; i < 4; ++i) {
        out[i] = q[i] / n;
    }
    return GNC_OK;
}

int gnc_quat_to_dcm(const double q[4], double dcm[9])
{
    double w, x, y, z;
    if (q == NULL || dcm == NULL) {
        return GNC_ERR_NULL;
    }
    w = q[0];
    x = q[1];
    y = q[2];
    z = q[3];
    dcm[0] = 1.0 - 2.0 * (y * y + z * z);
    dcm[1] = 2.0 * (x * y - w * z);
    dcm[2] = 2.0 * (x * z + w * y);
    dcm[3] = 2.0 * (x * y + w * z);
    dcm[4] = 1.0 - 2.0 * (x * x + z * z);
    dcm[5] = 2.0 * (y * z - w * x);
    dcm[6] = 2.0 * (x * z - w * y);
    dcm[7] = 2.0 * (y * z + w * x);
    dcm[8] = 1.0 - 2.0 * (x * x + y * y);
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
    double c[4];
    int st, i;
    st = gnc_quat_conj(q_RN, c);
    if (st != GNC_OK) {
        return st;
    }
    st = gnc_quat_mul(q_BN, c, q_BR);
    if (st != GNC_OK) {
        return st;
    }
    if (q_BR[0] < 0.0) {
        for (i = 0; i < 4; ++i) {
            q_BR[i] = -q_BR[i];
        }
    }
    return GNC_OK;
}
