"""C structs of the guidance core seen from numpy, without per-call allocation.

:class:`CStruct` owns one C struct (cffi) and a numpy structured view of the
same memory, so a hot-path step writes its inputs with a few slice
assignments and reads its outputs with one copy. :class:`Result` is the
read-only value a step returns: attribute access by the C member name
(arrays as float64 numpy arrays, ints as int, doubles as float).

The dtype is derived from the cffi type (member names, offsets, sizes), so it
cannot drift from the header.
"""

from __future__ import annotations

import dataclasses
import functools
import struct
import types
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from fsw.core._ffi import ffi

_PRIM = {"double": "<f8", "int": "<i4", "float": "<f4", "unsigned int": "<u4",
         "uint8_t": "|u1", "size_t": f"<u{ffi.sizeof('size_t')}"}


#: numpy scalar type -> struct module format (the same bytes, the same value)
_STRUCT_FMT = {"<f8": "<d", "<i4": "<i", "<f4": "<f", "<u4": "<I", "|u1": "<B", "<u8": "<Q"}


def _prim(ctype: Any) -> str:
    if ctype.kind == "enum":
        return "<i4"
    return _PRIM[ctype.cname]


def struct_dtype(ctype: Any) -> np.dtype:
    """The numpy dtype of a cffi struct type (or its name), members in order."""
    if isinstance(ctype, str):
        ctype = ffi.typeof(ctype)
    names, formats, offsets = [], [], []
    for name, f in ctype.fields:
        t = f.type
        if t.kind == "array":
            item = t.item
            fmt: Any = (struct_dtype(item) if item.kind == "struct" else _prim(item),
                        (t.length,))
        elif t.kind == "struct":
            fmt = struct_dtype(t)
        else:
            fmt = _prim(t)
        names.append(name)
        formats.append(fmt)
        offsets.append(f.offset)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets,
                     "itemsize": ffi.sizeof(ctype)})


def flat_fields(ctype: Any, prefix: str = "") -> list[tuple[str, int, str]]:
    """(flat name, element count, C type) of every member, nested structs
    flattened with ``<member>_`` prefixes: the order the packets carry them."""
    if isinstance(ctype, str):
        ctype = ffi.typeof(ctype)
    out: list[tuple[str, int, str]] = []
    for name, f in ctype.fields:
        t = f.type
        if t.kind == "struct":
            out += flat_fields(t, prefix + name + "_")
        elif t.kind == "array":
            out.append((prefix + name, t.length, t.item.cname))
        else:
            out.append((prefix + name, 1, "int" if t.kind == "enum" else t.cname))
    return out


class CStruct:
    """One caller-owned C struct plus a numpy view of its memory."""

    def __init__(self, cname: str) -> None:
        self.cname = cname
        self.cdata = ffi.new(f"{cname} *")
        self.dtype = struct_dtype(cname)
        self._buffer = ffi.buffer(self.cdata)
        self.array = np.frombuffer(self._buffer, dtype=self.dtype)
        self.fields = flat_fields(cname)
        self._layout = _layout(self.dtype)
        self._result = _result_class(self.dtype)

    def view(self, name: str) -> np.ndarray:
        """A writable view of one top-level member (shape (n,) or (1,))."""
        v = self.array[name]
        return v[0] if v.ndim > 1 else v

    def result(self) -> Result:
        """A copy of the struct as a :class:`Result` (one bytes copy; the
        numpy view is made only when a field is read)."""
        return self._result(self._buffer[:], self.dtype, self._layout)

    def flat_view(self) -> dict[str, np.ndarray]:
        """Writable views of every flat member."""
        out: dict[str, np.ndarray] = {}

        def visit(arr: np.ndarray, prefix: str) -> None:
            for name in arr.dtype.names:
                sub = arr[name]
                if sub.dtype.names:
                    visit(sub, prefix + name + "_")
                else:
                    out[prefix + name] = sub[0] if sub.ndim > 1 else sub

        visit(self.array, "")
        return out


@functools.cache
def _packer(cname: str) -> tuple[int, np.dtype, dict[str, tuple[Any, ...]],
                                  tuple[tuple[str, int, bool, int, struct.Struct], ...]]:
    """The struct's size, dtype, :func:`_layout` and, for each flat member
    (nested structs flattened as in :func:`flat_fields`), its name, count,
    whether it is an integer, byte offset and a ``struct.Struct`` packing
    its elements: derived from the cffi type once per C type."""
    members: list[tuple[str, int, bool, int, struct.Struct]] = []

    def visit(ctype: Any, prefix: str, base: int) -> None:
        for name, f in ctype.fields:
            t, off = f.type, base + f.offset
            if t.kind == "struct":
                visit(t, prefix + name + "_", off)
                continue
            item = t.item if t.kind == "array" else t
            n = t.length if t.kind == "array" else 1
            fmt = _STRUCT_FMT[_prim(item)]
            members.append((prefix + name, n, fmt != "<d", off,
                            struct.Struct(f"{fmt[0]}{n}{fmt[1]}")))

    ctype = ffi.typeof(cname)
    visit(ctype, "", 0)
    dtype = struct_dtype(ctype)
    return ffi.sizeof(ctype), dtype, _layout(dtype), tuple(members)


@functools.cache
def _layout(dtype: np.dtype) -> dict[str, tuple[Any, ...]]:
    """How :class:`Result` decodes each top-level member straight from the
    bytes: ``("s", struct.Struct, offset)`` for a scalar, ``("a", dtype, count,
    offset, struct.Struct)`` for an array (the Struct unpacks all its
    elements at once, for :meth:`Result.values`); nested structs are left to the numpy view, and
    so is a member named like an attribute of :class:`Result` (``keys``,
    ...: the attribute wins, as with any Mapping)."""
    out: dict[str, tuple[Any, ...]] = {}
    for name in dtype.names:
        ft, off = dtype.fields[name][:2]
        if ft.names or hasattr(Result, name):
            continue
        if ft.subdtype is not None:
            base, shape = ft.subdtype
            if len(shape) == 1 and not base.names:  # arrays of structs: the numpy view
                fmt = _STRUCT_FMT[base.str]
                out[name] = ("a", base, shape[0], off,
                             struct.Struct(f"{fmt[0]}{shape[0]}{fmt[1]}"))
        elif ft.kind in "fiu":
            out[name] = ("s", struct.Struct(_STRUCT_FMT[ft.str]), off)
    return out


class Result(Mapping[str, Any]):
    """The outputs of one guidance-core call, by C member name.

    ``r.q_BN`` (or ``r["q_BN"]``) is a float64 array for array members, an
    int or float for scalars. Values are copies: later calls do not change
    them.

    An instance is of the struct's own subclass (:func:`_result_class`, one
    per dtype), whose properties read each member straight from the bytes:
    plain attribute look-up, no Python-level hook on every access."""

    __slots__ = ("_a", "_b", "_dtype", "_lay")

    def __new__(cls, raw: bytes, dtype: np.dtype,
                layout: dict[str, tuple[Any, ...]] | None = None) -> Result:
        return object.__new__(_result_class(dtype) if cls is Result else cls)

    def __init__(self, raw: bytes, dtype: np.dtype,
                 layout: dict[str, tuple[Any, ...]] | None = None) -> None:
        self._b = raw
        self._dtype = dtype
        self._a: np.ndarray | None = None
        self._lay = layout if layout is not None else _layout(dtype)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Result, (self._b, self._dtype))

    def _array(self) -> np.ndarray:
        if self._a is None:
            a = np.frombuffer(self._b, dtype=self._dtype)
            self._a = a
        return self._a

    @classmethod
    def from_fields(cls, cname: str, values: Mapping[str, Any]) -> Result:
        """Build from flat member values (as a packet carries them: floats,
        integer members rounded half to even), packed straight into the
        struct's bytes (:func:`_packer`: the layout of the C type, fixed at
        build time)."""
        size, dtype, layout, members = _packer(cname)
        buf = bytearray(size)
        for name, n, is_int, off, st in members:
            v = values[name]
            if n == 1:
                if not isinstance(v, float | int):
                    v = np.asarray(v, dtype=np.float64).reshape(-1)[0]
                st.pack_into(buf, off, round(v) if is_int else float(v))
            else:
                if not isinstance(v, tuple | list):
                    v = np.asarray(v, dtype=np.float64).reshape(-1).tolist()
                elif len(v) != n:
                    raise ValueError(f"{name}: {n} values needed, got {len(v)}")
                st.pack_into(buf, off, *([round(x) for x in v] if is_int
                                         else [float(x) for x in v]))
        return cls(bytes(buf), dtype, layout)

    def flat(self) -> tuple[tuple[Any, ...], Mapping[str, int | slice]]:
        """Every top-level member at once, as plain floats (ints) in one
        tuple read straight from the bytes (one unpack: the same values as
        the properties and :meth:`values`), and where each member is in it:
        name -> index (a scalar) or slice (an array), derived from the C
        type once (:func:`_flat`). Members :func:`_layout` leaves to the
        numpy view (nested structs) are not in it."""
        st, index = _flat(self._dtype)
        return st.unpack_from(self._b), index

    def values(self, name: str) -> tuple[Any, ...]:
        """Array member ``name`` as a tuple of Python floats (ints), read
        straight from the bytes: the same values as ``tuple(r.name)``
        without numpy (for packets, which pack plain floats faster).
        KeyError for a name that is not a top-level array member."""
        spec = self._lay.get(name)
        if spec is None or spec[0] != "a":
            raise KeyError(f"{name}: not an array member")
        return spec[4].unpack_from(self._b, spec[3])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        spec = self._lay.get(name)
        if spec is not None:
            # straight from the bytes: the same values as the numpy view, faster
            if spec[0] == "s":
                return spec[1].unpack_from(self._b, spec[2])[0]
            return np.frombuffer(self._b, spec[1], spec[2], spec[3]).copy()
        try:
            v = self._array()[name][0]
        except (ValueError, KeyError):
            raise AttributeError(name) from None
        if isinstance(v, np.ndarray):
            return v.copy()  # writable, independent of the stored bytes
        if v.dtype.names:
            return v
        return v.item()

    def __getitem__(self, name: str) -> Any:
        try:
            return self.__getattr__(name)
        except AttributeError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._dtype.names)

    def __len__(self) -> int:
        return len(self._dtype.names)

    def __eq__(self, other: object) -> bool:
        """Bitwise equality (same C struct, same bytes)."""
        if not isinstance(other, Result):
            return NotImplemented
        return self._dtype == other._dtype and self._b == other._b

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Result({', '.join(f'{k}={self[k]!r}' for k in self)})"


@functools.cache
def _flat(dtype: np.dtype) -> tuple[struct.Struct, Mapping[str, int | slice]]:
    """One ``struct.Struct`` reading every member of :func:`_layout` (in
    offset order, pad bytes skipped) and each member's index or slice in the
    tuple it unpacks (:meth:`Result.flat`)."""
    lay = _layout(dtype)
    items = sorted(((spec[2] if spec[0] == "s" else spec[3], name, spec)
                    for name, spec in lay.items()), key=lambda x: x[0])
    fmt, index, at, pos = ["<"], {}, 0, 0
    for off, name, spec in items:
        if off > at:
            fmt.append(f"{off - at}x")
        st = spec[1] if spec[0] == "s" else spec[4]
        fmt.append(st.format[1:])  # the member's own format, byte order dropped
        n = 1 if spec[0] == "s" else spec[2]
        index[name] = pos if spec[0] == "s" else slice(pos, pos + n)
        pos += n
        at = off + st.size
    return struct.Struct("".join(fmt)), types.MappingProxyType(index)


def _member(spec: tuple[Any, ...]) -> property:
    """A property reading one member of a :func:`_layout` straight from the
    bytes (the same values as the numpy view, faster)."""
    if spec[0] == "s":
        unpack, off = spec[1].unpack_from, spec[2]

        def scalar(self: Result) -> Any:
            return unpack(self._b, off)[0]

        return property(scalar)
    base, count, off = spec[1], spec[2], spec[3]
    frombuffer = np.frombuffer

    def array(self: Result) -> np.ndarray:
        return frombuffer(self._b, base, count, off).copy()  # writable, independent

    return property(array)


@functools.cache
def _result_class(dtype: np.dtype) -> type[Result]:
    """The :class:`Result` of one C struct: a property per member of its
    :func:`_layout`; the other members (nested structs) through the numpy
    view (:meth:`Result.__getattr__`)."""
    ns: dict[str, Any] = {"__slots__": ()}
    for name, spec in _layout(dtype).items():
        ns[name] = _member(spec)
    return type(Result)("Result", (Result,), ns)


def dataclass_fields(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Flat ``{name: value}`` of a (nested) config dataclass, C member names."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if dataclasses.is_dataclass(v):
            out.update(dataclass_fields(v, prefix + f.name + "_"))
        else:
            out[prefix + f.name] = v
    return out
