"""Emulated avionics: the world as a participant of the executive's lockstep
tick (:class:`hil.avionics.node.AvionicsNode`)."""

from hil.avionics.node import AvionicsNode, AvionicsStats

__all__ = ["AvionicsNode", "AvionicsStats"]
