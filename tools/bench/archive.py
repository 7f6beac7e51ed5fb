"""Benchmark of the packet archive and replay (issue 9).

- archive_write_pps: packets/s appended with ArchiveWriter (default policy:
  flush every 0.1 s / 64 KiB, fsync every 1 s), beside the anchor of writing the
  bare packets to a buffered file (no framing, no CRC: the practical limit);
- read rate of read_archive (every record CRC-checked), for information;
- replay_pps: packets/s played as fast as possible by the replay player onto a
  local (inproc) software bus and drained by its subscriber, beside the anchor
  of a bare loop of zmq PUB sends of the same packets.

Run: python tools/bench/archive.py [--quick]. Last line: JSON with
archive_write_pps and replay_pps.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from pathlib import Path

import zmq
from fsw_tools.archive import ArchiveWriter, read_archive
from fsw_tools.replay import play

from fsw.bus.bus import Bus
from fsw.packets import DICTIONARY


def _values(pdef, i: int) -> dict:
    """Plausible values for every declared field (follows the dictionary)."""
    out = {}
    for f in pdef.fields:
        lay = pdef.layouts[f.name]
        if lay is None:
            out[f.name] = bytes(16)
        elif lay.kind == "enum":
            out[f.name] = min(lay.enum.values())
        elif lay.kind == "string":
            out[f.name] = f"bench {i}"[: lay.size]
        elif lay.kind == "bytes":
            out[f.name] = bytes(lay.size)
        elif lay.kind == "array":
            out[f.name] = [0.5] * lay.count if lay.fmt[-1] in "fd" else [1] * lay.count
        else:
            out[f.name] = 0.25 if lay.fmt[-1] in "fd" else i % 100
    return out


def packet_pool(n: int = 2000) -> list[bytes]:
    """Realistic traffic: sensor, housekeeping and event packets of the dictionary."""
    defs = [DICTIONARY[k] for k in ("GYRO", "STAR_TRACKER", "ADCS_HK", "EVENT")]
    return [defs[i % 4].build(t_tai=2.0e9 + i * 0.1, seq=i % 16384, **_values(defs[i % 4], i))
            for i in range(n)]


def bench_write(path: Path, pool: list[bytes], n: int) -> float:
    m = len(pool)
    t0 = time.perf_counter()
    with ArchiveWriter(path) as w:
        write = w.write_ns
        for i in range(n):
            write(pool[i % m], 2_000_000_000_000_000_000 + i * 10_000_000)
    return n / (time.perf_counter() - t0)


def bench_raw_write(path: Path, pool: list[bytes], n: int) -> float:
    m = len(pool)
    t0 = time.perf_counter()
    with open(path, "wb") as f:
        write = f.write
        for i in range(n):
            write(pool[i % m])
        f.flush()
        os.fsync(f.fileno())
    return n / (time.perf_counter() - t0)


def bench_replay(path: Path) -> tuple[float, int]:
    arc = read_archive(path)
    bus = Bus.local(name="bench-replay", hwm=20_000)
    received = 0

    def sink(_: bytes) -> None:
        nonlocal received
        received += 1

    batch = 5000
    pending = 0
    publish = bus.publish
    drain = bus.drain

    def publish_and_drain(p: bytes) -> None:
        nonlocal pending
        publish(p)
        pending += 1
        if pending == batch:
            drain(sink)
            pending = 0

    t0 = time.perf_counter()
    stats = play(arc, publish_and_drain, speed=None)
    drain(sink)
    dt = time.perf_counter() - t0
    bus.close()
    assert received == stats.packets == len(arc), (received, stats.packets, len(arc))
    return stats.packets / dt, received


def bench_raw_pub(pool: list[bytes], n: int) -> float:
    ctx = zmq.Context.instance()
    pub, sub = ctx.socket(zmq.PUB), ctx.socket(zmq.SUB)
    for s in (pub, sub):
        s.setsockopt(zmq.SNDHWM, 20_000)
        s.setsockopt(zmq.RCVHWM, 20_000)
    pub.bind("inproc://bench-raw")
    sub.connect("inproc://bench-raw")
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    m = len(pool)
    send, recv = pub.send, sub.recv
    t0 = time.perf_counter()
    for i in range(0, n, 5000):
        k = min(5000, n - i)
        for j in range(i, i + k):
            send(pool[j % m], zmq.NOBLOCK)
        for _ in range(k):
            recv()
    dt = time.perf_counter() - t0
    pub.close(0)
    sub.close(0)
    return n / dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100k packets instead of 1M")
    ap.add_argument("--packets", type=int, default=None, help="packets per measurement")
    args = ap.parse_args()
    n = args.packets or (100_000 if args.quick else 1_000_000)
    pool = packet_pool()
    mean = sum(map(len, pool)) / len(pool)
    with tempfile.TemporaryDirectory(prefix="fsw-bench-archive-") as d:
        arc_path = Path(d) / "bench.fswarc"
        write_pps = bench_write(arc_path, pool, n)
        raw_pps = bench_raw_write(Path(d) / "raw.bin", pool, n)
        t0 = time.perf_counter()
        arc = read_archive(arc_path)
        read_pps = len(arc) / (time.perf_counter() - t0)
        assert len(arc) == n and not arc.issues
        del arc
        replay_pps, _ = bench_replay(arc_path)
        zmq_pps = bench_raw_pub(pool, n)
        size_mb = arc_path.stat().st_size / 1e6
    print(f"packets: {n:,} (mean {mean:.0f} B), archive {size_mb:.1f} MB")
    print(f"archive write : {write_pps:>12,.0f} packets/s   "
          f"(anchor bare buffered file write {raw_pps:,.0f}/s, ratio {write_pps / raw_pps:.2f})")
    print(f"archive read  : {read_pps:>12,.0f} packets/s   (every record CRC-32 checked)")
    print(f"replay (fast) : {replay_pps:>12,.0f} packets/s   "
          f"(anchor bare zmq PUB/SUB inproc {zmq_pps:,.0f}/s, ratio {replay_pps / zmq_pps:.2f})")
    out = {"archive_write_pps": round(write_pps), "replay_pps": round(replay_pps)}
    assert all(math.isfinite(v) for v in out.values())
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
