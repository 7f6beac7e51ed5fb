"""The QEMU command line: the facts of issue #8 (USART2 is the second -serial,
on a TCP socket with nodelay) and the pinning of QEMU to one host CPU."""

from __future__ import annotations

import os
import shutil

import pytest

from hil.board.qemu import QemuBoard


def test_usart2_is_the_second_serial_on_a_nodelay_socket() -> None:
    cmd = QemuBoard(port=45678, pin=False).command()
    serials = [cmd[i + 1] for i, a in enumerate(cmd) if a == "-serial"]
    assert serials[0] == "null"
    assert serials[1] == "tcp:127.0.0.1:45678,server=on,wait=on,nodelay=on"
    assert cmd[cmd.index("-M") + 1] == "netduinoplus2"
    assert "taskset" not in cmd


@pytest.mark.skipif(shutil.which("taskset") is None, reason="taskset (util-linux) not installed")
def test_qemu_is_pinned_to_one_cpu_of_ours() -> None:
    cmd = QemuBoard(port=45678).command()
    assert cmd[:2] == ["taskset", "-c"]
    assert int(cmd[2]) in os.sched_getaffinity(0)
    assert os.path.basename(cmd[3]).startswith("qemu-system-arm")
