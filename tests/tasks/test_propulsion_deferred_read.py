"""The propulsion task's kept GYRO and ACCEL packets are read before another
packet's handler only when the order matters (issue #18): ADCS_STATE (while
coasting), PROP_STATUS and NAV_STATE commute with the read, which then waits
for the step or the next packet. Against the reference (every handler after
the read, as before), on random streams of good, refused and invalid sensor
packets, good and malformed other packets, coasting and firing, a handler
that raises: the same packets sent, the same events and bad-packet reports
in the same order, the same state after each step. (Within a turn a
refused sensor packet of a deferred read is reported later than the
reference reports it, but before anything else the task publishes: the
handlers that commute send nothing; so the turn's packets are the same, in
the same order.)"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from fsw.packets import DICTIONARY, PacketError
from fsw.packets.enums import BurnStatusState
from fsw.scenario import Scenario
from fsw.tasks.propulsion import PropulsionTask

GYRO, ACCEL = DICTIONARY["GYRO"], DICTIONARY["ACCEL"]
ADCS_STATE, NAV_STATE = DICTIONARY["ADCS_STATE"], DICTIONARY["NAV_STATE"]
PROP_STATUS = DICTIONARY["PROP_STATUS"]


class _Reference(PropulsionTask):
    """Every handler behind the read of the kept packets (the path before)."""

    def _parsed(self, pdef: Any, handler: Any, commutes: Any = None) -> Any:
        raw = self._raw

        def each(p: bytes) -> None:
            if raw:
                self._read_pending()
            try:
                r = pdef.parse(p)
            except PacketError as exc:
                self.ctx.bad_packet(pdef, exc)
                return
            handler(r)

        return each


def _fields(pdef, rng: random.Random) -> dict:
    out = {}
    for name, lay in pdef.layouts.items():
        if lay.kind == "array":
            out[name] = tuple(rng.gauss(0.0, 1.0) for _ in range(lay.count))
        elif lay.kind == "string":
            out[name] = ""
        elif "d" in lay.fmt or "f" in lay.fmt:
            out[name] = rng.gauss(1.0, 0.5)
        else:
            out[name] = 1
    return out


def _damage(raw: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return raw[:-1] + bytes([raw[-1] ^ 1])  # CRC
    return raw[:rng.randrange(2, len(raw))]  # cut short


def _stream(rng: random.Random, t: float) -> list[bytes]:
    out = []
    for _ in range(rng.randrange(0, 7)):
        kind = rng.random()
        if kind < 0.3:
            raw = GYRO.build(t_tai=t, seq=1, rate_B=(rng.gauss(0, 1e-3), 0.0, 0.0),
                             valid=rng.choice([0, 1, 1]))
        elif kind < 0.6:
            raw = ACCEL.build(t_tai=t, seq=1, dv_B=(rng.gauss(1e-4, 1e-5), 0.0, 0.0),
                              dt=rng.choice([0.1, 0.1, 0.0, math.nan]), valid=rng.choice([0, 1, 1]))
        else:
            pdef = rng.choice([ADCS_STATE, NAV_STATE, PROP_STATUS])
            f = _fields(pdef, rng)
            if pdef is PROP_STATUS:
                f["tank_pressure"] = rng.choice([1.5e6, 2.0e6, math.nan])
            if pdef is NAV_STATE:
                f["normal_N"] = (0.0, 0.0, 1.0) if rng.random() < 0.5 else f["normal_N"]
            raw = pdef.build(t_tai=t, seq=1, **f)
        out.append(_damage(raw, rng) if rng.random() < 0.1 else raw)
    return out


def _state(task: PropulsionTask, ctx) -> tuple:
    b = task.burn or {}
    return (task.rates, task.accel_cal, task.accel_bad, task.att, task.normal, task.F,
            task.gauge, task.pressure, b.get("meas_N"), b.get("n_acc"), task.state,
            list(ctx.bad), list(ctx.events), [repr(r) for r in ctx.sent])


def _fire(task: PropulsionTask) -> None:
    """A burn firing, with an accelerometer bias (the handed-back samples
    are summed in the attitude of the latest ADCS_STATE)."""
    task.state = BurnStatusState.FIRING
    task.burn = {"bias_B": (1e-5, 0.0, 0.0), "q": (1.0, 0.0, 0.0, 0.0), "meas_N": (0.0,) * 3,
                 "n_acc": 0}


@pytest.mark.parametrize("seed", range(8))
def test_deferred_read_is_the_read_first(seed, ctx, request) -> None:
    rng = random.Random(seed)
    ref_ctx = type(ctx)()
    new, ref = PropulsionTask(Scenario()), _Reference(Scenario())
    new.init(ctx)
    ref.init(ref_ctx)
    t = ctx.t
    for k in range(80):
        if k == 30:
            _fire(new)
            _fire(ref)
        if k == 60:
            new.state = ref.state = BurnStatusState.IDLE
            new.burn = ref.burn = None
        for raw in _stream(rng, t):
            ctx.deliver(raw)
            ref_ctx.deliver(raw)
        t += 0.1
        ctx.t = ref_ctx.t = t
        if 30 <= k < 60:  # firing: the step's read (its state machine needs a whole burn)
            new._read_pending()
            ref._read_pending()
        else:
            new.step(t)
            ref.step(t)
        assert _state(new, ctx) == _state(ref, ref_ctx)


def test_a_handler_that_raises_finds_the_kept_packets_read(ctx) -> None:
    """The kept packets are read (a refused one reported) before the error
    of a deferred handler goes on to the executive."""
    task = PropulsionTask(Scenario())
    task.init(ctx)
    acc = ACCEL.build(t_tai=ctx.t, seq=1, dv_B=(1e-4, 0.0, 0.0), dt=0.1, valid=1)
    ctx.deliver(acc[:-1] + bytes([acc[-1] ^ 1]))
    ctx.deliver(acc)

    def broken(r: Any) -> None:
        raise RuntimeError("handler bug")

    each = task._parsed(NAV_STATE, broken, task._always)
    nav = NAV_STATE.build(t_tai=ctx.t, seq=1, **_fields(NAV_STATE, random.Random(1)))
    with pytest.raises(RuntimeError, match="handler bug"):
        each(nav)
    assert [b[0] for b in ctx.bad] == ["ACCEL"] and task._raw == []
    assert task.accel_cal == [((1e-4, 0.0, 0.0), 0.1)]
