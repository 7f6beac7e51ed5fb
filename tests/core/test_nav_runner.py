"""The navigation cycle as one function of NavInput's fields
(:meth:`fsw.core.nav.Nav.runner`, :meth:`GuidanceCore.nav_runner`) against
the reference it stands in for: ``Nav.step(NavInput(...)).flat()``. The
same output values bit for bit, cycle after cycle (the filters' states
stay the same), the same errors, every unusual input through the
reference path; and the back ends' choice of runner."""

from __future__ import annotations

import math
import struct
from dataclasses import fields as dc_fields

import numpy as np
import pytest

from fsw.core import nav as nav_mod
from fsw.core.errors import GncError, GncStateError
from fsw.core.guidance import GuidanceCore, LocalCore
from fsw.core.nav import Nav, NavConfig, NavInput

T0 = 2.1e9
R_T, V_T = (6.9e6, 0.0, 0.0), (0.0, 7.6e3, 0.0)
SPECIAL = (0.0, -0.0, 1.0, -1e-300, 5e-324, 1e308, math.inf, -math.inf, math.nan)
KEYS = tuple(f.name for f in dc_fields(NavInput))


def _bits(values: tuple) -> tuple:
    """Values compared bit for bit (NaN equal to itself, -0.0 not 0.0)."""
    return tuple(struct.pack("<d", v) if isinstance(v, float) else v for v in values)


def _pair(cfg: NavConfig | None = None) -> tuple[Nav, Nav]:
    cfg = cfg or NavConfig(coast_s=0.0)
    a, b = Nav(cfg), Nav(cfg)
    for n in (a, b):
        n.set_target(R_T, V_T, T0)
    return a, b


def _outcome(call) -> tuple:
    try:
        f, ix = call()
    except GncError as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", _bits(f), dict(ix))


def _random_fields(rng: np.random.Generator, k: int) -> dict:
    """NavInput's fields as the task gives them (plain floats and tuples),
    a few special values among them; some sources absent."""
    def x(scale: float = 1e3) -> float:
        return float(rng.choice(SPECIAL)) if rng.random() < 0.05 else float(rng.normal(0, scale))

    def vec(n: int, scale: float = 1.0) -> tuple[float, ...]:
        return tuple(x(scale) for _ in range(n))

    t = T0 + k
    kw: dict = {"t": t + 0.02, "dv_N": vec(3, 0.01) if rng.random() < 0.1 else (0.0, 0.0, 0.0),
                "dv_age": x(0.5), "att_sigma_B": vec(3, 1e-5), "att_dt": x(0.3),
                "att_rate_B": vec(3, 1e-3)}
    if rng.random() < 0.9:
        kw["q_BN"] = (1.0, *vec(3, 1e-3))
    if rng.random() < 0.8:
        kw.update(gps_t=t, gps_r_N=(6.9e6 + x(50.0), 7.6e3 * k - 500.0 + x(50.0), x(50.0)),
                  gps_v_N=(x(0.01), 7.6e3 + x(0.01), x(0.01)), gps_met=t + 0.02)
    if rng.random() < 0.7:
        kw.update(meas_t=t - 0.3, meas=(500.0 + x(1.0), x(0.01), x(0.01)),
                  bearing_only=bool(rng.random() < 0.3))
    if rng.random() < 0.05:
        kw["att_sigma"] = x(1e-4)
    return kw


def test_a_run_of_cycles_is_the_reference_paths() -> None:
    """300 cycles of random fixes, samples, attitudes, burns and a few
    special values (NaN, infinities, -0.0, denormals): each cycle's output
    values bit for bit, or the same error."""
    rng = np.random.default_rng(1818)
    fast, ref = _pair()
    for k in range(300):
        kw = _random_fields(rng, k)
        got = _outcome(lambda kw=kw: fast.run(**kw))
        want = _outcome(lambda kw=kw: ref.step(NavInput(**kw)).flat())
        assert got == want, (k, kw)


def test_the_runner_reads_the_output_index_of_the_result() -> None:
    fast, ref = _pair()
    kw = {"t": T0 + 1.0, "gps_t": T0 + 1.0, "gps_r_N": (6.9e6, 10.0, 0.0),
          "gps_v_N": (0.0, 7.6e3, 0.0), "gps_met": T0 + 1.0}
    f, ix = fast.run(**kw)
    out = ref.step(NavInput(**kw))
    assert ix is out.flat()[1]
    assert f[ix["x_H"]] == out.values("x_H")
    assert f[ix["flags"]] == out.flags


@pytest.mark.parametrize("change", [
    {"gps_r_N": np.array([6.9e6, 2.0, 3.0])},         # numpy arrays: the reference path
    {"q_BN": np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)},
    {"t": np.float32(T0)},
    {"att_sigma": True},
    {"bearing_only": 1.0},
    {"att_sigma": "0.5"},
    {"meas": (1.0, 2.0)},                              # wrong lengths: GncInputError
    {"dv_N": (0.0, 0.0, 0.0, 0.0)},
    {"dv_N": [0.0, 0.0, 0.0]},
    {"q_BN": (1.0, None, 0.0, 0.0)},
    {"att_rate_B": ("a", 0.0, 0.0)},
    {"dv_age": None},
    {"att_dt": 10**400},
    {"gps_v_N": None},                                 # one of the pair absent: no fix
])
def test_unusual_inputs_take_the_reference_path(change: dict) -> None:
    fast, ref = _pair()
    kw = {"t": T0 + 1.0, "gps_t": T0 + 1.0, "gps_r_N": (6.9e6, 10.0, 0.0),
          "gps_v_N": (0.0, 7.6e3, 0.0), "gps_met": T0 + 1.0, "meas_t": T0 + 0.7,
          "meas": (500.0, 0.01, -0.02), "q_BN": (1.0, 0.0, 0.0, 0.0)}
    kw.update(change)
    assert _outcome(lambda: fast.run(**kw)) == _outcome(lambda: ref.step(NavInput(**kw)).flat())
    # and the next (plain) cycle is the same too: the struct was written again
    kw2 = {"t": T0 + 2.0, "gps_t": T0 + 2.0, "gps_r_N": (6.9e6, 10.0, 0.0),
           "gps_v_N": (0.0, 7.6e3, 0.0), "gps_met": T0 + 2.0}
    assert _outcome(lambda: fast.run(**kw2)) == _outcome(
        lambda: ref.step(NavInput(**kw2)).flat())


def test_a_reordered_input_struct_takes_the_reference_path(monkeypatch) -> None:
    """The runner gives the members in gnc_nav_in's order as it is today;
    a struct whose order differs is not packed by it."""
    monkeypatch.setattr(nav_mod, "NAV_IN_MEMBERS", tuple(reversed(nav_mod.NAV_IN_MEMBERS)))
    monkeypatch.setattr(nav_mod, "_pack_nav_values",
                        lambda *a: pytest.fail("packed in the wrong order"))
    fast, ref = _pair()
    kw = {"t": T0 + 1.0, "gps_t": T0 + 1.0, "gps_r_N": (6.9e6, 10.0, 0.0),
          "gps_v_N": (0.0, 7.6e3, 0.0), "gps_met": T0 + 1.0}
    assert _outcome(lambda: fast.run(**kw)) == _outcome(lambda: ref.step(NavInput(**kw)).flat())


def test_runner_arguments_are_navinputs_fields() -> None:
    import inspect

    params = inspect.signature(Nav(NavConfig()).run).parameters
    assert set(params) == set(KEYS)
    for name, p in params.items():
        assert p.default == getattr(NavInput(), name)


def test_local_core_runner_and_its_fallbacks() -> None:
    core = LocalCore()
    with pytest.raises(GncStateError):   # not configured: nav_step's own error
        core.nav_runner()(t=T0)
    core.nav_configure(NavConfig())
    assert core.nav_runner() is core._nav.run
    seen = []
    real = core.nav_step

    def spy(inp: NavInput):
        seen.append(inp)
        return real(inp)

    core.nav_step = spy  # an instance's own nav_step: the runner goes through it
    core.nav_runner()(t=T0 + 1.0, gps_t=T0 + 1.0)
    assert len(seen) == 1 and seen[0].t == T0 + 1.0 and seen[0].gps_r_N is None


def test_the_default_runner_is_nav_step_then_flat() -> None:
    class Stub(LocalCore):
        def nav_step(self, inp: NavInput):  # a back end of its own (a board's, a fault's)
            self.got = inp
            return super().nav_step(inp)

    core, ref = Stub(), Nav(NavConfig())
    core.nav_configure(NavConfig())
    kw = {"t": T0 + 1.0, "meas_t": T0, "meas": (100.0, 0.0, 0.0), "bearing_only": True}
    got = core.nav_runner()(**kw)
    assert core.got == NavInput(**kw)
    assert _bits(got[0]) == _bits(ref.step(NavInput(**kw)).flat()[0])
    assert GuidanceCore.nav_runner is not LocalCore.nav_runner
