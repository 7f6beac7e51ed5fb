"""Limits declared in the dictionary: what a declaration may say, the
per-packet evaluation (ground console) and the vectorised one (archives)
agree, and the list of violations of a recorded stream is exactly the
episodes put into it."""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pytest
from fsw_tools.archive import ArchiveWriter, read_archive
from fsw_tools.archive.tables import decode_archive
from fsw_tools.limits import tai_to_utc, violations
from packet_strategies import random_values

from fsw.packets import DICTIONARY, DictionaryError
from fsw.packets.dictionary import Dictionary, Field, telemetry
from fsw.packets.limits import CRITICAL, NOMINAL, WARNING, Limits, check, levels
from fsw.packets.types import F64, U8, enum

T0 = 2.1e9


def test_at_least_twenty_parameters_have_limits() -> None:
    limited = [f"{p.name}.{f.name}" for p in DICTIONARY.values() for f in p.fields if f.limits]
    assert len(limited) >= 20
    for want in ("WHEEL_TACH.speed", "GYRO.rate_B", "ADCS_STATE.att_error", "RELNAV.range",
                 "PROP_HK.tank_pressure", "PROP_STATUS.propellant_mass", "COMMS_HK.seq_gaps"):
        assert want in limited


def test_range_levels_are_inclusive_and_nan_is_critical() -> None:
    lim = Limits(warning=(-1.0, 2.0), critical=(-5.0, 10.0))
    assert [lim.range_level(x) for x in (-1.0, 2.0, 2.5, -5.0, 10.0, 10.5, -6.0)] == [
        NOMINAL, NOMINAL, WARNING, WARNING, WARNING, CRITICAL, CRITICAL]
    assert lim.range_level(math.nan) == CRITICAL
    assert "warning outside [-1, 2]" in lim.describe()


@pytest.mark.parametrize("lim, error", [
    (Limits(warning=(0.0, 1.0), critical=(0.5, 2.0)), "contain the warning"),
    (Limits(warning=(2.0, 1.0)), "empty"),
    (Limits(), "no range"),
    (Limits(states={"busy": WARNING}), "enum field"),
    (Limits(warning=(None, 1.0), when=("nope", 1)), "'when'"),
    (Limits(warning=(None, 1.0), when=("mode", "asleep")), "no value"),
])
def test_bad_declarations_are_refused(monkeypatch, lim: Limits, error: str) -> None:
    import fsw.packets.dictionary as d

    monkeypatch.setattr(d, "DICTIONARY", Dictionary())  # declare into a scratch registry
    with pytest.raises(DictionaryError, match=error):
        telemetry(0x07E, "SCRATCH", [Field("mode", enum(U8, idle=0, busy=1)),
                                     Field("x", F64, "m", "", limits=lim)])


def test_scalar_and_vectorised_evaluation_agree() -> None:
    """check() on each packet == levels() on the decoded columns, for every
    packet type with limits and random values on both sides of the limits."""
    rng = random.Random(7)
    for pdef in DICTIONARY.values():
        lim_fields = [f for f in pdef.fields if f.limits]
        if not lim_fields:
            continue
        raws = []
        for i in range(60):
            vals = random_values(pdef, rng)
            for f in lim_fields:  # values near the bounds, not only far away
                lay = pdef.layouts[f.name]
                if f.limits.when is not None and rng.random() < 0.7:  # mostly in context
                    vals[f.limits.when[0]] = f.limits.when[1]
                if f.limits.numeric:
                    bounds = [b for b in (*f.limits.warning, *f.limits.critical) if b is not None]
                    pick = [b * rng.choice((0.9, 1.0, 1.1)) + rng.choice((-1, 0, 1))
                            for b in bounds for _ in range(2)]
                    if f.limits.valid[0] is not None:  # and sentinels ("unknown")
                        pick.append(f.limits.valid[0] - 1.0)
                    if lay.fmt[-1] not in "fd":
                        pick = [max(0, round(x)) for x in pick]
                    if lay.kind == "array":
                        vals[f.name] = tuple(rng.choice(pick) for _ in range(lay.count))
                    else:
                        vals[f.name] = rng.choice(pick)
            raws.append(pdef.build(t_tai=T0 + i, seq=i, **vals))
        recs = [pdef.parse(r) for r in raws]
        cols = {k: np.array([getattr(r, k) for r in recs]) for k in pdef.field_names}
        for f in lim_fields:
            vec_levels = levels(pdef, f, cols).tolist()
            one_by_one = [check(r).get(f.name, (-1, None))[0] for r in recs]
            assert vec_levels == one_by_one, (pdef.name, f.name)
            assert set(one_by_one) - {-1, NOMINAL}, f"{pdef.name}.{f.name}: never out of limits"


def _write(path, packets) -> None:
    with ArchiveWriter(path) as w:
        for raw in packets:
            w.write(raw, T0)


def test_violations_of_an_archive_are_the_episodes_put_in(tmp_path) -> None:
    """A stream with known excursions: st_age over 60 s (warning) then over
    600 s (critical) for a while, att_error over 5 deg while tracking (one
    episode) and while not tracking (ignored: outside its context), a task
    faulted for two heartbeats. violations() finds exactly these, with their
    times."""
    ADCS_STATE, HEARTBEAT = DICTIONARY["ADCS_STATE"], DICTIONARY["HEARTBEAT"]
    base = dict(mode=4, valid=1, q_BN=(1.0, 0.0, 0.0, 0.0), rate_B=(0.0, 0.0, 0.0),
                att_error=0.001, h_wheels=0.01, h_B=(0.01, 0.0, 0.0),
                wheels_ok=15, flags=0, st_age=0.4,
                att_sigma=1e-4, att_sigma_B=(1e-4,) * 3, heads_used=6, heads_valid=6,
                st_rejected=0)
    packets = []
    for k in range(100):
        v = dict(base)
        if 10 <= k < 20:
            v["st_age"] = 61.0 + k
        if 20 <= k < 25:
            v["st_age"] = 700.0 + k  # the same episode goes critical
        if 40 <= k < 45:
            v["att_error"] = 0.2 + 0.01 * k  # while tracking: warning
        if 60 <= k < 70:
            v["mode"], v["att_error"] = 3, 1.0  # inertial: the limit does not apply
        packets.append(ADCS_STATE.build(t_tai=T0 + k, seq=k, **v))
    # adcs faulted twice, then nominal; the monitor's nominal heartbeats in
    # between belong to another source and do not end the adcs episode
    for k, (task, state) in enumerate((("adcs", 5), ("monitor", 1), ("adcs", 5),
                                       ("monitor", 1), ("adcs", 1))):
        packets.append(HEARTBEAT.build(t_tai=T0 + 30.5 + 0.5 * k, seq=k, task=task,
                                       counter=k, state=state))
    arc = tmp_path / "a.fswarc"
    _write(arc, packets)
    found = violations(arc)
    got = [(v.parameter, v.level_name, v.start_tai - T0, v.end_tai - T0, v.samples, v.worst)
           for v in found]
    assert got == [
        ("ADCS_STATE.st_age", "critical", 10.0, 24.0, 15, 724.0),
        ("HEARTBEAT[adcs].state", "critical", 30.5, 31.5, 2, "faulted"),
        ("ADCS_STATE.att_error", "warning", 40.0, 44.0, 5, pytest.approx(0.64)),
    ]
    # the same from an Archive and from decoded tables
    assert violations(read_archive(arc)) == found
    assert violations(decode_archive(read_archive(arc))) == found
    utc = dt.datetime(1958, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=T0 + 10 - 37)
    assert tai_to_utc(T0 + 10) == utc  # TAI - UTC = 37 s
    assert found[0].start_utc == utc.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_array_limits_report_the_worst_element(tmp_path) -> None:
    TACH = DICTIONARY["WHEEL_TACH"]
    packets = [TACH.build(t_tai=T0 + k, seq=k, speed=(10.0, -550.0 - k, 0.0, 610.0 if k == 2
                                                        else 0.0)) for k in range(4)]
    _write(tmp_path / "w.fswarc", packets)
    (v,) = violations(tmp_path / "w.fswarc")
    assert (v.parameter, v.level_name, v.samples, v.worst) == (
        "WHEEL_TACH.speed", "critical", 4, 610.0)


def test_console_check_reports_the_worst_element_of_an_array() -> None:
    gyro = DICTIONARY["GYRO"]
    rec = gyro.parse(gyro.build(t_tai=T0, rate_B=(0.0, -0.05, 0.01), valid=1))
    assert check(rec)["rate_B"] == (WARNING, -0.05)
    rec = gyro.parse(gyro.build(t_tai=T0, rate_B=(0.1, -0.05, 0.01), valid=1))
    assert check(rec)["rate_B"] == (CRITICAL, 0.1)
