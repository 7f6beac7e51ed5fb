/* gnc_crc16.c - CRC-16-CCITT, slice-by-8 (see gnc_crc16.h). */
#include "gnc_crc16.h"

#include "gnc_crc16_table.inc"

static uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8)
           | (uint32_t)p[3];
}

int gnc_crc16_update(uint16_t init, const uint8_t *data, size_t len, uint16_t *crc)
{
    uint16_t c = init;
    uint32_t a, b;
    const uint8_t *p = data;
    size_t n = len;
    if ((data == NULL && len > 0) || crc == NULL) {
        return GNC_ERR_NULL;
    }
    /* eight table lookups per eight octets, the octets read as two big-endian words */
    while (n >= 8) {
        a = load_be32(p) ^ ((uint32_t)c << 16);
        b = load_be32(p + 4);
        c = (uint16_t)(crc_table[7][a >> 24] ^ crc_table[6][(a >> 16) & 0xFFu]
                       ^ crc_table[5][(a >> 8) & 0xFFu] ^ crc_table[4][a & 0xFFu]
                       ^ crc_table[3][b >> 24] ^ crc_table[2][(b >> 16) & 0xFFu]
                       ^ crc_table[1][(b >> 8) & 0xFFu] ^ crc_table[0][b & 0xFFu]);
        p += 8;
        n -= 8;
    }
    while (n--) {
        c = (uint16_t)((c << 8) ^ crc_table[0][(uint8_t)((c >> 8) ^ *p++)]);
    }
    *crc = c;
    return GNC_OK;
}

int gnc_crc16(const uint8_t *data, size_t len, uint16_t *crc)
{
    return gnc_crc16_update(0xFFFFu, data, len, crc);
}
