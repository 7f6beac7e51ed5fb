"""Acceptance 5 of issue #21: after a plain, non-editable install of the
package in a fresh virtual environment, ``fsw bench --qemu`` builds the
firmware from the sources the package carries (into a user cache folder) and
runs it under QEMU.

The wheel is built from this checkout as ``pip install .`` builds it
(``pip wheel --no-deps``; without build isolation, so no download is
needed) and installed with ``--no-deps`` into a new venv; the dependencies
come from this environment's site-packages on ``PYTHONPATH`` (which, unlike
a site folder, does not bring this checkout's editable install along). The
command runs from an empty folder, so nothing of the source tree is in reach.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from hil.board import firmware_tools_missing

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], timeout: float, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                          **kw)


@pytest.mark.hardware
def test_bench_qemu_after_a_plain_install_in_a_fresh_venv(tmp_path: Path) -> None:
    missing = firmware_tools_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build and run the firmware, but {missing}")
        pytest.skip(f"fsw bench --qemu needs the ARM toolchain and QEMU: {missing}")
    wheels = tmp_path / "wheels"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "-q", "-w", str(wheels), str(ROOT)], 600)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("rpo_fsw_emulator-*.whl")
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], 300).returncode == 0
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                      str(wheel)], 300)
    assert installed.returncode == 0, installed.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"],
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    where = _run([str(venv / "bin" / "python"), "-c",
                  "import hil.board.qemu as q; print(q.FIRMWARE_DIR)"], 120, cwd=work, env=env)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv)  # the packaged sources
    bench = _run([str(venv / "bin" / "fsw"), "bench", "--qemu", "--calls", "20"], 600,
                 cwd=work, env=env)
    assert bench.returncode == 0, bench.stdout[-2000:] + bench.stderr[-2000:]
    assert "round trip: median" in bench.stdout and "FAIL" not in bench.stdout
    elf = tmp_path / "cache" / "rpo-fsw-emulator"
    assert list(elf.glob("firmware-*/firmware.elf")), "firmware not built in the user cache"
