"""The launch notice's TLE (issue #15, build 2): the ground station makes a
TLE of epoch the notice whose SGP4 prediction at the insertion is the
catalogue's state there (:func:`fsw.core.tle.from_state`; the true target
displaced by the drawn error, :mod:`fsw_tools.mission.catalogue`). The
flight software's reading at the insertion (the core's SGP4,
:func:`fsw.core.tle.state`, as the navigation reads it at its first fix)
lands on that state within the TLE text's digits, not the catalogue's
kilometres, and that difference does not drift as the on-board ephemeris
carries it; the state-form notice lands on it exactly. Checked against the
``sgp4`` package's reading of the same lines too."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from fsw_tools.mission.catalogue import catalogue_state
from fsw_tools.mission.ground import NOTICE_SATNUM, GroundStation

from fsw import scenario
from fsw.core import tle
from fsw.core.ephem import Ephemeris, hill_from_inertial
from fsw.core.orbit import MU_EARTH
from fsw.errors import UserError
from fsw.packets.auth import KeyRing
from fsw.tasks.navigation import ephem_config


def _target(sc: scenario.Scenario) -> tuple[np.ndarray, np.ndarray]:
    """A circular orbit of the scenario's altitude and inclination at insertion."""
    t = sc.target
    a = 6378137.0 + 1e3 * t.altitude_km
    i, node, u = math.radians(t.inc_deg), math.radians(t.raan_deg), 0.7
    p = np.array([math.cos(u), math.sin(u), 0.0])
    q = np.array([-math.sin(u), math.cos(u), 0.0])
    Rx = np.array([[1, 0, 0], [0, math.cos(i), -math.sin(i)], [0, math.sin(i), math.cos(i)]])
    Rz = np.array([[math.cos(node), -math.sin(node), 0], [math.sin(node), math.cos(node), 0],
                   [0, 0, 1]])
    R = Rz @ Rx
    return a * (R @ p), math.sqrt(MU_EARTH / a) * (R @ q)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tle_notice_lands_on_the_catalogue_state_at_insertion(seed: int) -> None:
    sc = scenario.load_builtin("victus_haze")
    sc = dataclasses.replace(sc, mission=dataclasses.replace(sc.mission, seed=seed))
    assert sc.target.notice_form == "tle"  # the default mission's notice
    insertion = sc.launch_tai + sc.insertion.ascent_s
    rt, vt = _target(sc)
    ground = GroundStation(sc, KeyRing.generate(), (rt, vt), insertion)
    f = ground.notice_fields()
    assert f["form"] == 0 and f["epoch_tai"] == sc.notice_tai
    assert f["tle1"][2:7] == f"{NOTICE_SATNUM:05d}"
    assert tle.parse(f["tle1"], f["tle2"]).epoch_tai() == pytest.approx(sc.notice_tai, abs=1e-3)
    # what the catalogue says at insertion (the truth displaced by the error)
    rc, vc, err = catalogue_state(rt, vt, seed, sc.target.catalogue_sigma_rtn_m,
                                  sc.target.catalogue_drift_sigma_mps, MU_EARTH)
    assert np.linalg.norm(err[:3]) > 100.0  # an error was drawn
    # the flight software's reading at the insertion, and 5 h on by its own
    # ephemeris against the catalogue's state carried the same way
    r0, v0 = tle.state(f["tle1"], f["tle2"], insertion)
    d = hill_from_inertial(rc, vc, r0, v0)
    # the TLE's digits (1e-4 deg, 1e-7 in e): metres, against 2 km along-track
    assert np.linalg.norm(d[:3]) < 25.0 and np.linalg.norm(d[3:]) < 0.03, d
    eph, cat = Ephemeris(ephem_config(sc)), Ephemeris(ephem_config(sc))
    eph.set(r0, v0, insertion)
    cat.set(rc, vc, insertion)
    later = insertion + 5 * 3600.0
    assert np.linalg.norm(eph.state(later)[0] - cat.state(later)[0]) < 25.0
    # the state-form notice: the catalogue's state itself
    sv = dataclasses.replace(sc, target=dataclasses.replace(sc.target, notice_form="state"))
    g = GroundStation(sv, KeyRing.generate(), (rt, vt), insertion).notice_fields()
    assert g["form"] == 1
    eph = Ephemeris(ephem_config(sc))
    eph.set(g["r_N"], g["v_N"], sc.notice_tai)
    r2, _ = eph.state(insertion)
    # (17.7 h back and forth by fixed-step RK4: decimetres)
    assert np.linalg.norm(np.subtract(r2, rc)) < 1.0
    # an independent SGP4 (the sgp4 package, TEME) reads the same lines to
    # the same state within a millimetre, once in the same frame
    from sgp4.api import Satrec

    sat = Satrec.twoline2rv(f["tle1"], f["tle2"])
    days = (insertion - 37.0) / 86400.0
    e, rp, vp = sat.sgp4(2436204.5 + math.floor(days), days - math.floor(days))
    assert e == 0
    P = np.array(tle.precession(insertion))
    assert np.linalg.norm(P.T @ (1e3 * np.array(rp)) - np.array(r0)) < 1e-3
    assert np.linalg.norm(P.T @ (1e3 * np.array(vp)) - np.array(v0)) < 1e-6


def test_a_bad_notice_form_is_refused() -> None:
    with pytest.raises(UserError, match=r"target\.notice_form"):
        scenario.from_dict({"target": {"notice_form": "omm"}})
