/*
 * semihost.h - ARM semihosting for the firmware unit tests under QEMU
 * (-semihosting-config enable=on): text out to the host, and an exit status
 * that QEMU returns as its own (SYS_EXIT_EXTENDED), so a failing test on the
 * target fails the host's test suite. Plus a tiny check framework.
 */
#ifndef FW_SEMIHOST_H
#define FW_SEMIHOST_H

#include <stdint.h>

void sh_puts(const char *s);
void sh_put_u32(uint32_t v);
void sh_exit(int status);

/* Checks: count a failure and print where, keep going. */
extern int sh_failures;
extern int sh_checks;
void sh_check(int ok, const char *what, const char *file, int line);
#define CHECK(cond) sh_check((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* |a - b| <= tol, NaN fails. */
int sh_close(double a, double b, double tol);

/* Print the summary and exit with 0 if every check passed, 1 otherwise. */
void sh_finish(const char *suite);

#endif /* FW_SEMIHOST_H */
