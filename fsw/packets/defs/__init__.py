"""Packet declarations, one module per area.

Every module in this package is imported by :func:`load_all` (so adding a
packet area is adding a file here, no other edit). A module declares its
packets at import time with :func:`fsw.packets.dictionary.telemetry` /
:func:`~fsw.packets.dictionary.telecommand`.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every declaration module of this package (idempotent)."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
