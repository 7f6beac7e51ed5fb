"""A rigid body with three reaction wheels in a dipole magnetic field, for
closed-loop tests of the ADCS step. Independent of the core: its own
kinematics (q_NB' = 1/2 q_NB (x) [0, w], the textbook body-to-inertial form),
scipy Rotation for frames, RK4 integration."""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

MU_E = 3.986004418e14
R_E = 6378137.0
B0 = 3.12e-5  # T, equatorial surface field of the dipole


def qmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    w1, x1, y1, z1 = a
    w2, x2, y2, z2 = b
    return np.array([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
                     w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                     w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
                     w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2])


def dcm_BN(q_BN: np.ndarray) -> np.ndarray:
    """C_BN (v_B = C_BN v_N) from scalar-first q_BN, via scipy."""
    return Rotation.from_quat([q_BN[1], q_BN[2], q_BN[3], q_BN[0]]).as_matrix()


def dcm_fast(q: np.ndarray) -> np.ndarray:
    """C_BN from scalar-first q_BN by the textbook formula (checked against
    :func:`dcm_BN` in the tests; used in the integrator for speed)."""
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def angle_between(q1: np.ndarray, q2: np.ndarray) -> float:
    """Rotation angle (rad) between two attitudes."""
    return float(2.0 * np.arccos(min(1.0, abs(float(np.dot(q1, q2))))))


class Spacecraft:
    """State: q_NB (body to inertial, scalar first), w (rad/s body), h_w (N m s)."""

    def __init__(self, inertia: np.ndarray, q_BN: np.ndarray, w: np.ndarray,
                 alt: float = 500e3, inc_deg: float = 51.6) -> None:
        self.J = np.asarray(inertia, float)
        self.Jinv = np.linalg.inv(self.J)
        self.q_NB = np.array([q_BN[0], -q_BN[1], -q_BN[2], -q_BN[3]], float)
        self.w = np.asarray(w, float).copy()
        self.h = np.zeros(3)
        self.t = 0.0
        self.a = R_E + alt
        self.n = np.sqrt(MU_E / self.a**3)
        self.inc = np.radians(inc_deg)

    @property
    def q_BN(self) -> np.ndarray:
        q = self.q_NB / np.linalg.norm(self.q_NB)
        return np.array([q[0], -q[1], -q[2], -q[3]])

    def b_N(self, t: float) -> np.ndarray:
        """Dipole field (T, inertial) at the orbit position at time t."""
        u = self.n * t
        r_hat = np.array([np.cos(u), np.sin(u) * np.cos(self.inc), np.sin(u) * np.sin(self.inc)])
        m_hat = np.array([0.0, 0.0, -1.0])
        return B0 * (R_E / self.a) ** 3 * (3.0 * np.dot(m_hat, r_hat) * r_hat - m_hat)

    def b_B(self) -> np.ndarray:
        return dcm_fast(self.q_BN) @ self.b_N(self.t)

    def _deriv(self, t: float, q: np.ndarray, w: np.ndarray, h: np.ndarray,
               wheel_cmd: np.ndarray, dipole: np.ndarray):
        qn = q / np.linalg.norm(q)
        q_BN = np.array([qn[0], -qn[1], -qn[2], -qn[3]])
        b_B = dcm_fast(q_BN) @ self.b_N(t)
        tau_ext = np.cross(dipole, b_B)
        dq = 0.5 * qmul(q, np.r_[0.0, w])
        dw = self.Jinv @ (tau_ext - wheel_cmd - np.cross(w, self.J @ w + h))
        return dq, dw, wheel_cmd

    def advance(self, dt: float, wheel_cmd: np.ndarray, dipole: np.ndarray, sub: int = 1) -> None:
        """RK4 over dt with zero-order-hold actuator commands."""
        h_ = dt / sub
        for _ in range(sub):
            q, w, hw, t = self.q_NB, self.w, self.h, self.t
            k1 = self._deriv(t, q, w, hw, wheel_cmd, dipole)
            k2 = self._deriv(t + h_ / 2, q + h_ / 2 * k1[0], w + h_ / 2 * k1[1],
                             hw + h_ / 2 * k1[2], wheel_cmd, dipole)
            k3 = self._deriv(t + h_ / 2, q + h_ / 2 * k2[0], w + h_ / 2 * k2[1],
                             hw + h_ / 2 * k2[2], wheel_cmd, dipole)
            k4 = self._deriv(t + h_, q + h_ * k3[0], w + h_ * k3[1], hw + h_ * k3[2],
                             wheel_cmd, dipole)
            self.q_NB = q + h_ / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
            self.q_NB /= np.linalg.norm(self.q_NB)
            self.w = w + h_ / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
            self.h = hw + h_ / 6 * (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2])
            self.t = t + h_
