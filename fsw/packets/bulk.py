"""Vectorised bulk decoding of concatenated packets (an archive, a capture)
into per-packet numpy arrays.

Pipeline, with no per-packet Python on the hot path:

1. the C scanner (:mod:`fsw.packets._scan`, native/scan) walks the length
   fields and checks every CRC, giving offsets, APIDs and lengths;
2. packets of each fixed-layout APID are gathered into one contiguous block
   (or, when the whole buffer is one APID, viewed in place);
3. ``np.frombuffer`` with the packet's wire dtype (derived from the
   dictionary), converted to native-endian columns (a dict of contiguous
   arrays per packet name): ``seq``, ``t_tai`` (float TAI seconds),
   [``key_id``, ``auth_seq``,] then the declared fields (arrays 2-D).

A file holding a single layout (one APID, one length) is recognised by a
vectorised check of every header and skips the scan (CRC still checked).

Variable-layout packets are decoded one by one with their codec (they are
rare: dumps, images); packets that fail (CRC, length, unknown APID) are
counted per APID, never dropped silently. Fixed-layout rows get the checks
of a single parse, vectorised: length, CRC, header word, sequence flags (11)
and enum values (``field_errors``); text stays raw octets. Without the
compiled scanner a pure-Python scanner gives the same result, slowly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fsw.packets import codec
from fsw.packets.dictionary import DICTIONARY, Dictionary, PacketDef
from fsw.packets.errors import PacketError, PacketFieldError, PacketLengthError

try:
    from fsw.packets import _scan  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - not built; the pure-Python scanner is used
    _scan = None

_dtype_cache: dict[tuple[int, int], tuple[np.dtype, np.dtype]] = {}


def wire_dtype(pdef: PacketDef) -> np.dtype:
    """Big-endian dtype of the whole packet as on the wire (fixed layouts)."""
    return _dtypes(pdef)[0]


def record_dtype(pdef: PacketDef) -> np.dtype:
    """Native-endian dtype of the decoded records: seq, t_tai, [key_id,
    auth_seq,] then the declared fields."""
    return _dtypes(pdef)[1]


def _dtypes(pdef: PacketDef) -> tuple[np.dtype, np.dtype]:
    key = (id(pdef), pdef.apid)
    got = _dtype_cache.get(key)
    if got is None:
        wire = pdef.numpy_dtype()
        if wire is None:
            raise PacketError(f"{pdef.name} has a variable layout: no numpy dtype")
        items: list[tuple[Any, ...]] = [("seq", "u2"), ("t_tai", "f8")]
        if pdef.is_tc:
            items += [("key_id", "u2"), ("auth_seq", "u4")]
        for name in pdef.field_names:
            sub = wire.fields[name][0]
            base = sub.base if sub.shape else sub
            native = base.newbyteorder("=") if base.kind in "iuf" else base
            items.append((name, native, sub.shape) if sub.shape else (name, native))
        got = _dtype_cache[key] = (wire, np.dtype(items))
    return got


def header_columns(wire_bytes: np.ndarray, n: int, rec_len: int, check_crc: bool = False
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """``seq``, ``t_tai`` and CRC flags of ``n`` back-to-back packets of
    ``rec_len`` octets in one pass (C), and how many packets have another
    APID word or length field than the first."""
    ok = np.ones(n, np.uint8)
    seq = np.empty(n, np.uint16)
    t = np.empty(n, np.float64)
    if _scan is None:
        rows = wire_bytes[:n * rec_len].reshape(n, rec_len)
        seq[:] = ((rows[:, 2].astype(np.uint16) & 0x3F) << 8) | rows[:, 3]
        coarse = rows[:, 6:10].copy().view(">u4")[:, 0]
        fine = rows[:, 10:12].copy().view(">u2")[:, 0]
        t[:] = fine * (1.0 / 65536.0)
        t += coarse
        mism = int(np.count_nonzero((rows[:, [0, 1, 4, 5]] != rows[0, [0, 1, 4, 5]]).any(axis=1)))
        if check_crc:
            ok[:] = [codec.crc16(r.tobytes()) == 0 for r in rows]
        return seq, t, ok.view(bool), mism
    ffi, lib = _scan.ffi, _scan.lib
    mismatch = ffi.new("size_t *")
    _check(lib.pkt_decode_fixed(
        ffi.from_buffer("uint8_t[]", wire_bytes), n, rec_len, 1 if check_crc else 0,
        ffi.from_buffer("uint8_t[]", ok), ffi.from_buffer("uint16_t[]", seq),
        ffi.from_buffer("double[]", t), mismatch))
    return seq, t, ok.view(bool), int(mismatch[0])


def convert(pdef: PacketDef, wire: np.ndarray, seq: np.ndarray | None = None,
            t_tai: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Wire-dtype records -> native-endian columns (contiguous arrays):
    ``seq``, ``t_tai`` (float TAI s), [``key_id``, ``auth_seq``,] then the
    declared fields (arrays as 2-D, text as ``S<n>`` bytes)."""
    if seq is None or t_tai is None:
        raw = np.ascontiguousarray(wire).view(np.uint8)
        seq, t_tai, _, _ = header_columns(raw, len(wire), wire.dtype.itemsize)
    out: dict[str, np.ndarray] = {"seq": seq, "t_tai": t_tai}
    native = record_dtype(pdef)
    names = (["key_id", "auth_seq"] if pdef.is_tc else []) + list(pdef.field_names)
    for name in names:
        sub = native.fields[name][0]
        base = sub.base if sub.shape else sub
        out[name] = wire[name].astype(base, copy=True)
    return out


@dataclass
class BulkResult:
    """Outcome of :func:`decode_archive`."""

    arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # name -> columns
    records: dict[str, list[Any]] = field(default_factory=dict)  # variable layouts
    packets: int = 0  # whole packets found
    crc_errors: dict[int, int] = field(default_factory=dict)  # per APID
    length_errors: dict[int, int] = field(default_factory=dict)  # size != declared
    header_errors: dict[int, int] = field(default_factory=dict)  # type/flag mismatch
    field_errors: dict[int, int] = field(default_factory=dict)  # enum out of range, bad text
    unknown: dict[int, int] = field(default_factory=dict)  # APIDs not declared
    idle: int = 0
    trailing: int = 0  # octets at the end not forming a whole packet

    def count(self, name: str) -> int:
        """Packets of ``name`` decoded."""
        if name in self.arrays:
            return len(self.arrays[name]["seq"])
        return len(self.records.get(name, ()))

    @property
    def decoded(self) -> int:
        return sum(len(a["seq"]) for a in self.arrays.values()) + sum(
            len(r) for r in self.records.values())

    @property
    def rejected(self) -> int:
        return sum(sum(d.values()) for d in (self.crc_errors, self.length_errors,
                                             self.header_errors, self.field_errors,
                                             self.unknown))


def scan(buf: bytes | bytearray | memoryview | np.ndarray, check_crc: bool = True
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Offsets (i8), APIDs (u2), lengths (u4) and CRC flags (bool) of the
    whole packets in ``buf``, and the count of trailing octets."""
    data = np.frombuffer(buf, np.uint8)
    n_oct = data.size
    if _scan is None:
        return _scan_python(memoryview(data), check_crc)
    ffi, lib = _scan.ffi, _scan.lib
    src = ffi.from_buffer("uint8_t[]", data)
    count = ffi.new("size_t *")
    consumed = ffi.new("size_t *")
    _check(lib.pkt_scan_count(src, n_oct, count, consumed))
    n = count[0]
    offsets = np.empty(n, np.int64)
    apids = np.empty(n, np.uint16)
    lengths = np.empty(n, np.uint32)
    ok = np.empty(n, np.uint8)
    _check(lib.pkt_scan_fill(
        src, n_oct, n, 1 if check_crc else 0,
        ffi.from_buffer("int64_t[]", offsets), ffi.from_buffer("uint16_t[]", apids),
        ffi.from_buffer("uint32_t[]", lengths), ffi.from_buffer("uint8_t[]", ok), count))
    return offsets, apids, lengths, ok.view(bool), n_oct - consumed[0]


def _decode_uniform(res: BulkResult, data: np.ndarray, dictionary: Dictionary,
                    check_crc: bool) -> bool:
    """Fast path of a single-layout file (one APID, one length, back to back:
    what a per-APID archive or a sensor log is): header columns and CRCs in one
    C pass, the fields viewed in place. False if ``data`` is not one."""
    if data.size < 12:
        return False
    plen = ((int(data[4]) << 8) | int(data[5])) + 7
    pdef = dictionary.by_apid.get(((int(data[0]) << 8) | int(data[1])) & codec.APID_MAX)
    if pdef is None or not pdef.fixed or plen != pdef.size or data.size % plen:
        return False
    n = data.size // plen
    seq, t, ok, mismatch = header_columns(data, n, plen, check_crc)
    if mismatch:
        return False
    res.packets = n
    wire = np.frombuffer(data, wire_dtype(pdef))
    if int(wire["w0"][0]) != pdef.w0:
        res.header_errors[pdef.apid] = n
        return True
    if not ok.all():
        res.crc_errors[pdef.apid] = int(np.count_nonzero(~ok))
        wire, seq, t = wire[ok], seq[ok], t[ok]
    good = _checked(res, pdef, wire)
    if good is not None:
        wire, seq, t = wire[good], seq[good], t[good]
    res.arrays[pdef.name] = convert(pdef, wire, seq, t)
    return True


def check_fixed(pdef: PacketDef, wire: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row checks of wire-dtype records beyond length and CRC, vectorised:
    (header_ok: the header word and the sequence flags 11 of an unsegmented
    packet; fields_ok: every enum field holds a declared value)."""
    header_ok = (wire["w0"] == pdef.w0) & ((wire["w1"] >> 14) == codec.SEQ_UNSEGMENTED)
    fields_ok = np.ones(len(wire), bool)
    for f in pdef.fields:
        lay = pdef.layouts[f.name]
        if lay is not None and lay.kind == "enum":
            fields_ok &= np.isin(wire[f.name], np.fromiter((lay.enum or {}).values(), np.int64))
    return header_ok, fields_ok


def _checked(res: BulkResult, pdef: PacketDef, wire: np.ndarray) -> np.ndarray | None:
    """Count the rows :func:`check_fixed` rejects; the mask of the good rows,
    or None when every row is good."""
    header_ok, fields_ok = check_fixed(pdef, wire)
    if header_ok.all() and fields_ok.all():
        return None
    if not header_ok.all():
        res.header_errors[pdef.apid] = (res.header_errors.get(pdef.apid, 0)
                                        + int(np.count_nonzero(~header_ok)))
    bad_fields = header_ok & ~fields_ok
    if bad_fields.any():
        res.field_errors[pdef.apid] = (res.field_errors.get(pdef.apid, 0)
                                       + int(np.count_nonzero(bad_fields)))
    return header_ok & fields_ok


def _check(status: int) -> None:
    if status != 0:
        raise PacketError(f"packet scanner failed with status {status}")


def _scan_python(mv: memoryview, check_crc: bool
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    packets, _trailing = codec.split_stream(mv)
    offsets = np.empty(len(packets), np.int64)
    apids = np.empty(len(packets), np.uint16)
    lengths = np.empty(len(packets), np.uint32)
    ok = np.ones(len(packets), bool)
    pos = 0
    for i, p in enumerate(packets):
        offsets[i], apids[i], lengths[i] = pos, ((p[0] << 8) | p[1]) & codec.APID_MAX, len(p)
        if check_crc:
            ok[i] = len(p) >= 8 and codec.crc16(p) == 0
        pos += len(p)
    return offsets, apids, lengths, ok, len(mv) - pos


def _gather(data: np.ndarray, offsets: np.ndarray, idx: np.ndarray, rec_len: int) -> np.ndarray:
    if (len(idx) and offsets[idx[0]] + rec_len * len(idx) == offsets[idx[-1]] + rec_len
            and len(idx) == idx[-1] - idx[0] + 1):
        start = int(offsets[idx[0]])  # contiguous run: view in place, no copy
        return data[start:start + rec_len * len(idx)]
    out = np.empty(len(idx) * rec_len, np.uint8)
    if _scan is None:
        rows = offsets[idx][:, None] + np.arange(rec_len)
        out[:] = data[rows].ravel()
        return out
    ffi, lib = _scan.ffi, _scan.lib
    idx64 = np.ascontiguousarray(idx, np.int64)
    _check(lib.pkt_gather(ffi.from_buffer("uint8_t[]", data), data.size,
                          ffi.from_buffer("int64_t[]", offsets),
                          ffi.from_buffer("int64_t[]", idx64), len(idx), rec_len,
                          ffi.from_buffer("uint8_t[]", out)))
    return out


def _count(target: dict[int, int], apids: np.ndarray) -> None:
    if apids.size:
        values, counts = np.unique(apids, return_counts=True)
        for a, c in zip(values.tolist(), counts.tolist(), strict=True):
            target[a] = target.get(a, 0) + c


def decode_archive(buf: bytes | bytearray | memoryview | np.ndarray, *,
                   dictionary: Dictionary = DICTIONARY, check_crc: bool = True,
                   names: Iterable[str] | None = None) -> BulkResult:
    """Decode every packet of ``buf`` (concatenated packets, any APIDs).

    Returns per-packet-name columns (fixed layouts) or record lists
    (variable layouts), and per-APID counts of what was rejected. ``names``
    limits decoding to those packets (others are still counted in
    ``packets``, not decoded).
    """
    data = np.frombuffer(buf, np.uint8)
    if names is None:
        res = BulkResult()
        if _decode_uniform(res, data, dictionary, check_crc):
            return res
    offsets, apids, lengths, ok, trailing = scan(data, check_crc)
    res = BulkResult(packets=len(offsets), trailing=trailing)
    if not len(offsets):
        return res
    wanted = None if names is None else {dictionary[n].apid for n in names}
    bad = ~ok
    any_bad = bool(bad.any())
    if any_bad:
        _count(res.crc_errors, apids[bad])
    uniq = apids[:1] if int(apids.min()) == int(apids.max()) else np.unique(apids)
    for apid in uniq.tolist():
        if apid == codec.APID_IDLE:  # one with a bad CRC is counted there, not here
            res.idle += int(np.count_nonzero((apids == apid) & ok))
            continue
        pdef = dictionary.by_apid.get(apid)
        if pdef is None:
            res.unknown[apid] = int(np.count_nonzero((apids == apid) & ok))
            if not res.unknown[apid]:
                del res.unknown[apid]
            continue
        if wanted is not None and apid not in wanted:
            continue
        idx = np.flatnonzero((apids == apid) & ok)
        if not len(idx):
            continue
        if pdef.fixed:
            _decode_fixed(res, pdef, data, offsets, lengths, idx)
        else:
            _decode_variable(res, pdef, data, offsets, lengths, idx)
    return res


def _decode_fixed(res: BulkResult, pdef: PacketDef, data: np.ndarray, offsets: np.ndarray,
                  lengths: np.ndarray, idx: np.ndarray) -> None:
    size = pdef.size
    assert size is not None
    good_len = lengths[idx] == size
    if not good_len.all():
        res.length_errors[pdef.apid] = int(np.count_nonzero(~good_len))
        idx = idx[good_len]
    wire = np.frombuffer(_gather(data, offsets, idx, size), wire_dtype(pdef))
    good = _checked(res, pdef, wire)
    if good is not None:
        wire = wire[good]
    res.arrays[pdef.name] = convert(pdef, wire)


def _decode_variable(res: BulkResult, pdef: PacketDef, data: np.ndarray, offsets: np.ndarray,
                     lengths: np.ndarray, idx: np.ndarray) -> None:
    out = res.records.setdefault(pdef.name, [])
    mv = memoryview(data)
    for i in idx.tolist():
        off = int(offsets[i])
        try:
            out.append(pdef.parse(mv[off:off + int(lengths[i])]))
        except PacketError as exc:
            counts = (res.length_errors if isinstance(exc, PacketLengthError) else
                      res.field_errors if isinstance(exc, PacketFieldError) else
                      res.header_errors)
            counts[pdef.apid] = counts.get(pdef.apid, 0) + 1


def ccsdspy_fields(pdef: PacketDef) -> list[tuple[str, str, int, int | None]]:
    """The packet after its primary header as (name, ccsdspy data type, bits,
    array length or None): the layout an independent decoder (ccsdspy, used
    by the tests and the benchmark) needs, derived from the declaration."""
    if not pdef.fixed:
        raise PacketError(f"{pdef.name} has a variable layout")
    kinds = {"b": "int", "h": "int", "i": "int", "l": "int", "q": "int", "f": "float",
             "d": "float"}
    out: list[tuple[str, str, int, int | None]] = [("coarse", "uint", 32, None),
                                                  ("fine", "uint", 16, None)]
    if pdef.is_tc:
        out += [("key_id", "uint", 16, None), ("auth_seq", "uint", 32, None)]
    for name in pdef.field_names:
        lay = pdef.layouts[name]
        assert lay is not None
        ch = lay.fmt[-1]
        if lay.kind in ("string", "bytes"):
            out.append((name, "str" if lay.kind == "string" else "fill", 8 * lay.size, None))
        else:
            bits = 8 * lay.size // lay.count
            out.append((name, kinds.get(ch, "uint"), bits,
                        lay.count if lay.kind == "array" else None))
    if pdef.is_tc:
        out.append(("mac", "fill", 8 * 16, None))
    out.append(("crc", "uint", 16, None))
    return out
