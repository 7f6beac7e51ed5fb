"""Regenerate tests/data/short_run/: a short recorded mission run (the default
scenario from the launch notice to a few seconds after insertion) used by the
replay regression test (tests/tools/test_tools_replay_regression.py) and the report
test. Run it when the flight software's behaviour changes on purpose::

    python tests/data/make_short_run.py

It writes the run directory layout of fsw_tools.rundir (packets.fswarc,
summary.json, scenario.toml, composition.json: the executives of the run, so
the replay rebuilds them as they were).
"""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

#: seconds of the orbit leg recorded after insertion
ORBIT_S = 20.0
SCENARIO = "victus_haze"
HERE = Path(__file__).resolve().parent
OUT = HERE / "short_run"


def record(out: Path, orbit_s: float = ORBIT_S) -> Path:
    """Fly the scenario and write the run directory ``out`` (replaced)."""
    import fsw_tools.mission
    from fsw_tools.mission import fly, summary
    from fsw_tools.replay.composition import capture_composition, write_composition
    from fsw_tools.rundir import RunDir

    from fsw.scenario import load

    if out.exists():
        shutil.rmtree(out)
    run = RunDir(out).create()
    src = resources.files("fsw").joinpath(f"scenarios/{SCENARIO}.toml")
    run.scenario.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    sc = load(run.scenario)  # flown from the copy the replay test reads
    with capture_composition(fsw_tools.mission) as legs:
        res = fly(sc, archive=run.archive, duration_s=orbit_s)
    write_composition(run, legs)
    data = summary(res)
    data["insertion_tai"] = res.insertion_tai
    data["orbit_s"] = orbit_s
    run.write_summary(data)
    print(f"{out}: {res.packets} packets, {run.archive.stat().st_size} bytes, "
          f"hash {res.packet_hash}")
    return out


def main() -> int:
    record(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
