"""Propulsion task: two-step arm/fire, pulse trains within the cycle and
above the minimum impulse bit, Δv and propellant bookkeeping (rocket
equation), rejection without arming, thruster pairs that cancel torques,
small burns translated in the current attitude without a slew."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsw.constants import G0
from fsw.packets import DICTIONARY
from fsw.packets.enums import BurnStatusState
from fsw.scenario import Scenario
from fsw.tasks.propulsion import PULSE_MIN_ON_MARGIN, PropulsionTask

DONE, PENDING, REJECTED = BurnStatusState.DONE, BurnStatusState.PENDING, BurnStatusState.REJECTED
ABORTED = BurnStatusState.ABORTED

ADCS_STATE = DICTIONARY["ADCS_STATE"]
PROP_ARM = DICTIONARY["PROP_ARM"]
BURN_ORDER = DICTIONARY["BURN_ORDER"]


def _adcs(ctx, err_deg: float = 0.1, q_BN=(1.0, 0.0, 0.0, 0.0)) -> bytes:
    return ADCS_STATE.build(t_tai=ctx.t, mode=3, valid=1, q_BN=tuple(q_BN),
                            rate_B=(0.0, 0, 0), att_error=math.radians(err_deg), h_wheels=0.0,
                            h_B=(0.0, 0.0, 0.0),
                            wheels_ok=15, flags=1, st_age=0.0, att_sigma=1e-5,
                            att_sigma_B=(1e-5,) * 3, heads_used=6, heads_valid=6,
                            st_rejected=0)


def _task(ctx) -> PropulsionTask:
    task = PropulsionTask(Scenario())
    task.init(ctx)
    ctx.deliver(DICTIONARY["GYRO"].build(t_tai=ctx.t, rate_B=(0.0, 0.0, 0.0), valid=1))
    return task


def test_order_without_arming_is_rejected(ctx) -> None:
    task = _task(ctx)
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=1, t_exec=ctx.t + 10, dv_N=(0.1, 0, 0),
                                 purpose="test"))
    assert ctx.of("BURN_STATUS")[-1].state == REJECTED
    assert task.burn is None
    assert any("not armed" in e[2] for e in ctx.events)


def test_armed_window_expires(ctx) -> None:
    _task(ctx)
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=5.0))
    ctx.t += 6.0
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=1, t_exec=ctx.t + 10, dv_N=(0.1, 0, 0),
                                 purpose="test"))
    assert ctx.of("BURN_STATUS")[-1].state == REJECTED


@pytest.mark.parametrize("dv", [(0.2, 0.0, 0.0), (-0.05, 0.0, 0.0), (0.0123, 0.0, 0.0)])
def test_pulse_train_delivers_the_delta_v(ctx, dv) -> None:
    sc = Scenario()
    rcs = sc.chaser.rcs
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=3, t_exec=ctx.t, dv_N=dv, purpose="t"))
    assert task.state == PENDING
    for _ in range(2000):
        ctx.t += 0.1
        task.step(ctx.t)
        if task.burn is None:
            break
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    cmds = [np.array(c.on_time) for c in ctx.of("THRUSTER_CMD")]
    assert cmds
    min_on = rcs.min_impulse_bit_ns / rcs.thrust_n * PULSE_MIN_ON_MARGIN
    group = 0 if dv[0] > 0 else 4  # +x thrusters 0-3 (attitude: identity), -x 4-7
    impulse = 0.0
    for c in cmds:
        on = c[group:group + 4]
        assert np.all(c[(group + 4) % 8:(group + 4) % 8 + 4] == 0.0)
        assert np.all(on == on[0])  # the four fire together: torques cancel
        assert 0.0 < on[0] <= 0.1 + 1e-12 and on[0] >= min_on
        impulse += 4 * rcs.thrust_n * on[0]
    mass = sc.chaser.mass_kg
    want = abs(dv[0])
    # Δv within one minimum impulse bit of the order (the last one is not fired)
    assert abs(impulse / mass - want) <= 4 * rcs.min_impulse_bit_ns / mass + 1e-9
    used = rcs.propellant_kg - task.cds["propellant"]
    assert used == pytest.approx(impulse / (rcs.isp_s * G0), rel=1e-9)


@pytest.mark.parametrize("dv, aborted", [((0.03, 0.0, 0.0), False), ((0.3, 0.0, 0.0), True)])
def test_a_pointing_reference_that_jumps_aborts_a_slewed_burn_not_a_translation(
        ctx, dv, aborted) -> None:
    """The attitude error jumps to 53 deg while firing, the body still (a new
    pointing reference: the camera's, as a translation began in seed
    2680478207). A slewed burn is aborted (its direction is the attitude's);
    a translation, split over the groups in whatever attitude the body holds,
    goes on to its delta-v without a fault, and is not learnt from (the body
    slews to the new reference while it fires)."""
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=5, t_exec=ctx.t, dv_N=dv, purpose="t"))
    for k in range(3000):
        ctx.t += 0.1
        if k % 10 == 9:
            ctx.deliver(_adcs(ctx, err_deg=53.0 if ctx.of("THRUSTER_CMD") else 0.1))
        task.step(ctx.t)
        if task.burn is None:
            break
    assert ctx.of("THRUSTER_CMD")
    assert ctx.of("BURN_STATUS")[-1].state == (ABORTED if aborted else DONE)
    assert task.faults == (1 if aborted else 0)
    assert task.cds["com"]["n"] == 0
    assert task.com_rec is None


def test_no_fire_until_attitude_reached(ctx) -> None:
    task = _task(ctx)
    ctx.deliver(_adcs(ctx, err_deg=20.0))
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
    # above chaser.rcs.translate_max_dv_mps: slewed
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=4, t_exec=ctx.t, dv_N=(0.0, 0.3, 0),
                                 purpose="t"))
    for _ in range(50):
        ctx.t += 0.1
        task.step(ctx.t)
    assert ctx.of("THRUSTER_CMD") == []
    # the burn attitude was requested: thrust axis on +y inertial
    req = ctx.of("ADCS_REQUEST")[-1]
    assert req.source == 1 and req.active == 1
    from fsw.core import quaternion

    axis_N = quaternion.rotate(quaternion.conj(req.q_BN), (1.0, 0, 0))
    assert abs(abs(axis_N[1]) - 1.0) < 1e-9


def test_partners_cancel_torque(ctx) -> None:
    sc = Scenario()
    task = _task(ctx)
    rcs = sc.chaser.rcs
    # about the centre of mass at half propellant load (x = -0.003 m)
    com = np.array([-0.003, 0.0, 0.0])
    torque = np.cross(np.array(rcs.positions_b) - com, np.array(rcs.directions_b))
    for i, j in enumerate(task.partner):
        assert j != i
        assert np.allclose(torque[i] + torque[j], 0.0)


def test_small_burn_translates_without_slewing(ctx) -> None:
    """A burn up to translate_max_dv_mps keeps the attitude: no burn attitude
    is requested, and the thrusters' impulses, seen through the attitude,
    make the ordered Δv (scipy's rotation as the independent frame change)."""
    from scipy.spatial.transform import Rotation

    sc = Scenario()
    rcs = sc.chaser.rcs
    rot = Rotation.from_euler("zyx", [40, 25, -60], degrees=True)
    x = rot.as_quat()
    q = (x[3], x[0], x[1], x[2])
    task = _task(ctx)
    ctx.deliver(_adcs(ctx, q_BN=q))
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
    dv = (0.011, -0.023, 0.017)
    assert math.dist(dv, (0, 0, 0)) <= rcs.translate_max_dv_mps
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=5, t_exec=ctx.t, dv_N=dv, purpose="t"))
    for _ in range(2000):
        ctx.t += 0.1
        task.step(ctx.t)
        if task.burn is None:
            break
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    assert not any(r.active for r in ctx.of("ADCS_REQUEST"))  # no slew asked for
    on = np.array([c.on_time for c in ctx.of("THRUSTER_CMD")])
    dirs = np.array(rcs.directions_b)
    made_B = (on.sum(axis=0)[:, None] * rcs.thrust_n * dirs).sum(axis=0) / sc.chaser.mass_kg
    want_B = rot.apply(dv)
    # each axis within one minimum impulse bit of a pair
    assert np.all(np.abs(made_B - want_B) <= 2 * rcs.min_impulse_bit_ns / sc.chaser.mass_kg)
    assert np.count_nonzero(on.sum(axis=0)) >= 6  # three axes' groups fired, not one slewed
    for c in on:  # the members of a group fire together: their torques cancel
        for i, j in enumerate(task.partner):
            assert c[i] == c[j]


def _fly_with_accelerometer(ctx, task, sc, dv, *, thrust_scale: float, bias_B, lag: int = 0,
                            q=(1.0, 0.0, 0.0, 0.0), valid: bool = True, coast_s: float = 40.0,
                            dirs=None, scales=1.0):
    """A burn flown against a toy plant: the thrusters really make
    ``thrust_scale`` of their rated force; the accelerometer reports each
    tick's true impulse per mass (body axes) plus its bias, in the sample of
    the next tick (as the world does: a THRUSTER_CMD acts over the tick after
    it, whose ACCEL carries it), or ``lag`` ticks later; the thrusters' true
    directions ``dirs`` (body; default: the nominal ones) and each one's
    own thrust factor ``scales`` (default: none). Returns the true
    Δv made (inertial, from the plant)."""
    from scipy.spatial.transform import Rotation

    rcs = sc.chaser.rcs
    dirs = np.array(rcs.directions_b if dirs is None else dirs, dtype=float)
    rot = Rotation.from_quat([q[1], q[2], q[3], q[0]])  # q_BN: N -> B
    accel = DICTIONARY["ACCEL"]
    mass = sc.chaser.mass_kg
    seen = 0
    queue = [np.zeros(3)] * lag
    made_N = np.zeros(3)

    def tick():
        nonlocal seen
        cmds = ctx.of("THRUSTER_CMD")
        dv_B = np.zeros(3)
        for c in cmds[seen:]:
            on = np.array(c.on_time)[:len(dirs)] * scales
            dv_B += (on[:, None] * dirs).sum(axis=0) * rcs.thrust_n * thrust_scale / mass
        seen = len(cmds)
        queue.append(dv_B)
        out = queue.pop(0)
        made_N[:] += rot.inv().apply(out)
        ctx.t += 0.1
        ctx.deliver(accel.build(t_tai=ctx.t, dv_B=tuple(out + np.asarray(bias_B) * 0.1),
                                dt=0.1, valid=int(valid)))
        task.step(ctx.t)

    for _ in range(round(coast_s / 0.1)):  # coasting: the bias is calibrated
        tick()
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=7, t_exec=ctx.t, dv_N=dv, purpose="t"))
    for _ in range(3000):
        tick()
        if task.burn is None:
            break
    for _ in range(lag + 2):  # the last impulses reach the plant
        tick()
    return made_N


@pytest.mark.parametrize("thrust_scale", [0.87, 1.0, 1.08])
def test_burn_ends_on_the_measured_delta_v(ctx, thrust_scale) -> None:
    """A main-group burn with the thrust off its rating ends on the
    accelerometer's Δv (bias calibrated while coasting): the plant's true Δv
    is the order's within 0.3 %, where the commands alone would miss by the
    thrust error; BURN_STATUS reports the measured Δv."""
    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    dv = (0.35, 0.0, 0.0)
    made = _fly_with_accelerometer(ctx, task, sc, dv, thrust_scale=thrust_scale,
                                   bias_B=(2e-3, -1e-3, 5e-4))
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    assert made[0] == pytest.approx(0.35, rel=3e-3)
    assert abs(made[1]) < 1e-12 and abs(made[2]) < 1e-12
    assert ctx.of("BURN_STATUS")[-1].dv_done == pytest.approx(0.35, rel=3e-3)
    reported = np.array(ctx.of("BURN_STATUS")[-1].dv_N)
    assert np.linalg.norm(reported - made) < 1e-9  # the vector the navigation applies
    assert not any("accelerometer" in e[2] for e in ctx.events)
    # the thrust scale it measured, in housekeeping
    assert task.thrust_scale == pytest.approx(thrust_scale, rel=3e-3)
    for _ in range(round(sc.rates.housekeeping_s / 0.1) + 1):
        ctx.t += 0.1
        task.step(ctx.t)
    assert ctx.of("PROP_HK")[-1].thrust_scale == task.thrust_scale
    assert ctx.of("PROP_HK")[-1].accel_rejected == 0


@pytest.mark.parametrize("margin", [None, 1.0])
def test_every_pulse_is_executed_by_thrusters_a_sixth_weak(ctx, monkeypatch, margin) -> None:
    """The valve of a thruster of the world (hil.sim) does not open for a
    pulse under its minimum on-time, the minimum impulse bit at its true
    thrust: longer when the thrust is low. With the thrusters 15 % weak (3
    sigma of issue #15's dispersion), every pulse the task commands in a
    translation and in a slewed burn is executed by the world. At the rated
    figure (margin 1.0) some are lost."""
    from hil.sim.from_scenario import world_config
    from hil.sim.world import World

    if margin is not None:
        monkeypatch.setattr("fsw.tasks.propulsion.PULSE_MIN_ON_MARGIN", margin)
    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    # a translation along y and z, then a 0.35 m/s burn along x, both cut to
    # the end by the minimum impulse bit
    _fly_with_accelerometer(ctx, task, sc, (0.004, 0.041, -0.023), thrust_scale=0.85,
                            bias_B=(0.0, 0.0, 0.0))
    _fly_with_accelerometer(ctx, task, sc, (0.35, 0.0, 0.0), thrust_scale=0.85,
                            bias_B=(0.0, 0.0, 0.0), coast_s=5.0)
    assert [r.state for r in ctx.of("BURN_STATUS")].count(DONE) == 2
    weak = Scenario()
    weak.craft.chaser.thrust_scale_error = -0.15
    cfg = world_config(weak)
    assert {th.thrust for th in cfg.chaser.thrusters} == {0.85 * sc.chaser.rcs.thrust_n}
    world = World(cfg)
    n = world.chaser.n_thrusters
    commanded = executed = 0
    for c in ctx.of("THRUSTER_CMD"):
        before = np.array(world.chaser.thr_pulses[:n])
        world.set_thruster_on_times(c.on_time[:n])
        world.step(2)  # the pulse and its tail-off: the next one is a new pulse
        commanded += sum(1 for x in c.on_time[:n] if x > 0.0)
        executed += round(float(np.sum(np.array(world.chaser.thr_pulses[:n]) - before)))
    assert commanded > 50
    if margin is None:
        assert executed == commanded
    else:
        assert executed < commanded


def test_translation_ends_on_the_measured_delta_v(ctx) -> None:
    """A translation (no slew) with the thrust 10 % short: the plant's true
    Δv vector is the order's within 1 % of its size, seen through a turned
    attitude (scipy's rotation as the independent frame change)."""
    from scipy.spatial.transform import Rotation

    sc = Scenario()
    x = Rotation.from_euler("zyx", [40, 25, -60], degrees=True).as_quat()
    q = (x[3], x[0], x[1], x[2])
    task = _task(ctx)
    ctx.deliver(_adcs(ctx, q_BN=q))
    dv = np.array([0.031, -0.053, 0.047])
    assert np.linalg.norm(dv) <= sc.chaser.rcs.translate_max_dv_mps
    made = _fly_with_accelerometer(ctx, task, sc, tuple(dv), thrust_scale=0.9,
                                   bias_B=(1e-3, 1e-3, -1e-3), q=q)
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    assert np.linalg.norm(made - dv) < 0.01 * np.linalg.norm(dv)
    # BURN_STATUS.dv_N, the vector the navigation applies, is what the plant made
    reported = np.array(ctx.of("BURN_STATUS")[-1].dv_N)
    # (the toy plant's accelerometer is exact once its bias is removed)
    assert np.linalg.norm(reported - made) < 1e-9
    # the thrust scale it measured is the plant's (its commands counted at
    # the rated thrust: counted at the scaled one, it read 0.948)
    assert task.thrust_scale == pytest.approx(0.9, rel=1e-3)


def test_without_an_accelerometer_the_burn_is_counted_from_the_commands(ctx) -> None:
    """No valid accelerometer sample: the burn is counted from the commanded
    impulses (evented), so a 10 % weak thrust leaves it 10 % short."""
    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    made = _fly_with_accelerometer(ctx, task, sc, (0.35, 0.0, 0.0), thrust_scale=0.9,
                                   bias_B=(0.0, 0.0, 0.0), valid=False)
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    assert made[0] == pytest.approx(0.9 * 0.35, rel=3e-3)
    assert any("not calibrated" in e[2] for e in ctx.events)
    assert ctx.of("PROP_HK")[-1].accel_rejected > 100  # every sample counted
    assert task.thrust_scale == 0.0


def test_an_accelerometer_far_from_the_commands_is_not_trusted(ctx) -> None:
    """An accelerometer reading half the commanded Δv (a failed sensor, or a
    thrust fault the burn should not chase): the burn goes on the commands,
    evented and counted as a fault, and is not doubled."""
    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    made = _fly_with_accelerometer(ctx, task, sc, (0.35, 0.0, 0.0), thrust_scale=0.5,
                                   bias_B=(0.0, 0.0, 0.0))
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    assert made[0] < 0.6 * 0.35
    assert any("accelerometer" in e[2] and "commands" in e[2] for e in ctx.events)
    assert task.faults == 1


@pytest.mark.parametrize("trim", [True, False])
def test_a_translations_miss_is_trimmed(ctx, monkeypatch, trim) -> None:
    """A translation steered on its commands, whose pair along z makes 12 %
    more than commanded (short pulses' rise and tail-off; the task cannot
    know it): it ends (along the order on the measurement, across on the
    commands) 4.1 mm/s off the order; the accelerometer sees the miss and the
    trim takes it out (the plant's true Δv within 0.5 mm/s of the order: it
    came to 0.17; the reported vector the plant's). With the trim disabled
    the miss stays."""
    import fsw.tasks.propulsion as prop

    if not trim:
        monkeypatch.setattr(prop, "TRIM_MIN_DV", math.inf)
    # the roll check at the estimate alone (an offset of zero here): the
    # subject is the trim, not the centre of mass's uncertainty
    monkeypatch.setattr(prop, "COM_ROLL_K_SIGMA", 0.0)
    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    dv = np.array([0.0, 0.06, 0.045])
    scales = np.ones(sc.chaser.rcs.count)
    scales[12:14] = 1.12  # the +z pair
    made = _fly_with_accelerometer(ctx, task, sc, tuple(dv), thrust_scale=1.0,
                                   bias_B=(1e-3, -2e-3, 5e-4), scales=scales)
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    if trim:
        assert np.linalg.norm(made - dv) < 5e-4
        assert any("trimming" in e[2] for e in ctx.events)
    else:
        assert np.linalg.norm(made - dv) > 3.5e-3
    assert np.linalg.norm(np.array(ctx.of("BURN_STATUS")[-1].dv_N) - made) < 1e-9
    assert not any(r.active for r in ctx.of("ADCS_REQUEST"))  # no slew


def _tilted_directions(sc, tilt_deg: float, azimuth_deg: float) -> np.ndarray:
    """The main (+-x) thrusters' directions tilted by a cone angle at an
    azimuth (scipy's rotation), the others nominal."""
    from scipy.spatial.transform import Rotation

    az = math.radians(azimuth_deg)
    axis = np.array([0.0, math.cos(az), math.sin(az)])  # normal to x
    tilt = Rotation.from_rotvec(math.radians(tilt_deg) * axis)
    return np.array([tilt.apply(d) if abs(d[0]) > 0.999 else d
                     for d in np.array(sc.chaser.rcs.directions_b, dtype=float)])


@pytest.mark.parametrize("trim, size", [(True, 0.35), (False, 0.35), (True, 2.4)])
def test_a_tilted_burns_miss_across_is_trimmed_without_a_slew(ctx, monkeypatch, trim,
                                                              size) -> None:
    """A slewed burn whose main thrusters are tilted 2 deg (issue #15's
    thrust-direction error, 2 sigma) reaches its Δv along the order with 12
    mm/s across it; the accelerometer sees the miss and the pairs along
    +-y/+-z take it out from the burn attitude: the plant's true Δv is the
    order's within 0.1 mm/s (it was 15 um/s), and the vector reported to the
    navigation is the plant's. With the trim disabled the same burn misses by
    the tilt. The centre of mass is known only to its prior here: a burn's
    trim is judged at the estimate, not at COM_ROLL_K_SIGMA of its
    uncertainty, which refuses the 2.4 m/s burn's 84 mm/s trim and keeps the
    miss (campaign g3, seed 2660834368: a 2.36 m/s burn's 79 mm/s)."""
    import fsw.tasks.propulsion as prop

    if not trim:
        monkeypatch.setattr(prop, "TRIM_MIN_DV", math.inf)
    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    dv = np.array([size, 0.0, 0.0])
    made = _fly_with_accelerometer(ctx, task, sc, tuple(dv), thrust_scale=1.03,
                                   bias_B=(1e-3, -2e-3, 5e-4),
                                   dirs=_tilted_directions(sc, 2.0, 40.0))
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    untrimmed = size * math.sin(math.radians(2.0))
    if trim:
        assert np.linalg.norm(made - dv) < 1e-4
        assert any("trimming" in e[2] for e in ctx.events)
    else:
        assert np.linalg.norm(made - dv) > 0.9 * untrimmed
    reported = np.array(ctx.of("BURN_STATUS")[-1].dv_N)
    assert np.linalg.norm(reported - made) < 1e-9
    # one burn attitude requested, then released: no slew for the trim
    reqs = ctx.of("ADCS_REQUEST")
    assert [r.active for r in reqs] == [1, 0]


def _tilted_plant(sc, tilt_deg: float, azimuth_deg: float, delta=(0.0, 0.0, 0.0)):
    """The world's main (+-x) thrusters tilted by a cone angle at an azimuth
    (scipy's rotation, independent of the world's C code): each thruster's
    torque per newton about the nominal centre of mass at half load, moved
    by ``delta`` [m]."""
    pos = np.array(sc.chaser.rcs.positions_b, dtype=float) - (np.array([-0.003, 0.0, 0.0])
                                                               + np.asarray(delta, float))
    return np.cross(pos, _tilted_directions(sc, tilt_deg, azimuth_deg))


def _shaped_cycle(on, level, rise: float, tail: float, dt: float = 0.1):
    """One 0.1 s cycle of valves open from its start for ``on`` s, the thrust
    level (fraction of full, from ``level``) rising to 1 with time constant
    ``rise`` while open and falling to 0 with ``tail`` when closed: each
    thruster's impulse in the cycle (s of full thrust) and its level at the
    end (the first-order model solved here in numpy, by hand)."""
    on, x0 = np.asarray(on, dtype=float), np.asarray(level, dtype=float)
    e_on = np.exp(-on / rise)
    x_t = np.where(on > 0.0, 1.0 - (1.0 - x0) * e_on, x0)
    shut = dt - on
    e_off = np.exp(-shut / tail)
    impulse = on - (1.0 - x0) * rise * (1.0 - e_on) + x_t * tail * (1.0 - e_off)
    return impulse, x_t * e_off


def _fly_with_torque(ctx, task, tau_per_N, dv, F, q=(1.0, 0.0, 0.0, 0.0), max_s=200.0,
                     H0=None, noise=None, shape="task"):
    """One burn against a toy rigid body whose wheels hold the attitude: the
    thrusters' torque (``tau_per_N`` per newton of each, times its on-time,
    or with ``shape`` = (rise, tail) its impulse by :func:`_shaped_cycle`,
    the tail after the last cycle included; by default the rise and tail-off
    the task's scenario gives it, None: none) goes into the total angular
    momentum H (from ``H0``, else 0) that ADCS_STATE reports once a second
    (h_B, plus a draw of ``noise()`` when given; the body rate stays 0).
    Returns the torque impulse [N m s] of each firing cycle (with ``shape``,
    of every cycle and the tail after the last: their sum is the whole)."""
    n = len(tau_per_N)
    level = np.zeros(n)
    if shape == "task":
        rcs = task.sc.chaser.rcs
        shape = (rcs.rise_time_s, rcs.tail_off_s) if rcs.rise_time_s > 0.0 else None
    H = np.zeros(3) if H0 is None else H0
    seen = len(ctx.of("THRUSTER_CMD"))
    impulses = []

    def adcs():
        h = H if noise is None else H + noise()
        ctx.deliver(ADCS_STATE.build(t_tai=ctx.t, mode=3, valid=1, q_BN=tuple(q),
                                     rate_B=(0.0, 0.0, 0.0), att_error=math.radians(0.1),
                                     h_wheels=float(np.linalg.norm(h)), h_B=tuple(h),
                                     wheels_ok=15, flags=1, st_age=0.0, att_sigma=1e-5,
                                     att_sigma_B=(1e-5,) * 3, heads_used=6, heads_valid=6,
                                     st_rejected=0))

    adcs()
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=len(impulses) + ctx.t.__int__() % 1000,
                                 t_exec=ctx.t, dv_N=dv, purpose="t"))
    for k in range(round(max_s / 0.1)):
        ctx.t += 0.1
        task.step(ctx.t)
        cmds = ctx.of("THRUSTER_CMD")
        on = np.array(cmds[-1].on_time[:n]) if len(cmds) > seen else np.zeros(n)
        if shape is not None:
            on, level = _shaped_cycle(on, level, *shape)
        if len(cmds) > seen or shape is not None:
            imp = (on[:, None] * tau_per_N).sum(axis=0) * F
            H += imp
            impulses.append(imp)
        seen = len(cmds)
        if k % 10 == 9:
            adcs()
        if task.burn is None:
            break
    if shape is not None:  # the tail after the last cycle
        impulses.append(((level * shape[1])[:, None] * tau_per_N).sum(axis=0) * F)
        H += impulses[-1]
    return np.array(impulses)


def test_a_groups_thrust_torque_learnt_in_a_burn_is_cancelled_from_the_next_ones_first_pulse(
        ctx) -> None:
    """A 1.5 deg tilt of the main thrusters (35 mN m, beyond the wheels'
    20): the off-pulsing of the first slewed burn estimates the torque from
    the body's momentum (within 2 % of the geometry's, computed here with
    scipy's rotation); the next burn of the group, and a translation firing
    it, cancel it from their first cycle (torque impulse under a tenth of the
    uncompensated one), where the first burn's first cycles did not."""
    sc = Scenario()
    F = sc.chaser.rcs.thrust_n
    tau = _tilted_plant(sc, 1.5, 40.0)
    task = _task(ctx)
    # valves and thrust at once (the off-pulsing's cuts are taken at the
    # on-times: with the rise and tail-off a cut acts partly in the next cycle)
    task.sc.chaser.rcs.rise_time_s = task.sc.chaser.rcs.tail_off_s = 0.0
    ctx.deliver(_adcs(ctx))
    first = _fly_with_torque(ctx, task, tau, (0.35, 0.0, 0.0), F)
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    group = [i for i, d in enumerate(sc.chaser.rcs.directions_b) if d[0] > 0.999]
    want = tau[group].sum(axis=0)  # the group's torque per newton, all on
    (mask, k), = task.cds["thrust_torque"].items()
    assert mask == sum(1 << i for i in group)
    # within 2 %: the firing's mean torque at its mean pulse, its pulses'
    # differences through the layout's arms (the off-pulsing's filtered
    # estimate at the uncut pulses, the calibration before stop 45, came out
    # 6 % low)
    assert np.linalg.norm(np.array(k) - want) < 0.02 * np.linalg.norm(want)
    full = np.linalg.norm(want) * F * 0.1  # a cycle's impulse, uncompensated
    assert np.linalg.norm(first[0]) > 0.9 * full
    second = _fly_with_torque(ctx, task, tau, (0.2, 0.0, 0.0), F)
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    assert np.linalg.norm(second[:3], axis=1).max() < 0.1 * full
    # a translation with an x part: its main-group pulses are off-pulsed too
    trans = _fly_with_torque(ctx, task, tau, (0.05, 0.02, -0.01), F)
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    assert not any(r.active for r in ctx.of("ADCS_REQUEST")[-1:])
    assert np.linalg.norm(trans[0]) < 0.1 * full


def test_the_centre_of_mass_learnt_in_translations_balances_the_pairs(ctx, monkeypatch) -> None:
    """The dry centre of mass 9.4 mm off along x (and a few mm across): a
    translation's pair along +-y or +-z makes 19 mN m about z or y (the
    wheels hold 20). The momentum change of each translation (a toy rigid
    body: every pulse's torque about the true centre, computed here with
    numpy's cross product) teaches the task the offset; after one
    translation along y and one along z it is known within 1 mm, and the
    next translations' pairs are off-pulsed so that their torque about the
    axis the layout can act on is under a tenth of the first's. (The torque
    about x that a pair makes from an offset across it no thruster can
    cancel: it is left to the wheels.) The roll check is taken at the
    estimate alone: the subject is the learning."""
    import fsw.tasks.propulsion as prop

    monkeypatch.setattr(prop, "COM_ROLL_K_SIGMA", 0.0)
    sc = Scenario()
    rcs = sc.chaser.rcs
    F = rcs.thrust_n
    delta = np.array([-0.0094, 0.004, -0.003])
    pos = np.array(rcs.positions_b, dtype=float) - (np.array([-0.003, 0.0, 0.0]) + delta)
    tau = np.cross(pos, np.array(rcs.directions_b, dtype=float))  # per newton, true centre
    task = _task(ctx)
    # the plant below fires at the on-times: the task takes no rise or tail-off
    task.sc.chaser.rcs.rise_time_s = task.sc.chaser.rcs.tail_off_s = 0.0
    H = np.zeros(3)

    def adcs():
        ctx.deliver(ADCS_STATE.build(t_tai=ctx.t, mode=3, valid=1, q_BN=(1.0, 0.0, 0.0, 0.0),
                                     rate_B=(0.0, 0.0, 0.0), att_error=math.radians(0.1),
                                     h_wheels=float(np.linalg.norm(H)), h_B=tuple(H),
                                     wheels_ok=15, flags=1, st_age=0.0, att_sigma=1e-5,
                                     att_sigma_B=(1e-5,) * 3, heads_used=6, heads_valid=6,
                                     st_rejected=0))

    def translate(dv, burn_id):
        nonlocal H
        seen = len(ctx.of("THRUSTER_CMD"))
        impulses, coast = [], []
        adcs()
        ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
        ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=burn_id, t_exec=ctx.t, dv_N=dv,
                                     purpose="t"))
        for k in range(600):
            ctx.t += 0.1
            task.step(ctx.t)
            for c in ctx.of("THRUSTER_CMD")[seen:]:
                imp = (np.array(c.on_time)[:len(tau), None] * tau).sum(axis=0) * F
                H += imp
                impulses.append(imp)
            seen = len(ctx.of("THRUSTER_CMD"))
            if k % 10 == 9:
                adcs()
                if task.burn is None:
                    coast.append(ctx.t)  # the momentum seen after the translation
            if len(coast) == 2:
                break
        assert ctx.of("BURN_STATUS")[-1].state == DONE
        assert not any(r.active for r in ctx.of("ADCS_REQUEST"))  # translations: no slew
        return np.array(impulses)

    first = translate((0.0, 0.03, 0.0), 1)
    translate((0.0, 0.0, 0.03), 2)
    est = np.array(task.cds["com"]["est"])
    assert task.cds["com"]["n"] == 2
    assert np.linalg.norm(est - delta) < 1e-3
    full = abs(first[0][2])  # the first cycle's torque impulse about z, uncompensated
    assert full > 0.9 * 2 * F * abs(delta[0]) * 0.1
    later = translate((0.0, 0.03, 0.0), 3)
    assert np.abs(later[:, 2]).max() < 0.1 * full
    z_pair = translate((0.0, 0.0, -0.03), 4)
    assert np.abs(z_pair[:, 1]).max() < 0.1 * full
    # the x torques are the pairs' own (2 F delta_z for the y pair) and stay
    assert abs(later[0][0]) == pytest.approx(abs(first[0][0]), rel=0.05)


@pytest.mark.parametrize("dv, slewed", [((0.0, 0.06, -0.06), True), ((0.0, 0.06, 0.06), False),
                                        ((0.0, 0.02, 0.02), False)])
def test_a_translation_that_would_fill_the_roll_wheel_is_slewed(ctx, dv, slewed) -> None:
    """The centre of mass learnt 9.2 mm and 6.2 mm off across x: a translation
    of the pairs along y and z makes a torque about x that no thruster can
    cancel, its angular impulse -(offset x m dv)_x (numpy's cross product
    here; 0.28 N m s in the first case, capacity 0.18). A translation whose
    impulse would take the x wheel beyond
    TRANSLATE_ROLL_HEADROOM of its capacity is slewed (the burn attitude is
    requested: the main groups make no torque about x); the same size with
    the z part reversed (the two pairs' torques about x then largely cancel)
    and a smaller one are translated."""
    import fsw.tasks.propulsion as prop

    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    delta = np.array([0.0, -0.0092, -0.0062])
    task.cds["com"]["est"] = tuple(delta)
    # learnt to 0.01 mm (1 sigma) on every axis: the estimate decides
    task.cds["com"]["N"][:] = [(prop.COM_MOMENTUM_NOISE / 1e-5) ** 2 if i % 4 == 0 else 0.0
                               for i in range(9)]
    h_x = -np.cross(delta, sc.chaser.mass_kg * np.array(dv))[0]
    room = prop.TRANSLATE_ROLL_HEADROOM * sc.chaser.wheels.max_momentum_nms
    assert (abs(h_x) > room) == slewed
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=5, t_exec=ctx.t + 100.0, dv_N=dv,
                                 purpose="t"))
    ctx.t += 0.1
    task.step(ctx.t)
    assert task.burn["translate"] is not slewed
    assert any(r.active for r in ctx.of("ADCS_REQUEST")) is slewed
    assert any("slewed" in e[2] for e in ctx.events) is slewed


@pytest.mark.parametrize("share", [None, math.inf])
def test_a_translation_before_the_centre_of_mass_is_known_fires_within_the_wheels(
        ctx, monkeypatch, share) -> None:
    """Nothing learnt yet (the 5 mm prior): a translation along body (0, 1, 1)
    fires the pairs along y and z together, 2 N across x. About a centre of
    mass 2 sigma off where the roll is worst (10 mm along (0, -Fz, Fy), numpy
    here from the layout and the commanded pulses), their roll torque while
    firing is ~28 mN m, more than a wheel's 20. The firing cycles are spaced
    out so that it averages within TRANSLATE_TORQUE_SHARE of a wheel's torque
    (over every 2 s, to one cycle); without the spacing (share inf) it does
    not."""
    import fsw.tasks.propulsion as prop

    if share is not None:
        monkeypatch.setattr(prop, "TRANSLATE_TORQUE_SHARE", share)
    sc = Scenario()
    rcs = sc.chaser.rcs
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    dv = (0.0, 0.02, 0.02)
    _fly_with_accelerometer(ctx, task, sc, dv, thrust_scale=1.0, bias_B=(0.0, 0.0, 0.0))
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    assert not any(r.active for r in ctx.of("ADCS_REQUEST"))  # translated, not slewed
    cmds = ctx.of("THRUSTER_CMD")
    # the commands on the 0.1 s grid of the cycles (a cycle left out sends none)
    k = np.round((np.array([c.t_tai for c in cmds]) - cmds[0].t_tai) / 0.1).astype(int)
    on = np.zeros((k[-1] + 1, rcs.count))
    on[k] = [c.on_time[:rcs.count] for c in cmds]
    pos, dirs = np.array(rcs.positions_b), np.array(rcs.directions_b)
    force = on[:, :, None] * dirs[None] * rcs.thrust_n / 0.1  # mean N over each cycle
    F = force.sum(axis=(0, 1))
    delta = 0.010 * np.array([0.0, -F[2], F[1]]) / np.hypot(F[1], F[2])
    # torque about the true centre (mean over each 0.1 s cycle), about x
    tau_x = np.cross(pos[None] - delta, force).sum(axis=1)[:, 0]
    firing = np.nonzero(on.any(axis=1))[0]
    span = tau_x[firing[0]:firing[-1] + 1]
    assert len(span) >= 10 and np.abs(tau_x).max() > sc.chaser.wheels.max_torque_nm
    window = np.convolve(span, np.ones(20) / 20, mode="valid")  # every 2 s
    cap = prop.TRANSLATE_TORQUE_SHARE * sc.chaser.wheels.max_torque_nm
    if share is None:  # (to one cycle of the window's 20)
        assert np.abs(window).max() <= cap + np.abs(tau_x).max() / 20
        assert abs(span.mean()) <= cap
    else:
        assert np.abs(window).max() > sc.chaser.wheels.max_torque_nm


@pytest.mark.parametrize("learnt", ["prior", "one direction", "two directions"])
def test_the_roll_check_takes_the_centre_of_mass_uncertainty(ctx, learnt) -> None:
    """A 0.06 m/s translation along (0, 1, 1)/sqrt 2 whose roll at the
    estimate (zero) fits: its torque about x is -(delta x J)_x for J = m dv,
    linear in the offset, so its sigma is COM_MOMENTUM_NOISE sqrt(g' N^-1 g)
    with g = (0, -J_z, J_y) and N the least squares' normal matrix (numpy's
    inverse here). Under the prior alone (5 mm) and after translations along
    one other direction only, that sigma is more than the room left, and the
    burn is slewed; learnt from a second direction too, it is translated.
    The event states the sigma.

    Learnt from translations along (0, 1, -1) only: each teaches the offset
    across its own impulse (F x delta), so the torque of a translation along
    (0, 1, 1), set by the offset along (0, 1, -1), is not learnt (campaign g2,
    seed 595764059: two translations along nearly one body direction, then a
    0.089 m/s one along another took the wheels to -0.19 N m s, predicted
    -0.035 at the estimate)."""
    import fsw.tasks.propulsion as prop

    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    noise = prop.COM_MOMENTUM_NOISE
    N = np.eye(3) * (noise / prop.COM_PRIOR_M) ** 2
    for F in {"prior": [], "one direction": [(0.0, 10.0, -10.0)] * 3,
              "two directions": [(0.0, 10.0, 10.0), (0.0, 10.0, -10.0)]}[learnt]:
        A = np.array([[0.0, F[2], -F[1]], [-F[2], 0.0, F[0]], [F[1], -F[0], 0.0]])  # F x .
        N += A.T @ A
    task.cds["com"]["N"][:] = N.ravel().tolist()
    dv = np.array([0.0, 0.06, 0.06]) / math.sqrt(2)
    J = sc.chaser.mass_kg * dv
    g = np.array([0.0, -J[2], J[1]])
    sigma = noise * math.sqrt(g @ np.linalg.inv(N) @ g)
    room = prop.TRANSLATE_ROLL_HEADROOM * sc.chaser.wheels.max_momentum_nms
    slewed = prop.COM_ROLL_K_SIGMA * sigma > room
    assert slewed is (learnt != "two directions")
    ctx.deliver(PROP_ARM.build(t_tai=ctx.t, arm=1, window=60.0))
    ctx.deliver(BURN_ORDER.build(t_tai=ctx.t, burn_id=5, t_exec=ctx.t + 100.0,
                                 dv_N=tuple(dv), purpose="t"))
    ctx.t += 0.1
    task.step(ctx.t)
    assert task.burn["translate"] is not slewed
    if slewed:
        text = next(e[2] for e in ctx.events if "slewed" in e[2])
        assert f"+-{sigma:.3f} N m s" in text


@pytest.mark.parametrize(("dv", "transients", "tol"), [
    ((0.35, 0.0, 0.0), False, 0.001), ((0.004, 0.041, -0.023), False, 0.001),
    ((0.35, 0.0, 0.0), True, 0.015), ((0.004, 0.041, -0.023), True, 0.030)])
def test_burn_status_says_when_its_delta_v_was_delivered(ctx, dv, transients, tol) -> None:
    """BURN_STATUS.dv_dt: when the Δv added since the previous status was
    delivered, against the packet's time (the navigation carries each
    increment from then, issue #15). The truth: the task's THRUSTER_CMD
    packets replayed in the world of hil.sim on a 5 ms step; the
    impulse-weighted mean time of the sensed Δv each status's commands made.
    Within 1 ms for a slewed burn and a translation (0.03 and 0.26 ms); with
    the thrusters' rise (15 ms) and tail-off (20 ms), which the task does not
    model, within 15 ms for the burn (9.6 ms: the tail of a cycle's pulse runs
    into the next) and 30 ms for the translation (24 ms: its pulses are
    10-25 ms long, and a tail-off moves a short pulse's impulse later), 1.5
    mm of position for its 0.05 m/s. The Δv taken at the packet's time (the old reading) is
    0.3 s and more off."""
    from hil.sim.from_scenario import world_config
    from hil.sim.world import World

    sc = Scenario()
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    _fly_with_accelerometer(ctx, task, sc, dv, thrust_scale=1.0, bias_B=(0.0, 0.0, 0.0),
                            coast_s=5.0)
    cfg = world_config(sc)
    cfg.step = 0.005
    for th in cfg.chaser.thrusters:
        th.rise_time, th.tail_off = (0.015, 0.020) if transients else (0.0, 0.0)
    world = World(cfg)
    n = world.chaser.n_thrusters
    per = round(0.1 / cfg.step)
    u = np.asarray(dv, float) / np.linalg.norm(dv)
    # each command acts from the next tick's start (the packet's time) on
    t_prev, w_sum, wt_sum, checked = None, 0.0, 0.0, 0
    worst = late = 0.0
    for r in ctx.sent:
        name = r.packet.name
        if name == "THRUSTER_CMD":
            if t_prev is not None and r.t_tai - t_prev > 0.1 + 1e-9:
                world.step(round((r.t_tai - t_prev - 0.1) / cfg.step))  # cycles left out
            t_prev = r.t_tai
            world.set_thruster_on_times(r.on_time[:n])
            for k in range(per):
                before = np.array(world.chaser.dv_sensed_B)
                world.step(1)
                d = float((np.array(world.chaser.dv_sensed_B) - before) @ u)
                w_sum += d
                wt_sum += d * (r.t_tai + (k + 0.5) * cfg.step)
        elif name == "BURN_STATUS" and r.state in (BurnStatusState.FIRING, DONE):
            if w_sum > 1e-6:
                truth = wt_sum / w_sum
                worst = max(worst, abs(r.t_tai + r.dv_dt - truth))
                late = max(late, abs(r.t_tai - truth))
                checked += 1
            w_sum = wt_sum = 0.0
    assert checked >= 2
    assert worst < tol
    assert late > 0.3


def test_housekeeping_carries_the_learnt_centre_of_mass_and_its_sigma(ctx) -> None:
    """PROP_HK: the centre-of-mass offset learnt from translations, the number
    of them and each axis' 1-sigma, here against numpy: the momentum noise
    times the root of the inverse normal matrix's diagonal. A fresh task
    reports the prior (5 mm) and none learnt."""
    from fsw.tasks import propulsion as prop

    sc = Scenario()
    task = _task(ctx)
    every = round(sc.rates.housekeeping_s / 0.1)

    def hk():
        for _ in range(every):
            ctx.t += 0.1
            task.step(ctx.t)
        return ctx.of("PROP_HK")[-1]

    r = hk()
    assert r.com_n == 0 and r.com_B == (0.0, 0.0, 0.0)
    np.testing.assert_allclose(r.com_sigma_B, [prop.COM_PRIOR_M] * 3, rtol=1e-12)
    rng = np.random.default_rng(45)
    A = rng.normal(size=(3, 3)) * 40.0
    N = A @ A.T + np.diag([3.0, 5.0, 7.0])  # a translations' normal matrix, off-diagonal
    task.cds["com"]["N"][:] = N.ravel().tolist()
    task.cds["com"]["est"] = (0.004, -0.0021, 0.0063)
    task.cds["com"]["n"] = 3
    r = hk()
    assert r.com_n == 3 and r.com_B == (0.004, -0.0021, 0.0063)
    np.testing.assert_allclose(
        r.com_sigma_B, prop.COM_MOMENTUM_NOISE * np.sqrt(np.diag(np.linalg.inv(N))), rtol=1e-9)


def _coast(ctx, task, H, noise=None) -> None:
    """Three seconds of coasting after a translation, the body's momentum
    ``H`` (plus a draw of ``noise()``) in ADCS_STATE once a second: it
    settles and the translation is learnt from."""
    for _ in range(30):
        ctx.t += 0.1
        if round(ctx.t * 10) % 10 == 0:
            h = H if noise is None else H + noise()
            ctx.deliver(ADCS_STATE.build(
                t_tai=ctx.t, mode=3, valid=1, q_BN=(1.0, 0.0, 0.0, 0.0),
                rate_B=(0.0, 0.0, 0.0), att_error=math.radians(0.1),
                h_wheels=float(np.linalg.norm(h)), h_B=tuple(h), wheels_ok=15, flags=1,
                st_age=0.0, att_sigma=1e-5, att_sigma_B=(1e-5,) * 3, heads_used=6,
                heads_valid=6, st_rejected=0))
        task.step(ctx.t)


@pytest.mark.parametrize("modelled", [True, False])
def test_translations_firing_a_calibrated_off_pulsed_group_learn_the_centre_of_mass(
        ctx, modelled) -> None:
    """The main thrusters tilted 2.5 deg and the centre of mass (2, -4, 3) mm
    off (a toy rigid body: every pulse's torque about the true centre with
    the tilted directions, numpy and scipy here; each thrust rising and
    tailing off at first order, 15 and 20 ms, solved by hand in numpy), the
    body's momentum reported with 2 mN m s of noise (1 sigma per axis, about
    what ADCS_STATE shows: COM_MOMENTUM_NOISE). A slewed burn calibrates the
    +x group's torque; three translations with an x part then fire that
    group, cut by the off-pulsing to cancel it, beside the pairs. With the
    rise and tail-off modelled on board (the core's pulse response) the
    offset they teach is within 3 sigma of the truth on every axis, and
    within 1.5 mm: (0.3, -0.1, -0.5) mm at sigma (0.42, 0.57, 0.87). Taken
    at the on-times (the slewed burn's back-to-back pulses and the
    translation's short ones then disagree), x is 2.3 mm off at 4.3 sigma.
    (Before stop 45 the record counted the group's cuts twice and the
    calibration was the off-pulsing's filtered estimate, one second's
    momentum noise: 2.1 and 2.8 mm off along x at 4 and 5.6 sigma, on a
    plant without the rise and tail-off.)"""
    sc = Scenario()
    F = sc.chaser.rcs.thrust_n
    delta = np.array([0.002, -0.004, 0.003])
    tau = _tilted_plant(sc, 2.5, 40.0, delta)
    shape = (0.015, 0.02)  # the world's thrusters (the scenario's rcs)
    rng = np.random.default_rng(45)

    def noise():
        return rng.normal(0.0, 2e-3, 3)

    task = _task(ctx)
    if not modelled:
        task.sc.chaser.rcs.rise_time_s = task.sc.chaser.rcs.tail_off_s = 0.0
    ctx.deliver(_adcs(ctx))
    H = np.zeros(3)
    H += _fly_with_torque(ctx, task, tau, (0.35, 0.0, 0.0), F, H0=H.copy(),
                          noise=noise, shape=shape).sum(axis=0)
    assert ctx.of("BURN_STATUS")[-1].state == DONE
    group = [i for i, d in enumerate(sc.chaser.rcs.directions_b) if d[0] > 0.999]
    (mask, _), = task.cds["thrust_torque"].items()
    assert mask == sum(1 << i for i in group)
    for dv in [(0.05, 0.02, -0.01), (0.04, -0.01, 0.025), (0.06, 0.015, 0.02)]:
        n0 = task.cds["com"]["n"]
        fired = ctx.of("THRUSTER_CMD")
        H += _fly_with_torque(ctx, task, tau, dv, F, H0=H.copy(), noise=noise,
                              shape=shape).sum(axis=0)
        assert ctx.of("BURN_STATUS")[-1].state == DONE
        assert not any(r.active for r in ctx.of("ADCS_REQUEST")[-1:])  # translated
        cut = [c.on_time for c in ctx.of("THRUSTER_CMD")[len(fired):]
               if all(c.on_time[i] > 0.0 for i in group)
               and len({c.on_time[i] for i in group}) > 1]
        assert cut  # the calibrated group fired, off-pulsed
        _coast(ctx, task, H, noise)
        assert task.cds["com"]["n"] == n0 + 1
    err = np.array(task.cds["com"]["est"]) - delta
    sigma = np.array(task._com_sigma())
    if modelled:
        assert np.all(np.abs(err) <= 3.0 * sigma), (err, sigma)
        assert np.all(np.abs(err) < 1.5e-3), (err, sigma)
    else:
        assert np.any(np.abs(err) > 3.0 * sigma), (err, sigma)


@pytest.mark.parametrize("direction_sigma_deg, consistent", [(1.0, True), (0.0, False)])
def test_a_tilted_main_thrusters_torque_is_not_learnt_as_the_centre_of_mass(
        ctx, monkeypatch, direction_sigma_deg, consistent) -> None:
    """The main (+-x) thrusters tilted 3 deg (3 sigma of issue #15's
    direction error) and the centre of mass 2-4 mm off: a translation with
    an x part fires uncalibrated main thrusters, whose side force makes a
    torque the offset does not (a toy rigid body: every pulse's torque about
    the true centre with the tilted directions, numpy and scipy here). With
    the direction error in each translation's equation, the learnt offset
    is within 3 sigma of the truth on every axis (sigma as PROP_HK reports
    it: 9.5, 1.8, -1.8 mm off at 4.7, 2.6, 2.7 mm, the prior mostly: two
    such translations cannot tell a tilt from an offset); without it (0 deg)
    the tilt is learnt as offset, 124 mm off along x claimed to 0.9 mm."""
    import fsw.tasks.propulsion as prop

    monkeypatch.setattr(prop, "COM_DIRECTION_SIGMA", math.radians(direction_sigma_deg))
    sc = Scenario()
    F = sc.chaser.rcs.thrust_n
    delta = np.array([0.002, -0.004, 0.003])
    tau = _tilted_plant(sc, 3.0, 124.0, delta)
    task = _task(ctx)
    ctx.deliver(_adcs(ctx))
    for dv in [(0.045, 0.01, 0.0), (-0.04, 0.0, 0.012)]:
        n0 = task.cds["com"]["n"]
        H = _fly_with_torque(ctx, task, tau, dv, F).sum(axis=0)  # from 0 at its start
        assert ctx.of("BURN_STATUS")[-1].state == DONE
        assert not any(r.active for r in ctx.of("ADCS_REQUEST"))  # translated
        _coast(ctx, task, H)
        assert task.cds["com"]["n"] == n0 + 1
    err = np.array(task.cds["com"]["est"]) - delta
    sigma = np.array(task._com_sigma())
    if consistent:
        assert np.all(np.abs(err) <= 3.0 * sigma), (err, sigma)
    else:
        assert np.any(np.abs(err) > 3.0 * sigma), (err, sigma)
        assert sigma.min() < 1e-3
