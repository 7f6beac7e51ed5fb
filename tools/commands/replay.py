"""``fsw replay ARCHIVE``: play a recorded packet stream back onto the software
bus, at the recorded pace, N times faster or as fast as possible, filtered by
APID and time window."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from fsw_tools.cliargs import finite_float, float_in, positive_float

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``fsw replay``."""
    p = subparsers.add_parser(
        "replay",
        help="play a packet archive back onto the bus",
        description=(
            "Publish the packets of an archive (or a run directory) onto the software bus in "
            "their recorded order and pace. Without --frontend a tcp broker is started here "
            "and its endpoints are printed, so flight-software processes can connect to it."
        ),
    )
    p.add_argument("archive", help="archive file (.fswarc) or run directory")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=positive_float, default=1.0, metavar="N",
                      help="play N times faster than recorded (default 1: recorded pace)")
    pace.add_argument("--fast", action="store_true", help="play as fast as possible")
    p.add_argument("--apid", action="append", default=None, metavar="APID",
                   help="play only this APID (0x100, 256) or packet name; repeatable")
    p.add_argument("--start", type=finite_float, default=None, metavar="S",
                   help="skip packets received before S seconds after the first packet")
    p.add_argument("--stop", type=finite_float, default=None, metavar="S",
                   help="stop at packets received S seconds after the first packet")
    p.add_argument("--absolute", action="store_true",
                   help="--start/--stop are TAI seconds since 1958-01-01, not relative")
    p.add_argument("--frontend", metavar="URL",
                   help="publish to this broker frontend (e.g. tcp://127.0.0.1:5555)")
    p.add_argument("--ports", metavar="FRONT,BACK", default=None,
                   help="without --frontend: tcp ports of the broker started here (default: "
                        "free ports, printed), so subscribers can be started beforehand")
    p.add_argument("--settle", type=float_in(0.0, 600.0), default=1.0, metavar="S",
                   help="wait S seconds after connecting before playing (default 1), so that "
                        "subscribers are connected when the first packet goes out")
    p.add_argument("--print", dest="show", action="store_true",
                   help="also print one line per packet (name, APID, seq, time)")
    p.add_argument("--verify", action="store_true",
                   help="instead of publishing: replay a run directory through fresh "
                        "flight-software tasks in lockstep (its composition.json) and compare "
                        "their outputs with the recording; exit status 1 and the first "
                        "diverging packet if they differ")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Select, connect, play, and print the replay statistics."""
    from fsw_tools.archive import read_archive
    from fsw_tools.commands.decode import parse_apids, resolve_archive
    from fsw_tools.replay.player import first_time, play

    from fsw.bus.broker import Broker
    from fsw.bus.bus import Bus
    from fsw.bus.endpoints import BrokerEndpoints
    from fsw.bus.errors import BusError

    if args.verify:
        return _verify(args.archive)
    if not args.fast and not args.speed > 0:
        raise UserError(f"--speed must be > 0, got {args.speed}")
    arc = read_archive(resolve_archive(args.archive))
    for issue in arc.issues:
        print(f"warning: {issue}", file=sys.stderr)
    if arc.issues:
        print(f"warning: archive {arc.completeness()}", file=sys.stderr)
    base = 0.0 if args.absolute else first_time(arc)
    start = None if args.start is None else base + args.start
    stop = None if args.stop is None else base + args.stop
    apids = parse_apids(args.apid)
    sel = arc.select(apids=apids, start=start, stop=stop)
    if len(sel) == 0:
        raise UserError("no packet of the archive matches the APID and time selection")
    broker = None
    try:
        if args.frontend:
            endpoints = BrokerEndpoints(args.frontend, args.frontend)
        else:
            broker = Broker("tcp", ports=_ports(args.ports))
            endpoints = broker.start()
            print(f"broker: frontend {endpoints.frontend} backend {endpoints.backend}",
                  flush=True)
        bus = Bus.connect(endpoints, name="replay")
    except BusError as exc:
        if broker:
            broker.stop()
        raise UserError(str(exc)) from None
    try:
        time.sleep(max(0.0, args.settle))
        publish = bus.publish
        if args.show:
            publish = _printing(bus.publish)
        stats = play(sel, publish, speed=None if args.fast else args.speed)
    finally:
        bus.close()
        if broker:
            broker.stop()
    print(f"replayed {stats.packets} packets ({stats.recorded_s:.3f} s recorded) in "
          f"{stats.wall_s:.3f} s: {stats.packets_per_s:,.0f} packets/s, "
          f"max lag {stats.max_lag_s * 1e3:.1f} ms")
    return 0


def _ports(text: str | None) -> tuple[int, int]:
    if not text:
        return (0, 0)
    try:
        front, back = (int(x) for x in text.split(","))
    except ValueError:
        raise UserError(f"--ports {text!r}: give two port numbers, FRONT,BACK") from None
    if not (0 < front < 65536 and 0 < back < 65536) or front == back:
        raise UserError(f"--ports {text!r}: two different ports in 1..65535")
    return front, back


def _verify(root: str) -> int:
    from fsw_tools.progress import step
    from fsw_tools.replay.mission import replay_run

    with step("replaying", unit="tick", unit_scale=True) as bar:
        def progress(leg: int, tick: int, ticks: int) -> None:
            if bar.total != ticks:
                bar.reset(total=ticks)
                bar.set_description(f"replaying leg {leg + 1}")
            bar.update(tick - bar.n)

        reports = replay_run(root, progress=progress)
    for i, report in enumerate(reports, 1):
        print(f"leg {i}: {report.describe()}")
    ok = all(r.ok for r in reports)
    print("replay reproduces the recording exactly" if ok else "replay DIVERGES")
    return 0 if ok else 1


def _printing(publish: Any) -> Any:
    from fsw.packets import DICTIONARY, peek_apid

    def show(packet: bytes) -> None:
        apid = peek_apid(packet)
        seq = ((packet[2] << 8) | packet[3]) & 0x3FFF
        t = int.from_bytes(packet[6:10], "big") + int.from_bytes(packet[10:12], "big") / 65536
        pdef = DICTIONARY.by_apid.get(apid)
        print(f"{pdef.name if pdef else '?':<16} 0x{apid:03X} seq={seq:<5} t_tai={t:.3f}")
        publish(packet)

    return show
