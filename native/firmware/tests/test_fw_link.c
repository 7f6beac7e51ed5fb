/*
 * test_fw_link.c - the firmware's framing on the target: the CRC's published
 * check value, a build/deframe round trip split across feeds, a corrupted
 * frame rejected with the next one still found, and an oversize length.
 */
#include <string.h>

#include "fw_link.h"
#include "gnc_crc16.h"
#include "semihost.h"

static fw_rx g_rx;
static uint8_t g_stream[1200];
static uint8_t g_pkt[FW_MAX_PACKET];

static size_t put_frame(uint8_t *out, const uint8_t *pkt, size_t n)
{
    static const uint8_t asm_bytes[4] = {0x1Au, 0xCFu, 0xFCu, 0x1Du};
    memcpy(out, asm_bytes, 4);
    memcpy(out + 4, pkt, n);
    return n + 4u;
}

int main(void)
{
    fw_link_stats st;
    uint8_t a[64], b[64];
    const uint8_t data[5] = {1, 2, 3, 4, 5};
    size_t na, nb, len = 0, n, i;
    uint16_t crc = 0;

    memset(&st, 0, sizeof st);
    CHECK(gnc_crc16((const uint8_t *)"123456789", 9, &crc) == GNC_OK && crc == 0x29B1u);

    na = fw_packet_build(a, sizeof a, 0x201u, 7u, 1500u, data, sizeof data);
    nb = fw_packet_build(b, sizeof b, 0x201u, 8u, 1600u, data, 3u);
    CHECK(na == 19u && nb == 17u);
    CHECK(fw_packet_apid(a) == 0x201u && fw_packet_seq(a) == 7u);
    CHECK(a[6] == 0 && a[9] == 1u && a[10] == 0x80u); /* CUC 1.5 s */

    /* good a, corrupted a, good b; fed in 3-byte pieces */
    len += put_frame(g_stream + len, a, na);
    len += put_frame(g_stream + len, a, na);
    g_stream[len - 5u] ^= 0x40u;
    len += put_frame(g_stream + len, b, nb);
    fw_rx_init(&g_rx, &st);
    {
        int got = 0;
        for (i = 0; i < len; i += 3u) {
            size_t k = (len - i < 3u) ? len - i : 3u;
            CHECK(fw_rx_feed(&g_rx, g_stream + i, k, 0u) == k);
            while ((n = fw_rx_next(&g_rx, g_pkt, sizeof g_pkt)) > 0) {
                CHECK((got == 0 && n == na && memcmp(g_pkt, a, na) == 0)
                      || (got == 1 && n == nb && memcmp(g_pkt, b, nb) == 0));
                ++got;
            }
        }
        CHECK(got == 2);
    }
    CHECK(st.frames_rx == 2u && st.crc_errors == 1u && st.resyncs == 1u);
    CHECK(st.bytes_discarded == na + 4u);

    /* a length field over the maximum is rejected at once */
    a[4] = 0x7Fu;
    len = put_frame(g_stream, a, na);
    len += put_frame(g_stream + len, b, nb);
    fw_rx_init(&g_rx, &st);
    (void)fw_rx_feed(&g_rx, g_stream, len, 0u);
    CHECK(fw_rx_next(&g_rx, g_pkt, sizeof g_pkt) == nb);
    CHECK(st.length_errors == 1u);

    /* a stalled partial frame times out */
    fw_rx_init(&g_rx, &st);
    (void)fw_rx_feed(&g_rx, g_stream + (na + 4u), 10u, 100u);
    fw_rx_expire(&g_rx, 200u);
    CHECK(st.timeouts == 0u);
    fw_rx_expire(&g_rx, 100u + FW_FRAME_TIMEOUT_MS + 1u);
    CHECK(st.timeouts == 1u);

    sh_finish("test_fw_link");
    return 0;
}
