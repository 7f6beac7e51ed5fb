"""Worker of tests/mission/test_cpu_paths.py, run in a subprocess under one
CPU path (OPENBLAS_CORETYPE / NPY_DISABLE_CPU_FEATURES set by the caller):

    python cpu_path_run.py OUT_DIR

1. the world alone, for the short and the default scenario (their set-up
   maths included: time scales, elements -> state, the target carried from
   launch to insertion): the avionics node in a lockstep executive with a
   scripted command task (wheel torques, dipole, one thruster pulse, all from
   integer tick counts), 60 s; its packet-stream hash;
2. the short mission (``fsw run short_inspection --duration 300``) recorded to
   OUT_DIR/packets.fswarc; its hash;
3. the run of the recorded stream tests/data/short_run; its hash.

Prints one JSON object: {"world": {scenario: hash}, "mission": hash, "recorded": hash}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fsw_tools.mission import fly

from fsw import scenario
from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig, Task
from fsw.packets import DICTIONARY
from hil.avionics import AvionicsNode
from hil.sim.from_scenario import world_config

WHEEL_CMD, MTQ_CMD, THRUSTER_CMD = (DICTIONARY[n] for n in ("WHEEL_CMD", "MTQ_CMD",
                                                            "THRUSTER_CMD"))


class Commands(Task):
    """Actuator commands from the tick count (exact small binary fractions)."""

    name, rate_group = "commands", "attitude"

    def init(self, ctx) -> None:
        self.ctx = ctx
        self.k = 0

    def step(self, t: float) -> None:
        k = self.k
        self.k += 1
        s = float((k % 64) - 32) / 8192.0
        self.ctx.send(WHEEL_CMD, torque=(s, -s, 0.5 * s, 0.0))
        self.ctx.send(MTQ_CMD, dipole_B=(4.0 * s, 0.0, -4.0 * s))
        if k == 20:
            self.ctx.send(THRUSTER_CMD, on_time=(0.5,) + (0.0,) * 15)


def world_hash(name: str) -> str:
    cfg = world_config(scenario.resolve(name))
    node = AvionicsNode(cfg, truth_period=1.0)
    ex = Executive(Bus.local(), ExecutiveConfig(seed=cfg.seed, t0_tai=node.world.tai,
                                                rates={"default": 1.0, "attitude": 10.0}))
    ex.add_world(node)
    ex.add(Commands())
    return ex.run(duration_s=60.0).stream_hash


#: the run of tests/data/short_run (tests/data/make_short_run.py: SCENARIO, ORBIT_S)
RECORDED_SCENARIO, RECORDED_ORBIT_S = "victus_haze", 20.0


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    worlds = {name: world_hash(name) for name in ("short_inspection", "victus_haze")}
    res = fly(scenario.resolve("short_inspection"), duration_s=300.0,
              archive=out / "packets.fswarc")
    # the configuration of the recorded stream (tests/data/make_short_run.py)
    recorded = fly(scenario.resolve(RECORDED_SCENARIO), duration_s=RECORDED_ORBIT_S)
    print(json.dumps({"world": worlds, "mission": res.packet_hash,
                      "recorded": recorded.packet_hash}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
