"""World and spacecraft configuration: plain dataclasses, every field with a
default, SI units (names carry the unit where it is not SI).

The mission's TOML scenario loader fills these (``hil.sim.from_scenario``);
values marked *assumed* are guesses for a Photon-class chaser
(/work/shared/reference/mission-facts.md), not data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hil.sim.constants import G0

_S3 = 1.0 / math.sqrt(3.0)


@dataclass
class OrbitConfig:
    """Initial orbit: an inertial state when ``state_n`` is given, else a TLE
    when both lines are given (sgp4, TEME -> N, see ``hil.sim.frames``), else
    osculating Keplerian elements at the epoch."""

    sma: float = 6878137.0  # m: 500 km circular
    ecc: float = 0.0
    inc_deg: float = 51.6
    raan_deg: float = 0.0
    argp_deg: float = 0.0
    true_anomaly_deg: float = 0.0
    tle_line1: str = ""
    tle_line2: str = ""
    #: position [m] and velocity [m/s] in N at the world epoch (6 values)
    state_n: list[float] = field(default_factory=list)


@dataclass
class WheelConfig:
    """One reaction wheel (RW-0.06 class, mission-facts conf. B; friction assumed)."""

    axis: list[float] = field(default_factory=lambda: [1.0, 0.0, 0.0])
    max_momentum: float = 0.18  # N m s at max speed
    max_speed: float = 6000.0 * 2 * math.pi / 60  # rad/s (assumed 6000 rpm)
    max_torque: float = 0.020  # N m
    coulomb_friction: float = 1e-4  # N m (assumed)
    coulomb_speed: float = 1.0  # rad/s, tanh smoothing of the Coulomb term (keeps RK4 stable)
    viscous_friction: float = 1e-7  # N m s (assumed)
    initial_speed: float = 0.0  # rad/s

    @property
    def inertia(self) -> float:
        """Spin inertia [kg m^2] from momentum capacity and maximum speed."""
        return self.max_momentum / self.max_speed


@dataclass
class ThrusterConfig:
    """One thruster: force along ``direction`` (body) at ``position`` (from the
    centre of mass), rated at the tank's reference pressure."""

    position: list[float] = field(default_factory=lambda: [-0.5, 0.0, 0.0])  # m
    direction: list[float] = field(default_factory=lambda: [1.0, 0.0, 0.0])  # unit, body
    thrust: float = 1.0  # N (assumed, 1 N hydrazine class)
    isp: float = 220.0  # s (assumed)
    min_impulse_bit: float = 0.01  # N s; shorter commanded pulses are not executed
    #: s, first-order time constants of the thrust after the valve opens and
    #: after it closes (0: square pulses)
    rise_time: float = 0.0
    tail_off: float = 0.0
    misalignment_deg: float = 0.0  # cone angle of the actual force from `direction`
    misalignment_azimuth_deg: float = 0.0  # where on the cone


def _rcs() -> list[ThrusterConfig]:
    """8 x 1 N: four on the -x face thrusting +x, four on +x thrusting -x
    (the mission scenario's main groups; the scenario adds a pair along each of
    +y, -y, +z, -z for translations, fsw/scenarios/victus_haze.toml)."""
    out = []
    for x, d in ((-0.5, 1.0), (0.5, -1.0)):
        for y in (0.3, -0.3):
            for z in (0.3, -0.3):
                out.append(ThrusterConfig(position=[x, y, z], direction=[d, 0.0, 0.0]))
    return out


def main_engine() -> ThrusterConfig:
    """An optional 120 N main engine (Curie class, mission-facts: thrust conf. A,
    Isp 320 s conf. B) on the -x face thrusting +x; add it to ``thrusters``."""
    return ThrusterConfig(position=[-0.6, 0.0, 0.0], direction=[1.0, 0.0, 0.0], thrust=120.0,
                          isp=320.0, min_impulse_bit=120.0 * 0.05)


def _wheels() -> list[WheelConfig]:
    axes = [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [_S3, _S3, _S3]]
    return [WheelConfig(axis=list(map(float, a))) for a in axes]


@dataclass
class TankConfig:
    """Blowdown monopropellant tank (isothermal pressurant; assumed values)."""

    volume: float = 0.020  # m^3
    propellant_density: float = 1004.0  # kg/m^3 (hydrazine)
    initial_pressure: float = 2.2e6  # Pa at the initial load
    reference_pressure: float = 2.2e6  # Pa at which thruster thrust is rated


@dataclass
class PowerConfig:
    """A body-mounted solar array (cosine law on its normal, nothing on its
    back or in the Earth's shadow), a constant load and a battery (assumed,
    Photon class: one face of fixed cells, no deployable wings; the model in
    native/sim/include/simcore.h)."""

    array_normal: list[float] = field(default_factory=lambda: [0.0, 0.0, -1.0])  # body
    array_peak_power: float = 300.0  # W at normal incidence
    load_power: float = 90.0  # W
    battery_capacity_wh: float = 250.0  # Wh
    initial_soc: float = 1.0  # state of charge at the world's start


@dataclass
class SpacecraftConfig:
    """One spacecraft. Defaults: the Photon-class chaser (300 kg wet,
    diag(10, 12, 15) kg m^2: assumed, mission-facts)."""

    name: str = "chaser"
    dry_mass: float = 288.0  # kg (assumed)
    propellant_mass: float = 12.0  # kg (assumed)
    #: 3 (principal, diagonal) or 9 (row-major) values [kg m^2]
    inertia: list[float] = field(default_factory=lambda: [10.0, 12.0, 15.0])
    cd_area: float = 2.2 * 1.5  # m^2, drag coefficient x area (assumed; faces empty)
    #: box model of the surfaces: projected area [m^2] seen along body x, y, z
    #: (empty: drag uses cd_area whatever the attitude, and no SRP)
    face_areas: list[float] = field(default_factory=list)
    cd: float = 2.2  # drag coefficient of the faces (free-molecular flat plate, assumed)
    cr: float = 1.3  # SRP coefficient, 1 absorbing .. 2 mirror (assumed)
    #: propellant centre [m] in body axes from the body origin (the dry centre of
    #: mass); ``inertia`` is the dry inertia about that origin
    tank_position: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    attitude: bool = True  # False: orbit only
    #: initial q_BN, scalar first
    attitude_q: list[float] = field(default_factory=lambda: [1.0, 0.0, 0.0, 0.0])
    rate: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # rad/s, body
    orbit: OrbitConfig = field(default_factory=OrbitConfig)
    #: when set (3 values each), the initial state is this Hill-frame offset [m]
    #: and velocity [m/s] from the target instead of `orbit`
    hill_position: list[float] = field(default_factory=list)
    hill_velocity: list[float] = field(default_factory=list)
    wheels: list[WheelConfig] = field(default_factory=_wheels)
    thrusters: list[ThrusterConfig] = field(default_factory=_rcs)
    tank: TankConfig = field(default_factory=TankConfig)
    mtq_max_dipole: list[float] = field(default_factory=lambda: [5.0, 5.0, 5.0])  # A m^2
    #: None: no power model (the target's default)
    power: PowerConfig | None = field(default_factory=PowerConfig)


def target_default() -> SpacecraftConfig:
    """The target: orbit only, no actuators (ESPA class guess, mission-facts)."""
    return SpacecraftConfig(name="target", dry_mass=150.0, propellant_mass=0.0,
                            inertia=[8.0, 8.0, 6.0], cd_area=2.2 * 1.0, attitude=False,
                            wheels=[], thrusters=[], mtq_max_dipole=[0.0, 0.0, 0.0],
                            power=None)


@dataclass
class EnvironmentConfig:
    """Which perturbations are on (constants in ``hil.sim.constants``).

    ``atmosphere``: ``"exponential"`` (rho0, h0, scale_height) or
    ``"nrlmsis"`` (pymsis NRLMSIS 2.1 with the space weather below, through
    rounded density nodes every ``density_period`` s: :mod:`hil.sim.atmosphere`)."""

    j2: bool = True
    drag: bool = False
    gravity_gradient: bool = True
    magnetic: bool = True
    rho0: float = 6.967e-13  # kg/m^3 at h0
    h0: float = 500e3  # m
    scale_height: float = 63822.0  # m
    atmosphere: str = "exponential"
    f107: float = 150.0  # sfu, daily F10.7 (nrlmsis)
    f107a: float = 150.0  # sfu, 81-day mean F10.7 (nrlmsis)
    ap: float = 15.0  # daily Ap (nrlmsis)
    density_period: float = 60.0  # s between density nodes (nrlmsis)
    density_digits: int = 4  # significant digits of a node's densities (nrlmsis)
    srp: bool = False
    srp_pressure: float = 4.56e-6  # N/m^2 at 1 AU (1361 W/m^2 / c)


@dataclass
class GyroConfig:
    """Rate gyro: white rate noise (angle random walk) + random-walk bias."""

    rate_hz: float = 10.0
    angle_random_walk: float = 0.15 * math.pi / 180 / 60  # rad/s^0.5 (0.15 deg/sqrt(h))
    bias_random_walk: float = 1e-9  # rad/s^1.5 (assumed)
    bias_sigma: float = 5.0 * math.pi / 180 / 3600  # rad/s, initial bias spread (5 deg/h)
    #: rad/s, IEEE 952 bias instability B (Allan floor 0.664 B; 0: none), a sum
    #: of Gauss-Markov terms (native/sim/include/simsensors.h)
    bias_instability: float = 0.0
    scale_factor_ppm: float = 0.0  # 1-sigma scale-factor error per axis (drawn once)


@dataclass
class StarTrackerConfig:
    """Star tracker (ST-16RT2 recollection, conf. C)."""

    rate_hz: float = 2.0
    cross_boresight_sigma_arcsec: float = 5.0
    about_boresight_sigma_arcsec: float = 55.0
    boresight: list[float] = field(default_factory=lambda: [0.0, -1.0, 0.0])  # body
    sun_exclusion_deg: float = 30.0  # from the sun
    earth_exclusion_deg: float = 15.0  # from the Earth's limb
    max_rate_deg_s: float = 3.0
    moon_exclusion_deg: float = 0.0  # from the Moon's centre (0: never blinded by it)
    acquisition_s: float = 0.0  # clear this long before the first fix after a gap
    bias_arcsec: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # tracker axes


@dataclass
class SunSensorConfig:
    """Six cosine cells on the +-x, +-y, +-z faces; the sun vector is their
    pairwise difference, normalised."""

    rate_hz: float = 10.0
    noise_sigma: float = 0.01  # per cell, in units of the full-sun current
    threshold: float = 0.05  # total light below this: not valid (eclipse)


@dataclass
class MagnetometerConfig:
    """Three-axis magnetometer."""

    rate_hz: float = 10.0
    noise_sigma: float = 100e-9  # T
    bias: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # T


@dataclass
class GpsConfig:
    """GNSS receiver navigation solution, output in N."""

    rate_hz: float = 1.0
    position_sigma: float = 5.0  # m
    velocity_sigma: float = 0.05  # m/s
    ttff_s: float = 0.0  # time to first fix after the world's start
    reacquisition_s: float = 0.0  # time to a fix after an outage
    max_rate_deg_s: float = 1e3  # tracking lost above this body rate
    antenna_B: list[float] = field(default_factory=lambda: [0.0, 0.0, -1.0])  # noqa: N815
    max_zenith_deg: float = 180.0  # tracking lost with the antenna farther from zenith
    gm_tau_s: float = 0.0  # correlation time of the errors (0: white only)
    gm_position_sigma: float = 0.0  # m, steady-state sigma of the correlated error
    gm_velocity_sigma: float = 0.0  # m/s
    #: the on-board clock read at the PPS edge (simsensors.h): initial offset
    #: and frequency offset sigmas, white and random-walk frequency noise,
    #: and the fix's time-tag noise (0: a perfect clock)
    clock_offset_sigma: float = 0.0  # s
    clock_freq_sigma: float = 0.0  # s/s
    clock_q_wf: float = 0.0  # s
    clock_q_rw: float = 0.0  # 1/s
    pps_sigma: float = 0.0  # s


@dataclass
class RelNavConfig:
    """Relative navigation (camera + lidar): range, azimuth, elevation of the
    target in the camera frame (see ``hil.sim.sensors.RelNav``)."""

    rate_hz: float = 1.0
    boresight: list[float] = field(default_factory=lambda: [0.0, 0.0, 1.0])  # body
    fov_half_angle_deg: float = 10.0
    min_range: float = 1.0  # m
    max_range: float = 5000.0  # m (assumed)
    range_sigma: float = 0.05  # m
    range_sigma_fraction: float = 0.005  # of the range
    angle_sigma_deg: float = 0.02
    #: seeing the target: the lidar within lidar_range in any light (0: no
    #: lidar); beyond it the camera, with the target lit, its sun phase angle
    #: (sun - target - chaser) at most phase_max_deg and the sun at least
    #: sun_exclusion_deg from the boresight (default: infinite, the sensor
    #: sees in any light)
    lidar_range: float = math.inf  # m
    phase_max_deg: float = 180.0
    sun_exclusion_deg: float = 0.0
    #: beyond max_range (the ranging limit) bearings only (range 0, ranged 0)
    #: with angles_only, while the camera detects the target whatever
    #: lidar_range: the target lit, the phase angle and the sun as above, the
    #: line of sight more than earth_exclusion_deg off the Earth's limb and
    #: the target no fainter than limit_mag (a diffuse sphere of cross-section
    #: target_area [m^2, the target's mean projected area] and geometric
    #: albedo target_albedo); the model in native/sim/include/simsensors.h.
    #: Off by default here (the scenario turns it on)
    angles_only: bool = False
    earth_exclusion_deg: float = 10.0  # assumed
    limit_mag: float = 8.5  # assumed, a 20-deg-FOV camera
    target_area: float = 1.5  # m^2, a 1 m cube's (3 x 1 m^2) / 2
    target_albedo: float = 0.15  # assumed


@dataclass
class WheelTachConfig:
    rate_hz: float = 10.0
    noise_sigma: float = 0.05  # rad/s


@dataclass
class PropStatusConfig:
    rate_hz: float = 1.0
    pressure_sigma: float = 2e3  # Pa
    mass_sigma: float = 0.05  # kg (gauging)


@dataclass
class AccelConfig:
    """Accelerometer, the IMU's delta-velocity channel: the non-gravitational
    velocity increment (thrust, drag, SRP) since the previous sample, body
    axes, with a scale-factor error, a bias and white noise (velocity random
    walk); the model in native/sim/include/simsensors.h. Values assumed:
    quartz-flexure accelerometer class (no public source)."""

    rate_hz: float = 10.0
    velocity_random_walk: float = 0.01 / 60.0  # m/s/s^0.5 (0.01 m/s/sqrt(h); assumed)
    bias_sigma: float = 100e-6 * G0  # m/s^2, initial bias per axis, drawn once (100 ug; assumed)
    scale_factor_ppm: float = 150.0  # 1-sigma per axis, drawn once (assumed)


@dataclass
class EpsConfig:
    """The electrical power system's monitor: the battery's state of charge
    (a charge counter) and the array's and the load's power, each with white
    noise (assumed values)."""

    rate_hz: float = 1.0
    soc_sigma: float = 0.005  # of the capacity
    power_sigma: float = 1.0  # W


@dataclass
class SensorsConfig:
    gyro: GyroConfig = field(default_factory=GyroConfig)
    star_tracker: StarTrackerConfig = field(default_factory=StarTrackerConfig)
    sun_sensor: SunSensorConfig = field(default_factory=SunSensorConfig)
    magnetometer: MagnetometerConfig = field(default_factory=MagnetometerConfig)
    gps: GpsConfig = field(default_factory=GpsConfig)
    relnav: RelNavConfig = field(default_factory=RelNavConfig)
    wheel_tach: WheelTachConfig = field(default_factory=WheelTachConfig)
    prop_status: PropStatusConfig = field(default_factory=PropStatusConfig)
    #: star-tracker heads flown (1..3): star_tracker, star_tracker_2, star_tracker_3
    star_tracker_heads: int = 1
    star_tracker_2: StarTrackerConfig = field(
        default_factory=lambda: StarTrackerConfig(boresight=[0.0, 1.0, 0.0]))
    star_tracker_3: StarTrackerConfig = field(
        default_factory=lambda: StarTrackerConfig(boresight=[1.0, 0.0, 0.0]))
    accelerometer: AccelConfig = field(default_factory=AccelConfig)
    eps: EpsConfig = field(default_factory=EpsConfig)


#: fault kinds a scenario can schedule
FAULT_KINDS = ("wheel_fail", "thruster_stuck_open", "thruster_stuck_closed",
               "sensor_dropout", "link_silent")
SENSOR_NAMES = ("gyro", "star_tracker", "sun_sensor", "magnetometer", "gps", "relnav",
                "wheel_tach", "prop_status", "star_tracker_2", "star_tracker_3", "accelerometer",
                "eps")
#: the star-tracker heads in order (head 0, 1, 2)
STAR_TRACKER_HEADS = ("star_tracker", "star_tracker_2", "star_tracker_3")


def flown_sensors(cfg: SensorsConfig) -> tuple[str, ...]:
    """The sensors a configuration flies: every one but the star-tracker heads
    beyond ``star_tracker_heads`` (1..3)."""
    n = int(cfg.star_tracker_heads)
    if not 1 <= n <= len(STAR_TRACKER_HEADS):
        from fsw.errors import UserError  # the one error type of user input
        raise UserError(f"sensors.star_tracker_heads must be 1..3, got {cfg.star_tracker_heads!r}")
    return tuple(s for s in SENSOR_NAMES if s not in STAR_TRACKER_HEADS[n:])


@dataclass
class FaultConfig:
    """One scheduled fault of the chaser. ``index`` is the wheel or thruster;
    ``sensor`` names the sensor of a dropout; ``duration`` 0 = permanent."""

    time: float = 0.0  # s after the world epoch
    kind: str = "wheel_fail"
    index: int = 0
    sensor: str = ""
    duration: float = 0.0  # s


@dataclass
class WorldConfig:
    """The whole world: epoch, step, seed, both spacecraft, sensors, faults."""

    epoch_utc: str = "2026-06-01T00:00:00Z"  # empty with a target TLE: the TLE epoch
    step: float = 0.1  # s, fixed RK4 step = the lockstep tick
    seed: int = 1
    environment: EnvironmentConfig = field(default_factory=EnvironmentConfig)
    chaser: SpacecraftConfig = field(default_factory=SpacecraftConfig)
    target: SpacecraftConfig = field(default_factory=target_default)
    sensors: SensorsConfig = field(default_factory=SensorsConfig)
    faults: list[FaultConfig] = field(default_factory=list)
