"""The navigation cycle's inputs packed with one ``struct.pack_into``
(fsw.core.nav._pack_nav_in) against the reference path they stand in for:
numpy's structured view written member by member. The same bytes in the C
input struct, the same outputs, and every unusual input (numpy arrays,
wrong lengths, strings, None) handed to the reference path, whose errors
stay what they were."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsw.core import nav as nav_mod
from fsw.core._struct import CStruct
from fsw.core.errors import GncInputError
from fsw.core.nav import Nav, NavConfig, NavInput

T0 = 2.1e9
R_C = (6.9e6, 1.0e3, -2.0e3)
V_C = (1.0, 7.6e3, 10.0)
SPECIAL = (0.0, -0.0, 1.0, -1e-300, 5e-324, 1e308, math.inf, -math.inf, math.nan)


def _numpy_bytes(f: dict) -> bytes:
    """The input struct written through the numpy view (the reference)."""
    s = CStruct("gnc_nav_in")
    v = s.flat_view()
    for name, value in f.items():
        v[name][...] = value
    return bytes(s.result()._b)


def _random_input(rng: np.random.Generator) -> NavInput:
    def x() -> float:
        return float(rng.choice(SPECIAL)) if rng.random() < 0.2 else float(rng.normal(0, 1e3))

    def vec(n: int) -> tuple[float, ...]:
        return tuple(x() for _ in range(n))

    return NavInput(
        t=T0 + x(), gps_t=x(), gps_r_N=vec(3) if rng.random() < 0.8 else None,
        gps_v_N=vec(3), meas_t=x(), meas=vec(3) if rng.random() < 0.7 else None,
        q_BN=vec(4) if rng.random() < 0.8 else None, dv_N=vec(3), att_sigma=x(),
        gps_met=x(), att_sigma_B=vec(3), bearing_only=bool(rng.random() < 0.5),
        att_dt=x(), att_rate_B=vec(3), dv_age=int(rng.integers(-5, 5)))


def test_fast_pack_writes_the_bytes_the_numpy_view_writes() -> None:
    rng = np.random.default_rng(18)
    buf = bytearray(len(_numpy_bytes(NavInput().fields())))
    for _ in range(300):
        f = _random_input(rng).fields()
        assert nav_mod._pack_nav_in(buf, f) is True
        assert bytes(buf) == _numpy_bytes(f)


@pytest.mark.parametrize("change", [
    {"gps_r_N": np.array([1.0, 2.0, 3.0])},          # numpy arrays: the reference path
    {"q_BN": np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)},
    {"t": np.float32(T0)},
    {"att_sigma": True},
    {"att_sigma": "0.5"},                              # numpy parses it; struct does not
    {"meas": (1.0, 2.0)},                              # wrong lengths: GncInputError
    {"dv_N": (0.0, 0.0, 0.0, 0.0)},
    {"q_BN": (1.0, None, 0.0, 0.0)},
    {"att_rate_B": ("a", 0.0, 0.0)},
    {"dv_age": None},
    {"att_dt": 10**400},
])
def test_unusual_inputs_behave_as_the_reference_path(change: dict, monkeypatch) -> None:
    """Each step of a Nav on the fast packer against one forced onto the
    numpy path: the same result bytes, or the same error."""
    cfg = NavConfig()
    fast, ref = Nav(cfg), Nav(cfg)
    for n in (fast, ref):
        n.set_target((6.9e6, 0.0, 0.0), (0.0, 7.6e3, 0.0), T0)
    inp = NavInput(t=T0 + 1.0, gps_t=T0 + 1.0, gps_r_N=R_C, gps_v_N=V_C, gps_met=T0 + 1.0)
    for k, v in change.items():
        setattr(inp, k, v)
    outcomes = []
    for n, forced in ((fast, False), (ref, True)):
        if forced:
            monkeypatch.setattr(nav_mod, "_pack_nav_in", lambda buf, f: False)
        try:
            outcomes.append(("ok", bytes(n.step(inp)._b)))
        except GncInputError as exc:
            outcomes.append(("error", str(exc)))
        except (ValueError, TypeError, OverflowError) as exc:  # not expected: shown if it comes
            outcomes.append(("raised", type(exc).__name__))
    assert outcomes[0] == outcomes[1]


def test_a_run_of_cycles_is_the_reference_paths(monkeypatch) -> None:
    """Sixty cycles of GPS fixes, sensor samples and a burn: every output
    bit for bit the numpy path's."""
    cfg = NavConfig(coast_s=0.0)
    fast, ref = Nav(cfg), Nav(cfg)
    for n in (fast, ref):
        n.set_target((6.9e6, 0.0, 0.0), (0.0, 7.6e3, 0.0), T0)

    def inputs(k: int) -> NavInput:
        t = T0 + k
        return NavInput(t=t, gps_t=t, gps_r_N=(6.9e6 + 10.0 * k, 7.6e3 * k - 500.0, 20.0),
                        gps_v_N=(0.0, 7.6e3 + 0.01, 0.0), gps_met=t + 0.02,
                        meas=(500.0, 0.01, -0.02) if k > 20 else None, meas_t=t - 0.3,
                        q_BN=(1.0, 0.0, 0.0, 0.0), att_sigma_B=(1e-5, 2e-5, 3e-5),
                        att_dt=-0.3, att_rate_B=(0.0, 1e-3, 0.0),
                        dv_N=(0.01, 0.0, 0.0) if k == 40 else (0.0, 0.0, 0.0), dv_age=0.4)

    got = [bytes(fast.step(inputs(k))._b) for k in range(60)]
    monkeypatch.setattr(nav_mod, "_pack_nav_in", lambda buf, f: False)
    want = [bytes(ref.step(inputs(k))._b) for k in range(60)]
    assert got == want
