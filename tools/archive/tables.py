"""Decode an archive into tables, one per packet type of the dictionary:
``{packet name: {column: numpy array}}``. Columns: ``recv_time`` (TAI s),
``apid``, ``seq``, ``t_tai`` (packet time from its CUC), then every field of
the declaration (arrays as 2-D columns, enums as their integer value).

Decoding is the packet layer's bulk decoder (fsw.packets.bulk: vectorised
numpy dtypes derived from the dictionary; variable layouts one by one).
Packets that fail (CRC, length, header, sequence flags, a field value
outside its declaration, unknown APID) are counted in ``DecodeResult.errors``,
never dropped silently.
"""

from __future__ import annotations

import binascii
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fsw_tools.archive.reader import Archive

from fsw.errors import UserError

Table = dict[str, np.ndarray]


class UndecodedPacketError(UserError):
    """Every packet of a name in an archive failed to decode."""


@dataclass
class DecodeResult:
    """The decoded tables and what could not be decoded, by reason."""

    tables: dict[str, Table] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)

    def table(self, name: str) -> Table:
        """The table of packet ``name`` ({} when the run holds none).
        :class:`UndecodedPacketError` when the archive holds packets of that
        name and none could be decoded (an archive written with another
        version of the dictionary: a field added or removed changes the
        length), rather than an empty table that reads as "none flown"."""
        t = self.tables.get(name)
        if t:
            return t
        failed = {k.split(": ", 1)[1]: n for k, n in self.errors.items()
                  if k.startswith(name + ": ")}
        if failed:
            what = ", ".join(f"{n} {why}" for why, n in sorted(failed.items()))
            raise UndecodedPacketError(
                f"{name}: the archive holds {sum(failed.values())} such packets and none "
                f"decodes with this version's dictionary ({what}); it was written by "
                "another version: read it with that version of fsw")
        return t if t is not None else {}

    def frame(self, name: str) -> Any:
        """The table of packet ``name`` as a pandas DataFrame (UTC index, a
        column per vector component, enums by name, units in ``attrs``):
        :func:`fsw_tools.analysis.frames.frame`."""
        from fsw_tools.analysis.frames import frame

        return frame(name, self.tables.get(name, {}))


def _dictionary() -> Any:
    from fsw.packets import DICTIONARY

    return DICTIONARY


def import_definitions() -> None:
    """Load the packet dictionary with every declaration (fsw.packets does it)."""
    import fsw.packets  # noqa: F401


def decode_archive(archive: Archive, apids: Iterable[int] | None = None) -> DecodeResult:
    """Tables of every dictionary packet in ``archive`` (or only ``apids``).

    The archive's records delimit the packets; each packet is checked here
    (CRC-16, its length field against its record, its header word against the
    declaration) so that the packet layer's bulk decoder
    (:func:`fsw.packets.bulk.decode_archive`) gets a clean, aligned buffer per
    APID, and the receive times stay attached to their packets.
    """
    from fsw.packets import APID_IDLE, bulk

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
            if apid != APID_IDLE:  # idle packets carry nothing
                result.errors[f"unknown APID 0x{apid:03X}"] += len(index)
            continue
        sub = _clean(archive.take(index), pdef, result)
        if len(sub) == 0:
            continue
        res = bulk.decode_archive(sub.data, dictionary=dictionary)
        if res.rejected:  # cannot happen after _clean; never hide it if it does
            result.errors[f"{pdef.name}: rejected by the bulk decoder"] += res.rejected
            continue
        if pdef.fixed:
            rows = res.arrays[pdef.name]
            # columns by name (a dict of arrays, or a structured array)
            columns = rows if isinstance(rows, dict) else {n: rows[n] for n in rows.dtype.names}
            table: Table = {"recv_time": sub.times,
                            "apid": np.full(len(sub), apid, dtype=np.uint16)}
            for name, col in columns.items():
                if col.dtype.kind == "S":
                    lay = pdef.layouts.get(name)
                    col = np.char.decode(col, (lay.encoding if lay else None) or "ascii",
                                         errors="replace")
                table[name] = col
        else:
            table = _records_table(res.records[pdef.name], sub.times)
        result.tables[pdef.name] = table
    return result


def _clean(sub: Archive, pdef: Any, result: DecodeResult) -> Archive:
    """The packets of one APID that pass CRC, length and header checks
    (the others counted by reason)."""
    crc = binascii.crc_hqx
    data = np.frombuffer(sub.data, dtype=np.uint8)
    offs = sub.offsets
    declared = (data[offs + 4].astype(np.int64) << 8 | data[offs + 5]) + 7
    length_ok = declared == sub.lengths
    if pdef.fixed:
        length_ok &= sub.lengths == pdef.size
    w0 = data[offs].astype(np.int64) << 8 | data[offs + 1]
    header_ok = w0 == pdef.w0
    crc_ok = np.fromiter((crc(p, 0xFFFF) == 0 for p in sub.packets()), bool, len(sub))
    field_ok = np.ones(len(sub), bool)
    framed = length_ok & crc_ok & header_ok
    if framed.any():  # the checks of a single parse: sequence flags, enum values, text...
        header_ok[framed], field_ok[framed] = _row_checks(sub.take(np.flatnonzero(framed)), pdef)
    for what, bad in (("wrong length", ~length_ok), ("CRC mismatch", length_ok & ~crc_ok),
                      ("header mismatch", length_ok & crc_ok & ~header_ok),
                      ("bad field value", length_ok & crc_ok & header_ok & ~field_ok)):
        if bad.any():
            result.errors[f"{pdef.name}: {what}"] += int(bad.sum())
    good = length_ok & crc_ok & header_ok & field_ok
    return sub if good.all() else sub.take(np.flatnonzero(good))


def _row_checks(sub: Archive, pdef: Any) -> tuple[np.ndarray, np.ndarray]:
    """(header_ok, field_ok) of packets already framed (length, CRC and
    header word good): vectorised for fixed layouts, one parse each else."""
    from fsw.packets import PacketError, PacketHeaderError, bulk

    if pdef.fixed:
        wire = np.frombuffer(sub.data, bulk.wire_dtype(pdef))
        return bulk.check_fixed(pdef, wire)
    header_ok = np.ones(len(sub), bool)
    field_ok = np.ones(len(sub), bool)
    for i, p in enumerate(sub.packets()):
        try:
            pdef.parse(p)
        except PacketHeaderError:
            header_ok[i] = False
        except PacketError:  # a field (or a variable layout's length) does not decode
            field_ok[i] = False
    return header_ok, field_ok


def _records_table(records: list[Any], times: np.ndarray) -> Table:
    cols = list(zip(*records, strict=True))
    table: Table = {"recv_time": times}
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
