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

Wire it in a composition root: ``AdcsTask(sc, core_factory=lambda:
BoardAdcs(config, link))``.
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


def adcs_on_board(link: Any, make: Callable[..., Any] = BoardAdcs,
                  made: list[Any] | None = None) -> Callable[[Any], None]:
    """A ``prepare`` hook for ``fsw_tools.mission.fly`` that gives the run
    an ADCS task whose core is on the board behind ``link``, with the same
    configuration the task gives its local core. The cores it makes are
    appended to ``made`` (for their timings)."""
    from fsw.tasks.adcs import AdcsTask

    def factory(config: AdcsConfig) -> Callable[[], Any]:
        def build() -> Any:
            core = make(config, link)
            if made is not None:
                made.append(core)
            return core

        return build

    def prepare(res: Any) -> None:
        sc = res.scenario
        config = AdcsTask(sc)._local_core().config
        res.tasks["adcs"] = AdcsTask(sc, core_factory=factory(config))

    return prepare
