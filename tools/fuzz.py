"""Seeded mutation fuzzing of every input boundary (issue #19): whatever
octets arrive, a decoder answers with a result or one of its typed errors,
never anything else.

Boundaries and what may come out of them:

- ``packets``: one space packet's octets into every decoder of
  :mod:`fsw.packets` -- ``decode``, ``check_frame``, a long-lived
  :class:`~fsw.packets.receiver.Receiver`, a :class:`CommandVerifier` (with
  keys that sign the valid corpus, so mutated commands reach the MAC and
  anti-replay checks), a :class:`~fsw.packets.segment.Reassembler`; every 256
  inputs the bulk decoder gets them concatenated. Typed: ``PacketError``.
- ``frames``: serial-line octets (attached sync marker + packet, damaged,
  split at random) into a :class:`hil.serial.framing.Deframer`, which never
  raises; its byte accounting must balance after every feed.
- ``archives``: a damaged packet-archive file into
  :func:`fsw_tools.archive.parse_archive` (and one in 64 of them on into the
  table decoder, which is slower). Typed: ``ArchiveError`` (a bad file
  header) only.
- ``scenarios``: a damaged scenario TOML file into :func:`fsw.scenario.load`.
  Typed: ``UserError``.

Inputs are mutations of a valid corpus (every declared packet with random
field values, signed telecommands, segmented payloads, the built-in
scenarios, a recorded archive): bit flips, random octets, truncation,
extension, insertion, deletion, splicing, and header/field rewrites (APID,
type, sequence flags, length field, enum values, a carried packet) after
which the CRC is made right again half of the time, so mutations get past
the CRC to the checks behind it.

Run: ``python tools/fuzz.py [--count N] [--seed S] [--boundary NAME ...]``
(default 10,000,000 inputs per boundary); prints the outcome counts of each
boundary and ends with one JSON line. Exit status 1 if any input raised
anything but a typed error.
"""

from __future__ import annotations

import argparse
import binascii
import json
import os
import random
import re
import string
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsw.packets.codec import APID_MAX

_crc = binascii.crc_hqx
#: keys that sign the telecommands of the corpus (public: fuzzing only)
FUZZ_KEYS = {1: bytes(range(32)), 2: bytes(range(32, 64))}


@dataclass
class FuzzReport:
    """Outcome of one boundary: inputs run, outcomes by name ("ok" or the
    typed error's class), the failures (anything else) with examples."""

    boundary: str
    inputs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: int = 0
    examples: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, data: bytes, exc: BaseException | str) -> None:
        self.failures += 1
        if len(self.examples) < 5:
            what = exc if isinstance(exc, str) else (
                f"{type(exc).__name__}: {exc} @ {_where(exc)}")
            self.examples.append(f"{what} <- {bytes(data[:80]).hex()}")

    def as_dict(self) -> dict[str, Any]:
        return {"boundary": self.boundary, "inputs": self.inputs,
                "outcomes": dict(self.outcomes.most_common()), "failures": self.failures,
                "examples": self.examples, "seconds": round(self.seconds, 1)}


#: print a progress line every so many inputs (0: never); set by main()
PROGRESS_EVERY = 0


def _progress(rep: FuzzReport, i: int, t0: float) -> None:
    if PROGRESS_EVERY and i and i % PROGRESS_EVERY == 0:
        dt = time.perf_counter() - t0
        print(f"  {rep.boundary}: {i:,} inputs in {dt:.0f} s, failures {rep.failures}, "
              f"{dict(rep.outcomes.most_common(4))}", flush=True)


def _where(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    return f"{tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else "?"


# -- corpus ----------------------------------------------------------------------------


def _values(pdef: Any, rng: random.Random) -> dict[str, Any]:
    """Random valid field values of a declaration (follows the dictionary)."""
    from fsw.packets.types import is_packet

    out: dict[str, Any] = {}
    for f in pdef.fields:
        lay = pdef.layouts[f.name]
        if is_packet(f.type):
            out[f.name] = _signed("NOOP", rng)
        elif lay is None:
            out[f.name] = rng.randbytes(rng.randrange(300))
        elif lay.kind == "enum":
            out[f.name] = rng.choice(sorted((lay.enum or {}).values()))
        elif lay.kind == "string":
            out[f.name] = "".join(rng.choice(string.ascii_letters)
                                  for _ in range(rng.randrange(lay.size // 2 + 1)))
        elif lay.kind == "bytes":
            out[f.name] = rng.randbytes(lay.size)
        else:
            ch = lay.fmt[-1]
            n = lay.count

            def num(ch: str = ch) -> float | int:
                if ch in "fd":
                    return rng.uniform(-1e4, 1e4)
                bits = 8 * {"b": 1, "h": 2, "i": 4, "l": 4, "q": 8}[ch.lower()]
                return rng.randrange(1 << (bits - 1))
            out[f.name] = tuple(num() for _ in range(n)) if lay.kind == "array" else num()
    return out


_auth_seq = [0]


def _signed(name: str, rng: random.Random, **fields: Any) -> bytes:
    from fsw.packets import DICTIONARY
    from fsw.packets.auth import KeyRing, build_command

    _auth_seq[0] += 1
    pdef = DICTIONARY[name]
    values = fields or _values(pdef, rng)
    return build_command(KeyRing(FUZZ_KEYS), name, key_id=rng.choice((1, 2)),
                         auth_seq=_auth_seq[0], t_tai=2.1e9 + rng.random(),
                         seq=rng.randrange(1 << 14), **values)


def packet_corpus(rng: random.Random) -> list[bytes]:
    """Valid packets of every declaration (telecommands signed), segmented
    payloads, a TIME_TAGGED carrying a signed command, and the 37-octet
    TIME_TAGGED of issue #19."""
    from fsw.packets import DICTIONARY
    from fsw.packets.segment import segment

    out: list[bytes] = []
    for pdef in DICTIONARY.values():
        for _ in range(3):
            if pdef.is_tc:
                out.append(_signed(pdef.name, rng))
            else:
                out.append(pdef.build(t_tai=2.1e9 + rng.random(), seq=rng.randrange(1 << 14),
                                      **_values(pdef, rng)))
    out += segment(DICTIONARY["IMAGE"], rng.randbytes(3000), t_tai=2.1e9, max_packet_len=512)
    out.append(_signed("TIME_TAGGED", rng, exec_tai=10.0, command=_signed("NOOP", rng)))
    issue = bytes.fromhex("1887c000001e") + bytes(29)
    out.append(issue + _crc(issue, 0xFFFF).to_bytes(2, "big"))
    return out


# -- mutations -------------------------------------------------------------------------


def _fix_crc(b: bytearray) -> None:
    if len(b) >= 3:
        b[-2:] = _crc(bytes(b[:-2]), 0xFFFF).to_bytes(2, "big")


def _fix_length(b: bytearray) -> None:
    if len(b) >= 6:
        n = max(0, min(len(b) - 7, 0xFFFF))
        b[4], b[5] = n >> 8, n & 0xFF


class Mutator:
    """Seeded mutations of octet strings (see the module docstring)."""

    def __init__(self, rng: random.Random, corpus: list[bytes],
                 apids: list[int] | None = None) -> None:
        self.rng = rng
        self.corpus = corpus
        self.apids = apids or [0x080]
        self.ops: list[Callable[[bytearray], bytearray]] = [
            self.flip, self.flip, self.bytes_, self.truncate, self.extend, self.insert,
            self.delete, self.splice, self.apid, self.header_bits, self.seq_flags,
            self.length, self.length, self.body, self.inner, self.random,
        ]

    def __call__(self) -> bytes:
        rng = self.rng
        b = bytearray(rng.choice(self.corpus))
        for _ in range(1 + (rng.random() < 0.3) + (rng.random() < 0.1)):
            b = rng.choice(self.ops)(b)
        r = rng.random()
        if r < 0.3:
            _fix_length(b)
        if r < 0.6:
            _fix_crc(b)
        return bytes(b)

    def flip(self, b: bytearray) -> bytearray:
        for _ in range(self.rng.randrange(1, 9)):
            if b:
                i = self.rng.randrange(len(b))
                b[i] ^= 1 << self.rng.randrange(8)
        return b

    def bytes_(self, b: bytearray) -> bytearray:
        for _ in range(self.rng.randrange(1, 5)):
            if b:
                b[self.rng.randrange(len(b))] = self.rng.randrange(256)
        return b

    def truncate(self, b: bytearray) -> bytearray:
        return b[:self.rng.randrange(len(b) + 1)]

    def extend(self, b: bytearray) -> bytearray:
        return b + self.rng.randbytes(self.rng.randrange(1, 40))

    def insert(self, b: bytearray) -> bytearray:
        i = self.rng.randrange(len(b) + 1)
        return b[:i] + self.rng.randbytes(self.rng.randrange(1, 16)) + b[i:]

    def delete(self, b: bytearray) -> bytearray:
        if not b:
            return b
        i = self.rng.randrange(len(b))
        return b[:i] + b[i + self.rng.randrange(1, 16):]

    def splice(self, b: bytearray) -> bytearray:
        other = self.rng.choice(self.corpus)
        return b[:self.rng.randrange(len(b) + 1)] + other[self.rng.randrange(len(other) + 1):]

    def apid(self, b: bytearray) -> bytearray:
        if len(b) >= 2:
            a = self.rng.choice(self.apids) if self.rng.random() < 0.8 else \
                self.rng.randrange(APID_MAX + 1)
            b[0] = (b[0] & 0xF8) | (a >> 8)
            b[1] = a & 0xFF
        return b

    def header_bits(self, b: bytearray) -> bytearray:
        if b:
            b[0] ^= self.rng.choice((0x10, 0x08, 0x20, 0x80, 0x18))
        return b

    def seq_flags(self, b: bytearray) -> bytearray:
        if len(b) >= 3:
            b[2] = (b[2] & 0x3F) | (self.rng.randrange(4) << 6)
        return b

    def length(self, b: bytearray) -> bytearray:
        if len(b) >= 6:
            n = ((b[4] << 8) | b[5]) + self.rng.choice((-30, -9, -8, -1, 1, 8, 29, 300))
            n = max(0, min(n, 0xFFFF))
            b[4], b[5] = n >> 8, n & 0xFF
            if self.rng.random() < 0.5:  # and the buffer to match the new length field
                want = n + 7
                b = b[:want] if want <= len(b) else b + bytes(want - len(b))
        return b

    def body(self, b: bytearray) -> bytearray:
        """Rewrite octets past the headers (enum values, counts, floats)."""
        if len(b) > 12:
            for _ in range(self.rng.randrange(1, 4)):
                i = self.rng.randrange(12, len(b))
                b[i] = self.rng.choice((0, 1, 0x7F, 0x80, 0xFF, self.rng.randrange(256)))
        return b

    def inner(self, b: bytearray) -> bytearray:
        """Damage a carried packet (TIME_TAGGED, MISSION_CMD) and make its own
        CRC right again."""
        if len(b) > 60:
            start = self.rng.randrange(12, len(b) - 20)
            inner = bytearray(b[start:-2])
            inner = self.rng.choice((self.flip, self.truncate, self.length, self.body))(inner)
            _fix_crc(inner)
            b = b[:start] + inner + b[-2:]
        return b

    def random(self, b: bytearray) -> bytearray:
        return bytearray(self.rng.randbytes(self.rng.randrange(64)))


# -- boundaries ------------------------------------------------------------------------


def rebuild(rec: Any, raw: bytes) -> bytes:
    """The packet ``rec``'s fields build (MAC and sequence flags taken from
    ``raw``): an accepted packet is exactly this, or a decoder took a packet
    whose header, enum or length it should have refused."""
    from fsw.packets import PacketError
    from fsw.packets.auth import MAC_LEN

    pdef = rec.packet
    values = rec._asdict()
    for k in ("apid", "seq", "t_tai"):
        values.pop(k)
    if pdef.is_tc:
        values["mac"] = raw[-2 - MAC_LEN:-2]
    try:
        b = bytearray(pdef.build(t_tai=rec.t_tai, seq=rec.seq, **values))
    except PacketError as exc:
        return f"does not build: {exc}".encode()
    if pdef.segmentable:
        b[2] = (b[2] & 0x3F) | (raw[2] & 0xC0)
        _fix_crc(b)
    return bytes(b)


def fuzz_packets(count: int, seed: int) -> FuzzReport:
    from fsw.packets import DICTIONARY, PacketError, check_frame, decode
    from fsw.packets.auth import CommandVerifier, KeyRing
    from fsw.packets.bulk import decode_archive
    from fsw.packets.receiver import Receiver
    from fsw.packets.segment import Reassembler

    rng = random.Random(seed)
    rep = FuzzReport("packets")
    mutate = Mutator(rng, packet_corpus(rng), sorted(DICTIONARY.by_apid))
    rx = Receiver()
    verifier = CommandVerifier(KeyRing(FUZZ_KEYS))
    reasm = Reassembler()
    outcomes = rep.outcomes
    batch: list[bytes] = []
    t0 = time.perf_counter()
    for i in range(count):
        _progress(rep, i, t0)
        data = mutate()
        try:
            rec = decode(data)
            outcomes["ok"] += 1
            if rebuild(rec, data) != data:  # accepted, so it must be canonical
                rep.fail(data, f"{rec.packet.name} accepted but not what its fields build")
        except PacketError as exc:
            outcomes[type(exc).__name__] += 1
        except Exception as exc:
            rep.fail(data, exc)
        for fn in (check_frame, verifier.verify, reasm.push):
            try:
                fn(data)
            except PacketError:
                pass
            except Exception as exc:
                rep.fail(data, exc)
        try:
            rx.receive(data)
        except Exception as exc:
            rep.fail(data, exc)
        batch.append(data)
        if len(batch) == 256:
            buf = b"".join(batch)
            batch.clear()
            try:
                res = decode_archive(buf)
                if res.decoded > res.packets:
                    rep.fail(buf, f"bulk decoded {res.decoded} of {res.packets} packets")
            except PacketError:
                pass
            except Exception as exc:
                rep.fail(buf, exc)
    rep.inputs = count
    rep.seconds = time.perf_counter() - t0
    return rep


def fuzz_frames(count: int, seed: int) -> FuzzReport:
    from hil.serial.framing import ASM, Deframer

    rng = random.Random(seed)
    rep = FuzzReport("frames")
    mutate = Mutator(rng, packet_corpus(rng))
    d = Deframer(max_packet=2048, timeout=0.5)
    now = 0.0
    t0 = time.perf_counter()
    for i in range(count):
        _progress(rep, i, t0)
        r = rng.random()
        pkt = mutate() if r < 0.7 else rng.choice(mutate.corpus)
        data = ASM + pkt if rng.random() < 0.9 else ASM[:rng.randrange(4)] + pkt
        if rng.random() < 0.05:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(32))) + data
        cut = sorted(rng.randrange(len(data) + 1) for _ in range(rng.randrange(3)))
        try:
            got = 0
            for a, b in zip([0, *cut], [*cut, len(data)], strict=True):
                now += 0.001
                got += len(d.feed(data[a:b], now))
            if rng.random() < 0.02:
                now += 1.0
                got += len(d.expire(now))
            rep.outcomes["packets out" if got else "no packet"] += 1
            s = d.stats
            if s.bytes_rx != (s.payload_bytes_rx + len(ASM) * s.frames_rx + s.bytes_discarded
                              + d.pending):
                rep.fail(data, f"byte accounting off: {s.as_dict()}, pending {d.pending}")
                d = Deframer(max_packet=2048, timeout=0.5)
        except Exception as exc:
            rep.fail(data, exc)
            d = Deframer(max_packet=2048, timeout=0.5)
    rep.inputs = count
    rep.seconds = time.perf_counter() - t0
    return rep


def archive_corpus(rng: random.Random) -> bytes:
    """A small valid archive (packets of every kind, telecommands signed)."""
    from fsw_tools.archive import ArchiveWriter

    pkts = packet_corpus(rng)
    rng.shuffle(pkts)
    with tempfile.TemporaryDirectory(prefix="fsw-fuzz-") as d:
        path = Path(d) / "corpus.fswarc"
        with ArchiveWriter(path) as w:
            for i, p in enumerate(pkts[:40]):
                w.write(p, 2.1e9 + 0.1 * i)
        return path.read_bytes()


#: share of the damaged archives also decoded into tables (a table decode
#: costs about 80 reads: numpy per packet type)
TABLES_SHARE = 1 / 64


def fuzz_archives(count: int, seed: int) -> FuzzReport:
    from fsw_tools.archive import ArchiveError, parse_archive
    from fsw_tools.archive.tables import decode_archive

    rng = random.Random(seed)
    rep = FuzzReport("archives")
    base = archive_corpus(rng)
    mutate = Mutator(rng, [base])
    mutate.ops = [mutate.flip, mutate.bytes_, mutate.truncate, mutate.extend, mutate.insert,
                  mutate.delete, mutate.body, mutate.flip, mutate.delete]
    t0 = time.perf_counter()
    for i in range(count):
        _progress(rep, i, t0)
        b = bytearray(base)
        for _ in range(rng.randrange(1, 4)):
            b = rng.choice(mutate.ops)(b)
        if rng.random() < 0.05 and len(b) >= 32:  # a damaged file header too
            b[rng.randrange(32)] ^= 1 << rng.randrange(8)
        data = bytes(b)
        try:
            arc = parse_archive(data)
            if rng.random() < TABLES_SHARE:
                decode_archive(arc)
                rep.outcomes["decoded to tables"] += 1
            rep.outcomes["read, issues reported" if arc.issues else "read, no issue"] += 1
        except ArchiveError as exc:
            rep.outcomes[type(exc).__name__] += 1
        except Exception as exc:
            rep.fail(data, exc)
    rep.inputs = count
    rep.seconds = time.perf_counter() - t0
    return rep


def _scenario_mutations(rng: random.Random, text: str) -> str:
    lines = text.splitlines()
    i = rng.randrange(len(lines))
    line = lines[i]
    op = rng.randrange(9)
    if op == 0 and "=" in line:  # a number or a string into something else
        k, _, _ = line.partition("=")
        lines[i] = k + "= " + rng.choice(
            ("1e12", "-1e12", "nan", "inf", "-inf", "0", "-1", "1e308", "2e308", "\"x\"", "[]",
             "{}", "true", "1979-05-27", "9999999999999999999999", "1" + "0" * 400, "[1, 2]",
             "\"\u00e9\"",
             str(rng.uniform(-1e9, 1e9)), str(rng.randrange(-10**6, 10**6))))
    elif op == 1:
        del lines[i]
    elif op == 2:
        lines.insert(i, line)
    elif op == 3:
        lines[i] = line[:rng.randrange(len(line) + 1)]
    elif op == 4:
        lines.insert(i, rng.choice(("[mission]", "[[faults]]", "[[telecommands]]",
                                    "[[dispersions]]", "bogus = 1", "[plan.x]", "x.y = 2")))
    elif op == 5:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 6 and line:
        k = rng.randrange(len(line))
        lines[i] = line[:k] + rng.choice(string.printable) + line[k + 1:]
    elif op == 7:
        lines = lines[:i]
    else:
        lines.insert(i, "".join(rng.choice(string.printable) for _ in range(rng.randrange(20))))
    return "\n".join(lines) + "\n"


def _scenario_corpus() -> tuple[list[str], list[list[str]]]:
    """The built-in scenario files, and each cut into its tables."""
    import importlib.resources as res

    from fsw import scenario

    texts = [(res.files("fsw") / "scenarios" / f"{n}.toml").read_text(encoding="utf-8")
             for n in scenario.builtin_names()]
    return texts, [re.split(r"(?m)^(?=\[)", t) for t in texts]


def fuzz_scenarios(count: int, seed: int) -> FuzzReport:
    """Whole scenario files a quarter of the time; else one to three of a
    file's tables (the others take their defaults), which parse much faster
    and reach the same checks."""
    from fsw import scenario
    from fsw.errors import UserError

    rng = random.Random(seed)
    rep = FuzzReport("scenarios")
    texts, tables = _scenario_corpus()
    t0 = time.perf_counter()
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(prefix="fsw-fuzz-", dir=shm) as d:
        path = Path(d) / "fuzz.toml"
        for i in range(count):
            _progress(rep, i, t0)
            if rng.random() < 0.25:
                text = rng.choice(texts)
            else:
                parts = rng.choice(tables)
                a = rng.randrange(len(parts))
                text = "".join(parts[a:a + rng.randrange(1, 4)]) or "\n"
            for _ in range(rng.randrange(1, 4)):
                text = _scenario_mutations(rng, text)
            data = text.encode("utf-8")
            if rng.random() < 0.05:  # not UTF-8
                k = rng.randrange(len(data))
                data = data[:k] + bytes([0xFF, rng.randrange(0x80, 0x100)]) + data[k:]
            path.write_bytes(data)
            try:
                scenario.load(path)
                rep.outcomes["ok"] += 1
            except UserError as exc:
                rep.outcomes[type(exc).__name__] += 1
            except Exception as exc:
                rep.fail(data, exc)
    rep.inputs = count
    rep.seconds = time.perf_counter() - t0
    return rep


BOUNDARIES: dict[str, Callable[[int, int], FuzzReport]] = {
    "packets": fuzz_packets, "frames": fuzz_frames, "archives": fuzz_archives,
    "scenarios": fuzz_scenarios,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10_000_000, help="inputs per boundary")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--boundary", action="append", choices=sorted(BOUNDARIES),
                    help="boundary to fuzz (repeatable; default all)")
    ap.add_argument("--progress", type=int, default=1_000_000, metavar="N",
                    help="print the counts so far every N inputs (0: never)")
    args = ap.parse_args(argv)
    global PROGRESS_EVERY
    PROGRESS_EVERY = args.progress
    reports = []
    for name in args.boundary or list(BOUNDARIES):
        rep = BOUNDARIES[name](args.count, args.seed)
        reports.append(rep)
        print(f"{name:9s} {rep.inputs:>12,} inputs in {rep.seconds:8.1f} s "
              f"({rep.inputs / max(rep.seconds, 1e-9):,.0f}/s): failures {rep.failures}",
              flush=True)
        for outcome, n in rep.outcomes.most_common():
            print(f"    {outcome:32s} {n:>12,}")
        for ex in rep.examples:
            print(f"    FAILURE {ex}")
    print(json.dumps({r.boundary: {"inputs": r.inputs, "failures": r.failures}
                      for r in reports}))
    return 1 if any(r.failures for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
