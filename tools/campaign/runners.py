"""Run functions by name, and the wrapper that turns one call into one row.

A runner is named ``"module:function"`` (or by an alias below) so that any
worker, local or on a Dask cluster, can import it; names travel, functions do
not. :func:`execute` runs on the worker: it calls the runner, catches anything
it raises (the row then says ``outcome = "failed"`` with the error) and checks
what it returns, so a bad run never stops a campaign and every row has the
same shape whichever backend produced it.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import json
import math
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from fsw.errors import UserError

__all__ = ["ALIASES", "DEFAULT_RUNNER", "METRICS", "execute", "failed_row", "resolve_runner"]

ALIASES = {
    "mission": "fsw_tools.campaign.mission:run_one",
}
DEFAULT_RUNNER = "mission"
#: what every runner returns (besides any extra JSON-able keys it likes)
METRICS = ("outcome", "min_range_m", "dv_mps", "time_to_first_track_s", "faults")
RunFn = Callable[[str, int, dict[str, Any]], Mapping[str, Any]]


def canonical(ref: str) -> str:
    """The ``module:function`` name of a runner given by name or alias."""
    ref = ALIASES.get(ref, ref)
    if ref.count(":") != 1 or not all(ref.split(":")):
        known = ", ".join(sorted(ALIASES))
        raise UserError(f"runner {ref!r} is neither 'module:function' nor one of: {known}")
    return ref


@functools.lru_cache(maxsize=16)
def resolve_runner(ref: str) -> RunFn:
    """Import a runner by name; UserError if it cannot be found."""
    module_name, func_name = canonical(ref).split(":")
    try:
        module = importlib.import_module(module_name)
        func = getattr(module, func_name)
    except (ImportError, AttributeError) as exc:
        raise UserError(f"runner {ref!r} cannot be imported: {exc}") from None
    if not callable(func):
        raise UserError(f"runner {ref!r} is not callable")
    return func


def _clean(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN and infinities to None."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalar or array
        return _clean(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 500 else text[:497] + "..."


def failed_row(index: int, seed: int, overrides: Mapping[str, Any], error: str,
               where: str = "") -> dict[str, Any]:
    """The row of a run that did not finish."""
    row: dict[str, Any] = {
        "index": index, "seed": seed, "outcome": "failed", "min_range_m": None,
        "dv_mps": None, "time_to_first_track_s": None, "faults": [], "error": error,
        "overrides": _clean(dict(overrides)),
    }
    if where:
        row["where"] = where
    return row


def _check(result: Any) -> dict[str, Any]:
    if not isinstance(result, Mapping):
        raise TypeError(f"runner returned {type(result).__name__}, not a mapping")
    missing = [k for k in METRICS if k not in result]
    if missing:
        raise TypeError(f"runner result lacks {', '.join(missing)}")
    if not isinstance(result["outcome"], str) or result["outcome"] == "failed":
        raise TypeError(
            f"runner outcome must be a text other than 'failed', got {result['outcome']!r}"
        )
    for key in ("min_range_m", "dv_mps", "time_to_first_track_s"):
        v = result[key]
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise TypeError(f"runner result {key} must be a number or None, got {v!r}")
    if not isinstance(result["faults"], list | tuple):
        raise TypeError(f"runner result faults must be a list, got {result['faults']!r}")
    return dict(result)


def _progress_hook(fn: RunFn, live: Any, index: int) -> dict[str, Any]:
    """``{"progress": f}`` when the runner takes a ``progress`` callback and a
    ``live`` mapping (a multiprocessing manager's dict) is given: the runner's
    fraction done lands in ``live[index]`` (at most every 1 %)."""
    if live is None or "progress" not in inspect.signature(fn).parameters:
        return {}
    last = [-1.0]

    def progress(fraction: float) -> None:
        if fraction - last[0] >= 0.01:
            last[0] = fraction
            with contextlib.suppress(Exception):  # progress must never fail a run
                live[index] = fraction

    return {"progress": progress}


def execute(runner: str, scenario_text: str, index: int, seed: int,
            overrides: Mapping[str, Any], live: Any = None) -> dict[str, Any]:
    """Run one dispersed run and return its row (never raises for the run's
    own errors). Runs on the worker; the row is normalised through JSON so it
    is identical whichever backend ran it. ``live``: see :func:`_progress_hook`."""
    try:
        fn = resolve_runner(runner)
        result = _check(fn(scenario_text, seed, dict(overrides),
                           **_progress_hook(fn, live, index)))
    except (Exception, SystemExit) as exc:  # a run calling sys.exit() is a failed run too
        frames = traceback.extract_tb(exc.__traceback__)
        where = ""
        if frames:
            last = frames[-1]
            where = f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno} in {last.name}"
        row = failed_row(index, seed, overrides, _error_text(exc), where)
    else:
        extras = {k: v for k, v in result.items() if k not in METRICS}
        row = {
            "index": index, "seed": seed, "outcome": result["outcome"],
            "min_range_m": result["min_range_m"], "dv_mps": result["dv_mps"],
            "time_to_first_track_s": result["time_to_first_track_s"],
            "faults": [str(f) for f in result["faults"]], "error": None,
            "overrides": dict(overrides),
        }
        for k, v in extras.items():
            row.setdefault(k, v)
    try:
        return json.loads(json.dumps(_clean(row), allow_nan=False))
    except (TypeError, ValueError) as exc:  # an extra value JSON cannot hold
        return failed_row(index, seed, overrides, f"runner result not JSON-able: {exc}")
