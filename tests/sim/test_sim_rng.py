"""The simulation core's random generator (specification in
native/sim/include/simsensors.h) against an independent implementation in
Python integers, bit for bit, and its statistics against scipy.

The Python reference is itself checked against published test vectors:
splitmix64 from state 0 and xoshiro256** from the state (1, 2, 3, 4)
(the reference C code's authors' values, also in Rust's rand_xoshiro tests).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from hil.sim._native import ffi, lib

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & MASK


def core_log(x: float) -> float:
    """The log the core's normal deviates use (the project's gnc_log)."""
    out = ffi.new("double *")
    assert lib.sim_rng_log(x, out) == 0
    return out[0]


class Reference:
    """The specified generator in Python integers and IEEE double operations."""

    def __init__(self, seed: int, stream: int, state: list[int] | None = None) -> None:
        if state is None:
            x = mix((seed + GAMMA) & MASK) ^ stream
            state = []
            for _ in range(4):
                x = (x + GAMMA) & MASK
                state.append(mix(x))
        self.s = list(state)
        self.spare: float | None = None

    def next(self) -> int:
        s = self.s
        out = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return out

    def uniform(self) -> float:
        return (self.next() >> 11) * 2.0**-53

    def normal(self) -> float:
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        while True:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                break
        f = math.sqrt((-2.0 * core_log(s)) / s)
        self.spare = v * f
        return u * f


def core(seed: int, stream: int) -> object:
    g = ffi.new("sim_rng *")
    assert lib.sim_rng_seed(g, seed, stream) == 0
    return g


def draws(g: object, kind: str, n: int) -> list:
    ctype = "uint64_t[]" if kind == "next" else "double[]"
    out = ffi.new(ctype, n)
    fn = {"next": lib.sim_rng_next, "uniform": lib.sim_rng_uniform, "normal": lib.sim_rng_normal}
    assert fn[kind](g, out, n) == 0
    return list(out)


def test_reference_matches_published_vectors() -> None:
    # splitmix64 from state 0: the first outputs are mix(k * GAMMA)
    assert [mix((k * GAMMA) & MASK) for k in (1, 2, 3)] == [
        0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    ref = Reference(0, 0, state=[1, 2, 3, 4])
    assert [ref.next() for _ in range(10)] == [
        11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
        607988272756665600, 16172922978634559625, 8476171486693032832,
        10595114339597558777, 2904607092377533576]
    # the core's step from the same state
    g = ffi.new("sim_rng *")
    g.s = [1, 2, 3, 4]
    assert draws(g, "next", 4) == [11520, 0, 1509978240, 1215971899390074240]


SEEDS = [(0, 0), (1, 1), (1, 2), (1, 101), (42, 7), (2**64 - 1, 2**64 - 1), (123456789, 3)]


@pytest.mark.parametrize(("seed", "stream"), SEEDS)
def test_core_equals_reference_bit_for_bit(seed: int, stream: int) -> None:
    ref = Reference(seed, stream)
    assert draws(core(seed, stream), "next", 1000) == [ref.next() for _ in range(1000)]
    ref = Reference(seed, stream)
    got = draws(core(seed, stream), "uniform", 1000)
    assert [x.hex() for x in got] == [ref.uniform().hex() for _ in range(1000)]
    ref = Reference(seed, stream)
    g = core(seed, stream)
    # odd counts exercise the spare deviate across calls
    got = draws(g, "normal", 999) + draws(g, "normal", 1001)
    assert [x.hex() for x in got] == [ref.normal().hex() for _ in range(2000)]


def test_streams_and_seeds_differ() -> None:
    first = {tuple(draws(core(seed, stream), "next", 4)) for seed in range(50)
             for stream in range(1, 9)}
    assert len(first) == 400


N = 200_000
ALPHA = 1e-3  # significance of each distribution test


@pytest.mark.parametrize(("seed", "stream"), [(1, 1), (7, 3), (2026, 101)])
def test_statistics(seed: int, stream: int) -> None:
    """Uniform and normal draws: mean and variance within 5 standard errors,
    Kolmogorov-Smirnov against scipy's distributions not rejected at 0.1 %,
    consecutive normals uncorrelated (pairs of the polar method included)."""
    u = np.array(draws(core(seed, stream), "uniform", N))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / N)
    assert stats.kstest(u, stats.uniform.cdf).pvalue > ALPHA
    z = np.array(draws(core(seed, stream), "normal", N))
    assert abs(z.mean()) < 5 / math.sqrt(N)
    assert abs(z.var(ddof=1) - 1.0) < 5 * math.sqrt(2 / N)
    assert stats.kstest(z, stats.norm.cdf).pvalue > ALPHA
    # fourth moment (kurtosis 3) and lag-1 correlation
    assert abs(np.mean(z**4) - 3.0) < 5 * math.sqrt(96 / N)
    assert abs(np.corrcoef(z[:-1], z[1:])[0, 1]) < 5 / math.sqrt(N)


def test_streams_are_uncorrelated() -> None:
    a = np.array(draws(core(5, 1), "normal", N))
    b = np.array(draws(core(5, 2), "normal", N))
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / math.sqrt(N)


def test_unseeded_generator_is_refused() -> None:
    g = ffi.new("sim_rng *")  # all-zero state: xoshiro's one invalid state
    out = ffi.new("double[]", 4)
    assert lib.sim_rng_normal(g, out, 4) == lib.SIM_ERR_STATE
    assert lib.sim_rng_uniform(g, out, 4) == lib.SIM_ERR_STATE
