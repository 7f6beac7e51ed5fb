"""Event ids the executive itself reports (EVENT packet ``event_id``; the
``source`` field names the task concerned), and the EVENT packet every
participant's events are built into. Tasks number their own events from 100
up."""

from __future__ import annotations

from fsw.packets import DICTIONARY

TASK_EXCEPTION = 1  #: a task raised; text holds the exception
TASK_RESTARTED = 2  #: a task was re-initialised after its back-off
TASK_FAILED = 3  #: a task exceeded its restarts and is stopped for good
DEADLINE_OVERRUN = 4  #: real time: ticks finished after their deadline
BAD_PACKET = 5  #: a packet for a task did not parse (counted, not delivered)
TASK_STABLE = 6  #: a task ran long enough after a restart: its faults are forgiven

EVENT = DICTIONARY["EVENT"]
#: octets of the EVENT packet's text and source fields
TEXT_LEN, SOURCE_LEN = 96, 16


def clip(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` octets of UTF-8 (never mid-character)."""
    return text.encode("utf-8")[:size].decode("utf-8", "ignore")


def event_packet(t: float, seq: int, severity: int, event_id: int, source: str,
                 text: str) -> bytes:
    """An EVENT packet; ``source`` and ``text`` are cut to their fields."""
    return EVENT.build(t_tai=t, seq=seq, severity=severity, event_id=event_id,
                       source=clip(source, SOURCE_LEN), text=clip(text, TEXT_LEN))
