"""The whole guidance core on a board: :class:`BoardCore` is the
:class:`~fsw.core.guidance.PacketCore` of a :class:`~hil.board.BoardLink`,
handed to the flight software's composition (``build_tasks(scenario, keys,
core)``, or ``fsw_tools.mission.fly(..., core=BoardCore(link, mode=LOCKSTEP))``)
so that every task's guidance call -- attitude, navigation, propulsion
arithmetic, rendezvous planning -- runs on the board. A task cannot tell it
from the local core, except by its timing and the events of a lost link.

Two modes, always named by the caller:

- :data:`LOCKSTEP` (emulated runs, ``fsw bench --qemu`` and ``--virtual``):
  the simulation clock waits for the board, so a slow board must not change
  the run. A request that gets no answer, a late (stale) or unreadable
  answer, or a lost link is retried -- the same packet, the same sequence
  count -- with a growing wait, until ``deadline`` seconds have passed. The
  board keeps its last response and answers a repeated request with it
  without running the call again (``gnc_dispatch``), so a retried stateful
  step (MEKF propagation, a navigation cycle) runs once: nothing is lost and
  nothing is done twice.
- :data:`REALTIME` (a bench against a real board on a serial port): the
  first timeout is a fault, as on a flight computer.

In both modes the call becomes a :class:`~fsw.core.errors.GncPacketError`
naming the link -- which each task already handles as its safe response
(the ADCS task zeroes its actuation and counts the fault, the navigation
task skips its cycle, ...) -- when the exchange fails for good: at once in
real time, past the deadline in lockstep, or when the board is seen to have
booted again (its heartbeat's uptime went back: :attr:`BoardLink.restarts`),
having lost its contexts. Before the next call after such a failure the
configuration calls the tasks made (``*_configure`` and ``nav_set_target``,
the latest of each) are replayed, in their order. Each such failure is
listed in ``failures`` (call, reason), so a bench can say why a run differs.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from fsw.core.errors import GncPacketError
from fsw.core.guidance import PacketCore
from fsw.packets.errors import PacketError

__all__ = ["LOCKSTEP", "MODES", "REALTIME", "BoardCore"]

LOCKSTEP = "lockstep"
REALTIME = "realtime"
MODES = (LOCKSTEP, REALTIME)

#: calls whose effect lives in a board context: replayed after a lost link
_SETUP = ("adcs_configure", "mekf_configure", "relnav_configure", "nav_configure",
          "nav_set_target", "prop_configure")
_RESTARTED = "board restarted (its contexts are lost)"
_MAX_WAIT = 4.0  # s: the longest single wait for an answer in lockstep
_PAUSE0, _MAX_PAUSE = 0.05, 1.0  # s: pause before reopening a lost link, doubling


class BoardCore(PacketCore):
    """Every guidance call on the board behind ``link`` (see the module doc).

    ``mode``: :data:`LOCKSTEP` or :data:`REALTIME`. ``timeout`` (s): the
    wait for an answer (in lockstep the first wait; each retry doubles it,
    up to 4 s or ``timeout`` if longer). ``deadline`` (s): in lockstep, how long one call may be
    retried before it fails. ``rtt_s`` holds the wall time of every
    successful call (retries included), by call name; ``retries`` counts the
    requests sent again, ``stale`` the answers dropped for their sequence
    count or contents, ``link_failures`` the calls that failed."""

    def __init__(self, link: Any, *, mode: str, timeout: float = 0.5,
                 deadline: float = 60.0) -> None:
        if mode not in MODES:
            raise ValueError(f"BoardCore mode must be one of {MODES}, not {mode!r}")
        super().__init__(link, timeout=timeout)
        self.mode = mode
        self.deadline = deadline
        # The board takes a request that repeats its last one bit for bit for a
        # retry; start each session's sequence count at random so that a new
        # session's first request cannot pass for the previous session's last.
        self._seq = secrets.randbelow(0x4000)
        self._setup: dict[str, tuple[Any, ...]] = {}
        self._lost = False
        self.link_failures = 0
        self.retries = 0
        self.stale = 0
        self.restarts_seen = 0
        self._boots = int(getattr(link, "restarts", 0))
        self.failures: list[tuple[str, str]] = []
        self.rtt_s: dict[str, list[float]] = {}

    # -- one call ------------------------------------------------------------

    def _rpc(self, name: str, **fields: Any) -> Any:
        t0 = time.perf_counter()
        if self._lost:
            self._lost = False  # the board may have restarted: configure it again
            for call, args in list(self._setup.items()):
                getattr(super(), call)(*args)
        rec = super()._rpc(name, **fields)
        self.rtt_s.setdefault(name.lower(), []).append(time.perf_counter() - t0)
        return rec

    def _fail(self, name: str, why: str, exc: BaseException | None = None) -> GncPacketError:
        self._lost = True
        self.link_failures += 1
        self.failures.append((name.lower(), why))
        err = GncPacketError(f"{name.lower()}: {why}", 6)
        if exc is not None:
            err.__cause__ = exc
        return err

    def _restarted(self) -> bool:
        """The board booted again since this core last looked (a heartbeat
        with its uptime gone back, seen during this call or since the last)."""
        boots = int(getattr(self.link, "restarts", 0))
        if boots == self._boots:
            return False
        self._boots = boots
        self.restarts_seen += 1
        return True

    def _exchange(self, name: str, raw: bytes, seq: int, resp: Any) -> Any:
        if self.mode == REALTIME:
            return self._once(name, raw, seq, resp)
        return self._until_deadline(name, raw, seq, resp)

    def _once(self, name: str, raw: bytes, seq: int, resp: Any) -> Any:
        try:
            rec = super()._exchange(name, raw, seq, resp)
        except ConnectionError as exc:
            raise self._fail(name, f"board link lost: {exc}", exc) from exc
        except TimeoutError as exc:
            raise self._fail(name, f"board did not answer: {exc}", exc) from exc
        if self._restarted():
            raise self._fail(name, _RESTARTED)
        return rec

    def _until_deadline(self, name: str, raw: bytes, seq: int, resp: Any) -> Any:
        """Send ``raw`` until its answer comes (the board answers a repeat
        from its kept response), the board restarts, or the deadline."""
        t_end = time.monotonic() + self.deadline
        wait, pause = self.timeout, _PAUSE0
        while True:
            why, exc, lost = "", None, False
            try:
                answer = self.link.transact(raw, wait)
                rec = resp.parse(answer)
            except ConnectionError as e:
                why, exc, lost = f"board link lost: {e}", e, True
            except TimeoutError as e:
                why, exc = f"board did not answer: {e}", e
            except PacketError as e:
                self.stale += 1
                why, exc = f"unreadable answer: {e}", e
            else:
                if rec.seq == seq:
                    if self._restarted():  # answered by a board that lost its contexts
                        raise self._fail(name, _RESTARTED)
                    return rec
                self.stale += 1
                why = f"stale answer (sequence {rec.seq}, expected {seq})"
            if self._restarted():
                raise self._fail(name, _RESTARTED, exc)
            left = t_end - time.monotonic()
            if left <= 0:
                raise self._fail(name, f"no answer within the {self.deadline:g} s deadline "
                                       f"(last: {why})", exc)
            self.retries += 1
            if lost:  # reopening fails at once while the board is away: pause
                time.sleep(min(pause, left))
                pause = min(2 * pause, _MAX_PAUSE)
            wait = min(2 * wait, max(_MAX_WAIT, self.timeout), max(left, 0.01))

    # -- configuration calls (replayed after a failure) -------------------------

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
