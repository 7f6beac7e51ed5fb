"""``fsw decode ARCHIVE``: bulk-decode a packet archive into one table per
packet type (CSV, typed Parquet), export it as pcap, or export the orbits and
attitudes as CCSDS OEM and AEM (:mod:`fsw_tools.analysis`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from fsw_tools.cliargs import positive_float

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``fsw decode``."""
    p = subparsers.add_parser(
        "decode",
        help="decode a packet archive into CSV/Parquet tables or export it to pcap",
        description=(
            "Decode every packet of an archive (or a run directory) into one table per "
            "packet type: columns recv_time and t_tai (TAI s since 1958), utc (CSV), apid, "
            "seq, then the fields of the packet dictionary (vectors one column per "
            "component, enums by name; units in DIR/units.csv and in the Parquet metadata). "
            "Damaged records and undecodable packets are reported."
        ),
    )
    p.add_argument("archive", help="archive file (.fswarc) or run directory")
    p.add_argument("--apid", action="append", default=None, metavar="APID",
                   help="decode only this APID (0x010, 16) or packet name; repeatable")
    p.add_argument("--csv", type=Path, metavar="DIR", help="write DIR/<PACKET>.csv per type")
    p.add_argument("--parquet", type=Path, metavar="DIR",
                   help="write DIR/<PACKET>.parquet per type, typed with the dictionary's "
                        "widths, enums dictionary-encoded, units in the field metadata")
    p.add_argument("--pcap", type=Path, metavar="FILE",
                   help="write a pcap, one packet per UDP datagram (docs/archive.md)")
    p.add_argument("--ndm", type=Path, metavar="DIR",
                   help="write CCSDS navigation data messages into DIR: an Orbit Ephemeris "
                        "Message per craft and source (CHASER_truth.oem.xml, "
                        "CHASER_estimate.oem.xml, TARGET_...) and an Attitude Ephemeris "
                        "Message per attitude source (CHASER_truth.aem.xml, ...); needs "
                        "ccsds-ndm")
    p.add_argument("--step", type=positive_float, default=None, metavar="S",
                   help="--ndm: one state every S seconds (default: every state)")
    p.set_defaults(func=run)


def resolve_archive(path: str) -> Path:
    """An archive file, or the archive of a run directory."""
    from fsw_tools.rundir import RunDir

    p = Path(path)
    if p.is_dir():
        return RunDir(p).check().archive
    if not p.exists():
        raise UserError(f"{p}: no such archive or run directory")
    return p


def parse_apids(values: list[str] | None) -> list[int] | None:
    """APIDs from numbers (0x-hex or decimal) or packet names."""
    if not values:
        return None
    from fsw_tools.archive.tables import import_definitions

    import_definitions()
    from fsw.packets.codec import APID_MAX
    from fsw.packets.dictionary import DICTIONARY

    out = []
    for v in values:
        for item in v.split(","):
            item = item.strip()
            if item.upper() in DICTIONARY:
                out.append(DICTIONARY[item.upper()].apid)
                continue
            try:
                apid = int(item, 0)
            except ValueError:
                raise UserError(f"--apid {item!r}: not a number or a packet name") from None
            if not 0 <= apid <= APID_MAX:
                raise UserError(f"--apid {item!r}: outside 0..0x{APID_MAX:03X}")
            out.append(apid)
    return out


def run(args: argparse.Namespace) -> int:
    """Decode, write the requested outputs and report what was damaged."""
    from fsw_tools.analysis.export import write_csv, write_parquet
    from fsw_tools.archive import export_pcap, read_archive
    from fsw_tools.archive.tables import decode_archive
    from fsw_tools.files import output_file
    from fsw_tools.progress import step

    if not (args.csv or args.parquet or args.pcap or args.ndm):
        raise UserError("nothing to do: give --csv DIR, --parquet DIR, --pcap FILE "
                        "and/or --ndm DIR")
    if args.pcap is not None:
        output_file(args.pcap)
    apids = parse_apids(args.apid)
    with step("reading the archive"):
        arc = read_archive(resolve_archive(args.archive))
    for issue in arc.issues:
        print(f"warning: {issue}", file=sys.stderr)
    if arc.issues:
        print(f"warning: archive {arc.completeness()}", file=sys.stderr)
    if apids is not None:
        arc = arc.select(apids=apids)
    if args.pcap:
        from fsw_tools.files import atomic_open

        with step("writing the pcap"), atomic_open(args.pcap, "wb") as f:
            res = export_pcap(arc, f)
        print(f"{args.pcap}: {res.exported} packets"
              + (f", {res.skipped_too_large} too large skipped" if res.skipped_too_large else ""))
    if not (args.csv or args.parquet or args.ndm):
        return 0
    with step("decoding"):
        result = decode_archive(arc)
    for reason, n in sorted(result.errors.items()):
        print(f"warning: {n} packets not decoded: {reason}", file=sys.stderr)
    rows = sum(len(next(iter(t.values()))) for t in result.tables.values())
    for out, writer, what in ((args.csv, write_csv, "CSV"), (args.parquet, write_parquet,
                                                              "Parquet")):
        if out:
            with step(f"writing {what}", total=rows, unit="row", unit_scale=True) as bar:
                files = writer(result.tables, out, progress=bar.update)
            print(f"{out}: {len(files)} files, {rows} rows")
    if args.ndm:
        from fsw_tools.analysis.ndm import write_ndm

        with step("writing OEM/AEM"):
            files = write_ndm(result.tables, args.ndm, args.step)
        print(f"{args.ndm}: {', '.join(p.name for p in files)}")
    return 0
