"""The flight software with its whole guidance core on the QEMU board (issue
#8 acceptances 2 and 4, issue #13 acceptance 3), in a lockstep mission run:

- a short run (launch notice to 30 s after insertion: every attitude,
  navigation, propulsion and planning call on the board) reaches the same
  outcome as the desktop run;
- the board is killed mid-run: the ADCS task reports the link lost (EVENT)
  at its next cycle, well within 1 s, and takes its safe response (actuation
  zeroed); the board is restarted, the link reconnects, the configuration is
  replayed and the cycles resume on the board.
"""

from __future__ import annotations

import time
from typing import Any

from fsw_tools.mission import fly, summary

from fsw.scenario import load_builtin
from hil.board import BoardLink, QemuBoard
from hil.board.core import LOCKSTEP, REALTIME, BoardCore

ORBIT_S = 30.0


def _outcome(res: Any) -> dict[str, Any]:
    s = summary(res)
    return {k: s[k] for k in ("outcome", "phases", "delta_v_m_s", "keep_out_violated",
                              "ground_acks", "packets")}


def test_short_lockstep_run_on_the_qemu_board_matches_desktop(
    qemu_board: tuple[QemuBoard, BoardLink],
) -> None:
    _, link = qemu_board
    sc = load_builtin()
    desk = fly(sc, duration_s=ORBIT_S)
    core = BoardCore(link, mode=LOCKSTEP)
    board = fly(sc, duration_s=ORBIT_S, core=core)
    adcs = board.tasks["adcs"]
    assert adcs.faults == 0 and core.link_failures == 0
    # every kind of task's call ran on the board
    assert len(core.rtt_s["adcs_cycle"]) >= 10 * ORBIT_S
    assert len(core.rtt_s["nav_step"]) >= ORBIT_S
    assert {"prop_config", "nav_config", "nav_set_target"} <= set(core.rtt_s)
    assert link.fresh_status().calls == core.calls  # each call ran once on the board
    assert _outcome(board) == _outcome(desk)
    assert board.packet_hash == desk.packet_hash  # the same bits as the desktop


class _Unplugged(BoardCore):
    """Kills the board at ADCS cycle 100 and restarts it 20 cycles later,
    recording when the link loss was reported."""

    board: QemuBoard
    killed_at: float | None = None
    reported_at: float | None = None
    n = 0

    def adcs_cycle(self, cyc: Any, seq: int) -> Any:
        cls = type(self)
        cls.n += 1
        if cls.n == 100:
            cls.board.stop()
            cls.killed_at = time.monotonic()
        if cls.n == 120:
            cls.board.start()
        try:
            return super().adcs_cycle(cyc, seq)
        except Exception:
            if cls.killed_at is not None and cls.reported_at is None:
                cls.reported_at = time.monotonic()
            raise


def test_board_killed_mid_run_is_reported_and_the_run_resumes(
    qemu_board: tuple[QemuBoard, BoardLink],
) -> None:
    board, link = qemu_board
    _Unplugged.board = board
    core = _Unplugged(link, mode=REALTIME)
    res = fly(load_builtin(), duration_s=ORBIT_S, core=core)
    adcs = res.tasks["adcs"]
    assert _Unplugged.killed_at is not None and _Unplugged.reported_at is not None
    assert _Unplugged.reported_at - _Unplugged.killed_at < 1.0
    lost = [e for e in res.monitor.score.events if e[2] == "adcs" and "link lost" in e[3]]
    assert lost, "the ADCS task raised no link-lost event"
    # the safe response covered the outage, then the cycles ran on the board again
    assert 1 <= adcs.faults < adcs.cycles - 100
    assert core.link_failures >= 1
    link.check(0.45)
    assert link.stats.link_losses >= 1 and link.stats.reconnects >= 1
    assert summary(res)["outcome"] == summary(fly(load_builtin(), duration_s=ORBIT_S))["outcome"]
