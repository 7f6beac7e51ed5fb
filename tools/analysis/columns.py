"""The columns of a decoded packet table, described from the packet
dictionary: flat name, unit, numpy type of the dictionary's width, enum
names, description. CSV, Parquet, DataFrames and xarray all take their
columns from here, so a packet's table looks the same in each.

Vector fields become one column per component: ``r_N_0``, ``r_N_1``,
``r_N_2`` (the field's name and the component's index).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the columns every table starts with (see fsw_tools.archive.tables)
HEADER = (
    ("recv_time", "s", "<f8", "receive time, TAI seconds since 1958-01-01 (the recorder's clock)"),
    ("apid", "", "<u2", "application process identifier"),
    ("seq", "", "<u2", "packet sequence count (per APID, modulo 16384)"),
    ("t_tai", "s", "<f8", "packet time (CUC), TAI seconds since 1958-01-01"),
)


@dataclass(frozen=True)
class Column:
    """One flat column of a packet table."""

    name: str
    field: str
    component: int | None
    unit: str
    dtype: np.dtype  # native byte order, the dictionary's width
    kind: str  # header | scalar | enum | array | string | bytes | variable
    description: str
    enum: Mapping[int, str] | None = None

    def metadata(self) -> dict[str, str]:
        """Key-value metadata (Parquet field metadata, xarray attributes)."""
        out = {"unit": self.unit, "field": self.field, "description": self.description,
               "width_bits": str(self.dtype.itemsize * 8) if self.dtype.kind in "iuf" else ""}
        if self.enum:
            out["enum"] = ",".join(f"{v}={n}" for v, n in sorted(self.enum.items()))
        return out


def _native(dtype: str) -> np.dtype:
    return np.dtype(dtype).newbyteorder("=")


def columns(pdef: Any, table: Mapping[str, np.ndarray] | None = None) -> list[Column]:
    """The flat columns of packet ``pdef`` (a PacketDef). A variable layout's
    fields take their type from the decoded ``table`` when one is given."""
    out = [Column(n, n, None, u, _native(d), "header", desc) for n, u, d, desc in HEADER]
    for f in pdef.fields:
        lay = pdef.layouts.get(f.name) if pdef.fixed else None
        desc = f.description
        if lay is None:
            col = None if table is None else table.get(f.name)
            kind = "variable"
            dtype = np.dtype(object) if col is None else col.dtype
            if col is not None and col.ndim == 2:
                out += [Column(f"{f.name}_{j}", f.name, j, f.unit, dtype, "array", desc)
                        for j in range(col.shape[1])]
                continue
            out.append(Column(f.name, f.name, None, f.unit, dtype, kind, desc))
        elif lay.kind == "array":
            out += [Column(f"{f.name}_{j}", f.name, j, f.unit, _native(lay.dtype), "array", desc)
                    for j in range(lay.count)]
        elif lay.kind == "enum":
            names = {v: k for k, v in (lay.enum or {}).items()}
            out.append(Column(f.name, f.name, None, f.unit, _native(lay.dtype), "enum", desc,
                              names))
        elif lay.kind in ("string", "bytes"):
            out.append(Column(f.name, f.name, None, f.unit, np.dtype(object), lay.kind, desc))
        else:
            out.append(Column(f.name, f.name, None, f.unit, _native(lay.dtype), "scalar", desc))
    if table is not None:
        out = [c for c in out if c.field in table]
    return out


def flat(pdef: Any, table: Mapping[str, np.ndarray]) -> dict[str, tuple[Column, np.ndarray]]:
    """The table as flat 1-D columns, each with its description, typed with
    the dictionary's width (``{name: (Column, values)}``)."""
    out = {}
    for c in columns(pdef, table):
        values = np.asarray(table[c.field])
        if c.component is not None:
            values = values[:, c.component]
        if c.dtype.kind in "iuf" and values.dtype != c.dtype:
            values = values.astype(c.dtype)
        out[c.name] = (c, values)
    return out


def enum_labels(column: Column, values: np.ndarray) -> np.ndarray:
    """The names of enum values (an undeclared value shows as its number)."""
    names = column.enum or {}
    uniq, inverse = np.unique(values, return_inverse=True)
    labels = np.array([names.get(int(v), str(int(v))) for v in uniq.tolist()], dtype=object)
    return labels[inverse.reshape(values.shape)]
