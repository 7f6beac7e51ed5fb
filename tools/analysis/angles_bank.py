"""Angles-only navigation: the flight filter's iterated EKF against a
range-parameterised bank of them, in a Clohessy-Wiltshire Monte Carlo
(issue #15, the analysis behind stop 35's note).

Why: from a catalogue-grade prior (2 km along-track at 25 km) the relative
navigation's Cartesian EKF on bearings alone drifts towards the observer:
"range collapse", the classic bias of a Cartesian filter in bearings-only
tracking (Aidala 1979). Its covariance shrinks while the error does not: the
default mission's campaign c2 scored NEES 3.79 and 95 % 3-sigma containment,
all of the excess from the angles-only phase. A range-parameterised bank
(Peach 1995) splits the prior along the line of sight into K components,
each narrow enough for its linearisation, weighted by the likelihood of each
bearing; the estimate is the moment-matched mixture. K = 1 is the flight
filter's update alone (the same iterated EKF as native/src/gnc_relnav.c).

Truth and filter are CW with white acceleration noise; the bearings white
(the camera's 0.02 deg); the prior is the navigation's own catalogue model
(gnc_nav.c ``nav_target_cov``) plus the EKF's p0, the truth drawn from it.
Everything in numpy, written here; nothing reaches a packet.

Run: ``python tools/analysis/angles_bank.py --runs 40 --steps 1500 --bank 7``
(prints the NEES and the signed and rms range error by tenth of the span; the
last line is one JSON object). Seen (40 runs, 1,500 s, seed 3): bank 1 NEES
5.05, mean range error -2.4 % -> -5.0 %, rms 6.3 % at the end; the flight's
bank of 11 (``split``: means 0.6 sigma apart, +-3 sigma) NEES 3.07 (the
40-run band [2.34, 3.74]), +0.3 % -> -1.0 %, rms 3.5 %. Seven one sigma
apart (+-3 sigma) gave 3.44 and -2.5 %, rms 4.3 % (their components too wide
to linearise); seven +-2 sigma (stop 35's split) 3.14 and -1.2 %, but in the
mission a run whose catalogue error was 3.15 sigma along-track sat beyond the
outermost component for the whole angles-only phase (NEES 11; issue #15's
note, stop 36).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence

import numpy as np

from fsw.core import relative as rel

#: mean motion of the default target's 500 km orbit [rad/s]
N = 0.0011068
#: the mission's geometry at the first detection: 3.4 km below, 25.8 km
#: behind, drifting forward (campaign c1's seed-1 run, m and m/s, Hill)
X0 = (-3411.0, -25750.0, -117.0, 0.5, 6.7, -0.6)


def bearings(x: np.ndarray) -> np.ndarray:
    """Azimuth and elevation of the line of sight -x (Hill)."""
    rho = -np.asarray(x[:3], float)
    return np.array([math.atan2(rho[1], rho[0]), math.atan2(rho[2], math.hypot(rho[0], rho[1]))])


def jacobian(x: np.ndarray) -> np.ndarray:
    """d(azimuth, elevation)/d(state), 2 x 6."""
    rho = -np.asarray(x[:3], float)
    s2 = rho[0] ** 2 + rho[1] ** 2
    s, r2 = math.sqrt(s2), s2 + rho[2] ** 2
    d = np.array([[-rho[1] / s2, rho[0] / s2, 0.0],
                  [-rho[0] * rho[2] / (r2 * s), -rho[1] * rho[2] / (r2 * s), s / r2]])
    H = np.zeros((2, 6))
    H[:, :3] = -d
    return H


def wrap(y: np.ndarray) -> np.ndarray:
    """(azimuth, elevation) with the azimuth wrapped to [-pi, pi)."""
    y = np.array(y, float)
    y[0] = (y[0] + math.pi) % (2.0 * math.pi) - math.pi
    return y


def accel_noise(psd: float, dt: float) -> np.ndarray:
    """Discrete process noise of white acceleration of PSD ``psd`` per axis
    over ``dt`` (double integrator), 6 x 6."""
    Q = np.zeros((6, 6))
    for i in range(3):
        Q[i, i], Q[i + 3, i + 3] = psd * dt**3 / 3.0, psd * dt
        Q[i, i + 3] = Q[i + 3, i] = psd * dt**2 / 2.0
    return Q


def _noise(h: np.ndarray, sigma: float, sigma_el: float | None = None) -> np.ndarray:
    s_el = sigma if sigma_el is None else sigma_el
    return np.diag([(sigma / math.cos(h[1])) ** 2, s_el**2])


def iekf_update(x: np.ndarray, P: np.ndarray, z: np.ndarray, sigma: float,
                iters: int = 8, sigma_el: float | None = None
                ) -> tuple[np.ndarray, np.ndarray, float]:
    """The iterated EKF's bearing update (Gauss-Newton from the prior, Joseph
    form with the last iterate's gain) and the log-likelihood of z at the
    prior's linearisation. ``sigma`` is the cross-line-of-sight bearing
    1-sigma (the azimuth's is sigma / cos(elevation)); ``sigma_el`` the
    elevation's when it differs."""
    H0 = jacobian(x)
    S0 = H0 @ P @ H0.T + _noise(bearings(x), sigma, sigma_el)
    y0 = wrap(z - bearings(x))
    ll = -0.5 * float(y0 @ np.linalg.solve(S0, y0)) - 0.5 * math.log(np.linalg.det(S0))
    xi = x.copy()
    for _ in range(iters):
        H = jacobian(xi)
        R = _noise(bearings(xi), sigma, sigma_el)
        K = P @ H.T @ np.linalg.inv(H @ P @ H.T + R)
        xn = x + K @ (wrap(z - bearings(xi)) - H @ (x - xi))
        done = np.linalg.norm(xn[:3] - xi[:3]) <= 1e-9 * np.linalg.norm(xi[:3])
        xi = xn
        if done:
            break
    A = np.eye(6) - K @ H
    P1 = A @ P @ A.T + K @ R @ K.T
    return xi, 0.5 * (P1 + P1.T), ll


def catalogue_prior(n: float = N) -> np.ndarray:
    """The navigation's start covariance with a catalogue notice of 200 / 2000
    / 200 m and 0.004 m/s drift (gnc_nav.c nav_target_cov) plus its p0."""
    sR, sT, sN, sD = 200.0, 2000.0, 200.0, 0.004
    P = np.diag([100.0, 100.0, 100.0, 1e-3, 1e-3, 1e-3])
    P += np.diag([sR**2, sT**2, sN**2, (n * sR) ** 2, 4.0 * (n * sR) ** 2 + sD**2, (n * sN) ** 2])
    P[0, 4] = P[4, 0] = -2.0 * n * sR**2
    return P


#: the bank's span: component means at most this many prior sigmas from the
#: middle, one sigma apart at most (gnc_nav.c NAV_BANK_SPAN)
BANK_SPAN = 3.0


def _weights(u: np.ndarray, a: float) -> tuple[np.ndarray, float]:
    w = np.array([math.exp(-a * ui * ui) for ui in u])
    w /= w.sum()
    return w, float(w @ u**2)


def split(x: np.ndarray, P: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """k components of (x, P) along the line of sight e, as the flight
    bank splits (gnc_nav.c ``nav_bank_split``): means h prior sigmas apart,
    h = min(1, 2 BANK_SPAN / (k - 1)) (u_j = h (j - (k - 1) / 2): +-3 sigma
    from 7 components on), each with h / 2 as its own sigma there; weights
    exp(-a u_j^2) with a such that m2 = sum w u^2 = 1 - h^2 / 4 (equal
    weights where even they spread less, the components' own variance then
    1 - m2); with s^2 = e' P e and g = P e / s^2 the means x + g u_j s and
    the covariances P - g g' s^2 m2: the mixture has the prior's mean and
    covariance."""
    if k <= 1:
        return [(x.copy(), P.copy(), 1.0)]
    e = np.r_[-x[:3] / np.linalg.norm(x[:3]), np.zeros(3)]
    var = float(e @ P @ e)
    s = math.sqrt(var)
    g = P @ e / var
    h = min(1.0, 2.0 * BANK_SPAN / (k - 1))
    u = h * (np.arange(k) - 0.5 * (k - 1))
    target = 1.0 - 0.25 * h * h
    w, m2 = _weights(u, 0.0)
    if m2 > target:
        lo, hi = 0.0, 1.0
        while _weights(u, hi)[1] > target:
            hi *= 2.0
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            if _weights(u, mid)[1] > target:
                lo = mid
            else:
                hi = mid
        w, m2 = _weights(u, hi)
    Pc = P - np.outer(g, g) * (var * m2)
    return [(x + g * (ui * s), Pc.copy(), float(wi)) for ui, wi in zip(u, w, strict=True)]


def monte_carlo(runs: int, steps: int, bank: int, seed: int = 3, dt: float = 1.0,
                sigma: float = math.radians(0.02), psd: float = 1e-10,
                x0: Sequence[float] = X0) -> dict[str, np.ndarray]:
    """Per run and step: position NEES of the mixture and signed range error
    over range."""
    rng = np.random.default_rng(seed)
    phi = rel.cw_stm(N, dt)
    Q = accel_noise(psd, dt)
    Lq = np.linalg.cholesky(Q)
    P0 = catalogue_prior()
    L0 = np.linalg.cholesky(P0)
    nees = np.zeros((runs, steps))
    frac = np.zeros((runs, steps))
    for r in range(runs):
        x = np.asarray(x0, float).copy()
        comps = split(x + L0 @ rng.normal(size=6), P0, bank)
        for j in range(steps):
            x = phi @ x + Lq @ rng.normal(size=6)
            h = bearings(x)
            z = h + np.array([sigma / math.cos(h[1]), sigma]) * rng.normal(size=2)
            upd, lls = [], []
            for xc, Pc, w in comps:
                xu, Pu, ll = iekf_update(phi @ xc, phi @ Pc @ phi.T + Q, z, sigma)
                upd.append((xu, Pu))
                lls.append(ll + math.log(max(w, 1e-300)))
            a = np.exp(np.asarray(lls) - max(lls))
            a /= a.sum()
            comps = [(xu, Pu, float(wi)) for (xu, Pu), wi in zip(upd, a, strict=True)]
            xm = sum(wi * xu for (xu, _), wi in zip(upd, a, strict=True))
            Pm = sum(wi * (Pu + np.outer(xu - xm, xu - xm))
                     for (xu, Pu), wi in zip(upd, a, strict=True))
            e = xm - x
            nees[r, j] = float(e[:3] @ np.linalg.solve(Pm[:3, :3], e[:3]))
            frac[r, j] = (np.linalg.norm(xm[:3]) - np.linalg.norm(x[:3])) / np.linalg.norm(x[:3])
    return {"nees": nees, "frac": frac}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--steps", type=int, default=1500, help="1 s steps")
    p.add_argument("--bank", type=int, default=7, help="components (1: the flight filter)")
    p.add_argument("--seed", type=int, default=3)
    a = p.parse_args(argv)
    if a.runs < 1 or a.steps < 10 or a.bank < 1:
        p.error("--runs >= 1, --steps >= 10 and --bank >= 1")
    out = monte_carlo(a.runs, a.steps, a.bank, a.seed)
    tenths = lambda v: v.reshape(v.shape[0], 10, -1).mean(axis=2).mean(axis=0)  # noqa: E731
    cut = a.steps - a.steps % 10
    nees, frac = out["nees"][:, :cut], out["frac"][:, :cut]
    print(f"bank {a.bank}: NEES {nees.mean():.2f}; by tenth {np.round(tenths(nees), 2)}")
    print(f"range error / range, mean by tenth {np.round(tenths(frac), 4)}")
    print(f"rms by tenth {np.round(np.sqrt(tenths(frac**2)), 4)}")
    print(json.dumps({"bank": a.bank, "runs": a.runs, "steps": a.steps,
                      "nees_mean": float(nees.mean()),
                      "range_bias_end": float(tenths(frac)[-1]),
                      "range_rms_end": float(np.sqrt(tenths(frac**2))[-1])}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
