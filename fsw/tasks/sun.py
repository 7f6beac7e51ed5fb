"""On-board sun ephemeris: the low-precision formula of the Astronomical
Almanac (about 0.01°), mean equator and equinox of date, which is within
the precession since J2000 (< 0.4° by 2026) of GCRF: enough for sun-safe
pointing and the camera's sun keep-out."""

from __future__ import annotations

import math

import numpy as np

#: TAI seconds since 1958-01-01 of J2000.0 (2000-01-01T12:00:00 TT = 11:59:27.816 TAI)
J2000_TAI = 1325419167.816


def sun_direction(t_tai: float) -> np.ndarray:
    """Unit Earth-to-sun vector (inertial) at TAI seconds since 1958."""
    d = (t_tai + 32.184 - (J2000_TAI + 32.184)) / 86400.0
    g = math.radians((357.529 + 0.98560028 * d) % 360.0)
    q = (280.459 + 0.98564736 * d) % 360.0
    lam = math.radians(q + 1.915 * math.sin(g) + 0.020 * math.sin(2 * g))
    eps = math.radians(23.439 - 0.00000036 * d)
    return np.array(
        [math.cos(lam), math.cos(eps) * math.sin(lam), math.sin(eps) * math.sin(lam)]
    )
