"""The core's own elementary functions (native/src/gnc_math.c, issue #14)
against independent references:

- accuracy against mpmath (fsw_tools.mathcheck: references at 128 bits,
  256 where the rounding is undecided) on 20,000 seeded arguments per
  function, over the whole domain and its edge regions (multiples of pi/2 and
  the hardest cases of argument reduction, huge and tiny arguments,
  subnormals, near 1 for log, the overflow and underflow thresholds of exp,
  pow, sinh, cosh): every result within 1 ULP of the correctly rounded one,
  and in fact below 1 ULP of the exact value;
- special values (signed zeros, infinities, NaN, domain errors) as C99
  Annex F requires, checked against glibc through numpy and by hand;
- gnc_sincos is gnc_sin and gnc_cos bit for bit (on the samples and on a
  sweep of about 3 million arguments); floor, ceil, trunc and fmod
  are exact (numpy, and exact rationals for fmod);
- the generated coefficients and tables are what native/gen_math.py makes.

The 10^6-argument table is tools/bench/elementary.py.
"""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from fsw.core._gnc import ffi, lib
from fsw_tools import mathcheck

from fsw.core.elementary import FUNCTIONS, TWO_ARGUMENTS, evaluate

ROOT = Path(__file__).resolve().parents[2]
N = 20000
CANONICAL_NAN = 0x7FF8000000000000


@pytest.mark.parametrize("name", sorted(mathcheck.FUNCTIONS))
def test_within_one_ulp_of_mpmath(name: str) -> None:
    x, y = mathcheck.sample(name, N)
    acc = mathcheck.measure(name, x, y)
    assert acc.n == N
    assert acc.max_cr_distance <= 1, acc
    assert acc.max_ulp < 1.0, acc
    # the design's error is the final rounding plus a small fraction of an ULP
    assert acc.not_cr_fraction < 0.01, acc


def test_the_measurement_sees_an_error() -> None:
    """A result one ULP off is reported as such (the check can fail)."""
    x = np.array([0.5])
    v = mathcheck.reference("sin", 0.5)
    cr = mathcheck.cr_double(v)
    assert evaluate("sin", x)[0] == cr
    off = float(np.nextafter(cr, 1.0))
    err = mathcheck._error(off, v)
    assert 0.5 < err < 1.5


def test_hard_reduction_cases_are_close_to_multiples_of_half_pi() -> None:
    import mpmath

    hard = mathcheck.hard_trig()
    assert len(hard) > 150
    with mpmath.workprec(2400):
        worst = min(abs(mpmath.mpf(h) - mpmath.nint(mpmath.mpf(h) / (mpmath.pi / 2))
                        * mpmath.pi / 2) / mpmath.mpf(h) for h in hard)
    assert worst < mpmath.mpf(2) ** -58


SPECIALS = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0,
            -3.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
            -1.7976931348623157e308, 710.0, -710.0, 1e300, 0.1]

NUMPY = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
         "atan": np.arctan, "atan2": np.arctan2, "exp": np.exp, "expm1": np.expm1, "log": np.log,
         "log1p": np.log1p, "pow": np.power, "cbrt": np.cbrt, "hypot": np.hypot, "sinh": np.sinh,
         "cosh": np.cosh, "tanh": np.tanh, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc,
         "fmod": np.fmod, "sqrt": np.sqrt, "sincos_sin": np.sin, "sincos_cos": np.cos}


def _same_class(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == 0 or b == 0 or math.isinf(a) or math.isinf(b):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return abs(a - b) <= math.ulp(b)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_special_values_follow_c99_like_glibc(name: str) -> None:
    s = np.array(SPECIALS)
    if name in TWO_ARGUMENTS:
        a, b = (m.ravel() for m in np.meshgrid(s, s))
        ours = evaluate(name, a, b)
        with np.errstate(all="ignore"):
            ref = NUMPY[name](a, b)
        args = list(zip(a.tolist(), b.tolist(), strict=True))
    else:
        ours = evaluate(name, s)
        with np.errstate(all="ignore"):
            ref = NUMPY[name](s)
        args = s.tolist()
    bad = [(arg, o, r) for arg, o, r in zip(args, ours.tolist(), ref.tolist(), strict=True)
           if not _same_class(o, r)]
    assert bad == []


def _bits(v: float) -> int:
    return int(np.array([v]).view(np.uint64)[0])


@pytest.mark.parametrize(("name", "args", "want"), [
    ("pow", (-1.0, math.inf), 1.0),
    ("pow", (-1.0, -1e300), 1.0),
    ("pow", (math.nan, 0.0), 1.0),
    ("pow", (1.0, math.nan), 1.0),
    ("pow", (0.0, -3.0), math.inf),
    ("pow", (-0.0, -3.0), -math.inf),
    ("pow", (-0.0, 3.0), -0.0),
    ("pow", (-0.0, 4.0), 0.0),
    ("pow", (-math.inf, 3.0), -math.inf),
    ("pow", (-math.inf, -3.0), -0.0),
    ("pow", (0.5, math.inf), 0.0),
    ("pow", (2.0, -math.inf), 0.0),
    ("pow", (-8.0, 1.0 / 3.0), math.nan),
    ("pow", (2.0, 1024.0), math.inf),
    ("pow", (2.0, -1074.0), 5e-324),
    ("pow", (2.0, -1075.0), 0.0),
    ("atan2", (0.0, -0.0), math.pi),
    ("atan2", (-0.0, -0.0), -math.pi),
    ("atan2", (-0.0, 0.0), -0.0),
    ("atan2", (math.inf, -math.inf), 3 * math.pi / 4),
    ("atan2", (-1.0, 0.0), -math.pi / 2),
    ("hypot", (math.inf, math.nan), math.inf),
    ("hypot", (math.nan, -math.inf), math.inf),
    ("hypot", (3.0, 4.0), 5.0),
    ("hypot", (3e-320, 4e-320), 5e-320),
    ("hypot", (1e308, 1e308), 1.4142135623730951e308),
    ("fmod", (1.0, 0.0), math.nan),
    ("fmod", (math.inf, 2.0), math.nan),
    ("fmod", (-0.0, 2.0), -0.0),
    ("fmod", (5.5, math.inf), 5.5),
    ("fmod", (-7.0, 2.0), -1.0),
    ("log", (-0.0,), -math.inf),
    ("log", (-1.0,), math.nan),
    ("log", (1.0,), 0.0),
    ("log1p", (-1.0,), -math.inf),
    ("log1p", (-0.0,), -0.0),
    ("exp", (-math.inf,), 0.0),
    ("exp", (0.0,), 1.0),
    ("exp", (709.8,), math.inf),
    ("expm1", (-math.inf,), -1.0),
    ("expm1", (-0.0,), -0.0),
    ("tanh", (-math.inf,), -1.0),
    ("tanh", (-0.0,), -0.0),
    ("sinh", (-math.inf,), -math.inf),
    ("cosh", (-math.inf,), math.inf),
    ("cbrt", (-0.0,), -0.0),
    ("cbrt", (-27.0,), -3.0),
    ("asin", (2.0,), math.nan),
    ("asin", (-1.0,), -math.pi / 2),
    ("acos", (-1.0,), math.pi),
    ("acos", (1.0,), 0.0),
    ("atan", (-math.inf,), -math.pi / 2),
    ("sin", (math.inf,), math.nan),
    ("sin", (-0.0,), -0.0),
    ("cos", (-math.inf,), math.nan),
    ("tan", (-0.0,), -0.0),
    ("floor", (-0.5,), -1.0),
    ("ceil", (-0.5,), -0.0),
    ("trunc", (-0.0,), -0.0),
])
def test_annex_f_cases(name: str, args: tuple[float, ...], want: float) -> None:
    got = float(evaluate(name, *[[a] for a in args])[0])
    if math.isnan(want):
        # a domain error: the one quiet NaN, the same bits on every target
        assert _bits(got) == CANONICAL_NAN
    else:
        assert got == want and math.copysign(1, got) == math.copysign(1, want)


def test_nan_arguments_come_back_unchanged() -> None:
    payload = np.array([0x7FF8000000000123, 0xFFF8000000000456], dtype=np.uint64).view(
        np.float64)
    for name in FUNCTIONS:
        if name in ("sqrt",) or name in TWO_ARGUMENTS:
            continue
        out = evaluate(name, payload)
        assert (out.view(np.uint64) == payload.view(np.uint64)).all(), name


def test_sincos_is_sin_and_cos_bit_for_bit() -> None:
    x, _ = mathcheck.sample("sin", N)
    x = np.concatenate([x, np.array(SPECIALS)])
    for part, ref in (("sincos_sin", "sin"), ("sincos_cos", "cos")):
        a, b = evaluate(part, x), evaluate(ref, x)
        assert (a.view(np.uint64) == b.view(np.uint64)).all()


def _ulps_around(centres: np.ndarray, k: int) -> np.ndarray:
    """The doubles within k ULPs of each centre (by bit pattern), both signs."""
    bits = np.abs(centres).view(np.int64)[:, None] + np.arange(-k, k + 1)
    pos = bits[bits >= 0].view(np.float64)
    return np.concatenate([pos, -pos])


def sincos_sweep() -> np.ndarray:
    """About 3 million arguments for the sincos bit check: every exponent (random
    bit patterns: subnormals, huge, NaN, infinities), the working range, the
    neighbourhoods of multiples of pi/2 and pi/4 (reduction nearly cancels;
    quadrant changes; k past 2^20 where Payne-Hanek takes over), of the
    kernel's table points k/64 and its 1/4 switch, and of every threshold in
    gnc_sin, gnc_cos and gnc_sincos."""
    rng = np.random.default_rng(14)
    k = np.concatenate([np.arange(-2000, 2001), rng.integers(-(2**23), 2**23, 60000)])
    thresholds = np.array([2.0**-27, 2.0**-26, 2.0**-25, 0.25, np.pi / 4, 2**20 * np.pi / 2,
                           2.2250738585072014e-308, 5e-324, 1.7976931348623157e308])
    parts = [
        rng.integers(0, 2**64, 1_000_000, dtype=np.uint64).view(np.float64),
        rng.uniform(-8.0, 8.0, 600_000),
        rng.uniform(-2e6, 2e6, 300_000),
        _ulps_around(k * (np.pi / 2), 3),
        _ulps_around(k * (np.pi / 4), 3),
        _ulps_around(np.arange(1, 64 * 64) / 64.0, 3),
        _ulps_around(np.arange(1, 64 * 64) / 128.0 - 1.0 / 256.0, 3),
        _ulps_around(thresholds, 200),
        np.array(SPECIALS),
    ]
    return np.concatenate(parts)


def test_sincos_is_sin_and_cos_bit_for_bit_on_a_sweep() -> None:
    """gnc_sincos (one reduction, one shared kernel) gives gnc_sin's and
    gnc_cos's bits on every argument of the sweep, NaN payloads included."""
    x = sincos_sweep()
    assert x.size > 2_500_000
    for part, ref in (("sincos_sin", "sin"), ("sincos_cos", "cos")):
        a, b = evaluate(part, x).view(np.uint64), evaluate(ref, x).view(np.uint64)
        bad = np.flatnonzero(a != b)
        assert bad.size == 0, f"{part} != {ref} at {x[bad[:5]].tolist()}"


def _wide(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.exp2(rng.uniform(-1074, 1023.9, n)) * rng.choice([-1.0, 1.0], n)


def test_floor_ceil_trunc_are_exact() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([_wide(rng, 20000), rng.uniform(-1e6, 1e6, 20000),
                        rng.integers(-1000, 1000, 2000) + rng.choice([0.0, 0.5, -0.5], 2000),
                        np.array(SPECIALS)])
    for name, ref in (("floor", np.floor), ("ceil", np.ceil), ("trunc", np.trunc)):
        a, b = evaluate(name, x), ref(x)
        same = (a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))
        assert same.all(), name


def test_fmod_is_exact() -> None:
    rng = np.random.default_rng(4)
    x = np.concatenate([_wide(rng, 20000), rng.uniform(-1e4, 1e4, 5000)])
    y = np.concatenate([_wide(rng, 20000), rng.uniform(-10, 10, 5000)])
    ours = evaluate("fmod", x, y)
    ref = np.fmod(x, y)
    assert ((ours.view(np.uint64) == ref.view(np.uint64)) | (np.isnan(ours) & np.isnan(ref))).all()
    # independently of the platform: r = x - n y with n = trunc(x / y), exactly
    for xi, yi, ri in list(zip(x.tolist(), y.tolist(), ours.tolist(), strict=True))[::50]:
        fx, fy = Fraction(xi), Fraction(yi)
        n = math.trunc(fx / fy)
        assert Fraction(ri) == fx - n * fy
        assert ri == 0 or math.copysign(1, ri) == math.copysign(1, xi)


def test_eval_statuses() -> None:
    x = np.zeros(3)
    out = np.zeros(3)
    px, po = ffi.from_buffer("double[]", x), ffi.from_buffer("double[]", out)
    assert lib.gnc_math_eval(lib.GNC_FN_COUNT, px, ffi.NULL, 3, po) == lib.GNC_ERR_RANGE
    assert lib.gnc_math_eval(-1, px, ffi.NULL, 3, po) == lib.GNC_ERR_RANGE
    assert lib.gnc_math_eval(lib.GNC_FN_ATAN2, px, ffi.NULL, 3, po) == lib.GNC_ERR_NULL
    assert lib.gnc_math_eval(lib.GNC_FN_SIN, ffi.NULL, ffi.NULL, 3, po) == lib.GNC_ERR_NULL
    assert lib.gnc_math_eval(lib.GNC_FN_SIN, ffi.NULL, ffi.NULL, 0, ffi.NULL) == lib.GNC_OK
    assert lib.gnc_math_eval(lib.GNC_FN_COS, px, ffi.NULL, 3, po) == lib.GNC_OK
    assert (out == 1.0).all()
    with pytest.raises(ValueError, match="unknown elementary function"):
        evaluate("erf", x)
    with pytest.raises(ValueError, match="takes 2"):
        evaluate("atan2", x)


def test_evaluate_broadcasts_and_orders_arguments() -> None:
    y = np.array([[1.0], [-1.0]])
    x = np.array([1.0, -1.0, 0.0])
    got = evaluate("atan2", y, x)
    assert got.shape == (2, 3)
    assert got[1, 1] == float(np.arctan2(-1.0, -1.0))
    assert evaluate("pow", 2.0, 10.0) == 1024.0


def test_generated_tables_are_up_to_date() -> None:
    """native/src/gnc_math_tables.h is exactly what native/gen_math.py makes
    (Remez fits and tables with mpmath)."""
    res = subprocess.run([sys.executable, str(ROOT / "native" / "gen_math.py"), "--check"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
