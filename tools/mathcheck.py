"""Accuracy of the core's elementary functions (fsw.core.elementary) against
mpmath: seeded argument samples over each function's domain and its edge
regions, mpmath references at 128 bits (re-evaluated at 256 bits when the
128-bit value cannot decide the rounding), and the error of each result in
ULP. Shared by tests/core/test_elementary.py (small samples, asserts) and
tools/bench/elementary.py (10^6 arguments per function, the ULP table).

Error measures, per function:

- ``max_ulp``: max |ours - exact| / ulp(exact), ulp(v) = 2^(floor(log2|v|) - 52)
  (2^-1074 for subnormals); below 1 means "faithful": within 1 ULP of the
  correctly rounded result;
- ``max_cr_distance``: the largest distance, in doubles, between ours and the
  correctly rounded result (0 = correctly rounded);
- ``not_cr``: the fraction of arguments not correctly rounded.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
from mpmath import libmp, mpf

from fsw.core.elementary import evaluate

__all__ = ["FUNCTIONS", "Accuracy", "cr_double", "hard_trig", "measure", "reference", "sample"]

PREC = 128
DBL_MAX = float.fromhex("0x1.fffffffffffffp+1023")
PI = math.pi


def _hl(f: Callable[..., mpf]) -> Callable[..., tuple]:
    """A high-level mpmath function as a raw one: (mpf tuples, prec) -> mpf tuple."""
    def raw(*args: tuple) -> tuple:
        *vals, prec = args
        with mpmath.workprec(prec):
            return f(*(mpf(v) for v in vals))._mpf_
    return raw


def _cbrt(x: tuple, prec: int) -> tuple:
    neg = libmp.mpf_neg
    return neg(libmp.mpf_cbrt(neg(x), prec, "n")) if x[0] else libmp.mpf_cbrt(x, prec, "n")


def _raw(f: Callable[..., tuple]) -> Callable[..., tuple]:
    def raw(*args: tuple) -> tuple:
        return f(*args, "n")
    return raw


# name -> (mpmath function on raw mpf tuples (args..., prec), arguments, domain as printed)
FUNCTIONS: dict[str, tuple[Callable[..., tuple], int, str]] = {
    "sin": (_raw(libmp.mpf_sin), 1, "all doubles (|x| up to 1e308)"),
    "cos": (_raw(libmp.mpf_cos), 1, "all doubles (|x| up to 1e308)"),
    "tan": (_raw(libmp.mpf_tan), 1, "all doubles (|x| up to 1e308)"),
    "asin": (_raw(libmp.mpf_asin), 1, "[-1, 1]"),
    "acos": (_raw(libmp.mpf_acos), 1, "[-1, 1]"),
    "atan": (_raw(libmp.mpf_atan), 1, "all doubles"),
    "atan2": (_raw(libmp.mpf_atan2), 2, "(y, x) over 2^-1074..2^1023, all signs"),
    "exp": (_raw(libmp.mpf_exp), 1, "[-746, 709.8]"),
    "expm1": (_hl(mpmath.expm1), 1, "[-40, 709.8]"),
    "log": (_raw(libmp.mpf_log), 1, "(0, 2^1024), subnormals included"),
    "log1p": (_hl(mpmath.log1p), 1, "(-1, 2^1024)"),
    "pow": (_raw(libmp.mpf_pow), 2,
            "x > 0 over 2^-1074..2^1023 (x < 0 with integer y), y to under/overflow"),
    "cbrt": (_cbrt, 1, "all doubles"),
    "hypot": (_raw(libmp.mpf_hypot), 2, "(x, y) over 2^-1074..2^1023"),
    "sinh": (_raw(libmp.mpf_sinh), 1, "[-711, 711]"),
    "cosh": (_raw(libmp.mpf_cosh), 1, "[-711, 711]"),
    "tanh": (_raw(libmp.mpf_tanh), 1, "[-22, 22]"),
}


# -- argument samples ----------------------------------------------------------------


def _logu(rng: np.random.Generator, n: int, lo: float, hi: float,
          signed: bool = True) -> np.ndarray:
    """Magnitudes log-uniform in [2^lo, 2^hi] (subnormals below 2^-1022), random signs."""
    v = np.exp2(rng.uniform(lo, hi, n))
    if signed:
        v *= rng.choice([-1.0, 1.0], n)
    return v


def _near_halfpi_multiples(rng: np.random.Generator, n: int) -> np.ndarray:
    """Doubles within a few thousand ULP of k pi/2, k up to 10^6."""
    k = rng.integers(1, 10**6, n).astype(np.float64)
    i = (k * (PI / 2)).view(np.int64) + rng.integers(-2000, 2001, n)
    return i.view(np.float64) * rng.choice([-1.0, 1.0], n)


_HARD: list[float] = []


def hard_trig() -> list[float]:
    """Doubles extremely close to a multiple of pi/2 (the hardest cases of
    argument reduction), from 2^-12 up to 2^1023: for each binary exponent e,
    the convergents p/q of (pi/2) 2^-e with a 53-bit numerator p give
    x = p 2^e with x - q pi/2 about 2^-60 x or less."""
    if _HARD:
        return _HARD
    bits = 2400
    with mpmath.workprec(bits + 64):
        pio2 = int(mpmath.floor(mpmath.pi / 2 * mpf(2) ** bits))
    for e in range(-64, 972, 3):
        num, den = (pio2 >> e, 1 << bits) if e >= 0 else (pio2 << -e, 1 << bits)
        p0, p1 = 0, 1
        while den and p1 < 2**53:
            a, r = divmod(num, den)
            p0, p1 = p1, a * p1 + p0
            num, den = den, r
            if 2**52 <= p1 < 2**53:
                _HARD.append(math.ldexp(p1, e))
    return _HARD


def _mix(rng: np.random.Generator, n: int, parts: list[tuple[float, Callable[[int], np.ndarray]]]
         ) -> np.ndarray:
    sizes = [int(n * w) for w, _ in parts]
    sizes[0] += n - sum(sizes)
    return np.concatenate([f(s) for s, (_, f) in zip(sizes, parts, strict=True)])


def sample(name: str, n: int, seed: int = 14) -> tuple[np.ndarray, np.ndarray | None]:
    """``n`` seeded arguments of ``name`` over its domain and its edge regions
    (x, and y for a two-argument function)."""
    rng = np.random.default_rng([seed, sum(map(ord, name))])
    u, lu = rng.uniform, (lambda k, lo, hi, s=True: _logu(rng, k, lo, hi, s))
    if name in ("sin", "cos", "tan"):
        x = _mix(rng, n, [
            (0.25, lambda k: u(-PI / 4, PI / 4, k)),
            (0.2, lambda k: u(-2 * PI, 2 * PI, k)),
            (0.2, lambda k: lu(k, -30, 21)),
            (0.15, lambda k: _near_halfpi_multiples(rng, k)),
            (0.15, lambda k: lu(k, 20, 1023.9)),
            (0.05, lambda k: lu(k, -1074, -20)),
        ])
        hard = hard_trig()
        if n >= 4 * len(hard):
            x[: len(hard)] = hard
            x[len(hard): 2 * len(hard)] = [-h for h in hard]
        return x, None
    if name in ("asin", "acos"):
        return _mix(rng, n, [
            (0.4, lambda k: u(-1, 1, k)),
            (0.3, lambda k: (1 - lu(k, -53, -1, False)) * rng.choice([-1.0, 1.0], k)),
            (0.1, lambda k: lu(k, -60, -1)),
            (0.2, lambda k: u(0.45, 0.75, k) * rng.choice([-1.0, 1.0], k)),
        ]), None
    if name == "atan":
        return _mix(rng, n, [
            (0.4, lambda k: lu(k, -40, 70)),
            (0.4, lambda k: u(-2, 2, k)),
            (0.2, lambda k: lu(k, -1074, 1023.9)),
        ]), None
    if name in ("atan2", "hypot"):
        m = n // 2
        y1 = lu(m, -100, 100)
        x1 = lu(m, -100, 100)
        y2 = lu(n - m, -1070, 1020)
        x2 = y2 * lu(n - m, -70, 3) if name == "atan2" else y2 * lu(n - m, -40, 3)
        x = np.concatenate([x1, x2])
        y = np.concatenate([y1, y2])
        q = n // 10  # near-equal magnitudes
        x[:q] = y[:q] * (1 + u(-1e-3, 1e-3, q)) * rng.choice([-1.0, 1.0], q)
        return x, y
    if name == "exp":
        return _mix(rng, n, [
            (0.4, lambda k: u(-745.2, 709.78, k)),
            (0.25, lambda k: u(-1, 1, k)),
            (0.15, lambda k: lu(k, -60, -1)),
            (0.1, lambda k: u(700, 709.78, k)),
            (0.1, lambda k: u(-745.2, -700, k)),
        ]), None
    if name == "expm1":
        return _mix(rng, n, [
            (0.3, lambda k: lu(k, -60, -1)),
            (0.3, lambda k: u(-40, 60, k)),
            (0.2, lambda k: (0.34657359 + u(-0.01, 0.01, k)) * rng.choice([-1.0, 1.0], k)),
            (0.2, lambda k: u(60, 709.78, k)),
        ]), None
    if name == "log":
        return _mix(rng, n, [
            (0.4, lambda k: lu(k, -1074, 1023.99, False)),
            (0.3, lambda k: 1 + lu(k, -53, -2)),
            (0.3, lambda k: u(0.5, 2, k)),
        ]), None
    if name == "log1p":
        return _mix(rng, n, [
            (0.3, lambda k: lu(k, -60, -1)),
            (0.2, lambda k: -1 + lu(k, -53, -0.01, False)),
            (0.2, lambda k: lu(k, -1, 1000, False)),
            (0.3, lambda k: u(-0.5, 1, k)),
        ]), None
    if name == "pow":
        x = _mix(rng, n, [
            (0.5, lambda k: lu(k, -100, 100, False)),
            (0.2, lambda k: lu(k, -1074, 1023.9, False)),
            (0.3, lambda k: 1 + lu(k, -40, -3)),
        ])
        t = u(-1080, 1026, n)  # y log2 x: into the under/overflow ranges
        with np.errstate(divide="ignore"):
            y = t / np.log2(x)
        y[~np.isfinite(y)] = 1.0
        q = n // 10  # negative bases with integer exponents
        x[:q] = -lu(q, -3, 3, False)
        y[:q] = rng.integers(-60, 61, q).astype(np.float64)
        s = n // 20  # small integers: exact results
        x[q:q + s] = rng.integers(2, 20, s).astype(np.float64)
        y[q:q + s] = rng.integers(0, 12, s).astype(np.float64)
        return x, y
    if name == "cbrt":
        x = _mix(rng, n, [
            (0.5, lambda k: lu(k, -1074, 1023.9)),
            (0.4, lambda k: u(-10, 10, k)),
            (0.1, lambda k: rng.integers(-100000, 100000, k).astype(np.float64) ** 3),
        ])
        return x, None
    if name in ("sinh", "cosh"):
        return _mix(rng, n, [
            (0.3, lambda k: u(-711, 711, k)),
            (0.3, lambda k: u(-1, 1, k)),
            (0.2, lambda k: lu(k, -60, 0)),
            (0.2, lambda k: u(-40, 40, k)),
        ]), None
    if name == "tanh":
        return _mix(rng, n, [
            (0.4, lambda k: u(-22, 22, k)),
            (0.3, lambda k: u(-1, 1, k)),
            (0.3, lambda k: lu(k, -60, 0)),
        ]), None
    raise ValueError(f"no sample for {name!r}")


# -- references ---------------------------------------------------------------------

_ZERO = libmp.fzero


def cr_double(v: tuple) -> float:
    """The raw mpf ``v`` rounded to the nearest double (ties to even,
    subnormals at 2^-1074, overflow to inf)."""
    s, man, exp, bc = v
    if not man:
        return 0.0
    sign = -1.0 if s else 1.0
    if exp + bc - 1 < -1022:  # round at the subnormal quantum
        shift = -1074 - exp  # v = man 2^-shift quanta
        if shift <= 0:
            q = man << -shift
        else:
            q, rem = divmod(man, 1 << shift)
            half = 1 << (shift - 1)
            if rem > half or (rem == half and q & 1):
                q += 1
        return sign * math.ldexp(q, -1074)
    _, m2, e2, bc2 = libmp.normalize(s, man, exp, bc, 53, "n")
    if e2 + bc2 - 1 >= 1024:
        return sign * math.inf
    return sign * math.ldexp(m2, e2)


def _ulp_exp(v: tuple) -> int:
    return max(v[2] + v[3] - 1 - 52, -1074)


def reference(name: str, x: float, y: float | None = None, prec: int = PREC) -> tuple:
    """The exact value (to about ``prec`` bits) of ``name`` at the arguments,
    as a raw mpf tuple (``mpmath.mpf(v)`` makes a number of it)."""
    f = FUNCTIONS[name][0]
    if y is None:
        return f(libmp.from_float(x), prec)
    if name == "atan2":  # the sample's y is atan2's first argument
        return f(libmp.from_float(y), libmp.from_float(x), prec)
    return f(libmp.from_float(x), libmp.from_float(y), prec)


def _ours(name: str, x: np.ndarray, y: np.ndarray | None) -> np.ndarray:
    if name == "atan2":
        return evaluate("atan2", y, x)
    return evaluate(name, x) if y is None else evaluate(name, x, y)


_PACK = struct.Struct("<d")
_UNPACK = struct.Struct("<q")


def _ordered(v: float) -> int:
    i = _UNPACK.unpack(_PACK.pack(v))[0]
    return -(2**63) - i if i < 0 else i


@dataclass
class Accuracy:
    """Error of one function over one sample."""

    name: str
    n: int
    max_ulp: float  # max |ours - exact| / ulp(exact)
    max_cr_distance: int  # max distance (doubles) from the correctly rounded result
    not_cr: int  # arguments not correctly rounded
    worst: tuple[float, ...]  # the arguments of the largest error (x[, y])

    @property
    def not_cr_fraction(self) -> float:
        """The share of results not correctly rounded."""
        return self.not_cr / self.n if self.n else 0.0


def _error(o: float, v: tuple) -> float:
    """|o - v| / ulp(v) for a finite double o and a non-zero v."""
    d = libmp.mpf_sub(libmp.from_float(o), v, 64, "n")
    return abs(libmp.to_float(libmp.mpf_shift(d, -_ulp_exp(v))))


def measure(name: str, x: np.ndarray, y: np.ndarray | None = None) -> Accuracy:
    """The core's error on the arguments, against mpmath."""
    ours = _ours(name, x, y)
    xs = x.tolist()
    ys = None if y is None else y.tolist()
    max_ulp, max_d, not_cr, worst = -1.0, 0, 0, (math.nan,)
    for i, o in enumerate(ours.tolist()):
        xi = xs[i]
        yi = None if ys is None else ys[i]
        v = reference(name, xi, yi)
        cr = cr_double(v)
        # undecided rounding at 128 bits (exact value too near a midpoint)?
        if cr != 0.0 and math.isfinite(cr) and abs(_error(cr, v) - 0.5) < 2.0**-40:
            v = reference(name, xi, yi, prec=4 * PREC)
            cr = cr_double(v)
        if math.isnan(o) or math.isnan(cr):
            d = 0 if (math.isnan(o) and math.isnan(cr)) else 2**62
        else:
            d = abs(_ordered(o) - _ordered(cr))
        if not v[1]:
            err = 0.0 if o == 0 else math.inf
        elif math.isinf(o):
            err = 0.0 if o == cr else math.inf
        else:
            err = _error(o, v)
        if d:
            not_cr += 1
        max_d = max(max_d, d)
        if err > max_ulp:
            max_ulp = err
            worst = (xi,) if yi is None else (xi, yi)
    return Accuracy(name, int(x.size), max(max_ulp, 0.0), max_d, not_cr, worst)
