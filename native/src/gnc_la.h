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

#endif /* GNC_LA_H */
