/*
 * gnc_math.h - the elementary functions of the guidance core, the simulation
 * core and the board firmware (one source: native/src/gnc_math.c). Private to
 * the C code (not in the cffi cdef; the bulk entry point gnc_math_eval is, in
 * native/include/gnc_elementary.h).
 *
 * Why: a platform's libm is not the same function everywhere. glibc picks FMA
 * or non-FMA variants per CPU, newlib (the board) differs from glibc, and both
 * may change between versions: the same C source then gives other bits on
 * another machine. These functions use IEEE 754 double arithmetic only
 * (+ - * /, sqrt, conversions: correctly rounded on x86-64 SSE2, aarch64 and
 * the Cortex-M4F's soft double), no FMA (built with -ffp-contract=off), no
 * long double, no lookup of the CPU: the same inputs give the same bits on
 * every target. gnc_math.c refuses to build where double expressions are
 * evaluated in a wider format (FLT_EVAL_METHOD != 0, e.g. x87).
 *
 * Accuracy: every function is within 1 ULP of the correctly rounded result
 * over its whole domain (error below 1 ULP of the exact value; measured
 * maxima about 0.5x ULP, see tools/bench/elementary.py and
 * tests/core/test_elementary.py, both against mpmath). Special values follow
 * C99 Annex F (signed zeros, infinities, NaN in, NaN out; a domain error
 * returns the quiet NaN 0x7FF8000000000000; errno is never set).
 *
 * Like libm's, these functions return their value (the core's rule that every
 * function returns a status does not fit them: they have no failure, a domain
 * error is a NaN); gnc_math_eval is the status-returning bulk entry point.
 *
 * Use these names in new C code of the cores; never call sin, cos, exp, ...
 * from <math.h> (tests/core/test_elementary_build.py fails on any libm symbol
 * in a built core). Exactly specified operations stay the compiler's:
 *   sqrt  IEEE 754 correctly rounded: x86-64 emits sqrtsd inline
 *         (-fno-math-errno), the Cortex-M4F build calls newlib's software
 *         square root; both verified bit-identical on the board
 *         (tests/hil/test_elementary_on_board.py);
 *   fabs  a sign-bit operation (inline on every target);
 *   isfinite, isnan, signbit: classification macros (no libm call).
 * floor, ceil, trunc and fmod are exact operations provided below (so that no
 * libm symbol is needed at all).
 */
#ifndef GNC_MATH_H
#define GNC_MATH_H

/* The functions below depend on their arguments only (no state, no errno):
 * GCC may merge repeated calls with the same arguments, as it does for libm's. */
#if defined(__GNUC__)
#define GNC_MATH_CONST __attribute__((const))
#else
#define GNC_MATH_CONST
#endif

/* Trigonometric functions (radians). Argument reduction is exact for every
 * finite double (Payne-Hanek beyond 2^20 pi/2). gnc_sincos gives the same bits
 * as gnc_sin and gnc_cos, for about the cost of one. */
GNC_MATH_CONST double gnc_sin(double x);
GNC_MATH_CONST double gnc_cos(double x);
GNC_MATH_CONST double gnc_tan(double x);
void gnc_sincos(double x, double *s, double *c);

/* Inverse trigonometric functions: asin in [-pi/2, pi/2], acos in [0, pi]
 * (NaN outside [-1, 1]), atan in [-pi/2, pi/2], atan2(y, x) in [-pi, pi]. */
GNC_MATH_CONST double gnc_asin(double x);
GNC_MATH_CONST double gnc_acos(double x);
GNC_MATH_CONST double gnc_atan(double x);
GNC_MATH_CONST double gnc_atan2(double y, double x);

/* Exponentials and logarithms; gnc_expm1(x) = e^x - 1 and gnc_log1p(x) =
 * log(1 + x) accurate near 0. gnc_pow(x, y) = x^y with C99's special cases. */
GNC_MATH_CONST double gnc_exp(double x);
GNC_MATH_CONST double gnc_expm1(double x);
GNC_MATH_CONST double gnc_log(double x);
GNC_MATH_CONST double gnc_log1p(double x);
GNC_MATH_CONST double gnc_pow(double x, double y);
GNC_MATH_CONST double gnc_cbrt(double x);

/* sqrt(x^2 + y^2) without undue overflow or underflow. */
GNC_MATH_CONST double gnc_hypot(double x, double y);

/* Hyperbolic functions. */
GNC_MATH_CONST double gnc_sinh(double x);
GNC_MATH_CONST double gnc_cosh(double x);
GNC_MATH_CONST double gnc_tanh(double x);

/* Exact operations (no rounding): floor, ceiling, truncation toward zero,
 * and the C99 remainder x - n y with n = trunc(x / y) (sign of x). */
GNC_MATH_CONST double gnc_floor(double x);
GNC_MATH_CONST double gnc_ceil(double x);
GNC_MATH_CONST double gnc_trunc(double x);
GNC_MATH_CONST double gnc_fmod(double x, double y);

#endif /* GNC_MATH_H */
