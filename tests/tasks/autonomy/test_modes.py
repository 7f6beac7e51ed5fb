"""Mode state machine: nominal sequence through the gates, SAFE from
anywhere, abort, resume, and the FDIR persistence counter."""

from __future__ import annotations

import pytest

from fsw.tasks.autonomy.modes import (
    FORWARD,
    Health,
    Mode,
    ModeMachine,
    Persistence,
    TransitionRefusedError,
    gate,
)


def _all_go() -> Health:
    return Health(
        target_known=True,
        separated=True,
        attitude_valid=True,
        rate_rad_s=0.0,
        nav_valid=True,
        relnav_valid=True,
        wheels_ok=4,
        thrusters_ok=8,
        propellant_kg=10.0,
        at_hold=True,
        range_m=2000.0,
        keep_out_m=100.0,
        checkout_done=True,
    )


def test_nominal_sequence_reaches_departure() -> None:
    m = ModeMachine()
    h = _all_go()
    for t in range(len(FORWARD)):
        m.advance(float(t), h)
    assert m.mode is Mode.DEPARTURE
    assert [tr.to for tr in m.history] == list(FORWARD.values())
    assert m.time_in(Mode.PROX_OPS) == 4.0
    with pytest.raises(TransitionRefusedError):
        m.advance(9.0, h)


@pytest.mark.parametrize(
    ("to", "change", "reason"),
    [
        (Mode.LAUNCH, {"target_known": False}, "target orbit"),
        (Mode.COMMISSIONING, {"separated": False}, "separated"),
        (Mode.PHASING, {"rate_rad_s": 0.1}, "detumble"),
        (Mode.PHASING, {"checkout_done": False}, "checkouts"),
        (Mode.PHASING, {"wheels_ok": 2}, "wheels"),
        (Mode.RENDEZVOUS, {"at_hold": False}, "hold"),
        (Mode.PROX_OPS, {"relnav_valid": False}, "relative navigation"),
        (Mode.PROX_OPS, {"range_m": 50.0}, "keep-out"),
        (Mode.PROX_OPS, {"propellant_kg": 0.0, "propellant_min_kg": 1.0}, "propellant"),
    ],
)
def test_each_gate_condition_is_a_no_go(to: Mode, change: dict, reason: str) -> None:
    h = _all_go()
    assert gate(to, h) == []
    for k, v in change.items():
        setattr(h, k, v)
    no = gate(to, h)
    assert len(no) == 1 and reason in no[0]


def test_refused_transition_keeps_mode_and_lists_reasons() -> None:
    m = ModeMachine(mode=Mode.COMMISSIONING)
    h = _all_go()
    h.nav_valid = False
    h.attitude_valid = False
    with pytest.raises(TransitionRefusedError) as err:
        m.advance(1.0, h)
    assert len(err.value.reasons) == 2
    assert m.mode is Mode.COMMISSIONING and m.history == []


@pytest.mark.parametrize("mode", list(Mode))
def test_safe_from_anywhere_and_resume(mode: Mode) -> None:
    m = ModeMachine(mode=mode)
    tr = m.safe(5.0, "test")
    if mode is Mode.SAFE:
        assert tr is None
        return
    assert m.mode is Mode.SAFE and tr.frm is mode
    assert m.safe(6.0, "again") is None  # already safe: no new transition
    m.resume(7.0, _all_go())
    assert m.mode is mode


def test_abort_only_when_free_flying() -> None:
    with pytest.raises(TransitionRefusedError):
        ModeMachine(mode=Mode.STANDBY).abort(0.0, "ground")
    m = ModeMachine(mode=Mode.RENDEZVOUS)
    m.abort(1.0, "ground")
    assert m.mode is Mode.DEPARTURE


def test_resume_checks_gate() -> None:
    m = ModeMachine(mode=Mode.PROX_OPS)
    m.safe(0.0, "fault")
    h = _all_go()
    h.wheels_ok = 2
    with pytest.raises(TransitionRefusedError, match="wheels"):
        m.resume(1.0, h)
    assert m.mode is Mode.SAFE


def test_persistence_counter() -> None:
    p = Persistence(n=3)
    assert [p.update(b) for b in (True, True, False, True, True)] == [False] * 5
    assert not p.tripped  # interrupted runs do not trip
    assert p.update(True) is True and p.tripped
    assert p.update(True) is False  # trips once
    for _ in range(2):
        p.update(False)
    assert p.tripped  # needs 3 good samples to clear
    p.update(False)
    assert not p.tripped and p.trips == 1
