"""The events the executive itself reports (EVENT packet ``event_id``; the
``source`` field names the task concerned), declared in the packet
dictionary (:mod:`fsw.packets.defs.events`, owner ``executive``), and the
EVENT packet every participant's events are built into."""

from __future__ import annotations

from fsw.packets import DICTIONARY
from fsw.packets.enums import EventId

TASK_EXCEPTION = EventId.TASK_EXCEPTION  #: a task raised; text holds the exception
TASK_RESTARTED = EventId.TASK_RESTARTED  #: a task was re-initialised after its back-off
TASK_FAILED = EventId.TASK_FAILED  #: a task exceeded its restarts and is stopped for good
DEADLINE_OVERRUN = EventId.DEADLINE_OVERRUN  #: real time: ticks finished after their deadline
BAD_PACKET = EventId.BAD_PACKET  #: a packet for a task did not parse (counted, not delivered)
TASK_STABLE = EventId.TASK_STABLE  #: ran long enough after a restart: faults forgiven

EVENT = DICTIONARY["EVENT"]
#: octets of the EVENT packet's text and source fields (from the declaration)
TEXT_LEN, SOURCE_LEN = EVENT.layouts["text"].size, EVENT.layouts["source"].size


def clip(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` octets of UTF-8 (never mid-character)."""
    return text.encode("utf-8")[:size].decode("utf-8", "ignore")


def event_packet(t: float, seq: int, severity: int, event_id: int, source: str,
                 text: str) -> bytes:
    """An EVENT packet; ``source`` and ``text`` are cut to their fields."""
    return EVENT.build(t_tai=t, seq=seq, severity=severity, event_id=event_id,
                       source=clip(source, SOURCE_LEN), text=clip(text, TEXT_LEN))
