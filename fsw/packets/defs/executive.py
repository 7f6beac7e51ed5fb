"""Executive packets (APIDs 0x001-0x00F): time, events, task heartbeats."""

from fsw.packets.dictionary import Field, telemetry
from fsw.packets.limits import CRITICAL, WARNING, Limits
from fsw.packets.types import F64, I16, SEVERITY, U8, U16, U32, U64, enum, text

TASK_STATE = enum(U8, init=0, nominal=1, degraded=2, safe=3, stopped=4, faulted=5)

TIME = telemetry(0x001, "TIME", [
    Field("tick", U64, "", "executive tick count since start"),
    Field("tick_period", F64, "s", "simulated time per tick"),
    Field("tai_utc", I16, "s", "TAI - UTC (leap seconds) in force"),
    Field("clock", enum(U8, lockstep=0, realtime=1), "", "how time advances"),
], "On-board time broadcast; the CUC header carries the TAI time itself.")

EVENT = telemetry(0x002, "EVENT", [
    Field("severity", SEVERITY, "", "debug, info, warning, error, critical"),
    Field("event_id", U16, "", "event identifier (per source task)"),
    Field("source", text(16), "", "task that raised the event"),
    Field("text", text(96), "", "human-readable message, UTF-8, truncated by the sender"),
], "One event: everything notable, every rejection and fault.")

HEARTBEAT = telemetry(0x003, "HEARTBEAT", [
    Field("task", text(16), "", "task name"),
    Field("counter", U32, "", "cycles run since start"),
    Field("state", TASK_STATE, "", "task health state",
          limits=Limits(states={"degraded": WARNING, "safe": WARNING, "faulted": CRITICAL,
                                "stopped": CRITICAL})),
], "Liveness of one task, sent every cycle of the task.", instance="task")
