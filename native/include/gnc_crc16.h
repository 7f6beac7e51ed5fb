/*
 * gnc_crc16.h - CRC-16-CCITT (poly 0x1021, no reflection, no final xor): the
 * one implementation of the project (native/src/gnc_crc16.c, slice-by-8),
 * used by the guidance core's packet dispatcher, the board firmware's serial
 * link and the bulk packet scanner (fsw.packets._scan).
 */
#ifndef GNC_CRC16_H
#define GNC_CRC16_H

#include <stddef.h>
#include <stdint.h>

#include "gnc_status.h"

/* The CRC of data[0..len) continued from init into *crc (init 0xFFFF for a
 * space packet's CRC; a packet with its CRC trailer gives 0). */
int gnc_crc16_update(uint16_t init, const uint8_t *data, size_t len, uint16_t *crc);

/* CRC-16-CCITT of data[0..len) with init 0xFFFF (a space packet's CRC). */
int gnc_crc16(const uint8_t *data, size_t len, uint16_t *crc);

#endif /* GNC_CRC16_H */
