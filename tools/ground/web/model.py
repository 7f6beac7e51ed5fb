"""What the web console knows of the spacecraft: the latest value of every
field by packet (with enum names, units, UTC and limit levels; a packet
shared by several sources, e.g. HEARTBEAT, per source: ``HEARTBEAT[adcs]``,
after ``PacketDef.instance``), recent
samples of every numeric field for the strip charts, the event log, the
current alarms and the link's health. Fed one packet at a time
(:meth:`TelemetryModel.on_packet`); read as JSON-ready dictionaries.

Everything is bounded: ``SERIES_LEN`` samples per numeric field, ``EVENTS``
events, ``ALARM_LOG`` alarm transitions. Limits are the dictionary's
(:func:`fsw.packets.limits.check`).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fsw.packets import PacketError
from fsw.packets.limits import LEVELS, check
from fsw.packets.receiver import Receiver

SERIES_LEN = 3000
EVENTS = 2000
ALARM_LOG = 500
TAI1958_TO_UNIX_S = 378_691_200
TAI_MINUS_UTC_S = 37


def utc_text(t_tai: float) -> str:
    """On-board TAI seconds since 1958 as UTC ISO 8601 (TAI-UTC = 37 s)."""
    unix = t_tai - TAI1958_TO_UNIX_S - TAI_MINUS_UTC_S
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(unix)) + f".{int(unix % 1 * 1000):03d}Z"


def _json(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, tuple | list):
        return [_json(x) for x in v]
    if isinstance(v, bytes):
        return v.hex() if len(v) <= 32 else f"<{len(v)} octets>"
    return v


@dataclass
class Alarm:
    """A parameter out of limits now."""

    param: str
    level: int
    value: Any
    since_tai: float
    limits: str
    unit: str

    def as_dict(self) -> dict[str, Any]:
        return {"param": self.param, "level": LEVELS[self.level], "value": _json(self.value),
                "since_utc": utc_text(self.since_tai), "limits": self.limits,
                "unit": self.unit}


@dataclass
class LinkStatus:
    """Telemetry reception as the console sees it (wall clock)."""

    stale_after_s: float
    first_rx: float | None = None
    last_rx: float | None = None
    packets: int = 0
    dropped: int = 0
    rates: deque = field(default_factory=lambda: deque(maxlen=64))

    def as_dict(self, rx: Receiver, now: float) -> dict[str, Any]:
        age = None if self.last_rx is None else now - self.last_rx
        if age is None:
            state = "no telemetry"
        elif age > self.stale_after_s:
            state = "stale"
        else:
            state = "live"
        gaps = sum(s.gaps for s in rx.stats.values())
        missed = sum(s.missed for s in rx.stats.values())
        crc = sum(s.crc_errors for s in rx.stats.values())
        recent = [t for t in self.rates if now - t <= 5.0]
        return {"state": state, "age_s": age, "stale_after_s": self.stale_after_s,
                "packets": self.packets, "dropped": self.dropped, "gaps": gaps,
                "missed": missed, "crc_errors": crc, "rate_hz": len(recent) / 5.0}


class TelemetryModel:
    """The console's picture of the spacecraft (see the module docstring)."""

    def __init__(self, stale_after_s: float = 5.0, clock: Any = time.monotonic) -> None:
        self.clock = clock
        self.rx = Receiver()
        self.link = LinkStatus(stale_after_s)
        self.version = 0
        self.latest: dict[str, dict[str, Any]] = {}
        self.packet_version: dict[str, int] = {}
        self.series: dict[str, deque[tuple[float, float]]] = {}
        self.events: deque[dict[str, Any]] = deque(maxlen=EVENTS)
        self.event_count = 0
        self.alarms: dict[str, Alarm] = {}
        self.alarm_log: deque[dict[str, Any]] = deque(maxlen=ALARM_LOG)
        self.last_t_tai: float | None = None
        self.listeners: list[Any] = []  # called with each decoded record

    # -- intake ------------------------------------------------------------------------------

    def on_packet(self, raw: bytes) -> Any:
        """Take one packet off the link; returns its record (None if undecodable)."""
        now = self.clock()
        self.link.packets += 1
        self.link.last_rx = now
        if self.link.first_rx is None:
            self.link.first_rx = now
        self.link.rates.append(now)
        try:
            rec = self.rx.receive(raw)
        except PacketError:
            rec = None
        if rec is None:  # undecodable, unknown or a duplicate (counted by the receiver)
            self.link.dropped += 1
            return None
        pdef = rec.packet
        key = pdef.name if pdef.instance is None else \
            f"{pdef.name}[{getattr(rec, pdef.instance)}]"
        self.last_t_tai = rec.t_tai
        self.version += 1
        levels = check(rec) if not pdef.is_tc else {}
        fields: dict[str, Any] = {}
        for f in pdef.fields:
            value = getattr(rec, f.name)
            entry: dict[str, Any] = {"value": _json(value)}
            lay = pdef.layouts[f.name]
            if lay is not None and lay.kind == "enum":
                entry["text"] = pdef.enum_names(f.name).get(value, str(value))
            if f.name in levels:
                entry["level"] = LEVELS[levels[f.name][0]]
            fields[f.name] = entry
            self._sample(key, f.name, lay, value, rec.t_tai)
        self.latest[key] = {"packet": pdef.name, "apid": pdef.apid, "seq": rec.seq,
                            "t_tai": rec.t_tai, "utc": utc_text(rec.t_tai), "fields": fields}
        self.packet_version[key] = self.version
        self._alarms(key, pdef, levels, rec.t_tai)
        if pdef.name == "EVENT":
            self.event_count += 1
            self.events.append({
                "n": self.event_count, "t_tai": rec.t_tai, "utc": utc_text(rec.t_tai),
                "severity": rec.severity,
                "severity_name": pdef.enum_names("severity").get(rec.severity, "?"),
                "event_id": rec.event_id, "source": rec.source, "text": rec.text})
        for listener in self.listeners:
            listener(rec)
        return rec

    def _sample(self, packet: str, name: str, lay: Any, value: Any, t: float) -> None:
        if lay is None or lay.kind not in ("scalar", "enum", "array"):
            return
        items = value if lay.kind == "array" else (value,)
        for i, x in enumerate(items):
            key = f"{packet}.{name}[{i}]" if lay.kind == "array" else f"{packet}.{name}"
            buf = self.series.get(key)
            if buf is None:
                buf = self.series[key] = deque(maxlen=SERIES_LEN)
            buf.append((t, float(x)))

    def _alarms(self, key: str, pdef: Any, levels: dict[str, tuple[int, Any]],
                t: float) -> None:
        for f in pdef.fields:
            if f.limits is None:
                continue
            param = f"{key}.{f.name}"
            level, value = levels.get(f.name, (0, None))
            if isinstance(value, int) and f.limits.states:
                value = pdef.enum_names(f.name).get(value, value)
            current = self.alarms.get(param)
            if level > 0:
                if current is None or current.level != level:
                    self.alarms[param] = Alarm(param, level, value,
                                               t if current is None else current.since_tai,
                                               f.limits.describe(), f.unit)
                    self.alarm_log.append({"utc": utc_text(t), "param": param,
                                           "level": LEVELS[level], "value": _json(value)})
                else:
                    current.value = value
            elif current is not None:
                del self.alarms[param]
                self.alarm_log.append({"utc": utc_text(t), "param": param, "level": "nominal",
                                       "value": _json(value)})

    # -- views -------------------------------------------------------------------------------

    def link_status(self) -> dict[str, Any]:
        return self.link.as_dict(self.rx, self.clock())

    def changed_since(self, version: int) -> dict[str, Any]:
        """Latest values of the packets updated after ``version``."""
        return {name: self.latest[name] for name, v in self.packet_version.items()
                if v > version}

    def events_since(self, n: int) -> list[dict[str, Any]]:
        return [e for e in self.events if e["n"] > n]

    def alarm_list(self) -> list[dict[str, Any]]:
        return [a.as_dict() for a in sorted(self.alarms.values(),
                                            key=lambda a: (-a.level, a.param))]

    def series_of(self, key: str) -> list[tuple[float, float]]:
        return list(self.series.get(key, ()))


__all__ = ["Alarm", "LinkStatus", "TelemetryModel", "utc_text"]
