"""Event ids the executive itself reports (EVENT packet ``event_id``; the
``source`` field names the task concerned). Tasks number their own events
from 100 up."""

TASK_EXCEPTION = 1  #: a task raised; text holds the exception
TASK_RESTARTED = 2  #: a task was re-initialised after its back-off
TASK_FAILED = 3  #: a task exceeded its restarts and is stopped for good
DEADLINE_OVERRUN = 4  #: real time: ticks finished after their deadline
BAD_PACKET = 5  #: a packet for a task did not parse (counted, not delivered)
TASK_STABLE = 6  #: a task ran long enough after a restart: its faults are forgiven
