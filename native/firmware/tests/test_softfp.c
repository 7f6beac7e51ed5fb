/*
 * test_softfp.c - the board's double addition and subtraction in the case
 * libgcc rounds wrongly (an effective subtraction of normal numbers whose
 * exponents differ by 33, see fw_softfp.c): a power of two minus a number
 * 2^-33 of it, as a - b, a + (-b), -b + a and -(b - a), against the correctly
 * rounded results (exact rational arithmetic on the host).
 */
#include "semihost.h"

static const double CASES[][3] = {
    {0x1.0000000000000p+0, 0x1.3da80416cecf9p-33, 0x1.fffffffec2580p-1},
    {0x1.0000000000000p+6, 0x1.2ad124543b40bp-27, 0x1.fffffffed52eep+5},
    {0x1.0000000000000p-16, 0x1.d1272a3ae7888p-49, 0x1.fffffffe2ed8dp-17},
    {0x1.0000000000000p-13, 0x1.7a9d9694dc096p-46, 0x1.fffffffe85627p-14},
    {0x1.0000000000000p+26, 0x1.e40c2fd10badep-7, 0x1.fffffffe1bf3dp+25},
    {0x1.0000000000000p+28, 0x1.87011b45f7e92p-5, 0x1.fffffffe78feep+27},
    {0x1.0000000000000p+11, 0x1.e7bb3353bf6ccp-22, 0x1.fffffffe1844dp+10},
    {0x1.0000000000000p+30, 0x1.80de6b2a4597cp-3, 0x1.fffffffe7f219p+29},
};

int main(void)
{
    unsigned i;
    for (i = 0; i < sizeof CASES / sizeof CASES[0]; ++i) {
        volatile double a = CASES[i][0], b = CASES[i][1], nb = -CASES[i][1];
        double want = CASES[i][2];
        CHECK(a - b == want);
        CHECK(a + nb == want);
        CHECK(nb + a == want);
        CHECK(-(b - a) == want);
        CHECK((-a) + b == -want);
    }
    sh_finish("test_softfp");
    return 0;
}
