/*
 * gnc_math.h - the guidance core's elementary functions, by the names the
 * core calls them (private, not in the cffi cdef).
 *
 * STUB: on this branch the names map to the C library's libm. The project's
 * own implementations (the same bits on every machine and on the board) replace
 * this file; the core's code already calls them by these names. sqrt, fabs and
 * floor stay the C library's (correctly rounded or exact everywhere).
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

#endif /* GNC_MATH_H */
