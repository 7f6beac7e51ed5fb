"""Relative-motion guidance the autonomy task plans with, behind one small
interface (:class:`RelGuidance`): Clohessy-Wiltshire two-impulse targeting,
closest approach over a horizon, and the natural-motion circumnavigation.

:class:`CwGuidance` is the closed-form CW solution in numpy (Hill frame of a
circular reference orbit of mean motion ``n``: x radial, y along-track, z
normal). The guidance core (``fsw.core``) offers the same computations in C;
the task takes whichever object it is given.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

__all__ = ["CwGuidance", "RelGuidance", "nmc_state"]


class RelGuidance(Protocol):
    """What the rendezvous planner needs from the relative-motion guidance."""

    def propagate(
        self, rho: np.ndarray, v: np.ndarray, n: float, t: float
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def transfer(
        self, rho0: np.ndarray, v0: np.ndarray, rhof: np.ndarray, n: float, tof: float
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def closest_approach(
        self, rho: np.ndarray, v: np.ndarray, n: float, horizon: float
    ) -> tuple[float, float]: ...


def _stm(n: float, t: float) -> np.ndarray:
    s, c = math.sin(n * t), math.cos(n * t)
    return np.array(
        [
            [4 - 3 * c, 0, 0, s / n, 2 * (1 - c) / n, 0],
            [6 * (s - n * t), 1, 0, -2 * (1 - c) / n, (4 * s - 3 * n * t) / n, 0],
            [0, 0, c, 0, 0, s / n],
            [3 * n * s, 0, 0, c, 2 * s, 0],
            [-6 * n * (1 - c), 0, 0, -2 * s, 4 * c - 3, 0],
            [0, 0, -n * s, 0, 0, c],
        ]
    )


class CwGuidance:
    """Clohessy-Wiltshire guidance. With a guidance core (``core``, a
    :class:`fsw.core.guidance.GuidanceCore`) the two-impulse targeting and the
    closest approach run in the core (locally or on the board); without one,
    in the closed form here (the tests' independent reference)."""

    def __init__(self, core=None) -> None:
        self.core = core

    def stm(self, n: float, t: float) -> np.ndarray:
        """6x6 state transition matrix of [rho, rho_dot] over ``t``."""
        return _stm(n, t)

    def propagate(
        self, rho: np.ndarray, v: np.ndarray, n: float, t: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Coast the relative state over ``t`` seconds."""
        x = _stm(n, t) @ np.concatenate((rho, v))
        return x[:3], x[3:]

    def transfer(
        self, rho0: np.ndarray, v0: np.ndarray, rhof: np.ndarray, n: float, tof: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Two-impulse transfer: the velocity needed at ``rho0`` to reach ``rhof``
        after ``tof``, and the arrival velocity. ``v0`` is unused by the
        solution (the first Δv is the returned velocity minus it). ValueError
        when ``tof`` is a multiple of the period (singular)."""
        if self.core is not None:
            from fsw.core.errors import GncError

            try:
                dv1, _ = self.core.cw_targeting(n, np.concatenate((rho0, v0)), rhof, tof)
            except GncError as exc:
                raise ValueError(str(exc)) from None
            v_req = v0 + dv1
            return v_req, self.propagate(rho0, v_req, n, tof)[1]
        phi = _stm(n, tof)
        rr, rv, vr, vv = phi[:3, :3], phi[:3, 3:], phi[3:, :3], phi[3:, 3:]
        if abs(np.linalg.det(rv)) < 1e-9 * (tof**3 + 1.0):
            raise ValueError("CW transfer time is singular (multiple of the period)")
        v_req = np.linalg.solve(rv, rhof - rr @ rho0)
        return v_req, vr @ rho0 + vv @ v_req

    def closest_approach(
        self, rho: np.ndarray, v: np.ndarray, n: float, horizon: float
    ) -> tuple[float, float]:
        """Time and distance of the closest approach to the origin over
        [0, horizon], sampled at 60 points per orbit then refined."""
        if horizon <= 0:
            return 0.0, float(np.linalg.norm(rho))
        if self.core is not None:
            t, d, _ = self.core.closest_approach(n, np.concatenate((rho, v)), horizon)
            return t, d
        period = 2 * math.pi / n
        m = max(8, math.ceil(60 * horizon / period))
        ts = np.linspace(0.0, horizon, m + 1)
        x0 = np.concatenate((rho, v))
        s, c = np.sin(n * ts), np.cos(n * ts)
        x = (4 - 3 * c) * x0[0] + s / n * x0[3] + 2 * (1 - c) / n * x0[4]
        y = (
            6 * (s - n * ts) * x0[0]
            + x0[1]
            - 2 * (1 - c) / n * x0[3]
            + (4 * s - 3 * n * ts) / n * x0[4]
        )
        z = c * x0[2] + s / n * x0[5]
        d = np.sqrt(x * x + y * y + z * z)
        k = int(np.argmin(d))
        lo, hi = ts[max(0, k - 1)], ts[min(m, k + 1)]
        # golden-section refinement on the bracketing interval
        g = (math.sqrt(5) - 1) / 2

        def dist(t: float) -> float:
            return float(np.linalg.norm(self.propagate(rho, v, n, t)[0]))

        a, b = lo, hi
        for _ in range(40):
            c1, c2 = b - g * (b - a), a + g * (b - a)
            if dist(c1) < dist(c2):
                b = c2
            else:
                a = c1
        t = 0.5 * (a + b)
        return t, dist(t)


def nmc_state(radius: float, phase: float, n: float) -> tuple[np.ndarray, np.ndarray]:
    """State on the constant-range natural-motion circumnavigation of
    ``radius`` at ``phase`` (rad): in-plane 2:1 ellipse (radial radius/2,
    along-track radius) and a cross-track oscillation of amplitude
    ``radius*sqrt(3)/2`` in phase with the radial one, so |rho| = radius
    everywhere; phase pi/2 is the point on V-bar behind the target."""
    b = radius / 2
    zc = radius * math.sqrt(3) / 2
    s, c = math.sin(phase), math.cos(phase)
    rho = np.array([b * c, -2 * b * s, zc * c])
    v = np.array([-b * n * s, -2 * b * n * c, -zc * n * s])
    return rho, v
