"""The propulsion task's 10 Hz sensor path (issue #18: its cost per tick),
against independent truth:

- the native GYRO/ACCEL reader (gnc_prop_sensors_read, one call per read)
  against the Python handlers it replaced (kept here verbatim behind the
  dictionary's parser: :class:`_Reference`), on the same packets, good, bad
  and damaged, coasting, firing and under a thruster test: the same latest
  rate, rejected count, calibration window (samples and span, bit for bit),
  bias and measured Δv, the damaged packets reported alike; the window's
  fixed capacity (the oldest dropped and counted); the kept packets read
  before any other packet is handled;
- malformed ACCEL packets through the real executive: counted on the task's
  slot and reported as ``ACCEL dropped: <the parser's own error>`` events,
  and invalid samples counted in PROP_HK.accel_rejected;
- the core answers the task keeps (a pending burn's duration, PROP_HK's
  centre-of-mass sigma) equal to the core's, asked again when an input
  changes, and the idle monitor's residual asked only when it can decide.
"""

from __future__ import annotations

import binascii
import math
import random
import struct
from collections import deque

import pytest

from fsw.bus import Bus, apid_of
from fsw.core.errors import GncError
from fsw.core.guidance import LocalCore
from fsw.core.prop import PROP_CAL_MAX
from fsw.executive import Executive, ExecutiveConfig, events
from fsw.packets import DICTIONARY, PacketError, decode
from fsw.packets.enums import BurnStatusState, MissionMode
from fsw.scenario import Scenario
from fsw.tasks import propulsion as prop_mod
from fsw.tasks.propulsion import ACCEL_CAL_MIN_S, ACCEL_CAL_S, PropulsionTask

GYRO, ACCEL, EVENT = DICTIONARY["GYRO"], DICTIONARY["ACCEL"], DICTIONARY["EVENT"]
PROP_HK, ADCS_STATE = DICTIONARY["PROP_HK"], DICTIONARY["ADCS_STATE"]
FIRING, IDLE = BurnStatusState.FIRING, BurnStatusState.IDLE
NAN, INF = math.nan, math.inf


class _Reference:
    """The GYRO and ACCEL handlers and the bias as they were written in
    Python before the native reader (kept here verbatim, their state on this
    object), behind the dictionary's parser as the executive delivered them:
    the independent truth for :meth:`PropulsionTask._read_pending`."""

    def __init__(self, core) -> None:
        self.core = core
        self.state, self.test, self.burn, self.att = IDLE, None, None, None
        self.rates = None
        self.accel_cal: deque = deque()
        self.accel_cal_s = 0.0
        self.accel_bad = 0
        self.bad: list[tuple[str, str]] = []  # (packet name, the parser's reason)

    def deliver(self, raw: bytes) -> None:
        pdef = GYRO if apid_of(raw) == GYRO.apid else ACCEL
        try:
            r = pdef.parse(raw)
        except PacketError as exc:
            self.bad.append((pdef.name, str(exc)))
            return
        (self.on_gyro if pdef is GYRO else self.on_accel)(r)

    def on_gyro(self, r) -> None:
        w = r.rate_B
        x, y, z = w
        if r.valid and (x - x) + (y - y) + (z - z) == 0.0:
            self.rates = w

    def on_accel(self, r) -> None:
        dv, dt = r.dv_B, r.dt
        if r.valid:
            if dt == 0.0:
                return  # the sensor's first sample: no interval yet
            x, y, z = dv
            ok = (x - x) + (y - y) + (z - z) == 0.0 and 0.0 < dt <= 10.0
        else:
            ok = False
        if not ok:
            self.accel_bad += 1
            return
        if self.state != FIRING and self.test is None:  # coasting: into the bias window
            cal = self.accel_cal
            cal.append((dv, dt))
            s = self.accel_cal_s + dt
            while cal and s - cal[0][1] >= ACCEL_CAL_S:
                s -= cal.popleft()[1]
            self.accel_cal_s = s
            return
        b = self.burn
        if self.state == FIRING and b is not None and b["bias_B"] is not None:
            q = self.att[1] if self.att is not None and self.att[0] else b["q"]
            if q is None:
                return
            try:
                d = self.core.prop_accel(dv, dt, b["bias_B"], q)
            except GncError:
                self.accel_bad += 1
                return
            b["meas_N"] = prop_mod.add(b["meas_N"], d)
            b["n_acc"] += 1

    def _accel_bias(self):
        cal = self.accel_cal
        span = 0.0
        sx = sy = sz = 0.0
        for dv, dt in cal:
            sx, sy, sz, span = sx + dv[0], sy + dv[1], sz + dv[2], span + dt
        if span < ACCEL_CAL_MIN_S:
            return None
        return (sx / span, sy / span, sz / span)


def _bits(x: float) -> bytes:
    return struct.pack(">d", x)


def _vbits(v) -> list[bytes]:
    return [_bits(x) for x in v]


def _bad_value(rng: random.Random) -> float:
    return rng.choice([NAN, INF, -INF])


def _damaged(raw: bytes, rng: random.Random) -> bytes:
    """``raw`` damaged as the bus can carry it: a bad CRC, a byte long or
    short (length field and CRC to match), a broken header word, a flipped
    bit past the APID, or cut short."""
    kind = rng.randrange(6)
    if kind == 0:
        return raw[:-2] + bytes([raw[-2] ^ 0x01, raw[-1]])
    if kind == 1:
        return _resized(raw, +1)
    if kind == 2:
        return _resized(raw, -1)
    if kind == 3:
        return _with_crc(raw[:2] + bytes([raw[2] & 0x3F]) + raw[3:-2])  # sequence flags
    if kind == 4:
        i = rng.randrange(2, len(raw))  # not the APID: routed to the task still
        return raw[:i] + bytes([raw[i] ^ (1 << rng.randrange(8))]) + raw[i + 1:]
    return raw[:rng.randrange(2, len(raw))]


def _accel_packet(k: int, rng: random.Random) -> bytes:
    """An ACCEL packet: mostly a good 10 Hz sample (a bias, noise, a jittered
    interval), a first sample of zero interval, every kind of bad sample."""
    dv = [rng.gauss(1e-4, 3e-5) for _ in range(3)]
    dt, valid = 0.1 + rng.uniform(-1e-3, 1e-3), 1
    roll = rng.random()
    if k == 0 or roll < 0.02:
        dt = rng.choice([0.0, -0.0])
        valid = rng.choice([0, 1, 2])
        if rng.random() < 0.3:
            dv[rng.randrange(3)] = _bad_value(rng)  # a first sample with a NaN: skipped
    elif roll < 0.05:
        valid = 0
    elif roll < 0.09:
        dv[rng.randrange(3)] = _bad_value(rng)
    elif roll < 0.12:
        dt = rng.choice([NAN, INF, -INF, -0.1, 10.000001, 1e300, 5e-324])
    elif roll < 0.13:
        dt = 10.0  # the longest interval taken
    elif roll < 0.15:
        dt = rng.uniform(5.0, 10.0)  # long gaps: the window trims several
    return ACCEL.build(t_tai=2.0e9 + 0.1 * k, seq=k & 0x3FFF, dv_B=tuple(dv), dt=dt,
                       valid=valid)


def _gyro_packet(k: int, rng: random.Random) -> bytes:
    w = [rng.gauss(0.0, 1e-3) for _ in range(3)]
    valid = 0 if rng.random() < 0.05 else rng.choice([1, 1, 1, 7])
    if rng.random() < 0.08:
        w[rng.randrange(3)] = _bad_value(rng)
    return GYRO.build(t_tai=2.0e9 + 0.1 * k, seq=k & 0x3FFF, rate_B=tuple(w), valid=valid)


def _same(new: PropulsionTask, ref: _Reference, ctx) -> None:
    assert new.accel_bad == ref.accel_bad
    assert ctx.bad == ref.bad
    assert (new.rates is None) == (ref.rates is None)
    if ref.rates is not None:
        assert _vbits(new.rates) == _vbits(ref.rates)
    assert _bits(new.accel_cal_s) == _bits(ref.accel_cal_s)
    assert [(_vbits(dv), _bits(dt)) for dv, dt in new.accel_cal] == \
        [(_vbits(dv), _bits(dt)) for dv, dt in ref.accel_cal]
    a, b = new._accel_bias(), ref._accel_bias()
    assert (a is None) == (b is None)
    if a is not None:
        assert _vbits(a) == _vbits(b)
    if ref.burn is not None:
        assert new.burn["n_acc"] == ref.burn["n_acc"]
        assert _vbits(new.burn["meas_N"]) == _vbits(ref.burn["meas_N"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_native_reader_matches_the_python_handlers(seed, ctx) -> None:
    """GYRO and ACCEL packets, good, bad (not valid, NaN and infinite
    components, intervals of zero, negative, beyond 10 s, NaN, infinite,
    subnormal) and damaged (CRC, length, header, a flipped bit, cut short),
    read natively in batches of 0-6 packets, coasting (the window fills,
    trims, is read for the bias and cleared), under a thruster test,
    firing without a calibrated bias and with one (summed into the measured
    Δv by the core): every outcome bit for bit the Python handlers', the
    damaged packets reported alike (name and the parser's reason, in order)."""
    rng = random.Random(seed)
    task = PropulsionTask(Scenario())
    task.init(ctx)
    ref = _Reference(task.core)
    phases = ["test", "coast", "fire_nobias", "coast", "fire", "coast", "fire", "clear"]
    k = bias_checks = summed = 0
    while k < 6000:
        if k % 500 < 6 and rng.random() < 0.5:  # a state for the next stretch
            summed += ref.burn["n_acc"] if ref.burn is not None else 0
            phase = rng.choice(phases)
            att = (1, (0.6, 0.0, 0.8, 0.0)) if rng.random() < 0.5 else None
            for t in (task, ref):
                t.state, t.test, t.burn = IDLE, None, None
                if phase == "test":
                    t.test = {"i": 0}
                elif phase.startswith("fire"):
                    t.state = FIRING
                    t.att = att
                    t.burn = {"bias_B": None if phase == "fire_nobias" else (1e-4, 0.0, -1e-4),
                              "q": (1.0, 0.0, 0.0, 0.0), "meas_N": (0.0, 0.0, 0.0),
                              "n_acc": 0}
            if phase == "clear":  # a burn's start or end empties the window
                task._sens.clear()
                ref.accel_cal.clear()
                ref.accel_cal_s = 0.0
        for _ in range(rng.randrange(7)):
            raw = _accel_packet(k, rng) if rng.random() < 0.55 else _gyro_packet(k, rng)
            if rng.random() < 0.05:
                raw = _damaged(raw, rng)
            ctx.deliver(raw)
            ref.deliver(raw)
            k += 1
        task._read_pending()
        assert task._raw == []
        _same(task, ref, ctx)
        bias_checks += ref._accel_bias() is not None
    summed += ref.burn["n_acc"] if ref.burn is not None else 0
    assert bias_checks > 50 and summed > 50  # the bias read, firing samples summed
    assert ref.accel_bad > 200 and len(ref.bad) > 50  # the bad ones were there
    assert task._sens.dropped == 0


def test_full_window_drops_its_oldest_and_counts_them(ctx) -> None:
    """The window is a ring of PROP_CAL_MAX samples (the Python deque was
    unbounded): samples of 10 ms keep 12000 in ACCEL_CAL_S, so the ring
    fills; each new one then drops the oldest (its interval off the span,
    as a trim), counted; the window is the last PROP_CAL_MAX good samples,
    oldest first, and the bias their mean."""
    task = PropulsionTask(Scenario())
    task.init(ctx)
    rng = random.Random(5)
    good = []
    n = PROP_CAL_MAX + 300
    for k in range(n):
        dv = (rng.gauss(1e-5, 1e-6), rng.gauss(0.0, 1e-6), -1e-6)
        ctx.deliver(ACCEL.build(t_tai=2.0e9 + 0.01 * k, seq=k & 0x3FFF, dv_B=dv, dt=0.01,
                                valid=1))
        good.append((dv, 0.01))
        if k % 7 == 0:
            task._read_pending()
    task._read_pending()
    assert task._sens.dropped == n - PROP_CAL_MAX
    kept = good[-PROP_CAL_MAX:]
    assert task.accel_cal == kept
    assert abs(task.accel_cal_s - PROP_CAL_MAX * 0.01) < 1e-9
    sx = sy = sz = s = 0.0
    for dv, dt in kept:
        sx, sy, sz, s = sx + dv[0], sy + dv[1], sz + dv[2], s + dt
    assert _vbits(task._accel_bias()) == _vbits((sx / s, sy / s, sz / s))
    assert task.accel_bad == 0 and ctx.bad == []


def test_kept_sensor_packets_are_read_before_another_packet(ctx) -> None:
    """A packet of another kind is handled after the GYRO and ACCEL packets
    that came before it are read: a bad ACCEL is reported before a bad
    NAV_STATE that follows it, the rate and window are as they were when it
    came, and a packet after it waits for the next read."""
    task = PropulsionTask(Scenario())
    task.init(ctx)
    acc = ACCEL.build(t_tai=ctx.t, seq=1, dv_B=(1e-4, 0.0, 0.0), dt=0.1, valid=1)
    ctx.deliver(acc[:-2] + bytes([acc[-2] ^ 0x01, acc[-1]]))  # bad CRC
    ctx.deliver(GYRO.build(t_tai=ctx.t, seq=1, rate_B=(1e-3, 2e-3, 3e-3), valid=1))
    ctx.deliver(acc)
    nav = DICTIONARY["NAV_STATE"]
    bad_nav = bytes(nav.size)  # not a NAV_STATE the parser takes: wrong header
    bad_nav = bytes([(nav.apid >> 8) | 0x08, nav.apid & 0xFF]) + bad_nav[2:]
    ctx.deliver(bad_nav)
    assert [b[0] for b in ctx.bad] == ["ACCEL", "NAV_STATE"]
    assert task.rates == (1e-3, 2e-3, 3e-3)
    assert task.accel_cal == [((1e-4, 0.0, 0.0), 0.1)]
    ctx.deliver(GYRO.build(t_tai=ctx.t, seq=2, rate_B=(4e-3, 0.0, 0.0), valid=1))
    assert task.rates == (1e-3, 2e-3, 3e-3) and len(task._raw) == 1
    task.step(ctx.t + 0.1)  # the step reads first
    assert task.rates == (4e-3, 0.0, 0.0) and task._raw == []


def _with_crc(body: bytes) -> bytes:
    """``body`` with its CRC-16-CCITT appended (a well-formed packet on the bus)."""
    return body + struct.pack(">H", binascii.crc_hqx(body, 0xFFFF))


def _resized(raw: bytes, by: int) -> bytes:
    """``raw`` ``by`` octets longer (or shorter) in its user data, its
    length field and CRC to match: it passes the bus, not the parser."""
    body = raw[:-2]
    body = body + bytes(by) if by > 0 else body[:by]
    n = len(body) + 2 - 7
    return _with_crc(body[:4] + struct.pack(">H", n) + body[6:])


def _run_executive(feed, ticks: int):
    """The propulsion task in a real executive, fed by a world publishing
    ``feed(k, t)``'s packets at tick ``k``; returns (result, stream, task)."""

    class Feeder:
        name = "world"

        def init(self, ctx) -> None:
            self.ctx, self.k = ctx, 0

        def step(self, t: float) -> None:
            for raw in feed(self.k, t, self.ctx):
                self.ctx.publish(raw)
            self.k += 1

    ex = Executive(Bus.local(), ExecutiveConfig(seed=3))
    ex.add_world(Feeder())
    task = PropulsionTask(Scenario())
    ex.add(task)
    got: list[bytes] = []
    ex.tap(lambda p, t: got.append(p))
    return ex.run(ticks=ticks), got, task


def test_malformed_and_invalid_accel_packets_through_the_executive() -> None:
    """A bad CRC, a packet a byte long or short and a broken header are
    counted on the task's slot and reported as BAD_PACKET events naming
    ACCEL with the parser's own error (no sample taken); invalid samples
    are counted in PROP_HK.accel_rejected; the good ones make the window."""
    sc = Scenario()
    hk_every = round(sc.rates.housekeeping_s * sc.rates.adcs_hz)
    malformed: list[bytes] = []
    invalid = 0
    good: list[tuple[tuple[float, float, float], float]] = []

    def feed(k, t, ctx):
        nonlocal invalid
        seq = ctx.next_seq(ACCEL.apid)
        dv = (1e-4 * (k + 1), -2e-5, 3e-6 * k)
        raw = ACCEL.build(t_tai=t, seq=seq, dv_B=dv, dt=0.1, valid=1)
        kind = k % 10
        if kind == 3:
            raw = raw[:-2] + bytes([raw[-2] ^ 0x01, raw[-1]])  # CRC
        elif kind == 5:
            raw = _resized(raw, +1)  # a byte long (its length field says so)
        elif kind == 6 and k % 20 == 6:
            raw = _resized(raw, -1)  # a byte short
        elif kind == 6:
            raw = _with_crc(raw[:2] + bytes([raw[2] & 0x3F]) + raw[3:-2])  # sequence flags
        elif kind == 7:
            raw = ACCEL.build(t_tai=t, seq=seq, dv_B=(NAN, 0.0, 0.0), dt=0.1, valid=1)
        elif kind == 8:
            raw = ACCEL.build(t_tai=t, seq=seq, dv_B=dv, dt=0.1, valid=0)
        elif kind == 9 and k % 20 == 9:
            raw = ACCEL.build(t_tai=t, seq=seq, dv_B=dv, dt=INF, valid=1)
        try:
            rec = ACCEL.parse(raw)
        except PacketError:
            malformed.append(raw)
        else:
            ok = rec.valid and all(map(math.isfinite, rec.dv_B)) and 0.0 < rec.dt <= 10.0
            if ok:
                good.append((rec.dv_B, rec.dt))
            else:
                invalid += 1
        return [GYRO.build(t_tai=t, seq=ctx.next_seq(GYRO.apid), rate_B=(0.0, 0.0, 0.0),
                           valid=1), raw]

    ticks = 2 * hk_every + 1
    result, stream, task = _run_executive(feed, ticks)
    st = result.tasks["propulsion"]
    assert st.bad_packets == len(malformed) > 0 and st.faults == 0 and st.state == "nominal"
    evs = [decode(p) for p in stream if apid_of(p) == EVENT.apid]
    bad_evs = [e for e in evs if e.event_id == events.BAD_PACKET]
    want = []
    for raw in malformed:  # the parser's own error, as the executive words it
        with pytest.raises(PacketError) as exc:
            ACCEL.parse(raw)
        want.append(events.clip(f"ACCEL dropped: {exc.value}", events.TEXT_LEN))
    assert [e.source for e in bad_evs] == ["propulsion"] * len(malformed)
    assert [e.text for e in bad_evs] == want
    assert any("CRC" in w for w in want) and len(set(want)) >= 3  # CRC, lengths
    hks = [decode(p) for p in stream if apid_of(p) == PROP_HK.apid]
    assert hks and hks[-1].accel_rejected == invalid == task.accel_bad
    # the window: the good samples (the first one included: its interval is 0.1)
    assert [(dv, dt) for dv, dt in task.accel_cal] == good
    span = 0.0
    for _, dt in good:
        span += dt
    assert _bits(task.accel_cal_s) == _bits(span)


class _CountingCore(LocalCore):
    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def prop_duration(self, *a):
        self._count("duration")
        return super().prop_duration(*a)

    def prop_rate_residuals(self, *a):
        self._count("residuals")
        return super().prop_rate_residuals(*a)

    def prop_com_torque(self, *a):
        self._count("com_torque")
        return super().prop_com_torque(*a)


def test_kept_core_answers_equal_the_core_and_follow_their_inputs(ctx) -> None:
    core = _CountingCore()
    task = PropulsionTask(Scenario(), core)
    task.init(ctx)
    d1 = task._duration(4, 0.3)
    ref = LocalCore()
    ref.prop_configure(task.config())
    assert _bits(d1) == _bits(ref.prop_duration(4, task.F, task._mass(), 0.3))
    for _ in range(50):
        assert task._duration(4, 0.3) is d1
    assert core.calls["duration"] == 1
    task.F *= 0.9  # the tank blew down
    d2 = task._duration(4, 0.3)
    assert _bits(d2) == _bits(ref.prop_duration(4, task.F, task._mass(), 0.3))
    task.cds["propellant"] -= 0.01  # propellant used
    d3 = task._duration(4, 0.3)
    assert _bits(d3) == _bits(ref.prop_duration(4, task.F, task._mass(), 0.3))
    assert _bits(task._duration(2, 0.3)) == _bits(ref.prop_duration(2, task.F, task._mass(), 0.3))
    assert core.calls["duration"] == 4
    # PROP_HK's sigma: the core's, asked again when the least squares moves
    s1 = task._com_sigma_cached()
    assert s1 == task._com_sigma()
    n = core.calls["com_torque"]
    for _ in range(10):
        assert task._com_sigma_cached() is s1
    assert core.calls["com_torque"] == n
    c = task.cds["com"]
    c["N"][:] = [x * 2.0 for x in c["N"]]
    s2 = task._com_sigma_cached()
    assert s2 == task._com_sigma() and s2 != s1
    c["est"] = (1e-3, 0.0, 0.0)
    assert task._com_sigma_cached() == task._com_sigma()
    c["est"] = (0.0, 0.0, 0.0)
    task._com_sigma_cached()
    n = core.calls["com_torque"]
    c["est"] = (-0.0, 0.0, 0.0)  # equal, not the same bits: asked again
    task._com_sigma_cached()
    assert core.calls["com_torque"] == n + 2


@pytest.mark.parametrize("mode, saturated, spinning, asked, tested", [
    (MissionMode.PHASING, True, True, True, True),
    (MissionMode.PHASING, True, False, True, False),
    (MissionMode.PHASING, False, True, False, False),
    (MissionMode.STANDBY, True, True, False, False),
])
def test_idle_monitor_asks_the_core_only_when_it_can_decide(ctx, mode, saturated, spinning,
                                                            asked, tested) -> None:
    """A thruster stuck open (body spinning, wheels saturated, PHASING or
    later) is suspected after two seconds; the core's residual is asked
    only when the wheels are saturated in PHASING or later."""
    core = _CountingCore()
    task = PropulsionTask(Scenario(), core)
    task.init(ctx)
    task.mode = mode
    h_max = task.sc.chaser.wheels.max_momentum_nms
    w = (0.05, 0.0, 0.0) if spinning else (0.0, 0.0, 0.0)
    ctx.deliver(ADCS_STATE.build(t_tai=ctx.t, mode=3, valid=1, q_BN=(1.0, 0.0, 0.0, 0.0),
                                 rate_B=w, att_error=0.0,
                                 h_wheels=h_max if saturated else 0.1 * h_max,
                                 h_B=(0.0, 0.0, 0.0), wheels_ok=15, flags=1, st_age=0.0,
                                 att_sigma=1e-5, att_sigma_B=(1e-5,) * 3, heads_used=6,
                                 heads_valid=6, st_rejected=0))
    for _ in range(25):
        ctx.deliver(GYRO.build(t_tai=ctx.t, rate_B=w, valid=1))
        ctx.t += 0.1
        task.step(ctx.t)
    assert (core.calls.get("residuals", 0) > 0) == asked
    assert (task.test is not None) == tested
    assert any("uncommanded torque" in e[2] for e in ctx.events) == tested
