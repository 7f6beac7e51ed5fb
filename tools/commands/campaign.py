"""``fsw campaign``: a Monte Carlo campaign of dispersed runs of a scenario, on
local worker processes or a Dask cluster; resumable; summary and report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from fsw_tools.cliargs import float_in, int_in, positive_float

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Add the ``campaign`` subcommand."""
    p = subparsers.add_parser(
        "campaign",
        help="run a Monte Carlo campaign of dispersed runs of a scenario",
        description=(
            "Run N dispersed runs of SCENARIO (dispersions from its [[dispersions]] tables), "
            "each with its own recorded seed, on local worker processes or on a Dask cluster. "
            "Rows go to OUT/runs.jsonl as runs finish; started again with the same arguments, "
            "the campaign runs only what is missing. At the end: summary statistics with "
            "confidence intervals and OUT/report/report.html."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", nargs="?", default="victus_haze",
                   help="scenario TOML file or built-in scenario name (default: victus_haze)")
    p.add_argument("--runs", type=int_in(1, 10**8), metavar="N",
                   help="number of runs in the campaign (required unless --rerun)")
    p.add_argument("--workers", type=int_in(0, 4096), metavar="K", default=None,
                   help="local worker processes (default: CPU count; 0: in this process)")
    p.add_argument("--scheduler", metavar="ADDR", default=None,
                   help="run on the Dask cluster whose scheduler is at ADDR "
                        "(e.g. tcp://HOST:8786) instead of local processes")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="campaign folder (default: campaign-<scenario>-seed<S> here)")
    p.add_argument("--seed", type=int_in(0, 2**32 - 1), metavar="S", default=1,
                   help="campaign seed; run i gets its own seed from (S, i) (default 1)")
    p.add_argument("--runner", metavar="NAME", default=None,
                   help="run function: 'mission' (the whole mission, default) or "
                        "'module:function'")
    p.add_argument("--rerun", type=int_in(0, 2**32 - 1), metavar="SEED", default=None,
                   help="run the one run of this seed alone, print its row and, if OUT holds "
                        "a row of that seed, check that it is reproduced exactly")
    p.add_argument("--confidence", type=float_in(0.0, 0.9999, low_open=True), default=0.95,
                   help="confidence level of the intervals (default 0.95)")
    p.add_argument("--duration", type=positive_float, default=None, metavar="S",
                   help="cut every run S seconds of simulated time after the insertion into "
                        "orbit (mission.max_duration_s = ascent + S; a campaign of its own)")
    p.add_argument("--no-report", action="store_true", help="skip the plots and HTML report")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _default_out(name: str, seed: int) -> Path:
    return Path(f"campaign-{name}-seed{seed}")


def _read_rows(out: Path) -> list[dict[str, Any]]:
    from fsw_tools.campaign.store import ROWS_FILE

    path = out / ROWS_FILE
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def _rerun(args: argparse.Namespace, source: Any, runner: str) -> int:
    from fsw_tools.campaign.engine import rerun

    out = Path(args.out) if args.out else _default_out(source.name, args.seed)
    recorded = [r for r in _read_rows(out) if r.get("seed") == args.rerun]
    index = recorded[0]["index"] if recorded else 0
    row = rerun(source, args.rerun, runner, index=index)
    printable = {k: v for k, v in row.items() if k != "trajectory"}
    print(json.dumps(printable, indent=2))
    if not recorded:
        print(f"(no row of seed {args.rerun} in {out}; nothing to compare)")
        return 0
    if recorded[0] == row:
        print(f"reproduces run {index} of {out} exactly")
        return 0
    diff = sorted(k for k in set(row) | set(recorded[0]) if row.get(k) != recorded[0].get(k))
    print(f"DIFFERS from run {index} of {out} in: {', '.join(diff)}", file=sys.stderr)
    return 1


def _ci(ci: Any) -> str:
    if not isinstance(ci, list):
        return f"({ci})"
    return f"[{ci[0]:.4g}, {ci[1]:.4g}]"


def _print_summary(summary: dict[str, Any], result: Any) -> None:
    conf = summary["confidence"]
    print(f"runs: {summary['runs']} (ran {len(result.executed)} now, {result.skipped} were done)"
          f"; outcomes: {summary['outcomes']}")
    if "p_success" in summary:
        lo, hi = summary["p_success_ci"]
        print(f"P(success) = {summary['p_success']:.3f}  [{lo:.3f}, {hi:.3f}] ({conf:.0%} Wilson)")
    for key, qs in (("min_range_m", ("p01", "p05")), ("dv_mps", ("p95", "p99")),
                    ("time_to_first_track_s", ("p50", "p95"))):
        d = summary[key]
        if not d.get("n"):
            continue
        parts = [f"{key}: n={d['n']} mean={d['mean']:.4g} {_ci(d['mean_ci'])}"]
        parts += [f"{q}={d[q]:.4g} {_ci(d[f'{q}_ci'])}" for q in qs]
        print("  ".join(parts))
    nv, dv = summary.get("navigation") or {}, summary.get("dv_to_inspection_mps") or {}
    if nv.get("nees_mean") is not None:
        lo, hi = nv["nees_band_95"]
        pooled = nv.get("contain_3sigma_pooled")
        print(f"issue #15 (truth): NEES mean {nv['nees_mean']:.3f} (95 % band of {nv['runs']} "
              f"runs [{lo:.2f}, {hi:.2f}]: {'inside' if nv['nees_in_band'] else 'OUTSIDE'}); "
              f"inside 3 sigma {pooled if pooled is None else f'{pooled:.2%}'} of epochs "
              f"({nv['contain_3sigma_runs_below_99']} runs under 99 %, worst "
              f"{nv['contain_3sigma_min']:.2%}); error/range inside 5 km p99 worst run "
              f"{nv['err_frac_p99_5km_max']:.2%}; delta-v to the inspection p95 "
              f"{dv.get('p95', float('nan')):.2f} m/s; holds at the first attempt in "
              f"{summary.get('holds_first_attempt_runs')}/"
              f"{summary.get('holds_runs', dv.get('n', 0))} runs")
    from fsw_tools.mission.score_angles import angles_stats_line

    angles = angles_stats_line(nv.get("angles") or {})
    if angles:
        print(angles)
    sf = summary.get("safety") or {}
    if sf.get("rows_scored"):
        print(f"issue #16 (truth): missed-burn table clear in {sf['missed_burn_runs_clear']}/"
              f"{sf['rows_scored']} runs (worst {sf['missed_burn_min_m']:.1f} m); >= 50 % of "
              f"the sunlit inspection below 60 deg in {sf['good_light_runs']} runs (worst "
              f"{sf['good_light_min']}); camera off target at most {sf['off_target_max']}; "
              f">= 4 target faces imaged in {sf.get('faces4_runs')} runs; sun inside the "
              f"camera keep-out in {sf.get('sun_in_keepout_runs')} runs")
    at = summary.get("attitude") or {}
    if at.get("keepout_s_max") is not None:
        print(f"camera and sun (truth, whole run, sunlit): the sun inside the camera keep-out "
              f"in {at['keepout_runs']}/{at['runs']} runs (at most {at['keepout_s_max']:.0f} s), "
              f"at least {at['sun_boresight_min_deg']:.1f} deg from the boresight")
    if at.get("soc_min_min") is not None:
        print(f"power (truth): battery at or above its floor in {at['power_positive_runs']}/"
              f"{at['runs']} runs; lowest state of charge median "
              f"{100 * at['soc_min_median']:.0f} %, worst {100 * at['soc_min_min']:.0f} %")
    for key, g in summary.get("faults", {}).items():
        print(f"fault {key}: {g['runs']} runs ({g['occurrences']} times), e.g. {g['message']}")


def run(args: argparse.Namespace) -> int:
    """Run (or resume) the campaign, print its summary, write its report."""
    from fsw_tools.campaign.engine import Campaign, run_campaign
    from fsw_tools.campaign.runners import DEFAULT_RUNNER, canonical
    from fsw_tools.campaign.scenarios import nominal, read_scenario
    from fsw_tools.campaign.stats import summarize
    from fsw_tools.campaign.store import write_csv

    if not 0.0 < args.confidence < 1.0:
        raise UserError(f"--confidence must be in (0, 1), got {args.confidence}")
    source = read_scenario(args.scenario)
    if args.duration is not None:
        from fsw_tools.campaign.scenarios import with_duration

        source = with_duration(source, args.duration)
    if not nominal(source.text).get("dispersions"):
        print(f"note: {args.scenario} has no [[dispersions]]: every run flies the same "
              "scenario, only the seed (sensor noise) differs")
    runner = canonical(args.runner or DEFAULT_RUNNER)
    if args.rerun is not None:
        if not 0 <= args.rerun < 2**32:
            raise UserError(f"--rerun seed must be in [0, 2**32), got {args.rerun}")
        return _rerun(args, source, runner)
    if args.runs is None:
        raise UserError("--runs N is required (or --rerun SEED for one run)")
    if args.workers is not None and args.scheduler is not None:
        raise UserError("--workers and --scheduler exclude each other")
    campaign = Campaign(scenario=source, runs=args.runs, seed=args.seed, runner=runner)
    out = Path(args.out) if args.out else _default_out(source.name, args.seed)
    result = run_campaign(campaign, out, workers=args.workers, scheduler=args.scheduler,
                          progress=not args.no_progress)
    if result.torn_tail or result.corrupt_lines:
        print(f"note: {out / 'runs.jsonl'}: torn last line cut: {result.torn_tail}; "
              f"unreadable lines skipped: {result.corrupt_lines} (their runs were run again)")
    summary = summarize(result.rows, args.confidence)
    _print_summary(summary, result)
    write_csv(out, result.rows)
    if not args.no_report:
        from fsw_tools.campaign.report import write_report
        from fsw_tools.progress import step

        plan = nominal(source.text)["plan"]
        with step("writing the report"):
            page = _report(write_report, result, summary, out, source, args, plan)
        print(f"report: {page}")
    print(f"rows: {out / 'runs.jsonl'}")
    if result.lost:
        example = next(iter(result.lost.values()))
        print(f"{len(result.lost)} runs lost to the cluster (e.g. {example}); "
              "run the same command again to complete the campaign", file=sys.stderr)
        return 1
    return 0


def _report(write_report: Any, result: Any, summary: dict[str, Any], out: Path, source: Any,
            args: argparse.Namespace, plan: dict[str, Any]) -> Path:
    duration = f"--duration {args.duration:g} " if args.duration else ""
    return write_report(
        result.rows, summary, out, title=f"Campaign {source.name}, seed {args.seed}",
        keep_out_m=plan.get("keep_out_m"), budget_mps=plan.get("delta_v_budget_mps"),
        rerun_hint=f"Reproduce a run alone: fsw campaign {args.scenario} --seed {args.seed} "
                   f"{duration}--out {out} --rerun SEED")
