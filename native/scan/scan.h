/* Bulk scanning of concatenated CCSDS space packets (an archive or a capture):
 * packet boundaries from the length fields, APIDs, CRC-16-CCITT checks and
 * gathering of same-layout packets into contiguous records. Used by
 * fsw.packets.bulk through cffi (fsw.packets._scan). C99, no allocation, no
 * global mutable state, no I/O; every function returns a pkt_status. */
#ifndef PKT_SCAN_H
#define PKT_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    PKT_OK = 0,
    PKT_ENULL = 1,     /* a required pointer is NULL */
    PKT_ECAPACITY = 2, /* an output array is too small */
    PKT_ERANGE = 3,    /* an offset/length points outside the buffer */
    PKT_EBOUNDS = 4    /* a packet's length is outside the bounds given */
} pkt_status;

/* Octets of an archive record header (tools/archive/format.py's
 * RECORD_HEADER, version 2: marker 4s, length u32, number u32, time i64,
 * CRC-32 u32, little-endian; the writer checks its declaration). */
#define PKT_RECORD_HEADER_LEN 24

/* What an archive's records are made with (format.py's RECORD_MARKER,
 * MIN_PACKET and MAX_PACKET). */
typedef struct {
    uint8_t marker[4];
    size_t min_len;
    size_t max_len;
} pkt_record_bounds;

/* Count the whole packets at the start of buf (each is 7 + its data length
 * field octets); *consumed gets the octets they span (the rest is a torn tail). */
int pkt_scan_count(const uint8_t *buf, size_t len, size_t *count, size_t *consumed);

/* Fill, for the first *count packets (at most cap), their offset, APID,
 * total length and, if check_crc, whether their CRC-16-CCITT trailer is right
 * (packets shorter than 8 octets are never right). */
int pkt_scan_fill(const uint8_t *buf, size_t len, size_t cap, int check_crc,
                  int64_t *offsets, uint16_t *apids, uint32_t *lengths, uint8_t *crc_ok,
                  size_t *count);

/* Copy n records of rec_len octets, starting at buf + offsets[idx[i]], to out
 * (n * rec_len octets). */
int pkt_gather(const uint8_t *buf, size_t len, const int64_t *offsets, const int64_t *idx,
               size_t n, size_t rec_len, uint8_t *out);

/* For n packets of rec_len octets each, back to back in buf (a single-layout
 * file, or same-layout packets gathered by pkt_gather): seq[i] and t_tai[i]
 * (CUC 4+2 after the primary header, as TAI seconds) of every packet, and,
 * if check_crc, ok[i] = 1 when its CRC trailer is right (else ok is left
 * alone). *mismatch counts packets whose APID word or length field differs
 * from the first packet's. All in one pass while each packet is in cache. */
int pkt_decode_fixed(const uint8_t *buf, size_t n, size_t rec_len, int check_crc,
                     uint8_t *ok, uint16_t *seq, double *t_tai, size_t *mismatch);

/* CRC-16-CCITT (poly 0x1021, no reflection, no final xor) of data, from init
 * (gnc_crc16_update of native/include/gnc_crc16.h, the project's one CRC-16). */
int pkt_crc16(const uint8_t *data, size_t len, uint16_t init, uint16_t *out);

/* Archive records (records.c): the n packets back to back in packets (len
 * octets; their lengths in lens), each as one record of the archive format
 * (version 2) at out: the marker, its length, its number (number, number +
 * 1, ..., wrapping at 2^32), recv_ns, the CRC-32 (zlib's) of the 16 octets
 * after the marker and of the packet, then the packet itself. Stops at the
 * first packet whose length is outside the bounds (PKT_EBOUNDS), that does
 * not fit in out's cap octets (PKT_ECAPACITY) or overruns len (PKT_ERANGE);
 * done[0] and done[1] always give the records made before it and their
 * octets. */
int pkt_archive_records(const uint8_t *packets, size_t len, const size_t *lens, size_t n,
                        const pkt_record_bounds *bounds, uint32_t number, int64_t recv_ns,
                        uint8_t *out, size_t cap, size_t *done);

/* An archive writer's cursor in its output (a shared mapping of the file):
 * the records go to out + pos, at most cap - pos octets; number is the next
 * record's (written modulo 2^32); records counts the records appended;
 * done, the records the last pkt_archive_append made; last_ns, the receive
 * time of the last record made. crc holds the
 * slicing-by-8 tables of the CRC-32 (pkt_archive_cursor_init). Caller-owned:
 * the writer sets out, cap, pos and number, the functions keep them. */
typedef struct {
    pkt_record_bounds bounds;
    uint8_t *out;
    size_t cap;
    size_t pos;
    uint64_t number;
    uint64_t records;
    size_t done;
    int64_t last_ns;
    uint32_t crc[8][256];
} pkt_archive_cursor;

/* Zero the cursor (no output yet), copy the bounds, fill the CRC tables. */
int pkt_archive_cursor_init(pkt_archive_cursor *cur, const pkt_record_bounds *bounds);

/* pkt_archive_records' records of the n packets in packets (lens), all
 * received at recv_ns, appended at cur->out + cur->pos: on return pos,
 * number and records have moved past every record made (cur->done of
 * them), also when it stops early with PKT_EBOUNDS, PKT_ECAPACITY (the
 * rest does not fit: more room, and a call with the packets left) or
 * PKT_ERANGE. */
int pkt_archive_append(pkt_archive_cursor *cur, const uint8_t *packets, size_t len,
                       const size_t *lens, size_t n, int64_t recv_ns);

#endif
