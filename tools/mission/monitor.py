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

Cost (issue #18: the monitor runs inside every tick of every run): each
scored APID has its own handler, subscribed directly; the packets that come
every second are read with one ``struct`` call for the fields scored
(:func:`_reader`, offsets from the dictionary). Live work is what the run
needs now (the mode timeline, the stop, the progress) and what is cheap;
the scorers keep each matched pair's inputs in flat arrays and score them
all at once when the figures are asked for (navigation: one numpy pass;
attitude: pair by pair). The pointing error is computed only where it is
scored: in the inspection, and before it until the first good track while
the range (checked first, on floats) is within the track range. The
handlers call no more than the figures need: the mode is kept as a string
(no ``Score.mode`` lookups), the star tracker's valid fix is noted inline,
the scorers' per-second records are packed in one call each, and RELNAV is
parsed only when it can change a figure -- a sample with the target
(``valid``) until the handover, or a damaged packet, which raises the
parser's error as before (the executive reports the monitor's exception);
an intact sample without the target (what ``_relnav_intact`` checks is
everything that parse checks) changes nothing and is only looked at.
"""

from __future__ import annotations

import binascii
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fsw_tools.mission.npvec import norm
from fsw_tools.mission.score_attitude import AttitudeScore, PowerModel
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


def _reader(pdef: Any, *names: str) -> struct.Struct:
    """Reads the time code (coarse, fine) and the fields ``names`` (in the
    packet's order) of a ``pdef`` packet from its bytes, skipping the rest:
    the values its ``parse`` gives those fields, flat (an array's elements in
    a row), without checking the CRC (the monitor's packets come through the
    bus, whole). Its time is ``v[0] + v[1] / 65536.0``, as parse makes it."""
    fmt, gap = [">6xIH"], 0
    for f in pdef.fields:
        lay = pdef.layouts[f.name]
        if f.name in names:
            fmt.append(f"{gap}x{lay.fmt}" if gap else lay.fmt)
            gap = 0
        else:
            gap += lay.size
    return struct.Struct("".join(fmt))


#: STAR_TRACKER.valid read straight from the bytes (4 packets a second)
_ST_VALID_AT = _octet_at(STAR_TRACKER, "valid")
_MODE_AT = _octet_at(MODE_STATUS, "mode")
#: the fields scored of the packets that come every second
_CHASER = _reader(TRUTH_CHASER, "r_N", "v_N", "q_BN", "w_B", "mass", "propellant_mass",
                  "eclipse", "battery_soc")
_TARGET = _reader(TRUTH_TARGET, "r_N", "v_N")
_RELATIVE = _reader(TRUTH_RELATIVE, "r_H", "v_H", "range")
_ADCS = _reader(ADCS_STATE, "mode", "valid", "q_BN", "att_sigma_B", "heads_used", "st_rejected")
_SUN = _reader(TRUTH_ADCS, "sun_B")
_CLOCK = _reader(TRUTH_CLOCK, "offset")
ADCS_REQUEST = DICTIONARY["ADCS_REQUEST"]
BURN_STATUS = DICTIONARY["BURN_STATUS"]
BURN_ORDER = DICTIONARY["BURN_ORDER"]
EVENT = DICTIONARY["EVENT"]
NAV_STATE = DICTIONARY["NAV_STATE"]
RELNAV = DICTIONARY["RELNAV"]
_NAV = _reader(NAV_STATE, "valid", "source", "rho_H", "r_target_N", "v_target_N", "cov_pos_H",
               "nis")
_crc = binascii.crc_hqx


def _intact_head(pdef: Any) -> tuple[int, bytes, bytes]:
    """What a ``pdef`` packet that its ``parse`` takes starts with: its
    length, its first two octets (version, type, secondary header flag,
    APID) and its length field; with the CRC and the sequence flags (11),
    the whole of what that parse checks of a fixed layout without enums
    (:func:`_relnav_intact`)."""
    if not pdef.fixed or any(pdef.layouts[f.name].kind == "enum" for f in pdef.fields):
        return -1, b"", b""  # never intact here: always parsed
    return pdef.size, pdef.w0.to_bytes(2, "big"), (pdef.size - 7).to_bytes(2, "big")


_RELNAV_SIZE, _RELNAV_W0, _RELNAV_LEN = _intact_head(RELNAV)
_RELNAV_VALID_AT = _octet_at(RELNAV, "valid")


def _relnav_intact(raw: bytes) -> bool:
    """``RELNAV.parse(raw)`` would succeed: the length, the header words and
    the CRC it checks (the dictionary's RELNAV has no enum field)."""
    return (len(raw) == _RELNAV_SIZE and raw[2] >= 0xC0 and raw[:2] == _RELNAV_W0
            and raw[4:6] == _RELNAV_LEN and not _crc(raw, 0xFFFF))


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
        pw = scenario.chaser.power
        self.att = AttitudeScore(PowerModel(tuple(pw.array_normal_b), pw.array_peak_w,
                                            pw.load_w, pw.battery_wh, pw.initial_soc),
                                 boresight_B=scenario.chaser.camera_boresight_b,
                                 keepout_deg=scenario.chaser.camera_sun_keepout_deg)
        #: the on-board clock estimate against truth (issue #17)
        self.clock = ClockScore()
        #: each burn's Δv against truth (issue #15)
        self.burns = BurnScore()
        self._chaser = None
        self._target = None
        self._boresight = np.asarray(scenario.chaser.camera_boresight_b, float)
        self._boresight /= np.linalg.norm(self._boresight)
        self.departure_t: float | None = None
        #: the last mission mode seen (Score.mode, kept by on_mode)
        self._mode = self.score.mode
        #: beyond this range no truth sample is a first track (_pointing)
        self._track_range_far = scenario.plan.track_range_m * (1.0 + 1e-9)
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
        for apid, handler in self._handlers().items():
            ctx.subscribe(apid, handler)

    def _handlers(self) -> dict[int, Callable[[bytes], None]]:
        """The packet handler of each scored APID (bound now: a caller that
        wraps one of them before :meth:`init` has its wrapper subscribed)."""
        handlers = (self.on_truth_chaser, self.on_truth_target, self.on_truth_relative,
                    self.on_mode, self.on_adcs_state, self.on_adcs_request, self.on_burn_status,
                    self.on_event, self.on_nav_state, self.on_star_tracker, self.on_truth_adcs,
                    self.on_truth_clock, self.on_nav_hk, self.on_burn_order, self.on_relnav)
        return {pdef.apid: h for pdef, h in zip(SCORED, handlers, strict=True)}

    def on_packet(self, raw: bytes) -> None:
        """Score one packet of any scored APID (:meth:`init` subscribes each
        APID's handler directly)."""
        handler = self._handlers().get(peek_apid(raw))
        if handler is not None:
            handler(raw)

    def on_truth_chaser(self, raw: bytes) -> None:
        v = _CHASER.unpack_from(raw)
        t = v[0] + v[1] / 65536.0
        r, vel, q = v[2:5], v[5:8], v[8:12]
        mass, propellant, eclipse, soc = v[15:19]
        self._chaser = (t, r, vel, q)
        # SafetyScore.on_chaser_state's record: r and vel are tuples, eclipse an int
        self.safety.chaser = (r, vel, eclipse)
        self.att.on_truth(t, q, v[12:15], eclipse, soc)
        self.burns.on_truth(t, r, vel)
        s = self.score
        if s.propellant0_kg is None:
            s.propellant0_kg = propellant
        s.propellant_kg = propellant
        s.mass_kg = mass

    def on_truth_target(self, raw: bytes) -> None:
        c = self._chaser
        if c is None:
            return
        v = _TARGET.unpack_from(raw)
        r, vel = v[2:5], v[5:8]
        self._target = (v[0] + v[1] / 65536.0, r, vel)
        if self._mode != "PROX_OPS":
            # SafetyScore.on_target_state outside the inspection: the state kept
            self.safety.target = (r, vel)
            if self.score.first_track_t is not None:
                return
            # outside the track range (beyond the few ulps by which this sum
            # and numpy's norm in _pointing may differ) no sample is a first track
            rc = c[1]
            d0, d1, d2 = r[0] - rc[0], r[1] - rc[1], r[2] - rc[2]
            if math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) > self._track_range_far:
                return
            self._pointing(self.ctx.t, r)
            return
        t = self.ctx.t
        self.safety.on_target_state(t, r, vel, "PROX_OPS")
        self._pointing(t, r)

    def on_truth_relative(self, raw: bytes) -> None:
        v = _RELATIVE.unpack_from(raw)
        tr, rng = v[0] + v[1] / 65536.0, v[8]
        c, g = self._chaser, self._target
        rel = None
        if c is not None and g is not None and c[0] == tr == g[0]:
            # the truth in inertial axes too: scored in the estimate's frame
            (rc, vc), (rg, vg) = c[1:3], g[1:3]
            rel = ((rc[0] - rg[0], rc[1] - rg[1], rc[2] - rg[2]),
                   (vc[0] - vg[0], vc[1] - vg[1], vc[2] - vg[2]))
        self.nav.on_truth_floats(tr, v[2:5], v[5:8], rng, rel)
        s = self.score
        if rng < s.min_range_m:
            s.min_range_m, s.min_range_t = rng, self.ctx.t
        if self._mode == "PROX_OPS":
            s.min_range_inspection_m = min(s.min_range_inspection_m, rng)
            s.max_range_inspection_m = max(s.max_range_inspection_m, rng)

    def on_mode(self, raw: bytes) -> None:
        m = MissionMode(raw[_MODE_AT]).name
        self.att.on_mode(m)
        s = self.score
        if not s.modes or s.modes[-1][1] != m:
            self._mode = m
            s.modes.append((self.ctx.t, m))
            if m == "DEPARTURE" and self.departure_t is None:
                self.departure_t = self.ctx.t
            if m == "PROX_OPS" and s.mass_inspection_kg is None:
                s.propellant_inspection_kg, s.mass_inspection_kg = s.propellant_kg, s.mass_kg

    def on_adcs_state(self, raw: bytes) -> None:
        v = _ADCS.unpack_from(raw)
        self._adcs_mode = v[2]
        self.att.on_adcs(v[0] + v[1] / 65536.0, v[3], v[4:8], v[8:11], v[12], v[11])

    def on_star_tracker(self, raw: bytes) -> None:
        # AttitudeScore.on_tracker, inline (6 packets a second)
        if raw[_ST_VALID_AT]:
            self.att.last_fix = float(self.ctx.t)

    def on_truth_adcs(self, raw: bytes) -> None:
        v = _SUN.unpack_from(raw)
        self.att.on_sun_floats(v[0] + v[1] / 65536.0, v[2:5])

    def on_adcs_request(self, raw: bytes) -> None:
        r = ADCS_REQUEST.parse(raw)
        if r.source == AdcsRequestSource.PROPULSION:
            self._override = bool(r.active)

    def on_burn_status(self, raw: bytes) -> None:
        b = BURN_STATUS.parse(raw)
        self.score.dv_fsw_mps = b.dv_total
        self.safety.on_burn(self.ctx.t, b.burn_id, b.state == BurnStatusState.FIRING)
        self.burns.on_status(b.t_tai, b.burn_id, int(b.state), b.dv_done, b.dv_N)

    def on_burn_order(self, raw: bytes) -> None:
        o = BURN_ORDER.parse(raw)
        self.burns.on_order(o.t_tai, o.burn_id, o.dv_N, o.purpose)

    def on_nav_state(self, raw: bytes) -> None:
        v = _NAV.unpack_from(raw)
        self.nav.on_nav(v[0] + v[1] / 65536.0, v[2], v[3], v[4:7], v[13:19], v[19],
                        (v[7:10], v[10:13]))

    def on_relnav(self, raw: bytes) -> None:
        # the first detection and the handover only: looked at until both are
        # seen; a sample without the target (valid 0) changes nothing, so an
        # intact one is not parsed (a damaged one is, and raises as it did)
        if self.nav.angles.done or (_relnav_intact(raw) and not raw[_RELNAV_VALID_AT]):
            return
        r = RELNAV.parse(raw)
        self.nav.on_relnav(r.t_tai, r.valid, getattr(r, "ranged", None))

    def on_truth_clock(self, raw: bytes) -> None:
        v = _CLOCK.unpack_from(raw)
        self.clock.on_truth(v[0] + v[1] / 65536.0, v[2])

    def on_nav_hk(self, raw: bytes) -> None:
        h = NAV_HK.parse(raw)
        self.clock.on_hk(h.t_tai, h.clock_state, h.clock_offset, h.clock_sigma)

    def on_event(self, raw: bytes) -> None:
        e = EVENT.parse(raw)
        if e.severity >= Severity.INFO:
            self.score.events.append((self.ctx.t, e.severity, e.source, e.text))
            if e.severity >= Severity.WARNING:
                self.score.faults.append((self.ctx.t, e.severity, e.source, e.event_id,
                                          e.text))

    def _pointing(self, t: float, r_target: tuple[float, ...]) -> None:
        """The camera's pointing error at a truth sample: scored in the
        inspection, and until the first good track."""
        s, p = self.score, self.sc.plan
        _, r_chaser, _, (w, x, y, z) = self._chaser
        if self._mode != "PROX_OPS":
            if s.first_track_t is not None:
                return
            # outside the track range (beyond the few ulps by which this sum
            # and numpy's norm below may differ) no sample is a first track
            d0, d1, d2 = (r_target[0] - r_chaser[0], r_target[1] - r_chaser[1],
                          r_target[2] - r_chaser[2])
            if math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) > p.track_range_m * (1.0 + 1e-9):
                return
        los = np.asarray(r_target) - np.asarray(r_chaser)
        rng = norm(los)
        # its conjugate, as quaternion.conj makes it
        b_N = quaternion.rotate((w, -x, -y, -z), self._boresight)
        err = math.degrees(math.acos(max(-1.0, min(1.0, float(b_N @ los) / rng))))
        if self._mode == "PROX_OPS":
            self.safety.on_pointing(err, b_N, t)
            if self._adcs_mode == PointingMode.TARGET_TRACK and not self._override:
                s.pointing_deg.append(err)
            else:
                s.not_tracking += 1
        if s.first_track_t is None and rng < p.track_range_m and err < p.track_pointing_deg:
            s.first_track_t = t

    def step(self, t: float) -> None:
        if self.progress is not None:
            self.progress(t, self._mode)
        if self.done:
            return
        stop = None
        if self.departure_t is not None and t - self.departure_t >= \
                self.sc.mission.departure_duration_s:
            stop = "departure"
        elif self.stop_at_mode is not None and self._mode == self.stop_at_mode:
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
