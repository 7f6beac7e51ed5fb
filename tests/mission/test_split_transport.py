"""The mission over separate processes (``fsw run --transport ipc|tcp``,
issue #4 acceptance 2 on the whole mission): the world, ground station,
valves and monitor in this process, the flight-software tasks in a child
process, in lockstep through a broker. Truth: the single-process run of the
same scenario and seed -- the same packet stream (monitor hash, executive
stream hash per leg, packet count), the same archive content and the same
summary, wall-clock figures aside.

The run is short_inspection with a 120 s standby step (so the ground leg,
launch notice to insertion, has ticks of its own) stopped by the monitor when
the mission enters PHASING, about 380 s after insertion: the stop decided in
the tail node must end the run on the same tick as in one process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fsw_tools.archive import read_archive
from fsw_tools.mission import fly, summary
from fsw_tools.mission.split import RemoteTask

from fsw import scenario
from fsw.errors import UserError
from fsw.scenario import override

#: what may differ between transports: wall-clock figures and the run dir
_WALL = {"wall_time_s", "mission_rtf", "orbit_rtf", "run_dir"}


def _scenario() -> Any:
    return override(scenario.load_builtin("short_inspection"), rates__standby_step_s=120.0)


def _fly(transport: str, archive: Path | None = None) -> Any:
    return fly(_scenario(), duration_s=500.0, stop_at_mode="PHASING", archive=archive,
               transport=transport)


@pytest.fixture(scope="module")
def inproc(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _fly("inproc", tmp_path_factory.mktemp("inproc") / "packets.fswa")


def _same(a: Any, b: Any) -> None:
    assert b.packet_hash == a.packet_hash
    assert b.packets == a.packets
    assert [leg.stream_hash for leg in b.legs] == [leg.stream_hash for leg in a.legs]
    assert [leg.ticks for leg in b.legs] == [leg.ticks for leg in a.legs]
    sa, sb = summary(a), summary(b)
    for k in _WALL:
        sa.pop(k, None)
        sb.pop(k, None)
    assert sb == sa


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_split_run_equals_the_single_process_run(inproc: Any, transport: str,
                                                 tmp_path: Path) -> None:
    a = inproc
    # the run is the one described: both legs, stopped by the monitor at PHASING
    assert len(a.legs) == 2 and a.legs[0].ticks > 0
    assert a.final_mode == "PHASING"
    assert a.legs[1].ticks < round(501.0 * 10)
    assert a.packets > 10_000
    b = _fly(transport, tmp_path / "packets.fswa")
    _same(a, b)
    # the tasks flew in the child: their data stores came back
    assert isinstance(b.tasks["autonomy"], RemoteTask)
    assert summary(b)["launch_to_commissioned_s"] is not None
    # every participant of every node reported, in stepping order, all nominal
    names = list(b.legs[1].tasks)
    assert names == ["world", "comms", "navigation", "autonomy", "adcs", "propulsion", "ground",
                     "valves",
                     "monitor"]
    assert all(st.state == "nominal" for st in b.legs[1].tasks.values())
    # the archive the monitor recorded holds the same packets at the same times
    ra, rb = read_archive(a.archive), read_archive(b.archive)
    assert len(rb) == len(ra) == a.packets
    assert list(rb.packets()) == list(ra.packets())
    assert (rb.times == ra.times).all()


def test_other_seed_differs_over_tcp(inproc: Any) -> None:
    """The equality above is not vacuous: the seed reaches the child."""
    b = fly(_scenario(), seed=2, duration_s=60.0, transport="tcp")
    c = fly(_scenario(), seed=2, duration_s=60.0)
    assert b.packet_hash == c.packet_hash
    assert b.packet_hash != fly(_scenario(), duration_s=60.0).packet_hash


def test_board_core_or_unknown_transport_is_refused() -> None:
    class NotLocal:
        pass

    with pytest.raises(UserError, match="local"):
        fly(_scenario(), duration_s=1.0, transport="tcp", core=NotLocal())
    with pytest.raises(UserError):
        fly(_scenario(), duration_s=1.0, transport="udp")


def test_fsw_run_over_tcp_writes_the_same_run(tmp_path: Path, capsys: Any) -> None:
    """``fsw run --transport tcp``: run directory, archive and summary as inproc."""
    from fsw_tools.cli import main

    out = {}
    for transport in ("inproc", "tcp"):
        d = tmp_path / transport
        assert main(["run", "short_inspection", "--duration", "30", "--transport", transport,
                     "--out", str(d), "--quiet", "--test-keys"]) == 0
        out[transport] = json.loads((d / "summary.json").read_text())
        assert len(read_archive(d / "packets.fswarc")) == out[transport]["packets"]
    assert "Packet-stream hash" in capsys.readouterr().out
    for s in out.values():
        for k in _WALL:
            s.pop(k, None)
    assert out["tcp"] == out["inproc"]
