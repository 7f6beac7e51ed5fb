"""Propulsion arithmetic through the guidance core (native/include/gnc_prop.h):
thruster groups and their torque-free partners, the group and the burn
attitude for a Delta-v, the on-time of a firing cycle with its Delta-v and
propellant, and the residuals of the burn, firing, idle and thruster-test
monitors, and a firing cycle's thrust with the thrusters' rise and tail-off.
The decisions (state machine, arming, persistence, isolation) stay in the
propulsion task.

Thrusters: up to 16, each with a position (m, body, from the centre of mass)
and a thrust direction (body, normalised by the core); a group is the set of
thrusters with the same direction (within 1e-9). Masks: bit i = thruster i.
"""

# ruff: noqa: N815  (frame suffixes _B, _N, _BN are the project naming convention)
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from fsw.core._ffi import check, ffi, lib, out, ptr, size_view, vec
from fsw.core.errors import GncInputError

__all__ = ["G0", "PROP_CAL_MAX", "PROP_MAX", "Prop", "PropConfig", "PropSensors",
           "accel_inertial", "com_torque", "com_update", "pulse_response", "rate_residuals"]

#: m/s^2, standard gravity
G0 = 9.80665
#: the accelerometer bias window's capacity in samples (GNC_PROP_CAL_MAX)
PROP_CAL_MAX = int(lib.GNC_PROP_CAL_MAX)
#: most thrusters the core handles (GNC_PROP_MAX)
PROP_MAX = 16


@dataclass
class PropConfig:
    """Thruster layout and engine of the propulsion arithmetic (gnc_prop_config)."""

    position_B: Sequence[ArrayLike] = ()   #: m, body, one 3-vector per thruster
    direction_B: Sequence[ArrayLike] = ()  #: thrust directions, body (any length)
    inertia: ArrayLike = (10.0, 0.0, 0.0, 0.0, 12.0, 0.0, 0.0, 0.0, 15.0)  #: kg m^2
    isp: float = 220.0                     #: s
    g0: float = G0                         #: m/s^2
    min_on: float = 0.01                   #: s, shortest pulse
    secondary_B: ArrayLike = (0.0, -1.0, 0.0)  #: body axis towards the orbit normal

    @property
    def count(self) -> int:
        return len(self.position_B)

    def fields(self) -> dict[str, object]:
        """Flat C member values (also the PROP_CONFIG request fields)."""
        k = self.count
        if not 1 <= k <= PROP_MAX or len(self.direction_B) != k:
            raise GncInputError(f"prop config: 1..{PROP_MAX} thrusters, each with a position "
                                f"and a direction (got {k} and {len(self.direction_B)})")
        pos = np.zeros(3 * PROP_MAX)
        dirs = np.zeros(3 * PROP_MAX)
        pos[: 3 * k] = np.asarray(self.position_B, float).reshape(-1)
        dirs[: 3 * k] = np.asarray(self.direction_B, float).reshape(-1)
        return {"count": k, "position_B": tuple(pos.tolist()),
                "direction_B": tuple(dirs.tolist()),
                "inertia": tuple(vec(self.inertia, 9, "inertia").tolist()),
                "isp": self.isp, "g0": self.g0, "min_on": self.min_on,
                "secondary_B": tuple(vec(self.secondary_B, 3, "secondary_B").tolist())}


def _t3(a: np.ndarray) -> tuple[float, float, float]:
    return (float(a[0]), float(a[1]), float(a[2]))


class Prop:
    """The propulsion arithmetic on a caller-owned C context (gnc_prop)."""

    def __init__(self, config: PropConfig) -> None:
        self.config = config
        self._ctx = ffi.new("gnc_prop *")
        c = ffi.new("gnc_prop_config *")
        for name, value in config.fields().items():
            cur = getattr(c, name)
            if isinstance(cur, float | int):
                setattr(c, name, value)
            else:
                for i, x in enumerate(value):  # type: ignore[arg-type]
                    cur[i] = x
        check(lib.gnc_prop_init(self._ctx, c), "prop_init")
        self._i = ffi.new("int[2]")
        self._d = ffi.new("double[3]")

    def partners(self) -> tuple[int, ...]:
        """For each thruster, the one of its group whose torque cancels its best
        (itself when alone)."""
        return tuple(int(self._ctx.partner[i]) for i in range(self._ctx.cfg.count))

    def select(self, ok_mask: int, q_BN: ArrayLike, dv_N: ArrayLike
               ) -> tuple[tuple[float, float, float], int, int]:
        """The group with two usable thrusters nearest the Delta-v in attitude
        ``q_BN``: ``(axis_B, group_mask, n_fire)``. GncDomainError when none."""
        q, d, axis = vec(q_BN, 4, "q_BN"), vec(dv_N, 3, "dv_N"), out(3)
        check(lib.gnc_prop_select(self._ctx, int(ok_mask), ptr(q), ptr(d), ptr(axis), self._i,
                                  self._i + 1), "prop_select")
        return _t3(axis), int(self._i[0]), int(self._i[1])

    def burn_attitude(self, axis_B: ArrayLike, dv_N: ArrayLike, normal_N: ArrayLike
                      ) -> tuple[float, float, float, float]:
        """The burn attitude ``q_BN``: ``axis_B`` along the Delta-v, the secondary
        axis towards the orbit normal (z_N x dv when the normal is unknown, zero,
        or within acos(0.99) of the Delta-v)."""
        a, d, nn, q = vec(axis_B, 3, "axis_B"), vec(dv_N, 3, "dv_N"), vec(normal_N, 3,
                                                                         "normal_N"), out(4)
        check(lib.gnc_prop_burn_attitude(self._ctx, ptr(a), ptr(d), ptr(nn), ptr(q)),
              "prop_burn_attitude")
        return (float(q[0]), float(q[1]), float(q[2]), float(q[3]))

    def fire(self, n_fire: int, thrust: float, mass: float, remaining: float, dt: float
             ) -> tuple[float, float, float]:
        """One firing cycle: ``(on s, dv m/s, dm kg)``; ``on = 0`` when the
        on-time would be below the minimum pulse (the burn is done)."""
        d = self._d
        check(lib.gnc_prop_fire(self._ctx, int(n_fire), float(thrust), float(mass),
                                float(remaining), float(dt), d, d + 1, d + 2), "prop_fire")
        return float(d[0]), float(d[1]), float(d[2])

    def offpulse(self, on_time: ArrayLike, torque_B: ArrayLike, thrust: float, mass: float,
                 q_BN: ArrayLike
                 ) -> tuple[tuple[float, ...], tuple[float, float, float], float,
                            tuple[float, float, float]]:
        """Off-pulsing of one firing cycle: the nominal on-times (16 thruster
        slots) cut short so the cycle's torque is as near ``torque_B`` as the
        groups make it: ``(on_time per slot s, dv_N m/s, dm kg, torque made
        N m)`` (see gnc_prop_offpulse)."""
        o, tq, q = vec(on_time, 16, "on_time"), vec(torque_B, 3, "torque_B"), vec(q_BN, 4, "q_BN")
        on_t, dv, tq_out, d = out(16), out(3), out(3), self._d
        check(lib.gnc_prop_offpulse(self._ctx, ptr(o), ptr(tq), float(thrust), float(mass),
                                    ptr(q), ptr(on_t), ptr(dv), d, ptr(tq_out)),
              "prop_offpulse")
        return tuple(float(x) for x in on_t), _t3(dv), float(d[0]), _t3(tq_out)

    def translate(self, ok_mask: int, q_BN: ArrayLike, rem_N: ArrayLike, thrust: float,
                  mass: float, dt: float
                  ) -> tuple[tuple[float, ...], tuple[float, float, float], float]:
        """One cycle of a translation in attitude ``q_BN`` without slewing:
        ``(on_time of each of the GNC_PROP_MAX = 16 thruster slots, dv_N, dm)``
        (see gnc_prop_translate); all zero
        when done. GncDomainError when the groups cannot make ``rem_N``."""
        q, r = vec(q_BN, 4, "q_BN"), vec(rem_N, 3, "rem_N")
        on, dv, dm = out(16), out(3), self._d
        check(lib.gnc_prop_translate(self._ctx, int(ok_mask), ptr(q), ptr(r), float(thrust),
                                     float(mass), float(dt), ptr(on), ptr(dv), dm),
              "prop_translate")
        return tuple(float(x) for x in on), _t3(dv), float(dm[0])

    def duration(self, n_fire: int, thrust: float, mass: float, dv: float) -> float:
        """Burn duration (s) of ``dv`` m/s with ``n_fire`` thrusters of ``thrust`` N."""
        d = self._d
        check(lib.gnc_prop_duration(self._ctx, int(n_fire), float(thrust), float(mass),
                                    float(dv), d), "prop_duration")
        return float(d[0])

    def test_response(self, i: int, thrust: float, pulse: float, dw_B: ArrayLike
                      ) -> tuple[tuple[float, float, float], float]:
        """Thruster ``i`` fired ``pulse`` s at ``thrust`` N: the expected body
        rate change ``I^-1 (arm x dir) F pulse`` and the response ratio of the
        observed change ``dw_B`` (1: as expected, 0: not firing)."""
        w, e, r = vec(dw_B, 3, "dw_B"), out(3), self._d
        check(lib.gnc_prop_test_response(self._ctx, int(i), float(thrust), float(pulse), ptr(w),
                                         ptr(e), r), "prop_test_response")
        return _t3(e), float(r[0])


def accel_inertial(dv_B: ArrayLike, dt: float, bias_B: ArrayLike, q_BN: ArrayLike
                   ) -> tuple[float, float, float]:
    """An accelerometer sample in GCRF: ``R(q_BN)^T (dv_B - bias_B dt)`` (m/s)."""
    d, b, q, r = vec(dv_B, 3, "dv_B"), vec(bias_B, 3, "bias_B"), vec(q_BN, 4, "q_BN"), out(3)
    check(lib.gnc_prop_accel(ptr(d), float(dt), ptr(b), ptr(q), ptr(r)), "prop_accel")
    return _t3(r)


def rate_residuals(w_B: ArrayLike, w0_B: ArrayLike) -> tuple[float, float]:
    """The monitors' residuals ``(|w_B|, |w_B - w0_B|)`` (rad/s)."""
    a, b = vec(w_B, 3, "w_B"), vec(w0_B, 3, "w0_B")
    r = ffi.new("double[2]")
    check(lib.gnc_prop_rate_residuals(ptr(a), ptr(b), r, r + 1), "prop_rate_residuals")
    return float(r[0]), float(r[1])


def pulse_response(level_in: ArrayLike, on: ArrayLike, n: int, dt: float, rise: float,
                   tail: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """One firing cycle of ``dt`` s with the thrusters' rise and tail-off (the
    simulation's first-order model, time constants ``rise`` and ``tail`` s; see
    gnc_prop_pulse_response): each of the first ``n`` of the 16 thruster slots
    opens its valve at the cycle's start for ``on`` s and starts from the
    thrust level ``level_in`` (fraction of full thrust); returns ``(level_out,
    on_eff)``, the levels at the cycle's end and each opening's impulse in
    seconds of full thrust, ``on + (tail - rise) R`` (``R``: the level's rise
    while open), which add up over a firing to its whole impulse once its
    thrust has tailed off. Slots from ``n`` on: zero in, zero out."""
    x, o = vec(level_in, PROP_MAX, "level_in"), vec(on, PROP_MAX, "on")
    lv, eff = out(PROP_MAX), out(PROP_MAX)
    check(lib.gnc_prop_pulse_response(ptr(x), ptr(o), int(n), float(dt), float(rise),
                                      float(tail), ptr(lv), ptr(eff)), "prop_pulse_response")
    return tuple(float(v) for v in lv), tuple(float(v) for v in eff)


def com_update(N: ArrayLike, b: ArrayLike, F: ArrayLike, y: ArrayLike, min_impulse: float,
               max_offset: float
               ) -> tuple[tuple[float, ...], tuple[float, float, float],
                          tuple[float, float, float], int]:
    """One translation (thrust impulse ``F`` N s, momentum residual ``y`` N m s,
    body) into the centre-of-mass least squares ``F x delta = y`` (see
    gnc_prop_com_update): ``(N, b, est, used)``, the normal matrix (9,
    row-major) and right-hand side after it, the offset ``est`` (m, body;
    zero unless ``used`` is 2) and ``used``: 0 refused (N, b unchanged), 1
    accumulated without an estimate (det N not > 0), 2 accumulated and solved."""
    n, r = vec(N, 9, "N").copy(), vec(b, 3, "b").copy()
    f, m, est = vec(F, 3, "F"), vec(y, 3, "y"), out(3)
    used = ffi.new("int *")
    check(lib.gnc_prop_com_update(ptr(n), ptr(r), ptr(f), ptr(m), float(min_impulse),
                                  float(max_offset), ptr(est), used), "prop_com_update")
    return tuple(float(x) for x in n), _t3(r), _t3(est), int(used[0])


def com_torque(N: ArrayLike, est: ArrayLike, F: ArrayLike, noise: float
               ) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The torque ``-est x F`` of the force ``F`` (body) about the centre of
    mass learnt (``est``, m, body) and each axis' 1-sigma uncertainty from
    the least squares' normal matrix ``N`` (9, row-major) and momentum
    ``noise`` (see gnc_prop_com_torque): ``(known, sigma)``."""
    n, e, f = vec(N, 9, "N"), vec(est, 3, "est"), vec(F, 3, "F")
    known, sigma = out(3), out(3)
    check(lib.gnc_prop_com_torque(ptr(n), ptr(e), ptr(f), float(noise), ptr(known),
                                  ptr(sigma)), "prop_com_torque")
    return _t3(known), _t3(sigma)


class PropSensors:
    """The propulsion task's GYRO and ACCEL packets read in one call
    (gnc_prop_sensors.h): the latest valid finite rate, the accelerometer's
    samples checked and, coasting, kept in the bias window of ``cal_s``
    seconds (a ring of :data:`PROP_CAL_MAX` samples: when full the oldest
    is dropped and counted in :attr:`dropped`), or handed back."""

    def __init__(self, cal_s: float) -> None:
        self.s = ffi.new("gnc_prop_sensors *")
        check(lib.gnc_prop_sensors_init(self.s, cal_s), "prop_sensors_init")
        self._bias = ffi.new("double[3]")
        self._ok = ffi.new("int *")
        # the arguments of a read that stay the same, in one C struct (a
        # pointer argument costs about as much to pass as a short Python
        # statement): gnc_prop_sensors_read_io is gnc_prop_sensors_read on them
        self._io = ffi.new("gnc_prop_sensors_io *")
        self._io.s = self.s
        self._read_io = lib.gnc_prop_sensors_read_io
        self._room(8)
        self._read = self._make_reader()

    def _room(self, n: int) -> None:
        self._cap = n
        self._status = ffi.new("uint8_t[]", n)
        self._lens = ffi.new("size_t[]", n)
        # the lengths are written through a memoryview of the C array (an
        # item written through the cdata costs more)
        self._lens_mv = size_view(self._lens)
        self._fire_dv = ffi.new("double[]", 3 * n)
        self._fire_dt = ffi.new("double[]", n)
        io = self._io
        io.lens, io.status, io.fire_dv, io.fire_dt = (self._lens, self._status, self._fire_dv,
                                                      self._fire_dt)
        io.cap = n

    def reader(self) -> Callable[[list[bytes], bool], int]:
        """:meth:`read` as a plain function ``read(packets, coasting)``
        (the same call, its buffers bound: what a task calls every cycle).
        One function per reader: it alone grows the buffers, so that
        :meth:`unread` and :meth:`fired` always see the ones it wrote."""
        return self._read

    def _make_reader(self) -> Callable[[list[bytes], bool], int]:
        s, io, read_io, join = self.s, self._io, self._read_io, b"".join
        cap, lens_mv = self._cap, self._lens_mv

        def read(packets: list[bytes], coasting: bool) -> int:
            nonlocal cap, lens_mv
            n = len(packets)
            if n > cap:
                self._room(n)  # the new buffers into io too
                cap, lens_mv = self._cap, self._lens_mv
            for i, p in enumerate(packets):
                lens_mv[i] = len(p)
            st = read_io(io, join(packets), n, coasting)
            if st:
                check(st, "prop_sensors_read")
            return s.attention

        return read

    def read(self, packets: list[bytes], coasting: bool) -> int:
        """Read whole space packets (GYRO, ACCEL), in order
        (gnc_prop_sensors_read); returns the number of them to look at: not
        read (:meth:`unread`), rejected (:attr:`rejected`) or, not
        ``coasting``, handed back (:meth:`fired`); 0 on the common path.
        The rate: :attr:`rate`."""
        return self._read(packets, coasting)

    def unread(self, packets: list[bytes]) -> list[bytes]:
        """Of the packets last read, those not read (a length, CRC or header
        the dictionary's parser refuses; another APID), in order."""
        status = self._status
        return [p for i, p in enumerate(packets) if status[i]] if self.s.unread else []

    @property
    def rejected(self) -> int:
        """The accelerometer samples the last read rejected."""
        return int(self.s.rejected)

    def fired(self) -> list[tuple[tuple[float, float, float], float]]:
        """The good samples ``(dv_B, dt)`` the last read handed back (not coasting)."""
        dv, dt = self._fire_dv, self._fire_dt
        return [((dv[3 * k], dv[3 * k + 1], dv[3 * k + 2]), dt[k]) for k in range(self.s.n_fire)]

    @property
    def rate(self) -> tuple[float, float, float] | None:
        """The latest valid finite rate (rad/s, body); None before one."""
        s = self.s
        if not s.rate_seen:
            return None
        w = s.rate_B
        return (w[0], w[1], w[2])

    def clear(self) -> None:
        """Empty the bias window."""
        check(lib.gnc_prop_sensors_clear(self.s), "prop_sensors_clear")

    def bias(self, min_s: float) -> tuple[float, float, float] | None:
        """The window's mean increment per second (its increments and
        intervals summed oldest first), None when it spans less than ``min_s``."""
        check(lib.gnc_prop_sensors_bias(self.s, min_s, self._bias, self._ok), "prop_sensors_bias")
        b = self._bias
        return (b[0], b[1], b[2]) if self._ok[0] else None

    @property
    def window(self) -> list[tuple[tuple[float, float, float], float]]:
        """The window's samples ``(dv_B, dt)``, oldest first."""
        s = self.s
        out = []
        for i in range(s.cal_n):
            j = (s.cal_head + i) % PROP_CAL_MAX
            v = s.cal_dv[j]
            out.append(((v[0], v[1], v[2]), s.cal_dt[j]))
        return out

    @property
    def span(self) -> float:
        """The window's running span (s)."""
        return float(self.s.span)

    @property
    def dropped(self) -> int:
        """Samples dropped from a full window."""
        return int(self.s.cal_dropped)
