"""Propulsion arithmetic (native/src/gnc_prop.c): groups, partners and
selection against a brute force written here, the burn attitude's geometry,
firing arithmetic against hand values, the thruster-test response against
numpy.linalg.solve, translations without slewing against a split computed here
with scipy's rotation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from fsw.core import prop
from fsw.core.errors import GncDomainError, GncRangeError
from fsw.scenario import Scenario, load_builtin

RNG = np.random.default_rng(2718)
INERTIA = np.diag([10.0, 12.0, 15.0])


def _scenario_config() -> prop.PropConfig:
    sc = load_builtin()
    rcs = sc.chaser.rcs
    return prop.PropConfig(position_B=rcs.positions_b, direction_B=rcs.directions_b,
                        inertia=np.diag(sc.chaser.inertia_kgm2), isp=rcs.isp_s,
                        min_on=rcs.min_impulse_bit_ns / rcs.thrust_n)


def _random_config(k: int = 14) -> prop.PropConfig:
    axes = [np.array(a, float) for a in ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0),
                                          (0, 0, 1), (0, 0, -1), (0.6, 0.8, 0.0))]
    dirs = [axes[RNG.integers(len(axes))] for _ in range(k)]
    pos = RNG.uniform(-0.6, 0.6, (k, 3))
    return prop.PropConfig(position_B=pos, direction_B=dirs, inertia=INERTIA)


def _q(rot: Rotation) -> np.ndarray:
    x = rot.as_quat()
    return np.r_[x[3], x[:3]]


def test_partners_match_brute_force() -> None:
    for cfg in (_scenario_config(), _random_config(), _random_config(16)):
        pr = prop.Prop(cfg)
        pos, dirs = np.asarray(cfg.position_B, float), np.asarray(cfg.direction_B, float)
        torque = np.cross(pos, dirs)
        want = []
        for i in range(len(pos)):
            cands = [(np.linalg.norm(torque[i] + torque[j]), j) for j in range(len(pos))
                     if j != i and np.array_equal(dirs[i], dirs[j])]
            want.append(min(cands)[1] if cands else i)
        assert pr.partners() == tuple(want)
    # the scenario's diagonal pairs cancel exactly
    pr = prop.Prop(_scenario_config())
    assert pr.partners() == (3, 2, 1, 0, 7, 6, 5, 4, 9, 8, 11, 10, 13, 12, 15, 14)


def test_group_selection_matches_brute_force() -> None:
    for cfg in (_scenario_config(), _random_config(), _random_config(16)):
        pr = prop.Prop(cfg)
        dirs = np.asarray(cfg.direction_B, float)
        k = len(dirs)
        for _ in range(100):
            ok = int(RNG.integers(0, 1 << k))
            rot = Rotation.random(random_state=int(RNG.integers(1 << 30)))
            dv = RNG.normal(size=3) * 0.3
            dv_B = rot.apply(dv / np.linalg.norm(dv))
            best = None
            for i in range(k):  # groups in order of their first member
                if any(np.array_equal(dirs[i], dirs[j]) for j in range(i)):
                    continue
                members = [j for j in range(k) if np.array_equal(dirs[i], dirs[j])
                           and ok >> j & 1]
                if len(members) >= 2:  # the most members, then the nearest
                    c = dirs[i] @ dv_B
                    if best is None or len(members) > len(best[2]) or (
                            len(members) == len(best[2]) and c > best[0] + 1e-12):
                        best = (c, i, members)
            if best is None:
                with pytest.raises(GncDomainError):
                    pr.select(ok, _q(rot), dv)
                continue
            axis, mask, n = pr.select(ok, _q(rot), dv)
            assert np.allclose(axis, dirs[best[1]] / np.linalg.norm(dirs[best[1]]), atol=1e-15)
            assert mask == sum(1 << j for j in best[2]) and n == len(best[2])


def test_burn_attitude_points_the_axis_and_the_star_tracker() -> None:
    pr = prop.Prop(_scenario_config())
    for _ in range(50):
        dv = RNG.normal(size=3)
        normal = RNG.normal(size=3)
        normal /= np.linalg.norm(normal)
        axis = np.array([1.0, 0.0, 0.0])
        q = pr.burn_attitude(axis, dv, normal)
        R = Rotation.from_quat([q[1], q[2], q[3], q[0]])  # v_B = R(q_BN) v_N
        u = dv / np.linalg.norm(dv)
        assert np.allclose(R.inv().apply(axis), u, atol=1e-12)
        sec_N = R.inv().apply(np.asarray(pr.config.secondary_B, float))
        ref = normal if abs(normal @ u) <= 0.99 else np.cross(u, [0.0, 0.0, 1.0])
        # the secondary axis lies in the plane of the Delta-v and the reference,
        # on the reference's side
        assert abs(np.linalg.det(np.array([u, ref, sec_N]))) < 1e-12 * np.linalg.norm(ref)
        assert sec_N @ ref > 0.0
    # the normal unknown (zero): z_N x dv
    q = pr.burn_attitude([1.0, 0, 0], [0.0, 0.3, 0.0], [0.0, 0.0, 0.0])
    assert np.all(np.isfinite(q))


def test_firing_arithmetic_against_hand_values() -> None:
    cfg = _scenario_config()
    pr = prop.Prop(cfg)
    mass, F, dt = 300.0, 1.0, 0.1
    on, dv, dm = pr.fire(2, F, mass, 0.05, dt)
    assert on == dt  # 0.05 m/s takes 7.5 s at 2 N on 300 kg
    assert dv == pytest.approx(2 * F * dt / mass, rel=1e-15)
    assert dm == pytest.approx(2 * F * dt / (220.0 * 9.80665), rel=1e-15)
    on, dv, _ = pr.fire(2, F, mass, 2.0e-4, dt)  # the last, partial pulse
    assert on == pytest.approx(2.0e-4 * mass / 2.0, rel=1e-15) and on < dt
    assert dv == pytest.approx(2.0e-4, rel=1e-12)
    assert pr.fire(2, F, mass, 5.0e-5, dt) == (0.0, 0.0, 0.0)  # below 10 ms: done
    assert pr.duration(4, F, mass, 0.3) == pytest.approx(0.3 * mass / 4.0, rel=1e-15)
    assert prop.rate_residuals([0.03, 0.04, 0.0], [0.0, 0.04, 0.0]) == pytest.approx((0.05, 0.03))
    with pytest.raises(GncRangeError):
        pr.fire(0, F, mass, 0.1, dt)


def test_thruster_test_response_against_numpy_solve() -> None:
    cfg = _random_config(12)
    cfg.inertia = np.array([[10.0, 0.3, -0.2], [0.3, 12.0, 0.1], [-0.2, 0.1, 15.0]])
    pr = prop.Prop(cfg)
    pos, dirs = np.asarray(cfg.position_B, float), np.asarray(cfg.direction_B, float)
    for i, F, pulse in itertools.product(range(12), (0.8, 1.0), (0.05, 0.1)):
        d = dirs[i] / np.linalg.norm(dirs[i])
        e = np.linalg.solve(cfg.inertia, np.cross(pos[i], d) * F * pulse)
        exp, ratio = pr.test_response(i, F, pulse, 0.4 * e + 1e-9 * np.cross(e, [0, 0, 1]))
        assert np.allclose(exp, e, rtol=1e-13, atol=1e-18)
        assert ratio == pytest.approx(0.4, rel=1e-6)
        _, ratio0 = pr.test_response(i, F, pulse, np.zeros(3))
        assert ratio0 == 0.0
    with pytest.raises(GncRangeError):
        pr.test_response(12, 1.0, 0.1, np.zeros(3))
    assert math.isfinite(ratio)


def _translation_truth(cfg: prop.PropConfig, ok: int, rot: Rotation, rem_N: np.ndarray,
                       F: float, mass: float, dt: float, cut: bool = True) -> np.ndarray:
    """On-times of a translation computed here: each group (two or more usable
    members) along +/- a body axis fires for its component, all scaled so the
    longest fits dt, those below the minimum on-time dropped."""
    dirs = np.asarray(cfg.direction_B, float)
    rem_B = rot.apply(rem_N)
    t = np.zeros(16)
    for i in range(len(dirs)):
        members = [j for j in range(len(dirs)) if np.array_equal(dirs[i], dirs[j])
                   and ok >> j & 1]
        c = dirs[i] @ rem_B
        if ok >> i & 1 and len(members) >= 2 and c > 0:
            t[i] = c * mass / (len(members) * F)
    if t.max() > dt:
        t *= dt / t.max()
    if cut:
        t[t < cfg.min_on] = 0.0
    return t


def test_translation_splits_the_delta_v_over_the_axis_groups() -> None:
    cfg = _scenario_config()
    pr = prop.Prop(cfg)
    dirs = np.asarray(cfg.direction_B, float)
    pos = np.asarray(cfg.position_B, float)
    F, mass, dt = 1.0, 300.0, 0.1
    full = (1 << 16) - 1
    for _ in range(200):
        rot = Rotation.random(random_state=int(RNG.integers(1 << 30)))
        rem = RNG.normal(size=3) * RNG.choice([1e-4, 1e-3, 0.05])
        on, dv_N, dm = pr.translate(full, _q(rot), rem, F, mass, dt)
        want = _translation_truth(cfg, full, rot, rem, F, mass, dt)
        assert np.allclose(on, want, rtol=1e-12, atol=1e-15)
        # the cycle's Delta-v is the thrusters' impulse seen in the inertial frame
        made_B = (np.asarray(on)[:, None] * F * dirs).sum(axis=0) / mass
        assert np.allclose(dv_N, rot.inv().apply(made_B), rtol=1e-12, atol=1e-18)
        assert dm == pytest.approx(F * sum(on) / (220.0 * 9.80665), rel=1e-12, abs=1e-18)
        along = _translation_truth(cfg, full, rot, rem, F, mass, dt, cut=False) > 0
        kept = np.array_equal(want > 0, along)  # no group left out below the minimum
        if max(on) < dt * (1 - 1e-12) and kept:
            assert np.allclose(dv_N, rem, rtol=1e-12, atol=1e-18)  # all in one cycle
        if max(on) == pytest.approx(dt, rel=1e-12) and kept:
            # scaled, nothing dropped: the direction is kept
            assert np.dot(dv_N, rem) / np.linalg.norm(dv_N) / np.linalg.norm(rem) > 1 - 1e-12
        # torque-free about the centre of mass at half load (x = -0.003 m)
        torque = (np.cross(pos - [-0.003, 0.0, 0.0], dirs) * np.asarray(on)[:, None]).sum(0)
        assert np.linalg.norm(torque) < 1e-12


def test_translation_cycles_reach_the_delta_v() -> None:
    pr = prop.Prop(_scenario_config())
    rot = Rotation.from_euler("zyx", [30, -20, 75], degrees=True)
    want = np.array([0.012, -0.021, 0.004])
    made, cycles = np.zeros(3), 0
    while True:
        on, dv_N, _ = pr.translate((1 << 16) - 1, _q(rot), want - made, 1.0, 300.0, 0.1)
        if not any(on):
            break
        made += dv_N
        cycles += 1
    # what is left is below one minimum impulse bit (10 ms at 1 N, two thrusters) per axis
    assert np.all(np.abs(rot.apply(want - made)) < 2 * 0.01 / 300.0)
    # the longest group sets the time: x has four thrusters, y and z two
    longest = max(abs(c) * 300.0 / n for c, n in zip(rot.apply(want), (4, 2, 2), strict=True))
    assert cycles == math.ceil(longest / 0.1)


def test_translation_refused_where_the_layout_cannot_make_it() -> None:
    cfg = _scenario_config()
    pr = prop.Prop(cfg)
    q = (1.0, 0.0, 0.0, 0.0)
    # thruster 8 (+y pair) failed: its group has one usable member left
    ok = ((1 << 16) - 1) & ~(1 << 8)
    with pytest.raises(GncDomainError):
        pr.translate(ok, q, [0.0, 0.01, 0.0], 1.0, 300.0, 0.1)
    on, _, _ = pr.translate(ok, q, [0.0, -0.01, 0.0], 1.0, 300.0, 0.1)  # -y still works
    assert on[10] == on[11] == 0.1 and sum(on) == 0.2
    # the eight x thrusters alone cannot translate along y
    x_only = prop.PropConfig(position_B=cfg.position_B[:8], direction_B=cfg.direction_B[:8],
                             inertia=INERTIA)
    with pytest.raises(GncDomainError):
        prop.Prop(x_only).translate(0xFF, q, [0.0, 0.01, 0.0], 1.0, 300.0, 0.1)
    on, dv, dm = prop.Prop(x_only).translate(0xFF, q, [0.0, 0.0, 0.0], 1.0, 300.0, 0.1)
    assert not any(on) and dv == (0.0, 0.0, 0.0) and dm == 0.0


def _group_cuts_truth(pos: np.ndarray, dirs: np.ndarray, mask: np.ndarray, F: float,
                      want: np.ndarray) -> np.ndarray:
    """The least-norm cuts of one group whose torque change -sum c_i F a_i is
    want, by numpy's pseudo-inverse (rank 2: the torques lie in the plane
    normal to the axis), shifted so the least cut is zero."""
    A = (np.cross(pos[mask], dirs[mask]) * F).T  # 3 x n
    c = np.linalg.pinv(A, rcond=1e-9) @ (-want)
    return c - c.min()


def test_offpulse_makes_the_torque_asked_against_numpy() -> None:
    """Off-pulsing a main group (four thrusters along +x): the cuts are the
    least-norm solution (numpy pinv) shifted to a zero least cut, the torque
    they add is the one asked for in the plane normal to the axis (none about
    it: no thruster of the group can make it), Delta-v and propellant are the
    shortened pulses' impulse, and a torque beyond the group's authority
    scales every cut down together (the pulse direction of the torque kept)."""
    cfg = _scenario_config()
    pr = prop.Prop(cfg)
    dirs = np.asarray(cfg.direction_B, float)
    pos = np.asarray(cfg.position_B, float)
    F, mass, span = 1.0, 300.0, 0.1
    grp = np.array([i < 4 for i in range(16)])
    beyond = 0
    for _ in range(100):
        rot = Rotation.random(random_state=int(RNG.integers(1 << 30)))
        tq = RNG.normal(size=3) * RNG.choice([0.02, 1.0])
        on_in = np.where(grp, span, 0.0)
        on, dv_N, dm, made = pr.offpulse(on_in, tq, F, mass, _q(rot))
        on = np.asarray(on)
        cut = on_in - on
        assert np.all(cut >= -1e-15) and np.all(on[~grp] == 0.0)
        want = np.asarray(tq) * span
        want_plane = want - want[0] * np.array([1.0, 0.0, 0.0])
        truth = _group_cuts_truth(pos, dirs, grp, F, want_plane)
        if truth.max() <= span:
            # a pulse left shorter than the minimum is rounded to none or the
            # minimum (then the torque is the rounded cuts', not the one asked)
            left = span - truth
            rounded = np.where(left < cfg.min_on,
                               np.where(left < cfg.min_on / 2, 0.0, cfg.min_on), left)
            assert np.allclose(on[grp], rounded, rtol=1e-9, atol=1e-13)
            added = -(np.cross(pos, dirs) * (F * cut)[:, None]).sum(axis=0)
            if np.all(rounded == left):
                assert np.allclose(cut[grp], truth, rtol=1e-9, atol=1e-13)
                assert np.allclose(added, want_plane, atol=1e-12)
            assert np.allclose(np.asarray(made) * span, added, atol=1e-14)
        else:  # beyond the authority: all cuts scaled down together, one pulse off
            left = span - truth * (span / truth.max())
            # a pulse shorter than the minimum is rounded to none or the minimum
            left = np.where(left < cfg.min_on, np.where(left < cfg.min_on / 2, 0.0, cfg.min_on),
                            left)
            assert np.allclose(on[grp], left, rtol=1e-9, atol=1e-13)
            assert min(on[grp]) == 0.0
            beyond += 1
        made_B = (on[:, None] * F * dirs).sum(axis=0) / mass
        assert np.allclose(dv_N, rot.inv().apply(made_B), rtol=1e-12, atol=1e-18)
        assert dm == pytest.approx(F * on.sum() / (220.0 * 9.80665), rel=1e-12)
    assert 10 < beyond < 90  # both cases exercised


def test_offpulse_of_a_translation_works_group_by_group() -> None:
    """A translation's pulses (several groups, different on-times): no torque
    asked, nothing is cut; a torque asked is made by the longest group first,
    every group's least cut zero, never a pulse lengthened."""
    cfg = _scenario_config()
    pr = prop.Prop(cfg)
    dirs = np.asarray(cfg.direction_B, float)
    pos = np.asarray(cfg.position_B, float)
    full = (1 << 16) - 1
    q = _q(Rotation.from_euler("xyz", [20, -35, 50], degrees=True))
    on_in, _, _ = pr.translate(full, q, (0.004, -0.003, 0.002), 1.0, 300.0, 0.1)
    on, *_ = pr.offpulse(on_in, (0.0, 0.0, 0.0), 1.0, 300.0, q)
    assert on == on_in
    on, _, _, made = pr.offpulse(on_in, (0.0, 0.004, -0.003), 1.0, 300.0, q)
    on, on_in = np.asarray(on), np.asarray(on_in)
    assert np.all(on <= on_in) and not np.array_equal(on, on_in)
    for d in np.unique(dirs[on_in > 0], axis=0):
        g = np.all(dirs == d, axis=1) & (on_in > 0)
        assert min(on_in[g] - on[g]) == 0.0
    added = -(np.cross(pos, dirs) * (on_in - on)[:, None]).sum(axis=0)
    assert np.allclose(np.asarray(made) * on_in.max(), added, atol=1e-15)
    assert np.allclose(added[1:], np.array([0.004, -0.003]) * on_in.max(), atol=1e-9)


def test_offpulse_rejects_bad_pulses() -> None:
    pr = prop.Prop(_scenario_config())
    q = (1.0, 0.0, 0.0, 0.0)
    with pytest.raises(GncDomainError):
        pr.offpulse([-0.1] + [0.0] * 15, (0.0, 0.0, 0.0), 1.0, 300.0, q)
    with pytest.raises(GncDomainError):
        pr.offpulse([0.1] * 16, (float("nan"), 0.0, 0.0), 1.0, 300.0, q)


def test_accelerometer_sample_in_inertial_axes_against_scipy() -> None:
    """``accel_inertial``: the increment less bias x dt, turned from body
    into GCRF by q_BN (scipy's rotation, scalar last, as the independent
    frame change); a non-unit quaternion is normalised; bad input refused."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        x = Rotation.random(random_state=rng)
        xq = x.as_quat()
        q = np.array([xq[3], xq[0], xq[1], xq[2]])  # q_BN: N -> B is x
        dv, bias, dt = rng.normal(size=3) * 1e-3, rng.normal(size=3) * 1e-3, 0.1
        want = x.inv().apply(dv - bias * dt)
        got = prop.accel_inertial(dv, dt, bias, 3.0 * q)
        assert np.allclose(got, want, rtol=0, atol=1e-17)
    with pytest.raises(GncDomainError):
        prop.accel_inertial((1e-3, 0.0, math.nan), 0.1, (0.0, 0.0, 0.0), (1.0, 0.0, 0.0, 0.0))
    with pytest.raises(GncDomainError):
        prop.accel_inertial((1e-3, 0.0, 0.0), -0.1, (0.0, 0.0, 0.0), (1.0, 0.0, 0.0, 0.0))


# -- centre-of-mass least squares (gnc_prop_com_update) ---------------------------------
_COM_MIN, _COM_MAX = 0.2, 0.05       # the propulsion task's COM_MIN_IMPULSE, COM_MAX_M
_COM_PRIOR = (1e-3 / 5e-3) ** 2      # its prior (COM_MOMENTUM_NOISE / COM_PRIOR_M)^2


def _com_prior() -> list[float]:
    return [_COM_PRIOR if i % 4 == 0 else 0.0 for i in range(9)]


def _com_reference(c: dict, F, y) -> None:
    """The propulsion task's former Python update (fsw/tasks/propulsion.py
    ``_com_learn`` before the core took it over), verbatim but for y given:
    the reference the core must match bit for bit."""
    COM_MIN_IMPULSE, COM_MAX_M = _COM_MIN, _COM_MAX
    f2 = F[0] * F[0] + F[1] * F[1] + F[2] * F[2]
    if f2 < COM_MIN_IMPULSE * COM_MIN_IMPULSE:
        return
    alone = ((y[1] * F[2] - y[2] * F[1]) / f2, (y[2] * F[0] - y[0] * F[2]) / f2,
             (y[0] * F[1] - y[1] * F[0]) / f2)
    if not all(map(math.isfinite, alone)) or \
            alone[0] * alone[0] + alone[1] * alone[1] + alone[2] * alone[2] > COM_MAX_M ** 2:
        return
    N, b = c["N"], c["b"]
    for i in range(3):
        for j in range(3):
            N[3 * i + j] += (f2 if i == j else 0.0) - F[i] * F[j]
    b[0] += y[1] * F[2] - y[2] * F[1]
    b[1] += y[2] * F[0] - y[0] * F[2]
    b[2] += y[0] * F[1] - y[1] * F[0]
    a, d, e, g, h, k = N[0], N[1], N[2], N[4], N[5], N[8]
    det = a * (g * k - h * h) - d * (d * k - h * e) + e * (d * h - g * e)
    if not det > 0.0:
        return
    inv = ((g * k - h * h), (e * h - d * k), (d * h - e * g),
           (a * k - e * e), (d * e - a * h), (a * g - d * d))
    c["est"] = ((inv[0] * b[0] + inv[1] * b[1] + inv[2] * b[2]) / det,
                (inv[1] * b[0] + inv[3] * b[1] + inv[4] * b[2]) / det,
                (inv[2] * b[0] + inv[4] * b[1] + inv[5] * b[2]) / det)
    c["n"] += 1


def _com_core(c: dict, F, y) -> int:
    """The task's use of the core (``_com_learn``): ``used``."""
    N, b, est, used = prop.com_update(c["N"], c["b"], F, y, _COM_MIN, _COM_MAX)
    if used:
        c["N"][:], c["b"][:] = N, b
    if used == 2:
        c["est"] = est
        c["n"] += 1
    return used


def _bits(x) -> tuple[int, ...]:
    return tuple(np.asarray(x, dtype=np.float64).reshape(-1).view(np.uint64).tolist())


def _com_case(rng: np.random.Generator, kind: int) -> tuple[list[float], list[float]]:
    """A translation's (F, y): 0 an ordinary one, 1 below the minimum impulse,
    2 an offset beyond the largest, 3 non-finite, 4 near the thresholds."""
    F = rng.normal(size=3) * rng.uniform(0.3, 3.0)
    delta = rng.normal(size=3) * 0.01
    y = np.cross(F, delta) + rng.normal(size=3) * 1e-3
    if kind == 1:
        F = F / np.linalg.norm(F) * rng.uniform(0.0, 0.2)
    elif kind == 2:
        y = np.cross(F, rng.normal(size=3) * 0.2)
    elif kind == 3:
        (F if rng.integers(2) else y)[rng.integers(3)] = \
            [math.nan, math.inf, -math.inf][rng.integers(3)]
    elif kind == 4:
        F = F / np.linalg.norm(F) * np.nextafter(0.2, [0.0, 1.0][rng.integers(2)])
        u = rng.normal(size=3)
        u -= F * (u @ F) / (F @ F)
        y = np.cross(F, u / np.linalg.norm(u) * 0.05 * (1 + rng.normal() * 1e-15))
    return [float(v) for v in F], [float(v) for v in y]


def test_com_update_bit_identical_to_the_former_python_formula() -> None:
    """A few hundred random translations in sequences (ordinary ones, below
    the minimum impulse, beyond the largest offset, non-finite, at both
    thresholds, and normal matrices made singular): N, b, the estimate and
    the count bit for bit as the task's former Python arithmetic."""
    rng = np.random.default_rng(31)
    seen = set()
    for seq in range(40):
        ref = {"N": _com_prior(), "b": [0.0, 0.0, 0.0], "est": (0.0, 0.0, 0.0), "n": 0}
        if seq % 8 == 7:  # no prior: the first translation leaves N singular (rank 2)
            ref["N"] = [0.0] * 9
        core = {"N": list(ref["N"]), "b": list(ref["b"]), "est": ref["est"], "n": 0}
        for _ in range(10):
            F, y = _com_case(rng, int(rng.choice(5, p=[0.5, 0.15, 0.15, 0.1, 0.1])))
            used = _com_core(core, F, y)
            _com_reference(ref, F, y)
            seen.add(used)
            for key in ("N", "b", "est"):
                assert _bits(core[key]) == _bits(ref[key]), (seq, key, F, y)
            assert core["n"] == ref["n"]
            assert isinstance(core["est"], tuple) and all(type(v) is float for v in core["N"])
    assert seen == {0, 1, 2}


def test_com_update_against_numpy_least_squares() -> None:
    """The estimate is the least-squares offset of the equations
    F_k x delta = y_k with the prior (numpy's lstsq on the stacked, weighted
    equations, and solve on the accumulated normal equations); N and b are
    the normal equations' sums."""
    rng = np.random.default_rng(5)
    delta = np.array([0.004, -0.007, 0.002])
    N, b = _com_prior(), [0.0, 0.0, 0.0]
    rows, rhs = [math.sqrt(_COM_PRIOR) * np.eye(3)], [np.zeros(3)]
    for _ in range(6):
        F = rng.normal(size=3) * 2.0
        y = np.cross(F, delta) + rng.normal(size=3) * 1e-3
        N, b, est, used = prop.com_update(N, b, F, y, _COM_MIN, _COM_MAX)
        assert used == 2
        A = np.array([[0.0, -F[2], F[1]], [F[2], 0.0, -F[0]], [-F[1], F[0], 0.0]])  # F x .
        rows.append(A)
        rhs.append(y)
        want = np.linalg.lstsq(np.vstack(rows), np.concatenate(rhs), rcond=None)[0]
        AtA = sum(r.T @ r for r in rows)
        assert np.allclose(np.reshape(N, (3, 3)), AtA, rtol=1e-13, atol=1e-15)
        Aty = sum(r.T @ v for r, v in zip(rows, rhs, strict=True))
        assert np.allclose(b, Aty, rtol=1e-13, atol=1e-18)
        assert np.allclose(est, want, rtol=1e-9, atol=1e-12)
        assert np.allclose(est, np.linalg.solve(AtA, np.asarray(b)), rtol=1e-9, atol=1e-12)
    assert np.linalg.norm(np.asarray(est) - delta) < 1e-3


def test_com_update_refusals() -> None:
    """Refused translations leave N and b as they were (used 0); a singular
    N is accumulated without an estimate (used 1, est zero); thresholds that
    are not finite and positive are a domain error."""
    N0, b0 = _com_prior(), [1e-3, 0.0, -2e-3]
    F = (1.0, 0.0, 0.0)
    for Fx, y in [((0.1, 0.1, 0.0), (0.0, 0.0, 0.0)),      # below the minimum impulse
                  (F, (0.0, 0.06, 0.0)),                     # 6 cm alone
                  (F, (0.0, math.nan, 0.0)), ((math.inf, 0.0, 0.0), (0.0, 0.0, 0.0))]:
        assert prop.com_update(N0, b0, Fx, y, _COM_MIN, _COM_MAX) == \
            (tuple(N0), tuple(b0), (0.0, 0.0, 0.0), 0)
    N, b, est, used = prop.com_update([0.0] * 9, [0.0] * 3, F, (0.0, 0.01, 0.0), _COM_MIN,
                                      _COM_MAX)
    assert used == 1 and est == (0.0, 0.0, 0.0)
    assert N == (0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0) and b == (0.0, 0.0, -0.01)
    for bad in ((0.0, _COM_MAX), (_COM_MIN, -1.0), (math.nan, _COM_MAX), (_COM_MIN, math.inf)):
        with pytest.raises(GncDomainError):
            prop.com_update(N0, b0, F, (0.0, 0.0, 0.0), *bad)


# -- a force's torque about the learnt centre of mass (gnc_prop_com_torque) --------------
def _random_spd(rng: np.random.Generator) -> np.ndarray:
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    N = Q @ np.diag(10.0 ** rng.uniform(-3, 3, 3)) @ Q.T
    return 0.5 * (N + N.T)


def test_com_torque_against_numpy_and_mpmath() -> None:
    """On random symmetric positive-definite normal matrices over six decades
    of conditioning: the torque at the estimate is numpy's -est x F, and each
    axis' sigma is noise sqrt(g' N^-1 g) (g the torque's gradient in the
    offset, from numpy's cross product of unit offsets) to the accuracy the
    conditioning allows: against mpmath at 50 digits, within 10 eps cond(N).
    (The task's former adjugate form erred by 1.3e-7 at cond 3e5.)"""
    import mpmath

    mpmath.mp.dps = 50
    rng = np.random.default_rng(7)
    noise = 3e-3
    eps = np.finfo(float).eps
    for _ in range(300):
        N = _random_spd(rng)
        est, F = rng.normal(scale=0.01, size=3), rng.normal(scale=2.0, size=3)
        known, sigma = prop.com_torque(N.ravel(), est, F, noise)
        assert np.allclose(known, -np.cross(est, F), rtol=1e-12, atol=1e-18)
        G = np.array([-np.cross(e, F) for e in np.eye(3)]).T  # G[i, j] = d tau_i / d delta_j
        Ninv = mpmath.inverse(mpmath.matrix(N.tolist()))
        for i in range(3):
            g = mpmath.matrix(G[i].tolist())
            want = float(noise * mpmath.sqrt((g.T * Ninv * g)[0]))
            assert sigma[i] == pytest.approx(want, rel=10 * eps * np.linalg.cond(N))
            numpy_form = noise * math.sqrt(G[i] @ np.linalg.solve(N, G[i]))
            assert sigma[i] == pytest.approx(numpy_form, rel=1e-8)
    # no uncertainty left along F's own direction: a force makes no torque
    # from an offset along it
    N = np.eye(3) * 1e-6
    _, sigma = prop.com_torque(N.ravel(), np.zeros(3), (0.0, 0.0, 2.0), noise)
    assert sigma[2] == 0.0 and sigma[0] == sigma[1] == pytest.approx(noise * 2.0 / 1e-3)


def test_com_torque_refusals() -> None:
    good = np.eye(3).ravel()
    with pytest.raises(GncDomainError):
        prop.com_torque(np.zeros(9), np.zeros(3), (1.0, 0.0, 0.0), 1e-3)  # det N = 0
    with pytest.raises(GncDomainError):
        prop.com_torque(-good, np.zeros(3), (1.0, 0.0, 0.0), 1e-3)  # not positive definite
    with pytest.raises(GncDomainError):
        prop.com_torque(good, (math.nan, 0.0, 0.0), (1.0, 0.0, 0.0), 1e-3)
    with pytest.raises(GncDomainError):
        prop.com_torque(good, np.zeros(3), (1.0, math.inf, 0.0), 1e-3)
    with pytest.raises(GncDomainError):
        prop.com_torque(good, np.zeros(3), (1.0, 0.0, 0.0), -1e-3)


# -- a firing cycle's thrust with the thrusters' rise and tail-off (gnc_prop_pulse_response)

def _ivp_cycle(x0: float, on: float, dt: float, rise: float, tail: float
               ) -> tuple[float, float]:
    """The truth of one cycle: dx/dt = (u - x) / tau(u), u = 1 over [0, on]
    (tau = rise) and 0 over [on, dt] (tau = tail), integrated by scipy's
    DOP853 with the integral of x as a second state, segment by segment (a
    smooth right-hand side in each; a zero time constant: x jumps). Returns
    (x at the cycle's end, integral of x over the cycle)."""
    from scipy.integrate import solve_ivp

    x, total = x0, 0.0
    for u, tau, h in ((1.0, rise, on), (0.0, tail, dt - on)):
        if h <= 0.0:
            continue
        if tau == 0.0:
            x, total = u, total + u * h
            continue
        sol = solve_ivp(lambda _t, y, u=u, tau=tau: [(u - y[0]) / tau, y[0]], (0.0, h),
                        [x, 0.0], method="DOP853", rtol=1e-13, atol=1e-16,
                        max_step=tau / 20.0)
        x, total = float(sol.y[0, -1]), total + float(sol.y[1, -1])
    return x, total


def _pulse_train(rng: np.random.Generator, n: int, cycles: int, dt: float) -> np.ndarray:
    """Random on-times (cycles x n) in [0, dt], a fifth of them 0 (valve
    shut) and a fifth dt (back to back)."""
    on = rng.uniform(0.0, dt, (cycles, n))
    pick = rng.uniform(size=(cycles, n))
    on[pick < 0.2] = 0.0
    on[pick > 0.8] = dt
    return on


def _slots(v: np.ndarray) -> np.ndarray:
    out = np.zeros(prop.PROP_MAX)
    out[: len(v)] = v
    return out


def test_pulse_response_against_scipy_integration() -> None:
    """A random train of 40 cycles of 0.1 s on 5 thrusters (on-times in
    [0, 0.1], some 0, some back to back; rise 15 ms, tail-off 20 ms, the
    scenario's) then 10 empty cycles for the tail, chained through
    pulse_response, against the first-order model integrated by scipy: each
    cycle's level_out is the integrator's level at the cycle's end, each
    cycle's integral of the level is on_eff + tail (level_in - level_out)
    (the attribution's identity, cycle by cycle), and the on_eff of the whole
    firing add up to the integral of the level (the impulse in seconds of
    full thrust, the tail-off included), to 1e-9 s. Measured: 8e-13 (a level
    below 1e-12 tailed off to 0, as in the simulation), 2e-14 s per cycle and
    4e-16 s in total; the on-times alone miss the total by 0.10 s."""
    rng = np.random.default_rng(1606)
    n, dt, rise, tail = 5, 0.1, 0.015, 0.020
    on = np.vstack([_pulse_train(rng, n, 40, dt), np.zeros((10, n))])
    level = np.zeros(n)
    x_true, total_true = np.zeros(n), np.zeros(n)
    eff_sum = np.zeros(n)
    worst_level = worst_cycle = 0.0
    for k in range(on.shape[0]):
        lv, eff = prop.pulse_response(_slots(level), _slots(on[k]), n, dt, rise, tail)
        lv_n, eff_n = np.array(lv[:n]), np.array(eff[:n])
        assert lv[n:] == (0.0,) * (prop.PROP_MAX - n) and eff[n:] == lv[n:]
        for i in range(n):
            x_end, integral = _ivp_cycle(x_true[i], on[k, i], dt, rise, tail)
            worst_level = max(worst_level, abs(lv_n[i] - x_end))
            worst_cycle = max(worst_cycle,
                              abs(integral - (eff_n[i] + tail * (level[i] - lv_n[i]))))
            x_true[i] = x_end
            total_true[i] += integral
        eff_sum += eff_n
        level = lv_n
    assert worst_level < 1e-9 and worst_cycle < 1e-9
    assert np.all(level == 0.0)  # tailed off (below 1e-12: 0, as in the simulation)
    np.testing.assert_allclose(eff_sum, total_true, rtol=0, atol=1e-9)
    assert np.max(np.abs(on.sum(axis=0) - total_true)) > 0.01  # the attribution matters


def _world_pulse_train(on: np.ndarray, idx: list[int], *, ideal_tank: bool
                       ) -> tuple[float, float, float, float]:
    """The pulse train on (cycles x len(idx)) fired by the thrusters idx in
    hil.sim's world of the default scenario (its rise and tail-off, drag and
    SRP off, 4 ticks a 0.1 s cycle: on-times count down across ticks). With
    ideal_tank, no blowdown and no propellant use (a huge tank and Isp: the
    thrust and mass constant). Returns the sensed Delta-v along +x (m/s), the
    thrust (N), and the thrust scale (tank pressure over its reference) over
    the mass, at the start and at the end."""
    from hil.sim.from_scenario import world_config
    from hil.sim.world import World

    sc = Scenario()
    cfg = world_config(sc)
    cfg.step = 0.025
    cfg.environment.drag = cfg.environment.srp = False
    for th in cfg.chaser.thrusters:
        assert (th.rise_time, th.tail_off) == (sc.chaser.rcs.rise_time_s,
                                               sc.chaser.rcs.tail_off_s)
        th.min_impulse_bit = 1e-9  # every on-time executed
        if ideal_tank:
            th.isp = 1e15
    if ideal_tank:
        cfg.chaser.tank.volume = 1e6
    world = World(cfg)
    c = world.chaser
    p_ref = cfg.chaser.tank.reference_pressure
    start = c.tank_pressure / p_ref / c.mass
    cmd = np.zeros(c.n_thrusters)
    for k in range(on.shape[0]):
        cmd[idx] = on[k]
        world.set_thruster_on_times(cmd)
        world.step(4)
    end = c.tank_pressure / p_ref / c.mass
    return float(c.dv_sensed_B[0]), cfg.chaser.thrusters[idx[0]].thrust, start, end


def test_pulse_response_against_the_simulation() -> None:
    """The same kind of pulse train fired by the scenario's four +x thrusters
    in hil.sim's world (its own thruster model, rise 15 ms and tail-off 20
    ms): the sensed Delta-v along +x is thrust / mass times the sum of on_eff
    over the cycles and thrusters. With the tank's blowdown and the
    propellant's use made negligible: to 1e-9 relative (measured 4e-15); with
    the scenario's tank: within the bracket of the thrust scale over the mass
    from the start to the end (4.8e-4 wide; measured mid-bracket), which the
    on-times alone miss (by 4 %)."""
    sc = Scenario()
    dirs = np.asarray(sc.chaser.rcs.directions_b, float)
    idx = [i for i in range(len(dirs)) if np.allclose(dirs[i], (1.0, 0.0, 0.0))]
    assert len(idx) == 4
    rng = np.random.default_rng(77)
    dt, rise, tail = 0.1, sc.chaser.rcs.rise_time_s, sc.chaser.rcs.tail_off_s
    on = np.vstack([_pulse_train(rng, len(idx), 40, dt), np.zeros((10, len(idx)))])
    level = np.zeros(len(idx))
    eff_sum = 0.0
    for k in range(on.shape[0]):
        lv, eff = prop.pulse_response(_slots(level), _slots(on[k]), len(idx), dt, rise, tail)
        level = np.array(lv[: len(idx)])
        eff_sum += sum(eff)
    assert np.all(level == 0.0)

    dv, thrust, start, end = _world_pulse_train(on, idx, ideal_tank=True)
    assert start == end
    assert dv == pytest.approx(thrust * start * eff_sum, rel=1e-9)

    dv, thrust, start, end = _world_pulse_train(on, idx, ideal_tank=False)
    assert end < start and (start - end) / start < 1e-3
    lo, hi = thrust * end * eff_sum, thrust * start * eff_sum
    assert lo - 1e-15 <= dv <= hi + 1e-15
    assert not lo <= thrust * start * on.sum() <= hi  # the on-times alone: outside


def test_pulse_response_edge_cases() -> None:
    """Square pulses (rise = tail = 0): on_eff is the on-time and the level
    1 after a cycle open throughout, else 0; equal time constants: on_eff is
    the on-time too (the rise and the tail cancel); back-to-back full pulses
    from full thrust: on_eff is dt exactly and the level stays 1; a shut
    valve adds nothing and the level decays as exp(-dt / tail)."""
    dt = 0.1
    on = _slots(np.array([0.0, 0.03, dt, 0.07, dt]))
    lv_in = _slots(np.array([0.7, 0.0, 0.2, 1.0, 1.0]))
    lv, eff = prop.pulse_response(lv_in, on, 5, dt, 0.0, 0.0)
    assert eff == tuple(on.tolist())
    assert lv == (0.0, 0.0, 1.0, 0.0, 1.0) + (0.0,) * 11
    lv, eff = prop.pulse_response(lv_in, on, 5, dt, 0.02, 0.02)
    assert eff == tuple(on.tolist())
    full = _slots(np.full(4, dt))
    lv, eff = prop.pulse_response(_slots(np.ones(4)), full, 4, dt, 0.015, 0.02)
    assert eff == tuple(full.tolist()) and lv == tuple(_slots(np.ones(4)).tolist())
    lv, eff = prop.pulse_response(_slots(np.array([0.6])), np.zeros(16), 1, dt, 0.015, 0.02)
    assert eff == (0.0,) * 16
    assert lv[0] == pytest.approx(0.6 * math.exp(-dt / 0.02), rel=1e-15)
    # a single pulse from rest: on + (tail - rise)(1 - exp(-on / rise)), closed form
    lv, eff = prop.pulse_response(np.zeros(16), _slots(np.array([0.04])), 1, dt, 0.015, 0.02)
    assert eff[0] == pytest.approx(0.04 + 0.005 * -math.expm1(-0.04 / 0.015), rel=1e-15)
    assert prop.pulse_response(np.zeros(16), np.zeros(16), 0, dt, 0.0, 0.0) == (
        (0.0,) * 16, (0.0,) * 16)


def test_pulse_response_refusals() -> None:
    """Out-of-domain inputs: GncDomainError (a count out of 0..16:
    GncRangeError, as the core's other counts); a NULL pointer: GNC_ERR_NULL."""
    from fsw.core._ffi import ffi, lib
    from fsw.core.errors import GncInputError

    z, good_on = np.zeros(16), _slots(np.array([0.05, 0.1]))
    args = {"level_in": z, "on": good_on, "n": 2, "dt": 0.1, "rise": 0.015, "tail": 0.02}
    prop.pulse_response(**args)
    bad = [("dt", 0.0), ("dt", -0.1), ("dt", math.nan), ("dt", math.inf), ("rise", -1e-3),
           ("rise", math.nan), ("rise", math.inf), ("tail", -1e-3), ("tail", math.nan),
           ("tail", math.inf),
           ("level_in", _slots(np.array([1.0 + 1e-15]))), ("level_in", _slots(np.array([-1e-300]))),
           ("level_in", _slots(np.array([math.nan]))), ("on", _slots(np.array([0.1 + 1e-15]))),
           ("on", _slots(np.array([-1e-300]))), ("on", _slots(np.array([math.nan]))),
           ("on", _slots(np.array([math.inf]))),
           ("on", _slots(np.array([0.05, 0.1, 0.01]))),  # a slot beyond n not zero
           ("level_in", _slots(np.array([0.0, 0.0, 0.5])))]
    for name, value in bad:
        with pytest.raises(GncDomainError):
            prop.pulse_response(**{**args, name: value})
    for n in (-1, 17):
        with pytest.raises(GncRangeError):
            prop.pulse_response(**{**args, "n": n})
    with pytest.raises(GncInputError):
        prop.pulse_response(np.zeros(4), np.zeros(4), 2, 0.1, 0.015, 0.02)
    buf = ffi.new("double[16]")
    assert lib.gnc_prop_pulse_response(ffi.NULL, buf, 0, 0.1, 0.0, 0.0, buf, buf) == 1
    assert lib.gnc_prop_pulse_response(buf, buf, 0, 0.1, 0.0, 0.0, buf, ffi.NULL) == 1
