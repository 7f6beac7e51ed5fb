"""Back-to-back comparison of the guidance core on the board with the
desktop build of the same sources, on the same recorded inputs.

The recorded calls cover the core's arithmetic and its elementary functions:
attitude propagation (sin/cos), two-body Kepler propagation (an iterative
solver with sin/cos/sqrt), Clohessy-Wiltshire propagation, classical elements
to and from Cartesian state (acos/atan2), a quaternion rotation (pure
arithmetic) and a TLE's GCRF state (SGP4: pow, fmod, atan2, a Kepler loop;
the IAU 1976 precession). The board computes them from a semihosted file
(native/firmware/tests/b2b_core.c) under QEMU.

Why the results must be bit-identical: + - * /, sqrt and the conversions are
IEEE 754 correctly rounded on both sides (libgcc's soft double on the
Cortex-M4F, SSE2 on x86-64), both builds use the same strict flags
(-ffp-contract=off: no fused multiply-add; -fexcess-precision=standard), and
the elementary functions are the core's own (native/src/gnc_math.c), not
newlib's or glibc's. :func:`compare` reports the ULP distance per call kind;
anything but 0 is a defect.

The elementary functions and the soft double arithmetic themselves are
compared by a second image (native/firmware/tests/b2b_math.c):
:func:`math_on_qemu` against :func:`math_desktop`.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fsw.constants import MU_EARTH

__all__ = ["ARITH_OPS", "KINDS", "Comparison", "compare", "desktop", "make_calls", "math_desktop",
           "math_on_qemu", "on_qemu", "ulp_distance"]

NREC = 17
KINDS = {0: "att_propagate", 1: "kepler", 2: "cw_propagate", 3: "coe_from_rv",
         4: "rv_from_coe", 5: "quat_rotate", 6: "tle_gcrf"}
_NOUT = {0: 4, 1: 6, 2: 6, 3: 6, 4: 6, 5: 3, 6: 6}
#: the fields of gnc_sgp4_elements, in the order of a tle_gcrf record
_SGP4_FIELDS = ("epoch_jd", "epoch_jd_frac", "n_rev_day", "ecc", "incl_deg", "raan_deg",
                "argp_deg", "mean_anomaly_deg", "bstar")


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=n)
    return v / np.linalg.norm(v)


def _leo(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    r = _unit(rng, 3) * rng.uniform(6.7e6, 7.5e6)
    h = _unit(rng, 3)
    t = np.cross(h, r)
    t /= np.linalg.norm(t)
    v = (t * math.sqrt(MU_EARTH / np.linalg.norm(r)) * rng.uniform(0.95, 1.08)
         + rng.normal(size=3) * 50)
    return r, v


def make_calls(n: int, seed: int = 8) -> np.ndarray:
    """``n`` recorded calls (rows of 17 doubles), the kinds in turn."""
    rng = np.random.default_rng(seed)
    rec = np.zeros((n, NREC))
    for i in range(n):
        kind = i % len(KINDS)
        a = rec[i, 1:]
        rec[i, 0] = kind
        if kind in (0, 5):
            a[0:4] = _unit(rng, 4)
            a[4:7] = rng.normal(0.0, 0.05, 3) if kind == 0 else rng.normal(0.0, 1e3, 3)
            a[7] = 0.1 if kind == 0 else 0.0
        elif kind in (1, 3):
            # kepler(r0, v0, dt, mu), coe_from_rv(r, v, mu): state, time, mu
            r, v = _leo(rng)
            a[0:3], a[3:6] = r, v
            dt = rng.uniform(0.0, 6000.0)
            a[6:8] = (dt, MU_EARTH) if kind == 1 else (MU_EARTH, 0.0)
        elif kind == 6:
            # SGP4 + precession: LEO mean elements (perigee 400-1500 km), a time within a day
            e = rng.uniform(0.0, 0.05)
            sma = (6378.135 + rng.uniform(400.0, 1500.0)) / (1.0 - e)
            a[0:9] = [2460000.5 + rng.integers(0, 3000), round(rng.uniform(0.0, 1.0), 8),
                      math.sqrt(398600.8 / sma**3) * 86400.0 / (2.0 * math.pi), e,
                      rng.uniform(0.0, 180.0), rng.uniform(0.0, 360.0), rng.uniform(0.0, 360.0),
                      rng.uniform(0.0, 360.0), rng.uniform(-1e-4, 1e-4)]
            a[9] = ((a[0] - 2436204.5 + a[1]) * 86400.0 + 37.0 + rng.uniform(-86400.0, 86400.0))
            a[10] = 37.0
        elif kind == 2:
            a[0] = math.sqrt(MU_EARTH / 7.0e6**3)
            a[1:4] = rng.uniform(-2000.0, 2000.0, 3)
            a[4:7] = rng.uniform(-1.0, 1.0, 3)
            a[7] = rng.uniform(0.0, 5400.0)
        else:
            a[0:6] = [rng.uniform(6.8e6, 7.4e6), rng.uniform(0.0, 0.1), rng.uniform(0.0, math.pi),
                      rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi),
                      rng.uniform(0, 2 * math.pi)]
            a[6] = MU_EARTH
    return rec


def desktop(calls: np.ndarray) -> np.ndarray:
    """The desktop core's outputs (status, outputs) for each call."""
    from fsw.core._gnc import ffi, lib

    out = np.zeros_like(calls)
    for i, row in enumerate(calls):
        a = np.ascontiguousarray(row[1:])
        o = np.zeros(16)
        pa = ffi.from_buffer("double[]", a)
        po = ffi.from_buffer("double[]", o)
        kind = int(row[0])
        if kind == 0:
            st = lib.gnc_att_propagate(pa, pa + 4, a[7], po)
        elif kind == 1:
            st = lib.gnc_kepler(pa, pa + 3, a[6], a[7], po, po + 3)
        elif kind == 2:
            st = lib.gnc_cw_propagate(a[0], pa + 1, a[7], po)
        elif kind == 3:
            st = lib.gnc_coe_from_rv(pa, pa + 3, a[6], po)
        elif kind == 4:
            st = lib.gnc_rv_from_coe(pa, a[6], po, po + 3)
        elif kind == 6:
            s = ffi.new("gnc_sgp4 *")
            el = ffi.new("gnc_sgp4_elements *", dict(zip(_SGP4_FIELDS, a[:9].tolist(),
                                                         strict=True)))
            st = lib.gnc_sgp4_init(s, el)
            if st == 0:
                st = lib.gnc_tle_gcrf(s, a[9], a[10], po, po + 3)
        else:
            st = lib.gnc_quat_rotate(pa, pa + 4, po)
        out[i, 0] = st
        out[i, 1:] = o
    return out


def on_qemu(calls: np.ndarray, elf: Path, timeout: float = 60.0) -> np.ndarray:
    """The board's outputs: run the back-to-back image under QEMU."""
    from hil.board.qemu import run_semihosted

    with tempfile.TemporaryDirectory(prefix="fsw-b2b-") as tmp:
        d = Path(tmp)
        calls.astype("<f8").tofile(d / "b2b_in.bin")
        res = run_semihosted(elf, timeout=timeout, cwd=d)
        if res.timed_out or res.returncode != 0:
            raise RuntimeError(
                f"back-to-back image failed (status {res.returncode}):\n{res.output}")
        out = np.fromfile(d / "b2b_out.bin", dtype="<f8")
    return out.reshape(-1, NREC)


#: the arithmetic the b2b_math image runs besides the elementary functions:
#: op -> (name, numpy on the desktop)
ARITH_OPS = {
    100: ("add", lambda x, y: x + y),
    101: ("sub", lambda x, y: x - y),
    102: ("mul", lambda x, y: x * y),
    103: ("div", lambda x, y: x / y),
    104: ("int32 to double", lambda x, y: x.astype(np.int32).astype(np.float64)),
    105: ("int64 to double", lambda x, y: x.astype(np.int64).astype(np.float64)),
}


def math_desktop(ops: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The desktop's result of each (op, x, y): the core's gnc_math_eval for
    an elementary function, the host's IEEE arithmetic (SSE2) otherwise."""
    from fsw.core._gnc import ffi, lib

    out = np.zeros(len(ops))
    for op in np.unique(ops):
        m = ops == op
        xs = np.ascontiguousarray(x[m], dtype=np.float64)
        ys = np.ascontiguousarray(y[m], dtype=np.float64)
        if int(op) in ARITH_OPS:
            with np.errstate(all="ignore"):
                out[m] = ARITH_OPS[int(op)][1](xs, ys)
            continue
        r = np.empty_like(xs)
        st = lib.gnc_math_eval(int(op), ffi.from_buffer("double[]", xs),
                               ffi.from_buffer("double[]", ys), xs.size,
                               ffi.from_buffer("double[]", r))
        if st:
            raise ValueError(f"gnc_math_eval({int(op)}) failed with status {st}")
        out[m] = r
    return out


def math_on_qemu(ops: np.ndarray, x: np.ndarray, y: np.ndarray, elf: Path,
                 timeout: float = 120.0) -> np.ndarray:
    """The board's result of each (op, x, y): the b2b_math image under QEMU."""
    from hil.board.qemu import run_semihosted

    rec = np.stack([np.asarray(ops, dtype=np.float64), x, y], axis=1)
    with tempfile.TemporaryDirectory(prefix="fsw-b2b-math-") as tmp:
        d = Path(tmp)
        rec.astype("<f8").tofile(d / "b2b_math_in.bin")
        res = run_semihosted(elf, timeout=timeout, cwd=d)
        if res.timed_out or res.returncode != 0:
            raise RuntimeError(
                f"b2b_math image failed (status {res.returncode}):\n{res.output}")
        return np.fromfile(d / "b2b_math_out.bin", dtype="<f8")


def _ordered(x: np.ndarray) -> np.ndarray:
    i = x.astype("<f8").view("<i8")
    return np.where(i < 0, np.int64(-(2**63)) - i, i)


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Units in the last place between doubles (0 when bit-identical; NaNs
    count by their bits)."""
    oa, ob = _ordered(np.asarray(a)), _ordered(np.asarray(b))
    cap = np.int64(2**61)
    far = np.minimum(np.abs(oa), cap) + np.minimum(np.abs(ob), cap)  # no int64 overflow
    return np.where((oa < 0) == (ob < 0), np.abs(oa - ob), far)


@dataclass
class Comparison:
    """Agreement of one call kind."""

    kind: str
    calls: int
    status_mismatches: int
    identical_fraction: float  # outputs bit for bit equal
    max_ulp: int
    max_rel: float  # max |board - desktop| / max(|desktop| of that output vector, tiny)


def compare(board: np.ndarray, desk: np.ndarray, calls: np.ndarray) -> list[Comparison]:
    """Per call kind: status agreement, bit-identical share, max ULP and
    max difference relative to the output vector's scale."""
    out = []
    for k, name in KINDS.items():
        m = calls[:, 0] == k
        if not m.any():
            continue
        nout = _NOUT[k]
        b, d = board[m, 1 : 1 + nout], desk[m, 1 : 1 + nout]
        scale = np.maximum(np.max(np.abs(d), axis=1, keepdims=True), 1e-300)
        if k in (3,):  # elements mix scales (a in m, angles in rad): per element
            scale = np.maximum(np.abs(d), 1e-300)
        ulp = ulp_distance(b, d)
        out.append(Comparison(
            kind=name,
            calls=int(m.sum()),
            status_mismatches=int(np.sum(board[m, 0] != desk[m, 0])),
            identical_fraction=float(np.mean(ulp == 0)),
            max_ulp=int(ulp.max()),
            max_rel=float(np.max(np.abs(b - d) / scale)),
        ))
    return out
