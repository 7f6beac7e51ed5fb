"""Physical and time constants, one home for all of Python (fsw, hil, tools).

The source is the C header ``native/include/gnc_constants.h`` (the cores
include it); this module mirrors it name for name (``GNC_MU_EARTH`` ->
``MU_EARTH``) and tests/test_constants.py checks that every value is the
same double. SI units.
"""

from __future__ import annotations

# Earth (EGM96 / WGS 84)
MU_EARTH = 3.986004418e14  #: gravitational parameter [m^3/s^2]
R_EARTH = 6378137.0  #: equatorial radius [m]
J2 = 1.08262668e-3  #: second zonal harmonic, unnormalised
OMEGA_EARTH = 7.2921150e-5  #: rotation rate [rad/s] (IERS)
G0 = 9.80665  #: standard gravity [m/s^2] (the Isp convention)

# Sun and Moon (JPL DE440)
MU_SUN = 1.3271244004127942e20  #: gravitational parameter [m^3/s^2]
MU_MOON = 4.902800118e12  #: gravitational parameter [m^3/s^2]
AU = 149597870700.0  #: astronomical unit [m] (IAU 2012)
C_LIGHT = 299792458.0  #: speed of light [m/s] (exact)

# Time
TT_TAI = 32.184  #: TT - TAI [s] (exact)
DAY_S = 86400.0  #: seconds per day
JULIAN_CENTURY_D = 36525.0  #: days per Julian century
JD_J2000 = 2451545.0  #: Julian date (TT) of J2000.0, 2000-01-01T12:00 TT
JD_TAI_EPOCH = 2436204.5  #: Julian date of 1958-01-01T00:00 (the CUC epoch)
J2000_TAI = 1325419167.816  #: J2000.0 in TAI seconds since 1958-01-01
