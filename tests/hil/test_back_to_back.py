"""Back-to-back (issue #8, acceptance 1; issue #14, acceptance 3), board
against desktop:

- 1,000 recorded guidance calls through ``PacketCore`` (the board back end,
  ``BoardCore``, in lockstep: a starved QEMU is waited for, each call runs
  once) over the serial link to the firmware under QEMU (and to the virtual
  board), against
  ``LocalCore`` on the same inputs;
- 1,200 recorded core-function calls run by a semihosted image under QEMU
  (no link in the way), against the desktop build.

Stated tolerance: none. Both sides compute IEEE 754 correctly rounded
+ - * / sqrt (soft double on the Cortex-M4F, SSE2 here) with the same strict
flags (no FMA contraction) and the core's own elementary functions
(native/src/gnc_math.c) instead of newlib's and glibc's libm: every output
must be bit-identical, 0 ULP (tests/hil/test_elementary_on_board.py checks
the arithmetic and each function on its own)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fsw.core.errors import GncRangeError
from fsw.core.guidance import LocalCore
from hil.board import BoardLink
from hil.board.backtoback import compare, desktop, make_calls, on_qemu
from hil.board.calls import SETUP_CALLS, compare_sessions, identical_calls, recorded_calls, replay
from hil.board.core import LOCKSTEP, BoardCore

N_CALLS = 1200


N_LINK_CALLS = 1000


def _link_session(link: BoardLink) -> tuple[list, list, BoardCore]:
    calls = list(recorded_calls(N_LINK_CALLS))
    core = BoardCore(link, mode=LOCKSTEP, timeout=2.0)  # a starved QEMU is retried
    board = replay(core, calls)
    assert core.link_failures == 0
    return board, replay(LocalCore(), calls), core


def test_qemu_board_is_bit_identical_to_desktop_over_the_link(
    qemu_board: tuple[object, BoardLink],
) -> None:
    _, link = qemu_board
    board, desk, core = _link_session(link)
    diffs = compare_sessions(board, desk)
    assert {d.kind for d in diffs} >= {"adcs_step", "kepler", "cw_targeting", "closest_approach",
                                       "nav_step", "cw_transfer", "sun_direction", "eclipse",
                                       "prop_select", "prop_fire", "prop_com_update",
                                       "prop_com_torque", "phasing_plan", "curvilinear_from_hill",
                                       "curvilinear_dv_to_hill"}
    assert identical_calls(diffs) == (N_LINK_CALLS, N_LINK_CALLS)
    for d in diffs:
        assert d.max_ulp == 0 and d.identical_fraction == 1.0, d
    # the board counted and timed every core call it ran (configuration too)
    st = link.fresh_status()
    assert st.calls == N_LINK_CALLS + SETUP_CALLS  # each once, retried or not
    assert st.total_cycles > 0 and st.max_cycles >= st.total_cycles / st.calls
    s = link.stats
    assert s.crc_errors == 0 and s.seq_gaps == 0
    assert s.stale_answers <= core.retries  # only a retry leaves an answer behind
    # a refused phasing plan: the same typed error, its figures in the message
    args = next(a for kind, a in recorded_calls(N_LINK_CALLS) if kind == "phasing_plan")
    refused = (*args[:-1], 100.0)  # at most 100 m from the target's semi-major axis
    errors = []
    for c in (core, LocalCore()):
        with pytest.raises(GncRangeError) as info:
            c.phasing_plan(*refused)
        errors.append((str(info.value), info.value.detail))
    assert errors[0] == errors[1] and "arrive later" in errors[0][0]


def test_virtual_board_is_bit_identical_to_desktop(
    virtual_board: tuple[object, BoardLink],
) -> None:
    """Same build on both sides: every output bit for bit (the packet path
    itself loses nothing)."""
    _, link = virtual_board
    board, desk, _ = _link_session(link)
    for d in compare_sessions(board, desk):
        assert d.identical_fraction == 1.0, d


def test_board_is_bit_identical_to_desktop_on_recorded_calls(firmware_build: Path) -> None:
    calls = make_calls(N_CALLS)
    desk = desktop(calls)
    board = on_qemu(calls, firmware_build / "b2b_core.elf")
    assert board.shape == desk.shape == (N_CALLS, 17)
    assert np.all(desk[:, 0] == 0), "the recorded calls are all valid inputs"
    result = {c.kind: c for c in compare(board, desk, calls)}
    assert sum(c.calls for c in result.values()) == N_CALLS
    assert "tle_gcrf" in result  # SGP4 + precession (native/src/gnc_sgp4.c)
    for c in result.values():
        assert c.status_mismatches == 0, c
        assert c.max_ulp == 0 and c.identical_fraction == 1.0, c


def test_comparison_detects_a_difference() -> None:
    """The comparisons themselves can fail: one ULP changed is seen."""
    calls = make_calls(60)
    desk = desktop(calls)
    other = desk.copy()
    other[5, 2] = np.nextafter(other[5, 2], np.inf)
    res = {c.kind: c for c in compare(other, desk, calls)}
    kind = {0: "att_propagate", 1: "kepler", 2: "cw_propagate", 3: "coe_from_rv",
            4: "rv_from_coe", 5: "quat_rotate"}[int(calls[5, 0])]
    assert res[kind].max_ulp == 1 and res[kind].identical_fraction < 1.0


def test_session_comparison_detects_a_difference() -> None:
    calls = list(recorded_calls(12))
    desk = replay(LocalCore(), calls)
    board = [(name, out.copy()) for name, out in desk]
    k = next(i for i, (_, out) in enumerate(board) if out.size)
    board[k][1][0] = np.nextafter(board[k][1][0], np.inf)
    diffs = compare_sessions(board, desk)
    assert identical_calls(diffs) == (sum(d.calls for d in diffs) - 1, sum(d.calls for d in diffs))
    assert max(d.max_ulp for d in diffs) == 1
