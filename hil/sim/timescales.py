"""The world's time scales, exact: UTC -> TAI -> TT and the Greenwich mean
sidereal angle that turns the Earth-fixed magnetic dipole, from integer
calendar arithmetic and IEEE double operations only (no ERFA, no libm), so
the world starts from the same bits on every machine.

- **TAI - UTC** from the leap-second table below (IERS Bulletin C; 37 s since
  2017-01-01, no leap second announced since). Epochs before 1972 (when UTC
  had rubber seconds) are refused.
- **TAI seconds since 1958-01-01** (on-board time, the CUC epoch): whole
  microseconds counted in integers, one rounding to double at the end.
- **TT** = TAI + 32.184 s, as a two-part Julian date (day number + fraction).
- **GMST** (IAU 2006, ERFA's ``gmst06`` and ``era00`` operation for operation:
  the Earth rotation angle plus the precession polynomial), UT1 taken equal to
  UTC (|DUT1| < 0.9 s, 4e-5 rad: far below the tilted dipole's accuracy).
  ``fmod`` is exact in IEEE arithmetic.

TLE epochs (two-part Julian dates from sgp4) still go through ERFA
(:func:`epoch_from_jd_utc`): TLE inputs stay on sgp4 + ERFA until the cores
carry SGP4; the default scenarios give the target as elements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime

from fsw.errors import UserError

#: Julian date of the CUC epoch 1958-01-01T00:00:00 TAI
JD_1958 = 2436204.5
#: Modified Julian date of 1958-01-01
MJD_1958 = 36204
_MJD_ZERO = date(1858, 11, 17)
_US_PER_DAY = 86_400_000_000
_TT_MINUS_TAI_US = 32_184_000

#: (first UTC day, TAI - UTC in s from that day on), IERS Bulletin C
LEAP_SECONDS: tuple[tuple[date, int], ...] = (
    (date(1972, 1, 1), 10), (date(1972, 7, 1), 11), (date(1973, 1, 1), 12),
    (date(1974, 1, 1), 13), (date(1975, 1, 1), 14), (date(1976, 1, 1), 15),
    (date(1977, 1, 1), 16), (date(1978, 1, 1), 17), (date(1979, 1, 1), 18),
    (date(1980, 1, 1), 19), (date(1981, 7, 1), 20), (date(1982, 7, 1), 21),
    (date(1983, 7, 1), 22), (date(1985, 7, 1), 23), (date(1988, 1, 1), 24),
    (date(1990, 1, 1), 25), (date(1991, 1, 1), 26), (date(1992, 7, 1), 27),
    (date(1993, 7, 1), 28), (date(1994, 7, 1), 29), (date(1996, 1, 1), 30),
    (date(1997, 7, 1), 31), (date(1999, 1, 1), 32), (date(2006, 1, 1), 33),
    (date(2009, 1, 1), 34), (date(2012, 7, 1), 35), (date(2015, 7, 1), 36),
    (date(2017, 1, 1), 37),
)

# ERFA's constants (erfam.h)
_D2PI = 6.283185307179586476925287
_DAS2R = 4.848136811095359935899141e-6
_DJ00 = 2451545.0
_DJC = 36525.0


@dataclass(frozen=True)
class Epoch:
    """One instant in the scales the world needs (two-part Julian dates)."""

    utc1: float
    utc2: float
    tt1: float
    tt2: float
    #: TAI seconds since 1958-01-01 (on-board time)
    tai_s: float
    #: Greenwich mean sidereal angle (IAU 2006, UT1 = UTC) [rad]
    gmst: float

    @property
    def jd_tt(self) -> float:
        """TT Julian date as one double (~20 µs resolution)."""
        return self.tt1 + self.tt2


def tai_minus_utc(day: date) -> int:
    """TAI - UTC [s] on a UTC day (1972 onwards); UserError before 1972."""
    if day < LEAP_SECONDS[0][0]:
        raise UserError(f"epoch {day.isoformat()} is before 1972: UTC had no fixed "
                        f"offset from TAI then")
    dat = LEAP_SECONDS[0][1]
    for first, value in LEAP_SECONDS:
        if day < first:
            break
        dat = value
    return dat


def _anp(a: float) -> float:
    """An angle in [0, 2 pi) (ERFA's anp)."""
    w = math.fmod(a, _D2PI)
    if w < 0:
        w += _D2PI
    return w


def era00(dj1: float, dj2: float) -> float:
    """Earth rotation angle [rad] at the UT1 Julian date dj1 + dj2 (ERFA's era00)."""
    d1, d2 = (dj1, dj2) if dj1 < dj2 else (dj2, dj1)
    t = d1 + (d2 - _DJ00)
    f = math.fmod(d1, 1.0) + math.fmod(d2, 1.0)
    return _anp(_D2PI * (f + 0.7790572732640 + 0.00273781191135448 * t))


def gmst06(uta: float, utb: float, tta: float, ttb: float) -> float:
    """Greenwich mean sidereal time [rad], IAU 2006 (ERFA's gmst06)."""
    t = ((tta - _DJ00) + ttb) / _DJC
    return _anp(era00(uta, utb) + (0.014506 + (4612.156534 + (1.3915817 + (-0.00000044 + (
        -0.000029956 + (-0.0000000368) * t) * t) * t) * t) * t) * _DAS2R)


def epoch_from_datetime(t: datetime) -> Epoch:
    """The epoch of a UTC datetime (naive: taken as UTC); see the module doc."""
    if t.tzinfo is not None:
        t = t.astimezone(UTC)
    day = t.date()
    mjd = (day - _MJD_ZERO).days
    dat_us = tai_minus_utc(day) * 1_000_000
    sod_us = ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond
    tai_s = ((mjd - MJD_1958) * _US_PER_DAY + sod_us + dat_us) / 1_000_000
    day1 = 2400000.5 + mjd  # exact: an integer and a half below 2^52
    utc2 = sod_us / _US_PER_DAY
    tt2 = (sod_us + dat_us + _TT_MINUS_TAI_US) / _US_PER_DAY
    return Epoch(day1, utc2, day1, tt2, tai_s, gmst06(day1, utc2, day1, tt2))


def epoch_from_utc(text: str) -> Epoch:
    """Parse an ISO 8601 UTC time (``2026-06-01T00:00:00Z``); UserError if bad."""
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError) as exc:
        raise UserError(f"epoch {text!r} is not an ISO 8601 UTC time") from exc
    return epoch_from_datetime(t)


def epoch_from_jd_utc(jd1: float, jd2: float) -> Epoch:
    """Epoch from a two-part UTC Julian date (a TLE's epoch) through ERFA: the
    TLE path stays on sgp4 + ERFA until the cores carry SGP4."""
    import erfa

    tai1, tai2 = erfa.utctai(jd1, jd2)
    tt1, tt2 = erfa.taitt(tai1, tai2)
    tai_s = ((tai1 - JD_1958) + tai2) * 86400.0
    gmst = float(erfa.gmst06(jd1, jd2, tt1, tt2))
    return Epoch(float(jd1), float(jd2), float(tt1), float(tt2), float(tai_s), gmst)
