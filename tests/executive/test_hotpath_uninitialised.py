"""fsw._hotpath's objects made without their ``__init__`` (``T.__new__(T)``),
or whose ``__init__`` failed, refuse every call with a TypeError: no crash
(they hold no state to work on yet). Each case runs in a child process, so a
crash is a failed test, not a lost test run."""

from __future__ import annotations

import subprocess
import sys

import pytest

_hotpath = pytest.importorskip("fsw._hotpath")

CALLS = {
    "Loopback": ["o(b'x')", "o.publish_many(b'', b'', ())"],
    "Dispatcher": ["o(None, [], 0)", "o.take_error()"],
    "Ticker": ["o(0)", "o.run(None, 1, 0.0, 0.1, 0, None)", "o.stats()"],
    "Settle": ["o()"],
    "RecordTap": ["o([], b'', 0.0)"],
    "Heartbeat": ["o(None)", "o.build('x', 0.0, 0, 0, 0)"],
}

_CHILD = """
import sys
from fsw import _hotpath
T = getattr(_hotpath, sys.argv[1])
o = T.__new__(T)
try:
    {call}
except TypeError as exc:
    print("TypeError", exc)
else:
    print("no error")
"""


@pytest.mark.parametrize("name,call", [(n, c) for n, cs in CALLS.items() for c in cs])
def test_an_uninitialised_object_refuses_calls(name: str, call: str) -> None:
    proc = subprocess.run([sys.executable, "-c", _CHILD.format(call=call), name],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, f"{name}: {call} ended the process ({proc.returncode})"
    assert proc.stdout.startswith("TypeError") and "not initialised" in proc.stdout, proc.stdout


def test_a_failed_init_leaves_it_refusing_calls() -> None:
    """An __init__ that raises (bad arguments) on an object that was working
    leaves it refusing calls, not half set up."""
    for name in CALLS:
        t = getattr(_hotpath, name)
        o = t.__new__(t)
        with pytest.raises(TypeError):
            o.__init__(object(), object(), object(), object(), object(), object(),
                       object(), object(), object(), object(), object(), object())
        with pytest.raises(TypeError, match="not initialised"):
            o()
