"""Packets a task reads natively (subscribed raw, decoded in C) that the
native reader refused: reported as the executive reports a packet that does
not parse (:meth:`fsw.executive.task.TaskContext.bad_packet`), with the
dictionary parser's own reason, so that a raw subscription counts and tells
what a parsing one would."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fsw.packets import DICTIONARY, PacketError, peek_apid


def report_refused(ctx: Any, packets: Iterable[bytes]) -> None:
    """Count and report each of ``packets`` (refused by a native reader, in
    arrival order) through ``ctx.bad_packet``. A packet the parser accepts
    was refused by a reader bug: RuntimeError (the task faults, as for any
    bug)."""
    by_apid = DICTIONARY.by_apid
    for p in packets:
        pdef = by_apid[peek_apid(p)]
        try:
            pdef.parse(p)
        except PacketError as exc:
            ctx.bad_packet(pdef, exc)
            continue
        raise RuntimeError(f"{pdef.name}: the sensor reader refused a packet "
                           f"the parser accepts")
