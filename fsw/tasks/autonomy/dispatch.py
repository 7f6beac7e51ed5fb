"""What arrives at the autonomy task: the latest valid sample of each input
packet, kept as plain values (a non-finite or invalid sample is dropped and
counted). Handlers only record; the cycle (:mod:`fsw.tasks.autonomy.task`)
decides."""

from __future__ import annotations

import math
from typing import NamedTuple

from fsw.packets.enums import BurnStatusState, NavFlag

__all__ = ["Inputs", "NavView"]


#: a NAV_STATE is used only inside these bounds (a corrupt but finite packet
#: would overflow the guidance arithmetic): relative position [m] and
#: velocity [m/s] magnitudes per axis, the target's mean motion [rad/s]
#: between a 1e6 km orbit's and one skimming the Earth's surface
NAV_MAX_POS_M = 1e8
NAV_MAX_VEL_MPS = 2e4
NAV_MEAN_MOTION_RAD_S = (1e-7, 1.3e-3)
#: NavFlag.TARGET_UNKNOWN as a plain int (IntFlag operators cost ~0.5 us each)
_TARGET_UNKNOWN = int(NavFlag.TARGET_UNKNOWN)


def _finite(x) -> bool:
    return all(map(math.isfinite, x))


def _plausible_nav(x, n: float) -> bool:
    """Finite, and inside the NAV_MAX_* and NAV_MEAN_MOTION_RAD_S bounds.
    (The bounds say finite too: a NaN or an infinity fails every one of
    them; written out as plain comparisons, no generator per call.)"""
    lo, hi = NAV_MEAN_MOTION_RAD_S
    if not lo <= n <= hi:
        return False
    for v in x[:3]:
        if not abs(v) <= NAV_MAX_POS_M:
            return False
    for v in x[3:]:  # noqa: SIM110 (a loop: no generator made per NAV_STATE)
        if not abs(v) <= NAV_MAX_VEL_MPS:
            return False
    return True


class NavView(NamedTuple):
    """The latest valid NAV_STATE, as the autonomy task uses it (immutable;
    a named tuple: one made per NAV_STATE, at a tuple's cost)."""

    t: float
    x: tuple[float, float, float, float, float, float]  #: Hill [rho m, rho_dot m/s]
    r_target_N: tuple[float, float, float]  # noqa: N815 (frame suffix, DESIGN.md)
    v_target_N: tuple[float, float, float]  # noqa: N815
    n: float  #: target mean motion [rad/s]
    source: int
    sigma_pos: float
    sigma_vel: float = 0.0
    sun_N: tuple[float, float, float] = (0.0, 0.0, 0.0)  # noqa: N815


class Inputs:
    """The task's view of the bus (reset at every (re)start)."""

    def __init__(self) -> None:
        self.nav: NavView | None = None
        self.nav_t = -math.inf          # time of the latest NAV_STATE, valid or not
        self.nav_target_unknown = False  # the latest NAV_STATE says: no target loaded
        self.separated = False
        self.relnav_t = -math.inf       # time of the latest valid sensor measurement
        self.adcs = None                # the latest ADCS_STATE record
        self.burn = None                # the latest BURN_STATUS record
        self.thr_mask: int | None = None
        self.propellant: float | None = None
        self.soc: float | None = None   # the battery's state of charge (EPS), 0..1
        self.tc_accepted: int | None = None
        self.tc_changed_t = -math.inf   # when COMMS_HK.tc_accepted last changed
        self.dropped = 0

    def on_nav(self, r) -> None:
        self.nav_t = r.t_tai
        self.nav_target_unknown = bool(r.flags & _TARGET_UNKNOWN)
        x = (*r.rho_H, *r.rho_dot_H)
        if r.valid and _plausible_nav(x, r.mean_motion) and _finite(r.r_target_N) \
                and _finite(r.v_target_N):
            self.nav = NavView(r.t_tai, x, r.r_target_N, r.v_target_N, r.mean_motion,
                               r.source, r.sigma_pos, r.sigma_vel, r.sun_N)
        else:
            self.nav = None
            if r.valid:
                self.dropped += 1

    def on_gps(self, r) -> None:
        # separation is for good (until a restart makes new Inputs): once
        # seen, a fix has nothing to add
        if not self.separated and r.valid and _finite(r.r_N) and _finite(r.v_N):
            self.separated = True

    def on_relnav(self, r) -> None:
        # the track gate wants range and bearing: a bearing-only sample (the
        # camera alone, far away) does not count
        if r.valid and r.ranged and _finite((r.range, r.azimuth, r.elevation)):
            self.relnav_t = r.t_tai

    def on_adcs(self, r) -> None:
        if _finite(r.rate_B) and _finite(r.q_BN):
            self.adcs = r
        else:
            self.dropped += 1

    def on_burn(self, r) -> None:
        self.burn = r
        self.thr_mask = r.thrusters_ok
        if math.isfinite(r.propellant):
            self.propellant = r.propellant

    def on_eps(self, r) -> None:
        if math.isfinite(r.soc) and 0.0 <= r.soc <= 1.0:
            self.soc = r.soc
        else:
            self.dropped += 1

    def on_comms(self, r) -> None:
        if r.tc_accepted != self.tc_accepted:
            self.tc_accepted = r.tc_accepted
            self.tc_changed_t = r.t_tai

    @staticmethod
    def burn_ended(r) -> bool:
        """A BURN_STATUS that ends its burn (done, aborted or rejected)."""
        return r.state in (BurnStatusState.DONE, BurnStatusState.ABORTED, BurnStatusState.REJECTED)
