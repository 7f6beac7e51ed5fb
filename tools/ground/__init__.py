"""Ground segment: the link to a running emulator (:mod:`.link`, optional
CurveZMQ in :mod:`.curve`), telecommands typed by name (:mod:`.commands`) and
the live console (:mod:`.console`)."""

from fsw_tools.ground.link import DEFAULT_PORT, GroundClient, GroundEndpoints, GroundGateway

__all__ = ["DEFAULT_PORT", "GroundClient", "GroundEndpoints", "GroundGateway"]
