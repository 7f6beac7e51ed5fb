"""tools/mission/score_nav.py against known statistics: errors drawn from the
covariance the estimate reports give an average NEES of 3 and 3-sigma
containment of 0.9973^3; errors twice too large give an NEES near 12; truth
samples a tenth of a second off the navigation cycle are paired and carried
by their velocity; the campaign statistics use the chi-square band of the
number of runs."""

from __future__ import annotations

import numpy as np
import pytest
from fsw_tools.mission.score_nav import NavScore, nav_stats, nees_band
from scipy.stats import chi2


def _feed(scale: float, n: int = 4000, seed: int = 2) -> NavScore:
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(3, 3))
    P = A @ A.T + np.eye(3)
    L = np.linalg.cholesky(P)
    cov = (P[0, 0], P[0, 1], P[0, 2], P[1, 1], P[1, 2], P[2, 2])
    s = NavScore()
    for k in range(n):
        t = 1000.0 + k
        r = np.array([10.0, -2000.0 + k * 0.1, 5.0])
        v = np.array([0.0, 0.1, 0.0])
        e = scale * (L @ rng.normal(size=3))
        s.on_nav(t, 1, 2, r + e, cov, 3.0)
        # the truth 0.1 s later, carried back by its velocity
        s.on_truth(t + 0.1, r + 0.1 * v, v, float(np.linalg.norm(r)))
    return s


def test_consistent_errors_give_nees_three_and_expected_containment() -> None:
    f = _feed(1.0).figures()
    assert f["relnav_epochs"] == 4000
    assert f["nees_mean"] == pytest.approx(3.0, abs=0.15)
    assert f["contain_3sigma"] == pytest.approx(0.9973**3, abs=0.005)
    assert f["nis_mean"] == 3.0


def test_overconfident_errors_are_caught() -> None:
    f = _feed(2.0).figures()
    assert f["nees_mean"] == pytest.approx(12.0, rel=0.06)
    assert f["contain_3sigma"] < 0.9


def test_campaign_band_and_stats() -> None:
    lo, hi = nees_band(100)
    assert lo == pytest.approx(chi2.ppf(0.025, 300) / 100)
    assert hi == pytest.approx(chi2.ppf(0.975, 300) / 100)
    rows = [{"nav": {"nees_mean": 3.0 + 0.01 * k, "contain_3sigma": 0.99, "nis_mean": 3.0,
                     "err_frac_p99_5km": 0.005}} for k in range(10)]
    st = nav_stats([*rows, {"nav": None}])
    assert st["runs"] == 10 and st["nees_in_band"]
    assert st["nees_band_95"] == pytest.approx(list(nees_band(10)))
    # pooled containment weights each run by its epochs
    rows = [{"nav": {"nees_mean": 3.0, "contain_3sigma": 1.0, "relnav_epochs": 300}},
            {"nav": {"nees_mean": 3.0, "contain_3sigma": 0.96, "relnav_epochs": 100}}]
    st = nav_stats(rows)
    assert st["contain_3sigma_pooled"] == pytest.approx((300 + 96) / 400)
    assert st["contain_3sigma_mean"] == pytest.approx(0.98)
    assert st["contain_3sigma_runs_below_99"] == 1 and st["contain_3sigma_min"] == 0.96


def _hill(r: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows R, T, N of the Hill frame of (r, v) and its rate, written here."""
    R = r / np.linalg.norm(r)
    h = np.cross(r, v)
    N = h / np.linalg.norm(h)
    return np.array([R, np.cross(N, R), N]), h / (r @ r)


def test_scored_in_the_frame_of_the_flight_softwares_target_orbit() -> None:
    """A launch notice 2 km along-track and 200 m radially off the target:
    the flight software's Hill frame is turned by ~3e-4 rad from the true
    one. An estimate right in its own frame (errors drawn from its stated
    covariance) scores NEES 3 when the scorer is given the estimate's target
    orbit and the truth in inertial axes; compared with the true frame's
    r_H, the 3 m that the turn makes at 10 km show as errors."""
    mu, a = 3.986004418e14, 6.878e6
    n = np.sqrt(mu / a**3)
    rng = np.random.default_rng(4)
    x_true = np.array([-500.0, -10000.0, 50.0])
    off = np.array([200.0, 2000.0, 0.0])
    off_v = np.array([0.0, -2.0 * n * 200.0, 0.0])
    inc = 0.8

    def target(t: float) -> tuple[np.ndarray, np.ndarray]:
        c, s = np.cos(n * t), np.sin(n * t)
        r = a * np.array([c, s * np.cos(inc), s * np.sin(inc)])
        v = a * n * np.array([-s, c * np.cos(inc), c * np.sin(inc)])
        return r, v

    def truth(t: float) -> tuple[np.ndarray, np.ndarray]:
        r_t, v_t = target(t)
        C, w = _hill(r_t, v_t)
        dr = C.T @ x_true
        return dr, np.cross(w, dr)  # chaser minus target, inertial

    new, old = NavScore(), NavScore()
    cov = (1.0, 0.0, 0.0, 1.0, 0.0, 1.0)
    for k in range(3000):
        t = 1000.0 + k
        r_t, v_t = target(t)
        C, w = _hill(r_t, v_t)
        r_b, v_b = r_t + C.T @ off, v_t + C.T @ off_v + np.cross(w, C.T @ off)
        Cb, _ = _hill(r_b, v_b)
        dr, _ = truth(t)
        est = Cb @ dr + rng.normal(size=3)
        tr = t + 0.1
        dr1, dv1 = truth(tr)
        for s, tgt, rel in ((new, (r_b, v_b), (dr1, dv1)), (old, None, None)):
            s.on_nav(t, 1, 2, est, cov, 3.0, tgt)
            s.on_truth(tr, x_true, np.zeros(3), float(np.linalg.norm(x_true)), rel)
    assert new.figures()["nees_mean"] == pytest.approx(3.0, abs=0.2)
    assert old.figures()["nees_mean"] > 6.0


def test_the_reports_error_plot_uses_the_estimates_frame_too() -> None:
    """fsw report's navigation error (tools/plots/series.py) puts the truth
    in the frame of the flight software's target orbit as the scorer does:
    an estimate exact in its own frame, 2 km of notice error, plots zero;
    without the craft's truth it falls back on TRUTH_RELATIVE's frame."""
    from types import SimpleNamespace

    from fsw_tools.plots.series import navigation_error

    mu, a = 3.986004418e14, 6.878e6
    n = np.sqrt(mu / a**3)
    t = 1000.0 + np.arange(50.0)
    c, s = np.cos(n * t)[:, None], np.sin(n * t)[:, None]
    r_t = a * np.hstack([c, s, np.zeros_like(c)])
    v_t = a * n * np.hstack([-s, c, np.zeros_like(c)])
    x_true = np.array([-300.0, -12000.0, 40.0])
    rows = [_hill(r_t[k], v_t[k]) for k in range(len(t))]
    dr = np.array([C.T @ x_true for C, _ in rows])
    dv = np.array([np.cross(w, d) for (_, w), d in zip(rows, dr, strict=True)])
    r_b = np.array([r_t[k] + rows[k][0].T @ np.array([150.0, 2000.0, 0.0])
                    for k in range(len(t))])
    est = np.array([_hill(r_b[k], v_t[k])[0] @ dr[k] for k in range(len(t))])
    tables = {
        "NAV_STATE": {"t_tai": t, "valid": np.ones(len(t)), "rho_H": est,
                      "r_target_N": r_b, "v_target_N": v_t, "sigma_pos": np.ones(len(t))},
        "TRUTH_RELATIVE": {"t_tai": t, "r_H": np.tile(x_true, (len(t), 1))},
        "TRUTH_CHASER": {"t_tai": t, "r_N": r_t + dr, "v_N": v_t + dv},
        "TRUTH_TARGET": {"t_tai": t, "r_N": r_t, "v_N": v_t},
    }
    err = navigation_error(SimpleNamespace(tables=tables), t[0]).y
    assert np.max(np.abs(err)) < 1e-6
    del tables["TRUTH_CHASER"]
    err = navigation_error(SimpleNamespace(tables=tables), t[0]).y
    assert np.max(np.linalg.norm(err, axis=1)) > 2.0  # the frames' turn at 12 km
