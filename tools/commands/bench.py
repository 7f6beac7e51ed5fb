"""``fsw bench``: the guidance core on a board (a real STM32F4 on a serial
port, the firmware under QEMU, or the virtual board), driven over the serial
link: link statistics, round-trip latency, on-board execution cycles per
call, and a back-to-back comparison with the desktop core on the same
inputs. See docs/hil.md for flashing a real board."""

from __future__ import annotations

import argparse
import json
from typing import Any

from fsw.errors import UserError

DEFAULT_CALLS = 1000


def add_parser(subparsers: Any) -> None:
    """Register ``fsw bench``."""
    p = subparsers.add_parser(
        "bench",
        help="run the guidance core on a board over the serial link and measure it",
        description=__doc__,
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", metavar="PORT",
                       help="serial port or pyserial URL of a real board, e.g. /dev/ttyACM0 "
                            "(the Nucleo's ST-LINK virtual COM port), socket://host:port")
    where.add_argument("--qemu", action="store_true",
                       help="build the firmware and run it under qemu-system-arm "
                            "(-M netduinoplus2)")
    where.add_argument("--virtual", action="store_true",
                       help="the virtual board: the host build of the core behind a pty")
    p.add_argument("scenario", nargs="?", default=None,
                   help="scenario to run with the core on the board (TOML); without it the "
                        "bench replays its recorded guidance calls")
    p.add_argument("--calls", type=int, default=DEFAULT_CALLS,
                   help=f"guidance calls to time and to compare (default {DEFAULT_CALLS})")
    p.add_argument("--baud", type=int, default=115200,
                   help="baud rate of a real port (default 115200; QEMU and ptys ignore it)")
    p.add_argument("--timeout", type=float, default=1.0,
                   help="seconds to wait for each answer (default 1.0)")
    p.add_argument("--json", action="store_true",
                   help="also print the results as one JSON line at the end")
    p.set_defaults(func=run)


def _open_board(args: argparse.Namespace) -> tuple[Any, str]:
    from hil.board import QemuBoard, VirtualBoard, build_firmware

    if args.qemu:
        build = build_firmware("all")
        board = QemuBoard(build / "firmware.elf", lifetime=3600.0)
        return board, board.start()
    if args.virtual:
        vboard = VirtualBoard(lifetime=3600.0)
        return vboard, vboard.start()
    return None, args.port


def _back_to_back(link: Any, n: int) -> list[Any]:
    """Board (PacketCore over the link) vs desktop (LocalCore) on n recorded calls."""
    from fsw.core.guidance import LocalCore, PacketCore
    from hil.board.calls import compare_sessions, recorded_calls, replay

    calls = list(recorded_calls(n))
    board = replay(PacketCore(link, timeout=2.0), calls)
    return compare_sessions(board, replay(LocalCore(), calls))


def run(args: argparse.Namespace) -> int:
    """Run the bench; 0 on success, 1 when the link or the comparison fails."""
    from hil.board import BoardLink
    from hil.board.bench import board_summary, efficiency, measure
    from hil.board.calls import guidance_call_source, tolerance
    from hil.serial import LinkError

    if args.calls < 1:
        raise UserError("--calls must be at least 1")
    if args.scenario is not None:
        raise UserError("running a scenario with the core on the board needs the mission "
                        "runner with the board back end (issue #7); run without SCENARIO to "
                        "replay the recorded guidance calls")
    status = 0
    board, url = _open_board(args)
    link = BoardLink(url, baudrate=args.baud)
    out: dict[str, Any] = {"url": url}
    try:
        try:
            link.connect(timeout=10.0, retry=board is not None)
        except LinkError as exc:
            raise UserError(f"no board answering on {url}: {exc}") from exc
        echo = measure(lambda: link.ping(b""), 50)
        call, label, sizes = guidance_call_source(link)
        lat = measure(call, args.calls)
        link.check(0.45)
        s = link.stats
        print(f"board on {url}")
        print(f"calls: {label}")
        print(f"round trip: median {lat.p50_ms:.3f} ms, p99 {lat.p99_ms:.3f} ms, "
              f"{lat.calls_per_s:.0f} calls/s (bare echo median {echo.p50_ms:.3f} ms)")
        summary = board_summary(link)
        if summary.get("cycles_mean") is not None:
            print(f"on-board execution: {summary['cycles_mean']:.0f} cycles/call mean, "
                  f"{summary['cycles_max']} max ({summary['cycle_source']}, "
                  f"{summary['core_hz'] / 1e6:.0f} MHz)")
        else:
            print(f"on-board execution: no core calls counted ({summary.get('board', '?')})")
        print(f"link: frames rx {s.frames_rx} tx {s.frames_tx}, bytes rx {s.bytes_rx} tx "
              f"{s.bytes_tx}, crc errors {s.crc_errors}, length errors {s.length_errors}, "
              f"timeouts {s.timeouts}, resyncs {s.resyncs}, seq gaps {s.seq_gaps}, "
              f"losses {s.link_losses}; framing efficiency {efficiency(sum(sizes)):.4f}")
        out.update(rtt_p50_ms=lat.p50_ms, rtt_p99_ms=lat.p99_ms, calls_per_s=lat.calls_per_s,
                   link=s.as_dict(), board=summary)
        b2b = _back_to_back(link, args.calls)
        print(f"back-to-back, board vs desktop on {args.calls} recorded guidance calls "
              "(max difference per output, absolute and relative to the call's output scale):")
        for c in b2b:
            ok = c.max_rel <= tolerance(c.kind)
            status |= 0 if ok else 1
            print(f"  {c.kind:17s} {c.calls:5d} calls  bit-identical {c.identical_fraction:6.1%}"
                  f"  max abs {c.max_abs:.2e}  max rel {c.max_rel:.2e}"
                  f"  (tolerance {tolerance(c.kind):.0e}) {'ok' if ok else 'FAIL'}")
        out["back_to_back"] = [c.__dict__ for c in b2b]
    except LinkError as exc:
        raise UserError(f"link failed during the bench: {exc}") from exc
    finally:
        link.close()
        if board is not None:
            board.close()
    if args.json:
        print(json.dumps(out, default=str))
    return status
