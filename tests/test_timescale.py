"""fsw.timescale: TAI - UTC from ERFA's leap-second table, checked against
astropy (its own conversion) and the published offsets (IERS Bulletin C)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from fsw import scenario, timescale


@pytest.mark.parametrize(("when", "offset"), [
    ("1972-01-01T00:00:00", 10.0), ("1990-01-01T00:00:00", 25.0),
    ("2008-12-31T23:59:59", 33.0), ("2009-01-01T00:00:00", 34.0),
    ("2016-12-31T12:00:00", 36.0), ("2017-01-01T00:00:00", 37.0),
    ("2026-06-01T00:00:00", 37.0),
])
def test_tai_minus_utc_is_the_published_offset(when: str, offset: float) -> None:
    assert timescale.tai_minus_utc(datetime.fromisoformat(when)) == offset


def test_utc_to_tai_and_back_agree_with_astropy() -> None:
    from astropy.time import Time

    for iso in ("1995-03-04T05:06:07.25", "2016-12-31T23:59:59", "2026-06-01T00:00:00"):
        t_tai = scenario.utc_to_tai(iso + "Z")
        ref = Time(iso, scale="utc").tai
        assert t_tai == pytest.approx((ref.jd1 - 2436204.5) * 86400 + ref.jd2 * 86400, abs=1e-5)
        back = np.datetime64(int(timescale.tai_to_unix_ns(t_tai)[0]), "ns")
        assert abs(back - np.datetime64(iso)) < np.timedelta64(1, "us")  # a float's ulp


def test_scenario_epochs_outside_the_leap_second_era_are_refused() -> None:
    from fsw.errors import UserError

    with pytest.raises(UserError, match="outside 1972"):
        scenario.utc_to_tai("1960-01-01T00:00:00Z")
    with pytest.raises(ValueError, match="before 1972"):
        timescale.tai_minus_utc(datetime(1965, 1, 1, tzinfo=UTC))
