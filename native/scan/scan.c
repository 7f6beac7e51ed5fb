/* Bulk scanning of concatenated space packets; see scan.h. */
#include "scan.h"

#include <string.h>

#include "gnc_crc16.h"

static uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8)
           | (uint32_t)p[3];
}

/* The CRC of a whole packet with its trailer (0 when right): the project's
 * one CRC-16 (gnc_crc16.h; p is never NULL here). */
static uint16_t packet_crc(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    (void)gnc_crc16(p, n, &crc);
    return crc;
}

static size_t packet_len_at(const uint8_t *p)
{
    return (((size_t)p[4] << 8) | (size_t)p[5]) + 7u;
}

int pkt_scan_count(const uint8_t *buf, size_t len, size_t *count, size_t *consumed)
{
    size_t pos = 0, n = 0, plen;
    if (count == NULL || consumed == NULL || (buf == NULL && len > 0)) {
        return PKT_ENULL;
    }
    while (pos + 6u <= len) {
        plen = packet_len_at(buf + pos);
        if (plen > len - pos) {
            break;
        }
        pos += plen;
        n++;
    }
    *count = n;
    *consumed = pos;
    return PKT_OK;
}

int pkt_scan_fill(const uint8_t *buf, size_t len, size_t cap, int check_crc,
                  int64_t *offsets, uint16_t *apids, uint32_t *lengths, uint8_t *crc_ok,
                  size_t *count)
{
    size_t pos = 0, n = 0, plen;
    const uint8_t *p;
    if (count == NULL || offsets == NULL || apids == NULL || lengths == NULL
        || crc_ok == NULL || (buf == NULL && len > 0)) {
        return PKT_ENULL;
    }
    while (pos + 6u <= len && n < cap) {
        p = buf + pos;
        plen = packet_len_at(p);
        if (plen > len - pos) {
            break;
        }
        offsets[n] = (int64_t)pos;
        apids[n] = (uint16_t)((((unsigned)p[0] << 8) | p[1]) & 0x7FFu);
        lengths[n] = (uint32_t)plen;
        crc_ok[n] = (uint8_t)(check_crc ? (plen >= 8u && packet_crc(p, plen) == 0u)
                                        : 1u);
        pos += plen;
        n++;
    }
    *count = n;
    return PKT_OK;
}

int pkt_gather(const uint8_t *buf, size_t len, const int64_t *offsets, const int64_t *idx,
               size_t n, size_t rec_len, uint8_t *out)
{
    size_t i;
    int64_t off;
    if ((n > 0 && (buf == NULL || offsets == NULL || idx == NULL || out == NULL))) {
        return PKT_ENULL;
    }
    for (i = 0; i < n; i++) {
        off = offsets[idx[i]];
        if (off < 0 || (size_t)off > len || rec_len > len - (size_t)off) {
            return PKT_ERANGE;
        }
        memcpy(out + i * rec_len, buf + off, rec_len);
    }
    return PKT_OK;
}

int pkt_decode_fixed(const uint8_t *buf, size_t n, size_t rec_len, int check_crc,
                     uint8_t *ok, uint16_t *seq, double *t_tai, size_t *mismatch)
{
    size_t i, bad = 0;
    const uint8_t *p;
    if (mismatch == NULL || (n > 0 && (buf == NULL || ok == NULL || seq == NULL
                                       || t_tai == NULL))) {
        return PKT_ENULL;
    }
    if (n > 0 && rec_len < 12u) {
        return PKT_ERANGE;
    }
    for (i = 0; i < n; i++) {
        p = buf + i * rec_len;
        bad += (size_t)(p[0] != buf[0] || p[1] != buf[1] || p[4] != buf[4] || p[5] != buf[5]);
        seq[i] = (uint16_t)((((unsigned)p[2] & 0x3Fu) << 8) | p[3]);
        t_tai[i] = (double)load_be32(p + 6) + (double)(((unsigned)p[10] << 8) | p[11]) / 65536.0;
        if (check_crc) {
            ok[i] = (uint8_t)(packet_crc(p, rec_len) == 0u);
        }
    }
    *mismatch = bad;
    return PKT_OK;
}

int pkt_crc16(const uint8_t *data, size_t len, uint16_t init, uint16_t *out)
{
    if (out == NULL || (data == NULL && len > 0)) {
        return PKT_ENULL;
    }
    return gnc_crc16_update(init, data, len, out) == GNC_OK ? PKT_OK : PKT_ENULL;
}
