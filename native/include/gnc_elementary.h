/*
 * gnc_elementary.h - the core's own elementary functions, evaluated in bulk.
 *
 * The guidance core, the simulation core and the board firmware compute sin,
 * cos, atan2, exp, log, pow, ... with the functions of native/src/gnc_math.c
 * (declared for C callers in native/src/gnc_math.h), never with the
 * platform's libm, so their bits are the same on every machine and on the
 * board. gnc_math_eval runs one of them over an array: for tests, benchmarks
 * and the board's back-to-back comparison.
 *
 * Part of the cffi cdef (keep it free of macros).
 */
#ifndef GNC_ELEMENTARY_H
#define GNC_ELEMENTARY_H

#include <stddef.h>

/* The functions gnc_math_eval can run; the values are stable (recorded
 * comparisons refer to them). One-argument functions ignore y. */
typedef enum gnc_math_fn {
    GNC_FN_SIN = 0,
    GNC_FN_COS = 1,
    GNC_FN_TAN = 2,
    GNC_FN_ASIN = 3,
    GNC_FN_ACOS = 4,
    GNC_FN_ATAN = 5,
    GNC_FN_ATAN2 = 6,       /* atan2(y, x): out = atan2(y[i], x[i]) */
    GNC_FN_EXP = 7,
    GNC_FN_EXPM1 = 8,
    GNC_FN_LOG = 9,
    GNC_FN_LOG1P = 10,
    GNC_FN_POW = 11,        /* out = pow(x[i], y[i]) */
    GNC_FN_CBRT = 12,
    GNC_FN_HYPOT = 13,      /* out = hypot(x[i], y[i]) */
    GNC_FN_SINH = 14,
    GNC_FN_COSH = 15,
    GNC_FN_TANH = 16,
    GNC_FN_SINCOS_SIN = 17, /* the sine gnc_sincos returns */
    GNC_FN_SINCOS_COS = 18, /* the cosine gnc_sincos returns */
    GNC_FN_FLOOR = 19,
    GNC_FN_CEIL = 20,
    GNC_FN_TRUNC = 21,
    GNC_FN_FMOD = 22,       /* out = fmod(x[i], y[i]) */
    GNC_FN_SQRT = 23,       /* the compiler's sqrt (IEEE 754 correctly rounded) */
    GNC_FN_COUNT = 24
} gnc_math_fn;

/* out[i] = f(x[i]) or f(x[i], y[i]) for i < n, f = the function fn.
 * GNC_ERR_RANGE for an unknown fn; GNC_ERR_NULL when x or out (or y for a
 * two-argument function) is NULL and n > 0. out may alias x or y. */
int gnc_math_eval(int fn, const double *x, const double *y, size_t n, double *out);

#endif /* GNC_ELEMENTARY_H */
