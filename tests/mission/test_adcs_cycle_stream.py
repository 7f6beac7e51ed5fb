"""The ADCS task's cycle through ``GuidanceCore.adcs_cycle`` (the core writes
the WHEEL_CMD packet, the inputs stay in the core's input struct) flies the
short scenario to the same packet stream as the path it replaced (the
inputs as an ``AdcsInput`` through ``adcs_step``, WHEEL_CMD built by the
packet dictionary) and as the core behind packets (the board's path)."""

from __future__ import annotations

from typing import Any

import pytest

from fsw.core.attitude import ST_HEADS_MAX, AdcsConfig, AdcsCycle, AdcsInput
from fsw.core.dispatch import DispatchLink
from fsw.core.guidance import LocalCore, PacketCore
from fsw.packets import DICTIONARY

WHEEL_CMD = DICTIONARY["WHEEL_CMD"]
ORBIT_S = 300.0


class OldPathCore(LocalCore):
    """``adcs_cycle`` as the ADCS task's cycle was before gnc_adcs_cycle."""

    def adcs_configure(self, config: AdcsConfig) -> None:
        super().adcs_configure(config)
        self.k = int(config.wheel_count)

    def adcs_cycle(self, cyc: AdcsCycle, seq: int) -> bytes:
        f = cyc.inputs()
        inp = AdcsInput(
            mode=f.mode, gyro_B=tuple(f.gyro_B) if f.gyro_valid else None,
            q_st_BN=tuple(f.q_st_BN) if f.st_valid else None,
            mag_B=tuple(f.mag_B) if f.mag_valid else None,
            wheel_speed=tuple(f.wheel_speed), q_target_BN=tuple(f.q_target_BN),
            r_target_N=tuple(f.r_target_N), v_target_N=tuple(f.v_target_N),
            target_age=f.target_age, sun_N=tuple(f.sun_N), normal_N=tuple(f.normal_N),
            wheel_ok=f.wheel_ok, tach_new=bool(f.tach_new),
            heads={h: tuple(f.q_heads[4 * h:4 * h + 4]) for h in range(ST_HEADS_MAX)
                   if f.head_mask >> h & 1},
            sun_B=tuple(f.sun_B) if f.sun_valid else None, r_N=tuple(f.r_N),
            time_tai=f.time_tai)
        out = self.adcs_step(inp)
        cyc.set_result(out)
        torque = out.values("wheel_cmd")[:self.k] + (0.0,) * (4 - self.k)
        return WHEEL_CMD.build(t_tai=f.time_tai, seq=seq, torque=torque)


def _fly(core: Any) -> tuple[str, int]:
    from fsw_tools.mission import fly

    from fsw import scenario

    res = fly(scenario.load_builtin("short_inspection"), duration_s=ORBIT_S, core=core)
    assert res.tasks["adcs"].faults == 0
    return res.packet_hash, res.packets


@pytest.fixture(scope="module")
def local() -> tuple[str, int]:
    return _fly(None)


def test_the_old_cycle_flies_the_same_stream(local: tuple[str, int]) -> None:
    assert _fly(OldPathCore()) == local


def test_the_cycle_behind_packets_flies_the_same_stream(local: tuple[str, int]) -> None:
    assert _fly(PacketCore(DispatchLink())) == local
