"""The virtual board: a process that runs the host build of the guidance core
behind the same serial protocol as the firmware, on a pty, for machines
without the ARM toolchain or QEMU.

The process (``python -m hil.board.virtual --link PATH``) opens a pty, makes
``PATH`` a symlink to its slave side (so a restarted board is found at the
same path), then serves framed packets on the master side: BOARD_PING,
guidance requests through the core's dispatcher, and BOARD_STATUS every
200 ms. Killing the process closes the pty, which the host sees as the link
lost; :class:`VirtualBoard` starts and stops it for tests and benches,
always under a lifetime limit.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import select
import subprocess
import sys
import tempfile
import time
import tty
from pathlib import Path

from fsw.errors import UserError
from fsw.packets.enums import BoardFlag
from hil.board.process import BoardProcess

__all__ = ["VirtualBoard", "main", "serve"]

STATUS_PERIOD = 0.2  # s, as FW_STATUS_PERIOD_MS
FRAME_TIMEOUT = 0.25  # s, as FW_FRAME_TIMEOUT_MS


def serve(link: Path, lifetime: float) -> int:
    """Serve the board protocol on a new pty whose slave ``link`` points at."""
    from fsw.packets import DICTIONARY
    from hil.board.dispatch import HostDispatcher
    from hil.serial.framing import Deframer, LinkStats, frame

    status_def = DICTIONARY["BOARD_STATUS"]
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    os.set_blocking(master, False)
    tmp = link.with_name(link.name + ".new")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(os.ttyname(slave), tmp)
    os.replace(tmp, link)
    print(f"READY {os.ttyname(slave)}", flush=True)

    stats = LinkStats()
    rx = Deframer(timeout=FRAME_TIMEOUT, stats=stats, sequenced=lambda apid: False)
    core = HostDispatcher()
    t0 = time.monotonic()
    calls = last_ns = max_ns = total_ns = 0
    seq_status = 0
    next_status = t0
    tx_dropped = 0

    def write(packet: bytes) -> None:
        nonlocal tx_dropped
        data = frame(packet)
        try:
            os.write(master, data)
            stats.frames_tx += 1
        except BlockingIOError:
            tx_dropped += 1  # nobody reads the slave: the pty buffer is full

    while time.monotonic() - t0 < lifetime:
        now = time.monotonic()
        if now >= next_status:
            ms = int((now - t0) * 1000)
            write(status_def.build(
                t_tai=ms / 1000.0, seq=seq_status, uptime_ms=ms & 0xFFFFFFFF, calls=calls,
                last_cycles=min(last_ns, 0xFFFFFFFF), max_cycles=min(max_ns, 0xFFFFFFFF),
                total_cycles=total_ns, frames_rx=stats.frames_rx, frames_tx=stats.frames_tx + 1,
                crc_errors=stats.crc_errors, length_errors=stats.length_errors,
                timeouts=stats.timeouts, resyncs=stats.resyncs, uart_overruns=tx_dropped,
                uart_line_errors=0, core_hz=1_000_000_000, flags=BoardFlag.HOST_BUILD, spare=0))
            seq_status = (seq_status + 1) % 16384
            next_status += STATUS_PERIOD
            continue
        ready, _, _ = select.select([master], [], [], min(0.05, max(0.0, next_status - now)))
        data = b""
        if ready:
            try:
                data = os.read(master, 4096)
            except BlockingIOError:
                pass
            except OSError as exc:  # EIO: no slave open (cannot happen: we hold one)
                if exc.errno != errno.EIO:
                    raise
                time.sleep(0.01)
        now = time.monotonic()
        for pkt in rx.expire(now) + (rx.feed(data, now) if data else []):
            c0 = time.perf_counter_ns()
            answer, executed = core.handle(pkt, int((now - t0) * 1000))
            dt = time.perf_counter_ns() - c0
            if executed:
                calls += 1
                last_ns, total_ns, max_ns = dt, total_ns + dt, max(max_ns, dt)
            if answer is not None:
                write(answer)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the board process."""
    p = argparse.ArgumentParser(prog="python -m hil.board.virtual", description=__doc__)
    p.add_argument("--link", required=True, type=Path,
                   help="path of the symlink to the pty the host opens")
    p.add_argument("--lifetime", type=float, default=600.0,
                   help="seconds after which the board exits on its own (default 600)")
    a = p.parse_args(argv)
    return serve(a.link, a.lifetime)


class VirtualBoard(BoardProcess):
    """Starts and stops the virtual-board process; its URL is a stable path."""

    def __init__(self, path: Path | None = None, *, lifetime: float = 120.0) -> None:
        super().__init__()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="fsw-vboard-")
            path = Path(self._tmp.name) / "board.tty"
        self.path = Path(path)
        self.lifetime = lifetime

    @property
    def url(self) -> str:
        """The pyserial URL (the pty's stable path)."""
        return str(self.path)

    def start(self, timeout: float = 15.0) -> str:
        """Start the board process and wait until its pty is ready."""
        if self.running():
            return self.url
        proc = self._spawn(
            [sys.executable, "-m", "hil.board.virtual", "--link", str(self.path),
             "--lifetime", str(self.lifetime)],
            self.lifetime + 5.0, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        line = proc.stdout.readline() if ready else ""
        if not line.startswith("READY"):
            err = ""
            self.stop()
            raise UserError(f"virtual board did not start within {timeout:.0f} s {err}".strip())
        return self.url

    def close(self) -> None:
        """Stop and remove the temporary folder."""
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


if __name__ == "__main__":
    sys.exit(main())
