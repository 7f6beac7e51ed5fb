/* gnc_crc.c - CRC-16-CCITT of the space packets (poly 0x1021, init 0xFFFF, no
 * reflection, no final xor): the one C implementation, used by the guidance
 * core's dispatcher and by the simulation core's packet builder (declared in
 * gnc_dispatch.h). */
#include "gnc.h"

int gnc_crc16(const uint8_t *data, size_t len, uint16_t *crc)
{
    uint16_t c = 0xFFFFu;
    size_t i;
    int b;
    if ((data == NULL && len > 0) || crc == NULL) {
        return GNC_ERR_NULL;
    }
    for (i = 0; i < len; ++i) {
        c = (uint16_t)(c ^ (uint16_t)((uint16_t)data[i] << 8));
        for (b = 0; b < 8; ++b) {
            c = (uint16_t)((c & 0x8000u) ? (((unsigned)c << 1) ^ 0x1021u) : ((unsigned)c << 1));
        }
    }
    *crc = c;
    return GNC_OK;
}
