"""The web console's command history: every telecommand sent and every
acknowledgement heard for it, kept on disk (one JSON object a line, appended
and flushed as it happens) and reloaded when the console restarts.

Lines::

    {"type": "sent", "id": 7, "name": "NOOP", "args": {}, "apid": 128, "seq": 3,
     "key_id": 2, "auth_seq": 41, "hazardous": false,
     "wall_utc": "...", "wall": 1790000000.1, "onboard_utc": "..."}
    {"type": "ack", "id": 7, "stage": "accepted", "reason": 0, "onboard_utc": "...",
     "t_tai": ..., "wall_utc": "...", "latency_s": 0.4}

``wall_*`` are the console's clock, ``onboard_utc``/``t_tai`` the
spacecraft's (the command's time stamp; the acknowledgement's packet time).

An acknowledgement (COMMAND_ACK) is matched to the command with the same
APID, packet sequence count and anti-replay number that has no final stage
yet. A torn last line (a crash while writing) is skipped on reload.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from fsw.errors import UserError

FINAL = ("executed", "rejected", "failed", "not sent")
#: entries kept in memory and shown (the file keeps everything)
SHOWN = 500


class CommandHistory:
    """Commands and their acknowledgements, persisted to ``path`` (or kept
    in memory only when ``path`` is None)."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self.entries: dict[int, dict[str, Any]] = {}
        self.version = 0
        self.skipped = 0
        if self.path is not None and self.path.exists():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UserError(f"{self.path}: cannot read the command history ({exc.strerror})"
                            ) from None
        for line in lines:
            try:
                obj = json.loads(line)
                if obj["type"] == "sent":
                    self._add_sent(obj)
                elif obj["type"] == "ack":
                    self._add_ack(obj)
            except (ValueError, KeyError, TypeError):
                self.skipped += 1
        while len(self.entries) > SHOWN:
            del self.entries[min(self.entries)]

    def _append(self, obj: dict[str, Any]) -> None:
        if self.path is None:
            return
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(obj, sort_keys=True) + "\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise UserError(f"{self.path}: cannot keep the command history ({exc.strerror})"
                            ) from None

    def _add_sent(self, obj: dict[str, Any]) -> dict[str, Any]:
        entry = {k: v for k, v in obj.items() if k != "type"}
        entry.setdefault("acks", [])
        entry.setdefault("status", "sent")
        self.entries[int(entry["id"])] = entry
        self.version += 1
        entry["version"] = self.version
        return entry

    def _add_ack(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        entry = self.entries.get(int(obj["id"]))
        if entry is None:
            return None
        entry["acks"].append({k: v for k, v in obj.items() if k not in ("type", "id")})
        entry["status"] = obj["stage"]
        self.version += 1
        entry["version"] = self.version
        return entry

    def next_id(self) -> int:
        return max(self.entries, default=0) + 1

    def record_sent(self, *, name: str, args: dict[str, str], apid: int, seq: int,
                    key_id: int, auth_seq: int, onboard_utc: str,
                    hazardous: bool) -> dict[str, Any]:
        """Store a command about to be sent (on disk first)."""
        wall = time.time()
        obj = {"type": "sent", "id": self.next_id(), "name": name, "args": args, "apid": apid,
               "seq": seq, "key_id": key_id, "auth_seq": auth_seq, "onboard_utc": onboard_utc,
               "wall": wall, "wall_utc": _wall_utc(wall), "hazardous": hazardous}
        self._append(obj)
        return self._add_sent(obj)

    def match(self, rec: Any, stage: str, onboard_utc: str) -> dict[str, Any] | None:
        """File a COMMAND_ACK record under its command (None: not ours)."""
        for entry in reversed(list(self.entries.values())):
            if entry["status"] in FINAL:
                continue
            if (entry["apid"], entry["seq"], entry["auth_seq"]) == (
                    rec.command_apid, rec.command_seq, rec.command_auth_seq):
                wall = time.time()
                obj = {"type": "ack", "id": entry["id"], "stage": stage,
                       "reason": rec.reason, "onboard_utc": onboard_utc, "t_tai": rec.t_tai,
                       "wall_utc": _wall_utc(wall),
                       "latency_s": round(wall - float(entry.get("wall", wall)), 3)}
                self._append(obj)
                return self._add_ack(obj)
        return None

    def mark(self, entry_id: int, stage: str, detail: str) -> dict[str, Any] | None:
        """A stage the console itself gives a command (e.g. ``not sent``)."""
        wall = time.time()
        obj = {"type": "ack", "id": entry_id, "stage": stage, "reason": 0, "detail": detail,
               "wall_utc": _wall_utc(wall)}
        self._append(obj)
        return self._add_ack(obj)

    def changed_since(self, version: int) -> list[dict[str, Any]]:
        return [e for e in self.entries.values() if e["version"] > version]

    def all(self) -> list[dict[str, Any]]:
        return list(self.entries.values())


def _wall_utc(wall: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(wall)) + f".{int(wall % 1 * 1000):03d}Z"


__all__ = ["FINAL", "CommandHistory"]
