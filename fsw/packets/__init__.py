"""CCSDS space packets: one dictionary, fast codecs, time codes, CRC, command
authentication. Everything on the bus, the serial line and in archives is one
of these packets.

Wire format (DESIGN.md "Protocols"), big-endian::

    primary header (6)   version 0 | type (0 TM, 1 TC) | sec-hdr flag 1 | APID (11)
                         seq flags (2) | seq count (14) | data length - 1 (16)
    secondary header (6) CUC 4+2: TAI coarse seconds since 1958-01-01 (u32),
                         fine time (u16, 1/65536 s), implicit P-field
    [TC only] auth header (6): key_id (u16), auth_seq (u32, anti-replay)
    user data            the declared fields, in order
    [TC only] MAC (16)   AES-CMAC over every octet before it
    CRC (2)              CRC-16-CCITT (0x1021, init 0xFFFF) over every octet before it

Using a packet (the API every task uses; stable)::

    from fsw.packets import DICTIONARY, decode

    GYRO = DICTIONARY["GYRO"]                 # a PacketDef (also DICTIONARY.by_apid[0x100])
    raw = GYRO.build(t_tai=2.0e9, seq=7, rate_B=(0.01, 0.0, -0.02), valid=1)   # -> bytes
    rec = GYRO.parse(raw)                     # -> GYRO.Record (a named tuple)
    rec.apid, rec.seq, rec.t_tai, rec.rate_B, rec.valid  # rate_B is a tuple of 3 floats
    rec = decode(raw)                         # any packet: dispatch on its APID
    rec.packet is GYRO; rec._asdict()         # the definition; fields as a dict

- ``build(*, t_tai, seq=0, **fields)``: every declared field is a required
  keyword. Arrays take any sequence of the declared length (tuple, list,
  numpy array); enum fields take the int or its name; text fields take str
  (at most the declared octets, NUL padded); ``t_tai`` is TAI seconds (float,
  rounded to the nearest 1/65536 s); ``seq`` is the 14-bit sequence count.
  Telecommands also take ``key_id=0, auth_seq=0, mac=bytes(16)``; use
  :mod:`fsw.packets.auth` to build signed commands instead.
  Bad values raise :class:`PacketBuildError`. The same packet, with less
  argument handling: ``build_ordered(t_tai, seq, *fields)`` (declared order)
  and ``build_mapping(t_tai, seq, fields_dict)`` (what ``TaskContext.send``
  uses).
- ``parse(raw)`` takes bytes, bytearray or memoryview of exactly one packet.
  Record fields: ``apid, seq, t_tai``, for telecommands ``key_id, auth_seq``,
  then the declared fields (arrays as tuples, enums as ints, text as str).
  Raises :class:`PacketLengthError`, :class:`PacketCrcError`,
  :class:`PacketHeaderError` or :class:`PacketFieldError` -- all subclasses of
  :class:`PacketError`, the only exception any decoder here raises, whatever
  the octets. A packet is accepted only whole and canonical: its length is
  checked against the declaration before any field is read, its sequence
  flags are 11 (any for a segmentable packet), every enum field holds a
  declared value, text has NULs only as end padding, and a field declared
  ``packet()`` (a command carried by another) holds one whole packet with a
  good CRC. An accepted packet is exactly what its fields build
  (``tools/fuzz.py`` checks it over millions of mutated packets).
- ``PacketDef`` attributes: ``apid, name, kind`` (0 TM, 1 TC), ``fields``
  (each a :class:`Field` with ``name, type, unit, description``),
  ``field_names``, ``size`` (octets, None for variable layouts), ``fixed``,
  ``struct`` (the precomputed whole-packet struct), ``construct`` (the plain
  construct reference of the whole packet), ``numpy_dtype()``, ``enum_names(field)``.

Declaring packets: add a module ``fsw/packets/defs/<area>.py`` (imported
automatically, no other file to edit)::

    from fsw.packets.dictionary import Field, telemetry, telecommand
    from fsw.packets.types import F64, U8, U32, vec, text, enum

    MY_HK = telemetry(0x060, "MY_HK", [
        Field("mode", enum(U8, idle=0, busy=1), "", "task mode"),
        Field("r_N", vec(3), "m", "position, GCRF"),
    ], "What this packet is for.")

Names are UPPER_CASE and unique, APIDs unique and inside the APID plan
(:data:`APID_PLAN`; TC only in 0x080-0x0FF, all else type 0); field names
``apid, seq, t_tai, packet, crc`` (and in telecommands ``key_id, auth_seq,
mac``) are reserved. After
adding packets regenerate the reference: ``fsw dict --output docs/packets.md``
(a test fails while it is stale).

Other modules of this package:

- :mod:`fsw.packets.codec`: ``crc16``, ``pack_header``/``unpack_header``
  (:class:`PrimaryHeader`), ``peek_apid``, ``tai_to_cuc``/``cuc_to_tai``,
  ``pack_cuc``/``unpack_cuc``, ``check_frame`` (length + CRC of any packet),
  ``build_idle``/``is_idle`` (APID 0x7FF), ``split_stream``; constants
  ``TM, TC, SEQ_FIRST, SEQ_CONTINUATION, SEQ_LAST, SEQ_UNSEGMENTED, MAX_PACKET_LEN``.
- :mod:`fsw.packets.sequence`: :class:`SequenceCounters` (``counters.next(apid)``).
- :mod:`fsw.packets.receiver`: :class:`Receiver` (``rx.receive(raw) -> Record |
  None``, per-APID :class:`ApidStats`: received, gaps, missed, duplicates,
  crc_errors, length_errors, header_errors, field_errors, unknown, idle).
- :mod:`fsw.packets.segment`: ``segment(DICTIONARY["IMAGE"], payload, t_tai=...,
  counters=..., max_packet_len=1024) -> list[bytes]`` and :class:`Reassembler`
  (``push(raw) -> bytes | None``; raises :class:`SegmentLossError` on a lost
  segment, ``flush()`` at end of stream reports payloads still open).
- :mod:`fsw.packets.auth`: key files (``fsw keys new PATH``; ``KeyRing.load(path)``),
  ``build_command(keys, "FIRE", key_id=1, auth_seq=7, t_tai=..., dv_N=...)``,
  :class:`CommandSigner` (``signer.build("FIRE", t_tai=..., dv_N=...)``, numbers
  ``auth_seq`` itself), :class:`CommandVerifier` (``verifier.verify(raw) ->
  Record`` or raises :class:`UnknownKeyError` / :class:`BadMacError` /
  :class:`ReplayError` / :class:`MalformedCommandError`, all :class:`AuthError`
  with ``.reason`` an :class:`AuthReason`; ``verifier.check(raw) -> (record,
  reason)`` does not raise; ``last_accepted`` per key, ``counts`` per outcome).
- :mod:`fsw.packets.security`: :class:`~fsw.packets.security.SecurityStore`,
  the flight software's telecommand security state (last accepted
  ``auth_seq`` per key, revoked and rotated keys), kept beside the key file
  and written before a command executes (docs/security.md).
- :mod:`fsw.packets.bulk`: ``decode_archive(buf) -> BulkResult``, vectorised,
  CRC checked: ``res.arrays["GYRO"]["rate_B"]`` (per packet name a dict of
  numpy columns: seq, t_tai, the fields), ``res.records`` (variable layouts),
  per-APID ``crc_errors``/``length_errors``/``unknown``; ``PacketDef.numpy_dtype()``
  is the wire dtype for your own ``np.frombuffer``.
- :mod:`fsw.packets.reference` / :mod:`fsw.packets.xtce`: markdown reference
  and XTCE export, generated from the dictionary (``fsw dict``).
"""

from __future__ import annotations

from fsw.packets import defs as _defs
from fsw.packets.codec import (
    APID_IDLE,
    MAX_PACKET_LEN,
    SEQ_CONTINUATION,
    SEQ_FIRST,
    SEQ_LAST,
    SEQ_UNSEGMENTED,
    TC,
    TM,
    PrimaryHeader,
    build_idle,
    check_frame,
    crc16,
    cuc_to_tai,
    is_idle,
    pack_header,
    peek_apid,
    tai_to_cuc,
    unpack_header,
)
from fsw.packets.dictionary import (
    APID_AREAS,
    APID_PLAN,
    AUTH_HEADER_LEN,
    DICTIONARY,
    MAC_LEN,
    Dictionary,
    EventDef,
    Field,
    PacketDef,
    event,
    telecommand,
    telemetry,
)
from fsw.packets.errors import (
    AuthError,
    AuthReason,
    BadMacError,
    DictionaryError,
    KeyFileError,
    MalformedCommandError,
    PacketBuildError,
    PacketCrcError,
    PacketError,
    PacketFieldError,
    PacketHeaderError,
    PacketLengthError,
    ReplayError,
    ReservedSequenceError,
    RevokedKeyError,
    SegmentError,
    SegmentLossError,
    UnknownApidError,
    UnknownKeyError,
)

_defs.load_all()


def decode(raw: bytes | bytearray | memoryview):
    """Parse one packet of any declared APID (see :meth:`Dictionary.decode`)."""
    return DICTIONARY.decode(raw)


__all__ = [
    "APID_AREAS", "APID_IDLE", "APID_PLAN", "AUTH_HEADER_LEN", "DICTIONARY", "MAC_LEN",
    "MAX_PACKET_LEN", "SEQ_CONTINUATION", "SEQ_FIRST", "SEQ_LAST", "SEQ_UNSEGMENTED", "TC", "TM",
    "AuthError", "AuthReason", "BadMacError", "Dictionary", "DictionaryError", "EventDef", "Field",
    "KeyFileError", "MalformedCommandError", "PacketBuildError", "PacketCrcError",
    "PacketDef", "PacketError", "PacketFieldError", "PacketHeaderError", "PacketLengthError",
    "PrimaryHeader", "ReplayError", "ReservedSequenceError", "RevokedKeyError", "SegmentError",
    "SegmentLossError", "UnknownApidError", "UnknownKeyError", "build_idle", "check_frame",
    "crc16", "cuc_to_tai", "decode", "event", "is_idle", "pack_header", "peek_apid", "tai_to_cuc",
    "telecommand", "telemetry", "unpack_header",
]
