/*
 * fw_link.h - the board side of the serial link (DESIGN.md "Serial link"):
 * frames are the attached sync marker 0x1ACFFC1D followed by one space
 * packet; the packet's length field delimits it, its CRC-16-CCITT (poly
 * 0x1021, init 0xFFFF; gnc_crc16.h) in the last two octets validates it. The receiver
 * hunts for the marker and on a bad CRC, a length out of range or a stalled
 * partial frame slides one byte past the rejected marker and hunts again:
 * the same algorithm as hil/serial/framing.py.
 */
#ifndef FW_LINK_H
#define FW_LINK_H

#include <stddef.h>
#include <stdint.h>

#define FW_ASM_LEN 4u
#define FW_MAX_PACKET 2048u /* the core's largest response (glideslope) is 1894 */
#define FW_MIN_PACKET 8u
#define FW_FRAME_TIMEOUT_MS 250u

typedef struct fw_link_stats {
    uint32_t frames_rx;
    uint32_t frames_tx;
    uint32_t crc_errors;
    uint32_t length_errors;
    uint32_t timeouts;
    uint32_t resyncs;
    uint32_t bytes_discarded;
} fw_link_stats;

typedef struct fw_rx {
    uint8_t buf[FW_ASM_LEN + FW_MAX_PACKET];
    size_t len;
    uint32_t partial_since_ms;
    int hunting;
    fw_link_stats *stats;
} fw_rx;

void fw_rx_init(fw_rx *rx, fw_link_stats *stats);

/* Append received bytes (as many as fit; the rest is returned for a later
 * call). Returns the number of bytes taken. */
size_t fw_rx_feed(fw_rx *rx, const uint8_t *data, size_t n, uint32_t now_ms);

/* The next complete, CRC-checked packet at the head of the buffer: copies
 * it to pkt (cap >= FW_MAX_PACKET) and returns its length, or 0 when more
 * bytes are needed. */
size_t fw_rx_next(fw_rx *rx, uint8_t *pkt, size_t cap);

/* Abandon a partial frame when no byte arrived for FW_FRAME_TIMEOUT_MS. */
void fw_rx_expire(fw_rx *rx, uint32_t now_ms);

/* Primary header fields. */
uint16_t fw_packet_apid(const uint8_t *pkt);
uint16_t fw_packet_seq(const uint8_t *pkt);

/* Build a TM packet with secondary header (CUC from t_ms), user data and
 * CRC into out; returns the packet length or 0 if cap is too small. */
size_t fw_packet_build(uint8_t *out, size_t cap, uint16_t apid, uint16_t seq, uint32_t t_ms,
                       const uint8_t *data, size_t n);

#endif /* FW_LINK_H */
