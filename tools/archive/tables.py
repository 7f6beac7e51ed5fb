"""Decode an archive into tables, one per packet type of the dictionary:
``{packet name: {column: numpy array}}``. Columns: ``recv_time`` (TAI s),
``apid``, ``seq``, ``t_tai`` (packet time from its CUC), then every field of
the declaration (arrays as 2-D columns, enums as their integer value).

Fixed-layout packets are decoded vectorised through the numpy dtype the
dictionary derives from each declaration; variable-layout packets go through
their codec one by one. Packets that fail (CRC, length, unknown APID) are
counted in ``DecodeResult.errors``, never dropped silently.
"""

from __future__ import annotations

import binascii
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fsw_tools.archive.reader import Archive

Table = dict[str, np.ndarray]


@dataclass
class DecodeResult:
    """The decoded tables and what could not be decoded, by reason."""

    tables: dict[str, Table] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)

    def table(self, name: str) -> Table:
        """The table of packet ``name`` ({} when the run holds none)."""
        return self.tables.get(name, {})


def _dictionary() -> Any:
    from fsw.packets import DICTIONARY

    return DICTIONARY


def import_definitions() -> None:
    """Load the packet dictionary with every declaration (fsw.packets does it)."""
    import fsw.packets  # noqa: F401


def decode_archive(archive: Archive, apids: Iterable[int] | None = None) -> DecodeResult:
    """Tables of every dictionary packet in ``archive`` (or only ``apids``)."""
    dictionary = _dictionary()
    result = DecodeResult()
    all_apids = archive.apids
    wanted = np.unique(all_apids) if apids is None else np.unique(np.fromiter(apids, int))
    for apid in wanted.tolist():
        index = np.flatnonzero(all_apids == apid)
        if len(index) == 0:
            continue
        pdef = dictionary.by_apid.get(apid)
        if pdef is None:
            result.errors[f"unknown APID 0x{apid:03X}"] += len(index)
            continue
        sub = archive.take(index)
        table = _decode_fixed(pdef, sub, result) if pdef.fixed else _decode_var(pdef, sub, result)
        if table:
            result.tables[pdef.name] = table
    return result


def _crc_ok(sub: Archive) -> np.ndarray:
    crc = binascii.crc_hqx
    return np.fromiter((crc(p, 0xFFFF) == 0 for p in sub.packets()), bool, len(sub))


def _decode_fixed(pdef: Any, sub: Archive, result: DecodeResult) -> Table:
    size = pdef.size
    good = sub.lengths == size
    if not good.all():
        result.errors[f"{pdef.name}: wrong length"] += int((~good).sum())
    ok = _crc_ok(sub) & good
    if not ok.all():
        result.errors[f"{pdef.name}: CRC mismatch"] += int((good & ~ok).sum())
    if not ok.any():
        return {}
    sub = sub.take(np.flatnonzero(ok)) if not ok.all() else sub
    rows = np.frombuffer(sub.data, dtype=pdef.numpy_dtype())
    table: Table = {
        "recv_time": sub.times,
        "apid": np.full(len(rows), pdef.apid, dtype=np.uint16),
        "seq": (rows["w1"] & 0x3FFF).astype(np.uint16),
        "t_tai": rows["coarse"].astype(np.float64) + rows["fine"] / 65536.0,
    }
    for name in pdef.field_names:
        col = rows[name]
        if col.dtype.kind in "iuf":
            col = col.astype(col.dtype.newbyteorder("="))
        elif col.dtype.kind == "S":
            col = np.char.decode(col, pdef.layouts[name].encoding or "ascii", errors="replace")
        table[name] = col
    return table


def _decode_var(pdef: Any, sub: Archive, result: DecodeResult) -> Table:
    from fsw.packets.errors import PacketError

    records, times = [], []
    for pkt, t in zip(sub.packets(), sub.times.tolist(), strict=True):
        try:
            records.append(pdef.parse(pkt))
            times.append(t)
        except PacketError as exc:
            result.errors[f"{pdef.name}: {type(exc).__name__}"] += 1
    if not records:
        return {}
    cols = list(zip(*records, strict=True))
    table: Table = {"recv_time": np.asarray(times)}
    for name, values in zip(records[0]._fields, cols, strict=True):
        table[name] = _column(values)
    return table


def _column(values: tuple[Any, ...]) -> np.ndarray:
    if isinstance(values[0], str | bytes):
        return np.asarray(values, dtype=object)
    try:
        return np.asarray(values)
    except ValueError:  # ragged arrays
        return np.asarray(values, dtype=object)
