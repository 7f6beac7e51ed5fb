/* gnc_packet_read.h - reading fixed-layout space packets on the host side
 * (the ADCS and propulsion sensor readers, gnc_adcs_sensors.c and
 * gnc_prop_sensors.c): big-endian fields and the checks the dictionary's
 * parser makes. Internal: static inline, no state. */
#ifndef GNC_PACKET_READ_H
#define GNC_PACKET_READ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gnc.h"

enum {
    GNC_PKT_CUC_COARSE = 6,      /* after the primary header: CUC 4 + 2 octets */
    GNC_PKT_CUC_FINE = 10,
    GNC_PKT_UNSEGMENTED = 0xC000 /* sequence flags 11 */
};

static inline unsigned gnc_pkt_u16(const uint8_t *p)
{
    return ((unsigned)p[0] << 8) | p[1];
}

/* The packet's APID (11 bits of its first header word). */
static inline unsigned gnc_pkt_apid(const uint8_t *p)
{
    return gnc_pkt_u16(p) & 0x7FFu;
}

/* n big-endian float64s from p into v; 1 if all are finite (an exponent
 * below all ones: no libm, no classification macro). */
static inline int gnc_pkt_f64s(const uint8_t *p, int n, double *v)
{
    int i, k, ok = 1;
    for (i = 0; i < n; ++i) {
        uint64_t u = 0;
        for (k = 0; k < 8; ++k) {
            u = (u << 8) | p[8 * i + k];
        }
        ok &= ((u >> 52) & 0x7FFu) != 0x7FFu;
        memcpy(&v[i], &u, sizeof v[i]);
    }
    return ok;
}

/* The packet's time: CUC coarse seconds plus fine 1/65536 s (exact). */
static inline double gnc_pkt_cuc_time(const uint8_t *p)
{
    const uint8_t *c = p + GNC_PKT_CUC_COARSE;
    uint32_t coarse = ((uint32_t)c[0] << 24) | ((uint32_t)c[1] << 16)
                      | ((uint32_t)c[2] << 8) | c[3];
    return (double)coarse + (double)gnc_pkt_u16(p + GNC_PKT_CUC_FINE) / 65536.0;
}

/* 1 when p (len octets) is a well-formed packet of this layout, as the
 * dictionary's parser checks it: length, CRC over the whole packet (0 with
 * its trailer), first header word, unsegmented, length field. */
static inline int gnc_pkt_well_formed(const uint8_t *p, size_t len, size_t want, unsigned word0)
{
    uint16_t crc;
    if (len != want || gnc_crc16(p, len, &crc) != GNC_OK || crc != 0) {
        return 0;
    }
    return gnc_pkt_u16(p) == word0 && gnc_pkt_u16(p + 2) >= GNC_PKT_UNSEGMENTED
           && gnc_pkt_u16(p + 4) == want - 7u;
}

#endif
