/* gnc_status.c - descriptions of the status codes. */
#include "gnc.h"

#include <stddef.h>

static const char *const messages[] = {
    "ok",
    "a required pointer argument was NULL",
    "an input is outside the function's domain",
    "a matrix or geometry is singular",
    "an iteration did not converge",
    "an index, count or size is out of range",
    "a request packet is malformed",
    "a request packet has an unknown APID",
    "an output buffer is too small",
    "a context is not initialised or is inconsistent",
    "inputs in inconsistent units (e.g. km with mu in m^3/s^2)",
};

int gnc_status_message(int status, const char **message)
{
    if (message == NULL) {
        return GNC_ERR_NULL;
    }
    if (status < 0 || (size_t)status >= sizeof messages / sizeof messages[0]) {
        *message = "unknown status";
        return GNC_ERR_RANGE;
    }
    *message = messages[status];
    return GNC_OK;
}
