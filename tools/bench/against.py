"""One benchmark of this checkout against another checkout, interleaved in
the same run: ``A B A B ...`` so that both see the same machine load.

    python tools/bench/against.py BASE_DIR mission.py --quick [--runs 3]

``BASE_DIR`` is another checkout of the project with its own virtual
environment (``BASE_DIR/.venv``; make one with ``git worktree add BASE_DIR
COMMIT`` and ``pip install -e .`` there). The benchmark script (a file of
``tools/bench/``) runs in a fresh process of each checkout's interpreter with
the arguments that follow it. For every run the wall time and the CPU time of
the process (user + system, from ``wait4``: much less sensitive to other
load than the wall time) are printed with the benchmark's own JSON line; then
the medians and the ratios this/base. The last line is JSON:
``{"bench", "runs", "this", "base", "cpu_ratio", "wall_ratio", "figures"}``
(ratio > 1: this checkout took longer; ``figures``: median of each numeric
key of the benchmark's JSON for both checkouts).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _python(checkout: Path) -> Path:
    py = checkout / ".venv" / "bin" / "python"
    if not py.exists():
        raise SystemExit(f"{checkout}: no .venv/bin/python (make the checkout's environment: "
                         "python3 -m venv .venv && .venv/bin/pip install -e .)")
    return py


def _children_cpu() -> float:
    """CPU time (user + system) of every child process reaped so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_once(checkout: Path, script: str, args: list[str]) -> dict[str, object]:
    """Run ``checkout/tools/bench/script args``: wall, CPU time and its JSON."""
    path = checkout / "tools" / "bench" / script
    if not path.exists():
        raise SystemExit(f"{path}: no such benchmark in that checkout")
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run([str(_python(checkout)), str(path), *args], cwd=checkout,
                          capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode:
        raise SystemExit(f"{path} {' '.join(args)}: exit status {proc.returncode}\n"
                         f"{proc.stderr[-2000:]}")
    last = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    figures = json.loads(last[-1]) if last else {}
    return {"wall_s": wall, "cpu_s": cpu, "figures": figures}


def _medians(rows: list[dict[str, object]]) -> dict[str, float]:
    keys = [k for k, v in rows[0]["figures"].items() if isinstance(v, int | float)]  # type: ignore[union-attr]
    return {k: statistics.median(float(r["figures"][k]) for r in rows) for k in keys}  # type: ignore[index]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base", type=Path, help="the other checkout (with its .venv)")
    ap.add_argument("script", help="benchmark file in tools/bench/, e.g. mission.py")
    ap.add_argument("--runs", type=int, default=3, help="runs of each checkout (default 3)")
    ns, rest = ap.parse_known_args()
    if ns.runs < 1:
        ap.error("--runs must be at least 1")
    base = ns.base.resolve()
    load = os.getloadavg()
    print(f"this: {ROOT}\nbase: {base}\nload average at start: "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs", flush=True)
    rows: dict[str, list[dict[str, object]]] = {"this": [], "base": []}
    for i in range(ns.runs):
        for name, checkout in (("base", base), ("this", ROOT)):
            r = run_once(checkout, ns.script, rest)
            rows[name].append(r)
            print(f"run {i + 1} {name}: wall {r['wall_s']:.2f} s, CPU {r['cpu_s']:.2f} s, "
                  f"{json.dumps(r['figures'])}", flush=True)
    med = {n: {"wall_s": statistics.median(float(r["wall_s"]) for r in rs),  # type: ignore[arg-type]
               "cpu_s": statistics.median(float(r["cpu_s"]) for r in rs)}  # type: ignore[arg-type]
           for n, rs in rows.items()}
    cpu_ratio = med["this"]["cpu_s"] / med["base"]["cpu_s"]
    wall_ratio = med["this"]["wall_s"] / med["base"]["wall_s"]
    print(f"median CPU: this {med['this']['cpu_s']:.2f} s, base {med['base']['cpu_s']:.2f} s "
          f"(ratio {cpu_ratio:.3f}); median wall: this {med['this']['wall_s']:.2f} s, base "
          f"{med['base']['wall_s']:.2f} s (ratio {wall_ratio:.3f})")
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(json.dumps({"bench": " ".join([ns.script, *rest]), "runs": ns.runs,
                      "this": med["this"], "base": med["base"],
                      "cpu_ratio": round(cpu_ratio, 3), "wall_ratio": round(wall_ratio, 3),
                      "figures": {"this": _medians(rows["this"]),
                                  "base": _medians(rows["base"])}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
