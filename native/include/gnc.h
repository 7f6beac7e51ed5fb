/*
 * gnc.h - public interface of the guidance core.
 *
 * Portable C99, double precision, no allocation, no global mutable state, no I/O.
 * Every function returns a gnc_status; results go to caller-owned outputs.
 *
 * Conventions (DESIGN.md): SI units; quaternions scalar first [w, x, y, z],
 * Hamilton product; q_BN rotates inertial coordinates into body coordinates,
 * v_B = R(q_BN) v_N; matrices are row-major double[9].
 *
 * This header (with the headers it includes in quotes) is also the cffi cdef:
 * native/build_core.py strips the preprocessor lines and feeds the rest to
 * cffi, so keep declarations free of macros.
 */
#ifndef GNC_H
#define GNC_H

#include <stddef.h>
#include <stdint.h>

#include "gnc_status.h"
#include "gnc_quat.h"
#include "gnc_attitude.h"
#include "gnc_adcs_sensors.h"
#include "gnc_prop_sensors.h"
#include "gnc_orbit.h"
#include "gnc_relative.h"
#include "gnc_relnav.h"
#include "gnc_ephem.h"
#include "gnc_sgp4.h"
#include "gnc_phasing.h"
#include "gnc_safety.h"
#include "gnc_nav.h"
#include "gnc_prop.h"
#include "gnc_crc16.h"
#include "gnc_dispatch.h"
#include "gnc_elementary.h"

#endif /* GNC_H */
