"""Benchmark of the core's own elementary functions (native/src/gnc_math.c,
issue #14): accuracy against mpmath on 10^6 arguments per function, and speed
beside the platform's libm measured in the same run.

- accuracy: for each function, ``fsw_tools.mathcheck.sample`` draws its
  seeded arguments over the whole domain and its edge regions (the domain
  column); each result is compared with mpmath (128-bit references, 512-bit
  where the rounding is undecided, gmpy2 as mpmath's backend when installed):
  the largest error in ULP of the exact value, the largest distance from the
  correctly rounded double, and the share not correctly rounded. Spread over
  ``--workers`` processes.
- speed: ns per call of ``gnc_math_eval`` over the same arguments, and of the
  platform's libm (glibc here) called in the same C loop, compiled in this run
  with cffi (the anchor).
- sincos: ``gnc_sincos`` (one reduction for both) must give the bits of
  ``gnc_sin`` and ``gnc_cos``: checked on the sin and cos samples together
  (2 N arguments), so its accuracy is theirs (the row repeats the worse of the
  two, measured on the sin sample when those rows are not in the run); its
  speed is one gnc_sincos call beside glibc's sincos, and beside the core's
  sin + cos.

    python tools/bench/elementary.py [--quick] [--n N] [--workers K] [--only sin,cos]

The last line is one JSON object: per function n, max_ulp, max_cr_distance,
not_cr_fraction, ns_core, ns_libm (for sincos also same_bits, ns_core_sin_plus_cos);
and max_ulp over all functions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

# Run as a script, this folder is first on sys.path and its hil.py (another
# benchmark) would shadow the hil package: drop the folder from the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import numpy as np  # noqa: E402
from fsw.core._gnc import ffi as gnc_ffi  # noqa: E402
from fsw.core._gnc import lib as gnc_lib  # noqa: E402
from fsw_tools import mathcheck  # noqa: E402

from fsw.core.elementary import FUNCTIONS as IDS  # noqa: E402
from fsw.core.elementary import evaluate  # noqa: E402

CHUNK = 25_000

# the libm call of each function, in the anchor's C loop
LIBM_CALL = {
    "sin": "sin(x[i])", "cos": "cos(x[i])", "tan": "tan(x[i])", "asin": "asin(x[i])",
    "acos": "acos(x[i])", "atan": "atan(x[i])", "atan2": "atan2(y[i], x[i])",
    "exp": "exp(x[i])", "expm1": "expm1(x[i])", "log": "log(x[i])", "log1p": "log1p(x[i])",
    "pow": "pow(x[i], y[i])", "cbrt": "cbrt(x[i])", "hypot": "hypot(x[i], y[i])",
    "sinh": "sinh(x[i])", "cosh": "cosh(x[i])", "tanh": "tanh(x[i])",
    "sincos_sin": "libm_sincos_sin(x[i])",
}
# glibc's sincos (a GNU extension), the anchor of gnc_sincos
LIBM_SINCOS = ("static volatile double libm_cos_sink;\n"
               "static double libm_sincos_sin(double x)\n{\n    double s, c;\n"
               "    sincos(x, &s, &c);\n    libm_cos_sink = c;\n    return s;\n}\n")


def _measure_chunk(job: tuple[str, np.ndarray, np.ndarray | None]) -> mathcheck.Accuracy:
    name, x, y = job
    return mathcheck.measure(name, x, y)


def accuracy(name: str, n: int, workers: int) -> tuple[mathcheck.Accuracy, np.ndarray,
                                                       np.ndarray | None]:
    """The error of ``name`` on its n-argument sample, measured in parallel."""
    x, y = mathcheck.sample(name, n)
    jobs = [(name, x[i:i + CHUNK], None if y is None else y[i:i + CHUNK])
            for i in range(0, n, CHUNK)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_measure_chunk, jobs))
    else:
        parts = [_measure_chunk(j) for j in jobs]
    worst = max(parts, key=lambda a: a.max_ulp)
    acc = mathcheck.Accuracy(
        name=name, n=sum(p.n for p in parts), max_ulp=worst.max_ulp,
        max_cr_distance=max(p.max_cr_distance for p in parts),
        not_cr=sum(p.not_cr for p in parts), worst=worst.worst)
    return acc, x, y


def _libm_module() -> Any | None:
    """The anchor: libm's functions in a C loop, compiled now (None without
    a compiler)."""
    try:
        from cffi import FFI
    except ImportError:  # pragma: no cover - cffi is a dependency
        return None
    cases = "\n".join(f"    case {IDS[n]}: for (i = 0; i < n; ++i) out[i] = {c}; break;"
                      for n, c in LIBM_CALL.items())
    src = ("#define _GNU_SOURCE\n#include <math.h>\n#include <stddef.h>\n" + LIBM_SINCOS +
           "static int libm_eval(int fn, const double *x, const double *y, size_t n, "
           "double *out)\n{\n    size_t i;\n    switch (fn) {\n" + cases +
           "\n    default: return 5;\n    }\n    return 0;\n}\n")
    ffi = FFI()
    ffi.cdef("int libm_eval(int fn, const double *x, const double *y, size_t n, double *out);")
    tmp = Path(tempfile.mkdtemp(prefix="fsw-bench-libm-"))
    ffi.set_source("_fsw_bench_libm", src, libraries=["m"],
                   extra_compile_args=["-O2", "-ffp-contract=off", "-fno-builtin"])
    try:
        so = ffi.compile(tmpdir=str(tmp))
    except Exception as exc:  # no compiler: no anchor
        print(f"(no libm anchor: {exc})")
        return None
    sys.path.insert(0, str(tmp))
    import importlib

    mod = importlib.import_module("_fsw_bench_libm")
    del so
    return mod


def _ns_per_call(call: Callable[[], int], n: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        st = call()
        best = min(best, time.perf_counter() - t0)
        if st:
            raise RuntimeError(f"status {st}")
    return best / n * 1e9


def speed(name: str, x: np.ndarray, y: np.ndarray | None, libm: Any | None,
          n: int, repeats: int) -> tuple[float, float | None]:
    """ns per call of the core and of libm on the first n arguments."""
    xs = np.ascontiguousarray(x[:n])
    ys = np.ascontiguousarray(y[:n] if y is not None else np.zeros(n))
    out = np.empty_like(xs)
    fn = IDS[name]
    px, py, po = (gnc_ffi.from_buffer("double[]", a) for a in (xs, ys, out))
    core = _ns_per_call(lambda: gnc_lib.gnc_math_eval(fn, px, py, xs.size, po), xs.size, repeats)
    if libm is None:
        return core, None
    qx, qy, qo = (libm.ffi.from_buffer("double[]", a) for a in (xs, ys, out))
    ref = _ns_per_call(lambda: libm.lib.libm_eval(fn, qx, qy, xs.size, qo), xs.size, repeats)
    return core, ref


def sincos_row(n: int, res: dict[str, dict[str, Any]], workers: int,
               libm: Any | None) -> dict[str, Any]:
    """gnc_sincos: same bits as gnc_sin and gnc_cos on both samples, their
    accuracy, and its speed beside glibc's sincos and the core's sin + cos."""
    xs = np.concatenate([mathcheck.sample("sin", n)[0], mathcheck.sample("cos", n)[0]])
    same = 0
    for part, ref in (("sincos_sin", "sin"), ("sincos_cos", "cos")):
        a, b = evaluate(part, xs).view(np.uint64), evaluate(ref, xs).view(np.uint64)
        same += int(np.count_nonzero(a == b))
    if "sin" in res and "cos" in res:
        acc = [res["sin"], res["cos"]]
    else:  # measure the sine on its sample (the same bits as gnc_sincos's)
        a = accuracy("sin", n, workers)[0]
        acc = [{"max_ulp": a.max_ulp, "max_cr_distance": a.max_cr_distance,
                "not_cr_fraction": a.not_cr_fraction, "worst": a.worst}]
    worst = max(acc, key=lambda r: r["max_ulp"])
    m = min(n, 200_000)
    core, ref = speed("sincos_sin", xs, None, libm, m, 5)
    sin_ns = speed("sin", xs, None, None, m, 5)[0]
    cos_ns = speed("cos", xs, None, None, m, 5)[0]
    return {"n": 2 * n, "same_bits": same, "max_ulp": worst["max_ulp"],
            "max_cr_distance": max(r["max_cr_distance"] for r in acc),
            "not_cr_fraction": max(r["not_cr_fraction"] for r in acc), "worst": worst["worst"],
            "ns_core": round(core, 2), "ns_libm": None if ref is None else round(ref, 2),
            "ns_core_sin_plus_cos": round(sin_ns + cos_ns, 2)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="20,000 arguments per function")
    p.add_argument("--n", type=int, default=None, help="arguments per function (default 10^6)")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--only", default="", help="comma-separated functions (default: all)")
    args = p.parse_args(argv)
    n = args.n or (20_000 if args.quick else 1_000_000)
    known = [*mathcheck.FUNCTIONS, "sincos"]
    names = [s for s in args.only.split(",") if s] or known
    unknown = set(names) - set(known)
    if unknown:
        print(f"elementary.py: error: unknown functions {sorted(unknown)}", file=sys.stderr)
        return 2
    libm = _libm_module()
    print(f"elementary functions of the core against mpmath "
          f"(backend {mathcheck.libmp.BACKEND}), {n:,} arguments each, {args.workers} workers")
    print(f"{'function':8s} {'domain':64s} {'N':>9s} {'max ULP':>8s} {'CR dist':>7s} "
          f"{'not CR':>8s} {'core ns':>8s} {'libm ns':>8s} {'ratio':>6s}")
    res: dict[str, dict[str, Any]] = {}
    t0 = time.perf_counter()
    for name in names:
        if name == "sincos":
            continue
        acc, x, y = accuracy(name, n, args.workers)
        core, ref = speed(name, x, y, libm, min(n, 200_000), 5)
        ratio = f"{core / ref:6.2f}" if ref else "     -"
        print(f"{name:8s} {mathcheck.FUNCTIONS[name][2]:64s} {acc.n:9,d} {acc.max_ulp:8.3f} "
              f"{acc.max_cr_distance:7d} {acc.not_cr_fraction:8.2%} {core:8.1f} "
              f"{(ref or float('nan')):8.1f} {ratio}", flush=True)
        res[name] = {"n": acc.n, "max_ulp": round(acc.max_ulp, 4),
                     "max_cr_distance": acc.max_cr_distance,
                     "not_cr_fraction": acc.not_cr_fraction, "worst": acc.worst,
                     "ns_core": round(core, 2), "ns_libm": None if ref is None else round(ref, 2)}
    if "sincos" in names:
        r = res["sincos"] = sincos_row(n, res, args.workers, libm)
        ratio = f"{r['ns_core'] / r['ns_libm']:6.2f}" if r["ns_libm"] else "     -"
        print(f"{'sincos':8s} {'= sin and cos: same bits on both samples':64s} {r['n']:9,d} "
              f"{r['max_ulp']:8.3f} {r['max_cr_distance']:7d} {r['not_cr_fraction']:8.2%} "
              f"{r['ns_core']:8.1f} {(r['ns_libm'] or float('nan')):8.1f} {ratio}", flush=True)
        print(f"         gnc_sincos: the bits of gnc_sin and gnc_cos on {r['same_bits']:,} of "
              f"{2 * r['n']:,} results; one call {r['ns_core']:.1f} ns, gnc_sin + gnc_cos "
              f"{r['ns_core_sin_plus_cos']:.1f} ns")
        if r["same_bits"] != 2 * r["n"]:
            print("elementary.py: error: gnc_sincos differs from gnc_sin/gnc_cos",
                  file=sys.stderr)
            return 1
    worst = max(r["max_ulp"] for r in res.values())
    print(f"largest error {worst:.3f} ULP (at most 1 required); {time.perf_counter() - t0:.0f} s")
    print(json.dumps({"n_per_function": n, "max_ulp": worst, "functions": res}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
