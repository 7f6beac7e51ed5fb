"""Flight software of a small rendezvous and proximity operations spacecraft.

The flight software sees the world only as CCSDS space packets on the software
bus and the guidance core only through :class:`fsw.core.GuidanceCore`. It never
imports ``hil`` or the tools.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rpo-fsw-emulator")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
