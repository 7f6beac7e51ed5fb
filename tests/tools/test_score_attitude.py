"""tools/mission/score_attitude.py against known answers: the knowledge error
against scipy's rotations, 3-sigma containment and NEES of errors drawn with a
known sigma (0.9973^3 and 3), tracker availability of a scripted coverage,
and the power model against its closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fsw_tools.mission.score_attitude import AttitudeScore, PowerModel, knowledge_error
from scipy.spatial.transform import Rotation


def _q(rot: Rotation) -> np.ndarray:
    x, y, z, w = rot.as_quat()
    return np.array([w, x, y, z])


def test_knowledge_error_is_the_body_rotation_from_estimate_to_truth() -> None:
    rng = np.random.default_rng(2)
    for _ in range(20):
        est = Rotation.random(random_state=rng)
        e = rng.normal(size=3) * 1e-3
        # C_true = (I - [e x]) C_est: the body turned by -e after the estimate
        true = Rotation.from_rotvec(-e) * est
        got = knowledge_error(_q(true), -_q(est))  # any sign of the quaternions
        np.testing.assert_allclose(got, e, rtol=1e-6, atol=1e-12)


def test_containment_nees_and_availability_of_known_errors() -> None:
    rng = np.random.default_rng(3)
    s = AttitudeScore()
    sig = np.array([2e-5, 5e-5, 1e-5])
    s.on_mode("PROX_OPS")
    for k in range(20000):
        t = float(k)
        est = Rotation.random(random_state=rng)
        e = rng.normal(size=3) * sig
        true = Rotation.from_rotvec(-e) * est
        if k % 4 != 3:  # a head valid three seconds in four
            s.on_tracker(t - 0.5, 1)
        s.on_truth(t, _q(true), (0.0, 0.0, 0.0))
        s.on_adcs(t, 1, _q(est), sig)
    f = s.figures()
    assert f["contain_3sigma"] == pytest.approx(0.9973 ** 3, abs=0.003)
    assert f["nees_mean"] == pytest.approx(3.0, rel=0.05)
    assert f["tracker_availability"] == pytest.approx(0.75, abs=0.001)
    # p95 of |e|: the norm of the three draws, computed independently
    draws = np.linalg.norm(np.random.default_rng(9).normal(size=(200000, 3)) * sig, axis=1)
    assert f["err_arcsec_p95"] == pytest.approx(
        np.percentile(draws, 95) * 180 / math.pi * 3600, rel=0.03)


def test_breakdown_by_heads_used_and_body_axis() -> None:
    """Errors drawn with a sigma per number of heads used (the mask's bit
    count) and per axis: the breakdown recovers each group's share, its p95
    (computed independently from the same draws) and the rms per axis."""
    rng = np.random.default_rng(5)
    s = AttitudeScore()
    s.on_mode("PROX_OPS")
    masks = [0, 2, 5, 7]  # 0, 1, 2 and 3 heads
    scale = {0: 1e-3, 1: 2e-4, 2: 1e-4, 3: 5e-5}
    axis = np.array([1.0, 2.0, 0.5])
    norms: dict[int, list[float]] = {k: [] for k in range(4)}
    errs = []
    est = Rotation.identity()
    for k in range(8000):
        t = float(k)
        m = masks[k % 4] if k % 8 else 5  # more two-head epochs
        n = bin(m).count("1")
        e = rng.normal(size=3) * axis * scale[n]
        s.on_truth(t, _q(Rotation.from_rotvec(-e) * est), (0.0, 0.0, 0.0))
        s.on_adcs(t, 1, _q(est), (1.0, 1.0, 1.0), heads_used=m)
        norms[n].append(float(np.linalg.norm(e)))
        errs.append(e)
    f = s.figures()
    arcsec = math.pi / 180 / 3600
    assert f["heads_fraction"] == pytest.approx([1 / 8, 2 / 8, 3 / 8, 2 / 8])
    for n in range(4):
        assert f["err_arcsec_p95_by_heads"][n] == pytest.approx(
            np.percentile(norms[n], 95) / arcsec, rel=1e-6)
    np.testing.assert_allclose(f["err_arcsec_rms_B"],
                               np.sqrt(np.mean(np.square(errs), axis=0)) / arcsec, rtol=1e-6)


def test_power_model_closed_form() -> None:
    pm = PowerModel(array_peak_w=300.0, load_w=90.0, battery_wh=250.0, soc0=0.5)
    t = np.arange(0.0, 3600.0 + 1, 1.0)
    sun = np.tile([0.0, 0.0, -1.0], (t.size, 1))  # on the array's normal
    r = pm.run(t, sun, np.zeros(t.size))
    assert r["energy_net_wh"] == pytest.approx(210.0, rel=1e-9)  # (300 - 90) W x 1 h
    assert r["power_positive"] and r["soc_min"] == 0.5  # charging from the start
    dark = pm.run(t, sun, np.ones(t.size))  # eclipse: the load alone
    assert dark["energy_net_wh"] == pytest.approx(-90.0)
    assert dark["soc_min"] == pytest.approx(0.5 - 90.0 / 250.0) and not dark["power_positive"]


def test_power_is_judged_from_the_worlds_battery_with_the_model_beside_it() -> None:
    """With TRUTH_CHASER's battery_soc the figures are the world's (least,
    last, against the floor); the model's own minimum stays beside it; without
    it (0: no power model) the model's figures stand in."""
    def score(socs):
        s = AttitudeScore(PowerModel(soc0=1.0))
        for k, soc in enumerate(socs):
            s.on_truth(float(k), (1.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 0, soc)
            s.on_sun(float(k), (0.0, 0.0, -1.0))  # sun on the array: the model stays full
        return s.figures()["power"]

    pw = score([0.9, 0.45, 0.29, 0.6])
    assert (pw["soc_min"], pw["soc_end"], pw["power_positive"]) == (0.29, 0.6, False)
    assert pw["model_soc_min"] == 1.0
    assert score([0.9, 0.31, 0.8])["power_positive"]
    empty = score([0.9, 0.2, 0.0, 0.0])  # emptied: the zeros count once it had charge
    assert (empty["soc_min"], empty["soc_end"], empty["power_positive"]) == (0.0, 0.0, False)
    none = score([0.0, 0.0, 0.0])
    assert none["soc_end"] is None and none["soc_min"] == 1.0 and none["power_positive"]


def test_the_camera_keep_out_over_the_whole_run() -> None:
    """The sun sweeping through the boresight (+z) at 0.1 deg/s in a plane
    12 deg off it, one TRUTH_ADCS epoch a second, eclipsed for a stretch: the
    time inside a 30 deg keep-out is the sunlit part of the chord (spherical
    trigonometry by hand: cos(half-arc) = cos 30 / cos 12), and the closest
    approach 12 deg; epochs in eclipse count for neither."""
    s = AttitudeScore(boresight_B=(0.0, 0.0, 2.0), keepout_deg=30.0)
    s.on_mode("PROX_OPS")
    tilt, rate = math.radians(12.0), math.radians(0.1)
    for k in range(-1200, 1201):
        a = rate * k  # along the sweep from its closest point
        eclipse = 1 if 100 <= k < 200 else 0
        s.on_truth(float(k), (1.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0), eclipse)
        s.on_sun(float(k), (math.sin(a) * math.cos(tilt), math.sin(tilt),
                            math.cos(a) * math.cos(tilt)))
    f = s.figures()
    half = math.degrees(math.acos(math.cos(math.radians(30.0)) / math.cos(tilt)))
    want = 2 * half / 0.1 - 100.0  # seconds, less the eclipsed ones
    assert f["keepout_s"] == pytest.approx(want, abs=2.0)
    assert f["sun_boresight_min_deg"] == pytest.approx(12.0, abs=1e-9)
    # made without the scenario's keep-out: the time is unknown, not 0
    s0 = AttitudeScore()
    s0.on_truth(0.0, (1.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    s0.on_sun(0.0, (0.0, 0.0, 1.0))
    s0.on_sun(1.0, (0.0, 0.0, 1.0))
    f0 = s0.figures()
    assert f0["keepout_s"] is None and f0["sun_boresight_min_deg"] == 0.0
