"""Benchmark of where a tick's microseconds go (issue #18): the mission's
orbit leg flown once in this process with the executive's work timed piece
by piece, for the per-tick breakdown that ``mission.py`` (one figure) and
``instructions.py`` (load-independent, one figure) do not give.

Per participant, in stepping order: its turns and the packets handed to it
per tick, the microseconds per tick of its deliveries (parsing and handlers)
and of the rest of its turns (its step and heartbeat); then the lockstep's
settles (the stream's hash and taps: the archive, with ``--archive``) and
the loop itself (the rest: tick bookkeeping, TIME, the idle turns skipped).
The timers wrap the executive's private turn, delivery and settle methods of
the orbit leg only; what they cost is measured and printed, not subtracted.
The turns that run in C (``fsw._hotpath.Ticker``: a nominal participant's
turn, its delivery, step and heartbeat) bypass those methods: the Ticker
times them itself, at the same boundaries (its turn and its delivery, with
the same clock), and they are added in; the other turns (a participant
starting, faulted, ...) go through the wrapped methods as before. The
Ticker also runs the loop over the ticks (``Ticker.run``: tick and time,
the stop request, TIME, the tick's first settle): the settles it calls are
the wrapped ones, so "the loop itself" stays what is left (the loop, TIME,
the idle turns skipped). A settle's time includes the archive's tap (the
mapped writer's native ``RecordTap`` with ``--archive``). With
``--fast-turns off`` the executive runs its Python loop instead (the
figures of the reference path, not of the one a run takes).
Wall-clock figures: they move with the machine's load (compare commits with
``instructions.py`` on a busy machine; use this one to see where they differ).

    python tools/bench/breakdown.py [--scenario NAME] [--duration S] [--archive] [--gc off]
                                    [--fast-turns off]

The last line is one JSON object: ``us_per_tick`` (the timed loop),
``participants`` (name -> turns, packets, deliver_us, step_us per tick),
``settle_us_per_tick``, ``loop_us_per_tick``, ``timer_us_per_tick`` (the
timers' own cost, included in the figures), ``fast_turns`` (the turns ran
in C).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# Run as a script, this folder is first on sys.path and its hil.py (another
# benchmark) would shadow the hil package: drop the folder from the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from fsw import scenario  # noqa: E402
from fsw.executive import executive as _executive  # noqa: E402

_ns = time.perf_counter_ns


class _Timers:
    """Nanoseconds and counts per key, filled by the wrappers below."""

    def __init__(self) -> None:
        self.ns: dict[str, int] = defaultdict(int)
        self.n: dict[str, int] = defaultdict(int)
        self.ticks = 0
        self.calls = 0  # timed calls (two clock reads each)
        self.fast = False  # the orbit leg's turns ran in C (the Ticker)


def _instrument(timers: _Timers, fast_turns: bool = True) -> Any:
    """Wrap the turns, deliveries and settles of the executive that has a
    world (the orbit leg), have its Ticker (if it runs one: ``fast_turns``)
    time the turns it runs, and time its whole loop; returns the callable
    that takes the wrapping off again."""
    lead, turn, deliver = (_executive.Executive._lead, _executive.Executive._turn,
                           _executive.Executive._deliver)

    def timed_deliver(self: Any, slot: Any, k: int) -> bool:
        n = len(slot.inbox)
        t0 = _ns()
        ok = deliver(self, slot, k)
        timers.ns[slot.name + ".deliver"] += _ns() - t0
        timers.n[slot.name + ".packets"] += n
        timers.calls += 1
        return ok

    def timed_turn(self: Any, slot: Any, k: int) -> None:
        t0 = _ns()
        turn(self, slot, k)
        timers.ns[slot.name + ".turn"] += _ns() - t0
        timers.n[slot.name + ".turns"] += 1
        timers.calls += 1

    def timed_lead(self: Any, ticks: int) -> int:
        if not self._world:
            return lead(self, ticks)
        self._turn = timed_turn.__get__(self)
        self._deliver = timed_deliver.__get__(self)
        settle = self.lockstep.settle

        def timed_settle() -> None:
            t0 = _ns()
            settle()
            timers.ns["settle"] += _ns() - t0
            timers.calls += 1

        self.lockstep.settle = timed_settle
        self.fast_turns = self.fast_turns and fast_turns
        self._ticker_clock = _ns
        t0 = _ns()
        done = lead(self, ticks)
        timers.ns["lead"] += _ns() - t0
        timers.ticks += done
        ticker = self._ticker
        timers.fast = ticker is not None
        if ticker is not None:  # the turns the Ticker ran, timed by it
            for slot, row in zip(self._slots, ticker.stats(), strict=True):
                turns, deliveries, packets, turn_ns, deliver_ns = row
                timers.ns[slot.name + ".turn"] += turn_ns
                timers.ns[slot.name + ".deliver"] += deliver_ns
                timers.n[slot.name + ".turns"] += turns
                timers.n[slot.name + ".packets"] += packets
                timers.calls += turns + deliveries
        return done

    _executive.Executive._lead = timed_lead  # type: ignore[method-assign]

    def restore() -> None:
        _executive.Executive._lead = lead  # type: ignore[method-assign]

    return restore


def _timer_cost_ns() -> float:
    """Nanoseconds two clock reads and the bookkeeping cost, per timed call."""
    d: dict[str, int] = defaultdict(int)
    n = 200_000
    t0 = _ns()
    for _ in range(n):
        a = _ns()
        d["x"] += _ns() - a
    return (_ns() - t0) / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="short_inspection",
                    help="scenario name or file (default short_inspection)")
    ap.add_argument("--duration", type=float, default=1200.0,
                    help="seconds of the orbit leg (default 1200)")
    ap.add_argument("--archive", action="store_true",
                    help="record the archive, as fsw run and mission.py do")
    ap.add_argument("--gc", choices=("on", "off"), default="on",
                    help="the garbage collector (default on, as fsw run)")
    ap.add_argument("--fast-turns", choices=("on", "off"), default="on",
                    help="the turns in C where the executive can (default on, as fsw "
                         "run); off: its Python loop, the reference")
    args = ap.parse_args(argv)
    if args.gc == "off":
        gc.disable()
    from fsw_tools.mission import fly

    timers = _Timers()
    restore = _instrument(timers, fast_turns=args.fast_turns == "on")
    sc = scenario.resolve(args.scenario)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            fly(sc, duration_s=args.duration,
                archive=Path(tmp) / "run.fswarc" if args.archive else None)
    finally:
        restore()
        if args.gc == "off":
            gc.enable()
    ticks = max(timers.ticks, 1)

    def per_tick(ns: float) -> float:
        return ns / ticks / 1000.0

    names = [k[:-len(".turns")] for k in timers.n if k.endswith(".turns")]
    parts: dict[str, dict[str, float]] = {}
    turns_ns = 0
    for name in names:
        turn_ns, deliver_ns = timers.ns[name + ".turn"], timers.ns[name + ".deliver"]
        turns_ns += turn_ns
        parts[name] = {"turns": round(timers.n[name + ".turns"] / ticks, 3),
                       "packets": round(timers.n[name + ".packets"] / ticks, 3),
                       "deliver_us": round(per_tick(deliver_ns), 2),
                       "step_us": round(per_tick(turn_ns - deliver_ns), 2)}
    total, settle = per_tick(timers.ns["lead"]), per_tick(timers.ns["settle"])
    loop = total - per_tick(turns_ns) - settle
    timer = timers.calls * _timer_cost_ns() / ticks / 1000.0
    print(f"{args.scenario}: {ticks} ticks in orbit, archive {'on' if args.archive else 'off'}, "
          f"garbage collector {args.gc}, turns "
          f"{'in C (timed by the Ticker)' if timers.fast else 'in Python'}; "
          f"microseconds per tick:")
    print(f"  {'participant':14s} {'turns':>6s} {'packets':>8s} {'deliver':>8s} {'step':>8s}")
    for name, p in parts.items():
        print(f"  {name:14s} {p['turns']:6.2f} {p['packets']:8.2f} {p['deliver_us']:8.2f} "
              f"{p['step_us']:8.2f}")
    print(f"  settles (stream hash and taps) {settle:.2f}; the loop itself {loop:.2f}; "
          f"all {total:.2f} (of which the timers' own cost about {timer:.2f})")
    print(json.dumps({"scenario": args.scenario, "ticks": ticks, "archive": args.archive,
                      "gc": args.gc, "fast_turns": timers.fast,
                      "us_per_tick": round(total, 2), "participants": parts,
                      "settle_us_per_tick": round(settle, 2),
                      "loop_us_per_tick": round(loop, 2),
                      "timer_us_per_tick": round(timer, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
