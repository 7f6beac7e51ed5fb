"""tools/bench/breakdown.py (issue #18): the per-participant breakdown of a
tick adds up (turns, packets handed on, microseconds), with the turns in C
(timed by the Ticker) or in Python, and the executive is left as it was."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from fsw.executive import executive

_PATH = Path(__file__).resolve().parents[2] / "tools" / "bench" / "breakdown.py"


@pytest.mark.parametrize("fast", ["on", "off"])
def test_breakdown_of_a_short_flight(capsys, fast: str) -> None:
    spec = importlib.util.spec_from_file_location("bench_breakdown", _PATH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    lead = executive.Executive._lead
    assert mod.main(["--duration", "20", "--archive", "--fast-turns", fast]) == 0
    assert executive.Executive._lead is lead
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["fast_turns"] is (fast == "on" and executive._hotpath is not None)
    parts = out["participants"]
    assert list(parts)[:1] == ["world"] and parts["world"]["turns"] == 1.0
    assert parts["adcs"]["packets"] > 1.0 and out["ticks"] >= 200
    summed = sum(p["deliver_us"] + p["step_us"] for p in parts.values())
    assert abs(summed + out["settle_us_per_tick"] + out["loop_us_per_tick"]
               - out["us_per_tick"]) < 0.1
