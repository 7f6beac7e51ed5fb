"""Fault detection of the autonomy task: persistence counters over what the
other tasks report, and the collision screen. Pure decisions: the cycle asks,
:class:`Fdir` answers why the spacecraft must go SAFE (or nothing).

Every condition must hold for ``fdir.persistence`` consecutive cycles
(:class:`~fsw.tasks.autonomy.modes.Persistence`); the collision screen for
two consecutive screens.
"""

from __future__ import annotations

import math

from fsw.scenario import Scenario
from fsw.tasks.autonomy.dispatch import Inputs
from fsw.tasks.autonomy.modes import Mode, Persistence

__all__ = ["ATT_SIGMA_SAFE", "NAV_MAX_AGE_S", "STAR_TRACKER_SAFE_S", "Fdir"]

#: attitude knowledge (1-sigma) worse than this for ``fdir.persistence`` s -> SAFE
ATT_SIGMA_SAFE = math.radians(0.5)
#: no star-tracker fix for this long -> SAFE (the gyro alone drifts)
STAR_TRACKER_SAFE_S = 3 * 3600.0
#: a NAV_STATE older than this counts as no navigation [s]
NAV_MAX_AGE_S = 3.0
#: the modes in which the mission depends on tracking the target
TRACKING = (Mode.PHASING, Mode.RENDEZVOUS, Mode.PROX_OPS)


class Fdir:
    """Persistence counters of the autonomy task's fault checks."""

    def __init__(self, scenario: Scenario) -> None:
        n = scenario.fdir.persistence
        self.wheels = Persistence(n)
        self.star_tracker = Persistence(n)
        self.thrusters = Persistence(n)
        self.nav = Persistence(n)
        self.ca = Persistence(2)
        self.all_thrusters = (1 << scenario.chaser.rcs.count) - 1
        self.link_loss_s = scenario.fdir.link_loss_report_s
        self.link_reported = False

    def check(self, t: float, mode: Mode, inp: Inputs) -> str | None:
        """One cycle's checks (after LAUNCH): the reason to go SAFE, or None."""
        a = inp.adcs
        tracking = mode in TRACKING
        nav_ok = inp.nav is not None and t - inp.nav_t <= NAV_MAX_AGE_S
        nav_lost = self.nav.update(not nav_ok)
        reason = None
        if a is not None:
            if self.wheels.update(bin(a.wheels_ok).count("1") < 3):
                reason = "fewer than three wheels"
            lost = a.st_age > STAR_TRACKER_SAFE_S or (a.valid and a.att_sigma > ATT_SIGMA_SAFE)
            if self.star_tracker.update(tracking and lost):
                reason = reason or "attitude knowledge lost (star tracker)"
        mask = inp.thr_mask if inp.thr_mask is not None else self.all_thrusters
        if self.thrusters.update(tracking and bin(mask).count("1") < 2):
            reason = reason or "no usable thruster pair"
        if tracking and (nav_lost or self.nav.tripped):
            reason = reason or "navigation lost"
        return reason

    def link_silent(self, t: float, inp: Inputs) -> bool:
        """True once per ground silence longer than ``link_loss_report_s``
        (no telecommand accepted, from COMMS_HK)."""
        if inp.tc_accepted is None:
            return False
        silent = t - inp.tc_changed_t > self.link_loss_s
        if silent and not self.link_reported:
            self.link_reported = True
            return True
        if not silent:
            self.link_reported = False
        return False

    def collision(self, d_ca: float, keep_out: float) -> bool:
        """Feed one screen's closest approach; True when avoidance must start."""
        return self.ca.update(d_ca < keep_out)
