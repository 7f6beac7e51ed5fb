"""The world's time scales (hil.sim.timescales) against ERFA: the sidereal
angle operation for operation (bit for bit on the same inputs), the
leap-second table day by day, and whole epochs within a nanosecond."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import erfa
import pytest

from fsw.errors import UserError
from hil.sim import timescales as ts


def test_era_and_gmst_equal_erfa_bit_for_bit() -> None:
    rng = random.Random(14)
    for _ in range(3000):
        day = 2400000.5 + rng.randrange(41317, 73000)  # 1972 .. 2058
        u1, u2 = day, rng.random()
        t1, t2 = day, u2 + rng.uniform(40, 80) / 86400.0
        if rng.random() < 0.3:  # other splits of the date
            u1, u2 = u2, u1
        assert ts.era00(u1, u2) == erfa.era00(u1, u2)
        assert ts.gmst06(u1, u2, t1, t2) == erfa.gmst06(u1, u2, t1, t2)


@pytest.mark.filterwarnings("ignore::erfa.ErfaWarning")
def test_leap_second_table_equals_erfa() -> None:
    d = date(1972, 1, 1)
    while d < date(2030, 1, 1):
        assert ts.tai_minus_utc(d) == erfa.dat(d.year, d.month, d.day, 0.0), d
        d += timedelta(days=7)
    for first, value in ts.LEAP_SECONDS:
        assert erfa.dat(first.year, first.month, first.day, 0.0) == value
        before = first - timedelta(days=1)
        if before.year >= 1972:
            assert ts.tai_minus_utc(before) == value - 1


@pytest.mark.parametrize("text", ["2026-06-01T00:00:00Z", "2026-06-01T16:52:30.125Z",
                                  "1999-12-31T23:59:59.999999Z", "2016-12-31T12:00:00Z",
                                  "2017-01-01T00:00:00Z", "1972-01-01T00:00:00Z",
                                  "2040-02-29T06:07:08.5+02:00"])
@pytest.mark.filterwarnings("ignore::erfa.ErfaWarning")
def test_epoch_agrees_with_erfa(text: str) -> None:
    """Same instant as ERFA's dtf2d -> utctai -> taitt -> gmst06. On a day
    that ends with a leap second ERFA counts UTC in days of 86401 s; the
    world keeps 86400 s days for UT1 (= UTC), so there the UTC fraction and
    the sidereal angle differ by up to 0.5 s of Earth rotation."""
    ep = ts.epoch_from_utc(text)
    t = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    u1, u2 = erfa.dtf2d("UTC", t.year, t.month, t.day, t.hour, t.minute,
                        t.second + t.microsecond * 1e-6)
    tai1, tai2 = erfa.utctai(u1, u2)
    tt1, tt2 = erfa.taitt(tai1, tai2)
    tai_s = ((tai1 - ts.JD_1958) + tai2) * 86400.0
    assert abs(ep.tai_s - tai_s) < 1e-6
    assert abs((ep.tt1 - tt1) + (ep.tt2 - tt2)) * 86400.0 < 1e-9
    leap_day = ts.tai_minus_utc(t.date() + timedelta(days=1)) != ts.tai_minus_utc(t.date())
    if leap_day:
        assert abs((ep.utc1 - u1) + (ep.utc2 - u2)) * 86400.0 < 0.5
        assert abs(ep.gmst - erfa.gmst06(u1, u2, tt1, tt2)) < 0.5 * 7.3e-5
    else:
        assert abs((ep.utc1 - u1) + (ep.utc2 - u2)) * 86400.0 < 1e-9
        assert abs(ep.gmst - erfa.gmst06(u1, u2, tt1, tt2)) < 1e-12
    # on-board time counts whole microseconds exactly, rounded once
    days = (t.date() - date(1958, 1, 1)).days
    micro = ((days * 86400 + t.hour * 3600 + t.minute * 60 + t.second
              + ts.tai_minus_utc(t.date())) * 1_000_000 + t.microsecond)
    assert ep.tai_s == micro / 1_000_000


def test_bad_epochs_are_user_errors() -> None:
    with pytest.raises(UserError, match="before 1972"):
        ts.epoch_from_utc("1969-07-20T20:17:40Z")
    with pytest.raises(UserError, match="ISO 8601"):
        ts.epoch_from_utc("yesterday")
