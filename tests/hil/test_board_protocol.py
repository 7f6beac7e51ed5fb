"""The board's serial protocol, run against both the firmware under QEMU and
the virtual board (issue #8, acceptance 5): echo, heartbeat, the board-side
deframer's handling of bad frames and its counters, and unplug/reconnect
(acceptance 4)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from pathlib import Path

import pytest

from fsw.packets import DICTIONARY
from hil.board import BoardLink
from hil.serial import ASM, LinkLost, LinkTimeout, frame

FW = Path(__file__).resolve().parents[2] / "native" / "firmware"
PING = DICTIONARY["BOARD_PING"]
STATUS = DICTIONARY["BOARD_STATUS"]


def _fresh_status(link: BoardLink) -> object:
    """A heartbeat sent after everything before this call was handled."""
    n = link.status_count
    deadline = time.monotonic() + 2.0
    while link.status_count < n + 2 and time.monotonic() < deadline:
        link.check(0.05)
    assert link.status_count >= n + 2, "no heartbeat"
    return link.status


def _resumes(link: BoardLink, within: float = 10.0) -> bool:
    """Keep calling at 10 Hz, as a task would, until a call succeeds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            link.ping(b"after", timeout=0.5)
            return True
        except (LinkLost, LinkTimeout):
            time.sleep(0.1)
    return False


def test_firmware_protocol_header_matches_the_dictionary() -> None:
    text = (FW / "fw_protocol.h").read_text()
    consts = {m[0]: int(m[1], 0) for m in re.findall(r"#define (FW_\w+) (0x[0-9A-F]+|\d+)u", text)}
    assert consts["FW_APID_PING"] == DICTIONARY["BOARD_PING"].apid
    assert consts["FW_APID_PONG"] == DICTIONARY["BOARD_PONG"].apid
    assert consts["FW_APID_STATUS"] == STATUS.apid
    assert consts["FW_STATUS_LEN"] + 6 + 6 + 2 == STATUS.size


def test_echo_and_heartbeat(any_board: tuple[object, BoardLink]) -> None:
    _, link = any_board
    for n in (0, 1, 7, 64, 255):
        payload = bytes((i * 37 + n) & 0xFF for i in range(n))
        assert link.ping(payload) > 0
    st = _fresh_status(link)
    assert st.frames_rx >= 5 and st.crc_errors == 0 and st.length_errors == 0
    assert st.uptime_ms > 0 and st.core_hz > 0
    s = link.stats
    assert s.crc_errors == 0 and s.seq_gaps == 0 and s.frames_rx >= 5 + 2


def test_board_rejects_bad_frames_and_keeps_serving(any_board: tuple[object, BoardLink]) -> None:
    _, link = any_board
    base = _fresh_status(link)
    good = PING.build(t_tai=0.0, seq=1, payload=b"good")
    bad_crc = bytearray(frame(PING.build(t_tai=0.0, seq=2, payload=b"corrupted")))
    bad_crc[-1] ^= 0x01
    too_long = bytearray(frame(PING.build(t_tai=0.0, seq=3, payload=b"x")))
    too_long[4 + 4 : 4 + 6] = (5000).to_bytes(2, "big")
    port = link.serial._port
    assert port is not None
    port.write(b"noise" + bytes(bad_crc) + bytes(too_long) + b"\x1a\xcf")
    assert link.transact(good, 2.0)[12:-2] == b"good"
    # a stalled partial frame is abandoned after the board's frame timeout
    port.write(ASM + good[:5])
    time.sleep(0.45)
    assert link.transact(good, 2.0)[12:-2] == b"good"
    st = _fresh_status(link)
    assert st.crc_errors - base.crc_errors == 1
    assert st.length_errors - base.length_errors == 1
    assert st.timeouts - base.timeouts == 1
    assert st.resyncs > base.resyncs
    assert st.frames_rx - base.frames_rx == 2


def test_unplug_reports_link_lost_within_1s_and_reconnects(
    any_board: tuple[object, BoardLink],
) -> None:
    """Acceptance 4: the board dies mid-run; calls at 10 Hz see LinkLost
    within 1 s, then the board is restarted and the run resumes."""
    board, link = any_board
    for _ in range(5):
        link.ping(b"before")
    board.stop()  # type: ignore[attr-defined]
    killed = time.monotonic()
    with pytest.raises(LinkLost):
        while time.monotonic() - killed < 5.0:
            link.ping(b"during", timeout=0.3)
            time.sleep(0.1)
    assert time.monotonic() - killed < 1.0
    assert link.stats.link_losses >= 1
    # while the board is away every call fails fast and clearly
    with pytest.raises(LinkLost):
        link.ping(b"away")
    board.start()  # type: ignore[attr-defined]
    assert _resumes(link), "the run did not resume after the board came back"
    assert link.stats.reconnects >= 1


def test_hung_board_is_declared_lost_by_heartbeat_silence(
    virtual_board: tuple[object, BoardLink],
) -> None:
    """A board that stops answering (not unplugged) is lost within 1 s too."""
    board, link = virtual_board
    link.ping(b"ok")
    pid = board.proc.pid  # type: ignore[attr-defined]
    os.kill(pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        with pytest.raises(LinkLost):
            while time.monotonic() - t0 < 5.0:
                with contextlib.suppress(LinkTimeout):  # a 10 Hz caller
                    link.ping(b"x", timeout=0.1)
        assert time.monotonic() - t0 < 1.0
    finally:
        os.kill(pid, signal.SIGCONT)
    assert _resumes(link), "the run did not resume after the board woke up"
