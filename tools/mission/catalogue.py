"""The target's orbit as a public catalogue knows it (issue #15, build 2): the
truth with an error drawn once per run, for the launch notice.

The error is a relative state in the true target's Hill frame (x radial, y
along-track, z cross-track), with the scenario's 1-sigma ``sR, sT, sN``
(``target.catalogue_sigma_rtn_m``) and drift ``sE``
(``target.catalogue_drift_sigma_mps``), from six standard normal draws
``g`` of the simulation core's generator (bit-specified, :mod:`hil.sim`),
seeded with the run's seed on a stream of its own::

    x  = sR g0          vx = n sR g3
    y  = sT g1          vy = -2 n x + sE g4
    z  = sN g2          vz = n sN g5

A bounded error (an along-track offset, a radial and a cross-track
oscillation of random phase) plus a secular along-track drift of
``-3 sE`` m/s (Clohessy-Wiltshire: ``y`` drifts by ``-(6 n x + 3 vy) t``).
The navigation's covariance of the notice (``gnc_nav.h``, ``target_sigma``)
is the covariance of this very model. The notice's state is the true
target's displaced by this relative state (:func:`fsw.core.ephem.inertial_from_hill`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from fsw.core.ephem import inertial_from_hill

__all__ = ["CATALOGUE_STREAM", "catalogue_error", "catalogue_state"]

#: the generator's stream of the catalogue error ("CATALOG" in ASCII), apart
#: from the world's sensor and process streams
CATALOGUE_STREAM = 0x434154414C4F47


def _normals(seed: int, count: int) -> list[float]:
    from hil.sim._native import check, ffi, lib

    rng = ffi.new("sim_rng *")
    check(lib.sim_rng_seed(rng, seed, CATALOGUE_STREAM), "catalogue: rng seed")
    out = ffi.new("double[]", count)
    check(lib.sim_rng_normal(rng, out, count), "catalogue: rng normal")
    return [float(out[i]) for i in range(count)]


def catalogue_error(seed: int, sigma_rtn_m: Sequence[float], drift_sigma_mps: float,
                    n: float) -> tuple[float, ...]:
    """The catalogue's error ``[x, y, z, vx, vy, vz]`` (Hill, m and m/s) of
    the run of ``seed``, at mean motion ``n`` (rad/s): see the module."""
    sr, st, sn = (float(s) for s in sigma_rtn_m)
    g = _normals(int(seed), 6)
    x = sr * g[0]
    return (x, st * g[1], sn * g[2], n * sr * g[3], -2.0 * n * x + drift_sigma_mps * g[4],
            n * sn * g[5])


def catalogue_state(r_N: Sequence[float], v_N: Sequence[float], seed: int,
                    sigma_rtn_m: Sequence[float], drift_sigma_mps: float,
                    mu: float) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """The catalogue's state ``(r, v)`` (GCRF) of the true target ``(r_N,
    v_N)``, and the error drawn (Hill). With every sigma 0 the truth itself."""
    if not any(float(s) > 0.0 for s in (*sigma_rtn_m, drift_sigma_mps)):
        return tuple(map(float, r_N)), tuple(map(float, v_N)), (0.0,) * 6
    r = math.sqrt(sum(float(c) * float(c) for c in r_N))
    n = math.sqrt(mu / (r * r * r))
    err = catalogue_error(seed, sigma_rtn_m, drift_sigma_mps, n)
    rc, vc = inertial_from_hill(r_N, v_N, err)
    return tuple(map(float, rc)), tuple(map(float, vc)), err
