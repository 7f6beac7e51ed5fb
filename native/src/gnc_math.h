/*
 * gnc_math.h - STUB. The project's elementary functions (one source for the
 * guidance core, the simulation core and the board firmware) are being
 * written as native/src/gnc_math.c/.h on another branch; until they are
 * merged, this header maps their names to the platform's libm so that new C
 * code can be written against them now. The integrator replaces this file
 * with the real header (same names, same signatures).
 */
#ifndef GNC_MATH_H
#define GNC_MATH_H

#include <math.h>

#define gnc_sin sin
#define gnc_cos cos
#define gnc_tan tan
#define gnc_atan atan
#define gnc_atan2 atan2
#define gnc_asin asin
#define gnc_acos acos
#define gnc_exp exp
#define gnc_log log
#define gnc_pow pow
#define gnc_cbrt cbrt

/* sine and cosine of one argument */
static inline void gnc_sincos(double x, double *s, double *c)
{
    *s = sin(x);
    *c = cos(x);
}

#endif /* GNC_MATH_H */
