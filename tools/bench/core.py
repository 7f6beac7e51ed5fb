"""Benchmark of the C guidance core called from Python (fsw.core), beside a
straightforward numpy implementation of the same computation in the same run.

- ADCS control step (MEKF propagate + star-tracker update, slew guidance,
  PD, unloading, allocation; POINT mode): ``Adcs.step`` vs :class:`NumpyAdcs`;
- relative-navigation EKF step with a measurement (CW propagation + update):
  ``Relnav.step`` vs :func:`numpy_relnav_step`;
- calls/s of every other step function from Python, and of the packet path
  (PacketCore over DispatchLink: build, C dispatch, parse);
- the bare cffi call overhead (a trivial C function, preallocated pointers).

The numpy references are checked against the C results before timing (they
compute the same thing). Rates are the best of several repeats. The last
line is one JSON object with the keys control_vs_numpy, ekf_vs_numpy,
lambert_per_s, cffi_call_ns, and every printed rate (adcs_step_per_s,
relnav_step_per_s, kepler_per_s, ...: for ``against.py``).

Run: ``python tools/bench/core.py`` (``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import numpy as np

from fsw.core import LocalCore, PacketCore, orbit, relative
from fsw.core._ffi import ffi, lib
from fsw.core.attitude import Adcs, AdcsConfig, AdcsInput, AdcsMode
from fsw.core.dispatch import DispatchLink
from fsw.core.relnav import Relnav, RelnavConfig


def best_rate(fn: Callable[[], object], calls: int, repeats: int) -> float:
    """Calls per second of the fastest of ``repeats`` loops of ``calls`` calls."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, time.perf_counter() - t0)
    return calls / best


# -- numpy references ------------------------------------------------------------


def qmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    w1, x1, y1, z1 = a
    w2, x2, y2, z2 = b
    return np.array([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2, w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                     w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2, w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2])


def conj(q: np.ndarray) -> np.ndarray:
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def dcm(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def skew(w: np.ndarray) -> np.ndarray:
    return np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])


def propagate(q: np.ndarray, w: np.ndarray, dt: float) -> np.ndarray:
    wn = np.linalg.norm(w)
    half = 0.5 * wn * dt
    s = 0.5 * dt if wn * dt < 1e-12 else np.sin(half) / wn
    out = qmul(np.r_[np.cos(half), -w * s], q)
    return out / np.linalg.norm(out)


def rotvec(q: np.ndarray) -> np.ndarray:
    if q[0] < 0:
        q = -q
    vn = np.linalg.norm(q[1:])
    return np.zeros(3) if vn == 0 else -2.0 * np.arctan2(vn, q[0]) * q[1:] / vn


class NumpyAdcs:
    """The ADCS POINT-mode cycle of gnc_adcs_step, in plain numpy."""

    def __init__(self, cfg: AdcsConfig, q0: np.ndarray) -> None:
        self.c = cfg
        self.J = np.asarray(cfg.inertia, float).reshape(3, 3)
        self.q = q0.copy()
        self.b = np.zeros(3)
        self.P = np.diag([cfg.mekf.p0_att**2] * 3 + [cfg.mekf.p0_bias**2] * 3)
        self.q_r = q0.copy()
        self.w_r = np.zeros(3)
        self.first = True

    def step(self, gyro, q_st, mag, h, q_t):
        c, m, dt = self.c, self.c.mekf, self.c.dt
        # MEKF propagation
        w = gyro - self.b
        self.q = propagate(self.q, w, dt)
        W = skew(w)
        wn = np.linalg.norm(w)
        th = wn * dt
        a, b = np.sin(th) / wn, (1 - np.cos(th)) / wn**2
        d = (th - np.sin(th)) / wn**3
        Phi = np.eye(6)
        Phi[:3, :3] = np.eye(3) - a * W + b * W @ W
        Phi[:3, 3:] = -(np.eye(3) * dt - b * W + d * W @ W)
        Q = np.zeros((6, 6))
        Q[:3, :3] = np.eye(3) * (m.gyro_arw**2 * dt + m.gyro_rrw**2 * dt**3 / 3)
        Q[:3, 3:] = Q[3:, :3] = -np.eye(3) * m.gyro_rrw**2 * dt**2 / 2
        Q[3:, 3:] = np.eye(3) * m.gyro_rrw**2 * dt
        self.P = Phi @ self.P @ Phi.T + Q
        # star-tracker update
        dq = qmul(q_st / np.linalg.norm(q_st), conj(self.q))
        z = rotvec(dq)
        H = np.hstack([np.eye(3), np.zeros((3, 3))])
        R = np.eye(3) * m.st_sigma**2
        K = self.P @ H.T @ np.linalg.inv(H @ self.P @ H.T + R)
        dx = K @ z
        self.q = qmul(np.r_[1.0, -0.5 * dx[:3]], self.q)
        self.q /= np.linalg.norm(self.q)
        self.b = self.b + dx[3:]
        IKH = np.eye(6) - K @ H
        self.P = IKH @ self.P @ IKH.T + K @ R @ K.T
        self.P = 0.5 * (self.P + self.P.T)
        w = gyro - self.b
        # slew guidance (first cycle: start at the estimate, no propagation)
        if self.first:
            self.q_r, self.w_r, wT = self.q.copy(), w.copy(), np.zeros(3)
            self.first = False
        else:
            self.q_r = propagate(self.q_r, self.w_r, dt)
            wT = rotvec(qmul(q_t, conj(self.q_t_prev))) / dt
        self.q_t_prev = q_t.copy()
        q_tr = qmul(q_t, conj(self.q_r))
        rv = rotvec(q_tr)
        phi = np.linalg.norm(rv)
        wT = dcm(conj(q_tr if q_tr[0] >= 0 else -q_tr)) @ wT
        amax = c.slew_accel_max * dt
        speed = min(c.slew_rate_max, np.sqrt(2 * c.slew_accel_max * phi), phi / dt)
        wdes = (rv * speed / phi if phi > 0 else 0.0) + wT
        dw = wdes - self.w_r
        if np.linalg.norm(dw) > amax:
            dw *= amax / np.linalg.norm(dw)
        self.w_r = self.w_r + dw
        a_r = dw / dt
        # PD
        q_br = qmul(self.q, conj(self.q_r))
        q_br = q_br if q_br[0] >= 0 else -q_br
        C = dcm(q_br)
        wr = C @ self.w_r
        ar = C @ a_r - np.cross(w, wr)
        torque = (2 * c.kp * q_br[1:] - c.kd * (w - wr) + np.cross(w, self.J @ w + h)
                  + self.J @ ar)
        # unloading and allocation
        mdip = c.unload_gain * np.cross(h, mag) / (mag @ mag)
        if np.abs(mdip).max() > c.dipole_max:
            mdip *= c.dipole_max / np.abs(mdip).max()
        tm = np.cross(mdip, mag)
        cmd = tm - torque
        if np.abs(cmd).max() > c.wheel_torque_max:
            cmd *= c.wheel_torque_max / np.abs(cmd).max()
        cmd[(h >= c.wheel_momentum_max) & (cmd > 0)] = 0.0
        cmd[(h <= -c.wheel_momentum_max) & (cmd < 0)] = 0.0
        return self.q, cmd, mdip


def numpy_relnav_step(state: dict, cfg: RelnavConfig, dt: float, z: np.ndarray) -> None:
    """CW propagation and range/azimuth/elevation update, in plain numpy."""
    n = cfg.n
    s, c = np.sin(n * dt), np.cos(n * dt)
    Phi = np.array([
        [4 - 3 * c, 0, 0, s / n, 2 * (1 - c) / n, 0],
        [6 * (s - n * dt), 1, 0, -2 * (1 - c) / n, (4 * s - 3 * n * dt) / n, 0],
        [0, 0, c, 0, 0, s / n],
        [3 * n * s, 0, 0, c, 2 * s, 0],
        [-6 * n * (1 - c), 0, 0, -2 * s, 4 * c - 3, 0],
        [0, 0, -n * s, 0, 0, c]])
    q = cfg.accel_psd
    Q = np.zeros((6, 6))
    Q[:3, :3] = np.eye(3) * q * dt**3 / 3
    Q[:3, 3:] = Q[3:, :3] = np.eye(3) * q * dt**2 / 2
    Q[3:, 3:] = np.eye(3) * q * dt
    x = Phi @ state["x"]
    P = Phi @ state["P"] @ Phi.T + Q
    rho = -x[:3]
    s2 = rho[0] ** 2 + rho[1] ** 2
    R2 = s2 + rho[2] ** 2
    h = np.array([np.sqrt(R2), np.arctan2(rho[1], rho[0]), np.arctan2(rho[2], np.sqrt(s2))])
    H = np.zeros((3, 6))
    H[0, :3] = -rho / np.sqrt(R2)
    H[1, :3] = [rho[1] / s2, -rho[0] / s2, 0.0]
    H[2, :3] = [rho[2] * rho[0] / (R2 * np.sqrt(s2)), rho[2] * rho[1] / (R2 * np.sqrt(s2)),
                -np.sqrt(s2) / R2]
    y = z - h
    y[1] = (y[1] + np.pi) % (2 * np.pi) - np.pi
    # range noise grows with the range; the azimuth's with 1/cos(elevation)
    # (gnc_relnav_noise, at the predicted measurement)
    sr = cfg.sigma_range + cfg.sigma_range_frac * abs(h[0])
    ce = max(np.cos(h[2]), 1e-3)
    R = np.diag([sr**2, cfg.sigma_angle**2 / ce**2, cfg.sigma_angle**2])
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    IKH = np.eye(6) - K @ H
    state["x"] = x + K @ y
    state["P"] = IKH @ P @ IKH.T + K @ R @ K.T


def numpy_kepler(r0: np.ndarray, v0: np.ndarray, dt: float, mu: float) -> tuple:
    """Universal-variable Kepler propagation (Newton on chi), in plain numpy."""
    r0n, rv, v2 = np.linalg.norm(r0), r0 @ v0, v0 @ v0
    alpha, sq = 2.0 / r0n - v2 / mu, np.sqrt(mu)
    chi = sq * dt * alpha if alpha > 1e-12 else sq * dt / r0n

    def stumpff(z):
        if z > 1e-6:
            s = np.sqrt(z)
            return (1 - np.cos(s)) / z, (s - np.sin(s)) / s**3
        if z < -1e-6:
            s = np.sqrt(-z)
            return (1 - np.cosh(s)) / z, (np.sinh(s) - s) / s**3
        return 0.5 - z / 24, 1 / 6 - z / 120

    for _ in range(100):
        psi = chi * chi * alpha
        c2, c3 = stumpff(psi)
        r = chi**2 * c2 + rv / sq * chi * (1 - psi * c3) + r0n * (1 - psi * c2)
        F = rv / sq * chi**2 * c2 + (1 - alpha * r0n) * chi**3 * c3 + r0n * chi - sq * dt
        step = F / r
        chi -= step
        if abs(step) < 1e-12 * max(abs(chi), 1e-3):
            break
    psi = chi * chi * alpha
    c2, c3 = stumpff(psi)
    r = chi**2 * c2 + rv / sq * chi * (1 - psi * c3) + r0n * (1 - psi * c2)
    f, g = 1 - chi**2 / r0n * c2, dt - chi**3 / sq * c3
    fd, gd = sq / (r * r0n) * chi * (psi * c3 - 1), 1 - chi**2 / r * c2
    return f * r0 + g * v0, fd * r0 + gd * v0


def numpy_cw_targeting(n: float, x0: np.ndarray, r_f: np.ndarray, tof: float) -> tuple:
    """Two-impulse CW targeting to rest at r_f, in plain numpy."""
    s, c, nt = np.sin(n * tof), np.cos(n * tof), n * tof
    rr = np.array([[4 - 3 * c, 0, 0], [6 * (s - nt), 1, 0], [0, 0, c]])
    rv = np.array([[s / n, 2 * (1 - c) / n, 0], [-2 * (1 - c) / n, (4 * s - 3 * nt) / n, 0],
                   [0, 0, s / n]])
    vr = np.array([[3 * n * s, 0, 0], [-6 * n * (1 - c), 0, 0], [0, 0, -n * s]])
    vv = np.array([[c, 2 * s, 0], [-2 * s, 4 * c - 3, 0], [0, 0, c]])
    v_dep = np.linalg.solve(rv, r_f - rr @ x0[:3])
    return v_dep - x0[3:], -(vr @ x0[:3] + vv @ v_dep)


# -- benchmarks --------------------------------------------------------------------


def bench_control(calls: int, repeats: int) -> dict[str, float]:
    cfg = AdcsConfig(unload_gain=0.002)
    q0 = np.array([1.0, 0.0, 0.0, 0.0])
    q_t = propagate(q0, np.array([0.3, -0.2, 0.5]), 1.0)
    gyro, mag, h = np.array([1e-3, -2e-3, 5e-4]), np.array([2e-5, -1e-5, 3e-5]), np.array(
        [0.01, 0.02, -0.01])
    inp = AdcsInput(mode=AdcsMode.POINT, gyro_B=gyro, q_st_BN=q0, mag_B=mag, h_wheel=h,
                    q_target_BN=q_t)
    # the numpy reference computes the same thing: compare 50 cycles first
    a, ref = Adcs(cfg), NumpyAdcs(cfg, q0)
    a.step(AdcsInput(mode=AdcsMode.OFF, gyro_B=gyro, q_st_BN=q0, mag_B=mag, h_wheel=h))
    ref.first = True
    worst = 0.0
    for _ in range(50):
        r = a.step(inp)
        qn, cmd, _ = ref.step(gyro, q0, mag, h, q_t)
        worst = max(worst, float(np.abs(r.wheel_torque - cmd).max() / cfg.wheel_torque_max),
                    float(np.abs(r.q_BN - qn).max()))
    assert worst < 1e-9, f"numpy reference disagrees with the C step: {worst}"
    c_rate = best_rate(lambda: a.step(inp), calls, repeats)
    np_rate = best_rate(lambda: ref.step(gyro, q0, mag, h, q_t), max(calls // 20, 50), repeats)
    return {"adcs_step_per_s": c_rate, "adcs_numpy_per_s": np_rate, "ref_max_diff": worst}


def bench_ekf(calls: int, repeats: int) -> dict[str, float]:
    cfg = RelnavConfig()
    x0 = np.array([-200.0, -1500.0, 100.0, 0.0, 0.44, 0.05])
    P0 = np.diag([20.0, 20.0, 20.0, 0.05, 0.05, 0.05]) ** 2
    z = np.array([1520.0, 1.44, -0.06])
    f = Relnav(cfg)
    f.reset(x0, P0)
    state = {"x": x0.copy(), "P": P0.copy()}
    r = f.step(1.0, z)
    numpy_relnav_step(state, cfg, 1.0, z)
    diff = float(np.abs(r.x - state["x"]).max())
    assert diff < 1e-9, f"numpy EKF disagrees with the C step: {diff}"

    # both sides run consecutive filter cycles (propagate 1 s + update)
    f.reset(x0, P0)
    c_rate = best_rate(lambda: f.step(1.0, z), calls, repeats)
    state = {"x": x0.copy(), "P": P0.copy()}
    np_rate = best_rate(lambda: numpy_relnav_step(state, cfg, 1.0, z), max(calls // 20, 50),
                        repeats)
    f.reset(x0, P0)
    with_reset = best_rate(lambda: (f.reset(x0, P0), f.step(1.0, z)), calls, repeats)
    return {"relnav_step_per_s": c_rate, "relnav_numpy_per_s": np_rate,
            "relnav_reset_and_step_per_s": with_reset, "ref_max_diff": diff}


def bench_functions(calls: int, repeats: int) -> dict[str, float]:
    n = 0.0011
    x0 = np.array([100.0, -800.0, 30.0, 0.01, 0.2, -0.05])
    r1, r2 = np.array([7e6, 0.0, 0.0]), np.array([0.0, 7.2e6, 1e5])
    out = {
        "lambert_per_s": best_rate(lambda: orbit.lambert(r1, r2, 3000.0), calls, repeats),
        "lambert_2rev_per_s": best_rate(lambda: orbit.lambert(r1, r2, 4e4, nrev=2),
                                        max(calls // 4, 50), repeats),
        "kepler_per_s": best_rate(lambda: orbit.kepler(r1, [0.0, 7.5e3, 1e3], 3000.0), calls,
                                  repeats),
        "cw_targeting_per_s": best_rate(
            lambda: relative.cw_two_impulse(n, x0, [0.0, -100.0, 0.0], 2000.0), calls, repeats),
        "glideslope_per_s": best_rate(
            lambda: relative.glideslope(n, x0, [0.0, -100.0, 0.0], -0.5, -0.05, 8), calls,
            repeats),
        "closest_approach_per_s": best_rate(
            lambda: relative.closest_approach(n, x0, 6000.0), max(calls // 10, 50), repeats),
    }
    # numpy references of two of them (checked equal first)
    v0 = np.array([0.0, 7.5e3, 1e3])
    rk, _ = orbit.kepler(r1, v0, 3000.0)
    assert np.abs(numpy_kepler(r1, v0, 3000.0, orbit.MU_EARTH)[0] - rk).max() < 1e-6
    d1, _ = relative.cw_two_impulse(n, x0, [0.0, -100.0, 0.0], 2000.0)
    assert np.abs(numpy_cw_targeting(n, x0, np.array([0.0, -100.0, 0.0]), 2000.0)[0]
                  - d1).max() < 1e-12
    out["kepler_numpy_per_s"] = best_rate(
        lambda: numpy_kepler(r1, v0, 3000.0, orbit.MU_EARTH), max(calls // 20, 50), repeats)
    out["cw_targeting_numpy_per_s"] = best_rate(
        lambda: numpy_cw_targeting(n, x0, np.array([0.0, -100.0, 0.0]), 2000.0),
        max(calls // 20, 50), repeats)
    local, packet = LocalCore(), PacketCore(DispatchLink())
    out["kepler_local_core_per_s"] = best_rate(
        lambda: local.kepler(r1, [0.0, 7.5e3, 1e3], 3000.0), calls, repeats)
    out["kepler_packet_core_per_s"] = best_rate(
        lambda: packet.kepler(r1, [0.0, 7.5e3, 1e3], 3000.0), max(calls // 4, 50), repeats)
    cfg = AdcsConfig()
    packet.adcs_configure(cfg)
    inp = AdcsInput(mode=AdcsMode.POINT, gyro_B=[1e-3, 0, 0], q_st_BN=[1, 0, 0, 0],
                    mag_B=[2e-5, 0, 1e-5], q_target_BN=[0.9, 0.1, 0.3, 0.3])
    out["adcs_packet_core_per_s"] = best_rate(lambda: packet.adcs_step(inp),
                                              max(calls // 4, 50), repeats)
    return out


def bench_cffi(calls: int, repeats: int) -> float:
    """ns per call of a trivial C function with preallocated cdata pointers."""
    q, r = ffi.new("double[4]", [1.0, 0.0, 0.0, 0.0]), ffi.new("double[4]")
    conj_ = lib.gnc_quat_conj
    rate = best_rate(lambda: conj_(q, r), calls, repeats)
    loop = best_rate(lambda: None, calls, repeats)  # the Python loop and lambda alone
    return max(1e9 / rate - 1e9 / loop, 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run (fewer calls, repeats)")
    args = ap.parse_args()
    calls, repeats = (2000, 3) if args.quick else (20000, 5)
    ctl = bench_control(calls, repeats)
    ekf = bench_ekf(calls, repeats)
    fns = bench_functions(calls, repeats)
    cffi_ns = bench_cffi(calls * 5, repeats)
    control_ratio = ctl["adcs_step_per_s"] / ctl["adcs_numpy_per_s"]
    ekf_ratio = ekf["relnav_step_per_s"] / ekf["relnav_numpy_per_s"]
    print(f"ADCS control step   C via fsw.core {ctl['adcs_step_per_s']:12,.0f} /s   "
          f"numpy {ctl['adcs_numpy_per_s']:10,.0f} /s   ratio {control_ratio:6.1f}x (target >= 20)")
    print(f"relnav EKF step     C via fsw.core {ekf['relnav_step_per_s']:12,.0f} /s   "
          f"numpy {ekf['relnav_numpy_per_s']:10,.0f} /s   ratio {ekf_ratio:6.1f}x (target >= 20)"
          f"   (with a reset each call {ekf['relnav_reset_and_step_per_s']:,.0f} /s)")
    for k, v in fns.items():
        print(f"{k:28s} {v:12,.0f}")
    print(f"bare cffi call      {cffi_ns:8.0f} ns")
    print(f"numpy references agree with C to {max(ctl['ref_max_diff'], ekf['ref_max_diff']):.1e}")
    print(json.dumps({"control_vs_numpy": round(control_ratio, 2),
                      "ekf_vs_numpy": round(ekf_ratio, 2),
                      "lambert_per_s": round(fns["lambert_per_s"]),
                      "cffi_call_ns": round(cffi_ns, 1),
                      "adcs_step_per_s": round(ctl["adcs_step_per_s"]),
                      "relnav_step_per_s": round(ekf["relnav_step_per_s"]),
                      **{k: round(v) for k, v in fns.items() if k != "lambert_per_s"}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
