"""Serial link to a board: ASM + space-packet framing over any pyserial URL.

:class:`SerialLink` (link statistics, timeouts, reconnect), the incremental
:class:`Deframer`, and :class:`NoisyLine` (a bit-flipping, byte-dropping shim
for tests and benches).
"""

from hil.serial.errors import FrameTooLong, LinkError, LinkLost, LinkTimeout
from hil.serial.framing import ASM, DEFAULT_MAX_PACKET, Deframer, LinkStats, frame
from hil.serial.link import SerialLink
from hil.serial.noise import NoisyLine

__all__ = [
    "ASM",
    "DEFAULT_MAX_PACKET",
    "Deframer",
    "FrameTooLong",
    "LinkError",
    "LinkLost",
    "LinkStats",
    "LinkTimeout",
    "NoisyLine",
    "SerialLink",
    "frame",
]
