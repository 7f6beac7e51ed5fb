"""The clock owner's loop over whole ticks in C (``Ticker.run``, issue #18)
against the Python loop of :meth:`Executive._lead`, which stays the
reference (``fast_turns`` False runs it; with no extension at all, too).

Compared on the same toy mission: every packet of the stream with its
time (TIME at several periods among them), the hash, the per-task counts,
the bus counts, the sequence counts, the ticks run, the executive's tick
and time after the run -- for no tick, one tick, a stop requested in a step
(the run ends after that tick) or before the run, a world that raises (the
executive's tick and time where it stopped), a TIME packet whose build
raises, and a start time that is an int (the Python loop runs then).
"""

from __future__ import annotations

import pytest
from executive_toys import Controller, Monitor, Plant

import fsw.executive.executive as executive_module
from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig, ExecutiveError, Task

_hotpath = pytest.importorskip("fsw._hotpath")


class Stopper(Task):
    name = "stopper"
    rate_group = "attitude"

    def __init__(self, at: int | None) -> None:
        self.at = at

    def init(self, ctx) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        if self.ctx.tick == self.at:
            self.ctx_stop()


def _run(fast: bool, ticks: int, *, stop_at: int | None = None, stop_first: bool = False,
         world: type = Plant, **cfg) -> tuple:
    config = dict(seed=4, heartbeat_period_s=0.5, rates={"attitude": 10.0, "default": 1.0})
    config.update(cfg)
    ex = Executive(Bus.local(), ExecutiveConfig(**config))
    ex.fast_turns = fast
    ex.add_world(world())
    stopper = Stopper(stop_at)
    stopper.ctx_stop = ex.request_stop  # type: ignore[attr-defined]
    for t in (Controller(), Monitor(), stopper):
        ex.add(t)
    got: list = []
    ex.tap(lambda p, t: got.append((bytes(p), t)))
    calls: list[int] = []
    if fast:  # count the calls of the C loop
        make = ex._make_ticker

        def counting(*a):
            ticker = make(*a)
            return None if ticker is None else _Counted(ticker, calls)

        ex._make_ticker = counting  # type: ignore[method-assign]
    if stop_first:
        ex.request_stop()
    try:
        r = ex.run(ticks=ticks)
        out = (r.ticks, r.t_end, r.stream_hash, r.packets, r.tasks, r.bus, r.next_seq)
    except ExecutiveError as exc:
        out = (str(exc), repr(exc.__cause__))
    return out, got, ex.tick, ex.t, list(ex.seq), calls


class _Counted:
    """A Ticker whose ``run`` calls are counted (the rest passed through)."""

    def __init__(self, ticker, calls: list[int]) -> None:
        self._ticker, self._calls = ticker, calls

    def __call__(self, k, t):
        return self._ticker(k, t)

    def run(self, *args):
        k = self._ticker.run(*args)
        self._calls.append(k)
        return k

    def stats(self):
        return self._ticker.stats()


def _same(ticks: int, **kw) -> tuple:
    fast, slow = _run(True, ticks, **kw), _run(False, ticks, **kw)
    assert fast[:5] == slow[:5]
    return fast


@pytest.mark.parametrize("period", [1.0, 0.3, 0.1, 0.0])
def test_the_c_loop_runs_the_ticks_the_python_loop_runs(period: float) -> None:
    out, got, tick, _, _, calls = _same(95, time_period_s=period)
    assert out[0] == 95 and calls == [95] and tick == 94
    times = [p for p, _ in got if p[1] == executive_module.TIME.apid]
    assert len(times) == (95 if period <= 0.1 else len(range(0, 95, round(period * 10))))


@pytest.mark.parametrize("ticks", [0, 1, 2])
def test_no_tick_and_a_few(ticks: int) -> None:
    out, _, _, _, _, calls = _same(ticks)
    assert out[0] == ticks and calls == [ticks]


def test_a_stop_requested_in_a_step_ends_the_run_after_its_tick() -> None:
    out, _, tick, _, _, calls = _same(200, stop_at=57)
    assert out[0] == 58 and tick == 57 and calls == [58]


def test_a_stop_requested_before_the_run_runs_no_tick() -> None:
    out, _, _, _, _, calls = _same(50, stop_first=True)
    assert out[0] == 0 and calls == [0]


def test_a_world_that_raises_leaves_the_tick_and_time_as_python() -> None:
    class Breaks(Plant):
        def step(self, t: float) -> None:
            if self.ctx.tick == 23:
                raise ValueError("broken")
            super().step(t)

    out, _, tick, _, _, calls = _same(60, world=Breaks)
    assert "broken" in out[0] and tick == 23 and calls == []  # raised out of run()


def test_a_time_packet_that_cannot_be_built_raises_as_in_python(monkeypatch) -> None:
    build = executive_module.TIME.build

    class Time:
        apid = executive_module.TIME.apid

        @staticmethod
        def build(**kw):
            if kw["tick"] == 30:
                raise RuntimeError("no clock")
            return build(**kw)

    monkeypatch.setattr(executive_module, "TIME", Time)
    outs = []
    for fast in (True, False):
        config = dict(seed=4, heartbeat_period_s=0.5)
        ex = Executive(Bus.local(), ExecutiveConfig(**config))
        ex.fast_turns = fast
        ex.add_world(Plant())
        ex.add(Controller())
        got: list = []
        ex.tap(lambda p, t, got=got: got.append((bytes(p), t)))
        with pytest.raises(RuntimeError, match="no clock"):
            ex.run(ticks=60)
        outs.append((got, ex.tick, ex.t, list(ex.seq), ex._ticker is not None))
    assert outs[0][:4] == outs[1][:4] and outs[0][1] == 30
    assert outs[0][4] and not outs[1][4]


def test_an_int_start_time_keeps_the_python_loop() -> None:
    out, _, _, _, _, calls = _same(25, t0_tai=2_000_000_000)
    assert out[0] == 25 and calls == []


def test_a_participant_type_changed_in_the_run_is_read_as_changed(monkeypatch) -> None:
    """The Ticker reads a participant's plain __slots__ members in place
    only while their type is the one it saw (its version tag): a type
    changed during the run (here ``state`` becomes a property that counts
    its reads) is read through the attribute look-up from then on."""
    member = executive_module._Slot.__dict__["state"]
    reads: list[int] = []

    def get(slot):
        reads.append(1)
        return member.__get__(slot)

    class Swap(Task):
        name = "swap"
        rate_group = "attitude"

        def init(self, ctx) -> None:
            self.ctx = ctx

        def step(self, t: float) -> None:
            if self.ctx.tick == 20:
                monkeypatch.setattr(executive_module._Slot, "state",
                                    property(get, member.__set__))

    outs = []
    for fast in (True, False):
        reads.clear()
        ex = Executive(Bus.local(), ExecutiveConfig(seed=4, heartbeat_period_s=0.5))
        ex.fast_turns = fast
        ex.add_world(Plant())
        for t in (Controller(), Monitor(), Swap()):
            ex.add(t)
        got: list = []
        ex.tap(lambda p, t, got=got: got.append((bytes(p), t)))
        r = ex.run(ticks=60)
        outs.append((got, r.stream_hash, r.tasks, r.next_seq, len(reads)))
        monkeypatch.undo()
        assert executive_module._Slot.__dict__["state"] is member
    assert outs[0][:4] == outs[1][:4]
    # after the change, the C turns read every participant's state each tick
    assert outs[0][4] >= 4 * 39
