"""Argument types and the parser class of the ``fsw`` command.

Every number an option takes is checked where it is parsed: finite, in its
range, with the option named in the message. A bad value is one line on
stderr and exit status 2 (:class:`Parser` prints no usage block), never a
traceback later in the command::

    p.add_argument("--dpi", type=int_in(10, 600), default=100)
    p.add_argument("--start", type=finite_float)
    p.add_argument("--duration", type=positive_float)
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import NoReturn


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line: ``fsw run: error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message if status == 0 else " ".join(message.split()) + "\n")
        sys.exit(status)


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r}: give a finite number")
    return value


def finite_float(text: str) -> float:
    """A finite number (no nan, no inf)."""
    return _float(text)


finite_float.__name__ = "number"


def float_in(low: float, high: float, *, low_open: bool = False) -> Callable[[str], float]:
    """A finite number in [low, high] (or (low, high] with ``low_open``)."""

    def parse(text: str) -> float:
        value = _float(text)
        if value < low or value > high or (low_open and value == low):
            raise argparse.ArgumentTypeError(
                f"{text}: must be in {'(' if low_open else '['}{low:g}, {high:g}]")
        return value

    parse.__name__ = "number"
    return parse


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = _float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text}: must be > 0")
    return value


positive_float.__name__ = "number"


def int_in(low: int, high: int) -> Callable[[str], int]:
    """An integer in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text, 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text}: must be in [{low}, {high}]")
        return value

    parse.__name__ = "integer"
    return parse
