/*
 * gnc_dispatch.h - the guidance core behind space packets: the interface the
 * board firmware serves over serial (and the desktop calls in-process).
 *
 * A request is one CCSDS space packet (APID 0x200-0x23B, type 0, secondary
 * header flag 1): 6-octet primary header, CUC 4+2 time, big-endian float64
 * fields, CRC-16-CCITT (poly 0x1021, init 0xFFFF) over every octet before
 * it. The response (APID = request + 0x40) echoes the request's sequence
 * count and time and carries the status (as a float64) and then the outputs.
 * Field layouts are declared in the packet dictionary (fsw/packets/defs/gnc.py)
 * and generated into native/src/gnc_packets.h: each request and response
 * carries the members of one struct below (or of a step's in/out struct),
 * in order, integers as float64.
 */
#ifndef GNC_DISPATCH_H
#define GNC_DISPATCH_H

/* Argument structs of the requests that wrap plain functions. */
typedef struct gnc_mekf_reset_req { double q_BN[4]; double bias[3]; } gnc_mekf_reset_req;
typedef struct gnc_relnav_reset_req { double x0[6]; double P0[36]; } gnc_relnav_reset_req;
typedef struct gnc_kepler_req { double mu; double r0[3]; double v0[3]; double dt; } gnc_kepler_req;
typedef struct gnc_kepler_resp { double r[3]; double v[3]; } gnc_kepler_resp;
typedef struct gnc_lambert_req {
    double mu; double r1[3]; double r2[3]; double tof; int nrev; int long_way; int branch;
} gnc_lambert_req;
typedef struct gnc_lambert_resp { double v1[3]; double v2[3]; } gnc_lambert_resp;
typedef struct gnc_cw_targeting_req {
    double n; double x0[6]; double r_f[3]; double v_f[3]; double tof;
} gnc_cw_targeting_req;
typedef struct gnc_cw_targeting_resp { double dv1[3]; double dv2[3]; } gnc_cw_targeting_resp;
typedef struct gnc_glideslope_req {
    double n; double x0[6]; double r_T[3]; double rate0; double rate_T; int pulses;
} gnc_glideslope_req;
typedef struct gnc_safety_ellipse_req {
    double n; double radial_amp; double cross_amp; double along_center; double phase;
} gnc_safety_ellipse_req;
typedef struct gnc_safety_ellipse_resp { double x0[6]; } gnc_safety_ellipse_resp;
typedef struct gnc_closest_approach_req { double n; double x0[6]; double horizon; } gnc_closest_approach_req;
typedef struct gnc_closest_approach_resp { double t_ca; double d_ca; double r_ca[3]; } gnc_closest_approach_resp;
typedef struct gnc_coe_from_rv_req { double mu; double r[3]; double v[3]; } gnc_coe_from_rv_req;
typedef struct gnc_coe_from_rv_resp { double coe[6]; } gnc_coe_from_rv_resp;
typedef struct gnc_rv_from_coe_req { double mu; double coe[6]; } gnc_rv_from_coe_req;
typedef struct gnc_rv_from_coe_resp { double r[3]; double v[3]; } gnc_rv_from_coe_resp;
typedef struct gnc_j2_rates_req {
    double mu; double j2; double r_eq; double a; double e; double i;
} gnc_j2_rates_req;
typedef struct gnc_j2_rates_resp { double rates[3]; } gnc_j2_rates_resp;

/* The dispatcher's context: every stateful step's context, and counters. */
typedef struct gnc_dispatcher {
    gnc_adcs adcs;
    gnc_mekf mekf;
    gnc_relnav relnav;
    unsigned int requests;     /* requests answered */
    unsigned int failed;       /* of which with a nonzero status */
    unsigned int malformed;    /* packets rejected before dispatch (no response) */
} gnc_dispatcher;

/* Zero the contexts (steps report GNC_ERR_STATE until configured). */
int gnc_dispatch_init(gnc_dispatcher *ctx);

/* Decode the request packet req[0..req_len), run it, encode the response into
 * resp[0..resp_cap) and set *resp_len. Returns the call's status; a response
 * is written (resp_len > 0) for every request with a valid header, CRC and a
 * known APID, with that status in it. Malformed packets (GNC_ERR_PACKET),
 * unknown APIDs (GNC_ERR_UNKNOWN_REQUEST) and a too small resp_cap
 * (GNC_ERR_BUFFER) give *resp_len = 0. */
int gnc_dispatch(gnc_dispatcher *ctx, const uint8_t *req, size_t req_len, uint8_t *resp,
                 size_t resp_cap, size_t *resp_len);

#endif /* GNC_DISPATCH_H */
