"""Time scales: TAI (on board: seconds since the CUC epoch 1958-01-01 TAI) and
UTC (scenario epochs, what people read), with TAI - UTC from the IAU SOFA
leap-second table as ERFA (pyerfa) carries it, never a hard-coded 37 s.

* :func:`tai_minus_utc` -- TAI - UTC in seconds at a UTC time (37 s since
  2017-01-01; 10 s in 1972);
* :func:`utc_to_tai` -- TAI seconds since 1958 of a UTC ``datetime``;
* :func:`tai_to_unix_ns` -- UTC as Unix nanoseconds (numpy ``datetime64``
  ready) of TAI seconds since 1958, vectorised;
* :func:`now_tai` -- the wall clock as TAI seconds since 1958.

Before 1972 UTC had no whole-second offset: :func:`tai_minus_utc` refuses
such a time, :func:`tai_to_unix_ns` applies no offset there.
"""

from __future__ import annotations

import time
import warnings
from datetime import UTC, datetime

import erfa
import numpy as np

__all__ = ["CUC_EPOCH", "TAI1958_TO_UNIX_S", "now_tai", "tai_minus_utc", "tai_ns_to_unix_ns",
           "tai_to_unix_ns", "utc_to_tai"]

#: the CUC epoch (CCSDS 301.0-B-4 level 1): 1958-01-01 TAI
CUC_EPOCH = datetime(1958, 1, 1, tzinfo=UTC)
#: seconds from 1958-01-01 to 1970-01-01 (the Unix epoch), no leap seconds
TAI1958_TO_UNIX_S = 378_691_200
_FIRST_LEAP = datetime(1972, 1, 1, tzinfo=UTC)


def _dat(y: int, m: int, d: int) -> float:
    with warnings.catch_warnings():
        # "dubious year": a date past the table's horizon keeps the last offset
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        return float(erfa.dat(y, m, d, 0.0))


def tai_minus_utc(t: datetime) -> float:
    """TAI - UTC [s] in force at the UTC time ``t`` (whole seconds since 1972)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    t = t.astimezone(UTC)
    if t < _FIRST_LEAP:
        raise ValueError(f"{t.isoformat()} is before 1972: UTC had no whole-second offset")
    return _dat(t.year, t.month, t.day)


def utc_to_tai(t: datetime) -> float:
    """TAI seconds since 1958-01-01 of the UTC time ``t`` (naive = UTC)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return (t - CUC_EPOCH).total_seconds() + tai_minus_utc(t)


def tai_to_unix_ns(t_tai: np.ndarray | float) -> np.ndarray:
    """UTC, as Unix nanoseconds (int64), of TAI seconds since 1958 (an array
    or a number). The offset is looked up once per distinct UTC day."""
    t = np.atleast_1d(np.asarray(t_tai, dtype=np.float64))
    return tai_ns_to_unix_ns(np.round(t * 1e9).astype(np.int64))


def tai_ns_to_unix_ns(tai_ns: np.ndarray) -> np.ndarray:
    """:func:`tai_to_unix_ns` of integer TAI nanoseconds since 1958 (exact)."""
    ns = np.atleast_1d(np.asarray(tai_ns, dtype=np.int64)) - TAI1958_TO_UNIX_S * 1_000_000_000
    if not len(ns):
        return ns
    # the offset of the UTC day: a first guess from the TAI day, then again
    # from the UTC day that guess gives (right up to the leap second itself)
    offset = _offsets_ns(ns)
    return ns - _offsets_ns(ns - offset)


def _offsets_ns(ns: np.ndarray) -> np.ndarray:
    """TAI - UTC [ns] in force on the day of each Unix-like time ``ns``,
    looked up once per distinct day (none before 1972)."""
    day = ns // 86_400_000_000_000
    days, inverse = np.unique(day, return_inverse=True)
    offsets = np.empty(len(days), dtype=np.int64)
    for i, d in enumerate(days.tolist()):
        date = np.datetime64(int(d), "D").astype(object)
        offsets[i] = round(_dat(date.year, date.month, date.day) * 1e9) if d >= 730 else 0
    return offsets[inverse.reshape(day.shape)]


def now_tai() -> float:
    """The wall clock as TAI seconds since 1958-01-01."""
    now = time.time()
    return now + TAI1958_TO_UNIX_S + tai_minus_utc(datetime.fromtimestamp(now, UTC))
