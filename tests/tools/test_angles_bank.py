"""tools/analysis/angles_bank.py: its one-component filter is the flight
filter's bearing update (the core's Relnav, native/src/gnc_relnav.c) step for
step; the bank's split keeps the prior's mean and, for 7 components, its
covariance to under 1 % of the along-line-of-sight variance; and a short
Monte Carlo runs end to end."""

from __future__ import annotations

import math

import numpy as np
from fsw_tools.analysis import angles_bank as ab

from fsw.core import relative as rel
from fsw.core import relnav


def test_one_component_is_the_flight_filters_update() -> None:
    sigma, psd, dt = math.radians(0.02), 1e-10, 1.0
    cfg = relnav.RelnavConfig(n=ab.N, sigma_range=0.05, sigma_range_frac=0.005,
                              sigma_angle=sigma, accel_psd=psd, gate=0.0)
    core = relnav.Relnav(cfg)
    rng = np.random.default_rng(8)
    P = ab.catalogue_prior()
    x_true = np.array(ab.X0)
    x = x_true + np.linalg.cholesky(P) @ rng.normal(size=6)
    core.reset(x, P)
    phi = rel.cw_stm(ab.N, dt)
    Q = ab.accel_noise(psd, dt)
    for _ in range(40):
        x_true = phi @ x_true
        z = ab.bearings(x_true) + sigma * rng.normal(size=2)
        x, P, _ = ab.iekf_update(phi @ x, phi @ P @ phi.T + Q, z, sigma)
        out = core.step(dt, [0.0, z[0], z[1]], bearing_only=True)
        np.testing.assert_allclose(out.x, x, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(out.P.reshape(6, 6), P, rtol=1e-6, atol=1e-9)


def test_the_split_keeps_the_priors_mean_and_covariance() -> None:
    P = ab.catalogue_prior()
    x = np.array(ab.X0)
    e = np.r_[-x[:3] / np.linalg.norm(x[:3]), np.zeros(3)]
    var = e @ P @ e
    for k in (2, 3, 5, 7, 11):
        comps = ab.split(x, P, k)
        w = np.array([c[2] for c in comps])
        assert abs(w.sum() - 1.0) < 1e-12
        mean = sum(c[2] * c[0] for c in comps)
        cov = sum(c[2] * (c[1] + np.outer(c[0] - mean, c[0] - mean)) for c in comps)
        np.testing.assert_allclose(mean, x, rtol=0, atol=1e-9)
        assert np.max(np.abs(cov - P)) < 1e-12 * var
        # the means h prior sigmas apart along the line of sight (one sigma,
        # or +-3 sigma from seven on), each component with h / 2 as its own
        # sigma there (more for 2 and 3, where the weights cannot spread
        # further), positive definite
        h = min(1.0, 6.0 / (k - 1))
        offsets = np.array([e @ (c[0] - x) for c in comps]) / math.sqrt(var)
        np.testing.assert_allclose(offsets, h * (np.arange(k) - 0.5 * (k - 1)), atol=1e-9)
        own = np.array([e @ c[1] @ e for c in comps]) / var
        want = {2: 0.75, 3: 1.0 / 3.0}.get(k, 0.25 * h * h)
        np.testing.assert_allclose(own, want, rtol=1e-9)
        assert all(np.all(np.linalg.eigvalsh(c[1]) > 0.0) for c in comps)
        # the weights fall off away from the middle, symmetric
        assert np.allclose(w, w[::-1]) and w[k // 2] >= w.max() - 1e-15
    assert len(ab.split(x, P, 1)) == 1


def test_a_short_monte_carlo_runs() -> None:
    out = ab.monte_carlo(runs=2, steps=20, bank=3, seed=1)
    assert out["nees"].shape == (2, 20) and np.all(np.isfinite(out["nees"]))
    assert np.all(np.abs(out["frac"]) < 0.5)
