"""Typed errors of the software bus."""

from __future__ import annotations


class BusError(RuntimeError):
    """Base of every error the bus raises (bad packet, bad endpoint, timeout)."""


class BusPacketError(BusError, ValueError):
    """A publisher handed the bus bytes that are not one whole space packet
    (too short, version not 0, length field disagreeing with the size)."""


class BusEndpointError(BusError, ValueError):
    """An unknown transport or an endpoint that cannot be bound or connected."""


class BusTimeoutError(BusError, TimeoutError):
    """A blocking receive (handshake, lockstep sync) did not complete in time."""
