"""Per-run seeds and dispersed scenario values, drawn deterministically.

A campaign of seed ``S`` gives run ``i`` the seed :func:`run_seed` ``(S, i)``: a
keyed permutation of the 32-bit integers, so the runs of one campaign never
share a seed and each seed fits ``mission.seed`` (``[0, 2**32)``).

Everything random in a run follows from that one seed: :func:`sample` draws
the scenario's ``[[dispersions]]`` (schema of :mod:`fsw.scenario`: ``key``,
``dist`` = normal | uniform, ``sigma`` or ``low``/``high``, all *added to the
nominal value*, element-wise for arrays) from a generator of its own per key,
so adding a dispersion never changes the draws of the others. A run is thus
reproduced from (scenario, seed) alone: :func:`dispersed` gives the same
overrides the campaign recorded in the run's row.
"""

from __future__ import annotations

import copy
import hashlib
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fsw.errors import UserError

__all__ = ["DISTRIBUTIONS", "apply_overrides", "get_key", "run_seed", "sample"]

DISTRIBUTIONS = ("normal", "uniform")
_MASK16 = 0xFFFF
_ROUNDS = 4


def _round_key(campaign_seed: int, rnd: int) -> int:
    digest = hashlib.blake2b(f"{campaign_seed}:{rnd}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little")


def run_seed(campaign_seed: int, index: int) -> int:
    """The seed of run ``index`` of the campaign of seed ``campaign_seed``.

    A 4-round Feistel network on 32 bits keyed by the campaign seed: a
    bijection of ``[0, 2**32)``, so distinct indices give distinct seeds.
    """
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 2**32:
        raise UserError(f"run index must be an integer in [0, 2**32), got {index!r}")
    if isinstance(campaign_seed, bool) or not isinstance(campaign_seed, int) or campaign_seed < 0:
        raise UserError(f"campaign seed must be a non-negative integer, got {campaign_seed!r}")
    left, right = index >> 16, index & _MASK16
    for rnd in range(_ROUNDS):
        f = (right * 0x9E37 + _round_key(campaign_seed, rnd)) & 0xFFFFFFFF
        f = ((f ^ (f >> 15)) * 0x2C1B3C6D) & 0xFFFFFFFF
        left, right = right, left ^ ((f ^ (f >> 12)) & _MASK16)
    return (left << 16) | right


def get_key(data: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted key of nested tables; UserError if absent."""
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise UserError(f"no scenario key {dotted!r}")
        node = node[part]
    return node


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with each dotted key of ``overrides`` replaced
    (the key must exist: a misspelt override is an error, never a new key)."""
    out = copy.deepcopy(dict(data))
    for dotted, value in overrides.items():
        parts = dotted.split(".")
        node: Any = out
        for part in parts[:-1]:
            if not isinstance(node, dict) or not isinstance(node.get(part), dict):
                raise UserError(f"no scenario key {dotted!r} to override")
            node = node[part]
        if not isinstance(node, dict) or parts[-1] not in node:
            raise UserError(f"no scenario key {dotted!r} to override")
        node[parts[-1]] = copy.deepcopy(value)
    return out


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise UserError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _draw(spec: Mapping[str, Any], where: str, rng: np.random.Generator, n: int) -> np.ndarray:
    dist = spec.get("dist", "normal")
    if dist == "normal":
        raw = spec.get("sigma", 0.0)
        if isinstance(raw, list | tuple):  # one sigma per element of an array key
            if len(raw) != n:
                raise UserError(f"{where}.sigma lists {len(raw)} values for {n} elements")
            sig = [_number(x, f"{where}.sigma[{j}]") for j, x in enumerate(raw)]
            if min(sig) < 0:
                raise UserError(f"{where}.sigma must be >= 0, got {raw}")
            return rng.normal(0.0, 1.0, n) * np.array(sig)
        sigma = _number(raw, f"{where}.sigma")
        if sigma < 0:
            raise UserError(f"{where}.sigma must be >= 0, got {sigma}")
        return rng.normal(0.0, sigma, n) if sigma > 0 else np.zeros(n)
    if dist == "uniform":
        low = _number(spec.get("low", 0.0), f"{where}.low")
        high = _number(spec.get("high", 0.0), f"{where}.high")
        if low > high:
            raise UserError(f"{where}: low ({low}) must not exceed high ({high})")
        return rng.uniform(low, high, n)
    raise UserError(f"{where}.dist must be one of {', '.join(DISTRIBUTIONS)}, got {dist!r}")


def sample(
    dispersions: Sequence[Mapping[str, Any]], nominal: Mapping[str, Any], seed: int
) -> dict[str, float | list[float]]:
    """The dispersed values of one run: ``{dotted key: nominal + draw}``.

    ``nominal`` is the whole scenario as nested tables with its defaults filled
    in (``fsw.scenario.Scenario.to_dict()``); arrays are dispersed element-wise.
    Integer, boolean and text keys cannot be dispersed (UserError).
    """
    overrides: dict[str, float | list[float]] = {}
    seen: dict[str, int] = {}
    for i, spec in enumerate(dispersions):
        where = f"dispersions[{i}]"
        key = spec.get("key")
        if not isinstance(key, str) or not key:
            raise UserError(f"{where}.key must be a dotted scenario key, got {key!r}")
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        base = overrides.get(key, get_key(nominal, key))
        ss = np.random.SeedSequence(seed, spawn_key=(zlib.crc32(key.encode()), occurrence))
        rng = np.random.default_rng(ss)
        if isinstance(base, list):
            values = [_number(v, f"scenario key '{key}[{j}]'") for j, v in enumerate(base)]
            draws = _draw(spec, where, rng, len(values))
            overrides[key] = [float(v + d) for v, d in zip(values, draws, strict=True)]
        elif isinstance(base, float):
            overrides[key] = float(base + _draw(spec, where, rng, 1)[0])
        else:
            raise UserError(
                f"{where}: scenario key {key!r} holds {type(base).__name__} {base!r}; "
                "only real numbers and arrays of them can be dispersed"
            )
    return overrides
