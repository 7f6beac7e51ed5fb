"""Benchmark of the packet layer (fsw.packets) beside its anchors, measured in
the same run:

(a) per-packet build+parse of a telemetry packet with CUC secondary header and
    CRC (GYRO, 39 octets) against spacepackets' ``PusTm`` (the comparable
    layout: PUS-C secondary header with a 6-octet timestamp, source data sized
    to the same total length, CRC-16 checked on unpack) and its bare ``SpacePacketHeader``
    pack/unpack;
(b) bulk decode of a mixed-APID archive (1,000,000 packets) against ccsdspy's
    ``split_by_apid`` + ``FixedLength.load`` per APID;
(c) bulk decode of a single-APID fixed-length file against ccsdspy
    ``FixedLength.load`` and a bare numpy ``frombuffer`` structured decode into
    native columns (the practical limit; no CRC, no scanning).

Rates are packets per second (for (a), build+parse pairs per second); each
figure is the best of several repeats. The last line is one JSON object.

Run: ``python tools/bench/packets.py`` (``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import random
import time
import warnings
from collections.abc import Callable

import numpy as np

from fsw.packets import DICTIONARY, PacketDef
from fsw.packets.bulk import ccsdspy_fields, decode_archive

MIXED = ["GYRO", "STAR_TRACKER", "SUN_SENSOR", "MAGNETOMETER", "GPS", "RELNAV", "WHEEL_TACH",
         "PROP_STATUS", "WHEEL_CMD", "MTQ_CMD", "THRUSTER_CMD", "HEARTBEAT", "COMMAND_ACK",
         "ADCS_HK"]


def best_rate(fn: Callable[[], object], items: int, repeats: int) -> float:
    """Items per second of the fastest of ``repeats`` calls."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return items / best


# -- (a) per-packet codec ---------------------------------------------------


def bench_codec(n: int, repeats: int) -> dict[str, float]:
    from spacepackets.ccsds.spacepacket import PacketType, SpacePacketHeader
    from spacepackets.ecss.tm import PusTm

    gyro = DICTIONARY["GYRO"]
    build, parse = gyro.build, gyro.parse
    rate = (0.01, -0.02, 0.03)

    def ours() -> None:
        for i in range(n):
            rec = parse(build(t_tai=2.0e9 + i * 0.1, seq=i & 0x3FFF, rate_B=rate, valid=1))
        assert rec.valid == 1

    # PUS-C TM secondary header: 7 octets + the 6-octet timestamp; the source
    # data is sized so that the whole PusTm packet has GYRO's length
    user = gyro.size - 6 - (7 + 6) - 2
    src = bytes(range(user))
    stamp = bytes(6)

    def pustm() -> None:
        for i in range(n):
            raw = PusTm(service=3, message_subtype=25, apid=0x100, seq_count=i & 0x3FFF,
                        timestamp=stamp, source_data=src).pack()
            tm = PusTm.unpack(raw, timestamp_len=6)
        assert tm.source_data == src

    def header() -> None:
        for i in range(n):
            raw = SpacePacketHeader(packet_type=PacketType.TM, apid=0x100, seq_count=i & 0x3FFF,
                                    data_len=32, sec_header_flag=True).pack()
            h = SpacePacketHeader.unpack(raw)
        assert h.apid == 0x100

    plain = gyro.construct  # the declaration itself, interpreted by construct
    value = plain.parse(build(t_tai=1.0, rate_B=rate, valid=1))

    def construct_plain() -> None:
        for _ in range(n // 10):
            c = plain.parse(plain.build(value))
        assert c.data.valid == 1

    out = {
        "construct": best_rate(construct_plain, n // 10, 1),
        "ours": best_rate(ours, n, repeats),
        "pustm": best_rate(pustm, n, repeats),
        "header": best_rate(header, n, repeats),
    }
    pus_len = len(PusTm(service=3, message_subtype=25, apid=1, timestamp=stamp,
                        source_data=src).pack())
    print(f"(a) build+parse pairs/s: fsw.packets GYRO ({gyro.size} B) {out['ours']:,.0f}; "
          f"PusTm ({pus_len} B, CRC checked) {out['pustm']:,.0f}; "
          f"bare SpacePacketHeader {out['header']:,.0f}")
    print(f"    ratio vs PusTm {out['ours'] / out['pustm']:.2f}x, "
          f"vs bare header {out['ours'] / out['header']:.2f}x; plain construct of the same "
          f"declaration {out['construct']:,.0f} build+parse/s (for reference)")
    return out


# -- (b), (c) bulk -------------------------------------------------------------


def ccsdspy_definition(pdef: PacketDef):
    import ccsdspy

    fields = []
    for name, kind, bits, count in ccsdspy_fields(pdef):
        if count:
            fields.append(ccsdspy.PacketArray(name=name, data_type=kind, bit_length=bits,
                                              array_shape=count))
        else:
            fields.append(ccsdspy.PacketField(name=name, data_type=kind, bit_length=bits))
    return ccsdspy.FixedLength(fields)


def make_packets(names: list[str], n: int, seed: int = 1) -> bytes:
    """``n`` packets cycling at random over ``names`` (a block of distinct
    packets repeated, so building stays fast)."""
    rng = random.Random(seed)
    block = []
    for i in range(min(n, 4096)):
        p = DICTIONARY[rng.choice(names)]
        values = {}
        for f in p.fields:
            lay = p.layouts[f.name]
            if lay.kind == "array":
                values[f.name] = tuple(rng.uniform(-1, 1) for _ in range(lay.count))
            elif lay.kind == "string":
                values[f.name] = "task"
            elif lay.fmt in "fd":
                values[f.name] = rng.uniform(0, 1e5)
            else:
                values[f.name] = rng.choice(sorted(lay.enum.values())) if lay.enum else 1
        block.append(p.build(t_tai=2.0e9 + i * 0.01, seq=i & 0x3FFF, **values))
    reps = -(-n // len(block))
    return b"".join(block * reps)[: _prefix_len(block, n)]


def _prefix_len(block: list[bytes], n: int) -> int:
    full, rest = divmod(n, len(block))
    return full * sum(map(len, block)) + sum(len(b) for b in block[:rest])


def bench_mixed(n: int, repeats: int) -> dict[str, float]:
    import ccsdspy.utils

    buf = make_packets(MIXED, n)
    defs = {DICTIONARY[name].apid: ccsdspy_definition(DICTIONARY[name]) for name in MIXED}

    def ours() -> None:
        res = decode_archive(buf)
        assert res.decoded == n, res

    def anchor() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            streams = ccsdspy.utils.split_by_apid(io.BytesIO(buf))
            total = 0
            for apid, stream in streams.items():
                total += len(defs[apid].load(stream, include_primary_header=True)["crc"])
        assert total == n

    out = {"ours": best_rate(ours, n, repeats), "ccsdspy": best_rate(anchor, n, max(1,
                                                                                 repeats // 2))}
    print(f"(b) mixed archive, {n:,} packets of {len(MIXED)} APIDs ({len(buf) / 1e6:.1f} MB): "
          f"fsw.packets {out['ours']:,.0f}/s (CRC checked); ccsdspy split_by_apid+load "
          f"{out['ccsdspy']:,.0f}/s; ratio {out['ours'] / out['ccsdspy']:.2f}x")
    return out


def numpy_anchor(buf: bytes, pdef: PacketDef) -> dict[str, np.ndarray]:
    """Bare numpy: frombuffer with a structured dtype, then native columns."""
    wire = np.dtype([("w0", ">u2"), ("w1", ">u2"), ("w2", ">u2"), ("coarse", ">u4"),
                     ("fine", ">u2"), ("rate_B", ">f8", (3,)), ("valid", "u1"),
                     ("crc", ">u2")])
    a = np.frombuffer(buf, wire)
    return {"seq": a["w1"] & 0x3FFF, "t_tai": a["coarse"] + a["fine"] / 65536.0,
            "rate_B": a["rate_B"].astype(np.float64), "valid": a["valid"].copy()}


def bench_fixed(n: int, repeats: int) -> dict[str, float]:
    gyro = DICTIONARY["GYRO"]
    buf = make_packets(["GYRO"], n)
    ref = ccsdspy_definition(gyro)

    def ours() -> None:
        assert decode_archive(buf).count("GYRO") == n

    def anchor_ccsdspy() -> None:
        assert len(ref.load(io.BytesIO(buf), include_primary_header=True)["crc"]) == n

    def anchor_numpy() -> None:
        assert len(numpy_anchor(buf, gyro)["seq"]) == n

    ours_arr = decode_archive(buf).arrays["GYRO"]
    np_arr = numpy_anchor(buf, gyro)
    assert np.array_equal(ours_arr["rate_B"], np_arr["rate_B"])
    assert np.array_equal(ours_arr["t_tai"], np_arr["t_tai"])
    out = {"ours": best_rate(ours, n, repeats),
           "ccsdspy": best_rate(anchor_ccsdspy, n, repeats),
           "numpy": best_rate(anchor_numpy, n, repeats)}
    print(f"(c) single-APID file, {n:,} GYRO packets ({len(buf) / 1e6:.1f} MB): fsw.packets "
          f"{out['ours']:,.0f}/s (scan + CRC + decode); ccsdspy FixedLength.load "
          f"{out['ccsdspy']:,.0f}/s; numpy frombuffer {out['numpy']:,.0f}/s (no CRC)")
    print(f"    ratio vs ccsdspy {out['ours'] / out['ccsdspy']:.2f}x, "
          f"vs numpy {out['ours'] / out['numpy']:.2f}x")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="short run (smaller sizes, fewer "
                    "repeats) for a smoke test; figures are noisier")
    args = ap.parse_args()
    import ccsdspy  # noqa: F401 - its logger exists once imported

    logging.getLogger("ccsdspy").setLevel(logging.ERROR)  # it warns on every seq jump
    if args.quick:
        n_codec, n_mixed, n_fixed, rep = 5_000, 100_000, 200_000, 2
    else:
        n_codec, n_mixed, n_fixed, rep = 50_000, 1_000_000, 1_000_000, 5
    a = bench_codec(n_codec, rep)
    b = bench_mixed(n_mixed, rep)
    c = bench_fixed(n_fixed, rep)
    print(json.dumps({
        "codec_vs_pustm": round(a["ours"] / a["pustm"], 3),
        "codec_vs_header": round(a["ours"] / a["header"], 3),
        "bulk_mixed_vs_ccsdspy": round(b["ours"] / b["ccsdspy"], 3),
        "bulk_fixed_vs_ccsdspy": round(c["ours"] / c["ccsdspy"], 3),
        "bulk_vs_numpy": round(c["ours"] / c["numpy"], 3),
        "codec_packets_per_s": round(a["ours"]),
        "bulk_packets_per_s": round(b["ours"]),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
