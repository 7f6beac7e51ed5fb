"""Replay regression harness: feed the recorded inputs of an archive through a
system under test (a task, or the whole flight software in lockstep) and
compare what it produces with the recorded outputs, packet by packet.

The archive is cut into steps by receive time (one step per distinct receive
time: a lockstep tick). For each step the harness hands the system the input
packets received at that time, then asks it for the packets it produced during
the step. Outputs are compared per APID, in order, byte for byte; the first
mismatch (earliest recorded time) is reported with its APID, packet name,
sequence count, time and the first field that differs (decoded with the
packet dictionary), or as a missing or extra packet.

Use it from pytest::

    from fsw_tools.replay.harness import replay_compare

    def test_adcs_regression(replay_archive):
        report = replay_compare(replay_archive, MySystem(), inputs=..., outputs=...)
        assert report.ok, report.describe()

or with the ``replay_harness`` fixture (``pytest_plugins = ["fsw_tools.replay.harness"]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from fsw_tools.archive.reader import Archive


class ReplaySystem(Protocol):
    """What the harness drives: inputs in, outputs out, step by step."""

    def feed(self, packet: bytes, t_rx: float) -> None:
        """One recorded input packet received at ``t_rx`` (TAI s)."""

    def step(self, t: float) -> Sequence[bytes]:
        """Advance to time ``t`` (after the inputs of that time were fed) and
        return the packets produced (of the compared APIDs) since the last call."""


@dataclass(frozen=True)
class Divergence:
    """The first replayed packet that differs from the recording."""

    kind: str  # "field" (same packet, a value differs), "bytes", "missing", "extra"
    apid: int
    name: str
    index: int  # k-th packet of this APID in the run
    seq: int | None
    t_tai: float | None  # packet time (CUC) of the recorded packet (replayed if extra)
    t_rx: float | None  # receive time of the recorded packet
    field: str | None = None
    recorded: Any = None
    replayed: Any = None

    def describe(self) -> str:
        """One line for an assertion message or a terminal."""
        where = (f"APID 0x{self.apid:03X} {self.name} #{self.index} seq={self.seq} "
                 f"t_tai={self.t_tai!r} t_rx={self.t_rx!r}")
        if self.kind == "missing":
            return f"first divergence: {where}: recorded packet not produced on replay"
        if self.kind == "extra":
            return f"first divergence: {where}: replay produced a packet not recorded"
        if self.kind == "field":
            return (f"first divergence: {where}: field {self.field!r} recorded "
                    f"{self.recorded!r}, replayed {self.replayed!r}")
        return f"first divergence: {where}: bytes differ ({self.field or 'undecodable'})"


@dataclass
class ReplayReport:
    """Result of one replay comparison."""

    steps: int = 0
    inputs_fed: int = 0
    compared: int = 0
    produced: dict[int, int] = field(default_factory=dict)
    recorded: dict[int, int] = field(default_factory=dict)
    trailing: int = 0  # replayed packets after the end of the recording (not compared)
    divergence: Divergence | None = None

    @property
    def ok(self) -> bool:
        return self.divergence is None

    def describe(self) -> str:
        head = (f"replayed {self.steps} steps, {self.inputs_fed} inputs, compared "
                f"{self.compared} outputs")
        return head if self.ok else f"{head}; {self.divergence.describe()}"  # type: ignore[union-attr]


def _name(apid: int) -> str:
    from fsw.packets import DICTIONARY

    pdef = DICTIONARY.by_apid.get(apid)
    return pdef.name if pdef else f"APID_0x{apid:03X}"


def _seq(packet: bytes) -> int | None:
    return ((packet[2] << 8) | packet[3]) & 0x3FFF if len(packet) >= 4 else None


def _t_tai(packet: bytes) -> float | None:
    if len(packet) < 12:
        return None
    return int.from_bytes(packet[6:10], "big") + int.from_bytes(packet[10:12], "big") / 65536


def first_field_difference(recorded: bytes, replayed: bytes) -> tuple[str, Any, Any] | None:
    """(field, recorded value, replayed value) of the first field that differs,
    decoded with the packet dictionary; None if either does not decode."""
    from fsw.packets import PacketError, decode

    try:
        a, b = decode(recorded), decode(replayed)
    except PacketError:
        return None
    if type(a) is not type(b):
        return ("apid", a.apid, b.apid)
    for name in a._fields:
        va, vb = getattr(a, name), getattr(b, name)
        if va != vb and not (isinstance(va, float) and va != va and vb != vb):
            return (name, va, vb)
    return None


def _divergence(apid: int, index: int, rec: bytes | None, rep: bytes | None,
                t_rx: float | None) -> Divergence:
    name = _name(apid)
    if rep is None:
        assert rec is not None
        return Divergence("missing", apid, name, index, _seq(rec), _t_tai(rec), t_rx)
    if rec is None:
        return Divergence("extra", apid, name, index, _seq(rep), _t_tai(rep), None,
                          replayed=rep.hex())
    diff = first_field_difference(rec, rep)
    if diff is None:
        pos = next((i for i, (x, y) in enumerate(zip(rec, rep, strict=False)) if x != y),
                   min(len(rec), len(rep)))
        return Divergence("bytes", apid, name, index, _seq(rec), _t_tai(rec), t_rx,
                          field=f"octet {pos}", recorded=rec.hex(), replayed=rep.hex())
    return Divergence("field", apid, name, index, _seq(rec), _t_tai(rec), t_rx,
                      field=diff[0], recorded=diff[1], replayed=diff[2])


def replay_compare(
    archive: Archive,
    system: ReplaySystem,
    *,
    inputs: Iterable[int],
    outputs: Iterable[int],
) -> ReplayReport:
    """Replay the packets of ``inputs`` (APIDs) into ``system`` step by step and
    compare the packets it produces on ``outputs`` with the recorded ones.

    A produced packet is compared with the recorded packet of the same APID
    and rank as soon as it exists; a recorded packet still not produced once
    the replay has passed its receive time is "missing"; a packet beyond the
    recorded count is "extra". The replay stops at the step where the first
    divergence shows; ``ReplayReport.divergence`` names it (the earliest by
    recorded receive time among those found in that step), or is None.
    """
    from fsw.packets import peek_apid

    in_set = {int(a) for a in inputs}
    out_set = {int(a) for a in outputs}
    if in_set & out_set:
        raise ValueError(f"APIDs both input and output: {sorted(in_set & out_set)}")
    apids = archive.apids
    keep = np.isin(apids, sorted(in_set | out_set))
    sel = archive.take(np.flatnonzero(keep))
    sel_apids = apids[keep].tolist()
    times_ns = sel.times_ns.tolist()
    packets = list(sel.packets())
    recorded: dict[int, list[tuple[bytes, float]]] = {a: [] for a in out_set}
    for pkt, a, t in zip(packets, sel_apids, times_ns, strict=True):
        if a in out_set:
            recorded[a].append((pkt, t / 1e9))
    report = ReplayReport(recorded={a: len(v) for a, v in recorded.items()})
    produced: dict[int, list[bytes]] = {a: [] for a in out_set}
    checked = dict.fromkeys(out_set, 0)
    found: list[tuple[float, Divergence]] = []
    i, n = 0, len(packets)
    while i < n and not found:
        t_ns = times_ns[i]
        t = t_ns / 1e9
        j = i
        while j < n and times_ns[j] == t_ns:
            if sel_apids[j] in in_set:
                system.feed(packets[j], t)
                report.inputs_fed += 1
            j += 1
        for pkt in system.step(t):
            a = peek_apid(pkt)
            if a in out_set:
                produced[a].append(bytes(pkt))
        report.steps += 1
        for a in sorted(out_set):
            found += _check_apid(a, recorded[a], produced[a], checked, report, before=t)
        i = j
    if not found:  # end of the recording: whatever is left is missing or extra
        for a in sorted(out_set):
            found += _check_apid(a, recorded[a], produced[a], checked, report,
                                 before=float("inf"))
    report.produced = {a: len(v) for a, v in produced.items()}
    if found:
        report.divergence = min(found, key=lambda item: item[0])[1]
    return report


def compare_outputs(recorded: Archive, produced: Archive, outputs: Iterable[int],
                    report: ReplayReport | None = None,
                    recording_ends_in_tick: bool = True) -> ReplayReport:
    """Compare the packets of ``outputs`` (APIDs) of two streams, per APID and
    rank, byte for byte; the divergence reported is the one earliest in the
    recorded stream (a missing or extra packet counts as one).

    ``recording_ends_in_tick``: a recorder that is a participant stops inside
    the final tick, so what was published after its last turn (its own last
    heartbeat, say) is not in the recording: extra replayed packets whose
    packet time is not before the recording's last receive time are then not
    divergences (they are counted in ``report.trailing``). Missing packets
    always are."""
    out_set = sorted({int(a) for a in outputs})
    report = report or ReplayReport()
    rec_apids, pro_apids = recorded.apids, produced.apids
    found: list[tuple[float, Divergence]] = []
    for a in out_set:
        ri = np.flatnonzero(rec_apids == a)
        pi = np.flatnonzero(pro_apids == a)
        rec = [(recorded.packet(int(i)), float(recorded.times_ns[i]) / 1e9) for i in ri]
        rep = [produced.packet(int(i)) for i in pi]
        report.recorded[a], report.produced[a] = len(rec), len(rep)
        if recording_ends_in_tick and len(rep) > len(rec) and len(recorded):
            end = float(recorded.times_ns[-1]) / 1e9
            trail = 0
            while len(rep) - trail > len(rec) and (_t_tai(rep[-1 - trail]) or 0.0) >= end - 1e-6:
                trail += 1
            if trail:
                report.trailing += trail
                rep = rep[: len(rep) - trail]
        checked = {a: 0}
        found += _check_apid(a, rec, rep, checked, report, before=float("inf"))
    if found:
        report.divergence = min(found, key=lambda item: item[0])[1]
    return report


def _check_apid(a: int, rec: list[tuple[bytes, float]], rep: list[bytes],
                checked: dict[int, int], report: ReplayReport,
                before: float) -> list[tuple[float, Divergence]]:
    """Compare the new pairs of APID ``a``; return the divergences found."""
    out: list[tuple[float, Divergence]] = []
    while checked[a] < len(rep):
        k = checked[a]
        if k >= len(rec):
            out.append((float("inf"), _divergence(a, k, None, rep[k], None)))
            return out
        if rec[k][0] != rep[k]:
            out.append((rec[k][1], _divergence(a, k, rec[k][0], rep[k], rec[k][1])))
            return out
        report.compared += 1
        checked[a] += 1
    k = checked[a]
    if k < len(rec) and rec[k][1] < before:
        out.append((rec[k][1], _divergence(a, k, rec[k][0], None, rec[k][1])))
    return out
