"""The guidance calls a bench sends to a board.

With the core's dispatcher in the build, a call is a real guidance request;
without it (an older core), a BOARD_PING of a guidance request's size
stands in and the label says so.
"""

from __future__ import annotations

from collections.abc import Callable

from hil.board.link import BOARD_PING, BoardLink

__all__ = ["STAND_IN_PAYLOAD", "guidance_call_source"]

STAND_IN_PAYLOAD = 128  # octets: a request of 16 doubles


def guidance_call_source(link: BoardLink) -> tuple[Callable[[], object], str, tuple[int, int]]:
    """(call, label, (request octets, response octets))."""
    payload = bytes(range(STAND_IN_PAYLOAD))
    size = len(BOARD_PING.build(t_tai=0.0, seq=0, payload=payload))
    return (lambda: link.ping(payload),
            f"stand-in call: BOARD_PING with {STAND_IN_PAYLOAD} octets "
            "(the core has no gnc_dispatch yet)",
            (size, size))
