"""Benchmark of the hardware-in-the-loop link: round-trip latency and calls/s
of guidance calls over QEMU and over the virtual board, and the link
efficiency of the framing (packet octets over line octets) at 115200 baud.

Anchor, measured in the same run: a bare framed echo under QEMU (BOARD_PING
with no payload); the issue measured 2.3 ms median for it.

    python tools/bench/hil.py [--quick] [--calls N]

Ends with one JSON line: qemu_rtt_p50_ms, qemu_rtt_p99_ms,
virtual_rtt_p50_ms, link_efficiency.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# run as a script, this file's folder comes first on sys.path and its name
# would shadow the ``hil`` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from hil.board import (  # noqa: E402
    BoardLink,
    QemuBoard,
    VirtualBoard,
    build_firmware,
    connected_link,
    firmware_tools_missing,
)
from hil.board.bench import efficiency, time_guidance_calls, uart_line_seconds  # noqa: E402

BAUD = 115200


def _bench_board(name: str, link: BoardLink, calls: int) -> dict[str, object]:
    timing = time_guidance_calls(link, calls, echoes=max(50, calls // 4))
    echo, lat, sizes, board = timing.echo, timing.call, timing.sizes, timing.board
    print(f"{name}: {timing.label}")
    print(f"  bare echo (anchor): p50 {echo.p50_ms:.3f} ms  p99 {echo.p99_ms:.3f} ms")
    print(f"  guidance call:      p50 {lat.p50_ms:.3f} ms  p99 {lat.p99_ms:.3f} ms  "
          f"{lat.calls_per_s:.0f} calls/s  ({lat.p50_ms / echo.p50_ms:.2f}x the bare echo)")
    if board.get("cycles_mean") is not None:
        print(f"  on board: {board['cycles_mean']:.0f} cycles/call mean, {board['cycles_max']} max "
              f"({board['cycle_source']} at {board['core_hz'] / 1e6:.0f} MHz)")
    req, resp = sizes
    print(f"  request {req} + response {resp} packet octets; line octets this run "
          f"{timing.line_octets}; "
          f"at {BAUD} baud one call needs {uart_line_seconds(req + resp + 8, BAUD) * 1e3:.2f} ms "
          f"of line time")
    s = link.stats
    print(f"  link: frames rx {s.frames_rx} tx {s.frames_tx}, crc errors {s.crc_errors}, "
          f"resyncs {s.resyncs}, seq gaps {s.seq_gaps}")
    return {"echo": echo, "call": lat, "sizes": sizes}


def _with_board(board: QemuBoard | VirtualBoard, calls: int, name: str) -> dict[str, object]:
    with connected_link(board) as link:
        return _bench_board(name, link, calls)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures and the JSON line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    p.add_argument("--calls", type=int, default=None,
                   help="guidance calls per board (default 2000)")
    a = p.parse_args(argv)
    calls = a.calls or (200 if a.quick else 2000)

    virt = _with_board(VirtualBoard(lifetime=300.0), calls, "virtual board")
    missing = firmware_tools_missing()
    qemu: dict[str, object] | None = None
    if missing:
        print(f"QEMU board skipped: {missing}")
    else:
        build = build_firmware("all")
        qemu = _with_board(QemuBoard(build / "firmware.elf", lifetime=300.0), calls,
                           "QEMU board (netduinoplus2)")
    req, resp = virt["sizes"]  # type: ignore[misc]
    eff = (req + resp) / (req + resp + 8)
    print(f"link efficiency (packet octets / line octets, {BAUD} baud framing): {eff:.4f}  "
          f"(request {efficiency(req, 1):.4f}, response {efficiency(resp, 1):.4f}); "
          f"with the UART's start/stop bits {eff * 0.8:.4f} of the raw bit rate")
    q_call = qemu["call"] if qemu else None
    result = {
        "qemu_rtt_p50_ms": round(q_call.p50_ms, 4) if q_call else None,  # type: ignore[attr-defined]
        "qemu_rtt_p99_ms": round(q_call.p99_ms, 4) if q_call else None,  # type: ignore[attr-defined]
        "virtual_rtt_p50_ms": round(virt["call"].p50_ms, 4),  # type: ignore[attr-defined]
        "link_efficiency": round(eff, 4),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
