"""Fixtures of the hardware-in-the-loop tests: the firmware build (once per
session), a QEMU board and a virtual board, each with a connected
:class:`BoardLink`, always stopped at the end of the test.

QEMU tests are skipped, with the reason, only where the ARM toolchain or
QEMU is missing; in CI (``CI`` set) a missing tool is an error instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hil.board import (
    BoardLink,
    QemuBoard,
    VirtualBoard,
    build_firmware,
    connected_link,
    firmware_tools_missing,
)


@pytest.fixture(scope="session")
def firmware_build() -> Path:
    """The firmware and its unit-test images, built once."""
    missing = firmware_tools_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build and run the firmware, but {missing}")
        pytest.skip(f"QEMU board tests need the ARM toolchain and QEMU: {missing}")
    build_firmware("all")
    return build_firmware("tests")


@pytest.fixture
def qemu_board(firmware_build: Path) -> Iterator[tuple[QemuBoard, BoardLink]]:
    """The firmware under QEMU and a connected link."""
    board = QemuBoard(firmware_build / "firmware.elf", lifetime=60.0)
    with connected_link(board) as link:
        yield board, link


@pytest.fixture
def virtual_board() -> Iterator[tuple[VirtualBoard, BoardLink]]:
    """The virtual board (host build behind a pty) and a connected link."""
    board = VirtualBoard(lifetime=60.0)
    with connected_link(board) as link:
        yield board, link


@pytest.fixture(params=["virtual", "qemu"])
def any_board(request: pytest.FixtureRequest) -> Iterator[tuple[object, BoardLink]]:
    """Each board kind in turn: the same protocol tests run on both."""
    yield request.getfixturevalue(f"{request.param}_board")
