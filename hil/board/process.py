"""The lifetime of a board's process, shared by :class:`~hil.board.QemuBoard`
and :class:`~hil.board.VirtualBoard`: started under a timer that kills it when
its lifetime is up, killed on ``stop()``, on leaving the ``with`` block and at
interpreter exit, so no test or bench can leave a board running."""

from __future__ import annotations

import atexit
import contextlib
import subprocess
import threading
import weakref
from typing import Any, Self

__all__ = ["BoardProcess"]

_LIVE: weakref.WeakSet[BoardProcess] = weakref.WeakSet()


class BoardProcess:
    """Base of the board classes: owns the process and its lifetime timer;
    a subclass implements :meth:`start` with :meth:`_spawn`."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[Any] | None = None
        self._timer: threading.Timer | None = None

    def start(self) -> str:
        """Start the board; return its pyserial URL."""
        raise NotImplementedError

    def _spawn(self, cmd: list[str], lifetime: float, **popen: Any) -> subprocess.Popen[Any]:
        """Start ``cmd`` (stdin closed) and the timer that stops it after
        ``lifetime`` seconds."""
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, **popen)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        _LIVE.add(self)
        return self.proc

    def running(self) -> bool:
        """True while the process runs."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """Kill the process and close its pipes (idempotent)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            for f in (proc.stdout, proc.stderr):
                if f is not None:
                    f.close()

    def close(self) -> None:
        """Release the board (here: :meth:`stop`)."""
        self.stop()

    def restart(self) -> str:
        """Kill and start again at the same URL (a board reset or replug)."""
        self.stop()
        return self.start()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@atexit.register
def _cleanup() -> None:
    for board in list(_LIVE):
        board.stop()
