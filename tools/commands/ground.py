"""``fsw ground``: live console to a running emulator over tcp."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from fsw_tools.cliargs import int_in

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``fsw ground``."""
    from fsw_tools.ground.link import DEFAULT_PORT

    p = subparsers.add_parser(
        "ground",
        help="live ground console: telemetry as it arrives, authenticated telecommands",
        description=(
            "Connect to a running emulator's ground link, print housekeeping, events and "
            "command acknowledgements as they arrive, and send telecommands typed as "
            "'NAME field=value ...' (checked against the packet dictionary, signed with a "
            "key of --keys). Lines come from the terminal or a script on stdin; type 'help'."
        ),
    )
    p.add_argument("link", nargs="?", default=f"tcp://127.0.0.1:{DEFAULT_PORT}",
                   help=f"ground link tcp://HOST:PORT: telemetry on PORT, telecommands on "
                        f"PORT+1 (default tcp://127.0.0.1:{DEFAULT_PORT})")
    p.add_argument("--keys", type=Path, metavar="FILE",
                   help="telecommand key file (made by 'fsw keys new'); needed to command")
    p.add_argument("--key-id", type=int_in(0, 65535), default=None, metavar="ID",
                   help="key id to sign with (default: the operator's key: the lowest id "
                        "of the key file other than 1, which the scripted ground station of "
                        "'fsw run' signs with, following rotations)")
    p.add_argument("--auth-seq", type=int_in(0, 2**32 - 1), default=None, metavar="N",
                   help="first anti-replay sequence number (default: continue from "
                        "FILE.authseq, the state kept beside the key file)")
    p.add_argument("--curve", type=Path, metavar="DIR",
                   help="encrypt and authenticate the link with CurveZMQ keys made by "
                        "'fsw curve new DIR'")
    p.add_argument("--curve-name", default="ground", metavar="NAME",
                   help="this console's key pair in the --curve directory (default ground)")
    p.add_argument("--no-hk", action="store_true", help="hide housekeeping packets")
    p.add_argument("--record", type=Path, metavar="FILE",
                   help="also record every telemetry packet received to a packet archive")
    _add_web_options(p)
    p.set_defaults(func=run)


def _add_web_options(p: Any) -> None:
    """``--web`` and its options (fsw_tools.ground.web)."""
    from fsw_tools.ground.web.server import DEFAULT_WEB_PORT

    w = p.add_argument_group(
        "web console", "--web serves a browser console instead of the terminal one: telemetry "
        "pages by packet, strip charts, event log, link status with a stale-telemetry alarm, "
        "limits and alarms, command forms (hazardous commands armed then confirmed) and the "
        "command history kept on disk")
    w.add_argument("--web", action="store_true", help="serve the web console")
    w.add_argument("--port", type=int, default=DEFAULT_WEB_PORT, metavar="P",
                   help=f"web console port (default {DEFAULT_WEB_PORT})")
    w.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                   help="address to listen on (default 127.0.0.1; any other needs --web-token)")
    w.add_argument("--web-token", type=Path, metavar="FILE",
                   help="file holding a secret every browser must present (open the console "
                        "once as http://ADDR:P/?token=SECRET); required off 127.0.0.1")
    w.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate")
    w.add_argument("--tls-key", metavar="PEM", help="... and this private key")
    w.add_argument("--history", type=Path, metavar="FILE",
                   help="command history file (default: KEYS.history.jsonl beside --keys)")
    w.add_argument("--stale", type=float, default=5.0, metavar="S",
                   help="telemetry older than S wall-clock seconds raises the stale alarm "
                        "(default 5)")


def run(args: argparse.Namespace) -> int:
    """Connect, then run the console on stdin until its end or 'quit'
    (or serve the web console: ``--web``)."""
    if args.web:
        from fsw_tools.ground.web.server import serve

        return serve(args)
    from fsw_tools.archive import ArchiveWriter
    from fsw_tools.ground.authseq import AuthSeqStore
    from fsw_tools.ground.console import GroundConsole
    from fsw_tools.ground.curve import client_keys
    from fsw_tools.ground.link import GroundClient, GroundEndpoints

    from fsw.packets.auth import CommandSigner, KeyRing

    endpoints = GroundEndpoints.parse(args.link)
    signer = store = None
    if args.keys:
        ring = KeyRing.load(args.keys)
        store = AuthSeqStore.for_keys(ring)
        assert store is not None
        from fsw_tools.ground.authseq import operator_key

        key_id = args.key_id if args.key_id is not None else operator_key(ring, store)
        if key_id not in ring:
            raise UserError(f"--key-id {key_id}: not in {args.keys}")
        successor = store.rotated().get(key_id)
        if successor is not None:
            raise UserError(f"key {key_id} was retired on board (rotated to key {successor}); "
                            f"sign with key {successor}")
        first = args.auth_seq if args.auth_seq is not None else store.next(key_id)
        if not 0 <= first < 1 << 32:
            raise UserError(f"--auth-seq {first}: outside 0..2^32-1")
        signer = CommandSigner(ring, key_id, next_auth_seq=first)
    curve = client_keys(args.curve, args.curve_name) if args.curve else None
    client = GroundClient(endpoints, curve=curve)
    recorder = ArchiveWriter(args.record) if args.record else None
    print(f"ground console on {endpoints.tm} (telecommands {endpoints.tc})"
          f"{', CurveZMQ' if curve else ''}; 'help' for help", flush=True)
    try:
        console = GroundConsole(client, signer, show_hk=not args.no_hk, seq_store=store,
                                recorder=recorder)
        return console.run(sys.stdin)
    finally:
        client.close()
        if recorder is not None:
            recorder.close()
