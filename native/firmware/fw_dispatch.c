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
    unsigned int repeats = ctx->core.repeats;
    *resp_len = 0;
    (void)gnc_dispatch(&ctx->core, req, n, resp, cap, resp_len);
    /* answered and not a repeat answered from the kept response: the call ran
     * (its status is in the response) */
    return *resp_len > 0 && ctx->core.repeats == repeats;
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
