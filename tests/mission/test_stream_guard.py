"""The stream guard (issue #18, acceptance 2): the short scenario flown for a
few hundred seconds in orbit gives exactly the recorded packet-stream hash
and packet count (tests/data/stream_hashes.json). Speed work on the hot path
(router, bus, executive, avionics node, the recorder tap) must keep them; only
an intended change of the tasks' or the world's behaviour regenerates them
(``python tests/data/make_stream_hashes.py``), in the commit that makes it.

The run records its archive as ``fsw run`` does, so the recorder tap sits on
the hashed path too; the archive read back must hash to the same digest (the
tap sees the stream exactly as it is hashed).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
ROWS = json.loads((DATA / "stream_hashes.json").read_text(encoding="utf-8"))


def _maker():
    spec = importlib.util.spec_from_file_location("make_stream_hashes",
                                                  DATA / "make_stream_hashes.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['scenario']}-{r['duration_s']:.0f}s")
def test_stream_hash_is_the_recorded_one(row: dict, tmp_path: Path) -> None:
    from fsw_tools.archive import read_archive

    archive = tmp_path / "packets.fswarc"
    got = _maker().measure(row["scenario"], row["duration_s"], archive=archive)
    assert got["packets"] == row["packets"]
    assert got["packet_hash"] == row["packet_hash"]
    assert got["times_hash"] == row["times_hash"]
    # the recorder tap saw the stream as it was hashed
    h = hashlib.blake2b(digest_size=32)
    n = 0
    for p in read_archive(archive).packets():
        h.update(p)
        n += 1
    assert n == row["packets"]
    assert h.hexdigest() == row["packet_hash"]

