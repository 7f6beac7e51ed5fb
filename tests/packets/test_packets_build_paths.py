"""The three ways into a packet builder (``build`` with keywords,
``build_ordered`` with the fields in declared order, ``build_mapping`` with
the fields in a dict, as :meth:`TaskContext.send` calls it) make the same
octets as an independent reference (the plain construct declaration and a
bitwise CRC-16-CCITT), for every packet of the dictionary; and they reject
bad values with the same typed errors and the same messages."""

from __future__ import annotations

import math
import random
from array import array
from types import SimpleNamespace
from typing import Any

import pytest
from packet_strategies import PACKET_NAMES, random_values

from fsw.executive.task import TaskContext
from fsw.packets import DICTIONARY, MAC_LEN, PacketBuildError, PacketDef
from fsw.packets.dictionary import AUTH_HEADER_LEN


def _crc16_ccitt(data: bytes) -> int:
    """CRC-16-CCITT (poly 0x1021, init 0xFFFF), bit by bit."""
    crc = 0xFFFF
    for octet in data:
        crc ^= octet << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


def _reference(pdef: PacketDef, ticks: int, seq: int, values: dict, auth: tuple) -> bytes:
    """The packet built by the plain construct declaration, CRC by hand."""
    body = pdef.body.build(values)
    n = 6 + 6 + len(body) + 2 + ((AUTH_HEADER_LEN + MAC_LEN) if pdef.is_tc else 0)
    obj: dict[str, Any] = {
        "primary": {"version": 0, "type": pdef.kind, "sec_hdr": 1, "apid": pdef.apid,
                    "seq_flags": 3, "seq": seq, "data_len": n - 7},
        "cuc": {"coarse": ticks >> 16, "fine": ticks & 0xFFFF},
        "data": values, "crc": 0,
    }
    if pdef.is_tc:
        obj["auth"] = {"key_id": auth[0], "auth_seq": auth[1]}
        obj["mac"] = auth[2]
    raw = pdef.construct.build(obj)[:-2]
    return raw + _crc16_ccitt(raw).to_bytes(2, "big")


def _ordered(pdef: PacketDef, values: dict, auth: tuple) -> list:
    head = list(auth) if pdef.is_tc else []
    return head + [values[k] for k in pdef.field_names]


def _context(t: float) -> tuple[TaskContext, list[bytes]]:
    host = SimpleNamespace(config=SimpleNamespace(seed=1, dt=0.1), t=t, tick=0,
                           seq=array("H", bytes(2 * 2048)), next_seq=None, subscribe=None)
    ctx = TaskContext(host, None, "test", 1)  # type: ignore[arg-type]
    out: list[bytes] = []
    ctx.open(out.append)
    return ctx, out


@pytest.mark.parametrize("name", PACKET_NAMES)
def test_every_path_builds_the_reference_octets(name: str) -> None:
    pdef = DICTIONARY[name]
    rng = random.Random(name)
    for _ in range(25):
        values = random_values(pdef, rng)
        ticks, seq = rng.randrange(2**48), rng.randrange(2**14)
        t = ticks / 65536
        auth = (rng.randrange(2**16), rng.randrange(2**32), rng.randbytes(MAC_LEN))
        want = _reference(pdef, ticks, seq, values, auth)
        kw = dict(zip(("key_id", "auth_seq", "mac"), auth, strict=True)) if pdef.is_tc else {}
        assert pdef.build(t_tai=t, seq=seq, **kw, **values) == want
        assert pdef.build_ordered(t, seq, *_ordered(pdef, values, auth)) == want
        assert pdef.build_mapping(t, seq, {**kw, **values}) == want
        # the keywords in another order make the same octets
        shuffled = list(values.items())
        rng.shuffle(shuffled)
        assert pdef.build_mapping(t, seq, {**kw, **dict(shuffled)}) == want
        if not pdef.is_tc:
            ctx, out = _context(t)
            ctx.seq[pdef.apid] = seq
            assert ctx.send(pdef, **values) == want and out == [want]
            assert ctx.seq[pdef.apid] == (seq + 1) & 0x3FFF


def _errors(pdef: PacketDef, fields: dict, t: float = 1.0, seq: int = 0) -> list[tuple]:
    """(type, message) of the error each path raises for ``fields``."""
    got = []
    calls = [lambda: pdef.build(t_tai=t, seq=seq, **fields),
             lambda: pdef.build_mapping(t, seq, fields)]
    if set(fields) == set(pdef.field_names):
        calls.append(lambda: pdef.build_ordered(t, seq, *[fields[k] for k in pdef.field_names]))
    for call in calls:
        with pytest.raises(Exception) as exc:
            call()
        got.append((type(exc.value), str(exc.value)))
    return got


def _adcs_state() -> dict:
    return {"mode": 2, "valid": 1, "q_BN": (1.0, 0.0, 0.0, 0.0), "rate_B": (0.0, 0.0, 0.0),
            "att_error": 0.0, "h_wheels": 0.0, "h_B": (0.0, 0.0, 0.0), "wheels_ok": 15,
            "flags": 0, "st_age": 0.0, "att_sigma": 0.0, "att_sigma_B": (0.0, 0.0, 0.0),
            "heads_used": 0, "heads_valid": 0, "st_rejected": 0}


@pytest.mark.parametrize("bad", [
    {"mode": 99}, {"mode": "NO_SUCH_MODE"}, {"mode": 2.0}, {"mode": [2]}, {"mode": None},
    {"mode": math.nan}, {"valid": 256}, {"valid": -1}, {"valid": 1.5}, {"wheels_ok": "x"},
    {"q_BN": (1.0, 0.0, 0.0)}, {"q_BN": (1.0, 0.0, 0.0, 0.0, 0.0)}, {"q_BN": None},
    {"q_BN": 1.0}, {"rate_B": ("a", 0.0, 0.0)}, {"st_rejected": 2**32}, {"flags": -1},
])
def test_bad_values_raise_the_same_typed_error_on_every_path(bad: dict) -> None:
    pdef = DICTIONARY["ADCS_STATE"]
    got = _errors(pdef, {**_adcs_state(), **bad})
    assert got[0][0] is PacketBuildError, got
    assert all(g == got[0] for g in got), got


@pytest.mark.parametrize(("t", "seq"), [(math.nan, 0), (math.inf, 0), (-1.0, 0), (2.0**32, 0),
                                        (1.0, 16384), (1.0, -1)])
def test_bad_time_and_sequence_raise_the_same_error_on_every_path(t: float, seq: int) -> None:
    got = _errors(DICTIONARY["ADCS_STATE"], _adcs_state(), t, seq)
    assert got[0][0] is PacketBuildError, got
    assert all(g == got[0] for g in got), got


@pytest.mark.parametrize("fields", [
    {"severity": "loud", "event_id": 1, "source": "x", "text": "y"},
    {"severity": 1, "event_id": 1, "source": "x" * 17, "text": "y"},
    {"severity": 1, "event_id": 1, "source": "x", "text": "a\0b"},
    {"severity": 1, "event_id": 1, "source": b"x", "text": "y"},
    {"severity": 1, "event_id": 2**16, "source": "x", "text": "y"},
])
def test_bad_enum_and_text_raise_the_same_error_on_every_path(fields: dict) -> None:
    got = _errors(DICTIONARY["EVENT"], fields)
    assert got[0][0] is PacketBuildError, got
    assert all(g == got[0] for g in got), got


@pytest.mark.parametrize("change", ["missing", "unknown", "t_tai"])
def test_wrong_field_names_raise_what_the_keyword_call_raises(change: str) -> None:
    pdef = DICTIONARY["ADCS_STATE"]
    fields = _adcs_state()
    if change == "missing":
        del fields["mode"]
    elif change == "unknown":
        fields["moed"] = fields.pop("mode")
    else:
        fields["t_tai"] = 1.0
    got = _errors(pdef, fields)
    assert got[0][0] is TypeError, got
    assert all(g == got[0] for g in got), got


def test_enum_names_and_members_build_their_values() -> None:
    ev = DICTIONARY["EVENT"]
    by_name = ev.build_mapping(0.0, 0, {"severity": "error", "event_id": 1, "source": "x",
                                        "text": "y"})
    assert by_name == ev.build(t_tai=0.0, severity=3, event_id=1, source="x", text="y")
    assert ev.parse(by_name).severity == 3


def test_variable_layouts_take_every_path() -> None:
    pdef = DICTIONARY["MISSION_CMD"]
    assert not pdef.fixed
    values = random_values(pdef, random.Random(1))
    want = pdef.build(t_tai=5.0, seq=3, **values)
    assert pdef.build_mapping(5.0, 3, values) == want
    assert pdef.build_ordered(5.0, 3, *[values[k] for k in pdef.field_names]) == want
    with pytest.raises(TypeError):
        pdef.build_ordered(5.0, 3)
