"""Arbitrary and mutated octets into every decoder: only this package's typed
errors (PacketError and subclasses) come out, nothing else, and nothing hangs
(hypothesis deadline)."""

from __future__ import annotations

import binascii
import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packet_strategies import PACKET_NAMES, field_values, seqs, tai_ticks

from fsw.packets import (
    DICTIONARY,
    KeyFileError,
    PacketError,
    check_frame,
    decode,
    unpack_header,
)
from fsw.packets.auth import CommandVerifier, KeyRing, sign
from fsw.packets.bulk import decode_archive
from fsw.packets.receiver import Receiver
from fsw.packets.segment import Reassembler

KEYS = KeyRing({1: bytes(range(32))})
FUZZ = settings(max_examples=150, deadline=2000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def all_decoders(data: bytes) -> None:
    """Feed ``data`` to every decoder; only PacketError may escape."""
    for name in PACKET_NAMES:
        with contextlib.suppress(PacketError):
            DICTIONARY[name].parse(data)
    for fn in (decode, unpack_header, check_frame, Receiver().receive, Reassembler().push,
               CommandVerifier(KEYS).verify):
        with contextlib.suppress(PacketError):
            fn(data)
    try:
        res = decode_archive(data)
        assert res.packets >= res.decoded
    except PacketError:
        pass


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    all_decoders(data)


@st.composite
def valid_packets(draw: st.DrawFn) -> bytes:
    pdef = DICTIONARY[draw(st.sampled_from(PACKET_NAMES))]
    values = draw(field_values(pdef))
    raw = pdef.build(t_tai=draw(tai_ticks) / 65536, seq=draw(seqs),
                     **({"key_id": 1, "auth_seq": draw(st.integers(0, 2**32 - 1))}
                        if pdef.is_tc else {}), **values)
    return sign(raw, KEYS[1]) if pdef.is_tc else raw


def fix_crc(raw: bytearray) -> bytes:
    if len(raw) >= 2:
        raw[-2:] = binascii.crc_hqx(bytes(raw[:-2]), 0xFFFF).to_bytes(2, "big")
    return bytes(raw)


@st.composite
def mutated_packets(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(valid_packets()))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "truncate", "extend", "length"]))
        if op == "flip" and raw:
            i = draw(st.integers(0, len(raw) - 1))
            raw[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and raw:
            i = draw(st.integers(0, len(raw) - 1))
            raw[i] = draw(st.integers(0, 255))
        elif op == "truncate":
            raw = raw[:draw(st.integers(0, len(raw)))]
        elif op == "extend":
            raw += draw(st.binary(min_size=1, max_size=40))
        elif op == "length" and len(raw) >= 6:  # keep the length field consistent
            raw[4:6] = ((len(raw) - 7) & 0xFFFF).to_bytes(2, "big")
    if draw(st.booleans()):  # reach the field decoders behind the CRC
        raw = bytearray(fix_crc(raw))
    return bytes(raw)


@FUZZ
@given(mutated_packets())
def test_mutated_packets(data: bytes) -> None:
    all_decoders(data)


@FUZZ
@given(st.lists(st.one_of(valid_packets(), mutated_packets(), st.binary(max_size=30)),
                max_size=8))
def test_mutated_streams_into_bulk_and_receiver(parts: list[bytes]) -> None:
    buf = b"".join(parts)
    res = decode_archive(buf)
    assert res.decoded + res.rejected + res.idle <= res.packets
    rx = Receiver()
    for p in parts:
        rx.receive(p)
    tot = rx.totals()
    assert tot.received + tot.dropped + tot.idle == len(parts)


def test_text_field_with_bad_utf8_is_a_field_error() -> None:
    ev = DICTIONARY["EVENT"]
    raw = bytearray(ev.build(t_tai=0, severity=1, event_id=1, source="a", text="b"))
    raw[12 + 3 + 16] = 0xFF  # first octet of `text`
    from fsw.packets import PacketFieldError

    with pytest.raises(PacketFieldError):
        ev.parse(fix_crc(raw))


@FUZZ
@given(st.one_of(st.text(max_size=200),
                 st.recursive(st.none() | st.integers() | st.text(max_size=70),
                              lambda c: st.lists(c, max_size=3)
                              | st.dictionaries(st.text(max_size=8), c, max_size=3),
                              max_leaves=8).map(json.dumps)))
def test_key_file_parser_raises_only_key_file_error(text: str) -> None:
    with contextlib.suppress(KeyFileError):
        KeyRing.from_json(text)


def test_idle_packet_with_a_bad_crc_is_rejected_not_idle() -> None:
    """Found by the fuzz test above once the dictionary grew: an idle packet
    (APID 0x7FF) whose CRC fails was counted both as a CRC error and as
    idle, so decoded + rejected + idle exceeded the packets."""
    from fsw.packets.bulk import decode_archive

    good = (b"\x18\x84\xc0\x00\x00\x1f" + bytes(7) + b"\x01" + bytes(6)
            + b"#\xd3\x92\x90<\xc0\xd60{\xc0\xc9Zv'\xf6p\x9eQ")
    idle_bad = b"\nY\xc0\x00\x00'" + bytes(4) + b"\x07\xff" + bytes(32) + b"\x05\x13"
    r = decode_archive(good + good + b"\x00\x00\x00\x00\x00\x0f" + bytes(6) + idle_bad)
    assert r.crc_errors.get(0x7FF) == 1 and r.idle == 0
    assert r.decoded + r.rejected + r.idle <= r.packets
