"""Progress of the long steps of the ``fsw`` commands, on stderr.

Every step that can take more than a moment runs inside :func:`step`: a bar
(with a total) or a counter with the elapsed time (without), drawn on a
terminal only (never in a pipe or a log), after ``delay_s`` so that quick
steps stay silent. A background refresh keeps the elapsed time moving even
while a step reports nothing (a compiler, a single long call)::

    with step("decoding", total=len(apids), unit="APID") as bar:
        for apid in apids:
            ...
            bar.update()
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

#: quick steps stay silent: the bar appears after this long (FSW_PROGRESS_DELAY
#: overrides it, e.g. 0 to see every step's bar)
DELAY_S = 1.0
#: FSW_PROGRESS=1 draws bars even when stderr is not a terminal, 0 never
ENV = "FSW_PROGRESS"


def _delay(default: float) -> float:
    try:
        return max(0.0, float(os.environ["FSW_PROGRESS_DELAY"]))
    except (KeyError, ValueError):
        return default


def enabled(stream: Any = None) -> bool:
    """Whether progress is drawn on ``stream`` (default stderr)."""
    flag = os.environ.get(ENV, "")
    if flag in ("0", "1"):
        return flag == "1"
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


class _Silent:
    """The bar of a step drawn nowhere."""

    n = 0
    total = None

    def update(self, n: float = 1) -> None:
        self.n += n

    def set_description(self, desc: str, refresh: bool = True) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def reset(self, total: float | None = None) -> None:
        self.n, self.total = 0, total

    def refresh(self) -> None:
        pass


@contextlib.contextmanager
def step(desc: str, total: float | None = None, unit: str = "it", *,
         delay_s: float | None = None, quiet: bool = False, unit_scale: bool = False
         ) -> Iterator[Any]:
    """A progress bar for one step (a tqdm, or a silent stand-in)."""
    if quiet or not enabled():
        yield _Silent()
        return
    from tqdm import tqdm

    delay_s = _delay(DELAY_S if delay_s is None else delay_s)

    bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, delay=delay_s,
               file=sys.stderr, dynamic_ncols=True, leave=False, mininterval=0.2)
    stop = threading.Event()
    t0 = time.monotonic()

    def tick() -> None:
        while not stop.wait(0.5):
            if time.monotonic() - t0 >= delay_s:
                with contextlib.suppress(Exception):
                    bar.refresh()

    thread = threading.Thread(target=tick, name="fsw-progress", daemon=True)
    thread.start()
    try:
        yield bar
    finally:
        stop.set()
        thread.join(2.0)
        bar.close()


def iterate(items: Any, desc: str, total: int | None = None, unit: str = "it",
            quiet: bool = False) -> Iterator[Any]:
    """``items`` with a bar that moves once per item."""
    if total is None:
        with contextlib.suppress(TypeError):
            total = len(items)
    with step(desc, total=total, unit=unit, quiet=quiet) as bar:
        for item in items:
            yield item
            bar.update(1)
