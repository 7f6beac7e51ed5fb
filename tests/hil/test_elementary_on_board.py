"""The board computes the desktop's bits (issue #14): the core's elementary
functions and the toolchain's double arithmetic, run by the semihosted image
native/firmware/tests/b2b_math.c under QEMU, against the desktop.

- every gnc_math function (sin ... tanh, sincos, floor/ceil/trunc/fmod) on
  its accuracy-test sample plus special values: bit-identical, NaNs included
  (a domain error returns the one quiet NaN 0x7FF8000000000000); sqrt too,
  except that sqrt of a negative number is the platform's invalid-operation
  NaN, whose sign IEEE 754 leaves open (-NaN on SSE2, +NaN from newlib);
- libgcc's soft double + - * / and integer conversions (the Cortex-M4F's FPU
  is single precision) on random bit patterns (every exponent, subnormals,
  infinities, NaN), on near-tie operands and on the operands for which
  libgcc's own add/sub rounds wrongly (corrected by native/firmware/
  fw_softfp.c): bit-identical to the host's SSE2 and, independently of any
  FPU, to the correctly rounded result computed with exact rational
  arithmetic (fractions.Fraction), subnormals included;
- sqrt (newlib's software square root on the board): correctly rounded
  against mpmath.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
from fsw_tools import mathcheck

from fsw.core.elementary import FUNCTIONS
from hil.board.backtoback import ARITH_OPS, math_desktop, math_on_qemu, ulp_distance

N_PER_FUNCTION = 800
N_ARITH = 6000

SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 5e-324, -5e-324,
                     2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
                     710.0, -745.5, 1e22, 3.0, np.pi / 2, 1e-300])


def _wide(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.exp2(rng.uniform(-1074, 1023.9, n)) * rng.choice([-1.0, 1.0], n)


def _function_records(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ops, xs, ys = [], [], []
    for name, fn in FUNCTIONS.items():
        if name in mathcheck.FUNCTIONS:
            x, y = mathcheck.sample(name, N_PER_FUNCTION, seed=8)
        else:  # sincos_*, floor, ceil, trunc, fmod, sqrt
            base = name.removeprefix("sincos_")
            if base in mathcheck.FUNCTIONS:
                x, y = mathcheck.sample(base, N_PER_FUNCTION, seed=8)
            else:
                x = np.concatenate([_wide(rng, N_PER_FUNCTION // 2),
                                    rng.uniform(-1e6, 1e6, N_PER_FUNCTION // 2)])
                y = _wide(rng, N_PER_FUNCTION) if name == "fmod" else None
        if y is None:
            y = np.zeros_like(x)
        sx, sy = np.meshgrid(SPECIALS, SPECIALS)
        x = np.concatenate([x, SPECIALS, sx.ravel()])
        y = np.concatenate([y, SPECIALS, sy.ravel()])
        ops.append(np.full(x.size, fn))
        xs.append(x)
        ys.append(y)
    return np.concatenate(ops), np.concatenate(xs), np.concatenate(ys)


def _random_doubles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Uniform over bit patterns: every exponent, subnormals, inf and NaN."""
    return rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False).view(np.float64)


def _arith_records(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ops, xs, ys = [], [], []
    q = N_ARITH // 3
    for op in (100, 101, 102, 103):
        x = np.concatenate([_random_doubles(rng, q), _wide(rng, q),
                            np.exp2(rng.uniform(-1074, -1000, q))])
        y = np.concatenate([_random_doubles(rng, q), _wide(rng, q),
                            np.exp2(rng.uniform(-60, 60, q)) * rng.choice([-1.0, 1.0], q)])
        if op in (100, 101):  # operands within a few binades: rounding and ties
            y[q:2 * q] = x[q:2 * q] * np.exp2(rng.integers(-54, 3, q))
            # a power of two and a number 2^-33 of it, opposite signs: the
            # case libgcc's __aeabi_dadd rounds wrongly (native/firmware/fw_softfp.c)
            k = q // 4
            x[:k] = np.exp2(rng.integers(-1000, 1000, k).astype(np.float64))
            y[:k] = -x[:k] * np.exp2(-33.0) * rng.uniform(1, 2, k) * (1 if op == 100 else -1)
        ops.append(np.full(x.size, op))
        xs.append(x)
        ys.append(y)
    for op, lim in ((104, 2.0**31), (105, 2.0**63)):
        x = rng.uniform(-lim, lim, N_ARITH) * np.exp2(-rng.uniform(0, 60, N_ARITH))
        ops.append(np.full(x.size, op))
        xs.append(x)
        ys.append(np.zeros_like(x))
    return np.concatenate(ops), np.concatenate(xs), np.concatenate(ys)


@pytest.fixture(scope="module")
def board_run(firmware_build: Path) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(14)
    f_ops, f_x, f_y = _function_records(rng)
    a_ops, a_x, a_y = _arith_records(rng)
    ops = np.concatenate([f_ops, a_ops])
    x = np.concatenate([f_x, a_x])
    y = np.concatenate([f_y, a_y])
    board = math_on_qemu(ops, x, y, firmware_build / "b2b_math.elf", timeout=300.0)
    assert board.shape == x.shape
    return ops, x, y, board, math_desktop(ops, x, y)


def test_every_elementary_function_is_bit_identical_on_the_board(
    board_run: tuple[np.ndarray, ...],
) -> None:
    ops, x, y, board, desk = board_run
    for name, fn in FUNCTIONS.items():
        m = ops == fn
        assert m.sum() >= N_PER_FUNCTION
        d = ulp_distance(board[m], desk[m])
        if name == "sqrt":  # the hardware's invalid-operation NaN: see the arithmetic test
            d[np.isnan(board[m]) & np.isnan(desk[m])] = 0
        bad = np.flatnonzero(d)
        assert bad.size == 0, (
            f"{name}: {bad.size} of {m.sum()} differ, e.g. x={x[m][bad[0]]!r} "
            f"y={y[m][bad[0]]!r}: board {board[m][bad[0]]!r} desktop {desk[m][bad[0]]!r}")


def test_soft_double_arithmetic_is_the_hosts_bit_for_bit(
    board_run: tuple[np.ndarray, ...],
) -> None:
    """IEEE 754 leaves the sign and payload of an invalid operation's NaN to
    the implementation (SSE2 answers -NaN, libgcc +NaN): any NaN matches a
    NaN; every other result is compared bit for bit."""
    ops, x, y, board, desk = board_run
    for op, (name, _) in ARITH_OPS.items():
        m = ops == op
        b, d = board[m], desk[m]
        both_nan = np.isnan(b) & np.isnan(d)
        dist = np.where(both_nan, 0, ulp_distance(b, d))
        bad = np.flatnonzero(dist)
        assert bad.size == 0, (f"{name}: {bad.size} differ, e.g. {x[m][bad[0]]!r}, "
                               f"{y[m][bad[0]]!r}: board {b[bad[0]]!r} host {d[bad[0]]!r}")
        assert np.count_nonzero(np.isnan(b)) == np.count_nonzero(np.isnan(d))


def _exact(op: int, x: float, y: float) -> float:
    """The correctly rounded result, from exact rationals (no FPU involved)."""
    fx, fy = Fraction(x), Fraction(y)
    if op == 100:
        v = fx + fy
    elif op == 101:
        v = fx - fy
    elif op == 102:
        v = fx * fy
    else:
        v = fx / fy
    if v == 0:
        return 0.0
    try:
        return float(v)  # int / int: correctly rounded, subnormals included
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def test_soft_double_arithmetic_is_correctly_rounded(board_run: tuple[np.ndarray, ...]) -> None:
    ops, x, y, board, _ = board_run
    checked = 0
    for op in (100, 101, 102, 103):
        idx = np.flatnonzero(ops == op)
        for i in idx[:: max(1, idx.size // 1500)]:
            xi, yi, bi = float(x[i]), float(y[i]), float(board[i])
            if not (math.isfinite(xi) and math.isfinite(yi)) or (op == 103 and yi == 0.0):
                continue
            want = _exact(op, xi, yi)
            if want == 0.0:
                assert bi == 0.0, (op, xi, yi, bi)
            else:
                assert bi == want, (op, xi, yi, bi, want)
            checked += 1
    assert checked > 3000


def test_board_sqrt_is_correctly_rounded(board_run: tuple[np.ndarray, ...]) -> None:
    ops, x, _, board, _ = board_run
    m = (ops == FUNCTIONS["sqrt"]) & (x > 0) & np.isfinite(x)
    assert m.sum() > N_PER_FUNCTION // 3
    for xi, bi in zip(x[m].tolist(), board[m].tolist(), strict=True):
        with mpmath.workprec(200):
            want = mathcheck.cr_double(mpmath.sqrt(mpmath.mpf(xi))._mpf_)
        assert bi == want, (xi, bi, want)


def test_the_comparison_sees_one_ulp(board_run: tuple[np.ndarray, ...]) -> None:
    ops, _, _, board, desk = board_run
    m = ops < 100  # the elementary functions: bit-identical NaNs too
    other = board[m].copy()
    k = int(np.flatnonzero(np.isfinite(other) & (other != 0))[0])
    other[k] = np.nextafter(other[k], np.inf)
    d = ulp_distance(other, desk[m])
    assert int(d[k]) == 1 and np.count_nonzero(d[~np.isnan(desk[m])]) == 1
