"""Physical constants of the world model (values and sources in one place)."""

import math

#: Earth's gravitational parameter [m^3/s^2] (EGM96 / WGS-84)
MU_EARTH = 3.986004418e14
#: equatorial radius [m] (WGS-84)
R_EARTH = 6378137.0
#: second zonal harmonic (EGM96, unnormalised)
J2 = 1.08262668e-3
#: Earth rotation rate [rad/s]
OMEGA_EARTH = 7.2921150e-5
#: standard gravity [m/s^2] (the Isp convention)
G0 = 9.80665
#: astronomical unit [m]
AU = 149597870700.0

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
