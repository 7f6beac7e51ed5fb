"""Constants of the world model: the physical ones are the project's
(:mod:`fsw.constants`, mirror of native/include/gnc_constants.h), the field
and atmosphere models' own are here (values and sources)."""

import math

from fsw.constants import AU, G0, J2, MU_EARTH, OMEGA_EARTH, R_EARTH

__all__ = ["AU", "DIPOLE_B0", "DIPOLE_ECEF", "G0", "IGRF_G10_NT", "IGRF_G11_NT", "IGRF_H11_NT",
           "J2", "MU_EARTH", "OMEGA_EARTH", "RHO_500KM", "R_EARTH", "SCALE_HEIGHT_500KM"]

#: IGRF-13 degree-1 coefficients at 2020.0 [nT]: g10, g11, h11 (tilted dipole)
IGRF_G10_NT = -29404.8
IGRF_G11_NT = -1450.9
IGRF_H11_NT = 4652.5
#: dipole field at the equator on the surface [T]
DIPOLE_B0 = math.sqrt(IGRF_G10_NT * IGRF_G10_NT + IGRF_G11_NT * IGRF_G11_NT
                      + IGRF_H11_NT * IGRF_H11_NT) * 1e-9
#: unit dipole moment direction, Earth-fixed (points to the southern hemisphere)
DIPOLE_ECEF = (
    IGRF_G11_NT * 1e-9 / DIPOLE_B0,
    IGRF_H11_NT * 1e-9 / DIPOLE_B0,
    IGRF_G10_NT * 1e-9 / DIPOLE_B0,
)

#: exponential atmosphere anchored at 500 km (Vallado, Table 8-4, 500-600 km band)
RHO_500KM = 6.967e-13
SCALE_HEIGHT_500KM = 63822.0
