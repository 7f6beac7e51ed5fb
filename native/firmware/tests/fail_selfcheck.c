/*
 * fail_selfcheck.c - negative control of the semihosted test harness: one
 * check fails on purpose, so QEMU must exit with status 1. The host test
 * suite asserts that it does (a harness that cannot fail proves nothing).
 */
#include "semihost.h"

int main(void)
{
    CHECK(1 + 1 == 2);
    CHECK(1 + 1 == 3); /* fails on purpose */
    sh_finish("fail_selfcheck");
    return 0;
}
