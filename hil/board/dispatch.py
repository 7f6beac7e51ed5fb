"""The host build of the board's request handling: what the firmware's loop
does with a packet (native/firmware/main.c), done by the desktop core, for
the virtual board.

``handle(packet)`` answers BOARD_PING itself and hands every other packet to
the guidance core's dispatcher (``gnc_dispatch`` through
:class:`fsw.core.dispatch.Dispatcher`); it returns the response packet (or
None) and whether the core executed a request (a repeated request is
answered from the dispatcher's kept response without running again).
"""

from __future__ import annotations

from fsw.packets import DICTIONARY
from fsw.packets.errors import PacketError
from hil.serial.packetcodec import packet_apid_seq

__all__ = ["HostDispatcher"]

_PING = DICTIONARY["BOARD_PING"]
_PONG = DICTIONARY["BOARD_PONG"]


class HostDispatcher:
    """Board-side request handling on the host, with the same dispatcher as
    the firmware (the very same C sources, built for the host)."""

    def __init__(self) -> None:
        from fsw.core.dispatch import Dispatcher

        self.core = Dispatcher()

    def handle(self, packet: bytes, t_ms: int) -> tuple[bytes | None, bool]:
        """(response or None, the core executed it)."""
        apid, seq = packet_apid_seq(packet)
        if apid == _PING.apid:
            try:
                rec = _PING.parse(packet)
            except PacketError:
                return None, False
            return _PONG.build(t_tai=t_ms / 1000.0, seq=seq, payload=rec.payload), False
        repeats = self.core.counters["repeats"]
        _, resp = self.core.dispatch(packet)
        if not resp:
            return None, False
        return resp, self.core.counters["repeats"] == repeats  # a repeat did not run
