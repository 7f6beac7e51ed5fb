"""The mission monitor's cheaper handlers (issue #18) against the reference
they replaced: the same packets through the dictionary's ``parse`` and the
scorers' public feeds (``on_truth``, ``on_tracker``, ``on_chaser_state``,
``on_target_state``, ...), one call per field as before. Every figure the
run reports must come out with the same bits; damaged packets must raise in
the monitor exactly what they raised before (the executive counts and
reports a participant's exception: TASK_EXCEPTION).

- a synthetic stretch of mission (far approach, inspection with burns' slews,
  departure; star-tracker samples valid or not; RELNAV from no target to
  bearing-only to ranged; the navigation's and the attitude's estimates
  before or after their truth) fed to the monitor and to the reference;
- RELNAV's intact check is the parser's own verdict on damaged packets
  (truncated, lengthened, a flipped bit, a wrong header word) and the
  monitor raises the parser's error for each;
- the scorers' packed pairs hold what ``array.extend`` held (ints, bools,
  numpy scalars) and the nearest-truth loop picks what ``min(key=)`` picked.
"""

from __future__ import annotations

import json
import math
from array import array
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fsw_tools.mission import monitor as mon
from fsw_tools.mission.npvec import norm
from fsw_tools.mission.score_attitude import AttitudeScore
from fsw_tools.mission.score_burns import BurnScore
from fsw_tools.mission.score_nav import NavScore

from fsw.core import quaternion
from fsw.packets import DICTIONARY, PacketError
from fsw.packets.enums import AdcsRequestSource, MissionMode, PointingMode
from fsw.scenario import load_builtin

D = DICTIONARY


class _Reference(mon.Monitor):
    """The monitor's handlers as they were: each packet parsed by the
    dictionary, each scorer fed through its public methods."""

    def on_truth_chaser(self, raw: bytes) -> None:
        c = D["TRUTH_CHASER"].parse(raw)
        t = c.t_tai
        self._chaser = (t, c.r_N, c.v_N, c.q_BN)
        self.safety.on_chaser_state(c.r_N, c.v_N, c.eclipse)
        self.att.on_truth(t, c.q_BN, c.w_B, c.eclipse, c.battery_soc)
        self.burns.on_truth(t, c.r_N, c.v_N)
        s = self.score
        if s.propellant0_kg is None:
            s.propellant0_kg = c.propellant_mass
        s.propellant_kg = c.propellant_mass
        s.mass_kg = c.mass

    def on_truth_target(self, raw: bytes) -> None:
        if self._chaser is None:
            return
        g = D["TRUTH_TARGET"].parse(raw)
        self._target = (g.t_tai, g.r_N, g.v_N)
        t = self.ctx.t
        self.safety.on_target_state(t, g.r_N, g.v_N, self.score.mode)
        self._reference_pointing(t, g.r_N)

    def on_truth_relative(self, raw: bytes) -> None:
        r = D["TRUTH_RELATIVE"].parse(raw)
        s, t = self.score, self.ctx.t
        c, g = self._chaser, self._target
        rel = None
        if c is not None and g is not None and c[0] == r.t_tai == g[0]:
            (rc, vc), (rg, vg) = c[1:3], g[1:3]
            rel = (tuple(a - b for a, b in zip(rc, rg, strict=True)),
                   tuple(a - b for a, b in zip(vc, vg, strict=True)))
        self.nav.on_truth(r.t_tai, r.r_H, r.v_H, r.range, rel)
        if r.range < s.min_range_m:
            s.min_range_m, s.min_range_t = r.range, t
        if s.mode == "PROX_OPS":
            s.min_range_inspection_m = min(s.min_range_inspection_m, r.range)
            s.max_range_inspection_m = max(s.max_range_inspection_m, r.range)

    def on_adcs_state(self, raw: bytes) -> None:
        a = D["ADCS_STATE"].parse(raw)
        self._adcs_mode = a.mode
        self.att.on_adcs(a.t_tai, a.valid, a.q_BN, a.att_sigma_B, a.st_rejected, a.heads_used)

    def on_star_tracker(self, raw: bytes) -> None:
        self.att.on_tracker(self.ctx.t, D["STAR_TRACKER"].parse(raw).valid)

    def on_truth_adcs(self, raw: bytes) -> None:
        a = D["TRUTH_ADCS"].parse(raw)
        self.att.on_sun(a.t_tai, a.sun_B)

    def on_nav_state(self, raw: bytes) -> None:
        n = D["NAV_STATE"].parse(raw)
        self.nav.on_nav(n.t_tai, n.valid, n.source, n.rho_H, n.cov_pos_H, n.nis,
                        (n.r_target_N, n.v_target_N))

    def on_relnav(self, raw: bytes) -> None:
        if not self.nav.angles.done:
            r = D["RELNAV"].parse(raw)
            self.nav.on_relnav(r.t_tai, r.valid, getattr(r, "ranged", None))

    def on_truth_clock(self, raw: bytes) -> None:
        c = D["TRUTH_CLOCK"].parse(raw)
        self.clock.on_truth(c.t_tai, c.offset)

    def _reference_pointing(self, t: float, r_target: Any) -> None:
        s, p = self.score, self.sc.plan
        _, r_chaser, _, (w, x, y, z) = self._chaser
        if s.mode != "PROX_OPS":
            if s.first_track_t is not None:
                return
            d = [a - b for a, b in zip(r_target, r_chaser, strict=True)]
            if math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) > p.track_range_m * (1 + 1e-9):
                return
        los = np.asarray(r_target) - np.asarray(r_chaser)
        rng = norm(los)
        b_N = quaternion.rotate((w, -x, -y, -z), self._boresight)
        err = math.degrees(math.acos(max(-1.0, min(1.0, float(b_N @ los) / rng))))
        if s.mode == "PROX_OPS":
            self.safety.on_pointing(err, b_N, t)
            if self._adcs_mode == PointingMode.TARGET_TRACK and not self._override:
                s.pointing_deg.append(err)
            else:
                s.not_tracking += 1
        if s.first_track_t is None and rng < p.track_range_m and err < p.track_pointing_deg:
            s.first_track_t = t


def _stream(sc: Any) -> list[tuple[float, bytes | None]]:
    """A synthetic stretch of mission: (monitor time, packet) in delivery
    order, None for the monitor's step."""
    rng = np.random.default_rng(1818)
    out: list[tuple[float, bytes | None]] = []
    t0 = 2.2e9
    r_t, v_t = np.array([6.9e6, 1.0e5, 2.0e4]), np.array([-100.0, 7.5e3, 150.0])
    limit = sc.plan.track_range_m
    seq = 0

    def pk(name: str, t: float, **f: Any) -> bytes:
        nonlocal seq
        seq = (seq + 1) & 0x3FFF
        return D[name].build(t_tai=t, seq=seq, **f)

    for k in range(150):
        t = t0 + k
        mode = (MissionMode.RENDEZVOUS if k < 50 else MissionMode.PROX_OPS if k < 120
                else MissionMode.DEPARTURE)
        rt = r_t + v_t * k
        far = 40.0 * limit if k < 25 else 0.6 * limit
        los = rng.normal(size=3)
        los *= far / np.linalg.norm(los)
        rc = rt - los  # the target at +los from the chaser
        # a body attitude whose boresight looks near the line of sight
        b = np.asarray(sc.chaser.camera_boresight_b, float)
        b /= np.linalg.norm(b)
        u = los / np.linalg.norm(los) + rng.normal(size=3) * (0.002 if k % 9 else 0.05)
        u /= np.linalg.norm(u)
        axis = np.cross(u, b)
        ang = math.atan2(np.linalg.norm(axis), float(u @ b))
        axis /= np.linalg.norm(axis)
        q = (math.cos(ang / 2), *(axis * math.sin(ang / 2)))  # q_BN: u (N) -> b (B)
        w = tuple(map(float, rng.normal(size=3) * 1e-3))
        tt = t + (0.1 if k % 4 == 1 else 0.0)
        step_first = k % 3 == 0
        if step_first:
            out.append((t, None))
        if k % 10 == 0 or k in (50, 51, 120):
            out.append((t, pk("MODE_STATUS", t, mode=mode, activity=1, leg="leg",
                              transitions=k)))
        out.append((t, pk("TRUTH_CHASER", tt, r_N=tuple(map(float, rc)), v_N=(0.0, 7.5e3, 0.0),
                          q_BN=q, w_B=w, wheel_speed=(0.0,) * 4, mass=100.0 - 0.001 * k,
                          propellant_mass=10.0 - 0.001 * k, tank_pressure=1e6,
                          eclipse=int((k // 30) % 2), battery_soc=0.9 - 0.001 * k,
                          array_power=10.0)))
        out.append((t, pk("TRUTH_TARGET", tt, r_N=tuple(map(float, rt)),
                          v_N=tuple(map(float, v_t)))))
        r_H = tuple(map(float, -los))
        out.append((t, pk("TRUTH_RELATIVE", tt, r_H=r_H, v_H=tuple(map(float, rng.normal(size=3))),
                          range=float(np.linalg.norm(los)))))
        out.append((t, pk("TRUTH_ADCS", tt, sun_B=tuple(map(float, rng.normal(size=3))),
                          moon_B=(0.0, 0.0, 1.0))))
        out.append((t, pk("TRUTH_CLOCK", tt, offset=1e-3 + 1e-9 * k, freq=0.0)))
        for j in range(6):
            out.append((t + 0.1 * j, pk("STAR_TRACKER", t + 0.1 * j, q_BN=q,
                                        valid=int(rng.random() < (0.9 if k < 100 else 0.1)),
                                        head=j % 3)))
        if k in (60, 61, 90):
            out.append((t, pk("ADCS_REQUEST", t, source=AdcsRequestSource.PROPULSION,
                              active=int(k != 61), mode=PointingMode.INERTIAL, q_BN=q)))
        est_t = t + (0.1 if k % 5 == 2 else 0.0)
        out.append((t, pk("ADCS_STATE", est_t,
                          mode=PointingMode.TARGET_TRACK if k % 11 else PointingMode.INERTIAL,
                          valid=int(k % 13 != 0), q_BN=q, rate_B=w, att_error=0.0, h_wheels=0.0,
                          h_B=(0.0,) * 3, wheels_ok=15, flags=0, st_age=0.1, att_sigma=1e-5,
                          att_sigma_B=tuple(map(float, rng.uniform(1e-6, 1e-4, 3))),
                          heads_used=k % 8, heads_valid=7, st_rejected=k // 7)))
        cov = (4.0, 0.1, 0.05, 9.0, 0.2, 1.0)
        out.append((t, pk("NAV_STATE", est_t, valid=int(k % 17 != 0), source=2,
                          r_rel_N=(0.0,) * 3, v_rel_N=(0.0,) * 3,
                          rho_H=tuple(float(x + e) for x, e in zip(r_H, rng.normal(size=3),
                                                                   strict=True)),
                          rho_dot_H=(0.0,) * 3,
                          r_target_N=(0.0,) * 3 if k < 5 else tuple(map(float, rt)),
                          v_target_N=tuple(map(float, v_t)), sun_N=(1.0, 0.0, 0.0),
                          normal_N=(0.0, 0.0, 1.0), mean_motion=1e-3, sigma_pos=1.0,
                          sigma_vel=0.01, flags=0, cov_pos_H=cov, nis=float(k % 5))))
        valid, ranged = int(k >= 20), int(k >= 70)
        out.append((t, pk("RELNAV", t, range=float(np.linalg.norm(los)) if ranged else 0.0,
                          azimuth=0.0, elevation=0.0, valid=valid, ranged=ranged)))
        if not step_first:
            out.append((t, None))
    return out


def _run(m: mon.Monitor, stream: list[tuple[float, bytes | None]]) -> str:
    subs: dict[int, Any] = {}
    ctx = SimpleNamespace(t=0.0, subscribe=lambda apid, h: subs.__setitem__(apid, h))
    m.init(ctx)
    for t, raw in stream:
        ctx.t = t
        if raw is None:
            m.step(t)
        else:
            subs[mon.peek_apid(raw)](raw)
    s = m.score
    fig = {"score": vars(s), "mode": s.mode, "nav": m.nav.figures(), "att": m.att.figures(),
           "clock": m.clock.figures(), "burns": m.burns.figures(),
           "pairs": [m.nav._pairs.tobytes().hex(), m.att._pairs.tobytes().hex(),
                     m.burns._truth.tobytes().hex()],
           "safety": {k: v for k, v in vars(m.safety).items()},
           "dv": [m.delta_v_truth(), m.delta_v_truth(True)], "stop": [m.done, m.stopped_by]}
    return json.dumps(fig, sort_keys=True, default=repr)


def test_the_monitor_scores_what_the_parsing_reference_scores() -> None:
    sc = load_builtin("short_inspection")
    stream = _stream(sc)
    got = _run(mon.Monitor(sc, stop_at_mode="DEPARTURE"), stream)
    want = _run(_Reference(sc, stop_at_mode="DEPARTURE"), stream)
    assert got == want
    fig = json.loads(got)
    # the stretch exercised what it is for
    assert fig["score"]["first_track_t"] is not None and fig["score"]["pointing_deg"]
    assert fig["score"]["not_tracking"] > 0 and fig["nav"]["relnav_epochs"] > 100
    assert fig["nav"]["first_detection_t"] is not None and fig["nav"]["handover_t"] is not None
    assert 0.0 < fig["att"]["tracker_availability"] < 1.0 and fig["clock"]["epochs"] == 0
    assert fig["stop"] == [True, "mode"]


def _damaged(raw: bytes, rng: np.random.Generator) -> list[bytes]:
    b = bytearray(raw)
    out = [raw[:-1], raw + b"\0", raw[:6], bytes(b[:4]) + bytes([b[4], b[5] ^ 1]) + raw[6:]]
    for _ in range(40):
        c = bytearray(raw)
        i = int(rng.integers(0, len(c)))
        c[i] ^= 1 << int(rng.integers(0, 8))
        out.append(bytes(c))
    h = bytearray(raw)
    h[2] &= 0x3F  # sequence flags 00 (a segment), CRC made good again
    h[-2:] = mon._crc(bytes(h[:-2]), 0xFFFF).to_bytes(2, "big")
    out.append(bytes(h))
    return out


@pytest.mark.parametrize("valid", [0, 1])
def test_relnav_intact_is_the_parsers_verdict_and_damage_raises_as_before(valid: int) -> None:
    rng = np.random.default_rng(valid)
    relnav = D["RELNAV"]
    raw = relnav.build(t_tai=5.0, seq=9, range=0.0, azimuth=0.1, elevation=0.2, valid=valid,
                       ranged=0)
    assert mon._relnav_intact(raw)
    sc = load_builtin("short_inspection")
    for bad in _damaged(raw, rng):
        try:
            relnav.parse(bad)
        except PacketError as exc:
            want: type[Exception] | None = type(exc)
        else:
            want = None
        assert mon._relnav_intact(bad) == (want is None)
        m = mon.Monitor(sc)
        if want is None:
            m.on_relnav(bad)
        else:
            with pytest.raises(want):
                m.on_relnav(bad)
    # once the handover is seen nothing is looked at, damaged or not (as before)
    m = mon.Monitor(sc)
    m.on_relnav(relnav.build(t_tai=6.0, range=9.0, azimuth=0.0, elevation=0.0, valid=1,
                             ranged=1))
    assert m.nav.angles.done
    m.on_relnav(raw[:-1])


def test_damaged_truth_packets_raise_in_the_monitor_as_before() -> None:
    """The fixed-field readers are the handlers' first step, as they were:
    a short packet raises struct's error (the executive reports it); the
    CRC is not theirs to check (the bus hands whole packets)."""
    sc = load_builtin("short_inspection")
    m = mon.Monitor(sc)
    m.ctx = SimpleNamespace(t=1.0)
    for name, handler in (("TRUTH_CHASER", m.on_truth_chaser),
                          ("TRUTH_RELATIVE", m.on_truth_relative),
                          ("ADCS_STATE", m.on_adcs_state), ("NAV_STATE", m.on_nav_state)):
        with pytest.raises(mon.struct.error):
            handler(bytes(D[name].size)[:40])
    with pytest.raises(IndexError):
        m.on_star_tracker(b"\0" * 10)
    # no chaser yet: TRUTH_TARGET is not read (as before)
    m.on_truth_target(b"")


def test_packed_pairs_hold_what_array_extend_held() -> None:
    """The scorers pack each pair's values in one call; array.extend's
    conversions of ints, bools, numpy scalars and non-finite floats."""
    vals = (1.5, 1, True, np.float64(-0.0), np.float64(math.nan), math.inf, 2**60 + 1, -7)
    want = array("d")
    want.extend(vals)
    got = array("d")
    got.frombytes(mon.struct.Struct(f"={len(vals)}d").pack(*vals))
    assert got.tobytes() == want.tobytes()
    b = BurnScore()
    b.on_truth(1.0, (1, 2, 3), np.array([4.0, 5.0, math.nan]))
    ref = array("d", [1.0, 1, 2, 3, 4.0, 5.0, math.nan])
    assert b._truth.tobytes() == ref.tobytes()


def test_nearest_truth_is_mins_choice() -> None:
    """Ties and out-of-order samples: the pair goes to the truth that
    ``min(key=|dt|)`` chose (the first of equals)."""
    s = AttitudeScore()
    q, w = (1.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0)
    for tt in (10.2, 9.8, 10.3, 9.9):  # 10.2 and 9.8 tie around 10.0
        s.on_truth(tt, q, w)
    s.on_adcs(10.0, 1, q, (1e-5,) * 3)
    assert s._pairs[11] == min((10.2, 9.8, 10.3, 9.9), key=lambda x: abs(x - 10.0))
    n = NavScore()
    for tt in (20.3, 19.7, 20.1):
        n.on_truth(tt, (1.0, 0.0, 0.0), (0.0, 0.0, 0.0), 1.0)
    n.on_nav(20.0, 1, 2, (1.0, 0.0, 0.0), (1.0, 0.0, 0.0, 1.0, 0.0, 1.0), 1.0)
    assert n._pairs[20] == 20.1


def test_the_safety_score_computes_each_samples_sun_as_before() -> None:
    """The sun direction is computed once per sample time and shared by the
    lighting and the pointing: each sample's phase angle and the sun's
    least angle from the boresight are those of sun_direction(t) itself."""
    from fsw_tools.mission.score_safety import SafetyScore, phase_angle_deg, sun_direction

    s = SafetyScore(200.0)
    r_t, v_t = (6.9e6, 0.0, 0.0), (0.0, 7.5e3, 0.0)
    phases, least = [], math.inf
    for k in range(20):
        t = 2.2e9 + 7.0 * (k // 2)  # two samples at each time, then a new one
        r_c = (6.9e6 - 300.0, 50.0 * k, 10.0)
        b = np.array([1.0, 0.01 * k, -0.02])
        s.on_chaser_state(r_c, (0.0, 7.5e3, 0.0), 0)
        s.on_target_state(t, r_t, v_t, "PROX_OPS")
        s.on_pointing(0.5, b, t)
        sun = sun_direction(t)
        phases.append(phase_angle_deg(r_t, r_c, sun))
        c = float(b @ sun) / norm(b)
        least = min(least, math.degrees(math.acos(max(-1.0, min(1.0, c)))))
    assert s.phase == phases and s.sun_boresight_min == least
