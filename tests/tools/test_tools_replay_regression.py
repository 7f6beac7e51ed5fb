"""Acceptance 1: replaying the recorded short mission run of tests/data through
the flight software reproduces its recorded telemetry exactly (lockstep), and
a deliberate change in a task's behaviour is reported as the first diverging
packet. Acceptance 4 on the same mission run: ``fsw report``'s plots hold the
truth telemetry of the run.

The executives are rebuilt from the run's composition.json (recorded with the
run: configuration and participant order of each leg of
fsw_tools.mission.fly); the flight-software tasks are fresh, the recorded
world and ground station are replaced by ReplayInputs. When the
flight software's behaviour changes on purpose, regenerate the recording:
``python tests/data/make_short_run.py``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from fsw_tools.archive import read_archive
from fsw_tools.replay.composition import read_composition
from fsw_tools.replay.harness import ReplayReport
from fsw_tools.replay.mission import replay_run
from fsw_tools.rundir import RunDir

from fsw.packets import DICTIONARY, peek_apid
from fsw.tasks.adcs import AdcsTask

RUN = RunDir(Path(__file__).resolve().parents[1] / "data" / "short_run")
TC_APIDS = range(0x080, 0x100)
GYRO = DICTIONARY["GYRO"]
SENSOR_APIDS = range(0x100, 0x180)
REGENERATE = "if the change is intended, regenerate: python tests/data/make_short_run.py"


def _replay(adcs_cls: type | None = None, run: RunDir = RUN) -> list[ReplayReport]:
    """Replay every leg of ``run`` (as recorded in its composition.json)."""
    factories = {"adcs": lambda sc, keys: adcs_cls(sc)} if adcs_cls else None
    return replay_run(run.root, factories)


def test_recording_is_the_runs_hashed_stream() -> None:
    arc = read_archive(RUN.archive)
    assert arc.issues == []
    summary = RUN.read_summary()
    assert len(arc) == summary["packets"]
    assert hashlib.blake2b(arc.data, digest_size=32).hexdigest() == summary["packet_hash"]


def test_replay_reproduces_the_recorded_telemetry_exactly() -> None:
    reports = _replay()
    for i, leg in enumerate(reports):
        assert leg.ok, f"leg {i + 1}: {leg.describe()}; {REGENERATE}"
    leg1, leg2 = reports[0], reports[-1]  # on the ground, in orbit
    # it did compare something substantial in both legs: commands, acks, HK, ADCS
    assert leg1.inputs_fed > 10 and leg1.compared > 100
    assert leg2.inputs_fed > 100 and leg2.compared > 100
    for name in ("COMMAND_ACK", "MODE_STATUS", "HEARTBEAT"):
        assert leg1.recorded[DICTIONARY[name].apid] > 0
    for name in ("ADCS_STATE", "WHEEL_CMD"):
        apid = DICTIONARY[name].apid
        assert leg2.produced[apid] == leg2.recorded[apid] > 0


def test_a_fresh_recording_of_the_current_flight_software_replays_exactly(tmp_path) -> None:
    """The same replay on a run recorded now: if this passes and the stored
    recording does not, the flight software's behaviour changed (regenerate
    the stored recording if that was intended); if this fails, replay is broken."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_short_run", Path(__file__).resolve().parents[1] / "data" / "make_short_run.py")
    assert spec is not None and spec.loader is not None
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    run = RunDir(tmp_path / "fresh")
    maker.record(run.root, orbit_s=8.0)
    reports = _replay(run=run)
    for i, leg in enumerate(reports):
        assert leg.ok, f"leg {i + 1}: {leg.describe()}"
    assert reports[-1].compared > 50


class _Biased(AdcsTask):
    """The ADCS task with a changed behaviour: a 1 µrad/s gyro bias from the
    10th second after insertion on."""

    t_change: float = 0.0

    def step(self, t: float) -> None:
        # the task reads its sensor packets natively at the cycle, from the
        # packets kept since the last one: the GYRO ones are rewritten biased
        raw = self._raw
        for i, p in enumerate(raw):
            if peek_apid(p) == GYRO.apid:
                rec = GYRO.parse(p)
                if rec.t_tai >= self.t_change:
                    raw[i] = GYRO.build(t_tai=rec.t_tai, seq=rec.seq, valid=rec.valid,
                                        rate_B=tuple(x + 1e-6 for x in rec.rate_B))
        super().step(t)


def test_changed_task_is_reported_at_its_first_diverging_packet() -> None:
    _Biased.t_change = read_composition(RUN)[-1].config["t0_tai"] + 10.0  # insertion + 10 s
    reports = _replay(_Biased)
    assert all(leg.ok for leg in reports[:-1])  # the ADCS task runs only in orbit
    leg2 = reports[-1]
    d = leg2.divergence
    assert d is not None, leg2.describe()
    assert d.kind == "field" and d.field not in ("apid", "seq", "t_tai")
    assert d.name in ("ADCS_STATE", "WHEEL_CMD", "MTQ_CMD", "ADCS_HK")
    # not before the change, and within the next control cycle
    assert _Biased.t_change <= d.t_tai <= _Biased.t_change + 0.2
    assert d.seq is not None and f"seq={d.seq}" in leg2.describe()


def test_report_of_the_mission_run_plots_its_truth(tmp_path: Path) -> None:
    """Acceptance 4 on the recorded mission run (the synthetic run of
    test_tools_plots checks every series against known values)."""
    from fsw_tools.cli import main
    from fsw_tools.plots.run import figures, load_run

    out = tmp_path / "report.html"
    assert main(["report", str(RUN.root), "--out", str(out)]) == 0
    assert out.read_text().count("data:image/png;base64,") == 7  # the seven plots of fsw plot
    data = load_run(RUN.root)
    figs = figures(data)
    rel = DICTIONARY["TRUTH_RELATIVE"]
    arc = read_archive(RUN.archive)
    truth = [rel.parse(arc.packet(int(i))) for i in np.flatnonzero(arc.apids == rel.apid)]
    assert truth
    ax = figs["range"].axes[0]
    line = next(ln for ln in ax.lines if ln.get_label() == "range, truth")
    assert np.allclose(line.get_ydata(), [r.range for r in truth], rtol=1e-9)
    ax = figs["trajectory_hill"].axes[0]
    line = next(ln for ln in ax.lines if ln.get_label() == "truth")
    assert np.allclose(line.get_xdata(), [r.r_H[1] for r in truth])
    # the recorded run's own keep-out (its scenario.toml: 200 m since issue #16)
    import tomllib

    ko = tomllib.loads((RUN.root / "scenario.toml").read_text())["plan"]["keep_out_m"]
    assert ko == 200.0
    assert any(p.get_label() == f"keep-out sphere ({ko:.0f} m)" for p in ax.patches)
    wheels = figs["wheels"].axes[0]
    assert [ln.get_label() for ln in wheels.lines][:1] == ["wheel 1 (truth)"]
    assert all(len(ln.get_ydata()) == len(truth) for ln in wheels.lines)
    modes = figs["modes"].axes[0]
    assert len(modes.lines[0].get_ydata()) > 0
    att = figs["attitude"].axes[0]
    assert {"pointing error (truth)"} <= {ln.get_label() for ln in att.lines}
    prop = figs["propellant"].axes[0]
    assert any(ln.get_label() == "propellant, truth" and len(ln.get_ydata()) == len(truth)
               for ln in prop.lines)


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])


def test_fsw_replay_verify(capsys, tmp_path: Path) -> None:
    from fsw_tools.cli import main

    assert main(["replay", str(RUN.root), "--verify"]) == 0
    assert "replay reproduces the recording exactly" in capsys.readouterr().out
    assert main(["replay", str(tmp_path), "--verify"]) == 2  # not a run directory


def test_recorded_autonomy_hk_and_mode_status_carry_the_same_mission_mode() -> None:
    """One mode enum (fsw.packets.types.MODES = the autonomy task's Mode):
    every AUTONOMY_HK of the recorded run carries the mode of the latest
    MODE_STATUS before it (sent on change, in the same cycle), LAUNCH
    included, and both decode to the same names."""
    status, hk = DICTIONARY["MODE_STATUS"], DICTIONARY["AUTONOMY_HK"]
    assert status.enum_names("mode") == hk.enum_names("mode")
    arc = read_archive(RUN.archive)
    last, pairs = None, []
    for i in range(len(arc)):
        apid = int(arc.apids[i])
        if apid == status.apid:
            last = status.parse(arc.packet(i)).mode
        elif apid == hk.apid and last is not None:
            pairs.append((last, hk.parse(arc.packet(i)).mode))
    assert len(pairs) >= 5
    assert all(a == b for a, b in pairs), pairs
    assert "launch" in {hk.enum_names("mode")[m] for _, m in pairs}
