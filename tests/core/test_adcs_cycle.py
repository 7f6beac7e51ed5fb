"""The ADCS cycle (gnc_adcs_cycle, ``GuidanceCore.adcs_cycle``): the ADCS
step on an input struct kept in place, with the WHEEL_CMD packet written by
the core. Checked against the path it replaces in the ADCS task: the same
inputs as an :class:`AdcsInput` through ``adcs_step`` (outputs bit for bit)
and the packet dictionary building WHEEL_CMD of its ``wheel_cmd`` (octet for
octet), on random inputs, times on and between CUC ticks, three and four
wheels; locally (cffi) and through the dispatcher (the board's packets).
Bad input gives a typed error and runs nothing."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from fsw.core.attitude import (
    ST_HEADS_MAX,
    WHEEL_CMD_LEN,
    WHEELS_MAX,
    AdcsConfig,
    AdcsCycle,
    AdcsInput,
    AdcsMode,
)
from fsw.core.dispatch import DispatchLink
from fsw.core.errors import (
    GncDomainError,
    GncError,
    GncInputError,
    GncRangeError,
    GncStateError,
)
from fsw.core.guidance import GuidanceCore, LocalCore, PacketCore
from fsw.packets import DICTIONARY, PacketBuildError

WHEEL_CMD = DICTIONARY["WHEEL_CMD"]
_PYRAMID = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.577, 0.577, 0.577) + (0.0,) * 6


def _config(wheels: int) -> AdcsConfig:
    cfg = AdcsConfig(unload_gain=0.002, coarse_sigma=0.03)
    cfg.mekf.st_heads = ST_HEADS_MAX
    cfg.mekf.st_boresight_B = (0.0, 1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0)
    if wheels == 4:
        cfg.wheel_count, cfg.wheel_axes_B = 4, _PYRAMID
    return cfg


def _quat(rng: np.random.Generator) -> tuple[float, ...]:
    q = rng.normal(size=4)
    return tuple((q / np.linalg.norm(q)).tolist())


def _vec(rng: np.random.Generator, n: int, scale: float = 1.0) -> tuple[float, ...]:
    return tuple(rng.normal(0.0, scale, n).tolist())


def _time(rng: np.random.Generator) -> float:
    """TAI: anywhere, on a CUC tick, or half-way between two (ties to even)."""
    coarse = 2.0e9 + float(rng.integers(0, 10**6))
    kind = rng.integers(3)
    if kind == 0:
        return coarse + float(rng.random())
    ticks = int(rng.integers(0, 65536))
    return coarse + (ticks + (0.5 if kind == 2 else 0.0)) / 65536.0


def _input(rng: np.random.Generator, k: int) -> AdcsInput:
    """A cycle's inputs as the ADCS task gives them (sensors valid or not)."""
    inp = AdcsInput(mode=int(rng.choice(list(AdcsMode))), time_tai=_time(rng))
    if rng.random() < 0.9:
        inp.gyro_B = _vec(rng, 3, 1e-3)
    if rng.random() < 0.8:
        inp.mag_B = _vec(rng, 3, 3e-5)
    inp.wheel_speed = _vec(rng, k, 50.0) + (0.0,) * (WHEELS_MAX - k)
    inp.tach_new = bool(rng.random() < 0.3)
    inp.wheel_ok = int(rng.integers(0, 1 << k))
    inp.q_target_BN = _quat(rng)
    if rng.random() < 0.5:
        inp.r_target_N, inp.v_target_N = _vec(rng, 3, 1e3), _vec(rng, 3, 1.0)
        inp.target_age = float(rng.random())
    if rng.random() < 0.8:
        inp.sun_N, inp.normal_N = _vec(rng, 3), _vec(rng, 3)
    if rng.random() < 0.4:
        inp.sun_B = _vec(rng, 3)
    inp.r_N = _vec(rng, 3, 7e6)
    if rng.random() < 0.6:
        inp.heads = {int(h): _quat(rng)
                     for h in rng.choice(ST_HEADS_MAX, size=rng.integers(1, 4), replace=False)}
    return inp


def fill(cyc: AdcsCycle, inp: AdcsInput) -> None:
    """Write every member of ``inp`` into the cycle's input struct."""
    flat: list[Any] = []
    for v in inp.fields().values():
        flat += list(v) if isinstance(v, tuple | list) else [v]
    cyc.setter("gyro_B", "sun_valid")(*flat)


def old_cycle(core: GuidanceCore, inp: AdcsInput, seq: int, k: int) -> tuple[Any, bytes]:
    """The ADCS task's cycle before gnc_adcs_cycle: the step, then WHEEL_CMD
    built by the dictionary of the first k wheels' commands."""
    out = core.adcs_step(inp)
    torque = out.values("wheel_cmd")[:k] + (0.0,) * (4 - k)
    return out, WHEEL_CMD.build(t_tai=inp.time_tai, seq=seq, torque=torque)


def _cores(kind: str) -> tuple[GuidanceCore, GuidanceCore]:
    if kind == "local":
        return LocalCore(), LocalCore()
    return PacketCore(DispatchLink(), clock=lambda: 1.0e9), LocalCore()


@pytest.mark.parametrize("kind", ["local", "packets"])
@pytest.mark.parametrize("wheels", [3, 4])
def test_cycle_is_the_step_then_the_dictionarys_wheel_packet(kind: str, wheels: int) -> None:
    rng = np.random.default_rng(180 + wheels)
    new, old = _cores(kind)
    for core in (new, old):
        core.adcs_configure(_config(wheels))
    cyc = AdcsCycle()
    n = 1500 if kind == "local" else 300
    ran = 0
    for i in range(n):
        inp, seq = _input(rng, wheels), int(rng.integers(0, 0x4000))
        fill(cyc, inp)
        try:
            ref, ref_pkt = old_cycle(old, inp, seq, wheels)
        except GncError as exc:  # the same typed error, nothing written
            with pytest.raises(type(exc)):
                new.adcs_cycle(cyc, seq)
            continue
        pkt = new.adcs_cycle(cyc, seq)
        assert pkt == ref_pkt, i
        assert cyc.result() == ref, i  # every output, bit for bit
        ran += 1
    assert ran > n * 0.9


def test_the_packet_carries_the_cycles_time_and_count() -> None:
    core = LocalCore()
    core.adcs_configure(_config(4))
    cyc = AdcsCycle()
    fill(cyc, AdcsInput(mode=AdcsMode.RATE_DAMP, gyro_B=(0.01, -0.02, 0.005),
                        time_tai=2.0e9 + 2.5 / 65536.0))  # a tie: fine time 2 (even)
    pkt = core.adcs_cycle(cyc, 0x3FFF)
    assert len(pkt) == WHEEL_CMD_LEN == WHEEL_CMD.size
    rec = WHEEL_CMD.parse(pkt)
    assert rec.seq == 0x3FFF and rec.t_tai == 2.0e9 + 2.0 / 65536.0
    assert rec.torque == cyc.getter("wheel_cmd")()[:4] and any(rec.torque)
    assert cyc.packet() == pkt


def test_the_struct_starts_at_identity_quaternions() -> None:
    r = AdcsCycle().inputs()
    assert tuple(r.q_st_BN) == tuple(r.q_target_BN) == (1.0, 0.0, 0.0, 0.0)
    assert tuple(r.q_heads) == (1.0, 0.0, 0.0, 0.0) * ST_HEADS_MAX
    assert not any(r.gyro_B) and r.mode == 0 and r.head_mask == 0


def test_setters_write_the_members_getters_read_them() -> None:
    cyc = AdcsCycle()
    cyc.item_setter("q_heads", 4, 4)(0.5, 0.5, 0.5, 0.5)
    cyc.setter("wheel_ok", "mode")(7, 1, 0, 1, 1, 3)
    r = cyc.inputs()
    assert tuple(r.q_heads[4:8]) == (0.5,) * 4 and tuple(r.q_heads[:4]) == (1.0, 0.0, 0.0, 0.0)
    assert (r.wheel_ok, r.tach_new, r.mag_valid, r.gyro_valid, r.mode) == (7, 1, 1, 1, 3)
    assert cyc.getter("mode", "flags")() == (0, 0)
    with pytest.raises(ValueError):
        cyc.item_setter("q_heads", 10, 4)


@pytest.mark.parametrize("kind", ["local", "packets"])
def test_bad_input_is_a_typed_error_and_runs_nothing(kind: str) -> None:
    """Out-of-range counts, times the CUC cannot carry (which the dictionary
    refuses too), too many wheels for the packet, an unconfigured core and a
    wrong argument: typed errors; the cycle after them is the one a core that
    never saw them gives (the step did not run)."""
    core, twin = _cores(kind)
    unconfigured = core
    with pytest.raises(GncStateError):
        unconfigured.adcs_cycle(AdcsCycle(), 0)
    for c in (core, twin):
        c.adcs_configure(_config(4))
    good = AdcsInput(mode=AdcsMode.RATE_DAMP, gyro_B=(0.01, 0.0, 0.0), time_tai=2.0e9)
    cyc = AdcsCycle()
    fill(cyc, good)
    for seq in (-1, 0x4000):
        with pytest.raises(GncRangeError):
            core.adcs_cycle(cyc, seq)
    for t in (math.nan, math.inf, -1.0, 2.0**32, -math.inf):
        with pytest.raises(PacketBuildError):
            WHEEL_CMD.build(t_tai=t, seq=0, torque=(0.0,) * 4)
        bad = AdcsCycle()
        fill(bad, good)
        bad.setter("time_tai")(t)
        with pytest.raises((GncDomainError, GncInputError)):
            core.adcs_cycle(bad, 0)
    if kind == "local":
        with pytest.raises(GncInputError):
            core.adcs_cycle(cyc, 2**70)
    with pytest.raises(GncInputError):
        core.adcs_cycle("not a cycle", 0)  # type: ignore[arg-type]
    ref = AdcsCycle()
    fill(ref, good)
    assert core.adcs_cycle(cyc, 5) == twin.adcs_cycle(ref, 5)
    assert cyc.result() == ref.result()
    five = _config(4)
    five.wheel_count, five.wheel_axes_B = 5, _PYRAMID[:12] + (0.0, 0.577, -0.577) + (0.0,) * 3
    core.adcs_configure(five)
    with pytest.raises(GncRangeError):  # WHEEL_CMD carries four wheels
        core.adcs_cycle(cyc, 0)
