"""Issue #21, acceptance 4 (campaign part): faults are grouped by event, so
the collision-avoidance SAFE runs of a campaign count as one fault type, with
one count per run, although their messages differ (the predicted miss
distance changes with each run's sensor noise). Real mission runs of the
built-in collision_course scenario, cut 30 s after the insertion
(``fsw campaign --duration``)."""

from __future__ import annotations

from fsw_tools.campaign.engine import Campaign, run_campaign
from fsw_tools.campaign.scenarios import read_scenario, with_duration
from fsw_tools.campaign.stats import fault_key, summarize

RUNS = 4


def test_collision_avoidance_safe_runs_are_one_fault_type(tmp_path) -> None:
    source = with_duration(read_scenario("collision_course"), 40.0)  # GPS first fix: 5 s
    res = run_campaign(Campaign(source, RUNS, seed=5, runner="mission"), tmp_path, workers=2,
                       progress=False)
    assert all(r["error"] is None for r in res.rows), [r["error"] for r in res.rows]
    safe = [r for r in res.rows if r["final_mode"] == "SAFE"]
    assert len(safe) == RUNS  # every run of this scenario has to avoid the collision
    assert {r["stopped_by"] for r in res.rows} == {"max_duration"}  # cut by --duration
    avoidance = [f for r in safe for f in r["faults"] if "closest approach" in f]
    assert len({fault_key(f)[1] for f in avoidance}) > 1  # the messages differ ...
    groups = {fault_key(f)[0] for f in avoidance}
    assert len(groups) == 1  # ... and are one fault type
    (key,) = groups
    s = summarize(res.rows)
    assert s["fault_counts"][key] == len(safe)
    assert s["faults"][key]["runs"] == len(safe)
    assert sum(1 for k in s["fault_counts"] if "closest approach" in s["faults"][k]["message"]) \
        == 1
