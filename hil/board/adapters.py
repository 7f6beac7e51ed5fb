"""Guidance-core objects of the flight-software tasks, backed by a board.

:class:`BoardAdcs` has the interface of :class:`fsw.core.attitude.Adcs`
(``config``, ``reset()``, ``step(inp)``) and runs the ADCS step on a board
through :class:`~fsw.core.guidance.PacketCore` over a
:class:`~hil.board.BoardLink`. A lost link or a missing answer becomes a
:class:`~fsw.core.errors.GncPacketError` naming the link, which the ADCS
task already handles as its safe response (actuation zeroed, fault counted,
EVENT raised) -- so a task cannot tell a board from the local core, except
by the event. After the link is lost the board is configured and reset
again on its next successful call (it may have restarted, losing its
estimate).

Wire it in a composition root with :func:`adcs_on_board` (a ``prepare``
hook of ``fsw_tools.mission.fly``): the ADCS task's core calls
(``adcs_configure``, ``adcs_reset``, ``adcs_step``) go to a BoardAdcs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fsw.core.attitude import AdcsConfig, AdcsInput
from fsw.core.errors import GncPacketError
from fsw.core.guidance import PacketCore

__all__ = ["BoardAdcs", "adcs_on_board"]


class BoardAdcs:
    """The ADCS step on a board (see the module docstring)."""

    def __init__(self, config: AdcsConfig, link: Any, timeout: float = 0.5) -> None:
        self.config = config
        self.link = link
        self.core = PacketCore(link, timeout=timeout)
        self._configured = False
        self.link_failures = 0
        self.rtt_s: list[float] = []  # wall time of each successful step

    def _call(self, fn: Any, *args: Any) -> Any:
        try:
            if not self._configured:
                self.core.adcs_configure(self.config)
                self.core.adcs_reset()
                self._configured = True
            return fn(*args)
        except ConnectionError as exc:
            self._configured = False  # the board may come back restarted
            self.link_failures += 1
            raise GncPacketError(f"board link lost: {exc}", 6) from exc
        except TimeoutError as exc:
            self.link_failures += 1
            raise GncPacketError(f"board did not answer: {exc}", 6) from exc

    def reset(self) -> None:
        """Forget the estimate and the guidance state (on the board)."""
        self._call(self.core.adcs_reset)

    def step(self, inp: AdcsInput) -> Any:
        """One control cycle on the board."""
        t0 = time.perf_counter()
        out = self._call(self.core.adcs_step, inp)
        self.rtt_s.append(time.perf_counter() - t0)
        return out


class _BoardAdcsCore:
    """The guidance-core calls the ADCS task makes (the ``adcs_*`` part of
    :class:`~fsw.core.guidance.GuidanceCore`), served by a board ADCS that
    ``make(config, link)`` builds when the task configures its core."""

    def __init__(self, link: Any, make: Callable[..., Any], made: list[Any] | None) -> None:
        self.link = link
        self.make = make
        self.made = made
        self.adcs: Any = None

    def adcs_configure(self, config: AdcsConfig) -> None:
        """A new board ADCS with ``config`` (configured on the board at its first call)."""
        self.adcs = self.make(config, self.link)
        if self.made is not None:
            self.made.append(self.adcs)

    def adcs_reset(self) -> None:
        """Forget the estimate and the guidance state (on the board)."""
        self.adcs.reset()

    def adcs_step(self, inp: AdcsInput) -> Any:
        """One control cycle on the board."""
        return self.adcs.step(inp)


def adcs_on_board(link: Any, make: Callable[..., Any] = BoardAdcs,
                  made: list[Any] | None = None) -> Callable[[Any], None]:
    """A ``prepare`` hook for ``fsw_tools.mission.fly`` that gives the run
    an ADCS task whose core is on the board behind ``link``, with the
    configuration the task gives its core. The board ADCS objects it makes
    (``make(config, link)``) are appended to ``made`` (for their timings)."""
    from fsw.tasks.adcs import AdcsTask

    def prepare(res: Any) -> None:
        res.tasks["adcs"] = AdcsTask(res.scenario, _BoardAdcsCore(link, make, made))

    return prepare
