"""Regenerate tests/data/stream_hashes.json: the packet-stream hashes the
stream guard (tests/mission/test_stream_guard.py) compares against. The speed
work on the hot path (router, bus, executive, avionics node) must keep them;
only a change of behaviour (the tasks' or the world's) regenerates them::

    python tests/data/make_stream_hashes.py

Each entry: scenario, orbit-leg duration (s), the hash, the packet count
and the hash of the archive's record times (the recorder tap's stamps).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "stream_hashes.json"
#: (scenario, seconds of the orbit leg flown after insertion)
RUNS = (("short_inspection", 600.0),)


def measure(name: str, duration_s: float, archive: Path | None = None) -> dict[str, object]:
    """Fly ``name`` for ``duration_s`` after insertion, recorded to ``archive``
    (a temporary file if None); its hash, packet count and record-times hash."""
    from fsw_tools.archive import read_archive
    from fsw_tools.mission import fly

    from fsw import scenario

    with tempfile.TemporaryDirectory() as tmp:
        path = archive if archive is not None else Path(tmp) / "packets.fswarc"
        res = fly(scenario.load_builtin(name), duration_s=duration_s, archive=path)
        times = read_archive(path).times_ns
    return {"scenario": name, "duration_s": duration_s, "packet_hash": res.packet_hash,
            "packets": res.packets,
            "times_hash": hashlib.blake2b(times.astype("<i8").tobytes(),
                                          digest_size=32).hexdigest()}


def main() -> int:
    rows = [measure(name, d) for name, d in RUNS]
    OUT.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    for r in rows:
        print(f"{r['scenario']} {r['duration_s']:.0f} s: {r['packets']} packets, "
              f"hash {r['packet_hash']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
