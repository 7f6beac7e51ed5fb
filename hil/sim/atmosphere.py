"""The truth atmosphere: NRLMSIS 2.1 (``pymsis``) densities for the world's
drag, delivered to the simulation core as rounded density nodes.

Why nodes, and why rounded (the *same bits* rule of DESIGN.md): pymsis is
Fortran (NRLMSIS 2.1 in single precision: its densities are float32) calling
the platform's libm (expf, logf, powf and libmvec's vector expf, whose
variants glibc picks per CPU). Its last bits may differ between machines, and
everything that reaches a packet must be the same bits everywhere, so no
pymsis number enters the dynamics as it comes:

- every ``period`` seconds of world time (60 s by default, on the tick grid),
  the core names one point for each craft, ``period`` ahead on its orbit
  (``sim_atmos_point``: a two-body rotation in the orbit plane, the
  Earth-fixed frame and the WGS-84 geodetic coordinates, all computed in
  the core, so the inputs of pymsis are the same bits everywhere);
- pymsis gives the total mass density there at the radius minus and plus
  ``dr`` (5 km);
- each density is rounded to ``digits`` significant decimal digits (4 by
  default, a step of 0.01 % to 0.1 %: nothing next to NRLMSIS's own 10-15 %)
  by Python's correctly rounded decimal formatting, the same on every
  platform;
- the core turns the two rounded densities into ln rho and its radial slope
  and interpolates: log-linear in radius at each node, linear in time
  between the last two nodes (``sim_atmos_set_node``).

Measured: 20000 random points, and a 30-minute world with NRLMSIS drag, give
the same raw float32 densities and the same final states with FMA, AVX and
AVX2 hidden from glibc (GLIBC_TUNABLES, tests/sim/test_sim_atmosphere_bits.py):
on one glibc the CPU does not change pymsis's bits at all.

Residual risk: another libm (another glibc version or C library) computing a
density one float32 unit in the last place (~1e-7 relative) away. That
changes the rounded value only when the density lies within 1e-7 of a
4-digit boundary: about 1e-7 / 1e-3.5 = 3e-4 per differing value. A 14-hour
mission evaluates about 3400 values (840 nodes, two craft, two radii); if
a tenth of them differed by an ulp on some machine, about one run in ten
would round one value differently there. The density it changes differs by
at most 0.1 %, which moves the orbit by millimetres; the stream's hash would
still differ, and tests/mission/test_cpu_paths.py would show it as a world
packet differing first. Fewer digits shrink the risk tenfold per digit.

Space weather (F10.7, its 81-day mean, the daily Ap) comes from the scenario
and is held for the whole run (pymsis never downloads anything here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from fsw.errors import UserError

__all__ = ["DEFAULT_DR", "SpaceWeather", "density", "round_sig"]

#: radial half-spacing of the two densities of a node [m]
DEFAULT_DR = 5000.0


@dataclass(frozen=True)
class SpaceWeather:
    """The space-weather inputs of NRLMSIS, held for a run."""

    f107: float = 150.0   #: sfu, daily 10.7 cm solar flux (previous day)
    f107a: float = 150.0  #: sfu, 81-day centred mean
    ap: float = 15.0      #: daily geomagnetic Ap index

    def check(self) -> None:
        """UserError unless the values are in NRLMSIS's range of use."""
        if not (50.0 <= self.f107 <= 400.0 and 50.0 <= self.f107a <= 400.0):
            raise UserError(f"space weather: F10.7 {self.f107:g} and F10.7a {self.f107a:g} sfu "
                            "must be in [50, 400]")
        if not 0.0 <= self.ap <= 400.0:
            raise UserError(f"space weather: Ap {self.ap:g} must be in [0, 400]")


def round_sig(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` significant decimal digits (Python's decimal
    formatting is correctly rounded: the same result on every platform)."""
    return float(f"{x:.{digits - 1}e}")


def density(when: datetime, lat_deg: float, lon_deg: float, alts_m: list[float],
            weather: SpaceWeather, digits: int, version: float = 2.1) -> list[float]:
    """NRLMSIS total mass density [kg/m^3] at one place and several geodetic
    heights [m], each rounded to ``digits`` significant digits."""
    from pymsis import calculate  # deferred: the Fortran library loads on first use

    n = len(alts_m)
    date = np.datetime64(when.replace(tzinfo=None), "ms")
    out = calculate([date] * n, [lon_deg] * n, [lat_deg] * n, [a / 1e3 for a in alts_m],
                    f107s=[weather.f107] * n, f107as=[weather.f107a] * n,
                    aps=[[weather.ap] * 7] * n, version=version)
    rho = [float(x) for x in np.asarray(out).reshape(n, -1)[:, 0]]
    if not all(r > 0.0 for r in rho):
        raise UserError(f"NRLMSIS gave a non-positive density at lat {lat_deg:.2f} "
                        f"lon {lon_deg:.2f} heights {alts_m}")
    return [round_sig(r, digits) for r in rho]


def utc_at(epoch_utc: datetime, t: float) -> datetime:
    """The UTC time ``t`` seconds after the epoch, to the millisecond (integer
    arithmetic: no rounding differences between platforms)."""
    return epoch_utc + timedelta(milliseconds=round(t * 1000.0))
