"""The ADCS task's MTQ_CMD, ADCS_STATE and ADCS_HK built from their fields in
order (issue #18: what ``ctx.send`` built from the same values as keywords):
the same octets as the dictionary's keyword build on random values, the
same error for a bad value, and the keyword fallback (a dictionary whose
declared order differs) the same again."""

from __future__ import annotations

import math
import random

import pytest

from fsw.packets import DICTIONARY, PacketError
from fsw.tasks import adcs

_STATE_NAMES = ("mode", "valid", "q_BN", "rate_B", "att_error", "h_wheels", "h_B", "wheels_ok",
                "flags", "st_age", "att_sigma", "att_sigma_B", "heads_used", "heads_valid",
                "st_rejected")
_HK_NAMES = ("mode", "q_BN", "rate_B", "att_error", "cycles", "faults")
_CASES = [(adcs._build_mtq, "MTQ_CMD", ("dipole_B",)),
          (adcs._build_state, "ADCS_STATE", _STATE_NAMES),
          (adcs._build_hk, "ADCS_HK", _HK_NAMES)]


def _values(pdef, names, rng: random.Random) -> list:
    out = []
    for name in names:
        lay = pdef.layouts[name]
        f = rng.choice([rng.gauss(0.0, 1.0), math.nan, math.inf, 0.0, -0.0])
        if lay.kind == "array":
            out.append(tuple(rng.gauss(0.0, 1.0) if rng.random() < 0.8 else f
                             for _ in range(lay.count)))
        elif "f" in lay.fmt or "d" in lay.fmt:
            out.append(f)
        else:
            out.append(rng.randrange(0, 6))
    return out


def _outcome(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except PacketError as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize(("build", "name", "names"), _CASES)
def test_ordered_builds_are_the_keyword_builds(build, name, names) -> None:
    pdef = DICTIONARY[name]
    fallback = pdef.builder_in(tuple(reversed(names)))  # another order: keywords
    rng = random.Random(name)
    for k in range(300):
        vals = _values(pdef, names, rng)
        if k % 10 == 0:  # a bad value: an array of the wrong length, a negative count
            i = rng.randrange(len(vals))
            vals[i] = vals[i][:-1] if isinstance(vals[i], tuple) else -1
        t, seq = 2.0e9 + rng.random(), rng.randrange(0, 0x4000)
        want = _outcome(pdef.build, t_tai=t, seq=seq, **dict(zip(names, vals, strict=True)))
        assert _outcome(build, t, seq, *vals) == want
        assert _outcome(fallback, t, seq, *reversed(vals)) == want
