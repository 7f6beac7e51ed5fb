"""A slow or lossy board link must not change a lockstep run (issue #13
acceptance 3): the board back end (:class:`BoardCore`) in lockstep mode sends
a request again after a timeout, a lost link or a stale answer, and the
board's dispatcher answers a repeated request from its kept response without
running it twice; only past the deadline, or on a board that restarted, does
a call fail (and the configuration get replayed). In real-time mode a
timeout stays a fault.

Faults are injected by :class:`hil.board.faults.FaultyLink` between
BoardCore and a board: the core's own dispatcher in this process (here), the
virtual board and the firmware under QEMU (at the end). The reference is the
undisturbed run (the desktop core), compared by packet-stream hash, and the
board's own count of executed calls.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fsw_tools.mission import fly

from fsw.core.attitude import Mekf, MekfConfig
from fsw.core.dispatch import Dispatcher, DispatchLink
from fsw.core.errors import GncPacketError
from fsw.core.prop import PropConfig
from fsw.scenario import load_builtin
from hil.board import BoardLink, QemuBoard, VirtualBoard
from hil.board.core import LOCKSTEP, REALTIME, BoardCore
from hil.board.faults import FAULTS, FaultyLink, every

ORBIT_S = 30.0
GYRO = (0.01, -0.02, 0.005)
#: two opposed pairs of thrusters (each has a torque-cancelling partner)
_PROP = PropConfig(position_B=((0.5, 0.1, 0.0), (0.5, -0.1, 0.0), (-0.5, 0.1, 0.0),
                               (-0.5, -0.1, 0.0)),
                   direction_B=((-1.0, 0.0, 0.0), (-1.0, 0.0, 0.0), (1.0, 0.0, 0.0),
                                (1.0, 0.0, 0.0)))


def _executed(d: Dispatcher) -> int:
    """Calls the dispatcher ran (answers from its kept response excluded)."""
    return d.counters["requests"] - d.counters["repeats"]


@pytest.fixture(scope="module")
def desktop_hash() -> str:
    return fly(load_builtin(), duration_s=ORBIT_S).packet_hash


def test_every_fault_in_lockstep_leaves_the_run_unchanged(desktop_hash: str) -> None:
    d = Dispatcher()
    link = FaultyLink(DispatchLink(d), every(4), delay=0.002)
    core = BoardCore(link, mode=LOCKSTEP, timeout=0.02)
    res = fly(load_builtin(), duration_s=ORBIT_S, core=core)
    kinds = set(FAULTS) - {"short_wait"}
    assert set(link.injected) == kinds and min(link.injected.values()) >= 10
    assert res.packet_hash == desktop_hash
    assert core.link_failures == 0 and not core.failures
    assert core.retries >= sum(link.injected[k] for k in kinds - {"slow", "duplicate"})
    assert core.stale >= link.injected["stale"]  # dropped and counted
    # each call ran once on the board, however often its request arrived
    assert _executed(d) == core.calls
    assert d.counters["repeats"] >= link.injected["duplicate"] + link.injected["drop_answer"]


def _mekf_core(plan: dict[int, str], mode: str, **kw: Any) -> tuple[BoardCore, Dispatcher]:
    d = Dispatcher()
    core = BoardCore(FaultyLink(DispatchLink(d), plan), mode=mode, **kw)
    core.mekf_configure(MekfConfig())  # exchange 0
    core.mekf_reset((1.0, 0.0, 0.0, 0.0))  # exchange 1
    return core, d


def _reference(steps: int) -> Any:
    m = Mekf(MekfConfig())
    m.reset((1.0, 0.0, 0.0, 0.0))
    out = None
    for _ in range(steps):
        out = m.step(0.1, GYRO)
    return out


def test_a_duplicated_or_resent_stateful_request_runs_once() -> None:
    plan = {2: "duplicate", 3: "drop_answer", 5: "late", 7: "duplicate"}
    core, d = _mekf_core(plan, LOCKSTEP, timeout=0.05)
    for _ in range(5):
        out = core.mekf_step(0.1, GYRO)
    # five propagations on the board, as in the reference: none ran twice
    assert tuple(out.q_BN) == tuple(_reference(5).q_BN)
    assert tuple(out.bias) == tuple(_reference(5).bias)
    assert _executed(d) == 2 + 5 and d.counters["repeats"] == 4
    assert core.retries == 2 and core.link_failures == 0


def test_without_the_kept_response_a_resent_step_would_run_twice() -> None:
    """The control: the same retry with the request renumbered (what a host
    that rebuilt its request would send) propagates the MEKF once more."""
    d = Dispatcher()
    core = BoardCore(DispatchLink(d), mode=LOCKSTEP)
    core.mekf_configure(MekfConfig())
    core.mekf_reset((1.0, 0.0, 0.0, 0.0))
    core.mekf_step(0.1, GYRO)
    core.mekf_step(0.1, GYRO)  # the "retry" as a new request
    out = core.mekf_step(0.1, GYRO)
    assert tuple(out.q_BN) == tuple(_reference(3).q_BN) != tuple(_reference(2).q_BN)


def test_realtime_mode_makes_a_timeout_a_fault_and_replays_the_configuration() -> None:
    core, d = _mekf_core({3: "drop_answer"}, REALTIME, timeout=0.05)
    core.mekf_step(0.1, GYRO)
    with pytest.raises(GncPacketError, match="did not answer"):
        core.mekf_step(0.1, GYRO)
    assert core.link_failures == 1 and core.failures[0][0] == "mekf_step"
    executed = _executed(d)
    core.mekf_step(0.1, GYRO)  # the configuration goes first, then the call
    assert _executed(d) == executed + 2 and core.calls == 2 + 1 + 1 + 1


def test_lockstep_gives_up_past_the_deadline_then_replays_the_configuration() -> None:
    lost = {k: "drop_request" for k in range(2, 1000)}
    core, d = _mekf_core(lost, LOCKSTEP, timeout=0.01, deadline=0.1)
    with pytest.raises(GncPacketError, match="deadline"):
        core.mekf_step(0.1, GYRO)
    assert core.retries >= 2 and core.failures[0][0] == "mekf_step"
    assert _executed(d) == 2  # the lost requests never reached the board
    lost.clear()  # the board is reachable again
    core.mekf_step(0.1, GYRO)
    assert _executed(d) == 2 + 1 + 1  # mekf_configure replayed, then the step


class _Rebooting(FaultyLink):
    """The board reboots (fresh contexts, nothing kept) at exchange ``at``:
    its heartbeat's uptime went back, which the link counts in ``restarts``."""

    def __init__(self, at: int) -> None:
        super().__init__(DispatchLink(Dispatcher()), {})
        self.at, self.restarts = at, 0

    def transact(self, request: bytes, timeout: float) -> bytes:
        if self.exchanges == self.at:
            self.inner = DispatchLink(Dispatcher())
            self.restarts += 1
        return super().transact(request, timeout)


def test_a_restarted_board_fails_the_call_and_gets_its_configuration_again() -> None:
    link = _Rebooting(at=2)
    core = BoardCore(link, mode=LOCKSTEP)
    core.prop_configure(_PROP)  # exchange 0
    partners = core.prop_partners()  # exchange 1
    with pytest.raises(GncPacketError, match="restarted"):
        core.prop_partners()  # exchange 2 meets the rebooted board
    assert core.restarts_seen == 1
    assert core.failures == [("prop_partners", "board restarted (its contexts are lost)")]
    assert core.prop_partners() == partners  # prop_configure replayed first
    assert link.exchanges == 5
    # a reboot seen between calls (its heartbeat came after the last answer)
    link.inner = DispatchLink(Dispatcher())
    link.restarts += 1
    with pytest.raises(GncPacketError, match="restarted"):
        core.prop_partners()
    assert core.restarts_seen == 2 and core.prop_partners() == partners


def test_the_link_counts_a_board_restart_from_its_heartbeat(
    virtual_board: tuple[VirtualBoard, BoardLink],
) -> None:
    board, link = virtual_board
    core = BoardCore(link, mode=LOCKSTEP, timeout=0.5, deadline=30.0)
    core.prop_configure(_PROP)
    partners = core.prop_partners()
    link.check(0.45)  # a heartbeat or two: the board's uptime is known
    board.stop()  # killed mid-run; it comes back a moment later, fresh
    timer = threading.Timer(1.0, board.start)
    timer.start()
    try:
        with pytest.raises(GncPacketError, match="restarted"):
            core.prop_partners()  # retried while the board is away
    finally:
        timer.join()
    assert link.restarts == 1 and core.restarts_seen == 1 and core.retries >= 1
    assert core.prop_partners() == partners  # configured again, then answered


def test_faults_on_the_qemu_link_leave_a_lockstep_run_unchanged(
    qemu_board: tuple[QemuBoard, BoardLink], desktop_hash: str,
) -> None:
    _, link = qemu_board
    faulty = FaultyLink(link, every(9, skip=()), delay=0.05)
    core = BoardCore(faulty, mode=LOCKSTEP, timeout=0.5)
    res = fly(load_builtin(), duration_s=ORBIT_S, core=core)
    assert set(faulty.injected) == set(FAULTS)
    assert res.packet_hash == desktop_hash
    assert core.link_failures == 0 and core.retries >= 1
    assert link.stats.stale_answers >= 1  # the late answers of the short waits, dropped
    status = link.fresh_status()  # the board's own count of executed calls
    assert int(status.calls) == core.calls  # each ran once, however often sent
