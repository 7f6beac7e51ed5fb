"""Monte Carlo campaigns: many dispersed runs of one scenario, on local worker
processes by default or on a Dask distributed cluster, with a resumable
results file, statistics with confidence intervals and a report.

The runner interface
--------------------
A campaign calls one *runner* per run, named ``"module:function"`` (or an
alias of :data:`~fsw_tools.campaign.runners.ALIASES`, e.g. ``mission``, the
default: the whole mission, :mod:`fsw_tools.campaign.mission`)::

    run_one(scenario_text: str, seed: int, overrides: dict[str, Any]) -> Mapping

* ``scenario_text`` is the scenario TOML as the user gave it (workers may be
  other machines: the text travels, not a path);
* ``seed`` is the run's seed, in ``[0, 2**32)``: the runner sets
  ``mission.seed`` to it and draws all its noise from it;
* ``overrides`` are the dispersed values, ``{dotted scenario key: value}``;
  :func:`fsw_tools.campaign.scenarios.build` ``(text, seed, overrides)`` gives
  the validated :class:`fsw.scenario.Scenario` of the run.

It must be a pure function of its three arguments and return at least
``outcome`` (text; ``"success"`` counts as success; ``"failed"`` is reserved
for runs that raised), ``min_range_m``, ``dv_mps``, ``time_to_first_track_s``
(seconds from the launch notice, or None if never tracked) and ``faults`` (list
of text). Extra JSON-able keys are kept in the row; ``trajectory`` (a list of
``[t_s, x_m, y_m, z_m]`` in the target's Hill frame) feeds the overlay plot.
Anything it raises makes the row ``outcome = "failed"`` with ``error``.

Seeds and reproduction
----------------------
Run ``i`` of a campaign of seed ``S`` has the seed ``run_seed(S, i)`` (distinct
for distinct ``i``) and the overrides ``dispersed(text, seed)`` drawn from the
scenario's ``[[dispersions]]`` with that seed; both are in its row. So a run is
reproduced from its seed alone: :func:`rerun` (``fsw campaign SCENARIO
--rerun SEED``) returns its row exactly, and :func:`disperse` ``(scenario,
seed)`` gives the scenario that ``fsw run`` flies to reproduce it (same packet
stream hash as the row's ``packet_hash``).

Rows
----
``index, seed, outcome, min_range_m, dv_mps, time_to_first_track_s, faults,
error, overrides`` plus the runner's extras, one JSON line each in
``OUT/runs.jsonl`` (see :mod:`~fsw_tools.campaign.store`).
"""

from fsw_tools.campaign.dispersions import apply_overrides, run_seed, sample
from fsw_tools.campaign.engine import Campaign, CampaignResult, plan_run, rerun, run_campaign
from fsw_tools.campaign.runners import ALIASES, DEFAULT_RUNNER, METRICS, execute
from fsw_tools.campaign.scenarios import (
    ScenarioSource,
    build,
    disperse,
    dispersed,
    read_scenario,
)
from fsw_tools.campaign.stats import summarize

__all__ = [
    "ALIASES",
    "DEFAULT_RUNNER",
    "METRICS",
    "Campaign",
    "CampaignResult",
    "ScenarioSource",
    "apply_overrides",
    "build",
    "disperse",
    "dispersed",
    "execute",
    "plan_run",
    "read_scenario",
    "rerun",
    "run_campaign",
    "run_seed",
    "sample",
    "summarize",
]
