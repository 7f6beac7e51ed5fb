"""Same bits with the NRLMSIS atmosphere (hil.sim.atmosphere): pymsis calls
the platform's libm (expf, logf, powf and libmvec's expf), whose variants
glibc picks per CPU (FMA, AVX2). A world with NRLMSIS drag is flown for 30
minutes in subprocesses with those CPU features hidden from glibc
(GLIBC_TUNABLES) and numpy (NPY_DISABLE_CPU_FEATURES): the raw pymsis
densities and the world's final states are the same bits on every path."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROBE = r"""
import hashlib
from hil.sim.config import EnvironmentConfig, OrbitConfig, WorldConfig, target_default
from hil.sim.world import World
import numpy as np
import pymsis

chaser, target = target_default(), target_default()
chaser.name = "chaser"
chaser.orbit = OrbitConfig(sma=6378137.0 + 420e3, inc_deg=51.6, true_anomaly_deg=1.0)
target.orbit = OrbitConfig(sma=6378137.0 + 400e3, inc_deg=51.6)
chaser.face_areas = [1.2, 1.5, 1.0]
target.face_areas = [1.0, 1.0, 1.0]
env = EnvironmentConfig(drag=True, atmosphere="nrlmsis", srp=True)
w = World(WorldConfig(step=1.0, environment=env, chaser=chaser, target=target))
w.step(1800)
h = hashlib.sha256()
for c in (w.chaser, w.target):
    h.update(c.r.tobytes()); h.update(c.v.tobytes())
dates = np.datetime64("2026-06-01T00:00") + np.arange(2000).astype("timedelta64[m]") * 7
rng = np.random.default_rng(5)
d = pymsis.calculate(dates, rng.uniform(-180, 180, 2000), rng.uniform(-60, 60, 2000),
                     rng.uniform(300, 600, 2000), [140.0] * 2000, [140.0] * 2000,
                     [[12.0] * 7] * 2000)
print(h.hexdigest()[:16], hashlib.sha256(np.ascontiguousarray(d[:, 0]).tobytes()).hexdigest()[:16])
"""


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def _numpy_extra_features() -> str:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return " ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f))


def _run(extra: dict[str, str]) -> str:
    env = dict(os.environ)
    env.pop("GLIBC_TUNABLES", None)
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    env.update(extra)
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                         timeout=600, check=True)
    return out.stdout.strip()


def test_nrlmsis_world_same_bits_without_fma_avx2() -> None:
    flags = _cpu_flags()
    if not flags & {"fma", "avx2", "avx"}:
        pytest.skip("this CPU has no FMA/AVX variants to hide")
    lowest_env = {"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX512F,-AVX2,-FMA,-AVX",
                  "NPY_DISABLE_CPU_FEATURES": _numpy_extra_features()}
    with ThreadPoolExecutor(2) as pool:
        base, lowest = pool.map(_run, [{}, lowest_env])
    assert base and base == lowest
