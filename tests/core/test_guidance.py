"""GuidanceCore: LocalCore (cffi) and PacketCore over DispatchLink (the
packet path the board serves) give bitwise identical results and the same
typed errors, call for call."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsw.core import GuidanceCore, LocalCore, PacketCore
from fsw.core.attitude import AdcsConfig, AdcsInput, AdcsMode, MekfConfig, propagate
from fsw.core.dispatch import DispatchLink
from fsw.core.ephem import EphemConfig
from fsw.core.errors import (
    GncDomainError,
    GncPacketError,
    GncRangeError,
    GncSingularError,
    GncStateError,
)
from fsw.core.relnav import RelnavConfig, measure
from fsw.core.safety import FacePlan

RNG = np.random.default_rng(99)
_Z3 = (0.0, 0.0, 0.0)


@pytest.fixture
def cores() -> tuple[LocalCore, PacketCore]:
    return LocalCore(), PacketCore(DispatchLink(), clock=lambda: 1.0e9)


def test_both_back_ends_implement_the_interface(cores) -> None:
    for c in cores:
        assert isinstance(c, GuidanceCore)
    with pytest.raises(TypeError):
        GuidanceCore()  # abstract


def test_adcs_closed_sequence_identical(cores) -> None:
    local, packet = cores
    cfg = AdcsConfig(unload_gain=0.002)
    for c in cores:
        c.adcs_configure(cfg)
    q = np.array([1.0, 0.0, 0.0, 0.0])
    target = propagate(q, [0.3, -0.2, 0.5], 1.0)
    for k in range(60):
        mode = [AdcsMode.DETUMBLE, AdcsMode.RATE_DAMP, AdcsMode.POINT, AdcsMode.TARGET][k // 15]
        inp = AdcsInput(mode=mode, gyro_B=RNG.normal(size=3) * 1e-3,
                        q_st_BN=None if k % 3 else propagate(q, RNG.normal(size=3) * 1e-4, 1.0),
                        mag_B=None if k % 7 == 3 else RNG.normal(size=3) * 3e-5,
                        h_wheel=RNG.normal(size=3) * 0.05, q_target_BN=target,
                        r_target_N=RNG.normal(size=3) * 1e3, sun_N=RNG.normal(size=3))
        a, b = local.adcs_step(inp), packet.adcs_step(inp)
        assert a == b, (k, a, b)
    for c in cores:
        c.adcs_reset()
    inp = AdcsInput(mode=AdcsMode.POINT, gyro_B=[0.0, 0.0, 0.0])
    assert local.adcs_step(inp) == packet.adcs_step(inp)  # fallback after reset


def test_mekf_and_relnav_identical(cores) -> None:
    local, packet = cores
    for c in cores:
        c.mekf_configure(MekfConfig())
        c.mekf_reset([1.0, 0.0, 0.0, 0.0], [1e-4, 0.0, 0.0])
        c.relnav_configure(RelnavConfig(gate=16.27))
        c.relnav_reset([-100.0, -1500.0, 50.0, 0.0, 0.2, 0.0], np.diag([100.0] * 3 + [0.01] * 3))
    for k in range(20):
        gyro, q_st = RNG.normal(size=3) * 1e-3, None if k % 2 else [1.0, 1e-4, 0.0, 0.0]
        assert local.mekf_step(0.1, gyro, q_st) == packet.mekf_step(0.1, gyro, q_st)
        meas = measure([-100.0, -1500.0 + k, 50.0, 0, 0, 0])[0] + RNG.normal(size=3) * 1e-3
        dv = (0.0, 0.01, 0.0) if k == 5 else (0.0, 0.0, 0.0)
        ref = ([6.9e6 + k, 1e3, -2e3], [0.0, 5400.0, 5400.0]) if k % 3 else None
        dv_dt = -0.45 if k == 5 else 0.0
        a, b = local.relnav_step(10.0, meas if k % 4 else None, dv, ref, dv_dt=dv_dt), \
            packet.relnav_step(10.0, meas if k % 4 else None, dv, ref, dv_dt=dv_dt)
        assert a == b


def test_pure_functions_identical(cores) -> None:
    local, packet = cores
    n = 0.0011
    x0 = [100.0, -800.0, 30.0, 0.01, 0.2, -0.05]
    calls = [
        ("kepler", ([7e6, 1e5, 0.0], [0.0, 7.5e3, 1e3], 3000.0), {}),
        ("lambert", ([7e6, 0.0, 0.0], [0.0, 7.2e6, 1e5], 4e4), {"nrev": 2, "branch": 1}),
        ("coe_from_rv", ([7e6, 1e5, 0.0], [0.0, 7.5e3, 1e3]), {}),
        ("rv_from_coe", ([7.2e6, 0.01, 0.9, 1.0, 2.0, 3.0],), {}),
        ("j2_rates", (7.2e6, 0.01, 1.7), {}),
        ("cw_targeting", (n, x0, [0.0, -100.0, 0.0], 2000.0), {}),
        ("safety_ellipse", (n, 200.0, 100.0, -50.0, 0.4), {}),
        ("closest_approach", (n, x0, 6000.0), {}),
    ]
    for name, args, kw in calls:
        a, b = getattr(local, name)(*args, **kw), getattr(packet, name)(*args, **kw)
        for x, y in zip(np.atleast_1d(a) if not isinstance(a, tuple) else a,
                        np.atleast_1d(b) if not isinstance(b, tuple) else b, strict=True):
            assert np.array_equal(x, y), name
    pa = local.glideslope(n, x0, [0.0, -100.0, 0.0], -0.5, -0.05, 7)
    pb = packet.glideslope(n, x0, [0.0, -100.0, 0.0], -0.5, -0.05, 7)
    assert np.array_equal(pa.dv, pb.dv) and np.array_equal(pa.t, pb.t)
    assert pa.dv_total == pb.dv_total and pa.duration == pb.duration


def test_same_typed_errors(cores) -> None:
    for c in cores:
        with pytest.raises(GncStateError):
            c.relnav_step(1.0)
        with pytest.raises(GncSingularError):
            c.lambert([7e6, 0.0, 0.0], [-7e6, 0.0, 0.0], 3000.0)
        with pytest.raises(GncDomainError):
            c.glideslope(0.001, [0.0, -1000.0, 0, 0, 0, 0], [0.0, 0.0, 0.0], -0.05, -0.5, 3)


def test_packet_core_reports_link_faults() -> None:
    class Garbling:
        def __init__(self) -> None:
            self.inner = DispatchLink()

        def transact(self, request: bytes, timeout: float) -> bytes:
            resp = bytearray(self.inner.transact(request, timeout))
            resp[-3] ^= 0xFF
            return bytes(resp)

    with pytest.raises(GncPacketError):
        PacketCore(Garbling()).kepler([7e6, 0, 0], [0, 7.5e3, 0], 10.0)

    class Stale:
        def __init__(self) -> None:
            self.inner, self.last = DispatchLink(), None

        def transact(self, request: bytes, timeout: float) -> bytes:
            resp, self.last = self.inner.transact(request, timeout), self.last
            return resp if self.last is None else self.last

    core = PacketCore(Stale())
    core.kepler([7e6, 0, 0], [0, 7.5e3, 0], 10.0)
    core.link.last = core.link.inner.transact(
        core._dict["GNC_KEPLER_REQ"].build(t_tai=0.0, seq=100, mu=1.0, r0=(1, 0, 0),
                                           v0=(0, 1, 0), dt=1.0), 1.0)
    with pytest.raises(GncPacketError, match="sequence"):
        core.kepler([7e6, 0, 0], [0, 7.5e3, 0], 10.0)


# ---- the calls added for the tasks (#13) -------------------------------------------

def _plain(value) -> bool:
    """Plain Python numbers and tuples of them (what the tasks get), no numpy."""
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return type(value) in (float, int) or isinstance(value, int)


def test_new_pure_calls_identical_and_plain(cores) -> None:
    local, packet = cores
    n = 0.0011
    x0 = (100.0, -800.0, 30.0, 0.01, 0.2, -0.05)
    r_t, v_t = (6.9e6, 1.0e5, -2.0e4), (-100.0, 7400.0, 1500.0)
    calls = [
        ("cw_propagate", (n, x0, 1234.5)),
        ("curvilinear_from_hill", (6.9e6, (-4300.0, -42000.0, -250.0, 0.0, 7.1, 0.0))),
        ("curvilinear_dv_to_hill", (6.9e6, (-4300.0, -42000.0, -250.0), (0.1, 1.9, -0.02))),
        ("cw_transfer", (n, x0, (0.0, -100.0, 0.0), 2000.0)),
        ("cw_transfer", (n, x0, (0.0, -100.0, 5.0), np.pi / n)),  # half orbit, flag
        ("cw_best_transfer", (n, x0, (0.0, -100.0, 0.0), (0.0, 0.0, 0.0), 600.0, 6000.0,
                              60.0, 50.0)),
        ("nmc_state", (n, 200.0, 1.2)),
        ("nmc_velocity", (n, (30.0, -150.0, 20.0))),
        ("cw_avoidance", (n, (0.0, -300.0, 0.0, 0.0, 0.3, 0.0), 0.3, 5700.0)),
        ("hill_to_inertial_at", (r_t, v_t, n, 300.0, (0.1, -0.2, 0.05))),
        ("sun_direction", (2.05e9,)),
        ("eclipse", ((-6.9e6, 1.0e6, 0.0), (1.0, 0.0, 0.0))),
        ("orbit_check", (r_t, v_t)),
        ("lambert_min_tof", ((7e6, 0.0, 0.0), (0.0, 7.2e6, 1e5), 2)),
    ]
    for name, args in calls:
        a, b = getattr(local, name)(*args), getattr(packet, name)(*args)
        assert a == b, name
        assert a is None or _plain(a), name
    assert local.cw_transfer(*calls[4][1])[2] == 1  # CROSS_UNCONTROLLED


def test_nav_sequence_identical(cores) -> None:
    from fsw.core import orbit
    from fsw.core.nav import NavConfig, NavInput

    local, packet = cores
    r0, v0 = orbit.rv_from_coe([6.92e6, 0.001, 0.9, 0.4, 1.0, 0.2])
    for c in cores:
        with pytest.raises(GncStateError):
            c.nav_step(NavInput(t=2.1e9))
        c.nav_configure(NavConfig(coast_s=20.0, retry_s=10.0))
        assert c.nav_step(NavInput(t=2.1e9 - 1)).valid == 0
        c.nav_set_target(r0, v0, 2.1e9)
    rng = np.random.default_rng(4)
    for k in range(1, 90):
        t = 2.1e9 + k
        r_c, v_c = orbit.kepler(r0 + rng.normal(size=3) * 5.0 + [0, 600.0, 0], v0, float(k))
        meas = None
        if 20 <= k < 40 or k == 60:
            meas = (1500.0 + k, 0.01 * k, -0.02) if k != 60 else (0.0, 0.1, 0.1)
        inp = NavInput(t=t, gps_t=t - 0.5 if k < 75 else 2.1e9 + 75, gps_r_N=r_c,
                       gps_v_N=v_c, meas_t=t if meas else 0.0, meas=meas,
                       q_BN=(0.9, 0.1, -0.3, 0.2), dv_N=(0.01, 0.0, 0.0) if k == 30 else _Z3,
                       dv_age=0.37 if k == 30 else 0.0)
        a, b = local.nav_step(inp), packet.nav_step(inp)
        assert a == b, (k, a, b)
    assert a.flags & 2  # stale at the end


def test_prop_calls_identical(cores) -> None:
    from fsw.core.prop import PropConfig

    pos = [(-0.5, 0.3, 0.3), (-0.5, 0.3, -0.3), (-0.5, -0.3, 0.3), (-0.5, -0.3, -0.3),
           (0.5, 0.3, 0.3), (0.5, -0.3, -0.3)]
    dirs = [(1.0, 0, 0)] * 4 + [(-1.0, 0, 0)] * 2
    for c in cores:
        with pytest.raises(GncStateError):
            c.prop_partners()
        c.prop_configure(PropConfig(position_B=pos, direction_B=dirs, min_on=0.01))
    local, packet = cores
    q = (0.9, 0.1, -0.3, 0.2)
    calls = [
        ("prop_partners", ()),
        ("prop_select", (0b111011, q, (0.1, -0.2, 0.05))),
        ("prop_burn_attitude", ((1.0, 0.0, 0.0), (0.1, -0.2, 0.05), (0.0, 0.1, 1.0))),
        ("prop_fire", (2, 0.95, 301.0, 0.0123, 0.1)),
        ("prop_fire", (2, 0.95, 301.0, 1e-6, 0.1)),
        ("prop_duration", (4, 1.0, 300.0, 0.25)),
        ("prop_rate_residuals", ((0.01, -0.02, 0.003), (0.0, -0.01, 0.0))),
        ("prop_pulse_response", ((0.3, 0.0, 1.0, 0.8) + (0.0,) * 12,
                                 (0.037, 0.1, 0.1, 0.0) + (0.0,) * 12, 4, 0.1, 0.015, 0.02)),
        ("prop_accel", ((1e-3, -2e-4, 5e-5), 0.1, (1e-3, 2e-4, -3e-4), q)),
        ("prop_offpulse", ((0.1,) * 4 + (0.0,) * 12, (1e-3, -2e-3, 0.0), 1.0, 300.0, q)),
        ("prop_test_response", (3, 1.0, 0.1, (1e-4, -2e-4, 3e-5))),
        ("prop_translate", (0b111111, (1.0, 0.0, 0.0, 0.0), (0.02, 0.0, 0.0), 1.0, 300.0, 0.1)),
        ("prop_translate", (0b111111, (1.0, 0.0, 0.0, 0.0), (-3e-3, 0.0, 0.0), 1.0, 300.0, 0.1)),
        # the centre-of-mass least squares: solved, refused, accumulated without a solution
        ("prop_com_update", ((0.04, 0.0, 0.0, 0.0, 0.04, 0.0, 0.0, 0.0, 0.04), (1e-4, 0.0, -0.0),
                             (0.3, 1.2, -0.4), (3e-3, -1e-3, 2e-4), 0.2, 0.05)),
        ("prop_com_update", ((0.04,) + (0.0,) * 8, _Z3, (0.1, 0.0, 0.0), _Z3, 0.2, 0.05)),
        ("prop_com_update", ((0.0,) * 9, _Z3, (1.0, 0.0, 0.0), (0.0, 0.01, 0.0), 0.2, 0.05)),
        ("prop_com_torque", ((0.36, 0.01, 0.0, 0.01, 0.5, -0.02, 0.0, -0.02, 0.4),
                             (0.004, -0.007, 0.011), (0.3, 1.2, -0.4), 3e-3)),
    ]
    for name, args in calls:
        a, b = getattr(local, name)(*args), getattr(packet, name)(*args)
        assert a == b and _plain(a), name
    for c in cores:
        with pytest.raises(GncDomainError):
            c.prop_select(0b000001, q, (0.1, 0.0, 0.0))  # no pair left
        with pytest.raises(GncDomainError):  # x thrusters only: no translation along y
            c.prop_translate(0b111111, (1.0, 0.0, 0.0, 0.0), (0.0, 0.01, 0.0), 1.0, 300.0, 0.1)
        with pytest.raises(GncDomainError):  # no minimum impulse
            c.prop_com_update((0.0,) * 9, _Z3, (1.0, 0.0, 0.0), _Z3, 0.0, 0.05)
        with pytest.raises(GncDomainError):  # an on-time longer than the cycle
            c.prop_pulse_response((0.0,) * 16, (0.2,) + (0.0,) * 15, 1, 0.1, 0.015, 0.02)
        with pytest.raises(GncRangeError):  # more thrusters than the core handles
            c.prop_pulse_response((0.0,) * 16, (0.0,) * 16, 17, 0.1, 0.015, 0.02)
    assert [local.prop_com_update(*args)[3] for name, args in calls[-4:-1]] == [2, 0, 1]
    for c in cores:
        with pytest.raises(GncDomainError):  # the least squares' matrix singular
            c.prop_com_torque((0.0,) * 9, _Z3, (1.0, 0.0, 0.0), 3e-3)


def test_adcs_new_inputs_identical(cores) -> None:
    axes = [(1.0, 0, 0), (0, 1.0, 0), (0, 0, 1.0), (0.57735, 0.57735, 0.57735)]
    cfg = AdcsConfig(unload_gain=0.002, wheel_count=4, wheel_axes_B=axes,
                     detumble_wheel_rate=0.012)
    for c in cores:
        c.adcs_configure(cfg)
    local, packet = cores
    q = np.array([1.0, 0.0, 0.0, 0.0])
    for k in range(80):
        mode = [AdcsMode.DETUMBLE, AdcsMode.SUN, AdcsMode.TARGET, AdcsMode.RATE_DAMP][k // 20]
        inp = AdcsInput(mode=mode, gyro_B=RNG.normal(size=3) * 1e-2,
                        q_st_BN=None if k % 3 else propagate(q, RNG.normal(size=3) * 1e-4, 1.0),
                        mag_B=RNG.normal(size=3) * 3e-5, wheel_speed=RNG.normal(size=4) * 50,
                        tach_new=k % 10 == 0, wheel_ok=0b1111 if k < 50 else 0b1011,
                        r_target_N=RNG.normal(size=3) * 1e3, v_target_N=(0.1, 0.2, 0.0),
                        target_age=0.3, sun_N=RNG.normal(size=3), normal_N=(0.0, 0.2, 1.0))
        a, b = local.adcs_step(inp), packet.adcs_step(inp)
        assert a == b, (k, a, b)


def test_safety_calls_identical_and_plain(cores) -> None:
    """The passive-safety unit (gnc_safety) gives the same bits through the
    packet path (the board's) as in-process, and plain numbers."""
    from fsw.core.safety import DriftModel

    local, packet = cores
    r_t, v_t = (6878137.0, 0.0, 0.0), (0.0, 5383.0, 5383.0)
    x_rel = (250.0, -900.0, 0.0, 0.0, -0.55, 0.28)
    P = tuple(np.diag([9.0, 25.0, 9.0, 1e-6, 1e-6, 1e-6]).ravel().tolist())
    model = DriftModel(horizon=6000.0, step=30.0, bc_target=60.0, bc_chaser=100.0,
                       rho0=5e-13)
    for args in ((model, r_t, v_t, x_rel, P), (model, r_t, v_t, x_rel, None)):
        a, b = local.drift_screen(*args), packet.drift_screen(*args)
        assert tuple(a) == tuple(b)
        assert _plain(tuple(a))
    for faces in (None, FacePlan(1.0, 1.4, 120.0, 0.6)):
        a = local.inspection_phase(0.0011, 250.0, 250.0, r_t, v_t, 600.0, 5000.0,
                                   (0.3, 0.9, 0.3), 1.0, faces=faces)
        b = packet.inspection_phase(0.0011, 250.0, 250.0, r_t, v_t, 600.0, 5000.0,
                                    (0.3, 0.9, 0.3), 1.0, faces=faces)
        assert a == b and _plain(tuple(a))


def test_phasing_plan_identical_with_the_same_refusals(cores) -> None:
    """The far-range phasing plan (gnc_phasing) through the packet path gives
    the same plan, bit for bit, in plain numbers, and the same typed errors:
    a drift too far from the target's semi-major axis names it in the
    message and the detail on both (the packet path's outputs of a failed
    call are zero: PacketCore asks the figures again)."""
    local, packet = cores
    a, mu = 6878137.0, 3.986004418e14
    r_t = (a, 0.0, 0.0)
    v_t = tuple((math.sqrt(mu / a) * np.array([0.0, math.cos(0.9), math.sin(0.9)])).tolist())
    th, rc = -300e3 / a, a - 4000.0
    p, q = np.array(r_t) / a, np.array(v_t) / np.linalg.norm(v_t)
    r_c = tuple((rc * (math.cos(th) * p + math.sin(th) * q)).tolist())
    v_c = tuple((math.sqrt(mu / rc) * (-math.sin(th) * p + math.cos(th) * q)).tolist())
    t = 2.1e9
    drag = EphemConfig(drag_bc=0.02, drag_rho0=3e-13, drag_h0=500e3, drag_hs=60e3,
                       drag_omega=7.292115e-5)
    for cfg in (EphemConfig(), EphemConfig(j2=0.0, step=30.0), drag):
        for aim_behind, aim_below, hours in ((40e3, 4e3, 12.0), (0.0, 0.0, 20.0)):
            args = (cfg, r_c, v_c, r_t, v_t, t, t + 600.0, t + hours * 3600.0, aim_behind,
                    aim_below, 30e3)
            x, y = local.phasing_plan(*args), packet.phasing_plan(*args)
            assert x == y
            assert _plain((x.phase, *x.t_burn, *x.dv, x.delta_a, x.period))
    bad = [
        # the drift needs ~30 km of semi-major axis: at most 5 km
        ((EphemConfig(), r_c, v_c, r_t, v_t, t, t, t + 3 * 3600.0, 40e3, 4e3, 5e3),
         GncRangeError),
        # an arrival less than a period after the first burn, a negative aim
        ((EphemConfig(), r_c, v_c, r_t, v_t, t, t, t + 3000.0, 40e3, 4e3, 30e3), GncDomainError),
        ((EphemConfig(), r_c, v_c, r_t, v_t, t, t, t + 9e4, -1.0, 4e3, 30e3), GncDomainError),
    ]
    for args, exc in bad:
        got = []
        for c in cores:
            with pytest.raises(exc) as info:
                c.phasing_plan(*args)
            got.append((str(info.value), info.value.detail))
        assert got[0] == got[1], got
    with pytest.raises(GncRangeError) as info:
        packet.phasing_plan(*bad[0][0])
    assert "at most 5.0 km): arrive later" in str(info.value)
    assert info.value.detail["max_delta_a"] == 5e3 and abs(info.value.detail["delta_a"]) > 5e3


def test_packet_fields_take_plain_values_as_numpy_would() -> None:
    """PacketCore's field conversion: plain floats, ints, bools and flat
    sequences of them skip numpy; every value, and its type, is the one the
    numpy path gives."""
    from fsw.core.guidance import _wire

    def numpy_path(value):
        a = np.asarray(value, dtype=np.float64).reshape(-1)
        return float(a[0]) if a.shape == (1,) and np.ndim(value) == 0 else tuple(a.tolist())

    for v in [1.5, 3, True, -0.0, [1, 0, 0, 0], (1.0, 2.5), [True, 2], np.array([1.0, 2.0]),
              np.float64(2.0), np.array(3.0), [[1, 2], [3, 4]], [np.float64(1.0), 2.0],
              np.array([1, 2]), np.zeros((2, 2)), [], (7,), 2**60]:
        got, want = _wire(v), numpy_path(v)
        assert got == want and type(got) is type(want), v
        if isinstance(got, tuple):
            assert all(type(x) is float for x in got)
        else:
            assert math.copysign(1.0, got) == math.copysign(1.0, want)
