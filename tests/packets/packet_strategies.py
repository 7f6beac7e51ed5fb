"""Shared strategies for the packet tests: random valid field values for any
declared packet, derived from the declaration (so new packets are covered)."""

from __future__ import annotations

import random
import string

from hypothesis import strategies as st

from fsw.packets import DICTIONARY, PacketDef
from fsw.packets.dictionary import field_layout
from fsw.packets.types import is_packet

_INT_RANGES = {"b": (-128, 127), "B": (0, 255), "h": (-(2**15), 2**15 - 1), "H": (0, 2**16 - 1),
               "i": (-(2**31), 2**31 - 1), "I": (0, 2**32 - 1), "l": (-(2**31), 2**31 - 1),
               "L": (0, 2**32 - 1), "q": (-(2**63), 2**63 - 1), "Q": (0, 2**64 - 1)}

PACKET_NAMES = sorted(DICTIONARY)


def _inner(seq: int) -> bytes:
    """A whole packet for fields declared ``packet()`` (a telecommand carried)."""
    return DICTIONARY["NOOP"].build(t_tai=2.0e9, seq=seq, key_id=1, auth_seq=seq)


def _number(ch: str) -> st.SearchStrategy:
    if ch == "d":
        return st.floats(allow_nan=False, width=64)
    if ch == "f":
        return st.floats(allow_nan=False, width=32)
    lo, hi = _INT_RANGES[ch]
    return st.integers(lo, hi)


def field_values(pdef: PacketDef) -> st.SearchStrategy[dict]:
    """Random valid keyword arguments for ``pdef.build`` (without t_tai/seq)."""
    parts = {}
    for f in pdef.fields:
        lay = field_layout(f.type)
        if is_packet(f.type):  # one whole packet: a NOOP carried
            parts[f.name] = st.builds(_inner, st.integers(0, 2**14 - 1))
        elif lay is None:  # variable: opaque octets
            parts[f.name] = st.binary(max_size=300)
        elif lay.kind == "scalar":
            parts[f.name] = _number(lay.fmt)
        elif lay.kind == "enum":
            parts[f.name] = st.sampled_from(sorted(lay.enum.values()))
        elif lay.kind == "array":
            parts[f.name] = st.tuples(*[_number(lay.fmt[-1])] * lay.count)
        elif lay.kind == "string":
            alphabet = (string.ascii_letters + string.digits + " .-+" if lay.encoding == "ascii"
                        else st.characters(blacklist_characters="\0",
                                           blacklist_categories=("Cs",)))
            parts[f.name] = st.text(alphabet, max_size=lay.size // 4)
        else:
            parts[f.name] = st.binary(min_size=lay.size, max_size=lay.size)
    return st.fixed_dictionaries(parts)


#: TAI times on the CUC grid (exactly representable, so round trips are exact).
tai_ticks = st.integers(0, 2**48 - 1)
seqs = st.integers(0, 2**14 - 1)


def random_values(pdef: PacketDef, rng: random.Random) -> dict:
    """Random valid keyword arguments for ``pdef.build`` from a seeded RNG
    (for the large, fast cross-checks where hypothesis would be slow)."""
    out: dict = {}
    for f in pdef.fields:
        lay = field_layout(f.type)
        if is_packet(f.type):
            out[f.name] = _inner(rng.randrange(2**14))
            continue
        if lay is None:
            out[f.name] = rng.randbytes(rng.randrange(200))
            continue
        ch = lay.fmt[-1]

        def num(ch: str = ch) -> float | int:
            if ch in "fd":
                return rng.uniform(-1e6, 1e6) if ch == "d" else float(rng.randrange(-1000, 1000))
            lo, hi = _INT_RANGES[ch]
            return rng.randint(lo, hi)

        if lay.kind == "scalar":
            out[f.name] = num()
        elif lay.kind == "enum":
            out[f.name] = rng.choice(sorted(lay.enum.values()))
        elif lay.kind == "array":
            out[f.name] = tuple(num() for _ in range(lay.count))
        elif lay.kind == "string":
            out[f.name] = "".join(rng.choice(string.ascii_letters)
                                  for _ in range(rng.randrange(lay.size // 2 + 1)))
        else:
            out[f.name] = rng.randbytes(lay.size)
    return out
