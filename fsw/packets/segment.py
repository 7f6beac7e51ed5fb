"""Segmentation of payloads larger than one packet (an inspection image, a
memory dump) with the CCSDS sequence flags, and their reassembly.

A segmented packet is declared like any other with a single variable field
of opaque octets (e.g. MEMORY_DUMP, IMAGE: ``Field("data", GreedyBytes)``);
the sequence flags say first / continuation / last segment, a payload that
fits one packet is sent unsegmented. Reassembly checks the sequence count of
every segment: a missing segment discards the partial payload and is
reported (:class:`SegmentLossError`), never glued over.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass

from fsw.packets import codec
from fsw.packets.dictionary import DICTIONARY, Dictionary, PacketDef
from fsw.packets.errors import PacketBuildError, SegmentError, SegmentLossError
from fsw.packets.sequence import SequenceCounters

DEFAULT_MAX_PACKET_LEN = 1024


def _data_field(pdef: PacketDef) -> str:
    if pdef.is_tc or len(pdef.fields) != 1 or pdef.fixed:
        raise PacketBuildError(f"{pdef.name} is not a segmentable packet "
                               "(one variable field of octets, telemetry)")
    return pdef.fields[0].name


def segment(pdef: PacketDef, payload: bytes, *, t_tai: float,
            counters: SequenceCounters | None = None, seq: int = 0,
            max_packet_len: int = DEFAULT_MAX_PACKET_LEN) -> list[bytes]:
    """Split ``payload`` into packets of ``pdef`` of at most ``max_packet_len``
    octets. Sequence counts come from ``counters`` (one per segment) or run
    from ``seq``; all segments carry ``t_tai``."""
    name = _data_field(pdef)
    chunk = max_packet_len - pdef.header_len - pdef.trailer_len
    if chunk < 1 or max_packet_len > codec.MAX_PACKET_LEN:
        raise PacketBuildError(f"max_packet_len {max_packet_len} leaves no room for data")
    pieces = [payload[i:i + chunk] for i in range(0, len(payload), chunk)] or [b""]
    out = []
    for i, piece in enumerate(pieces):
        if len(pieces) == 1:
            flags = codec.SEQ_UNSEGMENTED
        elif i == 0:
            flags = codec.SEQ_FIRST
        elif i == len(pieces) - 1:
            flags = codec.SEQ_LAST
        else:
            flags = codec.SEQ_CONTINUATION
        s = counters.next(pdef.apid) if counters is not None else (seq + i) % codec.SEQ_MODULO
        raw = bytearray(pdef.build(t_tai=t_tai, seq=s, **{name: piece}))
        raw[2] = (raw[2] & 0x3F) | (flags << 6)
        raw[-2:] = binascii.crc_hqx(memoryview(raw)[:-2], 0xFFFF).to_bytes(2, "big")
        out.append(bytes(raw))
    return out


@dataclass
class _Series:
    parts: list[bytes]
    size: int
    last_seq: int
    t_tai: float


class Reassembler:
    """Rebuild segmented payloads, per APID.

    ``push(raw)`` decodes one packet (raising the usual PacketError on a bad
    one) and returns the whole payload when this packet completes it, else
    None. A missing segment raises :class:`SegmentLossError` after the state
    is updated (the partial payload is discarded; a FIRST segment that reveals
    the loss starts the next payload; ``exc.payload`` holds an unsegmented
    payload that arrived with it); the remaining segments of a payload already
    reported lost are dropped quietly and counted in ``discarded``.
    ``completed`` and ``lost`` (payloads) count outcomes;
    ``t_tai`` is the time of the first segment of the last payload returned.
    """

    def __init__(self, dictionary: Dictionary = DICTIONARY,
                 max_payload: int = 64 * 1024 * 1024) -> None:
        self.dictionary = dictionary
        self.max_payload = max_payload
        self.completed = 0
        self.lost = 0
        self.t_tai = 0.0
        self.discarded = 0
        self._open: dict[int, _Series] = {}
        self._orphaned: set[int] = set()

    def push(self, raw: bytes | bytearray | memoryview) -> bytes | None:
        rec = self.dictionary.decode(raw)
        pdef: PacketDef = rec.packet
        name = _data_field_or_error(pdef)
        data = getattr(rec, name)
        flags = raw[2] >> 6
        apid, seq = rec.apid, rec.seq
        series = self._open.get(apid)
        if flags in (codec.SEQ_FIRST, codec.SEQ_UNSEGMENTED):
            self._orphaned.discard(apid)
            lost = series is not None
            self._open.pop(apid, None)
            done = None
            if flags == codec.SEQ_FIRST:
                self._open[apid] = _Series([data], len(data), seq, rec.t_tai)
            else:
                done = self._finish([data], rec.t_tai)
            if lost:
                self._lose(f"{pdef.name}: new payload started before the last segment "
                           f"of the previous one", done)
            return done
        # continuation or last
        if series is None:
            if apid in self._orphaned:  # rest of a payload already reported lost
                self.discarded += 1
                if flags == codec.SEQ_LAST:
                    self._orphaned.discard(apid)
                return None
            if flags != codec.SEQ_LAST:
                self._orphaned.add(apid)
            self._lose(f"{pdef.name}: segment seq {seq} without its first segment", None)
        assert series is not None
        if seq != (series.last_seq + 1) % codec.SEQ_MODULO:
            del self._open[apid]
            if flags != codec.SEQ_LAST:
                self._orphaned.add(apid)
            self._lose(f"{pdef.name}: segment seq {seq} follows {series.last_seq}: "
                       f"{(seq - series.last_seq - 1) % codec.SEQ_MODULO} segment(s) lost", None)
        series.parts.append(data)
        series.size += len(data)
        series.last_seq = seq
        if series.size > self.max_payload:
            del self._open[apid]
            self.lost += 1
            if flags != codec.SEQ_LAST:
                self._orphaned.add(apid)
            raise SegmentError(f"{pdef.name}: payload exceeds {self.max_payload} octets")
        if flags == codec.SEQ_LAST:
            del self._open[apid]
            return self._finish(series.parts, series.t_tai)
        return None

    def _finish(self, parts: list[bytes], t_tai: float) -> bytes:
        self.completed += 1
        self.t_tai = t_tai
        return b"".join(parts)

    def _lose(self, message: str, payload: bytes | None) -> None:
        self.lost += 1
        exc = SegmentLossError(message)
        exc.payload = payload  # type: ignore[attr-defined]
        raise exc

    def flush(self) -> None:
        """End of stream (or a timeout): payloads still in progress are lost;
        raises SegmentLossError naming them, if any."""
        if self._open:
            apids = sorted(self._open)
            self._open.clear()
            self.lost += len(apids) - 1
            self._lose("payload(s) in progress without their last segment on APID(s) "
                       + ", ".join(f"0x{a:03X}" for a in apids), None)

    @property
    def pending(self) -> list[int]:
        """APIDs with a payload in progress."""
        return sorted(self._open)


def _data_field_or_error(pdef: PacketDef) -> str:
    try:
        return _data_field(pdef)
    except PacketBuildError as exc:
        raise SegmentError(str(exc)) from None
