"""The ADCS task's cycle in one native call (``GuidanceCore.adcs_runner``,
gnc_adcs_sensors_step, issue #18) against the path it folds together: the
sensor reader's cycle (``AdcsCycle.sense``), the refused packets reported,
the target age written, then ``GuidanceCore.adcs_cycle`` -- the path a
board core keeps (checked here through the packet dispatcher as well).

On random streams of good, damaged and relabelled sensor packets
(hypothesis, the same generator as the reader's own tests), random modes,
pointing and target ages, every runner must return the same WHEEL_CMD
octets, report the same refused packets in the same order, and leave the
same input and output structs and reader state; a cycle the core refuses
raises the same typed error, after the report.
"""

from __future__ import annotations

import gc
import math
import weakref
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_adcs_sensors import ST_MAX_AGE, SUN_MAX_AGE, T0, sensor_packet

from fsw.core._ffi import ffi, lib
from fsw.core.attitude import AdcsCycle, AdcsMode
from fsw.core.dispatch import DispatchLink
from fsw.core.errors import GncDomainError, GncError, GncInputError, GncRangeError
from fsw.core.guidance import GuidanceCore, LocalCore, PacketCore
from fsw.packets import DICTIONARY
from fsw.scenario import Scenario
from fsw.tasks.adcs import AdcsTask

GYRO = DICTIONARY["GYRO"]


class TwoCallCore(LocalCore):
    """LocalCore with its own ``adcs_cycle`` (the same one): its runner is
    GuidanceCore's, the reader's cycle and then adcs_cycle, as a board's."""

    def adcs_cycle(self, cyc: AdcsCycle, seq: int) -> bytes:
        return super().adcs_cycle(cyc, seq)


class Flight:
    """A core, a cycle with its reader and a runner; what it reported."""

    def __init__(self, core: GuidanceCore) -> None:
        self.core = core
        core.adcs_configure(AdcsTask(Scenario()).config())
        self.cyc = AdcsCycle()
        self.cyc.sensors(3, 4, ST_MAX_AGE, SUN_MAX_AGE)
        self.log: list[Any] = []
        self.run = core.adcs_runner(self.cyc, lambda unread: self.log.append(("bad", unread)))
        self.set_cmd = self.cyc.setter("q_target_BN", "v_target_N")
        self.set_mode = self.cyc.setter("mode")

    def cycle(self, packets: list[bytes], t: float, age: float, seq: int) -> bytes | None:
        try:
            pkt = self.run(list(packets), t, age, seq)
        except GncError as exc:
            self.log.append(("error", type(exc)))
            return None
        self.log.append(("ok", pkt))
        return pkt

    def state(self) -> tuple[bytes, bytes, bytes]:
        c = self.cyc
        return (bytes(ffi.buffer(c.inp)), bytes(ffi.buffer(c.out)), bytes(ffi.buffer(c.sens)))


def _flights() -> list[Flight]:
    return [Flight(LocalCore()), Flight(TwoCallCore()), Flight(PacketCore(DispatchLink()))]


_MODE = st.sampled_from(list(AdcsMode))
_UNIT = st.floats(-1.0, 1.0)
_CYCLE = st.tuples(st.lists(sensor_packet(), max_size=6), st.integers(-2, 30), _MODE,
                   st.tuples(_UNIT, _UNIT, _UNIT, _UNIT), st.floats(0.0, 5.0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cycles=st.lists(_CYCLE, min_size=1, max_size=8), seq=st.integers(0, 0x3FFF))
def test_one_call_does_what_the_read_and_the_cycle_do(cycles, seq) -> None:
    fast, slow, board = _flights()
    t = T0
    for packets, dt, mode, q, age in cycles:
        t += dt / 40.0
        norm = math.sqrt(sum(x * x for x in q))
        q = tuple(x / norm for x in q) if norm > 0.1 else (1.0, 0.0, 0.0, 0.0)
        for f in (fast, slow, board):
            f.set_cmd(*q, 1000.0, -200.0, 500.0, 0.1, 0.0, -0.2)
            f.set_mode(int(mode))
            f.cycle(packets, t, age, seq)
        seq = (seq + 1) & 0x3FFF
        assert fast.log == slow.log == board.log
        assert fast.state() == slow.state()
        # the board's path: the same inputs and reader state, and outputs
        # bit for bit (NaNs too: floats cross the dispatcher as their octets)
        # after a cycle that ran (one the core refused leaves the local
        # outputs as far as the step wrote them, the board's as they were)
        fs, bs = fast.state(), board.state()
        assert (fs[0], fs[2]) == (bs[0], bs[2])
        if fast.log[-1][0] == "ok":
            assert fs[1] == bs[1]


def test_refused_packets_are_reported_before_the_cores_error() -> None:
    """A time the WHEEL_CMD packet cannot carry (before the CUC epoch): the
    core refuses the cycle; the packets read before it are reported first,
    and every runner raises the same typed error naming adcs_cycle."""
    good = GYRO.build(t_tai=T0, rate_B=(0.1, 0.0, 0.0), valid=1)
    bad = bytearray(good)
    bad[-1] ^= 1  # CRC
    messages = []
    for f in _flights():
        f.run([good], T0, 0.0, 1)  # a cycle that runs
        with pytest.raises(GncDomainError) as err:
            f.run([bytes(bad), good], -10.0, 0.0, 2)
        assert f.log == [("bad", [bytes(bad)])]
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("adcs_cycle: ")


def test_a_sequence_count_out_of_range_is_the_cycles_error() -> None:
    for f in _flights()[:2]:
        with pytest.raises(GncRangeError, match="adcs_cycle"):
            f.run([], T0, 0.0, 0x4000)
        with pytest.raises(GncInputError, match="adcs_cycle: bad input"):
            f.run([], T0, 0.0, 2**70)


def test_a_broken_reader_runs_nothing() -> None:
    """The reader's own refusal (a head count it cannot hold) is raised as
    the reader's, before anything is read or the core runs."""
    f = Flight(LocalCore())
    f.cyc.sens.heads = 7
    before = f.state()
    with pytest.raises(GncRangeError, match="adcs_sensors_cycle"):
        f.run([GYRO.build(t_tai=T0, rate_B=(0.1, 0.0, 0.0), valid=1)], T0, 0.0, 0)
    assert f.state() == before and f.log == []


def test_a_cycle_without_a_reader_is_refused() -> None:
    core = LocalCore()
    core.adcs_configure(AdcsTask(Scenario()).config())
    with pytest.raises(GncInputError, match="sensor reader"):
        core.adcs_runner(AdcsCycle(), print)


def test_an_unconfigured_core_says_so_at_the_cycle() -> None:
    cyc = AdcsCycle()
    cyc.sensors(3, 4, ST_MAX_AGE, SUN_MAX_AGE)
    run = LocalCore().adcs_runner(cyc, print)
    with pytest.raises(GncError, match="not configured"):
        run([], T0, 0.0, 0)


def test_the_c_entry_point_checks_its_arguments() -> None:
    f = Flight(LocalCore())
    unread, st_ = ffi.new("int *"), ffi.new("int *")
    c = f.cyc
    assert lib.gnc_adcs_sensors_step(c.sens, f.core._adcs._ctx, c.inp, ffi.NULL, ffi.NULL, 0,
                                     T0, 0.0, 0, ffi.NULL, unread, c.out, c.pkt,
                                     ffi.NULL) == lib.GNC_ERR_NULL
    st_[0] = 12345
    assert lib.gnc_adcs_sensors_step(c.sens, ffi.NULL, c.inp, ffi.NULL, ffi.NULL, 0, T0, 0.0,
                                     0, ffi.NULL, unread, c.out, c.pkt, st_) == 0
    assert st_[0] == lib.GNC_ERR_NULL and unread[0] == 0  # read, then the cycle refused


def test_the_run_entry_point_checks_its_arguments() -> None:
    """gnc_adcs_sensors_run (gnc_adcs_sensors_step on the arguments kept in
    a struct): no struct, or more packets than its buffers hold, is refused
    with nothing read or changed."""
    f = Flight(LocalCore())
    assert lib.gnc_adcs_sensors_run(ffi.NULL, ffi.NULL, 0, T0, 0.0, 0) == lib.GNC_ERR_NULL
    r = ffi.new("gnc_adcs_run *")
    c = f.cyc
    r.s, r.ctx, r.inp, r.out, r.wheel_cmd = c.sens, f.core._adcs._ctx, c.inp, c.out, c.pkt
    r.lens, r.status, r.cap = c._lens, c._status, 1
    good = GYRO.build(t_tai=T0, rate_B=(0.1, 0.0, 0.0), valid=1)
    before = f.state()
    assert lib.gnc_adcs_sensors_run(r, good * 2, 2, T0, 0.0, 0) == lib.GNC_ERR_RANGE
    assert f.state() == before
    r.step_status = 12345
    c._lens[0] = len(good)
    assert lib.gnc_adcs_sensors_run(r, good, 1, T0, 0.0, 0) == 0
    assert r.step_status == 0 and r.unread == 0
    r.ctx = ffi.NULL  # read, then the cycle refused (as the step's own test)
    assert lib.gnc_adcs_sensors_run(r, b"", 0, T0, 0.0, 0) == 0
    assert r.step_status == lib.GNC_ERR_NULL


def test_more_packets_than_the_buffers_hold_and_buffers_grown_elsewhere() -> None:
    """A cycle of more packets than the runner's buffers hold grows them; a
    read through the cycle (``AdcsCycle.read``: what a task that does not
    step every tick does) that grows the cycle's buffers under a runner
    leaves the runner reporting the packets its own call refused: against
    the two-call path, the same octets, reports and state."""
    good = [GYRO.build(t_tai=T0 + 0.01 * k, rate_B=(0.1, 0.0, 0.0), valid=1) for k in range(90)]
    bad = [p[:-1] + bytes([p[-1] ^ 1]) for p in good]
    fast, slow = _flights()[:2]
    for f in (fast, slow):
        f.cycle(good[:70] + bad[:3], T0 + 1.0, 0.0, 1)
        f.cyc.read(good[:80] + bad[:20])  # grows the cycle's buffers under the runner
        f.cycle([good[0], bad[1], good[2]], T0 + 1.1, 0.0, 2)
    assert fast.log == slow.log
    assert fast.log[0][0] == "bad" and fast.log[0][1] == bad[:3]
    assert fast.log[-2] == ("bad", [bad[1]])
    assert fast.state() == slow.state()


def test_the_runner_keeps_alive_what_its_c_struct_points_to() -> None:
    """The runner's gnc_adcs_run holds bare pointers to the reader and the
    ADCS context it was made with: both live as long as the runner, even
    when the cycle is given a new reader (``AdcsCycle.sensors`` again) or
    another core's runner and the runner's own core drops its ADCS
    (``adcs_configure`` again); the runner still flies them (a freed reader
    or context was read and written here: a use after free)."""
    config = AdcsTask(Scenario()).config()
    core = LocalCore()
    core.adcs_configure(config)
    cyc = AdcsCycle()
    cyc.sensors(3, 4, ST_MAX_AGE, SUN_MAX_AGE)
    run = core.adcs_runner(cyc, lambda unread: None)
    sens, ctx = weakref.ref(cyc.sens), weakref.ref(core._adcs._ctx)
    cyc.sensors(3, 4, ST_MAX_AGE, SUN_MAX_AGE)  # a new reader on the cycle
    other = LocalCore()
    other.adcs_configure(config)
    other.adcs_runner(cyc, lambda unread: None)
    core.adcs_configure(config)  # the runner's ADCS dropped by its core
    gc.collect()
    assert sens() is not None and ctx() is not None
    gyro = GYRO.build(t_tai=T0, rate_B=(0.1, 0.0, 0.0), valid=1)
    assert len(run([gyro], T0 + 0.1, 0.0, 1)) == len(cyc.packet())
    assert sens().gyro_ok  # the read went into the runner's own reader
