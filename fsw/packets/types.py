"""Short names for the construct types packet declarations use.

Everything here is plain construct; the aliases only keep declarations short
and uniform (big-endian, float64 for physical values).
"""

from __future__ import annotations

import binascii

import construct as cs

F64 = cs.Float64b
F32 = cs.Float32b
U8 = cs.Int8ub
U16 = cs.Int16ub
U32 = cs.Int32ub
U64 = cs.Int64ub
I8 = cs.Int8sb
I16 = cs.Int16sb
I32 = cs.Int32sb
I64 = cs.Int64sb
#: Variable-length opaque octets (rest of the packet): makes a layout variable.
GreedyBytes = cs.GreedyBytes


def _whole_packet(obj: bytes) -> bool:
    """True if ``obj`` is one whole space packet: at least a primary header
    and a CRC, its length field equal to its size, its CRC-16 checking."""
    return (len(obj) >= 8 and ((obj[4] << 8) | obj[5]) + 7 == len(obj)
            and binascii.crc_hqx(obj, 0xFFFF) == 0)


_PACKET = cs.ExprValidator(cs.GreedyBytes, lambda obj, ctx: _whole_packet(obj))


def packet() -> cs.Construct:
    """The rest of the packet holds one whole space packet (a telecommand
    carried by another): octets like ``GreedyBytes``, but a parse or build
    whose octets are not exactly one packet with a good CRC is an error, so a
    truncated or damaged inner packet is never taken for a whole one."""
    return _PACKET


def is_packet(sc: cs.Construct) -> bool:
    """True for a field declared with :func:`packet`."""
    return sc is _PACKET


def vec(n: int, element: cs.Construct = F64) -> cs.Construct:
    """A fixed array of ``n`` numbers (float64 by default)."""
    return cs.Array(n, element)


def octets(size: int) -> cs.Construct:
    """Fixed-size opaque octets (``bytes`` of exactly ``size``)."""
    return cs.Bytes(size)


def text(size: int, encoding: str = "utf8") -> cs.Construct:
    """Fixed-size text padded with NUL octets (decoded as ``str``)."""
    return cs.PaddedString(size, encoding)


def enum(base: cs.Construct = U8, **values: int) -> cs.Construct:
    """An integer field with named values (build takes the int or the name;
    parse returns the int). :mod:`fsw.packets.enums` makes an ``IntEnum`` of
    it: named after the module-level name it is bound to in a declaration
    module (``ADCS_MODE`` -> ``AdcsMode``), else after its packet and field
    (``BURN_STATUS.state`` -> ``BurnStatusState``)."""
    return cs.Enum(base, **values)


def flags(base: cs.Construct = U8, **bits: int) -> cs.Construct:
    """An unsigned integer field of named bits (each value a distinct power of
    two). On the wire and in a Record it is the integer;
    :mod:`fsw.packets.enums` makes an ``IntFlag`` of it (named as an enum)."""
    fmt = getattr(base, "fmtstr", "")
    if not isinstance(base, cs.FormatField) or fmt[1:] not in ("B", "H", "I", "Q"):
        raise TypeError(f"flags need an unsigned integer base, not {base!r}")
    width = 8 * base.sizeof()
    if len(set(bits.values())) != len(bits) or any(
            v <= 0 or v & (v - 1) or v >= 1 << width for v in bits.values()):
        raise ValueError(f"flag bits must be distinct powers of two below 2**{width}: {bits}")
    field = cs.FormatField(fmt[0], fmt[1:])
    field.flag_bits = dict(bits)  # type: ignore[attr-defined]
    return field


def flag_bits(sc: cs.Construct) -> dict[str, int] | None:
    """The named bits of a :func:`flags` field, or None for any other type."""
    return getattr(sc, "flag_bits", None)


#: Mission modes, the one source of truth: the autonomy task's mode machine
#: (fsw.tasks.autonomy.modes.Mode is built from it), MODE_STATUS, AUTONOMY_HK
#: and SET_MODE all carry these values (fsw.packets.enums.MissionMode).
MODES = {
    "standby": 0, "launch": 1, "commissioning": 2, "phasing": 3, "rendezvous": 4,
    "prox_ops": 5, "departure": 6, "safe": 7,
}
MISSION_MODE = enum(U8, **MODES)
#: Event severities (EVENT.severity; fsw.packets.enums.Severity).
SEVERITY = enum(U8, debug=0, info=1, warning=2, error=3, critical=4)
