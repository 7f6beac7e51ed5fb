"""Measurements of a board link, shared by ``fsw bench`` and
``tools/bench/hil.py``: round-trip latency, calls per second, on-board
execution cycles per call (from BOARD_STATUS) and link efficiency."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fsw.packets.enums import BoardFlag
from hil.board.calls import guidance_call_source
from hil.board.link import BoardLink
from hil.serial.framing import ASM

__all__ = [
    "CallTiming",
    "LatencyStats",
    "board_summary",
    "efficiency",
    "measure",
    "time_guidance_calls",
    "uart_line_seconds",
]

UART_BITS_PER_OCTET = 10  # 8N1: start, 8 data, stop


@dataclass
class LatencyStats:
    """Round trips of one measurement."""

    rtt_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def p50_ms(self) -> float:
        """Median round trip (ms)."""
        return float(np.percentile(self.rtt_s, 50) * 1e3) if self.rtt_s else float("nan")

    @property
    def p99_ms(self) -> float:
        """99th-percentile round trip (ms)."""
        return float(np.percentile(self.rtt_s, 99) * 1e3) if self.rtt_s else float("nan")

    @property
    def calls_per_s(self) -> float:
        """Calls completed per second of wall time."""
        return len(self.rtt_s) / self.wall_s if self.wall_s > 0 else float("nan")


def measure(call: Callable[[], object], n: int, warmup: int = 10) -> LatencyStats:
    """Time ``n`` calls of ``call`` (after ``warmup`` untimed ones)."""
    for _ in range(warmup):
        call()
    out = LatencyStats()
    t_start = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        out.rtt_s.append(time.perf_counter() - t0)
    out.wall_s = time.perf_counter() - t_start
    return out


def efficiency(packet_octets: int, frames: int = 2) -> float:
    """Packet octets over line octets of ``frames`` frames carrying them in
    all (the ASM of each is the overhead)."""
    return packet_octets / (packet_octets + frames * len(ASM))


def uart_line_seconds(line_octets: int, baud: int = 115200) -> float:
    """Time the octets take on a UART at ``baud`` (8N1)."""
    return line_octets * UART_BITS_PER_OCTET / baud


def board_summary(link: BoardLink) -> dict[str, object]:
    """The board's own view: clock, cycles per call, its counters."""
    st = link.status
    if st is None:
        return {}
    flags = BoardFlag(int(st.flags))
    host = BoardFlag.HOST_BUILD in flags
    kind = "virtual (host build)" if host else "QEMU" if BoardFlag.EMULATED in flags else "silicon"
    source = "DWT" if BoardFlag.DWT_CYCLES in flags else "host ns" if host else "SysTick"
    calls = int(st.calls)
    return {
        "board": kind,
        "core_hz": int(st.core_hz),
        "cycle_source": source,
        "calls": calls,
        "cycles_mean": (int(st.total_cycles) / calls) if calls else None,
        "cycles_max": int(st.max_cycles),
        "board_crc_errors": int(st.crc_errors),
        "board_length_errors": int(st.length_errors),
        "board_timeouts": int(st.timeouts),
        "board_uart_overruns": int(st.uart_overruns),
    }


@dataclass
class CallTiming:
    """One timing of the guidance call on a board (:func:`time_guidance_calls`)."""

    echo: LatencyStats  # the bare echo (BOARD_PING, no payload): the anchor
    call: LatencyStats  # the guidance call
    label: str  # what the call is
    sizes: tuple[int, int]  # request and response packet octets
    line_octets: int  # octets on the line, both ways, during the timed calls
    board: dict[str, object]  # the board's own view after the calls (board_summary)


def time_guidance_calls(link: BoardLink, calls: int, echoes: int = 50) -> CallTiming:
    """Time ``echoes`` bare echoes, then ``calls`` guidance calls
    (:func:`~hil.board.calls.guidance_call_source`), then wait for fresh
    BOARD_STATUS heartbeats so the board's cycle counts cover the calls."""
    echo = measure(lambda: link.ping(b""), echoes)
    call, label, sizes = guidance_call_source(link)
    tx0, rx0 = link.stats.bytes_tx, link.stats.bytes_rx
    lat = measure(call, calls)
    link.check(0.45)  # two fresh heartbeats with the cycle counts
    line = (link.stats.bytes_tx - tx0) + (link.stats.bytes_rx - rx0)
    return CallTiming(echo, lat, label, sizes, line, board_summary(link))
