"""The ADCS task's sensor packets, read natively at the cycle (issue #18):
a packet that does not parse is counted and reported exactly as the
executive reports one for a ``parse=True`` subscription (the task's former
subscriptions): the same BAD_PACKET events, text, time, sequence and order
(interleaved with refused ADCS_REQUEST and NAV_STATE packets), the same
``bad_packets`` count, whether the task steps every tick or not."""

from __future__ import annotations

import binascii

import pytest

from fsw.bus import Bus
from fsw.core.guidance import LocalCore
from fsw.executive import Executive, ExecutiveConfig, events
from fsw.packets import DICTIONARY, PacketError
from fsw.scenario import Scenario
from fsw.tasks.adcs import SENSORS, AdcsTask

GYRO, STAR_TRACKER = DICTIONARY["GYRO"], DICTIONARY["STAR_TRACKER"]
SUN_SENSOR, MAGNETOMETER = DICTIONARY["SUN_SENSOR"], DICTIONARY["MAGNETOMETER"]
GPS, WHEEL_TACH = DICTIONARY["GPS"], DICTIONARY["WHEEL_TACH"]
ADCS_REQUEST, NAV_STATE = DICTIONARY["ADCS_REQUEST"], DICTIONARY["NAV_STATE"]
EVENT = DICTIONARY["EVENT"]
Q1 = (1.0, 0.0, 0.0, 0.0)


def _crc_fix(b: bytearray) -> bytes:
    b[-2:] = binascii.crc_hqx(bytes(b[:-2]), 0xFFFF).to_bytes(2, "big")
    return bytes(b)


def _resized(p: bytes, n: int) -> bytes:
    """``p`` cut or padded to ``n`` octets, its length field and CRC made
    right (what the bus carries: one whole space packet)."""
    b = bytearray(p[:n - 2].ljust(n - 2, b"\0") + b"\0\0")
    b[4], b[5] = (n - 7) >> 8, (n - 7) & 0xFF
    return _crc_fix(b)


def _nav(t: float) -> bytes:
    return NAV_STATE.build(
        t_tai=t, valid=1, source=2, r_rel_N=(0.0, 0.0, 1000.0), v_rel_N=(0.0,) * 3,
        rho_H=(0.0,) * 3, rho_dot_H=(0.0,) * 3, r_target_N=(7e6, 0.0, 0.0),
        v_target_N=(0.0, 7.5e3, 0.0), sun_N=(1.0, 0.0, 0.0), normal_N=(0.0, -1.0, 0.0),
        mean_motion=1.1e-3, sigma_pos=1.0, sigma_vel=0.01, flags=0,
        cov_pos_H=(1.0, 0.0, 0.0, 1.0, 0.0, 1.0), nis=0.0)


def _script(t: float, k: int) -> list[bytes]:
    """One tick's packets for the ADCS: good ones and each kind of bad one."""
    gyro = GYRO.build(t_tai=t, rate_B=(0.001, 0.0, 0.0), valid=1)
    st = STAR_TRACKER.build(t_tai=t, q_BN=Q1, valid=1, head=k % 3)
    sun = SUN_SENSOR.build(t_tai=t, sun_B=(0.0, 0.0, 1.0), valid=1)
    mag = MAGNETOMETER.build(t_tai=t, b_B=(2e-5, 0.0, 3e-5), valid=1)
    gps = GPS.build(t_tai=t, r_N=(7e6, 0.0, 0.0), v_N=(0.0, 7.5e3, 0.0), valid=1,
                    obc_time=t, gps_time=t)
    tach = WHEEL_TACH.build(t_tai=t, speed=(1.0, 2.0, 3.0, 4.0))
    req = ADCS_REQUEST.build(t_tai=t, source=0, active=1, mode=2, q_BN=Q1)
    bad_crc = bytearray(gyro)
    bad_crc[20] ^= 4
    cut = _resized(st, len(st) - 3)
    bad_flags = bytearray(sun)
    bad_flags[2] &= 0x3F
    bad_nav = bytearray(_nav(t))
    bad_nav[30] ^= 1
    bad_req = bytearray(req)
    bad_req[15] ^= 2
    return [
        [gyro, bytes(bad_crc), bytes(bad_nav), st, cut, mag, tach],
        [_crc_fix(bad_flags), sun, gps, bytes(bad_req), _resized(tach, len(tach) + 2), req],
        [_nav(t), gyro, mag],
        [],
    ][k % 4]


class Source:
    """Publishes the script's packets at every step."""

    name = "source"

    def __init__(self, rate_group: str) -> None:
        self.rate_group = rate_group
        self.k = 0

    def init(self, ctx) -> None:
        self.ctx = ctx

    def step(self, t: float) -> None:
        for p in _script(t, self.k):
            self.ctx.publish(p)
        self.k += 1


class ParsedAdcs:
    """The task's former subscriptions (parse=True, handlers doing nothing
    observable): what the executive reported for the packets it refused."""

    name = "adcs"
    rate_group = "attitude"

    def init(self, ctx) -> None:
        for pdef in (*SENSORS, ADCS_REQUEST, NAV_STATE):
            ctx.subscribe(pdef, lambda r: None, parse=True)

    def step(self, t: float) -> None:
        pass


def _bad_events(task, rates: dict, source_group: str) -> tuple[list, int]:
    ex = Executive(Bus.local(), ExecutiveConfig(seed=1, rates=rates))
    ex.add(Source(source_group))
    ex.add(task)
    got: list = []
    ex.tap(lambda p, t: got.append(p) if ((p[0] << 8 | p[1]) & 0x7FF) == EVENT.apid else None)
    res = ex.run(ticks=40)
    assert res.tasks["source"].faults == 0  # the bus carried every packet
    st = res.tasks["adcs"]
    assert (st.state, st.faults) == ("nominal", 0)
    evs = [EVENT.parse(p) for p in got]
    return ([(e.t_tai, e.seq, e.severity, e.text) for e in evs
             if e.source == "adcs" and e.event_id == events.BAD_PACKET], st.bad_packets)


@pytest.mark.parametrize(("rates", "source_group"), [
    ({"attitude": 10.0, "default": 1.0}, "attitude"),          # the ADCS steps every tick
    ({"attitude": 10.0, "fast": 20.0, "default": 1.0}, "fast"),  # every second tick
])
def test_bad_packets_are_reported_as_the_executive_reports_them(rates, source_group) -> None:
    want, want_n = _bad_events(ParsedAdcs(), rates, source_group)
    got, n = _bad_events(AdcsTask(Scenario(), LocalCore()), rates, source_group)
    assert want_n > 40 and len(want) == want_n
    assert {t.split(" ")[0] for *_, t in want} == {"GYRO", "STAR_TRACKER", "SUN_SENSOR",
                                                  "WHEEL_TACH", "NAV_STATE", "ADCS_REQUEST"}
    assert (got, n) == (want, want_n)


def test_reader_refusals_carry_the_parser_reason(ctx) -> None:
    """Through the task's own subscriptions (a stand-in context): each
    refused packet reported once, in order, with its parser's error."""
    task = AdcsTask(Scenario(), LocalCore())
    task.init(ctx)
    packets = [p for k in range(4) for p in _script(ctx.t + k / 10, k)]
    want = []
    for p in packets:
        pdef = DICTIONARY.by_apid[(p[0] << 8 | p[1]) & 0x7FF]
        try:
            pdef.parse(p)
        except PacketError as exc:
            want.append((pdef.name, str(exc)))
    for p in packets:
        ctx.deliver(p)
    task.step(ctx.t + 0.4)
    assert ctx.bad == want and len(want) == 6
    assert ctx.events == [] and task.faults == 0
    assert task.heads_valid == 0b001 and task.st_t == ctx.t
