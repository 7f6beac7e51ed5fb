"""The autonomy task driven by packets alone (no world, no mission): every mode
transition and every fault path of its docstring (fsw/tasks/autonomy/__init__.py).

The other tasks are played by the test: NAV_STATE, ADCS_STATE, GPS, RELNAV,
BURN_STATUS and COMMS_HK are built with the dictionary and delivered to the
task's handlers; telecommands arrive signed, inside MISSION_CMD, as the comms
task forwards them. Burn orders are checked against an independent Hill-frame
computation (numpy) from the target state the test gave.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsw.core.guidance import LocalCore
from fsw.packets import DICTIONARY
from fsw.packets.auth import CommandSigner, KeyRing
from fsw.packets.enums import AckStage, BurnStatusState, PointingMode, Severity
from fsw.scenario import Scenario
from fsw.tasks.autonomy import AutonomyTask
from fsw.tasks.autonomy.commands import R_BAD_ARG, R_GATE, R_WRONG_MODE
from fsw.tasks.autonomy.fdir import STAR_TRACKER_SAFE_S
from fsw.tasks.autonomy.modes import Mode
from fsw.tasks.autonomy.task import ACT_CHECKOUT, ACT_DETUMBLE, ACT_SUN, GATE_QUIET_RETRIES

KEYS = KeyRing({1: bytes(range(32))})
MU = 3.986004418e14
R0 = 6378137.0 + 500e3
N = math.sqrt(MU / R0**3)
#: the target on a circular equatorial-ish orbit (inclined 51.6 deg)
INC = math.radians(51.6)
R_T = (R0, 0.0, 0.0)
V_T = (0.0, math.sqrt(MU / R0) * math.cos(INC), math.sqrt(MU / R0) * math.sin(INC))


def _hill(r, v) -> np.ndarray:
    r, v = np.asarray(r), np.asarray(v)
    x = r / np.linalg.norm(r)
    z = np.cross(r, v)
    z /= np.linalg.norm(z)
    return np.array([x, np.cross(z, x), z])


class Drive:
    """The autonomy task on a FakeCtx, with the other tasks played by packets."""

    def __init__(self, ctx, sc: Scenario | None = None) -> None:
        self.ctx = ctx
        self.sc = sc or Scenario()
        self.task = AutonomyTask(self.sc, LocalCore())
        self.task.init(ctx)
        self.signer = CommandSigner(KEYS, 1)
        self.x = None
        self.wheels_ok = 0b1111
        self.thr = 0xFF
        self.st_age = 0.0
        self.rate = (0.0, 0.0, 0.0)
        self.att_error = 1e-3
        self.att_valid = 1
        self.relnav = False
        self.gps = False
        self.auto_burns = True
        self.tc_accepted = 0

    # -- stimuli ---------------------------------------------------------------
    def command(self, name: str, **fields) -> None:
        raw = self.signer.build(name, t_tai=self.ctx.t, **fields)
        self.ctx.deliver(DICTIONARY["MISSION_CMD"].build(t_tai=self.ctx.t, owner="autonomy",
                                                         command=raw))

    def ack(self):
        return self.ctx.of("COMMAND_ACK")[-1]

    def _nav(self) -> None:
        x = self.x
        valid = x is not None
        x = x if valid else (0.0,) * 6
        self.ctx.deliver(DICTIONARY["NAV_STATE"].build(
            t_tai=self.ctx.t, valid=int(valid), source=1, r_rel_N=(0.0,) * 3,
            v_rel_N=(0.0,) * 3, rho_H=x[:3], rho_dot_H=x[3:], r_target_N=R_T, v_target_N=V_T,
            sun_N=(1.0, 0.0, 0.0), normal_N=(0.0, 0.0, 1.0), mean_motion=N, sigma_pos=1.0,
            sigma_vel=0.01, flags=0, cov_pos_H=(1.0, 0.0, 0.0, 1.0, 0.0, 1.0), nis=0.0))

    def _inputs(self) -> None:
        c = self.ctx
        c.deliver(DICTIONARY["ADCS_STATE"].build(
            t_tai=c.t, mode=2, valid=self.att_valid, q_BN=(1.0, 0.0, 0.0, 0.0),
            rate_B=self.rate, att_error=self.att_error, h_wheels=0.01, h_B=(0.01, 0.0, 0.0),
            wheels_ok=self.wheels_ok, flags=1, st_age=self.st_age, att_sigma=1e-5,
            att_sigma_B=(1e-5,) * 3, heads_used=6, heads_valid=6, st_rejected=0))
        if self.gps:
            c.deliver(DICTIONARY["GPS"].build(t_tai=c.t, r_N=(R0, 0.0, 0.0),
                                              v_N=(0.0, 7600.0, 0.0), valid=1, obc_time=c.t,
                                              gps_time=c.t))
        if self.relnav:
            c.deliver(DICTIONARY["RELNAV"].build(t_tai=c.t, range=200.0, azimuth=0.0,
                                                 elevation=0.0, valid=1, ranged=1))
        c.deliver(DICTIONARY["COMMS_HK"].build(
            t_tai=c.t, mode=0, tc_received=self.tc_accepted, tc_accepted=self.tc_accepted,
            tc_rejected=0, tm_sent=0, crc_errors=0, seq_gaps=0))

    def burn_status(self, burn_id: int, state: BurnStatusState) -> None:
        self.ctx.deliver(DICTIONARY["BURN_STATUS"].build(
            t_tai=self.ctx.t, burn_id=burn_id, state=state, dv_done=0.0, dv_total=0.0,
            thrusters_ok=self.thr, propellant=10.0, dv_N=(0.0, 0.0, 0.0), dv_dt=0.0))

    def tick(self, n: int = 1, nav: bool = True) -> None:
        for _ in range(n):
            self.ctx.t += 1.0
            if nav:
                self._nav()
            self._inputs()
            sent = len(self.ctx.sent)
            self.task.step(self.ctx.t)
            if self.auto_burns:
                for r in self.ctx.sent[sent:]:
                    if r.packet.name == "BURN_ORDER":
                        self.burn_status(r.burn_id, BurnStatusState.DONE)

    # -- views -----------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        return self.task.m.mode

    def pointing(self) -> int:
        return self.ctx.of("ADCS_REQUEST")[-1].mode

    def events(self, text: str) -> list:
        return [e for e in self.ctx.events if text in e[2]]

    # -- scripted phases -------------------------------------------------------
    def to_launch(self) -> None:
        self.command("LAUNCH_NOTICE", form=1, tle1="", tle2="", epoch_tai=self.ctx.t,
                     r_N=R_T, v_N=V_T)

    def to_commissioning(self) -> None:
        self.to_launch()
        self.gps = True
        self.tick()

    def to_phasing(self, x=None) -> None:
        self.to_commissioning()
        self.x = x if x is not None else (0.0, -30e3, 0.0, 0.0, 0.0, 0.0)
        limit = 10 * self.sc.fdir.persistence + 60 + int(self.sc.plan.checkout_s) + 10
        for _ in range(limit):  # detumbled, sun acquired, checkouts
            self.tick()
            if self.mode is not Mode.COMMISSIONING:
                break
        assert self.mode is Mode.PHASING


@pytest.fixture
def drive(ctx) -> Drive:
    return Drive(ctx)


# ---------------------------------------------------------------- STANDBY, LAUNCH
def test_launch_notice_goes_to_launch_and_hands_the_orbit_to_navigation(drive) -> None:
    assert drive.mode is Mode.STANDBY
    drive.to_launch()
    assert drive.mode is Mode.LAUNCH
    assert drive.ack().stage == AckStage.EXECUTED
    (orbit,) = drive.ctx.of("TARGET_ORBIT")
    assert orbit.form == 1 and orbit.r_N == R_T and orbit.v_N == V_T
    drive.to_launch()  # a second notice outside STANDBY
    assert drive.ack().stage == AckStage.REJECTED and drive.ack().reason == R_WRONG_MODE


@pytest.mark.parametrize("r, v", [
    ((1.0, 2.0, 3.0), (0.0, 7600.0, 0.0)),                   # inside the Earth
    ((R0 / 1e3, 0.0, 0.0), (0.0, 7.6, 0.0)),                 # km: units refused
    ((R0, 0.0, 0.0), (0.0, float("nan"), 0.0)),              # not finite
])
def test_bad_target_orbit_is_rejected(drive, r, v) -> None:
    drive.command("LAUNCH_NOTICE", form=1, tle1="", tle2="", epoch_tai=drive.ctx.t,
                  r_N=r, v_N=v)
    assert drive.ack().stage == AckStage.REJECTED and drive.ack().reason == R_BAD_ARG
    assert drive.mode is Mode.STANDBY and not drive.ctx.of("TARGET_ORBIT")
    assert drive.events("bad target orbit")


def test_separation_starts_commissioning_with_detumble(drive) -> None:
    drive.to_launch()
    drive.tick(3)
    assert drive.mode is Mode.LAUNCH and drive.pointing() == PointingMode.OFF
    drive.gps = True
    drive.tick()
    assert drive.mode is Mode.COMMISSIONING
    assert drive.task.cds["activity"] == ACT_DETUMBLE


# ---------------------------------------------------------------- COMMISSIONING
def test_commissioning_activities_then_phasing(drive) -> None:
    drive.to_commissioning()
    drive.rate = (0.0, 0.0, math.radians(2.0))  # tumbling
    drive.att_error = math.radians(10.0)  # not yet on the sun
    drive.tick(100)
    assert drive.task.cds["activity"] == ACT_DETUMBLE
    assert drive.pointing() == PointingMode.DETUMBLE
    drive.rate = (0.0, 0.0, 0.0)
    drive.tick(10 * drive.sc.fdir.persistence + 2)
    assert drive.task.cds["activity"] == ACT_SUN
    assert drive.pointing() == PointingMode.SUN_SAFE
    drive.tick(60)
    assert drive.task.cds["activity"] == ACT_SUN
    drive.att_error = math.radians(1.0)
    drive.tick(2)
    assert drive.task.cds["activity"] == ACT_CHECKOUT
    drive.tick(int(drive.sc.plan.checkout_s) + 2)  # no navigation: gate no-go
    assert drive.mode is Mode.COMMISSIONING
    assert drive.events("no navigation fix")
    drive.x = (0.0, -30e3, 0.0, 0.0, 0.0, 0.0)
    drive.tick(drive.sc.fdir.persistence + 2)  # the navigation check clears first
    assert drive.mode is Mode.PHASING


# ---------------------------------------------------------------- PHASING .. DEPARTURE
def test_phasing_orders_burns_in_gcrf_from_the_target_state(drive) -> None:
    drive.auto_burns = False
    drive.to_phasing()
    drive.tick(2)
    (arm,), (order,) = drive.ctx.of("PROP_ARM")[-1:], drive.ctx.of("BURN_ORDER")
    assert arm.arm == 1
    plan = drive.task.seq.pending
    assert plan is not None and order.burn_id == plan.id
    # independent: the Hill axes at the burn time are today's turned by n dt
    dt = order.t_exec - order.t_tai
    C = _hill(R_T, V_T)
    a = N * dt
    Ct = np.array([math.cos(a) * C[0] + math.sin(a) * C[1],
                   -math.sin(a) * C[0] + math.cos(a) * C[1], C[2]])
    assert np.allclose(order.dv_N, Ct.T @ np.asarray(plan.dv_hill), rtol=0, atol=1e-12)


def test_failed_burn_backs_off_and_replans(drive) -> None:
    drive.auto_burns = False
    drive.to_phasing()
    drive.tick(2)
    (order,) = drive.ctx.of("BURN_ORDER")
    drive.burn_status(order.burn_id, BurnStatusState.ABORTED)
    assert drive.events("not completed: re-planning")
    drive.tick(30)
    assert len(drive.ctx.of("BURN_ORDER")) == 1  # backing off
    drive.tick(40)
    assert len(drive.ctx.of("BURN_ORDER")) == 2  # the leg planned again


def test_whole_approach_to_departure(drive) -> None:
    sc = drive.sc
    # already on the far hold's safety ellipse (issue #16)
    far = tuple(float(v) for v in drive.task.core.safety_ellipse(
        N, sc.plan.inspection_radial_m, sc.plan.inspection_cross_m,
        -sc.plan.hold_far_m, math.pi / 2))
    drive.to_phasing(x=far)
    drive.tick(3)
    assert drive.mode is Mode.RENDEZVOUS
    # fly the legs: the estimate sits at each leg's goal, every burn is done
    for _ in range(20000):
        leg = drive.task.seq.legs[0] if drive.task.seq.legs else None
        if leg is not None and leg.kind in ("hold", "transfer"):
            drive.x = (*leg.rho_f, 0.0, 0.0, 0.0)
        drive.tick()
        if drive.mode is not Mode.RENDEZVOUS:
            break
        if not drive.task.seq.legs and drive.events("rendezvous complete"):
            break
    # the track gate: no sensor track, no PROX_OPS
    assert drive.mode is Mode.RENDEZVOUS
    assert drive.events("no relative navigation track")
    # a minute a retry: the first GATE_QUIET_RETRIES wait quietly (the camera
    # turning back after a burn), the later ones are warnings
    drive.tick(61 * (GATE_QUIET_RETRIES + 2))
    refused = drive.events("no relative navigation track")
    assert len(refused) >= GATE_QUIET_RETRIES + 2
    sev = [e[0] for e in refused]
    assert sev[:GATE_QUIET_RETRIES] == [Severity.INFO] * GATE_QUIET_RETRIES
    assert set(sev[GATE_QUIET_RETRIES:]) == {Severity.WARNING}
    assert f"waiting (1 of {GATE_QUIET_RETRIES})" in refused[0][2]
    drive.relnav = True
    # on the inspection's safety ellipse (outside the 200 m keep-out)
    p = drive.task.sc.plan
    drive.x = (0.0, -2 * p.inspection_radial_m, p.inspection_cross_m, 0.0, 0.0, 0.0)
    drive.tick(70)
    assert drive.mode is Mode.PROX_OPS
    assert drive.pointing() == PointingMode.TARGET_TRACK
    period = 2 * math.pi / N
    drive.tick(int(sc.plan.inspection_orbits * period) + 5)
    assert drive.mode is Mode.DEPARTURE
    assert drive.events("inspection complete")


# ---------------------------------------------------------------- SAFE and FDIR
@pytest.mark.parametrize("fault, reason", [
    ("wheels", "fewer than three wheels"),
    ("thrusters", "no usable thruster pair"),
    ("star_tracker", "attitude knowledge lost"),
    ("navigation", "navigation lost"),
])
def test_fdir_goes_safe(drive, fault, reason) -> None:
    drive.to_phasing()
    drive.auto_burns = True
    drive.tick(5)
    if fault == "wheels":
        drive.wheels_ok = 0b0011
    elif fault == "thrusters":
        drive.thr = 0b1
        drive.burn_status(0, BurnStatusState.IDLE)
    elif fault == "star_tracker":
        drive.st_age = STAR_TRACKER_SAFE_S + 1.0
    p = drive.sc.fdir.persistence
    drive.tick(p + 4, nav=fault != "navigation")
    assert drive.mode is Mode.SAFE
    assert drive.events(reason)
    assert drive.pointing() == PointingMode.SUN_SAFE
    assert drive.ctx.of("PROP_ARM")[-1].arm == 0


def test_collision_course_orders_avoidance_then_safe(drive) -> None:
    drive.to_phasing(x=(0.0, -2000.0, 0.0, 0.0, 0.0, 0.0))
    drive.auto_burns = False
    # on a course through the target: the CW trajectory that reaches it in 300 s
    # at 2 m/s along V-bar, taken back to now
    drive.x = LocalCore().cw_propagate(N, (0.0, 0.0, 0.0, 0.0, 2.0, 0.0), -300.0)
    drive.task.seq.clear()
    drive.tick(12)
    assert drive.mode is Mode.SAFE
    orders = [o for o in drive.ctx.of("BURN_ORDER") if o.purpose.startswith("collision")]
    assert len(orders) == 1
    assert drive.events("inside the keep-out sphere")


def test_resume_and_abort_and_set_mode(drive) -> None:
    drive.to_phasing()
    drive.command("SET_MODE", mode="safe")
    assert drive.mode is Mode.SAFE and drive.ack().stage == AckStage.EXECUTED
    drive.command("RESUME")
    assert drive.mode is Mode.PHASING and drive.ack().stage == AckStage.EXECUTED
    drive.command("SET_MODE", mode="prox_ops")  # not an order the ground may give
    assert drive.ack().reason == R_BAD_ARG
    drive.command("ABORT", reason=3)
    assert drive.mode is Mode.DEPARTURE and drive.task.aborts == 1
    drive.command("RESUME")  # not in SAFE
    assert drive.ack().stage == AckStage.REJECTED and drive.ack().reason == R_GATE


def test_resume_refused_through_the_gate(drive) -> None:
    drive.to_phasing()
    drive.command("SET_MODE", mode="safe")
    drive.wheels_ok = 0b0011
    drive.tick(2)
    drive.command("RESUME")
    assert drive.mode is Mode.SAFE and drive.ack().reason == R_GATE


def test_hold_point_command(drive) -> None:
    drive.command("SET_HOLD_POINT", along_track=-800.0)
    assert drive.ack().stage == AckStage.EXECUTED
    assert drive.task.seq.hold_point_m == 800.0
    drive.command("SET_HOLD_POINT", along_track=50.0)  # inside the inspection circle
    assert drive.ack().reason == R_BAD_ARG
    drive.command("SET_HOLD_POINT", along_track=float("inf"))
    assert drive.ack().reason == R_BAD_ARG


def test_ground_silence_is_evented_once(drive) -> None:
    drive.to_phasing()
    drive.tick(int(drive.sc.fdir.link_loss_report_s) + 5)
    assert len(drive.events("ground link lost")) == 1
    drive.tc_accepted += 1  # contact again
    drive.tick(3)
    drive.tick(int(drive.sc.fdir.link_loss_report_s) + 5)
    assert len(drive.events("ground link lost")) == 2


@pytest.mark.parametrize("x, n", [((1e300, 0.0, 0.0, 0.0, 0.0, 0.0), N),
                                  ((0.0, -2000.0, 0.0, 1e200, 0.0, 0.0), N),
                                  ((0.0, -2000.0, 0.0, 0.0, 0.0, 0.0), 1e-300)])
def test_absurd_but_finite_navigation_is_dropped(drive, x, n) -> None:
    """A corrupt NAV_STATE of finite but absurd values (it overflowed the far
    hold's test in a RESUME, found by the malformed-packet storm) is counted
    and not used: the RESUME is answered, refused at the gate for want of a
    navigation solution, and the task keeps running."""
    drive.to_phasing()
    drive.command("SET_MODE", mode="safe")
    before = drive.task.inp.dropped
    drive.ctx.deliver(DICTIONARY["NAV_STATE"].build(
        t_tai=drive.ctx.t, valid=1, source=1, r_rel_N=(0.0,) * 3, v_rel_N=(0.0,) * 3,
        rho_H=x[:3], rho_dot_H=x[3:], r_target_N=R_T, v_target_N=V_T, sun_N=(1.0, 0.0, 0.0),
        normal_N=(0.0, 0.0, 1.0), mean_motion=n, sigma_pos=1.0, sigma_vel=0.01, flags=0,
        cov_pos_H=(1.0, 0.0, 0.0, 1.0, 0.0, 1.0), nis=0.0))
    assert drive.task.inp.nav is None and drive.task.inp.dropped == before + 1
    drive.command("RESUME")
    assert drive.ack().reason == R_GATE and drive.mode is Mode.SAFE


# ---------------------------------------------------------------- power
def test_a_low_battery_turns_the_array_to_the_sun_until_charged(drive) -> None:
    """Issue #15 (far insertion's power): between burns the camera tracks the
    target; below chaser.power.charge_below_soc (EPS) the array goes on the
    sun, and stays there until charge_until_soc (hysteresis), each an event;
    no EPS, no spell. A burn's attitude comes first: while a burn is pending
    the task asks for no sun-pointing."""
    pw = drive.sc.chaser.power

    def eps(soc: float) -> None:
        drive.ctx.deliver(DICTIONARY["EPS"].build(t_tai=drive.ctx.t, soc=soc,
                                                  array_power=0.0, load_power=90.0))

    drive.auto_burns = False
    drive.to_phasing(x=(0.0, -30e3, 0.0, 0.0, 0.0, 0.0))
    drive.tick(2)
    assert drive.task.seq.pending is not None  # a phasing burn is coming
    n = len(drive.ctx.of("ADCS_REQUEST"))
    eps(pw.charge_below_soc - 0.05)
    drive.tick(5)
    # the burn's attitude is propulsion's: nothing asked, no spell yet
    assert len(drive.ctx.of("ADCS_REQUEST")) == n and not drive.task.charging
    order = drive.ctx.of("BURN_ORDER")[-1]
    drive.burn_status(order.burn_id, BurnStatusState.DONE)
    drive.tick(3)
    assert drive.task.charging and drive.pointing() == PointingMode.SUN_SAFE
    for soc in (pw.charge_below_soc + 0.01, pw.charge_until_soc - 0.01):
        eps(soc)
        drive.tick(3)
        assert drive.pointing() == PointingMode.SUN_SAFE and drive.task.charging
    eps(pw.charge_until_soc)
    drive.tick(3)
    assert not drive.task.charging and drive.pointing() == PointingMode.TARGET_TRACK
    (start,), (end,) = drive.events("array on the sun"), drive.events("charged")
    assert start[0] == end[0] == Severity.INFO
    assert f"battery at {100 * (pw.charge_below_soc - 0.05):.0f} %" in start[2]
    # an implausible sample is dropped, not taken for an empty battery
    eps(float("nan"))
    drive.tick(3)
    assert not drive.task.charging and drive.task.inp.dropped == 1


def test_with_the_target_in_view_a_charge_spell_takes_turns_with_it(drive) -> None:
    """Within the camera's reach a spell alternates: at most charge_turn_s on
    the sun, then charge_track_s on the target (the relative navigation keeps
    its measurements); beyond it, the array stays on the sun until charged."""
    pw = drive.sc.chaser.power
    task = drive.task
    drive.ctx.deliver(DICTIONARY["EPS"].build(t_tai=0.0, soc=pw.charge_below_soc - 0.1,
                                              array_power=0.0, load_power=90.0))
    drive.ctx.t = 0.0  # events are stamped with the context's time
    on = [task._charge(float(t), True) for t in range(3600)]
    turns, k = [], 0
    while k < len(on):  # run lengths: (on the sun?, seconds)
        j = k
        while j < len(on) and on[j] == on[k]:
            j += 1
        turns.append((on[k], j - k))
        k = j
    assert turns[0] == (True, pw.charge_turn_s)
    assert all(n == (pw.charge_turn_s if sun else pw.charge_track_s) for sun, n in turns[:-1])
    assert [sun for sun, _ in turns] == [i % 2 == 0 for i in range(len(turns))]
    far = [task._charge(4000.0 + t, False) for t in range(3600)]
    assert all(far)  # beyond the reach: on the sun throughout
    drive.ctx.deliver(DICTIONARY["EPS"].build(t_tai=0.0, soc=pw.charge_until_soc,
                                              array_power=0.0, load_power=90.0))
    assert not task._charge(8000.0, False) and task.sun_since is None


def test_no_charge_turn_before_the_first_ranged_measurement_near_the_handover(drive) -> None:
    """Near the ranging reach with no range yet (``watch``) a spell keeps the
    camera on the target: no turn on the sun starts, and one under way ends,
    so the first ranged measurement comes as soon as the target is in reach."""
    pw, task = drive.sc.chaser.power, drive.task
    drive.ctx.deliver(DICTIONARY["EPS"].build(t_tai=0.0, soc=pw.charge_below_soc - 0.1,
                                              array_power=0.0, load_power=90.0))
    drive.ctx.t = 0.0
    assert not any(task._charge(float(t), True, True) for t in range(2000))
    assert task.charging  # the spell is on, waiting
    assert task._charge(2000.0, True, False)  # the watch over: on the sun at once
    assert not task._charge(2001.0, True, True)  # and back on the target with it


def test_a_charge_turn_waits_while_the_navigation_could_not_coast_through_it(drive) -> None:
    """Inside the ranging reach a turn on the sun starts only while the
    relative navigation's 3-sigma position, grown over the turn and a
    half-turn slew back at the attitude controller's rate limit, stays within
    chaser.power.charge_nav_frac of the range (seed 2036637175: a turn just
    after a burn coasted 30 min, 2.1 % of range); beyond the reach always. A
    turn under way is not cut short by it (unlike the handover watch)."""
    from types import SimpleNamespace

    pw, task, ch = drive.sc.chaser.power, drive.task, drive.sc.chaser
    rate = 0.8 * ch.wheels.max_momentum_nms / max(ch.inertia_kgm2)  # AdcsConfig's limit
    gap = pw.charge_turn_s + math.pi / rate
    assert task.turn_gap_s == pytest.approx(gap, rel=1e-12)
    rng, sp = 2000.0, 1.0
    # 3 * hypot(sp, sv * gap) == charge_nav_frac * rng at sv_edge
    sv_edge = math.sqrt((pw.charge_nav_frac * rng / 3.0) ** 2 - sp * sp) / gap
    nav = SimpleNamespace(sigma_pos=sp, sigma_vel=0.99 * sv_edge)
    assert task._turn_keeps_nav(nav, rng)
    nav.sigma_vel = 1.01 * sv_edge
    assert not task._turn_keeps_nav(nav, rng)
    assert task._turn_keeps_nav(nav, task.ranging_reach_m)  # angles-only: not judged
    drive.ctx.deliver(DICTIONARY["EPS"].build(t_tai=0.0, soc=pw.charge_below_soc - 0.1,
                                              array_power=0.0, load_power=90.0))
    drive.ctx.t = 0.0
    assert not any(task._charge(float(t), True, False, True) for t in range(1000))
    assert task.charging
    assert task._charge(1000.0, True, False, False)  # the navigation ready: on the sun
    assert all(task._charge(1000.0 + t, True, False, True) for t in range(1, 300))
