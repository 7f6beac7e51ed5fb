"""Benchmark of the whole mission (issue #7, acceptance 6): the real-time
factor of ``fsw run`` -- the truth world, the flight-software tasks and the
ground station in lockstep, every packet through the ZeroMQ bus, the packet
archive recorded -- beside the simulation-only real-time factor measured in
the same run (the scenario's own world stepped alone, one tick per call at
the ADCS rate, as the lockstep executive steps it), and the packet rate.

The whole mission is the embedded ``victus_haze`` scenario from the launch
notice to departure (the ground leg, launch notice to insertion, runs in
coarse ticks; the orbit leg at the ADCS rate). ``--quick`` flies the first
ten minutes after insertion of the ``short_inspection`` test scenario.

Figures: wall-clock RTF (the issue's figure) and CPU-time RTF (steadier on a
shared, loaded machine), for the whole mission and the orbit leg alone; the
ratio mission / simulation-only (how much of the world's speed the flight
software and the bus leave). Target: mission_rtf >= 1000. For context, not
measured here: Basilisk with compiled flight software and no packets runs one
spacecraft with wheels at 10 Hz at about 4,200x on this machine.

    python tools/bench/mission.py [--quick] [--scenario S] [--no-archive]

The last line is JSON with the keys ``mission_rtf``, ``sim_rtf`` and
``packets_per_s``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder is first on sys.path and its hil.py (another
# benchmark) would shadow the hil package: drop the folder from the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from fsw_tools.mission import fly  # noqa: E402

from fsw import scenario  # noqa: E402
from hil.sim.from_scenario import world_config  # noqa: E402
from hil.sim.world import World  # noqa: E402

TARGET = 1000.0
QUICK_SCENARIO = "short_inspection"
QUICK_DURATION_S = 600.0


def bench_sim(sc: scenario.Scenario, seconds: float) -> tuple[float, float]:
    """Simulation-only RTF (wall, CPU) of the scenario's world as flown,
    stepped one ADCS tick per call (as the avionics node steps it) with a new
    wheel command every tick."""
    w = World(world_config(sc))
    per_tick = max(1, round(1.0 / sc.rates.adcs_hz / w.dt))
    n = round(seconds * sc.rates.adcs_hz)
    cmd = w.chaser.wheel_torque_cmd
    nw = len(cmd)
    step = w.step
    c0, t0 = time.process_time(), time.perf_counter()
    for i in range(n):
        cmd[i % nw] = 1e-4 * ((i // nw) & 1) - 5e-5
        step(per_tick)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    sim = n * per_tick * w.dt
    return sim / wall, sim / max(cpu, 1e-9)


def bench_mission(sc: scenario.Scenario, duration_s: float | None,
                  archive: bool) -> dict[str, float | int | str]:
    """Fly ``sc`` as ``fsw run`` does (archive in a temporary directory)."""
    with tempfile.TemporaryDirectory(prefix="fsw-bench-mission-") as tmp:
        path = Path(tmp) / "packets.arch" if archive else None
        c0 = time.process_time()
        res = fly(sc, archive=path, duration_s=duration_s)
        cpu = time.process_time() - c0
    wall = res.wall_s
    return {
        "sim_s": res.sim_s, "wall_s": wall, "cpu_s": cpu,
        "orbit_sim_s": res.orbit_sim_s, "orbit_wall_s": res.orbit_wall_s,
        "packets": res.packets, "hash": res.packet_hash, "mode": res.final_mode,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"fly {QUICK_DURATION_S:.0f} s after insertion of "
                             f"{QUICK_SCENARIO} instead of the whole victus_haze mission")
    parser.add_argument("--scenario", default=None,
                        help="scenario file or built-in name (default: victus_haze, or "
                             f"{QUICK_SCENARIO} with --quick)")
    parser.add_argument("--no-archive", action="store_true",
                        help="do not record the packet archive (fsw run --no-archive)")
    args = parser.parse_args(argv)
    name = args.scenario or (QUICK_SCENARIO if args.quick else None)
    sc = scenario.resolve(name)
    duration = QUICK_DURATION_S if args.quick else None

    m = bench_mission(sc, duration, not args.no_archive)
    sim_span = 3600.0 if args.quick else 86400.0
    sim_rtf, sim_rtf_cpu = bench_sim(sc, sim_span)

    mission_rtf = m["sim_s"] / max(m["wall_s"], 1e-9)
    mission_rtf_cpu = m["sim_s"] / max(m["cpu_s"], 1e-9)
    orbit_rtf = m["orbit_sim_s"] / max(m["orbit_wall_s"], 1e-9)
    packets_per_s = m["packets"] / max(m["wall_s"], 1e-9)
    print(f"scenario                      : {sc.mission.name} ({sc.source}), "
          f"seed {sc.mission.seed}, ended in {m['mode']}")
    print(f"simulated                     : {m['sim_s']:12,.0f} s "
          f"(orbit leg {m['orbit_sim_s']:,.0f} s at {sc.rates.adcs_hz:g} Hz)")
    print(f"wall / CPU                    : {m['wall_s']:12,.2f} s / {m['cpu_s']:,.2f} s")
    print(f"packets through the bus       : {m['packets']:12,d} "
          f"({packets_per_s:,.0f}/s), stream hash {m['hash'][:16]}")
    print(f"whole mission RTF (wall)      : {mission_rtf:12,.0f} x real time")
    print(f"whole mission RTF (CPU time)  : {mission_rtf_cpu:12,.0f} x")
    print(f"orbit leg RTF (wall)          : {orbit_rtf:12,.0f} x")
    print(f"simulation only (wall / CPU)  : {sim_rtf:12,.0f} x / {sim_rtf_cpu:,.0f} x "
          f"({sim_span:.0f} s of the same world, one ADCS tick per call)")
    print(f"ratio mission / sim only      : {mission_rtf / sim_rtf:12,.3f}")
    print(f"target mission >= {TARGET:.0f}x        : "
          f"{'met' if mission_rtf >= TARGET else 'NOT met'}"
          f"{' (quick variant: orbit leg only)' if args.quick else ''}")
    print(json.dumps({"mission_rtf": round(mission_rtf, 1), "sim_rtf": round(sim_rtf, 1),
                      "packets_per_s": round(packets_per_s, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
