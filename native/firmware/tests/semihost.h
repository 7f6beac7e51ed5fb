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

/* Host files (paths relative to QEMU's working folder); mode as fopen's
 * "rb" = 1, "wb" = 5. Return a handle (-1 on error) / octets transferred. */
int sh_open(const char *path, int mode);
int sh_read(int fd, void *buf, uint32_t n);
int sh_write(int fd, const void *buf, uint32_t n);
void sh_close_file(int fd);

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
