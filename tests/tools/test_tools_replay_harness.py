"""The replay harness itself (acceptance 1, second half): a recorded run of a
small task replays identically; a deliberate change of the task's behaviour is
reported as the first diverging packet, with APID, sequence count, time and
field."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fsw_tools.archive import ArchiveWriter, read_archive
from fsw_tools.replay.harness import replay_compare
from ground_packets import field_values

from fsw.packets import DICTIONARY

GYRO = DICTIONARY["GYRO"]
ADCS_HK = DICTIONARY["ADCS_HK"]
T0 = 2.2e9
DT = 0.1


class RateFilter:
    """A toy ADCS task: low-pass filters gyro rates, reports them in ADCS_HK
    every step. ``glitch_at``/``gain`` change its behaviour from one step on;
    ``skip_at`` makes it stay silent at one step; ``extra_at`` send twice."""

    def __init__(self, glitch_at: int | None = None, gain: float = 1.0,
                 skip_at: int | None = None, extra_at: int | None = None) -> None:
        self.rate = (0.0, 0.0, 0.0)
        self.k = 0
        self.glitch_at, self.gain, self.skip_at, self.extra_at = glitch_at, gain, skip_at, extra_at

    def feed(self, packet: bytes, t_rx: float) -> None:
        rec = GYRO.parse(packet)
        a = 0.3 * (self.gain if self.glitch_at is not None and self.k >= self.glitch_at else 1)
        self.rate = tuple((1 - a) * r + a * m for r, m in zip(self.rate, rec.rate_B, strict=True))

    def step(self, t: float) -> list[bytes]:
        k = self.k
        self.k += 1
        if k == self.skip_at:
            return []
        values = {**field_values(ADCS_HK, 0), "rate_B": self.rate, "cycles": k,
                  "att_error": math.sqrt(sum(r * r for r in self.rate))}
        out = [ADCS_HK.build(t_tai=t, seq=k % 16384, **values)]
        if k == self.extra_at:
            out.append(ADCS_HK.build(t_tai=t, seq=k % 16384, **values))
        return out


def _record(path: Path, steps: int = 100) -> Path:
    """Run the nominal task in lockstep and record inputs and outputs."""
    task = RateFilter()
    with ArchiveWriter(path) as w:
        for k in range(steps):
            t = T0 + k * DT
            gyro = GYRO.build(t_tai=t, seq=k, rate_B=(0.01 * math.sin(k / 7), 0.002 * k, -0.01),
                              valid=1)
            w.write(gyro, t)
            task.feed(gyro, t)
            for out in task.step(t):
                w.write(out, t)
    return path


@pytest.fixture
def recording(tmp_path: Path):
    return read_archive(_record(tmp_path / "toy.fswarc"))


def _replay(archive, task):
    return replay_compare(archive, task, inputs=[GYRO.apid], outputs=[ADCS_HK.apid])


def test_unchanged_task_replays_exactly(recording) -> None:
    report = _replay(recording, RateFilter())
    assert report.ok, report.describe()
    assert (report.steps, report.inputs_fed, report.compared) == (100, 100, 100)


def test_changed_behaviour_names_the_first_diverging_packet(recording) -> None:
    report = _replay(recording, RateFilter(glitch_at=37, gain=1.01))
    d = report.divergence
    assert d is not None and d.kind == "field"
    assert (d.apid, d.name, d.index, d.seq) == (0x020, "ADCS_HK", 37, 37)
    assert d.t_rx == pytest.approx(T0 + 37 * DT)
    assert d.t_tai == pytest.approx(T0 + 37 * DT, abs=1 / 65536)
    assert d.field == "rate_B"
    assert d.recorded != d.replayed
    text = report.describe()
    assert "ADCS_HK" in text and "seq=37" in text and "rate_B" in text
    assert report.compared == 37


def test_missing_and_extra_packets_are_divergences(recording) -> None:
    d = _replay(recording, RateFilter(skip_at=50)).divergence
    # step 50 produced nothing, so packet #50 is the one of step 51: its cycles differ
    assert d is not None and (d.index, d.seq, d.field) == (50, 50, "seq")
    d = _replay(recording, RateFilter(extra_at=99)).divergence
    assert d is not None and (d.kind, d.index) == ("extra", 100)
    short = recording.select(stop=T0 + 60 * DT - 1e-3)
    d = _replay(short, RateFilter(extra_at=10)).divergence
    assert d is not None and d.kind == "field" and d.index == 11


def test_lost_output_at_the_end_is_missing(recording) -> None:
    class Mute(RateFilter):
        def step(self, t: float) -> list[bytes]:
            out = super().step(t)
            return [] if self.k > 98 else out

    d = _replay(recording, Mute()).divergence
    assert d is not None and (d.kind, d.index, d.seq) == ("missing", 98, 98)


def test_fixture_fails_with_the_divergence(recording, replay_harness) -> None:
    report = replay_harness(recording, RateFilter(), inputs=[GYRO.apid], outputs=[ADCS_HK.apid])
    assert report.ok
    with pytest.raises(pytest.fail.Exception, match=r"ADCS_HK #37 seq=37 .*rate_B"):
        replay_harness(recording, RateFilter(glitch_at=37, gain=1.01), inputs=[GYRO.apid],
                       outputs=[ADCS_HK.apid])
