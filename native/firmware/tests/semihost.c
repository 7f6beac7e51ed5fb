/* semihost.c - semihosting calls and checks (see semihost.h). */
#include "semihost.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

int sh_failures;
int sh_checks;

static uint32_t sh_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_puts(const char *s)
{
    (void)sh_call(SYS_WRITE0, s);
}

static uint32_t sh_strlen(const char *s)
{
    uint32_t n = 0;
    while (s[n] != '\0') {
        ++n;
    }
    return n;
}

int sh_open(const char *path, int mode)
{
    uint32_t block[3];
    block[0] = (uint32_t)(uintptr_t)path;
    block[1] = (uint32_t)mode;
    block[2] = sh_strlen(path);
    return (int)sh_call(SYS_OPEN, block);
}

int sh_read(int fd, void *buf, uint32_t n)
{
    uint32_t block[3];
    block[0] = (uint32_t)fd;
    block[1] = (uint32_t)(uintptr_t)buf;
    block[2] = n;
    return (int)(n - sh_call(SYS_READ, block)); /* the call returns octets NOT read */
}

int sh_write(int fd, const void *buf, uint32_t n)
{
    uint32_t block[3];
    block[0] = (uint32_t)fd;
    block[1] = (uint32_t)(uintptr_t)buf;
    block[2] = n;
    return (int)(n - sh_call(SYS_WRITE, block));
}

void sh_close_file(int fd)
{
    uint32_t block[1];
    block[0] = (uint32_t)fd;
    (void)sh_call(SYS_CLOSE, block);
}

void sh_put_u32(uint32_t v)
{
    char buf[11];
    int i = 10;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u && i > 0);
    sh_puts(buf + i);
}

void sh_exit(int status)
{
    uint32_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)status;
    (void)sh_call(SYS_EXIT_EXTENDED, block);
    for (;;) {
    }
}

void sh_check(int ok, const char *what, const char *file, int line)
{
    ++sh_checks;
    if (!ok) {
        ++sh_failures;
        sh_puts("FAIL ");
        sh_puts(file);
        sh_puts(":");
        sh_put_u32((uint32_t)line);
        sh_puts(": ");
        sh_puts(what);
        sh_puts("\n");
    }
}

int sh_close(double a, double b, double tol)
{
    double d = a - b;
    if (d < 0.0) {
        d = -d;
    }
    return d <= tol;
}

void sh_finish(const char *suite)
{
    sh_puts(suite);
    sh_puts(": ");
    sh_put_u32((uint32_t)sh_checks);
    sh_puts(" checks, ");
    sh_put_u32((uint32_t)sh_failures);
    sh_puts(" failures\n");
    sh_exit(sh_failures == 0 ? 0 : 1);
}

/* A fault in a test image is a failure, not a hang. */
void fw_fault(uint32_t cause)
{
    sh_puts("FAULT ");
    sh_put_u32(cause);
    sh_puts("\n");
    sh_exit(3);
}
