"""The autonomy task (1 Hz, rate group ``default``): the mission mode manager,
rendezvous sequencing, FDIR and collision avoidance.

Three files say what it does (cFS ``sample_app`` style):
:mod:`~fsw.tasks.autonomy.dispatch` what arrives (the latest valid packets),
:mod:`~fsw.tasks.autonomy.commands` what it is told (telecommands),
:mod:`~fsw.tasks.autonomy.task` what it does each cycle; with the mode
machine (:mod:`~fsw.tasks.autonomy.modes`), the rendezvous sequencer
(:mod:`~fsw.tasks.autonomy.sequencer`) and FDIR
(:mod:`~fsw.tasks.autonomy.fdir`) as logic of their own. Navigation is the
navigation task's (:mod:`fsw.tasks.navigation`): this task reads NAV_STATE.

Modes (:class:`~fsw.tasks.autonomy.modes.Mode`) and what the task does in each:

- STANDBY: hot standby; only the comms task answers health checks. The
  ``LAUNCH_NOTICE`` telecommand (target orbit: GCRF state vector with epoch,
  or a TLE; checked by the guidance core) -> LAUNCH (gate: target known); the
  orbit goes to the navigation task (TARGET_ORBIT, kept in the critical data
  store and sent again each cycle while NAV_STATE says the navigation has no
  target: a restart or a late start of either task loses nothing). The
  notice time is kept.
- LAUNCH: waits for separation (the first valid GPS fix) -> COMMISSIONING.
- COMMISSIONING: detumble (wheels null the rate, magnetorquers unload) until
  the rate stays below ``plan.detumble_rate_deg_s``; sun acquisition (sun-safe
  attitude, estimate valid); checkouts (``plan.checkout_s`` of sun-safe hold
  with the ADCS estimate valid) -> PHASING (gate).
- PHASING, RENDEZVOUS, PROX_OPS, DEPARTURE: the legs of the sequencer; each
  phase's end passes the next phase's gate (RENDEZVOUS: at the far hold
  point; PROX_OPS: the relative-navigation sensor tracks the target).
- SAFE: sun-safe attitude, thrusters disarmed, no burn but collision
  avoidance; left by the ``RESUME`` telecommand (through the gate of the
  interrupted mode) or ``ABORT`` (to DEPARTURE).

Burns: the sequencer's Δv (Hill axes at the burn time) is turned into GCRF by
the core from the target's state in NAV_STATE, then PROP_ARM and BURN_ORDER
go to the propulsion task; BURN_STATUS reports the end (a burn that did not
complete makes the sequencer back off and re-plan the leg).

FDIR (persistence counters, ``fdir.persistence`` samples): fewer than three
wheels -> SAFE; attitude knowledge (MEKF 1-sigma) worse than ``ATT_SIGMA_SAFE``
or no star-tracker fix for ``STAR_TRACKER_SAFE_S`` -> SAFE (star-tracker gaps
are ridden through on the gyro); no usable thruster pair -> SAFE; no valid
navigation solution (NAV_STATE invalid or missing) during PHASING,
RENDEZVOUS or PROX_OPS -> SAFE. Ground silence (no telecommand accepted,
from COMMS_HK) longer than ``fdir.link_loss_report_s`` is evented once per
silence (the mission goes on). Collision avoidance: every ``CA_EVERY``
cycles the coasting trajectory is screened against the keep-out sphere; a
predicted violation orders the avoidance burn, then SAFE.

Packets in: MISSION_CMD (LAUNCH_NOTICE, SET_MODE, SET_HOLD_POINT, ABORT,
RESUME), NAV_STATE, GPS (separation), RELNAV (track gate), ADCS_STATE,
BURN_STATUS, COMMS_HK. Packets out: MODE_STATUS, TARGET_ORBIT, ADCS_REQUEST,
PROP_ARM, BURN_ORDER, HOLD_ARRIVAL, AUTONOMY_HK, COMMAND_ACK, EVENT.
"""

from fsw.tasks.autonomy.task import AutonomyTask

__all__ = ["AutonomyTask"]
