/* gnc_status.h - status codes returned by every guidance-core function. */
#ifndef GNC_STATUS_H
#define GNC_STATUS_H

typedef enum gnc_status {
    GNC_OK = 0,
    GNC_ERR_NULL = 1,          /* a required pointer argument was NULL */
    GNC_ERR_DOMAIN = 2,        /* an input is outside the function's domain */
    GNC_ERR_SINGULAR = 3,      /* a matrix or geometry is singular */
    GNC_ERR_NO_CONVERGENCE = 4,/* an iteration did not converge */
    GNC_ERR_RANGE = 5,         /* an index, count or size is out of range */
    GNC_ERR_PACKET = 6,        /* a request packet is malformed */
    GNC_ERR_UNKNOWN_REQUEST = 7,/* a request packet has an unknown APID */
    GNC_ERR_BUFFER = 8,        /* an output buffer is too small */
    GNC_ERR_STATE = 9,         /* a context is not initialised or is inconsistent */
    GNC_ERR_UNITS = 10         /* inputs in inconsistent units (a dimensionless check
                                * failed, e.g. km with mu in m^3/s^2) */
} gnc_status;

/* A constant, human-readable description of a status, for error messages. */
int gnc_status_message(int status, const char **message);

#endif /* GNC_STATUS_H */
