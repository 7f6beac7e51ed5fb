/*
 * gnc_quat.h - quaternion algebra.
 *
 * q = [w, x, y, z], Hamilton product. R(q) is the rotation matrix with
 * R(q) v = q (x) [0, v] (x) conj(q). For an attitude q_BN, v_B = R(q_BN) v_N and
 * attitudes compose as q_CN = q_CB (x) q_BN.
 */
#ifndef GNC_QUAT_H
#define GNC_QUAT_H

/* out = a (x) b (Hamilton). out may alias a or b. */
int gnc_quat_mul(const double a[4], const double b[4], double out[4]);

/* out = conj(q) = [w, -x, -y, -z]. */
int gnc_quat_conj(const double q[4], double out[4]);

/* out = q / |q|; GNC_ERR_DOMAIN when |q| is below 1e-12 or not finite. */
int gnc_quat_normalize(const double q[4], double out[4]);

/* out = R(q) v for a unit quaternion q (q_BN maps inertial to body). */
int gnc_quat_rotate(const double q[4], const double v[3], double out[3]);

/* dcm = R(q), row-major, for a unit quaternion q. */
int gnc_quat_to_dcm(const double q[4], double dcm[9]);

/* q with R(q) = dcm (Shepperd's method), scalar part >= 0.
 * GNC_ERR_DOMAIN when dcm is not a rotation within 1e-6. */
int gnc_dcm_to_quat(const double dcm[9], double q[4]);

/* Error quaternion q_BR = q_BN (x) conj(q_RN): the rotation from the reference
 * attitude R to the body attitude B, scalar part >= 0 (shortest rotation). */
int gnc_quat_error(const double q_BN[4], const double q_RN[4], double q_BR[4]);

#endif /* GNC_QUAT_H */
