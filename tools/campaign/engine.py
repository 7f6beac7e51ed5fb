"""The campaign loop: plan the runs, run what the store lacks on a backend,
append each row as it arrives, show progress.

Run ``i`` of a campaign of seed ``S`` has the seed ``run_seed(S, i)`` and the
overrides ``dispersed(text, seed)``; both are computed here, before the run
starts, and recorded in its row. Runs are kept a few per worker in flight, so
a campaign of a million runs holds only a handful of futures.

A worker that dies (a crash in native code kills the process, not just the
run) breaks a local pool: the runs it held are retried one at a time, and a
run that kills its worker again alone is recorded as failed. On a Dask
cluster, the scheduler's own retries decide (``KilledWorker``). Runs lost for
other reasons (a cluster going away) are not recorded: the next start of the
same campaign runs them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsw_tools.campaign.backends import Backend, WorkerLostError, make_backend
from fsw_tools.campaign.dispersions import run_seed, sample
from fsw_tools.campaign.runners import (
    DEFAULT_RUNNER,
    canonical,
    execute,
    failed_row,
    resolve_runner,
)
from fsw_tools.campaign.scenarios import ScenarioSource, nominal
from fsw_tools.campaign.store import ResultStore
from tqdm import tqdm

from fsw.errors import UserError

__all__ = ["Campaign", "CampaignResult", "plan_run", "rerun", "run_campaign"]


@dataclass(frozen=True)
class Campaign:
    """What a campaign is: a scenario, a number of runs, a seed, a runner."""

    scenario: ScenarioSource
    runs: int
    seed: int = 1
    runner: str = DEFAULT_RUNNER

    def __post_init__(self) -> None:
        if isinstance(self.runs, bool) or not isinstance(self.runs, int) or self.runs < 1:
            raise UserError(f"--runs must be a positive integer, got {self.runs!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise UserError(f"--seed must be a non-negative integer, got {self.seed!r}")
        object.__setattr__(self, "runner", canonical(self.runner))
        resolve_runner(self.runner)  # a misspelt runner fails here, not in every run

    def manifest(self) -> dict[str, Any]:
        """The store manifest (identity keys plus what helps a reader)."""
        return {
            "scenario": self.scenario.name,
            "scenario_sha256": self.scenario.sha256,
            "seed": self.seed,
            "runner": self.runner,
            "runs": self.runs,
        }


@dataclass
class CampaignResult:
    """What one invocation did: all rows (by index, below ``runs``), the
    indices it ran (in completion order), those it found done, those lost."""

    out_dir: Path
    rows: list[dict[str, Any]]
    executed: list[int] = field(default_factory=list)
    skipped: int = 0
    lost: dict[int, str] = field(default_factory=dict)
    corrupt_lines: int = 0
    torn_tail: bool = False

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["outcome"] == "failed"]


def plan_run(campaign: Campaign, index: int, nominal_data: dict[str, Any] | None = None
             ) -> tuple[str, str, int, int, dict[str, Any]]:
    """The arguments of :func:`~fsw_tools.campaign.runners.execute` for run ``index``."""
    data = nominal_data if nominal_data is not None else nominal(campaign.scenario.text)
    seed = run_seed(campaign.seed, index)
    overrides = sample(data.get("dispersions", []), data, seed)
    return (campaign.runner, campaign.scenario.text, index, seed, overrides)


def rerun(scenario: ScenarioSource, seed: int, runner: str = DEFAULT_RUNNER,
          index: int = 0) -> dict[str, Any]:
    """One run alone, in this process, from its seed: the row a campaign
    recorded for that seed (with ``index`` set to the campaign's)."""
    data = nominal(scenario.text)
    overrides = sample(data.get("dispersions", []), data, seed)
    return execute(canonical(runner), scenario.text, index, seed, overrides)


def run_campaign(
    campaign: Campaign,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    backend: Backend | None = None,
    progress: bool = True,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> CampaignResult:
    """Run the runs of ``campaign`` that ``out_dir`` lacks and return all rows.

    ``workers`` local processes by default (0: in this process), or the Dask
    cluster at ``scheduler`` (an address or a ``distributed.Client``), or an
    explicit ``backend``. ``on_row`` is called after each row is stored.
    """
    data = nominal(campaign.scenario.text)
    store = ResultStore.open(out_dir, campaign.manifest())
    result = CampaignResult(out_dir=Path(out_dir), rows=[], corrupt_lines=store.corrupt_lines,
                            torn_tail=store.torn_tail)
    todo = store.missing(campaign.runs)
    result.skipped = campaign.runs - len(todo)
    if not todo:
        store.close()
        result.rows = store.sorted_rows(campaign.runs)
        return result

    bar = tqdm(total=campaign.runs, initial=result.skipped, unit="run", disable=not progress,
               desc=campaign.scenario.name, dynamic_ncols=True,
               bar_format="{l_bar}{bar}| {n:.1f}/{total_fmt} [{elapsed}<{remaining}{postfix}]")
    manager = live = None
    owned = backend is None
    be = backend
    queue = deque(todo)
    attempts: dict[int, int] = {}
    suspects: set[int] = set()
    inflight: dict[Any, int] = {}
    failures = 0
    cancel = True
    try:
        if be is None:
            be = make_backend(workers, scheduler)
        if progress and be.name in ("local", "serial"):
            # the runs in flight report how far they are: the bar moves within runs
            import multiprocessing

            manager = multiprocessing.get_context("spawn").Manager()
            live = manager.dict()
        finished = float(result.skipped)
        while queue or inflight:
            cap = 1 if suspects else be.capacity
            while queue and len(inflight) < cap:
                index = queue.popleft()
                args = plan_run(campaign, index, data)
                inflight[be.submit(args if live is None else (*args, live))] = index
            done = be.wait(list(inflight), timeout=0.5 if live is not None else None)
            if live is not None:
                partial = sum(live.get(i, 0.0) for i in inflight.values())
                bar.n = finished + partial
                bar.refresh()
            for fut in done:
                index = inflight.pop(fut)
                try:
                    row = be.result(fut)
                except WorkerLostError as exc:
                    attempts[index] = attempts.get(index, 0) + 1
                    if exc.isolatable and attempts[index] < 2:
                        suspects.add(index)
                        queue.appendleft(index)
                        continue
                    if not (exc.definitive or exc.isolatable):
                        result.lost[index] = str(exc)
                        continue
                    _, _, _, seed, overrides = plan_run(campaign, index, data)
                    row = failed_row(index, seed, overrides, f"WorkerLostError: {exc}")
                suspects.discard(index)
                store.append(row)
                result.executed.append(index)
                failures += row["outcome"] == "failed"
                finished += 1
                if live is not None:
                    live.pop(index, None)
                bar.n = finished
                bar.refresh()
                bar.set_postfix(failed=failures, refresh=False)
                if on_row is not None:
                    on_row(row)
        cancel = False
    finally:
        bar.close()
        if owned and be is not None:
            be.close(cancel=cancel)
        if manager is not None:
            manager.shutdown()
        store.close()
    result.rows = store.sorted_rows(campaign.runs)
    return result
