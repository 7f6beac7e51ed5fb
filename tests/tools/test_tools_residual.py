"""fsw_tools.analysis.residual: the truth's relative acceleration against a
dynamics model (issue #15). Synthetic truth: two craft integrated by scipy
(DOP853, its own two-body + J2 written here) 1 km apart, the chaser with an
extra constant 1e-7 m/s^2 (a differential drag) and one thrust pulse; the
residual about two-body + J2 must be that constant, about two-body the
differential J2 (over 1e-6 m/s^2 at 1 km), and the pulse left out."""

from __future__ import annotations

import numpy as np
import pytest
from fsw_tools.analysis.residual import residual_acceleration
from scipy.integrate import solve_ivp

from fsw.errors import UserError

MU, RE, J2 = 3.986004418e14, 6378137.0, 1.08262668e-3
EXTRA = np.array([0.0, 1e-7, 0.0])


def _g(r: np.ndarray) -> np.ndarray:
    x, y, z = r
    rn = np.linalg.norm(r)
    c = 1.5 * J2 * MU * RE**2 / rn**5
    s = 5.0 * z * z / rn**2
    return -MU * r / rn**3 + c * np.array([x * (s - 1.0), y * (s - 1.0), z * (s - 3.0)])


def _truth(pulse: bool = True) -> tuple[dict, dict]:
    a = RE + 500e3
    v = np.sqrt(MU / a)
    inc = np.radians(45.0)
    rt0, vt0 = np.array([a, 0.0, 0.0]), np.array([0.0, v * np.cos(inc), v * np.sin(inc)])
    rc0, vc0 = rt0 + np.array([0.0, -1000.0 * np.cos(inc), -1000.0 * np.sin(inc)]), vt0.copy()

    def f(t: float, s: np.ndarray) -> np.ndarray:
        kick = np.array([0.0, 0.0, 0.05]) if pulse and 600.0 <= t < 602.0 else 0.0
        return np.concatenate([s[3:6], _g(s[:3]), s[9:12], _g(s[6:9]) + EXTRA + kick])

    t = np.arange(0.0, 1800.0, 1.0)
    sol = solve_ivp(f, (0.0, t[-1]), np.concatenate([rt0, vt0, rc0, vc0]), method="DOP853",
                    rtol=1e-13, atol=1e-10, t_eval=t, max_step=1.0)
    y = sol.y.T
    return ({"t_tai": t, "r_N": y[:, 6:9], "v_N": y[:, 9:12]},
            {"t_tai": t, "r_N": y[:, 0:3], "v_N": y[:, 3:6]})


def test_residual_about_j2_is_the_extra_acceleration() -> None:
    chaser, target = _truth()
    (b,) = residual_acceleration(chaser, target, model="j2", bins=(0.0, 5000.0))
    assert b["epochs"] > 1700 and b["epochs"] < 1799      # the pulse's epochs left out
    assert b["mean_norm"] == pytest.approx(1e-7, rel=0.05)
    # the extra acceleration is along y: the other axes hold only the differencing error
    assert b["rms"][1] == pytest.approx(1e-7, rel=0.05)
    assert b["rms"][0] < 1e-8 and b["rms"][2] < 1e-8


def test_two_body_leaves_the_differential_j2() -> None:
    chaser, target = _truth(pulse=False)
    (b,) = residual_acceleration(chaser, target, model="two-body", bins=(0.0, 5000.0))
    assert b["epochs"] == 1798
    assert max(b["rms"]) > 1e-6                                # differential J2 at 1 km


def test_bins_and_bad_input() -> None:
    chaser, target = _truth(pulse=False)
    out = residual_acceleration(chaser, target, bins=(0.0, 500.0, 5000.0))
    assert [b["epochs"] for b in out] == [0, 1798] and out[0]["rms"] is None
    with pytest.raises(UserError, match="model"):
        residual_acceleration(chaser, target, model="cw")
    with pytest.raises(UserError, match="bins"):
        residual_acceleration(chaser, target, bins=(10.0, 5.0))
    with pytest.raises(UserError, match="epochs"):
        residual_acceleration(chaser, {**target, "t_tai": target["t_tai"] + 0.5})
    with pytest.raises(UserError, match="column"):
        residual_acceleration({"t_tai": chaser["t_tai"]}, target)


def test_a_flown_run_about_j2_leaves_only_drag_and_srp(flown_run) -> None:
    """The short variant flown 1800 s (no drag in its truth, SRP on): about
    two-body + J2 the residual is SRP's difference (the two craft's area to
    mass differ), under 1e-7 m/s^2; about two-body, differential J2 remains."""
    j2 = [b for b in flown_run.residual_acceleration() if b["epochs"]]
    tb = [b for b in flown_run.residual_acceleration("two-body") if b["epochs"]]
    assert j2 and sum(b["epochs"] for b in j2) > 1000
    assert max(max(b["rms"]) for b in j2) < 1e-7
    assert max(max(b["rms"]) for b in tb) > 1e-6
