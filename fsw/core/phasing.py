"""Far-range phasing through the guidance core (native/include/gnc_phasing.h,
issue #15 build 3): from an insertion hundreds of kilometres behind the
target to an aim point a few tens of kilometres behind it, where the
relative (CW) guidance takes over. Two Hohmann pairs of tangential impulses:
the first sets a drift rate of the phase angle (the target's argument of
latitude minus the chaser's), the second ends on the aim's rate at the aim's
phase. The rate now is measured by the on-board model (one chaser period of
two-body + J2 + its drag), so the J2 and drag differences are in it. See the
header for the formula.

:func:`plan` returns a :class:`PhasingPlan`; a drift that would need more
than ``max_delta_a`` of semi-major axis raises
:class:`~fsw.core.errors.GncRangeError` (arrive later), with the figures
of the plan in the message (and in ``detail``). The flight software calls
it through the guidance-core facade (``GuidanceCore.phasing_plan``), so that
on a bench the board computes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numpy.typing import ArrayLike

from fsw.core._ffi import error, ffi, lib, vec
from fsw.core.ephem import EphemConfig, _fill
from fsw.core.errors import GncError

__all__ = ["PhasingPlan", "plan", "plan_error", "plan_of"]


@dataclass(frozen=True)
class PhasingPlan:
    """gnc_phasing_out: angles in rad, rates in rad/s, times s TAI, m/s, m."""

    phase: float
    phase_rate: float
    drift_rate: float
    aim_rate: float
    period: float
    t_burn: tuple[float, float, float, float]
    dv: tuple[float, float, float, float]
    dv_total: float
    delta_a: float


def plan(config: EphemConfig, r_c: ArrayLike, v_c: ArrayLike, r_t: ArrayLike, v_t: ArrayLike,
         t: float, t_first: float, t_arrive: float, aim_behind: float, aim_below: float,
         max_delta_a: float) -> PhasingPlan:
    """The phasing plan of the chaser (r_c, v_c) and the target (r_t, v_t)
    (GCRF, m, m/s, at ``t``): first pair at ``t_first``, the second ending
    at ``t_arrive`` ``aim_behind`` m behind the target on a circular orbit
    ``aim_below`` m under it (gnc_phasing.h)."""
    cfg = ffi.new("gnc_ephem_config *")
    _fill(cfg, config)
    inp = ffi.new("gnc_phasing_in *")
    for name, value in (("r_c", r_c), ("v_c", v_c), ("r_t", r_t), ("v_t", v_t)):
        arr = vec(value, 3, name)
        for i in range(3):
            getattr(inp, name)[i] = float(arr[i])
    inp.t, inp.t_first, inp.t_arrive = float(t), float(t_first), float(t_arrive)
    inp.aim_behind, inp.aim_below = float(aim_behind), float(aim_below)
    inp.max_delta_a = float(max_delta_a)
    o = ffi.new("gnc_phasing_out *")
    st = lib.gnc_phasing_plan(cfg, inp, o)
    result = plan_of(o)
    if st:
        raise plan_error(st, result, max_delta_a)
    return result


def plan_of(o: Any) -> PhasingPlan:
    """The plan of anything with gnc_phasing_out's members (the C struct, a
    parsed GNC_PHASING_PLAN_RESP)."""
    return PhasingPlan(
        phase=float(o.phase), phase_rate=float(o.phase_rate), drift_rate=float(o.drift_rate),
        aim_rate=float(o.aim_rate), period=float(o.period),
        t_burn=_t4(o.t_burn), dv=_t4(o.dv), dv_total=float(o.dv_total),
        delta_a=float(o.delta_a))


def plan_error(status: int, result: PhasingPlan, max_delta_a: float) -> GncError:
    """The typed error of a plan that failed with ``status``, ``result`` its
    figures as gnc_phasing_plan filled them: a drift too far from the
    target's semi-major axis names it (``detail``: ``delta_a``,
    ``max_delta_a``). LocalCore and PacketCore raise the same."""
    if result.period > 0.0 and result.delta_a != 0.0:
        cause = (f"the drift needs a semi-major axis {result.delta_a / 1e3:+.1f} km from "
                 f"the target's (at most {max_delta_a / 1e3:.1f} km): arrive later")
        return error(status, "phasing_plan", cause,
                     {"delta_a": result.delta_a, "max_delta_a": float(max_delta_a)})
    return error(status, "phasing_plan")


def _t4(a: Any) -> tuple[float, float, float, float]:
    return (float(a[0]), float(a[1]), float(a[2]), float(a[3]))
