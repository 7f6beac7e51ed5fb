"""What the mission monitor does with bad input inside a real executive
(issue #18): the behaviour any cheaper feed of the monitor must keep, pinned
at the level the run sees it -- the monitor's counters in the run result
(``bad_packets``, ``faults``, ``discarded``) and the EVENT packets in the
stream.

Today (the handlers of :mod:`fsw_tools.mission.monitor`):

- the packets it reads with a ``struct`` reader (TRUTH_CHASER, ADCS_STATE,
  NAV_STATE, ...) are not checked: one with a wrong CRC is scored as it
  is, no event, and so is one cut short that still holds every field
  its reader reads; one too short for the reader raises in the handler: a
  fault of the monitor (TASK_EXCEPTION, unsubscribed until a restart later);
  a packet whose length field disagrees with its length never gets here
  (the bus refuses it to its publisher);
- MODE_STATUS with a mode the dictionary does not know, or STAR_TRACKER too
  short to hold ``valid``: a fault likewise;
- the packets it parses (EVENT, BURN_STATUS, NAV_HK, ...) and a damaged
  RELNAV before the handover: the parser's error, counted and reported by
  the executive (``bad_packets``, BAD_PACKET "APID 0x... dropped: ..."), no
  fault, the next packets handled;
- non-finite values in a whole packet are scored (no event, no fault);
- RELNAV is read until the handover only: after it, a damaged one goes
  unread and unreported.

Each case flies a few ticks with one participant publishing the packet and
the monitor last, as in a mission's orbit leg.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Any

import pytest
from fsw_tools.mission import monitor as mon_mod
from fsw_tools.mission.monitor import Monitor

from fsw.bus import Bus
from fsw.executive import Executive, ExecutiveConfig
from fsw.executive import events as ev
from fsw.packets import DICTIONARY, PacketError
from fsw.scenario import load_builtin

D = DICTIONARY
T0 = 2158963837.0


def _chaser(t: float, r: tuple[float, float, float] = (7.0e6, 0.0, 0.0)) -> bytes:
    return D["TRUTH_CHASER"].build(
        t_tai=t, r_N=r, v_N=(0.0, 7.5e3, 0.0), q_BN=(1.0, 0.0, 0.0, 0.0), w_B=(0.0, 0.0, 0.0),
        wheel_speed=(0.0,) * 4, mass=100.0, propellant_mass=10.0, tank_pressure=1e6,
        eclipse=0, battery_soc=0.8, array_power=0.0)


def _bad_crc(raw: bytes) -> bytes:
    return raw[:-1] + bytes([raw[-1] ^ 0x5A])


def _short(raw: bytes, cut: int) -> bytes:
    """``raw`` less ``cut`` octets before its CRC, framed again (length
    field and CRC made good: the bus takes it; a packet whose length field
    disagrees with its length never reaches a subscriber: the bus refuses it
    to its publisher, BusPacketError)."""
    b = bytearray(raw[:-2 - cut])
    b[4:6] = (len(b) + 2 - 7).to_bytes(2, "big")
    return bytes(b) + mon_mod._crc(bytes(b), 0xFFFF).to_bytes(2, "big")


class _Injector:
    """Publishes the packets of ``packets(t)`` one a tick from tick 2 on
    (before the monitor's turn)."""

    name = "inject"

    def __init__(self, packets: Callable[[float], list[bytes]]) -> None:
        self.packets = packets
        self.k = 0
        self.todo: list[bytes] = []

    def init(self, ctx: Any) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        if self.k == 2:
            self.todo = self.packets(t)
        if self.k >= 2 and self.todo:
            self.ctx.publish(self.todo.pop(0))
        self.k += 1


def _fly(packets: Callable[[float], list[bytes]]) -> tuple[Any, Monitor, list[Any]]:
    """Fly 10 ticks; the monitor's run record, the monitor and the stream's
    EVENT records."""
    bus = Bus.local(hwm=100_000)
    tap = Bus.tap(bus.endpoint, hwm=100_000)
    tap.subscribe_all()
    try:
        ex = Executive(bus, ExecutiveConfig(rates={"default": 10.0}, seed=1, t0_tai=T0,
                                           heartbeat_period_s=0.0))
        ex.add(_Injector(packets))
        mon = Monitor(load_builtin("short_inspection"))
        ex.add(mon)
        mon.request_stop = ex.request_stop
        result = ex.run(ticks=10)
        stream: list[bytes] = []
        tap.drain(stream.append)
    finally:
        tap.close()
        bus.close()
    event = D["EVENT"]
    events = []
    for p in stream:
        if ((p[0] << 8) | p[1]) & 0x7FF == event.apid:
            with contextlib.suppress(PacketError):  # the injected damaged EVENT
                events.append(event.parse(p))
    return result.tasks["monitor"], mon, events


def _monitor_events(events: list[Any]) -> list[tuple[int, int, str]]:
    return [(e.event_id, int(e.severity), e.text) for e in events if e.source == "monitor"]


def test_a_whole_packet_with_a_bad_crc_is_scored_as_it_is() -> None:
    """The struct-read truth packets are not checked: scored, no event."""
    st, mon, events = _fly(lambda t: [_bad_crc(_chaser(t)), _chaser(t + 1.0)])
    assert (st.bad_packets, st.faults, st.discarded) == (0, 0, 0)
    assert _monitor_events(events) == []
    assert mon.score.propellant0_kg == 10.0 and mon.score.mass_kg == 100.0
    assert len(mon.burns.tables()["TRUTH_CHASER"]["t_tai"]) == 2


def test_a_short_packet_holding_the_fields_read_is_scored() -> None:
    """The struct readers read the fields they need and skip the rest: a
    TRUTH_CHASER cut short after ``battery_soc`` is scored, no event."""
    cut = D["TRUTH_CHASER"].size - mon_mod._CHASER.size
    st, mon, events = _fly(lambda t: [_short(_chaser(t), cut)])
    assert (st.bad_packets, st.faults, st.discarded) == (0, 0, 0)
    assert _monitor_events(events) == []
    assert mon.score.propellant0_kg == 10.0


def test_non_finite_values_are_scored_without_an_event() -> None:
    nan = math.nan
    st, mon, events = _fly(lambda t: [_chaser(t, (nan, math.inf, 0.0)),
                                      D["TRUTH_TARGET"].build(t_tai=t, r_N=(nan, 0.0, 0.0),
                                                              v_N=(0.0, 0.0, 0.0))])
    assert (st.bad_packets, st.faults, st.discarded) == (0, 0, 0)
    assert _monitor_events(events) == []
    assert mon.score.first_track_t is None
    assert len(mon.burns.tables()["TRUTH_CHASER"]["t_tai"]) == 1


def _mode_status(t: float, mode: int) -> bytes:
    ok = D["MODE_STATUS"].build(t_tai=t, mode=1, activity=0, leg="x", transitions=0)
    b = bytearray(ok)
    b[mon_mod._MODE_AT] = mode
    b[-2:] = mon_mod._crc(bytes(b[:-2]), 0xFFFF).to_bytes(2, "big")
    return bytes(b)


def _tracker(t: float) -> bytes:
    return D["STAR_TRACKER"].build(t_tai=t, q_BN=(1.0, 0.0, 0.0, 0.0), valid=1, head=0)


@pytest.mark.parametrize(("name", "make"), [
    # shorter than the fields its reader reads (the last ones it skips)
    ("TRUTH_CHASER", lambda t: _short(_chaser(t), 12)),
    ("ADCS_STATE", lambda t: _short(D["ADCS_STATE"].build(
        t_tai=t, mode=0, valid=1, q_BN=(1.0, 0.0, 0.0, 0.0), rate_B=(0.0,) * 3, att_error=0.0,
        h_wheels=0.0, h_B=(0.0,) * 3, wheels_ok=1, flags=0, st_age=0.0, att_sigma=0.0,
        att_sigma_B=(0.0,) * 3, heads_used=0, heads_valid=0, st_rejected=0), 4)),
    ("STAR_TRACKER", lambda t: _short(_tracker(t), len(_tracker(t)) - 44)),  # 44 octets
    ("MODE_STATUS", lambda t: _mode_status(t, 250)),
])
def test_a_packet_the_handler_cannot_read_is_a_fault_of_the_monitor(
        name: str, make: Callable[[float], bytes]) -> None:
    """Too short for its reader (or a mode the dictionary does not know):
    the handler raises, the executive faults the monitor (TASK_EXCEPTION,
    ERROR) and unsubscribes it until its restart: the sample after it is
    not scored."""
    st, mon, events = _fly(lambda t: [make(t), _chaser(t + 1.0)])
    assert (st.faults, st.bad_packets, st.state) == (1, 0, "faulted")
    got = _monitor_events(events)
    assert [(i, s) for i, s, _ in got] == [(ev.TASK_EXCEPTION, 3)]
    assert got[0][2].startswith("handler: ")
    assert mon.score.propellant0_kg is None


@pytest.mark.parametrize(("name", "make"), [
    ("EVENT", lambda t: _bad_crc(ev.event_packet(t, 0, 2, 99, "adcs", "x"))),
    ("NAV_HK", lambda t: _short(D["NAV_HK"].build(
        t_tai=t, source=0, target_known=0, sigma_pos=0.0, nis=0.0, ekf_starts=0,
        ekf_failures=0, rejected=0, gps_stale=0, inflations=0, resets=0, sigma_vel=0.0,
        clock_state=1, clock_offset=0.0, clock_sigma=0.0, clock_drift=0.0, clock_rejected=0,
        clock_resets=0), 1)),
    ("BURN_STATUS", lambda t: _bad_crc(D["BURN_STATUS"].build(
        t_tai=t, burn_id=1, state=2, dv_done=0.0, dv_total=0.0, thrusters_ok=0,
        propellant=0.0, dv_N=(0.0,) * 3, dv_dt=0.0))),
    ("RELNAV", lambda t: _bad_crc(D["RELNAV"].build(
        t_tai=t, range=0.0, azimuth=0.0, elevation=0.0, valid=1, ranged=0))),
])
def test_a_packet_the_monitor_parses_is_counted_and_reported(
        name: str, make: Callable[[float], bytes]) -> None:
    """The parser's error: the executive counts the packet (bad_packets) and
    reports it (BAD_PACKET, WARNING); the monitor goes on with the next."""
    st, mon, events = _fly(lambda t: [make(t), _chaser(t + 1.0)])
    assert (st.bad_packets, st.faults, st.discarded) == (1, 0, 0)
    got = _monitor_events(events)
    assert [(i, s) for i, s, _ in got] == [(ev.BAD_PACKET, 2)]
    assert got[0][2].startswith(f"APID 0x{D[name].apid:03X} dropped: {name}: ")
    assert mon.score.propellant0_kg == 10.0  # the next packet scored


def test_an_intact_relnav_without_the_target_and_any_after_the_handover_go_unread() -> None:
    """RELNAV is looked at until the handover: a damaged one after it is
    neither parsed nor reported (as the monitor has always done)."""
    relnav = D["RELNAV"]
    st, mon, events = _fly(lambda t: [
        relnav.build(t_tai=t, range=0.0, azimuth=0.0, elevation=0.0, valid=0, ranged=0),
        relnav.build(t_tai=t + 1.0, range=9.0, azimuth=0.0, elevation=0.0, valid=1, ranged=1),
        _bad_crc(relnav.build(t_tai=t + 2.0, range=9.0, azimuth=0.0, elevation=0.0, valid=1,
                              ranged=1))])
    assert (st.bad_packets, st.faults, st.discarded) == (0, 0, 0)
    assert _monitor_events(events) == []
    assert mon.nav.angles.done
