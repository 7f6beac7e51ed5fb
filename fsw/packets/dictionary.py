"""The packet dictionary: declarations (construct) and the codecs derived from them.

A packet is declared once with :func:`telemetry` or :func:`telecommand`; its
fields are construct types. From the declaration this module derives, never
writing a layout twice:

- a fast codec: for fixed layouts (every field a big-endian number, a fixed
  array of numbers, an enum over an integer, a fixed-size string or bytes) one
  precomputed :class:`struct.Struct` over the whole packet and generated
  ``build``/``parse`` functions (``build`` takes keywords, ``build_ordered``
  the fields in declared order, one generated body under both signatures;
  ``build_mapping`` takes the fields as a dict, as ``TaskContext.send`` has
  them); for variable layouts the compiled construct of the user data;
- the plain construct of the whole packet (:attr:`PacketDef.construct`), the
  slow reference the tests compare the fast codec with;
- a numpy dtype of the whole packet for bulk decoding (fixed layouts);
- the markdown reference and the XTCE export (:mod:`fsw.packets.reference`,
  :mod:`fsw.packets.xtce`).
"""

from __future__ import annotations

import binascii
import collections
import struct
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import construct as cs

from fsw.packets import codec
from fsw.packets import limits as _limits
from fsw.packets.errors import (
    DictionaryError,
    PacketBuildError,
    PacketCrcError,
    PacketError,
    PacketFieldError,
    PacketHeaderError,
    PacketLengthError,
    UnknownApidError,
)
from fsw.packets.limits import Limits


class ApidArea(NamedTuple):
    """One area of the APID plan: first and last APID, what it holds, the
    packet type allowed there."""

    first: int
    last: int
    area: str
    kind: int

    @property
    def apids(self) -> range:
        """Every APID of the area."""
        return range(self.first, self.last + 1)


#: The APID plan by name (use these, never the numbers:
#: ``APID_AREAS["telecommands"].apids``).
APID_AREAS: Mapping[str, ApidArea] = MappingProxyType({
    "executive": ApidArea(0x001, 0x00F, "executive", codec.TM),
    "fsw_telemetry": ApidArea(0x010, 0x07F, "flight-software telemetry", codec.TM),
    "telecommands": ApidArea(0x080, 0x0FF, "telecommands (authenticated)", codec.TC),
    "sensors": ApidArea(0x100, 0x17F, "avionics sensors (hil -> fsw)", codec.TM),
    "actuators": ApidArea(0x180, 0x1FF, "actuator commands (fsw -> hil)", codec.TM),
    "guidance": ApidArea(0x200, 0x27F, "guidance-core requests/responses", codec.TM),
    "truth": ApidArea(0x400, 0x4FF, "truth telemetry (hil only)", codec.TM),
})
#: The APID plan: (first, last, area, packet type allowed), in APID order.
APID_PLAN: tuple[ApidArea, ...] = tuple(APID_AREAS.values())

#: Telecommand authentication header after the CUC: key id (u16), anti-replay
#: sequence number (u32); and the MAC trailer before the CRC.
AUTH_HEADER_LEN = 6
MAC_LEN = 16
_AUTH = struct.Struct(">HI")
_RESERVED = frozenset({"apid", "seq", "t_tai", "packet", "crc"})
_RESERVED_TC = _RESERVED | {"key_id", "auth_seq", "mac"}
_HDR_FMT = ">HHHIH"


def plan_area(apid: int) -> ApidArea | None:
    """The APID plan entry holding ``apid``, or None."""
    for entry in APID_PLAN:
        if entry[0] <= apid <= entry[1]:
            return entry
    return None


@dataclass(frozen=True)
class Field:
    """One user-data field: name, construct type, unit, description and, for
    telemetry, optional limits (:class:`fsw.packets.limits.Limits`)."""

    name: str
    type: cs.Construct
    unit: str = ""
    description: str = ""
    limits: Limits | None = None


@dataclass(frozen=True)
class Layout:
    """How a fixed-layout field maps to struct/numpy (derived from construct)."""

    kind: str  # "scalar", "enum", "array", "string", "bytes"
    fmt: str  # struct format chars (no byte order), e.g. "d", "3d", "64s"
    count: int  # struct items it takes (array length, else 1)
    size: int  # octets
    dtype: str  # numpy type string of one element, big-endian ("S64" for text)
    enum: Mapping[str, int] | None = None
    encoding: str | None = None


_NUMPY = {"b": "i1", "B": "u1", "h": ">i2", "H": ">u2", "i": ">i4", "I": ">u4",
          "l": ">i4", "L": ">u4",
          "q": ">i8", "Q": ">u8", "f": ">f4", "d": ">f8"}


def _number_char(sc: cs.Construct) -> str | None:
    if isinstance(sc, cs.FormatField) and sc.fmtstr[0] in ">!" and sc.fmtstr[1:] in _NUMPY:
        return sc.fmtstr[1:]
    return None


def field_layout(sc: cs.Construct) -> Layout | None:
    """The fixed layout of a construct type, or None if its size can vary
    (or it is not one of the supported fixed forms)."""
    ch = _number_char(sc)
    if ch:
        return Layout("scalar", ch, 1, struct.calcsize(">" + ch), _NUMPY[ch])
    if isinstance(sc, cs.Enum):
        ch = _number_char(sc.subcon)
        if ch and ch not in "fd":
            mapping = {str(k): int(v) for k, v in sc.encmapping.items()}
            return Layout("enum", ch, 1, struct.calcsize(">" + ch), _NUMPY[ch], mapping)
        return None
    if isinstance(sc, cs.Array) and isinstance(sc.count, int) and sc.count > 0:
        ch = _number_char(sc.subcon)
        if ch:
            n = sc.count
            return Layout("array", f"{n}{ch}", n, n * struct.calcsize(">" + ch), _NUMPY[ch])
        return None
    if (
        isinstance(sc, cs.StringEncoded)
        and isinstance(sc.subcon, cs.FixedSized)
        and isinstance(sc.subcon.length, int)
        and isinstance(sc.subcon.subcon, cs.NullStripped)
    ):
        n = sc.subcon.length
        return Layout("string", f"{n}s", 1, n, f"S{n}", encoding=sc.encoding)
    if isinstance(sc, cs.Bytes) and isinstance(sc.length, int):
        n = sc.length
        return Layout("bytes", f"{n}s", 1, n, f"V{n}")
    return None


def _raw_subcon(sc: cs.Construct) -> cs.Construct:
    """The construct a codec uses for a field: enums as their integer."""
    return sc.subcon if isinstance(sc, cs.Enum) else sc


# -- generated code helpers -------------------------------------------------


def _enc_str(value: Any, size: int, encoding: str, name: str) -> bytes:
    try:
        raw = value.encode(encoding)
    except (AttributeError, UnicodeError) as exc:
        raise PacketBuildError(f"{name}: {value!r} is not {encoding} text") from exc
    if b"\0" in raw:
        raise PacketBuildError(f"{name}: text must not hold NUL characters (they pad the field)")
    if len(raw) > size:
        raise PacketBuildError(f"{name}: {len(raw)} octets of text, the field holds {size}")
    return raw


def _enc_bytes(value: Any, size: int, name: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview) or len(value) != size:
        raise PacketBuildError(f"{name}: needs exactly {size} octets")
    return bytes(value)


def _dec_str(raw: bytes, encoding: str, name: str) -> str:
    text = raw.rstrip(b"\0")
    if b"\0" in text:
        raise PacketFieldError(f"{name}: NUL inside the text (NULs only pad its end)")
    try:
        return text.decode(encoding)
    except UnicodeDecodeError as exc:
        raise PacketFieldError(f"{name}: text is not valid {encoding}") from exc


def _enum_value(mapping: Mapping[str, int], values: frozenset[int], value: Any,
                name: str) -> int:
    """The integer of an enum field from its name or value; PacketBuildError
    if it is neither a declared name nor a declared value."""
    v = mapping.get(value, value) if isinstance(value, str) else value
    if v not in values:
        raise PacketBuildError(f"{name}: {value!r} is not one of {sorted(mapping)}")
    return v


def _bad_enum(name: str, value: int) -> PacketError:
    return PacketFieldError(f"{name}: {value} is not a declared value of the enum")


def _bad_len(name: str, n: int, want: int) -> PacketError:
    return PacketLengthError(f"{name}: {n} octets, the packet has {want}")


def _array_len(name: str, value: Any, want: int) -> PacketBuildError:
    try:
        n = len(value)
    except TypeError:
        return PacketBuildError(f"{name}: needs a sequence of {want} numbers, got {value!r}")
    return PacketBuildError(f"{name}: needs {want} elements, got {n}")


_BUILD_ERRORS = (struct.error, TypeError, ValueError, OverflowError, AttributeError)


class PacketDef:
    """One declared packet: its declaration and the codecs derived from it.

    Use :meth:`build` (keyword arguments: ``t_tai``, ``seq`` and every field;
    telecommands also ``key_id``, ``auth_seq``, ``mac``) and :meth:`parse`
    (returns a :attr:`Record`, a named tuple ``(apid, seq, t_tai, [key_id,
    auth_seq,] *fields)``; arrays are tuples, enums ints, strings str).
    The same octets, the same errors, with less argument handling:
    :attr:`build_ordered` ``(t_tai, seq, [key_id, auth_seq, mac,] *fields)``
    (the fields in declared order) and :attr:`build_mapping` ``(t_tai, seq,
    fields)`` (a dict of the keyword arguments of :meth:`build`).
    ``hazardous`` (telecommands): the ground sends it only after an arm and
    confirm step. ``instance`` (telemetry): the field that tells apart the
    sources sharing the packet (HEARTBEAT: ``task``); the ground keeps the
    latest values and the limits of each source apart.
    """

    hazardous = False
    instance: str | None = None
    build: Callable[..., bytes]
    build_ordered: Callable[..., bytes]
    build_mapping: Callable[[float, int, Mapping[str, Any]], bytes]
    parse: Callable[[Any], Any]

    def __init__(self, apid: int, name: str, kind: int, fields: Sequence[Field],
                 description: str = "", module: str = "") -> None:
        self.apid = apid
        self.name = name
        self.kind = kind
        self.type = kind
        self.fields: tuple[Field, ...] = tuple(fields)
        self.description = description
        self.module = module
        self.is_tc = kind == codec.TC
        self.field_names = tuple(f.name for f in self.fields)
        self.layouts: dict[str, Layout | None] = {f.name: field_layout(f.type) for f in fields}
        self.fixed = all(lay is not None for lay in self.layouts.values())
        #: one variable field of octets, telemetry: may carry any sequence flags
        #: (fsw.packets.segment); every other packet is unsegmented (flags 11)
        self.segmentable = not self.fixed and not self.is_tc and len(self.fields) == 1
        head = codec.PRIMARY_HEADER_LEN + codec.CUC_LEN + (AUTH_HEADER_LEN if self.is_tc else 0)
        tail = (MAC_LEN if self.is_tc else 0) + codec.CRC_LEN
        self.header_len = head
        self.trailer_len = tail
        self.w0 = (kind << 12) | (1 << 11) | apid
        rec_fields = ["apid", "seq", "t_tai"]
        if self.is_tc:
            rec_fields += ["key_id", "auth_seq"]
        base = collections.namedtuple(f"{name}_record", [*rec_fields, *self.field_names])
        self.Record: type = type(name.title().replace("_", ""), (base,),
                                 {"__slots__": (), "packet": self})
        self.body = cs.Struct(*[f.name / f.type for f in self.fields])
        self.construct = self._full_construct()
        #: fewest octets a packet of this declaration can have (the size of a
        #: fixed layout)
        self.min_size: int = head + tail + sum(lay.size for lay in self.layouts.values() if lay)
        if self.fixed:
            self.size: int | None = head + tail + sum(
                lay.size for lay in self.layouts.values() if lay)
            self.struct = struct.Struct(self._struct_format())
            self.build, self.parse = self._generate_fixed()
        else:
            self.size = None
            self.struct = None
            raw_body = cs.Struct(*[f.name / _raw_subcon(f.type) for f in self.fields],
                                 cs.Terminated)
            try:
                self._body_codec = raw_body.compile()
            except Exception:  # construct cannot compile every type; stay correct
                self._body_codec = raw_body
            self.build, self.parse = self._variable_codec()
            self.build_ordered, self.build_mapping = self._keyword_forms(self.build)

    def __repr__(self) -> str:
        kind = "TC" if self.is_tc else "TM"
        return f"<PacketDef {self.name} APID 0x{self.apid:03X} {kind} size={self.size}>"

    # -- declarations derived --------------------------------------------

    def _struct_format(self) -> str:
        parts = [_HDR_FMT]
        if self.is_tc:
            parts.append("HI")
        parts += [lay.fmt for lay in self.layouts.values() if lay]
        if self.is_tc:
            parts.append(f"{MAC_LEN}s")
        parts.append("H")  # CRC
        return "".join(parts)

    def _full_construct(self) -> cs.Construct:
        """The whole packet as plain construct (reference implementation)."""
        parts: list[Any] = [
            "primary" / cs.BitStruct(
                "version" / cs.BitsInteger(3), "type" / cs.BitsInteger(1),
                "sec_hdr" / cs.BitsInteger(1), "apid" / cs.BitsInteger(11),
                "seq_flags" / cs.BitsInteger(2), "seq" / cs.BitsInteger(14),
                "data_len" / cs.BitsInteger(16)),
            "cuc" / cs.Struct("coarse" / cs.Int32ub, "fine" / cs.Int16ub),
        ]
        if self.is_tc:
            parts.append("auth" / cs.Struct("key_id" / cs.Int16ub, "auth_seq" / cs.Int32ub))
        parts.append("data" / cs.FixedSized(
            lambda ctx: ctx.primary.data_len + 1 - codec.CUC_LEN
            - (AUTH_HEADER_LEN + MAC_LEN if self.is_tc else 0) - codec.CRC_LEN,
            self.body))
        if self.is_tc:
            parts.append("mac" / cs.Bytes(MAC_LEN))
        parts.append("crc" / cs.Int16ub)
        return cs.Struct(*parts)

    def numpy_dtype(self) -> Any:
        """numpy structured dtype of the whole packet as on the wire
        (big-endian), or None for variable layouts."""
        if not self.fixed:
            return None
        import numpy as np

        items: list[tuple[Any, ...]] = [("w0", ">u2"), ("w1", ">u2"), ("w2", ">u2"),
                                        ("coarse", ">u4"), ("fine", ">u2")]
        if self.is_tc:
            items += [("key_id", ">u2"), ("auth_seq", ">u4")]
        for f in self.fields:
            lay = self.layouts[f.name]
            assert lay is not None
            if lay.kind == "array":
                items.append((f.name, lay.dtype, (lay.count,)))
            else:
                items.append((f.name, lay.dtype))
        if self.is_tc:
            items.append(("mac", f"V{MAC_LEN}"))
        items.append(("crc", ">u2"))
        dt = np.dtype(items)
        assert dt.itemsize == self.size, (self.name, dt.itemsize, self.size)
        return dt

    # -- fixed layout: generated code ----------------------------------------

    def _generate_fixed(self) -> tuple[Any, Any]:
        name, size = self.name, self.size
        assert size is not None
        ns: dict[str, Any] = {
            "_pack": struct.Struct(self.struct.format[:-1]).pack, "_unpack": self.struct.unpack,
            "_crc": binascii.crc_hqx, "_crc2": struct.Struct(">H").pack,
            "_tnew": tuple.__new__, "_Rec": self.Record, "PacketError": PacketError,
            "PacketBuildError": PacketBuildError, "PacketCrcError": PacketCrcError,
            "_BUILD_ERRORS": _BUILD_ERRORS, "_enc_str": _enc_str, "_enc_bytes": _enc_bytes,
            "_dec_str": _dec_str, "_bad_len": _bad_len, "_array_len": _array_len,
            "_header_error": self._header_error, "ZERO_MAC": bytes(MAC_LEN),
            "_enum_value": _enum_value, "_bad_enum": _bad_enum,
        }
        args, checks, packed, out, valid = [], [], [], [], []
        idx = 5
        if self.is_tc:
            args += ["key_id=0", "auth_seq=0", "mac=ZERO_MAC"]
            packed += ["key_id", "auth_seq"]
            out += ["v[5]", "v[6]"]
            idx = 7
        for f in self.fields:
            lay = self.layouts[f.name]
            assert lay is not None
            n = f.name
            args.append(n)
            if lay.kind == "scalar":
                packed.append(n)
                out.append(f"v[{idx}]")
            elif lay.kind == "enum":
                ns[f"_E_{n}"] = dict(lay.enum or {})
                ns[f"_V_{n}"] = frozenset((lay.enum or {}).values())
                # a declared value passes on one set lookup; names and bad values
                # take the full check (_enum_value: the value, or PacketBuildError)
                packed.append(f"({n} if {n} in _V_{n} else "
                              f"_enum_value(_E_{n}, _V_{n}, {n}, '{name}.{n}'))")
                out.append(f"v[{idx}]")
                valid.append((f"v[{idx}] not in _V_{n}", f"_bad_enum('{name}.{n}', v[{idx}])"))
            elif lay.kind == "array":
                checks.append(f"if len({n}) != {lay.count}: "
                              f"raise _array_len('{name}.{n}', {n}, {lay.count})")
                packed.append(f"*{n}")
                out.append(f"v[{idx}:{idx + lay.count}]")
            elif lay.kind == "string":
                packed.append(f"_enc_str({n}, {lay.size}, {lay.encoding!r}, '{name}.{n}')")
                out.append(f"_dec_str(v[{idx}], {lay.encoding!r}, '{name}.{n}')")
            else:  # bytes
                packed.append(f"_enc_bytes({n}, {lay.size}, '{name}.{n}')")
                out.append(f"v[{idx}]")
            idx += lay.count
        if self.is_tc:
            packed.append("_enc_bytes(mac, 16, 'mac')")
        sig = ", ".join(["t_tai", "seq=0", *args])
        pos = ", ".join(["t_tai", "seq", *(a.split("=")[0] for a in args)])
        check_code = "".join(f"        {c}\n" for c in checks)
        # one body under two signatures: keywords (build) and declared order
        # (build_ordered); neither calls the other, so neither pays a second call
        body = (
            f"    try:\n"
            f"        if not 0 <= seq < 16384:\n"
            f"            raise PacketBuildError(f'{name}: seq={{seq!r}} outside [0, 16383]')\n"
            f"{check_code}"
            f"        _t = round(t_tai * 65536.0)\n"
            f"        b = _pack({self.w0}, 0xC000 | seq, {size - 7}, _t >> 16, _t & 0xFFFF,"
            f" {', '.join(packed)})\n"
            f"    except PacketError:\n"
            f"        raise\n"
            f"    except _BUILD_ERRORS as exc:\n"
            f"        raise PacketBuildError(f'{name}: {{exc}}') from None\n"
            f"    return b + _crc2(_crc(b, 0xFFFF))\n"
        )
        src = (
            f"def build(*, {sig}):\n{body}\n"
            f"def build_ordered({pos}):\n{body}\n"
            f"{self._mapping_source(pos)}"
            f"\n"
            f"def parse(raw):\n"
            f"    if len(raw) != {size}:\n"
            f"        raise _bad_len('{name}', len(raw), {size})\n"
            f"    if _crc(raw, 0xFFFF):\n"
            f"        raise PacketCrcError('{name}: CRC mismatch')\n"
            f"    v = _unpack(raw)\n"
            f"    if v[0] != {self.w0} or v[2] != {size - 7} or v[1] < 0xC000:\n"
            f"        raise _header_error(raw)\n"
            + "".join(f"    if {cond}:\n        raise {err}\n" for cond, err in valid) +
            f"    return _tnew(_Rec, ({self.apid}, v[1] & 0x3FFF, v[3] + v[4] / 65536.0,"
            f" {', '.join(out)}))\n"
        )
        exec(compile(src, f"<packet {name}>", "exec"), ns)
        self.source = src
        self.build_ordered = ns["build_ordered"]
        self.build_mapping = ns["build_mapping"]
        return ns["build"], ns["parse"]

    def _mapping_source(self, pos: str) -> str:
        """Source of ``build_mapping(t_tai, seq, fields)``: the fields of a
        telemetry packet looked up by name and passed in order; anything but
        exactly the declared names (and every telecommand) takes the keyword
        call, so its errors are those of :meth:`build`."""
        keyword = "    return build(t_tai=t_tai, seq=seq, **_f)\n"
        if self.is_tc:
            return f"def build_mapping(t_tai, seq, _f):\n{keyword}"
        lookups = "".join(f"            {k} = _f[{k!r}]\n" for k in self.field_names)
        lookups = lookups or "            pass\n"
        return (
            f"def build_mapping(t_tai, seq, _f):\n"
            f"    if len(_f) == {len(self.fields)}:\n"
            f"        try:\n"
            f"{lookups}"
            f"        except KeyError:\n"
            f"            pass\n"
            f"        else:\n"
            f"            return build_ordered({pos})\n"
            f"{keyword}"
        )

    def _header_error(self, raw: Any) -> PacketError:
        hdr = codec.unpack_header(raw)
        if hdr.apid != self.apid:
            return PacketHeaderError(
                f"{self.name}: APID 0x{hdr.apid:03X} is not this packet's 0x{self.apid:03X}")
        if hdr.packet_len != len(raw):
            return PacketLengthError(
                f"{self.name}: length field says {hdr.packet_len} octets, got {len(raw)}")
        if hdr.seq_flags != codec.SEQ_UNSEGMENTED and not self.segmentable:
            return PacketHeaderError(f"{self.name}: sequence flags {hdr.seq_flags:02b}: this "
                                     "packet is never segmented (11)")
        return PacketHeaderError(f"{self.name}: header {hdr} does not match the declaration")

    # -- variable layout: compiled construct ---------------------------------

    def _variable_codec(self) -> tuple[Any, Any]:
        body = self._body_codec
        names = self.field_names
        enums = {f.name: self.layouts_enum(f) for f in self.fields}
        enums = {k: v for k, v in enums.items() if v}
        head, tail, w0, name, apid = (self.header_len, self.trailer_len, self.w0, self.name,
                                      self.apid)
        is_tc, rec = self.is_tc, self.Record
        crc = binascii.crc_hqx
        hdr_struct = struct.Struct(">HHH")

        def build(*, t_tai: float, seq: int = 0, key_id: int = 0, auth_seq: int = 0,
                  mac: bytes = bytes(MAC_LEN), **values: Any) -> bytes:
            if not is_tc and (key_id or auth_seq or mac != bytes(MAC_LEN)):
                raise PacketBuildError(f"{name}: key_id/auth_seq/mac belong to telecommands")
            missing = set(names) - set(values)
            extra = set(values) - set(names)
            if missing or extra:
                raise PacketBuildError(
                    f"{name}: missing fields {sorted(missing)}, unknown {sorted(extra)}")
            if not 0 <= seq < codec.SEQ_MODULO:
                raise PacketBuildError(f"{name}: seq={seq!r} outside [0, 16383]")
            for k, mapping in enums.items():
                values[k] = _enum_value(mapping, frozenset(mapping.values()), values[k],
                                        f"{name}.{k}")
            try:
                data = body.build(values)
                coarse, fine = codec.tai_to_cuc(t_tai)
                parts = [b"", struct.pack(">IH", coarse, fine)]
                if is_tc:
                    parts.append(_AUTH.pack(key_id, auth_seq))
                parts.append(data)
                if is_tc:
                    parts.append(_enc_bytes(mac, MAC_LEN, "mac"))
                plen = sum(len(p) for p in parts) + codec.PRIMARY_HEADER_LEN + codec.CRC_LEN
                if plen > codec.MAX_PACKET_LEN:
                    raise PacketBuildError(f"{name}: {plen} octets exceed the packet maximum")
                parts[0] = hdr_struct.pack(w0, 0xC000 | seq, plen - 7)
            except PacketError:
                raise
            except (cs.ConstructError, *_BUILD_ERRORS) as exc:
                raise PacketBuildError(f"{name}: {exc}") from None
            b = b"".join(parts)
            return b + crc(b, 0xFFFF).to_bytes(2, "big")

        min_size, segmentable = self.min_size, self.segmentable
        enum_values = {k: frozenset(v.values()) for k, v in enums.items()}

        def parse(raw: Any) -> Any:
            n = len(raw)
            if n < min_size:
                raise PacketLengthError(f"{name}: {n} octets, the packet has at least {min_size}")
            w = hdr_struct.unpack_from(raw)
            if w[2] + 7 != n:
                raise PacketLengthError(f"{name}: length field says {w[2] + 7} octets, got {n}")
            if crc(raw, 0xFFFF):
                raise PacketCrcError(f"{name}: CRC mismatch")
            if w[0] != w0 or (w[1] < 0xC000 and not segmentable):
                raise self._header_error(raw)
            coarse, fine = struct.unpack_from(">IH", raw, 6)
            try:
                d = body.parse(bytes(raw[head:n - tail]))
            except (cs.ConstructError, struct.error, UnicodeDecodeError, ValueError, TypeError,
                    IndexError, OverflowError) as exc:
                raise PacketFieldError(f"{name}: {exc}") from None
            for k, values in enum_values.items():
                if d[k] not in values:
                    raise _bad_enum(f"{name}.{k}", d[k])
            vals = [tuple(d[k]) if isinstance(d[k], list) else d[k] for k in names]
            auth = list(_AUTH.unpack_from(raw, 12)) if is_tc else []
            return tuple.__new__(rec, (apid, w[1] & 0x3FFF, coarse + fine / 65536.0,
                                       *auth, *vals))

        return build, parse

    def _keyword_forms(self, build: Any) -> tuple[Any, Any]:
        """``build_ordered`` and ``build_mapping`` of a variable layout: both
        the keyword call of ``build`` (same values, same errors)."""
        names = (["key_id", "auth_seq", "mac"] if self.is_tc else []) + list(self.field_names)
        pname = self.name

        def build_ordered(t_tai: float, seq: int, *values: Any) -> bytes:
            if len(values) != len(names):
                raise TypeError(f"{pname}: build_ordered takes t_tai, seq and {len(names)} "
                                f"values ({', '.join(names)}), got {len(values)}")
            return build(t_tai=t_tai, seq=seq, **dict(zip(names, values, strict=True)))

        def build_mapping(t_tai: float, seq: int, fields: Mapping[str, Any]) -> bytes:
            return build(t_tai=t_tai, seq=seq, **fields)

        return build_ordered, build_mapping

    def builder_in(self, names: Sequence[str]) -> Callable[..., bytes]:
        """``build(t_tai, seq, *values)`` of the fields given in the order
        ``names`` (how a caller passes them): :attr:`build_ordered` itself
        when that is the declared order, else the keyword build of them
        (the same octets, the same errors), so a declaration that reorders
        its fields never mislabels a value."""
        order = tuple(names)
        if order == self.field_names:
            return self.build_ordered  # type: ignore[no-any-return]
        build = self.build

        def build_in(t_tai: float, seq: int, *values: Any) -> bytes:
            return build(t_tai=t_tai, seq=seq, **dict(zip(order, values, strict=True)))

        return build_in

    def layouts_enum(self, f: Field) -> dict[str, int] | None:
        """Name -> value of an enum field (None for other fields)."""
        if isinstance(f.type, cs.Enum):
            return {str(k): int(v) for k, v in f.type.encmapping.items()}
        return None

    def enum_names(self, field_name: str) -> dict[int, str]:
        """Value -> name of an enum field, for display."""
        f = self.fields[self.field_names.index(field_name)]
        return {v: k for k, v in (self.layouts_enum(f) or {}).items()}


@dataclass(frozen=True)
class EventDef:
    """One declared event (the ``event_id`` of EVENT packets): its number,
    name, usual severity (a name of the EVENT severity enum), the task that
    raises it and what it means."""

    id: int
    name: str
    severity: str
    owner: str
    description: str = ""
    module: str = ""


class Dictionary(Mapping[str, PacketDef]):
    """The registry of every declared packet, by name (mapping) and by APID,
    and of every declared event (:attr:`events`, by id)."""

    def __init__(self) -> None:
        self._by_name: dict[str, PacketDef] = {}
        self.by_apid: dict[int, PacketDef] = {}
        self.events: dict[int, EventDef] = {}

    def __getitem__(self, name: str) -> PacketDef:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no packet named {name!r} in the dictionary") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def add(self, pdef: PacketDef) -> PacketDef:
        """Register a packet; raises DictionaryError on a clash or a bad APID."""
        if pdef.name in self._by_name:
            raise DictionaryError(f"packet name {pdef.name} declared twice")
        if pdef.apid in self.by_apid:
            raise DictionaryError(f"APID 0x{pdef.apid:03X} of {pdef.name} already belongs to "
                                  f"{self.by_apid[pdef.apid].name}")
        self._by_name[pdef.name] = pdef
        self.by_apid[pdef.apid] = pdef
        return pdef

    def add_event(self, ev: EventDef) -> EventDef:
        """Register an event; raises DictionaryError on a clash or a bad value."""
        from fsw.packets.types import SEVERITY

        if not ev.name.isidentifier() or ev.name.upper() != ev.name:
            raise DictionaryError(f"event name {ev.name!r} must be an UPPER_CASE identifier")
        if not 0 < ev.id <= 0xFFFF:
            raise DictionaryError(f"event {ev.name}: id {ev.id} outside 1..65535 (EVENT.event_id)")
        if ev.id in self.events:
            raise DictionaryError(f"event id {ev.id} of {ev.name} already belongs to "
                                  f"{self.events[ev.id].name}")
        if any(e.name == ev.name for e in self.events.values()):
            raise DictionaryError(f"event name {ev.name} declared twice")
        levels = {str(k) for k in SEVERITY.encmapping}
        if ev.severity not in levels:
            raise DictionaryError(f"event {ev.name}: severity {ev.severity!r} is not one of "
                                  f"{sorted(levels)}")
        if not ev.owner:
            raise DictionaryError(f"event {ev.name}: no owning task")
        self.events[ev.id] = ev
        return ev

    def sorted(self) -> list[PacketDef]:
        """All packets in APID order."""
        return [self.by_apid[a] for a in sorted(self.by_apid)]

    def decode(self, raw: bytes | bytearray | memoryview) -> Any:
        """Parse a packet of any declared APID (e.g. one off the bus)."""
        if len(raw) < codec.PRIMARY_HEADER_LEN:
            raise PacketLengthError(f"{len(raw)} octets, too short for a packet")
        apid = codec.peek_apid(raw)
        try:
            pdef = self.by_apid[apid]
        except KeyError:
            raise UnknownApidError(f"APID 0x{apid:03X} is not in the dictionary") from None
        return pdef.parse(raw)


DICTIONARY = Dictionary()


def _declare(apid: int, name: str, kind: int, fields: Sequence[Field], description: str,
             module: str) -> PacketDef:
    if not name.isidentifier() or name.upper() != name:
        raise DictionaryError(f"packet name {name!r} must be an UPPER_CASE identifier")
    area = plan_area(apid)
    if area is None:
        raise DictionaryError(f"{name}: APID 0x{apid:03X} is outside the APID plan")
    if area[3] != kind:
        raise DictionaryError(f"{name}: APID 0x{apid:03X} lies in '{area[2]}', whose packets "
                              f"are {'TC' if area[3] else 'TM'}")
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise DictionaryError(f"{name}: duplicate field names")
    for f in fields:
        reserved = _RESERVED_TC if kind == codec.TC else _RESERVED
        if f.name in reserved or not f.name.isidentifier() or f.name.startswith("_"):
            raise DictionaryError(f"{name}.{f.name}: reserved or invalid field name")
        if not isinstance(f.type, cs.Construct):
            raise DictionaryError(f"{name}.{f.name}: type must be a construct type")
    try:
        _limits.validate(name, fields, {f.name: field_layout(f.type) for f in fields})
    except ValueError as exc:
        raise DictionaryError(str(exc)) from None
    return DICTIONARY.add(PacketDef(apid, name, kind, fields, description, module))


def telemetry(apid: int, name: str, fields: Sequence[Field], description: str = "",
              module: str = "", *, instance: str | None = None) -> PacketDef:
    """Declare a telemetry-type packet (type 0) and register it; ``instance``
    names the field that tells apart the sources sharing it."""
    if instance is not None and instance not in [f.name for f in fields]:
        raise DictionaryError(f"{name}: instance field {instance!r} is not a field")
    pdef = _declare(apid, name, codec.TM, fields, description, module or _caller())
    pdef.instance = instance
    return pdef


def telecommand(apid: int, name: str, fields: Sequence[Field], description: str = "",
                module: str = "", *, hazardous: bool = False) -> PacketDef:
    """Declare an authenticated telecommand (type 1, APIDs 0x080-0x0FF) and
    register it; ``hazardous``: the ground asks for an arm/confirm step."""
    if any(f.limits is not None for f in fields):
        raise DictionaryError(f"{name}: limits belong to telemetry, not to telecommands")
    pdef = _declare(apid, name, codec.TC, fields, description, module or _caller())
    pdef.hazardous = hazardous
    return pdef


def event(event_id: int, name: str, severity: str, owner: str, description: str = "",
          module: str = "") -> EventDef:
    """Declare an event (its id in EVENT packets) and register it."""
    return DICTIONARY.add_event(EventDef(event_id, name, severity, owner, description,
                                         module or _caller()))


def _caller() -> str:
    return str(sys._getframe(2).f_globals.get("__name__", ""))


__all__ = ["APID_AREAS", "APID_PLAN", "DICTIONARY", "ApidArea", "Dictionary", "EventDef", "Field",
           "Layout", "PacketDef", "event", "plan_area", "telecommand", "telemetry"]
