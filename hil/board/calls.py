"""Recorded guidance calls: a deterministic session of guidance-core calls
(the 10 Hz ADCS cycle in pointing mode with its MEKF, the navigation cycle,
the propulsion arithmetic and its centre-of-mass least squares, and the
relative- and orbit-guidance, far-range phasing, sun and shadow functions
the autonomy calls),
replayed on any
:class:`~fsw.core.guidance.GuidanceCore`. Replayed on the board (PacketCore
over a BoardLink) and on the desktop (LocalCore), the outputs are compared
output by output (:func:`compare_sessions`) and must be bit-identical: both
sides run the same C sources with the same IEEE flags and the core's own
elementary functions (see :mod:`hil.board.backtoback`). A bench times the
calls.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import astuple, dataclass, is_dataclass
from typing import Any

import numpy as np

from fsw.constants import MU_EARTH

__all__ = [
    "SETUP_CALLS",
    "CallDiff",
    "compare_sessions",
    "flatten",
    "guidance_call_source",
    "identical_calls",
    "recorded_calls",
    "replay",
]

N_MEAN = math.sqrt(MU_EARTH / 6.9e6**3)  # rad/s, mean motion of a 520 km orbit

Call = tuple[str, tuple[Any, ...]]
#: configuration calls at the start of a session (no outputs)
SETUP_CALLS = 5
_T0 = 2.1e9  # s TAI of the session's navigation


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _adcs_inputs(k: int, rng: np.random.Generator) -> Any:
    from fsw.core.attitude import AdcsInput, AdcsMode

    ang = 0.02 * k
    q = np.array([math.cos(ang / 2), 0.0, 0.0, math.sin(ang / 2)])
    return AdcsInput(
        mode=AdcsMode.POINT,
        gyro_B=np.array([0.001, -0.0005, 0.002]) + rng.normal(0.0, 1e-5, 3),
        q_st_BN=_unit(q + rng.normal(0.0, 2e-5, 4)) if k % 5 == 0 else None,
        mag_B=np.array([2e-5, -1e-5, 3e-5]) + rng.normal(0.0, 1e-7, 3),
        h_wheel=(0.01, -0.02, 0.005),
        q_target_BN=_unit(np.array([0.9, 0.1, -0.2, 0.3])),
    )


def _nav_input(j: int, rng: np.random.Generator, r0: np.ndarray, v0: np.ndarray) -> Any:
    """The j-th navigation cycle: GPS near the target, the sensor on in a
    window; in every other window the sensor gives bearings alone (the
    angles-only bank of the configuration), ranged again in the next."""
    from fsw.core.nav import NavInput
    from fsw.core.orbit import kepler

    t = _T0 + j
    r, v = kepler(r0, v0, float(j)) if j else (r0, v0)
    meas = (800.0 + rng.normal(0.0, 0.5), 0.02 + rng.normal(0.0, 1e-3), -0.01) \
        if 10 <= j % 40 < 30 else None
    bearing_only = meas is not None and (j // 40) % 2 == 1 and j % 40 < 30
    if bearing_only:
        meas = (0.0, meas[1], meas[2])
    return NavInput(t=t, gps_t=t - 0.3, gps_r_N=r + rng.normal(0.0, 5.0, 3) + [0, 700.0, 0],
                    gps_v_N=v + rng.normal(0.0, 0.05, 3), meas_t=t, meas=meas,
                    bearing_only=bearing_only,
                    q_BN=_unit(np.array([0.9, 0.1, -0.3, 0.2])),
                    dv_N=(0.01, 0.0, 0.0) if j % 40 == 35 else (0.0, 0.0, 0.0),
                    dv_age=0.45 if j % 40 == 35 else 0.0)


def recorded_calls(n: int, seed: int = 8) -> Iterator[Call]:
    """``n`` calls after the ``SETUP_CALLS`` configuration calls: ADCS steps
    interleaved with navigation cycles, propulsion arithmetic and the
    stateless guidance functions, inputs drawn from a seeded generator."""
    from fsw.core.attitude import AdcsConfig
    from fsw.core.nav import NavConfig
    from fsw.core.orbit import rv_from_coe
    from fsw.core.prop import PropConfig

    rng = np.random.default_rng(seed)
    r0, v0 = rv_from_coe([6.9e6, 0.001, 0.9, 0.4, 1.0, 0.2])
    yield "adcs_configure", (AdcsConfig(),)
    yield "adcs_reset", ()
    # the angles-only bank on, from a prior of a kilometre (eleven components,
    # then seven through the bearing-only window)
    yield "nav_configure", (NavConfig(bank=11.0, p0=(1e6, 1e6, 1e6, 1e-2, 1e-2, 1e-2)),)
    yield "nav_set_target", (r0, v0, _T0)
    pos = [(-0.5, 0.3, 0.3), (-0.5, 0.3, -0.3), (-0.5, -0.3, 0.3), (-0.5, -0.3, -0.3),
           (0.5, 0.3, 0.3), (0.5, 0.3, -0.3), (0.5, -0.3, 0.3), (0.5, -0.3, -0.3)]
    yield "prop_configure", (PropConfig(position_B=pos,
                                        direction_B=[(1.0, 0, 0)] * 4 + [(-1.0, 0, 0)] * 4),)
    kinds = ["adcs_step", "kepler", "adcs_step", "cw_targeting", "adcs_step",
             "closest_approach", "adcs_step", "coe_from_rv", "adcs_step", "rv_from_coe"]
    # the calls added with #13 come after every ten of the others, from their own
    # generator: the others keep the inputs they always had
    more = ["nav_step", "cw_transfer", "sun_direction", "eclipse", "prop_select", "prop_fire"]
    rng2 = np.random.default_rng(seed + 1)
    # a centre-of-mass update after every round of those, from a third
    # generator: the calls before keep their inputs (the session's tail is shorter)
    rng3 = np.random.default_rng(seed + 2)
    # and after each of those a far-range phasing plan, from a fourth (#15)
    rng4 = np.random.default_rng(seed + 3)
    # and after each of those a torque about the learnt centre of mass, from a fifth
    rng5 = np.random.default_rng(seed + 4)
    # and after each of those the curvilinear coordinates of a far relative
    # state and a burn turned back into Hill axes, from a sixth
    rng6 = np.random.default_rng(seed + 5)
    # and after each of those a firing cycle with the thrusters' rise and
    # tail-off, from a seventh
    rng7 = np.random.default_rng(seed + 6)
    k = j = done = m = f = g = h = p = 0
    while done < n:
        if p < h:
            p += 1
            yield _pulse_call(rng7)
        elif h < g:
            h += 1
            yield _curvilinear_call(rng6, h)
        elif g < f:
            g += 1
            yield _com_torque_call(rng5)
        elif f < m:
            f += 1
            yield _phasing_call(rng4)
        elif j > 0 and j % len(more) == 0 and m < j // len(more):
            m += 1
            yield _com_call(rng3)
        elif k > 0 and k % len(kinds) == 0 and j < (k // len(kinds)) * len(more):
            kind = more[j % len(more)]
            j += 1
            yield _more_call(kind, j, rng2, r0, v0)
        else:
            yield _call(kinds[k % len(kinds)], k, rng)
            k += 1
        done += 1


def _call(kind: str, k: int, rng: np.random.Generator) -> Call:
    """One of the calls of the original session (issue #8)."""
    if kind == "adcs_step":
        return kind, (_adcs_inputs(k, rng),)
    if kind in ("kepler", "coe_from_rv"):
        r = _unit(rng.normal(size=3)) * rng.uniform(6.7e6, 7.4e6)
        t = _unit(np.cross(_unit(rng.normal(size=3)), r))
        v = t * math.sqrt(MU_EARTH / np.linalg.norm(r)) * rng.uniform(0.97, 1.05)
        return kind, ((r, v, rng.uniform(0, 5400.0)) if kind == "kepler" else (r, v))
    if kind == "rv_from_coe":
        coe = [rng.uniform(6.8e6, 7.3e6), rng.uniform(0, 0.05), rng.uniform(0.1, 3.0),
               rng.uniform(0, 6.2), rng.uniform(0, 6.2), rng.uniform(0, 6.2)]
        return kind, (coe,)
    x0 = np.concatenate([rng.uniform(-5e3, 5e3, 3), rng.uniform(-2.0, 2.0, 3)])
    if kind == "cw_targeting":
        return kind, (N_MEAN, x0, rng.uniform(-200, 200, 3), rng.uniform(600, 3000))
    return kind, (N_MEAN, x0, 5400.0)


def _com_call(rng: np.random.Generator) -> Call:
    """A centre-of-mass least-squares update: the normal equations of a few
    translations with the prior, then one more (some refused: too small an
    impulse, too far an offset)."""
    delta = rng.normal(0.0, 0.005, 3)
    N, b = np.eye(3) * 0.04, np.zeros(3)
    for _ in range(int(rng.integers(0, 4))):
        F = rng.normal(size=3)
        N += F @ F * np.eye(3) - np.outer(F, F)
        b += np.cross(np.cross(F, delta), F)
    F = rng.normal(size=3) * float(rng.choice([0.05, 1.0, 2.0]))
    y = np.cross(F, delta * float(rng.choice([1.0, 1.0, 30.0]))) + rng.normal(0.0, 1e-3, 3)
    return "prop_com_update", (N.reshape(-1), b, F, y, 0.2, 0.05)


def _curvilinear_call(rng: np.random.Generator, h: int) -> Call:
    """Curvilinear coordinates of a relative state up to 300 km behind the
    target (odd calls), or a burn at such a position turned back into Hill
    axes (even calls)."""
    R = float(rng.uniform(6.7e6, 7.3e6))
    x = rng.normal(size=6) * [5e3, 1e5, 2e3, 2.0, 10.0, 1.0]
    if h % 2:
        return "curvilinear_from_hill", (R, x)
    return "curvilinear_dv_to_hill", (R, x[:3], rng.normal(size=3))


def _pulse_call(rng: np.random.Generator) -> Call:
    """A firing cycle of 0.1 s with the thrusters' rise and tail-off: eight
    thrusters from random levels, some shut, some back to back, some short;
    the scenario's time constants or others."""
    level = rng.uniform(0.0, 1.0, 8) * (rng.uniform(size=8) < 0.6)
    on = rng.choice([0.0, 0.1, 0.02, 0.0894], 8) * rng.uniform(0.5, 1.0, 8)
    on[rng.uniform(size=8) < 0.25] = 0.1
    rise, tail = (0.015, 0.02) if rng.uniform() < 0.5 else tuple(rng.uniform(0.0, 0.05, 2))
    return "prop_pulse_response", (np.concatenate([level, np.zeros(8)]),
                                   np.concatenate([on, np.zeros(8)]), 8, 0.1, rise, tail)


def _com_torque_call(rng: np.random.Generator) -> Call:
    """A force's torque about the learnt centre of mass and its uncertainty:
    the prior and a few translations' normal matrix, a pair's or a main
    group's force."""
    N = np.eye(3) * 0.36
    for _ in range(int(rng.integers(0, 4))):
        F = rng.normal(size=3) * float(rng.choice([1.0, 25.0]))
        N += F @ F * np.eye(3) - np.outer(F, F)
    est = rng.normal(0.0, 0.005, 3)
    F = rng.normal(size=3) * float(rng.choice([1.0, 2.0, 4.0]))
    return "prop_com_torque", (N.reshape(-1), est, F, 3e-3)


def _phasing_call(rng: np.random.Generator) -> Call:
    """A far-range phasing plan: the target on a near-circular orbit of 400 to
    700 km, the chaser 100 to 500 km behind it and 0 to 8 km under, the aim
    40 km behind and 4 km under, 8 to 16 h later; the on-board model with
    J2, with drag in every other call (every plan within its bound)."""
    from fsw.core.ephem import EphemConfig

    a = 6.378137e6 + rng.uniform(400e3, 700e3)
    h = _unit(rng.normal(size=3))
    r_t = _unit(np.cross(h, rng.normal(size=3))) * a
    v_t = np.cross(h, r_t / a) * math.sqrt(MU_EARTH / a) * rng.uniform(0.9995, 1.0005)
    th, rc = -rng.uniform(100e3, 500e3) / a, a - rng.uniform(0.0, 8e3)
    p, q = r_t / a, np.cross(h, r_t / a)
    r_c = rc * (math.cos(th) * p + math.sin(th) * q)
    v_c = math.sqrt(MU_EARTH / rc) * (-math.sin(th) * p + math.cos(th) * q)
    drag = rng.uniform() < 0.5
    cfg = EphemConfig(step=float(rng.choice([10.0, 30.0])),
                      drag_bc=0.02 if drag else 0.0, drag_rho0=3e-13 if drag else 0.0,
                      drag_h0=500e3, drag_hs=60e3, drag_omega=7.292115e-5)
    t = _T0 + rng.uniform(0.0, 1e5)
    t_first = t + rng.uniform(0.0, 3600.0)
    return "phasing_plan", (cfg, r_c, v_c, r_t, v_t, t, t_first,
                            t_first + rng.uniform(8.0, 16.0) * 3600.0, 40e3, 4e3, 100e3)


def _more_call(kind: str, j: int, rng: np.random.Generator, r0: np.ndarray,
               v0: np.ndarray) -> Call:
    """One of the calls added with #13 (navigation, propulsion, planning, sun)."""
    if kind == "nav_step":
        return kind, (_nav_input(j, rng, r0, v0),)
    if kind == "sun_direction":
        return kind, (_T0 + rng.uniform(0.0, 3e8),)
    if kind == "eclipse":
        s = _unit(rng.normal(size=3))
        p = -s * 6.9e6 + _unit(np.cross(s, rng.normal(size=3))) * rng.uniform(6.2e6, 6.6e6)
        return kind, (p, s)
    if kind == "prop_select":
        return kind, (int(rng.integers(0, 256)) | 0b11, _unit(rng.normal(size=4)),
                      rng.normal(size=3))
    if kind == "prop_fire":
        return kind, (2, 1.0, rng.uniform(250.0, 300.0), rng.uniform(0.0, 0.05), 0.1)
    x0 = np.concatenate([rng.uniform(-5e3, 5e3, 3), rng.uniform(-2.0, 2.0, 3)])
    return kind, (N_MEAN, x0, rng.uniform(-200, 200, 3), rng.uniform(600, 5000))


def flatten(value: Any) -> np.ndarray:
    """Every number of a call's outputs, in order, as float64."""
    if value is None:
        return np.zeros(0)
    if is_dataclass(value) and not isinstance(value, type):
        return flatten(astuple(value))
    if isinstance(value, Mapping):
        return np.concatenate([flatten(value[k]) for k in value] or [np.zeros(0)])
    if isinstance(value, tuple | list):
        return np.concatenate([flatten(v) for v in value] or [np.zeros(0)])
    return np.asarray(value, dtype=np.float64).reshape(-1)


def replay(core: Any, calls: list[Call]) -> list[tuple[str, np.ndarray]]:
    """Run ``calls`` on ``core``; each call's name and flattened outputs."""
    return [(name, flatten(getattr(core, name)(*args))) for name, args in calls]


@dataclass
class CallDiff:
    """Agreement of one call kind, board against desktop."""

    kind: str
    calls: int
    identical_calls: int  # calls with every output bit for bit equal
    identical_fraction: float  # outputs bit for bit equal
    max_ulp: int  # largest distance of an output, in doubles (0: bit-identical)
    max_abs: float  # max |board - desktop| over every output
    max_rel: float  # max |board - desktop| / max(|desktop| of that call, tiny)


def compare_sessions(board: list[tuple[str, np.ndarray]],
                     desk: list[tuple[str, np.ndarray]]) -> list[CallDiff]:
    """Per call kind, the bit-identical share and the largest differences
    (the sessions must line up)."""
    from hil.board.backtoback import ulp_distance

    if [n for n, _ in board] != [n for n, _ in desk]:
        raise ValueError("the two sessions ran different calls")
    out: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for (name, b), (_, d) in zip(board, desk, strict=True):
        if b.shape != d.shape:
            raise ValueError(f"{name}: {b.size} outputs on the board, {d.size} on the desktop")
        out.setdefault(name, []).append((b, d))
    res = []
    for name, pairs in out.items():
        if not any(d.size for _, d in pairs):
            continue
        ulps = [ulp_distance(b, d) for b, d in pairs]
        with np.errstate(invalid="ignore"):
            absd = max(float(np.max(np.abs(b - d), initial=0.0)) for b, d in pairs)
            reld = max(float(np.max(np.abs(b - d), initial=0.0)
                             / max(np.max(np.abs(d), initial=0.0), 1e-300)) for b, d in pairs)
        res.append(CallDiff(
            kind=name,
            calls=len(pairs),
            identical_calls=sum(int(not u.any()) for u in ulps),
            identical_fraction=float(np.mean(np.concatenate(ulps) == 0)),
            max_ulp=int(max(int(u.max(initial=0)) for u in ulps)),
            max_abs=absd,
            max_rel=reld,
        ))
    return res


def identical_calls(diffs: list[CallDiff]) -> tuple[int, int]:
    """(calls whose outputs are all bit-identical, calls compared)."""
    return sum(d.identical_calls for d in diffs), sum(d.calls for d in diffs)


def guidance_call_source(link: Any) -> tuple[Callable[[], object], str, tuple[int, int]]:
    """(call, label, (request octets, response octets)) for timing: the
    10 Hz ADCS step through PacketCore over ``link`` when the core has a
    dispatcher; otherwise a BOARD_PING of that size stands in."""
    from fsw.packets import DICTIONARY

    req = DICTIONARY.get("GNC_ADCS_STEP_REQ")
    if req is not None:
        from fsw.core.attitude import AdcsConfig
        from fsw.core.guidance import PacketCore

        core = PacketCore(link, timeout=2.0)
        core.adcs_configure(AdcsConfig())
        core.adcs_reset()
        rng = np.random.default_rng(1)
        state = {"k": 0}

        def step() -> object:
            state["k"] += 1
            return core.adcs_step(_adcs_inputs(state["k"], rng))

        resp = DICTIONARY["GNC_ADCS_STEP_RESP"]
        return step, "guidance call: ADCS step (10 Hz cycle) via PacketCore", (
            int(req.size or 0), int(resp.size or 0))
    ping = DICTIONARY["BOARD_PING"]
    payload = bytes(128)  # pragma: no cover - only with a core older than gnc_dispatch
    size = len(ping.build(t_tai=0.0, seq=0, payload=payload))
    return (lambda: link.ping(payload),
            "stand-in call: BOARD_PING with 128 octets (the core has no dispatcher)", (size, size))
