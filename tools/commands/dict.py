"""``fsw dict``: print the packet reference generated from the dictionary,
or write it / the XTCE export / a Wireshark dissector to a file."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``fsw dict``."""
    p = subparsers.add_parser(
        "dict",
        help="print the packet dictionary reference (markdown) or export XTCE",
        description=(
            "The packet dictionary (fsw/packets) is the single source of truth of every "
            "packet. Without options, print its markdown reference (APID plan, packets, fields "
            "with types, units and descriptions) to standard output."
        ),
    )
    p.add_argument("--output", "-o", type=Path, metavar="FILE",
                   help="write the markdown reference to FILE instead of printing it "
                        "(regenerate the committed reference: --output docs/packets.md)")
    p.add_argument("--xtce", type=Path, metavar="FILE",
                   help="write the XTCE (CCSDS 660.0-B) export of the dictionary to FILE")
    p.add_argument("--wireshark", type=Path, metavar="FILE",
                   help="write a Wireshark Lua dissector of every packet (fields by name, "
                        "enums, units) to FILE; use: tshark -X lua_script:FILE -r X.pcap "
                        "(the pcap of 'fsw decode --pcap')")
    p.add_argument("--packet", metavar="NAME",
                   help="print only the reference of packet NAME (any case) or APID "
                        "(0x062, 98): its fields, types, units and descriptions")
    p.set_defaults(func=run)


def _write(path: Path, write: Any) -> None:
    """``write(tmp)`` into a temporary sibling, then renamed to ``path``: a
    failure leaves no partial file and the old one whole."""
    from fsw_tools.files import os_error, output_file

    output_file(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise os_error(exc, "cannot write", path) from None


def _packet_name(text: str, dictionary: Any) -> str:
    """A packet's name from its name in any case or its APID."""
    if text.upper() in dictionary:
        return str(dictionary[text.upper()].name)
    try:
        apid = int(text, 0)
    except ValueError:
        apid = None
    if apid is not None and apid in dictionary.by_apid:
        return str(dictionary.by_apid[apid].name)
    close = sorted((n for n in dictionary if text.upper() in n),
                   key=lambda n: (not n.startswith(text.upper()), n))[:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else "; 'fsw dict' lists them"
    raise UserError(f"no packet named {text!r}{hint}")


def run(args: argparse.Namespace) -> int:
    """Print or write the reference / XTCE."""
    from fsw.packets import DICTIONARY
    from fsw.packets.reference import markdown
    from fsw.packets.xtce import write_xtce

    if args.packet:
        name = _packet_name(args.packet, DICTIONARY)
        text = markdown()
        start = text.index(f"\n### {name}\n")
        end = text.find("\n### ", start + 1)
        sys.stdout.write(text[start + 1:end if end > 0 else None].rstrip() + "\n")
        return 0
    if args.xtce:
        _write(args.xtce, lambda p: write_xtce(str(p)))
        print(f"wrote XTCE of {len(DICTIONARY)} packets to {args.xtce}", file=sys.stderr)
    if args.wireshark:
        from fsw.packets.wireshark import write_lua

        _write(args.wireshark, lambda p: write_lua(str(p)))
        print(f"wrote the Wireshark dissector of {len(DICTIONARY)} packets to "
              f"{args.wireshark}", file=sys.stderr)
    text = markdown()
    if args.output:
        _write(args.output, lambda p: p.write_text(text))
        print(f"wrote the reference of {len(DICTIONARY)} packets to {args.output}",
              file=sys.stderr)
    elif not (args.xtce or args.wireshark):
        sys.stdout.write(text)
    return 0
