"""The executive: runs the world and the flight-software tasks tick by tick
over the software bus, in lockstep (simulated time, as fast as possible,
deterministic) or real time (paced to the wall clock), with rate groups and
task health (heartbeats, restarts with back-off, failure).

Writing a task (any object with ``name``, ``init(ctx)``, ``step(t)``; the
base class :class:`Task` is optional)::

    from fsw.executive import Task
    from fsw.packets import DICTIONARY

    GYRO, WHEEL_CMD = DICTIONARY["GYRO"], DICTIONARY["WHEEL_CMD"]

    class Adcs(Task):
        name = "adcs"                 # unique; <= 16 characters shows whole in packets
        rate_group = "attitude"       # key of ExecutiveConfig.rates (default "default")

        def init(self, ctx):          # at start AND at every restart: reset all state
            self.ctx = ctx
            self.rate = (0.0, 0.0, 0.0)
            ctx.subscribe(GYRO, self.on_gyro, parse=True)   # or parse=False: raw bytes

        def on_gyro(self, rec):       # GYRO.Record; runs in this task's turn, before step
            self.rate = rec.rate_B

        def step(self, t):            # t: on-board time, TAI seconds
            self.ctx.send(WHEEL_CMD, torque=(0.0, 0.0, 0.0, 0.0))   # stamped t, next seq
            if bad: self.ctx.event(2, 101, "wheel 3 speed limit")    # severity, id, text

``TaskContext`` (``ctx``): ``subscribe(apid_or_pdef, handler, parse=False)``,
``send(pdef, **fields) -> bytes``, ``publish(raw_bytes)``, ``event(severity,
event_id, text)``, ``next_seq(apid)``, ``t``, ``tick``, ``dt``, ``period``,
``seed``, ``rng`` (numpy Generator seeded from the run seed and the task name:
identical in every process). A task never touches the bus, the clock or
another task directly. APIDs 0x00C-0x00F (HELLO, TICK, TICK_DONE, BARRIER)
belong to the lockstep protocol: never subscribe to or publish them.

Running (the composition root, ``tools/``, does this)::

    from fsw.bus import Bus
    from fsw.executive import Executive, ExecutiveConfig

    ex = Executive(Bus.local(), ExecutiveConfig(seed=7))     # rates, mode, t0_tai, ...
    ex.add_world(world)          # hil's world: first in every tick, stepped every tick
    ex.add(Adcs()); ex.add(Autonomy(), rate_group="default")  # fixed order = add order
    ex.tap(writer.write)         # optional: every packet of the stream, with its time
    result = ex.run(duration_s=600.0)                          # or ticks=...
    result.stream_hash, result.packets, result.tasks["adcs"].state, result.rtf

Order within tick k (t = t0_tai + k * dt, dt = 1 / fastest rate):

1. the TIME packet (every ``time_period_s``), published by the clock owner;
2. each participant in order -- the world first, then the tasks in the order
   added -- takes its turn: its handlers get every packet of its
   subscriptions published since its last turn (in publication order), then
   ``step(t)`` if its rate group is due at k (every ``tick_rate / rate``
   ticks, at k = 0, n, 2n, ...), then its HEARTBEAT (every
   ``heartbeat_period_s``).

Packets published during the first ``init`` are held until the participant's
first turn, so even start-up traffic has a fixed place in the stream.

The world simulation (``hil/``) is a participant like a task: ``name``,
``init(ctx)`` (subscribe to actuator commands), ``step(t)`` (advance the truth
to t and ``ctx.send`` the sensor packets), added with :meth:`Executive.add_world`.
It is not health-monitored: its exception ends the run (:class:`ExecutiveError`).

Health: an exception in a task's handler, step or init is caught and reported
as an EVENT (id :data:`events.TASK_EXCEPTION`, severity error, text =
exception and where); the task is skipped (its inbox discarded, counted) and
re-initialised after ``backoff_s * backoff_factor**(n-1)`` s (capped at
``backoff_max_s``), n = faults in a row; ``stable_s`` of clean running forgives
them. After ``max_restarts`` restarts in a row it is declared failed
(EVENT :data:`events.TASK_FAILED`, severity critical) and never stepped again;
the other tasks keep their rates. HEARTBEAT per task: name, steps run, state
(nominal / faulted while waiting for its restart / stopped when failed).
A handler registered with ``parse=True`` never sees a bad packet: it is
counted (``bad_packets``) and reported (EVENT :data:`events.BAD_PACKET`).
Malformed input never kills a task either: a handler that raises the packet
layer's typed :class:`~fsw.packets.PacketError` (e.g. parsing a command
carried in another packet) has that packet counted, reported the same way
and dropped, and the rest of its inbox is delivered; any other exception
(including :class:`~fsw.packets.PacketBuildError`, a bug of the handler's
own) is a fault.

Determinism: same configuration and seed -> the same packets in the same
order; ``RunResult.stream_hash`` is the blake2b-256 of the stream: every
packet routed to the participants' turns (all but the lockstep sync ones, and
those published after the run's last turn, which reach nobody), in canonical
order. The stream (:class:`Stream`) may span several executives: pass one's
``ex.stream`` to the next (``Executive(bus, config, stream=...)``). A tap sees
the stream as it is hashed: ``ex.tap(fn)`` calls ``fn(packet, t)`` for each
packet, ``t`` the time of the tick that routed it (a recorder:
``ex.tap(writer.write)``). Use ``ctx.rng``, never global random state or the
wall clock.

Structure: :mod:`~fsw.executive.executive` (participants, turns, health) uses
a :class:`~fsw.executive.router.Router` (subscriptions, inboxes, the stream)
and a lockstep strategy (:mod:`fsw.executive.lockstep`: one process, or
several behind a broker); contexts (:mod:`fsw.executive.task`) reach the
executive through its public methods only.

Several processes (``fsw run --transport tcp|ipc``): one
:class:`~fsw.bus.Broker`, one executive per process over ``Bus.connect``:
node 0 ``role="owner"`` (the world: it owns the clock), nodes 1..n-1
``role="follower"`` (the tasks), ``nodes=n``. The canonical order is the same
as in one process, so is the hash (:mod:`fsw.executive.lockstep` gives the
protocol). :func:`fsw.executive.node.run_node` runs one node from a picklable
:class:`~fsw.executive.node.NodeSpec`; ``fsw_tools.runner`` spreads a run over
processes.
Per-APID sequence counters are kept level across nodes (each node follows
the counts it sees on the bus; followers always hear EVENT and HEARTBEAT),
so tasks may be spread over any number of followers. A follower subscribes,
at the broker, only to the APIDs its participants subscribe to in ``init``
(an APID first subscribed later, e.g. at a restart, is subscribed then but
its first packets are not synchronised).

Real time (``mode="realtime"``): the same loop, tick k due at wall time
start + k * dt / speed; a tick that ends after the next one's deadline is an
overrun, counted (``RunResult.overruns``) and reported (EVENT
:data:`events.DEADLINE_OVERRUN`, at most once per simulated second).
"""

from fsw.executive import events
from fsw.executive.config import DEFAULT_RATES, ConfigError, ExecutiveConfig
from fsw.executive.executive import Executive, ExecutiveError, RunResult, TaskStatus
from fsw.executive.lockstep import SYNC_APIDS
from fsw.executive.router import Stream
from fsw.executive.task import CRITICAL, DEBUG, ERROR, INFO, WARNING, Participant, Task, TaskContext

__all__ = [
    "CRITICAL", "DEBUG", "DEFAULT_RATES", "ERROR", "INFO", "SYNC_APIDS", "WARNING", "ConfigError",
    "Executive", "ExecutiveConfig", "ExecutiveError", "Participant", "RunResult", "Stream",
    "Task", "TaskContext", "TaskStatus", "events",
]
