"""GuidanceCore: LocalCore (cffi) and PacketCore over DispatchLink (the
packet path the board serves) give bitwise identical results and the same
typed errors, call for call."""

from __future__ import annotations

import numpy as np
import pytest

from fsw.core import GuidanceCore, LocalCore, PacketCore
from fsw.core.attitude import AdcsConfig, AdcsInput, AdcsMode, MekfConfig, propagate
from fsw.core.dispatch import DispatchLink
from fsw.core.errors import GncDomainError, GncPacketError, GncSingularError, GncStateError
from fsw.core.relnav import RelnavConfig, measure

RNG = np.random.default_rng(99)


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
        a, b = local.relnav_step(10.0, meas if k % 4 else None, dv), packet.relnav_step(
            10.0, meas if k % 4 else None, dv)
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
