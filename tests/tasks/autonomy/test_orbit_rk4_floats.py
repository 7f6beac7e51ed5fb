"""The on-board ephemeris propagates on plain floats: it must give the very
bits the numpy form of the same RK4 gives (the packet stream depends on it)."""

from __future__ import annotations

import math

import numpy as np

from fsw.tasks.autonomy import orbit
from fsw.tasks.autonomy.orbit import J2, MU, R_EARTH


def _accel_np(r: np.ndarray) -> np.ndarray:
    """The numpy form (as the ephemeris had it before the float rewrite)."""
    x, y, z = r
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    k = -MU / (r2 * rn)
    f = 1.5 * J2 * MU * R_EARTH**2 / (r2 * r2 * rn)
    zz = 5.0 * z * z / r2
    return np.array(
        [k * x + f * x * (zz - 1.0), k * y + f * y * (zz - 1.0), k * z + f * z * (zz - 3.0)]
    )


def _rk4_np(r: np.ndarray, v: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    a1 = _accel_np(r)
    r2, v2 = r + 0.5 * h * v, v + 0.5 * h * a1
    a2 = _accel_np(r2)
    r3, v3 = r + 0.5 * h * v2, v + 0.5 * h * a2
    a3 = _accel_np(r3)
    r4, v4 = r + h * v3, v + h * a3
    a4 = _accel_np(r4)
    return (
        r + h / 6.0 * (v + 2 * v2 + 2 * v3 + v4),
        v + h / 6.0 * (a1 + 2 * a2 + 2 * a3 + a4),
    )


def _leo_states(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        r = u * rng.uniform(6.6e6, 7.5e6)
        w = np.cross(u, rng.normal(size=3))
        w /= np.linalg.norm(w)
        v = w * rng.uniform(7.0e3, 8.0e3) + rng.normal(size=3) * 50.0
        yield r, v


def test_float_rk4_step_is_bit_identical_to_numpy() -> None:
    for r, v in _leo_states(300):
        for h in (10.0, 0.1, 7.3, -4.5, 1e-3):
            r1, v1 = _rk4_np(r, v, h)
            r2, v2 = orbit._rk4(r, v, h)
            assert r2.tobytes() == r1.tobytes()
            assert v2.tobytes() == v1.tobytes()


def test_ephemeris_matches_numpy_propagation_bit_for_bit() -> None:
    for r0, v0 in _leo_states(5, seed=11):
        eph = orbit.StateEphemeris(100.0, r0, v0, step_s=10.0)
        r, v, t = r0.copy(), v0.copy(), 100.0
        for t_next in (100.0, 100.1, 103.7, 150.0, 1234.5, 1234.6, 5000.0):
            dt = t_next - t
            n = math.ceil(dt / 10.0) if dt > 0 else 0
            for _ in range(n):
                r, v = _rk4_np(r, v, dt / n)
            t = t_next
            re, ve = eph.state(t_next)
            assert re.tobytes() == r.tobytes() and ve.tobytes() == v.tobytes()
        # backwards from the cache (a re-plan in the past), the cache kept
        rb, vb = r.copy(), v.copy()
        for _ in range(30):
            rb, vb = _rk4_np(rb, vb, -300.0 / 30)
        re, ve = eph.state(4700.0)
        assert re.tobytes() == rb.tobytes() and ve.tobytes() == vb.tobytes()
        re, ve = eph.state(5000.0)
        assert re.tobytes() == r.tobytes() and ve.tobytes() == v.tobytes()
