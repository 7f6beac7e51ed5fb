"""The mission monitor's batch scoring (issue #18) against the per-sample
forms it replaced, on synthetic sequences:

- the navigation score keeps each pair's inputs and scores them at once
  (:func:`fsw_tools.mission.score_nav.score_pairs`, the Hill frame of every
  estimate in one numpy pass): the same bits as the per-sample form -- the
  guidance core's ``hill_basis`` through :func:`in_estimate_frame` and plain
  float arithmetic, epoch by epoch;
- the attitude score's pairs, scored in :meth:`AttitudeScore.arrays`: the
  knowledge error against scipy's rotations of the same pairs;
- the monitor's field readers give the values ``parse`` gives;
- the monitor skips the pointing error far outside the track range and
  still finds the first good track.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from fsw_tools.mission import monitor as mon
from fsw_tools.mission.score_attitude import AttitudeScore
from fsw_tools.mission.score_nav import NavScore, hill_basis_n, in_estimate_frame
from scipy.spatial.transform import Rotation

from fsw.core.ephem import hill_basis
from fsw.core.errors import GncDomainError
from fsw.packets import DICTIONARY
from fsw.scenario import load_builtin


def _orbit(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    r = rng.normal(size=3)
    r *= rng.uniform(6.7e6, 4.3e7) / np.linalg.norm(r)
    v = np.cross(rng.normal(size=3), r)
    v *= rng.uniform(3.0e3, 7.8e3) / np.linalg.norm(v)
    return r, v


def _nav_reference(t: float, rec: tuple, tr: tuple) -> tuple[tuple, tuple, float, float]:
    """One epoch as the monitor scored it before the batch: the error, the
    sigmas, |rho| and the carried truth range (floats, the core's frame)."""
    rho, cov, target = rec[2], rec[3], rec[5]
    dt = t - tr[0]
    r_H, v_H = tr[1], tr[2]
    if target is not None and tr[4] is not None:
        r_t, v_t = target
        r_t = tuple(r - v * dt for r, v in zip(r_t, v_t, strict=True))
        r_H, v_H = in_estimate_frame(r_t, v_t, tr[4][0], tr[4][1])
    r_H = tuple(r + v * dt for r, v in zip(r_H, v_H, strict=True))
    e = (rho[0] - r_H[0], rho[1] - r_H[1], rho[2] - r_H[2])
    sig = tuple(math.sqrt(max(cov[k], 0.0)) for k in (0, 3, 5))
    return (e, sig, math.sqrt(rho[0] * rho[0] + rho[1] * rho[1] + rho[2] * rho[2]),
            math.sqrt(r_H[0] * r_H[0] + r_H[1] * r_H[1] + r_H[2] * r_H[2]))


def test_nav_batch_scores_bit_for_bit_as_the_per_sample_form() -> None:
    rng = np.random.default_rng(18)
    s = NavScore()
    want = []
    for k in range(600):
        t = 1000.0 + k
        r_t, v_t = _orbit(rng)
        dr = rng.normal(size=3) * rng.choice([1e2, 1e4, 1e6])
        dv = rng.normal(size=3) * 0.5
        r_H = tuple(map(float, rng.normal(size=3) * 1e3))
        v_H = tuple(map(float, rng.normal(size=3)))
        rho = tuple(a + b for a, b in zip(r_H, rng.normal(size=3), strict=True))
        cov = tuple(map(float, rng.normal(size=6)))  # negative variances too
        # the estimate's frame known in 2 epochs of 3; the truth on the tick
        # or a tenth of a second before the estimate; either arrives first
        target = None if k % 3 == 0 else (tuple(map(float, r_t)), tuple(map(float, v_t)))
        rel = None if k % 5 == 0 else (tuple(map(float, dr)), tuple(map(float, dv)))
        tt = t - (0.1000061 if k % 2 else 0.0)
        rec = (1, 2, rho, cov, 3.0, target)
        tr = (tt, r_H, v_H, float(np.linalg.norm(r_H)), rel)
        want.append(_nav_reference(t, rec, tr))
        if k % 4 == 0:
            s.on_nav(t, 1, 2, rho, cov, 3.0, target)
            s.on_truth(tt, r_H, v_H, tr[3], rel)
        else:
            s.on_truth(tt, r_H, v_H, tr[3], rel)
            s.on_nav(t, 1, 2, rho, cov, 3.0, target)
    a = s.arrays()
    assert len(a["t"]) == 600
    assert np.array_equal(a["err"], np.array([w[0] for w in want]))
    assert np.array_equal(a["sigma"], np.array([w[1] for w in want]))
    assert np.array_equal(a["rho_norm"], np.array([w[2] for w in want]))
    assert np.array_equal(a["range_true"], np.array([w[3] for w in want]))


def test_hill_basis_n_is_the_cores_and_refuses_what_it_refuses() -> None:
    rng = np.random.default_rng(7)
    rv = [_orbit(rng) for _ in range(300)]
    r, v = np.array([x[0] for x in rv]), np.array([x[1] for x in rv])
    C, w = hill_basis_n(r, v)
    for k in range(len(rv)):
        Ck, wk = hill_basis(r[k], v[k])
        assert np.array_equal(C[k], Ck) and np.array_equal(w[k], wk)
    v[5] = r[5] * 1e-3  # rectilinear: no orbit plane
    with pytest.raises(GncDomainError):
        hill_basis_n(r, v)


def _q(rot: Rotation) -> tuple[float, ...]:
    x, y, z, w = rot.as_quat()
    return (float(w), float(x), float(y), float(z))


def test_attitude_pairs_scored_in_batch_match_scipy() -> None:
    """Estimates and truth a tenth of a second apart (either first), the body
    turning: the error of each pair is the rotation from the estimate to the
    truth carried to the estimate's time, and each pair keeps its mode,
    validity, sigmas and heads."""
    rng = np.random.default_rng(11)
    s = AttitudeScore()
    want = []
    for k in range(400):
        t = 50.0 + k
        w = rng.normal(size=3) * 0.01
        true_t = Rotation.random(random_state=rng)        # at the truth's time
        dt = 0.1 if k % 2 else -0.1                        # estimate - truth time
        # q_BN after dt at body rate w: exp(-w dt / 2) (x) q
        true_e = Rotation.from_rotvec(-w * dt) * true_t
        e = rng.normal(size=3) * 1e-4
        est = Rotation.from_rotvec(e) * true_e  # true = rotvec(-e) * est: error e
        sig = tuple(map(float, rng.uniform(1e-5, 1e-4, size=3)))
        s.on_mode("PROX_OPS" if k >= 200 else "RENDEZVOUS")
        args_t = (t - dt, _q(true_t), tuple(map(float, w)))
        args_e = (t, int(k % 7 != 0), _q(est), sig, 0, k % 8)
        if k % 3:
            s.on_truth(*args_t)
            s.on_adcs(*args_e)
        else:
            s.on_adcs(*args_e)
            s.on_truth(*args_t)
        want.append((t, k >= 200, k % 7 != 0, e, sig, bin(k % 8).count("1")))
    a = s.arrays()
    assert len(a["t"]) == 400
    order = np.argsort(a["t"], kind="stable")
    for j, (t, insp, valid, e, sig, heads) in zip(order, want, strict=True):
        assert a["t"][j] == t and a["inspection"][j] == insp and a["valid"][j] == valid
        assert np.array_equal(a["sigma"][j], sig) and a["heads"][j] == heads
        np.testing.assert_allclose(a["err"][j], e, rtol=1e-6, atol=1e-11)


def _fill(pdef: object, rng: np.random.Generator) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in pdef.fields:  # type: ignore[attr-defined]
        lay = pdef.layouts[f.name]  # type: ignore[attr-defined]
        if lay.kind == "array":
            out[f.name] = tuple(map(float, rng.normal(size=lay.count) * 1e3))
        elif lay.kind == "enum":
            out[f.name] = sorted(lay.enum.values())[-1]
        elif lay.fmt == "d":
            out[f.name] = float(rng.normal() * 1e3)
        elif lay.kind == "string":
            out[f.name] = "x"
        else:
            out[f.name] = int(rng.integers(0, 2))
    return out


@pytest.mark.parametrize(("reader", "name", "fields"), [
    (mon._CHASER, "TRUTH_CHASER", ("r_N", "v_N", "q_BN", "w_B", "mass", "propellant_mass",
                                   "eclipse", "battery_soc")),
    (mon._TARGET, "TRUTH_TARGET", ("r_N", "v_N")),
    (mon._RELATIVE, "TRUTH_RELATIVE", ("r_H", "v_H", "range")),
    (mon._ADCS, "ADCS_STATE", ("mode", "valid", "q_BN", "att_sigma_B", "heads_used",
                               "st_rejected")),
    (mon._SUN, "TRUTH_ADCS", ("sun_B",)),
    (mon._CLOCK, "TRUTH_CLOCK", ("offset",)),
    (mon._NAV, "NAV_STATE", ("valid", "source", "rho_H", "r_target_N", "v_target_N",
                             "cov_pos_H", "nis")),
])
def test_field_readers_give_what_parse_gives(reader: object, name: str,
                                             fields: tuple[str, ...]) -> None:
    pdef = DICTIONARY[name]
    rng = np.random.default_rng(len(name))
    raw = pdef.build(t_tai=2.15e9 + 0.37, seq=5, **_fill(pdef, rng))
    rec = pdef.parse(raw)
    v = reader.unpack_from(raw)  # type: ignore[attr-defined]
    assert v[0] + v[1] / 65536.0 == rec.t_tai
    flat: list[object] = []
    for f in fields:
        x = getattr(rec, f)
        flat.extend(x if isinstance(x, tuple) else (x,))
    assert list(v[2:]) == flat


def test_mode_octet_is_the_mode() -> None:
    pdef = DICTIONARY["MODE_STATUS"]
    raw = pdef.build(t_tai=1.0, mode=5, activity=3, leg="x", transitions=9)
    assert raw[mon._MODE_AT] == pdef.parse(raw).mode == 5


def test_first_track_found_with_far_samples_skipped() -> None:
    """Far from the target the pointing error is not computed (the range
    alone rules out a first track); inside the track range, on target, the
    first good track is the sample's time; outside the inspection nothing is
    scored as pointing."""
    sc = load_builtin("short_inspection")
    m = mon.Monitor(sc)
    ctx = SimpleNamespace(t=0.0, subscribe=lambda apid, handler: None)
    m.init(ctx)
    chaser, target = DICTIONARY["TRUTH_CHASER"], DICTIONARY["TRUTH_TARGET"]
    r_t = np.array([7.0e6, 0.0, 0.0])
    limit = sc.plan.track_range_m
    # the camera's boresight (+z body) along +x inertial
    q = _q(Rotation.from_euler("y", -90, degrees=True))
    for k, rng_m in enumerate((50 * limit, limit * (1 + 2e-9), 0.5 * limit, 0.4 * limit)):
        t = 100.0 + k
        ctx.t = t
        r_c = r_t - np.array([rng_m, 0.0, 0.0])  # target along +x from the chaser
        m.on_truth_chaser(chaser.build(
            t_tai=t, r_N=tuple(r_c), v_N=(0.0, 7.5e3, 0.0), q_BN=q, w_B=(0.0, 0.0, 0.0),
            wheel_speed=(0.0,) * 4, mass=100.0, propellant_mass=10.0, tank_pressure=1e6,
            eclipse=0, battery_soc=0.8, array_power=0.0))
        m.on_truth_target(target.build(t_tai=t, r_N=tuple(r_t), v_N=(0.0, 7.5e3, 0.0)))
        if k < 2:
            assert m.score.first_track_t is None
    assert m.score.first_track_t == 102.0
    assert m.score.pointing_deg == [] and m.score.not_tracking == 0
