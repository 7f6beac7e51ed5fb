"""A fault-injecting link between the board back end of the guidance core
(:class:`~fsw.core.guidance.PacketCore`, :class:`~hil.board.core.BoardCore`)
and a board: any link with ``transact(request, timeout) -> response``, e.g.
a :class:`~fsw.core.dispatch.DispatchLink` (the core's dispatcher in this
process) or a :class:`~hil.board.BoardLink` (QEMU, the virtual board).

:class:`FaultyLink` injects, at chosen exchanges (counted from 0, retries
included), what a starved emulator or a noisy line does:

- ``drop_request``: the request never reaches the board (TimeoutError);
- ``drop_answer``: the board runs the request, its answer is lost (TimeoutError);
- ``late``: the board runs it, the answer comes after the timeout
  (TimeoutError); it arrives during the next exchange, in place of that
  exchange's answer (a stale answer, unless the next exchange is the retry
  of the same request, whose answer it is);
- ``duplicate``: the request reaches the board twice (the second copy's
  answer is a stray, dropped);
- ``stale``: the board runs the request, but what arrives first is a stray
  answer to the previous request (sequence count not the one awaited), and
  this request's own answer is lost;
- ``short_wait``: the request is sent with a wait far too short to be
  answered (the board's answer arrives later on the real link, where the
  serial link drops it as stale);
- ``disconnect``: the link is lost before sending (ConnectionError);
- ``slow``: the answer comes ``delay`` seconds late (only a delay: a wait
  shorter than it times out as ``late`` does).

A timed-out exchange takes its full timeout, as on a real link.
``injected`` counts the faults injected, by kind.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["FAULTS", "FaultyLink", "every"]

FAULTS = ("drop_request", "drop_answer", "late", "duplicate", "stale", "short_wait",
          "disconnect", "slow")


class FaultyLink:
    """``inner`` behind scripted faults. ``plan`` maps an exchange's index to
    a fault kind (a dict, or a function of the index returning a kind or
    None); ``delay`` (s) is the ``slow`` fault's delay."""

    def __init__(self, inner: Any, plan: Mapping[int, str] | Callable[[int], str | None],
                 delay: float = 0.01) -> None:
        kinds = plan.values() if isinstance(plan, Mapping) else ()
        bad = sorted(set(kinds) - set(FAULTS))
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; known: {FAULTS}")
        self.inner = inner
        self._plan = plan.get if isinstance(plan, Mapping) else plan
        self.delay = delay
        self.exchanges = 0
        self.injected: Counter[str] = Counter()
        self._late: bytes | None = None
        self._previous: bytes | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # restarts, stats, status ... of the real link

    def transact(self, request: bytes, timeout: float) -> bytes:
        """One exchange, disturbed as the plan says."""
        k = self.exchanges
        self.exchanges += 1
        fault = self._plan(k)
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault kind {fault!r} at exchange {k}")
        if fault is not None:
            self.injected[fault] += 1
        if fault == "disconnect":
            raise ConnectionError(f"fault injected: link lost at exchange {k}")
        if fault == "drop_request":
            time.sleep(timeout)
            raise TimeoutError(f"fault injected: request {k} lost")
        if fault == "short_wait":
            return self.inner.transact(request, 1e-4)  # times out on a real link
        answer = self.inner.transact(request, timeout)
        if fault == "duplicate":
            self.inner.transact(request, timeout)  # the second copy: its answer is a stray
        late, self._late = self._late, None
        previous, self._previous = self._previous, answer
        if fault == "drop_answer":
            time.sleep(timeout)
            raise TimeoutError(f"fault injected: answer {k} lost")
        if fault == "late" or (fault == "slow" and self.delay >= timeout):
            time.sleep(timeout)
            self._late = answer
            raise TimeoutError(f"fault injected: answer {k} late")
        if fault == "stale" and previous is not None:
            return previous
        if fault == "slow":
            time.sleep(self.delay)
        return late if late is not None else answer


def every(n: int, kinds: tuple[str, ...] = FAULTS, skip: tuple[str, ...] = ("short_wait",),
          start: int = 0) -> Callable[[int], str | None]:
    """A plan: every ``n``-th exchange from ``start`` gets the next of ``kinds``
    in turn (``skip`` removed: ``short_wait`` needs a real link)."""
    cycle = [k for k in kinds if k not in skip]

    def plan(k: int) -> str | None:
        if k < start or (k - start) % n:
            return None
        return cycle[((k - start) // n) % len(cycle)]

    return plan
