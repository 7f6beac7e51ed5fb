/*
 * fw_dispatch.h - the firmware's bridge to the guidance core's packet
 * dispatcher: one request packet in, one response packet out. The context
 * (the core's caller-owned state) lives in the firmware's state struct.
 */
#ifndef FW_DISPATCH_H
#define FW_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct fw_dispatch_ctx {
    int unused;
} fw_dispatch_ctx;

void fw_dispatch_init(fw_dispatch_ctx *ctx);

/* Hand one request packet (CRC already checked) to the core. Writes the
 * response packet to resp (*resp_len octets, 0 for none). Returns nonzero
 * when the core handled the request (an execution worth timing). */
int fw_dispatch(fw_dispatch_ctx *ctx, const uint8_t *req, size_t n, uint8_t *resp, size_t cap,
                size_t *resp_len);

#endif /* FW_DISPATCH_H */
