"""Benchmark of the truth simulation (issue #6): the simulation-only real-time
factor of both spacecraft -- the chaser with attitude and four reaction wheels
at 10 Hz (J2, gravity gradient, magnetorquer torque in the tilted dipole),
the target orbit-only -- over one simulated day, stepped one tick per call from
Python as the lockstep executive does.

Also printed, for context: the same day in one native call (the core's own
cost), the world with every sensor model sampled at its rate (no bus), and the
anchor measured in the same run: the same dynamics written in plain numpy
(RK4, one tick per call), run for a short span. Target: sim_rtf >= 5000.

    python tools/bench/sim.py [--quick]

The last line is JSON with the key ``sim_rtf``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

# Run as a script, this folder is first on sys.path and its hil.py (another
# benchmark) would shadow the hil package: drop the folder from the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import numpy as np  # noqa: E402

from hil.sim import constants as k  # noqa: E402
from hil.sim.config import SpacecraftConfig, WorldConfig  # noqa: E402
from hil.sim.sensors import SENSOR_NAMES, build_sensors  # noqa: E402
from hil.sim.world import World  # noqa: E402

DT = 0.1


def make_world() -> World:
    cfg = WorldConfig(step=DT, chaser=SpacecraftConfig(hill_position=[0.0, -2000.0, 0.0],
                                                       rate=[0.01, -0.005, 0.002]))
    w = World(cfg)
    w.set_mtq_dipole([1.0, -0.5, 0.2])
    return w


def bench_ticks(seconds: float) -> float:
    """RTF with one cffi call per tick and a new wheel command every tick."""
    w = make_world()
    n = round(seconds / DT)
    cmd = w.chaser.wheel_torque_cmd
    step = w.step
    t0 = time.perf_counter()
    for i in range(n):
        cmd[i & 3] = 1e-4 * ((i >> 2) & 1) - 5e-5
        step()
    wall = time.perf_counter() - t0
    return seconds / wall


def bench_batch(seconds: float) -> float:
    w = make_world()
    t0 = time.perf_counter()
    w.step(round(seconds / DT))
    return seconds / (time.perf_counter() - t0)


def bench_with_sensors(seconds: float) -> float:
    """RTF of the world plus every sensor model at its rate (no packets)."""
    w = make_world()
    sensors = build_sensors(w.config.sensors, 1)
    every = {s: max(1, round(sensors[s].period / DT)) for s in SENSOR_NAMES}
    n = round(seconds / DT)
    t0 = time.perf_counter()
    for i in range(n):
        w.step()
        for name in SENSOR_NAMES:
            if i % every[name] == 0:
                sensors[name].sample(w)
    return seconds / (time.perf_counter() - t0)


# ---------------------------------------------------------------- numpy anchor
def _accel(r: np.ndarray) -> np.ndarray:
    r2 = r @ r
    rn = math.sqrt(r2)
    z2 = r[2] * r[2] / r2
    f = 1.5 * k.J2 * k.R_EARTH**2 / r2
    return -k.MU_EARTH / (r2 * rn) * r * np.array([1 + f * (1 - 5 * z2), 1 + f * (1 - 5 * z2),
                                                   1 + f * (3 - 5 * z2)])


def _deriv(x: np.ndarray, inertia: np.ndarray, i_eff_inv: np.ndarray, axes: np.ndarray,
           jw: np.ndarray, u: np.ndarray) -> np.ndarray:
    r, v, q, w, ws = x[:3], x[3:6], x[6:10], x[10:13], x[13:17]
    rt, vt = x[17:20], x[20:23]
    h = inertia @ w + axes.T @ (jw * ws)
    qv = q[1:]
    dq = np.concatenate([[0.5 * w @ qv], -0.5 * (q[0] * w + np.cross(w, qv))])
    wdot = i_eff_inv @ (-axes.T @ u - np.cross(w, h))
    dws = u / jw - axes @ wdot
    return np.concatenate([v, _accel(r), dq, wdot, dws, vt, _accel(rt)])


def bench_numpy_anchor(seconds: float) -> float:
    w = make_world()
    c = w.chaser
    inertia = c.inertia.copy()
    axes = np.array([wh.axis for wh in w.config.chaser.wheels], float)
    axes /= np.linalg.norm(axes, axis=1)[:, None]
    jw = np.array([wh.inertia for wh in w.config.chaser.wheels])
    i_eff_inv = np.linalg.inv(inertia - (axes.T * jw) @ axes)
    x = np.concatenate([c.r, c.v, c.q, c.w, c.wheel_speed, w.target.r, w.target.v])
    u = np.zeros(4)
    n = round(seconds / DT)
    t0 = time.perf_counter()
    for i in range(n):
        u[i & 3] = 1e-4 * ((i >> 2) & 1) - 5e-5
        k1 = _deriv(x, inertia, i_eff_inv, axes, jw, u)
        k2 = _deriv(x + 0.5 * DT * k1, inertia, i_eff_inv, axes, jw, u)
        k3 = _deriv(x + 0.5 * DT * k2, inertia, i_eff_inv, axes, jw, u)
        k4 = _deriv(x + DT * k3, inertia, i_eff_inv, axes, jw, u)
        x = x + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        x[6:10] /= np.linalg.norm(x[6:10])
    return seconds / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="simulate one hour instead of one day (for CI smoke runs)")
    args = parser.parse_args(argv)
    span = 3600.0 if args.quick else 86400.0
    anchor_span = 60.0 if args.quick else 600.0
    rtf = bench_ticks(span)
    batch = bench_batch(span)
    sensors = bench_with_sensors(span / 4)
    anchor = bench_numpy_anchor(anchor_span)
    print(f"simulated span               : {span:.0f} s at {DT} s ticks "
          f"({round(span / DT)} ticks, 2 spacecraft)")
    print(f"tick-by-tick (lockstep shape): {rtf:12,.0f} x real time "
          f"({DT / rtf * 1e6:.2f} us per tick)")
    print(f"one native call for the span : {batch:12,.0f} x real time")
    print(f"with all sensor models       : {sensors:12,.0f} x real time ({span / 4:.0f} s)")
    print(f"anchor: same dynamics, numpy : {anchor:12,.0f} x real time ({anchor_span:.0f} s)")
    print(f"ratio sim / numpy anchor     : {rtf / anchor:12,.1f}")
    print(f"target >= 5000x              : {'met' if rtf >= 5000 else 'NOT met'}")
    print(json.dumps({"sim_rtf": round(rtf, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
