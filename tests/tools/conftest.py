"""Fixtures of the ground-tool tests."""

from __future__ import annotations

import pytest
from fsw_tools.replay.pytest_plugin import replay_harness  # noqa: F401 - the fixture
from ground_packets import packet_stream


@pytest.fixture
def stream() -> list[tuple[bytes, float]]:
    """500 packets of mixed APIDs and sizes with their receive times."""
    return packet_stream(500)
