"""pytest fixture of the replay harness. In a test module::

    from fsw_tools.replay.pytest_plugin import replay_harness  # noqa: F401

    def test_regression(replay_harness):
        replay_harness("tests/data/short_run.fswarc", system, inputs=[...], outputs=[...])

The fixture's callable fails the test with the first diverging packet
(APID, name, sequence count, time, field) and returns the report otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from fsw_tools.archive import Archive, read_archive
from fsw_tools.replay.harness import ReplayReport, ReplaySystem, replay_compare


@pytest.fixture
def replay_harness() -> Callable[..., ReplayReport]:
    """Replay an archive (path or Archive) through a system and assert it matches."""

    def run(archive: Archive | str | os.PathLike[str], system: ReplaySystem, *,
            inputs: Iterable[int], outputs: Iterable[int], **_: Any) -> ReplayReport:
        arc = archive if isinstance(archive, Archive) else read_archive(archive)
        report = replay_compare(arc, system, inputs=inputs, outputs=outputs)
        if not report.ok:
            pytest.fail(report.describe(), pytrace=False)
        return report

    return run
