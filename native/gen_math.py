"""Generator of native/src/gnc_math_tables.h: the polynomial coefficients and
tables of the core's elementary functions (native/src/gnc_math.c).

Every number is computed here with mpmath, nothing is copied from another
library:

- minimax polynomials by the Remez exchange algorithm (:func:`remez`) on the
  interval and with the weight each kernel needs (relative or absolute error),
  then rounded to double; the error of the rounded polynomial is measured on
  a dense grid and written beside it;
- tables of sin/cos, atan, 2^(j/64) and log as double-double (hi, lo) pairs;
- the bits of 2/pi for the large-argument reduction (Payne-Hanek), and the
  split constants (pi/2 in 33-bit pieces, ln2/64 and ln2 with trailing zero
  bits) of the Cody-Waite reductions.

Run ``python native/gen_math.py`` to rewrite the header; ``--check`` exits 1
when the committed header differs from what this script generates (the test
suite runs it). The output is deterministic.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import mpmath
from mpmath import mp, mpf

OUT = Path(__file__).resolve().parent / "src" / "gnc_math_tables.h"
PREC = 200  # working precision of the fits (bits)


# -- number formatting -------------------------------------------------------------


def to_double(v: mpf) -> float:
    """``v`` rounded to the nearest double."""
    return float(mpf(v))


def hexf(v: float) -> str:
    """A C99 hexadecimal floating literal of ``v`` (exact)."""
    if v == 0.0:
        return "0.0"
    return float.hex(v)


def dd(v: mpf) -> tuple[float, float]:
    """``v`` as a double-double (hi = nearest double, lo = nearest double to the rest)."""
    hi = to_double(v)
    lo = to_double(v - mpf(hi))
    return hi, lo


def split_bits(v: mpf, bits: int) -> float:
    """``v`` rounded to ``bits`` significant bits (so that small integer
    multiples of it are exact doubles)."""
    e = int(mpmath.floor(mpmath.log(abs(v), 2)))
    scale = mpf(2) ** (bits - 1 - e)
    return to_double(mpmath.nint(v * scale) / scale)


def sig_bits(x: float) -> int:
    """Significant bits of a double."""
    m, _ = mpmath.frexp(mpf(x))
    n = int(m * 2**53)
    n //= n & -n
    return n.bit_length()


# -- Remez exchange ----------------------------------------------------------------


def _cheb_grid(a: mpf, b: mpf, n: int) -> list[mpf]:
    return [(a + b) / 2 - (b - a) / 2 * mpmath.cos(mpmath.pi * k / (n - 1)) for k in range(n)]


def _horner(c: list[mpf], z: mpf) -> mpf:
    s = mpf(0)
    for ci in reversed(c):
        s = s * z + ci
    return s


def remez(g: Callable[[mpf], mpf], w: Callable[[mpf], mpf], a: float, b: float,
          deg: int, iters: int = 25) -> list[mpf]:
    """Coefficients c[0..deg] of the polynomial p minimising
    max |w(z) (g(z) - p(z))| over [a, b] (Remez exchange on a dense
    Chebyshev grid, extrema refined by golden-section search)."""
    a, b = mpf(a), mpf(b)
    # a small floor keeps the weight positive where it vanishes (z = 0): no
    # node can make the linear system singular, and the fit still follows w
    floor = mpf(10) ** -3 * max(w(a), w(b))
    w0 = w

    def w(z: mpf) -> mpf:
        return w0(z) + floor

    n = deg + 2
    nodes = _cheb_grid(a, b, n)
    grid = _cheb_grid(a, b, 40 * n)
    gg = {z: g(z) for z in grid}
    c: list[mpf] = []
    for _ in range(iters):
        # solve p(z_j) + (-1)^j E / w(z_j) = g(z_j)
        m = mpmath.matrix(n, n)
        rhs = mpmath.matrix(n, 1)
        for j, z in enumerate(nodes):
            for i in range(deg + 1):
                m[j, i] = z**i
            m[j, deg + 1] = (-1) ** j / w(z)
            rhs[j] = gg[z] if z in gg else g(z)
        sol = mpmath.lu_solve(m, rhs)
        c = [sol[i] for i in range(deg + 1)]

        def err(z: mpf, c: list[mpf] = c) -> mpf:
            return w(z) * ((gg[z] if z in gg else g(z)) - _horner(c, z))

        # the nodes join the grid: the error alternates in sign on them, so
        # the runs below are at least n
        pts = sorted(set(grid) | set(nodes))
        vals = [err(z) for z in pts]
        # runs of one sign; the extremum of each
        runs: list[tuple[int, int]] = []
        start = 0
        for k in range(1, len(pts) + 1):
            if k == len(pts) or (vals[k] >= 0) != (vals[start] >= 0):
                best = max(range(start, k), key=lambda i: abs(vals[i]))
                runs.append((best, 1 if vals[start] >= 0 else -1))
                start = k
        # keep n alternating extrema: drop the smallest end run while too many
        while len(runs) > n:
            if abs(vals[runs[0][0]]) < abs(vals[runs[-1][0]]):
                runs.pop(0)
            else:
                runs.pop()
        if len(runs) < n:  # extrema merged: the last exchange is as good as it gets
            break
        new = []
        for idx, sign in runs:
            lo = pts[max(idx - 1, 0)]
            hi = pts[min(idx + 1, len(pts) - 1)]
            new.append(_golden(lambda z, c=c, s=sign: -s * w(z) * (g(z) - _horner(c, z)), lo, hi))
        errs = [abs(w(z) * (g(z) - _horner(c, z))) for z in new]
        nodes = new
        if max(errs) / min(errs) < 1 + mpf(10) ** -5:
            break
    return c


def _golden(f: Callable[[mpf], mpf], lo: mpf, hi: mpf, steps: int = 30) -> mpf:
    """The minimiser of f on [lo, hi] (golden-section search)."""
    r = (mpmath.sqrt(5) - 1) / 2
    x1, x2 = hi - r * (hi - lo), lo + r * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(steps):
        if f1 < f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - r * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + r * (hi - lo)
            f2 = f(x2)
    cand = [lo, hi, x1, x2]
    return min(cand, key=f)


def rounded_error(g: Callable[[mpf], mpf], w: Callable[[mpf], mpf], a: float, b: float,
                  c: list[float], npts: int = 1500) -> float:
    """max |w (g - p)| of the polynomial with the double coefficients ``c``."""
    cm = [mpf(x) for x in c]
    return float(max(abs(w(z) * (g(z) - _horner(cm, z)))
                     for z in _cheb_grid(mpf(a), mpf(b), npts)))


# -- the kernels' approximations ---------------------------------------------------

TINY = mpf(2) ** -60  # the fits start just above 0, where g has a removable singularity


def _series_safe(f: Callable[[mpf], mpf]) -> Callable[[mpf], mpf]:
    def h(z: mpf) -> mpf:
        return f(max(z, TINY))
    return h


def sin_poly(zmax: float, deg: int) -> list[mpf]:
    """sin(x) = x + x^3 S(x^2): S on [0, zmax], relative error of sin."""
    g = _series_safe(lambda z: (mpmath.sin(mpmath.sqrt(z)) - mpmath.sqrt(z)) / z**1.5)
    w = _series_safe(lambda z: z)
    return remez(g, w, 0, zmax, deg)


def cos_poly(zmax: float, deg: int) -> list[mpf]:
    """cos(x) = 1 - x^2/2 + x^4 C(x^2): C on [0, zmax], absolute error."""
    g = _series_safe(lambda z: (mpmath.cos(mpmath.sqrt(z)) - 1 + z / 2) / z**2)
    w = _series_safe(lambda z: z**2)
    return remez(g, w, 0, zmax, deg)


def atan_poly(zmax: float, deg: int) -> list[mpf]:
    """atan(x) = x + x^3 A(x^2): A on [0, zmax], relative error of atan."""
    g = _series_safe(lambda z: (mpmath.atan(mpmath.sqrt(z)) - mpmath.sqrt(z)) / z**1.5)
    w = _series_safe(lambda z: z)
    return remez(g, w, 0, zmax, deg)


def _nz(r: mpf) -> mpf:
    return r if abs(r) > TINY else TINY


def exp_poly(rmax: float, deg: int) -> list[mpf]:
    """e^r - 1 = r + r^2/2 + r^3 E(r): E on [-rmax, rmax], absolute error."""
    g = lambda r: (mpmath.expm1(_nz(r)) - _nz(r) - _nz(r) ** 2 / 2) / _nz(r) ** 3  # noqa: E731
    w = lambda r: abs(_nz(r)) ** 3  # noqa: E731
    return remez(g, w, -rmax, rmax, deg)


def log_poly(umax: float, deg: int) -> list[mpf]:
    """log1p(u) = u - u^2/2 + u^3 L(u): L on [-umax, umax], error relative
    to u (the result near x = 1 is about u)."""
    g = lambda u: (mpmath.log1p(_nz(u)) - _nz(u) + _nz(u) ** 2 / 2) / _nz(u) ** 3  # noqa: E731
    w = lambda u: _nz(u) ** 2  # noqa: E731
    return remez(g, w, -umax, umax, deg)


def expm1_poly(xmax: float, deg: int) -> list[mpf]:
    """expm1(x) = x + x^2/2 + x^3 M(x): M on [-xmax, xmax], relative error."""
    g = lambda x: (mpmath.expm1(_nz(x)) - _nz(x) - _nz(x) ** 2 / 2) / _nz(x) ** 3  # noqa: E731
    w = lambda x: _nz(x) ** 2 / abs(mpmath.expm1(_nz(x)) / _nz(x))  # noqa: E731
    return remez(g, w, -xmax, xmax, deg)


def cbrt_poly(deg: int) -> list[mpf]:
    """cbrt(m) on [1, 2], relative error (a start for Newton's iteration)."""
    return remez(mpmath.cbrt, lambda m: 1 / mpmath.cbrt(m), 1, 2, deg)


# -- the header ----------------------------------------------------------------------


def _poly_block(name: str, what: str, coeffs: list[mpf], err: float, lines: list[str]) -> None:
    c = [to_double(x) for x in coeffs]
    lines.append(f"/* {what}; max weighted error of the rounded polynomial {err:.2e}"
                 f" (2^{mpmath.log(err, 2):.1f}) */" if err > 0 else f"/* {what} */")
    lines.append(f"static const double {name}[{len(c)}] = {{")
    for x in c:
        lines.append(f"    {hexf(x)},")
    lines.append("};")
    lines.append("")


def _table(name: str, rows: list[tuple[float, ...]], what: str, lines: list[str]) -> None:
    width = len(rows[0])
    lines.append(f"/* {what} */")
    lines.append(f"static const double {name}[{len(rows)}][{width}] = {{")
    for r in rows:
        lines.append("    {" + ", ".join(hexf(x) for x in r) + "},")
    lines.append("};")
    lines.append("")


def _const(name: str, v: float, what: str, lines: list[str]) -> None:
    lines.append(f"#define {name} {hexf(v)}" + (f" /* {what} */" if what else ""))


def generate() -> str:
    mp.prec = PREC
    pi = +mpmath.pi
    ln2 = mpmath.log(2)
    L: list[str] = [
        "/*",
        " * gnc_math_tables.h - GENERATED by native/gen_math.py (do not edit): the",
        " * coefficients and tables of native/src/gnc_math.c, computed with mpmath",
        " * (Remez minimax fits, double-double tables). Private to gnc_math.c.",
        " */",
        "#ifndef GNC_MATH_TABLES_H",
        "#define GNC_MATH_TABLES_H",
        "",
        "#include <stdint.h>",
        "",
    ]
    # constants of the reductions
    pio2 = pi / 2
    p1 = split_bits(pio2, 33)
    p2 = split_bits(pio2 - p1, 33)
    p3 = split_bits(pio2 - p1 - p2, 33)
    p4 = to_double(pio2 - p1 - p2 - p3)
    assert max(sig_bits(p) for p in (p1, p2, p3)) <= 33
    _const("PIO2_1", p1, "pi/2, first 33 bits (n PIO2_1 exact for n < 2^20)", L)
    _const("PIO2_2", p2, "pi/2, next 33 bits", L)
    _const("PIO2_3", p3, "pi/2, next 33 bits", L)
    _const("PIO2_4", p4, "pi/2, the rest rounded", L)
    _const("PIO2_34", to_double(pio2 - p1 - p2), "pi/2 - PIO2_1 - PIO2_2 rounded", L)
    h, lo = dd(pio2)
    _const("PIO2_HI", h, "pi/2 double-double", L)
    _const("PIO2_LO", lo, "", L)
    h, lo = dd(pi)
    _const("PI_HI", h, "pi double-double", L)
    _const("PI_LO", lo, "", L)
    _const("PIO4", to_double(pi / 4), "pi/4 rounded", L)
    _const("PI3O4", to_double(3 * pi / 4), "3 pi/4 rounded", L)
    _const("INV_PIO2", to_double(2 / pi), "2/pi rounded", L)
    l1 = split_bits(ln2 / 64, 35)
    assert sig_bits(l1) <= 35
    _const("LN2_64_1", l1, "ln2/64, first 35 bits (n LN2_64_1 exact for |n| < 2^18)", L)
    _const("LN2_64_2", to_double(ln2 / 64 - l1), "ln2/64, the rest rounded", L)
    _const("INV_LN2_64", to_double(64 / ln2), "64/ln2 rounded", L)
    lh = split_bits(ln2, 42)
    assert sig_bits(lh) <= 42
    _const("LN2_HI", lh, "ln2, first 42 bits (k LN2_HI exact for |k| < 2^11)", L)
    _const("LN2_LO", to_double(ln2 - lh), "ln2, the rest rounded", L)
    # exp overflow: the smallest x whose exp rounds to infinity is above this
    dmax = mpf(2) ** 1024 * (1 - mpf(2) ** -53)
    _const("EXP_OVF", to_double(mpmath.log(dmax + mpf(2) ** 970)),
           "exp(x) >= DBL_MAX + ulp/2 from here up: overflow", L)
    _const("CBRT2", to_double(mpmath.cbrt(2)), "2^(1/3) rounded", L)
    _const("CBRT4", to_double(mpmath.cbrt(4)), "2^(2/3) rounded", L)
    L.append("")

    # polynomials (interval ends with a small margin beyond the kernels' reach)
    polys = [
        ("SIN_P", "sin(x) = x + x^3 P(x^2), |x| <= 0.2501: relative error of sin",
         lambda: sin_poly(0.2501**2, 4), sin_poly_err(0.2501**2)),
        ("SIN_T", "sin(t) = t + t^3 P(t^2), |t| <= 1/128 (+margin): relative error",
         lambda: sin_poly((1 / 128 + 1e-6) ** 2, 1), sin_poly_err((1 / 128 + 1e-6) ** 2)),
        ("COS_P", "cos(x) = 1 - x^2/2 + x^4 P(x^2), |x| <= 0.2501: absolute error",
         lambda: cos_poly(0.2501**2, 4), cos_poly_err(0.2501**2)),
        ("COS_T", "cos(t) = 1 - t^2/2 + t^4 P(t^2), |t| <= 1/128 (+margin): absolute error",
         lambda: cos_poly((1 / 128 + 1e-6) ** 2, 1), cos_poly_err((1 / 128 + 1e-6) ** 2)),
        ("ATAN_P", "atan(x) = x + x^3 P(x^2), |x| <= 1/8 (+margin): relative error",
         lambda: atan_poly((1 / 8 + 1e-3) ** 2, 8), atan_poly_err((1 / 8 + 1e-3) ** 2)),
        ("ATAN_T", "atan(t) = t + t^3 P(t^2), |t| <= 1/256 (+margin): relative error",
         lambda: atan_poly((1 / 256 + 1e-5) ** 2, 2), atan_poly_err((1 / 256 + 1e-5) ** 2)),
        ("EXP_P", "e^r - 1 = r + r^2/2 + r^3 P(r), |r| <= ln2/128 (+margin): absolute error",
         lambda: exp_poly(float(ln2) / 128 * 1.01, 3), exp_poly_err(float(ln2) / 128 * 1.01)),
        ("LOG_P", "log1p(u) = u - u^2/2 + u^3 P(u), |u| <= 1/192 (+margin): error / |u|",
         lambda: log_poly(1 / 192 * 1.01, 5), log_poly_err(1 / 192 * 1.01)),
        ("EXPM1_P", "expm1(x) = x + x^2/2 + x^3 P(x), |x| <= ln2/2 (+margin): relative error",
         lambda: expm1_poly(float(ln2) / 2 * 1.001, 10), expm1_poly_err(float(ln2) / 2 * 1.001)),
        ("CBRT_P", "cbrt(m), 1 <= m <= 2: relative error (Newton's start)",
         lambda: cbrt_poly(5), cbrt_poly_err()),
    ]
    for name, what, fit, errf in polys:
        c = fit()
        _poly_block(name, what, c, errf([to_double(x) for x in c]), L)

    # tables
    _table("SINCOS_TAB", [(*dd(mpmath.sin(mpf(k) / 64)), *dd(mpmath.cos(mpf(k) / 64)))
                          for k in range(16, 51)],
           "sin(k/64) hi, lo, cos(k/64) hi, lo for k = 16..50", L)
    _table("ATAN_TAB", [dd(mpmath.atan(mpf(k) / 128)) for k in range(16, 129)],
           "atan(k/128) hi, lo for k = 16..128", L)
    _table("EXP2_TAB", [dd(mpf(2) ** (mpf(j) / 64)) for j in range(64)],
           "2^(j/64) hi, lo for j = 0..63", L)
    rows = []
    for j in range(96, 193):
        r = split_bits(mpf(128) / j, 26)
        rows.append((r, *dd(-mpmath.log(mpf(r)))))
    _table("LOG_TAB", rows, "r = 128/j rounded to 26 bits, -log(r) hi, lo for j = 96..192", L)
    # 2/pi bits
    nwords = 40
    with mpmath.workprec(32 * nwords + 64):
        v = mpmath.floor((2 / mpmath.pi) * mpf(2) ** (32 * nwords))
    words = [int(v) >> (32 * (nwords - 1 - i)) & 0xFFFFFFFF for i in range(nwords)]
    L.append("/* 2/pi = sum_i TWO_OVER_PI[i] 2^(-32 (i + 1)), 1280 bits */")
    L.append(f"static const uint32_t TWO_OVER_PI[{nwords}] = {{")
    for i in range(0, nwords, 6):
        L.append("    " + ", ".join(f"0x{w:08X}u" for w in words[i:i + 6]) + ",")
    L.append("};")
    L.append("")
    L.append("#endif /* GNC_MATH_TABLES_H */")
    return "\n".join(L) + "\n"


# error reports of the rounded polynomials (same g and w as the fits)


def sin_poly_err(zmax: float) -> Callable[[list[float]], float]:
    g = _series_safe(lambda z: (mpmath.sin(mpmath.sqrt(z)) - mpmath.sqrt(z)) / z**1.5)
    return lambda c: rounded_error(g, _series_safe(lambda z: z), 0, zmax, c)


def cos_poly_err(zmax: float) -> Callable[[list[float]], float]:
    g = _series_safe(lambda z: (mpmath.cos(mpmath.sqrt(z)) - 1 + z / 2) / z**2)
    return lambda c: rounded_error(g, _series_safe(lambda z: z**2), 0, zmax, c)


def atan_poly_err(zmax: float) -> Callable[[list[float]], float]:
    g = _series_safe(lambda z: (mpmath.atan(mpmath.sqrt(z)) - mpmath.sqrt(z)) / z**1.5)
    return lambda c: rounded_error(g, _series_safe(lambda z: z), 0, zmax, c)


def exp_poly_err(rmax: float) -> Callable[[list[float]], float]:
    g = lambda r: (mpmath.expm1(_nz(r)) - _nz(r) - _nz(r) ** 2 / 2) / _nz(r) ** 3  # noqa: E731
    return lambda c: rounded_error(g, lambda r: abs(_nz(r)) ** 3, -rmax, rmax, c)


def log_poly_err(umax: float) -> Callable[[list[float]], float]:
    g = lambda u: (mpmath.log1p(_nz(u)) - _nz(u) + _nz(u) ** 2 / 2) / _nz(u) ** 3  # noqa: E731
    return lambda c: rounded_error(g, lambda u: _nz(u) ** 2, -umax, umax, c)


def expm1_poly_err(xmax: float) -> Callable[[list[float]], float]:
    g = lambda x: (mpmath.expm1(_nz(x)) - _nz(x) - _nz(x) ** 2 / 2) / _nz(x) ** 3  # noqa: E731
    w = lambda x: _nz(x) ** 2 / abs(mpmath.expm1(_nz(x)) / _nz(x))  # noqa: E731
    return lambda c: rounded_error(g, w, -xmax, xmax, c)


def cbrt_poly_err() -> Callable[[list[float]], float]:
    return lambda c: rounded_error(mpmath.cbrt, lambda m: 1 / mpmath.cbrt(m), 1, 2, c)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true",
                   help="exit 1 if the committed header differs from the generated one")
    args = p.parse_args(argv)
    text = generate()
    if args.check:
        same = OUT.exists() and OUT.read_text() == text
        print(f"{OUT.name}: {'up to date' if same else 'DIFFERS from native/gen_math.py'}")
        return 0 if same else 1
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
