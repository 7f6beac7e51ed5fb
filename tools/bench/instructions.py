"""Benchmark of the mission's cost per tick in instructions (issue #18): a
figure that does not depend on the machine's load, for comparing two
commits on a shared machine where wall-clock figures (``mission.py``) move
with the neighbours.

valgrind's cachegrind (no cache simulation) counts the instructions of a
fresh process flying the scenario (no archive) for two durations of its
orbit leg; their difference over the ticks between them is the cost of one
0.1 s tick in orbit, start-up and the first leg cancelled out. The anchor,
measured the same way in the same run: the scenario's world stepped alone
(both spacecraft, attitude and wheels, no sensors, no bus). Every process
runs with ``PYTHONHASHSEED=0`` and ``OPENBLAS_NUM_THREADS=1`` (a BLAS worker
thread spinning adds instructions that depend on scheduling); run to run
the figures agree to about 0.5 %.

Between two commits the figure also moves with the garbage collector: one
collection of its middle generation costs about 2.7 million instructions
and comes every few thousand ticks, so whether it falls between the two
durations moves a 500-tick figure by about 5,000 instructions per tick
(1.5 %) with code that does not change the per-tick work at all. ``--gc off``
runs every child with the collector disabled (``gc.disable()``): the figure
of the per-tick work alone, for comparing commits at that level (over a
whole mission the collections cost of the order of a thousand instructions
per tick).

Figures (the last line is JSON):

- ``instructions_per_tick``: the mission's instructions per tick in orbit;
- ``world_instructions_per_tick``: the world alone's;
- ``mission_vs_world``: their ratio (the share of a tick the physics is:
  its inverse).

    python tools/bench/instructions.py [--scenario NAME] [--ticks N] [--gc off]

Needs valgrind (Debian/Ubuntu: ``apt install valgrind``). A run of the
default 1,000 ticks takes one to two minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
#: orbit-leg seconds of the shorter of the two runs (start-up cancels)
BASE_S = 10.0
_CHILD = """
import gc
import sys
if sys.argv[4] == "off":
    gc.disable()
from fsw import scenario
sc = scenario.resolve(sys.argv[2])
if sys.argv[1] == "mission":
    from fsw_tools.mission import fly
    res = fly(sc, duration_s=float(sys.argv[3]))
    print("ticks", res.legs[-1].ticks, "hash", res.packet_hash)
else:
    from hil.sim.from_scenario import world_config
    from hil.sim.world import World
    world = World(world_config(sc))
    for _ in range(int(sys.argv[3])):
        world.step()
    print("ticks", sys.argv[3])
"""


def _count(args: list[str], gc: str = "on") -> tuple[int, int]:
    """Instructions of a fresh ``python -c _CHILD args`` under cachegrind
    (its garbage collector ``gc``: "on" or "off"), and the ticks it reports."""
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    # run from the checkout's root: tools/bench's own hil.py must not shadow hil
    proc = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                           "--cachegrind-out-file=/dev/null", sys.executable, "-c", _CHILD,
                           *args, gc], capture_output=True, text=True, env=env,
                          cwd=_HERE.parent.parent, check=False)
    refs = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    ticks = re.search(r"^ticks (\d+)", proc.stdout, re.M)
    if proc.returncode != 0 or refs is None or ticks is None:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise SystemExit(f"instructions.py: the run {' '.join(args)} failed:\n{tail}")
    return int(refs.group(1).replace(",", "")), int(ticks.group(1))


def per_tick(kind: str, name: str, ticks: int, gc: str = "on") -> float:
    """Instructions per tick of ``kind`` ("mission" or "world") over
    ``ticks`` ticks, by the difference of two runs (garbage collector
    ``gc``: "on" or "off")."""
    if kind == "mission":
        a, ta = _count([kind, name, str(BASE_S)], gc)
        b, tb = _count([kind, name, str(BASE_S + ticks / 10.0)], gc)
    else:
        a, ta = _count([kind, name, "100"], gc)
        b, tb = _count([kind, name, str(100 + ticks)], gc)
    if tb <= ta:
        raise SystemExit(f"instructions.py: {kind} flew {ta} then {tb} ticks: no difference")
    return (b - a) / (tb - ta)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="short_inspection",
                    help="scenario name or file (default short_inspection)")
    ap.add_argument("--ticks", type=int, default=1000,
                    help="orbit ticks between the two runs (default 1000)")
    ap.add_argument("--gc", choices=("on", "off"), default="on",
                    help="the children's garbage collector (default on; off: the per-tick "
                         "work without the collections that happen to fall between the "
                         "two runs, see the module docstring)")
    args = ap.parse_args(argv)
    if args.ticks < 100:
        ap.error("--ticks must be at least 100 (the difference is the figure)")
    if shutil.which("valgrind") is None:
        print("instructions.py: valgrind not found (Debian/Ubuntu: apt install valgrind)",
              file=sys.stderr)
        return 2
    print(f"counting {args.scenario}: {args.ticks} orbit ticks, cachegrind, "
          f"PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1, garbage collector {args.gc}", flush=True)
    mission = per_tick("mission", args.scenario, args.ticks, args.gc)
    print(f"mission:     {mission:,.0f} instructions per tick in orbit", flush=True)
    world = per_tick("world", args.scenario, args.ticks, args.gc)
    print(f"anchor, the world alone: {world:,.0f} instructions per tick "
          f"(the mission is {mission / world:.1f} times it)")
    print(json.dumps({"instructions_per_tick": round(mission), "scenario": args.scenario,
                      "ticks": args.ticks, "gc": args.gc,
                      "world_instructions_per_tick": round(world),
                      "mission_vs_world": round(mission / world, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
