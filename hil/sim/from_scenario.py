"""Map a mission scenario (:class:`fsw.scenario.Scenario`, the TOML file) onto
the world's :class:`~hil.sim.config.WorldConfig`.

The world starts at the chaser's insertion: epoch = launch notice +
notice_to_launch_s + insertion.ascent_s. The target's orbit is a TLE (sgp4
evaluated at that epoch) or osculating elements at launch, carried to the
insertion by the world's own dynamics (two-body + J2) and handed over as
that inertial state (no round trip through elements). The chaser starts at
``insertion.position_hill_m`` / ``velocity_hill_mps`` (empty: the natural
drift -1.5 n x) from the target with the tip-off rates. Fault times (seconds
after launch) become seconds after insertion; faults before it start at once.
A star_tracker_dropout's index is the head (0, 1, 2).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from fsw.errors import UserError
from hil.sim import constants as k
from hil.sim.config import (
    STAR_TRACKER_HEADS,
    FaultConfig,
    OrbitConfig,
    PowerConfig,
    SensorsConfig,
    SpacecraftConfig,
    ThrusterConfig,
    WheelConfig,
    WorldConfig,
    target_default,
)

_FAULT_KINDS = {"wheel_fail": ("wheel_fail", ""),
                "thruster_stuck_open": ("thruster_stuck_open", ""),
                "thruster_stuck_closed": ("thruster_stuck_closed", ""),
                "star_tracker_dropout": ("sensor_dropout", "star_tracker"),
                "link_loss": ("link_silent", "")}


def _iso(epoch_utc: str, seconds: float) -> str:
    t = datetime.fromisoformat(epoch_utc.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return (t.astimezone(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _target_orbit(sc: Any, launch_utc: str, ascent_s: float) -> OrbitConfig:
    t = sc.target
    if t.tle_line1 or t.tle_line2:
        return OrbitConfig(tle_line1=t.tle_line1, tle_line2=t.tle_line2)
    if ascent_s <= 0:
        return OrbitConfig(sma=k.R_EARTH + t.altitude_km * 1e3, ecc=t.ecc, inc_deg=t.inc_deg,
                           raan_deg=t.raan_deg, argp_deg=t.argp_deg, true_anomaly_deg=t.ta_deg)
    # elements at launch: propagate them to the insertion with the world itself
    from hil.sim.world import World  # local: world imports config only

    probe = target_default()
    probe.orbit = OrbitConfig(sma=k.R_EARTH + t.altitude_km * 1e3, ecc=t.ecc, inc_deg=t.inc_deg,
                              raan_deg=t.raan_deg, argp_deg=t.argp_deg, true_anomaly_deg=t.ta_deg)
    w = World(WorldConfig(epoch_utc=launch_utc, step=1.0, chaser=target_default(),
                          target=probe))
    w.step(int(ascent_s))
    if ascent_s - int(ascent_s) > 0:
        w.dt = ascent_s - int(ascent_s)
        w.step()
    return OrbitConfig(state_n=w.target.r.tolist() + w.target.v.tolist())


def _curvilinear_insertion(sc: Any, launch_utc: str, target: OrbitConfig) -> OrbitConfig:
    """The chaser's orbit at insertion for ``insertion.curvilinear``: the
    target's own state ``-along / v`` seconds earlier (its orbit, J2's
    short-period terms and all: ``along`` metres behind along it), offset by
    the radial and cross-track values with the natural drift of that height
    (-1.5 n x), as the rectilinear insertion is from the target itself."""
    from hil.sim.world import hill_to_inertial  # local: world imports config only

    ins = sc.insertion
    if sc.target.tle_line1:
        raise UserError("insertion.curvilinear needs the target given by elements, not a TLE")
    x, along, z = (float(c) for c in ins.position_hill_m)
    a = _semi_major_axis(target)
    n = math.sqrt(k.MU_EARTH / (a * a * a))
    earlier = -along / (n * a)  # s: the target's time to cover the arc
    if not ins.ascent_s - earlier > 0:
        raise UserError(f"insertion.curvilinear: {-along / 1e3:.0f} km behind along the orbit "
                        f"is {earlier:.0f} s of it, more than insertion.ascent_s")
    ref = _target_orbit(sc, launch_utc, ins.ascent_s - earlier)
    r_c, v_c = hill_to_inertial(ref.state_n[:3], ref.state_n[3:], [x, 0.0, z],
                                [0.0, -1.5 * n * x, 0.0])
    return OrbitConfig(state_n=[float(c) for c in (*r_c, *v_c)])


def _semi_major_axis(o: OrbitConfig) -> float:
    """The osculating semi-major axis of an orbit given as elements or as a
    state (vis-viva, plain IEEE arithmetic)."""
    if not o.state_n:
        return o.sma
    r, v = o.state_n[:3], o.state_n[3:]
    rn = math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
    return 1.0 / (2.0 / rn - (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) / k.MU_EARTH)


def _star_trackers(s: Any, out: SensorsConfig) -> None:
    """The heads of ``chaser.sensors.star_trackers`` (exclusion angles from the
    edge of the field of view: the world's are from the boresight)."""
    st = s.star_trackers
    half = st.fov_deg / 2.0
    out.star_tracker_heads = int(st.count)
    for i in range(st.count):
        h = getattr(out, STAR_TRACKER_HEADS[i])
        h.rate_hz = s.star_tracker_rate_hz
        h.cross_boresight_sigma_arcsec = s.star_tracker_noise_arcsec
        h.about_boresight_sigma_arcsec = s.star_tracker_roll_noise_arcsec
        h.boresight = [float(x) for x in st.boresights_b[i]]
        h.sun_exclusion_deg = half + st.sun_exclusion_deg
        h.earth_exclusion_deg = half + st.earth_exclusion_deg
        h.moon_exclusion_deg = half + st.moon_exclusion_deg
        h.acquisition_s = st.acquisition_s
        h.max_rate_deg_s = st.max_rate_deg_s
        h.bias_arcsec = [float(x) for x in st.bias_arcsec[i]]


def world_config(sc: Any) -> WorldConfig:
    """The world of a scenario (see the module doc)."""
    m, ins, ch = sc.mission, sc.insertion, sc.chaser
    launch_utc = _iso(m.epoch_utc, m.notice_to_launch_s)
    cfg = WorldConfig(epoch_utc=_iso(m.epoch_utc, m.notice_to_launch_s + ins.ascent_s),
                      seed=int(m.seed))
    cfg.step = sc.rates.sim_step_s if sc.rates.sim_step_s > 0 else 1.0 / sc.rates.adcs_hz
    tgt = target_default()
    tgt.dry_mass = float(sc.target.mass_kg)
    tgt.orbit = _target_orbit(sc, launch_utc, ins.ascent_s)
    cfg.target = tgt

    rcs, wh = ch.rcs, ch.wheels
    chaser = SpacecraftConfig(name="chaser", dry_mass=ch.mass_kg - rcs.propellant_kg,
                              propellant_mass=rcs.propellant_kg,
                              inertia=[float(x) for x in ch.inertia_kgm2])
    chaser.hill_position = [float(x) for x in ins.position_hill_m]
    if ins.curvilinear:
        chaser.orbit = _curvilinear_insertion(sc, launch_utc, tgt.orbit)
        chaser.hill_position = []
    elif ins.velocity_hill_mps:
        chaser.hill_velocity = [float(x) for x in ins.velocity_hill_mps]
    else:
        a = (_semi_major_axis(tgt.orbit) if not sc.target.tle_line1
             else k.R_EARTH + sc.target.altitude_km * 1e3)
        n = math.sqrt(k.MU_EARTH / (a * a * a))
        chaser.hill_velocity = [0.0, -1.5 * n * chaser.hill_position[0], 0.0]
    chaser.rate = [math.radians(x) for x in ins.tumble_deg_s]
    chaser.wheels = [WheelConfig(axis=[float(x) for x in a], max_momentum=wh.max_momentum_nms,
                                 max_torque=wh.max_torque_nm) for a in wh.axes_b]
    chaser.mtq_max_dipole = [wh.mtq_dipole_am2] * 3
    chaser.thrusters = [ThrusterConfig(position=[float(x) for x in p],
                                       direction=[float(x) for x in d], thrust=rcs.thrust_n,
                                       isp=rcs.isp_s, min_impulse_bit=rcs.min_impulse_bit_ns,
                                       rise_time=rcs.rise_time_s, tail_off=rcs.tail_off_s)
                        for p, d in zip(rcs.positions_b, rcs.directions_b, strict=True)]
    cfg.chaser = chaser
    _environment(sc, cfg)

    s, out = ch.sensors, cfg.sensors
    _star_trackers(s, out)
    out.gyro.angle_random_walk = math.radians(s.gyro_arw_deg_rthr) / 60.0
    out.gyro.bias_sigma = math.radians(s.gyro_bias_deg_hr) / 3600.0
    out.gyro.bias_instability = math.radians(s.gyro_bias_instability_deg_hr) / 3600.0
    out.gyro.scale_factor_ppm = s.gyro_scale_factor_ppm
    out.accelerometer.rate_hz = s.accel_rate_hz
    out.accelerometer.velocity_random_walk = s.accel_vrw_mps_rthr / 60.0
    out.accelerometer.bias_sigma = s.accel_bias_ug * 1e-6 * k.G0
    out.accelerometer.scale_factor_ppm = s.accel_scale_factor_ppm
    out.gps.rate_hz = s.gps_rate_hz
    out.gps.position_sigma = s.gps_noise_m
    out.gps.velocity_sigma = s.gps_vel_noise_mps
    out.gps.ttff_s = s.gps_ttff_s
    out.gps.reacquisition_s = s.gps_reacquisition_s
    out.gps.max_rate_deg_s = s.gps_max_rate_deg_s
    out.gps.antenna_B = [float(x) for x in s.gps_antenna_b]
    out.gps.max_zenith_deg = s.gps_max_zenith_deg
    out.gps.gm_tau_s = s.gps_gm_tau_s
    out.gps.gm_position_sigma = s.gps_gm_noise_m
    out.gps.gm_velocity_sigma = s.gps_gm_vel_noise_mps
    out.gps.clock_offset_sigma = s.clock_offset_s
    out.gps.clock_freq_sigma = s.clock_freq_ppm * 1e-6
    out.gps.clock_q_wf = s.clock_q_wf_s
    out.gps.clock_q_rw = s.clock_q_rw_per_s
    out.gps.pps_sigma = s.gps_pps_noise_s
    out.relnav.max_range = s.relnav_range_max_m
    out.relnav.fov_half_angle_deg = s.relnav_fov_deg / 2.0  # the scenario's is the full angle
    out.relnav.range_sigma_fraction = s.relnav_range_noise_frac
    out.relnav.angle_sigma_deg = s.relnav_angle_noise_deg
    out.relnav.boresight = [float(x) for x in ch.camera_boresight_b]
    out.relnav.lidar_range = s.relnav_lidar_range_m if s.relnav_needs_light else math.inf
    out.relnav.phase_max_deg = s.relnav_phase_max_deg
    out.relnav.sun_exclusion_deg = s.relnav_sun_exclusion_deg
    out.relnav.angles_only = bool(getattr(s, "relnav_angles_only", False))
    out.relnav.limit_mag = float(getattr(s, "relnav_limit_mag", out.relnav.limit_mag))
    out.relnav.earth_exclusion_deg = float(getattr(s, "relnav_earth_exclusion_deg",
                                                   out.relnav.earth_exclusion_deg))
    # the target as the camera sees it: a diffuse sphere of its box's mean
    # projected area (Cauchy: a convex body's is its surface / 4, a box's
    # (Ax + Ay + Az) / 2) and its geometric albedo
    craft = getattr(sc, "craft", None)
    if craft is not None:
        a = [float(x) for x in craft.target.face_areas_m2]
        out.relnav.target_area = ((a[0] + a[1]) + a[2]) / 2.0
        out.relnav.target_albedo = float(craft.target.geometric_albedo)

    for f in sc.faults:
        kind, sensor = _FAULT_KINDS[f.kind]
        if sensor == "star_tracker":  # the index is the head
            sensor = STAR_TRACKER_HEADS[min(max(int(f.index), 0), len(STAR_TRACKER_HEADS) - 1)]
        cfg.faults.append(FaultConfig(time=max(0.0, f.at_s - ins.ascent_s), kind=kind,
                                      index=int(f.index), sensor=sensor,
                                      duration=float(f.duration_s)))
    return cfg


def _environment(sc: Any, cfg: WorldConfig) -> None:
    """The truth environment and each craft's surfaces and tank (the
    scenario's [environment] and [craft.*])."""
    e, env = getattr(sc, "environment", None), cfg.environment
    if e is not None:
        env.drag = bool(e.drag)
        env.atmosphere = e.atmosphere
        env.f107, env.f107a, env.ap = float(e.f107_sfu), float(e.f107a_sfu), float(e.ap)
        env.density_period = float(e.density_period_s)
        env.density_digits = int(e.density_digits)
        env.srp = bool(e.srp)
    pw = getattr(getattr(sc, "chaser", None), "power", None)
    if pw is not None:
        cfg.chaser.power = PowerConfig(
            array_normal=[float(x) for x in pw.array_normal_b],
            array_peak_power=float(pw.array_peak_w), load_power=float(pw.load_w),
            battery_capacity_wh=float(pw.battery_wh), initial_soc=float(pw.initial_soc))
    craft = getattr(sc, "craft", None)
    if craft is None:
        return
    for body, c in ((craft.chaser, cfg.chaser), (craft.target, cfg.target)):
        c.face_areas = [float(x) for x in body.face_areas_m2]
        c.cd, c.cr = float(body.cd), float(body.cr)
        # positions from the true dry centre of mass (the scenario's are from
        # the one the flight software takes)
        off = [float(x) for x in getattr(body, "com_offset_b_m", (0.0, 0.0, 0.0))]
        c.tank_position = [float(x) - o for x, o in zip(body.tank_position_b_m, off, strict=True)]
        if body is craft.chaser:
            for th in c.thrusters:
                th.position = [float(x) - o for x, o in zip(th.position, off, strict=True)]
    # burn execution errors: the world's thrusters only (the flight software
    # keeps the rated thrust and nominal directions)
    b = craft.chaser
    cone = list(getattr(b, "thruster_misalignment_deg", []))
    az = list(getattr(b, "thruster_misalignment_azimuth_deg", []))
    tilt = float(getattr(b, "main_thrust_tilt_deg", 0.0))
    tilt_az = float(getattr(b, "main_thrust_tilt_azimuth_deg", 0.0))
    for i, th in enumerate(cfg.chaser.thrusters):
        th.thrust *= 1.0 + float(getattr(b, "thrust_scale_error", 0.0))
        th.misalignment_deg = float(cone[i]) if i < len(cone) else 0.0
        th.misalignment_azimuth_deg = float(az[i]) if i < len(az) else 0.0
        d = th.direction
        if tilt != 0.0 and abs(d[0]) > 0.999 * math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]):
            th.misalignment_deg, th.misalignment_azimuth_deg = tilt, tilt_az
