"""``fsw run [SCENARIO]``: fly a mission scenario (default: the embedded
VICTUS HAZE-like mission) in lockstep with every packet through the bus, show
a progress bar, write a run directory (packet archive, summary.json, the
scenario as flown) and print the summary."""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fsw_tools.cliargs import int_in, positive_float

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``fsw run``."""
    p = subparsers.add_parser(
        "run",
        help="fly a mission scenario (default: victus_haze) and print its summary",
        description=(
            "Fly a scenario from the launch notice to departure: the truth world, the "
            "flight-software tasks and a ground station in lockstep over the software bus. "
            "Writes a run directory with the packet archive (fsw decode/replay/plot/report "
            "read it) and summary.json, and prints the summary."
        ),
    )
    p.add_argument("scenario", nargs="?", default=None,
                   help="scenario TOML file or name of a built-in scenario "
                        "(default: victus_haze)")
    p.add_argument("--seed", type=int_in(0, 2**32 - 1), default=None,
                   help="run seed (default: the scenario's mission.seed); the same seed "
                        "gives the same packet stream")
    p.add_argument("--dispersed", action="store_true",
                   help="draw the scenario's [[dispersions]] from --seed exactly as "
                        "'fsw campaign' drew them for the run of that seed, so one campaign "
                        "row is reproduced alone (needs --seed; the drawn values are printed)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="run directory to create (default: runs/<scenario>-<UTC time>)")
    p.add_argument("--transport", choices=("inproc", "ipc", "tcp"), default="inproc",
                   help="bus transport (default inproc: one process); ipc or tcp: a broker, "
                        "the world and ground station in this process, the flight-software "
                        "tasks in a child process, in lockstep: the same packet stream "
                        "(hash) and summary as inproc, slower")
    p.add_argument("--duration", type=positive_float, default=None, metavar="S",
                   help="stop S seconds of simulated time after the insertion into orbit "
                        "(default: until departure or the scenario's hard stop)")
    p.add_argument("--no-archive", action="store_true",
                   help="do not record the packet archive (faster; no replay possible)")
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--keys", type=Path, default=None, metavar="FILE",
                      help="telecommand key file the flight software accepts (from 'fsw keys "
                           "new'); its anti-replay state is kept beside it (FILE.replay, "
                           "FILE.authseq), so a command is never accepted twice, even by "
                           "another run. Key id 1 is the scripted ground station's: "
                           "'fsw ground --keys FILE' signs with the operator's (2)")
    keys.add_argument("--test-keys", action="store_true",
                      help="keys derived from the seed: the same packet stream for the same "
                           "seed, but anyone who knows the seed can sign (stated in "
                           "summary.json). One of --keys and --test-keys is needed")
    p.add_argument("--ground-port", type=int_in(1, 65534), default=None, metavar="PORT",
                   help="open the ground link on tcp://127.0.0.1:PORT (telemetry) and PORT+1 "
                        "(telecommands) for a live 'fsw ground' console; needs --curve DIR "
                        "(or --insecure-ground)")
    p.add_argument("--curve", type=Path, default=None, metavar="DIR",
                   help="CurveZMQ keys of the ground link (from 'fsw curve new DIR'): the link "
                        "is encrypted and only consoles whose key is in DIR/authorized connect")
    p.add_argument("--insecure-ground", action="store_true",
                   help="open --ground-port without CurveZMQ: any local process can read the "
                        "telemetry and send (signed) telecommands; a warning is printed")
    p.add_argument("--realtime", type=positive_float, default=None, metavar="SPEED",
                   help="pace the in-orbit leg to the wall clock, SPEED times real time "
                        "(1 = real time), e.g. to watch and command it live")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def fresh_run_dir(parent: Path, name: str) -> Path:
    """A new, empty directory ``parent/name``, or ``name-2``, ``name-3``...
    when that is taken (two runs started in the same second: each its own
    directory, made atomically, so neither overwrites the other's files)."""
    from fsw_tools.files import output_dir

    output_dir(parent)
    for k in range(1, 1000):
        path = parent / (name if k == 1 else f"{name}-{k}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise UserError(f"cannot make the run directory {path}: {exc}") from None
        return path
    raise UserError(f"{parent}: 999 runs named {name}; choose --out")


def _progress(sc: Any, quiet: bool, duration_s: float | None = None):
    from fsw_tools.progress import enabled

    if quiet or not enabled():
        return None, None
    from tqdm import tqdm

    t0 = sc.notice_tai
    total = sc.mission.notice_to_launch_s + sc.mission.max_duration_s
    if duration_s is not None:  # the run stops duration_s after the insertion
        total = min(total, sc.mission.notice_to_launch_s + sc.insertion.ascent_s + duration_s)
    bar = tqdm(total=round(total), unit="sim s", unit_scale=True, dynamic_ncols=True,
               desc="STANDBY", file=sys.stderr)

    def update(t: float, mode: str) -> None:
        n = round(t - t0)
        if n > bar.n:
            bar.update(n - bar.n)
        if bar.desc != mode:
            bar.set_description(mode)

    return update, bar


def run(args: argparse.Namespace) -> int:
    """Load, fly, write the run directory, print the summary."""
    from fsw_tools.files import atomic_write
    from fsw_tools.mission import fly, summary
    from fsw_tools.mission.report import format_summary
    from fsw_tools.replay.composition import write_composition
    from fsw_tools.rundir import RunDir

    from fsw import scenario

    if args.transport != "inproc" and (args.realtime or args.ground_port):
        raise UserError("--realtime and --ground-port need --transport inproc")
    curve = _ground_security(args)
    sc = scenario.resolve(args.scenario)
    if args.dispersed and args.seed is None:
        raise UserError("--dispersed needs --seed (the seed of the campaign run to reproduce)")
    if args.keys is None and not args.test_keys:
        raise UserError("choose the telecommand keys: --keys FILE (from 'fsw keys new FILE') "
                        "or --test-keys (derived from the seed: reproducible, not secret)")
    keys = None
    if args.keys is not None:
        from fsw.packets.auth import KeyRing

        keys = KeyRing.load(args.keys)
    if args.dispersed:
        from fsw_tools.campaign.scenarios import disperse

        sc, overrides = disperse(sc, args.seed)
        for key, value in sorted(overrides.items()):
            print(f"dispersed {key} = {value}")
    elif args.seed is not None and sc.dispersions:
        # a campaign row's seed alone flies the nominal values: say so
        print(f"nominal values: the scenario's {len(sc.dispersions)} dispersions are drawn "
              f"only with --dispersed (as 'fsw campaign' drew them for seed {args.seed})")
    if args.out is None:
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        stem = Path(sc.source.split(":")[-1]).stem
        args.out = fresh_run_dir(Path("runs"), f"{stem}-{stamp}")
    rd = RunDir.of(args.out).create()
    atomic_write(rd.scenario, _toml(sc.to_dict()))
    link = None
    if args.ground_port is not None:
        from fsw_tools.ground.bridge import GroundBridge
        from fsw_tools.ground.link import GroundGateway

        link = GroundBridge(GroundGateway(port=args.ground_port, curve=curve))
        how = f" --curve {args.curve}" if curve is not None else ""
        print(f"ground link: fsw ground tcp://127.0.0.1:{args.ground_port}{how}", flush=True)
    update, bar = _progress(sc, args.quiet, args.duration)
    try:
        with _composition(args.transport) as legs:
            res = fly(sc, seed=args.seed, archive=None if args.no_archive else rd.archive,
                      progress=update, duration_s=args.duration, transport=args.transport,
                      keys=keys, ground_link=link, realtime_speed=args.realtime)
        if legs is not None:
            write_composition(rd, legs)
    finally:
        if bar is not None:
            bar.close()
        if link is not None:
            link.gateway.close()
    summ = summary(res)
    summ["run_dir"] = str(rd.root)
    summ["archive"] = not args.no_archive
    if keys is None:
        summ["telecommand_keys"] = "test: derived from the seed (reproducible, not secret)"
    else:  # where the keys are, never the keys
        summ["telecommand_keys"] = "key file"
        summ["telecommand_key_file"] = str(args.keys.resolve())
    rd.write_summary(summ)
    print(format_summary(summ))
    print(f"run directory: {rd.root}")
    return 0


def _ground_security(args: argparse.Namespace) -> Any:
    """The CurveZMQ server keys of the ground link (None: no ground link, or
    --insecure-ground, which is warned about)."""
    if args.ground_port is None:
        if args.curve is not None or args.insecure_ground:
            raise UserError("--curve and --insecure-ground go with --ground-port")
        return None
    if args.curve is not None and args.insecure_ground:
        raise UserError("--curve or --insecure-ground, not both")
    if args.insecure_ground:
        print("warning: --insecure-ground: the ground link has no authentication; any local "
              "process can read the telemetry and send telecommands", file=sys.stderr,
              flush=True)
        return None
    if args.curve is None:
        raise UserError("--ground-port needs --curve DIR (keys from 'fsw curve new DIR'; "
                        "consoles connect with 'fsw ground --curve DIR'), or --insecure-ground")
    from fsw_tools.ground.curve import server_keys

    return server_keys(args.curve)


@contextlib.contextmanager
def _composition(transport: str) -> Iterator[list | None]:
    """Record how the run's executives are composed (RUN/composition.json), so
    ``fsw replay RUN --verify`` can rebuild them (a split run's legs are
    composed as in one process: same participants, same order, same stream)."""
    from fsw_tools.replay.composition import capture_composition

    if transport == "inproc":
        import fsw_tools.mission as module
        name = "Executive"
    else:
        import fsw_tools.mission.split as module
        name = "SplitExecutive"
    with capture_composition(module, name) as legs:
        yield legs


def _toml(d: dict, prefix: str = "") -> str:
    """A minimal TOML writer for the scenario as flown (tables, arrays of
    tables, numbers, strings, booleans, arrays)."""
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    arrays: list[tuple[str, list]] = []
    for k, v in d.items():
        if isinstance(v, dict) and prefix + k != "" and not _is_args(k):
            tables.append((k, v))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            arrays.append((k, v))
        else:
            lines.append(f"{k} = {_value(v)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for k, v in tables:
        out += f"\n[{prefix}{k}]\n" + _toml(v, f"{prefix}{k}.").lstrip("\n")
    for k, v in arrays:
        for item in v:
            out += f"\n[[{prefix}{k}]]\n" + _toml(item, f"{prefix}{k}.").lstrip("\n")
    return out


def _is_args(key: str) -> bool:
    return key == "args"


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))
