"""Runs inside a mount namespace prepared by test_cli_os_errors.py: calls
``fsw_tools.cli.main`` for each case of a JSON list and writes, per case,
the exit status, stderr and any exception that escaped. Not a test module."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback


def main() -> None:
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    from fsw_tools.cli import main as fsw

    out = []
    for argv in cases:
        err = io.StringIO()
        escaped = None
        sys.stdin = open("/dev/null")  # noqa: SIM115 - fsw ground reads its console lines
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                rc = fsw(argv)
        except BaseException:
            rc, escaped = None, traceback.format_exc()
        out.append({"argv": argv, "rc": rc, "stderr": err.getvalue(), "escaped": escaped})
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
