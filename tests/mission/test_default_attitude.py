"""Issue #17 acceptance 1 on the default mission (``fsw run --test-keys``:
victus_haze, seed 1), judged against the truth packets by
tools/mission/score_attitude.py, never by the flight software's own opinion:

- at least one star-tracker head valid >= 95 % of the inspection;
- attitude knowledge error <= 30 arcsec at p95 during the inspection;
- the MEKF's 3 sigma contains truth >= 99 % of the time;

and the mission still reaches DEPARTURE. Behind ``slow`` (a whole mission,
about a minute)."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_default_mission_attitude_acceptance() -> None:
    from fsw_tools.mission import fly, summary

    from fsw import scenario

    s = summary(fly(scenario.resolve("victus_haze")))
    att = s["attitude"]
    assert s["outcome"] == "DEPARTURE"
    assert att["inspection_epochs"] > 3000
    assert att["tracker_availability"] >= 0.95
    assert att["err_arcsec_p95"] <= 30.0
    assert att["contain_3sigma"] >= 0.99
