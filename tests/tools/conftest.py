"""Fixtures of the ground-tool tests."""

from __future__ import annotations

import pytest
from fsw_tools.replay.pytest_plugin import replay_harness  # noqa: F401 - the fixture
from ground_packets import packet_stream


@pytest.fixture
def stream() -> list[tuple[bytes, float]]:
    """500 packets of mixed APIDs and sizes with their receive times."""
    return packet_stream(500)


@pytest.fixture(scope="session")
def flown_run(tmp_path_factory):
    """short_inspection flown 1800 s past the insertion (into PHASING, two
    burns done, a valid navigation solution, events) by the Python API, opened."""
    import fsw_tools

    root = tmp_path_factory.mktemp("flown") / "run"
    return fsw_tools.fly("short_inspection", duration_s=1800.0, out=root)
