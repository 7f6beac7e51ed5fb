/* fw_dispatch.c - bridge to the guidance core's dispatcher (see fw_dispatch.h). */
#include "fw_dispatch.h"

#ifdef FW_HAVE_GNC_DISPATCH

void fw_dispatch_init(fw_dispatch_ctx *ctx)
{
    (void)gnc_dispatch_init(&ctx->core);
}

int fw_dispatch(fw_dispatch_ctx *ctx, const uint8_t *req, size_t n, uint8_t *resp, size_t cap,
                size_t *resp_len)
{
    *resp_len = 0;
    (void)gnc_dispatch(&ctx->core, req, n, resp, cap, resp_len);
    return *resp_len > 0; /* answered: the call ran (its status is in the response) */
}

#else

void fw_dispatch_init(fw_dispatch_ctx *ctx)
{
    ctx->unused = 0;
}

int fw_dispatch(fw_dispatch_ctx *ctx, const uint8_t *req, size_t n, uint8_t *resp, size_t cap,
                size_t *resp_len)
{
    (void)ctx;
    (void)req;
    (void)n;
    (void)resp;
    (void)cap;
    *resp_len = 0;
    return 0;
}

#endif
