"""Benchmark of Monte Carlo campaigns (issue #10): runs per minute of the same
campaign on 1 and on 2 local worker processes, measured in the same run, and
their ratio (target >= 1.6 on 2 cores).

The campaign: the whole mission (``--runner mission``: world, flight-software
tasks, ground station, every packet on the bus) of the built-in scenario cut
to 300 s after insertion, with dispersed insertion state, tip-off rates,
mass, star-tracker noise and thrust (``--scenario`` and ``--runner`` measure
others). Each figure is a whole fresh campaign as a user starts it
(worker processes spawned, scenario sent, rows appended to the file), timed
from start to last row. The anchor,
measured in the same run, is a quarter of the runs in this process with no
pool at all (after one warm-up run): the cost of the runs themselves.

The machine may be shared: 1 and 2 workers are measured ``--repeat`` times,
interleaved, the best of each kept; the load average and the CPU seconds per
run are printed beside them so a core taken by someone else shows.

    python tools/bench/campaign.py [--quick] [--runs N] [--repeat R] [--scenario S] [--runner R]

The last line is JSON with the keys ``runs_per_min_1``, ``runs_per_min_2``,
``scaling_2``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder is first on sys.path (and on the spawned
# workers' path) and its hil.py (another benchmark) would shadow the hil package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from fsw_tools.campaign.engine import Campaign, rerun, run_campaign  # noqa: E402
from fsw_tools.campaign.runners import DEFAULT_RUNNER  # noqa: E402
from fsw_tools.campaign.scenarios import ScenarioSource, nominal, read_scenario  # noqa: E402

#: the built-in mission's defaults, stopped 300 s after the insertion (ascent 3600 s)
BENCH_SCENARIO = """
[mission]
max_duration_s = 3900.0

[[dispersions]]
key = "insertion.position_hill_m"
dist = "normal"
sigma = 500.0

[[dispersions]]
key = "insertion.tumble_deg_s"
dist = "uniform"
low = -1.0
high = 1.0

[[dispersions]]
key = "chaser.mass_kg"
dist = "normal"
sigma = 5.0

[[dispersions]]
key = "chaser.sensors.star_tracker_noise_arcsec"
dist = "uniform"
low = -2.0
high = 2.0

[[dispersions]]
key = "chaser.rcs.thrust_n"
dist = "normal"
sigma = 0.02
"""


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(campaign: Campaign, workers: int) -> tuple[float, int, float]:
    """(runs per minute, failed runs, CPU seconds per run) of a fresh campaign
    on ``workers`` (CPU: to tell a slow run from a core taken by someone else)."""
    with tempfile.TemporaryDirectory(prefix="fsw-bench-campaign-") as out:
        cpu0, t0 = _cpu_s(), time.perf_counter()
        res = run_campaign(campaign, Path(out), workers=workers, progress=False)
        wall, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    assert len(res.rows) == campaign.runs
    if res.failed:
        print(f"WARNING: {len(res.failed)} of {campaign.runs} runs failed, e.g. "
              f"{res.failed[0]['error']} at {res.failed[0].get('where')}: figures not valid",
              file=sys.stderr)
    return 60.0 * campaign.runs / wall, len(res.failed), cpu / campaign.runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    parser.add_argument("--runs", type=int, default=None, help="runs per campaign (default 24)")
    parser.add_argument("--scenario", default=None,
                        help="scenario file or name (default: the mission cut to 300 s in orbit)")
    parser.add_argument("--runner", default=DEFAULT_RUNNER, help="runner (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="measure 1 and 2 workers this many times, interleaved, and keep "
                             "the best of each (default 2; 1 with --quick): the machine may "
                             "be shared")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 2)
    runs = args.runs or (8 if args.quick else 24)
    if args.scenario is None:
        source = ScenarioSource(name="mission-300s", text=BENCH_SCENARIO)
        nominal(source.text)
    else:
        source = read_scenario(args.scenario)
    campaign = Campaign(source, runs, seed=2024, runner=args.runner)
    anchor_runs = max(2, runs // 4)
    rerun(source, 1, campaign.runner)  # warm: imports and caches out of the anchor
    anchor, _, cpu0 = measure(Campaign(source, anchor_runs, seed=2024, runner=args.runner), 0)
    one: list[tuple[float, int, float]] = []
    two: list[tuple[float, int, float]] = []
    for _ in range(max(1, repeat)):
        one.append(measure(campaign, 1))
        two.append(measure(campaign, 2))
    rpm1, failed1, cpu1 = max(one)
    rpm2, failed2, cpu2 = max(two)
    scaling = rpm2 / rpm1
    load = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,) * 3
    print(f"campaign: {source.name}, {runs} runs, runner {campaign.runner}; "
          f"CPUs {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if repeat > 1:
        print(f"runs/min of each repeat: 1 worker {[round(m[0], 1) for m in one]}, "
              f"2 workers {[round(m[0], 1) for m in two]} (best kept)")
    print(f"anchor, in this process (no pool): {anchor:8.1f} runs/min ({anchor_runs} runs)"
          f"; CPU {cpu0:.2f} s/run")
    print(f"1 worker process:                  {rpm1:8.1f} runs/min ({rpm1 / anchor:.2f} x anchor)"
          f"; CPU {cpu1:.2f} s/run; failed runs {failed1}")
    print(f"2 worker processes:                {rpm2:8.1f} runs/min ({rpm2 / anchor:.2f} x anchor)"
          f"; CPU {cpu2:.2f} s/run; failed runs {failed2}")
    print(f"scaling 2/1: {scaling:.2f} x (target >= 1.6)")
    print(json.dumps({"runs_per_min_1": round(rpm1, 1), "runs_per_min_2": round(rpm2, 1),
                      "scaling_2": round(scaling, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
