"""The dictionary's enums, flags and events as Python classes, generated at
import from the declarations (never written twice): use these names, never
the numbers.

- Every enum field (:func:`fsw.packets.types.enum`) gives an ``IntEnum``, every
  flags field (:func:`fsw.packets.types.flags`) an ``IntFlag``. A type bound
  to a module-level name of a declaration module is named after it
  (``MISSION_MODE`` -> :class:`MissionMode`, ``SEVERITY`` ->
  :class:`Severity`, ``POINTING_MODE`` -> :class:`PointingMode`,
  ``ADCS_FLAG`` -> :class:`AdcsFlag`); one declared inline in a field is
  named after its packet and field (``BURN_STATUS.state`` ->
  :class:`BurnStatusState`). Members are the value names in upper case
  (``MissionMode.PROX_OPS``, ``BurnStatusState.FIRING``).
- :class:`EventId`: every declared event by name (``EventId.TC_REJECTED``);
  :data:`EVENTS` its declaration, :data:`EVENT_SEVERITY` its usual severity.
- :data:`FIELD_ENUMS`: ``(packet name, field name)`` -> the class of that field.

Example::

    from fsw.packets.enums import AdcsFlag, BurnStatusState, EventId, Severity

    if rec.flags & AdcsFlag.EST_VALID: ...
    if r.state in (BurnStatusState.FIRING, BurnStatusState.DONE): ...
    ctx.event(Severity.WARNING, EventId.TC_REJECTED, "...")
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import construct as cs

from fsw.packets import DICTIONARY, defs, types
from fsw.packets.dictionary import Dictionary, EventDef, PacketDef
from fsw.packets.errors import DictionaryError


def camel(name: str) -> str:
    """``ADCS_REQUEST`` -> ``AdcsRequest``."""
    return "".join(part.capitalize() for part in name.lower().split("_") if part)


def _declared_names() -> dict[int, str]:
    """id(construct) -> the UPPER_CASE module-level name it is bound to in
    :mod:`fsw.packets.types` or a declaration module."""
    modules = [types] + [importlib.import_module(f"{defs.__name__}.{m.name}")
                         for m in pkgutil.iter_modules(defs.__path__)
                         if not m.name.startswith("_")]
    names: dict[int, str] = {}
    for mod in modules:
        for name, value in vars(mod).items():
            if name.isupper() and isinstance(value, cs.Construct) and _members(value):
                names.setdefault(id(value), name)
    return names


def _members(sc: cs.Construct) -> tuple[type[enum.IntEnum] | type[enum.IntFlag], dict[str, int]] \
        | None:
    """(class kind, name -> value) of an enum or flags type, else None."""
    if isinstance(sc, cs.Enum):
        return enum.IntEnum, {str(k): int(v) for k, v in sc.encmapping.items()}
    bits = types.flag_bits(sc)
    if bits:
        return enum.IntFlag, dict(bits)
    return None


def generate(dictionary: Dictionary = DICTIONARY) -> tuple[
        dict[str, type[enum.IntEnum] | type[enum.IntFlag]],
        dict[tuple[str, str], type[enum.IntEnum] | type[enum.IntFlag]]]:
    """The classes of every enum and flags field of ``dictionary``, by class
    name, and the class of each ``(packet, field)``."""
    declared = _declared_names()
    classes: dict[str, Any] = {}
    values: dict[str, dict[str, int]] = {}
    by_field: dict[tuple[str, str], Any] = {}
    pdef: PacketDef
    for pdef in dictionary.sorted():
        for f in pdef.fields:
            found = _members(f.type)
            if found is None:
                continue
            kind, members = found
            name = camel(declared.get(id(f.type), f"{pdef.name}_{f.name}"))
            if name in classes:
                if values[name] != members or not issubclass(classes[name], kind):
                    raise DictionaryError(f"{pdef.name}.{f.name}: enum {name} already has "
                                          f"other values {values[name]}")
            else:
                classes[name] = kind(name, {k.upper(): v for k, v in members.items()},
                                     module=__name__)
                values[name] = members
            by_field[(pdef.name, f.name)] = classes[name]
    return classes, by_field


def event_ids(dictionary: Dictionary = DICTIONARY) -> type[enum.IntEnum]:
    """The declared events as an ``IntEnum`` (name -> id), in id order."""
    return enum.IntEnum("EventId", {e.name: e.id for _, e in sorted(dictionary.events.items())},
                        module=__name__)


_CLASSES, _BY_FIELD = generate()
globals().update(_CLASSES)
#: (packet name, field name) -> the generated class of that field
FIELD_ENUMS: Mapping[tuple[str, str], Any] = MappingProxyType(_BY_FIELD)
EventId = event_ids()
#: every declared event by its id
EVENTS: Mapping[EventId, EventDef] = MappingProxyType(
    {EventId(i): e for i, e in DICTIONARY.events.items()})
#: the usual severity of every declared event
EVENT_SEVERITY: Mapping[EventId, Any] = MappingProxyType(
    {EventId(i): _CLASSES["Severity"][e.severity.upper()] for i, e in DICTIONARY.events.items()})

__all__ = sorted([*_CLASSES, "EVENTS", "EVENT_SEVERITY", "EventId", "FIELD_ENUMS", "camel",
                  "event_ids", "generate"])


def __getattr__(name: str) -> Any:  # a clear message for a name that is not generated
    raise AttributeError(f"module {__name__} has no {name!r}; generated: "
                         f"{', '.join(sorted(_CLASSES))}")
