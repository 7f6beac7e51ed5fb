"""The navigation task's attitude at a measurement's time
(NavigationTask._attitude_at): found beside the insertion point while the
history is in time order (_nearest_sorted), by the reference scan
(_attitude_scan) otherwise. Both against a plain min() over the records
(the first of the nearest), on histories with ties, duplicates, rounding
ties far from the query and records out of time order."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fsw.packets import DICTIONARY
from fsw.scenario import Scenario
from fsw.tasks.navigation import ATTITUDE_HISTORY, NavigationTask, _nearest_sorted

ADCS_STATE = DICTIONARY["ADCS_STATE"]
T0 = 2.0e9


def _truth(times: list[float], t: float) -> int:
    """The first index of the least abs(time - t)."""
    return min(range(len(times)), key=lambda i: abs(times[i] - t))


def _queries(times: list[float], rng: np.random.Generator) -> list[float]:
    qs = [*times, 0.0, T0, 2.0 * T0, -1.0]
    for a, b in itertools.pairwise(times):
        qs += [(a + b) / 2.0, np.nextafter(a, -np.inf), np.nextafter(b, np.inf)]
    qs += list(rng.uniform(min(times) - 2.0, max(times) + 2.0, 20))
    return [float(q) for q in qs]


@pytest.mark.parametrize("seed", range(40))
def test_nearest_in_a_sorted_history_is_the_scans(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, ATTITUDE_HISTORY + 1))
    kind = seed % 4
    if kind == 0:    # a tick's times, 1 s apart
        times = [T0 + k for k in range(n)]
    elif kind == 1:  # duplicates and ties
        times = sorted(float(T0 + rng.integers(0, 4) * 0.5) for _ in range(n))
    elif kind == 2:  # tiny and huge: differences that round to the same value
        times = sorted(float(rng.choice([0.0, 5e-324, 1e-5, 1e-3, 1.0, T0, T0 + 1e-6]))
                       for _ in range(n))
    else:
        times = sorted(float(T0 + rng.normal(0, 3)) for _ in range(n))
    h = [(x, i) for i, x in enumerate(times)]
    for t in _queries(times, rng):
        assert _nearest_sorted(h, t) == _truth(times, t), (times, t)


def _adcs(t: float, q=(1.0, 0.0, 0.0, 0.0), valid: int = 1) -> bytes:
    return ADCS_STATE.build(t_tai=t, mode=1, valid=valid, q_BN=q, rate_B=(0.0, 0.0, 1e-3),
                            att_error=0.0, h_wheels=0.0, h_B=(0.0,) * 3,
                            wheels_ok=15, flags=0, st_age=0.0, att_sigma=1e-5,
                            att_sigma_B=(1e-5, 1e-5, 1e-5), heads_used=1, heads_valid=1,
                            st_rejected=0)


def test_out_of_order_records_take_the_scan_until_they_leave(ctx) -> None:
    """Records out of time order (a packet stamped before its
    predecessor): _attitude_at answers as the scan does at every step,
    the scan used while the disorder is in the history, the search again
    once it has left (or the history was cleared)."""
    task = NavigationTask(Scenario())
    task.init(ctx)
    rng = np.random.default_rng(7)
    times = [T0 + k for k in range(10)] + [T0 + 3.5] + [T0 + 10 + k for k in range(30)]
    times += [T0 + 39.2, T0 + 39.2, T0 + 38.0]
    seen_unsorted = False
    for k, t in enumerate(times):
        ctx.deliver(_adcs(t, q=(1.0, 0.0, 0.0, k * 1e-6)))
        if k == 25:
            ctx.deliver(_adcs(t + 0.5, valid=0))  # an invalid estimate clears the history
        hist = [r[0] for r in task.att_history]
        seen_unsorted |= bool(task._att_unsorted)
        assert bool(task._att_unsorted) or hist == sorted(hist)
        if not hist:
            assert task._attitude_at(t)[0] is None
            continue
        for q in _queries(hist, rng):
            got = task._attitude_at(q)
            want = task._attitude_scan(q)
            assert got == want
            assert got[0] == task.att_history[_truth(hist, q)][1]
    assert seen_unsorted and task._att_unsorted


def test_empty_history_has_no_attitude(ctx) -> None:
    task = NavigationTask(Scenario())
    task.init(ctx)
    assert task._attitude_at(T0) == (None, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 0.0)
