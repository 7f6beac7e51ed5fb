"""Benchmark of the whole mission (issues #7, #18): the real-time factor of
the mission flown in lockstep with every packet through the software bus --
world (truth + avionics), the flight-software tasks, ground station and
recorder (archive on, as ``fsw run``) -- beside two anchors measured in the
same run: Basilisk (one spacecraft, three reaction wheels, MRP feedback, 10 Hz
dynamics and flight software, 6,000 s, no logging; ``anchor_basilisk.py``,
needs ``pip install -e '.[anchors]'``) and the world simulation alone.

The mission and Basilisk each run in a fresh process, interleaved
(``--pairs`` pairs, default 3: Basilisk, mission, Basilisk, mission, ...), so
both see the same load; the figures are medians over the pairs, each pair's
values printed. Wall-clock figures depend on the machine's load; the
CPU-time figures (process time of the same spans) much less: both are given,
with the load average before and after.

Figures (the last line is JSON):

- ``mission_rtf``: simulated seconds in orbit (the 10 Hz leg, insertion to
  the end of the run) per wall second of that leg; ``mission_cpu_rtf``: per
  process-CPU second of it;
- ``basilisk_rtf``, ``basilisk_cpu_rtf``: the same for Basilisk's run;
  ``mission_vs_basilisk`` = median over the pairs of mission_rtf /
  basilisk_rtf, ``mission_vs_basilisk_cpu`` the same with CPU time (absent
  without Basilisk);
- ``us_per_tick``, ``us_per_tick_cpu``: wall and CPU microseconds per 0.1 s
  tick in orbit;
- ``campaign_runs_per_core_hour``: 3600 / CPU seconds (user + system) of the
  whole process flying the scenario (start-up, both legs, archive written);
- ``peak_rss_mib``: peak resident memory of that process (as ``fsw run``;
  limit 300 MiB), ``basilisk_rss_mib`` Basilisk's;
- ``sim_rtf``: the world alone (both spacecraft, attitude and wheels at
  10 Hz, no sensors, no bus) over the same span (up to 3600 s);
- ``packets_per_s``: packets through the bus per wall second of the whole
  run.

    python tools/bench/mission.py [--quick] [--scenario NAME] [--pairs N]

``--quick`` flies the shortened test variant (short_inspection) instead of
the full victus_haze mission (the default mission: the figure
``campaign_runs_per_core_hour`` is meant for it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, this folder is first on sys.path and its hil.py (another
# benchmark) would shadow the hil package: drop the folder from the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from fsw import scenario  # noqa: E402
from hil.sim.from_scenario import world_config  # noqa: E402
from hil.sim.world import World  # noqa: E402

ANCHOR = _HERE / "anchor_basilisk.py"
#: peak RSS allowed for ``fsw run``, MiB (issue #18)
RSS_LIMIT_MIB = 300.0


def sim_only(sc: scenario.Scenario, span_s: float) -> float:
    """Real-time factor of the scenario's world stepped alone, tick by tick."""
    world = World(world_config(sc))
    ticks = round(span_s / world.dt)
    t0 = time.perf_counter()
    step = world.step
    for _ in range(ticks):
        step()
    return ticks * world.dt / (time.perf_counter() - t0)


def fly_once(name: str, duration_s: float | None) -> dict[str, Any]:
    """The worker: fly ``name`` as ``fsw run`` does (archive on) in this
    process; the figures of its legs."""
    from fsw_tools.mission import fly, summary

    sc = scenario.resolve(name)
    with tempfile.TemporaryDirectory() as tmp:
        res = fly(sc, archive=Path(tmp) / "packets.fswarc", duration_s=duration_s)
        s = summary(res)
    orbit = res.legs[-1]
    return {"orbit_sim_s": orbit.sim_s, "orbit_wall_s": orbit.wall_s,
            "orbit_cpu_s": orbit.cpu_s, "orbit_ticks": orbit.ticks, "sim_s": res.sim_s,
            "wall_s": res.wall_s, "packets": res.packets, "hash": s["packet_hash"],
            "outcome": s["outcome"], "delta_v_m_s": s["delta_v_m_s"],
            "min_range_m": s["min_range_m"]}


def _child(args: list[str]) -> tuple[dict[str, Any] | None, float, float, str]:
    """Run ``python args...`` in a fresh process; its last JSON line, its
    CPU seconds (user + system), its peak RSS (MiB) and its stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, *args], stdout=out, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = out.read().decode().strip().splitlines()
        text = err.read().decode()
    data = json.loads(lines[-1]) if proc.returncode == 0 and lines else None
    return data, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, text


def basilisk_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("Basilisk") is not None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="fly the shortened test variant instead of the full mission")
    ap.add_argument("--scenario", default=None, help="built-in scenario name or TOML path")
    ap.add_argument("--duration", type=float, default=None,
                    help="seconds of the orbit leg to fly (default: the whole mission)")
    ap.add_argument("--pairs", type=int, default=3, help="interleaved runs of each (default 3)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    name = args.scenario or ("short_inspection" if args.quick else "victus_haze")
    if args.worker:
        print(json.dumps(fly_once(name, args.duration)))
        return 0
    sc = scenario.resolve(name)
    anchor = basilisk_installed()
    if not anchor:
        print("Basilisk not installed (pip install -e '.[anchors]'): no mission_vs_basilisk")
    load0 = os.getloadavg()
    print(f"flying {name}, {args.pairs} pair(s) of fresh processes; load average "
          f"{load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f} on {os.cpu_count()} CPUs", flush=True)
    worker = [str(Path(__file__).resolve()), "--worker", "--scenario", name]
    if args.duration is not None:
        worker += ["--duration", str(args.duration)]
    runs: list[dict[str, Any]] = []
    for i in range(args.pairs):
        bsk: dict[str, Any] | None = None
        if anchor:
            bsk, _, bsk_rss, err = _child([str(ANCHOR)])
            if bsk is None:
                print(f"Basilisk anchor failed:\n{err}", file=sys.stderr)
                return 1
            bsk["rss_mib"] = bsk_rss
        m, cpu, rss, err = _child(worker)
        if m is None:
            print(f"mission run failed:\n{err}", file=sys.stderr)
            return 1
        m.update(process_cpu_s=cpu, rss_mib=rss, rtf=m["orbit_sim_s"] / m["orbit_wall_s"],
                 cpu_rtf=m["orbit_sim_s"] / m["orbit_cpu_s"], basilisk=bsk)
        line = (f"pair {i + 1}: mission {m['rtf']:7.0f}x wall, {m['cpu_rtf']:7.0f}x CPU "
                f"in orbit; {m['orbit_wall_s'] / m['orbit_ticks'] * 1e6:6.1f} us/tick wall, "
                f"{m['orbit_cpu_s'] / m['orbit_ticks'] * 1e6:6.1f} us/tick CPU")
        if bsk is not None:
            m["ratio"] = m["rtf"] / bsk["basilisk_rtf"]
            m["ratio_cpu"] = m["cpu_rtf"] / bsk["basilisk_cpu_rtf"]
            line += (f" | Basilisk {bsk['basilisk_rtf']:7.0f}x wall, "
                     f"{bsk['basilisk_cpu_rtf']:7.0f}x CPU | ratio {m['ratio']:.3f} wall, "
                     f"{m['ratio_cpu']:.3f} CPU")
        print(line, flush=True)
        runs.append(m)
    load1 = os.getloadavg()
    med = statistics.median
    last = runs[-1]
    if len({r["hash"] for r in runs}) != 1:
        print("WARNING: the runs' packet-stream hashes differ", file=sys.stderr)
    print(f"outcome {last['outcome']}; {last['packets']} packets; hash {last['hash'][:16]}; "
          f"delta-v {last['delta_v_m_s']:.2f} m/s; minimum range {last['min_range_m']:.1f} m")
    mission_rtf = med(r["rtf"] for r in runs)
    mission_cpu_rtf = med(r["cpu_rtf"] for r in runs)
    us_tick = med(r["orbit_wall_s"] / r["orbit_ticks"] * 1e6 for r in runs)
    us_tick_cpu = med(r["orbit_cpu_s"] / r["orbit_ticks"] * 1e6 for r in runs)
    whole_rtf = med(r["sim_s"] / r["wall_s"] for r in runs)
    pps = med(r["packets"] / r["wall_s"] for r in runs)
    per_core_hour = med(3600.0 / r["process_cpu_s"] for r in runs)
    rss = max(r["rss_mib"] for r in runs)
    print(f"in orbit:      {last['orbit_sim_s']:9.0f} s simulated: {mission_rtf:7.0f}x real "
          f"time (wall), {mission_cpu_rtf:7.0f}x per CPU second; {us_tick:.1f} us per tick "
          f"wall, {us_tick_cpu:.1f} us CPU")
    print(f"whole mission: {last['sim_s']:9.0f} s simulated: {whole_rtf:7.0f}x real time "
          f"(STANDBY leg ticked every {sc.rates.standby_step_s:.0f} s)")
    print(f"packets through the bus: {pps:,.0f} per wall second")
    print(f"campaign: {per_core_hour:.1f} runs of {name} per core-hour (process CPU "
          f"{med(r['process_cpu_s'] for r in runs):.1f} s a run, archive on)")
    print(f"peak RSS of the mission process (as fsw run): {rss:.1f} MiB (limit "
          f"{RSS_LIMIT_MIB:.0f}: {'met' if rss <= RSS_LIMIT_MIB else 'NOT met'})")
    span = min(last["orbit_sim_s"], 3600.0)
    rtf_sim = sim_only(sc, span)
    print(f"anchor, world alone at {sc.rates.adcs_hz:.0f} Hz over {span:.0f} s: "
          f"{rtf_sim:,.0f}x real time; the mission runs at {mission_rtf / rtf_sim:.3f} of it")
    figures: dict[str, Any] = {
        "mission_rtf": round(mission_rtf, 1), "sim_rtf": round(rtf_sim, 1),
        "packets_per_s": round(pps, 1), "mission_cpu_rtf": round(mission_cpu_rtf, 1),
        "us_per_tick": round(us_tick, 1), "us_per_tick_cpu": round(us_tick_cpu, 1),
        "campaign_runs_per_core_hour": round(per_core_hour, 2),
        "peak_rss_mib": round(rss, 1), "scenario": name, "pairs": len(runs),
        "load_avg": [round(load0[0], 2), round(load1[0], 2)]}
    if anchor:
        ratios = [round(r["ratio"], 3) for r in runs]
        ratios_cpu = [round(r["ratio_cpu"], 3) for r in runs]
        basilisk_rtf = med(r["basilisk"]["basilisk_rtf"] for r in runs)
        basilisk_cpu_rtf = med(r["basilisk"]["basilisk_cpu_rtf"] for r in runs)
        print(f"anchor, Basilisk {runs[0]['basilisk']['version']} (3 wheels, MRP feedback, "
              f"10 Hz, 6000 s, no logging): {basilisk_rtf:,.0f}x real time wall, "
              f"{basilisk_cpu_rtf:,.0f}x per CPU second; peak RSS "
              f"{max(r['basilisk']['rss_mib'] for r in runs):.1f} MiB")
        print(f"mission_vs_basilisk: {med(ratios):.3f} (pairs: "
              f"{', '.join(f'{x:.3f}' for x in ratios)}); by CPU time {med(ratios_cpu):.3f} "
              f"(pairs: {', '.join(f'{x:.3f}' for x in ratios_cpu)})")
        figures.update(basilisk_rtf=round(basilisk_rtf, 1),
                       basilisk_cpu_rtf=round(basilisk_cpu_rtf, 1),
                       mission_vs_basilisk=round(med(ratios), 3),
                       mission_vs_basilisk_pairs=ratios,
                       mission_vs_basilisk_cpu=round(med(ratios_cpu), 3),
                       mission_vs_basilisk_cpu_pairs=ratios_cpu,
                       basilisk_rss_mib=round(max(r["basilisk"]["rss_mib"] for r in runs), 1))
    print(f"load average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
