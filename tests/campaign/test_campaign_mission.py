"""The acceptance of issue #10 with the real runner: 20 short runs of the
whole mission (world, flight-software tasks, ground station, every packet on
the bus) on a Dask LocalCluster give exactly the rows of local processes, and
one run flown alone from its seed reproduces its row and its packet stream."""

from __future__ import annotations

import pytest
from campaign_testutil import DATA
from fsw_tools.campaign.engine import Campaign, rerun, run_campaign
from fsw_tools.campaign.scenarios import disperse, read_scenario

from fsw import scenario as fsw_scenario

RUNS = 20
SEED = 11
MISSION_SHORT = DATA / "mission_short.toml"


@pytest.fixture(scope="module")
def source():
    return read_scenario(str(MISSION_SHORT))


@pytest.fixture(scope="module")
def local(tmp_path_factory, source):
    out = tmp_path_factory.mktemp("mission-local")
    return run_campaign(Campaign(source, RUNS, seed=SEED, runner="mission"), out, workers=2,
                        progress=False)


def test_mission_runs_are_dispersed_and_scored(local) -> None:
    assert len(local.rows) == RUNS
    assert all(r["error"] is None for r in local.rows), [r["error"] for r in local.rows][:3]
    # the scenario stops 60 s after insertion, during commissioning
    assert {r["outcome"] for r in local.rows} == {"ended_in_COMMISSIONING"}
    assert len({r["packet_hash"] for r in local.rows}) == RUNS
    for r in local.rows:
        pos = r["overrides"]["insertion.position_hill_m"]
        # the truth range at insertion is the dispersed insertion point's
        first = r["trajectory"][0]
        assert first[1:] == pytest.approx(pos, abs=1.0)
        assert r["min_range_m"] <= sum(p * p for p in pos) ** 0.5 + 1.0


def test_dask_local_cluster_gives_exactly_the_rows_of_local_processes(local, source, tmp_path):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        res = run_campaign(Campaign(source, RUNS, seed=SEED, runner="mission"), tmp_path,
                           scheduler=client, progress=False)
    assert res.lost == {}
    diff = [(a["index"], sorted(k for k in a if a[k] != b.get(k)))
            for a, b in zip(res.rows, local.rows, strict=True) if a != b]
    assert diff == []


def test_one_run_alone_from_its_seed_reproduces_its_row_and_packet_stream(local, source):
    from fsw_tools.mission import fly, summary

    row = local.rows[7]
    assert rerun(source, row["seed"], "mission", index=row["index"]) == row
    # what `fsw run SCENARIO --seed N` flies once the dispersions are applied
    sc, overrides = disperse(fsw_scenario.load(MISSION_SHORT), row["seed"])
    assert overrides == row["overrides"]
    assert summary(fly(sc))["packet_hash"] == row["packet_hash"]
