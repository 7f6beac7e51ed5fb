/*
 * gnc_la.h - small private linear-algebra helpers of the guidance core
 * (3-vectors, row-major 3x3 and n x n matrices). Not part of the public API
 * and not in the cffi cdef: static inline, no state. The simulation core
 * (native/sim) includes it too, so both cores share one set of helpers.
 */
#ifndef GNC_LA_H
#define GNC_LA_H

#include <math.h>
#include <stddef.h>

#define GNC_PI 3.14159265358979323846

static inline double la_dot(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline double la_norm(const double a[3])
{
    return sqrt(la_dot(a, a));
}

static inline void la_cross(const double a[3], const double b[3], double out[3])
{
    double x = a[1] * b[2] - a[2] * b[1];
    double y = a[2] * b[0] - a[0] * b[2];
    double z = a[0] * b[1] - a[1] * b[0];
    out[0] = x;
    out[1] = y;
    out[2] = z;
}

static inline void la_scale(const double a[3], double s, double out[3])
{
    out[0] = a[0] * s;
    out[1] = a[1] * s;
    out[2] = a[2] * s;
}

static inline void la_add(const double a[3], const double b[3], double out[3])
{
    out[0] = a[0] + b[0];
    out[1] = a[1] + b[1];
    out[2] = a[2] + b[2];
}

static inline void la_sub(const double a[3], const double b[3], double out[3])
{
    out[0] = a[0] - b[0];
    out[1] = a[1] - b[1];
    out[2] = a[2] - b[2];
}

static inline void la_copy(const double *a, double *out, int n)
{
    int i;
    for (i = 0; i < n; ++i) {
        out[i] = a[i];
    }
}

static inline void la_zero(double *out, int n)
{
    int i;
    for (i = 0; i < n; ++i) {
        out[i] = 0.0;
    }
}

/* out = M v, M row-major 3x3; out may alias v. */
static inline void la_mv3(const double m[9], const double v[3], double out[3])
{
    double x = m[0] * v[0] + m[1] * v[1] + m[2] * v[2];
    double y = m[3] * v[0] + m[4] * v[1] + m[5] * v[2];
    double z = m[6] * v[0] + m[7] * v[1] + m[8] * v[2];
    out[0] = x;
    out[1] = y;
    out[2] = z;
}

/* out = M^T v, M row-major 3x3; out may alias v. */
static inline void la_mtv3(const double m[9], const double v[3], double out[3])
{
    double x = m[0] * v[0] + m[3] * v[1] + m[6] * v[2];
    double y = m[1] * v[0] + m[4] * v[1] + m[7] * v[2];
    double z = m[2] * v[0] + m[5] * v[1] + m[8] * v[2];
    out[0] = x;
    out[1] = y;
    out[2] = z;
}

/* All n entries finite. */
static inline int la_finite(const double *a, int n)
{
    int i;
    for (i = 0; i < n; ++i) {
        if (!(a[i] - a[i] == 0.0)) {
            return 0;
        }
    }
    return 1;
}

/* C = A B for row-major A (n x m), B (m x p); C must not alias A or B. */
static inline void la_mm(const double *a, const double *b, double *c, int n, int m, int p)
{
    int i, j, k;
    for (i = 0; i < n; ++i) {
        for (j = 0; j < p; ++j) {
            double s = 0.0;
            for (k = 0; k < m; ++k) {
                s += a[i * m + k] * b[k * p + j];
            }
            c[i * p + j] = s;
        }
    }
}

/* C = A B^T for row-major A (n x m), B (p x m); C must not alias A or B. */
static inline void la_mmt(const double *a, const double *b, double *c, int n, int m, int p)
{
    int i, j, k;
    for (i = 0; i < n; ++i) {
        for (j = 0; j < p; ++j) {
            double s = 0.0;
            for (k = 0; k < m; ++k) {
                s += a[i * m + k] * b[j * m + k];
            }
            c[i * p + j] = s;
        }
    }
}

/* Symmetrise a square n x n matrix in place. */
static inline void la_symmetrise(double *a, int n)
{
    int i, j;
    for (i = 0; i < n; ++i) {
        for (j = i + 1; j < n; ++j) {
            double s = 0.5 * (a[i * n + j] + a[j * n + i]);
            a[i * n + j] = s;
            a[j * n + i] = s;
        }
    }
}

/* Inverse of a 3x3 matrix; returns 0 when singular (|det| below tol * scale). */
static inline int la_inv3(const double m[9], double out[9])
{
    double c[9], det, scale = 0.0;
    int i;
    c[0] = m[4] * m[8] - m[5] * m[7];
    c[1] = m[2] * m[7] - m[1] * m[8];
    c[2] = m[1] * m[5] - m[2] * m[4];
    c[3] = m[5] * m[6] - m[3] * m[8];
    c[4] = m[0] * m[8] - m[2] * m[6];
    c[5] = m[2] * m[3] - m[0] * m[5];
    c[6] = m[3] * m[7] - m[4] * m[6];
    c[7] = m[1] * m[6] - m[0] * m[7];
    c[8] = m[0] * m[4] - m[1] * m[3];
    det = m[0] * c[0] + m[1] * c[3] + m[2] * c[6];
    for (i = 0; i < 9; ++i) {
        if (fabs(m[i]) > scale) {
            scale = fabs(m[i]);
        }
    }
    if (!(fabs(det) > 1e-14 * scale * scale * scale) || !(det - det == 0.0)) {
        return 0;
    }
    for (i = 0; i < 9; ++i) {
        out[i] = c[i] / det;
    }
    return 1;
}

/*
 * Inverse of a symmetric positive-definite 3x3 matrix (a covariance such as
 * an innovation covariance whose rows carry different units, e.g. m^2 and
 * rad^2); returns 0 when not positive definite to working precision.
 * Scale-invariant: m is first equilibrated by its diagonal, A = D m D with
 * D = diag(1/sqrt(m_ii)) (unit diagonal, so the test no longer depends on
 * units), then A = L L^T (Cholesky) with every pivot required above
 * tol = 1e-12 (a reciprocal condition number of A near 1e-12 or worse reads
 * as singular), and m^-1 = D L^-T L^-1 D. Only the lower triangle of m is read.
 */
static inline int la_inv3_spd(const double m[9], double out[9])
{
    double d[3], a[9], L[9], Li[9];
    const double tol = 1e-12;
    int i, j, k;
    for (i = 0; i < 3; ++i) {
        if (!(m[4 * i] > 0.0) || !(m[4 * i] - m[4 * i] == 0.0)) {
            return 0; /* a non-positive, NaN or infinite variance */
        }
        d[i] = 1.0 / sqrt(m[4 * i]);
    }
    for (i = 0; i < 3; ++i) {
        for (j = 0; j <= i; ++j) {
            a[3 * i + j] = (i == j) ? 1.0 : m[3 * i + j] * d[i] * d[j];
            if (!(a[3 * i + j] - a[3 * i + j] == 0.0)) {
                return 0;
            }
        }
    }
    la_zero(L, 9);
    for (j = 0; j < 3; ++j) {
        double s = a[4 * j];
        for (k = 0; k < j; ++k) {
            s -= L[3 * j + k] * L[3 * j + k];
        }
        if (!(s > tol)) {
            return 0;
        }
        L[4 * j] = sqrt(s);
        for (i = j + 1; i < 3; ++i) {
            double t = a[3 * i + j];
            for (k = 0; k < j; ++k) {
                t -= L[3 * i + k] * L[3 * j + k];
            }
            L[3 * i + j] = t / L[4 * j];
        }
    }
    /* Li = L^-1 (lower triangular, forward substitution column by column) */
    la_zero(Li, 9);
    for (j = 0; j < 3; ++j) {
        Li[4 * j] = 1.0 / L[4 * j];
        for (i = j + 1; i < 3; ++i) {
            double t = 0.0;
            for (k = j; k < i; ++k) {
                t -= L[3 * i + k] * Li[3 * k + j];
            }
            Li[3 * i + j] = t / L[4 * i];
        }
    }
    /* m^-1 = D Li^T Li D (symmetric by construction) */
    for (i = 0; i < 3; ++i) {
        for (j = 0; j <= i; ++j) {
            double t = 0.0;
            for (k = i; k < 3; ++k) {
                t += Li[3 * k + i] * Li[3 * k + j];
            }
            out[3 * i + j] = t * d[i] * d[j];
            out[3 * j + i] = out[3 * i + j];
        }
    }
    return 1;
}

/*
 * Quaternion kernels (scalar first, Hamilton product), inline for the hot
 * paths of the cores; the public gnc_quat_* functions of gnc_quat.c are these
 * plus their argument checks, so there is one formula of each.
 */

/* out = a b; out may alias a or b. */
static inline void la_qmul(const double a[4], const double b[4], double out[4])
{
    double w = a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
    double x = a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2];
    double y = a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1];
    double z = a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0];
    out[0] = w;
    out[1] = x;
    out[2] = y;
    out[3] = z;
}

/* out = q / |q|; returns 0 (out untouched) when |q| is below 1e-12, infinite
 * or NaN. out may alias q. */
static inline int la_qnormalize(const double q[4], double out[4])
{
    double n = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    int i;
    if (!(n >= 1e-12) || !(n < HUGE_VAL)) {
        return 0;
    }
    for (i = 0; i < 4; ++i) {
        out[i] = q[i] / n;
    }
    return 1;
}

/* The error quaternion q_BR = q_BN conj(q_RN), scalar part made >= 0;
 * q_BR may alias either. */
static inline void la_qerror(const double q_BN[4], const double q_RN[4], double q_BR[4])
{
    double c[4];
    int i;
    c[0] = q_RN[0];
    c[1] = -q_RN[1];
    c[2] = -q_RN[2];
    c[3] = -q_RN[3];
    la_qmul(q_BN, c, q_BR);
    if (q_BR[0] < 0.0) {
        for (i = 0; i < 4; ++i) {
            q_BR[i] = -q_BR[i];
        }
    }
}

/* The rotation matrix (row-major) of q. */
static inline void la_qdcm(const double q[4], double dcm[9])
{
    double w = q[0], x = q[1], y = q[2], z = q[3];
    dcm[0] = 1.0 - 2.0 * (y * y + z * z);
    dcm[1] = 2.0 * (x * y - w * z);
    dcm[2] = 2.0 * (x * z + w * y);
    dcm[3] = 2.0 * (x * y + w * z);
    dcm[4] = 1.0 - 2.0 * (x * x + z * z);
    dcm[5] = 2.0 * (y * z - w * x);
    dcm[6] = 2.0 * (x * z - w * y);
    dcm[7] = 2.0 * (y * z + w * x);
    dcm[8] = 1.0 - 2.0 * (x * x + y * y);
}

#endif /* GNC_LA_H */
