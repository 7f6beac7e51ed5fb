"""The ADCS's sensor packets read natively (gnc_adcs_sensors, issue #18)
against the Python parser and the ADCS task's former handlers.

The reference below is the task's code before the reader: every packet
parsed by the dictionary's parser (a PacketError: the packet refused) and
handed to the handlers that checked validity and finiteness and packed each
sample into the same input struct (AdcsCycle setters), then the cycle's
flags, heads and time. On random streams of good, damaged and relabelled
packets (hypothesis) the reader must leave the very same input struct, octet
for octet, the same heads-valid mask and last fix time, and refuse exactly
the packets the parser refuses.
"""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsw.core import packet_layout
from fsw.core._ffi import ffi, lib
from fsw.core.attitude import ST_HEADS_MAX, WHEELS_MAX, AdcsCycle
from fsw.core.errors import GncError
from fsw.packets import DICTIONARY, PacketError

GYRO, STAR_TRACKER = DICTIONARY["GYRO"], DICTIONARY["STAR_TRACKER"]
SUN_SENSOR, MAGNETOMETER = DICTIONARY["SUN_SENSOR"], DICTIONARY["MAGNETOMETER"]
GPS, WHEEL_TACH = DICTIONARY["GPS"], DICTIONARY["WHEEL_TACH"]
SENSORS = (GYRO, STAR_TRACKER, SUN_SENSOR, MAGNETOMETER, GPS, WHEEL_TACH)
ST_MAX_AGE, SUN_MAX_AGE = 0.25, 0.25
T0 = 2.0e9


def _crc_fix(b: bytearray) -> None:
    import binascii

    b[-2:] = binascii.crc_hqx(bytes(b[:-2]), 0xFFFF).to_bytes(2, "big")


class Reference:
    """The ADCS task's sensor handlers as they were (parse, check, pack)."""

    def __init__(self, heads: int, wheels: int) -> None:
        self.n_heads, self.k = heads, wheels
        cyc = self.cyc = AdcsCycle()
        self._set_gyro, self._set_mag = cyc.setter("gyro_B"), cyc.setter("mag_B")
        self._set_speed, self._set_r = cyc.setter("wheel_speed"), cyc.setter("r_N")
        self._set_sun = cyc.setter("sun_B")
        self._set_head = [cyc.item_setter("q_heads", 4 * h, 4) for h in range(ST_HEADS_MAX)]
        self._set_flags = cyc.setter("tach_new", "gyro_valid")
        self._set_time = cyc.setter("time_tai", "sun_valid")
        self._speed_pad = (0.0,) * (WHEELS_MAX - wheels)
        self.gyro_ok = self.mag_ok = 0
        self.head_t = [0.0] * ST_HEADS_MAX
        self.heads_new = self.heads_valid = 0
        self.st_t = -math.inf
        self.sun_t: float | None = None
        self.tach_new = False
        self.handlers = {GYRO.apid: self.on_gyro, STAR_TRACKER.apid: self.on_st,
                         SUN_SENSOR.apid: self.on_sun, MAGNETOMETER.apid: self.on_mag,
                         GPS.apid: self.on_gps, WHEEL_TACH.apid: self.on_tach}

    def deliver(self, p: bytes) -> bool:
        """False: the parser refused the packet (the executive drops it)."""
        apid = ((p[0] << 8) | p[1]) & 0x7FF
        try:
            rec = DICTIONARY.by_apid[apid].parse(p)
        except PacketError:
            return False
        self.handlers[apid](rec)
        return True

    def on_gyro(self, r) -> None:
        if r.valid and all(map(math.isfinite, r.rate_B)):
            self._set_gyro(*r.rate_B)
            self.gyro_ok = 1
        else:
            self.gyro_ok = 0

    def on_st(self, r) -> None:
        if r.valid and all(map(math.isfinite, r.q_BN)) and 0 <= r.head < self.n_heads:
            h = int(r.head)
            self._set_head[h](*r.q_BN)
            self.head_t[h] = r.t_tai
            self.heads_new |= 1 << h
            self.heads_valid |= 1 << h
            self.st_t = r.t_tai

    def on_sun(self, r) -> None:
        if r.valid and all(map(math.isfinite, r.sun_B)):
            self._set_sun(*r.sun_B)
            self.sun_t = r.t_tai
        else:
            self.sun_t = None

    def on_gps(self, r) -> None:
        if r.valid and all(map(math.isfinite, r.r_N)):
            self._set_r(*r.r_N)

    def on_mag(self, r) -> None:
        if r.valid and all(map(math.isfinite, r.b_B)):
            self._set_mag(*r.b_B)
            self.mag_ok = 1
        else:
            self.mag_ok = 0

    def on_tach(self, r) -> None:
        speed = r.speed[: self.k]
        if all(map(math.isfinite, speed)):
            self._set_speed(*speed, *self._speed_pad)
            self.tach_new = True

    def cycle(self, t: float) -> None:
        self._set_flags(self.tach_new, 0, self.mag_ok, self.gyro_ok)
        self.tach_new = False
        heads = 0
        for h in range(ST_HEADS_MAX):
            if self.heads_new >> h & 1 and t - self.head_t[h] < ST_MAX_AGE:
                heads |= 1 << h
        self.heads_new = 0
        self._set_time(t, heads, self.sun_t is not None and t - self.sun_t < SUN_MAX_AGE)
        self.sun_t = None


def _inputs(cyc: AdcsCycle) -> bytes:
    return bytes(ffi.buffer(cyc.inp))


def _pair(heads: int = 3, wheels: int = 4) -> tuple[Reference, AdcsCycle]:
    ref = Reference(heads, wheels)
    cyc = AdcsCycle()
    cyc.sensors(heads, wheels, ST_MAX_AGE, SUN_MAX_AGE)
    return ref, cyc


def _agree(ref: Reference, cyc: AdcsCycle) -> None:
    assert _inputs(cyc) == _inputs(ref.cyc)
    s = cyc.sens
    assert s.heads_valid == ref.heads_valid
    assert (s.st_t if s.st_seen else -math.inf) == ref.st_t


# -- packets: good, odd values, damaged ------------------------------------------------

_SPECIAL = st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, 1.7e308])
_VALUE = st.one_of(st.floats(-10.0, 10.0), _SPECIAL, st.floats(allow_nan=True))
_FLAG = st.sampled_from([0, 1, 2, 255])


@st.composite
def sensor_packet(draw) -> bytes:
    pdef = draw(st.sampled_from(SENSORS))
    t = T0 + draw(st.integers(-65536, 65536)) / 65536.0
    fields = {}
    for f in pdef.fields:
        lay = pdef.layouts[f.name]
        if lay.dtype == "u1":
            fields[f.name] = draw(st.sampled_from([0, 1, 2, 3, 255]) if f.name == "head"
                                  else _FLAG)
        elif lay.count == 1:
            fields[f.name] = draw(_VALUE)
        else:
            fields[f.name] = tuple(draw(_VALUE) for _ in range(lay.count))
    raw = bytearray(pdef.build(t_tai=t, seq=draw(st.integers(0, 0x3FFF)), **fields))
    damage = draw(st.sampled_from(["none"] * 4 + ["crc", "cut", "long", "word0", "seqflags",
                                                  "lenfield", "relabel", "tc"]))
    if damage == "crc":  # (not the APID's octets: the executive routes by the APID)
        raw[draw(st.integers(2, len(raw) - 1))] ^= 1 << draw(st.integers(0, 7))
    elif damage == "cut":
        del raw[draw(st.integers(2, len(raw) - 1)):]
    elif damage == "long":
        raw += bytes(draw(st.integers(1, 9)))
        _crc_fix(raw)
    elif damage == "word0":  # another version, CRC made right
        raw[0] |= 0x20
        _crc_fix(raw)
    elif damage == "seqflags":
        raw[2] &= 0x7F
        _crc_fix(raw)
    elif damage == "lenfield":
        raw[5] ^= 1
        _crc_fix(raw)
    elif damage == "relabel":  # another sensor's APID (the same size: well formed)
        other = draw(st.sampled_from(SENSORS))
        raw[0], raw[1] = other.w0 >> 8, other.w0 & 0xFF
        _crc_fix(raw)
    elif damage == "tc":  # the telecommand type bit, CRC made right
        raw[0] |= 0x10
        _crc_fix(raw)
    return bytes(raw)


_BATCHES = st.lists(st.lists(sensor_packet(), max_size=8), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=_BATCHES, heads=st.integers(0, 3), wheels=st.integers(0, 4),
       dts=st.lists(st.integers(-2, 30), min_size=6, max_size=6))
def test_reader_matches_the_parser_and_the_handlers(batches, heads, wheels, dts) -> None:
    ref, cyc = _pair(heads, wheels)
    t = T0
    for batch, dt in zip(batches, dts, strict=False):
        refused = [p for p in batch if not ref.deliver(p)]
        t += dt / 40.0  # cycles before, at and after the samples' times
        ref.cycle(t)
        assert cyc.sense(list(batch), t) == refused
        _agree(ref, cyc)


@settings(max_examples=200, deadline=None)
@given(batch=st.lists(sensor_packet(), max_size=12), heads=st.integers(0, 3))
def test_read_alone_keeps_the_cycle_marks(batch, heads) -> None:
    """read() (a task not stepping every tick) is sense() without the cycle:
    packet by packet or at once, the same inputs and the same refusals."""
    ref, cyc = _pair(heads, 4)
    one_by_one = [p for p in batch for p in cyc.read([p])]
    assert one_by_one == [p for p in batch if not ref.deliver(p)]
    _agree(ref, cyc)
    ref.cycle(T0 + 0.1)
    assert cyc.sense([], T0 + 0.1) == []
    _agree(ref, cyc)


def test_the_fuzz_corpus_mutations_agree_with_the_parser() -> None:
    """The project's own fuzzer (fsw_tools.fuzz) on the sensor APIDs."""
    import random

    from fsw_tools import fuzz

    rng = random.Random(18)
    apids = sorted(p.apid for p in SENSORS)
    corpus = [p for p in fuzz.packet_corpus(rng) if ((p[0] << 8 | p[1]) & 0x7FF) in apids]
    mutate = fuzz.Mutator(rng, corpus, apids)
    ref, cyc = _pair()
    refused = 0
    for k in range(300):
        batch = [p for p in (mutate() for _ in range(10))
                 if len(p) >= 2 and ((p[0] << 8 | p[1]) & 0x7FF) in apids]
        want = [p for p in batch if not ref.deliver(p)]
        refused += len(want)
        ref.cycle(T0 + k / 10.0)
        assert cyc.sense(batch, T0 + k / 10.0) == want
        _agree(ref, cyc)
    assert refused > 100


def test_a_packet_of_another_apid_is_left_unread() -> None:
    ref, cyc = _pair()
    nav = DICTIONARY["ADCS_REQUEST"].build(t_tai=T0, source=0, active=1, mode=2,
                                           q_BN=(1.0, 0.0, 0.0, 0.0))
    gyro = GYRO.build(t_tai=T0, rate_B=(0.1, 0.2, 0.3), valid=1)
    assert cyc.read([nav, gyro]) == [nav]
    ref.deliver(gyro)
    _agree(ref, cyc)
    status = ffi.new("uint8_t[2]")
    unread = ffi.new("int *")
    assert lib.gnc_adcs_sensors_read(cyc.sens, cyc.inp, nav + gyro, [len(nav), len(gyro)], 2,
                                     status, unread) == 0
    assert (status[0], status[1], unread[0]) == (lib.GNC_SENSOR_OTHER, lib.GNC_SENSOR_READ, 1)


def test_many_packets_at_once() -> None:
    """More packets than the status buffer first holds (a storm)."""
    ref, cyc = _pair()
    batch = [GYRO.build(t_tai=T0 + i / 65536, rate_B=(i, 0.0, 0.0), valid=1) + (b"x" * (i % 2))
             for i in range(300)]
    assert cyc.sense(batch, T0 + 0.05) == batch[1::2]
    for p in batch:
        ref.deliver(p)
    ref.cycle(T0 + 0.05)
    _agree(ref, cyc)


def test_bad_configuration_and_arguments_are_refused() -> None:
    cyc = AdcsCycle()
    for heads, wheels, a, b in ((4, 3, 0.25, 0.25), (3, 5, 0.25, 0.25), (-1, 3, 0.25, 0.25),
                                (3, 3, 0.0, 0.25), (3, 3, 0.25, math.nan),
                                (3, 3, math.inf, 0.25)):
        with pytest.raises(GncError):
            cyc.sensors(heads, wheels, a, b)
    s = ffi.new("gnc_adcs_sensors *")
    unread = ffi.new("int *")
    assert lib.gnc_adcs_sensors_init(ffi.NULL, 3, 3, 0.25, 0.25) == lib.GNC_ERR_NULL
    assert lib.gnc_adcs_sensors_init(s, 3, 3, 0.25, 0.25) == 0
    assert lib.gnc_adcs_sensors_read(s, cyc.inp, ffi.NULL, ffi.NULL, 1, ffi.NULL,
                                     unread) == lib.GNC_ERR_NULL
    assert lib.gnc_adcs_sensors_read(s, cyc.inp, ffi.NULL, ffi.NULL, -1, ffi.NULL,
                                     unread) == lib.GNC_ERR_RANGE
    assert lib.gnc_adcs_sensors_cycle(s, ffi.NULL, ffi.NULL, ffi.NULL, 0, T0, ffi.NULL,
                                      unread) == lib.GNC_ERR_NULL


def test_layout_header_is_generated_from_the_dictionary() -> None:
    assert packet_layout.SENSOR_HEADER_PATH.read_text() == packet_layout.sensor_header(), (
        "native/src/gnc_sensor_packets.h is stale: run python -m fsw.core.packet_layout")
    text = packet_layout.sensor_header()
    for pdef in SENSORS:
        assert f"GNC_{pdef.name}_APID = 0x{pdef.apid:03X}," in text
        assert f"GNC_{pdef.name}_LEN = {pdef.size}," in text
    # the valid flag of GYRO sits after its three float64 rates
    assert f"GNC_GYRO_VALID = {GYRO.header_len + 24}," in text
    assert struct.calcsize(">3dB") == 25


def test_layout_generator_refuses_another_layout(monkeypatch) -> None:
    monkeypatch.setitem(packet_layout.SENSOR_FIELDS, "GYRO", {"rate_B": "u1"})
    with pytest.raises(ValueError, match=r"GYRO\.rate_B"):
        packet_layout.sensor_header()


@pytest.mark.parametrize("age", [0.0, 0.25 - 2**-16, 0.25, 0.25 + 2**-16, -0.5])
def test_ages_at_the_limit(age: float) -> None:
    """A fix and a sun sample exactly at, just inside and just beyond the
    maximum age (and from the future) at the cycle."""
    ref, cyc = _pair()
    batch = [STAR_TRACKER.build(t_tai=T0, q_BN=(1.0, 0.0, 0.0, 0.0), valid=1, head=h)
             for h in (0, 2)]
    batch.append(SUN_SENSOR.build(t_tai=T0, sun_B=(0.0, 0.0, 1.0), valid=1))
    for p in batch:
        ref.deliver(p)
    ref.cycle(T0 + age)
    assert cyc.sense(batch, T0 + age) == []
    _agree(ref, cyc)
    fresh = age < 0.25
    assert (cyc.inp.head_mask, cyc.inp.sun_valid) == ((0b101, 1) if fresh else (0, 0))
