"""``fsw bench``: the guidance core on a board (a real STM32F4 on a serial
port, the firmware under QEMU, or the virtual board), driven over the serial
link: link statistics, round-trip latency, on-board execution cycles per
call, and a back-to-back comparison with the desktop core on the same
inputs. See docs/hil.md for flashing a real board."""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from fsw_tools.cliargs import int_in, positive_float

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
                   help="scenario (TOML file or built-in name, e.g. victus_haze) to fly in "
                        "lockstep with the whole guidance core on the board (attitude, "
                        "navigation, propulsion, planning), then on the desktop, and compare; "
                        "without it the bench times and replays its recorded guidance calls")
    p.add_argument("--duration", type=positive_float, default=60.0, metavar="S",
                   help="with SCENARIO: seconds of the orbit leg to fly (default 60; "
                        "10 ADCS calls per second)")
    p.add_argument("--to-end", action="store_true",
                   help="with SCENARIO: fly the whole mission, to its end (under QEMU the "
                        "short_inspection scenario takes tens of minutes)")
    p.add_argument("--calls", type=int_in(1, 1_000_000), default=DEFAULT_CALLS,
                   help=f"guidance calls to time and to compare (default {DEFAULT_CALLS})")
    p.add_argument("--baud", type=int_in(50, 20_000_000), default=115200,
                   help="baud rate of a real port (default 115200; QEMU and ptys ignore it)")
    p.add_argument("--timeout", type=positive_float, default=1.0,
                   help="seconds to wait for each answer (default 1.0); in lockstep the "
                        "first wait, doubled at each retry up to 4 s")
    p.add_argument("--link-mode", choices=("lockstep", "realtime"), default=None,
                   help="with SCENARIO: 'lockstep' (default with --qemu and --virtual): the "
                        "simulation waits for the board, a call without an answer is sent "
                        "again (the board answers a repeat without running it twice) until "
                        "--deadline; 'realtime' (default with --port): a missing answer is a "
                        "fault at once, as on a flight computer")
    p.add_argument("--deadline", type=positive_float, default=60.0, metavar="S",
                   help="lockstep: seconds one guidance call may be retried before it fails "
                        "(default 60)")
    p.add_argument("--json", action="store_true",
                   help="also print the results as one JSON line at the end")
    p.set_defaults(func=run)


def _open_board(args: argparse.Namespace) -> tuple[Any, str]:
    from hil.board import QemuBoard, VirtualBoard, build_firmware

    if args.qemu:
        from fsw_tools.progress import step

        with step("building the firmware"):
            build = build_firmware("all")
        board = QemuBoard(build / "firmware.elf", lifetime=_lifetime(args))
        with step("starting QEMU"):
            return board, board.start()
    if args.virtual:
        vboard = VirtualBoard(lifetime=_lifetime(args))
        return vboard, vboard.start()
    return None, args.port


def _lifetime(args: argparse.Namespace) -> float:
    """How long the emulated board may run: an hour, or six for a whole
    mission (under QEMU on a loaded host it has taken close to one)."""
    return 6 * 3600.0 if args.to_end else 3600.0


def _back_to_back(link: Any, n: int) -> list[Any]:
    """Board (BoardCore over the link, in lockstep: a slow board is waited
    for, each call runs once) vs desktop (LocalCore) on n recorded calls."""
    from fsw.core.guidance import LocalCore
    from hil.board.calls import compare_sessions, recorded_calls, replay
    from hil.board.core import LOCKSTEP, BoardCore

    calls = list(recorded_calls(n))
    board = replay(BoardCore(link, mode=LOCKSTEP, timeout=2.0), calls)
    return compare_sessions(board, replay(LocalCore(), calls))


def run(args: argparse.Namespace) -> int:
    """Run the bench; 0 on success, 1 when the link or the comparison fails."""
    from hil.board import BoardLink
    from hil.serial import LinkError

    sc = None
    if args.to_end and args.scenario is None:
        raise UserError("--to-end goes with a SCENARIO")
    if args.scenario is not None:
        from fsw import scenario

        sc = scenario.resolve(args.scenario)
    status = 0
    board, url = _open_board(args)
    link = BoardLink(url, baudrate=args.baud)
    out: dict[str, Any] = {"url": url}
    try:
        try:
            link.connect(timeout=10.0, retry=board is not None)
        except LinkError as exc:
            raise UserError(f"no board answering on {url}: {exc}") from exc
        status = _fly(sc, args, link, out) if sc is not None else _calls(args, link, out)
    except LinkError as exc:
        raise UserError(f"link failed during the bench: {exc}") from exc
    finally:
        link.close()
        if board is not None:
            board.close()
    if args.json:
        print(json.dumps(out, default=str))
    return status


def _calls(args: argparse.Namespace, link: Any, out: dict[str, Any]) -> int:
    """Time the guidance call, then replay the recorded calls on the board and
    the desktop; 0 when every output is bit-identical."""
    from hil.board.bench import efficiency, time_guidance_calls
    from hil.board.calls import identical_calls

    url = link.url
    from fsw_tools.progress import step

    with step(f"timing {args.calls} guidance calls"):
        timing = time_guidance_calls(link, args.calls)
    echo, lat, sizes, summary = timing.echo, timing.call, timing.sizes, timing.board
    s = link.stats
    print(f"board on {url}")
    print(f"calls: {timing.label}")
    print(f"round trip: median {lat.p50_ms:.3f} ms, p99 {lat.p99_ms:.3f} ms, "
          f"{lat.calls_per_s:.0f} calls/s (bare echo median {echo.p50_ms:.3f} ms)")
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
    with step("back-to-back comparison"):
        b2b = _back_to_back(link, args.calls)
    print(f"back-to-back, board vs desktop on {args.calls} recorded guidance calls "
          "(every output must be bit-identical):")
    for c in b2b:
        print(f"  {c.kind:17s} {c.calls:5d} calls  bit-identical {c.identical_calls:5d}"
              f"  max {c.max_ulp} ULP  max abs {c.max_abs:.2e}  max rel {c.max_rel:.2e}"
              f"  {'ok' if c.identical_calls == c.calls else 'FAIL'}")
    same, total = identical_calls(b2b)
    print(f"bit-identical: {same}/{total}")
    out["back_to_back"] = [c.__dict__ for c in b2b]
    out["bit_identical"] = [same, total]
    return 0 if same == total else 1


def _fly(sc: Any, args: argparse.Namespace, link: Any, out: dict[str, Any]) -> int:
    """Fly the scenario with the whole guidance core on the board (every
    task's guidance call: attitude, navigation, propulsion, planning), then
    on the desktop; print the comparison. 0 when the outcomes agree."""
    from fsw_tools.mission import fly, summary
    from fsw_tools.progress import step

    from hil.board.bench import LatencyStats, board_summary
    from hil.board.core import BoardCore

    mode = args.link_mode or ("realtime" if args.port else "lockstep")
    core = BoardCore(link, mode=mode, timeout=args.timeout, deadline=args.deadline)
    t_start = time.monotonic()
    duration = None if args.to_end else args.duration
    with step("flying with the core on the board"):
        res_b = fly(sc, duration_s=duration, core=core)
    wall_b = time.monotonic() - t_start
    with step("flying with the desktop core"):
        res_d = fly(sc, duration_s=duration)
    link.check(0.45)
    sb, sd = summary(res_b), summary(res_d)
    span = "the whole mission" if duration is None else f"{duration:g} s of orbit"
    print(f"board on {link.url}: {sc.source}, {span} in lockstep, "
          f"the whole guidance core on the board ({mode} link, {wall_b:.1f} s wall, "
          f"load average {_load()})")
    print(f"guidance calls on the board: {core.calls}, retries {core.retries}, "
          f"stale answers {core.stale + link.stats.stale_answers}, "
          f"board restarts {core.restarts_seen}, failed calls {core.link_failures}")
    for name, rtt in sorted(core.rtt_s.items()):
        lat = LatencyStats(rtt_s=rtt)
        print(f"  {name:20s} {len(rtt):7d} calls  round trip median {lat.p50_ms:8.3f} ms, "
              f"p99 {lat.p99_ms:8.3f} ms")
    summary_b = board_summary(link)
    if summary_b.get("cycles_mean") is not None:
        print(f"on-board execution: {summary_b['cycles_mean']:.0f} cycles/call mean, "
              f"{summary_b['cycles_max']} max ({summary_b['cycle_source']})")
    s = link.stats
    print(f"link: frames rx {s.frames_rx} tx {s.frames_tx}, crc errors {s.crc_errors}, "
          f"resyncs {s.resyncs}, seq gaps {s.seq_gaps}, losses {s.link_losses}, "
          f"reconnects {s.reconnects}, stale answers {s.stale_answers}")
    keys = ("outcome", "packets", "delta_v_m_s", "min_range_m", "keep_out_violated")
    same = all(sb[k] == sd[k] for k in keys)
    for k in keys:
        print(f"  {k:18s} board {sb[k]!s:24s} desktop {sd[k]!s:24s}")
    identical = res_b.packet_hash == res_d.packet_hash
    print(f"packet stream: {'identical' if identical else 'differs'}"
          f" (board {res_b.packet_hash[:16]}, desktop {res_d.packet_hash[:16]})")
    print(f"mission outcome: {'same as desktop' if same else 'DIFFERS from desktop'}")
    if core.failures:
        print(f"{len(core.failures)} guidance calls failed on the board (each task took its "
              f"safe response and the configuration was replayed): the run may differ")
        for call, why in core.failures[:10]:
            print(f"  {call}: {why}")
    all_rtt = [t for rtt in core.rtt_s.values() for t in rtt]
    lat = LatencyStats(rtt_s=all_rtt)
    print(f"round trip, all calls: median {lat.p50_ms:.3f} ms, p99 {lat.p99_ms:.3f} ms")
    out.update(rtt_p50_ms=lat.p50_ms, rtt_p99_ms=lat.p99_ms, link=s.as_dict(),
               board=summary_b, board_calls=core.calls, outcome_board=sb["outcome"],
               outcome_desktop=sd["outcome"], same_packet_stream=identical, link_mode=mode,
               retries=core.retries, stale_answers=core.stale + s.stale_answers,
               board_restarts=core.restarts_seen, failed_calls=core.failures,
               wall_s=wall_b, load_average=_load())
    return 0 if same and core.link_failures == 0 else 1


def _load() -> str:
    """The host's 1, 5 and 15 min load averages (the bench shares the machine)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"
