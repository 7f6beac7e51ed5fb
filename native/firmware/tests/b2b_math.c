/*
 * b2b_math.c - back-to-back runner of the elementary functions and of the
 * soft double arithmetic: the target evaluates recorded (op, x, y) triples
 * read from the host (semihosting file b2b_math_in.bin) and writes one double
 * per triple to b2b_math_out.bin; tests/hil/test_elementary_on_board.py
 * compares them bit for bit with the desktop.
 *
 * Record in: 3 little-endian doubles: op, x, y. Record out: 1 double.
 * op < GNC_FN_COUNT: gnc_math_eval(op, x, y); otherwise the arithmetic of the
 * toolchain (libgcc's soft double): 100 x + y, 101 x - y, 102 x * y,
 * 103 x / y, 104 (double)(int32_t)x (|x| < 2^31), 105 (double)(int64_t)x
 * (|x| < 2^63).
 */
#include <stdint.h>

#include "gnc.h"
#include "semihost.h"

#define CHUNK 256

static double in[3 * CHUNK];
static double out[CHUNK];

static double arith(int op, double x, double y)
{
    switch (op) {
    case 100:
        return x + y;
    case 101:
        return x - y;
    case 102:
        return x * y;
    case 103:
        return x / y;
    case 104:
        return (double)(int32_t)x;
    case 105:
        return (double)(int64_t)x;
    default:
        return 0.0;
    }
}

int main(void)
{
    uint32_t n = 0;
    int got, i, k;
    int fi = sh_open("b2b_math_in.bin", 1);
    int fo = sh_open("b2b_math_out.bin", 5);
    if (fi < 0 || fo < 0) {
        sh_puts("b2b_math: cannot open b2b_math_in.bin / b2b_math_out.bin\n");
        sh_exit(2);
    }
    while ((got = sh_read(fi, in, sizeof in)) > 0) {
        k = got / (int)(3 * sizeof(double));
        for (i = 0; i < k; ++i) {
            int op = (int)in[3 * i];
            if (op >= 0 && op < GNC_FN_COUNT) {
                if (gnc_math_eval(op, &in[3 * i + 1], &in[3 * i + 2], 1, &out[i]) != GNC_OK) {
                    sh_exit(3);
                }
            } else {
                out[i] = arith(op, in[3 * i + 1], in[3 * i + 2]);
            }
        }
        if (sh_write(fo, out, (uint32_t)k * sizeof(double)) != (int)(k * sizeof(double))) {
            sh_exit(2);
        }
        n += (uint32_t)k;
    }
    sh_close_file(fi);
    sh_close_file(fo);
    sh_puts("b2b_math: ");
    sh_put_u32(n);
    sh_puts(" records\n");
    sh_exit(0);
    return 0;
}
