"""Benchmark of the avionics node (issue #18): what the world costs per 0.1 s
tick beyond its physics -- sampling every sensor at its rate, building the
sensor and truth packets and handing them to the bus.

Figures (microseconds per tick, best of ``--repeats`` loops):

- ``world_us_per_tick``: the anchor, measured in the same run: the world's
  physics alone (one native call per tick, both spacecraft);
- ``node_us_per_tick``: ``AvionicsNode.step`` per tick with a context whose
  ``publish`` keeps the bytes (the node's own work: physics, sensors, truth,
  packets);
- ``publish_us_per_tick``: the difference, the node's sensor and truth
  publishing per tick;
- ``executive_us_per_tick``: the node alone in a lockstep executive on a
  local bus (adds the bus, the stream hash and the executive's own packets).

    python tools/bench/avionics.py [--quick] [--repeats N]

The last line is one JSON object with those keys.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from array import array
from pathlib import Path
from typing import Any

# Run as a script, this folder is first on sys.path and its hil.py (another
# benchmark) would shadow the hil package: drop the folder from the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from fsw import scenario  # noqa: E402
from fsw.bus import Bus  # noqa: E402
from fsw.executive import Executive, ExecutiveConfig  # noqa: E402
from hil.avionics import AvionicsNode  # noqa: E402
from hil.sim.from_scenario import world_config  # noqa: E402
from hil.sim.world import World  # noqa: E402


class KeepCtx:
    """Just enough of a TaskContext: numbers packets per APID, keeps the
    bytes of the last tick (cleared by the caller)."""

    def __init__(self) -> None:
        self.t = 0.0
        #: per-APID counters as the executive's (the node's core numbers its
        #: sensor packets in place: a writable buffer of unsigned 16-bit counts)
        self.seq = array("H", bytes(2 * 2048))
        self.out: list[bytes] = []

    def subscribe(self, *_a: Any, **_k: Any) -> None:
        pass

    def next_seq(self, apid: int) -> int:
        s = self.seq[apid]
        self.seq[apid] = (s + 1) & 0x3FFF
        return s

    def publish(self, raw: bytes) -> None:
        self.out.append(raw)

    def send(self, pdef: Any, **fields: Any) -> bytes:
        raw = pdef.build(t_tai=self.t, seq=self.next_seq(pdef.apid), **fields)
        self.out.append(raw)
        return raw


def _config() -> Any:
    return world_config(scenario.resolve("short_inspection"))


def bench_world(ticks: int) -> float:
    w = World(_config())
    step = w.step
    t0 = time.perf_counter()
    for _ in range(ticks):
        step()
    return (time.perf_counter() - t0) / ticks * 1e6


def bench_node(ticks: int) -> tuple[float, int]:
    node = AvionicsNode(_config(), truth_period=1.0)
    ctx = KeepCtx()
    node.init(ctx)
    t0_tai, dt = node.world.tai, node.world.dt
    out = ctx.out
    step = node.step
    t0 = time.perf_counter()
    for k in range(ticks):
        t = t0_tai + k * dt
        ctx.t = t
        step(t)
        out.clear()
    wall = time.perf_counter() - t0
    return wall / ticks * 1e6, node.stats.sensor_packets + node.stats.truth_packets


def bench_executive(ticks: int) -> float:
    cfg = _config()
    node = AvionicsNode(cfg, truth_period=1.0)
    ex = Executive(Bus.local(), ExecutiveConfig(seed=cfg.seed, t0_tai=node.world.tai,
                                                rates={"default": 1.0, "attitude": 10.0}))
    ex.add_world(node)
    t0 = time.perf_counter()
    ex.run(ticks=ticks)
    return (time.perf_counter() - t0) / ticks * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="600 ticks per loop instead of 6000")
    ap.add_argument("--repeats", type=int, default=3, help="loops per figure (best is kept)")
    args = ap.parse_args(argv)
    ticks = 600 if args.quick else 6000
    reps = max(1, args.repeats)
    world = min(bench_world(ticks) for _ in range(reps))
    nodes = [bench_node(ticks) for _ in range(reps)]
    node = min(n for n, _ in nodes)
    packets = nodes[0][1]
    execu = min(bench_executive(ticks) for _ in range(reps))
    print(f"ticks per loop                 : {ticks} (0.1 s), best of {reps}")
    print(f"anchor: world physics alone    : {world:8.2f} us per tick")
    print(f"node step (physics + packets)  : {node:8.2f} us per tick "
          f"({packets / ticks:.2f} packets per tick)")
    print(f"sensor and truth publishing    : {node - world:8.2f} us per tick")
    print(f"node alone in an executive     : {execu:8.2f} us per tick")
    print(json.dumps({"world_us_per_tick": round(world, 2), "node_us_per_tick": round(node, 2),
                      "publish_us_per_tick": round(node - world, 2),
                      "executive_us_per_tick": round(execu, 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
