"""Benchmark of the whole mission (issue #7): the real-time factor of the
mission flown in lockstep with every packet through the software bus --
world (truth + avionics), the four flight-software tasks, ground station and
recorder -- beside the simulation-only real-time factor of the same world
over the same span (the anchor, measured in the same run).

Figures printed:

- ``mission_rtf``: simulated seconds in orbit (the 10 Hz leg, from insertion
  to the end of the run) per wall-clock second of that leg; the conservative
  figure, comparable with a 10 Hz simulation (target >= 1000x this round;
  Basilisk with compiled flight software and no packets: ~4,200x here).
- the whole-mission factor, launch notice to end (the STANDBY leg before
  launch is ticked coarsely, so this one is much higher): printed, not in JSON.
- ``sim_rtf``: the world alone (both spacecraft, attitude and wheels at 10 Hz,
  no sensors, no bus) over the same simulated span.
- ``packets_per_s``: packets through the bus per wall-clock second in orbit.

    python tools/bench/mission.py [--quick] [--scenario NAME]

``--quick`` flies the shortened test variant (short_inspection) instead of
the full victus_haze mission. The last line is JSON with the keys
``mission_rtf``, ``sim_rtf``, ``packets_per_s``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Run as a script, this folder is first on sys.path and its hil.py (another
# benchmark) would shadow the hil package: drop the folder from the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from fsw_tools.mission import fly, summary  # noqa: E402

from fsw import scenario  # noqa: E402
from hil.sim.from_scenario import world_config  # noqa: E402
from hil.sim.world import World  # noqa: E402


def sim_only(sc: scenario.Scenario, span_s: float) -> float:
    """Real-time factor of the scenario's world stepped alone, tick by tick."""
    world = World(world_config(sc))
    ticks = round(span_s / world.dt)
    t0 = time.perf_counter()
    step = world.step
    for _ in range(ticks):
        step()
    return ticks * world.dt / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="fly the shortened test variant instead of the full mission")
    ap.add_argument("--scenario", default=None, help="built-in scenario name or TOML path")
    args = ap.parse_args(argv)
    name = args.scenario or ("short_inspection" if args.quick else "victus_haze")
    sc = scenario.resolve(name)
    print(f"flying {name} ...", flush=True)
    res = fly(sc)
    s = summary(res)
    orbit = res.legs[-1]
    mission_rtf = orbit.sim_s / orbit.wall_s
    whole_rtf = res.sim_s / res.wall_s
    pps = res.packets / res.wall_s
    print(f"outcome {s['outcome']}; {res.packets} packets; hash {s['packet_hash'][:16]}")
    print(f"in orbit:      {orbit.sim_s:9.0f} s simulated in {orbit.wall_s:7.1f} s wall: "
          f"{mission_rtf:7.0f}x real time")
    print(f"whole mission: {res.sim_s:9.0f} s simulated in {res.wall_s:7.1f} s wall: "
          f"{whole_rtf:7.0f}x real time (STANDBY leg ticked every "
          f"{sc.rates.standby_step_s:.0f} s)")
    print(f"packets through the bus: {pps:,.0f} per wall second")
    span = min(orbit.sim_s, 3600.0)
    rtf_sim = sim_only(sc, span)
    print(f"anchor, world alone at {sc.rates.adcs_hz:.0f} Hz over {span:.0f} s: "
          f"{rtf_sim:,.0f}x real time; the mission runs at {mission_rtf / rtf_sim:.3f} "
          "of it")
    print(f"target: mission_rtf >= 1000 ({'met' if mission_rtf >= 1000 else 'NOT met'})")
    print(json.dumps({"mission_rtf": round(mission_rtf, 1), "sim_rtf": round(rtf_sim, 1),
                      "packets_per_s": round(pps, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
