"""The mission composition root: scenario -> world (hil) + flight-software
tasks (fsw) + ground station + bus + executive -> a run directory and a
summary. The API behind ``fsw run``.

A run has two legs, each an executive over its own local bus:

1. **Ground** (launch notice to insertion): nothing moves, so the executive
   ticks every ``rates.standby_step_s``; the ground station sends the launch
   notice (target orbit) and health checks, the tasks of
   :data:`fsw.tasks.compose.STANDBY_TASKS` (comms, autonomy) answer, plan
   and go through STANDBY -> LAUNCH.
2. **Orbit** (insertion onwards): the world (``hil.avionics.AvionicsNode``)
   first in every tick at the ADCS rate, then every flight-software task
   (:func:`fsw.tasks.compose.build_tasks`, in its order), the ground
   station, the latch-valve model and the monitor, which scores the mission
   from truth and stops the run ``departure_duration_s`` into DEPARTURE.

The run has one packet stream (:class:`fsw.executive.Stream`): the first
leg's executive starts it, the second appends to it; its hash is the run's
packet-stream hash and a recording tap on it writes the archive.

The tasks are the same objects in both legs; their mission state lives in
their critical data store (``cds``), which survives the re-initialisation.
The per-APID sequence counters carry over from one leg to the next.

Keys: the run's telecommand key ring is derived from the seed (deterministic
runs, so the packet-stream hash is reproducible), unless a key file is given.

Ground-link loss: the scenario's ``link_loss`` faults silence the ground
station (no telecommand up, no acknowledgement heard) -- the mission has to
go on autonomously. They are not passed to the world as an avionics-link
outage.

``fly(scenario, ...) -> MissionResult``; :func:`summary` turns it into the
dictionary written to ``summary.json`` and printed by ``fsw run``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsw_tools.mission.ground import GroundStation
from fsw_tools.mission.monitor import Monitor
from fsw_tools.mission.valves import ValveModel

from fsw.bus import Bus
from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.errors import UserError
from fsw.executive import Executive, ExecutiveConfig, RunResult, Stream
from fsw.packets.auth import KeyRing
from fsw.packets.enums import Severity
from fsw.scenario import Scenario, override
from fsw.tasks.compose import STANDBY_TASKS, build_tasks, rate_table
from hil.avionics import AvionicsNode
from hil.sim.from_scenario import world_config

__all__ = ["MissionResult", "archive_tap", "fly", "run_keys", "summary"]


def run_keys(seed: int) -> KeyRing:
    """The telecommand keys of an emulation run, derived from its seed (not
    secret: a reproducible run needs reproducible MACs)."""
    return KeyRing({k: hashlib.blake2b(f"fsw-run-key-{seed}-{k}".encode(),
                                       digest_size=32).digest() for k in range(1, 5)})


@dataclass
class MissionResult:
    """Everything a mission run produced."""

    scenario: Scenario
    monitor: Monitor
    ground: GroundStation
    tasks: dict[str, Any]
    world: Any
    legs: list[RunResult] = field(default_factory=list)
    #: the run's packet stream (hash and count; both legs)
    stream: Stream = field(default_factory=Stream)
    wall_s: float = 0.0
    notice_tai: float = 0.0
    insertion_tai: float = 0.0
    archive: Path | None = None

    @property
    def sim_s(self) -> float:
        return sum(r.sim_s for r in self.legs)

    @property
    def orbit_sim_s(self) -> float:
        return self.legs[-1].sim_s if self.legs else 0.0

    @property
    def orbit_wall_s(self) -> float:
        return self.legs[-1].wall_s if self.legs else 0.0

    @property
    def packets(self) -> int:
        return self.stream.packets

    @property
    def packet_hash(self) -> str:
        return self.stream.hexdigest()

    @property
    def final_mode(self) -> str:
        return self.monitor.score.mode


def fly(scenario: Scenario, *, seed: int | None = None, archive: Path | None = None,
        progress: Callable[[float, str], None] | None = None,
        stop_at_mode: str | None = None, duration_s: float | None = None,
        keys: KeyRing | None = None, core: GuidanceCore | None = None,
        prepare: Callable[[MissionResult], None] | None = None,
        transport: str = "inproc", ground_link: Any | None = None,
        realtime_speed: float | None = None) -> MissionResult:
    """Fly ``scenario``; see the module docstring. ``duration_s`` limits the
    orbit leg (seconds after insertion); ``stop_at_mode`` ends the run when
    the mission enters that mode; ``prepare`` is called with the result
    before the run starts (tests queue extra telecommands there). ``core`` is
    the guidance core the ADCS and autonomy tasks share (default: the local
    cffi core; a ``PacketCore`` puts it on a board). ``transport`` ``ipc`` or
    ``tcp``: the flight-software tasks fly in a process of their own
    (:mod:`fsw_tools.mission.split`), with the same packet stream.
    ``ground_link`` is a participant (a :class:`fsw_tools.ground.GroundBridge`)
    that joins both legs after the ground station, so a live ``fsw ground``
    console sees the telemetry and can command the run; ``realtime_speed``
    paces the orbit leg to the wall clock at that speed-up (the standby leg
    stays lockstep). Both need the inproc transport."""
    if transport != "inproc" and (ground_link is not None or realtime_speed is not None):
        raise UserError("a live ground link and real-time pacing need --transport inproc")
    sc = scenario if seed is None else override(scenario, mission__seed=int(seed))
    seed_ = sc.mission.seed
    cfg = world_config(sc)
    world_faults = [fc for f, fc in zip(sc.faults, cfg.faults, strict=True)
                    if f.kind != "link_loss"]
    cfg.faults = world_faults
    # the tank is rated (and filled) at the scenario's reference pressure
    cfg.chaser.tank.reference_pressure = sc.chaser.rcs.reference_pressure_pa
    cfg.chaser.tank.initial_pressure = sc.chaser.rcs.reference_pressure_pa
    se, out = sc.chaser.sensors, cfg.sensors
    out.gyro.rate_hz = sc.rates.adcs_hz
    out.sun_sensor.rate_hz = se.sun_sensor_rate_hz
    out.magnetometer.rate_hz = se.magnetometer_rate_hz
    out.wheel_tach.rate_hz = se.wheel_tach_rate_hz
    out.prop_status.rate_hz = se.prop_status_rate_hz
    node = AvionicsNode(cfg, truth_period=1.0)
    insertion_tai = node.world.tai
    keys = keys or run_keys(seed_)
    target = (node.world.target.r.copy(), node.world.target.v.copy())
    ground = GroundStation(sc, keys, target, insertion_tai)
    core = core if core is not None else LocalCore()
    tasks = build_tasks(sc, keys, core)
    stop_tai = None
    if duration_s is not None:
        stop_tai = insertion_tai + duration_s
    monitor = Monitor(sc, progress, stop_at_mode, stop_tai)
    result = MissionResult(sc, monitor, ground, tasks, node.world,
                           notice_tai=sc.notice_tai, insertion_tai=insertion_tai,
                           archive=archive)
    writer = None if archive is None else archive_tap(result.stream, archive, monitor)
    if prepare is not None:
        prepare(result)
    split = None
    if transport != "inproc":
        from fsw_tools.mission.split import SplitSession

        split = SplitSession(result, transport, keys, core)
    wall0 = time.perf_counter()
    ended = False
    try:
        # leg 1: launch notice to insertion, coarse ticks
        # ticks of at most standby_step_s that end exactly at the insertion
        interval = insertion_tai - sc.notice_tai
        step = sc.rates.standby_step_s
        ground_ticks = math.floor(interval / step - 1e-9)
        if ground_ticks == 0 and interval > 0:
            ground_ticks, step = 1, interval
        if ground_ticks > 0:
            standby = [tasks[n] for n in STANDBY_TASKS]
            ex = (split.executive if split else _local_executive)(ExecutiveConfig(
                rates=dict.fromkeys(rate_table(sc, standby), 1.0 / step),
                t0_tai=sc.notice_tai, seed=seed_, heartbeat_period_s=0.0), result.stream)
            for p in (ground, ground_link, *standby, monitor):
                if p is not None:
                    ex.add(p)
            monitor.request_stop = ex.request_stop
            result.legs.append(ex.run(ticks=ground_ticks))
        # leg 2: in orbit, every packet through the bus at the ADCS rate
        if not monitor.done:
            r = sc.rates
            ex = (split.executive if split else _local_executive)(ExecutiveConfig(
                rates=rate_table(sc, tasks.values()), t0_tai=insertion_tai,
                seed=seed_, heartbeat_period_s=r.heartbeat_s,
                seq_start=result.legs[-1].next_seq if result.legs else {},
                **({"mode": "realtime", "speed": realtime_speed} if realtime_speed else {})),
                result.stream)
            ex.add_world(node)
            for task in tasks.values():
                ex.add(task)
            ex.add(ground)
            if ground_link is not None:
                ex.add(ground_link)
            ex.add(ValveModel(node.world))
            ex.add(monitor)
            monitor.request_stop = ex.request_stop
            limit = sc.mission.max_duration_s - sc.insertion.ascent_s
            if duration_s is not None:
                limit = min(limit, duration_s + 1.0)
            result.legs.append(ex.run(duration_s=max(limit, 0.0)))
        ended = True
    finally:
        try:
            if split is not None:
                split.close()
        finally:
            if writer is not None:  # the closing record says whether the run ended
                try:
                    writer.close(complete=ended)
                except OSError as exc:
                    monitor.write_error = monitor.write_error or exc
    result.wall_s = time.perf_counter() - wall0
    if monitor.write_error is not None:
        from fsw_tools.files import os_error

        raise os_error(monitor.write_error, "run stopped: cannot write the archive", archive)
    return result


def archive_tap(stream: Stream, path: Path, monitor: Monitor) -> Any:
    """The run's archive writer on ``path``, tapping ``stream``: its bound
    ``write_batch`` is the stream's one joined tap, called straight from the
    settle with the packets routed at once and their concatenation (the
    hash's). Its records reach the operating system as they are made (a
    mapped writer; elsewhere each tick's when the next tick's first arrives):
    a killed run loses at most its last tick (docs/archive.md). A write error
    (a full disk, ...) stops the run through ``on_error``: the monitor keeps
    it (the run then raises it) and nothing more is archived, never silently."""
    from fsw_tools.archive import ArchiveWriter

    def stop(exc: OSError) -> None:
        monitor.write_error = exc
        monitor.request_stop()

    writer = ArchiveWriter(path, sync="close", flush_each_time=True, on_error=stop)
    if not writer.mapped:  # buffered: its errors raise
        def record(packets: list[bytes], data: bytes, t: float,
                   write: Callable[[list[bytes], bytes, float], Any] = writer.write_batch
                   ) -> None:
            if monitor.write_error is None:
                try:
                    write(packets, data, t)
                except OSError as exc:
                    stop(exc)

        stream.add_tap(record, joined=True)
    else:  # write_batch, natively from the settle where it can (its batch_tap)
        stream.add_tap(writer.batch_tap, joined=True)
    return writer


def _local_executive(config: ExecutiveConfig, stream: Stream) -> Executive:
    return Executive(Bus.local(), config, stream=stream)


def summary(res: MissionResult) -> dict[str, Any]:
    """The run summary (keys of ``fsw_tools.rundir`` plus the mission's)."""
    sc, s = res.scenario, res.monitor.score
    t0 = res.notice_tai
    times = res.tasks["autonomy"].cds["times"]
    launch = sc.launch_tai
    commissioned = times.get("commissioned")
    pointing = sorted(s.pointing_deg)

    def pct(q: float) -> float | None:
        if not pointing:
            return None
        return pointing[min(len(pointing) - 1, int(q * len(pointing)))]

    dv = res.monitor.delta_v_truth()
    inside = s.min_range_m <= sc.plan.keep_out_m
    return {
        "scenario": sc.mission.name,
        "source": sc.source,
        "seed": sc.mission.seed,
        "outcome": s.mode,
        "stopped_by": res.monitor.stopped_by or "max_duration",
        "phases": [{"mode": m, "t": t, "t_from_notice_s": t - t0} for t, m in s.modes],
        "sim_duration_s": res.sim_s,
        "orbit_duration_s": res.orbit_sim_s,
        "wall_time_s": res.wall_s,
        "mission_rtf": res.sim_s / max(res.wall_s, 1e-9),
        "orbit_rtf": res.orbit_sim_s / max(res.orbit_wall_s, 1e-9),
        "packets": res.packets,
        "packet_hash": res.packet_hash,
        "delta_v_m_s": dv,
        "delta_v_fsw_m_s": s.dv_fsw_mps,
        "delta_v_to_inspection_m_s": res.monitor.delta_v_truth(to_inspection=True),
        # hold points not reached at the first attempt: correction legs flown
        "hold_corrections": sum(1 for e in s.events if e[3].startswith("leg start: correction to")),
        "delta_v_budget_m_s": sc.plan.delta_v_budget_mps,
        "delta_v_within_budget": dv <= sc.plan.delta_v_budget_mps,
        "propellant_used_kg": (s.propellant0_kg or 0.0) - (s.propellant_kg or 0.0),
        "min_range_m": s.min_range_m,
        "min_range_t_from_notice_s": s.min_range_t - t0,
        "min_range_inspection_m": s.min_range_inspection_m if pointing else None,
        "max_range_inspection_m": s.max_range_inspection_m if pointing else None,
        "keep_out_radius_m": sc.plan.keep_out_m,
        "keep_out_violated": inside,
        "pointing_error_inspection_deg": {"median": pct(0.5), "p95": pct(0.95),
                                          "max": pointing[-1] if pointing else None},
        "inspection_tracking_fraction": (len(pointing) / (len(pointing) + s.not_tracking)
                                         if pointing else None),
        "notice_to_launch_s": launch - t0,
        "launch_to_commissioned_s": (commissioned - launch) if commissioned else None,
        "notice_to_first_track_s": (s.first_track_t - t0) if s.first_track_t else None,
        "collision_avoidance_t_from_notice_s": (times["cam"] - t0) if "cam" in times else None,
        "ground_acks": len(res.ground.acks),
        "tasks": {n: vars(st) for leg in res.legs[-1:] for n, st in leg.tasks.items()},
        "navigation": res.monitor.nav.figures(),
        "attitude": res.monitor.att.figures(),
        "clock": res.monitor.clock.figures(),
        "burns": res.monitor.burns.figures(),
        "warnings": [f"{t - t0:.0f}s {src}: {txt}" for t, sev, src, txt in s.events
                     if sev >= Severity.WARNING][:50],
        "fault_events": [{"t_from_notice_s": t - t0, "severity": sev, "source": src,
                          "event_id": eid, "text": txt}
                         for t, sev, src, eid, txt in s.faults][:200],
        **res.monitor.safety.figures(t0),
        "collision_avoidance_to_thrust_s": res.monitor.safety.thrust_after(times.get("cam")),
    }
