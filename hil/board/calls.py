"""Recorded guidance calls: a deterministic session of guidance-core calls
(the 10 Hz ADCS cycle in pointing mode with its MEKF, and the relative- and
orbit-guidance functions the autonomy calls), replayed on any
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
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CallDiff",
    "compare_sessions",
    "flatten",
    "guidance_call_source",
    "identical_calls",
    "recorded_calls",
    "replay",
]

MU = 3.986004418e14
N_MEAN = math.sqrt(MU / 6.9e6**3)  # rad/s, mean motion of a 520 km orbit

Call = tuple[str, tuple[Any, ...]]


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


def recorded_calls(n: int, seed: int = 8) -> Iterator[Call]:
    """``n`` calls after the configuration: ADCS steps interleaved with the
    stateless guidance functions, inputs drawn from a seeded generator."""
    from fsw.core.attitude import AdcsConfig

    rng = np.random.default_rng(seed)
    yield "adcs_configure", (AdcsConfig(),)
    yield "adcs_reset", ()
    kinds = ["adcs_step", "kepler", "adcs_step", "cw_targeting", "adcs_step",
             "closest_approach", "adcs_step", "coe_from_rv", "adcs_step", "rv_from_coe"]
    for k in range(n):
        kind = kinds[k % len(kinds)]
        if kind == "adcs_step":
            yield kind, (_adcs_inputs(k, rng),)
        elif kind in ("kepler", "coe_from_rv"):
            r = _unit(rng.normal(size=3)) * rng.uniform(6.7e6, 7.4e6)
            t = _unit(np.cross(_unit(rng.normal(size=3)), r))
            v = t * math.sqrt(MU / np.linalg.norm(r)) * rng.uniform(0.97, 1.05)
            yield kind, ((r, v, rng.uniform(0, 5400.0)) if kind == "kepler" else (r, v))
        elif kind == "rv_from_coe":
            coe = [rng.uniform(6.8e6, 7.3e6), rng.uniform(0, 0.05), rng.uniform(0.1, 3.0),
                   rng.uniform(0, 6.2), rng.uniform(0, 6.2), rng.uniform(0, 6.2)]
            yield kind, (coe,)
        else:
            x0 = np.concatenate([rng.uniform(-5e3, 5e3, 3), rng.uniform(-2.0, 2.0, 3)])
            if kind == "cw_targeting":
                yield kind, (N_MEAN, x0, rng.uniform(-200, 200, 3), rng.uniform(600, 3000))
            else:
                yield kind, (N_MEAN, x0, 5400.0)


def flatten(value: Any) -> np.ndarray:
    """Every number of a call's outputs, in order, as float64."""
    if value is None:
        return np.zeros(0)
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
