"""The guidance core as the flight software sees it: numpy in and out, C status
codes raised as typed exceptions (:mod:`fsw.core.errors`)."""

from fsw.core import quaternion
from fsw.core.errors import GncError

__all__ = ["GncError", "quaternion"]
