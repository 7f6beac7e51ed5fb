"""The run's monitor: the last participant of every tick. It scores the
mission from the truth telemetry (0x400-0x4FF, which the flight software
never reads), follows the mission mode, drives the progress bar, and ends the
run once DEPARTURE has lasted ``departure_duration_s`` (or at the scenario's
hard stop, or when told to stop at a mode). It subscribes to the packets it
scores only: the stream hash and the archive are the executive's (its
stream and a recording tap, :mod:`fsw_tools.mission`).

Scoring (:class:`Score`): range over time (minimum overall and during the
inspection), camera pointing error against the true line of sight (truth
attitude, both truth positions) while the ADCS is tracking the target (the
inspection's correction burns turn the camera away: those samples are
counted apart), the first good track (range below
``plan.track_range_m`` and pointing error below ``plan.track_pointing_deg``),
propellant used (truth) turned into Δv by the rocket equation, and the mode
timeline from MODE_STATUS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fsw_tools.mission.npvec import norm
from fsw_tools.mission.score_attitude import AttitudeScore
from fsw_tools.mission.score_burns import BurnScore
from fsw_tools.mission.score_clock import ClockScore
from fsw_tools.mission.score_nav import NavScore
from fsw_tools.mission.score_safety import SafetyScore

from fsw.constants import G0
from fsw.core import quaternion
from fsw.packets import DICTIONARY, peek_apid
from fsw.packets.enums import (
    AdcsRequestSource,
    BurnStatusState,
    MissionMode,
    PointingMode,
    Severity,
)
from fsw.scenario import Scenario

TRUTH_CHASER = DICTIONARY["TRUTH_CHASER"]
TRUTH_TARGET = DICTIONARY["TRUTH_TARGET"]
TRUTH_RELATIVE = DICTIONARY["TRUTH_RELATIVE"]
MODE_STATUS = DICTIONARY["MODE_STATUS"]
ADCS_STATE = DICTIONARY["ADCS_STATE"]
STAR_TRACKER = DICTIONARY["STAR_TRACKER"]
TRUTH_ADCS = DICTIONARY["TRUTH_ADCS"]
TRUTH_CLOCK = DICTIONARY["TRUTH_CLOCK"]
NAV_HK = DICTIONARY["NAV_HK"]


def _octet_at(pdef: Any, name: str) -> int:
    """Where field ``name`` (one octet) of a packet sits in its bytes."""
    sizes = [(f.name, pdef.layouts[f.name].size) for f in pdef.fields]
    head = pdef.size - 2 - sum(n for _, n in sizes)  # headers before, CRC after
    return head + sum(n for _, n in sizes[:[k for k, _ in sizes].index(name)])


#: STAR_TRACKER.valid read straight from the bytes (4 packets a second)
_ST_VALID_AT = _octet_at(STAR_TRACKER, "valid")
ADCS_REQUEST = DICTIONARY["ADCS_REQUEST"]
BURN_STATUS = DICTIONARY["BURN_STATUS"]
BURN_ORDER = DICTIONARY["BURN_ORDER"]
EVENT = DICTIONARY["EVENT"]
NAV_STATE = DICTIONARY["NAV_STATE"]
RELNAV = DICTIONARY["RELNAV"]
#: what the monitor scores
SCORED = (TRUTH_CHASER, TRUTH_TARGET, TRUTH_RELATIVE, MODE_STATUS, ADCS_STATE, ADCS_REQUEST,
          BURN_STATUS, EVENT, NAV_STATE, STAR_TRACKER, TRUTH_ADCS, TRUTH_CLOCK, NAV_HK,
          BURN_ORDER, RELNAV)


@dataclass
class Score:
    """What the monitor measured (truth unless said otherwise)."""

    modes: list[tuple[float, str]] = field(default_factory=list)
    min_range_m: float = math.inf
    min_range_t: float = 0.0
    min_range_inspection_m: float = math.inf
    max_range_inspection_m: float = 0.0
    pointing_deg: list[float] = field(default_factory=list)
    #: inspection samples taken while the camera was not tracking (burn slews)
    not_tracking: int = 0
    first_track_t: float | None = None
    propellant0_kg: float | None = None
    propellant_kg: float | None = None
    mass_kg: float | None = None
    #: the truth propellant and mass when the inspection (PROX_OPS) began
    propellant_inspection_kg: float | None = None
    mass_inspection_kg: float | None = None
    dv_fsw_mps: float = 0.0
    events: list[tuple[float, int, str, str]] = field(default_factory=list)
    #: warnings and worse with their event id: (t, severity, source, event id, text)
    faults: list[tuple[float, int, str, int, str]] = field(default_factory=list)
    ranges: list[tuple[float, float]] = field(default_factory=list)
    safe_reasons: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        """The last mission mode seen."""
        return self.modes[-1][1] if self.modes else "STANDBY"


class Monitor:
    """See the module docstring."""

    name = "monitor"
    rate_group = "default"

    def __init__(self, scenario: Scenario, progress: Any = None,
                 stop_at_mode: str | None = None, stop_tai: float | None = None) -> None:
        self.sc = scenario
        self.progress = progress
        self.stop_at_mode = stop_at_mode
        self.stop_tai = stop_tai
        self.score = Score()
        #: navigation against truth (NAV_STATE vs TRUTH_RELATIVE, issue #15)
        self.nav = NavScore()
        #: issue #16's figures from truth (missed-burn table, lighting)
        self.safety = SafetyScore(scenario.plan.keep_out_m, scenario.target.attitude,
                                  scenario.target.attitude_q_bn,
                                  scenario.chaser.camera_sun_keepout_deg)
        #: attitude determination against truth (issue #17)
        self.att = AttitudeScore()
        #: the on-board clock estimate against truth (issue #17)
        self.clock = ClockScore()
        #: each burn's Δv against truth (issue #15)
        self.burns = BurnScore()
        self._chaser = None
        self._target = None
        self._boresight = np.asarray(scenario.chaser.camera_boresight_b, float)
        self._boresight /= np.linalg.norm(self._boresight)
        self.departure_t: float | None = None
        self._adcs_mode = -1
        self._override = False
        self.done = False
        #: why the run ended: "departure" (DEPARTURE lasted departure_duration_s),
        #: "mode" (stop_at_mode reached), "duration" (the caller's limit); None
        #: while running or when the scenario's hard stop ended it
        self.stopped_by: str | None = None
        #: an OSError of the archive writer: the run stops, the caller raises it
        self.write_error: OSError | None = None
        #: set by the composition root: ends the run after the current tick
        self.request_stop = lambda: None

    def init(self, ctx: Any) -> None:
        self.ctx = ctx
        for pdef in SCORED:
            ctx.subscribe(pdef.apid, self.on_packet)

    def on_packet(self, raw: bytes) -> None:
        apid = peek_apid(raw)
        if apid == TRUTH_CHASER.apid:
            self._chaser = TRUTH_CHASER.parse(raw)
            self.safety.on_chaser(self._chaser)
            c = self._chaser
            self.att.on_truth(c.t_tai, c.q_BN, c.w_B, c.eclipse)
            self.burns.on_truth(c.t_tai, c.r_N, c.v_N)
            s = self.score
            if s.propellant0_kg is None:
                s.propellant0_kg = self._chaser.propellant_mass
            s.propellant_kg = self._chaser.propellant_mass
            s.mass_kg = self._chaser.mass
        elif apid == TRUTH_TARGET.apid and self._chaser is not None:
            tgt = self._target = TRUTH_TARGET.parse(raw)
            self.safety.on_target(self.ctx.t, tgt, self.score.mode)
            self._pointing(tgt)
        elif apid == TRUTH_RELATIVE.apid:
            r = TRUTH_RELATIVE.parse(raw)
            s, t = self.score, self.ctx.t
            c, g = self._chaser, self._target
            rel = None
            if c is not None and g is not None and c.t_tai == r.t_tai == g.t_tai:
                # the truth in inertial axes too: scored in the estimate's frame
                rel = (tuple(a - b for a, b in zip(c.r_N, g.r_N, strict=True)),
                       tuple(a - b for a, b in zip(c.v_N, g.v_N, strict=True)))
            self.nav.on_truth(r.t_tai, r.r_H, r.v_H, r.range, rel)
            s.ranges.append((t, r.range))
            if r.range < s.min_range_m:
                s.min_range_m, s.min_range_t = r.range, t
            if s.mode == "PROX_OPS":
                s.min_range_inspection_m = min(s.min_range_inspection_m, r.range)
                s.max_range_inspection_m = max(s.max_range_inspection_m, r.range)
        elif apid == MODE_STATUS.apid:
            m = MissionMode(MODE_STATUS.parse(raw).mode).name
            self.att.on_mode(m)
            if not self.score.modes or self.score.modes[-1][1] != m:
                self.score.modes.append((self.ctx.t, m))
                if m == "DEPARTURE" and self.departure_t is None:
                    self.departure_t = self.ctx.t
                s = self.score
                if m == "PROX_OPS" and s.mass_inspection_kg is None:
                    s.propellant_inspection_kg, s.mass_inspection_kg = s.propellant_kg, s.mass_kg
        elif apid == ADCS_STATE.apid:
            a = ADCS_STATE.parse(raw)
            self._adcs_mode = a.mode
            self.att.on_adcs(a.t_tai, a.valid, a.q_BN, a.att_sigma_B, a.st_rejected,
                             a.heads_used)
        elif apid == STAR_TRACKER.apid:
            self.att.on_tracker(self.ctx.t, raw[_ST_VALID_AT])
        elif apid == TRUTH_ADCS.apid:
            ta = TRUTH_ADCS.parse(raw)
            self.att.on_sun(ta.t_tai, ta.sun_B)
        elif apid == ADCS_REQUEST.apid:
            r = ADCS_REQUEST.parse(raw)
            if r.source == AdcsRequestSource.PROPULSION:
                self._override = bool(r.active)
        elif apid == BURN_STATUS.apid:
            b = BURN_STATUS.parse(raw)
            self.score.dv_fsw_mps = b.dv_total
            self.safety.on_burn(self.ctx.t, b.burn_id, b.state == BurnStatusState.FIRING)
            self.burns.on_status(b.t_tai, b.burn_id, int(b.state), b.dv_done, b.dv_N)
        elif apid == BURN_ORDER.apid:
            o = BURN_ORDER.parse(raw)
            self.burns.on_order(o.t_tai, o.burn_id, o.dv_N, o.purpose)
        elif apid == NAV_STATE.apid:
            n = NAV_STATE.parse(raw)
            self.nav.on_nav(n.t_tai, n.valid, n.source, n.rho_H, n.cov_pos_H, n.nis,
                            (n.r_target_N, n.v_target_N))
        elif apid == RELNAV.apid:
            # the first detection and the handover only: parsed until both are seen
            if not self.nav.angles.done:
                r = RELNAV.parse(raw)
                self.nav.on_relnav(r.t_tai, r.valid, getattr(r, "ranged", None))
        elif apid == TRUTH_CLOCK.apid:
            c = TRUTH_CLOCK.parse(raw)
            self.clock.on_truth(c.t_tai, c.offset)
        elif apid == NAV_HK.apid:
            h = NAV_HK.parse(raw)
            self.clock.on_hk(h.t_tai, h.clock_state, h.clock_offset, h.clock_sigma)
        elif apid == EVENT.apid:
            e = EVENT.parse(raw)
            if e.severity >= Severity.INFO:
                self.score.events.append((self.ctx.t, e.severity, e.source, e.text))
                if e.severity >= Severity.WARNING:
                    self.score.faults.append((self.ctx.t, e.severity, e.source, e.event_id,
                                              e.text))

    def _pointing(self, tgt: Any) -> None:
        c = self._chaser
        los = np.asarray(tgt.r_N) - np.asarray(c.r_N)
        rng = norm(los)
        w, x, y, z = c.q_BN  # its conjugate, as quaternion.conj makes it
        b_N = quaternion.rotate((w, -x, -y, -z), self._boresight)
        err = math.degrees(math.acos(max(-1.0, min(1.0, float(b_N @ los) / rng))))
        s = self.score
        if s.mode == "PROX_OPS":
            self.safety.on_pointing(err, b_N, self.ctx.t)
            if self._adcs_mode == PointingMode.TARGET_TRACK and not self._override:
                s.pointing_deg.append(err)
            else:
                s.not_tracking += 1
        p = self.sc.plan
        if s.first_track_t is None and rng < p.track_range_m and err < p.track_pointing_deg:
            s.first_track_t = self.ctx.t

    def step(self, t: float) -> None:
        if self.progress is not None:
            self.progress(t, self.score.mode)
        if self.done:
            return
        stop = None
        if self.departure_t is not None and t - self.departure_t >= \
                self.sc.mission.departure_duration_s:
            stop = "departure"
        elif self.stop_at_mode is not None and self.score.mode == self.stop_at_mode:
            stop = "mode"
        elif self.stop_tai is not None and t >= self.stop_tai:
            stop = "duration"
        if stop:
            self.done = True
            self.stopped_by = stop
            self.request_stop()

    def delta_v_truth(self, to_inspection: bool = False) -> float | None:
        """Δv from the truth propellant used (rocket equation, scenario Isp),
        over the whole run or (``to_inspection``) up to the inspection's
        start (None when it never began)."""
        s = self.score
        m1, p1 = s.mass_kg, s.propellant_kg
        if to_inspection:
            m1, p1 = s.mass_inspection_kg, s.propellant_inspection_kg
            if m1 is None:
                return None
        if s.propellant0_kg is None or m1 is None or p1 is None:
            return 0.0
        m0 = m1 + (s.propellant0_kg - p1)
        return self.sc.chaser.rcs.isp_s * G0 * math.log(m0 / m1)
