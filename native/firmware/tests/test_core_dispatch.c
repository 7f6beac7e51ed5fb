/*
 * test_core_dispatch.c - the core's packet dispatcher on the target: a
 * KEPLER request (APID 0x209) built here byte by byte is answered on APID
 * 0x249 with the request's sequence count and time, status 0 and exactly
 * the numbers gnc_kepler gives when called directly; a corrupted CRC and an
 * unknown APID get no response and the right status; the same request sent
 * again is answered with the kept response without running again.
 */
#include <string.h>

#include "gnc.h"
#include "semihost.h"

static gnc_dispatcher g_d;
static uint8_t g_req[256];
static uint8_t g_resp[2048];

static void put_f64(uint8_t *p, double x)
{
    uint64_t u;
    int i;
    memcpy(&u, &x, sizeof u);
    for (i = 7; i >= 0; --i) {
        p[i] = (uint8_t)(u & 0xFFu);
        u >>= 8;
    }
}

static double get_f64(const uint8_t *p)
{
    uint64_t u = 0;
    double x;
    int i;
    for (i = 0; i < 8; ++i) {
        u = (u << 8) | p[i];
    }
    memcpy(&x, &u, sizeof x);
    return x;
}

/* A TM request with secondary header: header, CUC (coarse 1000, fine 0x8000),
 * n doubles, CRC. Returns its length. */
static size_t build(uint16_t apid, uint16_t seq, const double *v, size_t n)
{
    size_t len = 6u + 6u + 8u * n + 2u, i;
    uint16_t crc = 0;
    g_req[0] = (uint8_t)(0x08u | (apid >> 8));
    g_req[1] = (uint8_t)apid;
    g_req[2] = (uint8_t)(0xC0u | (seq >> 8));
    g_req[3] = (uint8_t)seq;
    g_req[4] = (uint8_t)((len - 7u) >> 8);
    g_req[5] = (uint8_t)(len - 7u);
    memset(g_req + 6, 0, 6);
    g_req[8] = 0x03u; /* coarse = 1000 = 0x3E8 */
    g_req[9] = 0xE8u;
    g_req[10] = 0x80u;
    for (i = 0; i < n; ++i) {
        put_f64(g_req + 12 + 8u * i, v[i]);
    }
    (void)gnc_crc16(g_req, len - 2u, &crc);
    g_req[len - 2u] = (uint8_t)(crc >> 8);
    g_req[len - 1u] = (uint8_t)crc;
    return len;
}

int main(void)
{
    /* KEPLER request fields: r0[3], v0[3], dt, mu */
    const double in[8] = {7.0e6, 1.0e5, -2.0e4, -50.0, 7500.0, 120.0, 1234.5, 3.986004418e14};
    double r[3], v[3];
    size_t n, m = 0;
    int st, i;
    uint16_t crc = 0;

    CHECK(gnc_dispatch_init(&g_d) == GNC_OK);
    CHECK(gnc_crc16((const uint8_t *)"123456789", 9, &crc) == GNC_OK && crc == 0x29B1u);

    n = build(0x209u, 77u, in, 8u);
    st = gnc_dispatch(&g_d, g_req, n, g_resp, sizeof g_resp, &m);
    CHECK(st == GNC_OK);
    CHECK(m == 6u + 6u + 8u * 7u + 2u);
    CHECK((((g_resp[0] & 7u) << 8) | g_resp[1]) == 0x249u);
    CHECK((((g_resp[2] & 0x3Fu) << 8) | g_resp[3]) == 77u);
    CHECK(memcmp(g_resp + 6, g_req + 6, 6) == 0); /* time echoed */
    CHECK(gnc_crc16(g_resp, m - 2u, &crc) == GNC_OK);
    CHECK(crc == (uint16_t)((g_resp[m - 2u] << 8) | g_resp[m - 1u]));
    CHECK(get_f64(g_resp + 12) == 0.0);
    CHECK(gnc_kepler(in, in + 3, in[6], in[7], r, v) == GNC_OK);
    for (i = 0; i < 3; ++i) {
        CHECK(get_f64(g_resp + 20 + 8 * i) == r[i]);
        CHECK(get_f64(g_resp + 44 + 8 * i) == v[i]);
    }

    /* the same request again (its answer was lost): the kept response, not run again */
    {
        static uint8_t first[2048];
        size_t m1 = m;
        memcpy(first, g_resp, m1);
        memset(g_resp, 0, sizeof g_resp);
        CHECK(gnc_dispatch(&g_d, g_req, n, g_resp, sizeof g_resp, &m) == GNC_OK);
        CHECK(m == m1 && memcmp(g_resp, first, m1) == 0);
        CHECK(g_d.repeats == 1u && g_d.requests == 2u);
        n = build(0x209u, 78u, in, 8u); /* the next sequence count: a new request */
        CHECK(gnc_dispatch(&g_d, g_req, n, g_resp, sizeof g_resp, &m) == GNC_OK);
        CHECK(g_d.repeats == 1u && g_d.requests == 3u);
    }

    g_req[20] ^= 0x01u; /* corrupt a byte: CRC fails */
    m = 99u;
    CHECK(gnc_dispatch(&g_d, g_req, n, g_resp, sizeof g_resp, &m) == GNC_ERR_PACKET);
    CHECK(m == 0u);

    n = build(0x23Au, 1u, in, 1u); /* inside the block, not a request */
    CHECK(gnc_dispatch(&g_d, g_req, n, g_resp, sizeof g_resp, &m) == GNC_ERR_UNKNOWN_REQUEST);
    CHECK(m == 0u);

    sh_finish("test_core_dispatch");
    return 0;
}
