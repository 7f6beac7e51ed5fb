"""``fsw report`` lists every limit violation of the run with its time (the
dictionary's limits, fsw_tools.limits)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fsw_tools.archive import ArchiveWriter
from fsw_tools.cli import main
from fsw_tools.rundir import RunDir

from fsw.packets import DICTIONARY

T0 = 2.1e9


def test_report_lists_limit_violations_with_their_time(tmp_path: Path) -> None:
    run = RunDir(tmp_path / "run").create()
    prop = DICTIONARY["PROP_STATUS"]
    with ArchiveWriter(run.archive) as w:
        for k in range(30):  # the propellant runs low from k = 20 (warning below 3 kg)
            w.write(prop.build(t_tai=T0 + 10 * k, seq=k, tank_pressure=2.0e6,
                               propellant_mass=4.0 - 0.1 * k), T0 + 10 * k)
    run.write_summary({"scenario": "synthetic", "outcome": "DEPARTURE"})
    out = tmp_path / "r.html"
    assert main(["report", str(run.root), "--out", str(out)]) == 0
    text = out.read_text()
    assert re.search(r"<h2>Limit violations</h2>\s*<p>1 episodes", text)
    start = dt.datetime(1958, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=T0 + 110 - 37)
    row = re.search(r"<tr><td[^>]*>warning</td><td>PROP_STATUS\.propellant_mass</td>"
                    r"<td>([^<]+)</td><td[^>]*>([^<]+)</td><td[^>]*>(\d+)</td><td>([^<]+)</td>",
                    text)
    assert row, text[text.index("Limit violations"):][:800]
    assert row.group(1) == start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert (float(row.group(2)), int(row.group(3))) == (180.0, 19)
    assert row.group(4).startswith("1.1")  # the lowest propellant left, kg
