"""A target orbit from a TLE (fsw.core.tle: sgp4 + IAU 1976 precession on
board) against the world's own conversion (hil.sim.frames: sgp4 + ERFA's
full TEME -> GCRF), and its refusals."""

from __future__ import annotations

import numpy as np
import pytest

from fsw.core import tle
from fsw.scenario import utc_to_tai
from hil.sim.frames import tle_state
from hil.sim.timescales import epoch_from_utc

ISS1 = "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991"
ISS2 = "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482"


def test_tle_state_against_erfa_teme_to_gcrf() -> None:
    utc = "2019-12-09T18:00:00Z"
    r_ref, v_ref = tle_state(ISS1, ISS2, epoch_from_utc(utc))
    r, v = tle.state(ISS1, ISS2, utc_to_tai(utc))
    # precession only on board: nutation (< 20 arcsec, ~0.65 km at this radius) neglected
    assert np.linalg.norm(np.subtract(r, r_ref)) < 800.0
    assert np.linalg.norm(np.subtract(v, v_ref)) < 1.0


def test_a_tle_sgp4_refuses() -> None:
    bad = ISS2[:26] + "9999999" + ISS2[33:]  # eccentricity 0.9999999: SGP4 error 4
    with pytest.raises(ValueError):
        tle.state(ISS1, bad, utc_to_tai("2019-12-09T18:00:00Z"))
