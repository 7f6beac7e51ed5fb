/* fw_link.c - board side of the serial link (see fw_link.h). */
#include "fw_link.h"

#include <string.h>

#include "gnc_crc16.h"

static const uint8_t ASM_BYTES[FW_ASM_LEN] = {0x1Au, 0xCFu, 0xFCu, 0x1Du};

/* The packet CRC (the project's one CRC-16, gnc_crc16.h); its only failure
 * is a NULL pointer, which these callers never pass. */
static uint16_t packet_crc(const uint8_t *data, size_t n)
{
    uint16_t crc = 0;
    (void)gnc_crc16(data, n, &crc);
    return crc;
}

void fw_rx_init(fw_rx *rx, fw_link_stats *stats)
{
    rx->len = 0;
    rx->partial_since_ms = 0;
    rx->hunting = 0;
    rx->stats = stats;
}

static void discard(fw_rx *rx, size_t n)
{
    if (n == 0) {
        return;
    }
    if (n > rx->len) {
        n = rx->len;
    }
    memmove(rx->buf, rx->buf + n, rx->len - n);
    rx->len -= n;
    rx->stats->bytes_discarded += (uint32_t)n;
    if (!rx->hunting) {
        rx->hunting = 1;
        rx->stats->resyncs++;
    }
}

size_t fw_rx_feed(fw_rx *rx, const uint8_t *data, size_t n, uint32_t now_ms)
{
    size_t room = sizeof rx->buf - rx->len;
    if (n > room) {
        n = room;
    }
    if (n > 0) {
        rx->partial_since_ms = now_ms; /* time of the last byte received */
    }
    memcpy(rx->buf + rx->len, data, n);
    rx->len += n;
    return n;
}

static size_t find_asm(const fw_rx *rx)
{
    size_t i, k;
    for (i = 0; i < rx->len; ++i) {
        for (k = 0; k < FW_ASM_LEN && i + k < rx->len; ++k) {
            if (rx->buf[i + k] != ASM_BYTES[k]) {
                break;
            }
        }
        if (k == FW_ASM_LEN || i + k == rx->len) {
            return i; /* a marker, or a marker prefix at the end */
        }
    }
    return rx->len;
}

size_t fw_rx_next(fw_rx *rx, uint8_t *pkt, size_t cap)
{
    for (;;) {
        size_t n, end;
        uint16_t crc;
        discard(rx, find_asm(rx));
        if (rx->len < FW_ASM_LEN + 6u) {
            return 0;
        }
        n = (((size_t)rx->buf[FW_ASM_LEN + 4u] << 8) | rx->buf[FW_ASM_LEN + 5u]) + 7u;
        if (n < FW_MIN_PACKET || n > FW_MAX_PACKET || n > cap) {
            rx->stats->length_errors++;
            discard(rx, 1);
            continue;
        }
        end = FW_ASM_LEN + n;
        if (rx->len < end) {
            return 0;
        }
        crc = (uint16_t)(((uint16_t)rx->buf[end - 2u] << 8) | rx->buf[end - 1u]);
        if (packet_crc(rx->buf + FW_ASM_LEN, n - 2u) != crc) {
            rx->stats->crc_errors++;
            discard(rx, 1);
            continue;
        }
        memcpy(pkt, rx->buf + FW_ASM_LEN, n);
        memmove(rx->buf, rx->buf + end, rx->len - end);
        rx->len -= end;
        rx->hunting = 0;
        rx->stats->frames_rx++;
        return n;
    }
}

void fw_rx_expire(fw_rx *rx, uint32_t now_ms)
{
    if (rx->len >= FW_ASM_LEN && memcmp(rx->buf, ASM_BYTES, FW_ASM_LEN) == 0
        && (uint32_t)(now_ms - rx->partial_since_ms) > FW_FRAME_TIMEOUT_MS) {
        rx->stats->timeouts++;
        discard(rx, 1);
        rx->partial_since_ms = now_ms;
    }
}

uint16_t fw_packet_apid(const uint8_t *pkt)
{
    return (uint16_t)(((pkt[0] & 0x07u) << 8) | pkt[1]);
}

uint16_t fw_packet_seq(const uint8_t *pkt)
{
    return (uint16_t)(((pkt[2] & 0x3Fu) << 8) | pkt[3]);
}

size_t fw_packet_build(uint8_t *out, size_t cap, uint16_t apid, uint16_t seq, uint32_t t_ms,
                       const uint8_t *data, size_t n)
{
    size_t len = 6u + 6u + n + 2u;
    uint32_t coarse = t_ms / 1000u;
    uint32_t fine = ((t_ms % 1000u) * 65536u) / 1000u;
    uint16_t crc;
    if (len > cap || len > FW_MAX_PACKET) {
        return 0;
    }
    out[0] = (uint8_t)(0x08u | ((apid >> 8) & 0x07u)); /* version 0, TM, sec hdr */
    out[1] = (uint8_t)(apid & 0xFFu);
    out[2] = (uint8_t)(0xC0u | ((seq >> 8) & 0x3Fu)); /* unsegmented */
    out[3] = (uint8_t)(seq & 0xFFu);
    out[4] = (uint8_t)(((len - 7u) >> 8) & 0xFFu);
    out[5] = (uint8_t)((len - 7u) & 0xFFu);
    out[6] = (uint8_t)(coarse >> 24);
    out[7] = (uint8_t)(coarse >> 16);
    out[8] = (uint8_t)(coarse >> 8);
    out[9] = (uint8_t)coarse;
    out[10] = (uint8_t)(fine >> 8);
    out[11] = (uint8_t)fine;
    if (n > 0) {
        memcpy(out + 12, data, n);
    }
    crc = packet_crc(out, len - 2u);
    out[len - 2u] = (uint8_t)(crc >> 8);
    out[len - 1u] = (uint8_t)crc;
    return len;
}
