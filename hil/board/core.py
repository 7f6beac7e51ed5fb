"""The whole guidance core on a board: :class:`BoardCore` is the
:class:`~fsw.core.guidance.PacketCore` of a :class:`~hil.board.BoardLink`,
handed to the flight software's composition (``build_tasks(scenario, keys,
core)``, or ``fsw_tools.mission.fly(..., core=BoardCore(link))``) so that
every task's guidance call -- attitude, navigation, propulsion arithmetic,
rendezvous planning -- runs on the board. A task cannot tell it from the
local core, except by its timing and the events of a lost link.

A lost link or a missing answer becomes a
:class:`~fsw.core.errors.GncPacketError` naming the link, which each task
already handles as its safe response (the ADCS task zeroes its actuation and
counts the fault, the navigation task skips its cycle, ...). The board may
come back restarted, having lost its contexts: before the next call after a
loss, the configuration calls the tasks made (``*_configure`` and
``nav_set_target``, the latest of each) are replayed, in their order.
"""

from __future__ import annotations

import time
from typing import Any

from fsw.core.errors import GncPacketError
from fsw.core.guidance import PacketCore

__all__ = ["BoardCore"]

#: calls whose effect lives in a board context: replayed after a lost link
_SETUP = ("adcs_configure", "mekf_configure", "relnav_configure", "nav_configure",
          "nav_set_target", "prop_configure")


class BoardCore(PacketCore):
    """Every guidance call on the board behind ``link`` (see the module doc).
    ``rtt_s`` holds the wall time of every successful call, by call name."""

    def __init__(self, link: Any, timeout: float = 0.5) -> None:
        super().__init__(link, timeout=timeout)
        self._setup: dict[str, tuple[Any, ...]] = {}
        self._lost = False
        self.link_failures = 0
        self.rtt_s: dict[str, list[float]] = {}

    def _rpc(self, name: str, **fields: Any) -> Any:
        t0 = time.perf_counter()
        try:
            if self._lost:
                self._lost = False
                for call, args in list(self._setup.items()):
                    getattr(super(), call)(*args)
            rec = super()._rpc(name, **fields)
        except ConnectionError as exc:
            self._lost = True  # the board may come back restarted
            self.link_failures += 1
            raise GncPacketError(f"board link lost: {exc}", 6) from exc
        except TimeoutError as exc:
            self._lost = True
            self.link_failures += 1
            raise GncPacketError(f"board did not answer: {exc}", 6) from exc
        self.rtt_s.setdefault(name.lower(), []).append(time.perf_counter() - t0)
        return rec

    def _remember(self, call: str, *args: Any) -> None:
        self._setup.pop(call, None)
        self._setup[call] = args  # the latest, last in the replay order

    def adcs_configure(self, config: Any) -> None:
        self._remember("adcs_configure", config)
        super().adcs_configure(config)

    def mekf_configure(self, config: Any) -> None:
        self._remember("mekf_configure", config)
        super().mekf_configure(config)

    def relnav_configure(self, config: Any) -> None:
        self._remember("relnav_configure", config)
        super().relnav_configure(config)

    def nav_configure(self, config: Any) -> None:
        self._setup.pop("nav_set_target", None)  # a new configuration forgets the target
        self._remember("nav_configure", config)
        super().nav_configure(config)

    def nav_set_target(self, r_N: Any, v_N: Any, t: float) -> None:
        self._remember("nav_set_target", r_N, v_N, t)
        super().nav_set_target(r_N, v_N, t)

    def prop_configure(self, config: Any) -> None:
        self._remember("prop_configure", config)
        super().prop_configure(config)

    @property
    def calls(self) -> int:
        """Successful calls made on the board."""
        return sum(len(v) for v in self.rtt_s.values())
