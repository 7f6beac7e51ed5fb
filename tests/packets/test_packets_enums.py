"""Protocol numbers come from the dictionary: every enum and flags field has
its generated class with exactly the declared values; events are declared
once (the ids the tasks use today among them); the APID plan by name; one
CRC-16 in C."""

from __future__ import annotations

import ast
import enum
import itertools
import re
from pathlib import Path

import construct as cs
import pytest

from fsw.packets import APID_AREAS, APID_PLAN, DICTIONARY, enums
from fsw.packets.dictionary import DictionaryError, EventDef, event
from fsw.packets.types import flag_bits, flags

ROOT = Path(__file__).resolve().parents[2]


def _enum_fields():
    for pdef in DICTIONARY.sorted():
        for f in pdef.fields:
            if isinstance(f.type, cs.Enum) or flag_bits(f.type):
                yield pdef, f


def test_every_enum_and_flags_field_has_its_class_with_the_declared_values() -> None:
    seen = 0
    for pdef, f in _enum_fields():
        cls = enums.FIELD_ENUMS[(pdef.name, f.name)]
        assert getattr(enums, cls.__name__) is cls
        if isinstance(f.type, cs.Enum):
            assert issubclass(cls, enum.IntEnum)
            declared = {str(k).upper(): int(v) for k, v in f.type.encmapping.items()}
        else:
            assert issubclass(cls, enum.IntFlag)
            declared = {k.upper(): v for k, v in flag_bits(f.type).items()}
        assert {m.name: m.value for m in cls} == declared, (pdef.name, f.name)
        seen += 1
    assert seen == len(enums.FIELD_ENUMS) >= 17


def test_generated_names() -> None:
    """Shared types are named after their declaration, inline ones after
    their packet and field; one class per shared type."""
    f = enums.FIELD_ENUMS
    for name in ("MODE_STATUS", "AUTONOMY_HK", "SET_MODE"):
        assert f[(name, "mode")] is enums.MissionMode
    assert f[("ADCS_REQUEST", "mode")] is f[("ADCS_STATE", "mode")] is enums.PointingMode
    assert f[("EVENT", "severity")] is enums.Severity
    assert f[("BURN_STATUS", "state")] is enums.BurnStatusState
    assert f[("ADCS_STATE", "flags")] is enums.AdcsFlag
    assert enums.BurnStatusState.FIRING == 2 and enums.MissionMode.SAFE == 7
    assert enums.PointingMode.TARGET_TRACK == 4


def test_independent_copies_agree_with_the_dictionary() -> None:
    """The guidance core's flag bits (mirror of gnc_adcs_flag in C), the
    autonomy task's modes and the ADCS task's mode numbers: what the lead
    switches to the generated names must be what they are now."""
    from fsw.core.attitude import AdcsFlag
    from fsw.core.nav import NavFlag, NavSource
    from fsw.tasks.autonomy.modes import Mode

    assert {m.name: m.value for m in AdcsFlag} == {m.name: m.value for m in enums.AdcsFlag}
    assert {m.name: m.value for m in NavFlag} == {m.name: m.value for m in enums.NavFlag}
    assert {m.name: m.value for m in NavSource} == {m.name: m.value for m in enums.NavSource}
    assert Mode is enums.MissionMode


def _task_event_ids() -> dict[int, tuple[str, str]]:
    """id -> (constant, owner) of every ``EV_* = N`` still written in fsw/tasks."""
    out: dict[int, tuple[str, str]] = {}
    for path in (ROOT / "fsw" / "tasks").rglob("*.py"):
        owner = path.parent.name if path.parent.name != "tasks" else path.stem
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target, value = node.targets[0], node.value
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            values = value.elts if isinstance(value, ast.Tuple) else [value]
            for n, v in zip(names, values, strict=False):
                if (isinstance(n, ast.Name) and n.id.startswith("EV_")
                        and isinstance(v, ast.Constant)):
                    out[v.value] = (n.id, owner)
    return out


def test_the_events_the_tasks_raise_are_declared_with_their_numbers() -> None:
    """So switching the tasks to EventId changes no packet."""
    from fsw.executive import events

    for number, (name, owner) in _task_event_ids().items():
        declared = DICTIONARY.events.get(number)
        assert declared is not None, f"{owner}.{name} = {number} is not declared"
        assert declared.owner == owner, (name, declared)
    for name in ("TASK_EXCEPTION", "TASK_RESTARTED", "TASK_FAILED", "DEADLINE_OVERRUN",
                 "BAD_PACKET", "TASK_STABLE"):
        assert getattr(events, name) is enums.EventId[name]
        assert DICTIONARY.events[enums.EventId[name]].owner == "executive"


def test_event_declarations_and_their_checks() -> None:
    assert [e.value for e in enums.EventId] == sorted(DICTIONARY.events)
    for eid, ev in enums.EVENTS.items():
        assert ev.id == eid and enums.EVENT_SEVERITY[eid].name == ev.severity.upper()
    assert enums.EVENT_SEVERITY[enums.EventId.TASK_FAILED] is enums.Severity.CRITICAL
    with pytest.raises(DictionaryError, match="already belongs"):
        event(101, "ANOTHER", "info", "comms")
    with pytest.raises(DictionaryError, match="declared twice"):
        event(60000, "TC_REJECTED", "info", "comms")
    with pytest.raises(DictionaryError, match="severity"):
        event(60001, "WHATEVER", "loud", "comms")
    with pytest.raises(DictionaryError, match="outside"):
        DICTIONARY.add_event(EventDef(70000, "TOO_BIG", "info", "comms"))
    assert 60000 not in DICTIONARY.events and 60001 not in DICTIONARY.events


def test_flags_declarations_are_checked() -> None:
    with pytest.raises(ValueError):
        flags(cs.Int8ub, a=1, b=3)
    with pytest.raises(ValueError):
        flags(cs.Int8ub, a=256)
    with pytest.raises(TypeError):
        flags(cs.Float64b, a=1)
    f = flags(cs.Int16ub, a=1, b=0x8000)
    assert f.build(0x8001) == b"\x80\x01" and flag_bits(f) == {"a": 1, "b": 0x8000}


def test_the_apid_plan_by_name() -> None:
    assert tuple(APID_AREAS.values()) == APID_PLAN
    areas = [a.apids for a in APID_PLAN]
    for a, b in itertools.pairwise(areas):
        assert a[-1] < b[0]  # in order, disjoint
    for pdef in DICTIONARY.values():
        hits = [k for k, a in APID_AREAS.items() if pdef.apid in a.apids]
        assert len(hits) == 1
        assert (pdef.is_tc) == (hits[0] == "telecommands")
    assert APID_AREAS["telecommands"].apids == range(0x080, 0x100)


def test_no_plan_range_or_apid_mask_is_written_again() -> None:
    """APID ranges come from the plan, APIDs from peek_apid (or the named
    mask on the hot paths): none of these literals in fsw,
    hil or tools."""
    pattern = re.compile(r"range\(0x[0-9a-fA-F]{3}|&\s*0x7[fF][fF]\b")
    bad = []
    for top in ("fsw", "hil", "tools"):
        for path in (ROOT / top).rglob("*.py"):
            for i, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line) and not line.lstrip().startswith("#"):
                    bad.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert bad == []


def test_one_crc16_in_c() -> None:
    """The polynomial is computed in one C source, gnc_crc16.c (its table
    beside it); the dispatcher, the firmware link and the scanner call it."""
    native = ROOT / "native"
    sources = [p for p in native.rglob("*.[ch]") if "build" not in p.parts]
    crc_loops = [p.name for p in sources if re.search(r"\^\s*0x1021", p.read_text())]
    assert crc_loops == []
    tables = [p.relative_to(native).as_posix() for p in native.rglob("*.inc")
              if "crc_table" in p.read_text()]
    assert tables == ["src/gnc_crc16_table.inc"]
    users = {p.name for p in sources if "gnc_crc16(" in p.read_text()
             or "gnc_crc16_update(" in p.read_text()}
    assert {"gnc_crc16.c", "gnc_dispatch.c", "fw_link.c", "scan.c"} <= users


def test_the_crc_table_is_the_polynomial() -> None:
    """The slice-by-8 table recomputed bit by bit from 0x1021."""
    def crc_of(octets: bytes) -> int:
        c = 0
        for b in octets:
            c ^= b << 8
            for _ in range(8):
                c = ((c << 1) ^ 0x1021) & 0xFFFF if c & 0x8000 else (c << 1) & 0xFFFF
        return c

    text = (ROOT / "native" / "src" / "gnc_crc16_table.inc").read_text()
    values = [int(v, 16) for v in re.findall(r"0x([0-9A-F]{4})u", text)]
    assert len(values) == 8 * 256
    for k in range(8):
        assert values[k * 256:(k + 1) * 256] == [crc_of(bytes([b]) + bytes(k))
                                                 for b in range(256)], k


def test_the_c_crc_agrees_with_an_independent_one() -> None:
    import binascii
    import random

    from fsw.core._ffi import ffi, lib
    from fsw.packets import _scan  # type: ignore[attr-defined]

    rng = random.Random(5)
    out = ffi.new("uint16_t *")
    out2 = _scan.ffi.new("uint16_t *")
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 100, 1000]:
        data = bytes(rng.randrange(256) for _ in range(n))
        assert lib.gnc_crc16(data, n, out) == 0
        assert out[0] == binascii.crc_hqx(data, 0xFFFF)
        init = rng.randrange(0x10000)
        assert _scan.lib.pkt_crc16(data, n, init, out2) == 0
        assert out2[0] == binascii.crc_hqx(data, init)
