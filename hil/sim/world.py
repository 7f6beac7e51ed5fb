"""The truth world: both spacecraft integrated by the native core
(``hil._simcore``) in one caller-owned ``sim_world`` struct.

Python only orchestrates: :meth:`World.step` is one cffi call per tick, and the
state is exposed as zero-copy numpy views of the C struct (read them, copy
them if kept). Craft 0 is the chaser, craft 1 the target; the relative Hill
state (x radial out, y along-track, z orbit normal of the target) of the
chaser w.r.t. the target is refreshed by the core after every step.

The set-up maths is exact too: the epoch's time scales and sidereal angle
(:mod:`hil.sim.timescales`), elements -> state, the Hill offset of the chaser,
unit wheel axes and tilted thruster directions are computed by the core or
in integer / plain IEEE arithmetic, never by numpy's kernels or the platform's
libm (a TLE target is the exception, see :mod:`hil.sim.frames`).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from fsw.errors import UserError
from hil.sim import constants as k
from hil.sim._native import check, ffi, lib
from hil.sim.config import SpacecraftConfig, WorldConfig
from hil.sim.frames import kepler_to_rv, tle_epoch, tle_state
from hil.sim.timescales import Epoch, epoch_from_utc

CHASER, TARGET = 0, 1


def _view(owner: Any, struct: Any, name: str, n: int) -> np.ndarray:
    """A float64 numpy view of ``struct.name`` (no copy), where ``struct``
    lies in the memory ``owner`` (the ``ffi.new`` cdata) owns: the view is of
    ``owner``'s buffer, which keeps ``owner`` alive (a pointer into a struct
    does not: a view of it outliving its world would read freed memory)."""
    at = int(ffi.cast("uintptr_t", ffi.addressof(struct, name)))
    off = at - int(ffi.cast("uintptr_t", owner))
    buf = ffi.buffer(owner)
    if not 0 <= off <= len(buf) - 8 * n:
        raise ValueError(f"{name}: not inside the owner's memory")
    return np.frombuffer(buf, dtype=np.float64, count=n, offset=off)


def hill_to_inertial(r_t: Any, v_t: Any, rho: Any, rho_dot: Any) -> tuple[np.ndarray, np.ndarray]:
    """Inertial state of a craft at Hill offset ``rho`` moving at ``rho_dot``
    (rate in the rotating frame) from the reference state (r_t, v_t),
    computed by the core."""
    r, v = ffi.new("double[3]"), ffi.new("double[3]")
    args = [[float(x) for x in a] for a in (r_t, v_t, rho, rho_dot)]
    if any(len(a) != 3 for a in args) or lib.sim_hill_to_inertial(*args, r, v):
        raise UserError("Hill offset: the reference state is degenerate or a vector is not "
                        "3 finite values")
    return np.array(list(r)), np.array(list(v))


def _vec3(values: Any, what: str) -> list[float]:
    try:
        out = [float(x) for x in values]
    except (TypeError, ValueError) as exc:
        raise UserError(f"{what} must be a 3-vector of numbers") from exc
    if len(out) != 3:
        raise UserError(f"{what} must be a 3-vector, got {len(out)} values")
    return out


class CraftView:
    """Zero-copy numpy views of one craft of the world (state and outputs)."""

    def __init__(self, craft: Any, config: SpacecraftConfig, owner: Any) -> None:
        """``craft`` lies in the memory ``owner`` (the world's ``ffi.new``
        cdata) owns; the view keeps ``owner`` alive."""
        self.config = config
        self.name = config.name
        self._owner = owner
        self._c = ffi.addressof(craft)
        self.r = _view(owner, craft, "r", 3)
        self.v = _view(owner, craft, "v", 3)
        self.q = _view(owner, craft, "q", 4)
        self.w = _view(owner, craft, "w", 3)
        self.n_wheels = int(craft.n_wheels)
        self.n_thrusters = int(craft.n_thrusters)
        self.wheel_speed = _view(owner, craft, "wheel_speed", 6)[: self.n_wheels]
        self.wheel_torque_cmd = _view(owner, craft, "wheel_torque_cmd", 6)[: self.n_wheels]
        self.mtq_dipole_cmd = _view(owner, craft, "mtq_dipole_cmd", 3)
        self.thr_on_time = _view(owner, craft, "thr_on_time", 16)[: self.n_thrusters]
        self.b_body = _view(owner, craft, "b_body", 3)
        self.b_n = _view(owner, craft, "b_n", 3)
        self.sun_body = _view(owner, craft, "sun_body", 3)
        self.h_n = _view(owner, craft, "h_n", 3)
        self.thr_total_on = _view(owner, craft, "thr_total_on", 16)[: self.n_thrusters]
        self.thr_pulses = _view(owner, craft, "thr_pulses", 16)[: self.n_thrusters]
        self.wheel_torque_applied = _view(owner, craft, "wheel_torque_applied", 6)[: self.n_wheels]
        self.inertia = _view(owner, craft, "inertia", 9).reshape(3, 3)
        #: inertia about the current centre of mass and that centre (body, from
        #: the dry centre of mass), following the propellant
        self.inertia_cm = _view(owner, craft, "inertia_cm", 9).reshape(3, 3)
        self.com = _view(owner, craft, "com", 3)
        self.drag_accel = _view(owner, craft, "drag_accel", 3)
        self.srp_accel = _view(owner, craft, "srp_accel", 3)
        #: sensed (non-gravitational) velocity since the world's start, body
        #: axes: the accelerometer's truth (never reset)
        self.dv_sensed_B = _view(owner, craft, "dv_sensed_B", 3)

    @property
    def density(self) -> float:
        """Atmospheric density at the craft [kg/m^3] (0 with drag off)."""
        return float(self._c.density)

    @property
    def mass(self) -> float:
        return float(self._c.mass)

    @property
    def prop_mass(self) -> float:
        return float(self._c.prop_mass)

    @property
    def tank_pressure(self) -> float:
        return float(self._c.tank_pressure)

    @property
    def eclipse(self) -> bool:
        return bool(self._c.eclipse)

    @property
    def battery_soc(self) -> float:
        """The battery's state of charge (0 without a power model)."""
        return float(self._c.battery_soc)

    @property
    def array_power(self) -> float:
        """The solar array's power now [W]."""
        return float(self._c.array_power)

    def kinetic_energy(self) -> float:
        """Rotational kinetic energy of body and wheels [J]."""
        e = ffi.new("double *")
        check(lib.sim_craft_kinetic_energy(self._c, e), "sim_craft_kinetic_energy")
        return float(e[0])

    def fail_wheel(self, i: int, failed: bool = True) -> None:
        """Wheel ``i``'s motor stops producing torque (friction still acts)."""
        if not 0 <= i < self.n_wheels:
            raise UserError(f"wheel index {i} out of range 0..{self.n_wheels - 1}")
        self._c.wheel_failed[i] = int(failed)

    def set_thruster_state(self, i: int, state: str) -> None:
        """``nominal``, ``stuck_open`` or ``stuck_closed``."""
        states = {"nominal": lib.SIM_THR_NOMINAL, "stuck_open": lib.SIM_THR_STUCK_OPEN,
                  "stuck_closed": lib.SIM_THR_STUCK_CLOSED}
        if not 0 <= i < self.n_thrusters:
            raise UserError(f"thruster index {i} out of range 0..{self.n_thrusters - 1}")
        if state not in states:
            raise UserError(f"thruster state {state!r} not one of {sorted(states)}")
        self._c.thr_state[i] = states[state]


def _fill_craft(c: Any, sc: SpacecraftConfig, r: np.ndarray, v: np.ndarray) -> None:
    """Copy a spacecraft configuration and initial state into a C craft."""
    if len(sc.wheels) > 6 or len(sc.thrusters) > 16:
        raise UserError(f"{sc.name}: at most 6 wheels and 16 thrusters")
    c.r = list(map(float, r))
    c.v = list(map(float, v))
    c.dv_sensed_B = [0.0, 0.0, 0.0]
    c.q = [float(x) for x in sc.attitude_q]
    c.w = [float(x) for x in sc.rate]
    c.attitude_on = int(sc.attitude)
    c.dry_mass = sc.dry_mass
    c.prop_mass = sc.propellant_mass
    inertia = [float(x) for x in sc.inertia]
    if len(inertia) == 3:
        inertia = [inertia[0], 0, 0, 0, inertia[1], 0, 0, 0, inertia[2]]
    if len(inertia) != 9:
        raise UserError(f"{sc.name}: inertia needs 3 or 9 values, got {len(inertia)}")
    c.inertia = inertia
    c.cd_area = sc.cd_area
    faces = [float(x) for x in sc.face_areas] if sc.face_areas else [0.0, 0.0, 0.0]
    if len(faces) != 3:
        raise UserError(f"{sc.name}: face_areas needs 3 values (x, y, z faces), got {len(faces)}")
    c.face_area = faces
    c.cd = float(sc.cd)
    c.cr = float(sc.cr)
    c.tank_pos = _vec3(sc.tank_position, f"{sc.name}: tank_position")
    c.n_wheels = len(sc.wheels)
    unit = ffi.new("double[3]")
    for i, wh in enumerate(sc.wheels):
        if lib.sim_unit(_vec3(wh.axis, f"{sc.name}: wheel {i} axis"), unit):
            raise UserError(f"{sc.name}: wheel {i} axis must be a non-zero 3-vector")
        for j in range(3):
            c.wheel_axis[3 * i + j] = unit[j]
        c.wheel_inertia[i] = wh.inertia
        c.wheel_max_speed[i] = wh.max_speed
        c.wheel_max_torque[i] = wh.max_torque
        c.wheel_coulomb[i] = wh.coulomb_friction
        c.wheel_coulomb_speed[i] = wh.coulomb_speed
        c.wheel_viscous[i] = wh.viscous_friction
        c.wheel_speed[i] = wh.initial_speed
    c.mtq_max_dipole = [float(x) for x in sc.mtq_max_dipole]
    c.n_thrusters = len(sc.thrusters)
    for i, th in enumerate(sc.thrusters):
        direction = _vec3(th.direction, f"{sc.name}: thruster {i} direction")
        position = _vec3(th.position, f"{sc.name}: thruster {i} position")
        if not (th.thrust > 0):
            raise UserError(f"{sc.name}: thruster {i} needs thrust > 0")
        if lib.sim_tilted_direction(direction, math.radians(th.misalignment_deg),
                                    math.radians(th.misalignment_azimuth_deg), unit):
            raise UserError(f"{sc.name}: thruster {i} direction must be a non-zero 3-vector "
                            f"and its misalignment finite")
        for j in range(3):
            c.thr_pos[3 * i + j] = position[j]
            c.thr_dir[3 * i + j] = unit[j]
        c.thr_force[i] = th.thrust
        c.thr_isp[i] = th.isp
        c.thr_min_on[i] = th.min_impulse_bit / th.thrust
        for what, v in (("rise_time", th.rise_time), ("tail_off", th.tail_off)):
            if not (math.isfinite(v) and 0.0 <= v <= 1.0):
                raise UserError(f"{sc.name}: thruster {i} {what} must be in [0, 1] s")
        c.thr_rise[i] = th.rise_time
        c.thr_tail[i] = th.tail_off
    tank = sc.tank
    c.tank_volume = tank.volume
    c.prop_density = tank.propellant_density
    c.p_ref = tank.reference_pressure
    gas = tank.volume - sc.propellant_mass / tank.propellant_density
    c.tank_pv = tank.initial_pressure * gas if sc.thrusters else 0.0
    pw = sc.power
    if pw is not None:
        normal = _vec3(pw.array_normal, f"{sc.name}: power.array_normal")
        if lib.sim_unit(normal, unit):
            raise UserError(f"{sc.name}: power.array_normal must be a non-zero 3-vector")
        for what, v in (("array_peak_power", pw.array_peak_power),
                        ("load_power", pw.load_power)):
            if not (math.isfinite(v) and v >= 0.0):
                raise UserError(f"{sc.name}: power.{what} must be a finite power >= 0 W")
        if not (math.isfinite(pw.battery_capacity_wh) and pw.battery_capacity_wh > 0.0):
            raise UserError(f"{sc.name}: power.battery_capacity_wh must be > 0")
        if not (math.isfinite(pw.initial_soc) and 0.0 <= pw.initial_soc <= 1.0):
            raise UserError(f"{sc.name}: power.initial_soc must be in [0, 1]")
        c.array_normal = [unit[0], unit[1], unit[2]]
        c.array_peak_power = float(pw.array_peak_power)
        c.load_power = float(pw.load_power)
        c.battery_capacity = float(pw.battery_capacity_wh) * 3600.0
        c.battery_energy = float(pw.initial_soc) * c.battery_capacity


class _Atmosphere:
    """The NRLMSIS density nodes of every craft (see :mod:`hil.sim.atmosphere`):
    one node per craft every ``density_period`` s on the tick grid, each
    evaluated one period ahead of the world's time."""

    def __init__(self, world: World, env: Any) -> None:
        from hil.sim import atmosphere

        self._mod = atmosphere
        self.world = world
        self.weather = atmosphere.SpaceWeather(env.f107, env.f107a, env.ap)
        self.weather.check()
        if not 1 <= int(env.density_digits) <= 15:
            raise UserError("environment density_digits must be in [1, 15]")
        self.digits = int(env.density_digits)
        if not (env.density_period > 0.0) or not math.isfinite(env.density_period):
            raise UserError("environment density_period must be a positive number of seconds")
        self.node_ticks = max(1, round(env.density_period / world.dt))
        self.period = self.node_ticks * world.dt
        e = world.epoch
        days = (e.utc1 - 2440587.5) + e.utc2  # since 1970-01-01 UTC
        self.epoch_utc = datetime(1970, 1, 1) + timedelta(milliseconds=round(days * 86400000.0))
        self._out = ffi.new("double[5]")
        self.next_tick = world.ticks  # the node at the current time, then one period on
        self._node(0.0)
        self._node(self.period)
        self.next_tick = world.ticks + self.node_ticks

    def _node(self, ahead: float) -> None:
        w, out, dr = self.world, self._out, self._mod.DEFAULT_DR
        for i in range(int(w.struct.n_craft)):
            check(lib.sim_atmos_point(w.struct, i, ahead, out), "sim_atmos_point")
            t, r, lat, lon, h = (out[j] for j in range(5))
            rho = self._mod.density(self._mod.utc_at(self.epoch_utc, t), lat, lon,
                                    [h - dr, h + dr], self.weather, self.digits)
            check(lib.sim_atmos_set_node(w.struct, i, t, r, dr, rho[0], rho[1]),
                  "sim_atmos_set_node")

    def ticks_to_node(self) -> int:
        return max(1, self.next_tick - self.world.ticks)

    def update(self) -> None:
        """At a node time: add the node one period ahead."""
        if self.world.ticks >= self.next_tick:
            self._node(self.period)
            self.next_tick += self.node_ticks


class World:
    """Both spacecraft and their environment, stepped at ``config.step``."""

    def __init__(self, config: WorldConfig | None = None) -> None:
        self.config = cfg = config if config is not None else WorldConfig()
        if not (cfg.step > 0.0) or not math.isfinite(cfg.step):
            raise UserError(f"world step must be a positive number of seconds, got {cfg.step}")
        tgt_orbit = cfg.target.orbit
        if cfg.epoch_utc:
            self.epoch: Epoch = epoch_from_utc(cfg.epoch_utc)
        elif tgt_orbit.tle_line1:
            self.epoch = tle_epoch(tgt_orbit.tle_line1, tgt_orbit.tle_line2)
        else:
            raise UserError("world epoch_utc is empty and the target has no TLE")
        self.dt = float(cfg.step)
        self._w = w = ffi.new("sim_world *")
        env = cfg.environment
        w.env.mu = k.MU_EARTH
        w.env.r_earth = k.R_EARTH
        w.env.j2 = k.J2
        w.env.omega_earth = k.OMEGA_EARTH
        w.env.era0 = self.epoch.gmst
        w.env.jd_tt0 = self.epoch.jd_tt
        w.env.rho0 = env.rho0
        w.env.h0 = env.h0
        w.env.scale_height = env.scale_height
        w.env.b0 = k.DIPOLE_B0
        w.env.dipole_ecef = list(k.DIPOLE_ECEF)
        w.env.j2_on = int(env.j2)
        w.env.drag_on = int(env.drag)
        w.env.gravity_gradient_on = int(env.gravity_gradient)
        w.env.magnetic_on = int(env.magnetic)
        w.env.srp_on = int(env.srp)
        w.env.srp_pressure = float(env.srp_pressure)
        r_t, v_t = self._initial_orbit(cfg.target)
        hill = (len(cfg.chaser.hill_position), len(cfg.chaser.hill_velocity))
        if hill[0] not in (0, 3) or hill[1] not in (0, 3):
            raise UserError("chaser hill_position and hill_velocity need 3 values (or none)")
        if len(cfg.chaser.hill_position) == 3:
            vel = cfg.chaser.hill_velocity if len(cfg.chaser.hill_velocity) == 3 else [0.0] * 3
            r_c, v_c = hill_to_inertial(r_t, v_t, cfg.chaser.hill_position, vel)
        else:
            r_c, v_c = self._initial_orbit(cfg.chaser)
        w.n_craft = 2
        _fill_craft(w.craft[CHASER], cfg.chaser, r_c, v_c)
        _fill_craft(w.craft[TARGET], cfg.target, r_t, v_t)
        w.hill_craft, w.hill_ref = CHASER, TARGET
        self._atmos: _Atmosphere | None = None
        if env.atmosphere not in ("exponential", "nrlmsis"):
            raise UserError(f"environment atmosphere {env.atmosphere!r} is not one of "
                            "'exponential', 'nrlmsis'")
        if env.drag and env.atmosphere == "nrlmsis":  # the nodes first: the outputs use them
            self._atmos = _Atmosphere(self, env)
        status = lib.sim_world_prepare(w)
        if status:
            raise UserError(f"world configuration rejected by the simulation core "
                            f"(status {status}: check masses, inertia, axes, tank)")
        self.chaser = CraftView(w.craft[CHASER], cfg.chaser, w)
        self.target = CraftView(w.craft[TARGET], cfg.target, w)
        self.hill_r = _view(w, w, "hill_r", 3)
        self.hill_v = _view(w, w, "hill_v", 3)
        self.sun_n = _view(w, w, "sun_n", 3)
        self._step = lib.sim_world_step

    def _initial_orbit(self, sc: SpacecraftConfig) -> tuple[np.ndarray, np.ndarray]:
        o = sc.orbit
        if o.state_n:
            if len(o.state_n) != 6:
                raise UserError(f"{sc.name}: orbit state_n needs 6 values (r, v), "
                                f"got {len(o.state_n)}")
            return np.array(o.state_n[:3], float), np.array(o.state_n[3:], float)
        if o.tle_line1 or o.tle_line2:
            return tle_state(o.tle_line1, o.tle_line2, self.epoch)
        return kepler_to_rv(o.sma, o.ecc, math.radians(o.inc_deg), math.radians(o.raan_deg),
                            math.radians(o.argp_deg), math.radians(o.true_anomaly_deg))

    @property
    def t(self) -> float:
        """Seconds since the epoch."""
        return self._w.t

    @property
    def ticks(self) -> int:
        return int(self._w.ticks)

    @property
    def tai(self) -> float:
        """On-board time: TAI seconds since 1958-01-01."""
        return self.epoch.tai_s + self._w.t

    @property
    def sun_distance(self) -> float:
        return float(self._w.sun_distance)

    @property
    def struct(self) -> Any:
        """The cffi ``sim_world *`` (for tests and benchmarks)."""
        return self._w

    def step(self, n: int = 1) -> None:
        """Advance ``n`` ticks (commands held; thruster on-times count down),
        stopping at each density node of the atmosphere to add the next."""
        atm = self._atmos
        if atm is None or (n > 0 and self._w.ticks + n < atm.next_tick):  # no node reached
            status = self._step(self._w, self.dt, n)
            if status:
                check(status, "sim_world_step")
            return
        w, dt = self._w, self.dt
        while n > 0:
            # atm.ticks_to_node() and atm.update(), written out: once per tick
            k = atm.next_tick - w.ticks
            k = n if n < k else (k if k > 1 else 1)
            status = self._step(w, dt, k)
            if status:
                check(status, "sim_world_step")
            n -= k
            if w.ticks >= atm.next_tick:
                atm.update()

    def set_wheel_torque(self, torque: Any) -> None:
        """Motor torque commands [N m] (saturated by the core)."""
        c = self.chaser
        if type(torque) is tuple and len(torque) == c.n_wheels:  # the node's per-tick case
            c.wheel_torque_cmd[:] = torque
            return
        c.wheel_torque_cmd[:] = np.asarray(torque, float)[: c.n_wheels]

    def set_mtq_dipole(self, dipole: Any) -> None:
        """Magnetorquer dipole [A m^2] in body axes (saturated by the core)."""
        self.chaser.mtq_dipole_cmd[:] = np.asarray(dipole, float)[:3]

    def set_thruster_on_times(self, on_time: Any) -> None:
        """On-time [s] of each thruster from the next tick's start."""
        self.chaser.thr_on_time[:] = np.asarray(on_time, float)[: self.chaser.n_thrusters]
