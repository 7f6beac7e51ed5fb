"""``fsw decode ARCHIVE``: bulk-decode a packet archive into one table per
packet type (CSV, and Parquet when pyarrow is installed), or export it as pcap.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from fsw.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``fsw decode``."""
    p = subparsers.add_parser(
        "decode",
        help="decode a packet archive into CSV/Parquet tables or export it to pcap",
        description=(
            "Decode every packet of an archive (or a run directory) into one table per "
            "packet type: columns recv_time (TAI s), apid, seq, t_tai, then the fields of "
            "the packet dictionary. Damaged records and undecodable packets are reported."
        ),
    )
    p.add_argument("archive", help="archive file (.fswarc) or run directory")
    p.add_argument("--apid", action="append", default=None, metavar="APID",
                   help="decode only this APID (0x010, 16) or packet name; repeatable")
    p.add_argument("--csv", type=Path, metavar="DIR", help="write DIR/<PACKET>.csv per type")
    p.add_argument("--parquet", type=Path, metavar="DIR",
                   help="write DIR/<PACKET>.parquet per type (needs pyarrow)")
    p.add_argument("--pcap", type=Path, metavar="FILE",
                   help="write a pcap, one packet per UDP datagram (docs/archive.md)")
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
            if not 0 <= apid <= 0x7FF:
                raise UserError(f"--apid {item!r}: outside 0..0x7FF")
            out.append(apid)
    return out


def flat_columns(table: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Column names and column values with 2-D columns split (name_0, name_1, ...)."""
    names, cols = [], []
    for name, col in table.items():
        if getattr(col, "ndim", 1) == 2:
            for j in range(col.shape[1]):
                names.append(f"{name}_{j}")
                cols.append(col[:, j].tolist())
        else:
            names.append(name)
            cols.append(col.tolist())
    return names, cols


def write_csv(tables: dict[str, dict[str, Any]], out: Path) -> list[Path]:
    """One CSV per table; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for pname, table in sorted(tables.items()):
        names, cols = flat_columns(table)
        path = out / f"{pname}.csv"
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(names)
            w.writerows(zip(*cols, strict=True))
        written.append(path)
    return written


def write_parquet(tables: dict[str, dict[str, Any]], out: Path) -> list[Path]:
    """One Parquet file per table (pyarrow is an optional dependency)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UserError("--parquet needs pyarrow (pip install pyarrow)") from None
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for pname, table in sorted(tables.items()):
        names, cols = flat_columns(table)
        path = out / f"{pname}.parquet"
        pq.write_table(pa.table(dict(zip(names, cols, strict=True))), path)
        written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    """Decode, write the requested outputs and report what was damaged."""
    from fsw_tools.archive import export_pcap, read_archive
    from fsw_tools.archive.tables import decode_archive

    if not (args.csv or args.parquet or args.pcap):
        raise UserError("nothing to do: give --csv DIR, --parquet DIR and/or --pcap FILE")
    apids = parse_apids(args.apid)
    arc = read_archive(resolve_archive(args.archive))
    for issue in arc.issues:
        print(f"warning: {issue}", file=sys.stderr)
    if arc.issues:
        print(f"warning: archive {arc.completeness()}", file=sys.stderr)
    if apids is not None:
        arc = arc.select(apids=apids)
    if args.pcap:
        res = export_pcap(arc, args.pcap)
        print(f"{args.pcap}: {res.exported} packets"
              + (f", {res.skipped_too_large} too large skipped" if res.skipped_too_large else ""))
    if args.csv or args.parquet:
        result = decode_archive(arc)
        for reason, n in sorted(result.errors.items()):
            print(f"warning: {n} packets not decoded: {reason}", file=sys.stderr)
        for out, writer in ((args.csv, write_csv), (args.parquet, write_parquet)):
            if out:
                files = writer(result.tables, out)
                rows = sum(len(next(iter(t.values()))) for t in result.tables.values())
                print(f"{out}: {len(files)} tables, {rows} rows")
    return 0
