"""Replay of recorded packet streams: onto the bus at a chosen pace
(:mod:`.player`), and through a task to compare its outputs with the
recorded ones (:mod:`.harness`)."""

from fsw_tools.replay.player import ReplayStats, play

__all__ = ["ReplayStats", "play"]
