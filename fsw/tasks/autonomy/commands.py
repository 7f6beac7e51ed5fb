"""What the autonomy task is told: the telecommands it owns (routed to it by
the comms task in MISSION_CMD after authentication), each acknowledged
``executed`` or ``rejected`` with a reason (COMMAND_ACK).

- LAUNCH_NOTICE (STANDBY only): the target orbit is checked by the guidance
  core (a state vector: plausible LEO state in SI units; a TLE: SGP4 accepts
  it), sent to the navigation task (TARGET_ORBIT), and the mission goes to
  LAUNCH.
- SET_MODE: ``safe`` (any mode) or ``departure`` (an abort); other values
  are rejected.
- SET_HOLD_POINT: the near hold point's distance on V-bar, between the
  inspection radius and the far hold point, before PROX_OPS.
- ABORT: to DEPARTURE. RESUME: leave SAFE through the interrupted mode's gate.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from fsw.core import tle
from fsw.core.errors import GncError
from fsw.packets import DICTIONARY, PacketError
from fsw.packets.enums import AckStage, EventId, Severity
from fsw.tasks.autonomy.modes import Mode, ModeMachine, TransitionRefusedError
from fsw.tasks.autonomy.sequencer import Sequencer

__all__ = ["R_BAD_ARG", "R_GATE", "R_WRONG_MODE", "handle"]

COMMAND_ACK = DICTIONARY["COMMAND_ACK"]
TARGET_ORBIT = DICTIONARY["TARGET_ORBIT"]

#: COMMAND_ACK reasons of this task
R_WRONG_MODE, R_BAD_ARG, R_GATE = 20, 21, 22


class AutonomyTask(Protocol):
    """What the commands need of the autonomy task (fsw.tasks.autonomy.task)."""

    name: str
    ctx: Any
    core: Any
    plan: Any
    cds: dict
    m: ModeMachine
    seq: Sequencer

    def advance(self, t: float, reason: str) -> bool: ...
    def safe(self, t: float, reason: str) -> None: ...
    def abort(self, t: float, reason: str) -> None: ...
    def resume(self, t: float, reason: str) -> None: ...


def handle(task: AutonomyTask, r) -> None:
    """One MISSION_CMD record (forwarded to ``owner``): decode, execute, acknowledge."""
    if r.owner != task.name:
        return
    ctx = task.ctx
    try:
        tc = DICTIONARY.decode(r.command)
    except PacketError as exc:
        ctx.event(Severity.WARNING, EventId.COMMAND_REFUSED,
                  f"forwarded command undecodable: {exc}"[:96])
        return
    name = tc.packet.name
    t = ctx.t
    ok, reason = True, 0
    try:
        if name == "LAUNCH_NOTICE":
            ok, reason = _launch_notice(task, tc)
        elif name == "ABORT":
            task.abort(t, f"ground abort (reason {tc.reason})")
        elif name == "RESUME":
            task.resume(t, "ground order")
        elif name == "SET_MODE":
            if tc.mode == Mode.SAFE:
                task.safe(t, "ground order")
            elif tc.mode == Mode.DEPARTURE:
                task.abort(t, "ground order")
            else:
                ok, reason = False, R_BAD_ARG
        elif name == "SET_HOLD_POINT":
            ok, reason = _hold_point(task, tc.along_track)
        else:
            ok, reason = False, R_BAD_ARG
    except TransitionRefusedError as exc:
        ok, reason = False, R_GATE
        ctx.event(Severity.WARNING, EventId.COMMAND_REFUSED, f"{name}: {exc}"[:96])
    ctx.send(COMMAND_ACK, command_apid=tc.apid, command_seq=tc.seq,
             command_auth_seq=tc.auth_seq,
             stage=AckStage.EXECUTED if ok else AckStage.REJECTED, reason=reason)
    if not ok:
        ctx.event(Severity.WARNING, EventId.COMMAND_REFUSED, f"{name} rejected (reason {reason})")


def _launch_notice(task: AutonomyTask, tc) -> tuple[bool, int]:
    if task.m.mode is not Mode.STANDBY:
        return False, R_WRONG_MODE
    ctx = task.ctx
    try:
        if tc.form == 1:
            task.core.orbit_check(tc.r_N, tc.v_N)
        else:
            tle.state(tc.tle1, tc.tle2, ctx.t)
    except (ValueError, GncError) as exc:
        ctx.event(Severity.WARNING, EventId.COMMAND_REFUSED,
                  f"launch notice: bad target orbit: {exc}"[:96])
        return False, R_BAD_ARG
    task.cds["target_orbit"] = {"form": tc.form, "tle1": tc.tle1, "tle2": tc.tle2,
                                "epoch_tai": tc.epoch_tai, "r_N": tuple(tc.r_N),
                                "v_N": tuple(tc.v_N)}
    ctx.send(TARGET_ORBIT, **task.cds["target_orbit"])
    task.cds["target_known"] = True
    task.cds["times"]["notice"] = ctx.t
    ctx.event(Severity.INFO, EventId.LAUNCH_NOTICE,
              "launch notice: target orbit received, planning")
    task.advance(ctx.t, "launch notice")
    return True, 0


def _hold_point(task: AutonomyTask, along: float) -> tuple[bool, int]:
    d = abs(along)
    plan = task.plan
    if not (math.isfinite(d) and plan.inspection_radius_m < d < plan.hold_far_m):
        return False, R_BAD_ARG
    if task.m.mode in (Mode.PROX_OPS, Mode.DEPARTURE):
        return False, R_WRONG_MODE
    task.seq.set_hold_point(d)
    task.ctx.event(Severity.INFO, EventId.LEG, f"near hold point moved to {d:.0f} m")
    return True, 0
