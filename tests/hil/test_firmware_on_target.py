"""Firmware unit tests of the core on the target: each image runs under QEMU
with semihosting and its exit status decides the test; a deliberately
failing image shows the exit status does reach pytest."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hil.board import run_semihosted
from hil.board.qemu import FIRMWARE_DIR

TESTS = sorted(p.stem for p in (FIRMWARE_DIR / "tests").glob("test_*.c"))


@pytest.mark.parametrize("name", TESTS)
def test_core_on_target(firmware_build: Path, name: str) -> None:
    res = run_semihosted(firmware_build / f"{name}.elf", timeout=30.0)
    assert not res.timed_out, f"{name} hung:\n{res.output}"
    assert res.returncode == 0, f"{name} failed on the target:\n{res.output}"
    assert " 0 failures" in res.output


def test_failing_target_test_fails(firmware_build: Path) -> None:
    res = run_semihosted(firmware_build / "fail_selfcheck.elf", timeout=30.0)
    assert res.returncode == 1
    assert "FAIL" in res.output and "1 failures" in res.output


def test_firmware_image_fits_every_supported_board(firmware_build: Path) -> None:
    """The size report: flash (text + data) within 512 KiB, RAM (data + bss)
    leaves at least 16 KiB of stack in 96 KiB (the smallest, F401RE)."""
    out = subprocess.run(
        ["arm-none-eabi-size", "-B", str(firmware_build / "firmware.elf")],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.splitlines()[1].split()
    text, data, bss = (int(x) for x in out[:3])
    assert 0 < text + data <= 512 * 1024
    assert data + bss <= (96 - 16) * 1024
