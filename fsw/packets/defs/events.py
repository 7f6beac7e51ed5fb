"""Events: the ``event_id`` of EVENT packets, declared once (number, name,
usual severity, owning task); :mod:`fsw.packets.enums` exports them by name
(``EventId.TC_REJECTED``, ``EVENT_SEVERITY[EventId.TC_REJECTED]``).

The executive numbers its own from 1, each task from its hundred (comms 1xx,
ADCS 2xx, propulsion 3xx, autonomy 4xx, navigation 5xx), tools' participants from 900. The
severity given is the usual one; where a task raises an event at another
severity the description says when.
"""

from fsw.packets.dictionary import event

# -- the executive (source: the task concerned, or "executive") --------------------
event(1, "TASK_EXCEPTION", "error", "executive", "a task raised; the text holds the exception")
event(2, "TASK_RESTARTED", "warning", "executive", "a task was re-initialised after its back-off")
event(3, "TASK_FAILED", "critical", "executive",
      "a task exceeded its restarts and is stopped for good")
event(4, "DEADLINE_OVERRUN", "warning", "executive",
      "real time: ticks finished after their deadline (at most one a second)")
event(5, "BAD_PACKET", "warning", "executive",
      "a packet for a task did not parse (counted, not delivered)")
event(6, "TASK_STABLE", "info", "executive",
      "a task ran long enough after a restart: its faults are forgiven")

# -- comms ---------------------------------------------------------------------------
event(101, "TC_REJECTED", "warning", "comms",
      "a telecommand was rejected (authentication, no owner, store full, time tag)")
event(102, "TC_STORED", "info", "comms", "a time-tagged command was stored")
event(103, "TC_RELEASED", "info", "comms", "a stored command was released to its owner")
event(104, "TC_KEY_ROTATED", "info", "comms",
      "KEY_ROTATE executed: the successor key installed and active, the signing key revoked")

# -- ADCS ----------------------------------------------------------------------------
event(201, "WHEEL_FAILED", "error", "adcs",
      "a wheel does not follow its torque command: removed from the allocation")
event(202, "ADCS_CORE_ERROR", "error", "adcs",
      "the guidance core's ADCS step failed: the cycle's actuation is skipped")
event(203, "ADCS_BAD_INPUT", "warning", "adcs", "a non-finite input: the cycle is skipped")
event(204, "ADCS_MODE", "info", "adcs", "the pointing mode changed")

# -- propulsion ------------------------------------------------------------------------
event(301, "THRUSTERS_ARMED", "info", "propulsion", "the thrusters are armed for a window")
event(302, "BURN_REJECTED", "warning", "propulsion", "a burn order was rejected")
event(303, "BURN", "info", "propulsion", "a burn is pending, firing or done")
event(304, "BURN_ABORTED", "warning", "propulsion", "a burn ended before its delta-v")
event(305, "THRUSTER_FAULT", "error", "propulsion",
      "a thruster fault is suspected: valves closed, thruster test")
event(306, "THRUSTER_TEST", "error", "propulsion",
      "thruster test result: a thruster isolated with its partner (warning: no fault found)")

# -- autonomy --------------------------------------------------------------------------
event(401, "MODE_CHANGED", "info", "autonomy", "a mission mode transition (error: into SAFE)")
event(402, "COMMAND_REFUSED", "warning", "autonomy",
      "a command or a burn was refused (undecodable, invalid now, no navigation fix)")
event(404, "COLLISION_AVOIDANCE", "error", "autonomy",
      "a predicted closest approach inside the keep-out sphere: avoidance")
event(405, "LEG", "info", "autonomy",
      "progress of the plan: a leg, a hold point, commissioning (warning: re-planning)")
event(406, "LINK", "info", "autonomy", "the ground link was lost or regained")
event(407, "LAUNCH_NOTICE", "info", "autonomy", "a launch notice was received: planning")

# -- navigation ------------------------------------------------------------------------
event(501, "NAV_TARGET", "info", "navigation", "a target ephemeris was loaded")
event(502, "NAV_TARGET_REFUSED", "warning", "navigation",
      "a target orbit was refused (implausible state, units, a TLE SGP4 refuses)")
event(503, "NAV_RELNAV", "info", "navigation",
      "the relative-navigation filter started on the sensor's measurements")
event(504, "NAV_FILTER", "warning", "navigation",
      "the relative-navigation filter failed: the GPS filter flies alone for a while")
event(505, "NAV_CORE_ERROR", "error", "navigation",
      "the navigation cycle failed in the core: no NAV_STATE this cycle")
event(506, "NAV_EKF_INFLATED", "info", "navigation",
      "the relative-navigation filter rejected measurements in a row: covariance inflated")
event(507, "NAV_EKF_RESET", "warning", "navigation",
      "the relative-navigation filter kept rejecting: position reset from the measurement")
event(508, "NAV_CLOCK_SYNC", "info", "navigation",
      "the on-board clock was disciplined by a GPS fix for the first time")
event(509, "NAV_CLOCK_RESET", "warning", "navigation",
      "GPS fixes kept disagreeing with the clock estimate: its offset was reset to a fix")
event(510, "NAV_TARGET_REFINED", "info", "navigation",
      "the target's ephemeris was re-anchored where the chaser's own measurements put it")

# -- tools' participants -------------------------------------------------------------------
event(901, "GROUND_LINK_REFUSED", "warning", "ground-link",
      "the live ground link refused something that is not a telecommand")
event(902, "GROUND_LINK_MALFORMED", "warning", "ground-link",
      "the live ground link refused a malformed packet")
event(903, "GROUND_LINK_DROPPED", "warning", "ground-link",
      "the live ground link dropped telecommands beyond its per-turn admission (flood)")
