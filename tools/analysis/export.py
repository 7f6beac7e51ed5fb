"""Decoded packet tables to files: CSV (one per packet, enums by name, a UTC
column, a units table beside them) and Parquet (typed with the dictionary's
widths, enums as dictionary-encoded names whose indices are the wire values,
units and descriptions in the field metadata, packet and time scale in the
schema metadata). Every file is written atomically (:mod:`fsw_tools.files`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from fsw_tools.analysis.columns import Column, enum_labels, flat
from fsw_tools.files import atomic_open, output_dir

from fsw.timescale import tai_to_unix_ns

Tables = Mapping[str, Mapping[str, np.ndarray]]
UNITS_FILE = "units.csv"


def utc_strings(t_tai: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC strings (microseconds, "Z") of TAI seconds since 1958."""
    stamps = tai_to_unix_ns(t_tai).astype("datetime64[ns]")
    return np.char.add(np.datetime_as_string(stamps, unit="us"), "Z")


def _pdef(name: str) -> Any:
    from fsw.packets import DICTIONARY

    return DICTIONARY[name]


def write_csv(tables: Tables, out: Path,
              progress: Callable[[int], None] | None = None) -> list[Path]:
    """``out/<PACKET>.csv`` per table and ``out/units.csv`` (packet, column,
    unit, type, description); returns the files written."""
    out = output_dir(out)
    written, units = [], []
    for pname, table in sorted(tables.items()):
        names, data = [], []
        for name, (c, values) in flat(_pdef(pname), table).items():
            names.append(name)
            data.append((enum_labels(c, values) if c.kind == "enum" else values).tolist())
            if name == "t_tai":
                names.append("utc")
                data.append(utc_strings(values).tolist())
            units.append((pname, name, c.unit, _type_name(c), c.description))
        path = out / f"{pname}.csv"
        with atomic_open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(names)
            w.writerows(zip(*data, strict=True))
        written.append(path)
        if progress:
            progress(len(next(iter(table.values()))))
    with atomic_open(out / UNITS_FILE, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["packet", "column", "unit", "type", "description"])
        w.writerows(units)
    written.append(out / UNITS_FILE)
    return written


def _type_name(c: Column) -> str:
    if c.kind == "enum":
        return f"enum {c.dtype.name}: " + " ".join(f"{v}={n}" for v, n in sorted(c.enum.items()))
    return "text" if c.dtype.kind == "O" else c.dtype.name


def arrow_table(pname: str, table: Mapping[str, np.ndarray]) -> Any:
    """The pyarrow Table of one packet table (types, metadata: see the module)."""
    import pyarrow as pa

    pdef = _pdef(pname)
    arrays, fields = [], []
    for name, (c, values) in flat(pdef, table).items():
        if c.kind == "enum":
            top = max([*c.enum, int(values.max()) if len(values) else 0])
            names = [c.enum.get(v, str(v)) for v in range(top + 1)]
            arr = pa.DictionaryArray.from_arrays(pa.array(values, type=pa.from_numpy_dtype(
                c.dtype)), pa.array(names, type=pa.string()))
        elif c.dtype.kind == "O":
            arr = pa.array([None if v is None else str(v) for v in values.tolist()]
                           if values.dtype.kind == "O" else values.astype(str), type=pa.string())
        else:
            arr = pa.array(values, type=pa.from_numpy_dtype(c.dtype))
        arrays.append(arr)
        fields.append(pa.field(name, arr.type, metadata=c.metadata()))
    meta = {"packet": pname, "apid": f"0x{pdef.apid:03X}", "description": pdef.description,
            "time_scale": "TAI seconds since 1958-01-01 (recv_time, t_tai)",
            "columns": json.dumps({f.name: f.metadata[b"unit"].decode() for f in fields})}
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))


def write_parquet(tables: Tables, out: Path,
                  progress: Callable[[int], None] | None = None) -> list[Path]:
    """``out/<PACKET>.parquet`` per table; returns the files written."""
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - a main dependency
        from fsw.errors import UserError

        raise UserError("--parquet needs pyarrow (pip install pyarrow)") from None
    out = output_dir(out)
    written = []
    for pname, table in sorted(tables.items()):
        path = out / f"{pname}.parquet"
        with atomic_open(path, "wb") as f:
            pq.write_table(arrow_table(pname, table), f)
        written.append(path)
        if progress:
            progress(len(next(iter(table.values()))))
    return written
