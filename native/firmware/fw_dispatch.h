/*
 * fw_dispatch.h - the firmware's bridge to the guidance core's packet
 * dispatcher (gnc_dispatch, native/include/gnc_dispatch.h): one request
 * packet in, one response packet out. The core's context lives in the
 * firmware's state struct (caller-owned, as everywhere in the core).
 *
 * Built with FW_HAVE_GNC_DISPATCH (set by the Makefile when the core
 * provides gnc_dispatch); without it no request is handled, so the firmware
 * still builds and serves BOARD_PING against an older core.
 */
#ifndef FW_DISPATCH_H
#define FW_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef FW_HAVE_GNC_DISPATCH
#include "gnc.h"
typedef struct fw_dispatch_ctx {
    gnc_dispatcher core;
} fw_dispatch_ctx;
#else
typedef struct fw_dispatch_ctx {
    int unused;
} fw_dispatch_ctx;
#endif

void fw_dispatch_init(fw_dispatch_ctx *ctx);

/* Hand one request packet (CRC already checked by the link) to the core.
 * Writes the response packet to resp (*resp_len octets, 0 for none).
 * Returns nonzero when the core executed the request (a call worth timing);
 * a repeated request answered from the kept response did not run. */
int fw_dispatch(fw_dispatch_ctx *ctx, const uint8_t *req, size_t n, uint8_t *resp, size_t cap,
                size_t *resp_len);

#endif /* FW_DISPATCH_H */
