"""Telecommands typed by an operator: ``NAME field=value ...`` checked against
the packet dictionary before anything is built or sent.

Values: integers (decimal or 0x hex, range-checked for the field's width),
floats, enum names (or their integer), arrays as comma-separated numbers
(``dv_N=0.1,0,0`` or ``[0.1,0,0]``), text (quote with spaces), bytes as hex.
Every mistake is a :class:`CommandLineError` that says what and how to fix it.
"""

from __future__ import annotations

import difflib
import math
import shlex
import struct
from typing import Any

from fsw.errors import UserError


class CommandLineError(UserError):
    """An unknown telecommand or a bad argument."""


def telecommands() -> dict[str, Any]:
    """Every telecommand of the dictionary by name."""
    from fsw.packets import DICTIONARY

    return {name: pdef for name, pdef in DICTIONARY.items() if pdef.is_tc}


def describe_field(pdef: Any, name: str) -> str:
    """``name [unit] (type): description`` for help and errors."""
    f = pdef.fields[pdef.field_names.index(name)]
    lay = pdef.layouts[name]
    if lay is None:
        kind = "hex bytes"
    elif lay.kind == "enum":
        kind = "one of " + "|".join(lay.enum)
    elif lay.kind == "array":
        kind = f"{lay.count} numbers a,b,..."
    elif lay.kind == "string":
        kind = f"text <= {lay.size} octets"
    elif lay.kind == "bytes":
        kind = f"{lay.size} hex octets"
    else:
        kind = "number" if lay.fmt[-1] in "fd" else f"integer {_int_range(lay.fmt)}"
    unit = f" [{f.unit}]" if f.unit else ""
    return f"{name}{unit} ({kind}): {f.description}"


def describe_command(pdef: Any) -> str:
    """Usage of one telecommand."""
    args = " ".join(f"{n}=..." for n in pdef.field_names)
    lines = [f"{pdef.name} {args}".rstrip() + f"   -- {pdef.description}"]
    lines += [f"    {describe_field(pdef, n)}" for n in pdef.field_names]
    return "\n".join(lines)


def _int_range(fmt: str) -> str:
    lo, hi = _bounds(fmt[-1])
    return f"{lo}..{hi}"


def _bounds(ch: str) -> tuple[int, int]:
    bits = 8 * struct.calcsize(">" + ch)
    if ch.islower():
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _number(text: str, integer: str | None, where: str) -> int | float:
    if integer:
        try:
            v = int(text, 0)
        except ValueError:
            raise CommandLineError(f"{where}: {text!r} is not an integer") from None
        lo, hi = _bounds(integer)
        if not lo <= v <= hi:
            raise CommandLineError(f"{where}: {v} outside {lo}..{hi}")
        return v
    try:
        x = float(text)
    except ValueError:
        raise CommandLineError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(x):
        raise CommandLineError(f"{where}: {text!r} is not a finite number")
    return x


def convert(pdef: Any, name: str, text: str) -> Any:
    """The value of field ``name`` from its text, checked."""
    lay = pdef.layouts[name]
    where = f"{pdef.name}.{name}"
    if lay is None or lay.kind == "bytes":
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise CommandLineError(f"{where}: {text!r} is not hex octets") from None
        if lay is not None and len(raw) != lay.size:
            raise CommandLineError(f"{where}: needs {lay.size} octets, got {len(raw)}")
        return raw
    if lay.kind == "enum":
        names = {k.lower(): v for k, v in (lay.enum or {}).items()}
        if text.lower() in names:
            return names[text.lower()]
        try:
            v = int(text, 0)
        except ValueError:
            v = None
        if v is None or v not in names.values():
            raise CommandLineError(f"{where}: {text!r} is not one of {', '.join(names)}")
        return v
    if lay.kind == "string":
        if len(text.encode(lay.encoding or "utf8")) > lay.size:
            raise CommandLineError(f"{where}: text longer than {lay.size} octets")
        return text
    integer = None if lay.fmt[-1] in "fd" else lay.fmt[-1]
    if lay.kind == "array":
        items = [s for s in text.strip("[]()").replace(" ", "").split(",") if s]
        if len(items) != lay.count:
            raise CommandLineError(f"{where}: needs {lay.count} comma-separated numbers, "
                                   f"got {len(items)}")
        return [_number(s, integer, f"{where}[{i}]") for i, s in enumerate(items)]
    return _number(text, integer, where)


def parse_command(line: str) -> tuple[Any, dict[str, Any]]:
    """(telecommand definition, field values) from ``NAME field=value ...``."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise CommandLineError(f"cannot split the line: {exc}") from None
    if not words:
        raise CommandLineError("empty command")
    tcs = telecommands()
    name = words[0].upper()
    if name not in tcs:
        close = difflib.get_close_matches(name, list(tcs), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (type 'list')"
        raise CommandLineError(f"unknown command {words[0]!r}{hint}")
    pdef = tcs[name]
    values: dict[str, Any] = {}
    for w in words[1:]:
        key, eq, text = w.partition("=")
        if not eq:
            raise CommandLineError(f"{name}: argument {w!r} is not field=value")
        if key not in pdef.field_names:
            known = ", ".join(pdef.field_names) or "none"
            raise CommandLineError(f"{name}: no field {key!r} (fields: {known})")
        if key in values:
            raise CommandLineError(f"{name}: field {key!r} given twice")
        values[key] = convert(pdef, key, text)
    missing = [n for n in pdef.field_names if n not in values]
    if missing:
        need = "; ".join(describe_field(pdef, n) for n in missing)
        raise CommandLineError(f"{name}: missing {need}")
    return pdef, values
