"""The avionics node: the truth world plugged into the executive as its first
participant (``Executive.add_world(node)``).

Each tick at on-board time t (TAI s):

1. the actuator command packets published since the last turn are applied
   (handlers run before ``step``): WHEEL_CMD -> wheel motor torques,
   MTQ_CMD -> magnetorquer dipole, THRUSTER_CMD -> thruster on-times from
   the next tick on. Non-finite or negative values are rejected and counted.
   The node takes their bytes (``parse=False``) and one core call
   (``sim_command_read``) checks a packet as the dictionary's parser does
   (length, CRC, header), checks its values and writes them into the world.
   Anything else than a well-formed, accepted command on a live link (a
   malformed packet, a rejected value, a silent link: rare) goes the parsed
   way, the dictionary's parser then the record handler (:meth:`_on_wheel`,
   ...), so that it is counted and reported exactly as with ``parse=True``: a
   packet that does not parse is the executive's (the participant's
   bad_packets and an EVENT BAD_PACKET, :meth:`TaskContext.bad_packet`).
2. ``step(t)`` advances the truth from the previous turn's time to t (the
   commands act over that interval), applies the faults due, and publishes
   every sensor packet that is due at its rate (time-based: a sensor with
   period P is published at its first turn at or after each multiple of P,
   at most once per turn), then the truth packets at ``truth_period``.

The simulation core samples the sensors and builds the sensor and truth
packets straight into a buffer (header, time, fields, CRC; layouts generated
from the packet dictionary). The common turn (no fault due, no sensor muted,
no density node of the world's atmosphere in reach) is one core call
(``sim_node_turn``): it steps the world to ``t``, advances the schedule's due
times, samples every sensor due and builds their packets back to back,
TRUTH_CLOCK right after the GPS's, then the truth packets when due, each
numbered in place in the executive's per-APID counters (``ctx.seq``); the
node publishes them in one call (``ctx.publish_many``: each packet published
as ``publish(buffer[off:end])`` would be, in C on a local bus). Any other
turn goes on in Python from where the core stopped (:meth:`_step_reference`,
:meth:`_after_world`): the reference of the core's turn, which keeps its
state (schedule, clock, next truth time) in the same struct, so either path
can take any turn; ``node.native_turn = False`` runs the reference alone
(tests compare the two). Nothing here computes a value that reaches a
packet, so the stream is the same bits on every machine.

Faults (``WorldConfig.faults``): a dropped sensor publishes nothing; a silent
link publishes no sensor packets and ignores (counts) incoming commands;
wheel and thruster faults act in the world. Each start and end is published
as a TRUTH_FAULT packet. Truth packets (0x400-0x403, 0x408, 0x409) are for
tools only; TRUTH_CLOCK (the on-board clock's offset and frequency, copied from
the core's GPS model) follows each GPS sample, sent or dropped.

Time: the world's physics runs from its epoch (``WorldConfig.epoch_utc``);
packets are stamped with the executive's clock. Start the executive at
``node.world.tai`` for the two to agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from math import isfinite as _isfinite
from typing import Any

import numpy as np

from fsw.packets import DICTIONARY, PacketError
from hil.sim._native import check, ffi, lib
from hil.sim.config import WorldConfig
from hil.sim.faults import TIME_EPS, FaultSchedule
from hil.sim.packet_layout import MAX_LENGTH
from hil.sim.sensors import PACKETS, SENSOR_ID, SensorBank
from hil.sim.world import CHASER, World

WHEEL_CMD = DICTIONARY["WHEEL_CMD"]
MTQ_CMD = DICTIONARY["MTQ_CMD"]
THRUSTER_CMD = DICTIONARY["THRUSTER_CMD"]
TRUTH_CHASER = DICTIONARY["TRUTH_CHASER"]
TRUTH_TARGET = DICTIONARY["TRUTH_TARGET"]
TRUTH_RELATIVE = DICTIONARY["TRUTH_RELATIVE"]
TRUTH_FAULT = DICTIONARY["TRUTH_FAULT"]
TRUTH_ADCS = DICTIONARY["TRUTH_ADCS"]
TRUTH_CLOCK = DICTIONARY["TRUTH_CLOCK"]
#: the command packets the core reads (sim_command_read), its outcome of a command applied
_WHEEL, _MTQ, _THRUSTER = lib.SIM_COMMAND_WHEEL, lib.SIM_COMMAND_MTQ, lib.SIM_COMMAND_THRUSTER
_CMD_OK = lib.SIM_COMMAND_OK
#: sim_node_turn's outcomes; the tick limit of a world without density nodes
_DONE, _STEPPED = lib.SIM_NODE_DONE, lib.SIM_NODE_STEPPED
_NO_LIMIT = 2**31 - 1
#: the truth packets the core builds at truth_period: (core number, APID, length)
_TRUTH = tuple((which, p.apid, p.size) for which, p in (
    (lib.SIM_TRUTH_CHASER, TRUTH_CHASER), (lib.SIM_TRUTH_TARGET, TRUTH_TARGET),
    (lib.SIM_TRUTH_RELATIVE, TRUTH_RELATIVE), (lib.SIM_TRUTH_ADCS, TRUTH_ADCS)))


@dataclass
class AvionicsStats:
    """Counters of the node (nothing is dropped silently)."""

    ticks: int = 0
    sensor_packets: int = 0
    truth_packets: int = 0
    commands_applied: int = 0
    commands_rejected: int = 0  # non-finite or negative values
    commands_lost: int = 0  # arrived while the link was silent
    samples_dropped: int = 0  # sensor samples not sent (dropout or silent link)


def _finite(values: Any, nonneg: bool = False) -> bool:
    """Every value finite (and >= 0 with ``nonneg``). Plain floats first: a
    command is a short tuple, where numpy's per-call cost dominates."""
    try:
        if not all(map(_isfinite, values)):
            return False
        return not nonneg or all(x >= 0.0 for x in values)
    except TypeError:  # not a flat sequence of numbers: numpy decides
        a = np.asarray(values, float)
        return bool(np.all(np.isfinite(a)) and (not nonneg or np.all(a >= 0.0)))


class _Sensor:
    """One sensor's place in the schedule: its period and how its packet is
    built (the core's sensor number, the APID). When it is due next is kept
    in the node's schedule arrays (the core advances it)."""

    __slots__ = ("apid", "clock", "id", "name", "period")

    def __init__(self, name: str, period: float) -> None:
        self.name, self.period = name, period
        self.id, self.apid = SENSOR_ID[name], DICTIONARY[PACKETS[name]].apid
        #: the GPS receiver reads the on-board clock: its truth follows
        self.clock = name == "gps"


def _advance(due: float, period: float, t: float) -> float:
    """The next due time after ``t`` on the grid due + k period."""
    return due + period * max(1, math.floor((t - due) / period + 1e-9) + 1)


class AvionicsNode:
    """The world (truth + sensors + actuators) as an executive participant."""

    name = "world"

    def __init__(self, config: WorldConfig | None = None, *, truth_period: float = 1.0,
                 world: World | None = None) -> None:
        self.config = config if config is not None else WorldConfig()
        self.world = world if world is not None else World(self.config)
        self.truth_period = float(truth_period)
        self.sensors = SensorBank(self.config.sensors, self.config.seed)
        self.faults = FaultSchedule(list(self.config.faults), self.world)
        self.stats = AvionicsStats()
        #: the sensors in publishing order: the per-tick loop
        self._schedule = [_Sensor(n, 1.0 / getattr(self.config.sensors, n).rate_hz)
                          for n in self.sensors.names]
        #: the node's turn as the core takes it (sim_node_turn): the schedule
        #: (per slot the sensor, its APID, its period and when it is due
        #: next), the clock (first turn's time and ticks), the truth's next
        #: time; the reference path below reads and writes the same fields
        sched = self._schedule
        n = len(sched)
        if n > 32:
            raise ValueError(f"at most 32 sensors in a schedule, got {n}")
        self._n = n
        self._node_c = nc = ffi.new("sim_node *")
        nc.n = n
        for i, s in enumerate(sched):
            nc.sensor[i], nc.apid[i], nc.period[i] = s.id, s.apid, s.period
        #: the slot of the GPS receiver (its clock's truth follows it), or -1
        self._gps = nc.clock = next((i for i, s in enumerate(sched) if s.clock), -1)
        self._gps_bit = 1 << self._gps if self._gps >= 0 else 0
        nc.dt, nc.truth_period, nc.fault_eps = self.world.dt, self.truth_period, TIME_EPS
        nc.next_truth = 0.0
        self._ids, self._apids, self._periods, self._due = nc.sensor, nc.apid, nc.period, nc.due
        self._lens = nc.slot_len
        #: the lengths as size_t memoryviews: what ctx.publish_many reads
        self._lens_n = memoryview(ffi.buffer(nc.slot_len)).cast("N")
        self._out_n = memoryview(ffi.buffer(nc.len)).cast("N")
        #: the first k packets of the turn's buffer: publish_many's ``which``
        self._firsts = tuple(tuple(range(k)) for k in range(len(nc.len) + 1))
        self._due_mask = ffi.new("unsigned int *")
        #: room for every sensor's packet, TRUTH_CLOCK and the truth packets
        self._sbuf_len = (n + 1 + len(_TRUTH)) * MAX_LENGTH
        self._sbuf = ffi.new("unsigned char[]", self._sbuf_len)
        self._sraw = ffi.buffer(self._sbuf)
        #: the truth packets' buffer (the reference path)
        self._buf = ffi.new("unsigned char[]", MAX_LENGTH)
        self._raw = ffi.buffer(self._buf)
        self._len = ffi.new("size_t *")
        #: due mask -> its slots in order (the schedule repeats a few patterns)
        self._slots_of: dict[int, tuple[int, ...]] = {}
        #: the core's structs of this node's own world and sensor bank (both
        #: made here, kept for the node's life), and its calls, bound once:
        #: the per-tick call looks up no attribute chain
        self._world_c, self._sensors_c = self.world.struct, self.sensors.struct
        self._sensor_turn = lib.sim_sensor_turn
        self._node_turn = lib.sim_node_turn
        self._command_read = lib.sim_command_read
        self._world_step, self._dt = self.world.step, self.world.dt
        #: the world's density nodes (NRLMSIS), where the world's own step
        #: must run: the one-call turn stops short of them
        self._atmos = self.world._atmos
        self._cmd_result = ffi.new("int *")
        #: the whole common turn in one core call (:meth:`step`);
        #: False: the Python path alone (the reference)
        self.native_turn = math.isfinite(self.truth_period) and self.truth_period > 0.0
        self._seq: Any = None
        self.ctx: Any = None

    # ------------------------------------------------------------ participant
    def init(self, ctx: Any) -> None:
        """Subscribe to the actuator commands (the world keeps its state)."""
        self.ctx = ctx
        # the context's per-APID sequence counters, numbered in place by the core
        self._seq = ffi.from_buffer("uint16_t[]", ctx.seq, require_writable=True)
        ctx.subscribe(WHEEL_CMD, self._read_wheel)
        ctx.subscribe(MTQ_CMD, self._read_mtq)
        ctx.subscribe(THRUSTER_CMD, self._read_thruster)

    def step(self, t: float) -> None:
        """Advance the truth to ``t`` and publish what is due. The common turn
        (no sensor muted: no dropout, the link not silent) is one
        ``sim_node_turn``: the world stepped, the sensors due and the truth
        packets built back to back (TRUTH_CLOCK after the GPS's), then one
        ``ctx.publish_many`` of them, in the reference's order. What the core
        hands back (a fault due, a density node in reach, an error) goes on in
        Python from where it stopped; a muted turn is the Python path's."""
        faults = self.faults
        if not self.native_turn or faults.link_silent or faults.dropped:
            self._step_reference(t)
            return
        nc = self._node_c
        atm = self._atmos
        status = self._node_turn(nc, self._world_c, self._sensors_c, t, faults.next_time,
                                 _NO_LIMIT if atm is None else atm.next_tick, self._seq,
                                 self._sbuf, self._sbuf_len)
        outcome = nc.outcome
        if outcome == _DONE and not status:
            stats = self.stats
            stats.ticks += 1
            k = nc.n_packets
            if k:
                many = getattr(self.ctx, "publish_many", None)
                if many is not None:
                    many(self._sraw, self._out_n, self._firsts[k])
                else:
                    self._publish_built(k)
            stats.sensor_packets += nc.n_sensor
            n_truth = nc.n_truth
            if n_truth:
                stats.truth_packets += n_truth
            return
        if status:
            self._native_failed(status)
        elif outcome == _STEPPED:  # a fault due: the rest of the turn in Python
            self._after_world(t)
        else:  # nothing done (a density node in reach, a clock beyond the core's)
            self._step_reference(t)

    def _publish_built(self, k: int) -> None:
        """The turn's first ``k`` packets built by the core, each published as
        ``publish(buffer[off:end])`` would be, in one call (on a local bus the
        loop runs in C); a context without publish_many (a test's stand-in)
        gets the loop."""
        many = getattr(self.ctx, "publish_many", None)
        if many is not None:  # step's own case, written out there
            many(self._sraw, self._out_n, self._firsts[k])
            return
        publish, raw, lens, off = self.ctx.publish, self._sraw, self._node_c.len, 0
        for i in range(k):
            end = off + lens[i]
            publish(raw[off:end])
            off = end

    def _native_failed(self, status: int) -> None:
        """A failed ``sim_node_turn``: counted, published and raised as the
        reference's failing step would be (see sim_node_turn's errors)."""
        nc = self._node_c
        stage = nc.stage
        if stage <= 1:
            check(status, "sim_world_step" if stage else "sim_node_turn")
        stats = self.stats
        stats.ticks += 1
        if stage == 2:
            due = nc.due_mask
            i = max(due.bit_length() - 1, 0)
            check(status, f"sim_sensor_turn({self._schedule[i].name})")
        k = nc.n_packets
        if k:
            self._publish_built(k)
        stats.sensor_packets += nc.n_sensor
        stats.truth_packets += nc.n_truth
        check(status, "sim_truth_packet")

    def _step_reference(self, t: float) -> None:
        """The turn in Python (the reference of the core's sim_node_turn):
        the attribute look-ups are bound once (``__init__``), the faults are
        asked only when one is due (their own test, :data:`TIME_EPS`)."""
        wc = self._world_c  # the world's core struct (ticks, t read there)
        nc = self._node_c
        if not nc.started:
            nc.t_first, nc.ticks_first, nc.started = t, wc.ticks, 1
        else:  # whole world steps since the first turn: no drift from rounding
            n = round((t - nc.t_first) / self._dt) - (wc.ticks - nc.ticks_first)
            if n > 0:
                self._world_step(n)
        self._after_world(t)

    def _after_world(self, t: float) -> None:
        """The turn's rest once the world is at ``t``: faults, sensors, truth."""
        wc = self._world_c
        stats = self.stats
        stats.ticks += 1
        tw = wc.t
        faults = self.faults
        if tw + TIME_EPS >= faults.next_time:  # FaultSchedule.update's own test
            for ev in faults.update(tw):
                f = ev.fault
                self.ctx.send(TRUTH_FAULT, kind=f.kind, index=max(0, min(255, f.index)),
                              sensor=f.sensor or "none", started=int(ev.started))
                stats.truth_packets += 1
        self._publish_sensors(tw, t)
        nc = self._node_c
        if tw >= nc.next_truth - 1e-9:
            self._publish_truth(t)
            nc.next_truth = _advance(nc.next_truth, self.truth_period, tw)

    # ------------------------------------------------------------ sensors
    def _publish_sensors(self, t: float, t_board: float) -> None:
        """One core call samples every sensor due at ``t`` (world time) and
        builds their packets back to back, stamped ``t_board`` (the
        executive's clock) and numbered with the context's counters; each is
        published in schedule order, TRUTH_CLOCK right after the GPS's."""
        faults = self.faults
        silent, dropped = faults.link_silent, faults.dropped
        sched, n = self._schedule, self._n
        mute = 0
        if silent or dropped:  # sampled all the same: the noise is drawn
            for i, s in enumerate(sched):
                if silent or s.name in dropped:
                    mute |= 1 << i
        lens, mask_out = self._lens, self._due_mask
        status = self._sensor_turn(self._sensors_c, self._world_c, n, self._ids, self._apids,
                                   self._periods, self._due, mute, t, t_board, self._seq,
                                   self._sbuf, self._sbuf_len, lens, mask_out)
        due = mask_out[0]
        if status:
            i = max(due.bit_length() - 1, 0)
            check(status, f"sim_sensor_turn({sched[i].name})")
        if not due:
            return
        raw = self._sraw
        if not mute and not due & self._gps_bit:  # most turns: every due slot built a packet
            slots = self._slots_of.get(due)
            if slots is None:  # the due slots in order, once per pattern
                slots = self._slots_of[due] = tuple(i for i in range(n) if due >> i & 1)
            # each packet published as publish(raw[off:off + lens[i]]) would be,
            # in one call (on a local bus the loop runs in C); a context
            # without publish_many (a test's stand-in) gets the loop
            many = getattr(self.ctx, "publish_many", None)
            if many is not None:
                many(raw, self._lens_n, slots)
            else:
                publish, off = self.ctx.publish, 0
                for i in slots:
                    end = off + lens[i]
                    publish(raw[off:end])
                    off = end
            self.stats.sensor_packets += len(slots)
            return
        publish = self.ctx.publish
        gps = self._gps
        off = sent = 0
        while due:  # the due slots in order, lowest bit first
            i = (due & -due).bit_length() - 1
            due &= due - 1
            length = lens[i]
            if length:
                end = off + length
                publish(raw[off:end])
                off = end
                sent += 1
            else:
                self.stats.samples_dropped += 1
            if i == gps:
                g = self._sensors_c.gps
                self.ctx.send(TRUTH_CLOCK, offset=g.clock_offset, freq=g.clock_freq)
                self.stats.truth_packets += 1
        self.stats.sensor_packets += sent

    def _publish_truth(self, t_board: float) -> None:
        """The truth packets, stamped ``t_board`` (the executive's clock)."""
        ctx = self.ctx
        buf, raw, blen = self._buf, self._raw, self._len
        world = self._world_c
        for which, apid, length in _TRUTH:
            status = lib.sim_truth_packet(world, which, t_board, ctx.next_seq(apid), buf, length,
                                          blen)
            if status:
                check(status, "sim_truth_packet")
            ctx.publish(raw[:length])
        self.stats.truth_packets += len(_TRUTH)

    # ------------------------------------------------------------ actuators
    def _read_wheel(self, raw: bytes) -> None:
        """Every tick (from the ADCS): :meth:`_read` written out for WHEEL_CMD."""
        if not self.faults.link_silent and type(raw) is bytes:
            res = self._cmd_result
            status = self._command_read(self._world_c, CHASER, _WHEEL, raw, len(raw), 1, res)
            if status:
                check(status, "sim_command_read")
            if res[0] == _CMD_OK:
                self.stats.commands_applied += 1
                return
        self._parsed(WHEEL_CMD, raw, self._on_wheel)

    def _read_mtq(self, raw: bytes) -> None:
        self._read(_MTQ, MTQ_CMD, raw, self._on_mtq)

    def _read_thruster(self, raw: bytes) -> None:
        self._read(_THRUSTER, THRUSTER_CMD, raw, self._on_thruster)

    def _read(self, which: int, pdef: Any, raw: bytes,
              on_record: Callable[[Any], None]) -> None:
        """Command ``which`` (``pdef``) read from its bytes and applied to the
        chaser by the core, counted as applied; any other outcome goes the
        parsed way (:meth:`_parsed`), a silent link without the core, and so
        does a packet that is not ``bytes`` (a task may publish a bytearray:
        the parser takes any buffer, the core call bytes)."""
        if not self.faults.link_silent and type(raw) is bytes:
            res = self._cmd_result
            check(self._command_read(self._world_c, CHASER, which, raw, len(raw), 1, res),
                  "sim_command_read")
            if res[0] == _CMD_OK:
                self.stats.commands_applied += 1
                return
        self._parsed(pdef, raw, on_record)

    def _parsed(self, pdef: Any, raw: bytes, on_record: Callable[[Any], None]) -> None:
        """A command the core did not apply (malformed, a value rejected, or
        the link silent): the dictionary's parser and the record handler
        decide and count, as a ``parse=True`` subscription would; a packet
        that does not parse is the executive's to count and report."""
        try:
            rec = pdef.parse(raw)
        except PacketError as exc:
            self.ctx.bad_packet(pdef, exc)
            return
        on_record(rec)

    def _accept(self, values: Any, nonneg: bool = False) -> bool:
        if self.faults.link_silent:
            self.stats.commands_lost += 1
            return False
        if not _finite(values, nonneg):
            self.stats.commands_rejected += 1
            return False
        self.stats.commands_applied += 1
        return True

    def _on_wheel(self, rec: Any) -> None:
        """Every tick: :meth:`_accept` written out for the record's tuple of
        floats (its numpy fallback is for other sequences)."""
        torque = rec.torque
        stats = self.stats
        if self.faults.link_silent:
            stats.commands_lost += 1
            return
        if not all(map(_isfinite, torque)):
            stats.commands_rejected += 1
            return
        stats.commands_applied += 1
        world = self.world
        nw = world.chaser.n_wheels
        if len(torque) != nw:  # wheels beyond the packet's get 0
            n = min(nw, len(torque))
            torque = (*torque[:n], *(0.0,) * (nw - n))
        world.set_wheel_torque(torque)

    def _on_mtq(self, rec: Any) -> None:
        if self._accept(rec.dipole_B):
            self.world.set_mtq_dipole(rec.dipole_B)

    def _on_thruster(self, rec: Any) -> None:
        on_time = rec.on_time
        if self._accept(on_time, nonneg=True):
            nt = self.world.chaser.n_thrusters
            if len(on_time) != nt:  # thrusters beyond the packet's stay off
                n = min(nt, len(on_time))
                on_time = (*on_time[:n], *(0.0,) * (nt - n))
            self.world.set_thruster_on_times(on_time)
