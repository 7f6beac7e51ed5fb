"""Short names for the construct types packet declarations use.

Everything here is plain construct; the aliases only keep declarations short
and uniform (big-endian, float64 for physical values).
"""

from __future__ import annotations

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


def vec(n: int, element: cs.Construct = F64) -> cs.Construct:
    """A fixed array of ``n`` numbers (float64 by default)."""
    return cs.Array(n, element)


def text(size: int, encoding: str = "utf8") -> cs.Construct:
    """Fixed-size text padded with NUL octets (decoded as ``str``)."""
    return cs.PaddedString(size, encoding)


def enum(base: cs.Construct = U8, **values: int) -> cs.Construct:
    """An integer field with named values (build takes the int or the name;
    parse returns the int)."""
    return cs.Enum(base, **values)


#: Mission modes, the one source of truth: the autonomy task's mode machine
#: (fsw.tasks.autonomy.modes.Mode is built from it), MODE_STATUS, AUTONOMY_HK
#: and SET_MODE all carry these values.
MODES = {
    "standby": 0, "launch": 1, "commissioning": 2, "phasing": 3, "rendezvous": 4,
    "prox_ops": 5, "departure": 6, "safe": 7,
}
