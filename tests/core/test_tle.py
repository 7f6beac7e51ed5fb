"""A target orbit from a TLE (fsw.core.tle: the core's SGP4 + IAU 1976
precession) against the world's own conversion (hil.sim.frames: the sgp4
package + ERFA's full TEME -> GCRF), its refusals, the text's strict
reading and writing, the inverse (a TLE from a state) and the recorded
bits. The core's SGP4 against the sgp4 package: tests/core/test_sgp4.py."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from sgp4.api import Satrec

from fsw.core import orbit, tle
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
    bad = ISS2[:26] + "9999999" + ISS2[33:68]  # eccentricity 0.9999999: SGP4 error 4
    bad += str(tle.checksum(bad))
    with pytest.raises(ValueError, match="SGP4 error 4"):
        tle.state(ISS1, bad, utc_to_tai("2019-12-09T18:00:00Z"))


# ------------------------------------------------------------ the text

def test_parse_reads_every_field() -> None:
    el = tle.parse(ISS1, ISS2)
    assert el == tle.Elements(
        satnum=25544, epoch_jd=2458826.5, epoch_jd_frac=0.69339541, n_rev_day=15.50103472,
        ecc=0.0007417, incl_deg=51.6439, raan_deg=211.2001, argp_deg=17.6667,
        mean_anomaly_deg=85.6398, bstar=3.8792e-5, ndot=1.764e-5, nddot=0.0,
        classification="U", intl_desig="98067A", ephemeris_type=0, element_set=999,
        rev_number=20248)
    # the epoch as the sgp4 package splits it (jd whole day, fraction to 1e-8)
    sat = Satrec.twoline2rv(ISS1, ISS2)
    assert (el.epoch_jd, el.epoch_jd_frac) == (sat.jdsatepoch, sat.jdsatepochF)
    assert el.epoch_tai() == pytest.approx(utc_to_tai("2019-12-09T16:38:29.363424Z"), abs=1e-4)


def test_format_is_the_inverse_of_parse() -> None:
    l1, l2 = tle.format_lines(tle.parse(ISS1, ISS2))
    assert l2 == ISS2
    # line 1: the same but for the sign of a zero exponent (00000-0 is written 00000+0)
    assert l1[:44] == ISS1[:44] and l1[52:68] == ISS1[52:68]
    assert tle.parse(l1, l2) == tle.parse(ISS1, ISS2)
    neg = replace(tle.parse(ISS1, ISS2), bstar=-1.2345e-9, nddot=6.5e-6, ndot=-0.5)
    n1, _ = tle.format_lines(neg)
    assert n1[33:61] == "-.50000000  65000-5 -12345-8"
    back = tle.parse(n1, l2)
    assert (back.bstar, back.ndot, back.nddot) == (-1.2345e-9, -0.5, 6.5e-6)
    with pytest.raises(ValueError, match="no 8-column form"):
        tle.format_lines(replace(neg, nddot=6.5e-12))


def _with(line: str, col: int, text: str) -> str:
    """``line`` with ``text`` written from 1-based column ``col``, checksum redone."""
    body = line[:col - 1] + text + line[col - 1 + len(text):68]
    return body + str(tle.checksum(body))


@pytest.mark.parametrize(("line1", "line2", "match"), [
    (ISS1[:68] + "0", ISS2, "line 1 fails its checksum"),
    (ISS1, ISS2[:68] + "9", "line 2 fails its checksum"),
    (ISS1[:60], ISS2, "line 1 must be 69 characters"),
    (ISS1, ISS2 + " ", "line 2 must be 69 characters"),
    (_with(ISS1, 9, "X"), ISS2, "line 1 column 9 must be blank"),
    (_with(ISS1, 1, "2"), ISS2, r"line 1 column 1 \(line number\)"),
    (_with(ISS1, 3, "2554A"), ISS2, r"columns 3-7 \(satellite number\)"),
    (_with(ISS1, 8, "X"), ISS2, r"column 8 \(classification\)"),
    (_with(ISS1, 21, "343,6"), ISS2, r"columns 21-32 \(epoch day\)"),
    (_with(ISS1, 21, "367.0"), ISS2, "epoch day of 2019"),
    (_with(ISS1, 54, " 38792 4"), ISS2, r"columns 54-61 \(bstar\)"),
    (ISS1, _with(ISS2, 3, "25545"), "two satellites"),
    (ISS1, _with(ISS2, 9, "180.0001"), "inclination"),
    (ISS1, _with(ISS2, 9, " 51.64 9"), r"columns 9-16 \(inclination\)"),
    (ISS1, _with(ISS2, 27, "000741 "), r"columns 27-33 \(eccentricity\)"),
    (ISS1, _with(ISS2, 35, "360.0001"), "argument of perigee"),
    (ISS1, _with(ISS2, 53, " 0.00000000"), "mean motion"),
    (ISS1, _with(ISS2, 27, "000741\u0663"), r"columns 27-33 \(eccentricity\)"),  # a non-ASCII 3
])
def test_parse_refuses_a_broken_line(line1: str, line2: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        tle.parse(line1, line2)
    with pytest.raises(ValueError, match=match):
        tle.state(line1, line2, 1954605637.0)


# ------------------------------------------------------------ from_state

DELTA_ANGLE = 0.5e-4 * math.pi / 180.0  # rad: half the last digit of a TLE angle
DELTA_ECC = 0.5e-7                      # half the last digit of the eccentricity
MU_WGS72 = 398600.8e9


def _random_state(rng: np.random.Generator, e: float | None = None
                  ) -> tuple[np.ndarray, np.ndarray, float]:
    """A GCRF state of a LEO orbit: perigee 300-1500 km, e 0-0.01, any
    inclination (up to 179 deg), node and anomaly. Returns r, v, a."""
    ecc = rng.uniform(0.0, 0.01) if e is None else e
    a = (6378.137e3 + rng.uniform(300e3, 1500e3)) / (1.0 - ecc)
    coe = [a, ecc, rng.uniform(0.0, math.radians(179.0)), rng.uniform(0, 2 * math.pi),
           rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)]
    r, v = orbit.rv_from_coe(coe)
    return r, v, a


def test_fitted_elements_reproduce_the_state_to_1_mm() -> None:
    """The fit itself, before the text rounds it: 150 random states (every
    tenth circular), the epoch exactly t_tai. Measured: at most 1.3e-7 m
    and 1e-10 m/s."""
    rng = np.random.default_rng(151)
    worst_r = worst_v = 0.0
    for k in range(150):
        r, v, _ = _random_state(rng, 0.0 if k % 10 == 0 else None)
        t = 1.9e9 + rng.uniform(0.0, 3e8)
        el = tle._fit(r, v, t, tle._epoch(t, 37.0, rounded=False))
        assert el.ecc >= 0.0 and el.bstar == 0.0
        rr, vv = tle._gcrf(tle._model(el), t, 37.0)
        worst_r = max(worst_r, float(np.linalg.norm(np.subtract(rr, r))))
        worst_v = max(worst_v, float(np.linalg.norm(np.subtract(vv, v))))
    assert worst_r < 1e-3
    assert worst_v < 1e-6


def test_from_state_tle_within_the_rounding_bound_and_valid_for_the_package() -> None:
    """300 random states (every tenth circular) -> TLE -> state(): within
    the bound of the text's digits (fsw/core/tle.py docstring):
    |dr| <= 3.6 a d_angle + 2.3 a d_ecc, |dv| likewise with |v|; measured
    at most 2.7 a d_angle (17 m; 16 mm/s), median 5 m (5 mm/s). The sgp4
    package reads the same lines to the same state (1 mm)."""
    rng = np.random.default_rng(300)
    errs = []
    for k in range(300):
        r, v, a = _random_state(rng, 0.0 if k % 10 == 0 else None)
        t = 1.9e9 + rng.uniform(0.0, 3e8)
        l1, l2 = tle.from_state(r, v, t, satnum=k + 1)
        assert len(l1) == len(l2) == 69 and l2[2:7] == f"{k + 1:05d}"
        el = tle.parse(l1, l2)
        assert el.bstar == el.ndot == el.nddot == 0.0
        assert abs(el.epoch_tai() - t) <= 0.5e-8 * 86400.0 + 1e-6
        rr, vv = tle.state(l1, l2, t)
        dr = float(np.linalg.norm(np.subtract(rr, r)))
        dv = float(np.linalg.norm(np.subtract(vv, v)))
        vn = float(np.linalg.norm(v))
        assert dr <= 3.6 * a * DELTA_ANGLE + 2.3 * a * DELTA_ECC, (k, dr)
        assert dv <= 3.6 * vn * DELTA_ANGLE + 2.3 * vn * DELTA_ECC, (k, dv)
        errs.append(dr)
        # the package on the same text (the conversion tle.py had)
        sat = Satrec.twoline2rv(l1, l2)
        days = (t - 37.0) / 86400.0
        code, rp, vp = sat.sgp4(2436204.5 + math.floor(days), days - math.floor(days))
        assert code == 0
        P = np.array(tle.precession(t))
        assert np.max(np.abs(1e3 * (P.T @ rp) - rr)) < 1e-3
        assert np.max(np.abs(1e3 * (P.T @ vp) - vv)) < 1e-6
    assert 2.0 < float(np.median(errs)) < 12.0  # a few metres, as the docstring says


def test_from_state_gives_back_a_tle_at_its_epoch() -> None:
    """A drag-free TLE's state at its epoch gives back its line 2 elements,
    digit for digit."""
    l1 = "1 28057U 03049A   06177.78615833  .00000000  00000+0  00000+0 0  1833"
    l2 = "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550"
    t = tle.parse(l1, l2).epoch_tai()
    f1, f2 = tle.from_state(*tle.state(l1, l2, t), t, satnum=28057)
    assert f2[:63] == l2[:63]
    assert f1[18:32] == l1[18:32]


def test_from_state_with_an_earlier_epoch_predicts_the_state() -> None:
    """A TLE of an epoch up to 3 days before the state: its SGP4 prediction
    is the state, within the same digits' bound (60 random states, epochs
    0.1-3 days earlier), checked by the sgp4 package at the state's time. An
    epoch beyond MAX_PREDICT_S is refused."""
    rng = np.random.default_rng(61)
    for k in range(60):
        r, v, a = _random_state(rng, 0.0 if k % 10 == 0 else None)
        t = 1.9e9 + rng.uniform(0.0, 3e8)
        t_ep = t - rng.uniform(0.1, 3.0) * 86400.0
        l1, l2 = tle.from_state(r, v, t, satnum=k + 1, epoch_tai=t_ep)
        assert abs(tle.parse(l1, l2).epoch_tai() - t_ep) <= 0.5e-8 * 86400.0 + 1e-6
        sat = Satrec.twoline2rv(l1, l2)
        days = (t - 37.0) / 86400.0
        code, rp, vp = sat.sgp4(2436204.5 + math.floor(days), days - math.floor(days))
        assert code == 0
        P = np.array(tle.precession(t))
        dr = float(np.linalg.norm(1e3 * (P.T @ rp) - r))
        dv = float(np.linalg.norm(1e3 * (P.T @ vp) - v))
        vn = float(np.linalg.norm(v))
        assert dr <= 3.6 * a * DELTA_ANGLE + 2.3 * a * DELTA_ECC, (k, dr)
        assert dv <= 3.6 * vn * DELTA_ANGLE + 2.3 * vn * DELTA_ECC, (k, dv)
    with pytest.raises(ValueError, match="days from the state"):
        tle.from_state(r, v, t, epoch_tai=t - tle.MAX_PREDICT_S - 1.0)


def test_from_state_equatorial_and_refusals() -> None:
    t = 2.0e9
    for inc in (0.0, 1e-9):  # GCRF-equatorial (0.12 deg in TEME of 2021), i = 0 exactly in TEME
        r, v = orbit.rv_from_coe([7.0e6, 0.0, inc, 0.3, 0.0, 1.0])
        rr, _ = tle.state(*tle.from_state(r, v, t), t)
        assert np.linalg.norm(np.subtract(rr, r)) < 30.0
    with pytest.raises(ValueError, match="not a bound orbit"):
        tle.from_state([7.0e6, 0.0, 0.0], [0.0, 12e3, 0.0], t)
    with pytest.raises(ValueError, match="deep-space"):
        tle.from_state([26.6e6, 0.0, 0.0], [0.0, 3.87e3, 0.5e3], t)


# ------------------------------------------------------------ the bits

#: state() recorded (float.hex of r_N, v_N) on x86-64, and again with
#: OPENBLAS_CORETYPE=Prescott NPY_DISABLE_CPU_FEATURES=AVX2,FMA3,AVX512F:
#: the same (no numpy and no libm on the path: the core's own functions)
RECORDED = [
    (ISS1, ISS2, 1954605637.0,
     ["-0x1.0fb7f7cf35491p+20", "-0x1.29dd49b443e95p+22", "0x1.1792bf014b597p+22",
      "0x1.b06e3d71b6e9dp+12", "0x1.412e3ecde48dfp+10", "0x1.7cf289b4746e6p+11"]),
    ("1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753",
     "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667", 1340909451.0,
     ["-0x1.dfce97a0c6c60p+19", "-0x1.7e6b0f2703431p+22", "-0x1.066d2af57f0d1p+22",
      "0x1.d6b38d310c0e2p+12", "-0x1.cbd0936bd2606p+8", "0x1.e3d11f305f353p+9"]),
    ("1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
     "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550", 1529928033.0,
     ["0x1.714111a62c466p+21", "0x1.764cfabb4a8fcp+22", "-0x1.01c8ccca24c5ep+21",
      "0x1.f0a719dd23f41p+5", "-0x1.3252fb6a27524p+11", "-0x1.b88a3af3af358p+12"]),
]


@pytest.mark.parametrize(("line1", "line2", "t", "bits"), RECORDED)
def test_state_bits_are_the_recorded_ones(line1: str, line2: str, t: float,
                                          bits: list[str]) -> None:
    r, v = tle.state(line1, line2, t)
    assert [x.hex() for x in (*r, *v)] == bits
