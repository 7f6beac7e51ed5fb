"""The whole mission, world and flight software in lockstep over the bus, on
the shipped test variants; verdicts from the truth telemetry (never from the
flight software's own belief).

- the shortened variant flies to the inspection and on to departure: first
  good track (range < 1 km, pointing < 0.1 deg), inspection range, keep-out,
  Δv budget;
- faults (failed wheel, stuck thruster, star-tracker dropout, 30-minute
  ground-link loss) each end safe: SAFE or recovered, never inside the
  keep-out sphere;
- an authenticated ABORT and a new hold point from the ground change the
  mission and are acknowledged; a forged command is rejected and evented;
- a chaser inserted on a collision course triggers the avoidance burn and
  stays out of the keep-out sphere;
- the packet stream is reproducible from the seed;
- attitude knowledge against truth in the inspection (issue #17);
- the on-board clock disciplined by GPS, against truth (issue #17).
"""

from __future__ import annotations

import math

import pytest
from fsw_tools.mission import fly, summary

from fsw import scenario
from fsw.packets import DICTIONARY
from fsw.scenario import Telecommand

ACK = DICTIONARY["COMMAND_ACK"]
_RUNS: dict[str, object] = {}


def _fly(name: str, **kw):
    key = name + repr(sorted(kw.items()))
    if key not in _RUNS:
        _RUNS[key] = fly(scenario.load_builtin(name), **kw)
    return _RUNS[key]


def _modes(res) -> list[str]:
    return [m for _, m in res.monitor.score.modes]


def _events(res, source: str | None = None) -> list[str]:
    return [txt for _, _, src, txt in res.monitor.score.events if source in (None, src)]


def test_short_variant_flies_to_inspection_and_departs() -> None:
    res = _fly("short_inspection")
    s = summary(res)
    sc = res.scenario
    assert _modes(res)[-4:] == ["PHASING", "RENDEZVOUS", "PROX_OPS", "DEPARTURE"]
    assert s["outcome"] == "DEPARTURE"
    # truth: first good track, inspection at the designed range, keep-out clear
    assert s["notice_to_first_track_s"] is not None
    assert s["min_range_m"] > sc.plan.keep_out_m
    # the safety ellipse: range from A (radial) to sqrt(4 A^2 + B^2), within 15 %
    A, B = sc.plan.inspection_radial_m, sc.plan.inspection_cross_m
    assert 0.85 * min(A, B) < s["min_range_inspection_m"]
    assert s["max_range_inspection_m"] < 1.15 * math.hypot(2 * A, B)
    # issue #16 from truth: every missed burn keeps out of the keep-out for a
    # day, the inspection is lit from the camera's side, the camera on target
    assert s["missed_burn_inside_keep_out"] == 0
    assert s["missed_burn_min_m"] > sc.plan.keep_out_m
    assert s["inspection_good_light_fraction"] >= 0.5
    assert s["inspection_off_target_fraction"] < 0.05
    assert s["pointing_error_inspection_deg"]["median"] < 0.5
    assert 0.0 < s["delta_v_m_s"] < sc.plan.delta_v_budget_mps
    # the on-board Δv bookkeeping agrees with the truth propellant within 10 %
    assert s["delta_v_fsw_m_s"] == pytest.approx(s["delta_v_m_s"], rel=0.1)
    # ... and so does the truth Δv up to the inspection's start with the burns
    # the propulsion reported done before it (issue #15: Δv to the inspection)
    t_insp = next(t for t, m in res.monitor.score.modes if m == "PROX_OPS")
    done = [float(txt.split(": ")[1].split(" m/s")[0]) for t, _, src, txt
            in res.monitor.score.events if t < t_insp and " done: " in txt
            and txt.startswith("burn ")]
    assert done and 0.0 < s["delta_v_to_inspection_m_s"] <= s["delta_v_m_s"]
    assert s["delta_v_to_inspection_m_s"] == pytest.approx(sum(done), rel=0.1)
    assert s["hold_corrections"] >= 0
    # no task crashed
    assert all(t["state"] == "nominal" for t in s["tasks"].values())
    t = res.tasks["autonomy"].cds["times"]
    assert t["notice"] == res.notice_tai and t["commissioned"] > res.insertion_tai


def test_relative_navigation_against_truth_through_burns() -> None:
    """Issue #15, judged against TRUTH_RELATIVE (tools/mission/score_nav.py):
    the relative-navigation filter starts once and is never restarted by the
    burns and slews that turn the camera away; inside 5 km the position error
    stays below 1 % of the range at p99; NAV_STATE carries a covariance and
    NIS (not a hard-coded sigma)."""
    res = _fly("short_inspection")
    nav = summary(res)["navigation"]
    assert nav["relnav_epochs"] > 1000
    starts = [t for t in _events(res, "navigation") if "sensor filter started" in t]
    assert len(starts) == 1
    assert nav["err_frac_p99_5km"] < 0.01
    # the covariance is the filter's (range noise a fraction of range): its
    # median grows from one range bin to the next, never the hard-coded 1 or 10
    # (bins where the camera measured most of the time: PHASING's last burns
    # and their slews now fall inside 3 km, the far hold being an ellipse
    # reaching 2.5 km, and take about a fifth of that bin)
    rows = [b for b in nav["by_range"] if b["relnav_fraction"] > 0.75]
    sig = [b["sigma_rss_m_p50"] for b in rows]
    assert len(sig) >= 2 and sig == sorted(sig) and sig[0] < sig[-1]
    assert all(x not in (1.0, 10.0) for x in sig)
    # NIS of the camera updates: a 3-dof chi-square has mean 3
    assert 1.5 < nav["nis_mean"] < 6.0


def test_attitude_knowledge_against_truth_in_the_inspection() -> None:
    """Issue #17 acceptance 1, in the default mission as it says, judged
    against TRUTH_CHASER (tools/mission/score_attitude.py): a star-tracker
    head valid at least 95 % of the inspection (the world's own flags),
    knowledge error at most 30 arcsec at p95 there, the MEKF's 3 sigma
    containing truth at least 99 % of the time."""
    att = summary(_fly("victus_haze"))["attitude"]
    assert att["inspection_epochs"] > 600
    assert att["tracker_availability"] >= 0.95
    assert att["err_arcsec_p95"] <= 30.0
    assert att["contain_3sigma"] >= 0.99


def test_the_default_mission_keeps_its_battery_above_the_floor() -> None:
    """Issue #15 (the far insertion's power), judged from the world's battery
    (TRUTH_CHASER battery_soc): never below the floor over the whole default
    mission, the flight software's charge spells (EPS) doing it; the
    scoring's own model of the array (TRUTH_ADCS's sun, the eclipse flag)
    agrees with the world's battery within 1 % of the capacity."""
    res = _fly("victus_haze")
    pw = summary(res)["attitude"]["power"]
    assert pw["soc_end"] is not None and pw["power_positive"]
    assert pw["soc_min"] >= 0.3
    assert abs(pw["soc_min"] - pw["model_soc_min"]) < 0.01
    assert [e for e in _events(res, "autonomy") if "the array on the sun" in e]


def test_attitude_knowledge_by_heads_in_the_short_inspection() -> None:
    """The short variant's inspection, where one of the three heads often
    sees the sun or the Earth's limb (how often turns on a few degrees of
    geometry: 24 % of the inspection with one head on f2c7467, 41 % once its
    burns were cut on the accelerometer, the inspection 180 s earlier and
    head 1's boresight 29 deg from the sun against its 32.5): with two heads
    the knowledge error is inside 30 arcsec at p95, with one inside 45 (its
    roll about the boresight is seen at 55 arcsec), and the MEKF's 3 sigma
    contains truth at least 99 % of the time whatever the heads."""
    att = summary(_fly("short_inspection"))["attitude"]
    assert att["inspection_epochs"] > 600
    assert att["tracker_availability"] >= 0.95
    by_heads, share = att["err_arcsec_p95_by_heads"], att["heads_fraction"]
    assert share[2] + share[3] > 0.25 and by_heads[2] <= 30.0
    assert by_heads[1] is None or by_heads[1] <= 45.0
    assert att["contain_3sigma"] >= 0.99


def test_onboard_clock_disciplined_by_gps_against_truth() -> None:
    """Issue #17 build 3, judged against TRUTH_CLOCK (tools/mission/score_clock.py):
    the world's oscillator starts milliseconds off TAI (1 ms is 7.6 m along
    the orbit) and drifts; the navigation core's estimate, disciplined by the
    first GPS fixes, stays within a microsecond of truth (a double near 2^31 s
    resolves 0.48 us) and inside its own 3 sigma."""
    c = summary(_fly("short_inspection"))["clock"]
    assert c["epochs"] > 500
    assert abs(c["truth_offset0_s"]) > 1e-3
    assert c["sync_after_s"] <= 20.0
    assert c["err_abs_max_s"] < 1e-6
    assert c["contain_3sigma"] >= 0.99
    assert 0.01 < c["nees"] < 3.0  # conservative: the sigma floor (a bias) dominates


def _ends_safe(res) -> None:
    s = summary(res)
    assert s["min_range_m"] > res.scenario.plan.keep_out_m, "inside the keep-out sphere"
    assert s["outcome"] in ("SAFE", "RENDEZVOUS", "PROX_OPS", "DEPARTURE")
    assert all(t["state"] == "nominal" for t in s["tasks"].values())


def test_failed_wheel_is_isolated_and_the_approach_goes_on() -> None:
    res = _fly("fault_wheel", duration_s=2600.0)
    _ends_safe(res)
    assert any("wheel 0" in e and "isolated" in e for e in _events(res, "adcs"))
    assert res.tasks["adcs"].cds["wheel_ok"] == [False, True, True, True]
    # recovered: still flying the plan on three wheels, attitude held -- the
    # burns after the isolation fire (each only with the burn attitude within
    # 2 deg and held while firing: an attitude lost aborts it), and the body
    # is not tumbling at the end (where the run may stop inside a slew)
    assert _modes(res)[-1] == "RENDEZVOUS"
    ev = [(t, src, txt) for t, _, src, txt in res.monitor.score.events]
    t_iso = next(t for t, src, txt in ev if src == "adcs" and "isolated" in txt)
    after = [txt for t, src, txt in ev if t > t_iso and src == "propulsion"]
    assert sum(" done: " in txt for txt in after) >= 2, after
    assert not any("aborted" in txt for txt in after), after
    w = res.tasks["adcs"].out.w_B
    assert math.sqrt(sum(x * x for x in w)) < math.radians(1.0)


def test_stuck_thruster_is_found_and_isolated() -> None:
    res = _fly("fault_thruster", duration_s=2600.0)
    _ends_safe(res)
    ev = _events(res, "propulsion")
    assert any("thruster 5 stuck closed" in e for e in ev)
    ok = res.tasks["propulsion"].cds["ok"]
    assert not ok[5] and sum(ok) == len(ok) - 2  # it and its torque partner
    assert any("burn" in e and "done" in e for e in ev)  # burns go on with the pairs left


def test_star_tracker_dropout_is_ridden_through() -> None:
    res = _fly("fault_star_tracker", duration_s=2900.0)
    _ends_safe(res)
    # the dropout (30 min) ended and the estimate is fresh and valid again
    adcs = res.tasks["adcs"]
    assert adcs.out.flags & 1
    assert "SAFE" not in _modes(res)


def test_ground_link_loss_mission_goes_on_autonomously() -> None:
    res = _fly("fault_link_loss", duration_s=2600.0)
    _ends_safe(res)
    g = res.ground
    (a, b), = g.outages
    heard = [r.t_tai for r in g.acks]
    assert heard and not any(a <= t < b for t in heard)
    # the mission advanced during the outage without the ground
    advanced = [t for t, m in res.monitor.score.modes if a <= t < b]
    assert advanced or _modes(res)[-1] in ("RENDEZVOUS", "PROX_OPS")


def test_authenticated_commands_change_the_mission_forged_rejected() -> None:
    sc = scenario.load_builtin("short_inspection")
    sc.telecommands = [
        Telecommand(at_s=500.0, name="ABORT", args={"reason": 9}, authenticated=False),
        Telecommand(at_s=520.0, name="SET_HOLD_POINT", args={"along_track": -800.0}),
        Telecommand(at_s=900.0, name="ABORT", args={"reason": 3}),
    ]
    res = fly(sc, duration_s=1300.0)
    acks = res.ground.acks
    abort = DICTIONARY["ABORT"].apid
    hold = DICTIONARY["SET_HOLD_POINT"].apid
    stages = [(a.command_apid, a.stage, a.reason) for a in acks if a.command_apid in
              (abort, hold)]
    assert stages[0] == (abort, 2, 2)  # forged: rejected, bad MAC
    assert (hold, 0, 0) in stages and (hold, 1, 0) in stages  # accepted, executed
    assert stages[-2:] == [(abort, 0, 0), (abort, 1, 0)]
    assert any("rejected: bad MAC" in e for e in _events(res, "comms"))
    assert res.tasks["autonomy"].seq.hold_point_m == 800.0
    assert _modes(res)[-1] == "DEPARTURE"
    abort_t = next(t for t, m in res.monitor.score.modes if m == "DEPARTURE")
    assert abort_t >= res.scenario.launch_tai + 900.0
    assert summary(res)["min_range_m"] > sc.plan.keep_out_m


def test_collision_course_triggers_avoidance_and_keeps_out() -> None:
    res = _fly("collision_course", duration_s=2000.0)
    s = summary(res)
    assert s["collision_avoidance_t_from_notice_s"] is not None
    assert any("avoidance" in e for e in _events(res, "autonomy"))
    assert s["min_range_m"] > res.scenario.plan.keep_out_m
    assert _modes(res)[-1] == "SAFE"
    # without the burn the coast would have hit the target: the truth range
    # kept well above what the CW prediction of the insertion state gives (a
    # quarter of the keep-out beyond it; 200 m before the keep-out grew to the
    # ISS's 200 m, #16)
    assert s["min_range_m"] > 1.25 * res.scenario.plan.keep_out_m


def test_packet_stream_is_reproducible_from_the_seed() -> None:
    sc = scenario.load_builtin("short_inspection")
    a = fly(sc, duration_s=200.0)
    b = fly(sc, duration_s=200.0)
    c = fly(sc, seed=2, duration_s=200.0)
    assert a.packets > 1000
    assert a.packet_hash == b.packet_hash
    assert a.packet_hash != c.packet_hash


def test_burns_off_pulse_against_a_tilted_main_thrust() -> None:
    """Issue #15 build 4 on the short variant: the world's main thrusters
    tilted 1 deg together (35 mN m on a group, beyond the wheels' 20) and
    5 % weak; the flight software, which knows neither, completes every burn
    by off-pulsing (the thrust's torque estimated from the body's angular
    momentum) and still reaches the inspection and departs. Every burn is
    slewed here: a translation firing a tilted main group still aborts
    before the estimate settles (not yet dispersed in campaigns)."""
    sc = scenario.override(scenario.load_builtin("short_inspection"),
                           craft__chaser__main_thrust_tilt_deg=1.0,
                           craft__chaser__main_thrust_tilt_azimuth_deg=30.0,
                           craft__chaser__thrust_scale_error=-0.05,
                           chaser__rcs__translate_max_dv_mps=0.0)
    res = fly(sc)
    s = summary(res)
    assert s["outcome"] == "DEPARTURE"
    prop = _events(res, "propulsion")
    assert sum("done" in e for e in prop) >= 5
    assert not any("aborted" in e for e in prop), prop
    assert s["min_range_m"] > sc.plan.keep_out_m
    # ended on the accelerometer: the truth's Δv is the order's (counted
    # from the commands every burn came out 5 % short)
    burns = s["burns"]
    assert burns["burns"] >= 4
    assert burns["mag_err_rms"] < 0.005 and abs(burns["mag_err_worst"]) < 0.01, burns["rows"]
