"""The ADCS step's wheels and modes (native/src/gnc_attitude.c): the
allocation against numpy.linalg.pinv for every subset of 3 to 6 wheels, the
body momentum from the tachometers, the wheel check on hand cases, the sun-safe
attitude's geometry, DETUMBLE's hand-over, the target extrapolation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from fsw.core import attitude as att
from fsw.core.errors import GncInputError

RNG = np.random.default_rng(606)


def _axes(k: int) -> np.ndarray:
    a = RNG.normal(size=(k, 3))
    return a / np.linalg.norm(a, axis=1)[:, None]


SCENARIO_AXES = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0],
                          [0.57735026919, 0.57735026919, 0.57735026919]])
PLANAR_SIX = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 1.0, 0], [0, 0, 1.0],
                       [0.6, 0.8, 0.0]])


@pytest.mark.parametrize("axes", [_axes(6), _axes(5), SCENARIO_AXES, PLANAR_SIX],
                         ids=["random6", "random5", "scenario4", "with_coplanar_subsets"])
def test_allocation_is_the_pseudo_inverse_for_every_subset(axes) -> None:
    k = len(axes)
    cfg = att.AdcsConfig(wheel_count=k, wheel_axes_B=axes, wheel_torque_max=10.0)
    axes = axes / np.linalg.norm(axes, axis=1)[:, None]  # the core normalises them
    adcs = att.Adcs(cfg)
    w = np.array([0.003, -0.002, 0.0015])  # RATE_DAMP: wheel_torque = kd w
    cmd = cfg.kd * w
    speeds = RNG.uniform(-300, 300, k)
    for m in range(1, k + 1):
        for subset in itertools.combinations(range(k), m):
            mask = sum(1 << i for i in subset)
            out = adcs.step(att.AdcsInput(mode=att.AdcsMode.RATE_DAMP, gyro_B=w,
                                          wheel_speed=speeds, wheel_ok=mask))
            assert np.allclose(out.wheel_torque, cmd, rtol=1e-15)
            got = out.wheel_cmd[:k]
            if m < 3:
                assert np.all(got == 0.0)
                continue
            A = axes.T * np.array([(mask >> i) & 1 for i in range(k)], float)
            want = np.linalg.pinv(A) @ cmd
            assert np.allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max()), subset
            assert np.all(out.wheel_cmd[k:] == 0.0)
            # the tachometers' body momentum over every wheel
            h = axes.T @ (cfg.wheel_inertia * speeds)
            assert np.allclose(out.h_body, h, rtol=1e-14, atol=1e-18)
            assert out.h_norm == pytest.approx(np.linalg.norm(h), rel=1e-15)


def test_wheel_torque_is_clipped_per_wheel() -> None:
    cfg = att.AdcsConfig(wheel_count=4, wheel_axes_B=SCENARIO_AXES, wheel_torque_max=0.01)
    # without the x wheel, x torque comes from the skewed wheel: 1/0.577 of it
    out = att.Adcs(cfg).step(att.AdcsInput(mode=att.AdcsMode.RATE_DAMP,
                                           gyro_B=[0.02, 0.001, 0.0], wheel_ok=0b1110))
    assert out.wheel_torque[0] == 0.01  # the body command is clipped first
    assert out.wheel_cmd[3] == 0.01 and np.max(np.abs(out.wheel_cmd)) == 0.01


def test_wheel_check_hand_cases() -> None:
    cfg = att.AdcsConfig()  # three body-axis wheels, J = 2^-11 kg m^2
    J, smax = cfg.wheel_inertia, cfg.wheel_speed_max
    adcs = att.Adcs(cfg)
    gyro = [0.005, 0.005, 0.0]       # wheel_torque = kd gyro = (0.02, 0.02, 0) N m
    base = np.array([0.0, 100.0, 0.95 * smax])

    def step(speeds=None, ok=0b111, gyro_B=gyro):
        tach = speeds is not None
        return adcs.step(att.AdcsInput(mode=att.AdcsMode.RATE_DAMP, gyro_B=gyro_B,
                                       wheel_speed=base if speeds is None else speeds,
                                       tach_new=tach, wheel_ok=ok))

    out = step(base)                   # the first sample: nothing to compare with
    assert out.wheel_checked == 0
    for _ in range(9):
        step()
    expected = 10 * 0.1 * 0.02 / J    # 10 cycles of 0.02 N m: 40.96 rad/s
    # wheel 0 follows, wheel 1 gets a third of it, wheel 2 has no command
    out = step(base + np.array([expected, expected / 3, 0.0]))
    assert out.wheel_checked == 0b011 and out.wheel_bad == 0b010
    for _ in range(9):
        step()
    # wheel 1 isolated: not checked; wheel 0 within half of the command: good
    out = step(base + np.array([2.4 * expected, expected / 3, 0.0]), ok=0b101)
    assert out.wheel_checked == 0b001 and out.wheel_bad == 0
    # near its speed limit a wheel is not tested; below 0.5 rad/s of command neither
    adcs2 = att.Adcs(cfg)
    gyro2 = [0.005, 5e-5, 0.005]  # wheel 1: 10 x 0.1 s x 2e-4 N m / J = 0.41 rad/s
    speeds = [0.0, 0.0, 0.95 * smax]
    for k in range(11):
        out = adcs2.step(att.AdcsInput(mode=2, gyro_B=gyro2, wheel_speed=speeds,
                                       tach_new=k in (0, 10)))
    assert out.wheel_checked == 0b001 and out.wheel_bad == 0b001  # wheel 0 did not move


def _settled_reference(adcs, inp, steps=4000):
    for _ in range(steps):
        out = adcs.step(inp)
        if not out.flags & att.AdcsFlag.SLEWING:
            return out
    raise AssertionError("the slew did not settle")


@pytest.mark.parametrize("normal_dir", ["generic", "near_sun", "unknown"])
def test_sun_mode_puts_the_array_on_the_sun(normal_dir) -> None:
    cfg = att.AdcsConfig()
    adcs = att.Adcs(cfg)
    sun = RNG.normal(size=3)
    sun /= np.linalg.norm(sun)
    normal = {"generic": np.cross(sun, RNG.normal(size=3)) + 0.3 * sun,
              "near_sun": sun + 0.05 * np.cross(sun, [1.0, 0, 0]),
              "unknown": np.zeros(3)}[normal_dir]
    q0 = Rotation.random(random_state=4).as_quat()
    inp = att.AdcsInput(mode=att.AdcsMode.SUN, gyro_B=[0.0, 0.0, 0.0],
                        q_st_BN=np.r_[q0[3], q0[:3]], sun_N=sun * 1.5e11, normal_N=normal)
    out = _settled_reference(adcs, inp)
    assert out.mode == att.AdcsMode.SUN
    q = out.q_ref_BN
    R = Rotation.from_quat([q[1], q[2], q[3], q[0]])  # v_B = R(q_BN) v_N
    assert np.allclose(R.apply(sun), cfg.solar_B, atol=1e-9)
    sec_N = R.inv().apply(np.asarray(cfg.secondary_B, float))
    if normal_dir == "generic":
        ref = normal / np.linalg.norm(normal)
    else:  # unknown, or within acos(0.99) of the sun: z_N x sun
        ref = np.cross(sun, [0.0, 0.0, 1.0])
    assert abs(np.linalg.det(np.array([sun, ref, sec_N]))) < 1e-9 * np.linalg.norm(ref)
    assert sec_N @ ref > 0.0


def test_sun_mode_without_the_sun_or_an_estimate_damps_the_rate() -> None:
    adcs = att.Adcs(att.AdcsConfig())
    out = adcs.step(att.AdcsInput(mode=att.AdcsMode.SUN, gyro_B=[0.01, 0, 0]))
    assert out.mode == att.AdcsMode.RATE_DAMP and out.flags & att.AdcsFlag.FALLBACK
    out = adcs.step(att.AdcsInput(mode=att.AdcsMode.SUN, gyro_B=[0.01, 0, 0],
                                  q_st_BN=[1.0, 0, 0, 0], sun_N=[0.0, 0.0, 0.0]))
    assert out.mode == att.AdcsMode.RATE_DAMP and out.flags & att.AdcsFlag.FALLBACK


def test_detumble_hands_over_to_the_wheels_below_the_rate() -> None:
    cfg = att.AdcsConfig(detumble_wheel_rate=math.radians(0.8))
    adcs = att.Adcs(cfg)
    mag = [2e-5, -1e-5, 3e-5]
    fast = adcs.step(att.AdcsInput(mode=att.AdcsMode.DETUMBLE, gyro_B=[0.02, 0, 0], mag_B=mag))
    assert fast.mode == att.AdcsMode.DETUMBLE and np.all(fast.wheel_cmd == 0.0)
    slow = adcs.step(att.AdcsInput(mode=att.AdcsMode.DETUMBLE, gyro_B=[0.01, 0, 0], mag_B=mag))
    assert slow.mode == att.AdcsMode.RATE_DAMP and np.any(slow.wheel_cmd != 0.0)
    # without a gyro: B-dot on the magnetorquers
    nogyro = adcs.step(att.AdcsInput(mode=att.AdcsMode.DETUMBLE, mag_B=mag))
    assert nogyro.mode == att.AdcsMode.DETUMBLE


def test_target_is_extrapolated_linearly() -> None:
    r, v, age = np.array([300.0, -1200.0, 50.0]), np.array([0.1, 0.4, -0.02]), 0.7
    outs = []
    for inp in (att.AdcsInput(mode=att.AdcsMode.TARGET, gyro_B=[0, 0, 0], q_st_BN=[1, 0, 0, 0],
                              r_target_N=r, v_target_N=v, target_age=age,
                              normal_N=[0.0, 0.3, 1.0], sun_N=[1.0, 0, 0]),
                att.AdcsInput(mode=att.AdcsMode.TARGET, gyro_B=[0, 0, 0], q_st_BN=[1, 0, 0, 0],
                              r_target_N=r + v * age, normal_N=[0.0, 0.3, 1.0],
                              sun_N=[1.0, 0, 0])):
        outs.append(att.Adcs(att.AdcsConfig()).step(inp))
    assert outs[0] == outs[1]


def test_h_wheel_is_the_default_wheels_momentum_bit_for_bit() -> None:
    adcs = att.Adcs(att.AdcsConfig())
    for h in ([0.0123456789, -0.2, 3.3e-7], [-0.0, 0.0, -1e-300], RNG.normal(size=3) * 0.1):
        out = adcs.step(att.AdcsInput(mode=att.AdcsMode.RATE_DAMP, gyro_B=[0, 0, 0],
                                      h_wheel=h))
        assert np.asarray(h, float).tobytes() == out.h_body.tobytes()
    other = att.Adcs(att.AdcsConfig(wheel_count=4, wheel_axes_B=SCENARIO_AXES))
    with pytest.raises(GncInputError):
        other.step(att.AdcsInput(mode=0, h_wheel=[0.0, 0.0, 0.0]))


def test_adcs_input_reaches_the_c_struct_field_by_field() -> None:
    """The step packs gnc_adcs_in in one call: read back through the struct's
    own numpy layout (made from the C declaration by cffi), every member holds
    what was given, and an invalid sensor keeps its last valid value."""
    from fsw.core.attitude import Adcs, AdcsInput, AdcsMode

    a = Adcs()
    given = dict(mode=AdcsMode.TARGET, gyro_B=np.array([1e-3, -2e-3, 3e-3]),
                 q_st_BN=(0.5, 0.5, 0.5, 0.5), mag_B=[1e-5, 2e-5, 3e-5],
                 wheel_speed=(1.0, 2.0, 3.0), q_target_BN=(1.0, 0.0, 0.0, 0.0),
                 r_target_N=(100.0, -20.0, 5.0), v_target_N=(0.1, 0.2, 0.3), target_age=0.25,
                 sun_N=(0.0, 1.0, 0.0), normal_N=(0.0, 0.0, 1.0), wheel_ok=0b101,
                 tach_new=True)
    a.step(AdcsInput(**given))
    v = a._in.view
    for name, value in given.items():
        want = np.asarray(value, dtype=float).reshape(-1)
        got = np.asarray(v(name), dtype=float).reshape(-1)
        if name == "wheel_speed":
            want = np.concatenate((want, np.zeros(3)))
        assert got.tolist() == want.tolist(), name
    assert (int(v("gyro_valid")[0]), int(v("st_valid")[0]), int(v("mag_valid")[0])) == (1, 1, 1)
    a.step(AdcsInput(mode=AdcsMode.TARGET))  # no sensor this cycle
    assert (int(v("gyro_valid")[0]), int(v("st_valid")[0]), int(v("mag_valid")[0])) == (0, 0, 0)
    assert v("q_st_BN").tolist() == [0.5, 0.5, 0.5, 0.5]


@pytest.mark.parametrize("bad", [
    {"gyro_B": (1.0, 2.0)}, {"q_target_BN": (1.0, 0.0, 0.0)}, {"sun_N": "abc"},
    {"wheel_speed": (1.0,) * 7}, {"h_wheel": (1.0, 2.0)}, {"r_target_N": ((1,), (2,), (3,))},
    {"mode": "x"}, {"wheel_ok": 1 << 40},
])
def test_bad_adcs_input_is_a_typed_error_and_changes_nothing(bad: dict) -> None:
    from fsw.core.attitude import Adcs, AdcsInput, AdcsMode

    a = Adcs()
    with pytest.raises(GncInputError, match="adcs_step: bad input"):
        a.step(AdcsInput(**{"mode": AdcsMode.POINT, **bad}))
    a.step(AdcsInput(mode=AdcsMode.POINT))  # no gyro: the last valid one (none yet) stays
    assert a._in.view("gyro_valid")[0] == 0
    assert a._in.view("gyro_B").tolist() == [0.0, 0.0, 0.0]  # the bad value was not kept


def test_short_wheel_speed_tuple_is_padded_like_an_array() -> None:
    """A tuple of k < 6 wheel speeds (the ADCS task's form) is padded with
    zeros without numpy: the same outputs, bit for bit, as an array, and a bad
    element is still a GncInputError."""
    Adcs, AdcsConfig, AdcsInput, AdcsMode = att.Adcs, att.AdcsConfig, att.AdcsInput, att.AdcsMode
    speeds = (12.5, -3.25, 40.0)
    outs = []
    for ws in (speeds, np.array(speeds), list(speeds)):
        a = Adcs(AdcsConfig(unload_gain=0.002))
        for _ in range(5):
            r = a.step(AdcsInput(mode=AdcsMode.POINT, gyro_B=(1e-3, -2e-3, 5e-4),
                                 q_st_BN=(1.0, 0.0, 0.0, 0.0), mag_B=(2e-5, -1e-5, 3e-5),
                                 wheel_speed=ws, tach_new=1,
                                 q_target_BN=(0.9, 0.1, 0.3, 0.3)))
        outs.append(bytes(np.asarray(r.wheel_cmd)) + bytes(np.asarray(r.q_BN)))
    assert outs[0] == outs[1] == outs[2]
    with pytest.raises(GncInputError):
        Adcs(AdcsConfig()).step(AdcsInput(mode=AdcsMode.POINT, gyro_B=(0.0, 0.0, 0.0),
                                          q_st_BN=(1.0, 0.0, 0.0, 0.0), mag_B=(0.0, 0.0, 0.0),
                                          wheel_speed=(1.0, "x", 2.0)))
